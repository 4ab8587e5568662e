import { DEMO } from '../../local/sandbox/seed';
import { ROLE_PATH, TAGS } from '../../tasks/lib/context';
import {
  connectDestinationRolePolicy,
  defaultTopicPolicy,
  KEY_POLICY_SID,
  keyPolicyStatement,
  snsDestinationRolePolicy,
  TOPIC_POLICY_SID,
  topicPolicyStatement,
  twoWayTrustPolicy,
} from '../../tasks/lib/policy';
import { control } from '../support/sandbox';
import { restoredSnapshot, sandboxSnapshot, startWorkflowEnv, type WorkflowEnv } from '../support/workflow';
import {
  ACCOUNT,
  connectEvents,
  CUSTOMER,
  deprovision,
  demoKey,
  demoPool,
  freshState,
  inbound,
  mutatingSince,
  numberOf,
  PAYLOAD_FIELDS,
  REGION,
  resultsOf,
  roleArn,
  roleRecord,
  topicArn,
  topicMessages,
  topicRecord,
  type ProvisionInput,
  type RunResult,
} from './support/harness';
import { CONNECT_STATES, contactFlowIdOf, DEPROVISION_STATES, pathByKey, PATHS, SNS_STATES, statesOf, type PathCase } from './support/paths';

/**
 * One named test per provisioning path (the state sequence, the final status, the sandbox configuration it
 * leaves, and a simulated inbound SMS delivered with exactly the docs/domain.md §3 payload), and one per path for
 * its deprovisioning (inbound no longer delivered, what was created gone, everything else as before).
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

const where = { accountId: ACCOUNT, region: REGION, partition: 'aws' };

async function runPath(p: PathCase): Promise<{ request: ProvisionInput; run: RunResult; mutating: string[]; before: unknown }> {
  const request = p.request(env);
  const before = sandboxSnapshot(env);
  const since = await env.lastSeq();
  const run = await env.run('provision', request);
  if (run.status !== 'SUCCEEDED') throw new Error(`${p.title}: ${run.status} ${run.error ?? ''} ${run.cause ?? ''}`);
  return { request, run, mutating: await mutatingSince(env, since), before };
}

function twoWayOf(record: { TwoWayEnabled: boolean; TwoWayChannelArn?: string; TwoWayChannelRole?: string }) {
  return { enabled: record.TwoWayEnabled, channel: record.TwoWayChannelArn, role: record.TwoWayChannelRole };
}

/** An inbound SMS reaches the topic with exactly the docs/domain.md §3 fields. */
async function expectSnsDelivery(e164: string, arn: string): Promise<void> {
  const before = (await topicMessages(env, arn)).length;
  const out = await inbound(env, e164, 'join the list');
  expect(out).toMatchObject({ delivered: true, channel: 'sns', destination: arn });
  const messages = await topicMessages(env, arn);
  expect(messages).toHaveLength(before + 1);
  const payload = JSON.parse(messages.at(-1)!.message) as Record<string, string>;
  expect(Object.keys(payload).sort()).toEqual(PAYLOAD_FIELDS);
  expect(payload).toEqual({
    originationNumber: CUSTOMER,
    destinationNumber: e164,
    messageKeyword: 'JOIN',
    messageBody: 'join the list',
    inboundMessageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    previousPublishedMessageId: 'wJalrXUtnFEMI-outbound-1',
  });
  expect(payload).toEqual(out.payload);
}

/** Parsed policy documents: what must stay equal in meaning is compared as data, not as text. */
function parsed(doc: string | undefined): { Statement: { Sid?: string }[]; [k: string]: unknown } {
  return JSON.parse(doc!) as { Statement: { Sid?: string }[] };
}

function withoutSid(doc: { Statement: { Sid?: string }[]; [k: string]: unknown }, sid: string) {
  return { ...doc, Statement: doc.Statement.filter((s) => s.Sid !== sid) };
}

describe('provisioning paths', () => {
  it('SNS new topic + new role: creates a tagged topic and a tagged two-way role, enables two-way, and inbound reaches the topic', async () => {
    const p = pathByKey('sns-new-topic-new-role');
    const { request, run, mutating } = await runPath(p);

    expect(run.states).toEqual(SNS_STATES);
    expect(mutating).toEqual(p.mutating);
    const results = resultsOf(run);
    const number = numberOf(env, DEMO.numbers.longCode);
    const topic = topicRecord(env, results.topic.arn)!;
    expect(topic.Tags).toMatchObject({ [TAGS.managedBy]: TAGS.managedByValue, [TAGS.provisioningId]: request.provisioningId, [TAGS.phoneNumberId]: number.PhoneNumberId });
    expect(topic.Attributes.KmsMasterKeyId).toBeUndefined();
    const role = roleRecord(env, results.access.roleArn!)!;
    expect(role.Path).toBe(ROLE_PATH);
    expect(role.Tags).toEqual(expect.arrayContaining([{ Key: TAGS.managedBy, Value: TAGS.managedByValue }, { Key: TAGS.provisioningId, Value: request.provisioningId }]));
    expect(JSON.parse(role.AssumeRolePolicyDocument)).toEqual(twoWayTrustPolicy({ accountId: ACCOUNT }));
    expect(Object.values(role.InlinePolicies).map((d) => JSON.parse(d))).toEqual([snsDestinationRolePolicy({ accountId: ACCOUNT, topicArn: topic.TopicArn })]);
    expect(twoWayOf(number)).toEqual({ enabled: true, channel: topic.TopicArn, role: role.Arn });
    expect(await env.deps.locks.get(number.PhoneNumberId)).toBeUndefined();
    expect(await env.deps.active.get(number.PhoneNumberId)).toMatchObject({ provisioningId: request.provisioningId });

    await expectSnsDelivery(DEMO.numbers.longCode, topic.TopicArn);
  });

  it('SNS new topic + topic policy: creates the topic with the sms-voice statement and no role, and inbound reaches the topic', async () => {
    const p = pathByKey('sns-new-topic-topic-policy');
    const rolesBefore = Object.keys(env.sandbox.sandbox.state.iam.roles).sort();
    const { run, mutating } = await runPath(p);

    expect(run.states).toEqual(SNS_STATES);
    expect(mutating).toEqual(p.mutating);
    const arn = resultsOf(run).topic.arn;
    const policy = parsed(topicRecord(env, arn)!.Attributes.Policy);
    expect(policy.Statement.find((s) => s.Sid === TOPIC_POLICY_SID)).toEqual(topicPolicyStatement({ ...where, topicArn: arn }));
    // Every statement SNS put there itself is kept.
    expect(withoutSid(policy, TOPIC_POLICY_SID)).toEqual(defaultTopicPolicy({ accountId: ACCOUNT, topicArn: arn }));
    expect(Object.keys(env.sandbox.sandbox.state.iam.roles).sort()).toEqual(rolesBefore);
    expect(twoWayOf(numberOf(env, DEMO.numbers.longCode))).toEqual({ enabled: true, channel: arn, role: undefined });

    await expectSnsDelivery(DEMO.numbers.longCode, arn);
  });

  it('existing topic encrypted with the customer key + topic policy: merges the topic and key statements, keeping every other statement', async () => {
    const p = pathByKey('sns-encrypted-topic-topic-policy');
    const arn = topicArn(DEMO.topics.encrypted);
    const topicPolicyBefore = parsed(topicRecord(env, arn)!.Attributes.Policy ?? JSON.stringify(defaultTopicPolicy({ accountId: ACCOUNT, topicArn: arn })));
    const keyPolicyBefore = parsed(demoKey(env).Policy);
    const { run, mutating } = await runPath(p);

    expect(run.states).toEqual(SNS_STATES);
    expect(mutating).toEqual(p.mutating);
    expect(resultsOf(run).key).toMatchObject({ action: 'added', keyArn: demoKey(env).Arn });

    const keyPolicy = parsed(demoKey(env).Policy);
    expect(keyPolicy.Statement.filter((s) => s.Sid === KEY_POLICY_SID)).toEqual([keyPolicyStatement(where)]);
    expect(withoutSid(keyPolicy, KEY_POLICY_SID)).toEqual(keyPolicyBefore);
    const topicPolicy = parsed(topicRecord(env, arn)!.Attributes.Policy);
    expect(topicPolicy.Statement.filter((s) => s.Sid === TOPIC_POLICY_SID)).toEqual([topicPolicyStatement({ ...where, topicArn: arn })]);
    expect(withoutSid(topicPolicy, TOPIC_POLICY_SID)).toEqual(topicPolicyBefore);
    expect(topicRecord(env, arn)!.Attributes.KmsMasterKeyId).toBe(DEMO.keys.symmetric);
    expect(twoWayOf(numberOf(env, DEMO.numbers.longCode))).toEqual({ enabled: true, channel: arn, role: undefined });

    await expectSnsDelivery(DEMO.numbers.longCode, arn);
  });

  it('existing topic + existing role: changes only the number, leaving the topic and the role as they were', async () => {
    const p = pathByKey('sns-existing-topic-existing-role');
    const { run, mutating, before } = await runPath(p);

    expect(run.states).toEqual(SNS_STATES);
    expect(mutating).toEqual(p.mutating);
    const arn = topicArn(DEMO.topics.standard);
    expect(twoWayOf(numberOf(env, DEMO.numbers.longCode))).toEqual({ enabled: true, channel: arn, role: roleArn(DEMO.roles.correct) });
    const after = sandboxSnapshot(env) as { numbers: unknown };
    expect({ ...after, numbers: null }).toEqual({ ...(before as object), numbers: null });
    expect(resultsOf(run).access).toMatchObject({ mode: 'role', roleArn: roleArn(DEMO.roles.correct) });
    expect(resultsOf(run).access.roleCreated).toBeFalsy();

    await expectSnsDelivery(DEMO.numbers.longCode, arn);
  });

  it('Connect + new role + import + contact flow: waits for the claim, associates the flow, and inbound becomes a Connect chat event', async () => {
    const p = pathByKey('connect-new-role-import-flow');
    // A claim that takes a moment: the ASL's Wait/Choice loop polls instead of a sleeping task.
    await control(env.sandbox.url, 'PUT', '/_sandbox/settings', { connectClaimDelayMs: 40 });
    const { request, run, mutating } = await runPath(p);

    // The path, with the claim-polling loop (Wait, CheckImport, Choice) taken once per poll.
    const polls = run.states.filter((s) => s === 'CheckImport').length;
    expect(polls).toBeGreaterThanOrEqual(1);
    const choice = CONNECT_STATES.indexOf('IsImportClaimed') + 1;
    const loop = Array.from({ length: polls }, () => ['WaitForImport', 'CheckImport', 'IsImportClaimed']).flat();
    expect(run.states).toEqual([...CONNECT_STATES.slice(0, choice), ...loop, ...CONNECT_STATES.slice(choice)]);
    expect(mutating).toEqual(p.mutating);

    const results = resultsOf(run);
    const number = numberOf(env, DEMO.numbers.tenDlc);
    const role = roleRecord(env, results.access.roleArn!)!;
    expect(role.Path).toBe(ROLE_PATH);
    expect(JSON.parse(role.AssumeRolePolicyDocument)).toEqual(twoWayTrustPolicy({ accountId: ACCOUNT }));
    expect(Object.values(role.InlinePolicies).map((d) => JSON.parse(d))).toEqual([connectDestinationRolePolicy()]);
    expect(twoWayOf(number)).toEqual({ enabled: true, channel: `connect.${REGION}.amazonaws.com`, role: role.Arn });
    const imports = Object.values(env.sandbox.sandbox.state.connect.phoneNumbers);
    expect(imports).toHaveLength(1);
    expect(imports[0]).toMatchObject({ SourcePhoneNumberArn: number.PhoneNumberArn, ContactFlowId: contactFlowIdOf(env), PhoneNumberStatus: { Status: 'CLAIMED' } });
    expect(results.import).toMatchObject({ status: 'CLAIMED', imported: true, connectPhoneNumberId: imports[0]!.PhoneNumberId });
    expect(request.destination).toMatchObject({ contactFlowId: contactFlowIdOf(env) });

    const out = await inbound(env, DEMO.numbers.tenDlc, 'hello agent');
    expect(out).toMatchObject({ delivered: true, channel: 'connect', destination: `connect.${REGION}.amazonaws.com` });
    expect(await connectEvents(env)).toEqual([
      expect.objectContaining({ connectPhoneNumberId: imports[0]!.PhoneNumberId, originationNumber: CUSTOMER, destinationNumber: DEMO.numbers.tenDlc, messageBody: 'hello agent', roleArn: role.Arn }),
    ]);
  });

  it('pool target: sets two-way on the pool (UpdatePool, never UpdatePhoneNumber), and inbound to a member reaches the topic', async () => {
    const p = pathByKey('pool-new-topic-topic-policy');
    const { run, mutating } = await runPath(p);

    expect(run.states).toEqual(SNS_STATES);
    expect(mutating).toEqual(p.mutating);
    const arn = resultsOf(run).topic.arn;
    const pool = demoPool(env);
    expect(resultsOf(run).number).toMatchObject({ kind: 'pool', id: pool.PoolId });
    expect(twoWayOf(pool)).toEqual({ enabled: true, channel: arn, role: undefined });
    // The sandbox, like DescribePhoneNumbers on AWS, shows each member with the settings its pool applies.
    expect(twoWayOf(numberOf(env, DEMO.numbers.pooled))).toEqual({ enabled: true, channel: arn, role: undefined });

    await expectSnsDelivery(DEMO.numbers.pooled, arn);
  });
});

describe('deprovisioning paths', () => {
  const target = (env: WorkflowEnv, p: PathCase) => (p.key.startsWith('pool') ? { poolId: demoPool(env).PoolId } : { phoneNumberId: p.inboundNumber });

  /** Provisions the path, deprovisions it, and returns both executions with the snapshots around them. */
  async function provisionThenDeprovision(p: PathCase) {
    const { run: provisioned, before } = await runPath(p);
    expect(provisioned.states).toEqual(statesOf(p));
    const since = await env.lastSeq();
    const run = await env.run('deprovision', deprovision(target(env, p)));
    return { provisioned, run, before, after: restoredSnapshot(env, before), mutating: await mutatingSince(env, since) };
  }

  async function expectNotDelivered(e164: string): Promise<void> {
    const out = await inbound(env, e164);
    expect(out.delivered).toBe(false);
    expect(out.reason).toMatch(/two-way SMS is not enabled/);
  }

  it.each([
    // The number keeps naming the role (AWS cannot clear TwoWayChannelRole): the role is retained, not deleted.
    ['SNS new topic + new role', 'sns-new-topic-new-role', ['sms-voice:UpdatePhoneNumber', 'sns:DeleteTopic']],
    ['SNS new topic + topic policy', 'sns-new-topic-topic-policy', ['sms-voice:UpdatePhoneNumber', 'sns:SetTopicAttributes', 'sns:DeleteTopic']],
    ['existing encrypted topic + topic policy', 'sns-encrypted-topic-topic-policy', ['sms-voice:UpdatePhoneNumber', 'kms:PutKeyPolicy', 'sns:SetTopicAttributes']],
    ['existing topic + existing role', 'sns-existing-topic-existing-role', ['sms-voice:UpdatePhoneNumber']],
    ['pool target', 'pool-new-topic-topic-policy', ['sms-voice:UpdatePool', 'sns:SetTopicAttributes', 'sns:DeleteTopic']],
  ])('deprovisioning %s turns two-way off, removes what was created and restores what was changed', async (_title, key, expectedCalls) => {
    const p = pathByKey(key);
    const { provisioned, run, before, after, mutating } = await provisionThenDeprovision(p);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toEqual(DEPROVISION_STATES);
    expect(mutating).toEqual(expectedCalls);
    expect(after).toEqual(before);
    const results = resultsOf(provisioned);
    // What the provisioning created is gone, but for a role the number still names; what it was given is still there.
    const roleArn = results.access.roleArn;
    expect({ topic: topicRecord(env, results.topic.arn) !== undefined, role: roleArn !== undefined && roleRecord(env, roleArn) !== undefined }).toEqual({
      topic: !results.topic.created,
      role: roleArn !== undefined,
    });
    await expectNotDelivered(p.inboundNumber);
    const targetId = results.number.id;
    expect(await env.deps.active.get(targetId)).toBeUndefined();
    expect(await env.deps.locks.get(targetId)).toBeUndefined();
  });

  it('deprovisioning Connect + new role + import detaches the flow, releases the import, turns two-way off and keeps the role the number still names', async () => {
    const p = pathByKey('connect-new-role-import-flow');
    const { provisioned, run, before, after, mutating } = await provisionThenDeprovision(p);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toEqual(DEPROVISION_STATES);
    expect(mutating).toEqual(['connect:DisassociatePhoneNumberContactFlow', 'connect:ReleasePhoneNumber', 'sms-voice:UpdatePhoneNumber']);
    expect(after).toEqual(before);
    expect(Object.values(env.sandbox.sandbox.state.connect.phoneNumbers)).toEqual([]);
    // AWS cannot clear TwoWayChannelRole: the number still names the role, so it is kept, not deleted.
    expect(roleRecord(env, resultsOf(provisioned).access.roleArn!)).toBeDefined();
    await expectNotDelivered(p.inboundNumber);
    expect(await connectEvents(env)).toEqual([]);
  });

  it('covers every provisioning path', () => {
    expect(PATHS.map((x) => x.key).sort()).toEqual(
      ['connect-new-role-import-flow', 'pool-new-topic-topic-policy', 'sns-encrypted-topic-topic-policy', 'sns-existing-topic-existing-role', 'sns-new-topic-new-role', 'sns-new-topic-topic-policy'].sort(),
    );
  });
});
