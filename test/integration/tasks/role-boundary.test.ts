import { GetPolicyCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { DEMO } from '../../../local/sandbox/seed';
import { channelRoleBoundaryArn } from '../../../tasks/lib/policy/builders';
import { roleNameOf } from '../../../tasks/lib/role';
import { control } from '../../support/sandbox';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { connectDestination, freshState, provision, resultsOf, sns, topicArn, unique } from '../../workflow/support/harness';

/**
 * Every role the tasks create carries the stack's permissions boundary (issue 8, section 2): EnsureAccess (SNS) and
 * EnsureConnectRole (Connect) pass `PermissionsBoundary` to CreateRole, and the sandbox's IAM shows it on GetRole,
 * as IAM does. The boundary policy itself survives a sandbox reset, as a stack's policy survives anything the
 * service does.
 */

const BOUNDARY = channelRoleBoundaryArn({ partition: 'aws', accountId: '123456789012' });

describe('roles the tasks create', () => {
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

  async function boundaryOf(roleArn: string) {
    return (await env.deps.iam.send(new GetRoleCommand({ RoleName: roleNameOf(roleArn) }))).Role!.PermissionsBoundary;
  }

  it('carry the channel-role boundary: an SNS role (EnsureAccess)', async () => {
    expect(env.deps.config.permissionsBoundaryArn).toBe(BOUNDARY);
    const run = await env.run('provision', provision({ phoneNumberId: DEMO.numbers.longCode }, sns.newTopicNewRole(unique('wf-bound'))));

    const { access } = resultsOf(run);
    expect(access.roleCreated).toBe(true);
    expect(await boundaryOf(access.roleArn!)).toEqual({ PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: BOUNDARY });
  });

  it('carry the channel-role boundary: a Connect role (EnsureConnectRole)', async () => {
    const run = await env.run('provision', provision({ phoneNumberId: DEMO.numbers.tenDlc }, connectDestination(env)));

    const { access } = resultsOf(run);
    expect(await boundaryOf(access.roleArn!)).toEqual({ PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: BOUNDARY });
  });

  it('still find the boundary policy after a sandbox reset', async () => {
    const reset = await control(env.sandbox.url, 'POST', '/_sandbox/reset', { seed: true });
    expect(reset.status).toBe(200);

    const policy = (await env.deps.iam.send(new GetPolicyCommand({ PolicyArn: BOUNDARY }))).Policy!;
    expect(policy.Path).toBe('/two-way-sms/');
    const run = await env.run('provision', provision({ phoneNumberId: DEMO.numbers.longCode }, sns.existingTopicNewRole(topicArn(DEMO.topics.standard))));
    expect(run.status).toBe('SUCCEEDED');
    expect((await boundaryOf(resultsOf(run).access.roleArn!))?.PermissionsBoundaryArn).toBe(BOUNDARY);
  });
});
