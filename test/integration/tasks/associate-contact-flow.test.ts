import { associateContactFlow } from '../../../tasks/associate-contact-flow/associate-contact-flow';
import { importToConnect } from '../../../tasks/import-to-connect/import-to-connect';
import type { ContactFlowData } from '../../../tasks/lib/connect';
import type { ImportResult } from '../../../tasks/lib/results';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { connectRequest, injectFault, mutatingCalls, newProvisioningId, resetSandbox, seeded, taskEvent, type ConnectFixture } from './connect-fixtures';

/** The seeded instance's Default inbound flow (set per test: the sandbox gives it a new id at every seed). */
let FLOW = '';

describe('AssociateContactFlow', () => {
  let env: WorkflowEnv;
  let f: ConnectFixture;
  let provisioningId: string;
  let imported: ImportResult;

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
    imported = await importToConnect(taskEvent('ImportToConnect', connectRequest(f, provisioningId), { number: f.number }), env.deps);
  });

  const run = (contactFlowId?: string) =>
    associateContactFlow(
      taskEvent('AssociateContactFlow', connectRequest(f, provisioningId, contactFlowId !== undefined ? { contactFlowId } : {}), { number: f.number, import: imported }),
      env.deps,
    );
  const flowOfNumber = () => env.sandbox.sandbox.state.connect.phoneNumbers[imported.connectPhoneNumberId]?.ContactFlowId;

  it('does nothing without a contactFlowId', async () => {
    const seq = await env.lastSeq();

    const out = await run();

    expect(out).toEqual({ associated: false });
    expect(await env.calls(seq)).toEqual([]);
    expect(await env.deps.ledger.get(provisioningId, 'contactFlow')).toBeUndefined();
  });

  it('associates the flow, recorded in the ledger and the audit trail', async () => {
    const seq = await env.lastSeq();

    const out = await run(FLOW);

    expect(out).toEqual({ associated: true, contactFlowId: FLOW });
    expect(flowOfNumber()).toBe(FLOW);
    expect(await mutatingCalls(env, seq)).toEqual(['connect:AssociatePhoneNumberContactFlow']);
    const ledger = await env.deps.ledger.get<ContactFlowData>(provisioningId, 'contactFlow');
    expect(ledger).toMatchObject({ status: 'done', data: { contactFlowId: FLOW, connectPhoneNumberId: imported.connectPhoneNumberId, instanceId: f.instanceId, importedByUs: true } });
    const audit = (await env.deps.audit.byProvisioning(provisioningId)).filter((a) => a.action === 'connect:AssociatePhoneNumberContactFlow');
    expect(audit.map((a) => a.phase)).toEqual(['intent', 'outcome']);
    expect(audit[1]).toMatchObject({ outcome: 'succeeded', resourceArn: imported.connectPhoneNumberArn, step: 'AssociateContactFlow' });
  });

  it('accepts a flow ARN of the destination instance and associates its id', async () => {
    const out = await run(`${f.instanceArn}/contact-flow/${FLOW}`);

    expect(out).toEqual({ associated: true, contactFlowId: FLOW });
    expect(flowOfNumber()).toBe(FLOW);
  });

  it('makes no mutating call when re-run after it succeeded', async () => {
    await run(FLOW);
    const seq = await env.lastSeq();

    const out = await run(FLOW);

    expect(out).toEqual({ associated: true, contactFlowId: FLOW });
    expect(await mutatingCalls(env, seq)).toEqual([]);
  });

  it('calls again after an unknown outcome (ledger at intent): the association is idempotent', async () => {
    await injectFault(env, 'AssociatePhoneNumberContactFlow', 'InternalServiceException');

    await expect(run(FLOW)).rejects.toMatchObject({ name: 'AwsTransientError' });
    expect((await env.deps.ledger.get(provisioningId, 'contactFlow'))?.status).toBe('intent');
    await run(FLOW);

    expect(flowOfNumber()).toBe(FLOW);
    expect((await env.deps.ledger.get(provisioningId, 'contactFlow'))?.status).toBe('done');
  });

  it('refuses a flow ARN of another instance with DestinationNotUsable and no mutating call', async () => {
    const seq = await env.lastSeq();

    const err = await run(`arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-4333-8444-555555555555/contact-flow/${FLOW}`).catch((e: unknown) => e);

    expect(err).toMatchObject({ name: 'DestinationNotUsable', field: 'destination.contactFlowId' });
    expect(await mutatingCalls(env, seq)).toEqual([]);
    expect(flowOfNumber()).toBeUndefined();
  });

  it('turns Connect refusing the flow into DestinationNotUsable naming the field', async () => {
    await injectFault(env, 'AssociatePhoneNumberContactFlow', 'ResourceNotFoundException');

    await expect(run(FLOW)).rejects.toMatchObject({ name: 'DestinationNotUsable', field: 'destination.contactFlowId' });
  });
});
