import { DEMO } from '../../local/sandbox/seed';
import { KEY_POLICY_SID, TOPIC_POLICY_SID } from '../../tasks/lib/policy';
import { sandboxSnapshot, startWorkflowEnv, type WorkflowEnv } from '../support/workflow';
import {
  demoKey,
  deprovision,
  freshState,
  inbound,
  mutatingSince,
  newNumber,
  originalError,
  provision,
  resultsOf,
  roleRecord,
  setFault,
  sns,
  topicArn,
  topicRecord,
  unique,
} from './support/harness';
import { DEPROVISION_STATES, SNS_STATES } from './support/paths';

/**
 * Shared resources (docs/domain.md §5): several numbers on one topic, one key, one role. Rolling back or
 * deprovisioning one of them must leave the others' inbound delivery working, proved by simulating inbound SMS.
 */

let env: WorkflowEnv;
beforeAll(async () => {
  env = await startWorkflowEnv();
});
afterAll(async () => {
  await env.stop();
});
beforeEach(async () => {
  await freshState(env);
});

const A = DEMO.numbers.longCode;
const B = DEMO.numbers.tenDlc;

async function provisioned(phoneNumberId: string, destination: Record<string, unknown>) {
  const run = await env.run('provision', provision({ phoneNumberId }, destination));
  if (run.status !== 'SUCCEEDED') throw new Error(`provisioning ${phoneNumberId}: ${run.status} ${run.error ?? ''} ${run.cause ?? ''}`);
  expect(run.states).toEqual(SNS_STATES);
  return run;
}

async function expectDelivered(e164: string, arn: string): Promise<void> {
  expect(await inbound(env, e164)).toMatchObject({ delivered: true, channel: 'sns', destination: arn });
}

const sids = (doc: string | undefined): string[] => (JSON.parse(doc!) as { Statement: { Sid?: string }[] }).Statement.map((s) => s.Sid ?? '');

describe('two numbers on one topic and one key (topic policy on a new encrypted topic)', () => {
  it('rolling back the second number leaves the first delivering, and a retry of the second shares everything', async () => {
    const name = unique('wf-shared');
    const destination = sns.newTopicPolicy(name, DEMO.keys.symmetric);
    const first = await provisioned(A, destination);
    const arn = resultsOf(first).topic.arn;
    expect(resultsOf(first).key).toMatchObject({ action: 'added' });
    const afterFirst = sandboxSnapshot(env);

    // The second number asks for the same topic; its own two-way update fails, and it rolls back.
    await setFault(env, { service: 'sms-voice', operation: 'UpdatePhoneNumber', error: 'AccessDeniedException', count: 1 });
    const failed = await env.run('provision', provision({ phoneNumberId: B }, destination));
    expect(originalError(failed).name).toBe('AccessDeniedException');
    expect(sandboxSnapshot(env)).toEqual(afterFirst);
    await expectDelivered(A, arn);

    const since = await env.lastSeq();
    const second = await provisioned(B, destination);
    // Topic adopted, statements already present: only the number changes.
    expect(await mutatingSince(env, since)).toEqual(['sms-voice:UpdatePhoneNumber']);
    expect(resultsOf(second).topic).toMatchObject({ arn, created: false });
    expect(resultsOf(second).access).toMatchObject({ mode: 'topicPolicy', statementAdded: false });
    expect(resultsOf(second).key).toMatchObject({ action: 'present' });
    await expectDelivered(A, arn);
    await expectDelivered(B, arn);
  });

  it('deprovisioning the number that created the topic and the statements leaves the other delivering; the last one out removes them', async () => {
    const name = unique('wf-shared');
    const untouched = sandboxSnapshot(env);
    const first = await provisioned(A, sns.newTopicPolicy(name, DEMO.keys.symmetric));
    const arn = resultsOf(first).topic.arn;
    // The second number is given the topic by ARN.
    await provisioned(B, sns.existingTopicPolicy(arn));
    const keyPolicyBefore = demoKey(env).Policy;

    const run = await env.run('deprovision', deprovision({ phoneNumberId: A }));

    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toEqual(DEPROVISION_STATES);
    expect((await inbound(env, A)).delivered).toBe(false);
    await expectDelivered(B, arn);
    expect(topicRecord(env, arn)).toBeDefined();
    expect(sids(topicRecord(env, arn)!.Attributes.Policy)).toContain(TOPIC_POLICY_SID);
    expect(demoKey(env).Policy).toBe(keyPolicyBefore);
    expect(sids(demoKey(env).Policy)).toContain(KEY_POLICY_SID);

    const second = await env.run('deprovision', deprovision({ phoneNumberId: B }));
    expect(second.status).toBe('SUCCEEDED');
    expect((await inbound(env, B)).delivered).toBe(false);
    // The first provisioning handed the topic and both statements over to the second on leaving, so nothing
    // this service created outlives the numbers that used it.
    expect(topicRecord(env, arn)).toBeUndefined();
    expect(sids(demoKey(env).Policy)).not.toContain(KEY_POLICY_SID);
    expect(sandboxSnapshot(env)).toEqual(untouched);
  });

  it('rolling back a third number on the shared topic and key leaves both others delivering', async () => {
    const name = unique('wf-shared');
    const first = await provisioned(A, sns.newTopicPolicy(name, DEMO.keys.symmetric));
    const arn = resultsOf(first).topic.arn;
    await provisioned(B, sns.existingTopicPolicy(arn));
    const third = await newNumber(env);
    const before = sandboxSnapshot(env);

    await setFault(env, { service: 'sms-voice', operation: 'UpdatePhoneNumber', error: 'AccessDeniedException', count: 1 });
    const failed = await env.run('provision', provision({ phoneNumberId: third.e164 }, sns.existingTopicPolicy(arn)));

    expect(failed.error).toBe('RolledBack');
    expect(sandboxSnapshot(env)).toEqual(before);
    await expectDelivered(A, arn);
    await expectDelivered(B, arn);
    expect((await inbound(env, third.e164)).delivered).toBe(false);
  });
});

describe('two numbers on one created role', () => {
  it('deprovisioning the number whose provisioning created the role keeps the role for the other', async () => {
    const arn = topicArn(DEMO.topics.standard);
    const roleName = unique('wf-shared-role');
    const destination = { type: 'sns', topic: { arn }, access: { type: 'role', role: { create: { name: roleName } } } };
    const first = await provisioned(A, destination);
    const roleArn = resultsOf(first).access.roleArn!;
    const second = await provisioned(B, destination);
    expect(resultsOf(second).access).toMatchObject({ roleArn });
    await expectDelivered(A, arn);
    await expectDelivered(B, arn);

    const run = await env.run('deprovision', deprovision({ phoneNumberId: A }));

    expect(run.status).toBe('SUCCEEDED');
    expect(roleRecord(env, roleArn)).toBeDefined();
    expect((await inbound(env, A)).delivered).toBe(false);
    await expectDelivered(B, arn);

    const last = await env.run('deprovision', deprovision({ phoneNumberId: B }));
    expect(last.status).toBe('SUCCEEDED');
    // Both numbers still name the role (AWS cannot clear TwoWayChannelRole): the last one out keeps it, serving
    // only the topic they name, instead of deleting it under them; no provisioning depends on it any more.
    expect(roleRecord(env, roleArn)).toBeDefined();
    expect(last.output).toBeDefined();
    expect(await env.deps.refs.holders('role', roleArn)).toEqual([]);
  });

  it('a repeated provisioning of an already-provisioned number holds no reference afterwards', async () => {
    const arn = topicArn(DEMO.topics.standard);
    const roleName = unique('wf-repeat-role');
    const destination = { type: 'sns', topic: { arn }, access: { type: 'role', role: { create: { name: roleName } } } };
    const first = await provisioned(A, destination);
    const roleArn = resultsOf(first).access.roleArn!;
    const repeat = await env.run('provision', provision({ phoneNumberId: A }, destination));
    expect(repeat.status).toBe('SUCCEEDED');

    const run = await env.run('deprovision', deprovision({ phoneNumberId: A }));

    expect(run.status).toBe('SUCCEEDED');
    // No reference is left behind by the repeat; the role is kept only because the number still names it.
    expect(await env.deps.refs.holders('role', roleArn)).toEqual([]);
    expect(roleRecord(env, roleArn)).toBeDefined();
    expect(await env.deps.ledger.get(resultsOf(first).number.alreadyProvisionedBy ?? (first.output as { request: { provisioningId: string } }).request.provisioningId, 'role')).toMatchObject({ data: { retained: true } });
  });
});
