import { TASKS } from '../../tasks';
import { restoredSnapshot, sandboxSnapshot, startWorkflowEnv, type WorkflowEnv } from '../support/workflow';
import { deprovision, freshState, inbound, mutatingSince, provision, ROLLBACK_STATES, runEveryTaskTwice, setFault, type ProvisionInput, type Rerun, type RunResult } from './support/harness';
import { DEPROVISION_STATES, PATHS, statesOf, type PathCase } from './support/paths';

/**
 * Idempotency: every task, invoked again right after it succeeded with exactly the event it had (a Lambda
 * redelivery, or a retry after an unknown outcome), finds everything in place, makes no mutating AWS call and
 * returns the same result; and a second provisioning of an already-provisioned number with the same destination
 * succeeds without one.
 */

let env: WorkflowEnv;
beforeAll(async () => {
  env = await startWorkflowEnv();
});
afterAll(async () => {
  await env.stop();
});
beforeEach(async () => {
  await freshState(env);
});

const TASK_STATES = new Set([...Object.keys(TASKS), 'ReleaseLockAfterRollback', 'ReleaseLockAfterFailure']);
const tasksOf = (states: string[]): string[] => states.filter((s) => TASK_STATES.has(s));

/** Every task ran twice, and no second invocation made a mutating call or failed. */
function expectIdempotent(run: RunResult & { reruns: Rerun[] }): void {
  expect(run.reruns.map((r) => r.state)).toEqual(tasksOf(run.states));
  expect(run.reruns.filter((r) => r.mutating.length > 0 || r.threw !== undefined)).toEqual([]);
}

const targetOf = (request: ProvisionInput) => (request.poolId ? { poolId: request.poolId } : { phoneNumberId: request.phoneNumberId! });

describe('re-running a task right after it succeeded makes no mutating AWS call', () => {
  it.each(PATHS.map((p) => [p.title, p] as const))('every task of the provisioning path %s', async (_title, p: PathCase) => {
    const run = await runEveryTaskTwice(env, 'provision', p.request(env));

    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toEqual(statesOf(p));
    expectIdempotent(run);
    expect((await inbound(env, p.inboundNumber)).delivered).toBe(true);
  });

  it.each(PATHS.map((p) => [p.title, p] as const))('every task of the deprovisioning of %s', async (_title, p: PathCase) => {
    const request = p.request(env);
    const before = sandboxSnapshot(env);
    expect((await env.run('provision', request)).status).toBe('SUCCEEDED');

    const run = await runEveryTaskTwice(env, 'deprovision', deprovision(targetOf(request)));

    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toEqual(DEPROVISION_STATES);
    expectIdempotent(run);
    expect(restoredSnapshot(env, before)).toEqual(before);
  });

  it.each(PATHS.map((p) => [p.title, p] as const))('every task and compensation of a rolled-back %s', async (_title, p: PathCase) => {
    const request = p.request(env);
    const before = sandboxSnapshot(env);
    // The last forward mutating call fails: every earlier step has something to undo.
    const [service, operation] = p.mutating.at(-1)!.split(':') as [string, string];
    await setFault(env, { service, operation, error: service === 'sns' ? 'AuthorizationError' : 'AccessDeniedException', count: 1 });

    const run = await runEveryTaskTwice(env, 'provision', request);

    expect(run.error).toBe('RolledBack');
    expect(run.states.slice(-ROLLBACK_STATES.length)).toEqual(ROLLBACK_STATES);
    // The task whose call failed ran once (it never succeeded); every other task ran twice.
    const failedTask = run.states[run.states.indexOf('Rollback') - 1]!;
    expect(run.reruns.map((r) => r.state)).toEqual(tasksOf(run.states).filter((s) => s !== failedTask));
    expect(run.reruns.filter((r) => r.mutating.length > 0 || r.threw !== undefined)).toEqual([]);
    expect(restoredSnapshot(env, before)).toEqual(before);
  });
});

describe('provisioning an already-provisioned number again with the same destination', () => {
  it.each(PATHS.map((p) => [p.title, p] as const))('%s: succeeds with no mutating AWS call', async (_title, p: PathCase) => {
    const first = p.request(env);
    expect((await env.run('provision', first)).status).toBe('SUCCEEDED');
    const after = sandboxSnapshot(env);
    const since = await env.lastSeq();

    const again = await env.run('provision', provision(targetOf(first), first.destination));

    expect(again.status).toBe('SUCCEEDED');
    expect(again.states).toEqual(statesOf(p));
    expect(await mutatingSince(env, since)).toEqual([]);
    expect(sandboxSnapshot(env)).toEqual(after);
    expect((await inbound(env, p.inboundNumber)).delivered).toBe(true);
  });
});
