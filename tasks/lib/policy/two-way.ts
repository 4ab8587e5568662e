import { SMS_VOICE_SERVICE_PRINCIPAL } from './builders';
import { evaluate, evaluateKeyAccess } from './evaluate';
import { parseArn } from './match';
import { PolicyParseError } from './parse';
import type { AccessRequest, ContextValue, EvaluationResult, PolicySource, RequestPrincipal } from './types';

export interface TwoWayRoleInput {
  arn: string;
  trustPolicy: string;
  /** Inline and attached managed policies alike. */
  permissionPolicies: { name: string; document: string }[];
}

export interface TwoWayTopicInput {
  arn: string;
  /** The topic policy (SNS always has one; pass what GetTopicAttributes returns). */
  policy?: string;
  fifo: boolean;
}

export interface TwoWayKeyInput {
  arn: string;
  keyId: string;
  keySpec: string;
  keyState: string;
  keyManager: 'AWS' | 'CUSTOMER';
  policy: string;
  /** How the topic names the key (e.g. `alias/aws/sns`), for explanations. */
  alias?: string;
}

/** Everything on the path of one inbound message, as configured on the number (or its pool). */
export interface TwoWayDeliveryInput {
  accountId: string;
  region: string;
  partition: string;
  /** The phone number's ARN, or the pool's when the pool's two-way settings apply. */
  originArn: string;
  channel: 'sns' | 'connect';
  /** The configured `TwoWayChannelArn` (explanations use it when the topic is missing). */
  channelArn?: string;
  /** The configured `TwoWayChannelRole`; give it without `role` when no such role exists. */
  roleArn?: string;
  role?: TwoWayRoleInput;
  topic?: TwoWayTopicInput;
  /** The topic's `KmsMasterKeyId`; give it without `key` when it names no existing key. */
  keyRef?: string;
  key?: TwoWayKeyInput;
  /** Connect destinations: the instance the number is imported into, and whether the import is CLAIMED. */
  connect?: { instanceArn?: string; numberImported: boolean; phoneNumberArn?: string };
}

/** The checks, in the order AWS meets them for an inbound message. */
export type TwoWayCheckName =
  | 'topic-exists'
  | 'topic-standard'
  | 'role-exists'
  | 'role-trust'
  | 'role-sns-publish'
  | 'topic-policy-publish'
  | 'key-exists'
  | 'key-customer-managed'
  | 'key-symmetric'
  | 'key-enabled'
  | 'kms-generate-data-key'
  | 'kms-decrypt'
  | 'role-connect-send'
  | 'connect-number-imported';

export interface TwoWayCheck {
  check: TwoWayCheckName;
  passed: boolean;
  result: EvaluationResult;
}

export interface TwoWayDeliveryResult {
  deliverable: boolean;
  /** `role`: the service assumes the two-way channel role; `service-principal`: topic and key policies grant the service. */
  path: 'role' | 'service-principal';
  checks: TwoWayCheck[];
  /** The first failing check's explanation. */
  reason?: string;
}

const SERVICE: RequestPrincipal = { type: 'Service', id: SMS_VOICE_SERVICE_PRINCIPAL };

function dnsSuffix(partition: string): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

const fact = (passed: boolean, explanation: string): EvaluationResult => ({
  decision: passed ? 'Allow' : 'ImplicitDeny',
  deciding: [],
  explanation,
});

/** Runs an evaluation; a malformed policy document denies with an explanation that names it. */
function guarded(label: string, run: () => EvaluationResult): EvaluationResult {
  try {
    return run();
  } catch (err) {
    if (err instanceof PolicyParseError) return fact(false, `the ${label} is not a valid policy document (${err.message}), so it allows nothing: fix it`);
    throw err;
  }
}

/**
 * Decides whether an inbound SMS reaches its two-way destination, modelling what AWS does: the service
 * assumes the channel role (trust policy, with the confused-deputy context) and publishes with the role's
 * permissions, or, without a role, publishes as `sms-voice.amazonaws.com` under the topic policy; an encrypted
 * topic needs the KMS key to let the publisher generate and decrypt data keys through SNS. Every check is run
 * (so a preflight can report them all); `reason` is the first failing one.
 */
export function evaluateTwoWayDelivery(input: TwoWayDeliveryInput): TwoWayDeliveryResult {
  const checks: TwoWayCheck[] = [];
  const add = (check: TwoWayCheckName, result: EvaluationResult): void => {
    checks.push({ check, passed: result.decision === 'Allow', result });
  };
  const roleArn = input.role?.arn ?? input.roleArn;
  const path: TwoWayDeliveryResult['path'] = roleArn !== undefined || input.channel === 'connect' ? 'role' : 'service-principal';
  const sourceContext: Record<string, ContextValue> = {
    'aws:SourceAccount': input.accountId,
    'aws:SourceArn': input.originArn,
    'aws:SecureTransport': true,
  };

  if (input.channel === 'sns') {
    const topicArn = input.topic?.arn ?? input.channelArn ?? '(no topic configured)';
    if (!input.topic) add('topic-exists', fact(false, `the two-way destination topic ${topicArn} does not exist: create it or point the number at an existing standard topic`));
    else if (input.topic.fifo) add('topic-standard', fact(false, `topic ${topicArn} is a FIFO topic; two-way SMS delivers only to standard topics: use a standard topic`));
    else add('topic-standard', fact(true, `topic ${topicArn} is a standard topic`));
  }

  if (path === 'role') roleChecks(input, roleArn, sourceContext, add);
  if (input.channel === 'sns' && input.topic) {
    if (path === 'role') {
      if (input.role) rolePublish(input, input.role, input.topic, add);
    } else {
      servicePublish(input, input.topic, sourceContext, add);
    }
    if (input.key || input.keyRef) keyChecks(input, input.topic, path, sourceContext, add);
  }
  if (input.channel === 'connect') connectChecks(input, add);

  const failed = checks.find((c) => !c.passed);
  return { deliverable: failed === undefined, path, checks, ...(failed ? { reason: failed.result.explanation } : {}) };
}

type Add = (check: TwoWayCheckName, result: EvaluationResult) => void;

function roleChecks(input: TwoWayDeliveryInput, roleArn: string | undefined, sourceContext: Record<string, ContextValue>, add: Add): void {
  if (roleArn === undefined) {
    add('role-exists', fact(false, `a ${input.channel === 'connect' ? 'Connect' : 'role-based'} two-way destination needs a two-way channel role (TwoWayChannelRole) that ${SMS_VOICE_SERVICE_PRINCIPAL} can assume, and none is set`));
    return;
  }
  const role = input.role;
  if (!role) {
    add('role-exists', fact(false, `the two-way channel role ${roleArn} does not exist: create it with a trust policy for ${SMS_VOICE_SERVICE_PRINCIPAL}`));
    return;
  }
  const label = `trust policy of role ${role.arn}`;
  add(
    'role-trust',
    guarded(label, () =>
      evaluate({ principal: SERVICE, action: 'sts:AssumeRole', resource: role.arn, context: sourceContext }, [{ label, kind: 'resource', document: role.trustPolicy }]),
    ),
  );
}

function identitySources(role: TwoWayRoleInput): PolicySource[] {
  return role.permissionPolicies.map((p) => ({ label: `permission policy "${p.name}" of role ${role.arn}`, kind: 'identity' as const, document: p.document }));
}

function roleRequest(input: TwoWayDeliveryInput, role: TwoWayRoleInput, action: string, resource: string, extra: Record<string, ContextValue> = {}): AccessRequest {
  return {
    principal: { type: 'AWS', arn: role.arn },
    action,
    resource,
    context: {
      'aws:PrincipalArn': role.arn,
      'aws:PrincipalAccount': input.accountId,
      'aws:PrincipalType': 'AssumedRole',
      'aws:RequestedRegion': input.region,
      'aws:SecureTransport': true,
      'aws:ResourceAccount': parseArn(resource)?.account || input.accountId,
      ...extra,
    },
  };
}

function withoutPolicies(role: TwoWayRoleInput, result: EvaluationResult): EvaluationResult {
  if (role.permissionPolicies.length > 0 || result.decision !== 'ImplicitDeny') return result;
  return { ...result, explanation: `role ${role.arn} has no permission policies; ${result.explanation}` };
}

function rolePublish(input: TwoWayDeliveryInput, role: TwoWayRoleInput, topic: TwoWayTopicInput, add: Add): void {
  const topicLabel = `topic policy of ${topic.arn}`;
  const sources: PolicySource[] = [...identitySources(role), ...(topic.policy ? [{ label: topicLabel, kind: 'resource' as const, document: topic.policy }] : [])];
  add(
    'role-sns-publish',
    guarded(`permission policies of role ${role.arn} or the ${topicLabel}`, () =>
      withoutPolicies(role, evaluate(roleRequest(input, role, 'sns:Publish', topic.arn), sources)),
    ),
  );
}

function servicePublish(input: TwoWayDeliveryInput, topic: TwoWayTopicInput, sourceContext: Record<string, ContextValue>, add: Add): void {
  const label = `topic policy of ${topic.arn}`;
  if (!topic.policy) {
    add('topic-policy-publish', fact(false, `topic ${topic.arn} has no topic policy, so nothing allows ${SMS_VOICE_SERVICE_PRINCIPAL} sns:Publish on it: add a statement for it, or use a two-way channel role`));
    return;
  }
  const request: AccessRequest = {
    principal: SERVICE,
    action: 'sns:Publish',
    resource: topic.arn,
    context: { ...sourceContext, 'aws:ResourceAccount': parseArn(topic.arn)?.account || input.accountId },
  };
  add('topic-policy-publish', guarded(label, () => evaluate(request, [{ label, kind: 'resource', document: topic.policy! }])));
}

function keyChecks(input: TwoWayDeliveryInput, topic: TwoWayTopicInput, path: TwoWayDeliveryResult['path'], sourceContext: Record<string, ContextValue>, add: Add): void {
  const key = input.key;
  if (!key) {
    add('key-exists', fact(false, `topic ${topic.arn} is encrypted with KMS key ${input.keyRef}, which does not exist: point KmsMasterKeyId at an existing symmetric key`));
    return;
  }
  const name = key.alias ? `${key.alias} (${key.arn})` : key.arn;
  if (path === 'service-principal') {
    add(
      'key-customer-managed',
      key.keyManager === 'CUSTOMER'
        ? fact(true, `key ${name} is customer managed`)
        : fact(
            false,
            `topic ${topic.arn} is encrypted with the AWS-managed key ${name}, whose key policy cannot be edited to allow ${SMS_VOICE_SERVICE_PRINCIPAL}: ` +
              `without a two-way channel role use a customer-managed symmetric key whose policy allows ${SMS_VOICE_SERVICE_PRINCIPAL} kms:GenerateDataKey* and kms:Decrypt, or use a two-way channel role`,
          ),
    );
  }
  add(
    'key-symmetric',
    fact(key.keySpec === 'SYMMETRIC_DEFAULT', key.keySpec === 'SYMMETRIC_DEFAULT' ? `key ${name} is symmetric` : `key ${name} has key spec ${key.keySpec}; SNS encrypts only with symmetric keys (SYMMETRIC_DEFAULT): use a symmetric key`),
  );
  add('key-enabled', fact(key.keyState === 'Enabled', key.keyState === 'Enabled' ? `key ${name} is enabled` : `key ${name} is ${key.keyState}, not Enabled: enable it (or use another key)`));

  const label = `key policy of key ${key.arn}`;
  const encryptionContext: Record<string, ContextValue> = {
    'kms:EncryptionContext:aws:sns:topicArn': topic.arn,
    'kms:EncryptionContextKeys': ['aws:sns:topicArn'],
    // Inferred: SNS uses the key on the publisher's behalf, so the request comes via SNS.
    'kms:ViaService': `sns.${input.region}.${dnsSuffix(input.partition)}`,
  };
  for (const [check, action] of [
    ['kms-generate-data-key', 'kms:GenerateDataKey'],
    ['kms-decrypt', 'kms:Decrypt'],
  ] as const) {
    if (path === 'role') {
      const role = input.role;
      if (!role) continue;
      const request = roleRequest(input, role, action, key.arn, {
        ...encryptionContext,
        'kms:CallerAccount': input.accountId,
        'aws:CalledVia': ['sns.amazonaws.com'],
        'aws:CalledViaFirst': 'sns.amazonaws.com',
        'aws:CalledViaLast': 'sns.amazonaws.com',
        'aws:ViaAWSService': true,
      });
      add(check, guarded(`${label} or the permission policies of role ${role.arn}`, () =>
        evaluateKeyAccess({ request, keyPolicy: { label, kind: 'resource', document: key.policy }, identityPolicies: identitySources(role), keyAccountId: parseArn(key.arn)?.account || input.accountId }),
      ));
    } else {
      const request: AccessRequest = { principal: SERVICE, action, resource: key.arn, context: { ...sourceContext, ...encryptionContext } };
      add(check, guarded(label, () => evaluateKeyAccess({ request, keyPolicy: { label, kind: 'resource', document: key.policy } })));
    }
  }
}

function connectChecks(input: TwoWayDeliveryInput, add: Add): void {
  const role = input.role;
  if (role) {
    const resource = input.connect?.instanceArn ?? '*';
    add(
      'role-connect-send',
      guarded(`permission policies of role ${role.arn}`, () =>
        withoutPolicies(role, evaluate(roleRequest(input, role, 'connect:SendChatIntegrationEvent', resource), identitySources(role))),
      ),
    );
  }
  const imported = input.connect?.numberImported === true;
  const number = input.connect?.phoneNumberArn ?? input.originArn;
  add(
    'connect-number-imported',
    fact(
      imported,
      imported
        ? `${number} is imported into Connect instance ${input.connect?.instanceArn ?? ''}`.trim()
        : `phone number ${number} is not imported into an Amazon Connect instance (or its import is not CLAIMED yet): import it with ImportPhoneNumber (SourcePhoneNumberArn ${number})`,
    ),
  );
}
