import type { TaskDeps, TaskEvent } from '../lib/context';
import { NotProvisioned } from '../lib/errors';
import { lockedRefOf, resolveTarget } from '../lib/number';
import { DeprovisionRequest, parseOrThrow } from '../lib/request';

export interface FoundProvisioning {
  provisioningId: string;
  mode: 'deprovision';
}

/**
 * Deprovisioning starts here: which provisioning of this service owns the number's two-way settings? Its
 * ledger is what the following Undo* steps reverse (the result becomes `$.undo`). A number this service did
 * not provision is `NotProvisioned`: settings made by hand or by other tools are never touched.
 */
export async function findProvisioning(event: TaskEvent, deps: TaskDeps): Promise<FoundProvisioning> {
  const request = parseOrThrow(DeprovisionRequest, event.request, 'request');
  const target = await resolveTarget(deps, lockedRefOf(event, request));
  const active = await deps.active.get(target.id);
  if (!active) {
    throw new NotProvisioned(`${target.label} has no two-way provisioning by this service: nothing to deprovision`, { field: target.kind === 'pool' ? 'poolId' : 'phoneNumberId' });
  }
  return { provisioningId: active.provisioningId, mode: 'deprovision' };
}
