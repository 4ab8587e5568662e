import { DEMO } from '../../../local/sandbox/seed';
import { ensureTopic } from '../../../tasks/ensure-topic/ensure-topic';
import { TAGS } from '../../../tasks/lib/context';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import {
  auditTrail,
  createKey,
  createManagedTopic,
  ENCRYPTED_TOPIC_ARN,
  forward,
  numberResult,
  refHolders,
  snsRequest,
  topicRecord,
  uniqueName,
} from './destination-fixtures';
import { ACCOUNT, caught, FIFO_TOPIC_ARN, MISSING_PUBLISH_ROLE_ARN, mutatingCallsSince, newProvisioningId, REGION, TOPIC_ARN } from './number-fixtures';

const topicArnOf = (name: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
const viaRole = { type: 'role' as const, role: { create: {} } };
const viaTopicPolicy = { type: 'topicPolicy' as const };

describe('EnsureTopic', () => {
  let env: WorkflowEnv;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  describe('topic.create', () => {
    it('creates a standard topic tagged as ours, with ledger, reference and audit records', async () => {
      const name = uniqueName('et-new');
      const request = snsRequest({ create: { name } }, viaTopicPolicy);
      const number = numberResult(env);

      const out = await ensureTopic(forward(request, { number }), env.deps);

      expect(out).toEqual({ arn: topicArnOf(name), created: true });
      expect(topicRecord(env, out.arn)?.Tags).toEqual({ [TAGS.managedBy]: TAGS.managedByValue, [TAGS.provisioningId]: request.provisioningId, [TAGS.phoneNumberId]: number.id });
      expect(await env.deps.ledger.get(request.provisioningId, 'topic')).toMatchObject({ status: 'done', data: { arn: out.arn, created: true, targetId: number.id } });
      expect(await refHolders(env, 'topic', out.arn)).toEqual([request.provisioningId]);
      expect(await auditTrail(env, request.provisioningId)).toEqual(['intent sns:CreateTopic', 'outcome sns:CreateTopic succeeded']);
    });

    it('makes no mutating call when run again after it succeeded', async () => {
      const request = snsRequest({ create: { name: uniqueName('et-rerun') } }, viaTopicPolicy);
      const event = forward(request, { number: numberResult(env) });
      const first = await ensureTopic(event, env.deps);
      const since = await env.lastSeq();

      const again = await ensureTopic(event, env.deps);

      expect(again).toEqual(first);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
      expect((await env.deps.ledger.get(request.provisioningId, 'topic'))?.status).toBe('done');
    });

    it('treats a topic carrying its own provisioning id as created by it (retry after CreateTopic succeeded)', async () => {
      const request = snsRequest({ create: { name: uniqueName('et-retry') } }, viaTopicPolicy);
      const event = forward(request, { number: numberResult(env) });
      const first = await ensureTopic(event, env.deps);
      await env.deps.ledger.set(request.provisioningId, 'topic', 'intent', { arn: first.arn });
      const since = await env.lastSeq();

      const again = await ensureTopic(event, env.deps);

      expect(again.created).toBe(true);
      expect((await env.deps.ledger.get(request.provisioningId, 'topic'))?.status).toBe('done');
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('creates an encrypted topic and resolves its customer managed key', async () => {
      const request = snsRequest({ create: { name: uniqueName('et-enc'), kmsKeyId: DEMO.keys.symmetric } }, viaTopicPolicy);

      const out = await ensureTopic(forward(request, { number: numberResult(env) }), env.deps);

      expect(out).toMatchObject({ created: true, kmsMasterKeyId: DEMO.keys.symmetric, keyManager: 'CUSTOMER' });
      expect(out.keyArn).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
      expect(topicRecord(env, out.arn)?.Attributes.KmsMasterKeyId).toBe(DEMO.keys.symmetric);
    });

    it('refuses a same-name topic this service did not create, with no mutating call and no reference left', async () => {
      const request = snsRequest({ create: { name: DEMO.topics.standard } }, viaTopicPolicy);
      const since = await env.lastSeq();

      const err = await caught(() => ensureTopic(forward(request, { number: numberResult(env) }), env.deps));

      expect(err.name).toBe('ForeignResourceExists');
      expect(err.field).toBe('destination.topic.create.name');
      expect(err.message).toContain(TOPIC_ARN);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
      expect(await refHolders(env, 'topic', TOPIC_ARN)).not.toContain(request.provisioningId);
      expect(await env.deps.ledger.get(request.provisioningId, 'topic')).toBeUndefined();
    });

    it('adopts a topic this service created for another provisioning, recording it as not created by us', async () => {
      const name = uniqueName('et-shared');
      const arn = await createManagedTopic(env, name, 'prov-other-owner');
      const request = snsRequest({ create: { name } }, viaTopicPolicy);
      const since = await env.lastSeq();

      const out = await ensureTopic(forward(request, { number: numberResult(env) }), env.deps);

      expect(out).toEqual({ arn, created: false });
      expect(await env.deps.ledger.get(request.provisioningId, 'topic')).toMatchObject({ status: 'skipped', data: { arn } });
      expect(await refHolders(env, 'topic', arn)).toEqual([request.provisioningId]);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('refuses to adopt our topic when its KmsMasterKeyId differs from the request', async () => {
      const name = uniqueName('et-shared-enc');
      await createManagedTopic(env, name, 'prov-other-owner');
      const request = snsRequest({ create: { name, kmsKeyId: DEMO.keys.symmetric } }, viaTopicPolicy);

      const err = await caught(() => ensureTopic(forward(request, { number: numberResult(env) }), env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toMatch(/KmsMasterKeyId \(none: unencrypted\), not alias\/two-way-demo/);
    });

    it('refuses a FIFO name before any AWS call', async () => {
      const request = snsRequest({ create: { name: 'et-queue.fifo' } }, viaTopicPolicy);
      const since = await env.lastSeq();

      const err = await caught(() => ensureTopic(forward(request, { number: numberResult(env) }), env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toMatch(/FIFO.*standard topics/);
      expect(await env.calls(since)).toEqual([]);
    });

    it('refuses an asymmetric key, naming its spec, before creating the topic', async () => {
      const name = uniqueName('et-asym');
      const request = snsRequest({ create: { name, kmsKeyId: DEMO.keys.asymmetric } }, viaTopicPolicy);
      const since = await env.lastSeq();

      const err = await caught(() => ensureTopic(forward(request, { number: numberResult(env) }), env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.field).toBe('destination.topic.create.kmsKeyId');
      expect(err.message).toMatch(/key alias\/two-way-demo-asymmetric \(arn:.*\) is asymmetric \(RSA_2048\); SNS needs a symmetric key/);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
      expect(topicRecord(env, topicArnOf(name))).toBeUndefined();
    });

    it('refuses a disabled key before creating the topic', async () => {
      const keyArn = await createKey(env, { disabled: true });
      const request = snsRequest({ create: { name: uniqueName('et-disabled'), kmsKeyId: keyArn } }, viaTopicPolicy);
      const since = await env.lastSeq();

      const err = await caught(() => ensureTopic(forward(request, { number: numberResult(env) }), env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toContain(`key ${keyArn} is Disabled`);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('refuses a key that does not exist', async () => {
      const request = snsRequest({ create: { name: uniqueName('et-nokey'), kmsKeyId: 'alias/no-such-key' } }, viaTopicPolicy);

      const err = await caught(() => ensureTopic(forward(request, { number: numberResult(env) }), env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toContain('alias/no-such-key does not exist');
    });

    it('refuses alias/aws/sns on the topic-policy path with no mutating call', async () => {
      const request = snsRequest({ create: { name: uniqueName('et-awssns'), kmsKeyId: 'alias/aws/sns' } }, viaTopicPolicy);
      const since = await env.lastSeq();

      const err = await caught(() => ensureTopic(forward(request, { number: numberResult(env) }), env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toContain('the AWS-managed key aws/sns cannot grant sms-voice.amazonaws.com');
      expect(err.message).toMatch(/use a customer managed key or a two-way role/);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('accepts alias/aws/sns on the role path', async () => {
      const request = snsRequest({ create: { name: uniqueName('et-awssns-role'), kmsKeyId: 'alias/aws/sns' } }, viaRole);

      const out = await ensureTopic(forward(request, { number: numberResult(env) }), env.deps);

      expect(out).toMatchObject({ created: true, kmsMasterKeyId: 'alias/aws/sns', keyManager: 'AWS' });
    });

    it('checks a role given by ARN before creating the topic, and names what it lacks', async () => {
      const name = uniqueName('et-badrole');
      const request = snsRequest({ create: { name } }, { type: 'role', role: { arn: MISSING_PUBLISH_ROLE_ARN } });
      const since = await env.lastSeq();

      const err = await caught(() => ensureTopic(forward(request, { number: numberResult(env) }), env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toContain(`sns:Publish on ${topicArnOf(name)}`);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
      expect(await refHolders(env, 'topic', topicArnOf(name))).toEqual([]);
    });
  });

  describe('topic.arn', () => {
    it('validates an existing standard topic and records it as not created by us', async () => {
      const request = snsRequest({ arn: TOPIC_ARN }, viaTopicPolicy);
      const since = await env.lastSeq();

      const out = await ensureTopic(forward(request, { number: numberResult(env) }), env.deps);

      expect(out).toEqual({ arn: TOPIC_ARN, created: false });
      expect(await env.deps.ledger.get(request.provisioningId, 'topic')).toMatchObject({ status: 'skipped', data: { arn: TOPIC_ARN } });
      expect(await refHolders(env, 'topic', TOPIC_ARN)).toContain(request.provisioningId);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('resolves the key of an encrypted topic', async () => {
      const out = await ensureTopic(forward(snsRequest({ arn: ENCRYPTED_TOPIC_ARN }, viaTopicPolicy), { number: numberResult(env) }), env.deps);

      expect(out).toMatchObject({ arn: ENCRYPTED_TOPIC_ARN, created: false, kmsMasterKeyId: DEMO.keys.symmetric, keyManager: 'CUSTOMER' });
      expect(out.keyArn).toMatch(/:key\//);
    });

    it('refuses a FIFO topic, naming topic.arn', async () => {
      const request = snsRequest({ arn: FIFO_TOPIC_ARN }, viaTopicPolicy);
      const since = await env.lastSeq();

      const err = await caught(() => ensureTopic(forward(request, { number: numberResult(env) }), env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.field).toBe('destination.topic.arn');
      expect(err.message).toMatch(/is a FIFO topic; two-way SMS delivers only to standard topics/);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
      expect(await refHolders(env, 'topic', FIFO_TOPIC_ARN)).not.toContain(request.provisioningId);
    });

    it('refuses a topic in another region before any AWS call', async () => {
      const arn = `arn:aws:sns:eu-west-1:${ACCOUNT}:${DEMO.topics.standard}`;
      const since = await env.lastSeq();

      const err = await caught(() => ensureTopic(forward(snsRequest({ arn }, viaTopicPolicy), { number: numberResult(env) }), env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.field).toBe('destination.topic.arn');
      expect(err.message).toMatch(/region eu-west-1.*region us-east-1/);
      expect(await env.calls(since)).toEqual([]);
    });

    it('refuses a topic of another account', async () => {
      const err = await caught(() => ensureTopic(forward(snsRequest({ arn: `arn:aws:sns:${REGION}:210987654321:x` }, viaTopicPolicy), { number: numberResult(env) }), env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toMatch(/account 210987654321/);
    });

    it('refuses a topic that does not exist', async () => {
      const arn = topicArnOf(uniqueName('et-missing'));

      const err = await caught(() => ensureTopic(forward(snsRequest({ arn }, viaTopicPolicy), { number: numberResult(env) }), env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toContain(`topic ${arn} does not exist`);
    });

    it('refuses a topic encrypted with alias/aws/sns on the topic-policy path', async () => {
      const arn = await createManagedTopic(env, uniqueName('et-awssns-arn'), newProvisioningId(), { KmsMasterKeyId: 'alias/aws/sns' });

      const err = await caught(() => ensureTopic(forward(snsRequest({ arn }, viaTopicPolicy), { number: numberResult(env) }), env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toContain('AWS-managed key aws/sns');
    });
  });

  it('rejects a Connect request and a missing number result as InvalidInput', async () => {
    const connect = { provisioningId: newProvisioningId(), phoneNumberId: DEMO.numbers.longCode, destination: { type: 'connect', instanceId: '00000000-0000-0000-0000-000000000000', role: { create: {} } }, requestedBy: 'a' };

    expect((await caught(() => ensureTopic(forward(connect, { number: numberResult(env) }), env.deps))).name).toBe('InvalidInput');
    expect((await caught(() => ensureTopic(forward(snsRequest({ arn: TOPIC_ARN }, viaTopicPolicy), {}), env.deps))).name).toBe('InvalidInput');
  });
});
