import { GetTopicAttributesCommand, NotFoundException, SetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { topicPolicyLease } from '../ensure-access/ensure-access';
import { auditScope, TAGS, type TaskDeps, type TaskEvent } from '../lib/context';
import { compensationInput, type CompensationRequest } from '../lib/undo';
import { creatorOf, keepForOthers } from '../lib/hand-over';
import { classifyAwsError, CompensationFailed, TaskError } from '../lib/errors';
import { documentWithoutOurs, hasStatement, statementWithSid } from '../lib/key';
import type { LedgerEntry } from '../lib/store';
import { defaultTopicPolicy, type StatementJson } from '../lib/policy';
import { ProvisionRequest } from '../lib/request';
import type { AccessResult, NumberResult, TopicResult, UndoResult } from '../lib/results';
import { targetsNamingRole } from '../lib/number';
import { grantRetainedRoleKeys, repointRetainedRole } from '../lib/retained-role';
import { RETAINED_ROLE_REASON } from '../lib/reversibility';
import { defaultRoleName, deleteRole, readRole, roleArnFor, roleLease, roleNameOf, type RoleView } from '../lib/role';


/**
 * UndoAccess (rollback and deprovisioning, SNS and Connect): deletes the two-way role this provisioning created,
 * or removes the topic-policy statement it added, once no other provisioning depends on it. A role or statement
 * it found in place is never touched. Idempotent; a no-op when EnsureAccess/EnsureConnectRole never ran.
 */
export async function undoAccess(event: TaskEvent, deps: TaskDeps): Promise<UndoResult> {
  const { request, undoId } = compensationInput(event);
  const result: UndoResult = { undone: [], kept: [] };

  const role = await deps.ledger.get(undoId, 'role');
  const roleArn = (role?.data.roleArn as string | undefined) ?? roleArnOf(event, undoId);
  if (roleArn) {
    // Our reference goes first, whatever the ledger says: the role tasks record it before relying on the role.
    await deps.refs.remove('role', roleArn, undoId);
    if (role) await guarded(`role ${roleArn}`, 'role', role, undoId, () => undoRole(event, deps, request, undoId, role, roleArn, result));
  }

  const statement = await deps.ledger.get(undoId, 'topicStatement');
  const topicArn = (statement?.data.topicArn as string | undefined) ?? statementTopicOf(event);
  if (topicArn) {
    await deps.refs.remove('topicStatement', topicArn, undoId);
    if (statement) await guarded(`the topic-policy statement on ${topicArn}`, 'topicStatement', statement, undoId, () => undoStatement(event, deps, request, undoId, statement, topicArn, result));
  }
  return result;
}

/** Transient failures are rethrown for the ASL to retry; anything else fails the compensation, saying what is left. */
async function guarded(what: string, name: string, entry: LedgerEntry, undoId: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const classified = classifyAwsError(e, `UndoAccess ${what}`);
    if (classified instanceof TaskError && classified.retryable) throw classified;
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new CompensationFailed(`could not undo ${what} (${why}); left: ledger entry ${name} of provisioning ${undoId} (${entry.status}), ${what}`, { cause: e });
  }
}

function targetOf(request: CompensationRequest, entry: LedgerEntry): string {
  return (entry.data.targetId as string | undefined) ?? request.phoneNumberId ?? request.poolId ?? 'unknown';
}

async function undoRole(event: TaskEvent, deps: TaskDeps, request: CompensationRequest, undoId: string, entry: LedgerEntry, roleArn: string, result: UndoResult): Promise<void> {
  if (entry.status === 'undone') return;
  if (entry.status === 'skipped') {
    result.kept.push(`role ${roleArn}: not created by provisioning ${undoId}, left as it is`);
    return;
  }
  await deps.locks.withLease(roleLease(roleArn), event.executionArn, deps.config.keyLeaseMs, async () => {
    const others = await deps.refs.others('role', roleArn, undoId);
    if (others.length > 0) {
      const reason = await keepForOthers(deps, 'role', entry, undoId, others);
      result.kept.push(`role ${roleArn}: ${reason}`);
      return;
    }
    const role = await readRole(deps, (entry.data.roleName as string | undefined) ?? roleNameOf(roleArn));
    if (!role) {
      // Never created (the entry stayed `intent`), or deleted since: nothing to delete.
      await deps.ledger.set(undoId, 'role', 'undone', { ...entry.data, absent: true });
      return;
    }
    // UndoTwoWay ran first: a number that still names the role (AWS cannot clear TwoWayChannelRole) would
    // drop every inbound message if the role went. Keep it, serving exactly what those numbers now point at.
    const naming = await targetsNamingRole(deps, role.arn);
    if (naming.length > 0) {
      await retainRole(event, deps, request, undoId, entry, role, naming, result);
      return;
    }
    const creator = creatorOf(entry, undoId);
    if (role.tags[TAGS.managedBy] !== TAGS.managedByValue || role.tags[TAGS.provisioningId] !== creator) {
      const reason = `no longer tagged as created by provisioning ${creator} (tag ${TAGS.provisioningId} is ${role.tags[TAGS.provisioningId] ?? 'absent'}): not deleted`;
      await deps.ledger.set(undoId, 'role', 'undone', { ...entry.data, kept: reason });
      result.kept.push(`role ${role.arn}: ${reason}`);
      return;
    }
    await deleteRole(deps, role, { scope: auditScope(request, targetOf(request, entry), event.executionArn), step: event.state });
    await deps.ledger.set(undoId, 'role', 'undone', { ...entry.data, deleted: true });
    result.undone.push(`deleted role ${role.arn}`);
  });
}

async function retainRole(
  event: TaskEvent,
  deps: TaskDeps,
  request: CompensationRequest,
  undoId: string,
  entry: LedgerEntry,
  role: RoleView,
  naming: Awaited<ReturnType<typeof targetsNamingRole>>,
  result: UndoResult,
): Promise<void> {
  const ids = naming.map((t) => t.id).join(', ');
  const scope = auditScope(request, targetOf(request, entry), event.executionArn);
  if (role.tags[TAGS.managedBy] !== TAGS.managedByValue) {
    // Not provably ours any more: neither deleted nor changed.
    const reason = `${RETAINED_ROLE_REASON} (named by ${ids}); no longer tagged as created by this service, so left unchanged`;
    await deps.ledger.set(undoId, 'role', 'undone', { ...entry.data, retained: true, kept: reason, namedBy: naming.map((t) => t.id) });
    result.kept.push(`role ${role.arn}: ${reason}`);
    return;
  }
  const [, partition = 'aws', , , accountId = ''] = role.arn.split(':');
  const { serves } = await repointRetainedRole(deps, role, accountId, naming.map((t) => t.config), { scope, step: event.state });
  // The key of an encrypted topic may trust only the service principal, which a role does not replace.
  const repointed = (await readRole(deps, role.name)) ?? role;
  const topics = serves.filter((c) => c.startsWith('arn:'));
  const keys = await grantRetainedRoleKeys(deps, repointed, { accountId, region: deps.config.region, partition }, topics, { scope, step: event.state, owner: event.executionArn });
  const reason = `${RETAINED_ROLE_REASON}: ${ids} still name${naming.length === 1 ? 's' : ''} it; it now allows only delivery to ${serves.join(', ') || '(no destination)'}${keys.added.length ? `, with its own statement in key polic${keys.added.length === 1 ? 'y' : 'ies'} ${keys.added.map((k) => k.split('#')[0]).join(', ')}` : ''}${keys.refused.length ? `; ${keys.refused.join('; ')}` : ''}`;
  await deps.audit.append(scope, { phase: 'note', step: event.state, action: 'two-way-sms:RetainRole', resourceArn: role.arn, note: reason });
  await deps.ledger.set(undoId, 'role', 'undone', { ...entry.data, retained: true, kept: reason, namedBy: naming.map((t) => t.id), serves, ...(keys.added.length ? { keyStatements: keys.added } : {}) });
  result.kept.push(`role ${role.arn}: ${reason}`);
}

async function undoStatement(event: TaskEvent, deps: TaskDeps, request: CompensationRequest, undoId: string, entry: LedgerEntry, topicArn: string, result: UndoResult): Promise<void> {
  if (entry.status === 'undone') return;
  const sid = entry.data.sid as string | undefined;
  if (entry.status === 'skipped' || !sid) {
    result.kept.push(`topic-policy statement ${sid ?? ''} on ${topicArn}: not added by provisioning ${undoId}, left as it is`);
    return;
  }
  await deps.locks.withLease(topicPolicyLease(topicArn), event.executionArn, deps.config.keyLeaseMs, async () => {
    const others = await deps.refs.others('topicStatement', topicArn, undoId);
    if (others.length > 0) {
      const reason = await keepForOthers(deps, 'topicStatement', entry, undoId, others);
      result.kept.push(`topic-policy statement ${sid} on ${topicArn}: ${reason}`);
      return;
    }
    let policy: string | undefined;
    try {
      policy = (await deps.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes?.Policy;
    } catch (e) {
      if (!(e instanceof NotFoundException)) throw e;
      await deps.ledger.set(undoId, 'topicStatement', 'undone', { ...entry.data, absent: true });
      return;
    }
    const ours = entry.data.statement as StatementJson | undefined;
    if (!policy || !statementWithSid(policy, sid)) {
      // Never written (the entry stayed `intent`), or removed since: nothing to remove.
      await deps.ledger.set(undoId, 'topicStatement', 'undone', { ...entry.data, absent: true });
      return;
    }
    if (ours && !hasStatement(policy, ours)) {
      // Someone changed the statement since we added it: theirs now, and not ours to remove.
      const reason = `statement ${sid} was changed since provisioning ${undoId} added it: left as it is`;
      await deps.ledger.set(undoId, 'topicStatement', 'undone', { ...entry.data, kept: reason });
      result.kept.push(`topic-policy statement on ${topicArn}: ${reason}`);
      return;
    }
    const previous = entry.data.previous as StatementJson | undefined;
    let document = documentWithoutOurs(policy, sid, entry.data);
    // SNS refuses a policy without statements; a topic's policy is then its default one.
    if (statementCount(document) === 0) document = JSON.stringify(defaultTopicPolicy({ accountId: topicArn.split(':')[4]!, topicArn }));
    await deps.audit.record(
      auditScope(request, targetOf(request, entry), event.executionArn),
      { step: event.state, action: 'sns:SetTopicAttributes', resourceArn: topicArn, before: policy },
      () => deps.sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: document })),
      () => ({ policy: document }),
    );
    await deps.ledger.set(undoId, 'topicStatement', 'undone', { ...entry.data, removed: true });
    result.undone.push(`${previous ? 'restored the previous' : 'removed'} topic-policy statement ${sid} on ${topicArn}`);
  });
}

function statementCount(document: string): number {
  const raw = JSON.parse(document) as { Statement?: unknown };
  return Array.isArray(raw.Statement) ? raw.Statement.length : raw.Statement === undefined ? 0 : 1;
}

/** The role a rolled-back request named (see UndoTopic: a reference may precede the ledger entry). */
function roleArnOf(event: TaskEvent, undoId: string): string | undefined {
  const access = event.results.access as AccessResult | undefined;
  if (access?.roleArn) return access.roleArn;
  const parsed = ProvisionRequest.safeParse(event.request);
  if (!parsed.success) return undefined;
  const d = parsed.data.destination;
  const spec = d.type === 'connect' ? d.role : d.access.type === 'role' ? d.access.role : undefined;
  if (!spec) return undefined;
  if ('arn' in spec) return spec.arn;
  const number = event.results.number as NumberResult | undefined;
  return number?.id ? roleArnFor(number, spec.create.name ?? defaultRoleName(number.alreadyProvisionedBy ?? undoId)) : undefined;
}

/** The topic whose policy a rolled-back request (no-role path) would have changed. */
function statementTopicOf(event: TaskEvent): string | undefined {
  const parsed = ProvisionRequest.safeParse(event.request);
  if (!parsed.success || parsed.data.destination.type !== 'sns' || parsed.data.destination.access.type !== 'topicPolicy') return undefined;
  return (event.results.topic as TopicResult | undefined)?.arn;
}
