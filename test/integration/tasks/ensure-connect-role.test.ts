import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { DEMO } from '../../../local/sandbox/seed';
import { CONNECT_ROLE_POLICY_NAME, ensureConnectRole } from '../../../tasks/ensure-connect-role/ensure-connect-role';
import { ROLE_PATH, TAGS } from '../../../tasks/lib/context';
import { connectDestinationRolePolicy, twoWayTrustPolicy } from '../../../tasks/lib/policy';
import { undoAccess } from '../../../tasks/undo-access/undo-access';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { connectRequest, forward, numberResult, refHolders, roleRecord, undoEvent, uniqueName } from './destination-fixtures';
import { ACCOUNT, caught, connectInstance, MISSING_PUBLISH_ROLE_ARN, mutatingCallsSince, TOPIC_ARN } from './number-fixtures';

describe('EnsureConnectRole', () => {
  let env: WorkflowEnv;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  it('creates the role with the trust and connect:SendChatIntegrationEvent, tagged as ours', async () => {
    const request = connectRequest(connectInstance(env).Id, { create: {} });
    const number = numberResult(env);

    const out = await ensureConnectRole(forward(request, { number }), env.deps);

    const name = `TwoWaySms-${request.provisioningId}`;
    expect(out).toEqual({ mode: 'role', roleArn: `arn:aws:iam::${ACCOUNT}:role${ROLE_PATH}${name}`, roleCreated: true });
    const role = roleRecord(env, name)!;
    expect(JSON.parse(role.AssumeRolePolicyDocument)).toEqual(twoWayTrustPolicy({ accountId: ACCOUNT }));
    expect(JSON.parse(role.InlinePolicies[CONNECT_ROLE_POLICY_NAME]!)).toEqual(connectDestinationRolePolicy());
    expect(role.Tags).toContainEqual({ Key: TAGS.provisioningId, Value: request.provisioningId });
    expect((await env.deps.ledger.get(request.provisioningId, 'role'))?.status).toBe('done');
    expect(await refHolders(env, 'role', out.roleArn!)).toEqual([request.provisioningId]);
  });

  it('makes no mutating call when run again, and UndoAccess deletes the role', async () => {
    const request = connectRequest(connectInstance(env).Arn, { create: { name: uniqueName('EcrRerun') } });
    const event = forward(request, { number: numberResult(env) });
    const first = await ensureConnectRole(event, env.deps);
    const since = await env.lastSeq();

    expect(await ensureConnectRole(event, env.deps)).toEqual(first);
    expect(await mutatingCallsSince(env, since)).toEqual([]);

    expect((await undoAccess(undoEvent(request), env.deps)).undone).toEqual([`deleted role ${first.roleArn}`]);
  });

  it('accepts an existing role that is trusted and may send chat integration events, changing nothing', async () => {
    const name = uniqueName('EcrGiven');
    const arn = (await env.deps.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(twoWayTrustPolicy({ accountId: ACCOUNT })) }))).Role!.Arn!;
    await env.deps.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'connect', PolicyDocument: JSON.stringify(connectDestinationRolePolicy()) }));
    const request = connectRequest(connectInstance(env).Id, { arn });
    const since = await env.lastSeq();

    const out = await ensureConnectRole(forward(request, { number: numberResult(env) }), env.deps);

    expect(out).toEqual({ mode: 'role', roleArn: arn, roleCreated: false });
    expect((await env.deps.ledger.get(request.provisioningId, 'role'))?.status).toBe('skipped');
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('refuses an existing role without connect:SendChatIntegrationEvent, naming it, with no mutating call', async () => {
    const request = connectRequest(connectInstance(env).Id, { arn: MISSING_PUBLISH_ROLE_ARN });
    const since = await env.lastSeq();

    const err = await caught(() => ensureConnectRole(forward(request, { number: numberResult(env) }), env.deps));

    expect(err.name).toBe('DestinationNotUsable');
    expect(err.field).toBe('destination.role.arn');
    expect(err.message).toContain('Missing: (1) connect:SendChatIntegrationEvent');
    expect(await mutatingCallsSince(env, since)).toEqual([]);
  });

  it('refuses a same-name role this service did not create', async () => {
    const request = connectRequest(connectInstance(env).Id, { create: { name: DEMO.roles.correct } });

    const err = await caught(() => ensureConnectRole(forward(request, { number: numberResult(env) }), env.deps));

    expect(err.name).toBe('ForeignResourceExists');
    expect(err.field).toBe('destination.role.create.name');
  });

  it('rejects an SNS request as InvalidInput', async () => {
    const request = { provisioningId: 'prov-sns-12345', phoneNumberId: DEMO.numbers.longCode, destination: { type: 'sns', topic: { arn: TOPIC_ARN }, access: { type: 'topicPolicy' } }, requestedBy: 'a' };

    const err = await caught(() => ensureConnectRole(forward(request, { number: numberResult(env) }), env.deps));

    expect(err.name).toBe('InvalidInput');
  });
});
