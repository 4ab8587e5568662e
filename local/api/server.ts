import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Api } from '../../api/app';
import { MAX_BODY_BYTES } from '../../api/http';
import { ApiProblem, PROBLEM_CONTENT_TYPE } from '../../api/problem';
import { ROUTES } from '../../api/routes';
import { loadTokens } from './token';

/**
 * The local HTTP adapter of the API: turns each HTTP request into the API Gateway proxy event the Lambda
 * receives on AWS and the result back into a response. It does what API Gateway does in front of the Lambda
 * and nothing more: authenticates the caller (a bearer token here, IAM there) and caps the body size before
 * buffering it.
 */
export interface ApiServerOptions {
  port: number;
  host?: string;
  dataDir: string;
  api: Api;
  /** TWO_WAY_SMS_API_TOKEN: when set, the only accepted token. */
  token?: string;
  maxBodyBytes?: number;
  /**
   * Requests the API does not serve (the web console at `/console`): called first; returns true when it
   * answered. `authenticate` gives the caller of a request that carries the bearer token.
   */
  extraRoutes?: ExtraRoutes;
}

export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse, helpers: { authenticate(req: IncomingMessage): string | undefined }) => boolean | Promise<boolean>;

export interface RunningApiServer {
  url: string;
  port: number;
  /** The token created at this (first) start; print it once. Undefined when a token existed or was configured. */
  generatedToken?: string;
  close(): Promise<void>;
}

const PUBLIC = new Set(ROUTES.filter((r) => r.public).map((r) => `${r.method} ${r.path}`));

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const tokens = loadTokens(opts.dataDir, opts.token);
  const maxBody = opts.maxBodyBytes ?? MAX_BODY_BYTES;

  const authenticate = (req: IncomingMessage): string | undefined => {
    const header = req.headers.authorization;
    // The scheme is case-insensitive (RFC 9110 §11.1): Bearer, bearer and BEARER are one scheme.
    const m = header ? /^bearer +([\x21-\x7e]{1,512})$/i.exec(header) : null;
    return m ? tokens.verify(m[1]!) : undefined;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, problem(new ApiProblem('internal', 'the local API adapter failed')));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (opts.extraRoutes && (await opts.extraRoutes(req, res, { authenticate }))) return;
    const rawUrl = req.url ?? '/';
    const [rawPath = '/', rawQuery] = splitOnce(rawUrl, '?');
    const method = (req.method ?? 'GET').toUpperCase();
    let caller: string | undefined;
    if (!PUBLIC.has(`${method} ${rawPath}`)) {
      caller = authenticate(req);
      if (!caller) {
        const detail = req.headers.authorization ? 'the bearer token is not valid' : 'send Authorization: Bearer <token> (printed at first start, or TWO_WAY_SMS_API_TOKEN)';
        return reject(req, res, problem(new ApiProblem('unauthenticated', detail, [{ field: 'Authorization', message: detail }], { 'WWW-Authenticate': 'Bearer realm="two-way-sms"' })));
      }
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) return reject(req, res, tooLarge(declared, maxBody));
    const body = await readCapped(req, maxBody);
    if (body === 'too-large') return reject(req, res, tooLarge(undefined, maxBody));
    const result = await opts.api(toEvent(req, method, rawPath, rawQuery, body, caller));
    send(res, result);
  }

  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    ...(tokens.generatedToken ? { generatedToken: tokens.generatedToken } : {}),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The body, or 'too-large' as soon as it passes the cap (the rest is never buffered). */
function readCapped(req: IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function tooLarge(declared: number | undefined, max: number): APIGatewayProxyResult {
  return problem(new ApiProblem('payloadTooLarge', `the request body${declared !== undefined ? ` is ${declared} bytes;` : ' is too large:'} at most ${max} are accepted`, [{ field: 'body', message: `at most ${max} bytes` }]));
}

/** Answers without reading the body, then discards whatever the client still sends and closes the connection. */
function reject(req: IncomingMessage, res: ServerResponse, result: APIGatewayProxyResult): void {
  res.setHeader('Connection', 'close');
  send(res, result);
  req.resume();
}

function problem(p: ApiProblem): APIGatewayProxyResult {
  return { statusCode: p.status, headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...p.headers }, body: JSON.stringify(p.toProblem()) };
}

function send(res: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) headers[k] = v.map(String);
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  res.writeHead(result.statusCode, { ...headers, 'Content-Length': String(body.length) });
  res.end(body);
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/**
 * Query values are percent-decoded only (`+` stays `+`, so E.164 numbers survive unencoded). The keys are the
 * client's, so the map has no prototype: `__proto__`, `constructor` or `toString` are keys like any other.
 */
function parseQuery(raw: string | undefined): Record<string, string[]> {
  const out = Object.create(null) as Record<string, string[]>;
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const [k, v = ''] = splitOnce(part, '=');
    const key = safeDecode(k);
    (out[key] ??= []).push(safeDecode(v));
  }
  return out;
}

function nullProto<T>(entries: [string, T][]): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The API Gateway (REST, proxy) event for a request; the token never goes further than this adapter. */
function toEvent(req: IncomingMessage, method: string, rawPath: string, rawQuery: string | undefined, body: Buffer, caller: string | undefined): APIGatewayProxyEvent {
  // Header names are the client's too (null prototype, as for the query).
  const headers = Object.create(null) as Record<string, string>;
  const multiValueHeaders = Object.create(null) as Record<string, string[]>;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    if (name.toLowerCase() === 'authorization') continue;
    (multiValueHeaders[name] ??= []).push(value);
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query = parseQuery(rawQuery);
  const hasQuery = Object.keys(query).length > 0;
  const requestId = randomUUID();
  return {
    httpMethod: method,
    path: rawPath,
    resource: '/{proxy+}',
    pathParameters: { proxy: rawPath.slice(1) },
    stageVariables: null,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? nullProto(Object.entries(query).map(([k, v]) => [k, v[v.length - 1]!])) : null,
    multiValueQueryStringParameters: hasQuery ? query : null,
    body: body.length ? body.toString('base64') : null,
    isBase64Encoded: body.length > 0,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: method,
      path: rawPath,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: '/{proxy+}',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: caller ?? null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        user: caller ?? null,
        userAgent: req.headers['user-agent'] ?? null,
        userArn: caller ?? null,
      },
    },
  };
}
