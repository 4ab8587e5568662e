import type { AslDefinition } from './index';

/**
 * How long the state machines may take, computed from the ASL itself: each retrier's schedule (what Step
 * Functions waits between attempts) and an upper bound of a whole execution, which the top-level
 * `TimeoutSeconds` of each machine must cover (docs/operations.md explains the numbers).
 */

export interface RetryRule {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

/** Step Functions' defaults for a retrier's omitted fields (ASL specification). */
const DEFAULTS = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 } as const;

/** The nominal wait before each retry: IntervalSeconds × BackoffRate^n, capped at MaxDelaySeconds. */
export function nominalDelays(rule: RetryRule): number[] {
  const interval = rule.IntervalSeconds ?? DEFAULTS.IntervalSeconds;
  const rate = rule.BackoffRate ?? DEFAULTS.BackoffRate;
  const out: number[] = [];
  for (let n = 0; n < (rule.MaxAttempts ?? DEFAULTS.MaxAttempts); n++) {
    const d = interval * rate ** n;
    out.push(rule.MaxDelaySeconds !== undefined ? Math.min(d, rule.MaxDelaySeconds) : d);
  }
  return out;
}

export interface RetryBounds {
  retries: number;
  /** Total wait between attempts when every retry is used, in seconds (time spent in the attempts excluded). */
  minSeconds: number;
  expectedSeconds: number;
  maxSeconds: number;
}

/**
 * The total wait of a retrier that uses all its retries. With FULL jitter each wait is drawn uniformly from
 * [0, nominal], so the total lies between 0 and the nominal sum and is half of it on average; without jitter
 * it is exactly the nominal sum.
 */
export function retryBounds(rule: RetryRule): RetryBounds {
  const delays = nominalDelays(rule);
  const nominal = delays.reduce((a, b) => a + b, 0);
  const full = rule.JitterStrategy === 'FULL';
  return { retries: delays.length, minSeconds: full ? 0 : nominal, expectedSeconds: full ? nominal / 2 : nominal, maxSeconds: nominal };
}

/**
 * One draw of a retrier's total wait, as Step Functions would make it (`random` in [0, 1)): for simulations
 * of the spread between the bounds.
 */
export function sampleTotalWait(rule: RetryRule, random: () => number): number {
  const full = rule.JitterStrategy === 'FULL';
  return nominalDelays(rule).reduce((sum, d) => sum + (full ? random() * d : d), 0);
}

export interface BudgetOptions {
  /** How many times a polling loop's Task may run (CheckImport: the task's own poll limit). */
  pollLimit: number;
  /** Seconds one poll's invocation is allowed in the budget (a poll is one Describe call). */
  pollSeconds: number;
  /**
   * Seconds one retried attempt takes when its retrier names specific errors (throttling, a transient AWS error,
   * RESOURCE_NOT_ACCESSIBLE, Lambda service errors): those are answers, not hangs. Default 5.
   */
  fastAttemptSeconds?: number;
}

/** Retrier errors that also match an attempt that ran until its timeout (the Lambda's or the state's). */
const MATCHES_TIMEOUTS = new Set(['States.ALL', 'States.TaskFailed', 'States.Timeout', 'Sandbox.Timedout']);

/** One Task's worst case: its first attempt at the timeout, then every retry's wait and attempt. */
function taskBudget(timeoutSeconds: number, rules: RetryRule[], fastAttemptSeconds: number): number {
  let total = timeoutSeconds;
  for (const rule of rules) {
    // A retrier that matches a timed-out attempt may spend the whole timeout again on each retry.
    const attempt = rule.ErrorEquals.some((e) => MATCHES_TIMEOUTS.has(e)) ? timeoutSeconds : fastAttemptSeconds;
    total += retryBounds(rule).maxSeconds + retryBounds(rule).retries * attempt;
  }
  return total;
}

/**
 * An upper bound of one execution that is not stuck: every Task state of the machine entered once (more than
 * any one path enters: the SNS and Connect branches, the forward steps and the whole compensation chain), each
 * with its first attempt at its whole `TimeoutSeconds`, then every retry of every retrier at its longest wait
 * plus the attempt itself: the whole `TimeoutSeconds` again when the retrier also matches timed-out attempts
 * (`States.ALL`, `States.TaskFailed`, ...), `fastAttemptSeconds` when it names errors AWS answers with. A Task
 * inside a loop (a state reachable from itself) counts once like the others plus `pollLimit` more rounds of the
 * loop's Wait states and `pollSeconds` each. An execution that takes longer is stuck or pathologically slow, and
 * its TIMED_OUT is what the alarm is for.
 */
export function executionBudgetSeconds(definition: AslDefinition, opts: BudgetOptions): { total: number; perState: Record<string, number> } {
  const perState: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    perState[name] = taskBudget(typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : 60, (state.Retry ?? []) as RetryRule[], opts.fastAttemptSeconds ?? 5);
  }
  for (const loop of loops(definition)) {
    const waits = loop.filter((s) => definition.States[s]!.Type === 'Wait').reduce((sum, s) => sum + Number(definition.States[s]!.Seconds ?? 0), 0);
    const tasks = loop.filter((s) => definition.States[s]!.Type === 'Task').length;
    perState[`loop:${loop.join('>')}`] = opts.pollLimit * (waits + tasks * opts.pollSeconds);
  }
  return { total: Object.values(perState).reduce((a, b) => a + b, 0), perState };
}

function successors(definition: AslDefinition, name: string): string[] {
  const s = definition.States[name]!;
  return [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].filter((n): n is string => typeof n === 'string');
}

/** The cycles of the state graph (each as its states, once per cycle): the polling loops. */
function loops(definition: AslDefinition): string[][] {
  const found = new Map<string, string[]>();
  const walk = (start: string, at: string, path: string[]): void => {
    for (const next of successors(definition, at)) {
      if (next === start) {
        const key = [...path].sort().join(',');
        if (!found.has(key)) found.set(key, [...path]);
      } else if (!path.includes(next) && next > start) {
        walk(start, next, [...path, next]);
      }
    }
  };
  for (const name of Object.keys(definition.States)) walk(name, name, [name]);
  return [...found.values()];
}
