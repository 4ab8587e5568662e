import { CreateTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { startSandbox, type RunningSandbox } from '../../support/sandbox';

/**
 * The control API holds no credentials, so it must not be reachable from a web page the user visits: a
 * cross-site form POST to `/_sandbox/reset` would otherwise wipe every resource. Requests that change state
 * need `Content-Type: application/json` (which no HTML form can send), and a non-loopback `Origin` is refused.
 */
describe('sandbox control API: cross-site requests', () => {
  let sb: RunningSandbox;
  let sns: SNSClient;
  const probe = 'csrf-probe';

  beforeAll(async () => {
    sb = await startSandbox();
    sns = new SNSClient(sb.clientConfig);
  });
  afterAll(async () => {
    sns.destroy();
    await sb.stop();
  });
  beforeEach(async () => {
    await sns.send(new CreateTopicCommand({ Name: probe }));
  });

  async function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; type: string | null; body: any }> {
    const res = await fetch(`${sb.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), body: text ? JSON.parse(text) : undefined };
  }

  async function topicNames(): Promise<string[]> {
    const out = await sns.send(new ListTopicsCommand({}));
    return (out.Topics ?? []).map((t) => t.TopicArn!.split(':').at(-1)!);
  }

  async function callCount(): Promise<number> {
    return (await send('GET', '/_sandbox/calls', {})).body.calls.length;
  }

  it.each([
    ['application/x-www-form-urlencoded', ''],
    ['application/x-www-form-urlencoded', 'seed=false'],
    ['text/plain', '{"seed":false}'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="seed"\r\n\r\nfalse\r\n--x--\r\n'],
  ])('refuses a form-style POST /_sandbox/reset with %s (body %j) and keeps every resource', async (type, body) => {
    const callsBefore = await callCount();

    const res = await send('POST', '/_sandbox/reset', { 'content-type': type }, body);

    expect(res.status).toBe(415);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 415, field: 'Content-Type' });
    expect(res.body.detail).toContain('application/json');
    expect(await topicNames()).toContain(probe);
    expect(await callCount()).toBeGreaterThanOrEqual(callsBefore);
  });

  it('refuses a bodiless POST /_sandbox/reset without a content type', async () => {
    const res = await send('POST', '/_sandbox/reset', {});

    expect(res.status).toBe(415);
    expect(res.body.detail).toMatch(/Content-Type: application\/json.*not none/);
    expect(await topicNames()).toContain(probe);
  });

  it('refuses DELETE /_sandbox/faults and PUT /_sandbox/settings without JSON', async () => {
    const faults = await send('DELETE', '/_sandbox/faults', {});
    const settings = await send('PUT', '/_sandbox/settings', { 'content-type': 'text/plain' }, '{"iamPropagationDelayMs":5}');

    expect(faults.status).toBe(415);
    expect(settings.status).toBe(415);
    expect((await send('GET', '/_sandbox/settings', {})).body.iamPropagationDelayMs).toBe(0);
  });

  it.each(['https://evil.example', 'http://127.0.0.1.evil.example', 'http://localhost.evil.example:4566', 'null', 'http://192.168.1.5:3000'])(
    'refuses a JSON request from the origin %s and keeps every resource',
    async (origin) => {
      const res = await send('POST', '/_sandbox/reset', { 'content-type': 'application/json', origin }, '{"seed":false}');

      expect(res.status).toBe(403);
      expect(res.type).toBe('application/problem+json');
      expect(res.body).toMatchObject({ status: 403, title: 'Forbidden', field: 'Origin' });
      expect(res.body.detail).toContain(origin);
      expect(await topicNames()).toContain(probe);
    },
  );

  it('refuses reads from a foreign origin too', async () => {
    const res = await send('GET', '/_sandbox/calls', { origin: 'https://evil.example' });

    expect(res.status).toBe(403);
    expect(res.body.field).toBe('Origin');
  });

  it('refuses an unsigned awsQuery form POST from a foreign origin at the AWS endpoints', async () => {
    const arn = `arn:aws:sns:us-east-1:123456789012:${probe}`;
    const form = new URLSearchParams({ Action: 'DeleteTopic', Version: '2010-03-31', TopicArn: arn }).toString();

    const res = await send('POST', '/', { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, form);

    expect(res.status).toBe(403);
    expect(res.body.__type).toBe('AccessDeniedException');
    expect(await topicNames()).toContain(probe);
  });

  it.each(['http://127.0.0.1:3000', 'http://localhost:8080', 'http://[::1]:5173', 'http://localhost'])('accepts a JSON request from the loopback origin %s', async (origin) => {
    const res = await send('PUT', '/_sandbox/settings', { 'content-type': 'application/json', origin }, '{"connectClaimDelayMs":0}');

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connectClaimDelayMs: 0 });
  });

  it('accepts a bodiless JSON POST /_sandbox/reset with no Origin, and it drops the state', async () => {
    const res = await send('POST', '/_sandbox/reset', { 'content-type': 'application/json' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ reset: true, seeded: true });
    expect(await topicNames()).not.toContain(probe);
  });

  it('accepts a JSON POST /_sandbox/reset from a loopback origin', async () => {
    const res = await send('POST', '/_sandbox/reset', { 'content-type': 'application/json; charset=utf-8', origin: 'http://127.0.0.1:3000' }, '{"seed":true}');

    expect(res.status).toBe(200);
    expect(await topicNames()).not.toContain(probe);
  });
});
