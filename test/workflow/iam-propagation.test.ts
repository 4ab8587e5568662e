import { DEMO } from '../../local/sandbox/seed';
import { control } from '../support/sandbox';
import { startWorkflowEnv, type WorkflowEnv } from '../support/workflow';
import { freshState, inbound, numberOf, provision, resultsOf, runWith, sns, topicArn, unique } from './support/harness';
import { CONNECT_STATES, SNS_STATES } from './support/paths';

/**
 * IAM propagation: a role created seconds ago is not yet usable by End User Messaging SMS, and UpdatePhoneNumber
 * says RESOURCE_NOT_ACCESSIBLE. EnableTwoWay reports RoleNotYetAccessible, the ASL retries it, and once the
 * sandbox's propagation delay has passed the provisioning succeeds.
 */

let env: WorkflowEnv;
beforeAll(async () => {
  env = await startWorkflowEnv();
});
afterAll(async () => {
  await env.stop();
});
beforeEach(async () => {
  await freshState(env);
  const r = await control(env.sandbox.url, 'PUT', '/_sandbox/settings', { iamPropagationDelayMs: DELAY_MS });
  if (r.status !== 200) throw new Error(`settings not applied: ${JSON.stringify(r.body)}`);
});

const DELAY_MS = 300;
/**
 * EnableTwoWay retries RoleNotYetAccessible 11 times (2 s doubling to 30 s with full jitter: 0-240 s of waiting on
 * AWS, 120 s expected; docs/operations.md, test/unit/workflow/budget.test.ts). Run with 50 ms between retries, those
 * 11 retries span at least 550 ms: more than the delay, as two minutes are more than AWS's usual 2-30 s.
 * (`env.run`'s 5 ms would give up after some 200 ms.)
 */
const IAM_PROPAGATION_RETRIES = 11;
const RETRY_INTERVAL_MS = 50;

/** EnableTwoWay's failed attempts (RoleNotYetAccessible) and the retries the engine made of them. */
function enableRetries(run: Awaited<ReturnType<WorkflowEnv['run']>>): { failures: number; retries: number } {
  const failures = run.events.filter((e) => e.type === 'StateFailed' && e.state?.name === 'EnableTwoWay' && e.Error === 'RoleNotYetAccessible').length;
  const retries = run.events.filter((e) => e.type === 'StateRetried' && e.state?.name === 'EnableTwoWay').length;
  return { failures, retries };
}

describe('IAM propagation delay', () => {
  it('retries EnableTwoWay while a new SNS role is not yet accessible, then succeeds and delivers', async () => {
    const since = await env.lastSeq();
    const run = await runWith(env, 'provision', provision({ phoneNumberId: DEMO.numbers.longCode }, sns.existingTopicNewRole(topicArn(DEMO.topics.standard))), { retryIntervalMs: RETRY_INTERVAL_MS });

    expect(run.status).toBe('SUCCEEDED');
    // The engine enters the state once; each retry shows as StateRetried in the event log.
    expect(run.states).toEqual(SNS_STATES);
    const { failures, retries } = enableRetries(run);
    expect(retries).toBeGreaterThanOrEqual(1);
    expect(retries).toBeLessThanOrEqual(IAM_PROPAGATION_RETRIES);
    expect(failures).toBe(retries);
    const updates = (await env.calls(since)).filter((c) => c.operation === 'UpdatePhoneNumber');
    expect(updates.filter((c) => c.errorCode === 'ValidationException')).toHaveLength(retries);
    expect(updates.at(-1)!.status).toBe(200);
    expect(numberOf(env, DEMO.numbers.longCode).TwoWayChannelRole).toBe(resultsOf(run).access.roleArn);
    expect((await inbound(env, DEMO.numbers.longCode)).delivered).toBe(true);
  });

  it('gives up after exactly 11 retries when the role never becomes accessible, and rolls back', async () => {
    const never = await control(env.sandbox.url, 'PUT', '/_sandbox/settings', { iamPropagationDelayMs: 3_600_000 });
    expect(never.status).toBe(200);
    const run = await runWith(env, 'provision', provision({ phoneNumberId: DEMO.numbers.longCode }, sns.existingTopicNewRole(topicArn(DEMO.topics.standard))), { retryIntervalMs: 1 });

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('RolledBack');
    const { failures, retries } = enableRetries(run);
    expect(retries).toBe(IAM_PROPAGATION_RETRIES);
    expect(failures).toBe(IAM_PROPAGATION_RETRIES + 1);
  });

  it('retries EnableTwoWay for a new Connect role too', async () => {
    const instanceId = Object.values(env.sandbox.sandbox.state.connect.instances)[0]!.Id;
    const run = await runWith(env, 'provision', provision({ phoneNumberId: DEMO.numbers.tenDlc }, { type: 'connect', instanceId, role: { create: { name: unique('wf-connect-role') } } }), { retryIntervalMs: RETRY_INTERVAL_MS });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toEqual(CONNECT_STATES);
    expect(enableRetries(run).retries).toBeGreaterThanOrEqual(1);
  });
});
