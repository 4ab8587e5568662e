import { GetKeyPolicyCommand, NotFoundException, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { keepForOthers } from '../lib/hand-over';
import { auditScope, type TaskDeps, type TaskEvent } from '../lib/context';
import { compensationInput } from '../lib/undo';
import { classifyAwsError, CompensationFailed, KeyPolicyConflict, TaskError } from '../lib/errors';
import { documentWithoutOurs, hasStatement, KEY_POLICY_NAME, keyLease, statementWithSid } from '../lib/key';
import type { StatementJson } from '../lib/policy';
import type { AccessResult, TopicResult, UndoResult } from '../lib/results';

/**
 * UndoKeyPolicy (rollback and deprovisioning): removes the key-policy statement this provisioning added (the
 * shared service-principal statement, or the one naming its role), once no other provisioning depends on it,
 * under the key's lease, and reads the policy back. A statement found in place is never removed.
 * Idempotent; a no-op when MergeKeyPolicy never ran or added nothing.
 */
export async function undoKeyPolicy(event: TaskEvent, deps: TaskDeps): Promise<UndoResult> {
  const { request, undoId } = compensationInput(event);
  const entry = await deps.ledger.get(undoId, 'keyStatement');
  const refResource = (entry?.data.refResource as string | undefined) ?? refResourceOf(event);
  // Our reference goes first, whatever the ledger says: MergeKeyPolicy records it before it relies on the statement.
  if (refResource) await deps.refs.remove('keyStatement', refResource, undoId);
  if (!entry || entry.status === 'undone') return { undone: [], kept: [] };
  const keyArn = entry.data.keyArn as string | undefined;
  const sid = entry.data.sid as string | undefined;
  if (entry.status === 'skipped' || !keyArn || !sid || !refResource) {
    return { undone: [], kept: keyArn ? [`key policy of ${keyArn}: nothing added by provisioning ${undoId}, left as it is`] : [] };
  }
  const targetId = (entry.data.targetId as string | undefined) ?? request.phoneNumberId ?? request.poolId ?? 'unknown';

  try {
    return await deps.locks.withLease(keyLease(keyArn), event.executionArn, deps.config.keyLeaseMs, async (): Promise<UndoResult> => {
      const others = await deps.refs.others('keyStatement', refResource, undoId);
      if (others.length > 0) {
        const reason = await keepForOthers(deps, 'keyStatement', entry, undoId, others);
        return { undone: [], kept: [`key-policy statement ${sid} of ${keyArn}: ${reason}`] };
      }
      const policy = await readPolicy(deps, keyArn);
      if (policy === undefined || !statementWithSid(policy, sid)) {
        // The key is gone, or the statement was never written (entry stayed `intent`) or removed since.
        await deps.ledger.set(undoId, 'keyStatement', 'undone', { ...entry.data, absent: true });
        return { undone: [], kept: [] };
      }
      const ours = entry.data.statement as StatementJson | undefined;
      if (ours && !hasStatement(policy, ours)) {
        const reason = `statement ${sid} was changed since provisioning ${undoId} added it: left as it is`;
        await deps.ledger.set(undoId, 'keyStatement', 'undone', { ...entry.data, kept: reason });
        return { undone: [], kept: [`key policy of ${keyArn}: ${reason}`] };
      }
      const previous = entry.data.previous as StatementJson | undefined;
      const document = documentWithoutOurs(policy, sid, entry.data);
      await deps.audit.record(
        auditScope(request, targetId, event.executionArn),
        { step: event.state, action: 'kms:PutKeyPolicy', resourceArn: keyArn, before: policy },
        () => deps.kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: KEY_POLICY_NAME, Policy: document })),
        () => ({ policy: document }),
      );
      // Last-writer-wins: check that what we wrote is what the key now has.
      const readBack = (await readPolicy(deps, keyArn)) ?? '';
      const restored = previous ? hasStatement(readBack, previous) : !statementWithSid(readBack, sid);
      if (!restored) throw new KeyPolicyConflict(`the key policy of ${keyArn} changed while statement ${sid} was being removed; retrying`);
      await deps.ledger.set(undoId, 'keyStatement', 'undone', { ...entry.data, removed: true });
      return { undone: [`${previous ? 'restored the previous' : 'removed'} key-policy statement ${sid} of ${keyArn}`], kept: [] };
    });
  } catch (e) {
    const classified = classifyAwsError(e, `UndoKeyPolicy ${keyArn}`);
    if (classified instanceof TaskError && classified.retryable) throw classified;
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new CompensationFailed(`could not remove key-policy statement ${sid} of ${keyArn} (${why}); left: ledger entry keyStatement of provisioning ${undoId} (${entry.status}), statement ${sid} in the key policy of ${keyArn}`, { cause: e });
  }
}

async function readPolicy(deps: TaskDeps, keyArn: string): Promise<string | undefined> {
  try {
    return (await deps.kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: KEY_POLICY_NAME }))).Policy ?? '';
  } catch (e) {
    if (e instanceof NotFoundException) return undefined;
    throw e;
  }
}

/** The reference a rolled-back MergeKeyPolicy may have recorded before its ledger entry (see UndoTopic). */
function refResourceOf(event: TaskEvent): string | undefined {
  const topic = event.results.topic as TopicResult | undefined;
  const access = event.results.access as AccessResult | undefined;
  if (!topic?.keyArn || !access) return undefined;
  return access.mode === 'role' && access.roleArn ? `${topic.keyArn}#${access.roleArn}` : topic.keyArn;
}
