import { AssociatePhoneNumberContactFlowCommand } from '@aws-sdk/client-connect';
import { auditScope, type TaskDeps, type TaskEvent } from '../lib/context';
import { connectInstanceId, contactFlowIdOf, importResultOf, numberResultOf, type ContactFlowData } from '../lib/connect';
import { classifyAwsError, DestinationNotUsable, InvalidInput, isAwsError } from '../lib/errors';
import { parseOrThrow, ProvisionRequest } from '../lib/request';
import type { ContactFlowResult, NumberResult } from '../lib/results';

/**
 * Associates the requested contact flow with the imported number (nothing to do without `contactFlowId`).
 *
 * Connect's DescribePhoneNumber does not report a number's flow (ClaimedPhoneNumberSummary has no such
 * member), so "already associated" is known from this provisioning's `contactFlow` ledger entry: a re-run
 * after success makes no call. AssociatePhoneNumberContactFlow itself is idempotent on AWS, so a retry after
 * an unknown outcome (ledger `intent`) simply calls it again.
 */
export async function associateContactFlow(event: TaskEvent, deps: TaskDeps): Promise<ContactFlowResult> {
  const request = parseOrThrow(ProvisionRequest, event.request, 'request');
  const destination = request.destination;
  if (destination.type !== 'connect') throw new InvalidInput(`AssociateContactFlow runs only for a Connect destination, not '${destination.type}'`, { field: 'destination.type' });
  if (destination.contactFlowId === undefined) return { associated: false };

  const number = numberResultOf(event.results);
  const imported = importResultOf(event.results);
  const instanceId = connectInstanceId(destination.instanceId);
  const contactFlowId = contactFlowIdOf(destination.contactFlowId, instanceId);
  const provisioningId = request.provisioningId;

  const entry = await deps.ledger.get<ContactFlowData>(provisioningId, 'contactFlow');
  if (entry?.status === 'done' && entry.data.contactFlowId === contactFlowId && entry.data.connectPhoneNumberId === imported.connectPhoneNumberId) {
    return { associated: true, contactFlowId };
  }
  // Already provisioned with this same destination by another provisioning (ValidateNumber names it): that
  // provisioning's association is in place, so this run makes no call (and has nothing of its own to undo).
  const alreadyProvisionedBy = (event.results.number as NumberResult).alreadyProvisionedBy;
  if (alreadyProvisionedBy) {
    const owner = await deps.ledger.get<ContactFlowData>(alreadyProvisionedBy, 'contactFlow');
    if (owner?.status === 'done' && owner.data.contactFlowId === contactFlowId && owner.data.connectPhoneNumberId === imported.connectPhoneNumberId) {
      return { associated: true, contactFlowId };
    }
  }

  const data: ContactFlowData = {
    contactFlowId,
    connectPhoneNumberId: imported.connectPhoneNumberId,
    connectPhoneNumberArn: imported.connectPhoneNumberArn,
    instanceId,
    importedByUs: imported.imported,
  };
  await deps.ledger.set(provisioningId, 'contactFlow', 'intent', data);
  try {
    // No before-image: the current association cannot be read through DescribePhoneNumber (see above).
    await deps.audit.record(
      auditScope(request, number.id, event.executionArn),
      { step: event.state, action: 'connect:AssociatePhoneNumberContactFlow', resourceArn: imported.connectPhoneNumberArn },
      () => deps.connect.send(new AssociatePhoneNumberContactFlowCommand({ PhoneNumberId: imported.connectPhoneNumberId, InstanceId: instanceId, ContactFlowId: contactFlowId })),
      () => ({ contactFlowId, instanceId }),
    );
  } catch (e) {
    if (isAwsError(e, 'ResourceNotFoundException', 'InvalidParameterException')) {
      throw new DestinationNotUsable(
        `destination.contactFlowId: Connect refused to associate flow ${contactFlowId} of instance ${instanceId} with phone number ${imported.connectPhoneNumberId}: ${e.name}: ${e.message}`,
        { field: 'destination.contactFlowId', cause: e },
      );
    }
    throw classifyAwsError(e, 'connect:AssociatePhoneNumberContactFlow');
  }
  await deps.ledger.set(provisioningId, 'contactFlow', 'done', data);
  return { associated: true, contactFlowId };
}
