import { createHash } from 'node:crypto';
import { DescribeKeyCommand, GetKeyPolicyCommand, NotFoundException, InvalidArnException } from '@aws-sdk/client-kms';
import type { TaskDeps } from './context';
import { classifyAwsError, DestinationNotUsable } from './errors';
import { sameJsonTextIgnoringKeyOrder } from './json';
import { mergeStatement, removeStatement, SMS_VOICE_SERVICE_PRINCIPAL, type StatementJson } from './policy';
import type { AccessRequest, ContextValue } from './policy';

/**
 * KMS helpers shared by EnsureTopic, EnsureAccess, MergeKeyPolicy and UndoKeyPolicy: resolving and vetting the
 * key of an encrypted topic, reading a key policy, the statement that lets a two-way role use a key, and the
 * request context SNS presents to KMS when a publisher writes to an encrypted topic.
 */

/** KMS counts a key policy in bytes: "The key policy size quota is 32 kilobytes (32768 bytes)". */
export const MAX_KEY_POLICY_BYTES = 32_768;

/** Key policies are always named `default` (GetKeyPolicy/PutKeyPolicy). */
export const KEY_POLICY_NAME = 'default';

export interface TopicKey {
  /** How the topic (or the request) names the key: id, ARN, alias name or alias ARN. */
  ref: string;
  arn: string;
  keyId: string;
  keyManager: 'AWS' | 'CUSTOMER';
  keySpec: string;
  keyState: string;
}

/**
 * Resolves the key a topic is (or will be) encrypted with, and refuses one SNS cannot use: SNS encrypts only
 * with symmetric encryption keys, and only while the key is Enabled. `field` names the request field (or the
 * topic) the key came from, so the message points at what to change.
 */
export async function resolveTopicKey(deps: Pick<TaskDeps, 'kms'>, ref: string, field: string): Promise<TopicKey> {
  let meta;
  try {
    meta = (await deps.kms.send(new DescribeKeyCommand({ KeyId: ref }))).KeyMetadata;
  } catch (e) {
    if (e instanceof NotFoundException || e instanceof InvalidArnException) {
      throw new DestinationNotUsable(`${field}: KMS key ${ref} does not exist in this account and region: name an existing symmetric key`, { field, cause: e });
    }
    throw classifyAwsError(e, `kms:DescribeKey ${ref}`);
  }
  if (!meta?.Arn || !meta.KeyId) throw new DestinationNotUsable(`${field}: KMS DescribeKey returned no metadata for ${ref}`, { field });
  const keySpec = meta.KeySpec ?? meta.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
  const keyState = meta.KeyState ?? (meta.Enabled ? 'Enabled' : 'Disabled');
  const name = ref === meta.Arn ? ref : `${ref} (${meta.Arn})`;
  if (keySpec !== 'SYMMETRIC_DEFAULT' || (meta.KeyUsage !== undefined && meta.KeyUsage !== 'ENCRYPT_DECRYPT')) {
    const kind = keySpec.startsWith('HMAC_') ? 'an HMAC key' : keySpec === 'SYMMETRIC_DEFAULT' ? `not an encryption key (${meta.KeyUsage})` : 'asymmetric';
    throw new DestinationNotUsable(`${field}: key ${name} is ${kind} (${keySpec}); SNS needs a symmetric key (SYMMETRIC_DEFAULT): use a symmetric encryption key`, { field });
  }
  if (keyState !== 'Enabled') {
    throw new DestinationNotUsable(`${field}: key ${name} is ${keyState}; SNS can encrypt only with an Enabled key: enable it or use another key`, { field });
  }
  return { ref, arn: meta.Arn, keyId: meta.KeyId, keyManager: meta.KeyManager === 'AWS' ? 'AWS' : 'CUSTOMER', keySpec, keyState };
}

/** The key policy (`default`) as KMS stores it. */
export async function readKeyPolicy(deps: Pick<TaskDeps, 'kms'>, keyArn: string): Promise<string> {
  try {
    const out = await deps.kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: KEY_POLICY_NAME }));
    return out.Policy ?? '';
  } catch (e) {
    throw classifyAwsError(e, `kms:GetKeyPolicy ${keyArn}`);
  }
}

/** True when `policy` holds a statement with `statement`'s Sid and the same meaning. */
export function hasStatement(policy: string, statement: StatementJson): boolean {
  return !mergeStatement(policy, statement).changed;
}

/** The statement with this Sid in a policy document, as written (undefined when absent or unparsable). */
export function statementWithSid(policy: string | undefined, sid: string): StatementJson | undefined {
  if (!policy) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(policy);
  } catch {
    return undefined;
  }
  const list = (raw as { Statement?: unknown }).Statement;
  const statements = Array.isArray(list) ? list : list === undefined ? [] : [list];
  return statements.find((s): s is StatementJson => typeof s === 'object' && s !== null && (s as { Sid?: unknown }).Sid === sid);
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Sid of the key-policy statement that lets one two-way role use a key (role path, for a key whose policy does
 * not delegate to the account). It is derived from the role ARN — `SMSVoiceTwoWayRole` + 16 hex digits of its
 * SHA-256 — so it is fixed for a role, and several roles sharing one key get one statement each that can be
 * added and removed independently. (The no-role statement uses `KEY_POLICY_SID`, shared by every number.)
 */
export function roleKeyStatementSid(roleArn: string): string {
  return `SMSVoiceTwoWayRole${createHash('sha256').update(roleArn).digest('hex').slice(0, 16)}`;
}

/** Lets `roleArn` generate and decrypt data keys with the key, only through SNS in this region. */
export function roleKeyStatement(p: { roleArn: string; region: string; partition: string }): StatementJson {
  return {
    Sid: roleKeyStatementSid(p.roleArn),
    Effect: 'Allow',
    Principal: { AWS: p.roleArn },
    Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    Resource: '*',
    Condition: { StringEquals: { 'kms:ViaService': `sns.${p.region}.${dnsSuffix(p.partition)}` } },
  };
}

function dnsSuffix(partition: string): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/**
 * The request KMS sees when a two-way role publishes to an encrypted topic: SNS calls KMS on the role's behalf
 * with the topic ARN as encryption context. The same context the delivery decision (policy/two-way.ts) uses.
 */
export function roleKmsRequest(p: { roleArn: string; keyArn: string; topicArn: string; accountId: string; region: string; partition: string }, action: 'kms:GenerateDataKey' | 'kms:Decrypt'): AccessRequest {
  const context: Record<string, ContextValue> = {
    'aws:PrincipalArn': p.roleArn,
    'aws:PrincipalAccount': p.accountId,
    'aws:PrincipalType': 'AssumedRole',
    'aws:RequestedRegion': p.region,
    'aws:SecureTransport': true,
    'aws:ResourceAccount': p.keyArn.split(':')[4] || p.accountId,
    'kms:EncryptionContext:aws:sns:topicArn': p.topicArn,
    'kms:EncryptionContextKeys': ['aws:sns:topicArn'],
    'kms:ViaService': `sns.${p.region}.${dnsSuffix(p.partition)}`,
    'kms:CallerAccount': p.accountId,
    'aws:CalledVia': ['sns.amazonaws.com'],
    'aws:CalledViaFirst': 'sns.amazonaws.com',
    'aws:CalledViaLast': 'sns.amazonaws.com',
    'aws:ViaAWSService': true,
  };
  return { principal: { type: 'AWS', arn: p.roleArn }, action, resource: p.keyArn, context };
}

/** The lease that serializes writers of one key policy (PutKeyPolicy is last-writer-wins). */
export function keyLease(keyArn: string): string {
  return `key:${keyArn}`;
}

/**
 * Without a role, the service principal itself must be allowed by the key policy, and an AWS-managed key's
 * policy cannot be edited. Refused before anything is changed.
 */
export function refuseAwsManagedWithoutRole(key: Pick<TopicKey, 'ref' | 'keyManager'>, field: string): void {
  if (key.keyManager !== 'AWS') return;
  const shown = key.ref.startsWith('alias/') ? key.ref.slice('alias/'.length) : key.ref;
  throw new DestinationNotUsable(
    `${field}: the AWS-managed key ${shown} cannot grant ${SMS_VOICE_SERVICE_PRINCIPAL} (its key policy cannot be edited); use a customer managed key or a two-way role (access.type "role")`,
    { field },
  );
}

/**
 * A policy document with the statement a provisioning added taken out again (its ledger entry records the
 * document `before` it wrote, what it `written`, and any `previous` statement of the same Sid it replaced).
 * Unchanged since the write (the same JSON, whatever its form: KMS and SNS keep a document as written): the
 * original document goes back byte for byte, exactly as it was. Otherwise only our statement
 * is taken out (or the one it replaced put back), keeping what others changed since.
 */
export function documentWithoutOurs(policy: string, sid: string, data: Record<string, unknown>): string {
  const previous = data.previous as StatementJson | undefined;
  const before = data.before as string | undefined;
  if (before !== undefined && sameJsonTextIgnoringKeyOrder(policy, data.written as string | undefined)) return before;
  return previous ? mergeStatement(policy, previous).document : removeStatement(policy, sid).document;
}
