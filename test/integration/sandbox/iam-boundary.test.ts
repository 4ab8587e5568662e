import {
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  GetPolicyCommand,
  GetRoleCommand,
  IAMClient,
  NoSuchEntityException,
  PutRolePermissionsBoundaryCommand,
} from '@aws-sdk/client-iam';
import { ensureChannelRoleBoundary } from '../../../local/boundary';
import { channelRoleBoundaryArn, channelRoleBoundaryPolicy } from '../../../tasks/lib/policy/builders';
import { startMoto, type RunningMoto } from '../../support/moto';
import { startSandbox, type RunningSandbox } from '../../support/sandbox';

/**
 * Permissions boundaries on roles in the sandbox's IAM (CreateRole's PermissionsBoundary, GetRole's
 * PermissionsBoundary {PermissionsBoundaryType, PermissionsBoundaryArn}, PutRolePermissionsBoundary,
 * DeleteRolePermissionsBoundary, as the botocore iam model defines them), run against moto_server as well, and the
 * local runtime's creation of the stack's boundary policy.
 */

const ACCOUNT = '123456789012';
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sms-voice.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const DOC = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

/** The scenario both implementations run; each step's observable outcome. */
async function scenario(iam: IAMClient): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const first = (await iam.send(new CreatePolicyCommand({ PolicyName: 'bound-publish', Path: '/b/', PolicyDocument: DOC('sns:Publish') }))).Policy!.Arn!;
  const second = (await iam.send(new CreatePolicyCommand({ PolicyName: 'bound-connect', PolicyDocument: DOC('connect:SendChatIntegrationEvent') }))).Policy!.Arn!;
  const created = await iam.send(new CreateRoleCommand({ RoleName: 'bounded', Path: '/two-way-sms/', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: first }));
  out['create-role returns the boundary'] = created.Role!.PermissionsBoundary;
  out['get-role shows the boundary'] = (await iam.send(new GetRoleCommand({ RoleName: 'bounded' }))).Role!.PermissionsBoundary;
  await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded', PermissionsBoundary: second }));
  out['put replaces it'] = (await iam.send(new GetRoleCommand({ RoleName: 'bounded' }))).Role!.PermissionsBoundary;
  await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'bounded' }));
  out['delete removes it'] = (await iam.send(new GetRoleCommand({ RoleName: 'bounded' }))).Role!.PermissionsBoundary ?? null;
  await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'bounded' }));
  out['delete without one is accepted'] = true;
  out['put on an unknown role'] = await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'ghost', PermissionsBoundary: first })).then(
    () => 'ok',
    (e: Error) => e.name,
  );
  out['usage count'] = (await iam.send(new GetPolicyCommand({ PolicyArn: first }))).Policy!.PermissionsBoundaryUsageCount ?? null;
  return out;
}

describe('IAM permissions boundaries: the sandbox against moto_server', () => {
  let sb: RunningSandbox;
  let moto: RunningMoto;
  let ours: Record<string, unknown>;
  let theirs: Record<string, unknown>;

  beforeAll(async () => {
    [sb, moto] = await Promise.all([startSandbox({ seed: false }), startMoto()]);
    const a = new IAMClient(sb.clientConfig);
    const b = new IAMClient(moto.clientConfig);
    [ours, theirs] = await Promise.all([scenario(a), scenario(b)]);
    a.destroy();
    b.destroy();
  }, 60_000);
  afterAll(async () => {
    await Promise.all([sb?.stop(), moto?.stop()]);
  });

  it('sets, shows, replaces and removes a role boundary as the IAM model says', () => {
    expect(ours['create-role returns the boundary']).toEqual({ PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/b/bound-publish` });
    expect(ours['get-role shows the boundary']).toEqual({ PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/b/bound-publish` });
    expect(ours['put replaces it']).toEqual({ PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/bound-connect` });
    expect(ours['delete removes it']).toBeNull();
    expect(ours['put on an unknown role']).toBe('NoSuchEntityException');
    // The boundary was moved off the first policy.
    expect(ours['usage count']).toBe(0);
  });

  it('agrees with moto on every step of the boundary life cycle', () => {
    const { ['usage count']: _ours, ...oursCompared } = ours;
    const { ['usage count']: _theirs, ...theirsCompared } = theirs;
    // moto leaves PermissionsBoundaryUsageCount out of GetPolicy (MOTO-DIFFERENCES.md, get-policy).
    expect(_theirs).toBeNull();
    expect(oursCompared).toEqual(theirsCompared);
  });

  it('refuses a boundary policy that does not exist, which moto accepts', async () => {
    const iam = new IAMClient(sb.clientConfig);
    const missing = `arn:aws:iam::${ACCOUNT}:policy/no-such-boundary`;
    await expect(iam.send(new CreateRoleCommand({ RoleName: 'unbounded', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: missing }))).rejects.toBeInstanceOf(NoSuchEntityException);
    await expect(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded', PermissionsBoundary: missing }))).rejects.toBeInstanceOf(NoSuchEntityException);
    iam.destroy();
    // moto stores whatever ARN it is given (IAM refuses it: "Scope ARN ... does not exist or is not attachable").
    const m = new IAMClient(moto.clientConfig);
    const created = await m.send(new CreateRoleCommand({ RoleName: 'unbounded', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: missing }));
    expect(created.Role!.PermissionsBoundary?.PermissionsBoundaryArn).toBe(missing);
    m.destroy();
  });
});

describe('the channel-role boundary of the local runtime', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: false });
  });
  afterAll(async () => {
    await sb.stop();
  });

  it('is created once, with the document the stack deploys, and found again on the next start', async () => {
    const iam = new IAMClient(sb.clientConfig);
    const p = { partition: 'aws', region: 'us-east-1', accountId: ACCOUNT };

    const arn = await ensureChannelRoleBoundary(iam, p);
    const again = await ensureChannelRoleBoundary(iam, p);

    expect(arn).toBe(channelRoleBoundaryArn(p));
    expect(again).toBe(arn);
    expect(Object.values(sb.sandbox.state.iam.policies).filter((x) => x.Arn === arn)).toHaveLength(1);
    expect(JSON.parse(sb.sandbox.state.iam.policies[arn]!.Versions[0]!.Document)).toEqual(channelRoleBoundaryPolicy(p));
    iam.destroy();
  });
});
