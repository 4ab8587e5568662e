import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfig } from '../../../tasks/lib/context';
import { executionBudgetSeconds, nominalDelays, retryBounds, sampleTotalWait, type RetryRule } from '../../../workflow/budget';
import { loadDefinition, STATE_MACHINES, type AslDefinition } from '../../../workflow';

/**
 * Time bounds of the state machines, read from the ASL: the Lambda retriers, the IAM-propagation retrier and the
 * top-level TimeoutSeconds, and the documentation that states them.
 */

const machines = Object.values(STATE_MACHINES).map((name) => [name, loadDefinition(name)] as const);
const OPERATIONS_DOC = readFileSync(join(__dirname, '../../../docs/operations.md'), 'utf8');

/** The Lambda service's own transient errors (AWS's guidance for Lambda tasks), all of which a retrier must name. */
const LAMBDA_TRANSIENT = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException', 'Lambda.ClientExecutionTimeoutException'];

function tasksOf(def: AslDefinition) {
  return Object.entries(def.States).filter(([, s]) => s.Type === 'Task');
}

/** A deterministic [0, 1) generator (mulberry32), so the simulated spread is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(machines)('Lambda retriers of %s', (_name, def) => {
  it.each(tasksOf(def).map(([n]) => n))('%s retries every transient Lambda service error, ClientExecutionTimeoutException included', (state) => {
    const rules = (def.States[state]!.Retry ?? []) as RetryRule[];
    const lambdaRule = rules.find((r) => r.ErrorEquals.some((e) => e.startsWith('Lambda.')));
    expect(lambdaRule).toBeDefined();
    expect(lambdaRule!.ErrorEquals).toEqual(expect.arrayContaining(LAMBDA_TRANSIENT));
  });
});

describe('IAM propagation retry of EnableTwoWay', () => {
  const rule = (loadDefinition(STATE_MACHINES.provision).States.EnableTwoWay!.Retry as RetryRule[]).find((r) => r.ErrorEquals.includes('RoleNotYetAccessible'))!;

  it('waits 2 s doubling to 30 s, eleven times, with FULL jitter', () => {
    expect(rule.ErrorEquals).toEqual(['RoleNotYetAccessible']);
    expect(rule.JitterStrategy).toBe('FULL');
    expect(nominalDelays(rule)).toEqual([2, 4, 8, 16, 30, 30, 30, 30, 30, 30, 30]);
  });

  it('waits 0-240 s in all, 120 s expected (FULL jitter halves the nominal total)', () => {
    expect(retryBounds(rule)).toEqual({ retries: 11, minSeconds: 0, expectedSeconds: 120, maxSeconds: 240 });
  });

  it('keeps retrying for at least a minute in 99% of executions (simulated with Step Functions jitter)', () => {
    const random = seeded(8);
    const totals = Array.from({ length: 20_000 }, () => sampleTotalWait(rule, random)).sort((a, b) => a - b);
    const mean = totals.reduce((a, b) => a + b, 0) / totals.length;
    expect(Math.abs(mean - 120)).toBeLessThan(1.5);
    expect(totals[Math.floor(totals.length * 0.01)]!).toBeGreaterThan(60);
    expect(totals.at(-1)!).toBeLessThanOrEqual(240);
  });

  it('is stated as such in the ASL comment and in docs/operations.md', () => {
    const comment = String(loadDefinition(STATE_MACHINES.provision).States.EnableTwoWay!.Comment);
    expect(comment).toContain('retried 11 times');
    expect(comment).toContain('0-240 s');
    expect(comment).toContain('about 120 s expected');
    expect(OPERATIONS_DOC).toMatch(/11 retries.*0 s.*120 s.*240 s/s);
  });
});

describe.each(machines)('top-level TimeoutSeconds of %s', (name, def) => {
  const timeout = (def as AslDefinition & { TimeoutSeconds?: number }).TimeoutSeconds;
  const budget = executionBudgetSeconds(def, { pollLimit: readConfig({}).importPollLimit, pollSeconds: 5 });

  it('is set, and covers every Task once at its TimeoutSeconds with every retry at its longest wait and attempt', () => {
    expect(typeof timeout).toBe('number');
    expect(timeout!).toBeGreaterThanOrEqual(budget.total);
    // Two hours at most: without a top-level timeout a Standard execution may run for a year.
    expect(timeout!).toBeLessThanOrEqual(7200);
  });

  it('is shorter than a number lease, so a live execution never loses its lease', () => {
    expect(readConfig({}).lockLeaseMs).toBeGreaterThan(timeout! * 1000);
  });

  it('is the one docs/operations.md states', () => {
    expect(OPERATIONS_DOC).toContain(`\`${name}\` | ${timeout} s`);
  });
});

describe('execution budget', () => {
  it('counts a polling loop once per poll: the Wait seconds plus the poll itself', () => {
    const def = loadDefinition(STATE_MACHINES.provision);
    const { perState } = executionBudgetSeconds(def, { pollLimit: 10, pollSeconds: 5 });
    expect(perState['loop:CheckImport>IsImportClaimed>WaitForImport']).toBe(10 * (5 + 5));
  });

  it('adds each retrier of a Task at its longest total wait, with each retried attempt answered fast', () => {
    const def: AslDefinition = {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: 'arn:x', TimeoutSeconds: 10, Retry: [{ ErrorEquals: ['A'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' } as never], End: true } },
    };
    expect(executionBudgetSeconds(def, { pollLimit: 1, pollSeconds: 1, fastAttemptSeconds: 2 }).total).toBe(10 + (1 + 2 + 4) + 3 * 2);
  });

  it('counts a whole timeout for every retry of a retrier that also matches a timed-out attempt', () => {
    const def: AslDefinition = {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: 'arn:x', TimeoutSeconds: 10, Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 } as never], End: true } },
    };
    expect(executionBudgetSeconds(def, { pollLimit: 1, pollSeconds: 1 }).total).toBe(10 + (2 + 4) + 2 * 10);
  });
});
