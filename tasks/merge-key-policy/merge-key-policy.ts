import { LimitExceededException, MalformedPolicyDocumentException, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { auditScope, type TaskDeps, type TaskEvent } from '../lib/context';
import { AwsTransientError, classifyAwsError, DestinationNotUsable, InvalidInput, KeyPolicyConflict, NotOptedIn } from '../lib/errors';
import {
  byteLength,
  hasStatement,
  KEY_POLICY_NAME,
  keyLease,
  MAX_KEY_POLICY_BYTES,
  readKeyPolicy,
  refuseAwsManagedWithoutRole,
  roleKeyStatement,
  statementWithSid,
} from '../lib/key';
import { keyPolicyStatement, mergeStatement, PolicyParseError, type StatementJson } from '../lib/policy';
import { checkKeyOptIn, roleUsesKeyWithout } from '../lib/opt-in';
import { ProvisionRequest, parseOrThrow } from '../lib/request';
import type { AccessResult, KeyResult, NumberResult, TopicResult } from '../lib/results';
import { readRole, roleNameOf } from '../lib/role';

/**
 * MergeKeyPolicy (encrypted SNS topics): makes the topic's KMS key usable by whoever publishes. Without a role
 * that is `sms-voice.amazonaws.com`, through the shared statement `KEY_POLICY_SID`; with a role, the role —
 * through the account delegation when the key policy has it and the role's IAM policy allows, otherwise through
 * a statement naming the role. Writers of one key policy are serialized by a lease and the result is read back.
 */
export async function mergeKeyPolicy(event: TaskEvent, deps: TaskDeps): Promise<KeyResult> {
  const request = parseOrThrow(ProvisionRequest, event.request, 'request');
  const number = event.results.number as NumberResult | undefined;
  const topic = event.results.topic as TopicResult | undefined;
  const access = event.results.access as AccessResult | undefined;
  if (!number?.id) throw new InvalidInput('results.number is missing: ValidateNumber must run before MergeKeyPolicy', { field: 'results.number' });
  if (!topic?.arn) throw new InvalidInput('results.topic is missing: EnsureTopic must run before MergeKeyPolicy', { field: 'results.topic' });
  if (!access?.mode) throw new InvalidInput('results.access is missing: EnsureAccess must run before MergeKeyPolicy', { field: 'results.access' });
  if (!topic.keyArn) return { action: 'unencrypted' };

  const keyArn = topic.keyArn;
  const keyManager = topic.keyManager ?? 'CUSTOMER';
  const ctx: Ctx = { event, deps, request, number, topic, keyArn };

  if (access.mode === 'topicPolicy') {
    refuseAwsManagedWithoutRole({ ref: topic.kmsMasterKeyId ?? keyArn, keyManager }, 'destination.topic');
    const statement = keyPolicyStatement({ accountId: number.accountId, region: number.region, partition: number.partition });
    return mergeOwnStatement(ctx, statement, keyArn, 'service', () => false);
  }

  if (!access.roleArn) throw new InvalidInput('results.access.roleArn is missing for the role path', { field: 'results.access.roleArn' });
  const roleArn = access.roleArn;
  if (keyManager === 'AWS') {
    // The AWS-managed key's policy lets every principal of the account use it through SNS (kms:ViaService +
    // kms:CallerAccount), and the role publishes as such a principal: nothing to add, nothing we could add.
    await recordSkipped(ctx, { keyArn, reason: 'AWS-managed key: its policy allows account principals through SNS' });
    return { keyArn, action: 'present' };
  }
  const statement = roleKeyStatement({ roleArn, region: number.region, partition: number.partition });
  const role = await readRole(deps, roleNameOf(roleArn));
  if (!role) throw new DestinationNotUsable(`role ${roleArn} no longer exists (deleted after EnsureAccess)`, { field: 'destination.access.role' });
  const identityPolicies = [...role.inline.map((p) => ({ name: p.name, document: p.document })), ...role.attached.map((p) => ({ name: p.arn, document: p.document }))].map((p) => ({
    label: `permission policy "${p.name}" of role ${roleArn}`,
    kind: 'identity' as const,
    document: p.document,
  }));
  // Already allowed without our statement (the key policy delegates to the account and the role's IAM policy
  // allows, or some statement names the role): nothing to add. The API asks the same question (lib/opt-in.ts).
  const allowedWithout = (policy: string): boolean =>
    roleUsesKeyWithout(policy, { roleArn, keyArn, topicArn: topic.arn, accountId: number.accountId, region: number.region, partition: number.partition, identityPolicies });
  return mergeOwnStatement(ctx, statement, `${keyArn}#${roleArn}`, 'role', allowedWithout, roleArn, access.roleCreated === true);
}

interface Ctx {
  event: TaskEvent;
  deps: TaskDeps;
  request: ProvisionRequest;
  number: NumberResult;
  topic: TopicResult;
  keyArn: string;
}

async function recordSkipped(ctx: Ctx, data: Record<string, unknown>): Promise<void> {
  const prior = await ctx.deps.ledger.get(ctx.request.provisioningId, 'keyStatement');
  if (prior && prior.status !== 'skipped' && prior.status !== 'undone') return;
  await ctx.deps.ledger.set(ctx.request.provisioningId, 'keyStatement', 'skipped', { ...data, targetId: ctx.number.id });
}

/**
 * Adds `statement` (our fixed Sid) to the key policy unless it is there already or not needed, under the key's
 * lease: read, merge (every other statement kept as it is), check the 32 KB quota, write, read back.
 */
async function mergeOwnStatement(
  ctx: Ctx,
  statement: StatementJson,
  refResource: string,
  kind: 'service' | 'role',
  allowedWithout: (policy: string) => boolean,
  roleArn?: string,
  roleJustCreated = false,
): Promise<KeyResult> {
  const { deps, request, number, event, keyArn } = ctx;
  const provisioningId = request.provisioningId;
  // Recorded before the policy is read: a concurrent undo of another provisioning then keeps the statement.
  await deps.refs.add('keyStatement', refResource, provisioningId, number.id);
  return deps.locks.withLease(keyLease(keyArn), event.executionArn, deps.config.keyLeaseMs, async () => {
    const policy = await readKeyPolicy(deps, keyArn);
    let merged: { document: string; changed: boolean };
    try {
      merged = mergeStatement(policy, statement);
    } catch (e) {
      if (!(e instanceof PolicyParseError)) throw e;
      await deps.refs.remove('keyStatement', refResource, provisioningId);
      throw new DestinationNotUsable(`the key policy of ${keyArn} is not a policy document this service can edit (${e.message})`, { field: 'destination.topic', cause: e });
    }
    const prior = await deps.ledger.get(provisioningId, 'keyStatement');
    const ours = (prior?.status === 'intent' || prior?.status === 'done') && prior.data.sid === statement.Sid;
    if (!merged.changed) {
      if (ours) {
        if (prior.status !== 'done') await deps.ledger.set(provisioningId, 'keyStatement', 'done', { ...prior.data, added: true });
        return { keyArn, action: 'added' };
      }
      await recordSkipped(ctx, { keyArn, sid: statement.Sid, refResource, kind, reason: 'statement already present: not added by this provisioning' });
      return { keyArn, action: 'present' };
    }
    if (!ours && allowedWithout(policy)) {
      // Not relying on a statement of ours, so no reference to it either.
      await deps.refs.remove('keyStatement', refResource, provisioningId);
      await recordSkipped(ctx, { keyArn, kind, reason: 'the key policy already lets the role use the key (account delegation and its IAM policy, or a statement naming it)' });
      return { keyArn, action: 'present' };
    }
    const size = byteLength(merged.document);
    if (size > MAX_KEY_POLICY_BYTES) {
      await deps.refs.remove('keyStatement', refResource, provisioningId);
      throw tooLarge(keyArn, size);
    }
    // Keys are never ours: a key policy is changed only with its owner's opt-in (lib/opt-in.ts), checked now that
    // it is known the policy must change, before anything is written.
    const optIn = await checkKeyOptIn(deps.kms, keyArn).catch((e: unknown) => Promise.reject(classifyAwsError(e, `kms:ListResourceTags ${keyArn}`)));
    if (!optIn.allowed) {
      await deps.refs.remove('keyStatement', refResource, provisioningId);
      throw new NotOptedIn(optIn.message!, { field: 'destination.topic' });
    }
    const previous = ours ? prior.data.previous : statementWithSid(policy, statement.Sid!);
    // `before`/`written` let the undo put the original document back as it was, if nobody changed it since.
    const data = { keyArn, sid: statement.Sid, refResource, kind, targetId: number.id, statement, ...(roleArn ? { roleArn } : {}), ...(previous ? { previous } : {}), before: policy, written: merged.document };
    await deps.ledger.set(provisioningId, 'keyStatement', 'intent', data);
    await deps.audit.record(
      auditScope(request, number.id, event.executionArn),
      { step: event.state, action: 'kms:PutKeyPolicy', resourceArn: keyArn, before: policy },
      () =>
        // Never BypassPolicyLockoutSafetyCheck: KMS must still verify that the policy does not lock anyone out.
        deps.kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: KEY_POLICY_NAME, Policy: merged.document })).catch((e: unknown) => {
          if (e instanceof LimitExceededException) return Promise.reject(tooLarge(keyArn, size, e));
          if (e instanceof MalformedPolicyDocumentException && kind === 'role' && roleJustCreated) {
            // KMS checks that principals exist, and a role created seconds ago may not be visible to it yet.
            return Promise.reject(new AwsTransientError(`kms:PutKeyPolicy ${keyArn}: KMS does not accept role ${roleArn} as a principal yet (IAM propagation)`, { cause: e }));
          }
          if (e instanceof MalformedPolicyDocumentException) {
            return Promise.reject(new DestinationNotUsable(`KMS refuses the merged key policy of ${keyArn}: ${e.message}`, { field: 'destination.topic', cause: e }));
          }
          return Promise.reject(classifyAwsError(e, `kms:PutKeyPolicy ${keyArn}`));
        }),
      () => ({ policy: merged.document }),
    );
    // PutKeyPolicy is last-writer-wins: a writer that does not take our lease could have replaced it already.
    const readBack = await readKeyPolicy(deps, keyArn);
    if (!hasStatement(readBack, statement)) {
      throw new KeyPolicyConflict(`the key policy of ${keyArn} lacks statement ${statement.Sid} right after it was written: another writer replaced it; retrying`);
    }
    await deps.ledger.set(provisioningId, 'keyStatement', 'done', { ...data, added: true });
    return { keyArn, action: 'added' };
  });
}

function tooLarge(keyArn: string, size: number, cause?: unknown): DestinationNotUsable {
  return new DestinationNotUsable(
    `the key policy of ${keyArn} would be ${size} bytes with the two-way statement, over KMS's limit of ${MAX_KEY_POLICY_BYTES} bytes (32 KB): remove unneeded statements from it, or use another key`,
    { field: 'destination.topic', ...(cause ? { cause } : {}) },
  );
}
