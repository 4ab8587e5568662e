import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { classifyAwsError, isAwsError } from '../lib/errors';
import { parseOrThrow } from '../lib/request';
import { releaseLeasesHeldBy } from '../lib/store/lease-release';
import { keys, TABLE } from '../lib/store/table';

/**
 * The completion hook: an execution of either state machine ended. On AWS an EventBridge rule on
 * "Step Functions Execution Status Change" invokes this; it sets the provisioning record's `status` and
 * `endedAt` (the provisioning id is the execution name), counts executions whose rollback failed, releases
 * the number lease of an execution that can no longer release it itself, and then runs the completion hooks
 * (signed ticket callbacks come later and plug in there).
 */

/** The `Error` of every Fail state of both state machines: the execution failed and everything was undone. */
export const ROLLED_BACK_ERROR = 'RolledBack';

/** Metric names the notifier emits and the stack alarms on (one definition, so they cannot drift). */
export const NOTIFIER_METRICS = {
  namespace: 'TwoWaySms',
  service: 'two-way-sms-notifier',
  rollbackFailed: 'RollbackFailed',
  executionsEnded: 'ExecutionsEnded',
} as const;

export type ProvisioningStatus = 'RUNNING' | 'SUCCEEDED' | 'ROLLED_BACK' | 'ROLLBACK_FAILED' | 'ABORTED';

// EventBridge adds fields over time (redriveCount, ...): unknown keys are tolerated, the ones used are checked.
const Detail = z.object({
  executionArn: z.string().regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/, 'executionArn must be a Step Functions execution ARN'),
  stateMachineArn: z.string().min(1),
  name: z.string().min(1).max(80),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']),
  startDate: z.number().nullish(),
  stopDate: z.number().nullish(),
  error: z.string().nullish(),
  cause: z.string().nullish(),
});
const StatusChangeEvent = z.object({
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  time: z.string().optional(),
  detail: Detail,
});
export type ExecutionStatusDetail = z.infer<typeof Detail>;

/**
 * The provisioning status an execution's end means, as the API derives it from Step Functions (api/execution.ts):
 * FAILED with the `RolledBack` error is a clean rollback; any other FAILED (a compensation gave up) may have left
 * changes behind: ROLLBACK_FAILED, to be redriven. ABORTED and TIMED_OUT (its state machine's TimeoutSeconds) both
 * stopped mid-way without compensating: ABORTED (its own alarms watch AWS/States). Undefined for a status that is
 * not an end.
 */
export function provisioningStatusOf(detail: Pick<ExecutionStatusDetail, 'status' | 'error'>): Exclude<ProvisioningStatus, 'RUNNING'> | undefined {
  switch (detail.status) {
    case 'SUCCEEDED':
      return 'SUCCEEDED';
    case 'FAILED':
      return detail.error === ROLLED_BACK_ERROR ? 'ROLLED_BACK' : 'ROLLBACK_FAILED';
    case 'TIMED_OUT':
    case 'ABORTED':
      return 'ABORTED';
    default:
      return undefined;
  }
}

/** What the completion hooks receive. */
export interface Completion {
  provisioningId: string;
  executionArn: string;
  stateMachineArn: string;
  executionStatus: ExecutionStatusDetail['status'];
  status: Exclude<ProvisioningStatus, 'RUNNING'>;
  endedAt: string;
  error?: string;
  cause?: string;
}

/** Runs after the record is updated; a throw fails the invocation (EventBridge/Lambda retry, then the DLQ). */
export type CompletionHook = (completion: Completion) => Promise<void>;

export interface NotifierDeps {
  db: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
  hooks: readonly CompletionHook[];
  log: { info(message: string, extra?: Record<string, unknown>): void; warn(message: string, extra?: Record<string, unknown>): void };
  count: (metric: string) => void;
  clock: () => Date;
}

/**
 * Whether the ended execution's number leases are released here. ABORTED and TIMED_OUT executions never reach
 * their ReleaseLock state; SUCCEEDED and RolledBack ones did, unless that release failed (the ASL then records
 * the error and ends all the same), so releasing again is a no-op or the repair. A FAILED execution whose
 * compensation gave up keeps its lease until it expires: the number is half undone, and its redrive resumes
 * under the same execution ARN without taking the lease again.
 */
export function releasesLease(detail: Pick<ExecutionStatusDetail, 'status' | 'error'>): boolean {
  return detail.status === 'ABORTED' || detail.status === 'TIMED_OUT' || detail.status === 'SUCCEEDED' || (detail.status === 'FAILED' && detail.error === ROLLED_BACK_ERROR);
}

export type NotifyOutcome =
  | { result: 'updated'; completion: Completion }
  /** The record does not exist: an execution started outside the API (console, CLI). Nothing to update. */
  | { result: 'no-record'; completion: Completion }
  /** The record already carries a later end (a redriven execution ended after this event's execution). */
  | { result: 'stale'; completion: Completion }
  | { result: 'ignored'; status: string };

export async function notify(event: unknown, deps: NotifierDeps): Promise<NotifyOutcome> {
  const { detail } = parseOrThrow(StatusChangeEvent, event, 'event');
  const status = provisioningStatusOf(detail);
  if (!status) {
    deps.log.info('execution status is not an end; nothing to record', { executionArn: detail.executionArn, executionStatus: detail.status });
    return { result: 'ignored', status: detail.status };
  }
  const completion: Completion = {
    provisioningId: detail.name,
    executionArn: detail.executionArn,
    stateMachineArn: detail.stateMachineArn,
    executionStatus: detail.status,
    status,
    endedAt: new Date(detail.stopDate ?? deps.clock().getTime()).toISOString(),
    ...(detail.error ? { error: detail.error } : {}),
    ...(detail.cause ? { cause: detail.cause } : {}),
  };
  deps.count(NOTIFIER_METRICS.executionsEnded);
  if (status === 'ROLLBACK_FAILED') deps.count(NOTIFIER_METRICS.rollbackFailed);

  // Before the record: an execution started outside the API has no record, but may hold a lease.
  if (releasesLease(detail)) {
    let released: string[];
    try {
      released = await releaseLeasesHeldBy(deps.db, deps.tableName, completion.executionArn);
    } catch (e) {
      throw classifyAwsError(e, 'dynamodb:Query/DeleteItem (lease release)');
    }
    if (released.length) deps.log.info('released the number lease the execution still held', { executionArn: completion.executionArn, released });
  }

  const key = { [TABLE.partitionKey]: keys.provisioning(completion.provisioningId), [TABLE.sortKey]: 'META' };
  let result: 'updated' | 'no-record' | 'stale';
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: key,
        UpdateExpression: 'SET #status = :status, #endedAt = :endedAt',
        // Only an existing record, and never back in time: a redrive's end is later than the first attempt's.
        ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#endedAt) OR #endedAt <= :endedAt)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#status': 'status', '#endedAt': 'endedAt' },
        ExpressionAttributeValues: { ':status': status, ':endedAt': completion.endedAt },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    result = 'updated';
  } catch (e) {
    if (!isAwsError(e, 'ConditionalCheckFailedException')) throw classifyAwsError(e, 'dynamodb:UpdateItem');
    // DynamoDB returns the item that failed the condition (ALL_OLD); an emulator may not, so read it then.
    const existing = (e as { Item?: unknown }).Item ?? (await readRecord(deps, key));
    result = existing ? 'stale' : 'no-record';
  }
  deps.log[result === 'updated' ? 'info' : 'warn'](`provisioning record ${result}`, { ...completion });
  if (result === 'updated') {
    for (const hook of deps.hooks) await hook(completion);
  }
  return { result, completion };
}

async function readRecord(deps: NotifierDeps, key: Record<string, string>): Promise<unknown> {
  try {
    return (await deps.db.send(new GetCommand({ TableName: deps.tableName, Key: key, ConsistentRead: true, ProjectionExpression: '#pk', ExpressionAttributeNames: { '#pk': TABLE.partitionKey } }))).Item;
  } catch (e) {
    throw classifyAwsError(e, 'dynamodb:GetItem');
  }
}
