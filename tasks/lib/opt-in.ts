import { ListResourceTagsCommand, type KMSClient } from '@aws-sdk/client-kms';
import { ListTagsForResourceCommand, type SNSClient } from '@aws-sdk/client-sns';
import { channelKindOf, readKeyInput, readTopicInput } from './delivery';
import { ROLE_PATH, TAGS } from './context';
import { roleKeyStatement, roleKmsRequest } from './key';
import { evaluateKeyAccess, keyPolicyStatement, mergeStatement, snsDestinationRolePolicy, topicPolicyStatement, type PolicySource } from './policy';

/**
 * The opt-in for resources this service did not create (docs/least-privilege.md): the account owner
 * tags a topic or a KMS key `two-way-sms:allow` = `true` before the service may change it. Only changes need it:
 * `sns:SetTopicAttributes` (the topic policy, on the topicPolicy path) of a topic the service did not create,
 * and `kms:PutKeyPolicy` of a customer managed key. Reading, publishing through a role, or a policy that already
 * holds what is needed change nothing and need no opt-in. The deployed task roles hold those two permissions only
 * under the same tag condition (`aws:ResourceTag/two-way-sms:allow`), so this check and IAM agree; doing it here
 * first turns an AccessDenied halfway through into a refusal, with the way out, before anything changed.
 *
 * One module for the API (refuses at request time, 403) and the tasks (refuse right before they would write,
 * so an execution started directly is held to the same rule).
 */

export const OPT_IN_TAG_KEY = 'two-way-sms:allow';
export const OPT_IN_TAG_VALUE = 'true';

export type OptInKind = 'topic' | 'key';

export interface OptInVerdict {
  allowed: boolean;
  /** `opted-in`: tagged by its owner; `created-by-service`: a topic this service created (tagged as ours). */
  reason: 'opted-in' | 'created-by-service' | 'not-opted-in';
  /** When not allowed: what is refused and how to opt in (names the resource and the exact command). */
  message?: string;
}

/** Tags as a Map: tag keys are user input and must never be looked up on a plain object's prototype. */
export type Tags = ReadonlyMap<string, string>;

/** The decision for a topic whose policy the workflow would change. */
export function topicOptIn(topicArn: string, tags: Tags): OptInVerdict {
  if (tags.get(TAGS.managedBy) === TAGS.managedByValue) return { allowed: true, reason: 'created-by-service' };
  if (tags.get(OPT_IN_TAG_KEY) === OPT_IN_TAG_VALUE) return { allowed: true, reason: 'opted-in' };
  return { allowed: false, reason: 'not-opted-in', message: optInMessage('topic', topicArn, tags) };
}

/** The decision for a customer managed key whose key policy the workflow would change (keys are never ours). */
export function keyOptIn(keyArn: string, tags: Tags): OptInVerdict {
  if (tags.get(OPT_IN_TAG_KEY) === OPT_IN_TAG_VALUE) return { allowed: true, reason: 'opted-in' };
  return { allowed: false, reason: 'not-opted-in', message: optInMessage('key', keyArn, tags) };
}

/** What is refused, why, and the one command that opts the resource in (plus the alternative that needs none). */
export function optInMessage(kind: OptInKind, arn: string, tags: Tags): string {
  const current = tags.get(OPT_IN_TAG_KEY);
  const has = current === undefined ? `it has no ${OPT_IN_TAG_KEY} tag` : `its ${OPT_IN_TAG_KEY} tag is '${current}', not '${OPT_IN_TAG_VALUE}'`;
  if (kind === 'topic') {
    return (
      `topic ${arn} was not created by this service and is not opted in (${has}): the topicPolicy path would change its policy ` +
      `(sns:SetTopicAttributes, adding a statement that lets sms-voice.amazonaws.com publish). ` +
      `To allow it, tag the topic ${OPT_IN_TAG_KEY}=${OPT_IN_TAG_VALUE}: ` +
      `aws sns tag-resource --resource-arn ${arn} --tags Key=${OPT_IN_TAG_KEY},Value=${OPT_IN_TAG_VALUE} ; ` +
      `or use a two-way role (access.type "role"), which leaves the topic policy alone`
    );
  }
  return (
    `KMS key ${arn} is not opted in (${has}): delivering to its encrypted topic needs a statement added to its key policy (kms:PutKeyPolicy). ` +
    `To allow it, tag the key ${OPT_IN_TAG_KEY}=${OPT_IN_TAG_VALUE}: ` +
    `aws kms tag-resource --key-id ${arn} --tags TagKey=${OPT_IN_TAG_KEY},TagValue=${OPT_IN_TAG_VALUE} ; ` +
    `or add the statement to the key policy yourself`
  );
}

/** A topic's tags (SNS ListTagsForResource; not paginated: a topic has at most 50 tags). SDK errors propagate. */
export async function readTopicTags(sns: Pick<SNSClient, 'send'>, topicArn: string): Promise<Tags> {
  const out = await sns.send(new ListTagsForResourceCommand({ ResourceArn: topicArn }));
  return new Map((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** A key's tags (KMS ListResourceTags, every page). SDK errors propagate. */
export async function readKeyTags(kms: Pick<KMSClient, 'send'>, keyId: string): Promise<Tags> {
  const tags = new Map<string, string>();
  let marker: string | undefined;
  do {
    const out = await kms.send(new ListResourceTagsCommand({ KeyId: keyId, ...(marker ? { Marker: marker } : {}) }));
    for (const t of out.Tags ?? []) tags.set(t.TagKey ?? '', t.TagValue ?? '');
    marker = out.Truncated ? out.NextMarker : undefined;
  } while (marker);
  return tags;
}

export async function checkTopicOptIn(sns: Pick<SNSClient, 'send'>, topicArn: string): Promise<OptInVerdict> {
  return topicOptIn(topicArn, await readTopicTags(sns, topicArn));
}

export async function checkKeyOptIn(kms: Pick<KMSClient, 'send'>, keyArn: string): Promise<OptInVerdict> {
  return keyOptIn(keyArn, await readKeyTags(kms, keyArn));
}

// ---- would the workflow write? ------------------------------------------------------------------------------
// The same pure decisions EnsureAccess and MergeKeyPolicy make before they write, so that the API asks for an
// opt-in exactly when the workflow would need one.

export interface Location {
  accountId: string;
  region: string;
  partition: string;
}

/** True when the topicPolicy path would write the topic policy (our statement is missing or differs). */
export function topicPolicyWouldChange(policy: string | undefined, where: Location & { topicArn: string }): boolean {
  return mergeStatement(policy, topicPolicyStatement(where)).changed;
}

/**
 * True when the role could use the key through SNS without a statement of ours: the key policy (without our
 * statement for the role) and the role's permission policies together allow both data-key actions.
 */
export function roleUsesKeyWithout(policy: string, p: Location & { roleArn: string; keyArn: string; topicArn: string; identityPolicies: PolicySource[] }): boolean {
  const sid = roleKeyStatement({ roleArn: p.roleArn, region: p.region, partition: p.partition }).Sid!;
  const without = withoutSid(policy, sid);
  return (['kms:GenerateDataKey', 'kms:Decrypt'] as const).every(
    (action) =>
      evaluateKeyAccess({
        request: roleKmsRequest({ roleArn: p.roleArn, keyArn: p.keyArn, topicArn: p.topicArn, accountId: p.accountId, region: p.region, partition: p.partition }, action),
        keyPolicy: { label: `key policy of key ${p.keyArn}`, kind: 'resource', document: without },
        identityPolicies: p.identityPolicies,
        keyAccountId: p.accountId,
      }).decision === 'Allow',
  );
}

/**
 * True when MergeKeyPolicy would write the key policy of a customer managed key: without a role, when the
 * service statement is missing; with a role, when the role's statement is missing and the role could not use
 * the key without it.
 */
export function keyPolicyWouldChange(
  policy: string,
  p: Location & { keyArn: string; topicArn: string } & ({ access: 'topicPolicy' } | { access: 'role'; roleArn: string; identityPolicies: PolicySource[] }),
): boolean {
  if (p.access === 'topicPolicy') return mergeStatement(policy, keyPolicyStatement(p)).changed;
  if (!mergeStatement(policy, roleKeyStatement(p)).changed) return false;
  return !roleUsesKeyWithout(policy, p);
}

function withoutSid(policy: string, sid: string): string {
  let raw: { Statement?: unknown };
  try {
    raw = JSON.parse(policy) as { Statement?: unknown };
  } catch {
    return policy;
  }
  if (raw === null || typeof raw !== 'object') return policy;
  const list = Array.isArray(raw.Statement) ? raw.Statement : raw.Statement === undefined ? [] : [raw.Statement];
  return JSON.stringify({ ...raw, Statement: list.filter((s) => (s as { Sid?: unknown } | null)?.Sid !== sid) });
}

// ---- would an undo write? ------------------------------------------------------------------------------------

/**
 * When an undo of this request would have to change a key policy that is not opted in, the refusal to give now,
 * before anything changes; otherwise `undefined`. The case: the number delivers today to an encrypted topic without
 * a role, and the request gives it a role. AWS cannot clear that role, so an undo keeps it and makes it serve the
 * topic again (docs/reversibility.md); if the topic's customer managed key does not let such a role use it by
 * itself (no account delegation), the undo must add the role's statement to the key policy, which needs the key's
 * opt-in. Refusing now beats an undo that ends ROLLBACK_FAILED with the number no longer receiving.
 * Reads: SNS GetTopicAttributes, KMS DescribeKey, GetKeyPolicy, ListResourceTags. SDK errors propagate.
 */
export async function undoKeyRefusal(
  clients: { sns: Pick<SNSClient, 'send'>; kms: Pick<KMSClient, 'send'> },
  where: Location,
  before: { enabled: boolean; channelArn?: string; channelRole?: string },
  setsRole: boolean,
): Promise<string | undefined> {
  if (!setsRole || before.channelRole || !before.enabled || !before.channelArn || channelKindOf(before.channelArn) !== 'sns') return undefined;
  const topicArn = before.channelArn;
  // The same readers as the delivery verdict: a topic or key that does not exist needs nothing of an undo.
  const topic = await readTopicInput(clients, topicArn);
  const key = topic?.kmsMasterKeyId ? await readKeyInput(clients, topic.kmsMasterKeyId) : undefined;
  if (!key || key.keyManager === 'AWS') return undefined;
  const { arn: keyArn, policy } = key;
  // Any role of ours would do: what matters is whether the key policy lets IAM policies (the kept role's) grant it.
  const roleArn = `arn:${where.partition}:iam::${where.accountId}:role${ROLE_PATH}kept-role`;
  const identityPolicies = [{ label: 'the kept role policy', kind: 'identity' as const, document: JSON.stringify(snsDestinationRolePolicy({ accountId: where.accountId, topicArn })) }];
  if (roleUsesKeyWithout(policy, { ...where, roleArn, keyArn, topicArn, identityPolicies })) return undefined;
  const verdict = await checkKeyOptIn(clients.kms, keyArn);
  if (verdict.allowed) return undefined;
  return (
    `an undo of this provisioning could not give the number back its inbound SMS: it delivers today to topic ${topicArn} without a role; AWS cannot clear the role this request sets, ` +
    `so an undo keeps that role serving the topic, and the topic's key ${keyArn} lets a role use it only through a statement in its key policy. ` +
    `${verdict.message ?? 'The key is not opted in.'} Or keep the topic-policy path (access.type "topicPolicy"), which sets no role`
  );
}
