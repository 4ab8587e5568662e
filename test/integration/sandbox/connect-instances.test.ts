import {
  ConnectClient,
  CreateInstanceCommand,
  DescribeInstanceCommand,
  ListInstancesCommand,
  paginateListInstances,
  type CreateInstanceCommandInput,
  type DirectoryType,
} from '@aws-sdk/client-connect';
import { addInstance } from '../../../local/sandbox/services/connect';
import { startSandbox, type RunningSandbox } from '../../support/sandbox';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

/** A valid CreateInstance request; each test changes only what it is about. */
function createRequest(overrides: Partial<CreateInstanceCommandInput> = {}): CreateInstanceCommandInput {
  return { IdentityManagementType: 'CONNECT_MANAGED', InstanceAlias: `alias-${Math.random().toString(36).slice(2, 10)}`, InboundCallsEnabled: true, OutboundCallsEnabled: false, ...overrides };
}

describe('sandbox Connect instances', () => {
  let sb: RunningSandbox;
  let connect: ConnectClient;
  let nowMs = T0;

  beforeAll(async () => {
    sb = await startSandbox({ seed: false, clock: () => new Date(nowMs) });
    connect = new ConnectClient(sb.clientConfig);
  });
  afterAll(async () => {
    connect.destroy();
    await sb.stop();
  });
  beforeEach(() => {
    nowMs = T0;
    sb.sandbox.reset(false);
  });

  it('creates an instance that DescribeInstance reports ACTIVE at once with its fields', async () => {
    const created = await connect.send(new CreateInstanceCommand(createRequest({ InstanceAlias: 'support-desk', Tags: { team: 'sms' } })));

    expect(created.Id).toMatch(UUID);
    expect(created.Arn).toBe(`arn:aws:connect:us-east-1:123456789012:instance/${created.Id}`);
    const { Instance } = await connect.send(new DescribeInstanceCommand({ InstanceId: created.Id }));
    expect(Instance).toMatchObject({
      Id: created.Id,
      Arn: created.Arn,
      IdentityManagementType: 'CONNECT_MANAGED',
      InstanceAlias: 'support-desk',
      InstanceStatus: 'ACTIVE',
      InboundCallsEnabled: true,
      OutboundCallsEnabled: false,
      InstanceAccessUrl: 'https://support-desk.my.connect.aws',
      Tags: { team: 'sms' },
    });
    expect(Instance?.CreatedTime).toEqual(new Date(T0));
    expect(Instance?.ServiceRole).toMatch(/^arn:aws:iam::123456789012:role\/aws-service-role\/connect\.amazonaws\.com\/AWSServiceRoleForAmazonConnect_/);
  });

  it('answers DescribeInstance of an unknown instance with ResourceNotFoundException 404', async () => {
    const err = await connect.send(new DescribeInstanceCommand({ InstanceId: '11111111-2222-3333-4444-555555555555' })).catch((e: unknown) => e);

    expect(err).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    expect((err as Error).message).toContain('11111111-2222-3333-4444-555555555555');
  });

  it('hides an instance from callers in another region', async () => {
    const created = await connect.send(new CreateInstanceCommand(createRequest()));
    const west = new ConnectClient({ ...sb.clientConfig, region: 'us-west-2' });

    const err = await west.send(new DescribeInstanceCommand({ InstanceId: created.Id })).catch((e: unknown) => e);

    west.destroy();
    expect(err).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it.each<[string, Partial<CreateInstanceCommandInput>, string]>([
    ['a CONNECT_MANAGED instance without an alias', { InstanceAlias: undefined }, 'InstanceAlias'],
    ['an alias starting with d-', { InstanceAlias: 'd-1234567890' }, 'InstanceAlias'],
    ['an alias with an underscore', { InstanceAlias: 'bad_alias' }, 'InstanceAlias'],
    ['an alias over 45 characters', { InstanceAlias: 'a'.repeat(46) }, 'InstanceAlias'],
    ['an unknown identity management type', { IdentityManagementType: 'LDAP' as DirectoryType }, 'IdentityManagementType'],
    ['a missing InboundCallsEnabled', { InboundCallsEnabled: undefined as unknown as boolean }, 'InboundCallsEnabled'],
    ['EXISTING_DIRECTORY without a DirectoryId', { IdentityManagementType: 'EXISTING_DIRECTORY', InstanceAlias: undefined }, 'DirectoryId'],
    ['a DirectoryId that is not d- and 10 hex digits', { IdentityManagementType: 'EXISTING_DIRECTORY', DirectoryId: 'd-XYZ' }, 'DirectoryId'],
    ['a tag key starting with aws:', { Tags: { 'aws:owner': 'me' } }, 'Tags'],
  ])('rejects %s with InvalidRequestException naming the member', async (_case, overrides, member) => {
    const err = await connect.send(new CreateInstanceCommand(createRequest(overrides))).catch((e: unknown) => e);

    expect(err).toMatchObject({ name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } });
    expect((err as Error).message).toContain(member);
    const list = await connect.send(new ListInstancesCommand({}));
    expect(list.InstanceSummaryList).toEqual([]);
  });

  it('rejects an alias that another instance already uses', async () => {
    await connect.send(new CreateInstanceCommand(createRequest({ InstanceAlias: 'taken' })));

    const err = await connect.send(new CreateInstanceCommand(createRequest({ InstanceAlias: 'TAKEN' }))).catch((e: unknown) => e);

    expect(err).toMatchObject({ name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } });
    expect((err as Error).message).toContain('already in use');
  });

  it('answers an EXISTING_DIRECTORY instance with ResourceNotFoundException because the sandbox has no directories', async () => {
    const err = await connect
      .send(new CreateInstanceCommand(createRequest({ IdentityManagementType: 'EXISTING_DIRECTORY', InstanceAlias: undefined, DirectoryId: 'd-0123456789' })))
      .catch((e: unknown) => e);

    expect(err).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('returns the first response again for a repeated ClientToken with the same request', async () => {
    const request = createRequest({ ClientToken: 'create-once' });
    const first = await connect.send(new CreateInstanceCommand(request));

    const second = await connect.send(new CreateInstanceCommand(request));

    expect(second).toMatchObject({ Id: first.Id, Arn: first.Arn });
    const list = await connect.send(new ListInstancesCommand({}));
    expect(list.InstanceSummaryList).toHaveLength(1);
  });

  it('answers a repeated ClientToken with a different request with IdempotencyException 409', async () => {
    await connect.send(new CreateInstanceCommand(createRequest({ ClientToken: 'create-once', InstanceAlias: 'first' })));

    const err = await connect.send(new CreateInstanceCommand(createRequest({ ClientToken: 'create-once', InstanceAlias: 'second' }))).catch((e: unknown) => e);

    expect(err).toMatchObject({ name: 'IdempotencyException', $metadata: { httpStatusCode: 409 } });
  });

  it('pages ListInstances with MaxResults and NextToken in creation order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      nowMs = T0 + i * 1000;
      ids.push((await connect.send(new CreateInstanceCommand(createRequest()))).Id!);
    }

    const first = await connect.send(new ListInstancesCommand({ MaxResults: 2 }));
    const second = await connect.send(new ListInstancesCommand({ MaxResults: 2, NextToken: first.NextToken }));

    expect(first.InstanceSummaryList?.map((i) => i.Id)).toEqual(ids.slice(0, 2));
    expect(first.NextToken).toEqual(expect.any(String));
    expect(second.InstanceSummaryList?.map((i) => i.Id)).toEqual(ids.slice(2));
    expect(second.NextToken).toBeUndefined();
    expect(second.InstanceSummaryList?.[0]).toMatchObject({ InstanceStatus: 'ACTIVE', IdentityManagementType: 'CONNECT_MANAGED', CreatedTime: new Date(T0 + 2000) });
  });

  it('lists every instance through the SDK paginator', async () => {
    for (let i = 0; i < 12; i++) await connect.send(new CreateInstanceCommand(createRequest()));

    const seen: string[] = [];
    for await (const p of paginateListInstances({ client: connect, pageSize: 5 }, {})) seen.push(...(p.InstanceSummaryList ?? []).map((i) => i.Id!));

    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
  });

  it.each<[string, { MaxResults?: number; NextToken?: string }, string]>([
    ['MaxResults over 10', { MaxResults: 11 }, 'maxResults'],
    ['MaxResults of 0', { MaxResults: 0 }, 'maxResults'],
    ['a NextToken it did not issue', { NextToken: 'not-a-token!' }, 'NextToken'],
  ])('rejects ListInstances with %s as InvalidRequestException', async (_case, input, member) => {
    const err = await connect.send(new ListInstancesCommand(input)).catch((e: unknown) => e);

    expect(err).toMatchObject({ name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } });
    expect((err as Error).message).toContain(member);
  });

  it('adds an instance through addInstance that the API then describes', async () => {
    const rec = addInstance(sb.sandbox.baseContext('connect', 'seed'), { InstanceAlias: 'seeded-desk', Tags: { demo: 'true' } });

    const { Instance } = await connect.send(new DescribeInstanceCommand({ InstanceId: rec.Id }));

    expect(Instance).toMatchObject({ Id: rec.Id, InstanceAlias: 'seeded-desk', InstanceStatus: 'ACTIVE', IdentityManagementType: 'CONNECT_MANAGED', Tags: { demo: 'true' } });
  });

  it('refuses addInstance with an alias that is already taken', () => {
    const ctx = sb.sandbox.baseContext('connect', 'seed');
    addInstance(ctx, { InstanceAlias: 'seeded-desk' });

    expect(() => addInstance(ctx, { InstanceAlias: 'seeded-desk' })).toThrow(expect.objectContaining({ code: 'InvalidRequestException' }));
  });
});
