import { AwsError } from '../../core/errors';

/**
 * Structural checks of an IAM JSON policy, following the grammar in the IAM User Guide
 * ("Grammar of the IAM JSON policy language"). A trust policy (a role's AssumeRolePolicyDocument) names a
 * Principal and no Resource; an identity policy (inline or managed) names a Resource and no Principal.
 * Failures answer `MalformedPolicyDocument` with the sentences IAM uses.
 */
export type PolicyKind = 'identity' | 'trust';

const TOP_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const VERSIONS = new Set(['2008-10-17', '2012-10-17']);
const PRINCIPAL_KEYS = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);

function malformed(message: string): AwsError {
  return new AwsError('MalformedPolicyDocument', message, { status: 400 });
}

const SYNTAX = 'Syntax errors in policy.';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringOrStrings(v: unknown, allowEmpty: boolean): boolean {
  if (typeof v === 'string') return true;
  return Array.isArray(v) && (allowEmpty || v.length > 0) && v.every((x) => typeof x === 'string');
}

function checkPrincipal(p: unknown): void {
  if (p === '*') return;
  if (!isObject(p) || Object.keys(p).length === 0) throw malformed(SYNTAX);
  for (const [k, v] of Object.entries(p)) {
    if (!PRINCIPAL_KEYS.has(k)) throw malformed(`Invalid principal in policy: "${k}"`);
    if (!isStringOrStrings(v, false)) throw malformed(SYNTAX);
  }
}

function checkCondition(c: unknown): void {
  if (!isObject(c)) throw malformed(SYNTAX);
  for (const block of Object.values(c)) {
    if (!isObject(block)) throw malformed(SYNTAX);
    for (const v of Object.values(block)) {
      const ok = (x: unknown): boolean => typeof x === 'string' || typeof x === 'boolean' || typeof x === 'number';
      if (!(ok(v) || (Array.isArray(v) && v.every(ok)))) throw malformed(SYNTAX);
    }
  }
}

function checkActions(v: unknown): void {
  const actions = typeof v === 'string' ? [v] : (v as string[]);
  for (const a of actions) {
    if (a === '*') continue;
    const parts = a.split(':');
    if (parts.length < 2) throw malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    if (parts.length > 2) throw malformed('Actions/Condition can contain only one colon.');
    if (!/^[A-Za-z0-9.-]+$/.test(parts[0]!)) throw malformed(`Vendor ${parts[0]!} is not valid`);
  }
}

/** Parses and checks a policy document; throws `MalformedPolicyDocument` when IAM would refuse it. */
export function checkPolicyDocument(document: string, kind: PolicyKind): void {
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch {
    throw malformed(SYNTAX);
  }
  if (!isObject(doc)) throw malformed(SYNTAX);
  for (const k of Object.keys(doc)) if (!TOP_KEYS.has(k)) throw malformed(SYNTAX);
  if ('Version' in doc && (typeof doc['Version'] !== 'string' || !VERSIONS.has(doc['Version']))) throw malformed(SYNTAX);
  if ('Id' in doc && typeof doc['Id'] !== 'string') throw malformed(SYNTAX);
  const raw = doc['Statement'];
  if (raw === undefined) throw malformed(SYNTAX);
  const statements = Array.isArray(raw) ? raw : [raw];
  if (statements.length === 0) throw malformed(SYNTAX);
  const sids = new Set<string>();
  for (const s of statements) {
    if (!isObject(s)) throw malformed(SYNTAX);
    for (const k of Object.keys(s)) if (!STATEMENT_KEYS.has(k)) throw malformed(SYNTAX);
    if (s['Effect'] !== 'Allow' && s['Effect'] !== 'Deny') throw malformed(SYNTAX);
    if ('Sid' in s) {
      if (typeof s['Sid'] !== 'string') throw malformed(SYNTAX);
      if (s['Sid'] !== '' && sids.has(s['Sid'])) throw malformed('Statement IDs (SID) in a single policy must be unique.');
      sids.add(s['Sid']);
    }
    if ('Action' in s && 'NotAction' in s) throw malformed(SYNTAX);
    if ('Resource' in s && 'NotResource' in s) throw malformed(SYNTAX);
    if ('Principal' in s && 'NotPrincipal' in s) throw malformed(SYNTAX);
    const action = s['Action'] ?? s['NotAction'];
    if (action === undefined || (Array.isArray(action) && action.length === 0)) throw malformed('Policy statement must contain actions.');
    if (!isStringOrStrings(action, false)) throw malformed(SYNTAX);
    checkActions(action);
    const resource = s['Resource'] ?? s['NotResource'];
    if (resource !== undefined && !isStringOrStrings(resource, false)) throw malformed(SYNTAX);
    if ('Condition' in s) checkCondition(s['Condition']);
    const principal = s['Principal'] ?? s['NotPrincipal'];
    if (kind === 'identity') {
      if (principal !== undefined) throw malformed('Policy document should not specify a principal.');
      if (resource === undefined) throw malformed('Policy statement must contain resources.');
    } else {
      if (resource !== undefined) throw malformed('Has prohibited field Resource.');
      if (principal === undefined) throw malformed('Missing required field Principal.');
      checkPrincipal(principal);
    }
  }
}

/** Size of a policy as IAM's quotas count it: white space is not counted. */
export function policySize(document: string): number {
  return document.replace(/\s/g, '').length;
}

/** RFC 3986 percent-encoding, the form in which IAM returns policy documents. */
export function encodePolicy(document: string): string {
  return encodeURIComponent(document).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
