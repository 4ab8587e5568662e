import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bindRoleWrites, BOUNDARY_CHANGE_ACTIONS, OPT_IN_TAG, ROLE_WRITE_ACTIONS, type Statement } from '../../infra/permissions';
import { TASKS } from '../../tasks';
import { TAGS } from '../../tasks/lib/context';
import { channelRoleBoundaryPolicy } from '../../tasks/lib/policy/builders';
import { logicalId, resourcesOf, synth, TEST_ENV } from './synth';

/**
 * The deployed service is no privilege-escalation path (issue 8, section 2): the roles it creates are capped by a
 * permissions boundary the task roles cannot avoid or lift, and it rewrites key and topic policies only of
 * resources their owner opted in (or that it created itself).
 */
const { json, stack } = synth({ env: TEST_ENV });
const boundaryId = logicalId(stack, stack.channelRoleBoundary);
const BOUNDARY_REF = { Ref: boundaryId };
const all = (): [string, Statement][] => Object.entries(stack.permissions).flatMap(([p, ss]) => ss.map((s) => [p, s] as [string, Statement]));
const resolved = (v: unknown): unknown => stack.resolve(v);

describe('the channel-role permissions boundary', () => {
  it('is a managed policy of the stack under /two-way-sms/, built by the same builder the local runtime uses', () => {
    const policy = json.Resources[boundaryId]!;
    expect(policy.Type).toBe('AWS::IAM::ManagedPolicy');
    expect(policy.Properties).toMatchObject({ ManagedPolicyName: 'two-way-sms-channel-role-boundary', Path: '/two-way-sms/' });
    expect(policy.Properties!.PolicyDocument).toEqual(resolved(channelRoleBoundaryPolicy({ partition: stack.partition, region: stack.region, accountId: stack.account })));
  });

  it('allows only what two-way delivery needs: sns:Publish, data keys and Decrypt through SNS, connect:SendChatIntegrationEvent', () => {
    const doc = channelRoleBoundaryPolicy({ partition: 'aws', region: 'eu-west-1', accountId: '111122223333' });
    expect(doc.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(doc.Statement.map((s) => [s.Action, s.Resource, s.Condition ?? null])).toEqual([
      ['sns:Publish', 'arn:aws:sns:eu-west-1:111122223333:*', null],
      [['kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt'], '*', { StringEquals: { 'aws:CalledViaLast': 'sns.amazonaws.com' } }],
      ['connect:SendChatIntegrationEvent', '*', null],
    ]);
  });

  it('is the PERMISSIONS_BOUNDARY_ARN of every task function', () => {
    for (const name of Object.keys(TASKS) as (keyof typeof TASKS)[]) {
      const fn = json.Resources[logicalId(stack, stack.functions[name].fn)]!.Properties!;
      expect({ name, arn: fn.Environment.Variables.PERMISSIONS_BOUNDARY_ARN }).toEqual({ name, arn: BOUNDARY_REF });
    }
  });
});

describe('task roles and the boundary', () => {
  const writes = new Set<string>(ROLE_WRITE_ACTIONS);

  it('may create or change a role only with iam:PermissionsBoundary equal to the stack boundary, in every statement', () => {
    const writing = all().filter(([, s]) => s.actions.some((a) => writes.has(a)));
    expect(writing.map(([p]) => p)).toEqual(expect.arrayContaining(['EnsureAccess', 'EnsureConnectRole']));
    for (const [principal, s] of writing) {
      expect({ principal, sid: s.sid, condition: resolved(s.conditions?.StringEquals?.['iam:PermissionsBoundary']) }).toEqual({ principal, sid: s.sid, condition: BOUNDARY_REF });
      // Only role-writing actions share the condition (iam:TagRole, for one, has no such key and would be denied).
      expect(s.actions.every((a) => writes.has(a))).toBe(true);
    }
  });

  it('carries the condition into the synthesized role policies', () => {
    const docs = resourcesOf(json, 'AWS::IAM::Role').flatMap(([, r]) => (r.Properties!.Policies ?? []).flatMap((p: { PolicyDocument: { Statement: { Action: string | string[]; Condition?: unknown }[] } }) => p.PolicyDocument.Statement));
    const writing = docs.filter((s) => ([] as string[]).concat(s.Action).some((a) => writes.has(a)));
    expect(writing.length).toBeGreaterThanOrEqual(2);
    for (const s of writing) expect(s.Condition).toEqual({ StringEquals: { 'iam:PermissionsBoundary': BOUNDARY_REF } });
  });

  it('never lets anyone set or remove a boundary (no grant, no iam wildcard)', () => {
    const granted = all().flatMap(([, s]) => s.actions);
    for (const a of BOUNDARY_CHANGE_ACTIONS) expect(granted).not.toContain(a);
    expect(granted.filter((a) => a.startsWith('iam:') && a.includes('*'))).toEqual([]);
  });

  it('refuses a statement that mixes role writes with other actions, and binds one that does not', () => {
    const st = (sid: string, actions: string[]): Statement => ({ sid, actions, resources: ['arn:aws:iam::111122223333:role/two-way-sms/*'], why: 'test statement' });
    expect(() => bindRoleWrites('B', { P: [st('Mixed', ['iam:CreateRole', 'iam:TagRole'])] })).toThrow(/Mixed mixes role-writing actions/);
    expect(bindRoleWrites('B', { P: [st('Put', ['iam:PutRolePolicy']), st('Tag', ['iam:TagRole'])] })).toEqual({
      P: [{ ...st('Put', ['iam:PutRolePolicy']), conditions: { StringEquals: { 'iam:PermissionsBoundary': 'B' } } }, st('Tag', ['iam:TagRole'])],
    });
  });
});

describe('key and topic policy writes', () => {
  it('rewrite a key policy only of an opted-in key, never bypassing the lockout safety check', () => {
    const puts = all().filter(([, s]) => s.actions.includes('kms:PutKeyPolicy'));
    expect(puts.map(([p]) => p)).toEqual(expect.arrayContaining(['MergeKeyPolicy', 'UndoKeyPolicy']));
    for (const [, s] of puts) {
      expect(s.actions).toEqual(['kms:PutKeyPolicy']);
      expect(s.conditions).toEqual({
        StringEquals: { [`aws:ResourceTag/${OPT_IN_TAG}`]: 'true' },
        BoolIfExists: { 'kms:BypassPolicyLockoutSafetyCheck': 'false' },
      });
    }
  });

  it('add the keys listed in the allowedKeyArns context, still never bypassing the safety check', () => {
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const listed = synth({ env: TEST_ENV, context: { allowedKeyArns: key } }).stack.permissions.MergeKeyPolicy.find((s) => s.sid === 'KeyPolicyListed');
    expect(listed).toMatchObject({ actions: ['kms:PutKeyPolicy'], resources: [key], conditions: { BoolIfExists: { 'kms:BypassPolicyLockoutSafetyCheck': 'false' } } });
    expect(stack.permissions.MergeKeyPolicy.find((s) => s.sid === 'KeyPolicyListed')).toBeUndefined();
    expect(() => synth({ env: TEST_ENV, context: { allowedKeyArns: 'alias/mine' } })).toThrow(/allowedKeyArns must list KMS key ARNs/);
  });

  it('rewrite a topic policy only of a topic this service created or one opted in: two statements', () => {
    const sets = all().filter(([, s]) => s.actions.includes('sns:SetTopicAttributes'));
    const principals = [...new Set(sets.map(([p]) => p))];
    expect(principals).toEqual(expect.arrayContaining(['EnsureAccess', 'UndoAccess']));
    for (const principal of principals) {
      const conditions = sets.filter(([p]) => p === principal).map(([, s]) => s.conditions);
      expect(conditions).toEqual([
        { StringEquals: { [`aws:ResourceTag/${TAGS.managedBy}`]: TAGS.managedByValue } },
        { StringEquals: { [`aws:ResourceTag/${OPT_IN_TAG}`]: 'true' } },
      ]);
    }
  });

  it('claim no restriction from kms:CallerAccount, which restricts nothing in the key’s own account', () => {
    for (const [, s] of all()) expect(s.why).not.toMatch(/CallerAccount|called by this account/);
    expect(readFileSync(join(__dirname, '../../infra/nag.ts'), 'utf8')).not.toMatch(/CallerAccount/);
  });
});
