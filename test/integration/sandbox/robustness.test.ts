import fc from 'fast-check';
import { startSandbox, type RunningSandbox } from '../../support/sandbox';

/** Bad requests get the protocol's own error response: never a 500, never a crash, never a hang. */
describe('sandbox robustness', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb.stop();
  });

  const scope = (service: string): string =>
    `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;

  async function post(headers: Record<string, string>, body: string | Buffer): Promise<{ status: number; text: string; headers: Headers }> {
    const res = await fetch(sb.url, { method: 'POST', headers, body });
    return { status: res.status, text: await res.text(), headers: res.headers };
  }

  it('answers malformed JSON to an awsJson service with SerializationException', async () => {
    const res = await post({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'PinpointSMSVoiceV2.DescribePhoneNumbers', authorization: scope('sms-voice') }, '{not json');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).__type).toBe('com.amazonaws.pinpointsmsvoicev2#SerializationException');
  });

  it('answers a JSON array body with SerializationException', async () => {
    const res = await post({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.DescribeKey', authorization: scope('kms') }, '[1,2]');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).__type).toBe('SerializationException');
  });

  it('answers an unknown awsJson target with UnknownOperationException', async () => {
    const res = await post({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'PinpointSMSVoiceV2.DropAllTables', authorization: scope('sms-voice') }, '{}');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).__type).toMatch(/UnknownOperationException$/);
  });

  it('answers a wrong content type to an awsJson service with SerializationException', async () => {
    const res = await post({ 'content-type': 'text/html', 'x-amz-target': 'TrentService.ListAliases', authorization: scope('kms') }, '<html/>');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).__type).toBe('SerializationException');
  });

  it('answers an awsQuery request without Action with MissingAction in XML', async () => {
    const res = await post({ 'content-type': 'application/x-www-form-urlencoded', authorization: scope('sns') }, 'Version=2010-03-31');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Code>MissingAction</Code>');
    expect(res.text).toContain('<ErrorResponse');
  });

  it('answers an unknown REST path of Connect with a 404 and x-amzn-ErrorType', async () => {
    const res = await fetch(`${sb.url}/no-such-thing/here`, { headers: { authorization: scope('connect') } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });

  it('answers a service it does not serve with UnknownServiceException', async () => {
    const res = await post({ 'content-type': 'application/x-amz-json-1.0', authorization: scope('lambda') }, '{}');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).__type).toBe('UnknownServiceException');
  });

  it('answers a body over the size limit with 413', async () => {
    const res = await post(
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'PinpointSMSVoiceV2.DescribePhoneNumbers', authorization: scope('sms-voice') },
      Buffer.alloc(9 * 1024 * 1024, 0x20),
    );
    expect(res.status).toBe(413);
  });

  it('rejects control API JSON with the wrong content type as 415 problem+json', async () => {
    const res = await fetch(`${sb.url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('rejects malformed control API JSON as 400 problem+json', async () => {
    const res = await fetch(`${sb.url}/_sandbox/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"iamPropagationDelayMs":' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).detail).toMatch(/malformed JSON/);
  });

  it('rejects an unknown setting naming it', async () => {
    const res = await fetch(`${sb.url}/_sandbox/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"speed":3}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).field).toBe('speed');
  });

  it('keeps answering after random bodies sent to every service and operation', async () => {
    const targets = [
      { service: 'sms-voice', target: 'PinpointSMSVoiceV2.UpdatePhoneNumber', ct: 'application/x-amz-json-1.0' },
      { service: 'sms-voice', target: 'PinpointSMSVoiceV2.DescribePhoneNumbers', ct: 'application/x-amz-json-1.0' },
      { service: 'kms', target: 'TrentService.PutKeyPolicy', ct: 'application/x-amz-json-1.1' },
      { service: 'kms', target: 'TrentService.CreateKey', ct: 'application/x-amz-json-1.1' },
      { service: 'sns', target: undefined, ct: 'application/x-www-form-urlencoded' },
      { service: 'iam', target: undefined, ct: 'application/x-www-form-urlencoded' },
      { service: 'sts', target: undefined, ct: 'application/x-www-form-urlencoded' },
    ];
    const queryBody = fc
      .tuple(fc.constantFrom('CreateTopic', 'SetTopicAttributes', 'Publish', 'CreateRole', 'PutRolePolicy', 'GetRole', 'GetCallerIdentity', 'X'), fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 50 }), { maxKeys: 6 }))
      .map(([action, rest]) => new URLSearchParams({ ...rest, Action: action }).toString());
    const jsonBody = fc.oneof(fc.json(), fc.string({ maxLength: 200 }), fc.jsonValue().map((v) => JSON.stringify({ PhoneNumberId: v, KeyId: v, Policy: v, TwoWayEnabled: v })));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), jsonBody, queryBody, async (t, jb, qb) => {
        const headers: Record<string, string> = { 'content-type': t.ct, authorization: scope(t.service) };
        if (t.target) headers['x-amz-target'] = t.target;
        const res = await post(headers, t.target ? jb : qb);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
    const health = await fetch(`${sb.url}/_sandbox/health`);
    expect(health.status).toBe(200);
  });
});
