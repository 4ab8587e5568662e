import { canonicalJson } from '../json';
import { parsePolicy, PolicyParseError } from './parse';

/** The service principal of End User Messaging SMS (it delivers inbound messages). */
export const SMS_VOICE_SERVICE_PRINCIPAL = 'sms-voice.amazonaws.com';
/** Sid of the trust-policy statement (as in AWS's documentation). */
export const TRUST_POLICY_SID = 'SMSVoice';
/** Sid of the statement this project adds to a topic policy (no-role path); shared by every number. */
export const TOPIC_POLICY_SID = 'SMSVoiceTwoWayPublish';
/** Sid of the statement this project adds to a KMS key policy (encrypted topic, no-role path). */
export const KEY_POLICY_SID = 'SMSVoiceTwoWayEncryptedTopic';

/** A policy statement as JSON (what the builders return and `mergeStatement` takes). */
export interface StatementJson {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | Record<string, string | string[]>;
  NotPrincipal?: Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

export interface PolicyDocumentJson {
  Version: '2012-10-17' | '2008-10-17';
  Id?: string;
  Statement: StatementJson[];
}

/** `sms-voice` ARNs of an account and region: the `aws:SourceArn` a confused-deputy condition expects. */
export function smsVoiceSourceArnPattern(p: { accountId: string; region: string; partition: string }): string {
  return `arn:${p.partition}:sms-voice:${p.region}:${p.accountId}:*`;
}

/** Trust policy of a two-way channel role (SNS and Connect alike). */
export function twoWayTrustPolicy(p: { accountId: string }): PolicyDocumentJson {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: TRUST_POLICY_SID,
        Effect: 'Allow',
        Principal: { Service: SMS_VOICE_SERVICE_PRINCIPAL },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': p.accountId } },
      },
    ],
  };
}

/**
 * Permission policy of a role for an SNS destination (the second statement matters only for an encrypted topic).
 * Several topics (a role kept for numbers that store different channels) are listed together in both statements.
 */
export function snsDestinationRolePolicy(p: { accountId: string; topicArn: string | readonly string[] }): PolicyDocumentJson {
  const topics = typeof p.topicArn === 'string' ? p.topicArn : p.topicArn.length === 1 ? p.topicArn[0]! : [...p.topicArn];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'SMSVoiceAllowSNSPublish',
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: topics,
        Condition: { StringEquals: { 'aws:ResourceAccount': p.accountId } },
      },
      {
        Sid: 'SMSVoiceAllowEncryptedSNSTopics',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topics, 'aws:CalledViaLast': 'sns.amazonaws.com' },
        },
      },
    ],
  };
}

/** Permission policy of a role for a Connect destination. */
export function connectDestinationRolePolicy(): PolicyDocumentJson {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['connect:SendChatIntegrationEvent'], Resource: ['*'] }],
  };
}

/** Path and name of the managed policy that bounds every role this service creates (`<prefix>-channel-role-boundary`). */
export const CHANNEL_ROLE_BOUNDARY = { path: '/two-way-sms/', nameSuffix: 'channel-role-boundary' } as const;

export function channelRoleBoundaryName(prefix = 'two-way-sms'): string {
  return `${prefix}-${CHANNEL_ROLE_BOUNDARY.nameSuffix}`;
}

/** The boundary policy's ARN (IAM policies are global: no region). */
export function channelRoleBoundaryArn(p: { partition: string; accountId: string; prefix?: string }): string {
  return `arn:${p.partition}:iam::${p.accountId}:policy${CHANNEL_ROLE_BOUNDARY.path}${channelRoleBoundaryName(p.prefix)}`;
}

/**
 * The permissions boundary of every two-way channel role this service creates: the most such a role may ever do,
 * whatever inline policy it is given later (by this service, or by anyone holding the task roles' permissions).
 * Exactly what delivery needs: publish to a topic of this account and region, use a key only through SNS (the
 * encrypted-topic statement of the SNS role policy), and hand an inbound message to Connect. One source for the
 * CDK stack (the managed policy) and the local runtime (the same policy created in the sandbox at start).
 */
export function channelRoleBoundaryPolicy(p: { partition: string; region: string; accountId: string }): PolicyDocumentJson {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'TwoWayPublish', Effect: 'Allow', Action: 'sns:Publish', Resource: `arn:${p.partition}:sns:${p.region}:${p.accountId}:*` },
      {
        Sid: 'TwoWayEncryptedTopicsThroughSns',
        Effect: 'Allow',
        // What kms:GenerateDataKey* of the role policy needs for SNS (symmetric data keys), spelt out: a boundary
        // names no action it does not mean.
        Action: ['kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt'],
        Resource: '*',
        // The same key the SNS role policy uses (docs/domain.md §2): only when SNS, acting for the role, calls KMS.
        Condition: { StringEquals: { 'aws:CalledViaLast': 'sns.amazonaws.com' } },
      },
      { Sid: 'TwoWayConnect', Effect: 'Allow', Action: 'connect:SendChatIntegrationEvent', Resource: '*' },
    ],
  };
}

/**
 * Topic-policy statement letting the service publish without a role. The conditions are the confused-deputy
 * protection AWS recommends: only this account's End User Messaging resources in this region may use it.
 */
export function topicPolicyStatement(p: { accountId: string; region: string; partition: string; topicArn: string }): StatementJson {
  return {
    Sid: TOPIC_POLICY_SID,
    Effect: 'Allow',
    Principal: { Service: SMS_VOICE_SERVICE_PRINCIPAL },
    Action: 'sns:Publish',
    Resource: p.topicArn,
    Condition: {
      StringEquals: { 'aws:SourceAccount': p.accountId },
      ArnLike: { 'aws:SourceArn': smsVoiceSourceArnPattern(p) },
    },
  };
}

/** Key-policy statement letting the service use the key of an encrypted topic on the no-role path. */
export function keyPolicyStatement(p: { accountId: string; region: string; partition: string }): StatementJson {
  return {
    Sid: KEY_POLICY_SID,
    Effect: 'Allow',
    Principal: { Service: SMS_VOICE_SERVICE_PRINCIPAL },
    Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    Resource: '*',
    Condition: {
      StringEquals: { 'aws:SourceAccount': p.accountId },
      ArnLike: { 'aws:SourceArn': smsVoiceSourceArnPattern(p) },
    },
  };
}

/**
 * The policy SNS gives a topic created without one (what GetTopicAttributes returns as `Policy`): the owner
 * account may use the topic. It does not let `sms-voice.amazonaws.com` publish.
 */
export function defaultTopicPolicy(p: { accountId: string; topicArn: string }): object {
  return {
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
        Resource: p.topicArn,
        Condition: { StringEquals: { 'AWS:SourceOwner': p.accountId } },
      },
    ],
  };
}

/**
 * The policy of the AWS-managed key `alias/aws/sns`: any principal of the account may use it through SNS;
 * the account may read its metadata. It cannot be edited, so it can never name `sms-voice.amazonaws.com`.
 */
export function awsManagedSnsKeyPolicy(p: { accountId: string; region: string; partition: string }): object {
  const suffix = p.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return {
    Version: '2012-10-17',
    Id: 'auto-sns-1',
    Statement: [
      {
        Sid: 'Allow access through SNS for all principals in the account that are authorized to use SNS',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:ListGrants', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': `sns.${p.region}.${suffix}`, 'kms:CallerAccount': p.accountId } },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:${p.partition}:iam::${p.accountId}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
        Resource: '*',
      },
    ],
  };
}

/**
 * A statement rewritten so that its canonical JSON ignores what IAM's grammar ignores besides key order: a
 * one-element array stands for its element (`"a"` is `["a"]`), and the order of a longer array's items does not
 * count (each item becomes its canonical text, and those are sorted).
 */
function policyForm(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(policyForm);
    return items.length === 1 ? items[0] : items.map(canonicalJson).sort();
  }
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, policyForm(x)]));
  return v;
}

/** Whether two statements mean the same to IAM: equal but for key order, array order and `"a"` against `["a"]`. */
function sameMeaning(a: unknown, b: unknown): boolean {
  return canonicalJson(policyForm(a)) === canonicalJson(policyForm(b));
}

/** Reads a document for editing: its raw JSON (so other statements stay exactly as they are) after validating it. */
function readForEdit(policyDoc: string | undefined): { raw: Record<string, unknown>; statements: unknown[] } | undefined {
  if (policyDoc === undefined || policyDoc.trim() === '') return undefined;
  parsePolicy(policyDoc);
  const raw = JSON.parse(policyDoc) as Record<string, unknown>;
  const statements = Array.isArray(raw.Statement) ? [...(raw.Statement as unknown[])] : [raw.Statement];
  return { raw, statements };
}

const sidOf = (s: unknown): unknown => (typeof s === 'object' && s !== null ? (s as Record<string, unknown>).Sid : undefined);

/**
 * Adds `statement` to the policy, or replaces the statement with the same Sid; every other statement is kept
 * as it is. `changed` is false (and the document returned as given) when an equivalent statement with that
 * Sid is already there. An empty or missing document becomes a new one. Throws `PolicyParseError` for a
 * malformed document or a statement without a Sid.
 */
export function mergeStatement(policyDoc: string | undefined, statement: StatementJson): { document: string; changed: boolean } {
  if (!statement.Sid) throw new PolicyParseError([{ path: 'Sid', message: 'mergeStatement needs a statement with a Sid' }]);
  parsePolicy({ Version: '2012-10-17', Statement: [statement] });
  const current = readForEdit(policyDoc);
  if (!current) return { document: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }), changed: true };
  const at = current.statements.findIndex((s) => sidOf(s) === statement.Sid);
  if (at >= 0 && sameMeaning(current.statements[at], statement)) return { document: policyDoc!, changed: false };
  const statements = [...current.statements];
  if (at >= 0) statements[at] = statement;
  else statements.push(statement);
  return { document: JSON.stringify({ ...current.raw, Statement: statements }), changed: true };
}

/** Removes the statement with this Sid, keeping every other one; `changed` is false when there is none. */
export function removeStatement(policyDoc: string | undefined, sid: string): { document: string; changed: boolean } {
  const current = readForEdit(policyDoc);
  if (!current) return { document: policyDoc ?? '', changed: false };
  const statements = current.statements.filter((s) => sidOf(s) !== sid);
  if (statements.length === current.statements.length) return { document: policyDoc!, changed: false };
  return { document: JSON.stringify({ ...current.raw, Statement: statements }), changed: true };
}
