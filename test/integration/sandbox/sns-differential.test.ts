import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-sns';
import { startMoto, type RunningMoto } from '../../support/moto';
import { startSandbox, type RunningSandbox } from '../../support/sandbox';
import { outcome, startSubscriber, type Outcome, type ReceivedRequest, type Subscriber } from './sns-support';

/**
 * The same scripted SNS scenario against the sandbox and moto_server, compared as the SDK parses the answers.
 * Generated ids (subscription and message UUIDs) are replaced by `<uuid>` and JSON-valued attributes are
 * compared parsed. Where moto departs from documented AWS behaviour, each side is asserted on its own; every
 * such case is a row of local/sandbox/MOTO-DIFFERENCES.md.
 */

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ACCOUNT = '123456789012';
const TOPIC = 'diff-topic';
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:${TOPIC}`;
const MISSING_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:diff-missing`;

/** Replaces generated ids, so that two implementations' answers can be compared field by field. */
function normalise(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(UUID, '<uuid>');
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}

function okOut(o: Outcome): Record<string, unknown> {
  if (!o.ok) throw new Error(`expected success, got ${o.name}: ${o.message}`);
  return o.out;
}

function errorOf(o: Outcome): { name: string; status: number | undefined } {
  if (o.ok) throw new Error(`expected an error, got ${JSON.stringify(o.out)}`);
  return { name: o.name, status: o.status };
}

interface Run {
  client: SNSClient;
  subscriber: Subscriber;
}

describe('SNS: sandbox and moto_server run the same scenario', () => {
  let sb: RunningSandbox;
  let moto: RunningMoto;
  let ours: Run;
  let theirs: Run;

  beforeAll(async () => {
    [sb, moto] = await Promise.all([startSandbox({ seed: false }), startMoto()]);
    ours = { client: new SNSClient(sb.clientConfig), subscriber: await startSubscriber() };
    theirs = { client: new SNSClient(moto.clientConfig), subscriber: await startSubscriber() };
  }, 60_000);
  afterAll(async () => {
    for (const r of [ours, theirs]) {
      r?.client.destroy();
      await r?.subscriber.close();
    }
    await Promise.all([sb?.stop(), moto?.stop()]);
  });

  /** Runs one step on both sides, in order; the steps below depend on each other like a script. */
  const both = async (step: (r: Run) => Promise<object>): Promise<[Outcome, Outcome]> => [await outcome(step(ours)), await outcome(step(theirs))];
  const attributes = async () => both((r) => r.client.send(new GetTopicAttributesCommand({ TopicArn: TOPIC_ARN })));

  it('creates the topic with the same ARN', async () => {
    const [a, b] = await both((r) =>
      r.client.send(new CreateTopicCommand({ Name: TOPIC, Attributes: { DisplayName: 'Diff' }, Tags: [{ Key: 'team', Value: 'sms' }] })),
    );
    expect(okOut(a)).toEqual({ TopicArn: TOPIC_ARN });
    expect(okOut(a)).toEqual(okOut(b));
  });

  it('returns the same ARN again for the same name and attributes', async () => {
    const [a, b] = await both((r) => r.client.send(new CreateTopicCommand({ Name: TOPIC, Attributes: { DisplayName: 'Diff' } })));
    expect(okOut(a)).toEqual({ TopicArn: TOPIC_ARN });
    expect(okOut(b)).toEqual(okOut(a));
  });

  it('differs on CreateTopic with different attributes: the sandbox refuses as AWS does, moto accepts', async () => {
    const [a, b] = await both((r) => r.client.send(new CreateTopicCommand({ Name: TOPIC, Attributes: { DisplayName: 'Other' } })));
    expect(a).toMatchObject({ ok: false, name: 'InvalidParameterException', status: 400, message: 'Invalid parameter: Attributes Reason: Topic already exists with different attributes' });
    expect(okOut(b)).toEqual({ TopicArn: TOPIC_ARN });
  });

  it('differs on CreateTopic with different tags: the sandbox refuses as AWS does, moto accepts', async () => {
    const [a, b] = await both((r) => r.client.send(new CreateTopicCommand({ Name: TOPIC, Tags: [{ Key: 'team', Value: 'voice' }] })));
    expect(a).toMatchObject({ ok: false, name: 'InvalidParameterException', status: 400, message: 'Invalid parameter: Tags Reason: Topic already exists with different tags' });
    expect(okOut(b)).toEqual({ TopicArn: TOPIC_ARN });
  });

  it('rejects an invalid topic name on both sides with the same error (messages differ)', async () => {
    const [a, b] = await both((r) => r.client.send(new CreateTopicCommand({ Name: 'bad name' })));
    expect(errorOf(a)).toEqual({ name: 'InvalidParameterException', status: 400 });
    expect(errorOf(b)).toEqual(errorOf(a));
    expect(a).toMatchObject({ message: 'Invalid parameter: Topic Name' });
    expect(b).toMatchObject({ message: expect.stringMatching(/^Topic names must be made up of only/) });
  });

  it('rejects FifoTopic without the .fifo suffix on both sides', async () => {
    const [a, b] = await both((r) => r.client.send(new CreateTopicCommand({ Name: 'no-suffix', Attributes: { FifoTopic: 'true' } })));
    expect(errorOf(a)).toEqual({ name: 'InvalidParameterException', status: 400 });
    expect(errorOf(b)).toEqual(errorOf(a));
    for (const o of [a, b]) expect(o).toMatchObject({ message: expect.stringContaining('Fifo Topic names must end with .fifo') });
  });

  it('sets DisplayName on both sides', async () => {
    const [a, b] = await both((r) => r.client.send(new SetTopicAttributesCommand({ TopicArn: TOPIC_ARN, AttributeName: 'DisplayName', AttributeValue: 'Renamed' })));
    expect(okOut(a)).toEqual({});
    expect(okOut(b)).toEqual({});
  });

  it('reports the same topic attributes, apart from the delivery policies and the subscription counts', async () => {
    const [a, b] = await attributes();
    const ourAttrs = okOut(a).Attributes as Record<string, string>;
    const motoAttrs = okOut(b).Attributes as Record<string, string>;
    for (const key of ['TopicArn', 'Owner', 'DisplayName', 'SubscriptionsPending', 'SubscriptionsConfirmed', 'SubscriptionsDeleted']) {
      expect([key, ourAttrs[key]]).toEqual([key, motoAttrs[key]]);
    }
    expect(ourAttrs).toMatchObject({ TopicArn: TOPIC_ARN, Owner: ACCOUNT, DisplayName: 'Renamed', SubscriptionsConfirmed: '0' });
    // Same default policy, compared by meaning (key order differs).
    expect(JSON.parse(ourAttrs.Policy!)).toEqual(JSON.parse(motoAttrs.Policy!));
    // Deliberate difference: AWS nests the effective delivery policy under "http"; moto returns a flat, older shape.
    expect(Object.keys(JSON.parse(ourAttrs.EffectiveDeliveryPolicy!))).toEqual(['http']);
    expect(JSON.parse(motoAttrs.EffectiveDeliveryPolicy!)).toHaveProperty('defaultHealthyRetryPolicy');
    // Deliberate difference: AWS lists DeliveryPolicy only once one is set; moto always returns it, empty.
    expect(ourAttrs).not.toHaveProperty('DeliveryPolicy');
    expect(motoAttrs.DeliveryPolicy).toBe('');
  });

  it('differs on an unknown attribute name: the sandbox refuses, moto accepts', async () => {
    const [a, b] = await both((r) => r.client.send(new SetTopicAttributesCommand({ TopicArn: TOPIC_ARN, AttributeName: 'Colour', AttributeValue: 'blue' })));
    expect(a).toMatchObject({ ok: false, name: 'InvalidParameterException', status: 400, message: 'Invalid parameter: AttributeName' });
    expect(okOut(b)).toEqual({});
  });

  it('differs on a Policy that is not JSON: the sandbox answers InvalidParameter, moto fails with a 500', async () => {
    const [a, b] = await both((r) => r.client.send(new SetTopicAttributesCommand({ TopicArn: TOPIC_ARN, AttributeName: 'Policy', AttributeValue: '{not json' })));
    expect(a).toMatchObject({ ok: false, name: 'InvalidParameterException', status: 400, message: 'Invalid parameter: Policy Error: null' });
    expect(errorOf(b).status).toBe(500);
  });

  it('lists the same topics', async () => {
    const [a, b] = await both((r) => r.client.send(new ListTopicsCommand({})));
    expect(okOut(a)).toEqual({ Topics: [{ TopicArn: TOPIC_ARN }] });
    expect(okOut(b)).toEqual(okOut(a));
  });

  it('subscribes an HTTP endpoint on both sides', async () => {
    const [a, b] = await both((r) => r.client.send(new SubscribeCommand({ TopicArn: TOPIC_ARN, Protocol: 'http', Endpoint: `${r.subscriber.url}/sns` })));
    expect(normalise(okOut(a))).toEqual({ SubscriptionArn: `${TOPIC_ARN}:<uuid>` });
    expect(normalise(okOut(b))).toEqual(normalise(okOut(a)));
  });

  it('differs on the subscription count: the sandbox counts the confirmed subscription, moto always reports 0', async () => {
    const [a, b] = await attributes();
    expect((okOut(a).Attributes as Record<string, string>).SubscriptionsConfirmed).toBe('1');
    expect((okOut(b).Attributes as Record<string, string>).SubscriptionsConfirmed).toBe('0');
  });

  it('lists the same subscriptions', async () => {
    const [a, b] = await both((r) => r.client.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN })));
    const strip = (o: Outcome) =>
      normalise({ ...okOut(o), Subscriptions: (okOut(o).Subscriptions as { Endpoint: string }[]).map((s) => ({ ...s, Endpoint: s.Endpoint.replace(/:\d+\//, ':<port>/') })) });
    expect(strip(a)).toEqual({
      Subscriptions: [{ SubscriptionArn: `${TOPIC_ARN}:<uuid>`, Owner: ACCOUNT, Protocol: 'http', Endpoint: 'http://127.0.0.1:<port>/sns', TopicArn: TOPIC_ARN }],
    });
    expect(strip(b)).toEqual(strip(a));
  });

  it('publishes, and both deliver the same SNS notification to the HTTP endpoint', async () => {
    const [a, b] = await both((r) => r.client.send(new PublishCommand({ TopicArn: TOPIC_ARN, Message: 'hello', Subject: 'Hi' })));
    expect(normalise(okOut(a))).toEqual({ MessageId: '<uuid>' });
    expect(normalise(okOut(b))).toEqual(normalise(okOut(a)));
    const [ourReq, motoReq] = (await Promise.all([ours.subscriber.waitFor(1), theirs.subscriber.waitFor(1)])).map((r) => r[0]!) as [ReceivedRequest, ReceivedRequest];
    const fields = (req: ReceivedRequest) => {
      const body = JSON.parse(req.body) as Record<string, unknown>;
      return { path: req.path, Type: body.Type, TopicArn: body.TopicArn, Message: body.Message, Subject: body.Subject, MessageId: body.MessageId };
    };
    expect(fields(ourReq)).toEqual({ path: '/sns', Type: 'Notification', TopicArn: TOPIC_ARN, Message: 'hello', Subject: 'Hi', MessageId: okOut(a).MessageId });
    expect(normalise(fields(motoReq))).toEqual(normalise(fields(ourReq)));
  });

  it('answers NotFound for Publish to a missing topic on both sides (messages differ)', async () => {
    const [a, b] = await both((r) => r.client.send(new PublishCommand({ TopicArn: MISSING_ARN, Message: 'x' })));
    expect(errorOf(a)).toEqual({ name: 'NotFoundException', status: 404 });
    expect(errorOf(b)).toEqual(errorOf(a));
    expect(a).toMatchObject({ message: 'Topic does not exist' });
    expect(b).toMatchObject({ message: 'Endpoint does not exist' });
  });

  it('answers NotFound with the same message for GetTopicAttributes of a missing topic', async () => {
    const [a, b] = await both((r) => r.client.send(new GetTopicAttributesCommand({ TopicArn: MISSING_ARN })));
    expect(a).toMatchObject({ ok: false, name: 'NotFoundException', status: 404, message: 'Topic does not exist' });
    expect(b).toEqual(a);
  });

  it('tags, lists and untags the same way', async () => {
    await both((r) => r.client.send(new TagResourceCommand({ ResourceArn: TOPIC_ARN, Tags: [{ Key: 'env', Value: 'dev' }] })));
    await both((r) => r.client.send(new UntagResourceCommand({ ResourceArn: TOPIC_ARN, TagKeys: ['team'] })));
    const [a, b] = await both((r) => r.client.send(new ListTagsForResourceCommand({ ResourceArn: TOPIC_ARN })));
    expect(okOut(a)).toEqual({ Tags: [{ Key: 'env', Value: 'dev' }] });
    expect(okOut(b)).toEqual(okOut(a));
  });

  it('answers ResourceNotFound with the same message for tagging a missing topic', async () => {
    const [a, b] = await both((r) => r.client.send(new TagResourceCommand({ ResourceArn: MISSING_ARN, Tags: [{ Key: 'k', Value: 'v' }] })));
    expect(a).toMatchObject({ ok: false, name: 'ResourceNotFoundException', status: 404, message: 'Resource does not exist' });
    expect(b).toEqual(a);
  });

  it('differs on an email subscription: pending confirmation in the sandbox as on AWS, confirmed at once in moto', async () => {
    const [a, b] = await both((r) => r.client.send(new SubscribeCommand({ TopicArn: TOPIC_ARN, Protocol: 'email', Endpoint: 'ops@example.com' })));
    expect(okOut(a)).toEqual({ SubscriptionArn: 'pending confirmation' });
    expect(normalise(okOut(b))).toEqual({ SubscriptionArn: `${TOPIC_ARN}:<uuid>` });
  });

  it('differs on an unsupported protocol: the sandbox refuses, moto accepts', async () => {
    const [a, b] = await both((r) => r.client.send(new SubscribeCommand({ TopicArn: TOPIC_ARN, Protocol: 'carrier-pigeon', Endpoint: 'coop' })));
    expect(a).toMatchObject({ ok: false, name: 'InvalidParameterException', status: 400, message: 'Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon' });
    expect(normalise(okOut(b))).toEqual({ SubscriptionArn: `${TOPIC_ARN}:<uuid>` });
  });

  it('differs on a topic of another account: AuthorizationError in the sandbox, NotFound in moto', async () => {
    const [a, b] = await both((r) => r.client.send(new GetTopicAttributesCommand({ TopicArn: 'arn:aws:sns:us-east-1:999999999999:theirs' })));
    expect(errorOf(a)).toEqual({ name: 'AuthorizationErrorException', status: 403 });
    expect(errorOf(b)).toEqual({ name: 'NotFoundException', status: 404 });
  });

  it('differs on a malformed topic ARN: InvalidParameter in the sandbox, a 500 in moto', async () => {
    const [a, b] = await both((r) => r.client.send(new GetTopicAttributesCommand({ TopicArn: 'not-an-arn' })));
    expect(a).toMatchObject({ ok: false, name: 'InvalidParameterException', status: 400, message: 'Invalid parameter: TopicArn' });
    expect(errorOf(b).status).toBe(500);
  });

  it('differs on an empty message: InvalidParameter in the sandbox, moto publishes it', async () => {
    const [a, b] = await both((r) => r.client.send(new PublishCommand({ TopicArn: TOPIC_ARN, Message: '' })));
    expect(a).toMatchObject({ ok: false, name: 'InvalidParameterException', status: 400, message: 'Invalid parameter: Empty message' });
    expect(normalise(okOut(b))).toEqual({ MessageId: '<uuid>' });
  });

  it('differs on Publish with an unreachable HTTP subscriber: the sandbox accepts it as AWS does, moto fails with a 500', async () => {
    const arn = `arn:aws:sns:us-east-1:${ACCOUNT}:diff-unreachable`;
    await both((r) => r.client.send(new CreateTopicCommand({ Name: 'diff-unreachable' })));
    // Port 9 (discard) has no listener on loopback: the connection is refused at once.
    await both((r) => r.client.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/down' })));
    const [a, b] = await both((r) => r.client.send(new PublishCommand({ TopicArn: arn, Message: 'x' })));
    expect(normalise(okOut(a))).toEqual({ MessageId: '<uuid>' });
    expect(errorOf(b).status).toBe(500);
    await both((r) => r.client.send(new DeleteTopicCommand({ TopicArn: arn })));
  });

  it('differs on a FIFO Publish without MessageGroupId: InvalidParameter in the sandbox, MissingParameter in moto', async () => {
    const fifo = 'diff-fifo.fifo';
    await both((r) => r.client.send(new CreateTopicCommand({ Name: fifo, Attributes: { FifoTopic: 'true' } })));
    const [a, b] = await both((r) => r.client.send(new PublishCommand({ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:${fifo}`, Message: 'x' })));
    expect(a).toMatchObject({ ok: false, name: 'InvalidParameterException', status: 400, message: 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics' });
    expect(errorOf(b)).toEqual({ name: 'MissingParameter', status: 400 });
    await both((r) => r.client.send(new DeleteTopicCommand({ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:${fifo}` })));
  });

  it('unsubscribes on both sides, and unsubscribing again succeeds on both', async () => {
    const arns = await Promise.all(
      [ours, theirs].map(async (r) => {
        const list = await r.client.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN }));
        return list.Subscriptions!.find((s) => s.Protocol === 'http')!.SubscriptionArn!;
      }),
    );
    const [a1, b1] = [await outcome(ours.client.send(new UnsubscribeCommand({ SubscriptionArn: arns[0] }))), await outcome(theirs.client.send(new UnsubscribeCommand({ SubscriptionArn: arns[1] })))];
    const [a2, b2] = [await outcome(ours.client.send(new UnsubscribeCommand({ SubscriptionArn: arns[0] }))), await outcome(theirs.client.send(new UnsubscribeCommand({ SubscriptionArn: arns[1] })))];
    for (const o of [a1, b1, a2, b2]) expect(okOut(o)).toEqual({});
  });

  it('deletes the topic, deleting it again succeeds, and both list no topics', async () => {
    const [a1, b1] = await both((r) => r.client.send(new DeleteTopicCommand({ TopicArn: TOPIC_ARN })));
    const [a2, b2] = await both((r) => r.client.send(new DeleteTopicCommand({ TopicArn: TOPIC_ARN })));
    for (const o of [a1, b1, a2, b2]) expect(okOut(o)).toEqual({});
    const [a, b] = await both((r) => r.client.send(new ListTopicsCommand({})));
    expect(okOut(a)).toEqual({ Topics: [] });
    expect(okOut(b)).toEqual(okOut(a));
  });
});
