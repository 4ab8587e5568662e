import { DEMO } from '../../../local/sandbox/seed';
import { acquireLock } from '../../../tasks/acquire-lock/acquire-lock';
import { releaseLock } from '../../../tasks/release-lock/release-lock';
import { control } from '../../support/sandbox';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { caught, executionArnOf, mutatingCallsSince, numberOf, snsRequest, taskEvent } from './number-fixtures';

describe('ReleaseLock', () => {
  let env: WorkflowEnv;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  it('releases the execution’s own lease', async () => {
    const event = taskEvent(snsRequest());
    const lock = await acquireLock(event, env.deps);

    const out = await releaseLock({ ...event, results: { lock } }, env.deps);

    expect(out).toEqual({ released: true });
    expect(await env.deps.locks.get(lock.targetId)).toBeUndefined();
  });

  it('reports released:false when run again (idempotent)', async () => {
    const event = taskEvent(snsRequest());
    const lock = await acquireLock(event, env.deps);
    await releaseLock({ ...event, results: { lock } }, env.deps);

    const again = await releaseLock({ ...event, results: { lock } }, env.deps);

    expect(again).toEqual({ released: false });
  });

  it('never releases another execution’s lease on the rollback path of a NumberBusy execution', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    const holder = taskEvent(snsRequest());
    await acquireLock(holder, env.deps);
    const busy = taskEvent(snsRequest());
    await expect(acquireLock(busy, env.deps)).rejects.toMatchObject({ name: 'NumberBusy' });
    const since = await env.lastSeq();

    const out = await releaseLock(busy, env.deps);

    expect(out).toEqual({ released: false });
    expect((await env.deps.locks.get(number.PhoneNumberId))?.owner).toBe(holder.executionArn);
    expect(await mutatingCallsSince(env, since)).toEqual([]);
    await env.deps.locks.release(number.PhoneNumberId, holder.executionArn);
  });

  it('resolves the target from the request when AcquireLock left no result', async () => {
    const number = numberOf(env, DEMO.numbers.tenDlc);
    const event = taskEvent(snsRequest({ phoneNumberId: DEMO.numbers.tenDlc }));
    await env.deps.locks.acquire(number.PhoneNumberId, event.executionArn, 60_000);

    const out = await releaseLock(event, env.deps);

    expect(out).toEqual({ released: true });
    expect(await env.deps.locks.get(number.PhoneNumberId)).toBeUndefined();
  });

  it('returns released:false for a number that does not exist', async () => {
    const out = await releaseLock(taskEvent(snsRequest({ phoneNumberId: '+19995550001' })), env.deps);

    expect(out).toEqual({ released: false });
  });

  it('returns released:false for a request that failed validation', async () => {
    const out = await releaseLock(taskEvent({ provisioningId: 'x' }, { executionArn: executionArnOf('deprovision-two-way') }), env.deps);

    expect(out).toEqual({ released: false });
  });

  it('rethrows a transient AWS error while resolving, classified for the ASL retry', async () => {
    await control(env.sandbox.url, 'POST', '/_sandbox/faults', { service: 'sms-voice', operation: 'DescribePhoneNumbers', error: 'InternalServerException', count: 1 });

    const err = await caught(() => releaseLock(taskEvent(snsRequest()), env.deps));

    expect(err.name).toBe('AwsTransientError');
    await control(env.sandbox.url, 'DELETE', '/_sandbox/faults');
  });
});
