import type * as LocalStepFunctions from 'aws-local-stepfunctions' with { 'resolution-mode': 'import' };
import type { TaskDeps, TaskEvent } from '../../tasks/lib/context';
import type { TaskCore } from '../../tasks';
import { taskNameOfArn, type AslDefinition } from '../../workflow';

// The package is ESM with a CommonJS build; its types are declared as ESM, so load the CJS build explicitly.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ExecutionAbortedError, StateMachine } = require('aws-local-stepfunctions') as typeof LocalStepFunctions;

/** One entry of an execution's event log, as aws-local-stepfunctions reports it. */
export interface EngineEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
  retry?: { attempt: number };
  [k: string]: unknown;
}

export interface ExecutionOutcome {
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: string;
  cause?: string;
  events: EngineEvent[];
  /** The state the execution failed in (uncaught), with the input it entered with: where a redrive resumes. */
  failedState?: { name: string; input: unknown };
}

export interface ExecuteOptions {
  definition: AslDefinition;
  input: unknown;
  executionArn: string;
  tasks: Readonly<Record<string, TaskCore>>;
  deps: TaskDeps;
  /** Resume at this state with this input (redrive, or crash recovery) instead of `StartAt` with `input`. */
  startAt?: { name: string; input: unknown };
  /** Milliseconds for every Wait state (tests and local runs need not wait real seconds). */
  waitMs?: number;
  /** Milliseconds between retries of every Retry field, instead of IntervalSeconds/BackoffRate. */
  retryIntervalMs?: number;
  onEvent?: (event: EngineEvent) => void | Promise<void>;
  /** Aborts the execution (StopExecution). */
  signal?: AbortSignal;
}

/**
 * Runs one execution of a state machine with the embedded ASL interpreter, invoking each Task's Lambda
 * in process with Lambda's error mapping: the thrown error's `name` becomes the state's error, and the
 * cause is the JSON document Lambda reports (`{"errorType","errorMessage"}`).
 */
export async function execute(opts: ExecuteOptions): Promise<ExecutionOutcome> {
  const definition: AslDefinition = opts.startAt ? { ...opts.definition, StartAt: opts.startAt.name } : opts.definition;
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waits: Record<string, number> = {};
  const retries: Record<string, number> = {};
  for (const [stateName, state] of Object.entries(definition.States)) {
    if (state.Type === 'Wait' && opts.waitMs !== undefined) waits[stateName] = opts.waitMs;
    if (state.Retry && opts.retryIntervalMs !== undefined) retries[stateName] = opts.retryIntervalMs;
    if (state.Type !== 'Task' || typeof state.Resource !== 'string') continue;
    const taskName = taskNameOfArn(state.Resource);
    const core = taskName ? opts.tasks[taskName] : undefined;
    if (!core) throw new Error(`state ${stateName}: no task for resource ${state.Resource}`);
    // `$$.State.Name` is not in the interpreter's context object, so the state name is supplied here, as
    // the Lambda adapter supplies its task name on AWS.
    handlers[stateName] = (input) => invokeLikeLambda(core, { ...(input as TaskEvent), state: stateName }, opts.deps);
  }
  const validationOptions = { checkPaths: true, checkArn: true };
  // Started past StartAt, the states before are unreachable, which the validator rejects: validate the
  // definition as written, then run the resumed copy without validating it again.
  if (opts.startAt) new StateMachine(opts.definition as never, { validationOptions });
  const machine = new StateMachine(definition as never, { validationOptions: opts.startAt ? { noValidate: true } : validationOptions });
  const execution = machine.run((opts.startAt ? opts.startAt.input : opts.input) as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits, retryIntervalOverrides: retries },
    context: {
      Execution: { Id: opts.executionArn, Name: opts.executionArn.split(':').at(-1), Input: opts.input as never, StartTime: new Date().toISOString() },
    },
  });
  const onAbort = (): void => execution.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const events: EngineEvent[] = [];
  const collecting = (async () => {
    for await (const e of execution.eventLogs) {
      const ev = e as unknown as EngineEvent;
      events.push(ev);
      await opts.onEvent?.(ev);
    }
  })();
  try {
    const output = await execution.result;
    await collecting;
    return { status: 'SUCCEEDED', output, events };
  } catch (e) {
    await collecting.catch(() => undefined);
    if (e instanceof ExecutionAbortedError) return { status: 'ABORTED', events };
    const failed = [...events].reverse().find((ev) => ev.type === 'ExecutionFailed');
    const err = e as { name?: string; message?: string; cause?: unknown };
    const error = failed?.Error ?? err.name ?? 'States.Runtime';
    const rawCause = failed?.Cause ?? err.message;
    const cause = typeof rawCause === 'string' ? rawCause : JSON.stringify(rawCause ?? '');
    return { status: 'FAILED', error, cause, events, ...failedStateOf(events) };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** The last state that failed without being caught, and the input it had entered with. */
function failedStateOf(events: EngineEvent[]): { failedState?: { name: string; input: unknown } } {
  for (let i = events.length - 1; i >= 0; i--) {
    const ev = events[i]!;
    if (ev.type !== 'StateFailed' || !ev.state) continue;
    const caught = events.slice(i + 1).some((later) => later.type === 'StateCaught' && later.state?.name === ev.state!.name);
    if (caught) return {};
    const entered = [...events.slice(0, i)].reverse().find((x) => x.type === 'StateEntered' && x.state?.name === ev.state!.name);
    return { failedState: { name: ev.state.name, input: entered?.state?.input ?? ev.state.input } };
  }
  return {};
}

/** Invokes a task as Lambda would: JSON in, JSON out, errors reported by name with a JSON cause. */
export async function invokeLikeLambda(core: TaskCore, event: TaskEvent, deps: TaskDeps): Promise<unknown> {
  try {
    const out = await core(JSON.parse(JSON.stringify(event)) as TaskEvent, deps);
    return out === undefined ? null : JSON.parse(JSON.stringify(out));
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const lambdaError = new Error(JSON.stringify({ errorType: err.name, errorMessage: err.message }));
    lambdaError.name = err.name;
    throw lambdaError;
  }
}
