import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ACCOUNT, openApiChecker, REGION, snsNew, snsPolicy, startApiEnv, type ApiEnv, type OpenApiChecker } from './support';

/**
 * The bad-input corpus: every case is a 4xx problem+json that names the offending field(s), and no execution
 * is started. Where the rule is a schema rule, the OpenAPI document rejects the same body (it tells the truth).
 */

let env: ApiEnv;
let doc: OpenApiChecker;

beforeAll(async () => {
  env = await startApiEnv();
  doc = openApiChecker(env.doc);
});

afterAll(async () => {
  await env.stop();
});

afterEach(() => {
  env.resetSfn();
});

const PHONE = 'phone-0123456789abcdef0123456789abcdef';
const base = () => ({ phoneNumberId: PHONE, destination: snsPolicy() });
const withDestination = (destination: unknown) => ({ phoneNumberId: PHONE, destination });
const withTicket = (ticket: unknown) => ({ ...base(), ticket });
const topicArn = (name: string) => ({ type: 'sns', topic: { arn: `arn:aws:sns:${REGION}:${ACCOUNT}:${name}` }, access: { type: 'topicPolicy' } });
const newTopic = (name: string, kmsKeyId?: string) => ({ type: 'sns', topic: { create: { name, ...(kmsKeyId ? { kmsKeyId } : {}) } }, access: { type: 'topicPolicy' } });
const roleArn = (arn: string) => ({ type: 'sns', topic: { create: { name: 'ok' } }, access: { type: 'role', role: { arn } } });
const roleName = (name: string) => ({ type: 'sns', topic: { create: { name: 'ok' } }, access: { type: 'role', role: { create: { name } } } });

interface Case {
  name: string;
  body: unknown;
  fields: string[];
}

/** JSON bodies the schemas reject (400), each naming these fields. */
const SCHEMA_CASES: Case[] = [
  // not an object
  { name: 'an array', body: [], fields: ['body'] },
  { name: 'a string', body: 'provision please', fields: ['body'] },
  { name: 'null', body: null, fields: ['body'] },
  { name: 'a number', body: 42, fields: ['body'] },
  // unknown fields
  { name: 'an unknown top-level field', body: { ...base(), admin: true }, fields: ['admin'] },
  { name: 'requestedBy from the client (it is the authenticated caller)', body: { ...base(), requestedBy: 'someone-else' }, fields: ['requestedBy'] },
  { name: 'provisioningId from the client', body: { ...base(), provisioningId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }, fields: ['provisioningId'] },
  { name: 'an unknown nested field', body: withDestination({ type: 'sns', topic: { create: { name: 'ok', policy: '*' } }, access: { type: 'topicPolicy' } }), fields: ['destination.topic.create.policy'] },
  { name: '__proto__ (prototype pollution)', body: JSON.parse(`{"__proto__":{"admin":true},"phoneNumberId":"${PHONE}","destination":${JSON.stringify(snsPolicy())}}`), fields: ['__proto__'] },
  // wrong types
  { name: 'a numeric phoneNumberId', body: { ...base(), phoneNumberId: 12065550100 }, fields: ['phoneNumberId'] },
  { name: 'a string destination', body: withDestination('sns'), fields: ['destination'] },
  { name: 'an array ticket', body: withTicket([]), fields: ['ticket'] },
  { name: 'an unknown destination type', body: withDestination({ type: 'lambda', arn: 'x' }), fields: ['destination.type'] },
  { name: 'a numeric role ARN', body: withDestination({ ...roleArn('x'), access: { type: 'role', role: { arn: 5 } } }), fields: ['destination.access.role.arn'] },
  // missing / exclusive fields
  { name: 'no destination', body: { phoneNumberId: PHONE }, fields: ['destination'] },
  { name: 'neither phoneNumberId nor poolId', body: { destination: snsPolicy() }, fields: ['phoneNumberId'] },
  { name: 'both phoneNumberId and poolId', body: { ...base(), poolId: 'pool-0123456789abcdef' }, fields: ['phoneNumberId'] },
  // invalid ids and ARNs
  { name: 'a phone number id with path traversal', body: { ...base(), phoneNumberId: 'phone-../../etc/passwd' }, fields: ['phoneNumberId'] },
  { name: 'a phone number id of another kind', body: { ...base(), phoneNumberId: 'number-123' }, fields: ['phoneNumberId'] },
  { name: 'an E.164 number starting with 0', body: { ...base(), phoneNumberId: '+0123456789' }, fields: ['phoneNumberId'] },
  { name: 'a pool id with a slash', body: { poolId: 'pool-abc/def', destination: snsPolicy() }, fields: ['poolId'] },
  { name: 'a phone number ARN of another service', body: { ...base(), phoneNumberId: `arn:aws:sns:${REGION}:${ACCOUNT}:phone-number/${PHONE}` }, fields: ['phoneNumberId'] },
  { name: 'a topic ARN with a short account', body: withDestination({ ...topicArn('x'), topic: { arn: `arn:aws:sns:${REGION}:123:x` } }), fields: ['destination.topic.arn'] },
  { name: 'a topic ARN with policy-injection characters', body: withDestination(topicArn('inbound"},{"Effect":"Allow","Principal":"*')), fields: ['destination.topic.arn'] },
  { name: 'a topic ARN with a wildcard', body: withDestination(topicArn('*')), fields: ['destination.topic.arn'] },
  { name: 'a topic ARN with path traversal', body: withDestination(topicArn('../../other')), fields: ['destination.topic.arn'] },
  { name: 'a role ARN with path traversal', body: withDestination(roleArn(`arn:aws:iam::${ACCOUNT}:role/../admin`)), fields: ['destination.access.role.arn'] },
  { name: 'a role ARN with a wildcard', body: withDestination(roleArn(`arn:aws:iam::${ACCOUNT}:role/*`)), fields: ['destination.access.role.arn'] },
  { name: 'a role ARN with quotes and braces', body: withDestination(roleArn(`arn:aws:iam::${ACCOUNT}:role/x"}{`)), fields: ['destination.access.role.arn'] },
  { name: 'a user ARN as role', body: withDestination(roleArn(`arn:aws:iam::${ACCOUNT}:user/admin`)), fields: ['destination.access.role.arn'] },
  { name: 'a Connect instance id that is not a UUID', body: withDestination({ type: 'connect', instanceId: '../instance', role: { create: {} } }), fields: ['destination.instanceId'] },
  { name: 'a KMS key id with policy-injection characters', body: withDestination(newTopic('ok', 'alias/x"*{}')), fields: ['destination.topic.create.kmsKeyId'] },
  { name: 'a KMS key ARN with path traversal', body: withDestination(newTopic('ok', `arn:aws:kms:${REGION}:${ACCOUNT}:key/../../x`)), fields: ['destination.topic.create.kmsKeyId'] },
  // names
  { name: 'a topic name with path traversal', body: withDestination(newTopic('../../etc')), fields: ['destination.topic.create.name'] },
  { name: 'a topic name with policy-injection characters', body: withDestination(newTopic('a"*{}')), fields: ['destination.topic.create.name'] },
  { name: 'a role name with a slash', body: withDestination(roleName('../escalate')), fields: ['destination.access.role.create.name'] },
  { name: 'a role name with a wildcard', body: withDestination(roleName('role*')), fields: ['destination.access.role.create.name'] },
  { name: 'a role name with a newline', body: withDestination(roleName('role\nname')), fields: ['destination.access.role.create.name'] },
  { name: 'a ticket system with path traversal', body: withTicket({ system: '../jira', key: 'OPS-1' }), fields: ['ticket.system'] },
  { name: 'a ticket key with control characters', body: withTicket({ system: 'jira', key: 'OPS-1\r\nX-Injected: 1' }), fields: ['ticket.key'] },
  { name: 'a javascript: ticket URL', body: withTicket({ system: 'jira', key: 'OPS-1', url: 'javascript:alert(1)' }), fields: ['ticket.url'] },
  { name: 'a file: ticket URL', body: withTicket({ system: 'jira', key: 'OPS-1', url: 'file:///etc/passwd' }), fields: ['ticket.url'] },
  { name: 'an unknown ticket field', body: withTicket({ system: 'jira', key: 'OPS-1', callback: 'http://169.254.169.254/' }), fields: ['ticket.callback'] },
  // huge strings
  { name: 'a huge topic name', body: withDestination(newTopic('a'.repeat(10_000))), fields: ['destination.topic.create.name'] },
  { name: 'a huge role name', body: withDestination(roleName('r'.repeat(5_000))), fields: ['destination.access.role.create.name'] },
  { name: 'a huge ticket key', body: withTicket({ system: 'jira', key: 'k'.repeat(20_000) }), fields: ['ticket.key'] },
  { name: 'a huge phone number id', body: { ...base(), phoneNumberId: `phone-${'a'.repeat(30_000)}` }, fields: ['phoneNumberId'] },
  // several problems at once
  {
    name: 'three problems at once',
    body: { phoneNumberId: PHONE, destination: newTopic('bad name'), ticket: { system: 'jira', key: 'k', url: 'ftp://x' }, extra: 1 },
    fields: ['destination.topic.create.name', 'ticket.url', 'extra'],
  },
];

describe('POST /v1/provisionings rejects bad bodies', () => {
  it.each(SCHEMA_CASES)('$name → 400 naming $fields', async ({ body, fields }) => {
    const res = await env.call('POST', '/v1/provisionings', { raw: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.type).toBe('urn:two-way-sms:problem:validation');
    // A field that breaks two rules is named twice, once per message.
    expect([...new Set(res.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual([...fields].sort());
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
    expect(doc.requestErrors('POST', '/v1/provisionings', body)).not.toEqual([]);
  });

  it.each([
    ['truncated JSON', '{"phoneNumberId":'],
    ['single quotes', "{'phoneNumberId':'phone-1'}"],
    ['a trailing comma', `{"phoneNumberId":"${PHONE}",}`],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ['an empty body', ''],
  ])('%s → 400 naming body', async (_name, raw) => {
    const res = await env.call('POST', '/v1/provisionings', { raw, headers: { 'content-type': 'application/json' } });

    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.errors).toEqual([{ field: 'body', message: expect.any(String) }]);
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it('a body over 64 KB → 413 naming body', async () => {
    const res = await env.call('POST', '/v1/provisionings', { raw: JSON.stringify(withTicket({ system: 'jira', key: 'x'.repeat(70_000) })), headers: { 'content-type': 'application/json' } });

    expect(res.status).toBe(413);
    expect(res.body.errors).toEqual([{ field: 'body', message: expect.any(String) }]);
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it('a wrong content type → 415 naming Content-Type', async () => {
    const res = await env.call('POST', '/v1/provisionings', { raw: JSON.stringify(base()), headers: { 'content-type': 'text/xml' } });

    expect(res.status).toBe(415);
    expect(res.body.errors).toEqual([{ field: 'Content-Type', message: expect.any(String) }]);
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it.each([
    ['too long', 'k'.repeat(129)],
    ['with a space', 'my key'],
    ['with a control character', 'key\u0007'],
  ])('an Idempotency-Key %s → 400 naming Idempotency-Key', async (_name, key) => {
    // fetch refuses control characters in headers; send them through the handler directly.
    const res = await env.api({
      httpMethod: 'POST',
      path: '/v1/provisionings',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': key },
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      body: JSON.stringify({ phoneNumberId: env.numbers.longCode, destination: snsNew() }),
      isBase64Encoded: false,
      requestContext: { identity: { userArn: 'local:token' } },
    } as any);

    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });
});

describe('path and query parameters', () => {
  it.each([
    ['path traversal', '..%2F..%2Fetc%2Fpasswd'],
    ['quotes and braces', encodeURIComponent('phone-"*{}')],
    ['a huge id', `phone-${'a'.repeat(5000)}`],
    ['an ARN of another service', encodeURIComponent(`arn:aws:iam::${ACCOUNT}:role/x`)],
  ])('DELETE /v1/phone-numbers/{phoneNumberId}/two-way with %s → 400 naming phoneNumberId', async (_name, segment) => {
    const res = await env.call('DELETE', `/v1/phone-numbers/${segment}/two-way`);

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'phoneNumberId', message: expect.any(String) }]);
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it('DELETE with an unknown body field → 400 naming it', async () => {
    const res = await env.call('DELETE', `/v1/phone-numbers/${env.numbers.longCode}/two-way`, { body: { force: true } });

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'force', message: 'unknown field' }]);
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it.each([
    ['..%2Fsecret', 'id'],
    ['short', 'id'],
    [encodeURIComponent('01ARZ3NDEK"*{}'), 'id'],
  ])('GET /v1/provisionings/%s → 400 naming %s', async (segment, field) => {
    const res = await env.call('GET', `/v1/provisionings/${segment}`);

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field, message: expect.any(String) }]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=1.5', 'limit'],
    ['status=DONE', 'status'],
    ['phoneNumberId=phone-..%2F..%2Fx', 'phoneNumberId'],
    ['nextToken=%00', 'nextToken'],
    ['nextToken=not-a-token', 'nextToken'],
    ['sort=asc', 'sort'],
    ['limit=1&limit=2', 'limit'],
  ])('GET /v1/provisionings?%s → 400 naming %s', async (query, field) => {
    const res = await env.call('GET', `/v1/provisionings?${query}`);

    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  });

  it('GET .../history?limit=0 → 400 naming limit; an unknown parameter on a route with none → 400 naming it', async () => {
    const limit = await env.call('GET', '/v1/provisionings/01ARZ3NDEKTSV4RRFFQ69G5FAV/history?limit=0');
    const extra = await env.call('GET', '/v1/provisionings/01ARZ3NDEKTSV4RRFFQ69G5FAV?expand=all');

    expect(limit.body.errors).toEqual([{ field: 'limit', message: expect.any(String) }]);
    expect(extra.body.errors).toEqual([{ field: 'expand', message: 'unknown field' }]);
  });
});
