import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiProblem, PROBLEM_CONTENT_TYPE, type Problem } from './problem';

/** Request and response plumbing for API Gateway proxy events: headers, body, JSON replies. */

export const MAX_BODY_BYTES = 64 * 1024;

/** Every response: JSON is never sniffed as anything else, and nothing is cached (statuses change). */
const COMMON_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function jsonResult(reply: Reply): APIGatewayProxyResult {
  return { statusCode: reply.status, headers: { 'Content-Type': 'application/json', ...COMMON_HEADERS, ...reply.headers }, body: JSON.stringify(reply.body) };
}

export function problemResult(p: ApiProblem | Problem, headers: Record<string, string> = {}): APIGatewayProxyResult {
  const problem = p instanceof ApiProblem ? p.toProblem() : p;
  const extra = p instanceof ApiProblem ? p.headers : {};
  return { statusCode: problem.status, headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...COMMON_HEADERS, ...extra, ...headers }, body: JSON.stringify(problem) };
}

/** All values of a header, case-insensitively, from both single- and multi-value maps. */
export function headerValues(event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>, name: string): string[] {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(event.multiValueHeaders ?? {})) if (k.toLowerCase() === lower && v?.length) return v;
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === lower && v !== undefined) return [v];
  return [];
}

/** The body's bytes (API Gateway base64-encodes binary bodies). */
export function bodyBytes(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === null || event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** `application/json`, optionally with `charset=utf-8`; anything else is a 415. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const [type, ...params] = value.split(';').map((s) => s.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => p === '' || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Opaque page tokens: base64url JSON, checked on the way back in. */
export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeToken(token: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
