import { DeleteTopicCommand, ListTagsForResourceCommand, NotFoundException } from '@aws-sdk/client-sns';
import { topicLease } from '../ensure-topic/ensure-topic';
import { auditScope, TAGS, type TaskDeps, type TaskEvent } from '../lib/context';
import { compensationInput } from '../lib/undo';
import { creatorOf, keepForOthers } from '../lib/hand-over';
import { classifyAwsError, CompensationFailed, TaskError } from '../lib/errors';
import { ProvisionRequest } from '../lib/request';
import type { NumberResult, TopicResult, UndoResult } from '../lib/results';

/**
 * UndoTopic (rollback and deprovisioning): deletes the topic this provisioning created, once no other
 * provisioning depends on it and only while it still carries this provisioning's tag. A topic it adopted or
 * was given is never deleted. Idempotent; a no-op when EnsureTopic never ran.
 */
export async function undoTopic(event: TaskEvent, deps: TaskDeps): Promise<UndoResult> {
  const { request, undoId } = compensationInput(event);
  const entry = await deps.ledger.get(undoId, 'topic');
  const arn = (entry?.data.arn as string | undefined) ?? topicArnOf(event);
  // Our reference goes first, whatever the ledger says: EnsureTopic records it before it relies on the topic.
  if (arn) await deps.refs.remove('topic', arn, undoId);
  if (!entry || !arn || entry.status === 'undone') return { undone: [], kept: [] };
  if (entry.status === 'skipped') return { undone: [], kept: [`topic ${arn}: not created by provisioning ${undoId}, left as it is`] };

  const targetId = (entry.data.targetId as string | undefined) ?? request.phoneNumberId ?? request.poolId ?? 'unknown';
  const scope = auditScope(request, targetId, event.executionArn);
  try {
    return await deps.locks.withLease(topicLease(arn), event.executionArn, deps.config.keyLeaseMs, async () => {
      const others = await deps.refs.others('topic', arn, undoId);
      if (others.length > 0) {
        const reason = await keepForOthers(deps, 'topic', entry, undoId, others);
        return { undone: [], kept: [`topic ${arn}: ${reason}`] };
      }
      const tags = await readTags(deps, arn);
      if (tags === undefined) {
        // Never created (the entry stayed `intent`), or deleted by someone else since: nothing to delete.
        await deps.ledger.set(undoId, 'topic', 'undone', { ...entry.data, absent: true });
        return { undone: [], kept: [] };
      }
      const creator = creatorOf(entry, undoId);
      if (tags[TAGS.managedBy] !== TAGS.managedByValue || tags[TAGS.provisioningId] !== creator) {
        const reason = `no longer tagged as created by provisioning ${creator} (tag ${TAGS.provisioningId} is ${tags[TAGS.provisioningId] ?? 'absent'}): not deleted`;
        await deps.ledger.set(undoId, 'topic', 'undone', { ...entry.data, kept: reason });
        return { undone: [], kept: [`topic ${arn}: ${reason}`] };
      }
      await deps.audit.record(
        scope,
        { step: event.state, action: 'sns:DeleteTopic', resourceArn: arn, before: { tags } },
        () => deps.sns.send(new DeleteTopicCommand({ TopicArn: arn })),
      );
      await deps.ledger.set(undoId, 'topic', 'undone', { ...entry.data, deleted: true });
      return { undone: [`deleted topic ${arn}`], kept: [] };
    });
  } catch (e) {
    const classified = classifyAwsError(e, `UndoTopic ${arn}`);
    if (classified instanceof TaskError && classified.retryable) throw classified;
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new CompensationFailed(`could not delete topic ${arn} (${why}); left: ledger entry topic of provisioning ${undoId} (${entry.status}), topic ${arn}`, { cause: e });
  }
}

async function readTags(deps: TaskDeps, arn: string): Promise<Record<string, string> | undefined> {
  try {
    const out = await deps.sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
    return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  } catch (e) {
    if (e instanceof NotFoundException || (e instanceof Error && e.name === 'ResourceNotFoundException')) return undefined;
    throw e;
  }
}

/**
 * The topic a rolled-back request named, for removing a reference that EnsureTopic recorded before it could
 * write its ledger entry. (A deprovisioning has no destination; its provisioning's ledger is complete.)
 */
function topicArnOf(event: TaskEvent): string | undefined {
  const topic = event.results.topic as TopicResult | undefined;
  if (topic?.arn) return topic.arn;
  const parsed = ProvisionRequest.safeParse(event.request);
  if (!parsed.success || parsed.data.destination.type !== 'sns') return undefined;
  const spec = parsed.data.destination.topic;
  if ('arn' in spec) return spec.arn;
  const number = event.results.number as NumberResult | undefined;
  return number?.id ? `arn:${number.partition}:sns:${number.region}:${number.accountId}:${spec.create.name}` : undefined;
}
