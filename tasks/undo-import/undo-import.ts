import { DisassociatePhoneNumberContactFlowCommand, ReleasePhoneNumberCommand } from '@aws-sdk/client-connect';
import { auditScope, TAGS, type TaskDeps, type TaskEvent } from '../lib/context';
import { describeConnectNumber, findImportOf, releaseClientToken, type ConnectImportData, type ContactFlowData } from '../lib/connect';
import { AwsTransientError, classifyAwsError, CompensationFailed, isAwsError, TaskError } from '../lib/errors';
import type { UndoResult } from '../lib/results';
import type { LedgerEntry } from '../lib/store';
import { compensationInput } from '../lib/undo';

/**
 * Compensation of ImportToConnect (and the deprovisioning step): releases the Connect import that the
 * provisioning named by `event.undo` made, after disassociating the contact flow it associated. A no-op when
 * that provisioning's ledger has no import, reused someone else's (`skipped`), or already released it.
 *
 * Release while the import is still IN_PROGRESS: Connect answers ResourceInUseException. That is rethrown
 * as AwsTransientError, which the ASL retries with backoff, because a claim in progress ends on its own in
 * seconds to minutes; if it outlasts the retries, the execution ends ROLLBACK_FAILED and a redrive finishes.
 */
export async function undoImport(event: TaskEvent, deps: TaskDeps): Promise<UndoResult> {
  const { request, undoId: provisioningId } = compensationInput(event);
  const entry = await deps.ledger.get<ConnectImportData>(provisioningId, 'connectImport');
  if (!entry || entry.status === 'undone') return { undone: [], kept: [] };
  const flow = await deps.ledger.get<ContactFlowData>(provisioningId, 'contactFlow');
  if (entry.status === 'skipped') {
    const kept = [`Connect phone number ${entry.data.connectPhoneNumberArn ?? '(unknown)'}: imported before provisioning ${provisioningId}, not released`];
    if (flow?.status === 'done') kept.push(`contact flow ${flow.data.contactFlowId} association on it: the number's previous flow is unknown, left as is`);
    return { undone: [], kept };
  }

  const target = entry.data.connectPhoneNumberId !== undefined ? { id: entry.data.connectPhoneNumberId, arn: entry.data.connectPhoneNumberArn } : await findOurs(deps, provisioningId, entry);
  if (!target) {
    // The import never happened (the intent's call failed): nothing of ours exists in Connect.
    await deps.ledger.set(provisioningId, 'connectImport', 'undone', { ...entry.data, released: false });
    return { undone: [], kept: [] };
  }
  const { id } = target;
  const arn = target.arn ?? id;
  const scope = auditScope(request, entry.data.numberId, event.executionArn);
  const undone: string[] = [];
  const step = event.state;
  try {
    if (flow && flow.status !== 'undone' && flow.status !== 'skipped' && flow.data.connectPhoneNumberId === id) {
      await deps.audit.record(
        scope,
        { step, action: 'connect:DisassociatePhoneNumberContactFlow', resourceArn: arn, before: { contactFlowId: flow.data.contactFlowId } },
        () =>
          deps.connect.send(new DisassociatePhoneNumberContactFlowCommand({ PhoneNumberId: id, InstanceId: flow.data.instanceId })).catch((e: unknown) => {
            // Already gone with the number (released by someone): nothing left to disassociate.
            if (isAwsError(e, 'ResourceNotFoundException')) return undefined;
            throw e;
          }),
      );
      await deps.ledger.set(provisioningId, 'contactFlow', 'undone', flow.data);
      undone.push(`disassociated contact flow ${flow.data.contactFlowId} from Connect phone number ${arn}`);
    }
    let alreadyReleased = false;
    await deps.audit.record(
      scope,
      { step, action: 'connect:ReleasePhoneNumber', resourceArn: arn, before: { connectPhoneNumberId: id, instanceId: entry.data.instanceId, sourcePhoneNumberArn: entry.data.sourcePhoneNumberArn } },
      () =>
        deps.connect.send(new ReleasePhoneNumberCommand({ PhoneNumberId: id, ClientToken: releaseClientToken(provisioningId, id) })).catch((e: unknown) => {
          if (isAwsError(e, 'ResourceNotFoundException')) {
            alreadyReleased = true;
            return undefined;
          }
          if (isAwsError(e, 'ResourceInUseException')) {
            throw new AwsTransientError(`Connect phone number ${id} is still being imported (IN_PROGRESS); it can be released once CLAIMED`, { cause: e });
          }
          throw e;
        }),
      () => ({ released: true, alreadyReleased }),
    );
    await deps.ledger.set(provisioningId, 'connectImport', 'undone', { ...entry.data, connectPhoneNumberId: id, connectPhoneNumberArn: arn, released: !alreadyReleased });
    undone.push(alreadyReleased ? `Connect phone number ${arn} was already released` : `released Connect phone number ${arn} (import of ${entry.data.sourcePhoneNumberArn})`);
    return { undone, kept: [] };
  } catch (e) {
    const c = classifyAwsError(e, 'UndoImport');
    if (c instanceof TaskError && c.retryable) throw c;
    const left = [`connectImport (Connect phone number ${arn}, ${entry.status})`];
    if (flow && flow.status !== 'undone' && flow.status !== 'skipped' && !undone.length) left.unshift(`contactFlow (${flow.data.contactFlowId}, ${flow.status})`);
    const err = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new CompensationFailed(`UndoImport of provisioning ${provisioningId} failed (${err}); left: ${left.join('; ')}`, { cause: e });
  }
}

/**
 * The import an `intent` entry may have made (its answer was lost): the number's import into the recorded
 * instance, if it carries this provisioning's tag, which only our ImportPhoneNumber call sets.
 */
async function findOurs(deps: TaskDeps, provisioningId: string, entry: LedgerEntry<ConnectImportData>): Promise<{ id: string; arn: string } | undefined> {
  const found = await findImportOf(deps.connect, entry.data.sourcePhoneNumberArn);
  if (!found?.PhoneNumberId || found.InstanceId !== entry.data.instanceId) return undefined;
  const summary = await describeConnectNumber(deps.connect, found.PhoneNumberId);
  if (!summary?.PhoneNumberArn) return undefined;
  const tags = summary.Tags ?? {};
  if (tags[TAGS.provisioningId] !== provisioningId || tags[TAGS.managedBy] !== TAGS.managedByValue) return undefined;
  return { id: found.PhoneNumberId, arn: summary.PhoneNumberArn };
}
