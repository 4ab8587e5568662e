import { DEMO } from '../../../local/sandbox/seed';
import { finishDeprovisioning } from '../../../tasks/finish-deprovisioning/finish-deprovisioning';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { caught, deprovisionRequest, executionArnOf, mutatingCallsSince, numberOf, TOPIC_ARN, taskEvent } from './number-fixtures';

describe('FinishDeprovisioning', () => {
  let env: WorkflowEnv;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  const owner = (targetId: string, provisioningId: string) =>
    env.deps.active.set({ targetId, provisioningId, destination: {}, config: { enabled: true, channelArn: TOPIC_ARN }, since: new Date().toISOString() });
  const finishEvent = (provisioningId: string, request = deprovisionRequest()) =>
    taskEvent(request, { executionArn: executionArnOf('deprovision-two-way'), undo: { provisioningId, mode: 'deprovision' } });

  it('clears the number’s owner pointer and reports the provisioning removed', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    await owner(number.PhoneNumberId, 'prov-removed-0001');
    const since = await env.lastSeq();

    const out = await finishDeprovisioning(finishEvent('prov-removed-0001'), env.deps);

    expect(out).toEqual({ deprovisioned: 'prov-removed-0001' });
    expect(await env.deps.active.get(number.PhoneNumberId)).toBeUndefined();
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('leaves a newer provisioning’s pointer alone', async () => {
    const number = numberOf(env, DEMO.numbers.tenDlc);
    await owner(number.PhoneNumberId, 'prov-newer-0001');

    const out = await finishDeprovisioning({ ...finishEvent('prov-older-0001', deprovisionRequest({ phoneNumberId: DEMO.numbers.tenDlc })), results: { lock: { owner: 'x', leaseUntil: 'y', targetId: number.PhoneNumberId } } }, env.deps);

    expect(out).toEqual({ deprovisioned: 'prov-older-0001' });
    expect((await env.deps.active.get(number.PhoneNumberId))?.provisioningId).toBe('prov-newer-0001');
  });

  it('is idempotent when run again', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    await owner(number.PhoneNumberId, 'prov-twice-0001');
    await finishDeprovisioning(finishEvent('prov-twice-0001'), env.deps);

    const again = await finishDeprovisioning(finishEvent('prov-twice-0001'), env.deps);

    expect(again).toEqual({ deprovisioned: 'prov-twice-0001' });
  });

  it('requires the provisioning FindProvisioning named', async () => {
    const err = await caught(() => finishDeprovisioning(taskEvent(deprovisionRequest(), { executionArn: executionArnOf('deprovision-two-way') }), env.deps));

    expect(err.name).toBe('InvalidInput');
    expect(err.field).toBe('undo.provisioningId');
  });
});
