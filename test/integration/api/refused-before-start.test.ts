import { UNSAFE_TEXT_WHAT } from '../../../tasks/lib/request';
import { randomUUID } from 'node:crypto';
import { CreateKeyCommand, KMSClient, TagResourceCommand as KmsTagResourceCommand } from '@aws-sdk/client-kms';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, TagResourceCommand as SnsTagResourceCommand } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { encodeToken } from '../../../api/http';
import { DEMO } from '../../../local/sandbox/seed';
import { keys, TABLE } from '../../../tasks/lib/store/table';
import { ACCOUNT, destinations, E2E_TOKEN, http, REGION, startTestRuntime, topicArn, type HttpResult, type TestRuntime } from '../../support/runtime';

/**
 * Section 4 of issue 8 against the whole local service (`npm start`'s runtime: the real API behind its HTTP
 * adapter, the local Step Functions running the workflow, the sandbox): every bad input is a 4xx
 * `application/problem+json` naming the field, and nothing starts. "Nothing starts" is checked where it would
 * show: no new execution in the local Step Functions (ListExecutions of both state machines), no new
 * provisioning in the list, and no mutating AWS call in the sandbox's call log.
 */

let t: TestRuntime;
let demo: Awaited<ReturnType<TestRuntime['edge']['demo']>>;
let sfn: SFNClient;

beforeAll(async () => {
  t = await startTestRuntime();
  demo = await t.edge.demo();
  sfn = new SFNClient(t.edge.sdkConfig());
});

afterAll(async () => {
  await t.stop();
});

async function executionCount(): Promise<number> {
  let n = 0;
  for (const arn of Object.values(t.rt.stateMachines)) n += (await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1000 }))).executions?.length ?? 0;
  return n;
}

async function listedIds(): Promise<string[]> {
  const res = await t.api.call('GET', '/v1/provisionings?limit=100');
  expect(res.status).toBe(200);
  return res.body.items.map((i: { id: string }) => i.id);
}

async function lastCallSeq(): Promise<number> {
  const calls = await t.edge.calls();
  return calls.length ? calls[calls.length - 1]!.seq : 0;
}

/** Runs `act` and asserts that it started nothing: no execution, no provisioning record, no AWS change. */
async function startsNothing<T>(act: () => Promise<T>): Promise<T> {
  const [executions, listed, seq] = await Promise.all([executionCount(), listedIds(), lastCallSeq()]);
  const out = await act();
  expect(await executionCount()).toBe(executions);
  expect(await listedIds()).toEqual(listed);
  const mutating = (await t.edge.calls()).filter((c) => c.seq > seq && c.mutating);
  expect(mutating.map((c) => `${c.service}:${c.operation}`)).toEqual([]);
  return out;
}

function expectProblem(res: HttpResult, status: number, fields: string[]): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body.status).toBe(status);
  expect([...new Set((res.body.errors ?? []).map((e: { field: string }) => e.field))].sort()).toEqual([...fields].sort());
}

/** Waits for the end; on anything but SUCCEEDED the failure shows the error and the failed steps. */
async function expectSucceeded(id: string): Promise<void> {
  const end = await t.api.waitForEnd(id);
  expect({ status: end.status, error: end.error, failed: end.steps.filter((s: { status: string }) => s.status !== 'succeeded') }).toEqual({ status: 'SUCCEEDED', error: undefined, failed: [] });
}

const post = (body: unknown) => t.api.call('POST', '/v1/provisionings', body);
const postRaw = (raw: string) => http(`${t.api.url}/v1/provisionings`, 'POST', { token: E2E_TOKEN, body: raw, headers: { 'content-type': 'application/json' } });
const policyPath = () => ({ type: 'sns', topic: { arn: topicArn(DEMO.topics.standard) }, access: { type: 'topicPolicy' } });

// ---- prototype-ish keys ---------------------------------------------------------------------------------------

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', '__lookupGetter__', 'propertyIsEnumerable', 'toLocaleString', 'prototype'];
const protoKey = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.constantFrom(...PROTOTYPE_KEYS).map((k) => `${k}[]`), fc.string({ minLength: 1, maxLength: 12 }).filter((s) => /^[A-Za-z_$]+$/.test(s)));

describe('query keys named like Object.prototype members', () => {
  const routes = (id: string) => [
    ['GET', '/healthz'],
    ['GET', '/openapi.json'],
    ['GET', '/v1/provisionings'],
    ['GET', `/v1/provisionings/${id}`],
    ['GET', `/v1/provisionings/${id}/audit`],
    ['GET', `/v1/provisionings/${id}/history`],
    ['POST', `/v1/provisionings/${id}/redrive`],
    ['POST', '/v1/provisionings'],
    ['DELETE', `/v1/phone-numbers/${demo.numbers.tenDlc}/two-way`],
  ] as const;

  it.each(PROTOTYPE_KEYS)('?%s=1 is ignored on /healthz (200) and refused by name on /v1/provisionings (400)', async (key) => {
    const health = await http(`${t.api.url}/healthz?${key}=1&${key}=2`, 'GET');
    const list = await t.api.call('GET', `/v1/provisionings?${key}=1`);

    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    expectProblem(list, 400, [key]);
    expect(list.body.errors[0].message).toBe('unknown field');
  });

  it('never answer 500 on any route, whatever prototype-ish keys the query, headers and body carry, and start nothing', async () => {
    const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    await startsNothing(async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...routes(id)), fc.uniqueArray(protoKey, { minLength: 1, maxLength: 3 }), fc.constantFrom(...PROTOTYPE_KEYS), async ([method, path], queryKeys, bodyKey) => {
          const qs = queryKeys.map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(k)}`).join('&');
          const body = method === 'GET' ? undefined : `{"${bodyKey}":{"polluted":true},"phoneNumberId":"${demo.numbers.longCode}","destination":{"type":"sns","${bodyKey}":1}}`;
          const res = await fetch(`${t.api.url}${path}?${qs}`, {
            method,
            headers: { authorization: `Bearer ${E2E_TOKEN}`, [bodyKey.replace(/[^A-Za-z_]/g, '') || 'x']: 'v', ...(body ? { 'content-type': 'application/json' } : {}) },
            ...(body ? { body } : {}),
          });
          const text = await res.text();
          expect(res.status).toBeLessThan(500);
          expect({ status: res.status, problem: res.status < 400 || res.headers.get('content-type') === 'application/problem+json' }).toEqual({ status: res.status, problem: true });
          // Nothing leaked onto the prototype of the API's objects.
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          return text.length > 0;
        }),
        { numRuns: 60 },
      );
    });
  });

  it.each([
    ['arrays', `${'['.repeat(30_000)}${']'.repeat(30_000)}`, 'body'],
    ['objects', `{"ticket":${'{"a":'.repeat(10_000)}"\u202e"${'}'.repeat(10_000)}}`, `ticket${'.a'.repeat(10_000)}`],
  ])('a body of %s nested thousands of levels deep is a 400, not a stack overflow', async (_name, raw, field) => {
    const res = await startsNothing(() => postRaw(raw));

    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  });

  it('a body with __proto__ or constructor keys is refused naming them', async () => {
    const raw = `{"constructor":{"prototype":{"admin":true}},"__proto__":{"admin":true},"phoneNumberId":"${demo.numbers.longCode}","destination":${JSON.stringify(policyPath())}}`;

    const res = await startsNothing(() => postRaw(raw));

    expectProblem(res, 400, ['__proto__', 'constructor']);
  });
});

// ---- forged and tampered page tokens -------------------------------------------------------------------------

describe('nextToken', () => {
  let realToken: string;

  beforeAll(async () => {
    // Two provisionings, so that a one-item page has a real next token to tamper with.
    for (const name of ['tok-a', 'tok-b']) {
      const { id } = await t.api.provision({ phoneNumberId: (await t.edge.newNumber()).id, destination: destinations.snsNewTopicNewRole(name) });
      await t.api.waitForEnd(id);
    }
    const page = await t.api.call('GET', '/v1/provisionings?limit=1');
    if (typeof page.body.nextToken !== 'string') throw new Error(`a one-item page of two has no nextToken: ${JSON.stringify(page.body)}`);
    realToken = page.body.nextToken;
  });

  it('a real token gives the next page', async () => {
    const first = await t.api.call('GET', '/v1/provisionings?limit=1');
    const next = await t.api.call('GET', `/v1/provisionings?limit=1&nextToken=${realToken}`);

    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0].id).not.toBe(first.body.items[0].id);
  });

  it.each([
    ['the old key-carrying form with an empty index key (was a 500)', encodeToken({ v: 1, t: null, s: null, k: { pk: 'PROV#x', sk: 'META', gsi2pk: 'PROVISIONINGS', gsi2sk: '' } })],
    ['a position with an empty id', encodeToken({ v: 2, t: null, s: null, p: '2025-01-01T00:00:00.000Z#' })],
    ['a position that is not a time', encodeToken({ v: 2, t: null, s: null, p: 'yesterday#01ARZ3NDEKTSV4RRFFQ69G5FAV' })],
    ['a position with a key-injection attempt', encodeToken({ v: 2, t: null, s: null, p: '2025-01-01T00:00:00.000Z#x", "pk": "IDEMP#' })],
    ['another filter\'s token', encodeToken({ v: 2, t: null, s: 'SUCCEEDED', p: '2025-01-01T00:00:00.000Z#01ARZ3NDEKTSV4RRFFQ69G5FAV' })],
    ['an extra member', encodeToken({ v: 2, t: null, s: null, p: '2025-01-01T00:00:00.000Z#01ARZ3NDEKTSV4RRFFQ69G5FAV', k: { pk: 'LOCK#x' } })],
    ['JSON that is not an object', encodeToken([1, 2, 3])],
  ])('%s → 400 naming nextToken', async (_name, token) => {
    const res = await startsNothing(() => t.api.call('GET', `/v1/provisionings?nextToken=${token}`));

    expectProblem(res, 400, ['nextToken']);
  });

  it('any tampering with a real token, or any random token, is a 200 page or a 400 naming nextToken, never a 5xx', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const tampered = fc.tuple(fc.nat({ max: realToken.length - 1 }), fc.constantFrom(...alphabet)).map(([i, c]) => realToken.slice(0, i) + c + realToken.slice(i + 1));
    const forgedJson = fc.jsonValue().map((v) => encodeToken(v));
    const forgedShape = fc.record({ v: fc.constantFrom(1, 2, '2'), t: fc.constantFrom(null, 'x'), s: fc.constantFrom(null, 'RUNNING'), p: fc.string({ maxLength: 80 }) }).map((v) => encodeToken(v));
    const randomText = fc.string({ minLength: 1, maxLength: 200 }).map((s) => encodeURIComponent(s));
    await startsNothing(async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(tampered, forgedJson, forgedShape, randomText), async (token) => {
          const res = await t.api.call('GET', `/v1/provisionings?limit=1&nextToken=${token}`);
          if (res.status === 200) return;
          expect(res.status).toBe(400);
          expect(res.headers.get('content-type')).toBe('application/problem+json');
          expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['nextToken']);
        }),
        { numRuns: 150 },
      );
    });
  });

  it('a forged history token is a 400 naming nextToken', async () => {
    const id = (await t.api.call('GET', '/v1/provisionings?limit=1')).body.items[0].id;

    const res = await startsNothing(() => t.api.call('GET', `/v1/provisionings/${id}/history?nextToken=${encodeToken({ forged: true })}`));

    expectProblem(res, 400, ['nextToken']);
  });
});

// ---- duplicate keys -------------------------------------------------------------------------------------------

describe('duplicate JSON keys (JSON.parse would keep the last one)', () => {
  it.each([
    ['at the top level', (n: string) => `{"phoneNumberId":"${n}","phoneNumberId":"${demo.numbers.tenDlc}","destination":${JSON.stringify(policyPath())}}`, 'phoneNumberId'],
    ['in the destination', (n: string) => `{"phoneNumberId":"${n}","destination":{"type":"sns","type":"connect","topic":{"arn":"${topicArn(DEMO.topics.standard)}"},"access":{"type":"topicPolicy"}}}`, 'destination.type'],
    ['two levels down', (n: string) => `{"phoneNumberId":"${n}","destination":{"type":"sns","topic":{"arn":"${topicArn(DEMO.topics.standard)}","arn":"${topicArn('other')}"},"access":{"type":"topicPolicy"}}}`, 'destination.topic.arn'],
    ['in the ticket', (n: string) => `{"phoneNumberId":"${n}","destination":${JSON.stringify(policyPath())},"ticket":{"system":"jira","key":"OPS-1","key":"OPS-2"}}`, 'ticket.key'],
    ['spelled with an escape', (n: string) => `{"phoneNumberId":"${n}","destination":${JSON.stringify(policyPath())},"ticket":{"system":"jira","key":"OPS-1","\\u006bey":"OPS-2"}}`, 'ticket.key'],
  ])('%s → 400 naming the repeated key', async (_name, raw, field) => {
    const res = await startsNothing(() => postRaw(raw(demo.numbers.longCode)));

    expectProblem(res, 400, [field]);
    expect(res.body.errors[0].message).toContain('appears more than once');
  });

  it('in a DELETE body too', async () => {
    const res = await startsNothing(() =>
      http(`${t.api.url}/v1/phone-numbers/${demo.numbers.longCode}/two-way`, 'DELETE', { token: E2E_TOKEN, body: '{"ticket":{"system":"a","system":"b","key":"K-1"}}' }),
    );

    expectProblem(res, 400, ['ticket.system']);
  });

  it('the same key in two different objects is not a duplicate', async () => {
    const raw = `{"phoneNumberId":"${(await t.edge.newNumber()).id}","destination":{"type":"sns","topic":{"create":{"name":"dup-ok"}},"access":{"type":"role","role":{"create":{"name":"dup-ok"}}}}}`;

    const res = await postRaw(raw);

    expect(res.status).toBe(202);
    await t.api.waitForEnd(res.body.id);
  });
});

// ---- C1 controls and bidirectional overrides -----------------------------------------------------------------

const C1 = Array.from({ length: 0x20 }, (_, i) => String.fromCodePoint(0x80 + i));
const BIDI = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069].map((c) => String.fromCodePoint(c));
// Invisible bidirectional marks, the byte-order mark, and lone UTF-16 surrogates (not Unicode: stored, they make a
// list unreadable to strict JSON parsers).
const MARKS = [0x061c, 0x200e, 0x200f, 0xfeff].map((c) => String.fromCodePoint(c));
const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff'];
const unsafeChar = fc.constantFrom(...C1, ...BIDI, ...MARKS, ...LONE_SURROGATES);
const insertAt = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i);

describe('C1 control characters and bidirectional overrides in any string', () => {
  it('in ticket.key, at any position, of any of them → 400 naming ticket.key, and the character is not echoed', async () => {
    await startsNothing(async () => {
      await fc.assert(
        fc.asyncProperty(unsafeChar, fc.nat({ max: 6 }), async (c, i) => {
          const res = await post({ phoneNumberId: demo.numbers.longCode, destination: policyPath(), ticket: { system: 'jira', key: insertAt('OPS-42', i, c) } });

          expectProblem(res, 400, ['ticket.key']);
          expect(JSON.stringify(res.body).includes(c)).toBe(false);
          const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
          expect(res.body.errors).toEqual([{ field: 'ticket.key', message: `contains ${code} at position ${i}: ${UNSAFE_TEXT_WHAT} are not accepted` }]);
        }),
        { numRuns: 40 },
      );
    });
  });

  it.each([
    ['ticket.url', (c: string) => ({ phoneNumberId: demo.numbers.longCode, destination: policyPath(), ticket: { system: 'jira', key: 'OPS-1', url: `https://jira.example.com/browse/OPS-1${c}` } })],
    ['ticket.system', (c: string) => ({ phoneNumberId: demo.numbers.longCode, destination: policyPath(), ticket: { system: `jira${c}`, key: 'OPS-1' } })],
    ['destination.topic.create.name', (c: string) => ({ phoneNumberId: demo.numbers.longCode, destination: { type: 'sns', topic: { create: { name: `in${c}bound` } }, access: { type: 'topicPolicy' } } })],
    ['phoneNumberId', (c: string) => ({ phoneNumberId: `${demo.numbers.longCode}${c}`, destination: policyPath() })],
  ])('in %s → 400 naming it', async (field, body) => {
    for (const c of ['\u0085', '\u009b', '\u202e', '\u2066', '\u200f', '\ufeff', '\ud800']) {
      const res = await startsNothing(() => post(body(c)));

      expectProblem(res, 400, [field]);
    }
  });

  it('in a key name → 400 naming the key with the character spelled out', async () => {
    const res = await startsNothing(() => post({ phoneNumberId: demo.numbers.longCode, destination: policyPath(), ['x\u202eyz']: 1 }));

    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('x\\u{202e}yz');
    expect(JSON.stringify(res.body).includes('\u202e')).toBe(false);
  });

  it('in the DELETE ticket → 400 naming ticket.key', async () => {
    const res = await startsNothing(() => t.api.call('DELETE', `/v1/phone-numbers/${demo.numbers.longCode}/two-way`, { ticket: { system: 'jira', key: 'OPS\u202e-1' } }));

    expectProblem(res, 400, ['ticket.key']);
  });
});

// ---- ARNs elsewhere, resources that do not exist -------------------------------------------------------------

describe('refused synchronously instead of 202 then ROLLED_BACK', () => {
  const other = '210987654321';
  const sns = (topic: unknown, access: unknown = { type: 'topicPolicy' }) => ({ type: 'sns', topic, access });

  it.each([
    ['a topic of another account', () => sns({ arn: `arn:aws:sns:${REGION}:${other}:two-way-demo-inbound` }), 'destination.topic.arn', 'account 210987654321'],
    ['a topic of another region', () => sns({ arn: `arn:aws:sns:eu-west-1:${ACCOUNT}:two-way-demo-inbound` }), 'destination.topic.arn', 'region eu-west-1'],
    ['a topic of another partition', () => sns({ arn: `arn:aws-cn:sns:${REGION}:${ACCOUNT}:two-way-demo-inbound` }), 'destination.topic.arn', 'partition aws-cn'],
    ['a role of another account', () => sns({ create: { name: 'x-acct' } }, { type: 'role', role: { arn: `arn:aws:iam::${other}:role/TwoWaySmsDemoRole` } }), 'destination.access.role.arn', 'account 210987654321'],
    ['a role of another partition', () => sns({ create: { name: 'x-part' } }, { type: 'role', role: { arn: `arn:aws-us-gov:iam::${ACCOUNT}:role/TwoWaySmsDemoRole` } }), 'destination.access.role.arn', 'partition aws-us-gov'],
    ['a key of another region', () => sns({ create: { name: 'x-key', kmsKeyId: `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/two-way-demo` } }), 'destination.topic.create.kmsKeyId', 'region eu-west-1'],
    ['a key of another account', () => sns({ create: { name: 'x-key', kmsKeyId: `arn:aws:kms:${REGION}:${other}:key/${randomUUID()}` } }), 'destination.topic.create.kmsKeyId', 'account 210987654321'],
    ['a Connect instance ARN of another account', () => ({ type: 'connect', instanceId: `arn:aws:connect:${REGION}:${other}:instance/${demo.connectInstanceId}`, role: { create: {} } }), 'destination.instanceId', 'account 210987654321'],
    ['a Connect role of another account', () => ({ type: 'connect', instanceId: demo.connectInstanceId, role: { arn: `arn:aws:iam::${other}:role/x` } }), 'destination.role.arn', 'account 210987654321'],
  ])('%s → 400 naming the field', async (_name, destination, field, says) => {
    const res = await startsNothing(() => post({ phoneNumberId: demo.numbers.longCode, destination: destination() }));

    expectProblem(res, 400, [field]);
    expect(res.body.errors[0].message).toContain(says);
  });

  it('a phone number ARN of another account → 400 naming phoneNumberId', async () => {
    const res = await startsNothing(() => post({ phoneNumberId: `arn:aws:sms-voice:${REGION}:${other}:phone-number/${demo.numbers.longCode}`, destination: policyPath() }));

    expectProblem(res, 400, ['phoneNumberId']);
  });

  it.each([
    ['an unknown phone-… id', { phoneNumberId: 'phone-0123456789abcdef0123456789abcdef' }, 'phoneNumberId'],
    ['an unknown pool-… id', { poolId: 'pool-0123456789abcdef0123456789abcdef' }, 'poolId'],
    ['an unknown phone number ARN of this account', { phoneNumberId: `arn:aws:sms-voice:${REGION}:${ACCOUNT}:phone-number/phone-0123456789abcdef` }, 'phoneNumberId'],
  ])('%s → 404 naming %s', async (_name, target, field) => {
    const res = await startsNothing(() => post({ ...target, destination: policyPath() }));

    expectProblem(res, 404, [field]);
    expect(res.body.type).toBe('urn:two-way-sms:problem:phone-number-not-found');
  });

  it('an unknown phone-… id on DELETE → 404 naming phoneNumberId', async () => {
    const res = await startsNothing(() => t.api.call('DELETE', '/v1/phone-numbers/phone-0123456789abcdef0123456789abcdef/two-way'));

    expectProblem(res, 404, ['phoneNumberId']);
  });

  it('a Connect instance that does not exist here (another account\'s id, or none) → 404 naming destination.instanceId, and no role is created', async () => {
    const res = await startsNothing(() => post({ phoneNumberId: demo.numbers.longCode, destination: destinations.connectNewRole(randomUUID()) }));

    expectProblem(res, 404, ['destination.instanceId']);
    expect(res.body.type).toBe('urn:two-way-sms:problem:destination-not-found');
  });

  it('a contact flow the instance does not have → 404 naming destination.contactFlowId, before any import (whose release would cost churn quota)', async () => {
    const res = await startsNothing(() => post({ phoneNumberId: demo.numbers.longCode, destination: { ...destinations.connectNewRole(demo.connectInstanceId), contactFlowId: randomUUID() } }));

    expectProblem(res, 404, ['destination.contactFlowId']);
    expect(res.body.type).toBe('urn:two-way-sms:problem:destination-not-found');
  });

  it('a topic that does not exist → 404 naming destination.topic.arn', async () => {
    const res = await startsNothing(() => post({ phoneNumberId: demo.numbers.longCode, destination: sns({ arn: topicArn('no-such-topic') }) }));

    expectProblem(res, 404, ['destination.topic.arn']);
  });

  it('a KMS key that does not exist → 404 naming destination.topic.create.kmsKeyId', async () => {
    const res = await startsNothing(() => post({ phoneNumberId: demo.numbers.longCode, destination: sns({ create: { name: 'nokey', kmsKeyId: 'alias/no-such-key' } }) }));

    expectProblem(res, 404, ['destination.topic.create.kmsKeyId']);
  });
});

// ---- the opt-in ------------------------------------------------------------------------------------------------

describe('opt-in of topics and keys the service did not create (tag two-way-sms:allow=true)', () => {
  let snsClient: SNSClient;
  let kms: KMSClient;
  beforeAll(() => {
    snsClient = new SNSClient(t.edge.sdkConfig());
    kms = new KMSClient(t.edge.sdkConfig());
  });

  it('a topic that is not opted in, on the topicPolicy path → 403 saying how to opt it in; once tagged, 202', async () => {
    const arn = (await snsClient.send(new CreateTopicCommand({ Name: `not-opted-in-${Date.now()}` }))).TopicArn!;
    const body = { phoneNumberId: (await t.edge.newNumber()).id, destination: { type: 'sns', topic: { arn }, access: { type: 'topicPolicy' } } };

    const refused = await startsNothing(() => post(body));

    expectProblem(refused, 403, ['destination.topic.arn']);
    expect(refused.body.type).toBe('urn:two-way-sms:problem:not-opted-in');
    expect(refused.body.detail).toBe(
      `topic ${arn} was not created by this service and is not opted in (it has no two-way-sms:allow tag): the topicPolicy path would change its policy (sns:SetTopicAttributes, adding a statement that lets sms-voice.amazonaws.com publish). ` +
        `To allow it, tag the topic two-way-sms:allow=true: aws sns tag-resource --resource-arn ${arn} --tags Key=two-way-sms:allow,Value=true ; or use a two-way role (access.type "role"), which leaves the topic policy alone`,
    );

    await snsClient.send(new SnsTagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'two-way-sms:allow', Value: 'true' }] }));
    const accepted = await post(body);
    expect(accepted.status).toBe(202);
    await expectSucceeded(accepted.body.id);
  });

  it('the same topic through a role needs no opt-in (the topic policy is not changed)', async () => {
    const arn = (await snsClient.send(new CreateTopicCommand({ Name: `role-path-${Date.now()}` }))).TopicArn!;

    const res = await post({ phoneNumberId: (await t.edge.newNumber()).id, destination: { type: 'sns', topic: { arn }, access: { type: 'role', role: { create: {} } } } });

    expect(res.status).toBe(202);
    await expectSucceeded(res.body.id);
  });

  it('a key that is not opted in, whose policy the topicPolicy path would change → 403 saying how to opt it in; once tagged, 202', async () => {
    const keyArn = (await kms.send(new CreateKeyCommand({ Description: 'not opted in' }))).KeyMetadata!.Arn!;
    const body = { phoneNumberId: (await t.edge.newNumber()).id, destination: { type: 'sns', topic: { create: { name: `enc-${Date.now()}`, kmsKeyId: keyArn } }, access: { type: 'topicPolicy' } } };

    const refused = await startsNothing(() => post(body));

    expectProblem(refused, 403, ['destination.topic.create.kmsKeyId']);
    expect(refused.body.type).toBe('urn:two-way-sms:problem:not-opted-in');
    expect(refused.body.detail).toBe(
      `KMS key ${keyArn} is not opted in (it has no two-way-sms:allow tag): delivering to its encrypted topic needs a statement added to its key policy (kms:PutKeyPolicy). ` +
        `To allow it, tag the key two-way-sms:allow=true: aws kms tag-resource --key-id ${keyArn} --tags TagKey=two-way-sms:allow,TagValue=true ; or add the statement to the key policy yourself`,
    );

    await kms.send(new KmsTagResourceCommand({ KeyId: keyArn, Tags: [{ TagKey: 'two-way-sms:allow', TagValue: 'true' }] }));
    const accepted = await post(body);
    expect(accepted.status).toBe(202);
    await expectSucceeded(accepted.body.id);
  });

  it('an untagged key with the default policy, on the role path, needs no opt-in (the account delegation and the role policy suffice)', async () => {
    const keyArn = (await kms.send(new CreateKeyCommand({ Description: 'role path' }))).KeyMetadata!.Arn!;

    const res = await post({ phoneNumberId: (await t.edge.newNumber()).id, destination: { type: 'sns', topic: { create: { name: `enc-role-${Date.now()}`, kmsKeyId: keyArn } }, access: { type: 'role', role: { create: {} } } } });

    expect(res.status).toBe(202);
    await expectSucceeded(res.body.id);
  });

  it('the seeded demo topics and keys are opted in: the encrypted demo topic on the topicPolicy path is accepted', async () => {
    const res = await post({ phoneNumberId: (await t.edge.newNumber()).id, destination: destinations.snsEncryptedTopicPolicy() });

    expect(res.status).toBe(202);
    await expectSucceeded(res.body.id);
  });
});

// ---- auth scheme and list errors ------------------------------------------------------------------------------

describe('the bearer scheme is case-insensitive (RFC 9110)', () => {
  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])('%s <token> → 200', async (scheme) => {
    const res = await http(`${t.api.url}/v1/provisionings?limit=1`, 'GET', { headers: { authorization: `${scheme} ${E2E_TOKEN}` } });

    expect(res.status).toBe(200);
  });

  it('bearer with a wrong token is still 401', async () => {
    const res = await http(`${t.api.url}/v1/provisionings?limit=1`, 'GET', { headers: { authorization: 'bearer wrong-token' } });

    expect(res.status).toBe(401);
  });
});

describe('the list shows the error of an ended provisioning nobody has read', () => {
  it('a rolled-back provisioning recorded by the notifier appears in the list with its error', async () => {
    const number = await t.edge.newNumber();
    const res = await post({ phoneNumberId: number.id, destination: destinations.snsFifoTopicPolicy() });
    expect(res.status).toBe(202);
    const { id, executionArn } = res.body;
    // Wait for the end without reading the provisioning through the API: Step Functions, then the notifier's write.
    const deadline = Date.now() + 20_000;
    while ((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING') {
      if (Date.now() > deadline) throw new Error('the execution did not end');
      await new Promise((r) => setTimeout(r, 25));
    }
    let stored = await recordOf(id);
    while (stored?.status !== 'ROLLED_BACK') {
      if (Date.now() > deadline) throw new Error('the notifier did not record the end');
      await new Promise((r) => setTimeout(r, 25));
      stored = await recordOf(id);
    }
    // What made the list show no error before: the notifier records the status, not the error.
    expect(stored.error).toBeUndefined();

    const list = await t.api.call('GET', `/v1/provisionings?phoneNumberId=${number.id}&status=ROLLED_BACK`);

    const listed = list.body.items.find((i: { id: string }) => i.id === id);
    expect(listed.status).toBe('ROLLED_BACK');
    expect(listed.error).toEqual({ name: 'DestinationNotUsable', message: expect.stringContaining('FIFO') });
  });
});

/** The provisioning record as stored (read from DynamoDB directly: reading it through the API would refresh it). */
async function recordOf(id: string): Promise<Record<string, unknown> | undefined> {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: t.rt.dynamo.url, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const out = await doc.send(new GetCommand({ TableName: 'two-way-sms', Key: { [TABLE.partitionKey]: keys.provisioning(id), [TABLE.sortKey]: 'META' } }));
  return out.Item;
}
