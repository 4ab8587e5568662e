import { PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { ensureAccess } from '../../../tasks/ensure-access/ensure-access';
import { ensureTopic } from '../../../tasks/ensure-topic/ensure-topic';
import { roleKeyStatementSid } from '../../../tasks/lib/key';
import { KEY_POLICY_SID, keyPolicyStatement, mergeStatement } from '../../../tasks/lib/policy';
import { mergeKeyPolicy } from '../../../tasks/merge-key-policy/merge-key-policy';
import { undoKeyPolicy } from '../../../tasks/undo-key-policy/undo-key-policy';
import { control } from '../../support/sandbox';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { auditTrail, createKey, deprovisionRequest, forward, keyRecord, numberResult, refHolders, snsRequest, statementsBySid, undoEvent, uniqueName, type RoleSpec } from './destination-fixtures';
import { ACCOUNT, caught, executionArnOf, mutatingCallsSince, REGION } from './number-fixtures';

const SANDBOX_USER = `arn:aws:iam::${ACCOUNT}:user/sandbox`;

describe('UndoKeyPolicy', () => {
  let env: WorkflowEnv;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });
  afterEach(async () => {
    await control(env.sandbox.url, 'DELETE', '/_sandbox/faults');
  });

  /** EnsureTopic, EnsureAccess and MergeKeyPolicy for a new topic encrypted with `keyArn`. */
  async function merged(keyArn: string, access: { type: 'topicPolicy' } | { type: 'role'; role: RoleSpec } = { type: 'topicPolicy' }) {
    const request = snsRequest({ create: { name: uniqueName('uk'), kmsKeyId: keyArn } }, access);
    const number = numberResult(env);
    const executionArn = executionArnOf();
    const topic = await ensureTopic(forward(request, { number }, executionArn), env.deps);
    const accessResult = await ensureAccess(forward(request, { number, topic }, executionArn), env.deps);
    const key = await mergeKeyPolicy(forward(request, { number, topic, access: accessResult }, executionArn), env.deps);
    return { request, number, topic, access: accessResult, key, results: { number, topic, access: accessResult } };
  }

  const policyOf = (keyArn: string) => keyRecord(env, keyArn)!.Policy;

  it('removes the statement it added, leaving every other statement as it was, and reads it back', async () => {
    const keyArn = await createKey(env);
    const before = policyOf(keyArn);
    const { request, results } = await merged(keyArn);

    const out = await undoKeyPolicy(undoEvent(request, { results }), env.deps);

    expect(out).toEqual({ undone: [`removed key-policy statement ${KEY_POLICY_SID} of ${keyArn}`], kept: [] });
    expect(policyOf(keyArn)).toBe(before);
    expect(await refHolders(env, 'keyStatement', keyArn)).toEqual([]);
    expect((await env.deps.ledger.get(request.provisioningId, 'keyStatement'))?.status).toBe('undone');
    expect((await auditTrail(env, request.provisioningId)).slice(-2)).toEqual(['intent kms:PutKeyPolicy', 'outcome kms:PutKeyPolicy succeeded']);
  });

  it('is a no-op the second time, and when MergeKeyPolicy never ran', async () => {
    const keyArn = await createKey(env);
    const { request } = await merged(keyArn);
    await undoKeyPolicy(undoEvent(request), env.deps);
    const never = snsRequest({ create: { name: uniqueName('uk-never') } }, { type: 'topicPolicy' });
    const since = await env.lastSeq();

    expect(await undoKeyPolicy(undoEvent(request), env.deps)).toEqual({ undone: [], kept: [] });
    expect(await undoKeyPolicy(undoEvent(never), env.deps)).toEqual({ undone: [], kept: [] });
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('keeps the shared statement while another provisioning on the key depends on it, and the last one removes it', async () => {
    const keyArn = await createKey(env);
    const first = await merged(keyArn);
    const second = await merged(keyArn);
    expect(second.key.action).toBe('present');
    const since = await env.lastSeq();

    const out = await undoKeyPolicy(undoEvent(first.request), env.deps);

    expect(out.kept).toEqual([`key-policy statement ${KEY_POLICY_SID} of ${keyArn}: still used by provisioning ${second.request.provisioningId} (${second.number.id}); handed over to provisioning ${second.request.provisioningId}`]);
    expect(statementsBySid(policyOf(keyArn))[KEY_POLICY_SID]).toBeDefined();
    expect(await mutatingCallsSince(env, since)).toEqual([]);
    // The first handed the statement over: the second, now the last user, removes it.
    expect((await undoKeyPolicy(undoEvent(second.request), env.deps)).kept).toEqual([]);
    expect(statementsBySid(policyOf(keyArn))[KEY_POLICY_SID]).toBeUndefined();
  });

  it('takes out only its statement when someone else changed the policy since, keeping their change', async () => {
    const keyArn = await createKey(env);
    const { request } = await merged(keyArn);
    const theirs = { Sid: 'TheirAuditors', Effect: 'Allow' as const, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:DescribeKey', Resource: '*' };
    await env.deps.kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default', Policy: mergeStatement(policyOf(keyArn), theirs).document }));

    await undoKeyPolicy(undoEvent(request), env.deps);

    expect(Object.keys(statementsBySid(policyOf(keyArn)))).toEqual(['Enable IAM User Permissions', 'TheirAuditors']);
  });

  it('removes the statement naming its role', async () => {
    const keyArn = await createKey(env, { policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'KeyAdmin', Effect: 'Allow', Principal: { AWS: SANDBOX_USER }, Action: 'kms:*', Resource: '*' }] }) });
    const { request, access, key } = await merged(keyArn, { type: 'role', role: { create: {} } });
    expect(key.action).toBe('added');

    const out = await undoKeyPolicy(undoEvent(request), env.deps);

    expect(out.undone).toEqual([`removed key-policy statement ${roleKeyStatementSid(access.roleArn!)} of ${keyArn}`]);
    expect(Object.keys(statementsBySid(policyOf(keyArn)))).toEqual(['KeyAdmin']);
    expect(await refHolders(env, 'keyStatement', `${keyArn}#${access.roleArn}`)).toEqual([]);
  });

  it('leaves a statement someone changed since it was added, and says so', async () => {
    const keyArn = await createKey(env);
    const { request } = await merged(keyArn);
    const theirs = { ...keyPolicyStatement({ accountId: ACCOUNT, region: REGION, partition: 'aws' }), Action: 'kms:Decrypt' };
    await env.deps.kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default', Policy: mergeStatement(policyOf(keyArn), theirs).document }));
    const since = await env.lastSeq();

    const out = await undoKeyPolicy(undoEvent(request), env.deps);

    expect(out.kept[0]).toMatch(/was changed since provisioning .* added it: left as it is/);
    expect(statementsBySid(policyOf(keyArn))[KEY_POLICY_SID]).toEqual(theirs);
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('deprovisioning removes the statement and audits under the deprovisioning', async () => {
    const keyArn = await createKey(env);
    const { request } = await merged(keyArn);
    const deprovision = deprovisionRequest();

    const out = await undoKeyPolicy(undoEvent(deprovision, { undoId: request.provisioningId, mode: 'deprovision' }), env.deps);

    expect(out.undone).toHaveLength(1);
    expect(await auditTrail(env, deprovision.provisioningId)).toEqual(['intent kms:PutKeyPolicy', 'outcome kms:PutKeyPolicy succeeded']);
  });

  it('rethrows a transient KMS failure as retryable and fails with CompensationFailed on a refusal', async () => {
    const keyArn = await createKey(env);
    const { request } = await merged(keyArn);
    await control(env.sandbox.url, 'POST', '/_sandbox/faults', { service: 'kms', operation: 'PutKeyPolicy', error: 'KMSInternalException', count: 1 });
    expect((await caught(() => undoKeyPolicy(undoEvent(request), env.deps))).name).toBe('AwsTransientError');

    await control(env.sandbox.url, 'POST', '/_sandbox/faults', { service: 'kms', operation: 'PutKeyPolicy', error: 'MalformedPolicyDocumentException', count: 1 });
    const err = await caught(() => undoKeyPolicy(undoEvent(request), env.deps));
    expect(err.name).toBe('CompensationFailed');
    expect(err.message).toContain(`statement ${KEY_POLICY_SID} in the key policy of ${keyArn}`);

    expect((await undoKeyPolicy(undoEvent(request), env.deps)).undone).toHaveLength(1);
  });
});
