import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO } from '../../local/sandbox/seed';
import { startNpm, type StartedProcess } from '../support/process';
import { ApiClient, destinations, EdgeClient, type SandboxCall } from '../support/runtime';

/**
 * Crash safety of `npm start`: the server is killed with SIGKILL while an execution is in EnableTwoWay's
 * retries (the sandbox's simulated IAM propagation delay keeps refusing the new role), started again on the
 * same DATA_DIR, and the execution must complete with no AWS side effect done twice (the sandbox call log
 * persists across restarts).
 */

const TOKEN = 'e2e-crash-token-0123456789';
/** Long enough to be killed during the retries, short enough for EnableTwoWay's real-seconds backoff. */
const PROPAGATION_MS = 4000;

async function started(proc: StartedProcess): Promise<{ api: ApiClient; edge: EdgeClient }> {
  await proc.waitFor(/two-way-sms: ready in \d+ ms/, 30_000);
  const [, apiUrl] = await proc.waitFor(/REST API:\s+(http:\/\/127\.0\.0\.1:\d+)\/v1/);
  const [, edgeUrl] = await proc.waitFor(/AWS sandbox .*: (http:\/\/127\.0\.0\.1:\d+)/);
  return { api: new ApiClient(apiUrl!, TOKEN), edge: new EdgeClient(edgeUrl!) };
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ok = (c: SandboxCall): boolean => c.status >= 200 && c.status < 300;

describe('npm start: kill -9 during an execution, start again', () => {
  let dataDir: string;
  const procs: StartedProcess[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'e2e-crash-'));
  });
  afterAll(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes the execution in EnableTwoWay, completes it SUCCEEDED, and does each AWS mutation once', async () => {
    const env = { DATA_DIR: dataDir, SANDBOX_PORT: '0', PORT: '0', TWO_WAY_SMS_API_TOKEN: TOKEN };
    const first = startNpm(env);
    procs.push(first);
    const a = await started(first);
    await a.edge.settings({ iamPropagationDelayMs: PROPAGATION_MS });

    const { id } = await a.api.provision({ phoneNumberId: DEMO.numbers.longCode, destination: destinations.snsNewTopicNewRole('crash-inbound') });
    // The role is new: UpdatePhoneNumber refuses it until the propagation delay has passed, and the ASL retries.
    const refused = await until('a refused UpdatePhoneNumber', 15_000, async () => (await a.edge.calls({ operation: 'UpdatePhoneNumber' })).find((c) => !ok(c)));
    const midway = await a.api.call('GET', `/v1/provisionings/${id}`);
    await first.kill('SIGKILL');

    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(midway.body.status).toBe('RUNNING');
    expect(midway.body.steps.at(-1)).toMatchObject({ name: 'EnableTwoWay' });
    expect(first.output()).not.toContain('shutting down');

    const second = startNpm(env);
    procs.push(second);
    const b = await started(second);
    expect(second.output()).toMatch(/resumed 1 execution\(s\) left running by the last stop/);

    const done = await b.api.waitForEnd(id, 40_000, 100);

    expect(done).toMatchObject({ id, status: 'SUCCEEDED', phoneNumberId: expect.stringMatching(/^phone-/) });
    const enable = done.steps.filter((s: any) => s.name === 'EnableTwoWay');
    expect(enable.at(-1)).toMatchObject({ status: 'succeeded' });
    const calls = (await b.edge.calls()).filter((c) => c.service !== 'states');
    const succeeded = (op: string) => calls.filter((c) => c.operation === op && ok(c));
    expect(succeeded('CreateRole')).toHaveLength(1);
    expect(calls.filter((c) => c.operation === 'CreateTopic')).toHaveLength(1);
    expect(succeeded('UpdatePhoneNumber')).toHaveLength(1);
    expect(calls.filter((c) => c.operation === 'UpdatePhoneNumber' && !ok(c)).length).toBeGreaterThanOrEqual(1);
    // No other mutation was repeated either (each succeeded once: the resumed task reconciled, it did not redo).
    const mutations = calls.filter((c) => c.mutating && ok(c)).map((c) => `${c.service}:${c.operation}`);
    expect(mutations.length).toBeGreaterThanOrEqual(4);
    expect(new Set(mutations).size).toBe(mutations.length);
    // And the number works: the inbound message reaches the topic.
    expect(await b.edge.inbound(DEMO.numbers.longCode)).toMatchObject({ delivered: true, destination: 'arn:aws:sns:us-east-1:123456789012:crash-inbound' });
  }, 90_000);
});
