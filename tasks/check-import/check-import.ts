import type { TaskDeps, TaskEvent } from '../lib/context';
import { describeConnectNumber, importResultOf, importStatusOf } from '../lib/connect';
import { ConnectImportFailed } from '../lib/errors';
import { parseOrThrow, ProvisionRequest } from '../lib/request';
import type { ImportResult } from '../lib/results';

/**
 * One poll of the Connect import's status (read-only). The waiting is the ASL's Wait/Choice loop, not a
 * sleeping Lambda: this returns IN_PROGRESS for another round, CLAIMED to go on, and fails with
 * ConnectImportFailed when Connect reports FAILED or the poll budget (`config.importPollLimit`) is spent.
 */
export async function checkImport(event: TaskEvent, deps: TaskDeps): Promise<ImportResult> {
  parseOrThrow(ProvisionRequest, event.request, 'request');
  const previous = importResultOf(event.results);
  const polls = previous.polls + 1;
  const summary = await describeConnectNumber(deps.connect, previous.connectPhoneNumberId);
  if (!summary) {
    throw new ConnectImportFailed(`Connect phone number ${previous.connectPhoneNumberId} no longer exists: the import was released while waiting for it to be CLAIMED`);
  }
  const { status, message } = importStatusOf(summary);
  if (status === 'FAILED') {
    throw new ConnectImportFailed(`the import into Connect (phone number ${previous.connectPhoneNumberId}) FAILED: ${message ?? 'Connect gave no reason'}`);
  }
  if (status === 'IN_PROGRESS' && polls >= deps.config.importPollLimit) {
    throw new ConnectImportFailed(`Connect phone number ${previous.connectPhoneNumberId} is not CLAIMED after ${polls} polls (still IN_PROGRESS); giving up`);
  }
  return { ...previous, status, polls };
}
