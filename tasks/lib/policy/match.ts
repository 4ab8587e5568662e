import type { PrincipalSet, RequestPrincipal } from './types';

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** Splits an ARN into its six parts (the resource part may hold colons); undefined when it is not an ARN. */
export function parseArn(arn: string): Arn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return { partition: parts[1]!, service: parts[2]!, region: parts[3]!, account: parts[4]!, resource: parts.slice(5).join(':') };
}

const patternCache = new Map<string, RegExp>();

/** `*` matches any run of characters (also `:` and `/`), `?` exactly one; everything else literally. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = patternCache.get(cacheKey);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    if (patternCache.size > 5000) patternCache.clear();
    patternCache.set(cacheKey, re);
  }
  return re.test(value);
}

/**
 * ArnEquals / ArnLike: each of the six colon-separated parts is matched on its own, each may hold wildcards,
 * case-sensitively. A value that is not an ARN matches only a pattern of `*`.
 */
export function arnMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const p = parseArn(pattern);
  const v = parseArn(value);
  if (!p || !v) return false;
  return (
    wildcardMatch(p.partition, v.partition) &&
    wildcardMatch(p.service, v.service) &&
    wildcardMatch(p.region, v.region) &&
    wildcardMatch(p.account, v.account) &&
    wildcardMatch(p.resource, v.resource)
  );
}

/** The account a request principal belongs to (service principals belong to none). */
export function principalAccount(principal: RequestPrincipal): string | undefined {
  if (principal.type !== 'AWS') return undefined;
  if (/^\d{12}$/.test(principal.arn)) return principal.arn;
  return parseArn(principal.arn)?.account || undefined;
}

export function describePrincipal(principal: RequestPrincipal | undefined): string {
  if (!principal) return 'the caller';
  return principal.type === 'Service' ? principal.id : principal.arn;
}

/** The role name of `arn:...:iam::A:role/path/Name` or `arn:...:sts::A:assumed-role/Name/session`. */
function roleOf(arn: string): { account: string; name: string } | undefined {
  const a = parseArn(arn);
  if (!a) return undefined;
  if (a.service === 'iam' && a.resource.startsWith('role/')) return { account: a.account, name: a.resource.split('/').pop()! };
  if (a.service === 'sts' && a.resource.startsWith('assumed-role/')) return { account: a.account, name: a.resource.split('/')[1]! };
  return undefined;
}

/**
 * How a `Principal` element matches a request principal:
 * - `direct`: names it (its ARN, its service, or everyone with `*`);
 * - `account`: names its account (`123456789012` or `arn:aws:iam::123456789012:root`), which in a resource
 *   policy delegates to the account's IAM policies rather than granting by itself;
 * - `none`.
 */
export type PrincipalMatch = 'direct' | 'account' | 'none';

export function matchPrincipal(set: PrincipalSet, principal: RequestPrincipal): PrincipalMatch {
  if (set.all) return 'direct';
  if (principal.type === 'Service') {
    return set.service.some((s) => s.toLowerCase() === principal.id.toLowerCase()) ? 'direct' : 'none';
  }
  const reqRole = roleOf(principal.arn);
  const account = principalAccount(principal);
  let result: PrincipalMatch = 'none';
  for (const value of set.aws) {
    if (value === principal.arn) return 'direct';
    const polRole = roleOf(value);
    if (polRole && reqRole && polRole.account === reqRole.account && polRole.name === reqRole.name) return 'direct';
    if (account !== undefined) {
      const a = parseArn(value);
      const isAccount = value === account || (a !== undefined && a.service === 'iam' && a.resource === 'root' && a.account === account);
      if (isAccount) result = 'account';
    }
  }
  return result;
}
