import { arnMatch, wildcardMatch } from './match';
import type { BaseConditionOperator, ConditionEntry, ContextValue } from './types';

/** Why a condition did not hold: the entry and what the request had for its key (undefined: absent). */
export interface ConditionFailure {
  entry: ConditionEntry;
  actual: string[] | undefined;
}

/** Operators whose result is the negation of a match ("NOR" over the policy's values, as IAM documents). */
const NEGATED: Partial<Record<BaseConditionOperator, BaseConditionOperator>> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
  NotIpAddress: 'IpAddress',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
};

/** Looks a key up case-insensitively (IAM condition key names are not case-sensitive). */
export function lookupContext(context: Record<string, ContextValue>, key: string): string[] | undefined {
  let value: ContextValue = context[key];
  if (value === undefined) {
    const lower = key.toLowerCase();
    for (const [k, v] of Object.entries(context)) {
      if (k.toLowerCase() === lower && v !== undefined) {
        value = v;
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return [String(value)];
  return Array.isArray(value) ? value : [value];
}

function toNumber(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Dates are ISO 8601 text or epoch seconds, as IAM accepts. */
function toDate(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

function ipv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

/** IPv4 address against an address or CIDR block (IPv6 only by exact text; enough for this project). */
function ipMatch(policy: string, value: string): boolean {
  const [net, bitsText] = policy.split('/');
  const addr = ipv4(value);
  const base = ipv4(net ?? '');
  if (addr === undefined || base === undefined) return policy === value;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((addr & mask) >>> 0) === ((base & mask) >>> 0);
}

function compareNumbers(a: number | undefined, b: number | undefined, cmp: (x: number, y: number) => boolean): boolean {
  return a !== undefined && b !== undefined && cmp(a, b);
}

/** Whether one request value satisfies one policy value under a positive (not negated) operator. */
function matchOne(base: BaseConditionOperator, policy: string, value: string): boolean {
  switch (base) {
    case 'StringEquals':
      return policy === value;
    case 'StringEqualsIgnoreCase':
      return policy.toLowerCase() === value.toLowerCase();
    case 'StringLike':
      return wildcardMatch(policy, value);
    case 'NumericEquals':
      return compareNumbers(toNumber(value), toNumber(policy), (x, y) => x === y);
    case 'NumericLessThan':
      return compareNumbers(toNumber(value), toNumber(policy), (x, y) => x < y);
    case 'NumericLessThanEquals':
      return compareNumbers(toNumber(value), toNumber(policy), (x, y) => x <= y);
    case 'NumericGreaterThan':
      return compareNumbers(toNumber(value), toNumber(policy), (x, y) => x > y);
    case 'NumericGreaterThanEquals':
      return compareNumbers(toNumber(value), toNumber(policy), (x, y) => x >= y);
    case 'DateEquals':
      return compareNumbers(toDate(value), toDate(policy), (x, y) => x === y);
    case 'DateLessThan':
      return compareNumbers(toDate(value), toDate(policy), (x, y) => x < y);
    case 'DateLessThanEquals':
      return compareNumbers(toDate(value), toDate(policy), (x, y) => x <= y);
    case 'DateGreaterThan':
      return compareNumbers(toDate(value), toDate(policy), (x, y) => x > y);
    case 'DateGreaterThanEquals':
      return compareNumbers(toDate(value), toDate(policy), (x, y) => x >= y);
    case 'Bool':
      return policy.toLowerCase() === value.toLowerCase();
    case 'BinaryEquals':
      return policy === value;
    case 'IpAddress':
      return ipMatch(policy, value);
    case 'ArnEquals':
    case 'ArnLike':
      return arnMatch(policy, value);
    default:
      return false;
  }
}

/**
 * Evaluates one condition entry against the request context, with IAM's documented semantics:
 * - several policy values: OR for positive operators, NOR for negated ones (`StringNotEquals` etc.);
 * - key absent: `...IfExists` → true; `Null` → tests absence; `ForAllValues:` → true; `ForAnyValue:` → false;
 *   negated operators → true; every other operator → false;
 * - `ForAnyValue:` / `ForAllValues:`: some / every request value satisfies the operator.
 * A single-valued operator given several request values holds if any of them matches (positive) or none
 * does (negated).
 */
export function evaluateEntry(entry: ConditionEntry, context: Record<string, ContextValue>): boolean {
  const actual = lookupContext(context, entry.key);
  if (entry.base === 'Null') {
    const absent = actual === undefined;
    return entry.values.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  const positive = NEGATED[entry.base];
  const negated = positive !== undefined;
  const base = positive ?? entry.base;
  const missing = actual === undefined || (entry.set === undefined && actual.length === 0);
  if (missing) {
    if (entry.ifExists) return true;
    if (entry.set === 'ForAllValues') return true;
    if (entry.set === 'ForAnyValue') return false;
    return negated;
  }
  const satisfies = (value: string): boolean => {
    const hit = entry.values.some((p) => matchOne(base, p, value));
    return negated ? !hit : hit;
  };
  if (entry.set === 'ForAllValues') return actual.every(satisfies);
  if (entry.set === 'ForAnyValue') return actual.some(satisfies);
  const anyHit = actual.some((value) => entry.values.some((p) => matchOne(base, p, value)));
  return negated ? !anyHit : anyHit;
}

/** All entries must hold (AND across operators and keys); returns the first that does not. */
export function evaluateConditions(entries: ConditionEntry[], context: Record<string, ContextValue>): ConditionFailure | undefined {
  for (const entry of entries) {
    if (!evaluateEntry(entry, context)) return { entry, actual: lookupContext(context, entry.key) };
  }
  return undefined;
}

export function describeConditionFailure(f: ConditionFailure): string {
  const expected = f.entry.values.length === 1 ? `"${f.entry.values[0]}"` : `one of ${f.entry.values.map((v) => `"${v}"`).join(', ')}`;
  const has = f.actual === undefined ? `the request has no ${f.entry.key}` : `the request has ${f.actual.map((v) => `"${v}"`).join(', ') || 'an empty set'}`;
  if (f.entry.base === 'Null') {
    const wantAbsent = f.entry.values.some((v) => v.toLowerCase() === 'true');
    return `its condition Null ${f.entry.key} requires the key to be ${wantAbsent ? 'absent' : 'present'} (${has})`;
  }
  return `its condition ${f.entry.operator} ${f.entry.key} ${expected} does not hold (${has})`;
}
