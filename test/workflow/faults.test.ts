import { restoredSnapshot, sandboxSnapshot, startWorkflowEnv, type WorkflowEnv } from '../support/workflow';
import {
  clearFaults,
  deprovision,
  freshState,
  inbound,
  numberOf,
  originalError,
  ROLLBACK_STATES,
  setFault,
  type ProvisionInput,
  type RunResult,
} from './support/harness';
import { DEPROVISION_STATES, pathByKey, PATHS, statesOf, type PathCase } from './support/paths';

/**
 * Fault injection at every mutating AWS call of every path. Each path first runs fault-free; its mutating calls
 * (service, operation, and the how-many-th call of that operation it is) come from the sandbox's call log. Then
 * one test per call site makes exactly that call fail with a non-retryable error of its service, on a fresh
 * sandbox and table: the execution must end RolledBack with the sandbox equal to its snapshot from before the run
 * and the number's lease released. Then compensations that fail (ROLLBACK_FAILED) and their redrive, and the same
 * per-call-site check for deprovisioning (which has no forward steps to undo: it ends failed at the Undo* step,
 * and a redrive finishes it).
 */

let env: WorkflowEnv;
beforeAll(async () => {
  env = await startWorkflowEnv();
});
afterAll(async () => {
  await env.stop();
});

/** A non-retryable error of each service, as the service names it on the wire (classifyAwsError leaves these alone). */
const NON_RETRYABLE: Record<string, string> = {
  'sms-voice': 'AccessDeniedException',
  sns: 'AuthorizationError',
  iam: 'AccessDenied',
  kms: 'AccessDeniedException',
  connect: 'AccessDeniedException',
};

interface Site {
  service: string;
  operation: string;
  /** 1 for the first call of this operation in the run, 2 for the second, ... */
  ordinal: number;
}

const label = (s: Site): string => `${s.service}:${s.operation}`;

/** The mutating call sites of a run, from its call log. */
function sitesOf(calls: { service: string; operation: string; mutating: boolean }[]): Site[] {
  const seen = new Map<string, number>();
  const sites: Site[] = [];
  for (const c of calls) {
    const key = `${c.service}:${c.operation}`;
    const ordinal = (seen.get(key) ?? 0) + 1;
    seen.set(key, ordinal);
    if (c.mutating) sites.push({ service: c.service, operation: c.operation, ordinal });
  }
  return sites;
}

/** `sns:CreateTopic #1`, ... for a list of `service:Operation` (the test titles, known before any run). */
function titled(ops: string[]): [string, number][] {
  const seen = new Map<string, number>();
  return ops.map((op, i) => {
    const n = (seen.get(op) ?? 0) + 1;
    seen.set(op, n);
    return [`${op} #${n}`, i];
  });
}

function targetIdOf(request: { phoneNumberId?: string; poolId?: string }): string {
  return request.poolId ?? numberOf(env, request.phoneNumberId!).PhoneNumberId;
}

async function expectLeaseReleased(request: ProvisionInput | { phoneNumberId?: string; poolId?: string }): Promise<void> {
  expect(await env.deps.locks.get(targetIdOf(request))).toBeUndefined();
}

/** Injects a fault at this call site (counting calls from now on) with the service's non-retryable error. */
async function failAt(site: Site, count = 1): Promise<string> {
  const error = NON_RETRYABLE[site.service]!;
  await setFault(env, { service: site.service, operation: site.operation, error, count, afterCalls: site.ordinal - 1 });
  return error;
}

/** The calls of this operation that the injected fault failed. */
async function injected(site: Site, error: string, since = 0): Promise<number> {
  return (await env.calls(since)).filter((c) => c.service === site.service && c.operation === site.operation && c.errorCode === error).length;
}

function expectRolledBackAfter(run: RunResult): void {
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RolledBack');
  expect(run.states.slice(-ROLLBACK_STATES.length)).toEqual(ROLLBACK_STATES);
}

describe.each(PATHS)('fault injection, provisioning $title', (p: PathCase) => {
  let sites: Site[] = [];

  beforeAll(async () => {
    await freshState(env);
    const run = await env.run('provision', p.request(env));
    if (run.status !== 'SUCCEEDED') throw new Error(`fault-free run of ${p.title}: ${run.status} ${run.error ?? ''} ${run.cause ?? ''}`);
    // freshState restarts the call log: it holds exactly this run's calls.
    sites = sitesOf(await env.calls(0));
  });

  it('records the mutating call sites of a fault-free run', () => {
    expect(sites.map(label)).toEqual(p.mutating);
  });

  it.each(titled(p.mutating))('a failure of %s is rolled back, leaving the sandbox as it was', async (_title, index) => {
    const site = sites[index];
    if (!site) throw new Error(`call site ${index} was not recorded`);
    await freshState(env);
    const request = p.request(env);
    const before = sandboxSnapshot(env);
    const error = await failAt(site);

    const run = await env.run('provision', request);

    expectRolledBackAfter(run);
    expect(await injected(site, error)).toBe(1);
    // The AWS error itself is the cause (SDK v3 names SNS's AuthorizationError AuthorizationErrorException).
    expect(originalError(run)).toEqual({ name: expect.stringMatching(new RegExp(`^${error}(Exception)?$`)), message: `Injected fault: ${error}` });
    // The forward states taken are the path's, up to the step whose call failed.
    const forward = run.states.slice(0, run.states.indexOf('Rollback'));
    expect(forward).toEqual(statesOf(p).slice(0, forward.length));
    expect(restoredSnapshot(env, before)).toEqual(before);
    await expectLeaseReleased(request);
    expect(await env.deps.active.get(targetIdOf(request))).toBeUndefined();
  });
});

describe('failing compensations (ROLLBACK_FAILED) and their redrive', () => {
  /**
   * A forward failure starts the rollback; a compensation then keeps failing (beyond its retries): the execution
   * ends FAILED at that Undo* state. With the fault cleared, a redrive from that state ends RolledBack with the
   * sandbox restored.
   */
  it.each([
    ['sns:DeleteTopic in UndoTopic', 'sns-new-topic-new-role', { service: 'sns', operation: 'DeleteTopic', error: 'AuthorizationError', count: 100 }, 'UndoTopic'],
    ['iam:DeleteRole in UndoAccess', 'sns-new-topic-new-role', { service: 'iam', operation: 'DeleteRole', error: 'AccessDenied', count: 100 }, 'UndoAccess'],
    ['kms:PutKeyPolicy in UndoKeyPolicy', 'sns-encrypted-topic-topic-policy', { service: 'kms', operation: 'PutKeyPolicy', error: 'AccessDeniedException', count: 100, afterCalls: 1 }, 'UndoKeyPolicy'],
    ['connect:ReleasePhoneNumber in UndoImport', 'connect-new-role-import-flow', { service: 'connect', operation: 'ReleasePhoneNumber', error: 'AccessDeniedException', count: 100 }, 'UndoImport'],
  ] as const)('%s: ends failed at the Undo state, and a redrive after clearing the fault ends RolledBack', async (_title, key, compensationFault, undoState) => {
    const p = pathByKey(key);
    await freshState(env);
    const request = p.request(env);
    const before = sandboxSnapshot(env);
    // The forward failure: the last forward mutating call, so that every earlier step has something to undo.
    const forward = p.channel === 'connect' ? { service: 'connect', operation: 'AssociatePhoneNumberContactFlow', error: 'AccessDeniedException' } : { service: 'sms-voice', operation: p.mutating.at(-1)!.split(':')[1]!, error: 'AccessDeniedException' };
    await setFault(env, { ...forward, count: 1 });
    await setFault(env, { ...compensationFault });

    const failed = await env.run('provision', request);

    expect(failed.status).toBe('FAILED');
    // ROLLBACK_FAILED: the compensation's own error, saying what is left for a redrive.
    expect(failed.error).toBe('CompensationFailed');
    expect((JSON.parse(failed.cause!) as { errorMessage: string }).errorMessage).toMatch(/left/);
    expect(failed.failedState?.name).toBe(undoState);
    expect(failed.states.at(-1)).toBe(undoState);
    expect(failed.states).toContain('Rollback');
    expect(failed.states).not.toContain('ReleaseLockAfterRollback');
    // Something is left over: the snapshot differs, and the lease is still held for the redrive.
    expect(sandboxSnapshot(env)).not.toEqual(before);
    expect(await env.deps.locks.get(targetIdOf(request))).toMatchObject({ owner: failed.executionArn });

    await clearFaults(env);
    const redriven = await env.run('provision', request, { executionArn: failed.executionArn, startAt: failed.failedState! });

    expect(redriven.states[0]).toBe(undoState);
    expect(redriven.states.slice(-ROLLBACK_STATES.length + ROLLBACK_STATES.indexOf(undoState))).toEqual(ROLLBACK_STATES.slice(ROLLBACK_STATES.indexOf(undoState)));
    expect(redriven.status).toBe('FAILED');
    expect(redriven.error).toBe('RolledBack');
    expect(originalError(redriven).name).toBe(forward.error);
    expect(restoredSnapshot(env, before)).toEqual(before);
    await expectLeaseReleased(request);
  });
});

/** Deprovisioning paths: provisioned first (fault-free), then deprovisioned with a fault at one call site. */
const DEPROVISION_CASES: { key: string; mutating: string[] }[] = [
  // The number keeps naming the role it was given (AWS cannot clear TwoWayChannelRole): the role is retained, not deleted.
  { key: 'sns-new-topic-new-role', mutating: ['sms-voice:UpdatePhoneNumber', 'sns:DeleteTopic'] },
  { key: 'sns-new-topic-topic-policy', mutating: ['sms-voice:UpdatePhoneNumber', 'sns:SetTopicAttributes', 'sns:DeleteTopic'] },
  { key: 'sns-encrypted-topic-topic-policy', mutating: ['sms-voice:UpdatePhoneNumber', 'kms:PutKeyPolicy', 'sns:SetTopicAttributes'] },
  { key: 'sns-existing-topic-existing-role', mutating: ['sms-voice:UpdatePhoneNumber'] },
  { key: 'connect-new-role-import-flow', mutating: ['connect:DisassociatePhoneNumberContactFlow', 'connect:ReleasePhoneNumber', 'sms-voice:UpdatePhoneNumber'] },
  { key: 'pool-new-topic-topic-policy', mutating: ['sms-voice:UpdatePool', 'sns:SetTopicAttributes', 'sns:DeleteTopic'] },
];

describe.each(DEPROVISION_CASES)('fault injection, deprovisioning $key', ({ key, mutating }) => {
  const p = pathByKey(key);
  let sites: Site[] = [];
  const targetOf = (request: ProvisionInput) => (request.poolId ? { poolId: request.poolId } : { phoneNumberId: request.phoneNumberId! });

  /** A fresh state with the path provisioned; returns the request and the snapshot from before provisioning. */
  async function provisioned(): Promise<{ request: ProvisionInput; before: unknown; since: number }> {
    await freshState(env);
    const request = p.request(env);
    const before = sandboxSnapshot(env);
    const run = await env.run('provision', request);
    if (run.status !== 'SUCCEEDED') throw new Error(`provisioning ${p.title}: ${run.status} ${run.error ?? ''} ${run.cause ?? ''}`);
    expect(run.states).toEqual(statesOf(p));
    return { request, before, since: await env.lastSeq() };
  }

  beforeAll(async () => {
    const { request, since } = await provisioned();
    const run = await env.run('deprovision', deprovision(targetOf(request)));
    if (run.status !== 'SUCCEEDED') throw new Error(`fault-free deprovisioning of ${p.title}: ${run.status} ${run.error ?? ''} ${run.cause ?? ''}`);
    sites = sitesOf(await env.calls(since));
  });

  it('records the mutating call sites of a fault-free deprovisioning', () => {
    expect(sites.map(label)).toEqual(mutating);
  });

  it.each(titled(mutating))('a lasting failure of %s stops at its Undo step; a redrive finishes, leaving the sandbox as before provisioning', async (_title, index) => {
    const site = sites[index];
    if (!site) throw new Error(`call site ${index} was not recorded`);
    const { request, before, since } = await provisioned();
    const error = await failAt(site, 100);

    const input = deprovision(targetOf(request));
    const failed = await env.run('deprovision', input);

    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('CompensationFailed');
    expect(failed.failedState?.name).toMatch(/^Undo/);
    expect(failed.states.at(-1)).toBe(failed.failedState!.name);
    expect(await injected(site, error, since)).toBeGreaterThanOrEqual(1);
    expect(await env.deps.locks.get(targetIdOf(request))).toMatchObject({ owner: failed.executionArn });

    await clearFaults(env);
    const redriven = await env.run('deprovision', input, { executionArn: failed.executionArn, startAt: failed.failedState! });

    expect(redriven.status).toBe('SUCCEEDED');
    expect(redriven.states).toEqual(DEPROVISION_STATES.slice(DEPROVISION_STATES.indexOf(failed.failedState!.name)));
    expect(restoredSnapshot(env, before)).toEqual(before);
    expect((await inbound(env, p.inboundNumber)).delivered).toBe(false);
    await expectLeaseReleased(request);
  });
});
