import { createHash, createHmac } from 'node:crypto';
import { authFor, runCli } from '../../../api/cli/main';
import { UsageError } from '../../../api/cli/errors';
import { isLoopback, regionFromUrl, signRequest } from '../../../api/cli/sigv4';

/**
 * SigV4 for a deployed API, with no network: the signer's Authorization header is checked against a
 * signature computed here independently (the SigV4 algorithm written out with node:crypto), and the CLI is run
 * in process with a fetch stand-in that records what would have been sent.
 */

const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const API = 'https://abc123defg.execute-api.eu-west-1.amazonaws.com/prod';
const DATE = new Date('2025-01-02T03:04:05Z');

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();

/** SigV4 by the book (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), for the headers the signer chose to sign. */
function expectedSignature(method: string, url: URL, headers: Record<string, string>, body: string, signedHeaders: string[]): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const path = url.pathname
    .split('/')
    .map((seg) => enc(seg))
    .join('/');
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .sort()
    .join('&');
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonical = [method, path, query, ...signedHeaders.map((h) => `${h}:${lower[h]}`), '', signedHeaders.join(';'), sha256(body)].join('\n');
  const scope = `20250102/eu-west-1/execute-api/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', '20250102T030405Z', scope, sha256(canonical)].join('\n');
  const kDate = hmac(`AWS4${CREDS.secretAccessKey}`, '20250102');
  const key = hmac(hmac(hmac(kDate, 'eu-west-1'), 'execute-api'), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20250102\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

describe('signRequest', () => {
  it('signs a GET for execute-api in the URL region, with a signature that checks out', async () => {
    const url = new URL(`${API}/v1/provisionings?status=RUNNING&limit=5`);

    const headers = await signRequest({ method: 'GET', url, headers: { accept: 'application/json' } }, { region: 'eu-west-1', credentials: CREDS }, DATE);

    const m = AUTH.exec(headers.authorization!);
    expect(m).not.toBeNull();
    const signed = m![1]!.split(';');
    expect(signed).toEqual(expect.arrayContaining(['host', 'x-amz-date']));
    expect(headers['x-amz-date']).toBe('20250102T030405Z');
    expect(headers.host).toBe(url.host);
    expect(m![2]).toBe(expectedSignature('GET', url, headers, '', signed));
  });

  it('signs the body of a POST and the encoded path of a DELETE', async () => {
    const body = JSON.stringify({ phoneNumberId: '+12065550100' });
    const post = new URL(`${API}/v1/provisionings`);
    const del = new URL(`${API}/v1/phone-numbers/${encodeURIComponent('+12065550100')}/two-way`);

    const h1 = await signRequest({ method: 'POST', url: post, headers: { 'content-type': 'application/json' }, body }, { region: 'eu-west-1', credentials: CREDS }, DATE);
    const h2 = await signRequest({ method: 'DELETE', url: del, headers: {} }, { region: 'eu-west-1', credentials: CREDS }, DATE);

    const m1 = AUTH.exec(h1.authorization!)!;
    expect(m1[2]).toBe(expectedSignature('POST', post, h1, body, m1[1]!.split(';')));
    const m2 = AUTH.exec(h2.authorization!)!;
    expect(m2[2]).toBe(expectedSignature('DELETE', del, h2, '', m2[1]!.split(';')));
  });

  it('sends the session token of temporary credentials', async () => {
    const headers = await signRequest({ method: 'GET', url: new URL(`${API}/v1/provisionings`), headers: {} }, { region: 'eu-west-1', credentials: { ...CREDS, sessionToken: 'SESSION' } }, DATE);

    expect(headers['x-amz-security-token']).toBe('SESSION');
    expect(AUTH.exec(headers.authorization!)![1]).toContain('x-amz-security-token');
  });
});

describe('choosing how to authenticate', () => {
  it('reads the region from an API Gateway host name (regional and VPC endpoint)', () => {
    expect(regionFromUrl(new URL(API))).toBe('eu-west-1');
    expect(regionFromUrl(new URL('https://abc-vpce-0123.execute-api.ap-southeast-2.vpce.amazonaws.com/'))).toBe('ap-southeast-2');
    expect(regionFromUrl(new URL('https://api.example.com/'))).toBeUndefined();
    expect(isLoopback(new URL('http://127.0.0.1:3000'))).toBe(true);
    expect(isLoopback(new URL('http://localhost:3000'))).toBe(true);
  });

  it('uses the token when there is one, nothing for a local API without one, SigV4 otherwise', () => {
    expect(authFor(new URL(API), 'tok', {})).toEqual({ kind: 'bearer', token: 'tok' });
    expect(authFor(new URL('http://127.0.0.1:3000'), undefined, {})).toEqual({ kind: 'none' });
    expect(authFor(new URL(API), undefined, {})).toMatchObject({ kind: 'sigv4', config: { region: 'eu-west-1' } });
    expect(authFor(new URL('https://api.example.com'), undefined, { AWS_REGION: 'us-west-2' })).toMatchObject({ kind: 'sigv4', config: { region: 'us-west-2' } });
  });

  it('refuses to guess the region of a custom domain', () => {
    expect(() => authFor(new URL('https://api.example.com'), undefined, {})).toThrow(UsageError);
  });
});

describe('the CLI against a deployed API URL', () => {
  const saved = { ...process.env };

  beforeAll(() => {
    // The SDK's default chain reads the process environment; these are the first link (fromEnv).
    process.env.AWS_ACCESS_KEY_ID = CREDS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDS.secretAccessKey;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  });

  afterAll(() => {
    process.env = saved;
  });

  it('signs every request with the caller credentials for execute-api, keeping the stage in the path', async () => {
    const sent: { url: string; headers: Record<string, string> }[] = [];
    const out: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s), isTTY: false },
      stderr: { write: (s: string) => out.push(s) },
      env: {},
      fetch: async (url: URL, init: RequestInit) => {
        sent.push({ url: url.href, headers: init.headers as Record<string, string> });
        return new Response(JSON.stringify({ items: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
      },
    };

    const code = await runCli(['--api-url', API, 'list', '--status', 'RUNNING'], io);

    expect(code).toBe(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe(`${API}/v1/provisionings?status=RUNNING`);
    expect(sent[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=\S*host\S*, Signature=[0-9a-f]{64}$/);
    expect(sent[0]!.headers).not.toHaveProperty('host');
    expect(out.join('')).toContain('no provisionings');
  });
});
