import { AwsError } from '../../core/errors';
import type { CallContext } from '../../core/types';

/**
 * Key-policy handling for the KMS sandbox: the documents KMS writes itself (the default key policy and the
 * policy of an AWS managed key), the checks PutKeyPolicy/CreateKey make before accepting a document
 * (shape, principals, size, the lockout safety check), and the small evaluator that decides whether the
 * sandbox caller may perform a KMS action on a key under its key policy.
 */

/** KMS counts the key policy in bytes: "The key policy size quota is 32 kilobytes (32768 bytes)". */
export const MAX_KEY_POLICY_BYTES = 32768;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Formats JSON the way KMS returns the documents it writes itself (Jackson's default pretty printer:
 * `"Key" : value`, arrays inline as `[ ... ]`, only objects open a new indentation level).
 */
export function jacksonPretty(value: unknown): string {
  const write = (v: unknown, depth: number): string => {
    if (Array.isArray(v)) return v.length === 0 ? '[ ]' : `[ ${v.map((x) => write(x, depth)).join(', ')} ]`;
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0) return '{ }';
      const pad = '  '.repeat(depth + 1);
      const body = entries.map(([k, x]) => `${pad}${JSON.stringify(k)} : ${write(x, depth + 1)}`).join(',\n');
      return `{\n${body}\n${'  '.repeat(depth)}}`;
    }
    return JSON.stringify(v);
  };
  return write(value, 0);
}

/** The policy KMS attaches when CreateKey is called without one: full access delegated to the account. */
export function defaultKeyPolicy(accountId: string, partition: string): string {
  return jacksonPretty({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });
}

/**
 * The policy of an AWS managed key (`alias/aws/<service>`): every principal of the account may use the key,
 * but only through the owning service (kms:ViaService + kms:CallerAccount); the account itself may only read
 * metadata. Nobody may change it, so PutKeyPolicy, tagging, enabling/disabling and deletion are all denied.
 */
export function awsManagedKeyPolicy(service: string, label: string, accountId: string, partition: string, region: string): string {
  return jacksonPretty({
    Version: '2012-10-17',
    Id: `auto-${service}-1`,
    Statement: [
      {
        Sid: `Allow access through ${label} for all principals in the account that are authorized to use ${label}`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:ListGrants', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': accountId, 'kms:ViaService': `${service}.${region}.amazonaws.com` } },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
        Resource: '*',
      },
    ],
  });
}

/** The identity every sandbox request is made with (the same one STS GetCallerIdentity reports). */
export function callerArn(ctx: Pick<CallContext, 'accountId' | 'partition'>): string {
  return `arn:${ctx.partition}:iam::${ctx.accountId}:user/sandbox`;
}

const malformed = (message: string) => new AwsError('MalformedPolicyDocumentException', message);
const INVALID_PRINCIPALS = 'Policy contains a statement with one or more invalid principals.';
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);

interface Statement {
  Effect: 'Allow' | 'Deny';
  Principal?: Json;
  NotPrincipal?: Json;
  Action?: Json;
  NotAction?: Json;
  Resource?: Json;
  NotResource?: Json;
  Condition?: Json;
}

function asStringList(v: Json | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

/**
 * Parses and checks a key policy the way KMS does before accepting it: JSON object, known elements, every
 * statement with an Effect and at least one principal, principals that exist. Throws
 * MalformedPolicyDocumentException; returns the statements.
 */
export function parseKeyPolicy(text: string, ctx: CallContext): Statement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('The key policy is not a valid JSON document.');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw malformed('The key policy must be a JSON object.');
  const top = doc as Record<string, Json>;
  for (const k of Object.keys(top)) {
    if (k !== 'Version' && k !== 'Id' && k !== 'Statement') throw malformed(`The key policy contains an unknown element: ${k}.`);
  }
  if (top.Version !== undefined && top.Version !== '2012-10-17' && top.Version !== '2008-10-17') {
    throw malformed(`The key policy has an unsupported Version: ${JSON.stringify(top.Version)}.`);
  }
  const raw = top.Statement;
  const list = Array.isArray(raw) ? raw : raw !== undefined && raw !== null && typeof raw === 'object' ? [raw] : undefined;
  if (!list || list.length === 0) throw malformed('The key policy must contain at least one statement.');
  return list.map((s) => checkStatement(s, ctx));
}

function checkStatement(s: Json, ctx: CallContext): Statement {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) throw malformed('Each statement of the key policy must be a JSON object.');
  for (const k of Object.keys(s)) if (!STATEMENT_KEYS.has(k)) throw malformed(`A statement of the key policy contains an unknown element: ${k}.`);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed('Each statement of the key policy must have an Effect of Allow or Deny.');
  if (s.Principal === undefined && s.NotPrincipal === undefined) throw malformed(INVALID_PRINCIPALS);
  if (s.Principal !== undefined && s.NotPrincipal !== undefined) throw malformed('A statement may not contain both Principal and NotPrincipal.');
  checkPrincipal((s.Principal ?? s.NotPrincipal) as Json, ctx);
  for (const [a, b] of [
    ['Action', 'NotAction'],
    ['Resource', 'NotResource'],
  ] as const) {
    if (s[a] !== undefined && s[b] !== undefined) throw malformed(`A statement may not contain both ${a} and ${b}.`);
    const v = s[a] ?? s[b];
    if (v !== undefined && !asStringList(v)) throw malformed(`The ${s[a] !== undefined ? a : b} element of a statement must be a string or a list of strings.`);
  }
  if (s.Condition !== undefined) checkCondition(s.Condition);
  return s as unknown as Statement;
}

function checkPrincipal(p: Json, ctx: CallContext): void {
  if (p === '*') return;
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw malformed(INVALID_PRINCIPALS);
  const entries = Object.entries(p);
  if (entries.length === 0) throw malformed(INVALID_PRINCIPALS);
  for (const [type, value] of entries) {
    const values = asStringList(value);
    if (!PRINCIPAL_TYPES.has(type) || !values || values.length === 0 || values.some((v) => v.trim() === '')) throw malformed(INVALID_PRINCIPALS);
    if (type === 'AWS') for (const v of values) if (!validAwsPrincipal(v, ctx)) throw malformed(INVALID_PRINCIPALS);
  }
}

/**
 * An AWS principal is `*`, an account id, or an IAM/STS ARN. KMS also insists that principals exist; the
 * sandbox can only know that for roles of its own account, so a role of this account must be in IAM state.
 */
function validAwsPrincipal(v: string, ctx: CallContext): boolean {
  if (v === '*' || /^\d{12}$/.test(v)) return true;
  const m = /^arn:(aws|aws-cn|aws-us-gov):(iam|sts)::(\d{12}):(.+)$/.exec(v);
  if (!m) return false;
  const [, , svc, account, resource] = m as unknown as [string, string, string, string, string];
  if (svc === 'sts') return /^(assumed-role|federated-user)\/.+/.test(resource);
  if (resource === 'root') return true;
  if (!/^(user|role|group)\/.+/.test(resource)) return false;
  if (account === ctx.accountId && resource.startsWith('role/')) {
    const name = resource.slice(resource.lastIndexOf('/') + 1).toLowerCase();
    return Object.keys(ctx.state.iam.roles).some((r) => r.toLowerCase() === name);
  }
  return true;
}

function checkCondition(c: Json): void {
  const bad = () => malformed('The Condition element of a statement must map condition operators to condition keys and values.');
  if (c === null || typeof c !== 'object' || Array.isArray(c)) throw bad();
  for (const block of Object.values(c)) {
    if (block === null || typeof block !== 'object' || Array.isArray(block)) throw bad();
    for (const v of Object.values(block)) {
      const ok = (x: Json) => typeof x === 'string' || typeof x === 'boolean' || typeof x === 'number';
      if (!(ok(v) || (Array.isArray(v) && v.every(ok)))) throw bad();
    }
  }
}

/** IAM-style wildcard match (`*`, `?`), case-insensitive for actions. */
function globMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, caseInsensitive ? 'i' : '').test(value);
}

function principalMatches(p: Json | undefined, caller: string, accountId: string, partition: string): boolean {
  if (p === undefined) return false;
  if (p === '*') return true;
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return false;
  const aws = asStringList((p as Record<string, Json>).AWS) ?? [];
  // The account (or its root) delegates to IAM: the sandbox user is an administrator of its account.
  return aws.some((v) => v === '*' || v === caller || v === accountId || v === `arn:${partition}:iam::${accountId}:root`);
}

/**
 * Does this statement apply to the sandbox caller performing `action` on `resource`? A statement with a
 * Condition is treated as not applying: the sandbox cannot evaluate a direct call's request context (for
 * example, the kms:ViaService condition of an AWS managed key never holds for a direct call).
 */
function applies(s: Statement, action: string, resource: string, caller: string, ctx: Pick<CallContext, 'accountId' | 'partition'>): boolean {
  if (s.Condition !== undefined) return false;
  const who =
    s.Principal !== undefined
      ? principalMatches(s.Principal, caller, ctx.accountId, ctx.partition)
      : !principalMatches(s.NotPrincipal, caller, ctx.accountId, ctx.partition);
  if (!who) return false;
  const actions = asStringList(s.Action);
  const notActions = asStringList(s.NotAction);
  const actionOk = actions ? actions.some((a) => globMatch(a, action, true)) : notActions ? !notActions.some((a) => globMatch(a, action, true)) : false;
  const resources = asStringList(s.Resource);
  const notResources = asStringList(s.NotResource);
  // Statements without Action or Resource have no effect (KMS API reference, CreateKey Policy).
  const resourceOk = resources ? resources.some((r) => globMatch(r, resource, false)) : notResources ? !notResources.some((r) => globMatch(r, resource, false)) : false;
  return actionOk && resourceOk;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

/** Evaluates a key policy for the sandbox caller: explicit deny wins, then any allow, else implicit deny. */
export function evaluateKeyPolicy(statements: Statement[], action: string, keyArn: string, ctx: Pick<CallContext, 'accountId' | 'partition'>): Decision {
  const caller = callerArn(ctx);
  let allowed = false;
  for (const s of statements) {
    if (!applies(s, action, keyArn, caller, ctx)) continue;
    if (s.Effect === 'Deny') return 'explicit-deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

/** Statements of a policy already accepted by KMS (stored text), for authorisation. */
export function storedStatements(text: string): Statement[] {
  try {
    const doc = JSON.parse(text) as { Statement?: unknown };
    const raw = doc.Statement;
    const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : [];
    return list.filter((s): s is Statement => s !== null && typeof s === 'object' && !Array.isArray(s));
  } catch {
    return [];
  }
}

/**
 * The lockout safety check of CreateKey and PutKeyPolicy: the new policy must let the calling principal make
 * a later PutKeyPolicy request on the key, unless BypassPolicyLockoutSafetyCheck is set.
 */
export function assertNoLockout(statements: Statement[], keyArn: string, ctx: CallContext): void {
  if (evaluateKeyPolicy(statements, 'kms:PutKeyPolicy', keyArn, ctx) !== 'allow') {
    throw malformed('The new key policy will not allow you to update the key policy in the future.');
  }
}

/** AccessDeniedException, worded as AWS words a resource-policy denial. */
export function assertAllowed(policy: string, action: string, keyArn: string, ctx: CallContext): void {
  const decision = evaluateKeyPolicy(storedStatements(policy), action, keyArn, ctx);
  if (decision === 'allow') return;
  const why = decision === 'explicit-deny' ? 'with an explicit deny in a resource-based policy' : `because no resource-based policy allows the ${action} action`;
  throw new AwsError('AccessDeniedException', `User: ${callerArn(ctx)} is not authorized to perform: ${action} on resource: ${keyArn} ${why}`);
}
