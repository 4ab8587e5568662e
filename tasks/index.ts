import type { TaskDeps, TaskEvent } from './lib/context';
import { acquireLock } from './acquire-lock/acquire-lock';
import { validateNumber } from './validate-number/validate-number';
import { ensureTopic } from './ensure-topic/ensure-topic';
import { ensureAccess } from './ensure-access/ensure-access';
import { mergeKeyPolicy } from './merge-key-policy/merge-key-policy';
import { ensureConnectRole } from './ensure-connect-role/ensure-connect-role';
import { preflight } from './preflight/preflight';
import { enableTwoWay } from './enable-two-way/enable-two-way';
import { importToConnect } from './import-to-connect/import-to-connect';
import { checkImport } from './check-import/check-import';
import { associateContactFlow } from './associate-contact-flow/associate-contact-flow';
import { verify } from './verify/verify';
import { releaseLock } from './release-lock/release-lock';
import { undoImport } from './undo-import/undo-import';
import { undoTwoWay } from './undo-two-way/undo-two-way';
import { undoKeyPolicy } from './undo-key-policy/undo-key-policy';
import { undoAccess } from './undo-access/undo-access';
import { undoTopic } from './undo-topic/undo-topic';
import { checkRestored } from './check-restored/check-restored';
import { findProvisioning } from './find-provisioning/find-provisioning';
import { finishDeprovisioning } from './finish-deprovisioning/finish-deprovisioning';

export type TaskCore = (event: TaskEvent, deps: TaskDeps) => Promise<unknown>;

/**
 * Every task by the name the ASL uses in `${<Name>FunctionArn}`. The local runtime invokes these in process;
 * the CDK stack bundles `tasks/<kebab-name>/handler.ts` for each. A test checks both sets match the ASL.
 */
export const TASKS = {
  AcquireLock: acquireLock,
  ValidateNumber: validateNumber,
  EnsureTopic: ensureTopic,
  EnsureAccess: ensureAccess,
  MergeKeyPolicy: mergeKeyPolicy,
  EnsureConnectRole: ensureConnectRole,
  Preflight: preflight,
  EnableTwoWay: enableTwoWay,
  ImportToConnect: importToConnect,
  CheckImport: checkImport,
  AssociateContactFlow: associateContactFlow,
  Verify: verify,
  ReleaseLock: releaseLock,
  UndoImport: undoImport,
  UndoTwoWay: undoTwoWay,
  UndoKeyPolicy: undoKeyPolicy,
  UndoAccess: undoAccess,
  UndoTopic: undoTopic,
  CheckRestored: checkRestored,
  FindProvisioning: findProvisioning,
  FinishDeprovisioning: finishDeprovisioning,
} as const satisfies Record<string, TaskCore>;

export type TaskName = keyof typeof TASKS;

/** `AcquireLock` → `acquire-lock` (the task's folder). */
export function taskFolder(name: string): string {
  return name.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase();
}
