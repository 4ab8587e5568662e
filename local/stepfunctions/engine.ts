import { randomUUID } from 'node:crypto';
import type * as AslInterpreter from 'aws-local-stepfunctions' with { 'resolution-mode': 'import' };
import type { TaskCore } from '../../tasks';
import type { TaskDeps, TaskEvent } from '../../tasks/lib/context';
import { loadDefinitionText, localFunctionArns, STATE_MACHINES, substitute, taskNames, type AslDefinition, type StateMachineKey } from '../../workflow';
import { execute, type EngineEvent, type ExecutionOutcome } from '../engine/executor';
import { AwsError } from '../sandbox/core/errors';
import { checkName, checkRoleArn, executionArn as executionArnOf, parseExecutionArn, parseStateMachineArn, stateMachineArn as stateMachineArnOf } from './arns';
import * as H from './history';
import {
  ConditionFailed,
  StatesStore,
  type DocClient,
  type ExecutionRecord,
  type ExecutionStatus,
  type HistoryEventRecord,
  type StateMachineRecord,
  type StatePoint,
} from './store';

// The interpreter is ESM with a CommonJS build; load the CJS build explicitly (as local/engine/executor.ts does).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as typeof AslInterpreter;

export { statesTableInput } from './store';
export type { ExecutionRecord, ExecutionStatus, HistoryEventRecord, StateMachineRecord } from './store';

/** What the local stand-in for EventBridge's "Step Functions Execution Status Change" event carries. */
export interface ExecutionEnd {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: Exclude<ExecutionStatus, 'RUNNING' | 'PENDING_REDRIVE'>;
  /** JSON text, as in the EventBridge event. */
  output?: string;
  error?: string;
  cause?: string;
}

export type ExecutionEndListener = (end: ExecutionEnd) => void | Promise<void>;

export interface LocalStepFunctionsOptions {
  doc: DocClient;
  tableName: string;
  /** Task cores by the name in their Lambda ARN (`...:function:two-way-sms-<Name>`). */
  tasks: Readonly<Record<string, TaskCore>>;
  deps: TaskDeps;
  region?: string;
  accountId?: string;
  /** Milliseconds for every Wait state (local runs need not wait real seconds). */
  waitMs?: number;
  /** Milliseconds between retries, instead of IntervalSeconds/BackoffRate. */
  retryIntervalMs?: number;
  onExecutionEnd?: ExecutionEndListener;
  clock?: () => Date;
  /** Where background failures (a history write that failed) are reported. Default: stderr. */
  log?: (message: string) => void;
}

/** The role the workflow state machines are registered with (the CDK stack creates the real one). */
export const WORKFLOW_ROLE_NAME = 'two-way-sms-state-machine';

/** Largest execution input: 256 KiB of UTF-8 (the model's 262144 characters are checked by the API layer). */
const MAX_PAYLOAD_BYTES = 262_144;
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;
/** AWS stops redriving an execution after 1000 redrives. */
const MAX_REDRIVES = 1000;

/** One execution being interpreted in this process. */
interface Run {
  readonly executionArn: string;
  readonly record: ExecutionRecord;
  readonly definition: AslDefinition;
  readonly abort: AbortController;
  /** Set when the process stops following the execution (StopExecution, close): nothing more is recorded by it. */
  detached: boolean;
  /** Set (synchronously) by whoever records the execution's end, so that only one does. */
  ended: boolean;
  lastId: number;
  lastType: string | undefined;
  /** The state being executed, and whether it has exited. */
  current: { name: string; type: string; exited: boolean } | undefined;
  lastState: StatePoint | undefined;
  /** A resumed execution re-enters the state it was in: that entry is already in the history. */
  skipEntered: string | undefined;
  /** Durable writes of this execution, in order. */
  queue: Promise<void>;
  done: Promise<void>;
}

/**
 * The local Step Functions service: state machines, executions and their AWS-shaped histories, persisted in
 * DynamoDB. Executions are interpreted in this process by `aws-local-stepfunctions` (local/engine/executor.ts),
 * each Task invoking its core in process as Lambda would. Every history event is written before the
 * interpreter goes on to invoke the next task, so that after a crash an execution resumes from the last state
 * it entered, with that state's input (tasks are idempotent, so a task that was in flight runs again).
 */
export class LocalStepFunctions {
  readonly region: string;
  readonly accountId: string;
  readonly store: StatesStore;
  private readonly opts: LocalStepFunctionsOptions;
  private readonly clock: () => Date;
  private readonly runs = new Map<string, Run>();
  private readonly listeners: ExecutionEndListener[] = [];
  private readonly definitions = new Map<string, AslDefinition>();
  private closed = false;

  constructor(opts: LocalStepFunctionsOptions) {
    this.opts = opts;
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '123456789012';
    this.clock = opts.clock ?? (() => new Date());
    this.store = new StatesStore(opts.doc, opts.tableName);
    if (opts.onExecutionEnd) this.listeners.push(opts.onExecutionEnd);
  }

  /** Creates the service's table if needed. */
  ensureTable(): Promise<void> {
    return this.store.ensureTable();
  }

  /** Registers a listener of execution ends (SUCCEEDED, FAILED, TIMED_OUT, ABORTED); returns its removal. */
  onExecutionEnd(listener: ExecutionEndListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  stateMachineArn(name: string): string {
    return stateMachineArnOf(this.region, this.accountId, name);
  }

  // --- state machines ---

  /**
   * CreateStateMachine. Idempotent as on AWS: the same name with the same definition (and type) returns the
   * existing state machine; the same name with anything else is `StateMachineAlreadyExists`.
   */
  async createStateMachine(input: { name: string; definition: string; roleArn: string; type?: string; tags?: { key: string; value: string }[] }): Promise<StateMachineRecord> {
    checkName(input.name);
    checkRoleArn(input.roleArn);
    if (input.type === 'EXPRESS') throw new AwsError('StateMachineTypeNotSupported', 'EXPRESS state machines are not supported by the local Step Functions service.');
    validateDefinition(input.definition);
    const arn = this.stateMachineArn(input.name);
    const existing = await this.store.getStateMachine(arn);
    if (existing) {
      if (existing.definition === input.definition) return existing;
      throw new AwsError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const sm: StateMachineRecord = {
      stateMachineArn: arn,
      name: input.name,
      definition: input.definition,
      roleArn: input.roleArn,
      type: 'STANDARD',
      creationDate: this.clock().toISOString(),
      revisionId: randomUUID(),
      tags: input.tags ?? [],
    };
    try {
      await this.store.putStateMachine(sm, true);
    } catch (e) {
      // Created concurrently by another request: answer as if it had come first.
      if (e instanceof ConditionFailed) return this.createStateMachine(input);
      throw e;
    }
    return sm;
  }

  async describeStateMachine(arn: string): Promise<StateMachineRecord> {
    const parsed = parseStateMachineArn(arn);
    const sm = parsed.qualifier ? undefined : await this.store.getStateMachine(arn);
    if (!sm) throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return sm;
  }

  async listStateMachines(maxResults: number, nextToken?: string): Promise<{ stateMachines: StateMachineRecord[]; nextToken?: string }> {
    const after = nextToken === undefined ? undefined : decodeToken(nextToken, 'sm');
    const page = await this.store.listStateMachines(maxResults, after);
    return { stateMachines: page.items, ...(page.after !== undefined ? { nextToken: encodeToken('sm', page.after) } : {}) };
  }

  /**
   * Registers the workflow's state machines (`provision-two-way`, `deprovision-two-way`) from workflow/*.asl.json
   * with the local Lambda ARNs. Idempotent; an edited ASL file replaces the definition (a new revision, as a
   * deployment would), while executions already started keep the definition they started with.
   */
  async registerWorkflowDefinitions(): Promise<Record<StateMachineKey, string>> {
    const out: Partial<Record<StateMachineKey, string>> = {};
    for (const [key, name] of Object.entries(STATE_MACHINES) as [StateMachineKey, string][]) {
      const text = loadDefinitionText(name);
      const definition = JSON.stringify(substitute(text, localFunctionArns(taskNames(text), this.region, this.accountId)), null, 2);
      const roleArn = `arn:aws:iam::${this.accountId}:role/${WORKFLOW_ROLE_NAME}`;
      const arn = this.stateMachineArn(name);
      const existing = await this.store.getStateMachine(arn);
      if (!existing) await this.createStateMachine({ name, definition, roleArn });
      else if (existing.definition !== definition) {
        validateDefinition(definition);
        await this.store.putStateMachine({ ...existing, definition, revisionId: randomUUID() }, false);
      }
      out[key] = arn;
    }
    return out as Record<StateMachineKey, string>;
  }

  // --- executions ---

  /**
   * StartExecution. A name already used by a RUNNING execution with the same input returns that execution (AWS's
   * idempotency for Standard workflows); a name used by any other execution is `ExecutionAlreadyExists`.
   */
  async startExecution(input: { stateMachineArn: string; name?: string; input?: string }): Promise<{ executionArn: string; startDate: string }> {
    this.assertOpen();
    const name = input.name ?? randomUUID();
    checkName(name);
    parseStateMachineArn(input.stateMachineArn);
    const payload = input.input ?? '{}';
    checkPayload(payload);
    const sm = await this.describeStateMachine(input.stateMachineArn);
    const arn = executionArnOf(sm.stateMachineArn, name);
    const record: ExecutionRecord = {
      executionArn: arn,
      stateMachineArn: sm.stateMachineArn,
      name,
      status: 'RUNNING',
      input: payload,
      startDate: this.clock().toISOString(),
      revisionId: sm.revisionId,
      redriveCount: 0,
      transitions: 0,
    };
    try {
      await this.store.createExecution(record);
    } catch (e) {
      if (!(e instanceof ConditionFailed)) throw e;
      const existing = await this.store.getExecution(arn);
      if (existing && existing.status === 'RUNNING' && existing.input === payload) return { executionArn: arn, startDate: existing.startDate };
      throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const definition = await this.definitionOf(record);
    const run = this.newRun(record, definition, { lastId: 0, lastType: undefined });
    this.append(run, H.executionStarted(payload, sm.roleArn));
    await run.queue;
    this.launch(run);
    return { executionArn: arn, startDate: record.startDate };
  }

  async describeExecution(arn: string): Promise<ExecutionRecord> {
    parseExecutionArn(arn);
    const ex = await this.store.getExecution(arn);
    if (!ex) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return ex;
  }

  async listExecutions(input: {
    stateMachineArn: string;
    statusFilter?: ExecutionStatus;
    redriveFilter?: 'REDRIVEN' | 'NOT_REDRIVEN';
    maxResults: number;
    nextToken?: string;
  }): Promise<{ executions: ExecutionRecord[]; nextToken?: string }> {
    await this.describeStateMachine(input.stateMachineArn);
    const after = input.nextToken === undefined ? undefined : decodeToken(input.nextToken, 'ex');
    const filter = {
      ...(input.statusFilter ? { status: input.statusFilter } : {}),
      ...(input.redriveFilter ? { redriven: input.redriveFilter === 'REDRIVEN' } : {}),
    };
    const page = await this.store.listExecutions(input.stateMachineArn, input.maxResults, filter, after);
    return { executions: page.items, ...(page.after !== undefined ? { nextToken: encodeToken('ex', page.after) } : {}) };
  }

  async getExecutionHistory(input: {
    executionArn: string;
    maxResults: number;
    reverseOrder?: boolean;
    nextToken?: string;
    includeExecutionData?: boolean;
  }): Promise<{ events: HistoryEventRecord[]; nextToken?: string }> {
    await this.describeExecution(input.executionArn);
    const reverse = input.reverseOrder ?? false;
    const kind = reverse ? 'hr' : 'hf';
    let afterId: number | undefined;
    if (input.nextToken !== undefined) {
      afterId = Number(decodeToken(input.nextToken, kind));
      if (!Number.isInteger(afterId) || afterId < 0) throw new AwsError('InvalidToken', `Invalid Token: '${input.nextToken}'`);
    }
    const page = await this.store.history(input.executionArn, input.maxResults, reverse, afterId);
    const events = input.includeExecutionData === false ? page.events.map(H.withoutExecutionData) : page.events;
    return { events, ...(page.more && events.length ? { nextToken: encodeToken(kind, String(events.at(-1)!.id)) } : {}) };
  }

  /** The number of state transitions of an execution so far (states entered plus retries). */
  async transitions(executionArn: string): Promise<number> {
    return (await this.describeExecution(executionArn)).transitions;
  }

  /**
   * StopExecution: a RUNNING execution becomes ABORTED (with the given error and cause), the state in progress
   * is abandoned. On an execution that has already ended it changes nothing.
   */
  async stopExecution(input: { executionArn: string; error?: string; cause?: string }): Promise<{ stopDate: string }> {
    const ex = await this.describeExecution(input.executionArn);
    if (ex.status !== 'RUNNING') return { stopDate: ex.stopDate ?? this.clock().toISOString() };
    let run = this.runs.get(input.executionArn);
    if (run?.ended) {
      await run.done;
      const after = await this.describeExecution(input.executionArn);
      return { stopDate: after.stopDate ?? this.clock().toISOString() };
    }
    if (!run) {
      // RUNNING in the store but not interpreted here (not resumed yet): record the stop all the same.
      const last = await this.store.lastEvent(ex.executionArn);
      run = this.newRun(ex, await this.definitionOf(ex), { lastId: last?.id ?? 0, lastType: last?.type });
      if (ex.lastState) run.current = { name: ex.lastState.name, type: run.definition.States[ex.lastState.name]?.Type ?? 'Task', exited: false };
      run.lastState = ex.lastState;
    }
    run.ended = true;
    run.detached = true;
    run.abort.abort();
    await run.queue;
    const stopDate = this.clock().toISOString();
    const current = run.current;
    const aborted = current && !current.exited ? H.stateAborted(current.type) : undefined;
    if (aborted) this.append(run, aborted, true);
    this.append(run, H.executionAborted(input.error, input.cause), true);
    await run.queue;
    const resumeAt = run.lastState;
    await this.store.updateExecution(ex.executionArn, {
      set: { status: 'ABORTED', stopDate, ...(input.error !== undefined ? { error: input.error } : {}), ...(input.cause !== undefined ? { cause: input.cause } : {}), ...(resumeAt ? { resumeAt } : {}) },
      remove: [...(input.error === undefined ? (['error'] as const) : []), ...(input.cause === undefined ? (['cause'] as const) : [])],
      ifStatus: 'RUNNING',
    });
    await this.emit({
      executionArn: ex.executionArn,
      stateMachineArn: ex.stateMachineArn,
      name: ex.name,
      status: 'ABORTED',
      ...(input.error !== undefined ? { error: input.error } : {}),
      ...(input.cause !== undefined ? { cause: input.cause } : {}),
    });
    return { stopDate };
  }

  /**
   * RedriveExecution: a FAILED, ABORTED or TIMED_OUT execution runs again from the state that failed (or was
   * running when stopped), with the input that state had; the states that had succeeded are not run again.
   */
  async redriveExecution(input: { executionArn: string; clientToken?: string }): Promise<{ redriveDate: string }> {
    this.assertOpen();
    const ex = await this.describeExecution(input.executionArn);
    if (input.clientToken !== undefined && ex.redriveToken === input.clientToken && ex.redriveDate) return { redriveDate: ex.redriveDate };
    const reason = notRedrivableReason(ex);
    if (reason) throw new AwsError('ExecutionNotRedrivable', reason);
    const from = ex.resumeAt ?? ex.lastState;
    const redriveDate = this.clock().toISOString();
    const redriveCount = ex.redriveCount + 1;
    try {
      await this.store.updateExecution(ex.executionArn, {
        set: { status: 'RUNNING', redriveCount, redriveDate, ...(input.clientToken !== undefined ? { redriveToken: input.clientToken } : {}) },
        remove: ['stopDate', 'output', 'error', 'cause', 'resumeAt', ...(input.clientToken === undefined ? (['redriveToken'] as const) : [])],
        ifStatus: ex.status,
      });
    } catch (e) {
      if (e instanceof ConditionFailed) throw new AwsError('ExecutionNotRedrivable', `Execution is RUNNING and cannot be redriven`);
      throw e;
    }
    const record: ExecutionRecord = { ...ex, status: 'RUNNING', redriveCount, redriveDate };
    const last = await this.store.lastEvent(ex.executionArn);
    const run = this.newRun(record, await this.definitionOf(record), { lastId: last?.id ?? 0, lastType: last?.type });
    this.append(run, H.executionRedriven(redriveCount));
    await run.queue;
    this.launch(run, from ? { name: from.name, input: JSON.parse(from.input) as unknown } : undefined);
    return { redriveDate };
  }

  /**
   * After a restart: every execution recorded as RUNNING continues from the last state it entered, with that
   * state's recorded input. Returns the ARNs resumed.
   */
  async resumeRunning(): Promise<string[]> {
    this.assertOpen();
    const resumed: string[] = [];
    for (const arn of await this.store.runningExecutionArns()) {
      if (this.runs.has(arn)) continue;
      const ex = await this.store.getExecution(arn);
      if (!ex || ex.status !== 'RUNNING') continue;
      const last = await this.store.lastEvent(arn);
      if (last && (await this.completeFromHistory(ex, last))) continue;
      const run = this.newRun(ex, await this.definitionOf(ex), { lastId: last?.id ?? 0, lastType: last?.type });
      if (!last) {
        // Stopped between recording the execution and its first event.
        const sm = await this.store.getStateMachine(ex.stateMachineArn);
        this.append(run, H.executionStarted(ex.input, sm?.roleArn ?? ''));
      }
      run.lastState = ex.lastState;
      if (ex.lastState) run.skipEntered = ex.lastState.name;
      this.launch(run, ex.lastState ? { name: ex.lastState.name, input: JSON.parse(ex.lastState.input) as unknown } : undefined);
      resumed.push(arn);
    }
    return resumed;
  }

  /**
   * An execution whose end event was written but whose record was not updated (stopped in between): the record
   * is completed from the event instead of running anything again. False if the last event is not an end.
   */
  private async completeFromHistory(ex: ExecutionRecord, last: HistoryEventRecord): Promise<boolean> {
    const details = (key: string): Record<string, string | undefined> => (last[key] ?? {}) as Record<string, string | undefined>;
    const base = { executionArn: ex.executionArn, stateMachineArn: ex.stateMachineArn, name: ex.name };
    const stopDate = last.timestamp;
    let end: ExecutionEnd;
    switch (last.type) {
      case 'ExecutionSucceeded':
        end = { ...base, status: 'SUCCEEDED', output: details('executionSucceededEventDetails').output ?? 'null' };
        break;
      case 'ExecutionFailed':
        end = { ...base, status: 'FAILED', error: details('executionFailedEventDetails').error ?? '', cause: details('executionFailedEventDetails').cause ?? '' };
        break;
      case 'ExecutionTimedOut':
        end = { ...base, status: 'TIMED_OUT', error: details('executionTimedOutEventDetails').error ?? '', cause: details('executionTimedOutEventDetails').cause ?? '' };
        break;
      case 'ExecutionAborted': {
        const d = details('executionAbortedEventDetails');
        end = { ...base, status: 'ABORTED', ...(d.error !== undefined ? { error: d.error } : {}), ...(d.cause !== undefined ? { cause: d.cause } : {}) };
        break;
      }
      default:
        return false;
    }
    const resumeAt = end.status === 'SUCCEEDED' ? undefined : ex.lastState;
    await this.store.updateExecution(ex.executionArn, {
      set: { status: end.status, stopDate, ...(end.output !== undefined ? { output: end.output } : {}), ...(end.error !== undefined ? { error: end.error } : {}), ...(end.cause !== undefined ? { cause: end.cause } : {}), ...(resumeAt ? { resumeAt } : {}) },
      ifStatus: 'RUNNING',
    });
    await this.emit(end);
    return true;
  }

  /** Resolves when this process has finished interpreting the execution (immediately if it is not). */
  async settled(executionArn: string): Promise<void> {
    await this.runs.get(executionArn)?.done;
  }

  /**
   * Stops interpreting: running executions are abandoned where they are and stay RUNNING in the store, to be
   * resumed by `resumeRunning()` at the next start. Pending history writes are completed first.
   */
  async close(): Promise<void> {
    this.closed = true;
    const runs = [...this.runs.values()];
    for (const run of runs) {
      if (run.ended) continue;
      run.detached = true;
      run.ended = true;
      run.abort.abort();
    }
    await Promise.all(runs.map((r) => r.done.catch(() => undefined)));
  }

  // --- interpretation ---

  private assertOpen(): void {
    if (this.closed) throw new AwsError('ServiceUnavailable', 'The local Step Functions service is shutting down.', { status: 503 });
  }

  private async definitionOf(ex: ExecutionRecord): Promise<AslDefinition> {
    const key = `${ex.stateMachineArn}#${ex.revisionId}`;
    let def = this.definitions.get(key);
    if (!def) {
      const text = await this.store.getDefinition(ex.stateMachineArn, ex.revisionId);
      if (text === undefined) throw new Error(`no definition for ${key}`);
      def = JSON.parse(text) as AslDefinition;
      this.definitions.set(key, def);
    }
    return def;
  }

  private newRun(record: ExecutionRecord, definition: AslDefinition, at: { lastId: number; lastType: string | undefined }): Run {
    return {
      executionArn: record.executionArn,
      record,
      definition,
      abort: new AbortController(),
      detached: false,
      ended: false,
      lastId: at.lastId,
      lastType: at.lastType,
      current: undefined,
      lastState: record.lastState,
      skipEntered: undefined,
      queue: Promise.resolve(),
      done: Promise.resolve(),
    };
  }

  /**
   * Appends a history event: its id and previousEventId are taken now (so events keep the order they happened
   * in), the write joins the execution's queue. `force` writes even for a detached run (its own end records).
   */
  private append(run: Run, event: H.NewEvent, force = false, meta?: Parameters<StatesStore['updateExecution']>[1]): void {
    if (run.detached && !force) return;
    const id = ++run.lastId;
    // As on AWS, the first state entered after ExecutionStarted has no previous event.
    const previousEventId = run.lastType === 'ExecutionStarted' ? 0 : id - 1;
    run.lastType = event.type;
    const record = { id, previousEventId, timestamp: this.clock().toISOString(), ...event } as HistoryEventRecord;
    this.enqueue(run, async () => {
      await this.store.appendEvent(run.executionArn, record);
      if (meta) await this.store.updateExecution(run.executionArn, meta);
    });
  }

  private enqueue(run: Run, write: () => Promise<void>): void {
    run.queue = run.queue.then(write).catch((e: unknown) => {
      // The history can no longer be trusted to be complete: stop following the execution; it stays RUNNING
      // in the store and resumes from its last recorded state at the next start.
      if (!run.detached) this.log(`local Step Functions: recording ${run.executionArn} failed, execution left to resume: ${(e as Error).message}`);
      run.detached = true;
      run.ended = true;
      run.abort.abort();
    });
  }

  private launch(run: Run, startAt?: { name: string; input: unknown }): void {
    this.runs.set(run.executionArn, run);
    run.done = (async () => {
      let outcome: ExecutionOutcome;
      try {
        outcome = await execute({
          definition: run.definition,
          input: JSON.parse(run.record.input) as unknown,
          executionArn: run.executionArn,
          tasks: this.recordingTasks(run),
          deps: this.opts.deps,
          ...(startAt ? { startAt } : {}),
          ...(this.opts.waitMs !== undefined ? { waitMs: this.opts.waitMs } : {}),
          ...(this.opts.retryIntervalMs !== undefined ? { retryIntervalMs: this.opts.retryIntervalMs } : {}),
          onEvent: (ev) => this.onInterpreterEvent(run, ev),
          signal: run.abort.signal,
        });
      } catch (e) {
        // The definition could not be run at all (e.g. a Task resource with no task): the execution fails.
        outcome = { status: 'FAILED', error: 'States.Runtime', cause: (e as Error).message, events: [] };
      }
      await this.finish(run, outcome);
    })()
      .catch((e: unknown) => this.log(`local Step Functions: ${run.executionArn}: ${(e as Error).message}`))
      .finally(() => {
        if (this.runs.get(run.executionArn) === run) this.runs.delete(run.executionArn);
      });
  }

  /** Maps the interpreter's state events to AWS history events (Lambda events come from `recordingTasks`). */
  private onInterpreterEvent(run: Run, ev: EngineEvent): void {
    if (run.detached || !ev.state || ev.index !== undefined) return;
    const { name, type } = ev.state;
    switch (ev.type) {
      case 'StateEntered': {
        run.current = { name, type, exited: false };
        const point: StatePoint = { name, input: JSON.stringify(ev.state.input ?? null) };
        run.lastState = point;
        if (run.skipEntered === name) {
          run.skipEntered = undefined;
          return;
        }
        run.skipEntered = undefined;
        this.append(run, H.stateEntered(type, name, ev.state.input), false, { set: { lastState: point }, addTransitions: 1 });
        return;
      }
      case 'StateExited':
        if (run.current?.name === name) run.current.exited = true;
        if (type !== 'Fail') this.append(run, H.stateExited(type, name, ev.state.output));
        return;
      case 'StateRetried':
        // A retry is a state transition too (Standard workflows bill it).
        this.enqueue(run, () => this.store.updateExecution(run.executionArn, { addTransitions: 1 }));
        return;
      default:
        return;
    }
  }

  /**
   * The task cores wrapped so that each invocation is recorded as Lambda's scheduled/started/succeeded/failed
   * events, and so that a task starts only once everything before it is durable.
   */
  private recordingTasks(run: Run): Record<string, TaskCore> {
    const wrapped: Record<string, TaskCore> = {};
    for (const [taskName, core] of Object.entries(this.opts.tasks)) {
      wrapped[taskName] = async (event: TaskEvent, deps: TaskDeps) => {
        // Let the interpreter's pending events (this state's entry) reach the history first.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const state = run.current;
        const resource = state ? run.definition.States[state.name]?.Resource : undefined;
        this.append(run, H.lambdaScheduled(typeof resource === 'string' ? resource : taskName, event));
        this.append(run, H.lambdaStarted());
        await run.queue;
        if (run.detached) throw detachedError();
        let out: unknown;
        try {
          out = await core(event, deps);
        } catch (e) {
          const err = e instanceof Error ? e : new Error(String(e));
          this.append(run, H.lambdaFailed(err.name, JSON.stringify({ errorType: err.name, errorMessage: err.message })));
          throw e;
        }
        this.append(run, H.lambdaSucceeded(out === undefined ? null : (JSON.parse(JSON.stringify(out)) as unknown)));
        return out;
      };
    }
    return wrapped;
  }

  /** Records the end of an execution (unless it was stopped or abandoned) and tells the listeners. */
  private async finish(run: Run, outcome: ExecutionOutcome): Promise<void> {
    await run.queue;
    if (run.detached || run.ended) return;
    run.ended = true;
    // From here on only the end is recorded: a task still in flight (e.g. after a timeout) adds nothing.
    run.detached = true;
    const stopDate = this.clock().toISOString();
    const base = { executionArn: run.executionArn, stateMachineArn: run.record.stateMachineArn, name: run.record.name };
    if (outcome.status === 'SUCCEEDED') {
      const output = JSON.stringify(outcome.output ?? null);
      this.append(run, H.executionSucceeded(output), true);
      await run.queue;
      await this.store.updateExecution(run.executionArn, { set: { status: 'SUCCEEDED', output, stopDate }, remove: ['resumeAt'], ifStatus: 'RUNNING' });
      await this.emit({ ...base, status: 'SUCCEEDED', output });
      return;
    }
    const timedOut = outcome.events.some((e) => e.type === 'ExecutionTimeout');
    const error = clip(timedOut ? 'States.Timeout' : (outcome.error ?? 'States.Runtime'), MAX_ERROR);
    const cause = clip(timedOut ? 'The execution exceeded the TimeoutSeconds of its state machine.' : (outcome.cause ?? ''), MAX_CAUSE);
    const status = timedOut ? 'TIMED_OUT' : 'FAILED';
    this.append(run, timedOut ? H.executionTimedOut(error, cause) : H.executionFailed(error, cause), true);
    await run.queue;
    const resumeAt = outcome.failedState ? { name: outcome.failedState.name, input: JSON.stringify(outcome.failedState.input ?? null) } : run.lastState;
    await this.store.updateExecution(run.executionArn, { set: { status, error, cause, stopDate, ...(resumeAt ? { resumeAt } : {}) }, ifStatus: 'RUNNING' });
    await this.emit({ ...base, status, error, cause });
  }

  private async emit(end: ExecutionEnd): Promise<void> {
    for (const listener of [...this.listeners]) {
      try {
        await listener(end);
      } catch (e) {
        this.log(`local Step Functions: execution-end listener failed for ${end.executionArn}: ${(e as Error).message}`);
      }
    }
  }

  private log(message: string): void {
    if (this.opts.log) this.opts.log(message);
    else process.stderr.write(`${message}\n`);
  }
}

/** Why DescribeExecution says an execution cannot be redriven, or undefined if it can. */
export function notRedrivableReason(ex: ExecutionRecord): string | undefined {
  if (ex.status === 'RUNNING' || ex.status === 'SUCCEEDED' || ex.status === 'PENDING_REDRIVE') return `Execution is ${ex.status} and cannot be redriven`;
  if (ex.redriveCount >= MAX_REDRIVES) return `Redrive count has reached max limit ${MAX_REDRIVES}`;
  return undefined;
}

/** `InvalidDefinition` unless the ASL text parses and passes the interpreter's validation. */
function validateDefinition(text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new AwsError('InvalidDefinition', `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${(e as Error).message}'`);
  }
  try {
    new StateMachine(parsed as never, { validationOptions: { checkPaths: true, checkArn: true } });
  } catch (e) {
    throw new AwsError('InvalidDefinition', `Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ${(e as Error).message.replace(/\s+/g, ' ').trim()}'`);
  }
}

function checkPayload(payload: string): void {
  try {
    JSON.parse(payload);
  } catch (e) {
    throw new AwsError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(e as Error).message}'`);
  }
  if (Buffer.byteLength(payload, 'utf8') > MAX_PAYLOAD_BYTES) {
    throw new AwsError('InvalidExecutionInput', `Invalid State Machine Execution Input: 'The input exceeds the maximum size of ${MAX_PAYLOAD_BYTES} bytes'`);
  }
}

function detachedError(): Error {
  const e = new Error('the execution is no longer followed by this process');
  e.name = 'States.Runtime';
  return e;
}

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

/** Pagination tokens: opaque to callers, bound to the operation (and direction) that issued them. */
function encodeToken(kind: string, after: string): string {
  return Buffer.from(JSON.stringify({ k: kind, a: after }), 'utf8').toString('base64url');
}

function decodeToken(token: string, kind: string): string {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown; a?: unknown };
    if (t.k === kind && typeof t.a === 'string') return t.a;
  } catch {
    // fall through: not a token of ours
  }
  throw new AwsError('InvalidToken', `Invalid Token: '${token}'`);
}
