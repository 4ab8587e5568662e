import { AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateTopicCommand, GetTopicAttributesCommand, SetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { DEMO } from '../../../local/sandbox/seed';
import { connectDestinationRolePolicy, mergeStatement, snsDestinationRolePolicy, topicPolicyStatement, twoWayTrustPolicy } from '../../../tasks/lib/policy';
import { preflight } from '../../../tasks/preflight/preflight';
import { validateNumber } from '../../../tasks/validate-number/validate-number';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { ACCOUNT, caught, connectInstance, FIFO_TOPIC_ARN, MISSING_PUBLISH_ROLE_ARN, mutatingCallsSince, REGION, ROLE_ARN, snsRequest, taskEvent, TOPIC_ARN, type RequestInput } from './number-fixtures';

describe('Preflight', () => {
  let env: WorkflowEnv;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  const topicPolicyDestination = (arn: string) => ({ type: 'sns', topic: { arn }, access: { type: 'topicPolicy' } });
  const roleDestination = (topicArn: string, roleArn: string) => ({ type: 'sns', topic: { arn: topicArn }, access: { type: 'role', role: { arn: roleArn } } });

  /** Runs ValidateNumber (for `results.number`) and then Preflight, as the state machine does. */
  async function runPreflight(request: RequestInput, results: Record<string, unknown> = {}) {
    const number = await validateNumber(taskEvent(request), env.deps);
    return preflight(taskEvent(request, { results: { number, ...results } }), env.deps);
  }

  async function createRole(name: string, inline?: object): Promise<string> {
    const role = await env.deps.iam.send(new CreateRoleCommand({ RoleName: name, Path: '/two-way-sms/', AssumeRolePolicyDocument: JSON.stringify(twoWayTrustPolicy({ accountId: ACCOUNT })) }));
    if (inline) {
      await env.deps.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'two-way', PolicyDocument: JSON.stringify(inline) }));
    }
    return role.Role!.Arn!;
  }

  it('passes the demo role and topic, reporting every check, with no mutating call', async () => {
    const request = snsRequest();
    const number = await validateNumber(taskEvent(request), env.deps);
    const since = await env.lastSeq();

    const out = await preflight(taskEvent(request, { results: { number } }), env.deps);

    expect(out.deliverable).toBe(true);
    expect(out.checks.map((c) => c.check)).toEqual(['topic-standard', 'role-trust', 'role-sns-publish']);
    expect(out.checks.every((c) => c.passed)).toBe(true);
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('fails the seeded role that lacks sns:Publish with the evaluator’s explanation, with no mutating call', async () => {
    const request = snsRequest({ destination: roleDestination(TOPIC_ARN, MISSING_PUBLISH_ROLE_ARN) });
    const number = await validateNumber(taskEvent(request), env.deps);
    const since = await env.lastSeq();

    const err = await caught(() => preflight(taskEvent(request, { results: { number } }), env.deps));

    expect(err.name).toBe('PreflightFailed');
    expect(err.message).toContain(DEMO.roles.missingPublish);
    expect(err.message).toMatch(/sns:Publish/);
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('fails the topic-policy path when the topic policy has no statement for sms-voice', async () => {
    const err = await caught(() => runPreflight(snsRequest({ destination: topicPolicyDestination(TOPIC_ARN) })));

    expect(err.name).toBe('PreflightFailed');
    expect(err.message).toContain('sms-voice.amazonaws.com');
    expect(err.message).toContain(TOPIC_ARN);
  });

  it('passes the topic-policy path once the statement is in the topic policy', async () => {
    const topicArn = (await env.deps.sns.send(new CreateTopicCommand({ Name: 'preflight-topic-policy' }))).TopicArn!;
    const attrs = (await env.deps.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes!;
    const merged = mergeStatement(attrs.Policy, topicPolicyStatement({ accountId: ACCOUNT, region: REGION, partition: 'aws', topicArn }));
    await env.deps.sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: merged.document }));

    const out = await runPreflight(snsRequest({ destination: topicPolicyDestination(topicArn) }), { topic: { arn: topicArn, created: true }, access: { mode: 'topicPolicy', statementAdded: true } });

    expect(out.checks.find((c) => c.check === 'topic-policy-publish')?.passed).toBe(true);
  });

  it('fails an encrypted topic whose key policy does not let sms-voice use the key', async () => {
    const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:${DEMO.topics.encrypted}`;
    const attrs = (await env.deps.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes!;
    const merged = mergeStatement(attrs.Policy, topicPolicyStatement({ accountId: ACCOUNT, region: REGION, partition: 'aws', topicArn }));
    await env.deps.sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: merged.document }));

    const err = await caught(() => runPreflight(snsRequest({ destination: topicPolicyDestination(topicArn) })));

    expect(err.name).toBe('PreflightFailed');
    expect(err.message).toMatch(/key policy/);
  });

  it('fails a FIFO topic', async () => {
    const err = await caught(() => runPreflight(snsRequest({ destination: roleDestination(FIFO_TOPIC_ARN, ROLE_ARN) })));

    expect(err.name).toBe('PreflightFailed');
    expect(err.message).toMatch(/FIFO/);
  });

  it('reads attached managed policies (URL-encoded by IAM) as the role’s permissions', async () => {
    const roleArn = await createRole('PreflightAttached');
    const policy = await env.deps.iam.send(new CreatePolicyCommand({ PolicyName: 'preflight-publish', PolicyDocument: JSON.stringify(snsDestinationRolePolicy({ accountId: ACCOUNT, topicArn: TOPIC_ARN })) }));
    await env.deps.iam.send(new AttachRolePolicyCommand({ RoleName: 'PreflightAttached', PolicyArn: policy.Policy!.Arn! }));

    const out = await runPreflight(snsRequest({ destination: roleDestination(TOPIC_ARN, roleArn) }), { access: { mode: 'role', roleArn, roleCreated: false } });

    expect(out.checks.find((c) => c.check === 'role-sns-publish')?.explanation).toContain('preflight-publish');
  });

  it('uses the role EnsureAccess reports over the request', async () => {
    const request = snsRequest({ destination: { type: 'sns', topic: { arn: TOPIC_ARN }, access: { type: 'role', role: { create: {} } } } });

    const err = await caught(() => runPreflight(request, { access: { mode: 'role', roleArn: MISSING_PUBLISH_ROLE_ARN, roleCreated: true } }));

    expect(err.name).toBe('PreflightFailed');
    expect(err.message).toContain(DEMO.roles.missingPublish);
  });

  it('fails a role that does not exist', async () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/two-way-sms/NoSuchRole`;

    const err = await caught(() => runPreflight(snsRequest({ destination: roleDestination(TOPIC_ARN, roleArn) })));

    expect(err.name).toBe('PreflightFailed');
    expect(err.message).toContain('does not exist');
  });

  it('passes a Connect destination whose role may send chat integration events (the import comes later)', async () => {
    const roleArn = await createRole('PreflightConnect', connectDestinationRolePolicy());
    const request = snsRequest({ destination: { type: 'connect', instanceId: connectInstance(env).Id, role: { arn: roleArn } } });

    const out = await runPreflight(request);

    expect(out.checks.map((c) => [c.check, c.passed])).toEqual([
      ['role-trust', true],
      ['role-connect-send', true],
      ['connect-number-imported', true],
    ]);
  });

  it('fails a Connect destination whose role lacks connect:SendChatIntegrationEvent', async () => {
    const request = snsRequest({ destination: { type: 'connect', instanceId: connectInstance(env).Arn, role: { arn: ROLE_ARN } } });

    const err = await caught(() => runPreflight(request));

    expect(err.name).toBe('PreflightFailed');
    expect(err.message).toMatch(/connect:SendChatIntegrationEvent/);
  });
});
