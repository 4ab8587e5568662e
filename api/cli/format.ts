import type { z } from 'zod';
import type { ApiDestination, AuditRecord, Detail, HistoryEvent, Status, Step, Summary } from '../schemas';

type Destination = z.infer<typeof ApiDestination>;

/** Human-readable output: tables and lines. `--json` bypasses all of this and prints the API's JSON. */

export interface Style {
  enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export function style(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { enabled, bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}

// eslint-disable-next-line no-control-regex -- ANSI escape sequences are what is measured away
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const visible = (s: string): number => [...s.replace(ANSI, '')].length;

/** Columns padded to their widest cell; the last column is not padded (it may be long: ARNs, messages). */
export function table(header: string[], rows: string[][], st: Style, indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - visible(c))))
      .join('  ')
      .trimEnd();
  return [st.dim(line(header)), ...rows.map(line)];
}

export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m ${String(s).padStart(2, '0')}s`;
}

export const between = (from: string | undefined, to: string | undefined): number => (from && to ? Date.parse(to) - Date.parse(from) : NaN);

export function statusText(status: Status | string, st: Style): string {
  switch (status) {
    case 'SUCCEEDED':
    case 'succeeded':
      return st.green(status);
    case 'RUNNING':
    case 'running':
      return st.cyan(status);
    case 'ROLLED_BACK':
    case 'caught':
      return st.yellow(status);
    default:
      return st.red(status);
  }
}

export interface ErrorInfo {
  name: string;
  message: string;
}

/**
 * The error to show. A rolled-back execution's error should be the original one (the API unwraps it from the
 * Fail state's cause); when the cause could not be unwrapped it still reads `RolledBack: {"Error":...}`, so the
 * error of the step that was caught (what started the rollback) is shown instead.
 */
export function errorToShow(p: { status: string; error?: ErrorInfo; steps?: Step[] }): ErrorInfo | undefined {
  const caught = p.steps?.find((s) => s.status === 'caught' && s.error)?.error;
  if (p.status === 'ROLLED_BACK' && p.error?.name === 'RolledBack') return caught ?? salvage(p.error);
  return p.error;
}

/** The original error's name and message out of a `{"Error":..., "Cause":...}` text that is not valid JSON. */
function salvage(e: ErrorInfo): ErrorInfo {
  const name = /"Error"\s*:\s*"([^"]+)"/.exec(e.message)?.[1];
  const message = /"errorMessage"\s*:\s*"(.*?)"\s*\}/s.exec(e.message)?.[1];
  return name ? { name, message: message ?? e.message } : e;
}

export const errorLine = (e: ErrorInfo | undefined): string => (e ? `${e.name}: ${e.message}` : '');

/** The step whose compensation failed, for ROLLBACK_FAILED: the original error is the caught step's. */
export function originalError(p: { status: string; steps?: Step[] }): ErrorInfo | undefined {
  return p.status === 'ROLLBACK_FAILED' ? p.steps?.find((s) => s.status === 'caught' && s.error)?.error : undefined;
}

export function describeDestination(d: Destination | undefined): string {
  if (!d) return '';
  const role = (r: { create: { name?: string } } | { arn: string }): string => ('arn' in r ? `role ${r.arn}` : r.create.name ? `new role ${r.create.name}` : 'new role');
  if (d.type === 'connect') return `Amazon Connect instance ${d.instanceId}, ${role(d.role)}${d.contactFlowId ? `, contact flow ${d.contactFlowId}` : ''}`;
  const topic = 'arn' in d.topic ? `topic ${d.topic.arn}` : `new topic ${d.topic.create.name}${d.topic.create.kmsKeyId ? ` (KMS key ${d.topic.create.kmsKeyId})` : ''}`;
  const access = d.access.type === 'topicPolicy' ? 'topic policy' : role(d.access.role);
  return `SNS ${topic}, ${access}`;
}

export const targetOf = (p: { phoneNumberId?: string; poolId?: string }): string => p.phoneNumberId ?? (p.poolId ? `pool ${p.poolId}` : '');

const ticketText = (t: Summary['ticket']): string => (t ? `${t.system}:${t.key}${t.url ? `  ${t.url}` : ''}` : '');

export function renderDetail(d: Detail, st: Style): string[] {
  const out: string[] = [];
  out.push(`${st.bold(`${d.operation === 'deprovision' ? 'Deprovisioning' : 'Provisioning'} ${d.id}`)}  ${statusText(d.status, st)}`);
  const fields: [string, string][] = [
    [d.poolId ? 'pool' : 'phone number', d.poolId ?? d.phoneNumberId ?? ''],
    ['destination', describeDestination(d.destination)],
    ['requested by', d.requestedBy],
    ['ticket', ticketText(d.ticket)],
    ['started', d.startedAt],
    ['ended', d.endedAt ? `${d.endedAt}  (${duration(between(d.startedAt, d.endedAt))})` : ''],
    ['redrives', d.redriveCount ? String(d.redriveCount) : ''],
    ['execution', d.executionArn],
  ];
  const err = errorToShow(d);
  if (err) fields.push(['error', st.red(errorLine(err))]);
  const original = originalError(d);
  if (original) fields.push(['rolling back from', errorLine(original)]);
  for (const [k, v] of fields) if (v) out.push(`  ${k.padEnd(18)}${v}`);
  for (const n of d.notReversible ?? []) out.push(`  ${st.yellow(n)}`);

  if (d.steps.length) {
    out.push('', st.bold('Steps'));
    out.push(
      ...table(
        ['#', 'STEP', 'TYPE', 'STATUS', 'TIME', 'RETRIES', 'ERROR'],
        d.steps.map((s, i) => [
          String(i + 1),
          s.name,
          s.type,
          statusText(s.status, st),
          s.exitedAt ? duration(between(s.enteredAt, s.exitedAt)) : '',
          s.retries ? String(s.retries) : '',
          s.error ? errorLine(s.error) : '',
        ]),
        st,
      ),
    );
  }
  if (d.resources.length) {
    out.push('', st.bold('Resources'));
    out.push(...table(['KIND', 'STATUS', 'RESOURCE'], d.resources.map((r) => [String(r.kind), r.status, resourceText(r)]), st));
    // What an undo deliberately left, with the reason (a role retained because AWS cannot clear it, a shared one).
    for (const r of d.resources) if (typeof r.kept === 'string') out.push(`  ${st.yellow(`kept ${String(r.kind)}: ${r.kept}`)}`);
  }
  return out;
}

/** The ARN (or id) a ledger entry is about, and whether this provisioning created it. */
function resourceText(r: Record<string, unknown>): string {
  const arnKey = ['arn', 'roleArn', 'topicArn', 'keyArn', 'phoneNumberArn'].find((k) => typeof r[k] === 'string') ?? Object.keys(r).find((k) => /Arn$/.test(k) && typeof r[k] === 'string');
  const what = arnKey ? String(r[arnKey]) : typeof r.id === 'string' ? r.id : typeof r.name === 'string' ? r.name : '';
  return `${what}${r.created === true ? ' (created)' : ''}`;
}

export function renderList(items: Summary[], st: Style): string[] {
  if (!items.length) return ['  no provisionings'];
  return table(
    ['ID', 'OPERATION', 'TARGET', 'STATUS', 'STARTED', 'TIME', 'ERROR'],
    items.map((p) => [p.id, p.operation, targetOf(p), statusText(p.status, st), p.startedAt, p.endedAt ? duration(between(p.startedAt, p.endedAt)) : '', errorLine(errorToShow(p))]),
    st,
  );
}

type Audit = z.infer<typeof AuditRecord>;

export function renderAudit(items: Audit[], st: Style): string[] {
  if (!items.length) return ['  no audit records (no AWS mutation was made)'];
  return table(
    ['AT', 'STEP', 'PHASE', 'ACTION', 'RESOURCE', 'RESULT'],
    items.map((a) => [
      a.at,
      a.step,
      a.phase,
      a.action,
      a.resourceArn ?? '',
      a.phase === 'note' ? st.yellow(a.note ?? '') : a.phase === 'intent' ? '' : a.outcome === 'failed' ? st.red(`failed ${errorLine(a.error)}`) : statusText(a.outcome ?? '', st),
    ]),
    st,
  );
}

type Event = z.infer<typeof HistoryEvent>;

const FAILURE = /FailedEventDetails$|TimedOutEventDetails$|AbortedEventDetails$/;

export function renderHistory(events: Event[], st: Style): string[] {
  if (!events.length) return ['  no events'];
  const t0 = Date.parse(events[0]!.timestamp);
  let state = '';
  const rows = events.map((e) => {
    const entered = e.stateEnteredEventDetails as { name?: string } | undefined;
    const exited = e.stateExitedEventDetails as { name?: string } | undefined;
    state = entered?.name ?? exited?.name ?? state;
    let detail = '';
    for (const [k, v] of Object.entries(e)) {
      if (!FAILURE.test(k) || typeof v !== 'object' || v === null) continue;
      const f = v as { error?: string; cause?: string };
      detail = st.red(`${f.error ?? 'error'}${f.cause ? `: ${causeText(f.cause)}` : ''}`);
    }
    return [String(e.id), `+${duration(Date.parse(e.timestamp) - t0)}`, e.type, /^Execution/.test(e.type) ? '' : state, detail];
  });
  return table(['ID', 'AT', 'TYPE', 'STATE', 'DETAIL'], rows, st);
}

/** A Lambda cause is JSON `{errorType, errorMessage}`; show the message. */
function causeText(cause: string): string {
  try {
    const c = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof c.errorMessage === 'string') return c.errorMessage;
  } catch {
    // plain text
  }
  return cause;
}
