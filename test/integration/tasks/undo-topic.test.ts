import { TagResourceCommand } from '@aws-sdk/client-sns';
import { ensureTopic } from '../../../tasks/ensure-topic/ensure-topic';
import { TAGS } from '../../../tasks/lib/context';
import { undoTopic } from '../../../tasks/undo-topic/undo-topic';
import { control } from '../../support/sandbox';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { auditTrail, deprovisionRequest, forward, numberResult, refHolders, snsRequest, topicRecord, undoEvent, uniqueName } from './destination-fixtures';
import { caught, mutatingCallsSince, TOPIC_ARN } from './number-fixtures';

const viaTopicPolicy = { type: 'topicPolicy' as const };

describe('UndoTopic', () => {
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

  async function created() {
    const request = snsRequest({ create: { name: uniqueName('ut') } }, viaTopicPolicy);
    const number = numberResult(env);
    const topic = await ensureTopic(forward(request, { number }), env.deps);
    return { request, number, topic };
  }

  it('deletes the topic its provisioning created, removing the reference and marking the ledger undone', async () => {
    const { request, number, topic } = await created();

    const out = await undoTopic(undoEvent(request, { results: { number, topic } }), env.deps);

    expect(out).toEqual({ undone: [`deleted topic ${topic.arn}`], kept: [] });
    expect(topicRecord(env, topic.arn)).toBeUndefined();
    expect(await refHolders(env, 'topic', topic.arn)).toEqual([]);
    expect((await env.deps.ledger.get(request.provisioningId, 'topic'))?.status).toBe('undone');
    expect(await auditTrail(env, request.provisioningId)).toEqual([
      'intent sns:CreateTopic',
      'outcome sns:CreateTopic succeeded',
      'intent sns:DeleteTopic',
      'outcome sns:DeleteTopic succeeded',
    ]);
  });

  it('is a no-op the second time', async () => {
    const { request } = await created();
    await undoTopic(undoEvent(request), env.deps);
    const since = await env.lastSeq();

    const out = await undoTopic(undoEvent(request), env.deps);

    expect(out).toEqual({ undone: [], kept: [] });
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('is a no-op when EnsureTopic never ran', async () => {
    const request = snsRequest({ create: { name: uniqueName('ut-never') } }, viaTopicPolicy);
    const since = await env.lastSeq();

    const out = await undoTopic(undoEvent(request, { results: { number: numberResult(env) } }), env.deps);

    expect(out).toEqual({ undone: [], kept: [] });
    expect(await env.calls(since)).toEqual([]);
  });

  it('keeps the topic while another provisioning references it, and says which', async () => {
    const { request, number, topic } = await created();
    const other = snsRequest({ create: { name: topic.arn.split(':').pop()! } }, viaTopicPolicy);
    await ensureTopic(forward(other, { number }), env.deps);
    const since = await env.lastSeq();

    const out = await undoTopic(undoEvent(request), env.deps);

    expect(out.undone).toEqual([]);
    expect(out.kept).toEqual([`topic ${topic.arn}: still used by provisioning ${other.provisioningId} (${number.id}); handed over to provisioning ${other.provisioningId}`]);
    expect(topicRecord(env, topic.arn)).toBeDefined();
    expect(await refHolders(env, 'topic', topic.arn)).toEqual([other.provisioningId]);
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('never deletes a topic its provisioning adopted or was given', async () => {
    const request = snsRequest({ arn: TOPIC_ARN }, viaTopicPolicy);
    await ensureTopic(forward(request, { number: numberResult(env) }), env.deps);
    const since = await env.lastSeq();

    const out = await undoTopic(undoEvent(request), env.deps);

    expect(out.kept).toEqual([`topic ${TOPIC_ARN}: not created by provisioning ${request.provisioningId}, left as it is`]);
    expect(topicRecord(env, TOPIC_ARN)).toBeDefined();
    expect(await refHolders(env, 'topic', TOPIC_ARN)).not.toContain(request.provisioningId);
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('keeps a topic whose provisioning tag no longer names its provisioning', async () => {
    const { request, topic } = await created();
    await env.deps.sns.send(new TagResourceCommand({ ResourceArn: topic.arn, Tags: [{ Key: TAGS.provisioningId, Value: 'someone-else' }] }));

    const out = await undoTopic(undoEvent(request), env.deps);

    expect(out.kept[0]).toMatch(/no longer tagged as created by provisioning .*someone-else/);
    expect(topicRecord(env, topic.arn)).toBeDefined();
  });

  it('removes a reference EnsureTopic recorded before it failed, using the rolled-back request', async () => {
    const name = uniqueName('ut-ref');
    const request = snsRequest({ create: { name } }, viaTopicPolicy);
    const number = numberResult(env);
    const arn = `arn:aws:sns:us-east-1:123456789012:${name}`;
    await env.deps.refs.add('topic', arn, request.provisioningId, number.id);

    await undoTopic(undoEvent(request, { results: { number } }), env.deps);

    expect(await refHolders(env, 'topic', arn)).toEqual([]);
  });

  it('deprovisioning undoes the original provisioning’s ledger and audits under the deprovisioning', async () => {
    const { request, topic } = await created();
    const deprovision = deprovisionRequest();

    const out = await undoTopic(undoEvent(deprovision, { undoId: request.provisioningId, mode: 'deprovision' }), env.deps);

    expect(out.undone).toEqual([`deleted topic ${topic.arn}`]);
    expect(await auditTrail(env, deprovision.provisioningId)).toEqual(['intent sns:DeleteTopic', 'outcome sns:DeleteTopic succeeded']);
  });

  it('rethrows a transient failure as retryable, and fails with CompensationFailed listing what is left otherwise', async () => {
    const { request, topic } = await created();
    await control(env.sandbox.url, 'POST', '/_sandbox/faults', { service: 'sns', operation: 'DeleteTopic', error: 'InternalError', count: 1 });
    expect((await caught(() => undoTopic(undoEvent(request), env.deps))).name).toBe('AwsTransientError');

    await control(env.sandbox.url, 'POST', '/_sandbox/faults', { service: 'sns', operation: 'DeleteTopic', error: 'AuthorizationError', count: 1 });
    const err = await caught(() => undoTopic(undoEvent(request), env.deps));
    expect(err.name).toBe('CompensationFailed');
    expect(err.message).toContain(`left: ledger entry topic of provisioning ${request.provisioningId} (done), topic ${topic.arn}`);

    expect((await undoTopic(undoEvent(request), env.deps)).undone).toEqual([`deleted topic ${topic.arn}`]);
  });
});
