import { ImportPhoneNumberCommand } from '@aws-sdk/client-connect';
import { auditScope, TAGS, type TaskDeps, type TaskEvent } from '../lib/context';
import {
  describeConnectNumber,
  findImportOf,
  importClientToken,
  importStatusOf,
  numberResultOf,
  requireActiveInstance,
  type ConnectImportData,
} from '../lib/connect';
import { classifyAwsError, ConnectImportFailed, DestinationNotUsable, InvalidInput, isAwsError } from '../lib/errors';
import { parseOrThrow, ProvisionRequest } from '../lib/request';
import type { ImportResult } from '../lib/results';
import type { LedgerEntry } from '../lib/store';

/**
 * Imports the End User Messaging number into the destination Connect instance: the last forward step,
 * because undoing an import (ReleasePhoneNumber) counts against Connect's number churn quota.
 *
 * Reconciles: an existing import of the number into this instance is reused (recorded `skipped` unless this
 * provisioning made it); an import into another instance is refused before anything changes. Otherwise the
 * import is written ahead in the ledger with its deterministic ClientToken, so that a retry after an unknown
 * outcome is the same request to Connect (and the listing finds it first anyway). Returns the status as
 * Connect reports it; the ASL's Wait/CheckImport loop waits for CLAIMED.
 */
export async function importToConnect(event: TaskEvent, deps: TaskDeps): Promise<ImportResult> {
  const request = parseOrThrow(ProvisionRequest, event.request, 'request');
  const destination = request.destination;
  if (destination.type !== 'connect') throw new InvalidInput(`ImportToConnect runs only for a Connect destination, not '${destination.type}'`, { field: 'destination.type' });
  const number = numberResultOf(event.results);
  if (number.kind !== 'phone-number') {
    // Connect imports phone numbers, not pools; ValidateNumber should refuse this combination before any change.
    throw new DestinationNotUsable(`pool ${number.id} cannot be imported into Amazon Connect: only phone numbers can; provision a phone number for a Connect destination`, { field: 'poolId' });
  }
  const provisioningId = request.provisioningId;
  const instance = await requireActiveInstance(deps.connect, destination.instanceId);
  const entry = await deps.ledger.get<ConnectImportData>(provisioningId, 'connectImport');

  const existing = await findImportOf(deps.connect, number.arn);
  if (existing?.PhoneNumberId) {
    if (existing.InstanceId !== instance.Id) {
      // A number can be claimed by one instance only; moving it would take it away from whoever uses it there.
      throw new DestinationNotUsable(
        `phone number ${number.e164 ?? number.id} is already imported into Amazon Connect instance ${existing.InstanceId ?? existing.TargetArn ?? '(unknown)'} ` +
          `as phone number ${existing.PhoneNumberId}; release it there first, or provision it to that instance`,
        { field: 'destination.instanceId' },
      );
    }
    return reuse(deps, provisioningId, number, instance.Id, entry, existing.PhoneNumberId);
  }

  // Nothing imported now. A token whose earlier import is known gone (done/undone/skipped) must not be reused:
  // Connect would replay its first answer, the id of a released number. An `intent` keeps its token: its call
  // may have succeeded unseen (eventually consistent listing), and the same token then returns that import.
  const generation = entry === undefined ? 0 : (entry.data.generation ?? 0) + (entry.status === 'intent' ? 0 : 1);
  const clientToken = importClientToken(provisioningId, number.id, instance.Id, generation);
  const base: ConnectImportData = { numberId: number.id, sourcePhoneNumberArn: number.arn, instanceId: instance.Id, clientToken, generation };
  await deps.ledger.set(provisioningId, 'connectImport', 'intent', base);

  let imported: { PhoneNumberId?: string; PhoneNumberArn?: string };
  try {
    imported = await deps.audit.record(
      auditScope(request, number.id, event.executionArn),
      { step: event.state, action: 'connect:ImportPhoneNumber', resourceArn: number.arn, before: { importedInto: null } },
      () =>
        deps.connect.send(
          new ImportPhoneNumberCommand({
            InstanceId: instance.Id,
            SourcePhoneNumberArn: number.arn,
            // Deterministic (no timestamps): the ClientToken's request must be identical on every retry.
            PhoneNumberDescription: `Two-way SMS ${number.e164 ?? number.id} (provisioning ${provisioningId})`,
            Tags: { [TAGS.managedBy]: TAGS.managedByValue, [TAGS.provisioningId]: provisioningId, [TAGS.phoneNumberId]: number.id },
            ClientToken: clientToken,
          }),
        ),
      (r) => ({ connectPhoneNumberId: r.PhoneNumberId, connectPhoneNumberArn: r.PhoneNumberArn, instanceId: instance.Id }),
    );
  } catch (e) {
    if (isAwsError(e, 'ResourceNotFoundException', 'InvalidParameterException')) {
      // The instance or the number vanished, or the number cannot be imported (not ACTIVE, imported meanwhile).
      throw new DestinationNotUsable(`Connect refused to import ${number.arn} into instance ${instance.Id}: ${e.name}: ${e.message}`, { field: 'destination.instanceId', cause: e });
    }
    throw classifyAwsError(e, 'connect:ImportPhoneNumber');
  }
  if (!imported.PhoneNumberId || !imported.PhoneNumberArn) throw new ConnectImportFailed(`ImportPhoneNumber of ${number.arn} returned no phone number id`);
  await deps.ledger.set(provisioningId, 'connectImport', 'done', { ...base, connectPhoneNumberId: imported.PhoneNumberId, connectPhoneNumberArn: imported.PhoneNumberArn });

  const summary = await describeConnectNumber(deps.connect, imported.PhoneNumberId);
  if (!summary) {
    // Only a replayed token can answer with a number that no longer exists; the ledger is `done` now, so a
    // redrive uses the next generation's token and imports afresh.
    throw new ConnectImportFailed(`ImportPhoneNumber answered with Connect phone number ${imported.PhoneNumberId}, which does not exist (released since); redrive to import again`);
  }
  return result(summary, imported.PhoneNumberId, imported.PhoneNumberArn, true);
}

/** An import of the number into the destination instance exists: reuse it, recording whose it is. */
async function reuse(
  deps: TaskDeps,
  provisioningId: string,
  number: { id: string; arn: string },
  instanceId: string,
  entry: LedgerEntry<ConnectImportData> | undefined,
  connectPhoneNumberId: string,
): Promise<ImportResult> {
  const summary = await describeConnectNumber(deps.connect, connectPhoneNumberId);
  if (!summary?.PhoneNumberArn) {
    // Released between the listing and now: the next attempt (ASL retry) imports it.
    throw new ConnectImportFailed(`Connect phone number ${connectPhoneNumberId} (import of ${number.arn}) disappeared while being read; retry`);
  }
  const arn = summary.PhoneNumberArn;
  // Ours when the ledger says this provisioning imported exactly this number, or (an intent whose answer was
  // lost) when the import carries this provisioning's tag, which only our ImportPhoneNumber call sets.
  const ledgerSaysOurs = entry !== undefined && (entry.status === 'intent' || entry.status === 'done');
  const ours =
    ledgerSaysOurs &&
    (entry.data.connectPhoneNumberId === connectPhoneNumberId ||
      (summary.Tags?.[TAGS.provisioningId] === provisioningId && summary.Tags[TAGS.managedBy] === TAGS.managedByValue));
  const data: ConnectImportData = { ...(entry?.data ?? { numberId: number.id, sourcePhoneNumberArn: number.arn }), instanceId, connectPhoneNumberId, connectPhoneNumberArn: arn };
  if (ours) {
    if (entry.status !== 'done') await deps.ledger.set(provisioningId, 'connectImport', 'done', data);
  } else if (entry?.status !== 'skipped' || entry.data.connectPhoneNumberId !== connectPhoneNumberId) {
    // Not made by this provisioning: never released by its rollback or deprovisioning.
    await deps.ledger.set(provisioningId, 'connectImport', 'skipped', data);
  }
  return result(summary, connectPhoneNumberId, arn, ours);
}

function result(summary: Parameters<typeof importStatusOf>[0], id: string, arn: string, imported: boolean): ImportResult {
  const { status, message } = importStatusOf(summary);
  if (status === 'FAILED') {
    throw new ConnectImportFailed(`the import of ${summary.SourcePhoneNumberArn ?? 'the number'} into Connect (phone number ${id}) FAILED: ${message ?? 'Connect gave no reason'}`);
  }
  return { connectPhoneNumberId: id, connectPhoneNumberArn: arn, status, imported, polls: 0 };
}
