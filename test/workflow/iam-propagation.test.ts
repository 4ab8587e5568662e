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
 * EnableTwoWay retries RoleNotYetAccessible 8 times (2 s doubling to 30 s, about two minutes on AWS). Run with
 * 50 ms between retries, those 8 retries span at least 400 ms: more than the delay, as two minutes are more than
 * AWS's usual 2-30 s. (`env.run`'s 5 ms would give up after some 150 ms.)
 */
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
    expect(failures).toBe(retries);
    const updates = (await env.calls(since)).filter((c) => c.operation === 'UpdatePhoneNumber');
    expect(updates.filter((c) => c.errorCode === 'ValidationException')).toHaveLength(retries);
    expect(updates.at(-1)!.status).toBe(200);
    expect(numberOf(env, DEMO.numbers.longCode).TwoWayChannelRole).toBe(resultsOf(run).access.roleArn);
    expect((await inbound(env, DEMO.numbers.longCode)).delivered).toBe(true);
  });

  it('retries EnableTwoWay for a new Connect role too', async () => {
    const instanceId = Object.values(env.sandbox.sandbox.state.connect.instances)[0]!.Id;
    const run = await runWith(env, 'provision', provision({ phoneNumberId: DEMO.numbers.tenDlc }, { type: 'connect', instanceId, role: { create: { name: unique('wf-connect-role') } } }), { retryIntervalMs: RETRY_INTERVAL_MS });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toEqual(CONNECT_STATES);
    expect(enableRetries(run).retries).toBeGreaterThanOrEqual(1);
  });
});
