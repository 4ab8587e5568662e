import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../../tasks/lib/json';
import type { CallContext } from '../../core/types';
import { connectError } from './errors';

/**
 * How long a ClientToken is remembered. AWS documents no figure for Connect; 24 hours is the window other AWS
 * APIs state for their tokens (an assumption). Long enough for any retry, short enough that a workflow reusing
 * a deterministic token after a rollback a day later does not get a stale answer forever.
 */
export const CLIENT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export interface TokenCheck<T> {
  /** The response first given for this token and request: return it as is. */
  replay?: T;
  /** Call after the operation succeeded, with its response, to remember the token. */
  remember(response: T): void;
}

/**
 * ClientToken idempotency as AWS describes it: the same token with the same request returns the first
 * response without doing anything again; the same token with a different request is an IdempotencyException.
 * `request` is the validated input without the token. Call `remember` only once the operation has succeeded,
 * so a failed call leaves no token behind (a retry may then succeed).
 */
export function checkClientToken<T>(ctx: CallContext, operation: string, token: string | undefined, request: unknown): TokenCheck<T> {
  if (token === undefined) return { remember: () => undefined };
  const tokens = ctx.state.connect.clientTokens;
  const key = `${ctx.region}/${operation}/${token}`;
  const requestHash = createHash('sha256').update(canonicalJson(request)).digest('hex');
  const prior = tokens[key];
  const live = prior !== undefined && ctx.now.getTime() - Date.parse(prior.at) < CLIENT_TOKEN_TTL_MS;
  if (live && prior.requestHash !== requestHash) {
    throw connectError('IdempotencyException', `The ClientToken '${token}' was already used with a different ${operation} request.`);
  }
  if (live) return { replay: prior.response as T, remember: () => undefined };
  return {
    remember(response: T) {
      for (const [k, rec] of Object.entries(tokens)) if (ctx.now.getTime() - Date.parse(rec.at) >= CLIENT_TOKEN_TTL_MS) delete tokens[k];
      tokens[key] = { requestHash, response, at: ctx.now.toISOString() };
    },
  };
}
