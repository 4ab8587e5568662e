import { DescribeExecutionCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DEMO } from '../../../local/sandbox/seed';
import { sha256 } from '../../../api/http';
import { canonicalJson } from '../../../tasks/lib/json';
import { ProvisioningStore } from '../../../api/store';
import { DeprovisionRequest, ProvisionRequest } from '../../../tasks/lib/request';
import { ActiveProvisionings, AuditLog, Ledger, LockStore } from '../../../tasks/lib/store';
import { ACCOUNT, CALLER, connectDest, DEPROVISION_SM, historyOf, lambdaCause, PROVISION_SM, REGION, snsNew, snsPolicy, startApiEnv, ticket, type ApiEnv } from './support';

/** Contract tests: every route, its success and its errors, over HTTP through the local adapter. */

let env: ApiEnv;

beforeAll(async () => {
  env = await startApiEnv();
});

afterAll(async () => {
  await env.stop();
});

/** Every StartExecution input of every test, checked at the end against the state machines' input schemas. */
const inputs: { stateMachineArn: string; input: unknown }[] = [];

afterEach(() => {
  for (const start of env.starts()) inputs.push({ stateMachineArn: start.stateMachineArn!, input: JSON.parse(start.input!) });
  env.settle();
  env.resetSfn();
});

const provision = (body: unknown, headers: Record<string, string> = {}) => env.call('POST', '/v1/provisionings', { body, headers });

describe('POST /v1/provisionings', () => {
  it('starts provision-two-way named by the provisioning id, with exactly the validated request as input', async () => {
    const res = await provision({ phoneNumberId: env.numbers.longCode, destination: snsNew(), ticket: ticket() });

    expect(res.status).toBe(202);
    const id = res.body.id as string;
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(res.headers.get('location')).toBe(`/v1/provisionings/${id}`);
    expect(res.body).toEqual({
      id,
      operation: 'provision',
      executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:provision-two-way:${id}`,
      status: 'RUNNING',
      phoneNumberId: env.numbers.longCode,
      destination: snsNew(),
      requestedBy: CALLER,
      ticket: ticket(),
      // The demo long code has neither a role nor a channel: an undo cannot clear what this request sets.
      notReversible: [expect.stringContaining('has no TwoWayChannelRole today'), expect.stringContaining('has no TwoWayChannelArn today')],
      startedAt: expect.any(String),
    });
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const [start] = env.starts();
    expect(start).toEqual({ stateMachineArn: PROVISION_SM, name: id, input: expect.any(String) });
    expect(JSON.parse(start!.input!)).toEqual({ provisioningId: id, phoneNumberId: env.numbers.longCode, destination: snsNew(), requestedBy: CALLER, ticket: ticket() });
  });

  it('resolves an E.164 number to its id before starting', async () => {
    const res = await provision({ phoneNumberId: DEMO.numbers.tenDlc, destination: snsPolicy() });

    expect(res.status).toBe(202);
    expect(res.body.phoneNumberId).toBe(env.numbers.tenDlc);
    expect(JSON.parse(env.starts()[0]!.input!)).toEqual({ provisioningId: res.body.id, phoneNumberId: env.numbers.tenDlc, destination: snsPolicy(), requestedBy: CALLER });
  });

  it('resolves a phone number ARN to its id', async () => {
    const arn = `arn:aws:sms-voice:${REGION}:${ACCOUNT}:phone-number/${env.numbers.simulator}`;

    const res = await provision({ phoneNumberId: arn, destination: snsPolicy() });

    expect(res.status).toBe(202);
    expect(JSON.parse(env.starts()[0]!.input!).phoneNumberId).toBe(env.numbers.simulator);
  });

  it('provisions a pool with poolId', async () => {
    const res = await provision({ poolId: env.poolId, destination: snsPolicy() });

    expect(res.status).toBe(202);
    expect(res.body.poolId).toBe(env.poolId);
    expect(res.body).not.toHaveProperty('phoneNumberId');
    expect(JSON.parse(env.starts()[0]!.input!)).toEqual({ provisioningId: res.body.id, poolId: env.poolId, destination: snsPolicy(), requestedBy: CALLER });
  });

  it('answers 404 naming phoneNumberId for an E.164 number the account does not have, starting nothing', async () => {
    const res = await provision({ phoneNumberId: '+19995550000', destination: snsPolicy() });

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ type: 'urn:two-way-sms:problem:phone-number-not-found', status: 404, errors: [{ field: 'phoneNumberId' }] });
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it('answers 400 for an ARN of another account, starting nothing', async () => {
    const res = await provision({ phoneNumberId: `arn:aws:sms-voice:${REGION}:999999999999:phone-number/${env.numbers.longCode}`, destination: snsPolicy() });

    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'phoneNumberId', message: expect.stringContaining('999999999999') }]);
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it('answers 409 while another provisioning of the same number runs, naming it', async () => {
    const first = await provision({ phoneNumberId: env.numbers.longCode, destination: snsNew() });

    const second = await provision({ phoneNumberId: DEMO.numbers.longCode, destination: snsPolicy() });

    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ type: 'urn:two-way-sms:problem:number-busy', provisioningId: first.body.id, errors: [{ field: 'phoneNumberId' }] });
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('accepts the number again once the running execution has ended (status read lazily)', async () => {
    const first = await provision({ phoneNumberId: env.numbers.longCode, destination: snsNew() });
    env.executions.get(first.body.executionArn)!.describe = { status: 'SUCCEEDED', stopDate: new Date() };

    const second = await provision({ phoneNumberId: env.numbers.longCode, destination: snsPolicy() });

    expect(second.status).toBe(202);
    const stored = await env.deps.db.send(new GetCommand({ TableName: env.dynamo.tableName, Key: { pk: `PROV#${first.body.id}`, sk: 'META' } }));
    expect(stored.Item).toMatchObject({ status: 'SUCCEEDED', endedAt: expect.any(String) });
  });

  it('answers 409 while a live lease holds the number lock (e.g. a ROLLBACK_FAILED execution)', async () => {
    const locks = new LockStore(env.deps.db, env.dynamo.tableName);
    await locks.acquire(env.numbers.tenDlc, 'arn:aws:states:us-east-1:123456789012:execution:provision-two-way:01OLD', 60_000);

    const res = await provision({ phoneNumberId: env.numbers.tenDlc, destination: snsPolicy() });

    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('01OLD');
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
    await locks.release(env.numbers.tenDlc, 'arn:aws:states:us-east-1:123456789012:execution:provision-two-way:01OLD');
  });

  it('answers 503 with Retry-After when Step Functions throttles, and a retry with the same key starts it', async () => {
    env.failNextStart(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const body = { phoneNumberId: env.numbers.tenDlc, destination: snsPolicy() };

    const first = await provision(body, { 'Idempotency-Key': 'retry-after-throttle' });
    const second = await provision(body, { 'Idempotency-Key': 'retry-after-throttle' });

    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('Idempotency-Key', () => {
  it('returns the same provisioning for the same key and body (202, Idempotent-Replayed), starting once', async () => {
    const body = { phoneNumberId: env.numbers.longCode, destination: snsNew(), ticket: ticket() };
    const first = await provision(body, { 'Idempotency-Key': 'key-same-body' });

    // Same document, other key order: canonical JSON makes it the same body.
    const again = await env.call('POST', '/v1/provisionings', { raw: JSON.stringify({ ticket: ticket(), destination: snsNew(), phoneNumberId: env.numbers.longCode }), headers: { 'content-type': 'application/json', 'Idempotency-Key': 'key-same-body' } });

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('replays even after the execution ended (no 409 for its own number)', async () => {
    const body = { phoneNumberId: env.numbers.longCode, destination: snsNew() };
    const first = await provision(body, { 'Idempotency-Key': 'key-ended' });
    env.settle();

    const again = await provision(body, { 'Idempotency-Key': 'key-ended' });

    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
  });

  it('answers 422 for the same key with a different body, starting nothing more', async () => {
    await provision({ phoneNumberId: env.numbers.longCode, destination: snsNew() }, { 'Idempotency-Key': 'key-other-body' });

    const res = await provision({ phoneNumberId: env.numbers.longCode, destination: snsPolicy() }, { 'Idempotency-Key': 'key-other-body' });

    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ type: 'urn:two-way-sms:problem:idempotency-key-reused', errors: [{ field: 'Idempotency-Key' }] });
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('treats the same key on another route as a different request (422)', async () => {
    await provision({ phoneNumberId: env.numbers.tenDlc, destination: snsPolicy() }, { 'Idempotency-Key': 'key-two-routes' });
    env.settle();

    const res = await env.call('DELETE', `/v1/phone-numbers/${env.numbers.tenDlc}/two-way`, { headers: { 'Idempotency-Key': 'key-two-routes' } });

    expect(res.status).toBe(422);
  });

  it('keeps keys per caller: another caller with the same key gets its own provisioning', async () => {
    const body = { phoneNumberId: env.numbers.tenDlc, destination: snsPolicy() };
    const first = await provision(body, { 'Idempotency-Key': 'shared-key' });
    env.settle();

    // Another principal, through the handler as API Gateway would call it on AWS.
    const other = await env.api(gatewayEvent('POST', '/v1/provisionings', body, { 'Idempotency-Key': 'shared-key' }, 'arn:aws:iam::123456789012:user/bob'));

    expect(other.statusCode).toBe(202);
    const otherBody = JSON.parse(other.body);
    expect(otherBody.id).not.toBe(first.body.id);
    expect(otherBody.requestedBy).toBe('arn:aws:iam::123456789012:user/bob');
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
  });

  it('finishes a start interrupted between claiming the key and starting the execution', async () => {
    const body = { phoneNumberId: env.numbers.simulator, destination: snsPolicy() };
    // The first attempt dies inside StartExecution (an unknown error: the claim is released, the client retries).
    env.failNextStart(Object.assign(new Error('connection reset'), { name: 'UnknownError' }));
    const first = await provision(body, { 'Idempotency-Key': 'key-crash' });

    const retry = await provision(body, { 'Idempotency-Key': 'key-crash' });

    expect(first.status).toBe(500);
    expect(retry.status).toBe(202);
    expect(JSON.parse(env.starts().at(-1)!.input!)).toMatchObject({ provisioningId: retry.body.id, phoneNumberId: env.numbers.simulator });
  });
});

describe('Idempotency-Key after a crash', () => {
  it('starts the execution a claimed key names when the first request died before starting it', async () => {
    const body = { phoneNumberId: env.numbers.tenDlc, destination: snsPolicy() };
    const id = '01JCRASHEDBEFORESTART0000';
    const input = { provisioningId: id, phoneNumberId: env.numbers.tenDlc, destination: snsPolicy(), requestedBy: CALLER };
    const now = new Date();
    const store = new ProvisioningStore(env.deps.db, env.dynamo.tableName);
    await store.claimIdempotency({ caller: CALLER, key: 'key-died', requestHash: sha256(canonicalJson({ operation: 'provision', request: body })), provisioningId: id, operation: 'provision', input, createdAt: now.toISOString(), expiresAt: Math.floor(now.getTime() / 1000) + 3600 }, now);

    const res = await provision(body, { 'Idempotency-Key': 'key-died' });

    expect(res.status).toBe(202);
    expect(res.headers.get('idempotent-replayed')).toBe('true');
    expect(res.body.id).toBe(id);
    expect(env.starts()).toEqual([{ stateMachineArn: PROVISION_SM, name: id, input: JSON.stringify(input) }]);
  });
});

describe('GET /v1/provisionings/{id}', () => {
  async function started(): Promise<{ id: string; arn: string }> {
    const res = await provision({ phoneNumberId: env.numbers.longCode, destination: snsNew() });
    return { id: res.body.id, arn: res.body.executionArn };
  }

  it('shows a running provisioning with its steps so far', async () => {
    const { id, arn } = await started();
    env.executions.get(arn)!.history = historyOf([{ name: 'Start', type: 'Pass' }, { name: 'AcquireLock' }, { name: 'ValidateNumber', succeed: false }]);

    const res = await env.call('GET', `/v1/provisionings/${id}`);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'RUNNING', phoneNumberId: env.numbers.longCode, destination: snsNew(), requestedBy: CALLER, resources: [] });
    expect(res.body.steps.map((s: any) => [s.name, s.type, s.status])).toEqual([
      ['Start', 'Pass', 'succeeded'],
      ['AcquireLock', 'Task', 'succeeded'],
      ['ValidateNumber', 'Task', 'running'],
    ]);
    expect(res.body).not.toHaveProperty('endedAt');
  });

  it('shows SUCCEEDED with endedAt, the retries of each step and the ledger as resources', async () => {
    const { id, arn } = await started();
    const ex = env.executions.get(arn)!;
    const stopDate = new Date('2025-01-01T00:01:00Z');
    ex.describe = { status: 'SUCCEEDED', stopDate };
    ex.history = historyOf(
      [{ name: 'Start', type: 'Pass' }, { name: 'EnableTwoWay', fail: [{ error: 'RoleNotYetAccessible', cause: lambdaCause('RoleNotYetAccessible', 'IAM propagation') }] }, { name: 'Provisioned', type: 'Succeed' }],
      { type: 'ExecutionSucceeded' },
    );
    const ledger = new Ledger(env.deps.db, env.dynamo.tableName);
    await ledger.set(id, 'topic', 'done', { topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:inbound-demo` });

    const res = await env.call('GET', `/v1/provisionings/${id}`);

    expect(res.body).toMatchObject({ status: 'SUCCEEDED', endedAt: stopDate.toISOString() });
    expect(res.body.steps[1]).toMatchObject({ name: 'EnableTwoWay', status: 'succeeded', retries: 1 });
    expect(res.body.steps[2]).toMatchObject({ name: 'Provisioned', type: 'Succeed', status: 'succeeded' });
    expect(res.body.resources).toEqual([{ kind: 'topic', status: 'done', topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:inbound-demo`, updatedAt: expect.any(String) }]);
  });

  it('shows ROLLED_BACK with the original error, and the failed step as caught', async () => {
    const { id, arn } = await started();
    const original = { Error: 'NumberNotEligible', Cause: lambdaCause('NumberNotEligible', 'phone-x is PENDING, not ACTIVE') };
    env.executions.get(arn)!.describe = { status: 'FAILED', error: 'RolledBack', cause: JSON.stringify(original), stopDate: new Date() };
    env.executions.get(arn)!.history = historyOf(
      [
        { name: 'ValidateNumber', fail: [{ error: 'NumberNotEligible', cause: original.Cause }], succeed: false },
        { name: 'Rollback', type: 'Pass' },
        { name: 'UndoTopic' },
        { name: 'RolledBack', type: 'Fail', succeed: false },
      ],
      { type: 'ExecutionFailed', error: 'RolledBack', cause: JSON.stringify(original) },
    );

    const res = await env.call('GET', `/v1/provisionings/${id}`);

    expect(res.body).toMatchObject({ status: 'ROLLED_BACK', error: { name: 'NumberNotEligible', message: 'phone-x is PENDING, not ACTIVE' } });
    expect(res.body.steps.map((s: any) => [s.name, s.status])).toEqual([
      ['ValidateNumber', 'caught'],
      ['Rollback', 'succeeded'],
      ['UndoTopic', 'succeeded'],
      ['RolledBack', 'failed'],
    ]);
    expect(res.body.steps[0].error).toEqual({ name: 'NumberNotEligible', message: 'phone-x is PENDING, not ACTIVE' });
  });

  it('shows ROLLBACK_FAILED when a compensation failed (the execution stopped in an Undo state)', async () => {
    const { id, arn } = await started();
    const cause = lambdaCause('CompensationFailed', 'left: role two-way-sms/x');
    env.executions.get(arn)!.describe = { status: 'FAILED', error: 'CompensationFailed', cause, stopDate: new Date() };
    env.executions.get(arn)!.history = historyOf([{ name: 'UndoAccess', fail: [{ error: 'CompensationFailed', cause }], succeed: false }], { type: 'ExecutionFailed', error: 'CompensationFailed', cause });

    const res = await env.call('GET', `/v1/provisionings/${id}`);

    expect(res.body).toMatchObject({ status: 'ROLLBACK_FAILED', error: { name: 'CompensationFailed', message: 'left: role two-way-sms/x' } });
    expect(res.body.steps).toEqual([expect.objectContaining({ name: 'UndoAccess', status: 'failed', error: { name: 'CompensationFailed', message: 'left: role two-way-sms/x' } })]);
  });

  it.each(['ABORTED', 'TIMED_OUT'] as const)('shows ABORTED for an execution that is %s', async (sfnStatus) => {
    const { id, arn } = await started();
    env.executions.get(arn)!.describe = { status: sfnStatus, stopDate: new Date() };

    const res = await env.call('GET', `/v1/provisionings/${id}`);

    expect(res.body.status).toBe('ABORTED');
  });

  it('answers 404 for an unknown id and 400 naming id for a malformed one', async () => {
    const unknown = await env.call('GET', '/v1/provisionings/01ARZ3NDEKTSV4RRFFQ69G5FAV');
    const malformed = await env.call('GET', '/v1/provisionings/..%2F..%2Fetc');

    expect(unknown.status).toBe(404);
    expect(unknown.body.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
  });
});

describe('POST /v1/provisionings: a number or pool that cannot take two-way for the destination', () => {
  it.each([
    ['a PENDING number', () => ({ phoneNumberId: env.numbers.pending, destination: snsPolicy() }), 'phoneNumberId', /is PENDING: two-way can be enabled once the number is ACTIVE/],
    ['a number in a pool', () => ({ phoneNumberId: env.numbers.pooled, destination: snsPolicy() }), 'phoneNumberId', /belongs to pool .*provision the pool instead/],
    ['a pool for Connect', () => ({ poolId: env.poolId, destination: connectDest() }), 'poolId', /Amazon Connect imports phone numbers, not pools/],
    ['a SIMULATOR number for Connect', () => ({ phoneNumberId: env.numbers.simulator, destination: connectDest() }), 'phoneNumberId', /simulator numbers cannot deliver two-way SMS to Amazon Connect/],
  ])('refuses %s with a 422 naming the field, starting nothing', async (_what, body, field, message) => {
    const res = await provision(body());

    expect(res.status).toBe(422);
    expect(res.body.type).toBe('urn:two-way-sms:problem:number-not-eligible');
    expect(res.body.errors).toEqual([{ field, message: expect.stringMatching(message) }]);
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });
});

describe('GET /v1/provisionings', () => {
  it('lists newest first, filters by number (id, E.164 or ARN) and status, and pages with nextToken', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await provision({ phoneNumberId: env.numbers.noTwoWayCountry, destination: snsPolicy() });
      ids.push(res.body.id);
      env.settle();
    }
    const ex = env.executions.get(`arn:aws:states:${REGION}:${ACCOUNT}:execution:provision-two-way:${ids[1]}`)!;
    ex.describe = { status: 'FAILED', error: 'RolledBack', cause: JSON.stringify({ Error: 'NumberNotEligible', Cause: lambdaCause('NumberNotEligible', 'in a pool') }), stopDate: new Date() };
    // A read of the provisioning records what it finds (settle() had recorded nothing: no read since).
    await env.call('GET', `/v1/provisionings/${ids[1]}`);

    const byId = await env.call('GET', `/v1/provisionings?phoneNumberId=${env.numbers.noTwoWayCountry}`);
    const byE164 = await env.call('GET', `/v1/provisionings?phoneNumberId=${encodeURIComponent(DEMO.numbers.noTwoWayCountry)}`);
    const byArn = await env.call('GET', `/v1/provisionings?phoneNumberId=${encodeURIComponent(`arn:aws:sms-voice:${REGION}:${ACCOUNT}:phone-number/${env.numbers.noTwoWayCountry}`)}`);
    const rolledBack = await env.call('GET', `/v1/provisionings?phoneNumberId=${env.numbers.noTwoWayCountry}&status=ROLLED_BACK`);

    expect(byId.body.items.map((i: any) => i.id)).toEqual([...ids].reverse());
    expect(byE164.body.items.map((i: any) => i.id)).toEqual([...ids].reverse());
    expect(byArn.body.items.map((i: any) => i.id)).toEqual([...ids].reverse());
    expect(rolledBack.body.items.map((i: any) => [i.id, i.status, i.error?.name])).toEqual([[ids[1], 'ROLLED_BACK', 'NumberNotEligible']]);

    const page1 = await env.call('GET', `/v1/provisionings?phoneNumberId=${env.numbers.noTwoWayCountry}&limit=2`);
    const page2 = await env.call('GET', `/v1/provisionings?phoneNumberId=${env.numbers.noTwoWayCountry}&limit=2&nextToken=${page1.body.nextToken}`);
    expect(page1.body.items.map((i: any) => i.id)).toEqual([ids[2], ids[1]]);
    expect(page2.body.items.map((i: any) => i.id)).toEqual([ids[0]]);
    expect(page2.body).not.toHaveProperty('nextToken');
  });

  it('refreshes RUNNING records when filtering by status', async () => {
    const res = await provision({ phoneNumberId: env.numbers.simulator, destination: snsPolicy() });
    env.executions.get(res.body.executionArn)!.describe = { status: 'SUCCEEDED', stopDate: new Date() };

    const running = await env.call('GET', `/v1/provisionings?phoneNumberId=${env.numbers.simulator}&status=RUNNING`);
    const succeeded = await env.call('GET', `/v1/provisionings?phoneNumberId=${env.numbers.simulator}&status=SUCCEEDED`);

    expect(running.body.items.map((i: any) => i.id)).not.toContain(res.body.id);
    expect(succeeded.body.items.map((i: any) => i.id)).toContain(res.body.id);
  });

  it('lists all provisionings without a filter, newest first', async () => {
    const a = await provision({ phoneNumberId: env.numbers.tenDlc, destination: snsPolicy() });
    const b = await provision({ phoneNumberId: env.numbers.simulator, destination: snsPolicy() });

    const res = await env.call('GET', '/v1/provisionings?limit=2');

    expect(res.body.items.map((i: any) => i.id)).toEqual([b.body.id, a.body.id]);
    expect(res.body.nextToken).toEqual(expect.any(String));
  });

  it('returns no items for an E.164 number the account does not have', async () => {
    const res = await env.call('GET', `/v1/provisionings?phoneNumberId=${encodeURIComponent('+19995550000')}`);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
  });

  it('answers 400 for a nextToken of another listing or a forged one', async () => {
    await provision({ phoneNumberId: env.numbers.tenDlc, destination: snsPolicy() });
    await provision({ phoneNumberId: env.numbers.simulator, destination: snsPolicy() });
    const page = await env.call('GET', '/v1/provisionings?limit=1');
    const forged = Buffer.from(JSON.stringify({ v: 1, t: null, s: null, k: { pk: 'LOCK#x', sk: 'LOCK', gsi2pk: 'PROVISIONINGS', gsi2sk: 'x' } })).toString('base64url');

    const otherFilter = await env.call('GET', `/v1/provisionings?limit=1&status=SUCCEEDED&nextToken=${page.body.nextToken}`);
    const bad = await env.call('GET', `/v1/provisionings?nextToken=${forged}`);

    expect(otherFilter.status).toBe(400);
    expect(otherFilter.body.errors).toEqual([{ field: 'nextToken', message: expect.any(String) }]);
    expect(bad.status).toBe(400);
  });
});

describe('GET /v1/provisionings/{id}/audit', () => {
  it('returns the audit records of the provisioning', async () => {
    const res = await provision({ phoneNumberId: env.numbers.longCode, destination: snsNew() });
    const audit = new AuditLog(env.deps.db, env.dynamo.tableName);
    const scope = { provisioningId: res.body.id, phoneNumberId: env.numbers.longCode, executionArn: res.body.executionArn, actor: CALLER };
    await audit.record(scope, { step: 'EnsureTopic', action: 'sns:CreateTopic', resourceArn: `arn:aws:sns:${REGION}:${ACCOUNT}:inbound-demo`, before: null }, async () => ({ TopicArn: 'x' }), (r) => r);

    const trail = await env.call('GET', `/v1/provisionings/${res.body.id}/audit`);

    expect(trail.status).toBe(200);
    expect(trail.body.items.map((i: any) => [i.phase, i.step, i.action, i.actor])).toEqual([
      ['intent', 'EnsureTopic', 'sns:CreateTopic', CALLER],
      ['outcome', 'EnsureTopic', 'sns:CreateTopic', CALLER],
    ]);
  });

  it('answers 409 for a rolled-back provisioning, which has nothing left to finish', async () => {
    const res = await provision({ phoneNumberId: env.numbers.longCode, destination: snsNew() });
    const original = { Error: 'PreflightFailed', Cause: lambdaCause('PreflightFailed', 'no publish') };
    env.executions.get(res.body.executionArn)!.describe = { status: 'FAILED', error: 'RolledBack', cause: JSON.stringify(original), stopDate: new Date() };

    const redriven = await env.call('POST', `/v1/provisionings/${res.body.id}/redrive`);

    expect(redriven.status).toBe(409);
    expect(redriven.body.detail).toMatch(/was rolled back: nothing is left to finish/);
  });

  it('answers 404 for an unknown provisioning', async () => {
    const res = await env.call('GET', '/v1/provisionings/01ARZ3NDEKTSV4RRFFQ69G5FAV/audit');

    expect(res.status).toBe(404);
  });
});

describe('GET /v1/provisionings/{id}/history', () => {
  it('pages through the Step Functions history events', async () => {
    const res = await provision({ phoneNumberId: env.numbers.longCode, destination: snsNew() });
    env.executions.get(res.body.executionArn)!.history = historyOf([{ name: 'Start', type: 'Pass' }, { name: 'AcquireLock' }]);

    const page1 = await env.call('GET', `/v1/provisionings/${res.body.id}/history?limit=3`);
    const page2 = await env.call('GET', `/v1/provisionings/${res.body.id}/history?limit=100&nextToken=${page1.body.nextToken}`);

    expect(page1.body.events.map((e: any) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited']);
    expect(page1.body.events[0]).toMatchObject({ id: 1, timestamp: expect.stringMatching(/Z$/) });
    expect(page2.body.events.map((e: any) => e.type)).toEqual(['TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited']);
    expect(page2.body).not.toHaveProperty('nextToken');
  });

  it('answers 400 naming nextToken for a token Step Functions rejects', async () => {
    const res = await provision({ phoneNumberId: env.numbers.longCode, destination: snsNew() });

    const bad = await env.call('GET', `/v1/provisionings/${res.body.id}/history?nextToken=bogus`);

    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'nextToken', message: expect.any(String) }]);
  });
});

describe('GET /v1/provisionings/{id} of an ended provisioning', () => {
  it('serves the steps from the table after the first read, without calling Step Functions again', async () => {
    const res = await provision({ phoneNumberId: env.numbers.longCode, destination: snsNew() });
    env.executions.get(res.body.executionArn)!.describe = { status: 'SUCCEEDED', stopDate: new Date() };
    const first = await env.call('GET', `/v1/provisionings/${res.body.id}`);
    const calls = env.sfn.commandCalls(GetExecutionHistoryCommand).length + env.sfn.commandCalls(DescribeExecutionCommand).length;

    const second = await env.call('GET', `/v1/provisionings/${res.body.id}`);

    expect(second.body).toEqual(first.body);
    expect(env.sfn.commandCalls(GetExecutionHistoryCommand).length + env.sfn.commandCalls(DescribeExecutionCommand).length).toBe(calls);
  });
});

describe('POST /v1/provisionings/{id}/redrive', () => {
  it('redrives a failed execution and shows it RUNNING again', async () => {
    const res = await provision({ phoneNumberId: env.numbers.longCode, destination: snsNew() });
    env.executions.get(res.body.executionArn)!.describe = { status: 'FAILED', error: 'CompensationFailed', cause: lambdaCause('CompensationFailed', 'x'), stopDate: new Date() };
    await env.call('GET', `/v1/provisionings/${res.body.id}`);

    const redriven = await env.call('POST', `/v1/provisionings/${res.body.id}/redrive`);
    const after = await env.call('GET', `/v1/provisionings/${res.body.id}`);

    expect(redriven.status).toBe(202);
    expect(redriven.body).toEqual({ id: res.body.id, executionArn: res.body.executionArn, status: 'RUNNING', redriveDate: expect.any(String) });
    expect(after.body).toMatchObject({ status: 'RUNNING', redriveCount: 1 });
    expect(after.body).not.toHaveProperty('error');
    // The redriven execution holds the number's lease again (here no state machine runs to release it at its end).
    const locks = new LockStore(env.deps.db, env.dynamo.tableName);
    expect((await locks.get(env.numbers.longCode))?.owner).toBe(res.body.executionArn);
    await locks.release(env.numbers.longCode, res.body.executionArn);
  });

  it('answers 409 for an execution that is not redrivable', async () => {
    const res = await provision({ phoneNumberId: env.numbers.longCode, destination: snsNew() });

    const redriven = await env.call('POST', `/v1/provisionings/${res.body.id}/redrive`);

    expect(redriven.status).toBe(409);
    expect(redriven.body.type).toBe('urn:two-way-sms:problem:not-redrivable');
  });

  it('answers 404 for an unknown provisioning', async () => {
    const res = await env.call('POST', '/v1/provisionings/01ARZ3NDEKTSV4RRFFQ69G5FAV/redrive');

    expect(res.status).toBe(404);
  });
});

describe('DELETE /v1/phone-numbers/{phoneNumberId}/two-way', () => {
  it('starts deprovision-two-way with a new provisioning id and the destination being removed', async () => {
    const active = new ActiveProvisionings(env.deps.db, env.dynamo.tableName);
    await active.set({ targetId: env.numbers.tenDlc, provisioningId: '01EARLIERPROVISIONING00', destination: snsPolicy(), config: { enabled: true }, since: new Date().toISOString() });

    const res = await env.call('DELETE', `/v1/phone-numbers/${encodeURIComponent(DEMO.numbers.tenDlc)}/two-way`, { body: { ticket: ticket() } });

    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ operation: 'deprovision', status: 'RUNNING', phoneNumberId: env.numbers.tenDlc, destination: snsPolicy(), requestedBy: CALLER });
    const [start] = env.starts();
    expect(start).toMatchObject({ stateMachineArn: DEPROVISION_SM, name: res.body.id });
    expect(JSON.parse(start!.input!)).toEqual({ provisioningId: res.body.id, phoneNumberId: env.numbers.tenDlc, requestedBy: CALLER, ticket: ticket() });
    await active.clear(env.numbers.tenDlc, '01EARLIERPROVISIONING00');
  });

  it('deprovisions a pool by its id, without a body', async () => {
    const res = await env.call('DELETE', `/v1/phone-numbers/${env.poolId}/two-way`);

    expect(res.status).toBe(202);
    expect(JSON.parse(env.starts()[0]!.input!)).toEqual({ provisioningId: res.body.id, poolId: env.poolId, requestedBy: CALLER });
  });

  it('answers 409 while a provisioning of the number runs', async () => {
    await provision({ phoneNumberId: env.numbers.longCode, destination: snsNew() });

    const res = await env.call('DELETE', `/v1/phone-numbers/${env.numbers.longCode}/two-way`);

    expect(res.status).toBe(409);
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('replays with the same Idempotency-Key', async () => {
    const first = await env.call('DELETE', `/v1/phone-numbers/${env.numbers.simulator}/two-way`, { headers: { 'Idempotency-Key': 'del-1' } });
    const again = await env.call('DELETE', `/v1/phone-numbers/${env.numbers.simulator}/two-way`, { headers: { 'Idempotency-Key': 'del-1' } });

    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(env.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });
});

describe('state machine inputs', () => {
  it('started every execution with an input its state machine accepts (the tasks parse it again)', () => {
    const problems = inputs.flatMap(({ stateMachineArn, input }) => {
      const schema = stateMachineArn === PROVISION_SM ? ProvisionRequest : DeprovisionRequest;
      return (schema.safeParse(input).error?.issues ?? []).map((i) => `${stateMachineArn}: ${i.path.join('.')}: ${i.message}`);
    });

    expect(inputs.length).toBeGreaterThan(20);
    expect(problems).toEqual([]);
  });
});

/** An API Gateway REST proxy event, as the IAM authorizer fills it on AWS. */
function gatewayEvent(method: string, path: string, body: unknown, headers: Record<string, string>, userArn: string): any {
  return {
    httpMethod: method,
    path,
    resource: '/{proxy+}',
    headers: { 'Content-Type': 'application/json', ...headers },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: 'r-1', identity: { userArn, caller: 'AIDAEXAMPLE' } },
  };
}
