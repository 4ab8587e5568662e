import type { Detail, Step } from '../schemas';
import { UnreachableError } from './errors';
import { between, duration, errorLine, errorToShow, originalError, describeDestination, targetOf, type Style } from './format';

/**
 * `--wait`: polls GET /v1/provisionings/{id} and shows each step as it starts and ends. On a terminal the
 * finished steps are printed once and the running one is a line redrawn in place; otherwise (a log, a pipe)
 * every start and end is its own line.
 */

export interface WaitOptions {
  intervalMs: number;
  timeoutMs: number;
  /** Redraw in place (stdout is a terminal). */
  tty: boolean;
  /** No progress output at all (`--json`: stdout carries only the final JSON). */
  quiet: boolean;
  style: Style;
  write(text: string): void;
  /** Steps of the execution before this wait (a redrive): not shown again. */
  skipSteps?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** The execution was still running when `--timeout` ran out. */
export class WaitTimeout extends Error {
  override readonly name = 'WaitTimeout';

  constructor(readonly last: Detail) {
    super(`still ${last.status} after the wait timeout`);
  }
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Transient failures tolerated while polling (the API restarting, a dropped connection) before giving up. */
const MAX_POLL_FAILURES = 5;
const NAME_WIDTH = 26;

export async function waitForEnd(get: () => Promise<Detail>, opts: WaitOptions): Promise<Detail> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = opts.now ?? Date.now;
  const st = opts.style;
  const shown = new Map<number, { started: boolean; ended: boolean }>();
  const skip = opts.skipSteps ?? 0;
  const t0 = now();
  let footer = 0;
  let frame = 0;
  let failures = 0;

  const write = (s: string): void => {
    if (!opts.quiet) opts.write(s);
  };
  const clearFooter = (): void => {
    if (footer) write(`\x1b[${footer}A\x1b[J`);
    footer = 0;
  };

  const render = (d: Detail): void => {
    clearFooter();
    const running: Step[] = [];
    d.steps.forEach((s, i) => {
      if (i < skip) return;
      const seen = shown.get(i) ?? { started: false, ended: false };
      shown.set(i, seen);
      if (s.status !== 'running') {
        if (!seen.ended) write(`${endLine(s, st)}\n`);
        seen.started = seen.ended = true;
      } else if (opts.tty) {
        running.push(s);
      } else if (!seen.started) {
        write(`${startLine(s, st)}\n`);
        seen.started = true;
      }
    });
    if (opts.tty && d.status === 'RUNNING') {
      const spin = st.cyan(SPINNER[frame++ % SPINNER.length]!);
      const lines = running.length
        ? running.map((s) => `  ${spin} ${s.name.padEnd(NAME_WIDTH)} ${st.dim(`running ${duration(now() - Date.parse(s.enteredAt))}${s.retries ? `, retry ${s.retries}` : ''}`)}`)
        : [`  ${spin} ${st.dim('waiting for the next step')}`];
      write(`${lines.join('\n')}\n`);
      footer = lines.length;
    }
  };

  for (;;) {
    let d: Detail;
    try {
      d = await get();
      failures = 0;
    } catch (e) {
      if (e instanceof UnreachableError && ++failures < MAX_POLL_FAILURES) {
        await sleep(opts.intervalMs * failures);
        continue;
      }
      clearFooter();
      throw e;
    }
    render(d);
    if (d.status !== 'RUNNING') {
      clearFooter();
      return d;
    }
    if (now() - t0 > opts.timeoutMs) {
      clearFooter();
      throw new WaitTimeout(d);
    }
    await sleep(opts.intervalMs);
  }
}

function startLine(s: Step, st: Style): string {
  return `  ${st.cyan('▸')} ${s.name.padEnd(NAME_WIDTH)} ${st.dim(`started   ${s.enteredAt.slice(11, 23)}`)}`;
}

/** A Fail state's error is the execution's: the final line shows it (unwrapped), not each step line. */
function endLine(s: Step, st: Style): string {
  const paint = s.status === 'succeeded' ? st.green : s.status === 'caught' ? st.yellow : st.red;
  const mark = paint(s.status === 'succeeded' ? '✓' : '✗');
  const time = s.exitedAt ? duration(between(s.enteredAt, s.exitedAt)) : '';
  const extra = [s.retries ? `${s.retries} ${s.retries === 1 ? 'retry' : 'retries'}` : '', s.error && s.type !== 'Fail' ? errorLine(s.error) : ''].filter(Boolean).join('  ');
  return `  ${mark} ${s.name.padEnd(NAME_WIDTH)} ${s.status === 'succeeded' ? s.status.padEnd(9) : paint(s.status.padEnd(9))} ${time.padStart(8)}${extra ? `  ${extra}` : ''}`;
}

/** What the final status means and what to do next. */
export function finalLines(d: Detail, st: Style): string[] {
  const took = d.endedAt ? ` in ${duration(between(d.startedAt, d.endedAt))}` : '';
  const what = d.operation === 'deprovision' ? 'disabled' : 'enabled';
  const err = errorToShow(d);
  switch (d.status) {
    case 'SUCCEEDED': {
      const dest = d.operation === 'provision' && d.destination ? ` (${describeDestination(d.destination)})` : '';
      return [`${st.green('✓ SUCCEEDED')}${took}: two-way SMS is ${what} on ${targetOf(d)}${dest}`];
    }
    case 'ROLLED_BACK':
      return [
        `${st.yellow('✗ ROLLED_BACK')}${took}${err ? `: ${errorLine(err)}` : ''}`,
        `  everything this request changed has been undone; fix the cause and run it again`,
      ];
    case 'ROLLBACK_FAILED': {
      const original = originalError(d);
      return [
        `${st.red('✗ ROLLBACK_FAILED')}${took}${err ? `: ${errorLine(err)}` : ''}`,
        ...(original ? [`  while rolling back from: ${errorLine(original)}`] : []),
        `  some changes are still in place (see the resources: two-way-sms status ${d.id});`,
        `  once the cause is fixed, resume the rollback: two-way-sms redrive ${d.id} --wait`,
      ];
    }
    case 'ABORTED':
      return [`${st.red('✗ ABORTED')}${took}${err ? `: ${errorLine(err)}` : ''}`];
    default:
      return [`${st.cyan(d.status)}: follow it with two-way-sms status ${d.id} --wait`];
  }
}
