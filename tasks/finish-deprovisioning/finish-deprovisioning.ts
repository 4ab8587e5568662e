import type { TaskDeps, TaskEvent } from '../lib/context';
import { InvalidInput } from '../lib/errors';
import { resolveTarget, targetRefOf } from '../lib/number';
import { DeprovisionRequest, parseOrThrow } from '../lib/request';
import type { LockResult } from '../lib/results';

export interface FinishResult {
  deprovisioned: string;
}

/**
 * Last step of deprovisioning, after every Undo* step: the number no longer belongs to the provisioning
 * removed. The pointer is cleared only if it still names that provisioning, so a newer one is left alone.
 */
export async function finishDeprovisioning(event: TaskEvent, deps: TaskDeps): Promise<FinishResult> {
  const request = parseOrThrow(DeprovisionRequest, event.request, 'request');
  const provisioningId = event.undo?.provisioningId;
  if (!provisioningId) throw new InvalidInput('undo.provisioningId is missing: FindProvisioning must run first', { field: 'undo.provisioningId' });
  const targetId = (event.results?.lock as LockResult | undefined)?.targetId ?? (await resolveTarget(deps, targetRefOf(request))).id;
  await deps.active.clear(targetId, provisioningId);
  return { deprovisioned: provisioningId };
}
