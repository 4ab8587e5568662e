import { auditScope, type TaskDeps, type TaskEvent } from '../lib/context';
import { deliveryVerdict } from '../lib/delivery';
import { DeliveryNotRestored } from '../lib/errors';
import { describeTwoWay, findTarget, type BeforeImage, type TwoWayLedgerData } from '../lib/number';
import type { RestoreCheckResult } from '../lib/results';
import { compensationInput } from '../lib/undo';

/**
 * The post-condition of every undo (the end of the rollback chain and of a deprovisioning): a number that
 * delivered inbound SMS before the provisioning delivers after the undo, judged by the same evaluator the
 * Preflight and the sandbox use. If it does not, the execution fails here (ROLLBACK_FAILED) with the reason:
 * an undo never ends ROLLED_BACK or SUCCEEDED over a number that lost its inbound messages. Read-only.
 *
 * Not judged (reported in `note`): images recorded without a verdict (older provisionings); a number someone
 * changed after the provisioning (UndoTwoWay left it alone: its delivery is theirs); a number that is gone.
 */
export async function checkRestored(event: TaskEvent, deps: TaskDeps): Promise<RestoreCheckResult> {
  const { request, undoId } = compensationInput(event);
  const image = (await deps.ledger.get<BeforeImage>(undoId, 'beforeImage'))?.data;
  if (!image) return { checked: false, note: `provisioning ${undoId} recorded no before-image: it changed nothing on the number` };
  if (!image.verdict) return { checked: false, note: `the before-image of provisioning ${undoId} has no delivery verdict (recorded by an older version)` };
  const twoWay = await deps.ledger.get<TwoWayLedgerData & { outcome?: string }>(undoId, 'twoWay');
  if (twoWay?.data.outcome === 'conflict') {
    return { checked: false, deliveredBefore: image.verdict.deliverable, note: `${image.id} was changed by someone else after provisioning ${undoId}: its delivery is not this undo's to judge` };
  }
  const target = await findTarget(deps, { kind: image.kind, ref: image.id, field: image.kind === 'pool' ? 'poolId' : 'phoneNumberId' });
  if (!target) return { checked: false, deliveredBefore: image.verdict.deliverable, note: `${image.id} no longer exists` };

  const after = await deliveryVerdict(deps, target);
  if (image.verdict.deliverable && !after.deliverable) {
    const message =
      `${target.label} delivered inbound SMS before provisioning ${undoId} (${describeTwoWay(image.config)}) but does not after the undo ` +
      `(${describeTwoWay(target.config)}): ${after.reason ?? 'a check on the delivery path failed'}. Fix that, then redrive this execution`;
    await deps.audit.append(auditScope(request, target.id, event.executionArn), { phase: 'note', step: event.state, action: 'two-way-sms:CheckRestored', resourceArn: target.arn, note: message });
    throw new DeliveryNotRestored(message, { field: target.kind === 'pool' ? 'poolId' : 'phoneNumberId' });
  }
  return { checked: true, deliveredBefore: image.verdict.deliverable, deliversNow: after.deliverable, ...(after.reason ? { reason: after.reason } : {}) };
}
