import { UpdatePhoneNumberCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { DEMO } from '../../../local/sandbox/seed';
import { enableTwoWay } from '../../../tasks/enable-two-way/enable-two-way';
import { validateNumber } from '../../../tasks/validate-number/validate-number';
import { verify } from '../../../tasks/verify/verify';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { caught, FIFO_TOPIC_ARN, mutatingCallsSince, numberOf, resetSandbox, ROLE_ARN, snsRequest, taskEvent, TOPIC_ARN, type RequestInput } from './number-fixtures';

describe('Verify', () => {
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

  /** The forward steps up to Verify's input (the Ensure steps' results as they would report them). */
  async function provisioned(request: RequestInput) {
    const number = await validateNumber(taskEvent(request), env.deps);
    const results: Record<string, unknown> = { number, topic: { arn: TOPIC_ARN, created: false }, access: { mode: 'role', roleArn: ROLE_ARN, roleCreated: false }, key: { action: 'unencrypted' } };
    results.enable = await enableTwoWay(taskEvent(request, { results }), env.deps);
    return { number, results };
  }

  it('confirms the desired settings, makes the provisioning the number’s owner and lists the references it holds', async () => {
    const request = snsRequest();
    const { number, results } = await provisioned(request);
    await env.deps.refs.add('topic', TOPIC_ARN, request.provisioningId, number.id);
    await env.deps.refs.add('role', ROLE_ARN, 'someone-else-0001', number.id);
    const since = await env.lastSeq();

    const out = await verify(taskEvent(request, { results }), env.deps);

    expect(out).toEqual({ config: { enabled: true, channelArn: TOPIC_ARN, channelRole: ROLE_ARN }, dependsOn: [{ kind: 'topic', resource: TOPIC_ARN }] });
    expect(await env.deps.active.get(number.id)).toMatchObject({ provisioningId: request.provisioningId, destination: request.destination, config: out.config });
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('fails with VerificationFailed naming the field that differs', async () => {
    const request = snsRequest();
    const { number, results } = await provisioned(request);
    await env.deps.sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: number.id, TwoWayChannelArn: FIFO_TOPIC_ARN }));

    const err = await caught(() => verify(taskEvent(request, { results }), env.deps));

    expect(err.name).toBe('VerificationFailed');
    expect(err.message).toContain(`TwoWayChannelArn is ${FIFO_TOPIC_ARN}, expected ${TOPIC_ARN}`);
    expect(err.message).not.toContain('TwoWayChannelRole');
    expect(await env.deps.active.get(number.id)).toBeUndefined();
  });

  it('leaves the earlier owner in place when the number was already provisioned with the same destination', async () => {
    const first = snsRequest();
    const { results: firstResults } = await provisioned(first);
    await verify(taskEvent(first, { results: firstResults }), env.deps);
    const second = snsRequest();
    const { number, results } = await provisioned(second);

    const out = await verify(taskEvent(second, { results }), env.deps);

    expect(number.alreadyProvisionedBy).toBe(first.provisioningId);
    expect(out.config.enabled).toBe(true);
    expect((await env.deps.active.get(number.id))?.provisioningId).toBe(first.provisioningId);
  });

  it('is idempotent: a re-run gives the same result', async () => {
    const request = snsRequest({ phoneNumberId: DEMO.numbers.tenDlc });
    const { results } = await provisioned(request);
    const first = await verify(taskEvent(request, { results }), env.deps);

    const again = await verify(taskEvent(request, { results }), env.deps);

    expect(again).toEqual(first);
    expect(numberOf(env, DEMO.numbers.tenDlc).TwoWayEnabled).toBe(true);
  });
});
