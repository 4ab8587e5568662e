import type { TaskDeps, TaskEvent } from '../lib/context';
import { InvalidInput, NumberNotEligible } from '../lib/errors';
import { findTarget, parseMachineRequest, targetRefOf } from '../lib/number';
import type { LockResult } from '../lib/results';

export interface ReleaseResult {
  released: boolean;
}

/**
 * Releases this execution's lease on the number. Runs on the success path and at the end of the rollback
 * path, where AcquireLock may have failed (no `results.lock`): the target is then resolved from the request,
 * reading only, and a request that names nothing resolvable has no lease to release. The lease is deleted
 * only if this execution owns it, so a `NumberBusy` rollback never frees the other execution's lease.
 */
export async function releaseLock(event: TaskEvent, deps: TaskDeps): Promise<ReleaseResult> {
  const targetId = (event.results?.lock as LockResult | undefined)?.targetId ?? (await targetIdFromRequest(event, deps));
  if (targetId === undefined) return { released: false };
  return { released: await deps.locks.release(targetId, event.executionArn) };
}

async function targetIdFromRequest(event: TaskEvent, deps: TaskDeps): Promise<string | undefined> {
  try {
    const { request } = parseMachineRequest(event);
    return (await findTarget(deps, targetRefOf(request)))?.id;
  } catch (e) {
    // An invalid request or a number that does not exist cannot have been locked by this execution.
    if (e instanceof InvalidInput || e instanceof NumberNotEligible) return undefined;
    throw e;
  }
}
