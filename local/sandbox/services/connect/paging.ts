import type { AwsError } from '../../core/errors';

/**
 * Keyset pagination: items are ordered by a stable sort key, and NextToken carries the last key returned, so
 * that a page boundary survives items being added or removed between calls (an offset would skip or repeat).
 */
export function page<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  maxResults: number,
  nextToken: string | undefined,
  invalid: (message: string) => AwsError,
): { items: T[]; nextToken?: string } {
  const sorted = [...items].sort((a, b) => compare(keyOf(a), keyOf(b)));
  let after: string | undefined;
  if (nextToken !== undefined) {
    after = decodeToken(nextToken);
    if (after === undefined) throw invalid('NextToken is not valid: pass the NextToken of a previous response unchanged.');
  }
  const start = after === undefined ? sorted : sorted.filter((i) => compare(keyOf(i), after) > 0);
  const taken = start.slice(0, maxResults);
  const more = start.length > maxResults;
  const last = taken.at(-1);
  return more && last !== undefined ? { items: taken, nextToken: encodeToken(keyOf(last)) } : { items: taken };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const after = (parsed as { after?: unknown } | null)?.after;
    return typeof after === 'string' ? after : undefined;
  } catch {
    return undefined;
  }
}
