import Ajv2020 from 'ajv/dist/2020';
import { ROUTES } from '../../../api/routes';
import { DEMO } from '../../../local/sandbox/seed';
import { connectDest, historyOf, lambdaCause, openApiChecker, snsNew, snsPolicy, startApiEnv, ticket, type ApiEnv, type OpenApiChecker } from './support';

/**
 * /openapi.json tells the truth: it is well-formed, names every route, and every request this test sends and
 * every response it receives (success and problem, on every route) validates against it with ajv (JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1).
 */

let env: ApiEnv;
let served: any;
let checker: OpenApiChecker;

beforeAll(async () => {
  env = await startApiEnv();
  served = (await env.call('GET', '/openapi.json', { token: null })).body;
  checker = openApiChecker(served);
});

afterAll(async () => {
  await env.stop();
});

/** Sends a request after checking it against the document, and checks the response against it too. */
async function call(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {}) {
  if (opts.body !== undefined) expect(checker.requestErrors(method, path, opts.body)).toEqual([]);
  const query = Object.fromEntries(new URLSearchParams(path.split('?')[1] ?? ''));
  expect(checker.queryErrors(method, path, query)).toEqual([]);
  const res = await env.call(method, path, { ...opts, unchecked: true });
  checker.response(method, path, res);
  return res;
}

describe('the document', () => {
  it('is OpenAPI 3.1.0 and the one the code builds', () => {
    expect(served.openapi).toBe('3.1.0');
    expect(served).toEqual(JSON.parse(JSON.stringify(env.doc)));
  });

  it('has every route of the route table, each with a unique operationId', () => {
    const ops = Object.entries<any>(served.paths).flatMap(([path, item]) => Object.entries<any>(item).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`));

    expect(ops.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path} ${r.operationId}`).sort());
  });

  it('declares every path parameter as required, and every problem response as application/problem+json', () => {
    const violations: string[] = [];
    for (const [path, item] of Object.entries<any>(served.paths)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries<any>(item)) {
        const declared = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => `${p.name}:${p.required}`);
        if (declared.join() !== names.map((n) => `${n}:true`).join()) violations.push(`${method} ${path}: path parameters ${declared.join()}`);
        for (const [status, r] of Object.entries<any>(op.responses)) {
          const problem = status === 'default' || Number(status) >= 400;
          if (problem && Object.keys(r.content).join() !== 'application/problem+json') violations.push(`${method} ${path} ${status}: not problem+json`);
        }
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        if (!isPublic && !op.responses['401']) violations.push(`${method} ${path}: no 401`);
      }
    }

    expect(violations).toEqual([]);
  });

  it('compiles as JSON Schema 2020-12 in strict mode (every pattern a valid unicode regex, every $ref resolvable)', () => {
    // strictRequired is off: `oneOf: [{required: [phoneNumberId]}, {required: [poolId]}]` names properties of its parent.
    const ajv = new Ajv2020({ strict: true, strictRequired: false, validateFormats: false, allErrors: true });
    ajv.addKeyword('example');
    const components = JSON.parse(JSON.stringify(served.components.schemas).replace(/"\$ref":"#\/components\/schemas\//g, '"$ref":"#/$defs/'));
    for (const name of Object.keys(components)) {
      expect(() => ajv.compile({ $defs: components, $ref: `#/$defs/${name}` })).not.toThrow();
    }
  });
});

describe('every route, as served, matches the document', () => {
  it('POST /v1/provisionings: 202, replay 202, 400, 401, 404, 409, 413, 415, 422', async () => {
    const body = { phoneNumberId: env.numbers.longCode, destination: snsNew(), ticket: ticket() };
    expect((await call('POST', '/v1/provisionings', { body, headers: { 'Idempotency-Key': 'oa-1' } })).status).toBe(202);
    expect((await call('POST', '/v1/provisionings', { body, headers: { 'Idempotency-Key': 'oa-1' } })).status).toBe(202);
    expect((await call('POST', '/v1/provisionings', { body: { ...body, destination: snsPolicy() }, headers: { 'Idempotency-Key': 'oa-1' } })).status).toBe(422);
    expect((await call('POST', '/v1/provisionings', { body: { ...body, destination: connectDest() } })).status).toBe(409);
    expect((await call('POST', '/v1/provisionings', { body: { phoneNumberId: '+19995550000', destination: snsPolicy() } })).status).toBe(404);
    expect((await env.call('POST', '/v1/provisionings', { unchecked: true, raw: '{', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    for (const [raw, type, status] of [
      ['{}', 'application/json', 400],
      ['{"x":1}', 'text/plain', 415],
      [JSON.stringify({ ...body, ticket: { system: 'j', key: 'k'.repeat(70_000) } }), 'application/json', 413],
    ] as const) {
      const res = await env.call('POST', '/v1/provisionings', { unchecked: true, raw, headers: { 'content-type': type } });
      expect(res.status).toBe(status);
      checker.response('POST', '/v1/provisionings', res);
    }
    expect((await call('POST', '/v1/provisionings', { body, token: null })).status).toBe(401);
    env.settle();
  });

  it('GET /v1/provisionings: 200 (with and without nextToken), 400, 401', async () => {
    await call('POST', '/v1/provisionings', { body: { poolId: env.poolId, destination: connectDest() } });
    await call('POST', '/v1/provisionings', { body: { phoneNumberId: DEMO.numbers.tenDlc, destination: snsPolicy() } });
    const page = await call('GET', '/v1/provisionings?limit=1');
    expect(page.status).toBe(200);
    expect(page.body.nextToken).toEqual(expect.any(String));
    expect((await call('GET', `/v1/provisionings?limit=1&nextToken=${page.body.nextToken}`)).status).toBe(200);
    expect((await call('GET', `/v1/provisionings?phoneNumberId=${encodeURIComponent(DEMO.numbers.tenDlc)}&status=RUNNING`)).status).toBe(200);
    expect((await env.call('GET', '/v1/provisionings?limit=0', { unchecked: true })).status).toBe(400);
    checker.response('GET', '/v1/provisionings', await env.call('GET', '/v1/provisionings?limit=0', { unchecked: true }));
    expect((await call('GET', '/v1/provisionings', { token: null })).status).toBe(401);
    env.settle();
  });

  it('GET /v1/provisionings/{id} in every status, /audit, /history, /redrive; and their 400/404/409', async () => {
    const started = await call('POST', '/v1/provisionings', { body: { phoneNumberId: env.numbers.simulator, destination: snsPolicy() } });
    const { id, executionArn } = started.body;
    const ex = env.executions.get(executionArn)!;
    ex.history = historyOf([{ name: 'Start', type: 'Pass' }, { name: 'AcquireLock' }, { name: 'ValidateNumber', fail: [{ error: 'AwsThrottled', cause: lambdaCause('AwsThrottled', 'slow down') }], succeed: false }]);
    expect((await call('GET', `/v1/provisionings/${id}`)).body.status).toBe('RUNNING');
    const original = { Error: 'PreflightFailed', Cause: lambdaCause('PreflightFailed', 'the role may not publish') };
    const outcomes = [
      [{ status: 'SUCCEEDED', stopDate: new Date() }, 'SUCCEEDED'],
      [{ status: 'FAILED', error: 'RolledBack', cause: JSON.stringify(original), stopDate: new Date() }, 'ROLLED_BACK'],
      [{ status: 'ABORTED', stopDate: new Date() }, 'ABORTED'],
      [{ status: 'FAILED', error: 'CompensationFailed', cause: lambdaCause('CompensationFailed', 'left: topic'), stopDate: new Date() }, 'ROLLBACK_FAILED'],
    ] as const;
    // An ended execution no longer changes (its steps are then served from the table): one execution per outcome.
    ex.describe = outcomes[0][0];
    for (const [describe, status] of outcomes) {
      const other = await call('POST', '/v1/provisionings', { body: { phoneNumberId: env.numbers.simulator, destination: snsPolicy() } });
      const otherEx = env.executions.get(other.body.executionArn)!;
      otherEx.history = ex.history;
      otherEx.describe = describe;
      expect((await call('GET', `/v1/provisionings/${other.body.id}`)).body.status).toBe(status);
      expect((await call('GET', `/v1/provisionings/${other.body.id}`)).body).toMatchObject({ status, steps: expect.arrayContaining([expect.objectContaining({ name: 'AcquireLock' })]) });
    }
    ex.describe = outcomes[3][0];
    expect((await call('GET', `/v1/provisionings/${id}/audit`)).status).toBe(200);
    expect((await call('GET', `/v1/provisionings/${id}/history?limit=2`)).status).toBe(200);
    expect((await call('GET', `/v1/provisionings/${id}/history`)).status).toBe(200);
    expect((await call('POST', `/v1/provisionings/${id}/redrive`)).status).toBe(202);
    expect((await call('POST', `/v1/provisionings/${id}/redrive`)).status).toBe(409);
    for (const path of [`/v1/provisionings/01ARZ3NDEKTSV4RRFFQ69G5FAV`, `/v1/provisionings/01ARZ3NDEKTSV4RRFFQ69G5FAV/audit`, `/v1/provisionings/01ARZ3NDEKTSV4RRFFQ69G5FAV/history`]) {
      expect((await call('GET', path)).status).toBe(404);
      expect((await call('GET', path, { token: null })).status).toBe(401);
    }
    expect((await call('GET', '/v1/provisionings/bad!id')).status).toBe(400);
    expect((await call('POST', '/v1/provisionings/01ARZ3NDEKTSV4RRFFQ69G5FAV/redrive')).status).toBe(404);
    env.settle();
  });

  it('DELETE /v1/phone-numbers/{phoneNumberId}/two-way: 202, 400, 409, 415, 422', async () => {
    expect((await call('DELETE', `/v1/phone-numbers/${encodeURIComponent(DEMO.numbers.longCode)}/two-way`, { body: { ticket: ticket() }, headers: { 'Idempotency-Key': 'oa-del' } })).status).toBe(202);
    expect((await call('DELETE', `/v1/phone-numbers/${env.numbers.longCode}/two-way`)).status).toBe(409);
    expect((await call('DELETE', `/v1/phone-numbers/${env.numbers.longCode}/two-way`, { headers: { 'Idempotency-Key': 'oa-del' } })).status).toBe(422);
    expect((await call('DELETE', '/v1/phone-numbers/phone-..%2Fx/two-way')).status).toBe(400);
    const res = await env.call('DELETE', `/v1/phone-numbers/${env.numbers.longCode}/two-way`, { unchecked: true, raw: 'x', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    checker.response('DELETE', `/v1/phone-numbers/${env.numbers.longCode}/two-way`, res);
    env.settle();
  });

  it('/healthz, /openapi.json, unknown routes (404) and wrong methods (405)', async () => {
    expect((await call('GET', '/healthz', { token: null })).status).toBe(200);
    expect((await call('GET', '/openapi.json', { token: null })).status).toBe(200);
    expect((await call('GET', '/v1/unknown')).status).toBe(404);
    expect((await call('PATCH', '/v1/provisionings')).status).toBe(405);
  });

  it('exercised every operation with its success status', () => {
    const successes = ROUTES.flatMap((r) => Object.keys(r.responses).map((s) => `${r.method} ${r.path} ${s}`));

    expect(successes.filter((s) => !checker.seen.has(s))).toEqual([]);
  });
});
