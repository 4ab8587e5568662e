import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { LocalStepFunctions } from '../../../local/stepfunctions/engine';
import { statesService } from '../../../local/stepfunctions/service';
import type { TaskCore } from '../../../tasks';
import { createDeps, readConfig, type TaskDeps, type TaskEvent } from '../../../tasks/lib/context';
import { startDynamo, type RunningDynamo } from '../../support/dynamo';
import { startSandbox, type RunningSandbox } from '../../support/sandbox';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/test-states`;
export const STATES_TABLE_NAME = 'two-way-sms-states-test';

/** The Lambda ARN the executor maps to the fake task `name`. */
export const fn = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:two-way-sms-${name}`;

/** A promise the test settles when it wants (a task in flight until then). */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: Error): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** Input of the fake tasks: the test state machines pass `{state, input}` through `Parameters`. */
interface FakeEvent {
  state: string;
  input: unknown;
}

/**
 * Fake task cores (the real tasks are not used here) that record every invocation by state name and are
 * steered by the test: failures to throw, gates to wait on.
 */
export class FakeTasks {
  readonly calls: string[] = [];
  /** Failures `Flaky` throws before it succeeds, per state. */
  flakyFailures = new Map<string, number>();
  /** While set, `Toggle` throws this error. */
  toggleError: Error | undefined;
  /** `Gate` invocations wait on these, per state, in order. */
  private readonly gates = new Map<string, Deferred<unknown>[]>();
  private readonly entered = new Map<string, Deferred<void>>();

  /** A gate the next `Gate` invocation of `state` waits on; `entered` resolves when the task has started. */
  gate(state: string): { release(value?: unknown): void; fail(err: Error): void; entered: Promise<void> } {
    const d = deferred<unknown>();
    const list = this.gates.get(state) ?? [];
    list.push(d);
    this.gates.set(state, list);
    const started = deferred<void>();
    this.entered.set(state, started);
    return { release: (v) => d.resolve(v ?? { gate: state }), fail: (e) => d.reject(e), entered: started.promise };
  }

  count(state: string): number {
    return this.calls.filter((c) => c === state).length;
  }

  registry(): Record<string, TaskCore> {
    const ev = (e: TaskEvent): FakeEvent => e as unknown as FakeEvent;
    return {
      Step: async (e) => {
        this.calls.push(ev(e).state);
        return { ok: true, state: ev(e).state };
      },
      Boom: async (e) => {
        this.calls.push(ev(e).state);
        throw namedError('NumberNotEligible', `number of ${ev(e).state} is not eligible`);
      },
      Flaky: async (e) => {
        const state = ev(e).state;
        this.calls.push(state);
        const left = this.flakyFailures.get(state) ?? 0;
        if (left > 0) {
          this.flakyFailures.set(state, left - 1);
          throw namedError('AwsThrottled', 'Rate exceeded');
        }
        return { ok: true, state };
      },
      Toggle: async (e) => {
        this.calls.push(ev(e).state);
        if (this.toggleError) throw this.toggleError;
        return { ok: true, state: ev(e).state, input: ev(e).input };
      },
      Gate: async (e) => {
        const state = ev(e).state;
        this.calls.push(state);
        this.entered.get(state)?.resolve();
        const next = this.gates.get(state)?.shift();
        return next ? next.promise : { ok: true, state };
      },
    };
  }
}

/** A Task state that calls fake task `task` with `{state, input}` and stores its result at `$.<name>`. */
export function task(name: string, taskName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { Type: 'Task', Resource: fn(taskName), Parameters: { state: name, 'input.$': '$' }, ResultPath: `$.${name}`, ...extra };
}

export interface StatesEnv {
  sb: RunningSandbox;
  dynamo: RunningDynamo;
  deps: TaskDeps;
  engine: LocalStepFunctions;
  sfn: SFNClient;
  tasks: FakeTasks;
  /** A new engine on the same table (a restart), registered on the edge port in place of the old one. */
  restart(): Promise<LocalStepFunctions>;
  /** Creates a state machine through the API; returns its ARN. */
  machine(name: string, definition: unknown): Promise<string>;
  start(stateMachineArn: string, input?: unknown, name?: string): Promise<string>;
  /** Polls DescribeExecution until the status is not RUNNING (deadline 10 s). */
  finished(executionArn: string): Promise<DescribeExecutionCommandOutput>;
  stop(): Promise<void>;
}

export async function startStatesEnv(): Promise<StatesEnv> {
  const [sb, dynamo] = await Promise.all([startSandbox({ seed: false }), startDynamo()]);
  const config = { ...readConfig({}), accountId: ACCOUNT, tableName: dynamo.tableName };
  const deps = createDeps(config, () => new Date(), { endpoint: sb.url, dynamoEndpoint: dynamo.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  const tasks = new FakeTasks();
  const newEngine = (): LocalStepFunctions =>
    new LocalStepFunctions({ doc: dynamo.doc, tableName: STATES_TABLE_NAME, tasks: tasks.registry(), deps, region: REGION, accountId: ACCOUNT, waitMs: 1, retryIntervalMs: 1 });
  const env: StatesEnv = {
    sb,
    dynamo,
    deps,
    engine: newEngine(),
    sfn: new SFNClient(sb.clientConfig),
    tasks,
    async restart() {
      env.engine = newEngine();
      sb.sandbox.addService(statesService(env.engine));
      return env.engine;
    },
    async machine(name, definition) {
      const out = await env.sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE_ARN }));
      return out.stateMachineArn!;
    },
    async start(stateMachineArn, input = {}, name) {
      const out = await env.sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), ...(name ? { name } : {}) }));
      return out.executionArn!;
    },
    async finished(executionArn) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const d = await env.sfn.send(new DescribeExecutionCommand({ executionArn }));
        if (d.status !== 'RUNNING') return d;
        if (Date.now() > deadline) throw new Error(`${executionArn} still RUNNING after 10 s`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async stop() {
      await env.engine.close();
      env.sfn.destroy();
      await Promise.all([sb.stop(), dynamo.stop()]);
    },
  };
  await env.engine.ensureTable();
  sb.sandbox.addService(statesService(env.engine));
  return env;
}

/** Types of a history, in order. */
export function types(events: { type?: string }[] | undefined): string[] {
  return (events ?? []).map((e) => e.type!);
}
