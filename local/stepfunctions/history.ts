import type { HistoryEventRecord } from './store';

/**
 * The execution history in AWS's terms. Events are appended one at a time by the engine as the interpreter
 * reports them; this module only knows their shapes (API `HistoryEvent`), as recorded from real AWS histories:
 *
 * - `ExecutionStarted` (id 1, previousEventId 0) with `{input, inputDetails, roleArn}`;
 * - `<Type>StateEntered` `{name, input}` and `<Type>StateExited` `{name, output}` for Task, Pass, Choice, Wait,
 *   Succeed, Map and Parallel; a Fail state is only entered; the first state entered after `ExecutionStarted`
 *   has previousEventId 0, as on AWS; every other event points at the event before it;
 * - a Task whose resource is a Lambda function ARN: `LambdaFunctionScheduled` `{resource, input}` (the effective
 *   input after `Parameters`), `LambdaFunctionStarted`, then `LambdaFunctionSucceeded` `{output}` or
 *   `LambdaFunctionFailed` `{error, cause}`; each retry schedules again; a caught error is followed by
 *   `TaskStateExited` with the error output, an uncaught one by `ExecutionFailed`;
 * - `ExecutionSucceeded` `{output}`, `ExecutionFailed` `{error, cause}`, `ExecutionTimedOut`, `ExecutionAborted`
 *   `{error?, cause?}` preceded by `<Type>StateAborted` for a Task/Wait state that was running, and
 *   `ExecutionRedriven` `{redriveCount}` before the redriven state is entered again.
 */

const noTruncation = { truncated: false } as const;

/** An event before the engine numbers and stamps it. */
export interface NewEvent {
  type: string;
  [details: string]: unknown;
}

/** State types whose entered/exited events AWS names after them. */
const STATE_TYPES = new Set(['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail', 'Map', 'Parallel']);

export function stateEntered(type: string, name: string, input: unknown): NewEvent {
  return { type: `${stateType(type)}StateEntered`, stateEnteredEventDetails: { name, input: json(input), inputDetails: noTruncation } };
}

export function stateExited(type: string, name: string, output: unknown): NewEvent {
  return { type: `${stateType(type)}StateExited`, stateExitedEventDetails: { name, output: json(output), outputDetails: noTruncation } };
}

/** Only states that can be in progress when an execution stops have an Aborted event. */
export function stateAborted(type: string): NewEvent | undefined {
  return ['Task', 'Wait', 'Map', 'Parallel'].includes(type) ? { type: `${type}StateAborted` } : undefined;
}

export function executionStarted(input: string, roleArn: string): NewEvent {
  return { type: 'ExecutionStarted', executionStartedEventDetails: { input, inputDetails: noTruncation, roleArn } };
}

export function executionSucceeded(output: string): NewEvent {
  return { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output, outputDetails: noTruncation } };
}

export function executionFailed(error: string, cause: string): NewEvent {
  return { type: 'ExecutionFailed', executionFailedEventDetails: { error, cause } };
}

export function executionTimedOut(error: string, cause: string): NewEvent {
  return { type: 'ExecutionTimedOut', executionTimedOutEventDetails: { error, cause } };
}

export function executionAborted(error?: string, cause?: string): NewEvent {
  return { type: 'ExecutionAborted', executionAbortedEventDetails: { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) } };
}

export function executionRedriven(redriveCount: number): NewEvent {
  return { type: 'ExecutionRedriven', executionRedrivenEventDetails: { redriveCount } };
}

export function lambdaScheduled(resource: string, input: unknown): NewEvent {
  return { type: 'LambdaFunctionScheduled', lambdaFunctionScheduledEventDetails: { resource, input: json(input), inputDetails: noTruncation } };
}

export function lambdaStarted(): NewEvent {
  return { type: 'LambdaFunctionStarted' };
}

export function lambdaSucceeded(output: unknown): NewEvent {
  return { type: 'LambdaFunctionSucceeded', lambdaFunctionSucceededEventDetails: { output: json(output), outputDetails: noTruncation } };
}

export function lambdaFailed(error: string, cause: string): NewEvent {
  return { type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: { error, cause } };
}

/** `includeExecutionData: false`: the same events without their input and output payloads. */
export function withoutExecutionData(event: HistoryEventRecord): HistoryEventRecord {
  const out: HistoryEventRecord = { ...event };
  for (const [k, v] of Object.entries(event)) {
    if (!k.endsWith('EventDetails') || typeof v !== 'object' || v === null) continue;
    const { input: _input, output: _output, ...rest } = v as Record<string, unknown>;
    out[k] = rest;
  }
  return out;
}

function stateType(type: string): string {
  return STATE_TYPES.has(type) ? type : 'Task';
}

function json(v: unknown): string {
  return JSON.stringify(v === undefined ? null : v);
}
