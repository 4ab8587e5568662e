import { z } from 'zod';
import type { TaskEvent } from './context';
import { InvalidInput } from './errors';
import { DeprovisionRequest, ProvisionRequest, parseOrThrow } from './request';

/** A compensation runs for a provisioning's rollback or for a deprovisioning: either request may arrive. */
export const CompensationRequest = z.union([ProvisionRequest, DeprovisionRequest]);
export type CompensationRequest = z.infer<typeof CompensationRequest>;

/**
 * The request a compensation runs under (the provisioning request in a rollback, the deprovisioning request
 * otherwise), for auditing under it. Throws InvalidInput naming the field when it is neither.
 */
export function compensationRequest(event: Pick<TaskEvent, 'request'>): CompensationRequest {
  return parseOrThrow(CompensationRequest, event.request, 'request');
}

/** The request a compensation runs under, and whose ledger it undoes (`$.undo.provisioningId` in the ASL). */
export function compensationInput(event: TaskEvent): { request: CompensationRequest; undoId: string } {
  const request = compensationRequest(event);
  const undoId = event.undo?.provisioningId;
  if (!undoId) throw new InvalidInput('undo.provisioningId is missing: a compensation needs to know whose ledger to undo', { field: 'undo.provisioningId' });
  return { request, undoId };
}
