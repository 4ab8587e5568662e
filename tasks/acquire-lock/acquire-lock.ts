import type { TaskDeps, TaskEvent } from '../lib/context';
import { parseMachineRequest, resolveTarget, targetRefOf } from '../lib/number';
import type { LockResult } from '../lib/results';

/**
 * First step of both state machines: validates the request, resolves the number or pool to its id (an E.164
 * number by listing) without changing anything, and takes the lease on it for this execution. A number that
 * another execution holds fails here with `NumberBusy`, before any AWS call that changes something. A retried
 * invocation by the same execution renews its own lease.
 */
export async function acquireLock(event: TaskEvent, deps: TaskDeps): Promise<LockResult> {
  const { request } = parseMachineRequest(event);
  const target = await resolveTarget(deps, targetRefOf(request));
  const holder = await deps.locks.acquire(target.id, event.executionArn, deps.config.lockLeaseMs);
  return { owner: holder.owner, leaseUntil: holder.leaseUntil, targetId: target.id };
}
