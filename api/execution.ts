import type { DescribeExecutionCommandOutput, HistoryEvent as SfnHistoryEvent } from '@aws-sdk/client-sfn';
import type { Status, Step } from './schemas';

/**
 * What a provisioning's status, error and steps are, derived from Step Functions alone (DescribeExecution and
 * GetExecutionHistory), so that the API says the same on AWS and locally and never needs its own bookkeeping
 * of an execution's progress.
 */

export interface ErrorInfo {
  name: string;
  message: string;
}

export interface ExecutionOutcome {
  status: Status;
  error?: ErrorInfo;
  endedAt?: string;
  redriveCount?: number;
}

/** The name of the ASL's final Fail state's error: everything was undone, the cause carries the original error. */
export const ROLLED_BACK_ERROR = 'RolledBack';

/**
 * SUCCEEDED → SUCCEEDED; FAILED with `RolledBack` → ROLLED_BACK (error = the original one); any other FAILED
 * means a compensation failed and the execution stopped in an Undo* state → ROLLBACK_FAILED; ABORTED and
 * TIMED_OUT → ABORTED; RUNNING and PENDING_REDRIVE → RUNNING.
 */
export function outcomeOf(d: Pick<DescribeExecutionCommandOutput, 'status' | 'error' | 'cause' | 'stopDate' | 'redriveCount'>): ExecutionOutcome {
  const endedAt = d.stopDate ? iso(d.stopDate) : undefined;
  const base = { ...(d.redriveCount !== undefined ? { redriveCount: d.redriveCount } : {}) };
  switch (d.status) {
    case 'SUCCEEDED':
      return { ...base, status: 'SUCCEEDED', ...(endedAt ? { endedAt } : {}) };
    case 'FAILED': {
      if (d.error === ROLLED_BACK_ERROR) return { ...base, status: 'ROLLED_BACK', error: originalError(d.cause), ...(endedAt ? { endedAt } : {}) };
      return { ...base, status: 'ROLLBACK_FAILED', error: errorOf(d.error, d.cause), ...(endedAt ? { endedAt } : {}) };
    }
    case 'ABORTED':
    case 'TIMED_OUT':
      return {
        ...base,
        status: 'ABORTED',
        ...(d.error || d.status === 'TIMED_OUT' ? { error: errorOf(d.error ?? 'States.Timeout', d.cause) } : {}),
        ...(endedAt ? { endedAt } : {}),
      };
    default:
      return { ...base, status: 'RUNNING' };
  }
}

/**
 * The RolledBack cause is `States.JsonToString($.error)`: `{"Error": name, "Cause": cause}`, where a Lambda
 * error's cause is itself JSON `{"errorType","errorMessage"}` and a `States.*` error's cause is plain text.
 */
export function originalError(cause: string | undefined): ErrorInfo {
  const outer = parseJson(cause);
  if (isRecord(outer) && typeof outer.Error === 'string') return errorOf(outer.Error, typeof outer.Cause === 'string' ? outer.Cause : undefined);
  return { name: ROLLED_BACK_ERROR, message: cause ?? 'rolled back' };
}

/** An error name and a cause that may be Lambda's JSON `{errorType, errorMessage}` or plain text. */
export function errorOf(name: string | undefined, cause: string | undefined): ErrorInfo {
  const parsed = parseJson(cause);
  if (isRecord(parsed) && typeof parsed.errorMessage === 'string') {
    return { name: name ?? (typeof parsed.errorType === 'string' ? parsed.errorType : 'Error'), message: parsed.errorMessage };
  }
  return { name: name ?? 'Error', message: cause ?? '' };
}

const FAILURE_DETAILS = [
  'lambdaFunctionFailedEventDetails',
  'lambdaFunctionTimedOutEventDetails',
  'lambdaFunctionScheduleFailedEventDetails',
  'lambdaFunctionStartFailedEventDetails',
  'taskFailedEventDetails',
  'taskTimedOutEventDetails',
  'taskStartFailedEventDetails',
  'taskSubmitFailedEventDetails',
  'activityFailedEventDetails',
  'activityTimedOutEventDetails',
  'activityScheduleFailedEventDetails',
] as const;

const ATTEMPT_EVENTS = new Set(['LambdaFunctionScheduled', 'TaskScheduled', 'ActivityScheduled']);
const SUCCESS_EVENTS = new Set(['LambdaFunctionSucceeded', 'TaskSucceeded', 'ActivitySucceeded']);

/**
 * One step per state entered, in order (a state entered twice, e.g. CheckImport in its polling loop, is two
 * steps). Retries are the attempts after the first; a step whose last attempt failed is `caught` when the
 * execution went on to another state and `failed` when the execution ended there (or was redriven from it).
 */
export function stepsOf(events: readonly SfnHistoryEvent[]): Step[] {
  const steps: Step[] = [];
  let current: (Step & { attempts: number; lastFailed: boolean }) | undefined;
  const close = (status: Step['status'], at: Date | undefined) => {
    if (!current) return;
    current.status = status;
    if (at && !current.exitedAt) current.exitedAt = iso(at);
    current = undefined;
  };
  for (const e of events) {
    const type = e.type ?? '';
    if (type.endsWith('StateEntered')) {
      if (current) close(current.lastFailed ? 'caught' : 'succeeded', e.timestamp);
      current = {
        name: e.stateEnteredEventDetails?.name ?? '?',
        type: type.slice(0, -'StateEntered'.length),
        status: 'running',
        enteredAt: iso(e.timestamp),
        retries: 0,
        attempts: 0,
        lastFailed: false,
      };
      steps.push(current);
      continue;
    }
    if (!current) {
      // A redriven execution resumes inside the failed state without entering it again.
      if (ATTEMPT_EVENTS.has(type) && steps.length) {
        const last = steps[steps.length - 1]!;
        current = { name: last.name, type: last.type, status: 'running', enteredAt: iso(e.timestamp), retries: 0, attempts: 0, lastFailed: false };
        steps.push(current);
      } else continue;
    }
    if (ATTEMPT_EVENTS.has(type)) {
      current.attempts += 1;
      current.retries = Math.max(0, current.attempts - 1);
      current.lastFailed = false;
      delete current.error;
    } else if (SUCCESS_EVENTS.has(type)) {
      current.lastFailed = false;
    } else if (type.endsWith('StateExited')) {
      current.exitedAt = iso(e.timestamp);
      if (!current.lastFailed) close('succeeded', e.timestamp);
    } else if (type === 'ExecutionFailed' || type === 'ExecutionAborted' || type === 'ExecutionTimedOut') {
      const d = e.executionFailedEventDetails ?? e.executionAbortedEventDetails ?? e.executionTimedOutEventDetails;
      // A Fail state is where the execution was meant to end: it carries the execution's error.
      if (current.type === 'Fail' && d) current.error = errorOf(d.error, d.cause);
      else if (!current.error && d?.error) current.error = errorOf(d.error, d.cause);
      close('failed', e.timestamp);
    } else if (type === 'ExecutionSucceeded') {
      close('succeeded', e.timestamp);
    } else if (type === 'ExecutionRedriven') {
      close(current.lastFailed ? 'failed' : 'succeeded', e.timestamp);
    } else {
      const d = failureDetails(e);
      if (d) {
        current.lastFailed = true;
        current.error = errorOf(d.error, d.cause);
      }
    }
  }
  return steps.map(({ name, type, status, enteredAt, exitedAt, retries, error }) => ({
    name,
    type,
    status,
    enteredAt,
    ...(exitedAt ? { exitedAt } : {}),
    retries,
    ...(error ? { error } : {}),
  }));
}

function failureDetails(e: SfnHistoryEvent): { error?: string; cause?: string } | undefined {
  for (const key of FAILURE_DETAILS) {
    const d = e[key];
    if (d) return d as { error?: string; cause?: string };
  }
  return undefined;
}

/** A history event as JSON: timestamps as RFC 3339 strings, absent fields left out. */
export function eventJson(e: SfnHistoryEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (v === undefined) continue;
    out[k] = k === 'timestamp' && v instanceof Date ? v.toISOString() : v;
  }
  if (!('timestamp' in out)) out.timestamp = new Date(0).toISOString();
  return out;
}

function iso(d: Date | string | undefined): string {
  if (d === undefined) return new Date(0).toISOString();
  return (d instanceof Date ? d : new Date(d)).toISOString();
}

function parseJson(s: string | undefined): unknown {
  if (s === undefined) return undefined;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
