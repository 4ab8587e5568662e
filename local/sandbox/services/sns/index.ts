import { createHash, randomUUID } from 'node:crypto';
import { AwsError } from '../../core/errors';
import type { QueryParams } from '../../core/query';
import type { CallContext, QueryService } from '../../core/types';
import { sameJsonTextIgnoringKeyOrder } from '../../../../tasks/lib/json';
import { xmlMap } from '../../core/xml';
import { checkTopicAttribute, defaultTopicPolicy, effectiveDeliveryPolicy, normaliseAttribute, TOPIC_ATTRIBUTES } from './attributes';
import type { SubscriptionRecord, TopicRecord } from './model';

export type { TopicRecord } from './model';

/**
 * Amazon SNS (awsQuery, 2010-03-31): topics, subscriptions, Publish and tags, with the validation and error
 * codes of the real service. Sandbox-specific behaviour: HTTP/HTTPS subscriptions are confirmed at once (no
 * SubscriptionConfirmation round trip), and every published message is also recorded for `/_sandbox/topics/.../messages`.
 */
export function snsService(): QueryService {
  return {
    protocol: 'query',
    signingName: 'sns',
    stateSlice: 'sns',
    version: '2010-03-31',
    xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
    throttling: { code: 'Throttled', status: 400 },
    // From the botocore model's error shapes (`error.code` → `httpStatusCode`), so injected faults answer like SNS.
    errorStatus: {
      Throttled: 400,
      InternalError: 500,
      InvalidParameter: 400,
      ParameterValueInvalid: 400,
      NotFound: 404,
      ResourceNotFound: 404,
      AuthorizationError: 403,
      InvalidSecurity: 403,
      TopicLimitExceeded: 403,
      SubscriptionLimitExceeded: 403,
      FilterPolicyLimitExceeded: 403,
      ReplayLimitExceeded: 403,
      KMSOptInRequired: 403,
      TagLimitExceeded: 400,
      StaleTag: 400,
      TagPolicy: 400,
      ConcurrentAccess: 400,
      InvalidState: 400,
      EndpointDisabled: 400,
      KMSAccessDenied: 400,
      KMSDisabled: 400,
      KMSInvalidState: 400,
      KMSNotFound: 400,
      KMSThrottling: 400,
      ValidationException: 400,
    },
    missingParameter: (name) => invalid(`Invalid parameter: ${name}`),
    operations: {
      CreateTopic,
      GetTopicAttributes,
      SetTopicAttributes,
      DeleteTopic,
      ListTopics,
      Subscribe,
      Unsubscribe,
      ListSubscriptionsByTopic,
      Publish,
      TagResource,
      UntagResource,
      ListTagsForResource,
    },
  };
}

// ---------------------------------------------------------------------------------------------- constants

const PAGE_SIZE = 100;
/** Publish: 256 KiB, counting the message and every message attribute's name, type and value. */
const MAX_MESSAGE_BYTES = 262_144;
const MAX_TAGS = 50;
/** Per account and region (Amazon SNS service quotas). */
const MAX_STANDARD_TOPICS = 100_000;
const MAX_FIFO_TOPICS = 1_000;
const DEDUP_WINDOW_MS = 5 * 60 * 1000;
const PROTOCOLS = ['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose'] as const;
const SUBSCRIPTION_ATTRIBUTES = ['DeliveryPolicy', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'SubscriptionRoleArn', 'ReplayPolicy'];
const NAME = /^[A-Za-z0-9_-]{1,256}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;
const FIFO_NAME_MESSAGE =
  'Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.';
const E164 = /^\+[1-9]\d{1,14}$/;

// ---------------------------------------------------------------------------------------------- errors

function invalid(message: string): AwsError {
  return new AwsError('InvalidParameter', message);
}

function topicNotFound(): AwsError {
  return new AwsError('NotFound', 'Topic does not exist', { status: 404 });
}

function notAuthorized(ctx: CallContext, action: string, arn: string): AwsError {
  return new AwsError(
    'AuthorizationError',
    `User: arn:${ctx.partition}:iam::${ctx.accountId}:user/sandbox is not authorized to perform: SNS:${action} on resource: ${arn} because no resource-based policy allows the SNS:${action} action`,
    { status: 403 },
  );
}

// ---------------------------------------------------------------------------------------------- ARNs and lookups

interface ArnParts {
  partition: string;
  region: string;
  account: string;
  name: string;
}

function parseTopicArn(arn: string): ArnParts | undefined {
  const m = /^arn:(aws[a-z-]*):sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256})$/.exec(arn);
  return m ? { partition: m[1]!, region: m[2]!, account: m[3]!, name: m[4]! } : undefined;
}

/**
 * Resolves a topic ARN for an operation: malformed or of another region → InvalidParameter naming the
 * parameter (SNS answers in the caller's region only); another account → AuthorizationError (the sandbox
 * account has no grant there); otherwise the topic, or undefined when it does not exist.
 */
function lookupTopic(ctx: CallContext, arn: string, param: string, action: string): TopicRecord | undefined {
  const parts = parseTopicArn(arn);
  if (!parts || parts.region !== ctx.region) throw invalid(`Invalid parameter: ${param}`);
  if (parts.account !== ctx.accountId) throw notAuthorized(ctx, action, arn);
  return Object.hasOwn(ctx.state.sns.topics, arn) ? ctx.state.sns.topics[arn] : undefined;
}

function requireTopic(ctx: CallContext, arn: string, action: string): TopicRecord {
  const topic = lookupTopic(ctx, arn, 'TopicArn', action);
  if (!topic) throw topicNotFound();
  return topic;
}

function isFifo(topic: TopicRecord): boolean {
  return topic.Attributes.FifoTopic === 'true';
}

function topicsInScope(ctx: CallContext): TopicRecord[] {
  return Object.values(ctx.state.sns.topics).filter((t) => {
    const p = parseTopicArn(t.TopicArn);
    return p?.region === ctx.region && p.account === ctx.accountId;
  });
}

// ---------------------------------------------------------------------------------------------- pagination

/** Opaque NextToken: the last ARN of the page, so that deletions between pages do not skip items. */
function page<T>(items: T[], key: (item: T) => string, nextToken: string | undefined): { items: T[]; nextToken?: string } {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  let start = 0;
  if (nextToken !== undefined) {
    const after = Buffer.from(nextToken, 'base64url').toString('utf8');
    if (!after.startsWith('arn:') || Buffer.from(after, 'utf8').toString('base64url') !== nextToken) throw invalid('Invalid parameter: NextToken');
    start = sorted.findIndex((i) => key(i) > after);
    if (start < 0) start = sorted.length;
  }
  const slice = sorted.slice(start, start + PAGE_SIZE);
  const more = start + PAGE_SIZE < sorted.length;
  return more ? { items: slice, nextToken: Buffer.from(key(slice.at(-1)!), 'utf8').toString('base64url') } : { items: slice };
}

// ---------------------------------------------------------------------------------------------- tags

function validateTags(tags: Record<string, string>[], member = 'Tags'): Record<string, string> {
  // A Map, then fromEntries: a key such as `__proto__` stays an ordinary tag.
  const out = new Map<string, string>();
  for (const t of tags) {
    const key = t.Key;
    const value = t.Value;
    if (key === undefined || value === undefined) throw invalid(`Invalid parameter: ${member} Reason: every tag needs a Key and a Value`);
    if (key.length < 1 || key.length > 128) throw invalid(`Invalid parameter: ${member} Reason: a tag key must be 1 to 128 characters long`);
    if (value.length > 256) throw invalid(`Invalid parameter: ${member} Reason: a tag value must be at most 256 characters long`);
    out.set(key, value);
  }
  return Object.fromEntries(out);
}

function tagLimitExceeded(): AwsError {
  return new AwsError('TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded');
}

// ---------------------------------------------------------------------------------------------- topics

export interface AddTopicInput {
  Name: string;
  Attributes?: Record<string, string>;
  Tags?: Record<string, string>;
}

/**
 * CreateTopic's whole behaviour, for the API and for the seeder: validates, then returns the existing topic
 * of that name when every given attribute and tag matches it (SNS is idempotent by name), refuses when one
 * differs, or creates the topic.
 */
export function addTopic(ctx: CallContext, input: AddTopicInput): TopicRecord {
  const { Name: name } = input;
  const attributes = input.Attributes ?? {};
  const tags = input.Tags ?? {};
  const fifoAttr = attributes.FifoTopic;
  if (fifoAttr !== undefined && !['true', 'false'].includes(fifoAttr.toLowerCase())) {
    throw invalid('Invalid parameter: FifoTopic Reason: must be one of true, false');
  }
  const fifo = fifoAttr?.toLowerCase() === 'true';
  if (fifo ? !FIFO_NAME.test(name) : !NAME.test(name)) throw invalid(fifo ? FIFO_NAME_MESSAGE : 'Invalid parameter: Topic Name');
  for (const [k, v] of Object.entries(attributes)) {
    const problem = checkTopicAttribute(k, v, fifo, 'create');
    if (problem) throw invalid(problem);
  }
  validateTags(Object.entries(tags).map(([Key, Value]) => ({ Key, Value })));
  if (Object.keys(tags).length > MAX_TAGS) throw tagLimitExceeded();

  const arn = `arn:${ctx.partition}:sns:${ctx.region}:${ctx.accountId}:${name}`;
  const existing = ctx.state.sns.topics[arn];
  if (existing) {
    for (const [k, v] of Object.entries(attributes)) {
      const current = existing.Attributes[k] ?? TOPIC_ATTRIBUTES[k]?.defaultValue ?? '';
      const wanted = normaliseAttribute(k, v);
      const same = k === 'Policy' ? sameJsonTextIgnoringKeyOrder(current, wanted) : current === wanted;
      if (!same) throw invalid('Invalid parameter: Attributes Reason: Topic already exists with different attributes');
    }
    for (const [k, v] of Object.entries(tags)) {
      if (!Object.hasOwn(existing.Tags, k) || existing.Tags[k] !== v) throw invalid('Invalid parameter: Tags Reason: Topic already exists with different tags');
    }
    return existing;
  }

  const sameKind = topicsInScope(ctx).filter((t) => isFifo(t) === fifo).length;
  if (sameKind >= (fifo ? MAX_FIFO_TOPICS : MAX_STANDARD_TOPICS)) throw new AwsError('TopicLimitExceeded', 'Topic limit exceeded', { status: 403 });

  const stored: Record<string, string> = { Policy: defaultTopicPolicy(arn, ctx.accountId) };
  if (fifo) {
    stored.FifoTopic = 'true';
    stored.ContentBasedDeduplication = 'false';
  }
  for (const [k, v] of Object.entries(attributes)) {
    if (k === 'FifoTopic' || (v === '' && k !== 'DisplayName')) continue;
    stored[k] = normaliseAttribute(k, v);
  }
  const topic: TopicRecord = { TopicArn: arn, Name: name, Attributes: stored, Tags: { ...tags }, CreatedAt: ctx.now.toISOString() };
  ctx.state.sns.topics[arn] = topic;
  return topic;
}

function CreateTopic(params: QueryParams, ctx: CallContext): unknown {
  const name = params.require('Name');
  const tagList = params.structList('Tags');
  const tags = validateTags(tagList);
  if (Object.keys(tags).length > MAX_TAGS) throw tagLimitExceeded();
  const topic = addTopic(ctx, { Name: name, Attributes: params.map('Attributes'), Tags: tags });
  return { TopicArn: topic.TopicArn };
}

function subscriptionsOf(ctx: CallContext, topicArn: string): SubscriptionRecord[] {
  return Object.values(ctx.state.sns.subscriptions).filter((s) => s.TopicArn === topicArn);
}

function GetTopicAttributes(params: QueryParams, ctx: CallContext): unknown {
  const topic = requireTopic(ctx, params.require('TopicArn'), 'GetTopicAttributes');
  const subs = subscriptionsOf(ctx, topic.TopicArn);
  const pending = subs.filter((s) => s.Attributes.PendingConfirmation === 'true').length;
  const { Policy, DisplayName, ...rest } = topic.Attributes;
  const attributes: Record<string, string> = {
    Policy: Policy ?? defaultTopicPolicy(topic.TopicArn, ctx.accountId),
    Owner: ctx.accountId,
    SubscriptionsPending: String(pending),
    TopicArn: topic.TopicArn,
    EffectiveDeliveryPolicy: effectiveDeliveryPolicy(topic.Attributes.DeliveryPolicy),
    SubscriptionsConfirmed: String(subs.length - pending),
    DisplayName: DisplayName ?? '',
    SubscriptionsDeleted: String(topic.SubscriptionsDeleted ?? 0),
    ...rest,
  };
  return { Attributes: xmlMap(attributes) };
}

function SetTopicAttributes(params: QueryParams, ctx: CallContext): unknown {
  const topicArn = params.require('TopicArn');
  const name = params.require('AttributeName');
  const value = params.get('AttributeValue') ?? '';
  const topic = requireTopic(ctx, topicArn, 'SetTopicAttributes');
  const problem = checkTopicAttribute(name, value, isFifo(topic), 'set');
  if (problem) throw invalid(problem);
  if (value === '' && name !== 'DisplayName') delete topic.Attributes[name];
  else topic.Attributes[name] = normaliseAttribute(name, value);
  return undefined;
}

function DeleteTopic(params: QueryParams, ctx: CallContext): unknown {
  const arn = params.require('TopicArn');
  const topic = lookupTopic(ctx, arn, 'TopicArn', 'DeleteTopic');
  // Deleting a topic that does not exist succeeds, as on SNS. Its published messages stay readable through
  // the control API, which is how a test sees what reached a topic that a rollback deleted.
  if (!topic) return undefined;
  for (const sub of subscriptionsOf(ctx, arn)) delete ctx.state.sns.subscriptions[sub.SubscriptionArn];
  delete ctx.state.sns.topics[arn];
  return undefined;
}

function ListTopics(params: QueryParams, ctx: CallContext): unknown {
  const result = page(topicsInScope(ctx), (t) => t.TopicArn, params.get('NextToken'));
  return { Topics: result.items.map((t) => ({ TopicArn: t.TopicArn })), NextToken: result.nextToken };
}

// ---------------------------------------------------------------------------------------------- subscriptions

function validateEndpoint(protocol: string, endpoint: string, topic: TopicRecord): void {
  switch (protocol) {
    case 'http':
    case 'https': {
      let ok = endpoint.startsWith(`${protocol}://`);
      try {
        new URL(endpoint);
      } catch {
        ok = false;
      }
      if (!ok) throw invalid('Invalid parameter: Endpoint must match the specified protocol');
      return;
    }
    case 'email':
    case 'email-json':
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(endpoint)) throw invalid('Invalid parameter: Email address');
      return;
    case 'sms':
      if (!E164.test(endpoint.replace(/[\s().-]/g, ''))) throw invalid(`Invalid SMS endpoint: ${endpoint}`);
      return;
    case 'sqs':
      if (!/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(endpoint)) throw invalid('Invalid parameter: SQS endpoint ARN');
      if (endpoint.endsWith('.fifo') && !isFifo(topic)) {
        throw invalid('Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics');
      }
      return;
    case 'lambda':
      if (!/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/.test(endpoint)) {
        throw invalid('Invalid parameter: Lambda endpoint ARN');
      }
      return;
    case 'firehose':
      if (!/^arn:aws[a-z-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream\/.+$/.test(endpoint)) throw invalid('Invalid parameter: Firehose endpoint ARN');
      return;
    case 'application':
      // The sandbox has no platform applications, so no endpoint ARN can exist.
      throw invalid(`Invalid parameter: Endpoint Reason: Endpoint does not exist for endpoint arn${endpoint}`);
  }
}

function validateSubscriptionAttributes(attributes: Record<string, string>, protocol: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (!SUBSCRIPTION_ATTRIBUTES.includes(k)) throw invalid('Invalid parameter: AttributeName');
    if (k === 'RawMessageDelivery') {
      if (!['true', 'false'].includes(v.toLowerCase())) throw invalid(`Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [${v}]. Must be true or false.`);
      out[k] = v.toLowerCase();
      continue;
    }
    if (k === 'FilterPolicyScope' && !['MessageAttributes', 'MessageBody'].includes(v)) {
      throw invalid('Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value. Must be MessageAttributes or MessageBody.');
    }
    if (['DeliveryPolicy', 'FilterPolicy', 'RedrivePolicy', 'ReplayPolicy'].includes(k) && v !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        parsed = undefined;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid(`Invalid parameter: ${k}: failed to parse JSON.`);
    }
    out[k] = v;
  }
  if (protocol === 'firehose' && !out.SubscriptionRoleArn) throw invalid('Invalid parameter: Attributes Reason: SubscriptionRoleArn is required for firehose subscriptions');
  return out;
}

function Subscribe(params: QueryParams, ctx: CallContext): unknown {
  const topicArn = params.require('TopicArn');
  const protocolRaw = params.require('Protocol');
  const topic = requireTopic(ctx, topicArn, 'Subscribe');
  const protocol = protocolRaw.toLowerCase();
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw invalid(`Invalid parameter: Amazon SNS does not support this protocol string: ${protocolRaw}`);
  const endpoint = params.get('Endpoint');
  if (endpoint === undefined || endpoint === '') throw invalid('Invalid parameter: Endpoint');
  validateEndpoint(protocol, endpoint, topic);
  const attributes = validateSubscriptionAttributes(params.map('Attributes'), protocol);
  const returnArn = params.get('ReturnSubscriptionArn')?.toLowerCase() === 'true';

  const existing = subscriptionsOf(ctx, topicArn).find((s) => s.Protocol === protocol && s.Endpoint === endpoint);
  if (existing) {
    for (const [k, v] of Object.entries(attributes)) {
      if ((existing.Attributes[k] ?? (k === 'RawMessageDelivery' ? 'false' : '')) !== v) {
        throw invalid('Invalid parameter: Attributes Reason: Subscription already exists with different attributes');
      }
    }
    return { SubscriptionArn: existing.Attributes.PendingConfirmation === 'true' && !returnArn ? 'pending confirmation' : existing.SubscriptionArn };
  }

  // SNS confirms same-account AWS endpoints itself; email needs a person to click a link, and an endpoint of
  // another account needs its owner's ConfirmSubscription, so those stay pending. HTTP/HTTPS endpoints are
  // confirmed at once: the sandbox skips SNS's SubscriptionConfirmation round trip (documented in README.md).
  const endpointAccount = endpoint.startsWith('arn:') ? endpoint.split(':')[4] : undefined;
  const pending = protocol === 'email' || protocol === 'email-json' || (endpointAccount !== undefined && endpointAccount !== ctx.accountId);
  const subscriptionArn = `${topicArn}:${randomUUID()}`;
  ctx.state.sns.subscriptions[subscriptionArn] = {
    SubscriptionArn: subscriptionArn,
    TopicArn: topicArn,
    Protocol: protocol,
    Endpoint: endpoint,
    Owner: ctx.accountId,
    Attributes: {
      PendingConfirmation: String(pending),
      ConfirmationWasAuthenticated: String(!pending),
      RawMessageDelivery: 'false',
      ...attributes,
    },
  };
  return { SubscriptionArn: pending && !returnArn ? 'pending confirmation' : subscriptionArn };
}

function Unsubscribe(params: QueryParams, ctx: CallContext): unknown {
  const arn = params.require('SubscriptionArn');
  const parts = arn.split(':');
  if (!arn.startsWith('arn:') || parts.length < 6) {
    throw invalid(`Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not ${parts.length}`);
  }
  if (parts.length !== 7 || parts[2] !== 'sns') throw invalid('Invalid parameter: SubscriptionId');
  const sub = ctx.state.sns.subscriptions[arn];
  // Unsubscribing twice is not an error on SNS.
  if (!sub) return undefined;
  delete ctx.state.sns.subscriptions[arn];
  const topic = ctx.state.sns.topics[sub.TopicArn];
  if (topic) topic.SubscriptionsDeleted = (topic.SubscriptionsDeleted ?? 0) + 1;
  return undefined;
}

function ListSubscriptionsByTopic(params: QueryParams, ctx: CallContext): unknown {
  const topic = requireTopic(ctx, params.require('TopicArn'), 'ListSubscriptionsByTopic');
  const result = page(subscriptionsOf(ctx, topic.TopicArn), (s) => s.SubscriptionArn, params.get('NextToken'));
  return {
    Subscriptions: result.items.map((s) => ({
      SubscriptionArn: s.Attributes.PendingConfirmation === 'true' ? 'PendingConfirmation' : s.SubscriptionArn,
      Owner: s.Owner,
      Protocol: s.Protocol,
      Endpoint: s.Endpoint,
      TopicArn: s.TopicArn,
    })),
    NextToken: result.nextToken,
  };
}

// ---------------------------------------------------------------------------------------------- publish

/**
 * Records a message on a topic and hands it to the topic's HTTP/HTTPS subscriptions: the one path both the
 * Publish API and the inbound simulator use. Returns the MessageId.
 */
export function publishToTopic(ctx: CallContext, topicArn: string, message: string, subject?: string): string {
  if (!Object.hasOwn(ctx.state.sns.topics, topicArn)) throw topicNotFound();
  const messageId = randomUUID();
  const list = (ctx.state.sns.messages[topicArn] ??= []);
  list.push({ messageId, message, ...(subject !== undefined ? { subject } : {}), receivedAt: ctx.now.toISOString() });
  ctx.sandbox.deliverToSubscriptions(topicArn, messageId, message, subject);
  return messageId;
}

const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/;

/** MessageAttributes, checked as SNS does; returns their size in bytes (they count against the 256 KiB). */
function messageAttributesSize(params: QueryParams): number {
  let size = 0;
  for (const entry of params.structList('MessageAttributes', 'entry')) {
    const name = entry.Name ?? '';
    const type = entry['Value.DataType'];
    const value = entry['Value.StringValue'] ?? entry['Value.BinaryValue'];
    const bad = (m: string) => new AwsError('ParameterValueInvalid', m);
    if (!ATTRIBUTE_NAME.test(name)) throw bad(`Invalid message attribute name: ${name}`);
    if (!type) throw bad(`The message attribute '${name}' must contain non-empty message attribute type.`);
    if (!/^(String|Number|Binary)(\..+)?$/.test(type)) {
      throw bad(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    if (value === undefined || value === '') {
      throw bad(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    }
    if (type.startsWith('Number') && !Number.isFinite(Number(value))) throw bad(`Could not cast message attribute '${name}' value to number.`);
    size += Buffer.byteLength(name) + Buffer.byteLength(type) + Buffer.byteLength(value);
  }
  return size;
}

/** What an encrypted topic's Publish needs from KMS: the key must exist and be usable (SNS calls KMS on each Publish). */
function checkTopicKey(ctx: CallContext, keyRef: string): void {
  if (keyRef === 'alias/aws/sns' || keyRef.endsWith(':alias/aws/sns')) return;
  const kms = ctx.state.kms;
  const aliasName = keyRef.startsWith('alias/') ? keyRef : keyRef.includes(':alias/') ? keyRef.slice(keyRef.indexOf('alias/')) : undefined;
  const keyId = aliasName ? kms.aliases[aliasName]?.TargetKeyId : keyRef.includes(':key/') ? keyRef.slice(keyRef.indexOf(':key/') + 5) : keyRef;
  const key = keyId ? Object.values(kms.keys).find((k) => k.KeyId === keyId) : undefined;
  if (!key) throw new AwsError('KMSNotFound', `Invalid keyId ${keyRef}`);
  if (key.KeyState === 'Disabled') throw new AwsError('KMSDisabled', `${key.Arn} is disabled.`);
  if (key.KeyState !== 'Enabled') throw new AwsError('KMSInvalidState', `${key.Arn} is ${key.KeyState}.`);
  if (key.KeySpec !== 'SYMMETRIC_DEFAULT') throw new AwsError('KMSInvalidState', `${key.Arn} is not a symmetric encryption key; SNS supports only symmetric keys.`);
}

function Publish(params: QueryParams, ctx: CallContext): unknown {
  const message = params.get('Message');
  const subject = params.get('Subject');
  const structure = params.get('MessageStructure');
  const topicArn = params.get('TopicArn') ?? params.get('TargetArn');
  const phoneNumber = params.get('PhoneNumber');
  const groupId = params.get('MessageGroupId');
  const dedupId = params.get('MessageDeduplicationId');

  if (subject !== undefined && (subject === '' || subject.length >= 100 || /[\p{Cc}]/u.test(subject))) throw invalid('Invalid parameter: Subject');
  if (message === undefined || message === '') throw invalid('Invalid parameter: Empty message');
  if (topicArn === undefined && phoneNumber === undefined) throw invalid('Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
  if (phoneNumber !== undefined && !E164.test(phoneNumber)) throw invalid(`Invalid parameter: PhoneNumber Reason: ${phoneNumber} is not valid to publish to`);
  if (Buffer.byteLength(message) + messageAttributesSize(params) > MAX_MESSAGE_BYTES) throw invalid('Invalid parameter: Message too long');
  for (const [name, value] of [['MessageGroupId', groupId], ['MessageDeduplicationId', dedupId]] as const) {
    if (value !== undefined && !/^[\x21-\x7e]{1,128}$/.test(value)) throw invalid(`Invalid parameter: ${name} Reason: must be 1 to 128 alphanumeric or punctuation characters`);
  }

  let delivered = message;
  if (structure !== undefined) {
    if (structure !== 'json') throw invalid('Invalid parameter: MessageStructure');
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      throw invalid('Invalid parameter: Message Structure - JSON message body failed to parse');
    }
    const dflt = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>).default : undefined;
    if (typeof dflt !== 'string') throw invalid('Invalid parameter: Message Structure - No default entry in JSON message body');
    // HTTP/HTTPS subscribers get their own entry when there is one, as SNS chooses per protocol.
    const own = (parsed as Record<string, unknown>).http ?? (parsed as Record<string, unknown>).https;
    delivered = typeof own === 'string' ? own : dflt;
  }

  if (topicArn === undefined) return { MessageId: randomUUID() }; // SMS to a phone number: nothing to record on a topic.
  if (topicArn.includes(':endpoint/')) throw invalid('Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified');

  const topic = requireTopic(ctx, topicArn, 'Publish');
  let sequenceNumber: string | undefined;
  let dedupKey: string | undefined;
  if (isFifo(topic)) {
    if (!groupId) throw invalid('Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
    if (!dedupId && topic.Attributes.ContentBasedDeduplication !== 'true') {
      throw invalid('Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
    dedupKey = dedupId ?? createHash('sha256').update(message).digest('hex');
  } else if (dedupId !== undefined) {
    throw invalid('Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
  }
  if (topic.Attributes.KmsMasterKeyId) checkTopicKey(ctx, topic.Attributes.KmsMasterKeyId);

  if (dedupKey !== undefined) {
    const now = ctx.now.getTime();
    const seen = (topic.Deduplication ??= {});
    for (const [k, v] of Object.entries(seen)) if (now - Date.parse(v.at) > DEDUP_WINDOW_MS) delete seen[k];
    const earlier = seen[dedupKey];
    // A duplicate inside the 5-minute window is accepted but not delivered again.
    if (earlier) return { MessageId: earlier.messageId, SequenceNumber: earlier.sequenceNumber };
    topic.LastSequenceNumber = (topic.LastSequenceNumber ?? 0) + 1;
    sequenceNumber = (10_000_000_000_000_000_000n + BigInt(topic.LastSequenceNumber)).toString();
    const messageId = publishToTopic(ctx, topic.TopicArn, delivered, subject);
    seen[dedupKey] = { messageId, sequenceNumber, at: ctx.now.toISOString() };
    return { MessageId: messageId, SequenceNumber: sequenceNumber };
  }
  return { MessageId: publishToTopic(ctx, topic.TopicArn, delivered, subject) };
}

// ---------------------------------------------------------------------------------------------- tagging

function requireTaggable(ctx: CallContext, arn: string, action: string): TopicRecord {
  const parts = parseTopicArn(arn);
  if (!parts || parts.region !== ctx.region) throw invalid('Invalid parameter: ResourceArn');
  if (parts.account !== ctx.accountId) throw notAuthorized(ctx, action, arn);
  const topic = ctx.state.sns.topics[arn];
  if (!topic) throw new AwsError('ResourceNotFound', 'Resource does not exist', { status: 404 });
  return topic;
}

function TagResource(params: QueryParams, ctx: CallContext): unknown {
  const arn = params.require('ResourceArn');
  if (!params.hasPrefix('Tags')) throw invalid('Invalid parameter: Tags');
  const tags = validateTags(params.structList('Tags'));
  const topic = requireTaggable(ctx, arn, 'TagResource');
  const merged = { ...topic.Tags, ...tags };
  if (Object.keys(merged).length > MAX_TAGS) throw tagLimitExceeded();
  topic.Tags = merged;
  return {};
}

function UntagResource(params: QueryParams, ctx: CallContext): unknown {
  const arn = params.require('ResourceArn');
  if (!params.hasPrefix('TagKeys')) throw invalid('Invalid parameter: TagKeys');
  const keys = params.list('TagKeys');
  if (keys.some((k) => k.length < 1 || k.length > 128)) throw invalid('Invalid parameter: TagKeys Reason: a tag key must be 1 to 128 characters long');
  const topic = requireTaggable(ctx, arn, 'UntagResource');
  for (const k of keys) delete topic.Tags[k];
  return {};
}

function ListTagsForResource(params: QueryParams, ctx: CallContext): unknown {
  const topic = requireTaggable(ctx, params.require('ResourceArn'), 'ListTagsForResource');
  return { Tags: Object.entries(topic.Tags).map(([Key, Value]) => ({ Key, Value })) };
}
