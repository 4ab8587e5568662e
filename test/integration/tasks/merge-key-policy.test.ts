import { GetKeyPolicyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { ensureAccess } from '../../../tasks/ensure-access/ensure-access';
import { ensureTopic } from '../../../tasks/ensure-topic/ensure-topic';
import type { TaskDeps } from '../../../tasks/lib/context';
import { roleKeyStatementSid } from '../../../tasks/lib/key';
import { KEY_POLICY_SID, keyPolicyStatement } from '../../../tasks/lib/policy';
import type { AccessResult, TopicResult } from '../../../tasks/lib/results';
import { mergeKeyPolicy } from '../../../tasks/merge-key-policy/merge-key-policy';
import { control } from '../../support/sandbox';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { auditTrail, createKey, forward, keyRecord, numberResult, refHolders, snsRequest, statementsBySid, uniqueName, type RoleSpec } from './destination-fixtures';
import { ACCOUNT, caught, executionArnOf, mutatingCallsSince, REGION, TOPIC_ARN } from './number-fixtures';

const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const SANDBOX_USER = `arn:aws:iam::${ACCOUNT}:user/sandbox`;

/** A key policy with several statements of different shapes (one without a Sid), to see that each is kept. */
function customPolicy(extra: object[] = []): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'custom-policy-1',
    Statement: [
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
      { Sid: 'AllowAuditors', Effect: 'Allow', Principal: { AWS: [ROOT] }, Action: ['kms:Describe*', 'kms:List*'], Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      { Effect: 'Deny', Principal: '*', Action: 'kms:ScheduleKeyDeletion', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalAccount': ACCOUNT } } },
      ...extra,
    ],
  });
}

describe('MergeKeyPolicy', () => {
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

  /** EnsureTopic and EnsureAccess for a new topic encrypted with `keyId`, then the MergeKeyPolicy event. */
  async function upTo(keyId: string, access: { type: 'topicPolicy' } | { type: 'role'; role: RoleSpec }, topicName = uniqueName('mk')) {
    const request = snsRequest({ create: { name: topicName, kmsKeyId: keyId } }, access);
    const number = numberResult(env);
    const executionArn = executionArnOf();
    const topic = await ensureTopic(forward(request, { number }, executionArn), env.deps);
    const accessResult = await ensureAccess(forward(request, { number, topic }, executionArn), env.deps);
    return { request, number, topic, access: accessResult, event: forward(request, { number, topic, access: accessResult }, executionArn) };
  }

  const policyOf = (keyArn: string) => keyRecord(env, keyArn)!.Policy;

  it('does nothing for an unencrypted topic', async () => {
    const request = snsRequest({ arn: TOPIC_ARN }, { type: 'topicPolicy' });
    const topic: TopicResult = { arn: TOPIC_ARN, created: false };
    const access: AccessResult = { mode: 'topicPolicy', statementAdded: true };
    const since = await env.lastSeq();

    const out = await mergeKeyPolicy(forward(request, { number: numberResult(env), topic, access }), env.deps);

    expect(out).toEqual({ action: 'unencrypted' });
    expect(await env.calls(since)).toEqual([]);
  });

  describe('without a role', () => {
    it('merges the statement for sms-voice, keeping every other statement exactly as it was', async () => {
      const original = customPolicy();
      const keyArn = await createKey(env, { policy: original });
      const { request, event } = await upTo(keyArn, { type: 'topicPolicy' });

      const out = await mergeKeyPolicy(event, env.deps);

      expect(out).toEqual({ keyArn, action: 'added' });
      const after = JSON.parse(policyOf(keyArn)) as { Id: string; Version: string; Statement: unknown[] };
      const before = JSON.parse(original) as { Statement: unknown[] };
      expect(after.Id).toBe('custom-policy-1');
      expect(after.Version).toBe('2012-10-17');
      expect(after.Statement.slice(0, before.Statement.length)).toEqual(before.Statement);
      expect(after.Statement.slice(before.Statement.length)).toEqual([keyPolicyStatement({ accountId: ACCOUNT, region: REGION, partition: 'aws' })]);
      expect(await env.deps.ledger.get(request.provisioningId, 'keyStatement')).toMatchObject({ status: 'done', data: { keyArn, sid: KEY_POLICY_SID, refResource: keyArn } });
      expect(await refHolders(env, 'keyStatement', keyArn)).toEqual([request.provisioningId]);
      expect((await auditTrail(env, request.provisioningId)).slice(-2)).toEqual(['intent kms:PutKeyPolicy', 'outcome kms:PutKeyPolicy succeeded']);
      expect(await env.deps.locks.get(`key:${keyArn}`)).toBeUndefined();
    });

    it('makes no mutating call when run again, and still reports the statement as added by it', async () => {
      const keyArn = await createKey(env);
      const { event } = await upTo(keyArn, { type: 'topicPolicy' });
      await mergeKeyPolicy(event, env.deps);
      const since = await env.lastSeq();

      const again = await mergeKeyPolicy(event, env.deps);

      expect(again).toEqual({ keyArn, action: 'added' });
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('records a statement another provisioning added as present, not added by us', async () => {
      const keyArn = await createKey(env);
      const first = await upTo(keyArn, { type: 'topicPolicy' });
      await mergeKeyPolicy(first.event, env.deps);
      const second = await upTo(keyArn, { type: 'topicPolicy' });
      const since = await env.lastSeq();

      const out = await mergeKeyPolicy(second.event, env.deps);

      expect(out).toEqual({ keyArn, action: 'present' });
      expect((await env.deps.ledger.get(second.request.provisioningId, 'keyStatement'))?.status).toBe('skipped');
      expect((await refHolders(env, 'keyStatement', keyArn)).sort()).toEqual([first.request.provisioningId, second.request.provisioningId].sort());
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('refuses the AWS-managed key alias/aws/sns with no AWS call', async () => {
      const request = snsRequest({ create: { name: uniqueName('mk-awssns'), kmsKeyId: 'alias/aws/sns' } }, { type: 'topicPolicy' });
      const topic: TopicResult = { arn: `arn:aws:sns:${REGION}:${ACCOUNT}:x`, created: true, kmsMasterKeyId: 'alias/aws/sns', keyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`, keyManager: 'AWS' };
      const since = await env.lastSeq();

      const err = await caught(() => mergeKeyPolicy(forward(request, { number: numberResult(env), topic, access: { mode: 'topicPolicy', statementAdded: true } }), env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toContain('the AWS-managed key aws/sns cannot grant sms-voice.amazonaws.com');
      expect(err.message).toContain('use a customer managed key or a two-way role');
      expect(await env.calls(since)).toEqual([]);
    });

    it('refuses a merge that would take the key policy over 32 KB, before calling PutKeyPolicy', async () => {
      const filler = (i: number, pad: number) => ({ Sid: `Filler${i}${'x'.repeat(pad)}`, Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:DescribeKey', Resource: '*' });
      const statements: object[] = Array.from({ length: 60 }, (_, i) => filler(i, 400));
      const size = () => Buffer.byteLength(customPolicy(statements));
      statements.push(filler(99, 32_768 - 250 - size()));
      const big = customPolicy(statements);
      expect(Buffer.byteLength(big)).toBeLessThanOrEqual(32_768);
      const keyArn = await createKey(env, { policy: big });
      const { request, event } = await upTo(keyArn, { type: 'topicPolicy' });
      const since = await env.lastSeq();

      const err = await caught(() => mergeKeyPolicy(event, env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toMatch(/would be \d+ bytes with the two-way statement, over KMS's limit of 32768 bytes \(32 KB\)/);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
      expect(policyOf(keyArn)).toBe(big);
      expect(await refHolders(env, 'keyStatement', keyArn)).not.toContain(request.provisioningId);
    });

    it('translates KMS’s LimitExceededException into DestinationNotUsable', async () => {
      const keyArn = await createKey(env);
      const { event } = await upTo(keyArn, { type: 'topicPolicy' });
      await control(env.sandbox.url, 'POST', '/_sandbox/faults', { service: 'kms', operation: 'PutKeyPolicy', error: 'LimitExceededException', count: 1 });

      const err = await caught(() => mergeKeyPolicy(event, env.deps));

      expect(err.name).toBe('DestinationNotUsable');
      expect(err.message).toContain('32 KB');
    });

    it('fails with the retryable KeyPolicyConflict when another writer replaces the policy right after ours', async () => {
      const keyArn = await createKey(env);
      const { request, event } = await upTo(keyArn, { type: 'topicPolicy' });
      const original = policyOf(keyArn);
      // A writer that ignores our lease puts the old policy back right after our PutKeyPolicy.
      const racing: TaskDeps = {
        ...env.deps,
        kms: {
          send: (async (command: unknown) => {
            const out = await (env.deps.kms.send as (c: unknown) => Promise<unknown>)(command);
            if (command instanceof PutKeyPolicyCommand) await env.deps.kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default', Policy: original }));
            return out;
          }) as TaskDeps['kms']['send'],
        },
      };

      const err = await caught(() => mergeKeyPolicy(event, racing));

      expect(err.name).toBe('KeyPolicyConflict');
      expect((await env.deps.ledger.get(request.provisioningId, 'keyStatement'))?.status).toBe('intent');
      expect(await mergeKeyPolicy(event, env.deps)).toEqual({ keyArn, action: 'added' });
      expect((await env.deps.ledger.get(request.provisioningId, 'keyStatement'))?.status).toBe('done');
    });

    it('waits (ResourceBusy) while another execution holds the key’s lease', async () => {
      const keyArn = await createKey(env);
      const { event } = await upTo(keyArn, { type: 'topicPolicy' });
      await env.deps.locks.acquire(`key:${keyArn}`, 'arn:other-execution', 60_000, 'shared');
      const since = await env.lastSeq();

      const err = await caught(() => mergeKeyPolicy(event, env.deps));

      expect(err.name).toBe('ResourceBusy');
      expect(await mutatingCallsSince(env, since)).toEqual([]);
      await env.deps.locks.release(`key:${keyArn}`, 'arn:other-execution');
    });
  });

  describe('with a role', () => {
    it('adds nothing when the key policy delegates to the account and the role’s IAM policy allows', async () => {
      const keyArn = await createKey(env);
      const { request, event } = await upTo(keyArn, { type: 'role', role: { create: {} } });
      const before = policyOf(keyArn);
      const since = await env.lastSeq();

      const out = await mergeKeyPolicy(event, env.deps);

      expect(out).toEqual({ keyArn, action: 'present' });
      expect(policyOf(keyArn)).toBe(before);
      expect((await env.deps.ledger.get(request.provisioningId, 'keyStatement'))?.status).toBe('skipped');
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('adds a statement naming the role when the key policy does not delegate to the account', async () => {
      const original = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'KeyAdmin', Effect: 'Allow', Principal: { AWS: SANDBOX_USER }, Action: 'kms:*', Resource: '*' }] });
      const keyArn = await createKey(env, { policy: original });
      const { request, access, event } = await upTo(keyArn, { type: 'role', role: { create: {} } });

      const out = await mergeKeyPolicy(event, env.deps);

      expect(out).toEqual({ keyArn, action: 'added' });
      const sid = roleKeyStatementSid(access.roleArn!);
      const after = statementsBySid(policyOf(keyArn));
      expect(after.KeyAdmin).toEqual(statementsBySid(original).KeyAdmin);
      expect(after[sid]).toEqual({
        Sid: sid,
        Effect: 'Allow',
        Principal: { AWS: access.roleArn },
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': `sns.${REGION}.amazonaws.com` } },
      });
      expect(await refHolders(env, 'keyStatement', `${keyArn}#${access.roleArn}`)).toEqual([request.provisioningId]);
      expect(await env.deps.ledger.get(request.provisioningId, 'keyStatement')).toMatchObject({ status: 'done', data: { sid, roleArn: access.roleArn } });

      const since = await env.lastSeq();
      expect(await mergeKeyPolicy(event, env.deps)).toEqual({ keyArn, action: 'added' });
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('accepts the AWS-managed key on the role path with no AWS call', async () => {
      const { event } = await upTo('alias/aws/sns', { type: 'role', role: { create: {} } });
      const since = await env.lastSeq();

      const out = await mergeKeyPolicy(event, env.deps);

      expect(out.action).toBe('present');
      expect(await env.calls(since)).toEqual([]);
    });
  });

  it('reads the key policy back through the API exactly as stored', async () => {
    const keyArn = await createKey(env);
    const { event } = await upTo(keyArn, { type: 'topicPolicy' });
    await mergeKeyPolicy(event, env.deps);

    const policy = (await env.deps.kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }))).Policy!;

    expect(Object.keys(statementsBySid(policy))).toEqual(['Enable IAM User Permissions', KEY_POLICY_SID]);
  });
});
