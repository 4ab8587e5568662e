import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createApi } from '../../../api/app';
import { startApiServer } from '../../../local/api/server';
import { TOKEN_FILE } from '../../../local/api/token';
import { snsPolicy, startApiEnv, type ApiEnv } from './support';

/** Authentication, routing and transport errors: 401, 404, 405, 413, 415, and the token lifecycle. */

let env: ApiEnv;

beforeAll(async () => {
  env = await startApiEnv();
});

afterAll(async () => {
  await env.stop();
});

afterEach(() => {
  env.settle();
  env.resetSfn();
});

describe('authentication (local bearer token)', () => {
  it.each([
    ['no Authorization header', null],
    ['a wrong token', 'not-the-token'],
  ])('answers 401 problem+json with WWW-Authenticate for %s, starting nothing', async (_name, token) => {
    const res = await env.call('POST', '/v1/provisionings', { token, body: { phoneNumberId: env.numbers.longCode, destination: snsPolicy() } });

    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="two-way-sms"');
    expect(res.body).toMatchObject({ type: 'urn:two-way-sms:problem:unauthenticated', status: 401, errors: [{ field: 'Authorization' }] });
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it('answers 401 for another scheme (Basic) and for unknown routes without a token (the route table is not revealed)', async () => {
    const basic = await env.call('GET', '/v1/provisionings', { token: null, headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    const unknown = await env.call('GET', '/v1/secrets', { token: null });

    expect(basic.status).toBe(401);
    expect(unknown.status).toBe(401);
  });

  it('serves /healthz and /openapi.json without a token', async () => {
    const health = await env.call('GET', '/healthz', { token: null });
    const doc = await env.call('GET', '/openapi.json', { token: null });

    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
  });

  it('answers 401 from the handler itself when API Gateway passes no identity', async () => {
    const res = await env.api({ httpMethod: 'GET', path: '/v1/provisionings', headers: {}, multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null, body: null, isBase64Encoded: false, requestContext: { identity: {} } } as any);

    expect(res.statusCode).toBe(401);
    expect(res.headers?.['Content-Type']).toBe('application/problem+json');
  });

  it('uses the IAM caller when API Gateway gives no user ARN', async () => {
    const res = await env.api({
      httpMethod: 'POST',
      path: '/v1/provisionings',
      headers: { 'content-type': 'application/json' },
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      body: JSON.stringify({ phoneNumberId: env.numbers.tenDlc, destination: snsPolicy() }),
      isBase64Encoded: false,
      requestContext: { identity: { caller: 'AROAEXAMPLE:session' } },
    } as any);

    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body).requestedBy).toBe('AROAEXAMPLE:session');
  });
});

describe('token lifecycle', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'api-token-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('generates a token at first start, stores only its SHA-256 (mode 0600), and accepts it after a restart', async () => {
    const first = await startApiServer({ port: 0, dataDir, api: env.api });
    const token = first.generatedToken!;
    await first.close();

    const second = await startApiServer({ port: 0, dataDir, api: env.api });
    const ok = await fetch(`${second.url}/v1/provisionings`, { headers: { authorization: `Bearer ${token}` } });
    const wrong = await fetch(`${second.url}/v1/provisionings`, { headers: { authorization: `Bearer ${token}x` } });
    await second.close();

    expect(token).toMatch(/^tws_[A-Za-z0-9_-]{43}$/);
    expect(second.generatedToken).toBeUndefined();
    const file = readFileSync(join(dataDir, TOKEN_FILE), 'utf8');
    expect(file).not.toContain(token);
    expect(JSON.parse(file).tokens[0]).toEqual({ name: 'token', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), createdAt: expect.any(String) });
    expect(statSync(join(dataDir, TOKEN_FILE)).mode & 0o777).toBe(0o600);
    expect(ok.status).toBe(200);
    expect(wrong.status).toBe(401);
  });

  it('accepts only TWO_WAY_SMS_API_TOKEN when it is configured, and writes no token file', async () => {
    const server = await startApiServer({ port: 0, dataDir, api: env.api, token: 'configured-token' });
    const ok = await fetch(`${server.url}/v1/provisionings`, { headers: { authorization: 'Bearer configured-token' } });
    const other = await fetch(`${server.url}/v1/provisionings`, { headers: { authorization: 'Bearer tws_other' } });
    await server.close();

    expect(server.generatedToken).toBeUndefined();
    expect(ok.status).toBe(200);
    expect(other.status).toBe(401);
    expect(() => statSync(join(dataDir, TOKEN_FILE))).toThrow();
  });

  it('refuses to start over a damaged token file instead of replacing it', async () => {
    await startApiServer({ port: 0, dataDir, api: env.api }).then((s) => s.close());
    writeFileSync(join(dataDir, TOKEN_FILE), '{"version":1,"tokens":[]}');

    await expect(startApiServer({ port: 0, dataDir, api: env.api })).rejects.toThrow(/not a valid token file/);
  });

  it('leaves other routes to the extraRoutes hook, with the authenticator', async () => {
    const server = await startApiServer({
      port: 0,
      dataDir,
      api: env.api,
      token: 'tok',
      extraRoutes: (req, res, { authenticate }) => {
        if (!req.url?.startsWith('/console')) return false;
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`console for ${authenticate(req) ?? 'nobody'}`);
        return true;
      },
    });
    const anonymous = await (await fetch(`${server.url}/console`)).text();
    const known = await (await fetch(`${server.url}/console`, { headers: { authorization: 'Bearer tok' } })).text();
    await server.close();

    expect(anonymous).toBe('console for nobody');
    expect(known).toBe('console for local:token');
  });
});

describe('unavailable dependencies', () => {
  it('answers 503 with Retry-After when DynamoDB throttles', async () => {
    const throttled = createApi({ ...env.deps, db: { send: () => Promise.reject(Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException' })) } });

    const res = await throttled({ httpMethod: 'GET', path: '/v1/provisionings/01ARZ3NDEKTSV4RRFFQ69G5FAV', headers: {}, multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null, body: null, isBase64Encoded: false, requestContext: { identity: { userArn: 'local:token' } } } as any);

    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(res.body).type).toBe('urn:two-way-sms:problem:unavailable');
  });

  it('answers 500 problem+json, without internals, for an unexpected error', async () => {
    const broken = createApi({ ...env.deps, db: { send: () => Promise.reject(new TypeError('secret internal detail')) } });

    const res = await broken({ httpMethod: 'GET', path: '/v1/provisionings/01ARZ3NDEKTSV4RRFFQ69G5FAV', headers: {}, multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null, body: null, isBase64Encoded: false, requestContext: { identity: { userArn: 'local:token' } } } as any);

    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret internal detail');
  });
});

describe('routing', () => {
  it('answers 404 problem+json for an unknown route', async () => {
    const res = await env.call('GET', '/v1/nothing-here');

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ type: 'urn:two-way-sms:problem:not-found', status: 404 });
  });

  it('does not resolve dot segments: /v1/provisionings/../healthz is not /healthz', async () => {
    const anonymous = await rawRequest('GET', '/v1/provisionings/../healthz', {});
    const authenticated = await rawRequest('GET', '/v1/provisionings/../healthz', { authorization: 'Bearer test-token-0123456789' });

    expect(anonymous.status).toBe(401);
    expect(authenticated.status).toBe(404);
  });

  it('answers 405 with Allow for a method the route does not have', async () => {
    const res = await env.call('PUT', '/v1/provisionings', { body: {} });
    const del = await env.call('DELETE', '/v1/provisionings/01ARZ3NDEKTSV4RRFFQ69G5FAV');

    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, GET');
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET');
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });
});

describe('body limits and content type', () => {
  const huge = (bytes: number) => JSON.stringify({ phoneNumberId: 'phone-1', destination: snsPolicy(), ticket: { system: 'jira', key: 'k'.repeat(bytes) } });

  it('answers 413 for a body over 64 KB, starting nothing', async () => {
    const res = await env.call('POST', '/v1/provisionings', { raw: huge(65 * 1024), headers: { 'content-type': 'application/json' } });

    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ type: 'urn:two-way-sms:problem:payload-too-large', errors: [{ field: 'body' }] });
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it('answers 413 for a chunked body (no Content-Length) once it passes 64 KB', async () => {
    const res = await rawRequest('POST', '/v1/provisionings', { 'content-type': 'application/json', authorization: 'Bearer test-token-0123456789', 'transfer-encoding': 'chunked' }, [Buffer.alloc(40 * 1024, 0x20), Buffer.alloc(40 * 1024, 0x20)]);

    expect(res.status).toBe(413);
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it('answers 413 from the handler too (behind API Gateway there is no adapter)', async () => {
    const res = await env.api({ httpMethod: 'POST', path: '/v1/provisionings', headers: { 'content-type': 'application/json' }, multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null, body: huge(70 * 1024), isBase64Encoded: false, requestContext: { identity: { userArn: 'arn:aws:iam::123456789012:user/a' } } } as any);

    expect(res.statusCode).toBe(413);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form encoding', 'application/x-www-form-urlencoded'],
    ['a non-UTF-8 charset', 'application/json; charset=latin1'],
  ])('answers 415 naming Content-Type for %s, starting nothing', async (_name, type) => {
    const res = await env.call('POST', '/v1/provisionings', { raw: JSON.stringify({ phoneNumberId: env.numbers.longCode, destination: snsPolicy() }), headers: { 'content-type': type } });

    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ type: 'urn:two-way-sms:problem:unsupported-media-type', errors: [{ field: 'Content-Type' }] });
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it('answers 415 for a body without a Content-Type', async () => {
    const res = await rawRequest('POST', '/v1/provisionings', { authorization: 'Bearer test-token-0123456789' }, [Buffer.from(JSON.stringify({ phoneNumberId: env.numbers.longCode, destination: snsPolicy() }))]);

    expect(res.status).toBe(415);
  });

  it('accepts application/json; charset=utf-8', async () => {
    const res = await env.call('POST', '/v1/provisionings', { raw: JSON.stringify({ phoneNumberId: env.numbers.longCode, destination: snsPolicy() }), headers: { 'content-type': 'application/json; charset=utf-8' } });

    expect(res.status).toBe(202);
  });
});

/** A request exactly as given (no URL normalization, optional chunked body). */
function rawRequest(method: string, path: string, headers: Record<string, string>, chunks: Buffer[] = []): Promise<{ status: number; body: string }> {
  const url = new URL(env.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}
