import { DEMO } from '../../local/sandbox/seed';
import { KEY_POLICY_SID, keyPolicyStatement } from '../../tasks/lib/policy';
import { startWorkflowEnv, type WorkflowEnv } from '../support/workflow';
import {
  ACCOUNT,
  demoKey,
  freshState,
  inbound,
  mutatingSince,
  newNumber,
  numberOf,
  originalError,
  provision,
  REGION,
  resultsOf,
  ROLLBACK_STATES,
  runWith,
  sns,
  topicArn,
  unique,
} from './support/harness';
import { SNS_STATES } from './support/paths';

/**
 * Executions started together: two provisionings of one number (exactly one proceeds, the other fails at the
 * lock having touched nothing), and two numbers merging the same key policy at once (serialized per key).
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
});

describe('concurrent executions', () => {
  it('two provisionings of the same number started together: exactly one succeeds, the other rolls back with NumberBusy', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    const one = provision({ phoneNumberId: DEMO.numbers.longCode }, sns.newTopicNewRole(unique('wf-race-a')));
    const two = provision({ phoneNumberId: DEMO.numbers.longCode }, sns.newTopicPolicy(unique('wf-race-b')));
    const since = await env.lastSeq();

    const runs = await Promise.all([env.run('provision', one), env.run('provision', two)]);

    const winners = runs.filter((r) => r.status === 'SUCCEEDED');
    const losers = runs.filter((r) => r.status !== 'SUCCEEDED');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const [winner, loser] = [winners[0]!, losers[0]!];
    expect(winner.states).toEqual(SNS_STATES);
    expect(loser.states).toEqual(['Start', 'AcquireLock', ...ROLLBACK_STATES]);
    const error = originalError(loser);
    expect(error.name).toBe('NumberBusy');
    expect(error.message).toContain(number.PhoneNumberId);

    // Only the winner changed anything: exactly the mutating calls of its path.
    const winnerRequest = winner === runs[0] ? one : two;
    const expected = winnerRequest === one ? ['sns:CreateTopic', 'iam:CreateRole', 'iam:PutRolePolicy', 'sms-voice:UpdatePhoneNumber'] : ['sns:CreateTopic', 'sns:SetTopicAttributes', 'sms-voice:UpdatePhoneNumber'];
    expect(await mutatingSince(env, since)).toEqual(expected);
    const arn = resultsOf(winner).topic.arn;
    expect(numberOf(env, DEMO.numbers.longCode).TwoWayChannelArn).toBe(arn);
    expect(await env.deps.locks.get(number.PhoneNumberId)).toBeUndefined();
    expect(await env.deps.active.get(number.PhoneNumberId)).toMatchObject({ provisioningId: winnerRequest.provisioningId });
    expect(await inbound(env, DEMO.numbers.longCode)).toMatchObject({ delivered: true, destination: arn });
  });

  it('two numbers merging one key policy at once: both succeed, the statement is there once, every other statement unchanged', async () => {
    const [x, y] = await Promise.all([newNumber(env), newNumber(env)]);
    const arn = topicArn(DEMO.topics.encrypted);
    const keyBefore = JSON.parse(demoKey(env).Policy) as { Statement: { Sid?: string }[] };

    // The loser of the topic-policy and key leases retries ResourceBusy: 25 ms between retries leaves it some
    // 150 ms (6 retries) for the winner's read-merge-write-verify, even on a loaded machine.
    const runs = await Promise.all([x, y].map((n) => runWith(env, 'provision', provision({ phoneNumberId: n.e164 }, sns.existingTopicPolicy(arn)), { retryIntervalMs: 25 })));

    expect(runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(runs.map((r) => resultsOf(r).key.action).sort()).toEqual(['added', 'present']);
    const key = JSON.parse(demoKey(env).Policy) as { Statement: { Sid?: string }[] };
    expect(key.Statement.filter((s) => s.Sid === KEY_POLICY_SID)).toEqual([keyPolicyStatement({ accountId: ACCOUNT, region: REGION, partition: 'aws' })]);
    expect({ ...key, Statement: key.Statement.filter((s) => s.Sid !== KEY_POLICY_SID) }).toEqual(keyBefore);
    for (const n of [x, y]) expect(await inbound(env, n.e164)).toMatchObject({ delivered: true, destination: arn });
  });
});
