import { auditScope, type TaskDeps, type TaskEvent } from '../lib/context';
import { classifyAwsError, CompensationFailed, InvalidInput, NumberNotEligible, TaskError } from '../lib/errors';
import { describeTwoWay, readTwoWay, sameTwoWay, sendTwoWay, twoWayCommand, type BeforeImage, type TwoWayLedgerData } from '../lib/number';
import type { TwoWayConfig, UndoResult } from '../lib/results';
import { compensationRequest } from '../lib/undo';

/**
 * Compensation of EnableTwoWay, and the deprovisioning step that gives a number back its previous settings:
 * restores the before-image recorded by ValidateNumber of provisioning `undo.provisioningId`, but only if the
 * number still has the settings that provisioning set; if someone changed them since, they are left alone and
 * the conflict is reported in `kept`. A no-op when the ledger has no `twoWay` change of that provisioning
 * (`skipped`: the settings were already in place; `undone`: done before). An `intent` (the call's outcome is
 * unknown) is handled like `done`: the same guard makes it safe. Audited under the running request's own
 * provisioning (the deprovisioning's, when deprovisioning).
 */
export async function undoTwoWay(event: TaskEvent, deps: TaskDeps): Promise<UndoResult> {
  const provId = event.undo?.provisioningId ?? requestProvisioningId(event);
  if (provId === undefined) return { undone: [], kept: [] };
  const entry = await deps.ledger.get<TwoWayLedgerData>(provId, 'twoWay');
  if (!entry || entry.status === 'skipped' || entry.status === 'undone') return { undone: [], kept: [] };

  const { kind, id, arn, desired } = entry.data;
  const image = await deps.ledger.get<BeforeImage>(provId, 'beforeImage');
  const before = image?.data.config ?? entry.data.before;
  const label = kind === 'pool' ? `pool ${id}` : `phone number ${id}`;
  const finish = async (extra: Record<string, unknown>) => deps.ledger.set(provId, 'twoWay', 'undone', { ...entry.data, ...extra });

  let current: TwoWayConfig;
  try {
    current = await readTwoWay(deps, kind, id);
  } catch (e) {
    if (!(e instanceof NumberNotEligible)) throw e;
    await finish({ outcome: 'gone' });
    return { undone: [], kept: [`${label} no longer exists: nothing to restore`] };
  }

  if (sameTwoWay(current, before)) {
    // Already restored (an earlier attempt died before marking the ledger), or the change never took effect.
    await finish({ outcome: 'already' });
    return { undone: entry.status === 'done' ? [`${label} already has its previous settings (${describeTwoWay(before)})`] : [], kept: [] };
  }
  if (!sameTwoWay(current, desired)) {
    const conflict = `${label} was changed after provisioning ${provId} set ${describeTwoWay(desired)}: it now has ${describeTwoWay(current)}, left as is (its settings before were ${describeTwoWay(before)})`;
    await finish({ outcome: 'conflict', conflict, found: current });
    return { undone: [], kept: [conflict] };
  }

  const request = parseOrCompensationFailed(event, provId, label);
  const { action, command } = twoWayCommand(kind, id, before);
  let after: TwoWayConfig;
  try {
    after = await deps.audit.record(
      auditScope(request, id, event.executionArn),
      { step: event.state, action, resourceArn: arn, before: current },
      () => sendTwoWay(deps, command),
      (r: TwoWayConfig) => r,
    );
  } catch (e) {
    const classified = classifyAwsError(e, `restoring ${label}`);
    if (classified instanceof TaskError && classified.retryable) throw classified;
    const name = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new CompensationFailed(
      `could not restore ${label} to ${describeTwoWay(before)} (${name}); left: ledger entry twoWay of provisioning ${provId} (${describeTwoWay(desired)}) not undone`,
      { cause: e, field: kind === 'pool' ? 'poolId' : 'phoneNumberId' },
    );
  }
  await finish({ outcome: 'restored', restored: after });
  const undone = [`restored ${label} to ${describeTwoWay(before)}`];
  // The API cannot remove a role once set: a before-image without one is restored except for the role.
  const kept = sameTwoWay(after, before) ? [] : [`${label} keeps TwoWayChannelRole ${after.channelRole ?? ''}: the API cannot clear it (the previous settings had ${describeTwoWay(before)})`];
  return { undone, kept };
}

function requestProvisioningId(event: TaskEvent): string | undefined {
  const r = event.request as { provisioningId?: unknown } | undefined;
  return typeof r?.provisioningId === 'string' ? r.provisioningId : undefined;
}

function parseOrCompensationFailed(event: TaskEvent, provId: string, label: string) {
  try {
    return compensationRequest(event);
  } catch (e) {
    if (!(e instanceof InvalidInput)) throw e;
    throw new CompensationFailed(`cannot audit the restore of ${label}: ${e.message}; left: ledger entry twoWay of provisioning ${provId} not undone`, { cause: e });
  }
}
