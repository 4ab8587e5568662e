import type { IncomingMessage, ServerResponse } from 'node:http';
import { ControlError } from './core/errors';
import { simulateInbound } from './inbound';
import type { Sandbox } from './sandbox';

/**
 * The sandbox control API: `/_sandbox/...` on the edge port. Never part of any AWS API; its routes and
 * shapes are a contract other tools rely on (local/README.md), so they change only together with that document.
 */
export async function handleControl(sb: Sandbox, req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer | undefined): Promise<void> {
  try {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    refuseCrossSite(req, method);
    if (body === undefined) throw new ControlError(413, 'request body is too large');
    const json = (): unknown => parseJsonBody(req, body);

    if (method === 'GET' && path === '/_sandbox/health') return send(res, 200, { ok: true, accountId: sb.accountId, region: sb.region });

    if (method === 'POST' && path === '/_sandbox/inbound') {
      const result = await simulateInbound(sb, json());
      // An inbound message touches only these slices: the topic's messages, Connect events, the inbound log.
      sb.store.save(sb.state, ['sns', 'connect', 'inbound']);
      return send(res, 200, result);
    }

    const topicMessages = path.match(/^\/_sandbox\/topics\/([^/]+)\/messages$/);
    if (method === 'GET' && topicMessages) {
      const arn = safeDecode(topicMessages[1]!, 'topicArn');
      if (!sb.state.sns.topics[arn] && !sb.state.sns.messages[arn]) throw new ControlError(404, `topic ${arn} does not exist`, 'topicArn');
      return send(res, 200, { messages: sb.state.sns.messages[arn] ?? [] });
    }

    if (method === 'GET' && path === '/_sandbox/connect/events') return send(res, 200, { events: sb.state.connect.events });

    if (method === 'GET' && path === '/_sandbox/inbound') return send(res, 200, { inbound: sb.state.inbound });

    if (method === 'GET' && path === '/_sandbox/calls') {
      const since = url.searchParams.get('since');
      const sinceNum = since === null ? undefined : Number(since);
      if (sinceNum !== undefined && !Number.isInteger(sinceNum)) throw new ControlError(400, "'since' must be an integer sequence number", 'since');
      const calls = sb.calls.query({
        ...(url.searchParams.get('service') ? { service: url.searchParams.get('service')! } : {}),
        ...(url.searchParams.get('operation') ? { operation: url.searchParams.get('operation')! } : {}),
        ...(sinceNum !== undefined ? { since: sinceNum } : {}),
      });
      return send(res, 200, { calls });
    }

    if (path === '/_sandbox/faults') {
      if (method === 'POST') return send(res, 200, { id: sb.faults.add(json()) });
      if (method === 'DELETE') {
        sb.faults.clear();
        return send(res, 200, { cleared: true });
      }
      if (method === 'GET') return send(res, 200, { faults: sb.faults.list() });
    }

    if (path === '/_sandbox/quotas' && method === 'PUT') {
      sb.quotas.set(json());
      return send(res, 200, { ok: true });
    }

    if (path === '/_sandbox/settings') {
      if (method === 'GET') return send(res, 200, sb.state.settings);
      if (method === 'PUT') {
        const input = json();
        if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ControlError(400, 'body must be a JSON object');
        const next = { ...sb.state.settings };
        for (const [k, v] of Object.entries(input)) {
          if (k !== 'iamPropagationDelayMs' && k !== 'connectClaimDelayMs') throw new ControlError(400, `unknown setting '${k}'`, k);
          if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 3_600_000) throw new ControlError(400, `'${k}' must be an integer number of milliseconds between 0 and 3600000`, k);
          next[k] = v;
        }
        sb.state.settings = next;
        sb.store.save(sb.state, ['settings']);
        return send(res, 200, next);
      }
    }

    if (path === '/_sandbox/reset' && method === 'POST') {
      const input = body.length ? json() : {};
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ControlError(400, 'body must be a JSON object');
      const seed = (input as Record<string, unknown>).seed;
      if (seed !== undefined && typeof seed !== 'boolean') throw new ControlError(400, "'seed' must be a boolean", 'seed');
      for (const k of Object.keys(input)) if (k !== 'seed') throw new ControlError(400, `unknown field '${k}'`, k);
      sb.reset(seed ?? true);
      return send(res, 200, { reset: true, seeded: seed ?? true });
    }

    throw new ControlError(404, `no sandbox control route ${method} ${path}`);
  } catch (e) {
    if (e instanceof ControlError) return problem(res, e.status, e.message, e.field);
    return problem(res, 500, `internal sandbox error: ${(e as Error).message}`);
  }
}

/**
 * The control API changes and wipes state with no credentials, so a web page the user happens to visit must not
 * be able to call it. A page from another origin is refused outright (browsers always send `Origin` on
 * non-GET requests, DNS rebinding included); and every request that changes state must say
 * `Content-Type: application/json`, even with no body: a cross-site HTML form can only send
 * `application/x-www-form-urlencoded`, `multipart/form-data` or `text/plain`, and a script that sets JSON
 * needs a CORS preflight, which the sandbox never grants. SDKs, the CLI and curl send no `Origin`.
 */
function refuseCrossSite(req: IncomingMessage, method: string): void {
  const origin = req.headers.origin;
  if (origin !== undefined && !isLoopbackOrigin(origin)) {
    throw new ControlError(403, `requests from the web origin '${origin}' are refused: the control API answers only pages served from http://127.0.0.1, http://localhost or http://[::1], and clients that send no Origin`, 'Origin');
  }
  if (method === 'GET' || method === 'HEAD') return;
  const ct = req.headers['content-type'];
  if (ct === undefined || !/^application\/json\s*(;|$)/i.test(ct)) {
    throw new ControlError(415, `${method} requests to the control API must carry 'Content-Type: application/json' (also when they have no body), not ${ct === undefined ? 'none' : `'${ct}'`}`, 'Content-Type');
  }
}

/** `http://127.0.0.1:*`, `http://localhost:*` and `http://[::1]:*`, with or without a port. */
export function isLoopbackOrigin(origin: string): boolean {
  return /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i.test(origin);
}

function parseJsonBody(req: IncomingMessage, body: Buffer): unknown {
  const ct = req.headers['content-type'] ?? '';
  if (ct && !/^application\/(.+\+)?json\b/.test(ct)) throw new ControlError(415, `content type must be application/json, not '${ct}'`);
  try {
    return JSON.parse(body.length ? body.toString('utf8') : '{}');
  } catch (e) {
    throw new ControlError(400, `malformed JSON: ${(e as Error).message}`);
  }
}

function safeDecode(s: string, field: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ControlError(400, `'${field}' is not valid URL encoding`, field);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function problem(res: ServerResponse, status: number, detail: string, field?: string): void {
  const text = JSON.stringify({ type: 'about:blank', title: titleFor(status), status, detail, ...(field ? { field } : {}) });
  res.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function titleFor(status: number): string {
  return ({ 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error' } as Record<number, string>)[status] ?? 'Error';
}
