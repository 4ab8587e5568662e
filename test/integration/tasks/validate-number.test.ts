import { randomUUID } from 'node:crypto';
import { UpdatePhoneNumberCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { DEMO } from '../../../local/sandbox/seed';
import type { BeforeImage } from '../../../tasks/lib/number';
import { validateNumber } from '../../../tasks/validate-number/validate-number';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import {
  ACCOUNT,
  caught,
  connectInstance,
  demoPool,
  mutatingCallsSince,
  numberOf,
  ROLE_ARN,
  snsRequest,
  taskEvent,
  TOPIC_ARN,
  type RequestInput,
} from './number-fixtures';

describe('ValidateNumber', () => {
  let env: WorkflowEnv;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  const connectDestination = (instanceId: string) => ({ type: 'connect', instanceId, role: { arn: ROLE_ARN } });

  /** Runs the task expecting a rejection; asserts it made no mutating AWS call. */
  async function refused(request: RequestInput) {
    const since = await env.lastSeq();
    const err = await caught(() => validateNumber(taskEvent(request), env.deps));
    expect(await mutatingCallsSince(env, since)).toEqual([]);
    return err;
  }

  it('describes an eligible number and records its before-image in the ledger, making no mutating call', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    const request = snsRequest();
    const since = await env.lastSeq();

    const out = await validateNumber(taskEvent(request), env.deps);

    expect(out).toEqual({
      kind: 'phone-number',
      id: number.PhoneNumberId,
      arn: number.PhoneNumberArn,
      e164: DEMO.numbers.longCode,
      isoCountryCode: 'US',
      numberType: 'LONG_CODE',
      accountId: ACCOUNT,
      region: 'us-east-1',
      partition: 'aws',
      beforeImage: { enabled: false },
      deliveredBefore: false,
      notReversible: [expect.stringMatching(/^not exactly reversible: .*TwoWayChannelRole/), expect.stringMatching(/^not exactly reversible: .*TwoWayChannelArn/)],
    });
    const image = await env.deps.ledger.get<BeforeImage>(request.provisioningId, 'beforeImage');
    expect(image?.status).toBe('done');
    expect(image?.data).toEqual({
      kind: 'phone-number',
      id: number.PhoneNumberId,
      arn: number.PhoneNumberArn,
      config: { enabled: false },
      verdict: { deliverable: false, reason: expect.stringContaining('two-way SMS is not enabled') },
      notReversibleAudited: true,
    });
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('keeps the first before-image when re-run after the number changed', async () => {
    const number = numberOf(env, DEMO.numbers.tenDlc);
    const request = snsRequest({ phoneNumberId: DEMO.numbers.tenDlc });
    await validateNumber(taskEvent(request), env.deps);
    await env.deps.sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: number.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: TOPIC_ARN, TwoWayChannelRole: ROLE_ARN }));

    const again = await validateNumber(taskEvent(request), env.deps);

    expect(again.beforeImage).toEqual({ enabled: false });
    expect((await env.deps.ledger.get<BeforeImage>(request.provisioningId, 'beforeImage'))?.data.config).toEqual({ enabled: false });
    await env.deps.sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: number.PhoneNumberId, TwoWayEnabled: false }));
  });

  it('uses the id AcquireLock resolved instead of listing numbers again', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    const request = snsRequest();
    const since = await env.lastSeq();

    await validateNumber(taskEvent(request, { results: { lock: { owner: 'x', leaseUntil: 'y', targetId: number.PhoneNumberId } } }), env.deps);

    const listings = (await env.calls(since)).filter((c) => c.operation === 'DescribePhoneNumbers');
    expect(listings).toHaveLength(1);
  });

  it('validates a pool target and records the pool’s before-image', async () => {
    const pool = demoPool(env);
    const request = snsRequest({ poolId: pool.PoolId });

    const out = await validateNumber(taskEvent(request), env.deps);

    expect(out).toMatchObject({ kind: 'pool', id: pool.PoolId, arn: pool.PoolArn, isoCountryCode: 'US', beforeImage: { enabled: false } });
    expect((await env.deps.ledger.get<BeforeImage>(request.provisioningId, 'beforeImage'))?.data.kind).toBe('pool');
  });

  it('accepts a SIMULATOR number with an SNS destination', async () => {
    const out = await validateNumber(taskEvent(snsRequest({ phoneNumberId: DEMO.numbers.simulator })), env.deps);

    expect(out.numberType).toBe('SIMULATOR');
  });

  it('accepts a Connect destination in the number’s region', async () => {
    const out = await validateNumber(taskEvent(snsRequest({ destination: connectDestination(connectInstance(env).Id) })), env.deps);

    expect(out.kind).toBe('phone-number');
  });

  it('refuses a PENDING number with a clear error', async () => {
    const err = await refused(snsRequest({ phoneNumberId: DEMO.numbers.pending }));

    expect(err.name).toBe('NumberNotEligible');
    expect(err.message).toBe(`phone number ${DEMO.numbers.pending} is PENDING: two-way can be enabled once the number is ACTIVE`);
    expect(err.field).toBe('phoneNumberId');
  });

  it('refuses a pooled number given by itself, saying to provision its pool', async () => {
    const pool = demoPool(env);

    const err = await refused(snsRequest({ phoneNumberId: DEMO.numbers.pooled }));

    expect(err.name).toBe('NumberNotEligible');
    expect(err.message).toContain(`provision the pool instead (poolId ${pool.PoolId})`);
  });

  it('refuses a SIMULATOR number with a Connect destination', async () => {
    const err = await refused(snsRequest({ phoneNumberId: DEMO.numbers.simulator, destination: connectDestination(connectInstance(env).Id) }));

    expect(err.name).toBe('NumberNotEligible');
    expect(err.message).toMatch(/SIMULATOR.*Amazon Connect/);
  });

  it('refuses a pool with a Connect destination before anything changes', async () => {
    const pool = demoPool(env);

    const err = await refused(snsRequest({ poolId: pool.PoolId, destination: connectDestination(connectInstance(env).Id) }));

    expect(err.name).toBe('NumberNotEligible');
    expect(err.message).toMatch(/pool; Amazon Connect imports phone numbers, not pools/);
  });

  it('refuses a topic in another region with DestinationNotUsable', async () => {
    const topicArn = TOPIC_ARN.replace('us-east-1', 'us-west-2');

    const err = await refused(snsRequest({ destination: { type: 'sns', topic: { arn: topicArn }, access: { type: 'topicPolicy' } } }));

    expect(err.name).toBe('DestinationNotUsable');
    expect(err.field).toBe('destination.topic.arn');
    expect(err.message).toContain('us-west-2');
  });

  it('refuses a Connect instance ARN of another region', async () => {
    const arn = connectInstance(env).Arn.replace(':us-east-1:', ':eu-west-2:');

    const err = await refused(snsRequest({ destination: connectDestination(arn) }));

    expect(err.name).toBe('DestinationNotUsable');
    expect(err.field).toBe('destination.instanceId');
  });

  it('refuses a Connect instance that does not exist', async () => {
    const err = await refused(snsRequest({ destination: connectDestination(randomUUID()) }));

    expect(err.name).toBe('DestinationNotUsable');
    expect(err.message).toMatch(/does not exist/);
  });

  it('refuses a contact flow the instance does not have, before the import, making no mutating call', async () => {
    const since = await env.lastSeq();

    const err = await refused(snsRequest({ destination: { ...connectDestination(connectInstance(env).Id), contactFlowId: randomUUID() } }));

    expect(err.name).toBe('DestinationNotUsable');
    expect(err.field).toBe('destination.contactFlowId');
    expect(err.message).toMatch(/does not exist in Amazon Connect instance/);
    expect((await env.calls(since)).filter((c) => c.mutating)).toEqual([]);
  });

  it('refuses the topic-policy path on a number that has a role stored (the API cannot clear it)', async () => {
    const number = numberOf(env, DEMO.numbers.tenDlc);
    await env.deps.sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: number.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: TOPIC_ARN, TwoWayChannelRole: ROLE_ARN }));
    await env.deps.sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: number.PhoneNumberId, TwoWayEnabled: false }));

    const err = await refused(snsRequest({ phoneNumberId: DEMO.numbers.tenDlc, destination: { type: 'sns', topic: { arn: TOPIC_ARN }, access: { type: 'topicPolicy' } } }));

    expect(err.name).toBe('DestinationNotUsable');
    expect(err.message).toContain(ROLE_ARN);
  });

  it('marks a repeated provisioning with the same destination as already provisioned', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    const earlier = snsRequest();
    await env.deps.active.set({ targetId: number.PhoneNumberId, provisioningId: earlier.provisioningId, destination: earlier.destination, config: { enabled: true, channelArn: TOPIC_ARN, channelRole: ROLE_ARN }, since: new Date().toISOString() });

    const out = await validateNumber(taskEvent(snsRequest()), env.deps);

    expect(out.alreadyProvisionedBy).toBe(earlier.provisioningId);
    await env.deps.active.clear(number.PhoneNumberId, earlier.provisioningId);
  });

  it('refuses a number provisioned by another provisioning to a different destination', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    const earlier = snsRequest({ destination: { type: 'sns', topic: { arn: TOPIC_ARN }, access: { type: 'topicPolicy' } } });
    await env.deps.active.set({ targetId: number.PhoneNumberId, provisioningId: earlier.provisioningId, destination: earlier.destination, config: { enabled: true, channelArn: TOPIC_ARN }, since: new Date().toISOString() });

    const err = await refused(snsRequest());

    expect(err.name).toBe('NumberNotEligible');
    expect(err.message).toContain(`already provisioned by ${earlier.provisioningId} to a different destination`);
    expect(err.message).toContain('deprovision it first');
    await env.deps.active.clear(number.PhoneNumberId, earlier.provisioningId);
  });

  it('refuses a pool id that does not exist', async () => {
    const err = await refused(snsRequest({ poolId: 'pool-0123456789abcdef0123456789abcdef' }));

    expect(err.name).toBe('NumberNotEligible');
    expect(err.field).toBe('poolId');
  });
});
