import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { UpdatePhoneNumberCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { DEMO } from '../../../local/sandbox/seed';
import { enableTwoWay } from '../../../tasks/enable-two-way/enable-two-way';
import type { BeforeImage, TwoWayLedgerData } from '../../../tasks/lib/number';
import { snsDestinationRolePolicy, twoWayTrustPolicy } from '../../../tasks/lib/policy';
import { validateNumber } from '../../../tasks/validate-number/validate-number';
import { control } from '../../support/sandbox';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { ACCOUNT, caught, demoPool, mutatingCallsSince, numberOf, resetSandbox, ROLE_ARN, snsRequest, taskEvent, TOPIC_ARN, type RequestInput } from './number-fixtures';

describe('EnableTwoWay', () => {
  let env: WorkflowEnv;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });
  beforeEach(async () => {
    await resetSandbox(env);
  });

  /** ValidateNumber then EnableTwoWay, as the state machine runs them; returns the event to re-run with. */
  async function enable(request: RequestInput, results: Record<string, unknown> = {}) {
    const number = await validateNumber(taskEvent(request), env.deps);
    const event = taskEvent(request, { results: { number, ...results }, state: 'EnableTwoWay' });
    return { event, number, out: await enableTwoWay(event, env.deps) };
  }

  it('sets two-way on the number after recording intent and before-image, audited', async () => {
    const request = snsRequest();

    const { out, number } = await enable(request);

    expect(out).toEqual({ changed: true, desired: { enabled: true, channelArn: TOPIC_ARN, channelRole: ROLE_ARN } });
    const n = numberOf(env, DEMO.numbers.longCode);
    expect([n.TwoWayEnabled, n.TwoWayChannelArn, n.TwoWayChannelRole]).toEqual([true, TOPIC_ARN, ROLE_ARN]);
    const entry = await env.deps.ledger.get<TwoWayLedgerData>(request.provisioningId, 'twoWay');
    expect(entry?.status).toBe('done');
    expect(entry?.data).toEqual({ kind: 'phone-number', id: number.id, arn: number.arn, desired: out.desired, before: { enabled: false } });
    // ValidateNumber's notes say up front what an undo cannot give back; the calls follow them.
    const audit = (await env.deps.audit.byProvisioning(request.provisioningId)).filter((a) => a.phase !== 'note');
    expect(audit.map((a) => [a.phase, a.action, a.step, a.outcome])).toEqual([
      ['intent', 'sms-voice:UpdatePhoneNumber', 'EnableTwoWay', undefined],
      ['outcome', 'sms-voice:UpdatePhoneNumber', 'EnableTwoWay', 'succeeded'],
    ]);
    expect(audit[0]).toMatchObject({ before: { enabled: false }, resourceArn: number.arn, actor: request.requestedBy, phoneNumberId: number.id });
  });

  it('recorded the before-image before the change, and keeps it when ValidateNumber runs again', async () => {
    const request = snsRequest();
    await enable(request);
    const image = await env.deps.ledger.get<BeforeImage>(request.provisioningId, 'beforeImage');
    const intent = (await env.deps.audit.byProvisioning(request.provisioningId)).find((a) => a.phase === 'intent');

    const again = await validateNumber(taskEvent(request), env.deps);

    expect(image!.updatedAt <= intent!.at).toBe(true);
    expect(again.beforeImage).toEqual({ enabled: false });
  });

  it('makes no mutating call when re-run after it succeeded', async () => {
    const request = snsRequest();
    const { event } = await enable(request);
    const since = await env.lastSeq();

    const out = await enableTwoWay(event, env.deps);

    expect(out.changed).toBe(false);
    expect(await mutatingCallsSince(env, since)).toEqual([]);
    expect((await env.deps.ledger.get(request.provisioningId, 'twoWay'))?.status).toBe('done');
  });

  it('records skipped, changing nothing, when the number already has the desired settings', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    await env.deps.sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: number.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: TOPIC_ARN, TwoWayChannelRole: ROLE_ARN }));
    const request = snsRequest();
    const validated = await validateNumber(taskEvent(request), env.deps);
    const since = await env.lastSeq();

    const out = await enableTwoWay(taskEvent(request, { results: { number: validated } }), env.deps);

    expect(out.changed).toBe(false);
    expect(await mutatingCallsSince(env, since)).toEqual([]);
    expect((await env.deps.ledger.get(request.provisioningId, 'twoWay'))?.status).toBe('skipped');
  });

  it('sets two-way on a pool with UpdatePool (its numbers follow)', async () => {
    const pool = demoPool(env);
    const request = snsRequest({ poolId: pool.PoolId });

    const { out } = await enable(request);

    expect(out.changed).toBe(true);
    expect([pool.TwoWayEnabled, pool.TwoWayChannelArn]).toEqual([true, TOPIC_ARN]);
    expect(numberOf(env, DEMO.numbers.pooled).TwoWayEnabled).toBe(true);
    expect((await env.deps.audit.byProvisioning(request.provisioningId)).find((a) => a.phase === 'intent')?.action).toBe('sms-voice:UpdatePool');
  });

  it('turns RESOURCE_NOT_ACCESSIBLE of a role IAM has not propagated yet into RoleNotYetAccessible, then succeeds on retry', async () => {
    await env.deps.iam.send(new CreateRoleCommand({ RoleName: 'FreshTwoWayRole', Path: '/two-way-sms/', AssumeRolePolicyDocument: JSON.stringify(twoWayTrustPolicy({ accountId: ACCOUNT })) }));
    await env.deps.iam.send(new PutRolePolicyCommand({ RoleName: 'FreshTwoWayRole', PolicyName: 'two-way', PolicyDocument: JSON.stringify(snsDestinationRolePolicy({ accountId: ACCOUNT, topicArn: TOPIC_ARN })) }));
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/two-way-sms/FreshTwoWayRole`;
    await control(env.sandbox.url, 'PUT', '/_sandbox/settings', { iamPropagationDelayMs: 60_000 });
    const request = snsRequest({ destination: { type: 'sns', topic: { arn: TOPIC_ARN }, access: { type: 'role', role: { create: { name: 'FreshTwoWayRole' } } } } });
    const number = await validateNumber(taskEvent(request), env.deps);
    const event = taskEvent(request, { results: { number, access: { mode: 'role', roleArn, roleCreated: true } } });

    const err = await caught(() => enableTwoWay(event, env.deps));

    expect(err.name).toBe('RoleNotYetAccessible');
    expect(numberOf(env, DEMO.numbers.longCode).TwoWayEnabled).toBe(false);
    expect((await env.deps.ledger.get(request.provisioningId, 'twoWay'))?.status).toBe('intent');

    await control(env.sandbox.url, 'PUT', '/_sandbox/settings', { iamPropagationDelayMs: 0 });
    const out = await enableTwoWay(event, env.deps);

    expect(out.changed).toBe(true);
    expect(numberOf(env, DEMO.numbers.longCode).TwoWayChannelRole).toBe(roleArn);
    expect((await env.deps.ledger.get<TwoWayLedgerData>(request.provisioningId, 'twoWay'))?.data.before).toEqual({ enabled: false });
  });

  it('turns TWO_WAY_NOT_SUPPORTED_IN_COUNTRY into NumberNotEligible carrying AWS’s reason', async () => {
    const request = snsRequest({ phoneNumberId: DEMO.numbers.noTwoWayCountry });

    const err = await caught(() => enable(request));

    expect(err.name).toBe('NumberNotEligible');
    expect(err.message).toContain('TWO_WAY_NOT_SUPPORTED_IN_COUNTRY');
    expect(numberOf(env, DEMO.numbers.noTwoWayCountry).TwoWayEnabled).toBe(false);
  });

  it('turns a missing topic (TWO_WAY_TOPIC_NOT_PRESENT) into DestinationNotUsable', async () => {
    const request = snsRequest({ destination: { type: 'sns', topic: { arn: `arn:aws:sns:us-east-1:${ACCOUNT}:no-such-topic` }, access: { type: 'topicPolicy' } } });

    const err = await caught(() => enable(request));

    expect(err.name).toBe('DestinationNotUsable');
    expect(err.message).toContain('TWO_WAY_TOPIC_NOT_PRESENT');
  });

  it('rethrows throttling as the retryable AwsThrottled, and the audit records the failed call', async () => {
    await control(env.sandbox.url, 'POST', '/_sandbox/faults', { service: 'sms-voice', operation: 'UpdatePhoneNumber', error: 'ThrottlingException', count: 1 });
    const request = snsRequest();

    const err = await caught(() => enable(request));

    expect(err.name).toBe('AwsThrottled');
    const audit = await env.deps.audit.byProvisioning(request.provisioningId);
    expect(audit.at(-1)).toMatchObject({ phase: 'outcome', outcome: 'failed', error: { name: 'ThrottlingException' } });
  });

  it('rejects a request whose role is not known yet (EnsureAccess has no result)', async () => {
    const request = snsRequest({ destination: { type: 'sns', topic: { arn: TOPIC_ARN }, access: { type: 'role', role: { create: {} } } } });
    const since = await env.lastSeq();

    const err = await caught(() => enable(request));

    expect(err.name).toBe('InvalidInput');
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });
});
