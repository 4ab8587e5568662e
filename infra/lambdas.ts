import { join } from 'node:path';
import { TASKS, taskFolder, type TaskName } from '../tasks';
import { loadDefinition, STATE_MACHINES } from '../workflow';

/**
 * Every Lambda function of the stack: what it runs and how it is bundled. One list, used by the stack
 * (NodejsFunction) and by the infra test that bundles all of them with esbuild in one call and loads each.
 */
export const ROOT = join(__dirname, '..');

export interface LambdaSpec {
  /** Logical name: the task name as the ASL uses it, or `Api` / `Notifier`. */
  name: string;
  /** Entry module (exports `handler`), relative to the repository root. */
  entry: string;
  memoryMb: number;
  timeoutSeconds: number;
}

/** esbuild settings shared by the stack's NodejsFunction bundling and the infra test's direct build. */
export const BUNDLING = {
  target: 'node22',
  platform: 'node',
  format: 'cjs',
  // ESM builds of the AWS SDK tree-shake better; CommonJS output is what the Lambda runtime loads by default.
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
} as const;

/**
 * Each task's Lambda timeout: 5 seconds under the smallest `TimeoutSeconds` of the Task states that invoke
 * it, so the function reports its own timeout before Step Functions gives up on the state (a state timeout
 * would leave the function running on, with an outcome nobody reads).
 */
export function taskTimeouts(): Record<TaskName, number> {
  const out: Partial<Record<TaskName, number>> = {};
  for (const machine of Object.values(STATE_MACHINES)) {
    for (const state of Object.values(loadDefinition(machine).States)) {
      const m = typeof state.Resource === 'string' ? /^\$\{([A-Za-z0-9]+)FunctionArn\}$/.exec(state.Resource) : null;
      if (!m || typeof state.TimeoutSeconds !== 'number') continue;
      const name = m[1] as TaskName;
      out[name] = Math.min(out[name] ?? Infinity, state.TimeoutSeconds - 5);
    }
  }
  return out as Record<TaskName, number>;
}

export function lambdaSpecs(): LambdaSpec[] {
  const timeouts = taskTimeouts();
  const tasks = (Object.keys(TASKS) as TaskName[]).map((name) => ({
    name,
    entry: `tasks/${taskFolder(name)}/handler.ts`,
    // The tasks wait on AWS APIs; 512 MB buys the CPU share that keeps SDK start-up and policy evaluation quick.
    memoryMb: 512,
    timeoutSeconds: timeouts[name] ?? 55,
  }));
  return [
    ...tasks,
    // API Gateway's integration timeout is 29 s; the API answers well inside it.
    { name: 'Api', entry: 'api/handler.ts', memoryMb: 1024, timeoutSeconds: 25 },
    { name: 'Notifier', entry: 'tasks/notifier/handler.ts', memoryMb: 256, timeoutSeconds: 30 },
  ];
}
