import { runCli } from '../../../api/cli/main';
import { UnreachableError } from '../../../api/cli/errors';
import { style } from '../../../api/cli/format';
import { waitForEnd, WaitTimeout } from '../../../api/cli/wait';
import type { Detail, Step } from '../../../api/schemas';

/**
 * `--wait`'s progress output, in process with a scripted sequence of GET /v1/provisionings/{id} answers: line
 * by line for a log or pipe, redrawn in place on a terminal; colors only on a terminal and never with --no-color.
 */

const T0 = Date.parse('2025-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const step = (name: string, status: Step['status'], from: number, to?: number, extra: Partial<Step> = {}): Step => ({
  name,
  type: 'Task',
  status,
  enteredAt: at(from),
  ...(to !== undefined ? { exitedAt: at(to) } : {}),
  retries: 0,
  ...extra,
});
const detail = (status: Detail['status'], steps: Step[], extra: Partial<Detail> = {}): Detail => ({
  id: '01JZ8Q9V1TQ4M7N2K3X5Y6Z7A8',
  operation: 'provision',
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:provision-two-way:01JZ8Q9V1TQ4M7N2K3X5Y6Z7A8',
  phoneNumberId: 'phone-0123',
  destination: { type: 'sns', topic: { create: { name: 'in' } }, access: { type: 'topicPolicy' } },
  requestedBy: 'local:token',
  startedAt: at(0),
  status,
  steps,
  resources: [],
  ...(status !== 'RUNNING' ? { endedAt: at(steps.length ? Date.parse(steps.at(-1)!.exitedAt ?? at(0)) - T0 : 0) } : {}),
  ...extra,
});

const SEQUENCE: Detail[] = [
  detail('RUNNING', [step('AcquireLock', 'running', 0)]),
  detail('RUNNING', [step('AcquireLock', 'succeeded', 0, 40), step('EnsureTopic', 'running', 40, undefined, { retries: 1 })]),
  detail('RUNNING', [step('AcquireLock', 'succeeded', 0, 40), step('EnsureTopic', 'succeeded', 40, 900, { retries: 2 }), step('Verify', 'running', 900)]),
  detail('SUCCEEDED', [step('AcquireLock', 'succeeded', 0, 40), step('EnsureTopic', 'succeeded', 40, 900, { retries: 2 }), step('Verify', 'succeeded', 900, 950)]),
];

function scripted(answers: (Detail | Error)[]) {
  let i = 0;
  return async () => {
    const a = answers[Math.min(i++, answers.length - 1)]!;
    if (a instanceof Error) throw a;
    return a;
  };
}

const opts = (tty: boolean, write: (s: string) => void) => ({ intervalMs: 1, timeoutMs: 10_000, tty, quiet: false, style: style(false), write, sleep: async () => undefined, now: () => T0 + 1000 });

describe('waitForEnd', () => {
  it('without a terminal prints each step once as it starts and once as it ends, in order', async () => {
    let out = '';

    const d = await waitForEnd(scripted(SEQUENCE), opts(false, (s) => (out += s)));

    expect(d.status).toBe('SUCCEEDED');
    const lines = out.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^ {2}▸ AcquireLock\s+started {3}00:00:00\.000$/),
      expect.stringMatching(/^ {2}✓ AcquireLock\s+succeeded\s+40 ms$/),
      expect.stringMatching(/^ {2}▸ EnsureTopic\s+started/),
      expect.stringMatching(/^ {2}✓ EnsureTopic\s+succeeded\s+860 ms {2}2 retries$/),
      expect.stringMatching(/^ {2}▸ Verify\s+started/),
      expect.stringMatching(/^ {2}✓ Verify\s+succeeded\s+50 ms$/),
    ]);
    expect(out).not.toContain('\x1b[');
  });

  it('on a terminal redraws the running step in place (with its retries) and prints finished steps once', async () => {
    let out = '';

    await waitForEnd(scripted(SEQUENCE), opts(true, (s) => (out += s)));

    const redraw = '\x1b[1A\x1b[J';
    expect(out).toMatch(/AcquireLock\s+running 1\.0 s\n/);
    expect(out).toContain(`running 1.0 s\n${redraw}  ✓ AcquireLock `);
    expect(out).toMatch(/EnsureTopic\s+running 960 ms, retry 1\n/);
    expect(out.match(/✓ EnsureTopic/g)).toHaveLength(1);
    expect(out).not.toContain('▸');
    expect(out).toMatch(/ {2}✓ Verify\s+succeeded\s+50 ms\n$/);
  });

  it('skips the steps that were shown before a redrive', async () => {
    let out = '';

    await waitForEnd(scripted(SEQUENCE.slice(2)), { ...opts(false, (s) => (out += s)), skipSteps: 2 });

    expect(out).not.toMatch(/AcquireLock|EnsureTopic/);
    expect(out).toMatch(/✓ Verify/);
  });

  it('rides out a few unreachable polls (the API restarting) and gives up after that', async () => {
    const down = new UnreachableError('http://127.0.0.1:3000', 'ECONNREFUSED', 'api');

    await expect(waitForEnd(scripted([down, down, SEQUENCE[3]!]), opts(false, () => undefined))).resolves.toMatchObject({ status: 'SUCCEEDED' });
    await expect(waitForEnd(scripted([down]), opts(false, () => undefined))).rejects.toBe(down);
  });

  it('ends with WaitTimeout carrying the last answer when the execution outlives --timeout', async () => {
    let now = T0;

    const waiting = waitForEnd(scripted([SEQUENCE[0]!]), { ...opts(false, () => undefined), timeoutMs: 1000, now: () => (now += 600) });

    await expect(waiting).rejects.toBeInstanceOf(WaitTimeout);
  });
});

describe('colors', () => {
  const fakeApi = async () =>
    new Response(JSON.stringify(SEQUENCE[3]), { status: 200, headers: { 'content-type': 'application/json' } });
  const runStatus = async (args: string[], isTTY: boolean, env: NodeJS.ProcessEnv = {}) => {
    let out = '';
    const code = await runCli(['status', '01JZ8Q9V1TQ4M7N2K3X5Y6Z7A8', ...args], { stdout: { write: (s: string) => (out += s), isTTY }, stderr: { write: () => true }, env, fetch: fakeApi });
    return { code, out };
  };

  it('are used on a terminal only, and never with --no-color or NO_COLOR', async () => {
    expect((await runStatus([], true)).out).toContain('\x1b[32mSUCCEEDED\x1b[39m');
    expect((await runStatus([], false)).out).not.toContain('\x1b[');
    expect((await runStatus(['--no-color'], true)).out).not.toContain('\x1b[');
    expect((await runStatus([], true, { NO_COLOR: '1' })).out).not.toContain('\x1b[');
  });
});
