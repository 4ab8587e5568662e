import { UpdatePhoneNumberCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { DEMO } from '../../../local/sandbox/seed';
import { enableTwoWay } from '../../../tasks/enable-two-way/enable-two-way';
import type { TaskEvent } from '../../../tasks/lib/context';
import { undoTwoWay } from '../../../tasks/undo-two-way/undo-two-way';
import { validateNumber } from '../../../tasks/validate-number/validate-number';
import { control } from '../../support/sandbox';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import {
  caught,
  demoPool,
  deprovisionRequest,
  executionArnOf,
  FIFO_TOPIC_ARN,
  MISSING_PUBLISH_ROLE_ARN,
  mutatingCallsSince,
  numberOf,
  resetSandbox,
  ROLE_ARN,
  snsRequest,
  taskEvent,
  TOPIC_ARN,
  type RequestInput,
} from './number-fixtures';

describe('UndoTwoWay', () => {
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

  async function provision(request: RequestInput) {
    const number = await validateNumber(taskEvent(request), env.deps);
    await enableTwoWay(taskEvent(request, { results: { number } }), env.deps);
    return number;
  }

  const rollbackEvent = (request: RequestInput): TaskEvent => taskEvent(request, { state: 'UndoTwoWay', undo: { provisioningId: request.provisioningId, mode: 'rollback' } });

  it('restores a number that had two-way off, audited, and marks the ledger undone', async () => {
    const request = snsRequest();
    const number = await provision(request);

    const out = await undoTwoWay(rollbackEvent(request), env.deps);

    expect(out).toEqual({ undone: [`restored phone number ${number.id} to two-way disabled`], kept: [] });
    expect(numberOf(env, DEMO.numbers.longCode).TwoWayEnabled).toBe(false);
    expect((await env.deps.ledger.get(request.provisioningId, 'twoWay'))?.status).toBe('undone');
    const audit = await env.deps.audit.byProvisioning(request.provisioningId);
    expect(audit.filter((a) => a.step === 'UndoTwoWay').map((a) => [a.phase, a.action])).toEqual([
      ['intent', 'sms-voice:UpdatePhoneNumber'],
      ['outcome', 'sms-voice:UpdatePhoneNumber'],
    ]);
  });

  it('is a no-op when run again', async () => {
    const request = snsRequest();
    await provision(request);
    await undoTwoWay(rollbackEvent(request), env.deps);
    const since = await env.lastSeq();

    const out = await undoTwoWay(rollbackEvent(request), env.deps);

    expect(out).toEqual({ undone: [], kept: [] });
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('is a no-op when EnableTwoWay never ran (even for a request that failed validation)', async () => {
    const since = await env.lastSeq();

    const out = await undoTwoWay(taskEvent({ provisioningId: 'never-ran-0001' }, { undo: { provisioningId: 'never-ran-0001', mode: 'rollback' } }), env.deps);

    expect(out).toEqual({ undone: [], kept: [] });
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('is a no-op when the settings were already in place (skipped)', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    await env.deps.sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: number.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: TOPIC_ARN, TwoWayChannelRole: ROLE_ARN }));
    const request = snsRequest();
    await provision(request);
    const since = await env.lastSeq();

    const out = await undoTwoWay(rollbackEvent(request), env.deps);

    expect(out).toEqual({ undone: [], kept: [] });
    expect(number.TwoWayEnabled).toBe(true);
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('leaves settings someone changed since, and reports the conflict', async () => {
    const request = snsRequest();
    const number = await provision(request);
    const other = (await env.deps.sns.send(new CreateTopicCommand({ Name: 'changed-by-hand' }))).TopicArn!;
    await env.deps.sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: number.id, TwoWayChannelArn: other }));
    const since = await env.lastSeq();

    const out = await undoTwoWay(rollbackEvent(request), env.deps);

    expect(out.undone).toEqual([]);
    expect(out.kept).toHaveLength(1);
    expect(out.kept[0]).toContain(`was changed after provisioning ${request.provisioningId}`);
    expect(out.kept[0]).toContain(other);
    expect(numberOf(env, DEMO.numbers.longCode).TwoWayChannelArn).toBe(other);
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('restores an earlier two-way destination with its channel and role', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    await env.deps.sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: number.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: FIFO_TOPIC_ARN, TwoWayChannelRole: MISSING_PUBLISH_ROLE_ARN }));
    const request = snsRequest();
    await provision(request);
    expect(number.TwoWayChannelArn).toBe(TOPIC_ARN);

    const out = await undoTwoWay(rollbackEvent(request), env.deps);

    expect(out.kept).toEqual([]);
    expect([number.TwoWayEnabled, number.TwoWayChannelArn, number.TwoWayChannelRole]).toEqual([true, FIFO_TOPIC_ARN, MISSING_PUBLISH_ROLE_ARN]);
  });

  it('reports in kept the role the API cannot clear when the earlier settings had none', async () => {
    const number = numberOf(env, DEMO.numbers.longCode);
    await env.deps.sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: number.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: FIFO_TOPIC_ARN }));
    const request = snsRequest();
    await provision(request);

    const out = await undoTwoWay(rollbackEvent(request), env.deps);

    expect(number.TwoWayChannelArn).toBe(FIFO_TOPIC_ARN);
    expect(out.undone).toHaveLength(1);
    expect(out.kept).toEqual([expect.stringContaining(`keeps TwoWayChannelRole ${ROLE_ARN}`)]);
  });

  it('restores a pool with UpdatePool', async () => {
    const pool = demoPool(env);
    const request = snsRequest({ poolId: pool.PoolId });
    await provision(request);

    await undoTwoWay(rollbackEvent(request), env.deps);

    expect(pool.TwoWayEnabled).toBe(false);
    expect(numberOf(env, DEMO.numbers.pooled).TwoWayEnabled).toBe(false);
  });

  it('in deprovision mode undoes the named provisioning and audits under the deprovisioning request', async () => {
    const provisioning = snsRequest();
    const number = await provision(provisioning);
    const deprovisioning = deprovisionRequest();
    const event = taskEvent(deprovisioning, { executionArn: executionArnOf('deprovision-two-way'), state: 'UndoTwoWay', undo: { provisioningId: provisioning.provisioningId, mode: 'deprovision' } });

    const out = await undoTwoWay(event, env.deps);

    expect(out.undone).toHaveLength(1);
    expect(numberOf(env, DEMO.numbers.longCode).TwoWayEnabled).toBe(false);
    expect((await env.deps.ledger.get(provisioning.provisioningId, 'twoWay'))?.status).toBe('undone');
    const audit = await env.deps.audit.byProvisioning(deprovisioning.provisioningId);
    expect(audit.map((a) => [a.phase, a.action, a.actor, a.phoneNumberId])).toEqual([
      ['intent', 'sms-voice:UpdatePhoneNumber', deprovisioning.requestedBy, number.id],
      ['outcome', 'sms-voice:UpdatePhoneNumber', deprovisioning.requestedBy, number.id],
    ]);
  });

  it('rethrows throttling as retryable, leaving the ledger entry to undo on retry', async () => {
    const request = snsRequest();
    await provision(request);
    await control(env.sandbox.url, 'POST', '/_sandbox/faults', { service: 'sms-voice', operation: 'UpdatePhoneNumber', error: 'ThrottlingException', count: 1 });

    const err = await caught(() => undoTwoWay(rollbackEvent(request), env.deps));

    expect(err.name).toBe('AwsThrottled');
    expect((await env.deps.ledger.get(request.provisioningId, 'twoWay'))?.status).toBe('done');
    await expect(undoTwoWay(rollbackEvent(request), env.deps)).resolves.toMatchObject({ undone: [expect.stringContaining('restored')] });
  });

  it('fails with CompensationFailed listing what is left when AWS refuses the restore', async () => {
    const request = snsRequest();
    await provision(request);
    await control(env.sandbox.url, 'POST', '/_sandbox/faults', { service: 'sms-voice', operation: 'UpdatePhoneNumber', error: 'ValidationException', reason: 'INVALID_PARAMETER', count: 1 });

    const err = await caught(() => undoTwoWay(rollbackEvent(request), env.deps));

    expect(err.name).toBe('CompensationFailed');
    expect(err.message).toContain(`ledger entry twoWay of provisioning ${request.provisioningId}`);
    expect(numberOf(env, DEMO.numbers.longCode).TwoWayEnabled).toBe(true);
  });
});
