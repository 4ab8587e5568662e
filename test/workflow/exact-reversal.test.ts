import { UpdatePhoneNumberCommand, UpdatePoolCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { DeleteRolePermissionsBoundaryCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, UntagResourceCommand } from '@aws-sdk/client-kms';
import { CreateTopicCommand, SetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { DEMO } from '../../local/sandbox/seed';
import { RETAINED_ROLE_REASON } from '../../tasks/lib/reversibility';
import { defaultTopicPolicy, keyPolicyStatement, mergeStatement, topicPolicyStatement } from '../../tasks/lib/policy';
import { startWorkflowEnv, type WorkflowEnv } from '../support/workflow';
import {
  ACCOUNT,
  connectDestination,
  demoPool,
  deprovision,
  freshState,
  inbound,
  newNumber,
  numberOf,
  originalError,
  provision,
  REGION,
  roleRecord,
  ROLLBACK_STATES,
  setFault,
  clearFaults,
  sns,
  unique,
} from './support/harness';

/**
 * Issue 8 §1: AWS cannot clear TwoWayChannelRole, so an undo must never delete a role the number still names,
 * and must end with the number delivering at least as before (the sandbox's inbound simulation is the judge),
 * or fail loudly. Reproductions A (deprovisioning, number and pool), B (Connect rollback) and C (a number that
 * once had a role is never refused for ever), each asserting delivery before and after.
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

/** A standard topic whose policy lets sms-voice.amazonaws.com publish (the no-role path), made outside the service. */
async function topicPolicyTopic(): Promise<string> {
  const name = unique('own');
  const arn = (await env.deps.sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
  const policy = mergeStatement(JSON.stringify(defaultTopicPolicy({ accountId: ACCOUNT, topicArn: arn })), topicPolicyStatement({ accountId: ACCOUNT, region: REGION, partition: 'aws', topicArn: arn })).document;
  await env.deps.sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Policy', AttributeValue: policy }));
  return arn;
}

/** Enables two-way on a number with the AWS API directly (as the console or CLI would), through the topic policy. */
async function enableByHand(numberId: string, topicArn: string): Promise<void> {
  await env.deps.sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: numberId, TwoWayEnabled: true, TwoWayChannelArn: topicArn }));
}

async function expectDeliveredTo(e164: string, topicArn: string): Promise<void> {
  const out = await inbound(env, e164);
  expect(out).toMatchObject({ delivered: true, channel: 'sns', destination: topicArn });
}

async function ledgerRole(provisioningId: string) {
  return env.deps.ledger.get(provisioningId, 'role');
}

describe('reproduction A: deprovisioning a provisioning that added a role', () => {
  it('phone number: keeps the role the number still names, points it at the original topic, and inbound still arrives there', async () => {
    const n = await newNumber(env);
    const original = await topicPolicyTopic();
    await enableByHand(n.id, original);
    await expectDeliveredTo(n.e164, original);

    const created = unique('new');
    const p = provision({ phoneNumberId: n.id }, sns.newTopicNewRole(created));
    const run = await env.run('provision', p);
    expect(run.status).toBe('SUCCEEDED');
    const role = numberOf(env, n.e164).TwoWayChannelRole!;
    expect(role).toMatch(/^arn:aws:iam::123456789012:role\/two-way-sms\//);

    const d = await env.run('deprovision', deprovision({ phoneNumberId: n.id }));
    expect(d.status).toBe('SUCCEEDED');
    expect(d.states).toContain('CheckRestored');

    const after = numberOf(env, n.e164);
    expect(after).toMatchObject({ TwoWayEnabled: true, TwoWayChannelArn: original, TwoWayChannelRole: role });
    const kept = roleRecord(env, role);
    expect(kept).toBeDefined();
    // Only what the restored destination needs: publish to the original topic, nothing for the deleted one.
    const policies = JSON.stringify(kept!.InlinePolicies ?? kept);
    expect(policies).toContain(original);
    expect(policies).not.toContain(`:${created}`);
    await expectDeliveredTo(n.e164, original);

    const entry = await ledgerRole(p.provisioningId);
    expect(entry).toMatchObject({ status: 'undone', data: { retained: true } });
    expect(String(entry!.data.kept)).toContain(RETAINED_ROLE_REASON);
    const notes = (await env.deps.audit.byPhoneNumber(n.id)).filter((a) => a.phase === 'note').map((a) => a.note ?? '');
    expect(notes.some((x) => x.startsWith('not exactly reversible'))).toBe(true);
    expect(notes.some((x) => x.includes(RETAINED_ROLE_REASON))).toBe(true);
  });

  it('pool: keeps the role the pool still names and inbound to a member still reaches the original topic', async () => {
    const pool = demoPool(env);
    const original = await topicPolicyTopic();
    await env.deps.sms.send(new UpdatePoolCommand({ PoolId: pool.PoolId, TwoWayEnabled: true, TwoWayChannelArn: original }));
    await expectDeliveredTo(DEMO.numbers.pooled, original);

    const p = provision({ poolId: pool.PoolId }, sns.newTopicNewRole(unique('new')));
    expect((await env.run('provision', p)).status).toBe('SUCCEEDED');
    const role = demoPool(env).TwoWayChannelRole!;

    const d = await env.run('deprovision', deprovision({ poolId: pool.PoolId }));
    expect(d.status).toBe('SUCCEEDED');
    expect(demoPool(env)).toMatchObject({ TwoWayEnabled: true, TwoWayChannelArn: original, TwoWayChannelRole: role });
    expect(roleRecord(env, role)).toBeDefined();
    await expectDeliveredTo(DEMO.numbers.pooled, original);
  });
});

describe('a retained role that may not be changed', () => {
  it('fails the undo at UndoAccess saying how to give the role the boundary (a role created before the boundary existed), and a redrive then finishes', async () => {
    const n = await newNumber(env);
    const original = await topicPolicyTopic();
    await enableByHand(n.id, original);
    expect((await env.run('provision', provision({ phoneNumberId: n.id }, sns.newTopicNewRole(unique('new'))))).status).toBe('SUCCEEDED');
    // A role as an older version created it, with no boundary; IAM then denies the re-pointing PutRolePolicy, as it
    // does on AWS when the task role's grant requires the boundary.
    const roleName = numberOf(env, n.e164).TwoWayChannelRole!.split('/').at(-1)!;
    await env.deps.iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: roleName }));
    await setFault(env, { service: 'iam', operation: 'PutRolePolicy', error: 'AccessDenied', count: 100 });

    const failed = await env.run('deprovision', deprovision({ phoneNumberId: n.id }));

    expect(failed.error).toBe('CompensationFailed');
    expect(failed.failedState?.name).toBe('UndoAccess');
    expect(failed.cause).toContain('aws iam put-role-permissions-boundary --role-name TwoWaySms-');
    expect(failed.cause).toContain('--permissions-boundary arn:aws:iam::123456789012:policy/');
    // Nothing is deleted under the number meanwhile: it still names an existing role.
    expect(roleRecord(env, numberOf(env, n.e164).TwoWayChannelRole!)).toBeDefined();

    await clearFaults(env);
    const redriven = await env.run('deprovision', deprovision({ phoneNumberId: n.id }), { executionArn: failed.executionArn, startAt: failed.failedState! });
    expect(redriven.status).toBe('SUCCEEDED');
    await expectDeliveredTo(n.e164, original);
  });

  it('does not blame a missing boundary when the role has it: the denial is reported as it is', async () => {
    const n = await newNumber(env);
    await enableByHand(n.id, await topicPolicyTopic());
    expect((await env.run('provision', provision({ phoneNumberId: n.id }, sns.newTopicNewRole(unique('new'))))).status).toBe('SUCCEEDED');
    await setFault(env, { service: 'iam', operation: 'PutRolePolicy', error: 'AccessDenied', count: 100 });

    const failed = await env.run('deprovision', deprovision({ phoneNumberId: n.id }));

    expect(failed.error).toBe('CompensationFailed');
    expect(failed.cause).toContain('AccessDenied');
    expect(failed.cause).not.toContain('put-role-permissions-boundary');
  });
});

describe('reproduction B: a Connect rollback after two-way was set', () => {
  it('keeps the Connect role the number still names, re-pointed at the original topic: ROLLED_BACK and inbound still delivered', async () => {
    const n = await newNumber(env);
    const original = await topicPolicyTopic();
    await enableByHand(n.id, original);
    await expectDeliveredTo(n.e164, original);

    await setFault(env, { service: 'connect', operation: 'ImportPhoneNumber', error: 'AccessDeniedException', count: 1 });
    const p = provision({ phoneNumberId: n.id }, connectDestination(env));
    const run = await env.run('provision', p);
    expect(originalError(run).name).not.toBe('');
    expect(run.states.slice(-ROLLBACK_STATES.length)).toEqual(ROLLBACK_STATES);

    const after = numberOf(env, n.e164);
    expect(after.TwoWayChannelArn).toBe(original);
    expect(after.TwoWayChannelRole).toBeDefined();
    expect(roleRecord(env, after.TwoWayChannelRole!)).toBeDefined();
    await expectDeliveredTo(n.e164, original);
  });
});

describe('reproduction C: a number that once had a role is never refused for ever', () => {
  it('after a Connect rollback on a number without two-way, a topic-policy request is refused naming what to send, and that request succeeds reusing the role', async () => {
    const n = await newNumber(env);
    expect((await inbound(env, n.e164)).delivered).toBe(false);

    await setFault(env, { service: 'connect', operation: 'ImportPhoneNumber', error: 'AccessDeniedException', count: 1 });
    const failed = await env.run('provision', provision({ phoneNumberId: n.id }, connectDestination(env)));
    expect(failed.error).toBe('RolledBack');
    const role = numberOf(env, n.e164).TwoWayChannelRole!;
    expect(numberOf(env, n.e164).TwoWayEnabled).toBe(false);
    expect(roleRecord(env, role)).toBeDefined();
    // It did not deliver before, and does not now: no worse.
    expect((await inbound(env, n.e164)).delivered).toBe(false);

    const topic = await topicPolicyTopic();
    const refused = await env.run('provision', provision({ phoneNumberId: n.id }, sns.existingTopicPolicy(topic)));
    const why = originalError(refused);
    expect(why.name).toBe('DestinationNotUsable');
    expect(why.message).toContain('"access": {"type": "role", "role": {"create": {}}}');
    expect(why.message).toContain(role);

    const ok = await env.run('provision', provision({ phoneNumberId: n.id }, sns.existingTopicNewRole(topic)));
    expect(ok.status).toBe('SUCCEEDED');
    expect(numberOf(env, n.e164)).toMatchObject({ TwoWayEnabled: true, TwoWayChannelArn: topic, TwoWayChannelRole: role });
    await expectDeliveredTo(n.e164, topic);
  });

  it('takes a kept role back only when no other number names it: another number set up by hand keeps delivering', async () => {
    const n = await newNumber(env);
    const original = await topicPolicyTopic();
    await enableByHand(n.id, original);
    expect((await env.run('provision', provision({ phoneNumberId: n.id }, sns.newTopicNewRole(unique('new'))))).status).toBe('SUCCEEDED');
    expect((await env.run('deprovision', deprovision({ phoneNumberId: n.id }))).status).toBe('SUCCEEDED');
    const kept = numberOf(env, n.e164).TwoWayChannelRole!;
    // Someone points a second number at the kept role by hand, on the same topic.
    const other = await newNumber(env);
    await env.deps.sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: other.id, TwoWayEnabled: true, TwoWayChannelArn: original, TwoWayChannelRole: kept }));
    await expectDeliveredTo(other.e164, original);

    const topic = await topicPolicyTopic();
    const again = await env.run('provision', provision({ phoneNumberId: n.id }, sns.existingTopicNewRole(topic)));

    expect(again.status).toBe('SUCCEEDED');
    const now = numberOf(env, n.e164).TwoWayChannelRole!;
    expect(now).not.toBe(kept);
    await expectDeliveredTo(n.e164, topic);
    await expectDeliveredTo(other.e164, original);
  });

  it('a kept Connect role taken back for a topic keeps only the topic permission', async () => {
    const n = await newNumber(env);
    await setFault(env, { service: 'connect', operation: 'ImportPhoneNumber', error: 'AccessDeniedException', count: 1 });
    expect((await env.run('provision', provision({ phoneNumberId: n.id }, connectDestination(env)))).error).toBe('RolledBack');
    const kept = numberOf(env, n.e164).TwoWayChannelRole!;
    expect(Object.keys(roleRecord(env, kept)!.InlinePolicies)).toEqual(['two-way-connect-send']);

    const topic = await topicPolicyTopic();
    expect((await env.run('provision', provision({ phoneNumberId: n.id }, sns.existingTopicNewRole(topic)))).status).toBe('SUCCEEDED');

    expect(numberOf(env, n.e164).TwoWayChannelRole).toBe(kept);
    expect(Object.keys(roleRecord(env, kept)!.InlinePolicies)).toEqual(['two-way-sns-publish']);
    await expectDeliveredTo(n.e164, topic);
  });

  it('pool: after a deprovisioning leaves the pool naming a role, the role path provisions it again', async () => {
    const pool = demoPool(env);
    const first = await env.run('provision', provision({ poolId: pool.PoolId }, sns.newTopicNewRole(unique('first'))));
    expect(first.status).toBe('SUCCEEDED');
    expect((await env.run('deprovision', deprovision({ poolId: pool.PoolId }))).status).toBe('SUCCEEDED');
    const role = demoPool(env).TwoWayChannelRole!;
    expect(roleRecord(env, role)).toBeDefined();

    const topic = await topicPolicyTopic();
    const refused = await env.run('provision', provision({ poolId: pool.PoolId }, sns.existingTopicPolicy(topic)));
    expect(originalError(refused).message).toContain('{"type": "role", "role": {"create": {}}}');
    const ok = await env.run('provision', provision({ poolId: pool.PoolId }, sns.existingTopicNewRole(topic)));
    expect(ok.status).toBe('SUCCEEDED');
    await expectDeliveredTo(DEMO.numbers.pooled, topic);
  });
});

describe('a retained role and an encrypted topic whose key trusts only the service principal', () => {
  /** A number delivering to an encrypted topic through the topic and key policies alone (no role). */
  async function encryptedSetup(optedIn: boolean) {
    const n = await newNumber(env);
    const where = { accountId: ACCOUNT, region: REGION, partition: 'aws' };
    // The key lets the account administer it but grants data-key use only to sms-voice.amazonaws.com: no IAM
    // policy of a role can grant that use, only a statement in the key policy naming the role.
    const keyPolicy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:DescribeKey', 'kms:ListResourceTags', 'kms:TagResource', 'kms:UntagResource'], Resource: '*' },
        keyPolicyStatement(where),
      ],
    };
    const key = await env.deps.kms.send(new CreateKeyCommand({ Policy: JSON.stringify(keyPolicy), ...(optedIn ? { Tags: [{ TagKey: 'two-way-sms:allow', TagValue: 'true' }] } : {}) }));
    const topic = await topicPolicyTopic();
    await env.deps.sns.send(new SetTopicAttributesCommand({ TopicArn: topic, AttributeName: 'KmsMasterKeyId', AttributeValue: key.KeyMetadata!.Arn! }));
    await enableByHand(n.id, topic);
    await expectDeliveredTo(n.e164, topic);
    await setFault(env, { service: 'connect', operation: 'ImportPhoneNumber', error: 'AccessDeniedException', count: 1 });
    return { n, topic, keyArn: key.KeyMetadata!.Arn! };
  }

  it('opted-in key: the Connect rollback adds a key statement for the retained role, ends ROLLED_BACK, and inbound is delivered', async () => {
    const { n, topic, keyArn } = await encryptedSetup(true);
    const run = await env.run('provision', provision({ phoneNumberId: n.id }, connectDestination(env)));
    expect(run.error).toBe('RolledBack');
    const role = numberOf(env, n.e164).TwoWayChannelRole!;
    const policy = JSON.parse(env.sandbox.sandbox.state.kms.keys[keyArn.split('/')[1]!]!.Policy) as { Statement: { Principal?: { AWS?: string } }[] };
    expect(policy.Statement.some((st) => st.Principal?.AWS === role)).toBe(true);
    await expectDeliveredTo(n.e164, topic);
  });

  it('key policy unreadable by the service: the undo says which statement to add by hand, and CheckRestored ends it ROLLBACK_FAILED', async () => {
    const { n, keyArn } = await encryptedSetup(true);
    // ValidateNumber read the key policy twice (the verdict, the undo's opt-in check); the next read is UndoAccess's,
    // which KMS denies (as it does on AWS when the key policy delegates neither to the account nor to the task role).
    await setFault(env, { service: 'kms', operation: 'GetKeyPolicy', error: 'AccessDeniedException', count: 1, afterCalls: 2 });
    const run = await env.run('provision', provision({ phoneNumberId: n.id }, connectDestination(env)));
    expect(run.error).toBe('DeliveryNotRestored');
    const role = numberOf(env, n.e164).TwoWayChannelRole!;
    const retained = (await env.deps.audit.byPhoneNumber(n.id)).find((a) => a.action === 'two-way-sms:RetainRole')?.note ?? '';
    expect(retained).toContain(`add this statement to it by hand: {"Sid":"SMSVoiceTwoWayRole`);
    expect(retained).toContain(`"Principal":{"AWS":"${role}"}`);
    expect(retained).toContain(keyArn);
  });

  it('key not opted in: refused by ValidateNumber before anything changes, since an undo could not give the number back its delivery', async () => {
    const { n, keyArn } = await encryptedSetup(false);
    await clearFaults(env);
    const since = await env.lastSeq();

    const run = await env.run('provision', provision({ phoneNumberId: n.id }, connectDestination(env)));

    const why = originalError(run);
    expect(why.name).toBe('NotOptedIn');
    expect(why.message).toContain(`aws kms tag-resource --key-id ${keyArn}`);
    expect(why.message).toContain('an undo of this provisioning could not give the number back its inbound SMS');
    expect((await env.calls(since)).filter((c) => c.mutating)).toEqual([]);
    expect(numberOf(env, n.e164).TwoWayChannelRole).toBeUndefined();
  });

  it('key opted in, then the opt-in withdrawn before the undo: nothing is written to the key, and the execution ends ROLLBACK_FAILED at CheckRestored saying why', async () => {
    const { n, keyArn } = await encryptedSetup(true);
    await clearFaults(env);
    expect((await env.run('provision', provision({ phoneNumberId: n.id }, connectDestination(env)))).status).toBe('SUCCEEDED');
    await env.deps.kms.send(new UntagResourceCommand({ KeyId: keyArn, TagKeys: ['two-way-sms:allow'] }));
    const keyBefore = env.sandbox.sandbox.state.kms.keys[keyArn.split('/')[1]!]!.Policy;

    const run = await env.run('deprovision', deprovision({ phoneNumberId: n.id }));

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('DeliveryNotRestored');
    expect(run.states.at(-1)).toBe('CheckRestored');
    expect(run.cause).toContain('delivered inbound SMS before provisioning');
    expect(run.cause).toContain(keyArn);
    expect(env.sandbox.sandbox.state.kms.keys[keyArn.split('/')[1]!]!.Policy).toBe(keyBefore);
    // The role is kept all the same: the number is never left naming a deleted role.
    expect(roleRecord(env, numberOf(env, n.e164).TwoWayChannelRole!)).toBeDefined();
    const kept = (await env.deps.audit.byPhoneNumber(n.id)).find((a) => a.action === 'two-way-sms:RetainRole')?.note ?? '';
    expect(kept).toContain('add this statement to it by hand');
  });
});
