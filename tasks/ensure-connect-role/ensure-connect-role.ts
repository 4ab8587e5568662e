import type { TaskDeps, TaskEvent } from '../lib/context';
import { InvalidInput } from '../lib/errors';
import { connectDestinationRolePolicy } from '../lib/policy';
import { ProvisionRequest, parseOrThrow } from '../lib/request';
import type { AccessResult, NumberResult } from '../lib/results';
import { ensureRole, CONNECT_ROLE_POLICY_NAME } from '../lib/role';

/** Name of the inline permission policy on the roles this service creates for Connect destinations. */
export { CONNECT_ROLE_POLICY_NAME } from '../lib/role';

/**
 * EnsureConnectRole (Connect destinations): the two-way channel role End User Messaging SMS assumes to hand
 * inbound messages to Amazon Connect. Created (trust + `connect:SendChatIntegrationEvent`, tagged), reconciled,
 * adopted or checked exactly as the SNS role is (lib/role.ts).
 */
export async function ensureConnectRole(event: TaskEvent, deps: TaskDeps): Promise<AccessResult> {
  const request = parseOrThrow(ProvisionRequest, event.request, 'request');
  const destination = request.destination;
  if (destination.type !== 'connect') throw new InvalidInput(`EnsureConnectRole runs for Connect destinations only, not ${destination.type}`, { field: 'destination.type' });
  const number = event.results.number as NumberResult | undefined;
  if (!number?.id) throw new InvalidInput('results.number is missing: ValidateNumber must run before EnsureConnectRole', { field: 'results.number' });
  const instanceArn = destination.instanceId.startsWith('arn:')
    ? destination.instanceId
    : `arn:${number.partition}:connect:${number.region}:${number.accountId}:instance/${destination.instanceId}`;
  return ensureRole(
    { deps, event, request, number, field: 'destination.role' },
    destination.role,
    { channel: 'connect', instanceArn },
    { policyName: CONNECT_ROLE_POLICY_NAME, document: connectDestinationRolePolicy() },
  );
}
