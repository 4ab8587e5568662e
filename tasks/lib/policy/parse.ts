import {
  BASE_CONDITION_OPERATORS,
  type BaseConditionOperator,
  type ConditionEntry,
  type PolicyDocument,
  type PolicyKind,
  type PrincipalSet,
  type Statement,
} from './types';

export interface PolicyProblem {
  /** Where in the document, e.g. `Statement[1].Effect`. */
  path: string;
  message: string;
}

/** A policy document that is not valid JSON or not of the IAM policy grammar. Lists every problem found. */
export class PolicyParseError extends Error {
  override readonly name = 'PolicyParseError';
  readonly problems: PolicyProblem[];
  constructor(problems: PolicyProblem[]) {
    super(`malformed policy document: ${problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`);
    this.problems = problems;
  }
}

export interface ParseOptions {
  /**
   * `identity`: `Principal`/`NotPrincipal` are forbidden and `Resource`/`NotResource` required (as IAM does);
   * `resource`: `Principal`/`NotPrincipal` required. Omitted: neither rule is applied.
   */
  kind?: PolicyKind;
}

const VERSIONS = ['2012-10-17', '2008-10-17'];
const TOP_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const PRINCIPAL_KEYS: Record<string, keyof Omit<PrincipalSet, 'all'>> = {
  AWS: 'aws',
  Service: 'service',
  Federated: 'federated',
  CanonicalUser: 'canonicalUser',
};
const ACTION_PATTERN = /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.*?-]+$/;
/** `arn:partition:service:region:account:resource` (the last part may itself hold colons). */
const ARN_PATTERN = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$/s;
const ACCOUNT_ID = /^\d{12}$/;
const SERVICE_PRINCIPAL = /^[A-Za-z0-9.-]+$/;
const OPERATOR_PATTERN = /^(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** True when the value is one of the already parsed documents `parsePolicy` returns. */
export function isParsedPolicy(doc: unknown): doc is PolicyDocument {
  return isRecord(doc) && Array.isArray(doc.statements) && !('Statement' in doc);
}

/**
 * Parses a policy document (JSON text or object) into typed statements. Single values and arrays are
 * accepted wherever AWS accepts both. Throws `PolicyParseError` naming every problem.
 */
export function parsePolicy(input: string | object, options: ParseOptions = {}): PolicyDocument {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (err) {
      throw new PolicyParseError([{ path: '', message: `not valid JSON (${(err as Error).message})` }]);
    }
  }
  const problems: PolicyProblem[] = [];
  const problem = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  if (!isRecord(raw)) throw new PolicyParseError([{ path: '', message: `a policy document must be a JSON object, got ${show(raw)}` }]);

  for (const key of Object.keys(raw)) if (!TOP_KEYS.has(key)) problem(key, 'unknown top-level element (expected Version, Id, Statement)');
  let version: string | undefined;
  if (raw.Version !== undefined) {
    if (typeof raw.Version !== 'string' || !VERSIONS.includes(raw.Version)) problem('Version', `must be "2012-10-17" or "2008-10-17", got ${show(raw.Version)}`);
    else version = raw.Version;
  }
  let id: string | undefined;
  if (raw.Id !== undefined) {
    if (typeof raw.Id !== 'string') problem('Id', `must be a string, got ${show(raw.Id)}`);
    else id = raw.Id;
  }

  const statements: Statement[] = [];
  if (raw.Statement === undefined) {
    problem('Statement', 'is missing');
  } else {
    const list = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
    const sids = new Set<string>();
    list.forEach((s, index) => {
      const st = parseStatement(s, index, `Statement[${index}]`, options, problem);
      if (!st) return;
      if (st.sid !== undefined) {
        if (sids.has(st.sid)) problem(`Statement[${index}].Sid`, `duplicate Sid "${st.sid}" (Sids must be unique in a policy)`);
        sids.add(st.sid);
      }
      statements.push(st);
    });
  }
  if (problems.length > 0) throw new PolicyParseError(problems);
  return { ...(version !== undefined ? { version } : {}), ...(id !== undefined ? { id } : {}), statements };
}

function parseStatement(
  s: unknown,
  index: number,
  at: string,
  options: ParseOptions,
  problem: (path: string, message: string) => void,
): Statement | undefined {
  if (!isRecord(s)) {
    problem(at, `a statement must be a JSON object, got ${show(s)}`);
    return undefined;
  }
  const before = { count: 0 };
  const report = (path: string, message: string): void => {
    before.count++;
    problem(path, message);
  };
  for (const key of Object.keys(s)) if (!STATEMENT_KEYS.has(key)) report(`${at}.${key}`, 'unknown statement element');

  let sid: string | undefined;
  if (s.Sid !== undefined) {
    if (typeof s.Sid !== 'string') report(`${at}.Sid`, `must be a string, got ${show(s.Sid)}`);
    else sid = s.Sid;
  }
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') {
    report(`${at}.Effect`, s.Effect === undefined ? 'is missing (must be "Allow" or "Deny")' : `must be "Allow" or "Deny", got ${show(s.Effect)}`);
  }

  const pair = (a: string, b: string, required: boolean, forbidden = false): string | undefined => {
    const hasA = s[a] !== undefined;
    const hasB = s[b] !== undefined;
    if (forbidden && (hasA || hasB)) {
      report(`${at}.${hasA ? a : b}`, `is not allowed in an identity-based policy (the principal is the identity it is attached to)`);
      return undefined;
    }
    if (hasA && hasB) report(at, `has both ${a} and ${b} (use one)`);
    else if (!hasA && !hasB && required) report(at, `needs ${a} or ${b}`);
    return hasA ? a : hasB ? b : undefined;
  };

  const actionKey = pair('Action', 'NotAction', true);
  const actions = actionKey ? stringList(s[actionKey], `${at}.${actionKey}`, report, (v, p) => {
    if (v !== '*' && !ACTION_PATTERN.test(v)) report(p, `"${v}" is not "*" or of the form service:action`);
  }) : undefined;

  const resourceKey = pair('Resource', 'NotResource', options.kind === 'identity');
  const resources = resourceKey ? stringList(s[resourceKey], `${at}.${resourceKey}`, report, (v, p) => {
    if (v !== '*' && !ARN_PATTERN.test(v)) report(p, `"${v}" is not "*" or an ARN (arn:partition:service:region:account:resource)`);
  }) : undefined;

  const principalKey = pair('Principal', 'NotPrincipal', options.kind === 'resource', options.kind === 'identity');
  const principal = principalKey ? parsePrincipal(s[principalKey], `${at}.${principalKey}`, report) : undefined;

  const conditions = s.Condition === undefined ? [] : parseCondition(s.Condition, `${at}.Condition`, report);

  if (before.count > 0) return undefined;
  return {
    index,
    ...(sid !== undefined ? { sid } : {}),
    effect: s.Effect as 'Allow' | 'Deny',
    ...(actionKey === 'Action' ? { action: actions } : { notAction: actions }),
    ...(resourceKey === 'Resource' ? { resource: resources } : resourceKey === 'NotResource' ? { notResource: resources } : {}),
    ...(principalKey === 'Principal' ? { principal } : principalKey === 'NotPrincipal' ? { notPrincipal: principal } : {}),
    conditions,
  };
}

function stringList(
  v: unknown,
  at: string,
  report: (path: string, message: string) => void,
  check?: (value: string, path: string) => void,
): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (Array.isArray(v) && v.length === 0) report(at, 'must not be an empty list');
  const out: string[] = [];
  list.forEach((item, i) => {
    const p = Array.isArray(v) ? `${at}[${i}]` : at;
    if (typeof item !== 'string' || item === '') {
      report(p, `must be a non-empty string, got ${show(item)}`);
      return;
    }
    check?.(item, p);
    out.push(item);
  });
  return out;
}

function parsePrincipal(v: unknown, at: string, report: (path: string, message: string) => void): PrincipalSet {
  const set: PrincipalSet = { all: false, aws: [], service: [], federated: [], canonicalUser: [] };
  if (v === '*') return { ...set, all: true };
  if (!isRecord(v)) {
    report(at, `must be "*" or an object with AWS, Service, Federated or CanonicalUser, got ${show(v)}`);
    return set;
  }
  if (Object.keys(v).length === 0) report(at, 'must name at least one principal');
  for (const [key, value] of Object.entries(v)) {
    const field = PRINCIPAL_KEYS[key];
    if (!field) {
      report(`${at}.${key}`, 'unknown principal type (expected AWS, Service, Federated or CanonicalUser)');
      continue;
    }
    const values = stringList(value, `${at}.${key}`, report, (item, p) => {
      if (field === 'aws' && item !== '*' && !ACCOUNT_ID.test(item) && !ARN_PATTERN.test(item)) {
        report(p, `"${item}" is not "*", a 12-digit account id or an ARN`);
      }
      if (field === 'service' && !SERVICE_PRINCIPAL.test(item)) report(p, `"${item}" is not a service principal such as sns.amazonaws.com`);
    });
    if (field === 'aws' && values.includes('*')) set.all = true;
    set[field].push(...values.filter((x) => !(field === 'aws' && x === '*')));
  }
  return set;
}

function parseOperator(op: string): { base: BaseConditionOperator; ifExists: boolean; set?: 'ForAnyValue' | 'ForAllValues' } | undefined {
  const m = OPERATOR_PATTERN.exec(op);
  if (!m) return undefined;
  const base = m[2] as BaseConditionOperator;
  if (!(BASE_CONDITION_OPERATORS as readonly string[]).includes(base)) return undefined;
  // Null tests presence itself: it has no IfExists form and no set form.
  if (base === 'Null' && (m[1] || m[3])) return undefined;
  return { base, ifExists: m[3] !== undefined, ...(m[1] ? { set: m[1] as 'ForAnyValue' | 'ForAllValues' } : {}) };
}

function parseCondition(v: unknown, at: string, report: (path: string, message: string) => void): ConditionEntry[] {
  if (!isRecord(v)) {
    report(at, `must be an object of condition operators, got ${show(v)}`);
    return [];
  }
  const out: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(v)) {
    const parsed = parseOperator(operator);
    if (!parsed) {
      report(`${at}.${operator}`, 'unknown condition operator');
      continue;
    }
    if (!isRecord(block)) {
      report(`${at}.${operator}`, `must be an object of condition keys to values, got ${show(block)}`);
      continue;
    }
    for (const [key, raw] of Object.entries(block)) {
      const p = `${at}.${operator}.${key}`;
      if (key === '') {
        report(p, 'a condition key must not be empty');
        continue;
      }
      const list = Array.isArray(raw) ? raw : [raw];
      if (Array.isArray(raw) && raw.length === 0) report(p, 'must not be an empty list');
      const values: string[] = [];
      for (const item of list) {
        if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
          report(p, `values must be strings, numbers or booleans, got ${show(item)}`);
          continue;
        }
        const text = String(item);
        if ((parsed.base === 'Bool' || parsed.base === 'Null') && !/^(true|false)$/i.test(text)) {
          report(p, `${parsed.base} takes "true" or "false", got ${show(item)}`);
        }
        if (parsed.base.startsWith('Numeric') && !Number.isFinite(Number(text))) report(p, `${parsed.base} takes numbers, got ${show(item)}`);
        values.push(text);
      }
      out.push({ operator, ...parsed, key, values });
    }
  }
  return out;
}
