import { DEMO } from '../../../local/sandbox/seed';
import { findProvisioning } from '../../../tasks/find-provisioning/find-provisioning';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { caught, demoPool, deprovisionRequest, executionArnOf, mutatingCallsSince, numberOf, TOPIC_ARN, taskEvent } from './number-fixtures';

describe('FindProvisioning', () => {
  let env: WorkflowEnv;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  const deprovisionEvent = (request: unknown, results: Record<string, unknown> = {}) => taskEvent(request, { executionArn: executionArnOf('deprovision-two-way'), results });

  it('names the provisioning that owns the number (found by E.164), as the undo target', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    await env.deps.active.set({ targetId: number.PhoneNumberId, provisioningId: 'prov-owner-0001', destination: {}, config: { enabled: true, channelArn: TOPIC_ARN }, since: new Date().toISOString() });
    const since = await env.lastSeq();

    const out = await findProvisioning(deprovisionEvent(deprovisionRequest()), env.deps);

    expect(out).toEqual({ provisioningId: 'prov-owner-0001', mode: 'deprovision' });
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('uses the id AcquireLock resolved', async () => {
    const pool = demoPool(env);
    await env.deps.active.set({ targetId: pool.PoolId, provisioningId: 'prov-pool-0001', destination: {}, config: { enabled: true, channelArn: TOPIC_ARN }, since: new Date().toISOString() });

    const out = await findProvisioning(deprovisionEvent(deprovisionRequest({ poolId: pool.PoolArn }), { lock: { owner: 'x', leaseUntil: 'y', targetId: pool.PoolId } }), env.deps);

    expect(out.provisioningId).toBe('prov-pool-0001');
  });

  it('fails with NotProvisioned for a number this service did not provision', async () => {
    const err = await caught(() => findProvisioning(deprovisionEvent(deprovisionRequest({ phoneNumberId: DEMO.numbers.tenDlc })), env.deps));

    expect(err.name).toBe('NotProvisioned');
    expect(err.message).toBe(`phone number ${DEMO.numbers.tenDlc} has no two-way provisioning by this service: nothing to deprovision`);
  });

  it('fails with NumberNotEligible for a number that does not exist', async () => {
    const err = await caught(() => findProvisioning(deprovisionEvent(deprovisionRequest({ phoneNumberId: '+19995550002' })), env.deps));

    expect(err.name).toBe('NumberNotEligible');
  });

  it('rejects a request with unknown fields', async () => {
    const err = await caught(() => findProvisioning(deprovisionEvent({ ...deprovisionRequest(), destination: {} }), env.deps));

    expect(err.name).toBe('InvalidInput');
  });
});
