import { ReleasePhoneNumberCommand } from '@aws-sdk/client-connect';
import { associateContactFlow } from '../../../tasks/associate-contact-flow/associate-contact-flow';
import { importToConnect } from '../../../tasks/import-to-connect/import-to-connect';
import type { ConnectImportData } from '../../../tasks/lib/connect';
import type { ImportResult } from '../../../tasks/lib/results';
import { undoImport } from '../../../tasks/undo-import/undo-import';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import {
  connectRequest,
  foreignImport,
  injectFault,
  mutatingCalls,
  newProvisioningId,
  resetSandbox,
  seeded,
  setClaimDelay,
  sleep,
  taskEvent,
  type ConnectFixture,
} from './connect-fixtures';

/** The seeded instance's Default inbound flow (set per test: the sandbox gives it a new id at every seed). */
let FLOW = '';

describe('UndoImport', () => {
  let env: WorkflowEnv;
  let f: ConnectFixture;
  let provisioningId: string;

  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });
  beforeEach(async () => {
    await resetSandbox(env);
    f = seeded(env);
    FLOW = f.flowId;
    provisioningId = newProvisioningId();
  });

  const request = (extra: { contactFlowId?: string } = {}) => connectRequest(f, provisioningId, extra);
  const doImport = () => importToConnect(taskEvent('ImportToConnect', request(), { number: f.number }), env.deps);
  const associate = (imported: ImportResult) => associateContactFlow(taskEvent('AssociateContactFlow', request({ contactFlowId: FLOW }), { number: f.number, import: imported }), env.deps);
  const rollback = (results: Record<string, unknown> = { number: f.number }) =>
    undoImport(taskEvent('UndoImport', request(), results, { provisioningId, mode: 'rollback' }), env.deps);
  const importsOfNumber = () => Object.values(env.sandbox.sandbox.state.connect.phoneNumbers).filter((p) => p.SourcePhoneNumberArn === f.number.arn);

  it('disassociates the flow and releases the import this provisioning made, recorded in ledger and audit', async () => {
    const imported = await doImport();
    await associate(imported);
    const seq = await env.lastSeq();

    const out = await rollback();

    expect(out.kept).toEqual([]);
    expect(out.undone).toEqual([
      `disassociated contact flow ${FLOW} from Connect phone number ${imported.connectPhoneNumberArn}`,
      `released Connect phone number ${imported.connectPhoneNumberArn} (import of ${f.number.arn})`,
    ]);
    expect(importsOfNumber()).toEqual([]);
    expect(await mutatingCalls(env, seq)).toEqual(['connect:DisassociatePhoneNumberContactFlow', 'connect:ReleasePhoneNumber']);
    expect((await env.deps.ledger.get(provisioningId, 'connectImport'))?.status).toBe('undone');
    expect((await env.deps.ledger.get(provisioningId, 'contactFlow'))?.status).toBe('undone');
    const audit = (await env.deps.audit.byProvisioning(provisioningId)).filter((a) => a.step === 'UndoImport');
    expect(audit.map((a) => [a.phase, a.action])).toEqual([
      ['intent', 'connect:DisassociatePhoneNumberContactFlow'],
      ['outcome', 'connect:DisassociatePhoneNumberContactFlow'],
      ['intent', 'connect:ReleasePhoneNumber'],
      ['outcome', 'connect:ReleasePhoneNumber'],
    ]);
  });

  it('is a no-op when run again after it undid the import', async () => {
    await doImport();
    await rollback();
    const seq = await env.lastSeq();

    const out = await rollback();

    expect(out).toEqual({ undone: [], kept: [] });
    expect(await env.calls(seq)).toEqual([]);
  });

  it('is a no-op when this provisioning never reached the import', async () => {
    const seq = await env.lastSeq();

    const out = await rollback();

    expect(out).toEqual({ undone: [], kept: [] });
    expect(await env.calls(seq)).toEqual([]);
    expect(await env.deps.ledger.get(provisioningId, 'connectImport')).toBeUndefined();
  });

  it('keeps an import this provisioning reused (skipped) and makes no call', async () => {
    const existing = await foreignImport(env.deps, f.number.arn, f.instanceId);
    await doImport();
    const seq = await env.lastSeq();

    const out = await rollback();

    expect(out.undone).toEqual([]);
    expect(out.kept).toEqual([`Connect phone number ${existing.arn}: imported before provisioning ${provisioningId}, not released`]);
    expect(importsOfNumber().map((p) => p.PhoneNumberId)).toEqual([existing.id]);
    expect(await env.calls(seq)).toEqual([]);
  });

  it('keeps the flow association it made on a reused import, saying why', async () => {
    const existing = await foreignImport(env.deps, f.number.arn, f.instanceId);
    await associate(await doImport());
    const seq = await env.lastSeq();

    const out = await rollback();

    expect(out.kept).toEqual([
      `Connect phone number ${existing.arn}: imported before provisioning ${provisioningId}, not released`,
      `contact flow ${FLOW} association on it: the number's previous flow is unknown, left as is`,
    ]);
    expect(env.sandbox.sandbox.state.connect.phoneNumbers[existing.id]?.ContactFlowId).toBe(FLOW);
    expect(await env.calls(seq)).toEqual([]);
  });

  it('does not release another provisioning’s import', async () => {
    await doImport();
    const other = newProvisioningId();

    const out = await undoImport(taskEvent('UndoImport', request(), { number: f.number }, { provisioningId: other, mode: 'rollback' }), env.deps);

    expect(out).toEqual({ undone: [], kept: [] });
    expect(importsOfNumber()).toHaveLength(1);
  });

  it('tolerates a number already released by someone else and records the import undone', async () => {
    const imported = await doImport();
    await env.deps.connect.send(new ReleasePhoneNumberCommand({ PhoneNumberId: imported.connectPhoneNumberId }));

    const out = await rollback();

    expect(out.undone).toEqual([`Connect phone number ${imported.connectPhoneNumberArn} was already released`]);
    expect(await env.deps.ledger.get(provisioningId, 'connectImport')).toMatchObject({ status: 'undone', data: { released: false } });
  });

  it('rethrows a release during IN_PROGRESS as the retryable AwsTransientError, and releases once CLAIMED', async () => {
    await setClaimDelay(env, 300);
    await doImport();

    await expect(rollback()).rejects.toMatchObject({ name: 'AwsTransientError' });
    expect((await env.deps.ledger.get(provisioningId, 'connectImport'))?.status).toBe('done');
    await sleep(350);
    const out = await rollback();

    expect(out.undone).toHaveLength(1);
    expect(importsOfNumber()).toEqual([]);
  });

  it('releases an import whose answer was lost (ledger at intent), found by its provisioning tag', async () => {
    await doImport();
    const entry = (await env.deps.ledger.get<ConnectImportData>(provisioningId, 'connectImport'))!;
    const { connectPhoneNumberId: _id, connectPhoneNumberArn: _arn, ...intent } = entry.data;
    await env.deps.ledger.set(provisioningId, 'connectImport', 'intent', intent);

    const out = await rollback();

    expect(out.undone).toHaveLength(1);
    expect(importsOfNumber()).toEqual([]);
    expect((await env.deps.ledger.get(provisioningId, 'connectImport'))?.status).toBe('undone');
  });

  it('leaves a foreign import alone when the ledger has only an intent (its import call failed)', async () => {
    await injectFault(env, 'ImportPhoneNumber', 'AccessDeniedException');
    await expect(doImport()).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const existing = await foreignImport(env.deps, f.number.arn, f.instanceId);
    const seq = await env.lastSeq();

    const out = await rollback();

    expect(out).toEqual({ undone: [], kept: [] });
    expect(importsOfNumber().map((p) => p.PhoneNumberId)).toEqual([existing.id]);
    expect(await mutatingCalls(env, seq)).toEqual([]);
    expect((await env.deps.ledger.get(provisioningId, 'connectImport'))?.status).toBe('undone');
  });

  it('undoes the provisioning named by undo when run by a deprovisioning', async () => {
    await doImport();
    const deprovision = { provisioningId: newProvisioningId(), phoneNumberId: f.number.id, requestedBy: 'operator@example.com' };

    const out = await undoImport(taskEvent('UndoImport', deprovision, {}, { provisioningId, mode: 'deprovision' }), env.deps);

    expect(out.undone).toHaveLength(1);
    expect(importsOfNumber()).toEqual([]);
    const audit = await env.deps.audit.byProvisioning(deprovision.provisioningId);
    expect(audit.map((a) => a.action)).toEqual(['connect:ReleasePhoneNumber', 'connect:ReleasePhoneNumber']);
    expect(audit[0]).toMatchObject({ actor: 'operator@example.com', phoneNumberId: f.number.id });
  });

  it('fails with CompensationFailed listing what is left when the release is refused', async () => {
    const imported = await doImport();
    await injectFault(env, 'ReleasePhoneNumber', 'AccessDeniedException');

    const err = await rollback().catch((e: unknown) => e);

    expect(err).toMatchObject({ name: 'CompensationFailed' });
    expect((err as Error).message).toContain(`connectImport (Connect phone number ${imported.connectPhoneNumberArn}, done)`);
    expect((await env.deps.ledger.get(provisioningId, 'connectImport'))?.status).toBe('done');
    expect(importsOfNumber()).toHaveLength(1);
  });

  it('refuses to run without undo with InvalidInput', async () => {
    await expect(undoImport(taskEvent('UndoImport', request(), {}), env.deps)).rejects.toMatchObject({ name: 'InvalidInput', field: 'undo.provisioningId' });
  });
});
