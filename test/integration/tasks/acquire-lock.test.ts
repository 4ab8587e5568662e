import { DEMO } from '../../../local/sandbox/seed';
import { acquireLock } from '../../../tasks/acquire-lock/acquire-lock';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { caught, demoPool, deprovisionRequest, executionArnOf, mutatingCallsSince, numberOf, snsRequest, taskEvent } from './number-fixtures';

describe('AcquireLock', () => {
  let env: WorkflowEnv;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  it('resolves an E.164 number to its id and takes the lease for the execution', async () => {
    const number = numberOf(env, DEMO.numbers.tenDlc);
    const event = taskEvent(snsRequest({ phoneNumberId: DEMO.numbers.tenDlc }));
    const since = await env.lastSeq();

    const out = await acquireLock(event, env.deps);

    expect(out).toEqual({ owner: event.executionArn, leaseUntil: expect.any(String), targetId: number.PhoneNumberId });
    expect(Date.parse(out.leaseUntil)).toBeGreaterThan(Date.now() + env.deps.config.lockLeaseMs - 60_000);
    expect((await env.deps.locks.get(number.PhoneNumberId))?.owner).toBe(event.executionArn);
    expect(await mutatingCallsSince(env, since)).toEqual([]);
    await env.deps.locks.release(number.PhoneNumberId, event.executionArn);
  });

  it('resolves a phone number ARN to the same id', async () => {
    const number = numberOf(env, DEMO.numbers.simulator);
    const event = taskEvent(snsRequest({ phoneNumberId: number.PhoneNumberArn }));

    const out = await acquireLock(event, env.deps);

    expect(out.targetId).toBe(number.PhoneNumberId);
    await env.deps.locks.release(number.PhoneNumberId, event.executionArn);
  });

  it('locks a pool given by its ARN under the pool id', async () => {
    const pool = demoPool(env);
    const event = taskEvent(snsRequest({ poolId: pool.PoolArn }));

    const out = await acquireLock(event, env.deps);

    expect(out.targetId).toBe(pool.PoolId);
    await env.deps.locks.release(pool.PoolId, event.executionArn);
  });

  it('refuses a second execution on a busy number with NumberBusy, touching nothing', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    const first = taskEvent(snsRequest());
    const second = taskEvent(snsRequest());
    await acquireLock(first, env.deps);
    const since = await env.lastSeq();

    const err = await caught(() => acquireLock(second, env.deps));

    expect(err.name).toBe('NumberBusy');
    expect(err.message).toContain(first.executionArn);
    expect((await env.deps.locks.get(number.PhoneNumberId))?.owner).toBe(first.executionArn);
    expect(await mutatingCallsSince(env, since)).toEqual([]);
    expect(await env.deps.ledger.all((second.request as { provisioningId: string }).provisioningId)).toEqual([]);
    await env.deps.locks.release(number.PhoneNumberId, first.executionArn);
  });

  it('renews the lease when the same execution retries', async () => {
    const event = taskEvent(snsRequest());
    const first = await acquireLock(event, env.deps);

    const again = await acquireLock(event, env.deps);

    expect(again.owner).toBe(first.owner);
    expect(again.targetId).toBe(first.targetId);
    await env.deps.locks.release(first.targetId, event.executionArn);
  });

  it('accepts a deprovisioning request (no destination) on the deprovisioning state machine', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    const event = taskEvent(deprovisionRequest(), { executionArn: executionArnOf('deprovision-two-way') });

    const out = await acquireLock(event, env.deps);

    expect(out.targetId).toBe(number.PhoneNumberId);
    await env.deps.locks.release(number.PhoneNumberId, event.executionArn);
  });

  it('fails with NumberNotEligible when the E.164 number does not exist', async () => {
    const event = taskEvent(snsRequest({ phoneNumberId: '+19995550000' }));

    const err = await caught(() => acquireLock(event, env.deps));

    expect(err.name).toBe('NumberNotEligible');
    expect(err.message).toMatch(/phone number \+19995550000 does not exist/);
    expect(err.field).toBe('phoneNumberId');
  });

  it('fails with NumberNotEligible when the phone number id does not exist', async () => {
    const err = await caught(() => acquireLock(taskEvent(snsRequest({ phoneNumberId: 'phone-0123456789abcdef0123456789abcdef' })), env.deps));

    expect(err.name).toBe('NumberNotEligible');
  });

  it('rejects an invalid request with InvalidInput naming the field', async () => {
    const err = await caught(() => acquireLock(taskEvent({ ...snsRequest(), phoneNumberId: 'not a number' }), env.deps));

    expect(err.name).toBe('InvalidInput');
    expect(err.field).toBe('phoneNumberId');
  });
});
