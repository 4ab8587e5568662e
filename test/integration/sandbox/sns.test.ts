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
import { addTopic, publishToTopic } from '../../../local/sandbox/services/sns';
import { awsCli, control, startSandbox, type RunningSandbox } from '../../support/sandbox';
import { startSubscriber, type Subscriber } from './sns-support';

const ACCOUNT = '123456789012';
const arnOf = (name: string, account = ACCOUNT) => `arn:aws:sns:us-east-1:${account}:${name}`;

/** Asserts the SDK rejection: exception name, HTTP status and (when given) the exact message. */
async function expectError(call: Promise<unknown>, name: string, status: number, message?: string): Promise<void> {
  const err = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name: string; message: string; $metadata: { httpStatusCode?: number } } | undefined;
  expect(err).toBeDefined();
  expect(err!.name).toBe(name);
  expect(err!.$metadata.httpStatusCode).toBe(status);
  if (message !== undefined) expect(err!.message).toBe(message);
}

describe('SNS in the sandbox', () => {
  let sb: RunningSandbox;
  let sns: SNSClient;
  let seq = 0;
  /** A fresh topic name per test, so tests do not depend on each other. */
  const unique = (prefix = 'topic') => `${prefix}-${++seq}`;
  const createTopic = async (name = unique(), Attributes?: Record<string, string>) =>
    (await sns.send(new CreateTopicCommand({ Name: name, ...(Attributes ? { Attributes } : {}) }))).TopicArn!;
  const attributesOf = async (TopicArn: string) => (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;

  beforeAll(async () => {
    sb = await startSandbox({ seed: false });
    sns = new SNSClient(sb.clientConfig);
  });
  afterAll(async () => {
    sns.destroy();
    await sb.stop();
  });

  describe('CreateTopic', () => {
    it('creates a standard topic and returns its ARN', async () => {
      const name = unique();
      const out = await sns.send(new CreateTopicCommand({ Name: name }));
      expect(out.TopicArn).toBe(arnOf(name));
    });

    it('returns the same ARN when the name exists with the same attributes and tags', async () => {
      const input = { Name: unique(), Attributes: { DisplayName: 'Same' }, Tags: [{ Key: 'team', Value: 'sms' }] };
      const first = await sns.send(new CreateTopicCommand(input));
      const second = await sns.send(new CreateTopicCommand(input));
      expect(second.TopicArn).toBe(first.TopicArn);
    });

    it('returns the existing ARN when the repeated call names no attributes', async () => {
      const name = unique();
      const arn = await createTopic(name, { DisplayName: 'Kept' });
      const again = await createTopic(name);
      expect(again).toBe(arn);
      expect((await attributesOf(arn)).DisplayName).toBe('Kept');
    });

    it('rejects an existing name with different attributes as real SNS does', async () => {
      const name = unique();
      await createTopic(name, { DisplayName: 'One' });
      await expectError(
        sns.send(new CreateTopicCommand({ Name: name, Attributes: { DisplayName: 'Two' } })),
        'InvalidParameterException',
        400,
        'Invalid parameter: Attributes Reason: Topic already exists with different attributes',
      );
    });

    it('rejects an existing name with different tags', async () => {
      const name = unique();
      await sns.send(new CreateTopicCommand({ Name: name, Tags: [{ Key: 'env', Value: 'dev' }] }));
      await expectError(
        sns.send(new CreateTopicCommand({ Name: name, Tags: [{ Key: 'env', Value: 'prod' }] })),
        'InvalidParameterException',
        400,
        'Invalid parameter: Tags Reason: Topic already exists with different tags',
      );
    });

    it.each([['has space'], ['x'.repeat(257)], [''], ['dots.not.allowed'], ['plain.fifo']])('rejects the topic name %j', async (name) => {
      await expectError(sns.send(new CreateTopicCommand({ Name: name })), 'InvalidParameterException', 400, 'Invalid parameter: Topic Name');
    });

    it('accepts a name of exactly 256 characters', async () => {
      const name = 'n'.repeat(256);
      await expect(createTopic(name)).resolves.toBe(arnOf(name));
    });

    it('rejects FifoTopic=true on a name without the .fifo suffix', async () => {
      await expectError(
        sns.send(new CreateTopicCommand({ Name: unique(), Attributes: { FifoTopic: 'true' } })),
        'InvalidParameterException',
        400,
        'Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.',
      );
    });

    it('creates a FIFO topic that reports FifoTopic and ContentBasedDeduplication', async () => {
      const arn = await createTopic(`${unique('fifo')}.fifo`, { FifoTopic: 'true' });
      const attrs = await attributesOf(arn);
      expect(attrs.FifoTopic).toBe('true');
      expect(attrs.ContentBasedDeduplication).toBe('false');
    });

    it('rejects an unknown attribute name and creates nothing', async () => {
      const name = unique();
      await expectError(
        sns.send(new CreateTopicCommand({ Name: name, Attributes: { DisplayName: 'ok', Colour: 'blue' } })),
        'InvalidParameterException',
        400,
        'Invalid parameter: Attributes Reason: Invalid attribute name: Colour',
      );
      await expectError(sns.send(new GetTopicAttributesCommand({ TopicArn: arnOf(name) })), 'NotFoundException', 404);
    });

    it('rejects ContentBasedDeduplication on a standard topic', async () => {
      await expectError(
        sns.send(new CreateTopicCommand({ Name: unique(), Attributes: { ContentBasedDeduplication: 'true' } })),
        'InvalidParameterException',
        400,
        'Invalid parameter: ContentBasedDeduplication Reason: ContentBasedDeduplication can only be set for FIFO topics',
      );
    });

    it('rejects an invalid Policy attribute naming the attribute', async () => {
      await expectError(
        sns.send(new CreateTopicCommand({ Name: unique(), Attributes: { Policy: 'not json' } })),
        'InvalidParameterException',
        400,
        'Invalid parameter: Policy Error: null',
      );
    });

    it('rejects more than 50 tags with TagLimitExceeded', async () => {
      const Tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      await expectError(sns.send(new CreateTopicCommand({ Name: unique(), Tags })), 'TagLimitExceededException', 400);
    });

    it('answers TopicLimitExceeded once the account holds 1000 FIFO topics', async () => {
      const local = await startSandbox({ seed: false });
      try {
        const ctx = local.sandbox.baseContext('sns', 'CreateTopic');
        for (let i = 0; i < 1000; i++) addTopic(ctx, { Name: `bulk-${i}.fifo`, Attributes: { FifoTopic: 'true' } });
        const client = new SNSClient(local.clientConfig);
        await expectError(
          client.send(new CreateTopicCommand({ Name: 'one-more.fifo', Attributes: { FifoTopic: 'true' } })),
          'TopicLimitExceededException',
          403,
          'Topic limit exceeded',
        );
        await expect(client.send(new CreateTopicCommand({ Name: 'standard-still-fine' }))).resolves.toMatchObject({ TopicArn: arnOf('standard-still-fine') });
        client.destroy();
      } finally {
        await local.stop();
      }
    });
  });

  describe('GetTopicAttributes', () => {
    it('returns the attributes SNS reports for a new standard topic', async () => {
      const name = unique();
      const arn = await createTopic(name);
      const attrs = await attributesOf(arn);
      expect(Object.keys(attrs).sort()).toEqual(
        ['DisplayName', 'EffectiveDeliveryPolicy', 'Owner', 'Policy', 'SubscriptionsConfirmed', 'SubscriptionsDeleted', 'SubscriptionsPending', 'TopicArn'].sort(),
      );
      expect(attrs).toMatchObject({ TopicArn: arn, Owner: ACCOUNT, DisplayName: '', SubscriptionsConfirmed: '0', SubscriptionsPending: '0', SubscriptionsDeleted: '0' });
      expect(JSON.parse(attrs.Policy!)).toEqual({
        Version: '2008-10-17',
        Id: '__default_policy_ID',
        Statement: [
          {
            Sid: '__default_statement_ID',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: [
              'SNS:GetTopicAttributes',
              'SNS:SetTopicAttributes',
              'SNS:AddPermission',
              'SNS:RemovePermission',
              'SNS:DeleteTopic',
              'SNS:Subscribe',
              'SNS:ListSubscriptionsByTopic',
              'SNS:Publish',
            ],
            Resource: arn,
            Condition: { StringEquals: { 'AWS:SourceOwner': ACCOUNT } },
          },
        ],
      });
      expect(JSON.parse(attrs.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy).toMatchObject({ numRetries: 3, backoffFunction: 'linear' });
    });

    it('reports KmsMasterKeyId when the topic is encrypted', async () => {
      const arn = await createTopic(unique(), { KmsMasterKeyId: 'alias/aws/sns' });
      expect((await attributesOf(arn)).KmsMasterKeyId).toBe('alias/aws/sns');
    });

    it('counts confirmed, pending and deleted subscriptions', async () => {
      const arn = await createTopic();
      const http = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/a' }));
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'https', Endpoint: 'https://example.com/b' }));
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: 'ops@example.com' }));
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: http.SubscriptionArn }));
      const attrs = await attributesOf(arn);
      expect(attrs).toMatchObject({ SubscriptionsConfirmed: '1', SubscriptionsPending: '1', SubscriptionsDeleted: '1' });
    });

    it('answers NotFound for a topic that does not exist', async () => {
      await expectError(sns.send(new GetTopicAttributesCommand({ TopicArn: arnOf('missing') })), 'NotFoundException', 404, 'Topic does not exist');
    });

    it('answers InvalidParameter for a malformed topic ARN', async () => {
      await expectError(sns.send(new GetTopicAttributesCommand({ TopicArn: 'not-an-arn' })), 'InvalidParameterException', 400, 'Invalid parameter: TopicArn');
    });

    it('answers InvalidParameter for a topic ARN of another region', async () => {
      await expectError(
        sns.send(new GetTopicAttributesCommand({ TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t' })),
        'InvalidParameterException',
        400,
        'Invalid parameter: TopicArn',
      );
    });

    it('answers AuthorizationError for a topic of another account', async () => {
      await expectError(sns.send(new GetTopicAttributesCommand({ TopicArn: arnOf('theirs', '999999999999') })), 'AuthorizationErrorException', 403);
    });
  });

  describe('SetTopicAttributes', () => {
    it('sets DisplayName', async () => {
      const arn = await createTopic();
      await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'DisplayName', AttributeValue: 'Alerts' }));
      expect((await attributesOf(arn)).DisplayName).toBe('Alerts');
    });

    it('sets a Policy that GetTopicAttributes returns with the same meaning', async () => {
      const arn = await createTopic();
      const policy = {
        Version: '2012-10-17',
        Statement: [{ Sid: 'SmsVoice', Effect: 'Allow', Principal: { Service: 'sms-voice.amazonaws.com' }, Action: 'sns:Publish', Resource: arn }],
      };
      await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy, null, 2) }));
      expect(JSON.parse((await attributesOf(arn)).Policy!)).toEqual(policy);
    });

    it('rejects a Policy that is not JSON and keeps the previous one', async () => {
      const arn = await createTopic();
      const before = (await attributesOf(arn)).Policy;
      await expectError(
        sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Policy', AttributeValue: '{"Statement": [' })),
        'InvalidParameterException',
        400,
        'Invalid parameter: Policy Error: null',
      );
      expect((await attributesOf(arn)).Policy).toBe(before);
    });

    it('rejects a Policy whose action is not an SNS action', async () => {
      const arn = await createTopic();
      const policy = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: arn }] };
      await expectError(
        sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) })),
        'InvalidParameterException',
        400,
        'Invalid parameter: Policy statement action out of service scope!',
      );
    });

    it.each([['Colour'], ['FifoTopic']])('rejects the attribute name %s', async (AttributeName) => {
      const arn = await createTopic();
      await expectError(
        sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName, AttributeValue: 'true' })),
        'InvalidParameterException',
        400,
        'Invalid parameter: AttributeName',
      );
    });

    it('rejects an invalid value naming the attribute', async () => {
      const arn = await createTopic();
      await expectError(
        sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'TracingConfig', AttributeValue: 'Sometimes' })),
        'InvalidParameterException',
        400,
        'Invalid parameter: TracingConfig Reason: must be one of PassThrough, Active',
      );
    });

    it('turns encryption off when KmsMasterKeyId is set to an empty value', async () => {
      const arn = await createTopic(unique(), { KmsMasterKeyId: 'alias/aws/sns' });
      await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'KmsMasterKeyId', AttributeValue: '' }));
      expect((await attributesOf(arn)).KmsMasterKeyId).toBeUndefined();
    });

    it('answers NotFound for a topic that does not exist', async () => {
      await expectError(
        sns.send(new SetTopicAttributesCommand({ TopicArn: arnOf('missing'), AttributeName: 'DisplayName', AttributeValue: 'x' })),
        'NotFoundException',
        404,
      );
    });
  });

  describe('DeleteTopic', () => {
    it('deletes the topic and its subscriptions', async () => {
      const arn = await createTopic();
      const sub = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:123456789012:q' }));
      await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
      await expectError(sns.send(new GetTopicAttributesCommand({ TopicArn: arn })), 'NotFoundException', 404);
      expect(sb.sandbox.state.sns.subscriptions[sub.SubscriptionArn!]).toBeUndefined();
    });

    it('succeeds for a topic that does not exist', async () => {
      await expect(sns.send(new DeleteTopicCommand({ TopicArn: arnOf('never-existed') }))).resolves.toBeDefined();
    });

    it('answers InvalidParameter for a malformed ARN', async () => {
      await expectError(sns.send(new DeleteTopicCommand({ TopicArn: 'arn:aws:sqs:us-east-1:123456789012:q' })), 'InvalidParameterException', 400);
    });
  });

  describe('ListTopics', () => {
    it('pages 100 topics at a time with NextToken', async () => {
      const local = await startSandbox({ seed: false });
      try {
        const ctx = local.sandbox.baseContext('sns', 'CreateTopic');
        for (let i = 0; i < 250; i++) addTopic(ctx, { Name: `page-${String(i).padStart(3, '0')}` });
        const client = new SNSClient(local.clientConfig);
        const pages: number[] = [];
        const seen = new Set<string>();
        let NextToken: string | undefined;
        do {
          const out = await client.send(new ListTopicsCommand({ ...(NextToken ? { NextToken } : {}) }));
          pages.push(out.Topics!.length);
          for (const t of out.Topics!) seen.add(t.TopicArn!);
          NextToken = out.NextToken;
        } while (NextToken);
        client.destroy();
        expect(pages).toEqual([100, 100, 50]);
        expect(seen.size).toBe(250);
      } finally {
        await local.stop();
      }
    });

    it('lists a created topic', async () => {
      const arn = await createTopic();
      const all: string[] = [];
      let NextToken: string | undefined;
      do {
        const out = await sns.send(new ListTopicsCommand({ ...(NextToken ? { NextToken } : {}) }));
        all.push(...out.Topics!.map((t) => t.TopicArn!));
        NextToken = out.NextToken;
      } while (NextToken);
      expect(all).toContain(arn);
    });

    it('rejects a NextToken it did not issue', async () => {
      await expectError(sns.send(new ListTopicsCommand({ NextToken: 'garbage!' })), 'InvalidParameterException', 400, 'Invalid parameter: NextToken');
    });
  });

  describe('Subscribe, ListSubscriptionsByTopic and Unsubscribe', () => {
    it('confirms an HTTP subscription at once and lists it', async () => {
      const arn = await createTopic();
      const out = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/hook' }));
      expect(out.SubscriptionArn).toMatch(new RegExp(`^${arn}:[0-9a-f-]{36}$`));
      const list = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
      expect(list.Subscriptions).toEqual([{ SubscriptionArn: out.SubscriptionArn, Owner: ACCOUNT, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/hook', TopicArn: arn }]);
    });

    it('leaves an email subscription pending confirmation', async () => {
      const arn = await createTopic();
      const out = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: 'ops@example.com' }));
      expect(out.SubscriptionArn).toBe('pending confirmation');
      const list = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
      expect(list.Subscriptions![0]!.SubscriptionArn).toBe('PendingConfirmation');
    });

    it('leaves a subscription to a queue of another account pending confirmation', async () => {
      const arn = await createTopic();
      const out = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:999999999999:their-queue' }));
      expect(out.SubscriptionArn).toBe('pending confirmation');
      expect((await attributesOf(arn)).SubscriptionsPending).toBe('1');
    });

    it('returns the ARN of a pending subscription when ReturnSubscriptionArn is set', async () => {
      const arn = await createTopic();
      const out = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'email-json', Endpoint: 'ops@example.com', ReturnSubscriptionArn: true }));
      expect(out.SubscriptionArn).toMatch(new RegExp(`^${arn}:`));
    });

    it.each([
      ['sqs', 'arn:aws:sqs:us-east-1:123456789012:inbound'],
      ['lambda', 'arn:aws:lambda:us-east-1:123456789012:function:handler'],
      ['sms', '+14255550182'],
    ])('accepts a %s subscription', async (Protocol, Endpoint) => {
      const arn = await createTopic();
      const out = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol, Endpoint }));
      expect(out.SubscriptionArn).toMatch(new RegExp(`^${arn}:[0-9a-f-]{36}$`));
    });

    it('returns the same subscription for the same endpoint', async () => {
      const arn = await createTopic();
      const input = { TopicArn: arn, Protocol: 'https', Endpoint: 'https://example.com/same' };
      const a = await sns.send(new SubscribeCommand(input));
      const b = await sns.send(new SubscribeCommand(input));
      expect(b.SubscriptionArn).toBe(a.SubscriptionArn);
    });

    it('rejects the same endpoint with different attributes', async () => {
      const arn = await createTopic();
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'https', Endpoint: 'https://example.com/raw', Attributes: { RawMessageDelivery: 'true' } }));
      await expectError(
        sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'https', Endpoint: 'https://example.com/raw', Attributes: { RawMessageDelivery: 'false' } })),
        'InvalidParameterException',
        400,
        'Invalid parameter: Attributes Reason: Subscription already exists with different attributes',
      );
    });

    it.each([
      ['carrier-pigeon', 'coop', 'Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon'],
      ['http', 'https://example.com/x', 'Invalid parameter: Endpoint must match the specified protocol'],
      ['sqs', 'my-queue', 'Invalid parameter: SQS endpoint ARN'],
      ['lambda', 'arn:aws:sqs:us-east-1:123456789012:q', 'Invalid parameter: Lambda endpoint ARN'],
      ['email', 'not-an-address', 'Invalid parameter: Email address'],
      ['sqs', 'arn:aws:sqs:us-east-1:123456789012:q.fifo', 'Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics'],
    ])('rejects protocol %s with endpoint %s', async (Protocol, Endpoint, message) => {
      const arn = await createTopic();
      await expectError(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol, Endpoint })), 'InvalidParameterException', 400, message);
    });

    it('rejects an unknown subscription attribute', async () => {
      const arn = await createTopic();
      await expectError(
        sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'https', Endpoint: 'https://example.com/a', Attributes: { Colour: 'red' } })),
        'InvalidParameterException',
        400,
        'Invalid parameter: AttributeName',
      );
    });

    it('answers NotFound when subscribing to a topic that does not exist', async () => {
      await expectError(
        sns.send(new SubscribeCommand({ TopicArn: arnOf('missing'), Protocol: 'https', Endpoint: 'https://example.com/' })),
        'NotFoundException',
        404,
        'Topic does not exist',
      );
    });

    it('answers NotFound when listing subscriptions of a topic that does not exist', async () => {
      await expectError(sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arnOf('missing') })), 'NotFoundException', 404);
    });

    it('unsubscribes, and unsubscribing again is not an error', async () => {
      const arn = await createTopic();
      const sub = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'https', Endpoint: 'https://example.com/u' }));
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn }));
      await expect(sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn }))).resolves.toBeDefined();
      expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions).toEqual([]);
    });

    it('rejects a subscription ARN that is not one', async () => {
      await expectError(sns.send(new UnsubscribeCommand({ SubscriptionArn: 'nonsense' })), 'InvalidParameterException', 400);
      await expectError(sns.send(new UnsubscribeCommand({ SubscriptionArn: arnOf('a-topic') })), 'InvalidParameterException', 400, 'Invalid parameter: SubscriptionId');
    });
  });

  describe('Publish', () => {
    let subscriber: Subscriber;
    beforeAll(async () => {
      subscriber = await startSubscriber();
    });
    afterAll(async () => {
      await subscriber.close();
    });

    it('records the message for the control API and returns its MessageId', async () => {
      const arn = await createTopic();
      const out = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'hello', Subject: 'Greeting' }));
      expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
      const res = await control(sb.url, 'GET', `/_sandbox/topics/${encodeURIComponent(arn)}/messages`);
      expect(res.body.messages).toEqual([{ messageId: out.MessageId, message: 'hello', subject: 'Greeting', receivedAt: expect.any(String) }]);
    });

    it('delivers an SNS Notification to an HTTP subscription', async () => {
      const arn = await createTopic();
      const sub = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: `${subscriber.url}/notify` }));
      const before = subscriber.received.length;
      const out = await sns.send(new PublishCommand({ TopicArn: arn, Message: '{"messageBody":"JOIN"}', Subject: 'Inbound' }));
      const [req] = (await subscriber.waitFor(before + 1)).slice(before);
      expect(req!.path).toBe('/notify');
      expect(req!.headers['x-amz-sns-message-type']).toBe('Notification');
      expect(req!.headers['x-amz-sns-subscription-arn']).toBe(sub.SubscriptionArn);
      expect(JSON.parse(req!.body)).toMatchObject({
        Type: 'Notification',
        MessageId: out.MessageId,
        TopicArn: arn,
        Subject: 'Inbound',
        Message: '{"messageBody":"JOIN"}',
      });
    });

    it('answers NotFound for a topic that does not exist', async () => {
      await expectError(sns.send(new PublishCommand({ TopicArn: arnOf('missing'), Message: 'x' })), 'NotFoundException', 404, 'Topic does not exist');
    });

    it('rejects an empty message', async () => {
      const arn = await createTopic();
      await expectError(sns.send(new PublishCommand({ TopicArn: arn, Message: '' })), 'InvalidParameterException', 400, 'Invalid parameter: Empty message');
    });

    it('rejects a Publish without a target', async () => {
      await expectError(
        sns.send(new PublishCommand({ Message: 'x' })),
        'InvalidParameterException',
        400,
        'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter',
      );
    });

    it('rejects a message over 256 KiB and accepts one of exactly 256 KiB', async () => {
      const arn = await createTopic();
      await expectError(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x'.repeat(262_145) })), 'InvalidParameterException', 400, 'Invalid parameter: Message too long');
      await expect(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x'.repeat(262_144) }))).resolves.toMatchObject({ MessageId: expect.any(String) });
    });

    it('rejects a subject of 100 characters', async () => {
      const arn = await createTopic();
      await expectError(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', Subject: 's'.repeat(100) })), 'InvalidParameterException', 400, 'Invalid parameter: Subject');
    });

    it('rejects a message attribute of an unknown type', async () => {
      const arn = await createTopic();
      await expectError(
        sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageAttributes: { colour: { DataType: 'Colour', StringValue: 'red' } } })),
        'InvalidParameterValueException',
        400,
      );
    });

    it('rejects MessageStructure json without a default entry', async () => {
      const arn = await createTopic();
      await expectError(
        sns.send(new PublishCommand({ TopicArn: arn, Message: '{"http":"x"}', MessageStructure: 'json' })),
        'InvalidParameterException',
        400,
        'Invalid parameter: Message Structure - No default entry in JSON message body',
      );
    });

    it('rejects MessageDeduplicationId on a standard topic', async () => {
      const arn = await createTopic();
      await expectError(
        sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageDeduplicationId: 'd1' })),
        'InvalidParameterException',
        400,
        'Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
      );
    });

    it('requires MessageGroupId and a deduplication id on a FIFO topic', async () => {
      const arn = await createTopic(`${unique('fifo')}.fifo`, { FifoTopic: 'true' });
      await expectError(
        sns.send(new PublishCommand({ TopicArn: arn, Message: 'x' })),
        'InvalidParameterException',
        400,
        'Invalid parameter: The MessageGroupId parameter is required for FIFO topics',
      );
      await expectError(
        sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageGroupId: 'g' })),
        'InvalidParameterException',
        400,
        'Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    });

    it('numbers FIFO messages and records a duplicate only once', async () => {
      const arn = await createTopic(`${unique('fifo')}.fifo`, { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
      const a = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'one', MessageGroupId: 'g' }));
      const dup = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'one', MessageGroupId: 'g' }));
      const b = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'two', MessageGroupId: 'g' }));
      expect(a.SequenceNumber).toMatch(/^\d{20}$/);
      expect(BigInt(b.SequenceNumber!)).toBeGreaterThan(BigInt(a.SequenceNumber!));
      expect(dup.MessageId).toBe(a.MessageId);
      const res = await control(sb.url, 'GET', `/_sandbox/topics/${encodeURIComponent(arn)}/messages`);
      expect(res.body.messages.map((m: { message: string }) => m.message)).toEqual(['one', 'two']);
    });

    it('answers KMSNotFound when the topic key does not exist', async () => {
      const arn = await createTopic(unique(), { KmsMasterKeyId: 'alias/nobody-made-this' });
      await expectError(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x' })), 'KMSNotFoundException', 400);
    });

    it('answers KMSDisabled when the topic key is disabled', async () => {
      const keyId = '11111111-2222-3333-4444-555555555555';
      const keyArn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`;
      sb.sandbox.state.kms.keys[keyId] = {
        KeyId: keyId,
        Arn: keyArn,
        AWSAccountId: ACCOUNT,
        CreationDate: new Date().toISOString(),
        Enabled: false,
        Description: 'disabled test key',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeyState: 'Disabled',
        KeyManager: 'CUSTOMER',
        KeySpec: 'SYMMETRIC_DEFAULT',
        Origin: 'AWS_KMS',
        MultiRegion: false,
        Policy: '{}',
        Tags: [],
      };
      const arn = await createTopic(unique(), { KmsMasterKeyId: keyArn });
      await expectError(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x' })), 'KMSDisabledException', 400);
    });
  });

  describe('tags', () => {
    it('tags, lists and untags a topic', async () => {
      const arn = await createTopic();
      await sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
      await sns.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['a'] }));
      const out = await sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
      expect(out.Tags).toEqual([{ Key: 'b', Value: '2' }]);
    });

    it('answers ResourceNotFound for a topic that does not exist', async () => {
      await expectError(
        sns.send(new TagResourceCommand({ ResourceArn: arnOf('missing'), Tags: [{ Key: 'a', Value: '1' }] })),
        'ResourceNotFoundException',
        404,
        'Resource does not exist',
      );
      await expectError(sns.send(new ListTagsForResourceCommand({ ResourceArn: arnOf('missing') })), 'ResourceNotFoundException', 404);
      await expectError(sns.send(new UntagResourceCommand({ ResourceArn: arnOf('missing'), TagKeys: ['a'] })), 'ResourceNotFoundException', 404);
    });

    it('answers TagLimitExceeded past 50 tags and keeps the existing ones', async () => {
      const arn = await createTopic();
      await sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }));
      await expectError(sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'one-too-many', Value: 'v' }] })), 'TagLimitExceededException', 400);
      expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toHaveLength(50);
    });

    it('rejects a tag key over 128 characters', async () => {
      const arn = await createTopic();
      await expectError(sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] })), 'InvalidParameterException', 400);
    });

    it('answers AuthorizationError for a topic of another account', async () => {
      await expectError(sns.send(new ListTagsForResourceCommand({ ResourceArn: arnOf('theirs', '999999999999') })), 'AuthorizationErrorException', 403);
    });
  });

  describe('module exports for the seeder and the inbound simulator', () => {
    it('addTopic creates a topic the SDK sees and is idempotent by name', async () => {
      const ctx = sb.sandbox.baseContext('sns', 'CreateTopic');
      const topic = addTopic(ctx, { Name: 'seeded-topic', Attributes: { DisplayName: 'Seeded' }, Tags: { purpose: 'demo' } });
      expect(addTopic(ctx, { Name: 'seeded-topic' })).toBe(topic);
      expect((await attributesOf(topic.TopicArn)).DisplayName).toBe('Seeded');
      expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: topic.TopicArn }))).Tags).toEqual([{ Key: 'purpose', Value: 'demo' }]);
    });

    it('publishToTopic refuses a topic that does not exist', () => {
      expect(() => publishToTopic(sb.sandbox.baseContext(), arnOf('gone'), 'x')).toThrow('Topic does not exist');
    });

    it('keeps a tag named __proto__ as an ordinary tag', async () => {
      const arn = await createTopic();
      await sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: '__proto__', Value: 'v' }] }));
      expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual([{ Key: '__proto__', Value: 'v' }]);
    });

    it('publishToTopic records and delivers like Publish', async () => {
      const subscriber = await startSubscriber();
      try {
        const arn = await createTopic();
        await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: subscriber.url }));
        const messageId = publishToTopic(sb.sandbox.baseContext(), arn, '{"originationNumber":"+14255550182"}');
        const [req] = await subscriber.waitFor(1);
        expect(JSON.parse(req!.body)).toMatchObject({ Type: 'Notification', MessageId: messageId, TopicArn: arn });
        const res = await control(sb.url, 'GET', `/_sandbox/topics/${encodeURIComponent(arn)}/messages`);
        expect(res.body.messages).toEqual([{ messageId, message: '{"originationNumber":"+14255550182"}', receivedAt: expect.any(String) }]);
      } finally {
        await subscriber.close();
      }
    });
  });

  describe('faults and the AWS CLI', () => {
    it('answers an injected NotFound fault with status 404', async () => {
      await control(sb.url, 'POST', '/_sandbox/faults', { service: 'sns', operation: 'ListTopics', error: 'NotFound', count: 1 });
      await expectError(sns.send(new ListTopicsCommand({})), 'NotFoundException', 404);
    });

    it('answers aws sns create-topic with the topic ARN', async () => {
      const out = await awsCli(sb.url, ['sns', 'create-topic', '--name', 'cli-topic']);
      expect(out.code).toBe(0);
      expect(out.json).toEqual({ TopicArn: arnOf('cli-topic') });
    });

    it('reports NotFound through the AWS CLI', async () => {
      const out = await awsCli(sb.url, ['sns', 'get-topic-attributes', '--topic-arn', arnOf('cli-missing')]);
      expect(out.code).not.toBe(0);
      expect(out.stderr).toContain('(NotFound)');
      expect(out.stderr).toContain('Topic does not exist');
    });
  });
});
