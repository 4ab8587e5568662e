/**
 * Topic attributes as SNS knows them: which names CreateTopic and SetTopicAttributes accept, what each value
 * must look like, and what SNS reports for the attributes nobody set (the default policy, the effective
 * delivery policy). Validators return the full InvalidParameter message, or undefined when the value is fine.
 */

import { defaultTopicPolicy as sharedDefaultTopicPolicy } from '../../../../tasks/lib/policy';

type Validator = (value: string) => string | undefined;

interface AttributeRule {
  /** Accepted by SetTopicAttributes (FifoTopic is fixed at creation). */
  readonly settable: boolean;
  readonly only?: 'fifo' | 'standard';
  readonly validate: Validator;
  /** What SNS reports/compares when the attribute was never set. */
  readonly defaultValue?: string;
}

const MAX_POLICY_BYTES = 30 * 1024;

function oneOf(name: string, allowed: readonly string[], caseInsensitive = false): Validator {
  return (v) => {
    const ok = caseInsensitive ? allowed.includes(v.toLowerCase()) : allowed.includes(v);
    return ok ? undefined : `Invalid parameter: ${name} Reason: must be one of ${allowed.join(', ')}`;
  };
}

function jsonObject(name: string, allowEmpty: boolean): Validator {
  return (v) => {
    if (v === '' && allowEmpty) return undefined;
    try {
      const parsed: unknown = JSON.parse(v);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return undefined;
    } catch {
      // reported below
    }
    return `Invalid parameter: ${name} Reason: must be a JSON object`;
  };
}

function roleArn(name: string): Validator {
  return (v) => (v === '' || /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(v) ? undefined : `Invalid parameter: ${name} Reason: must be an IAM role ARN`);
}

function sampleRate(name: string): Validator {
  return (v) => (/^(100|[1-9]?\d)$/.test(v) ? undefined : `Invalid parameter: ${name} Reason: must be an integer from 0 to 100`);
}

/** SNS rejects a policy it cannot parse with `Policy Error: null`; the other checks name what is wrong. */
export const validatePolicy: Validator = (v) => {
  if (Buffer.byteLength(v, 'utf8') > MAX_POLICY_BYTES) return 'Invalid parameter: Policy Error: the policy exceeds the maximum size of 30 KB';
  let doc: unknown;
  try {
    doc = JSON.parse(v);
  } catch {
    return 'Invalid parameter: Policy Error: null';
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'Invalid parameter: Policy Error: null';
  const statement = (doc as Record<string, unknown>).Statement;
  const statements = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  if (statements.length === 0) return 'Invalid parameter: Policy Error: Missing required field Statement';
  for (const s of statements) {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return 'Invalid parameter: Policy Error: Statement must be an object';
    const st = s as Record<string, unknown>;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') return 'Invalid parameter: Policy Error: Statement Effect must be Allow or Deny';
    if (st.Principal === undefined && st.NotPrincipal === undefined) return 'Invalid parameter: Policy Error: Missing required field Principal';
    const actions = st.Action ?? st.NotAction;
    if (actions === undefined) return 'Invalid parameter: Policy Error: Missing required field Action';
    const list = Array.isArray(actions) ? actions : [actions];
    if (list.some((a) => typeof a !== 'string' || !(a === '*' || /^sns:/i.test(a)))) {
      return 'Invalid parameter: Policy statement action out of service scope!';
    }
    const resource = st.Resource ?? st.NotResource;
    if (Array.isArray(resource) && resource.length > 1) return 'Invalid parameter: Policy statement must apply to a single resource!';
  }
  return undefined;
};

const FEEDBACK_PROTOCOLS = ['HTTP', 'Firehose', 'Lambda', 'Application', 'SQS'] as const;

export const TOPIC_ATTRIBUTES: Readonly<Record<string, AttributeRule>> = {
  Policy: { settable: true, validate: validatePolicy },
  DisplayName: {
    settable: true,
    defaultValue: '',
    validate: (v) => (v.length <= 100 ? undefined : 'Invalid parameter: DisplayName Reason: must be at most 100 characters long'),
  },
  DeliveryPolicy: { settable: true, validate: jsonObject('DeliveryPolicy', true) },
  KmsMasterKeyId: {
    settable: true,
    validate: (v) => (v.length <= 2048 ? undefined : 'Invalid parameter: KmsMasterKeyId Reason: must be at most 2048 characters long'),
  },
  TracingConfig: { settable: true, only: 'standard', defaultValue: 'PassThrough', validate: oneOf('TracingConfig', ['PassThrough', 'Active']) },
  SignatureVersion: { settable: true, defaultValue: '1', validate: oneOf('SignatureVersion', ['1', '2']) },
  FifoTopic: { settable: false, defaultValue: 'false', validate: oneOf('FifoTopic', ['true', 'false'], true) },
  ContentBasedDeduplication: { settable: true, only: 'fifo', defaultValue: 'false', validate: oneOf('ContentBasedDeduplication', ['true', 'false'], true) },
  FifoThroughputScope: { settable: true, only: 'fifo', defaultValue: 'Topic', validate: oneOf('FifoThroughputScope', ['Topic', 'MessageGroup']) },
  ArchivePolicy: { settable: true, only: 'fifo', validate: jsonObject('ArchivePolicy', true) },
  ...Object.fromEntries(
    FEEDBACK_PROTOCOLS.flatMap((p) => [
      [`${p}SuccessFeedbackRoleArn`, { settable: true, validate: roleArn(`${p}SuccessFeedbackRoleArn`) }],
      [`${p}FailureFeedbackRoleArn`, { settable: true, validate: roleArn(`${p}FailureFeedbackRoleArn`) }],
      [`${p}SuccessFeedbackSampleRate`, { settable: true, validate: sampleRate(`${p}SuccessFeedbackSampleRate`) }],
    ]),
  ),
};

/** Booleans are stored as SNS reports them: lower case. Policies are stored minified, as SNS returns them. */
export function normaliseAttribute(name: string, value: string): string {
  if (name === 'FifoTopic' || name === 'ContentBasedDeduplication') return value.toLowerCase();
  if (name === 'Policy') return JSON.stringify(JSON.parse(value));
  return value;
}

/** Checks one attribute for a topic of the given kind; returns the InvalidParameter message or undefined. */
export function checkTopicAttribute(name: string, value: string, fifo: boolean, via: 'create' | 'set'): string | undefined {
  const rule = Object.hasOwn(TOPIC_ATTRIBUTES, name) ? TOPIC_ATTRIBUTES[name] : undefined;
  if (!rule || (via === 'set' && !rule.settable)) {
    return via === 'set' ? 'Invalid parameter: AttributeName' : `Invalid parameter: Attributes Reason: Invalid attribute name: ${name}`;
  }
  const problem = rule.validate(value);
  if (problem) return problem;
  if (rule.only === 'fifo' && !fifo) return `Invalid parameter: ${name} Reason: ${name} can only be set for FIFO topics`;
  if (rule.only === 'standard' && fifo && !(name === 'TracingConfig' && value === 'PassThrough')) {
    return `Invalid parameter: ${name} Reason: ${name} is only supported on standard topics`;
  }
  return undefined;
}

/** The policy SNS attaches to a topic created without one (one definition, shared with the tasks' builders). */
export function defaultTopicPolicy(topicArn: string, accountId: string): string {
  return JSON.stringify(sharedDefaultTopicPolicy({ accountId, topicArn }));
}

const DEFAULT_HTTP_DELIVERY = {
  defaultHealthyRetryPolicy: {
    minDelayTarget: 20,
    maxDelayTarget: 20,
    numRetries: 3,
    numMaxDelayRetries: 0,
    numNoDelayRetries: 0,
    numMinDelayRetries: 0,
    backoffFunction: 'linear',
  },
  disableSubscriptionOverrides: false,
  defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
};

/** The account's HTTP delivery defaults, overlaid with the topic's own `DeliveryPolicy.http` when it has one. */
export function effectiveDeliveryPolicy(deliveryPolicy: string | undefined): string {
  let own: Record<string, unknown> = {};
  if (deliveryPolicy) {
    const parsed = JSON.parse(deliveryPolicy) as Record<string, unknown>;
    if (typeof parsed.http === 'object' && parsed.http !== null) own = parsed.http as Record<string, unknown>;
  }
  return JSON.stringify({ http: { ...DEFAULT_HTTP_DELIVERY, ...own } });
}
