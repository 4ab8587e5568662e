import { UntagResourceCommand } from '@aws-sdk/client-kms';
import { CreateTopicCommand, TagResourceCommand } from '@aws-sdk/client-sns';
import { ensureAccess } from '../../../tasks/ensure-access/ensure-access';
import { ensureTopic } from '../../../tasks/ensure-topic/ensure-topic';
import { NotOptedIn } from '../../../tasks/lib/errors';
import { OPT_IN_TAG_KEY } from '../../../tasks/lib/opt-in';
import { KEY_POLICY_SID } from '../../../tasks/lib/policy';
import { mergeKeyPolicy } from '../../../tasks/merge-key-policy/merge-key-policy';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { createKey, forward, keyRecord, numberResult, refHolders, snsRequest, statementsBySid, topicRecord, uniqueName } from './destination-fixtures';
import { caught, mutatingCallsSince } from './number-fixtures';

/**
 * The opt-in (tasks/lib/opt-in.ts) as the tasks apply it: an execution started directly, past the API, is refused
 * by EnsureAccess before SetTopicAttributes and by MergeKeyPolicy before PutKeyPolicy, with no mutating AWS call,
 * when the topic or key is not tagged `two-way-sms:allow` = `true`.
 */
describe('opt-in in the tasks', () => {
  let env: WorkflowEnv;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  async function foreignTopic(tags: { Key: string; Value: string }[] = [], attributes?: Record<string, string>): Promise<string> {
    const out = await env.deps.sns.send(new CreateTopicCommand({ Name: uniqueName('foreign'), ...(attributes ? { Attributes: attributes } : {}), ...(tags.length ? { Tags: tags } : {}) }));
    return out.TopicArn!;
  }

  it('EnsureAccess refuses to change the policy of a topic it did not create and that is not opted in, calling nothing that mutates', async () => {
    const arn = await foreignTopic();
    const request = snsRequest({ arn }, { type: 'topicPolicy' });
    const number = numberResult(env);
    const topic = await ensureTopic(forward(request, { number }), env.deps);
    const policyBefore = topicRecord(env, arn)!.Attributes.Policy;
    const since = await env.lastSeq();

    const e = await caught(() => ensureAccess(forward(request, { number, topic }), env.deps));

    expect(e).toBeInstanceOf(NotOptedIn);
    expect(e.name).toBe('NotOptedIn');
    expect(e.field).toBe('destination.topic.arn');
    expect(e.message).toContain(`topic ${arn} was not created by this service and is not opted in`);
    expect(e.message).toContain(`aws sns tag-resource --resource-arn ${arn} --tags Key=two-way-sms:allow,Value=true`);
    expect(await mutatingCallsSince(env, since)).toEqual([]);
    expect(topicRecord(env, arn)!.Attributes.Policy).toBe(policyBefore);
    // Nothing left relying on a statement that was never added.
    expect(await refHolders(env, 'topicStatement', arn)).toEqual([]);
  });

  it('EnsureAccess refuses a topic whose tag is not exactly "true" and names the value it found', async () => {
    const arn = await foreignTopic([{ Key: OPT_IN_TAG_KEY, Value: 'yes' }]);
    const request = snsRequest({ arn }, { type: 'topicPolicy' });
    const number = numberResult(env);
    const topic = await ensureTopic(forward(request, { number }), env.deps);
    const since = await env.lastSeq();

    const e = await caught(() => ensureAccess(forward(request, { number, topic }), env.deps));

    expect(e.name).toBe('NotOptedIn');
    expect(e.message).toContain("its two-way-sms:allow tag is 'yes', not 'true'");
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('EnsureAccess changes the policy once the topic is tagged two-way-sms:allow=true', async () => {
    const arn = await foreignTopic();
    await env.deps.sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: OPT_IN_TAG_KEY, Value: 'true' }] }));
    const request = snsRequest({ arn }, { type: 'topicPolicy' });
    const number = numberResult(env);
    const topic = await ensureTopic(forward(request, { number }), env.deps);

    const out = await ensureAccess(forward(request, { number, topic }), env.deps);

    expect(out).toEqual({ mode: 'topicPolicy', statementAdded: true });
  });

  it('EnsureAccess needs no opt-in for a topic it creates (tagged as ours)', async () => {
    const request = snsRequest({ create: { name: uniqueName('ours') } }, { type: 'topicPolicy' });
    const number = numberResult(env);
    const topic = await ensureTopic(forward(request, { number }), env.deps);

    const out = await ensureAccess(forward(request, { number, topic }), env.deps);

    expect(out).toEqual({ mode: 'topicPolicy', statementAdded: true });
  });

  it('MergeKeyPolicy refuses to change the policy of a key that is not opted in, calling nothing that mutates', async () => {
    const keyArn = await createKey(env, { optIn: false });
    const request = snsRequest({ create: { name: uniqueName('enc'), kmsKeyId: keyArn } }, { type: 'topicPolicy' });
    const number = numberResult(env);
    const topic = await ensureTopic(forward(request, { number }), env.deps);
    const access = await ensureAccess(forward(request, { number, topic }), env.deps);
    const policyBefore = keyRecord(env, keyArn)!.Policy;
    const since = await env.lastSeq();

    const e = await caught(() => mergeKeyPolicy(forward(request, { number, topic, access }), env.deps));

    expect(e).toBeInstanceOf(NotOptedIn);
    expect(e.field).toBe('destination.topic');
    expect(e.message).toContain(`KMS key ${keyArn} is not opted in (it has no two-way-sms:allow tag)`);
    expect(e.message).toContain(`aws kms tag-resource --key-id ${keyArn} --tags TagKey=two-way-sms:allow,TagValue=true`);
    expect(await mutatingCallsSince(env, since)).toEqual([]);
    expect(keyRecord(env, keyArn)!.Policy).toBe(policyBefore);
    expect(statementsBySid(keyRecord(env, keyArn)!.Policy)[KEY_POLICY_SID]).toBeUndefined();
    expect(await refHolders(env, 'keyStatement', `${keyArn}`)).toEqual([]);
  });

  it('MergeKeyPolicy needs no opt-in when the key policy already holds the statement (nothing to change)', async () => {
    const keyArn = await createKey(env);
    const first = snsRequest({ create: { name: uniqueName('enc'), kmsKeyId: keyArn } }, { type: 'topicPolicy' });
    const number = numberResult(env);
    const t1 = await ensureTopic(forward(first, { number }), env.deps);
    const a1 = await ensureAccess(forward(first, { number, topic: t1 }), env.deps);
    await mergeKeyPolicy(forward(first, { number, topic: t1, access: a1 }), env.deps);
    // The owner withdraws the opt-in; a second topic on the same key needs no change to the key policy.
    await env.deps.kms.send(new UntagResourceCommand({ KeyId: keyArn, TagKeys: [OPT_IN_TAG_KEY] }));
    const second = snsRequest({ create: { name: uniqueName('enc'), kmsKeyId: keyArn } }, { type: 'topicPolicy' });
    const t2 = await ensureTopic(forward(second, { number }), env.deps);
    const a2 = await ensureAccess(forward(second, { number, topic: t2 }), env.deps);

    const out = await mergeKeyPolicy(forward(second, { number, topic: t2, access: a2 }), env.deps);

    expect(out).toEqual({ keyArn, action: 'present' });
  });
});
