import { ConflictException, ResourceNotFoundException, ValidationException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { auditScope, type TaskDeps, type TaskEvent } from '../lib/context';
import { classifyAwsError, DestinationNotUsable, NumberNotEligible, RoleNotYetAccessible } from '../lib/errors';
import {
  desiredConfig,
  lockedRefOf,
  resolveTarget,
  sameTwoWay,
  sendTwoWay,
  twoWayCommand,
  type BeforeImage,
  type TwoWayLedgerData,
} from '../lib/number';
import { parseOrThrow, ProvisionRequest } from '../lib/request';
import type { EnableResult, NumberResult, TwoWayConfig } from '../lib/results';

/** Reasons about the number itself (any other reason concerns the destination: channel, topic or role). */
const NUMBER_REASONS = new Set(['TWO_WAY_NOT_SUPPORTED_IN_COUNTRY', 'RESOURCE_NOT_ACTIVE', 'PHONE_NUMBER_ASSOCIATED_TO_POOL', 'DELETION_PROTECTION_ENABLED', 'TWO_WAY_CONFIG_MISMATCH']);

/**
 * Sets the number's (or pool's) two-way configuration to the desired one with UpdatePhoneNumber (UpdatePool),
 * only if it differs. Write-ahead: the ledger's `twoWay` entry says `intent` before the call and `done` after,
 * with the settings replaced; settings already in place are `skipped` (never undone by this provisioning).
 * A role IAM has not propagated yet (`RESOURCE_NOT_ACCESSIBLE`) is `RoleNotYetAccessible`, which the ASL retries
 * for about two minutes; every other refusal is a terminal error carrying AWS's reason.
 */
export async function enableTwoWay(event: TaskEvent, deps: TaskDeps): Promise<EnableResult> {
  const request = parseOrThrow(ProvisionRequest, event.request, 'request');
  const number = event.results?.number as NumberResult | undefined;
  const target = number ? { kind: number.kind, id: number.id, arn: number.arn } : await resolveTarget(deps, lockedRefOf(event, request));
  const desired = desiredConfig(request, event.results ?? {}, deps, number);
  const provId = request.provisioningId;

  const current = (await resolveTarget(deps, { kind: target.kind, ref: target.id, field: target.kind === 'pool' ? 'poolId' : 'phoneNumberId' })).config;
  const entry = await deps.ledger.get<TwoWayLedgerData>(provId, 'twoWay');
  const data: TwoWayLedgerData = { kind: target.kind, id: target.id, arn: target.arn, desired, before: current };

  if (sameTwoWay(current, desired)) {
    if (entry?.status === 'done' && sameTwoWay(entry.data.desired, desired)) return { changed: false, desired };
    // An `intent` whose call may have gone through before the task died: it was ours unless the number
    // already had these settings before this provisioning began (its before-image).
    const image = await deps.ledger.get<BeforeImage>(provId, 'beforeImage');
    const ours = entry?.status === 'intent' && sameTwoWay(entry.data.desired, desired) && !(image && sameTwoWay(image.data.config, desired)) ? entry : undefined;
    await deps.ledger.set(provId, 'twoWay', ours ? 'done' : 'skipped', ours ? ours.data : data);
    return { changed: false, desired };
  }

  // Keep the settings replaced by the first attempt: a retry after a partial failure sees the same number.
  const intent = entry?.status === 'intent' ? { ...data, before: entry.data.before } : data;
  await deps.ledger.set(provId, 'twoWay', 'intent', intent);
  const { action, command } = twoWayCommand(target.kind, target.id, desired);
  try {
    await deps.audit.record(
      auditScope(request, target.id, event.executionArn),
      { step: event.state, action, resourceArn: target.arn, before: current },
      () => sendTwoWay(deps, command),
      (after: TwoWayConfig) => after,
    );
  } catch (e) {
    throw translate(e, target.kind === 'pool' ? `pool ${target.id}` : `phone number ${number?.e164 ?? target.id}`, desired);
  }
  await deps.ledger.set(provId, 'twoWay', 'done', intent);
  return { changed: true, desired };
}

function translate(e: unknown, label: string, desired: TwoWayConfig): unknown {
  if (e instanceof ValidationException) {
    const reason = e.Reason ?? 'UNKNOWN';
    if (reason === 'RESOURCE_NOT_ACCESSIBLE' && desired.channelRole) {
      return new RoleNotYetAccessible(`${label}: AWS cannot assume role ${desired.channelRole} yet (RESOURCE_NOT_ACCESSIBLE: ${e.message}); IAM propagation usually takes 2-30 s`, {
        cause: e,
        field: 'destination.role',
      });
    }
    const fields = (e.Fields ?? []).map((f) => f.Name).filter(Boolean).join(', ');
    const message = `AWS refused two-way on ${label} (ValidationException ${reason}${fields ? ` on ${fields}` : ''}): ${e.message}`;
    return NUMBER_REASONS.has(reason) ? new NumberNotEligible(message, { cause: e }) : new DestinationNotUsable(message, { cause: e, field: 'destination' });
  }
  if (e instanceof ConflictException) {
    const reason = e.Reason ?? 'UNKNOWN';
    return new NumberNotEligible(`AWS refused two-way on ${label} (ConflictException ${reason}): ${e.message}`, { cause: e });
  }
  if (e instanceof ResourceNotFoundException) {
    return new NumberNotEligible(`${label} no longer exists (ResourceNotFoundException): ${e.message}`, { cause: e });
  }
  return classifyAwsError(e, `two-way update of ${label}`);
}
