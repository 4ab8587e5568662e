import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetTopicAttributesCommand, SetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { DEMO } from '../../../local/sandbox/seed';
import { ensureAccess, SNS_ROLE_POLICY_NAME } from '../../../tasks/ensure-access/ensure-access';
import { ensureTopic } from '../../../tasks/ensure-topic/ensure-topic';
import { ROLE_PATH, TAGS } from '../../../tasks/lib/context';
import { mergeStatement, snsDestinationRolePolicy, TOPIC_POLICY_SID, topicPolicyStatement, twoWayTrustPolicy } from '../../../tasks/lib/policy';
import type { TopicResult } from '../../../tasks/lib/results';
import { control } from '../../support/sandbox';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { auditTrail, ENCRYPTED_TOPIC_ARN, forward, numberResult, refHolders, roleRecord, snsRequest, statementsBySid, topicRecord, uniqueName, type RoleSpec, type TopicSpec } from './destination-fixtures';
import { ACCOUNT, caught, MISSING_PUBLISH_ROLE_ARN, mutatingCallsSince, REGION, ROLE_ARN, TOPIC_ARN } from './number-fixtures';

const roleArnOf = (name: string, path = ROLE_PATH) => `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
const ourTags = (provisioningId: string) => [
  { Key: TAGS.managedBy, Value: TAGS.managedByValue },
  { Key: TAGS.provisioningId, Value: provisioningId },
  { Key: TAGS.phoneNumberId, Value: 'phone-x' },
];

describe('EnsureAccess', () => {
  let env: WorkflowEnv;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });
  afterEach(async () => {
    await control(env.sandbox.url, 'DELETE', '/_sandbox/faults');
  });

  /** Runs EnsureTopic then EnsureAccess, as the state machine does; returns both results and the event. */
  async function provision(topic: TopicSpec, access: { type: 'topicPolicy' } | { type: 'role'; role: RoleSpec }) {
    const request = snsRequest(topic, access);
    const number = numberResult(env);
    const topicResult = await ensureTopic(forward(request, { number }), env.deps);
    const event = forward(request, { number, topic: topicResult });
    return { request, number, topic: topicResult, event };
  }

  async function createRole(name: string, opts: { tags?: { Key: string; Value: string }[]; inline?: object; path?: string } = {}) {
    await env.deps.iam.send(
      new CreateRoleCommand({ RoleName: name, Path: opts.path ?? ROLE_PATH, AssumeRolePolicyDocument: JSON.stringify(twoWayTrustPolicy({ accountId: ACCOUNT })), ...(opts.tags ? { Tags: opts.tags } : {}) }),
    );
    if (opts.inline) await env.deps.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'theirs', PolicyDocument: JSON.stringify(opts.inline) }));
  }

  describe('role.create', () => {
    it('creates the role under /two-way-sms/ with the trust, the publish policy and our tags', async () => {
      const { request, number, topic, event } = await provision({ create: { name: uniqueName('ea-topic') } }, { type: 'role', role: { create: {} } });

      const out = await ensureAccess(event, env.deps);

      const name = `TwoWaySms-${request.provisioningId}`;
      expect(out).toEqual({ mode: 'role', roleArn: roleArnOf(name), roleCreated: true });
      const role = roleRecord(env, name)!;
      expect(role.Path).toBe(ROLE_PATH);
      expect(JSON.parse(role.AssumeRolePolicyDocument)).toEqual(twoWayTrustPolicy({ accountId: ACCOUNT }));
      expect(JSON.parse(role.InlinePolicies[SNS_ROLE_POLICY_NAME]!)).toEqual(snsDestinationRolePolicy({ accountId: ACCOUNT, topicArn: topic.arn }));
      expect(role.Tags).toEqual([
        { Key: TAGS.managedBy, Value: TAGS.managedByValue },
        { Key: TAGS.provisioningId, Value: request.provisioningId },
        { Key: TAGS.phoneNumberId, Value: number.id },
      ]);
      expect(await env.deps.ledger.get(request.provisioningId, 'role')).toMatchObject({ status: 'done', data: { roleArn: out.roleArn, created: true } });
      expect(await refHolders(env, 'role', out.roleArn!)).toEqual([request.provisioningId]);
      expect((await auditTrail(env, request.provisioningId)).slice(2)).toEqual([
        'intent iam:CreateRole',
        'outcome iam:CreateRole succeeded',
        'intent iam:PutRolePolicy',
        'outcome iam:PutRolePolicy succeeded',
      ]);
    });

    it('uses the requested role name and makes no mutating call when run again', async () => {
      const name = uniqueName('EaNamed');
      const { event } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { create: { name } } });
      const first = await ensureAccess(event, env.deps);
      const since = await env.lastSeq();

      const again = await ensureAccess(event, env.deps);

      expect(first.roleArn).toBe(roleArnOf(name));
      expect(again).toEqual(first);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('reconciles its own role: rewrites only an inline policy that differs', async () => {
      const name = uniqueName('EaDrift');
      const { event, topic } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { create: { name } } });
      await ensureAccess(event, env.deps);
      await env.deps.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: SNS_ROLE_POLICY_NAME, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:ListTopics', Resource: '*' }] }) }));
      const since = await env.lastSeq();

      await ensureAccess(event, env.deps);

      expect((await mutatingCallsSince(env, since)).map((c) => c.operation)).toEqual(['PutRolePolicy']);
      expect(JSON.parse(roleRecord(env, name)!.InlinePolicies[SNS_ROLE_POLICY_NAME]!)).toEqual(snsDestinationRolePolicy({ accountId: ACCOUNT, topicArn: topic.arn }));
    });

    it('after EntityAlreadyExists adopts the role whose tags name this provisioning (CreateRole retried after an unknown outcome)', async () => {
      const name = uniqueName('EaRetry');
      const { request, event } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { create: { name } } });
      await createRole(name, { tags: ourTags(request.provisioningId) });
      // GetRole misses it once (as if CreateRole's first outcome were unknown), so CreateRole meets EntityAlreadyExists.
      await control(env.sandbox.url, 'POST', '/_sandbox/faults', { service: 'iam', operation: 'GetRole', error: 'NoSuchEntity', count: 1 });

      const out = await ensureAccess(event, env.deps);

      expect(out).toEqual({ mode: 'role', roleArn: roleArnOf(name), roleCreated: true });
      expect(roleRecord(env, name)!.InlinePolicies[SNS_ROLE_POLICY_NAME]).toBeDefined();
      expect((await env.deps.ledger.get(request.provisioningId, 'role'))?.status).toBe('done');
      expect((await env.calls()).filter((c) => c.operation === 'CreateRole').at(-1)?.errorCode).toBe('EntityAlreadyExists');
    });

    it('after EntityAlreadyExists refuses a role without our tags, leaving it untouched', async () => {
      const name = uniqueName('EaRetryForeign');
      const { event } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { create: { name } } });
      await createRole(name);
      await control(env.sandbox.url, 'POST', '/_sandbox/faults', { service: 'iam', operation: 'GetRole', error: 'NoSuchEntity', count: 1 });
      const since = await env.lastSeq();

      const err = await caught(() => ensureAccess(event, env.deps));

      expect(err.name).toBe('ForeignResourceExists');
      expect((await mutatingCallsSince(env, since)).map((c) => c.operation)).toEqual(['CreateRole']);
      expect(roleRecord(env, name)!.InlinePolicies).toEqual({});
    });

    it('refuses a same-name role this service did not create, with no mutating call', async () => {
      const { request, event } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { create: { name: DEMO.roles.correct } } });
      const since = await env.lastSeq();

      const err = await caught(() => ensureAccess(event, env.deps));

      expect(err.name).toBe('ForeignResourceExists');
      expect(err.field).toBe('destination.access.role.create.name');
      expect(err.message).toContain(DEMO.roles.correct);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
      expect(await refHolders(env, 'role', ROLE_ARN)).not.toContain(request.provisioningId);
    });

    it('adopts, unchanged, a role another provisioning of this service created that already allows publishing', async () => {
      const name = uniqueName('EaShared');
      await createRole(name, { tags: ourTags('prov-owner-of-role'), inline: snsDestinationRolePolicy({ accountId: ACCOUNT, topicArn: TOPIC_ARN }) });
      const { request, event } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { create: { name } } });
      const since = await env.lastSeq();

      const out = await ensureAccess(event, env.deps);

      expect(out).toEqual({ mode: 'role', roleArn: roleArnOf(name), roleCreated: false });
      expect((await env.deps.ledger.get(request.provisioningId, 'role'))?.status).toBe('skipped');
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('refuses another provisioning’s role that lacks publish, without modifying it', async () => {
      const name = uniqueName('EaSharedLacking');
      await createRole(name, { tags: ourTags('prov-owner-of-role') });
      const { event } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { create: { name } } });
      const since = await env.lastSeq();

      const err = await caught(() => ensureAccess(event, env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toContain('belongs to provisioning prov-owner-of-role');
      expect(err.message).toContain(`sns:Publish on ${TOPIC_ARN}`);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });
  });

  describe('role.arn', () => {
    it('accepts the seeded role that may publish to the seeded topic, changing nothing', async () => {
      const { request, event } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { arn: ROLE_ARN } });
      const since = await env.lastSeq();

      const out = await ensureAccess(event, env.deps);

      expect(out).toEqual({ mode: 'role', roleArn: ROLE_ARN, roleCreated: false });
      expect(await env.deps.ledger.get(request.provisioningId, 'role')).toMatchObject({ status: 'skipped', data: { roleArn: ROLE_ARN } });
      expect(await refHolders(env, 'role', ROLE_ARN)).toContain(request.provisioningId);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('refuses the seeded role that lacks sns:Publish, naming exactly what is missing, and never modifies it', async () => {
      const { request, event } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { arn: MISSING_PUBLISH_ROLE_ARN } });
      const before = JSON.stringify(roleRecord(env, DEMO.roles.missingPublish));
      const since = await env.lastSeq();

      const err = await caught(() => ensureAccess(event, env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.field).toBe('destination.access.role.arn');
      expect(err.message).toContain(`role ${MISSING_PUBLISH_ROLE_ARN} cannot be the two-way channel role and is left unchanged`);
      expect(err.message).toContain(`Missing: (1) sns:Publish on ${TOPIC_ARN}: role ${MISSING_PUBLISH_ROLE_ARN} has no permission policies`);
      expect(err.message).not.toContain('(2)');
      expect(await mutatingCallsSince(env, since)).toEqual([]);
      expect(JSON.stringify(roleRecord(env, DEMO.roles.missingPublish))).toBe(before);
      expect(await refHolders(env, 'role', MISSING_PUBLISH_ROLE_ARN)).not.toContain(request.provisioningId);
    });

    it('lists the trust and the KMS permissions an encrypted topic needs when a role lacks them', async () => {
      const name = uniqueName('EaNoTrust');
      await env.deps.iam.send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
        }),
      );
      await env.deps.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'publish', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: ENCRYPTED_TOPIC_ARN }] }) }));
      const { event } = await provision({ arn: ENCRYPTED_TOPIC_ARN }, { type: 'role', role: { arn: roleArnOf(name, '/') } });

      const err = await caught(() => ensureAccess(event, env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toMatch(/\(1\) trust: sms-voice\.amazonaws\.com may not assume it/);
      expect(err.message).toMatch(/\(2\) kms:GenerateDataKey\* on key arn:aws:kms:.* through SNS/);
      expect(err.message).toMatch(/\(3\) kms:Decrypt on key/);
      expect(err.message).not.toContain('sns:Publish on');
    });

    it('refuses a role that does not exist', async () => {
      const missing = roleArnOf('NoSuchRole', '/');
      const { event } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { arn: missing } });

      const err = await caught(() => ensureAccess(event, env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toContain(`role ${missing} does not exist`);
    });

    it('refuses a role of another account', async () => {
      const { event } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { arn: 'arn:aws:iam::210987654321:role/Elsewhere' } });

      const err = await caught(() => ensureAccess(event, env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toContain('in account 210987654321');
    });
  });

  describe('topicPolicy', () => {
    const statementFor = (topicArn: string) => topicPolicyStatement({ accountId: ACCOUNT, region: REGION, partition: 'aws', topicArn });

    it('merges the statement for sms-voice into the topic policy, keeping every other statement', async () => {
      const { request, topic, event } = await provision({ create: { name: uniqueName('ea-tp') } }, { type: 'topicPolicy' });
      const before = topicRecord(env, topic.arn)!.Attributes.Policy!;

      const out = await ensureAccess(event, env.deps);

      expect(out).toEqual({ mode: 'topicPolicy', statementAdded: true });
      const after = statementsBySid(topicRecord(env, topic.arn)!.Attributes.Policy!);
      expect(after).toEqual({ ...statementsBySid(before), [TOPIC_POLICY_SID]: statementFor(topic.arn) });
      expect(await env.deps.ledger.get(request.provisioningId, 'topicStatement')).toMatchObject({ status: 'done', data: { topicArn: topic.arn, sid: TOPIC_POLICY_SID } });
      expect(await refHolders(env, 'topicStatement', topic.arn)).toEqual([request.provisioningId]);
      expect((await auditTrail(env, request.provisioningId)).slice(2)).toEqual(['intent sns:SetTopicAttributes', 'outcome sns:SetTopicAttributes succeeded']);
    });

    it('makes no mutating call when run again, and still reports the statement as ours', async () => {
      const { event } = await provision({ create: { name: uniqueName('ea-tp-rerun') } }, { type: 'topicPolicy' });
      await ensureAccess(event, env.deps);
      const since = await env.lastSeq();

      const again = await ensureAccess(event, env.deps);

      expect(again).toEqual({ mode: 'topicPolicy', statementAdded: true });
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('records a statement already present (another number on the topic) as not added by us', async () => {
      const { topic, event: first } = await provision({ create: { name: uniqueName('ea-tp-shared') } }, { type: 'topicPolicy' });
      await ensureAccess(first, env.deps);
      const second = snsRequest({ arn: topic.arn }, { type: 'topicPolicy' });
      const since = await env.lastSeq();

      const out = await ensureAccess(forward(second, { number: numberResult(env), topic }), env.deps);

      expect(out).toEqual({ mode: 'topicPolicy', statementAdded: false });
      expect(await env.deps.ledger.get(second.provisioningId, 'topicStatement')).toMatchObject({ status: 'skipped' });
      expect((await refHolders(env, 'topicStatement', topic.arn)).sort()).toHaveLength(2);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('replaces an outdated statement with our Sid and remembers it for the undo', async () => {
      const { request, topic, event } = await provision({ create: { name: uniqueName('ea-tp-old') } }, { type: 'topicPolicy' });
      const old = { ...statementFor(topic.arn), Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } };
      const policy = (await env.deps.sns.send(new GetTopicAttributesCommand({ TopicArn: topic.arn }))).Attributes!.Policy;
      await env.deps.sns.send(new SetTopicAttributesCommand({ TopicArn: topic.arn, AttributeName: 'Policy', AttributeValue: mergeStatement(policy, old).document }));

      await ensureAccess(event, env.deps);

      expect(statementsBySid(topicRecord(env, topic.arn)!.Attributes.Policy!)[TOPIC_POLICY_SID]).toEqual(statementFor(topic.arn));
      expect((await env.deps.ledger.get(request.provisioningId, 'topicStatement'))?.data.previous).toEqual(old);
    });

    it('refuses a topic policy that would exceed 30 KB, with no mutating call', async () => {
      const { topic, event } = await provision({ create: { name: uniqueName('ea-tp-big') } }, { type: 'topicPolicy' });
      // Just under SNS's 30 KB, so that our statement (about 330 bytes) no longer fits.
      const filler = (i: number, pad: number) => ({ Sid: `Filler${i}${'x'.repeat(pad)}`, Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sns:GetTopicAttributes', Resource: topic.arn });
      const statements = Array.from({ length: 52 }, (_, i) => filler(i, 400));
      const size = () => Buffer.byteLength(JSON.stringify({ Version: '2012-10-17', Statement: statements }));
      statements.push(filler(99, 30 * 1024 - 280 - size()));
      const big = JSON.stringify({ Version: '2012-10-17', Statement: statements });
      expect(Buffer.byteLength(big)).toBeLessThan(30 * 1024);
      expect(Buffer.byteLength(big)).toBeGreaterThan(30 * 1024 - 300);
      await env.deps.sns.send(new SetTopicAttributesCommand({ TopicArn: topic.arn, AttributeName: 'Policy', AttributeValue: big }));
      const since = await env.lastSeq();

      const err = await caught(() => ensureAccess(event, env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toMatch(/over SNS's 30 KB limit/);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });
  });

  it('rejects a missing topic result as InvalidInput', async () => {
    const request = snsRequest({ arn: TOPIC_ARN }, { type: 'topicPolicy' });

    const err = await caught(() => ensureAccess(forward(request, { number: numberResult(env) }), env.deps));

    expect(err.name).toBe('InvalidInput');
    expect(err.field).toBe('results.topic');
  });

  it('works from a topic result alone (TopicResult shape)', async () => {
    const topic: TopicResult = { arn: TOPIC_ARN, created: false };
    const out = await ensureAccess(forward(snsRequest({ arn: TOPIC_ARN }, { type: 'role', role: { arn: ROLE_ARN } }), { number: numberResult(env), topic }), env.deps);

    expect(out.roleArn).toBe(ROLE_ARN);
  });
});
