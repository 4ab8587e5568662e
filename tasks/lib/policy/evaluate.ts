import { describeConditionFailure, evaluateConditions, lookupContext } from './conditions';
import { describePrincipal, matchPrincipal, parseArn, principalAccount, wildcardMatch, type PrincipalMatch } from './match';
import { isParsedPolicy, parsePolicy } from './parse';
import type {
  AccessRequest,
  ContextValue,
  DecidingStatement,
  EvaluationResult,
  PolicyDocument,
  PolicyKind,
  PolicySource,
  PrincipalSet,
  RequestPrincipal,
  Statement,
} from './types';

/** One statement's verdict on one request. */
interface StatementMatch {
  label: string;
  kind: PolicyKind;
  statement: Statement;
  applies: boolean;
  /** For identity policies always `direct` (the policy is attached to the principal). */
  principal: PrincipalMatch;
  /** When it does not apply: how close it came (1 principal, 2 resource, 3 condition) and why not. */
  failure?: { rank: number; detail: string };
}

interface ParsedSource {
  label: string;
  kind: PolicyKind;
  doc: PolicyDocument;
}

function parseSource(source: PolicySource): ParsedSource {
  const doc = isParsedPolicy(source.document) ? source.document : parsePolicy(source.document, { kind: source.kind });
  return { label: source.label, kind: source.kind, doc };
}

function showPrincipalSet(set: PrincipalSet): string {
  if (set.all) return '*';
  return [...set.aws, ...set.service, ...set.federated, ...set.canonicalUser].join(', ');
}

/** The request context plus the global keys AWS derives from the principal, unless the caller set them. */
function withPrincipalKeys(request: AccessRequest): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = { ...(request.context ?? {}) };
  const add = (key: string, value: ContextValue): void => {
    if (value !== undefined && lookupContext(context, key) === undefined) context[key] = value;
  };
  const p = request.principal;
  if (p?.type === 'AWS') {
    add('aws:PrincipalArn', p.arn);
    add('aws:PrincipalAccount', principalAccount(p));
  } else if (p?.type === 'Service') {
    add('aws:PrincipalServiceName', p.id);
    add('aws:PrincipalIsAWSService', true);
  }
  return context;
}

function matchStatement(source: ParsedSource, st: Statement, request: AccessRequest, context: Record<string, ContextValue>): StatementMatch {
  const base = { label: source.label, kind: source.kind, statement: st };
  const actionOk = st.action
    ? st.action.some((a) => wildcardMatch(a, request.action, true))
    : !st.notAction!.some((a) => wildcardMatch(a, request.action, true));
  let principal: PrincipalMatch = 'direct';
  if (source.kind === 'resource') {
    const p = request.principal;
    if (!p) principal = 'none';
    else if (st.principal) principal = matchPrincipal(st.principal, p);
    else if (st.notPrincipal) principal = matchPrincipal(st.notPrincipal, p) === 'none' ? 'direct' : 'none';
  }
  if (!actionOk) return { ...base, applies: false, principal, failure: { rank: 0, detail: `it does not cover ${request.action}` } };
  if (principal === 'none') {
    const detail = st.principal
      ? `it names principal ${showPrincipalSet(st.principal)}, not ${describePrincipal(request.principal)}`
      : `its NotPrincipal excludes ${describePrincipal(request.principal)}`;
    // A statement for another kind of principal (an account vs a service) is no useful hint.
    const sameKind = !st.principal || !request.principal || (request.principal.type === 'Service' ? st.principal.service.length > 0 : st.principal.aws.length > 0);
    return { ...base, applies: false, principal, failure: { rank: sameKind ? 1 : 0, detail } };
  }
  const resourceOk = st.resource
    ? st.resource.some((r) => wildcardMatch(r, request.resource))
    : st.notResource
      ? !st.notResource.some((r) => wildcardMatch(r, request.resource))
      : true;
  if (!resourceOk) {
    const detail = st.resource ? `it covers only ${st.resource.join(', ')}, not ${request.resource}` : `its NotResource excludes ${request.resource}`;
    return { ...base, applies: false, principal, failure: { rank: 2, detail } };
  }
  const condition = evaluateConditions(st.conditions, context);
  if (condition) return { ...base, applies: false, principal, failure: { rank: 3, detail: describeConditionFailure(condition) } };
  return { ...base, applies: true, principal };
}

function collect(sources: ParsedSource[], request: AccessRequest): StatementMatch[] {
  const context = withPrincipalKeys(request);
  return sources.flatMap((s) => s.doc.statements.map((st) => matchStatement(s, st, request, context)));
}

const deciding = (m: StatementMatch): DecidingStatement => ({
  policy: m.label,
  ...(m.statement.sid !== undefined ? { sid: m.statement.sid } : {}),
  index: m.statement.index,
});

export function describeStatement(m: { label: string; statement: Statement }): string {
  const id = m.statement.sid !== undefined && m.statement.sid !== '' ? `statement "${m.statement.sid}" (#${m.statement.index})` : `statement #${m.statement.index}`;
  return `${id} of the ${m.label}`;
}

function joinLabels(labels: string[]): string {
  const the = labels.map((l) => `the ${l}`);
  if (the.length <= 1) return the.join('');
  return `${the.slice(0, -1).join(', ')} or ${the[the.length - 1]}`;
}

function what(request: AccessRequest): string {
  return `${describePrincipal(request.principal)} ${request.action} on ${request.resource}`;
}

/** "the X has no statement allowing P A on R" (+ the statement that came closest, and why it does not apply). */
function noStatement(labels: string[], matches: StatementMatch[], request: AccessRequest): string {
  const head =
    labels.length === 0
      ? `no policy allows ${what(request)} (none was given to evaluate)`
      : labels.length === 1
        ? `the ${labels[0]} has no statement allowing ${what(request)}`
        : `no statement in ${joinLabels(labels)} allows ${what(request)}`;
  const near = nearMiss(matches);
  return near ? `${head}; ${near}` : head;
}

function nearMiss(matches: StatementMatch[]): string | undefined {
  let best: StatementMatch | undefined;
  for (const m of matches) {
    if (m.statement.effect !== 'Allow' || !m.failure || m.failure.rank === 0) continue;
    if (!best || m.failure.rank > best.failure!.rank) best = m;
  }
  return best ? `${describeStatement(best)} comes closest, but ${best.failure!.detail}` : undefined;
}

function explicitDeny(denies: StatementMatch[], request: AccessRequest): EvaluationResult {
  return {
    decision: 'ExplicitDeny',
    deciding: denies.map(deciding),
    explanation: `${describeStatement(denies[0]!)} explicitly denies ${what(request)}; an explicit deny overrides every allow, so remove or narrow that statement`,
  };
}

function allow(statements: StatementMatch[], request: AccessRequest): EvaluationResult {
  return {
    decision: 'Allow',
    deciding: statements.map(deciding),
    explanation: `${statements.map(describeStatement).join(' and ')} ${statements.length > 1 ? 'allow' : 'allows'} ${what(request)}`,
  };
}

function resourceAccountOf(request: AccessRequest, explicit: string | undefined): string | undefined {
  return explicit ?? (parseArn(request.resource)?.account || undefined);
}

function isSameAccount(principal: RequestPrincipal | undefined, resourceAccount: string | undefined): boolean {
  if (!principal || principal.type === 'Service' || resourceAccount === undefined) return true;
  const account = principalAccount(principal);
  return account === undefined || account === resourceAccount;
}

export interface EvaluateOptions {
  /** The account owning the resource (default: the account in the resource ARN). */
  resourceAccountId?: string;
}

/**
 * Evaluates one request against identity-based and resource-based policies as IAM does: an applicable
 * explicit Deny anywhere wins; within one account an Allow from either kind suffices (a resource policy that
 * names only the principal's account delegates to IAM and grants nothing by itself); across accounts both
 * kinds must allow. Throws `PolicyParseError` when a document is malformed.
 */
export function evaluate(request: AccessRequest, policies: PolicySource[], options: EvaluateOptions = {}): EvaluationResult {
  const sources = policies.map(parseSource);
  const matches = collect(sources, request);
  const applying = matches.filter((m) => m.applies);
  const denies = applying.filter((m) => m.statement.effect === 'Deny');
  if (denies.length > 0) return explicitDeny(denies, request);

  const allows = applying.filter((m) => m.statement.effect === 'Allow');
  const identity = allows.filter((m) => m.kind === 'identity');
  const resourceDirect = allows.filter((m) => m.kind === 'resource' && m.principal === 'direct');
  const resourceAccount = allows.filter((m) => m.kind === 'resource' && m.principal === 'account');
  const resourceAccountId = resourceAccountOf(request, options.resourceAccountId);
  const labels = sources.map((s) => s.label);

  if (isSameAccount(request.principal, resourceAccountId)) {
    if (identity.length > 0 || resourceDirect.length > 0) return allow([...resourceDirect, ...identity], request);
    if (resourceAccount.length > 0) {
      const identityLabels = sources.filter((s) => s.kind === 'identity').map((s) => s.label);
      return {
        decision: 'ImplicitDeny',
        deciding: [],
        explanation:
          `${describeStatement(resourceAccount[0]!)} grants ${request.action} only to the account, which leaves it to IAM, and ` +
          noStatement(identityLabels, matches.filter((m) => m.kind === 'identity'), request),
      };
    }
    return { decision: 'ImplicitDeny', deciding: [], explanation: noStatement(labels, matches, request) };
  }

  // Cross-account: the identity's own policies and the resource's policy must both allow.
  const resourceAllows = [...resourceDirect, ...resourceAccount];
  if (identity.length > 0 && resourceAllows.length > 0) return allow([...resourceAllows, ...identity], request);
  const missing = identity.length === 0 ? sources.filter((s) => s.kind === 'identity') : sources.filter((s) => s.kind === 'resource');
  const missingMatches = matches.filter((m) => m.kind === (identity.length === 0 ? 'identity' : 'resource'));
  return {
    decision: 'ImplicitDeny',
    deciding: [],
    explanation: `${describePrincipal(request.principal)} is in another account than ${request.resource}, so both its IAM policies and the resource's policy must allow it, but ${noStatement(missing.map((s) => s.label), missingMatches, request)}`,
  };
}

export interface KeyAccessInput {
  request: AccessRequest;
  /** The key policy (kind `resource`), labelled e.g. "key policy of key K". */
  keyPolicy: PolicySource;
  /** The principal's IAM policies; they count only where the key policy delegates to its account. */
  identityPolicies?: PolicySource[];
  /** The key's account (default: from the key ARN in `request.resource`). */
  keyAccountId?: string;
}

/**
 * KMS authorization: the key policy is the root of authority. A key-policy statement naming the principal
 * (or `*`) allows it directly; one naming only the principal's account (`arn:aws:iam::ACCOUNT:root` or the
 * account id) delegates to the account's IAM policies, which then must allow too. IAM policies without such
 * a delegation grant nothing. An explicit Deny in any of them wins.
 */
export function evaluateKeyAccess(input: KeyAccessInput): EvaluationResult {
  const { request } = input;
  const keySource = parseSource({ ...input.keyPolicy, kind: 'resource' });
  const identitySources = (input.identityPolicies ?? []).map((p) => parseSource({ ...p, kind: 'identity' }));
  const keyMatches = collect([keySource], request);
  const identityMatches = request.principal?.type === 'Service' ? [] : collect(identitySources, request);
  const all = [...keyMatches, ...identityMatches];
  const denies = all.filter((m) => m.applies && m.statement.effect === 'Deny');
  if (denies.length > 0) return explicitDeny(denies, request);

  const keyAllows = keyMatches.filter((m) => m.applies && m.statement.effect === 'Allow');
  const direct = keyAllows.filter((m) => m.principal === 'direct');
  const delegated = keyAllows.filter((m) => m.principal === 'account');
  const identity = identityMatches.filter((m) => m.applies && m.statement.effect === 'Allow');
  const keyAccount = resourceAccountOf(request, input.keyAccountId);
  const same = isSameAccount(request.principal, keyAccount);

  if (direct.length > 0 && same) return allow(direct, request);
  if ((direct.length > 0 || delegated.length > 0) && identity.length > 0) return allow([...direct, ...delegated, ...identity], request);

  const keyLabel = keySource.label;
  const p = request.principal;
  const account = p ? principalAccount(p) : undefined;
  const identityLabels = identitySources.map((s) => s.label);
  if (direct.length > 0 || delegated.length > 0) {
    const granted = direct.length > 0 ? direct[0]! : delegated[0]!;
    const how = direct.length > 0 ? `allows ${describePrincipal(p)} from another account` : `delegates ${request.action} to account ${account}`;
    return {
      decision: 'ImplicitDeny',
      deciding: [],
      explanation: `${describeStatement(granted)} ${how}, so an IAM policy must allow it as well, but ${noStatement(identityLabels, identityMatches, request)}`,
    };
  }
  if (identity.length > 0 && p?.type === 'AWS') {
    const partition = parseArn(p.arn)?.partition || 'aws';
    return {
      decision: 'ImplicitDeny',
      deciding: [],
      explanation:
        `${describeStatement(identity[0]!)} allows ${request.action}, but IAM policies count for a KMS key only when its key policy delegates to the account, ` +
        `and the ${keyLabel} neither delegates to account ${account} (a statement allowing arn:${partition}:iam::${account}:root ${request.action}) ` +
        `nor allows ${p.arn} ${request.action} itself: add one of these statements to the key policy`,
    };
  }
  return { decision: 'ImplicitDeny', deciding: [], explanation: noStatement([keyLabel], keyMatches, request) };
}
