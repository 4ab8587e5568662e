import { ImportPhoneNumberCommand, ReleasePhoneNumberCommand } from '@aws-sdk/client-connect';
import { checkImport } from '../../../tasks/check-import/check-import';
import { importToConnect } from '../../../tasks/import-to-connect/import-to-connect';
import { TAGS } from '../../../tasks/lib/context';
import { importClientToken, type ConnectImportData } from '../../../tasks/lib/connect';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import {
  connectRequest,
  foreignImport,
  injectFault,
  mutatingCalls,
  newProvisioningId,
  resetSandbox,
  secondInstance,
  seeded,
  setClaimDelay,
  sleep,
  taskEvent,
  type ConnectFixture,
} from './connect-fixtures';

describe('ImportToConnect', () => {
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
    provisioningId = newProvisioningId();
  });

  const event = (extra: { instanceId?: string } = {}) => taskEvent('ImportToConnect', connectRequest(f, provisioningId, extra), { number: f.number });
  const importsOf = (sourceArn: string) => Object.values(env.sandbox.sandbox.state.connect.phoneNumbers).filter((p) => p.SourcePhoneNumberArn === sourceArn);

  it('imports the number, tagged, IN_PROGRESS at first, and CheckImport sees it CLAIMED after the claim delay', async () => {
    await setClaimDelay(env, 200);
    const seq = await env.lastSeq();

    const out = await importToConnect(event(), env.deps);

    expect(out).toMatchObject({ status: 'IN_PROGRESS', imported: true, polls: 0 });
    const rec = env.sandbox.sandbox.state.connect.phoneNumbers[out.connectPhoneNumberId]!;
    expect(rec.PhoneNumberArn).toBe(out.connectPhoneNumberArn);
    expect(rec.InstanceId).toBe(f.instanceId);
    expect(rec.SourcePhoneNumberArn).toBe(f.number.arn);
    expect(rec.Tags).toEqual({ [TAGS.managedBy]: TAGS.managedByValue, [TAGS.provisioningId]: provisioningId, [TAGS.phoneNumberId]: f.number.id });
    expect(await mutatingCalls(env, seq)).toEqual(['connect:ImportPhoneNumber']);

    const ledger = await env.deps.ledger.get<ConnectImportData>(provisioningId, 'connectImport');
    expect(ledger?.status).toBe('done');
    expect(ledger?.data).toMatchObject({
      connectPhoneNumberId: out.connectPhoneNumberId,
      connectPhoneNumberArn: out.connectPhoneNumberArn,
      instanceId: f.instanceId,
      numberId: f.number.id,
      clientToken: importClientToken(provisioningId, f.number.id, f.instanceId, 0),
    });
    const audit = await env.deps.audit.byProvisioning(provisioningId);
    expect(audit.map((a) => [a.phase, a.action, a.outcome ?? null])).toEqual([
      ['intent', 'connect:ImportPhoneNumber', null],
      ['outcome', 'connect:ImportPhoneNumber', 'succeeded'],
    ]);
    expect(audit[0]).toMatchObject({ step: 'ImportToConnect', resourceArn: f.number.arn, phoneNumberId: f.number.id, actor: 'tester@example.com' });

    // The ASL's Wait/CheckImport loop.
    let polled = out;
    const deadline = Date.now() + 5000;
    while (polled.status !== 'CLAIMED' && Date.now() < deadline) {
      await sleep(50);
      polled = await checkImport(taskEvent('CheckImport', connectRequest(f, provisioningId), { number: f.number, import: polled }), env.deps);
    }
    expect(polled.status).toBe('CLAIMED');
    expect(polled.polls).toBeGreaterThanOrEqual(1);
    expect(polled.connectPhoneNumberId).toBe(out.connectPhoneNumberId);
  });

  it('accepts the instance ARN as instanceId', async () => {
    const out = await importToConnect(event({ instanceId: f.instanceArn }), env.deps);

    expect(out).toMatchObject({ status: 'CLAIMED', imported: true });
    expect(env.sandbox.sandbox.state.connect.phoneNumbers[out.connectPhoneNumberId]?.InstanceId).toBe(f.instanceId);
  });

  it('makes no mutating call when re-run after it succeeded, and returns the same import', async () => {
    const first = await importToConnect(event(), env.deps);
    const seq = await env.lastSeq();

    const second = await importToConnect(event(), env.deps);

    expect(second).toEqual(first);
    expect(await mutatingCalls(env, seq)).toEqual([]);
    expect(importsOf(f.number.arn)).toHaveLength(1);
  });

  it('does not import twice when retried after an unknown outcome (ledger left at intent)', async () => {
    const first = await importToConnect(event(), env.deps);
    const ledger = (await env.deps.ledger.get<ConnectImportData>(provisioningId, 'connectImport'))!;
    // As if the task died after ImportPhoneNumber succeeded, before it recorded `done`.
    const { connectPhoneNumberId: _id, connectPhoneNumberArn: _arn, ...intent } = ledger.data;
    await env.deps.ledger.set(provisioningId, 'connectImport', 'intent', intent);
    const seq = await env.lastSeq();

    const second = await importToConnect(event(), env.deps);

    expect(second).toMatchObject({ connectPhoneNumberId: first.connectPhoneNumberId, imported: true });
    expect(await mutatingCalls(env, seq)).toEqual([]);
    expect(importsOf(f.number.arn)).toHaveLength(1);
    expect((await env.deps.ledger.get(provisioningId, 'connectImport'))?.status).toBe('done');
  });

  it('uses a deterministic ClientToken, so Connect answers a repeated ImportPhoneNumber with the same number', async () => {
    const first = await importToConnect(event(), env.deps);
    const rec = env.sandbox.sandbox.state.connect.phoneNumbers[first.connectPhoneNumberId]!;

    const replay = await env.deps.connect.send(
      new ImportPhoneNumberCommand({
        InstanceId: f.instanceId,
        SourcePhoneNumberArn: f.number.arn,
        PhoneNumberDescription: rec.PhoneNumberDescription,
        Tags: rec.Tags,
        ClientToken: importClientToken(provisioningId, f.number.id, f.instanceId, 0),
      }),
    );

    expect(replay.PhoneNumberId).toBe(first.connectPhoneNumberId);
    expect(importsOf(f.number.arn)).toHaveLength(1);
  });

  it('retries a transient ImportPhoneNumber failure as AwsTransientError and then imports once', async () => {
    await injectFault(env, 'ImportPhoneNumber', 'InternalServiceException');

    await expect(importToConnect(event(), env.deps)).rejects.toMatchObject({ name: 'AwsTransientError' });
    expect((await env.deps.ledger.get(provisioningId, 'connectImport'))?.status).toBe('intent');
    const out = await importToConnect(event(), env.deps);

    expect(out.imported).toBe(true);
    expect(importsOf(f.number.arn)).toHaveLength(1);
  });

  it('reuses an existing import into the same instance without calling ImportPhoneNumber, recorded as skipped', async () => {
    const existing = await foreignImport(env.deps, f.number.arn, f.instanceId);
    const seq = await env.lastSeq();

    const out = await importToConnect(event(), env.deps);

    expect(out).toEqual({ connectPhoneNumberId: existing.id, connectPhoneNumberArn: existing.arn, status: 'CLAIMED', imported: false, polls: 0 });
    expect((await env.calls(seq)).map((c) => c.operation)).not.toContain('ImportPhoneNumber');
    expect(await mutatingCalls(env, seq)).toEqual([]);
    const ledger = await env.deps.ledger.get<ConnectImportData>(provisioningId, 'connectImport');
    expect(ledger).toMatchObject({ status: 'skipped', data: { connectPhoneNumberId: existing.id } });
    expect(await env.deps.audit.byProvisioning(provisioningId)).toEqual([]);
  });

  it('refuses a number imported into another instance with DestinationNotUsable and no mutating call', async () => {
    const other = await secondInstance(env.deps);
    const existing = await foreignImport(env.deps, f.number.arn, other);
    const seq = await env.lastSeq();

    const err = await importToConnect(event(), env.deps).catch((e: unknown) => e);

    expect(err).toMatchObject({ name: 'DestinationNotUsable', field: 'destination.instanceId' });
    expect((err as Error).message).toContain(other);
    expect((err as Error).message).toContain(existing.id);
    expect(await mutatingCalls(env, seq)).toEqual([]);
    expect(await env.deps.ledger.get(provisioningId, 'connectImport')).toBeUndefined();
  });

  it('refuses an instance that does not exist with DestinationNotUsable and no mutating call', async () => {
    const seq = await env.lastSeq();

    const err = await importToConnect(event({ instanceId: '00000000-0000-4000-8000-000000000000' }), env.deps).catch((e: unknown) => e);

    expect(err).toMatchObject({ name: 'DestinationNotUsable', field: 'destination.instanceId' });
    expect(await mutatingCalls(env, seq)).toEqual([]);
  });

  it('refuses an SNS destination and a missing number result with InvalidInput', async () => {
    const sns = { ...connectRequest(f, provisioningId), destination: { type: 'sns', topic: { arn: 'arn:aws:sns:us-east-1:123456789012:t' }, access: { type: 'topicPolicy' } } };
    const seq = await env.lastSeq();

    await expect(importToConnect(taskEvent('ImportToConnect', sns, { number: f.number }), env.deps)).rejects.toMatchObject({ name: 'InvalidInput', field: 'destination.type' });
    await expect(importToConnect(taskEvent('ImportToConnect', connectRequest(f, provisioningId), {}), env.deps)).rejects.toMatchObject({ name: 'InvalidInput' });
    expect(await mutatingCalls(env, seq)).toEqual([]);
  });

  it('imports afresh with a new ClientToken when its earlier import was released meanwhile', async () => {
    const first = await importToConnect(event(), env.deps);
    // Released outside the workflow (e.g. by a person); the old token would replay the dead id.
    await env.deps.connect.send(new ReleasePhoneNumberCommand({ PhoneNumberId: first.connectPhoneNumberId }));

    const second = await importToConnect(event(), env.deps);

    expect(second.connectPhoneNumberId).not.toBe(first.connectPhoneNumberId);
    expect(importsOf(f.number.arn)).toHaveLength(1);
    expect((await env.deps.ledger.get<ConnectImportData>(provisioningId, 'connectImport'))?.data).toMatchObject({ generation: 1, connectPhoneNumberId: second.connectPhoneNumberId });
  });
});
