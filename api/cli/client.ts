import { ApiError, UnreachableError, type ProblemBody } from './errors';
import { signRequest, type SigningConfig } from './sigv4';

/**
 * The CLI's HTTP client: one request function for the REST API (bearer token locally, SigV4 on AWS) and for
 * the sandbox control API. Every non-2xx answer becomes an `ApiError` carrying the problem+json; no answer at
 * all becomes an `UnreachableError` (exit code 3).
 */

export type Auth = { kind: 'none' } | { kind: 'bearer'; token: string } | { kind: 'sigv4'; config: SigningConfig };

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HttpResult<T> {
  status: number;
  headers: Headers;
  body: T;
}

export type FetchLike = (url: URL, init: RequestInit) => Promise<Response>;

const DEFAULT_TIMEOUT_MS = 30_000;

export class HttpClient {
  constructor(
    readonly baseUrl: URL,
    private readonly auth: Auth,
    private readonly what: 'api' | 'sandbox',
    private readonly fetchImpl: FetchLike = (url, init) => fetch(url, init),
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  /** `path` is appended to the base URL's path, so a deployed API's stage (`.../prod`) is kept. */
  urlOf(path: string, query: RequestOptions['query'] = {}): URL {
    const url = new URL(this.baseUrl.href.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResult<T>> {
    const url = this.urlOf(path, opts.query);
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    let headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...opts.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.auth.kind === 'bearer') headers.authorization = `Bearer ${this.auth.token}`;
    if (this.auth.kind === 'sigv4') {
      headers = await signRequest({ method, url, headers, ...(body !== undefined ? { body } : {}) }, this.auth.config);
      // fetch sets Host from the URL itself (the same value that was signed).
      delete headers.host;
    }

    let res: Response;
    try {
      res = await this.fetchImpl(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new UnreachableError(this.baseUrl.href.replace(/\/+$/, ''), reasonOf(e), this.what);
    }
    const text = await res.text();
    const parsed = parseJson(text, res.headers.get('content-type'));
    if (!res.ok) {
      const problem: ProblemBody = isRecord(parsed) ? (parsed as ProblemBody) : { title: `HTTP ${res.status} ${res.statusText}`.trim(), detail: text.slice(0, 500) };
      throw new ApiError(res.status, problem, url.href);
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }
}

function reasonOf(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'no answer within the timeout';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

function parseJson(text: string, contentType: string | null): unknown {
  if (!text) return undefined;
  if (!(contentType ?? '').includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
