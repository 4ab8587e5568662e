import { AttachRolePolicyCommand, CreatePolicyCommand } from '@aws-sdk/client-iam';
import { GetTopicAttributesCommand, SetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { DEMO } from '../../../local/sandbox/seed';
import { ensureAccess } from '../../../tasks/ensure-access/ensure-access';
import { ensureTopic } from '../../../tasks/ensure-topic/ensure-topic';
import { mergeStatement, TOPIC_POLICY_SID, topicPolicyStatement } from '../../../tasks/lib/policy';
import { undoAccess } from '../../../tasks/undo-access/undo-access';
import { control } from '../../support/sandbox';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { auditTrail, deprovisionRequest, forward, numberResult, refHolders, roleRecord, snsRequest, statementsBySid, topicRecord, undoEvent, uniqueName, type RoleSpec, type TopicSpec } from './destination-fixtures';
import { ACCOUNT, caught, mutatingCallsSince, REGION, ROLE_ARN, TOPIC_ARN } from './number-fixtures';

describe('UndoAccess', () => {
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

  async function provision(topic: TopicSpec, access: { type: 'topicPolicy' } | { type: 'role'; role: RoleSpec }) {
    const request = snsRequest(topic, access);
    const number = numberResult(env);
    const topicResult = await ensureTopic(forward(request, { number }), env.deps);
    const accessResult = await ensureAccess(forward(request, { number, topic: topicResult }), env.deps);
    return { request, number, topic: topicResult, access: accessResult, results: { number, topic: topicResult, access: accessResult } };
  }

  describe('role', () => {
    it('deletes the role it created: inline policies, attached policies, then the role', async () => {
      const { request, access, results } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { create: {} } });
      const name = access.roleArn!.split('/').pop()!;
      const policy = await env.deps.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('extra'), PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:ListTopics', Resource: '*' }] }) }));
      await env.deps.iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policy.Policy!.Arn! }));

      const out = await undoAccess(undoEvent(request, { results }), env.deps);

      expect(out).toEqual({ undone: [`deleted role ${access.roleArn}`], kept: [] });
      expect(roleRecord(env, name)).toBeUndefined();
      expect(await refHolders(env, 'role', access.roleArn!)).toEqual([]);
      expect((await env.deps.ledger.get(request.provisioningId, 'role'))?.status).toBe('undone');
      expect((await auditTrail(env, request.provisioningId)).filter((a) => a.startsWith('outcome')).slice(-3)).toEqual([
        'outcome iam:DeleteRolePolicy succeeded',
        'outcome iam:DetachRolePolicy succeeded',
        'outcome iam:DeleteRole succeeded',
      ]);
    });

    it('is a no-op the second time, and when nothing was done', async () => {
      const { request } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { create: {} } });
      await undoAccess(undoEvent(request), env.deps);
      const never = snsRequest({ arn: TOPIC_ARN }, { type: 'role', role: { create: {} } });
      const since = await env.lastSeq();

      expect(await undoAccess(undoEvent(request), env.deps)).toEqual({ undone: [], kept: [] });
      expect(await undoAccess(undoEvent(never, { results: { number: numberResult(env) } }), env.deps)).toEqual({ undone: [], kept: [] });
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('keeps the role while another provisioning uses it, and the last user deletes it', async () => {
      const name = uniqueName('UaShared');
      const first = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { create: { name } } });
      const second = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { create: { name } } });
      expect(second.access.roleCreated).toBe(false);
      const since = await env.lastSeq();

      const out = await undoAccess(undoEvent(first.request), env.deps);

      expect(out.kept).toEqual([`role ${first.access.roleArn}: still used by provisioning ${second.request.provisioningId} (${second.number.id}); handed over to provisioning ${second.request.provisioningId}`]);
      expect(roleRecord(env, name)).toBeDefined();
      expect(await mutatingCallsSince(env, since)).toEqual([]);
      // The creator handed the role over: the adopter, now the last user, deletes it.
      expect((await undoAccess(undoEvent(second.request), env.deps)).undone).toEqual([`deleted role ${first.access.roleArn}`]);
      expect(roleRecord(env, name)).toBeUndefined();
    });

    it('never touches a role given by ARN', async () => {
      const { request } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { arn: ROLE_ARN } });
      const since = await env.lastSeq();

      const out = await undoAccess(undoEvent(request), env.deps);

      expect(out.kept).toEqual([`role ${ROLE_ARN}: not created by provisioning ${request.provisioningId}, left as it is`]);
      expect(roleRecord(env, DEMO.roles.correct)).toBeDefined();
      expect(await refHolders(env, 'role', ROLE_ARN)).not.toContain(request.provisioningId);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('deprovisioning deletes the role and audits under the deprovisioning', async () => {
      const { request, access } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { create: {} } });
      const deprovision = deprovisionRequest();

      const out = await undoAccess(undoEvent(deprovision, { undoId: request.provisioningId, mode: 'deprovision' }), env.deps);

      expect(out.undone).toEqual([`deleted role ${access.roleArn}`]);
      expect(await auditTrail(env, deprovision.provisioningId)).toContain('outcome iam:DeleteRole succeeded');
    });

    it('fails with CompensationFailed listing what is left when IAM refuses, and finishes on a later run', async () => {
      const { request, access } = await provision({ arn: TOPIC_ARN }, { type: 'role', role: { create: {} } });
      await control(env.sandbox.url, 'POST', '/_sandbox/faults', { service: 'iam', operation: 'DeleteRole', error: 'DeleteConflict', count: 1 });

      const err = await caught(() => undoAccess(undoEvent(request), env.deps));

      expect(err.name).toBe('CompensationFailed');
      expect(err.message).toContain(`left: ledger entry role of provisioning ${request.provisioningId} (done), role ${access.roleArn}`);
      expect((await undoAccess(undoEvent(request), env.deps)).undone).toEqual([`deleted role ${access.roleArn}`]);
    });
  });

  describe('topic-policy statement', () => {
    const statementFor = (topicArn: string) => topicPolicyStatement({ accountId: ACCOUNT, region: REGION, partition: 'aws', topicArn });

    it('removes the statement it added and leaves the rest of the policy as it was', async () => {
      const name = uniqueName('ua-tp');
      const request = snsRequest({ create: { name } }, { type: 'topicPolicy' });
      const number = numberResult(env);
      const topic = await ensureTopic(forward(request, { number }), env.deps);
      const before = topicRecord(env, topic.arn)!.Attributes.Policy!;
      await ensureAccess(forward(request, { number, topic }), env.deps);

      const out = await undoAccess(undoEvent(request, { results: { number, topic } }), env.deps);

      expect(out).toEqual({ undone: [`removed topic-policy statement ${TOPIC_POLICY_SID} on ${topic.arn}`], kept: [] });
      expect(topicRecord(env, topic.arn)!.Attributes.Policy).toBe(before);
      expect(await refHolders(env, 'topicStatement', topic.arn)).toEqual([]);
      expect((await env.deps.ledger.get(request.provisioningId, 'topicStatement'))?.status).toBe('undone');
    });

    it('keeps the statement while another provisioning on the topic depends on it', async () => {
      const first = await provision({ create: { name: uniqueName('ua-tp-shared') } }, { type: 'topicPolicy' });
      const second = await provision({ arn: first.topic.arn }, { type: 'topicPolicy' });
      const since = await env.lastSeq();

      const out = await undoAccess(undoEvent(first.request), env.deps);

      expect(out.kept).toEqual([`topic-policy statement ${TOPIC_POLICY_SID} on ${first.topic.arn}: still used by provisioning ${second.request.provisioningId} (${second.number.id}); handed over to provisioning ${second.request.provisioningId}`]);
      expect(statementsBySid(topicRecord(env, first.topic.arn)!.Attributes.Policy!)[TOPIC_POLICY_SID]).toBeDefined();
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('never removes a statement it found in place', async () => {
      const first = await provision({ create: { name: uniqueName('ua-tp-found') } }, { type: 'topicPolicy' });
      const second = await provision({ arn: first.topic.arn }, { type: 'topicPolicy' });
      await env.deps.refs.remove('topicStatement', first.topic.arn, first.request.provisioningId);

      const out = await undoAccess(undoEvent(second.request), env.deps);

      expect(out.kept[0]).toMatch(/not added by provisioning/);
      expect(statementsBySid(topicRecord(env, first.topic.arn)!.Attributes.Policy!)[TOPIC_POLICY_SID]).toBeDefined();
    });

    it('leaves a statement someone changed since it was added, and says so', async () => {
      const { request, topic } = await provision({ create: { name: uniqueName('ua-tp-changed') } }, { type: 'topicPolicy' });
      const policy = (await env.deps.sns.send(new GetTopicAttributesCommand({ TopicArn: topic.arn }))).Attributes!.Policy;
      const theirs = { ...statementFor(topic.arn), Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } };
      await env.deps.sns.send(new SetTopicAttributesCommand({ TopicArn: topic.arn, AttributeName: 'Policy', AttributeValue: mergeStatement(policy, theirs).document }));
      const since = await env.lastSeq();

      const out = await undoAccess(undoEvent(request), env.deps);

      expect(out.kept[0]).toMatch(/was changed since provisioning .* added it: left as it is/);
      expect(statementsBySid(topicRecord(env, topic.arn)!.Attributes.Policy!)[TOPIC_POLICY_SID]).toEqual(theirs);
      expect(await mutatingCallsSince(env, since)).toEqual([]);
    });

    it('puts back the statement its Sid held before', async () => {
      const name = uniqueName('ua-tp-prev');
      const request = snsRequest({ create: { name } }, { type: 'topicPolicy' });
      const number = numberResult(env);
      const topic = await ensureTopic(forward(request, { number }), env.deps);
      const old = { ...statementFor(topic.arn), Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } };
      const policy = (await env.deps.sns.send(new GetTopicAttributesCommand({ TopicArn: topic.arn }))).Attributes!.Policy;
      await env.deps.sns.send(new SetTopicAttributesCommand({ TopicArn: topic.arn, AttributeName: 'Policy', AttributeValue: mergeStatement(policy, old).document }));
      await ensureAccess(forward(request, { number, topic }), env.deps);

      const out = await undoAccess(undoEvent(request), env.deps);

      expect(out.undone[0]).toMatch(/^restored the previous topic-policy statement/);
      expect(statementsBySid(topicRecord(env, topic.arn)!.Attributes.Policy!)[TOPIC_POLICY_SID]).toEqual(old);
    });
  });
});
