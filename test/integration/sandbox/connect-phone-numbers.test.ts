import {
  AssociatePhoneNumberContactFlowCommand,
  DescribeContactFlowCommand,
  ListContactFlowsCommand,
  ConnectClient,
  CreateInstanceCommand,
  DescribePhoneNumberCommand,
  DisassociatePhoneNumberContactFlowCommand,
  ImportPhoneNumberCommand,
  ListPhoneNumbersV2Command,
  paginateListPhoneNumbersV2,
  ReleasePhoneNumberCommand,
  type ImportPhoneNumberCommandInput,
} from '@aws-sdk/client-connect';
import { findImportBySource } from '../../../local/sandbox/services/connect';
import type { PhoneNumberRecord } from '../../../local/sandbox/services/sms-voice/model';
import { awsCli, control, startSandbox, type RunningSandbox } from '../../support/sandbox';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACCOUNT = '123456789012';
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const CLAIM_DELAY_MS = 60_000;

let serial = 0;

/** An End User Messaging SMS number record, as the sms-voice service stores it; each call gives a new number. */
function sourceNumber(overrides: Partial<PhoneNumberRecord> = {}): PhoneNumberRecord {
  serial += 1;
  const id = `phone-${serial.toString(16).padStart(32, '0')}`;
  const region = overrides.PhoneNumberArn?.split(':')[3] ?? 'us-east-1';
  return {
    PhoneNumberArn: `arn:aws:sms-voice:${region}:${ACCOUNT}:phone-number/${id}`,
    PhoneNumberId: id,
    PhoneNumber: `+1206555${(1000 + serial).toString().slice(-4)}`,
    Status: 'ACTIVE',
    IsoCountryCode: 'US',
    MessageType: 'TRANSACTIONAL',
    NumberCapabilities: ['SMS', 'VOICE'],
    NumberType: 'LONG_CODE',
    MonthlyLeasingPrice: '1.00',
    TwoWayEnabled: true,
    TwoWayChannelArn: 'connect.us-east-1.amazonaws.com',
    SelfManagedOptOutsEnabled: false,
    OptOutListName: 'Default',
    InternationalSendingEnabled: false,
    DeletionProtectionEnabled: false,
    CreatedTimestamp: new Date(T0 - 86_400_000).toISOString(),
    Tags: {},
    ...overrides,
  };
}

describe('sandbox Connect phone-number import', () => {
  let sb: RunningSandbox;
  let connect: ConnectClient;
  let nowMs = T0;
  let instanceId: string;
  let instanceArn: string;

  /** Writes a source number into the sandbox's End User Messaging state. */
  function addSource(overrides: Partial<PhoneNumberRecord> = {}): PhoneNumberRecord {
    const rec = sourceNumber(overrides);
    sb.sandbox.state.smsVoice.phoneNumbers[rec.PhoneNumberId] = rec;
    return rec;
  }

  function importRequest(source: PhoneNumberRecord, overrides: Partial<ImportPhoneNumberCommandInput> = {}): ImportPhoneNumberCommandInput {
    return { InstanceId: instanceId, SourcePhoneNumberArn: source.PhoneNumberArn, ...overrides };
  }

  async function importClaimed(source = addSource(), overrides: Partial<ImportPhoneNumberCommandInput> = {}): Promise<{ PhoneNumberId: string; PhoneNumberArn: string }> {
    const out = await connect.send(new ImportPhoneNumberCommand(importRequest(source, overrides)));
    return { PhoneNumberId: out.PhoneNumberId!, PhoneNumberArn: out.PhoneNumberArn! };
  }

  async function setClaimDelay(ms: number): Promise<void> {
    const res = await control(sb.url, 'PUT', '/_sandbox/settings', { connectClaimDelayMs: ms });
    expect(res.status).toBe(200);
  }

  beforeAll(async () => {
    sb = await startSandbox({ seed: false, clock: () => new Date(nowMs) });
    connect = new ConnectClient(sb.clientConfig);
  });
  afterAll(async () => {
    connect.destroy();
    await sb.stop();
  });
  beforeEach(async () => {
    nowMs = T0;
    sb.sandbox.reset(false);
    const created = await connect.send(new CreateInstanceCommand({ IdentityManagementType: 'CONNECT_MANAGED', InstanceAlias: 'sms-desk', InboundCallsEnabled: true, OutboundCallsEnabled: true }));
    instanceId = created.Id!;
    instanceArn = created.Arn!;
  });

  describe('ImportPhoneNumber', () => {
    it('imports an End User Messaging number and DescribePhoneNumber reports its summary', async () => {
      const source = addSource({ PhoneNumber: '+12065550100' });

      const out = await connect.send(
        new ImportPhoneNumberCommand(importRequest(source, { PhoneNumberDescription: 'Support line', Tags: { env: 'test' }, ClientToken: 'import-1' })),
      );

      expect(out.PhoneNumberId).toMatch(UUID);
      expect(out.PhoneNumberArn).toBe(`arn:aws:connect:us-east-1:${ACCOUNT}:phone-number/${out.PhoneNumberId}`);
      const { ClaimedPhoneNumberSummary } = await connect.send(new DescribePhoneNumberCommand({ PhoneNumberId: out.PhoneNumberId }));
      expect(ClaimedPhoneNumberSummary).toEqual({
        PhoneNumberId: out.PhoneNumberId,
        PhoneNumberArn: out.PhoneNumberArn,
        PhoneNumber: '+12065550100',
        PhoneNumberCountryCode: 'US',
        PhoneNumberType: 'DID',
        PhoneNumberDescription: 'Support line',
        TargetArn: instanceArn,
        InstanceId: instanceId,
        Tags: { env: 'test' },
        PhoneNumberStatus: { Status: 'CLAIMED' },
        SourcePhoneNumberArn: source.PhoneNumberArn,
      });
    });

    it('reports a toll-free source as TOLL_FREE', async () => {
      const { PhoneNumberId } = await importClaimed(addSource({ NumberType: 'TOLL_FREE', PhoneNumber: '+18885550100' }));

      const { ClaimedPhoneNumberSummary } = await connect.send(new DescribePhoneNumberCommand({ PhoneNumberId }));

      expect(ClaimedPhoneNumberSummary?.PhoneNumberType).toBe('TOLL_FREE');
    });

    it('keeps an import IN_PROGRESS until the claim delay has passed, then reports CLAIMED', async () => {
      await setClaimDelay(CLAIM_DELAY_MS);
      const source = addSource();
      const { PhoneNumberId } = await importClaimed(source);
      const status = async (): Promise<string | undefined> =>
        (await connect.send(new DescribePhoneNumberCommand({ PhoneNumberId }))).ClaimedPhoneNumberSummary?.PhoneNumberStatus?.Status;

      const atStart = await status();
      nowMs = T0 + CLAIM_DELAY_MS - 1;
      const justBefore = await status();
      nowMs = T0 + CLAIM_DELAY_MS;
      const atDelay = await status();

      expect([atStart, justBefore, atDelay]).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'CLAIMED']);
    });

    it('answers findImportBySource with the status as of the given time', async () => {
      await setClaimDelay(CLAIM_DELAY_MS);
      const source = addSource();
      const { PhoneNumberId } = await importClaimed(source);
      const state = sb.sandbox.state;

      const before = findImportBySource(state, source.PhoneNumberArn, new Date(T0 + 1000));
      const after = findImportBySource(state, source.PhoneNumberArn, new Date(T0 + CLAIM_DELAY_MS));
      const other = findImportBySource(state, addSource().PhoneNumberArn, new Date(T0));

      expect(before).toMatchObject({ PhoneNumberId, InstanceId: instanceId, PhoneNumberStatus: { Status: 'IN_PROGRESS' } });
      expect(after).toMatchObject({ PhoneNumberId, PhoneNumberStatus: { Status: 'CLAIMED' } });
      expect(other).toBeUndefined();
      expect(state.connect.phoneNumbers[PhoneNumberId]?.PhoneNumberStatus.Status).toBe('IN_PROGRESS');
    });

    it('returns the first response for a repeated ClientToken with the same request and imports once', async () => {
      const source = addSource();
      const request = importRequest(source, { ClientToken: 'deterministic-token', PhoneNumberDescription: 'd' });
      const first = await connect.send(new ImportPhoneNumberCommand(request));

      const second = await connect.send(new ImportPhoneNumberCommand(request));

      expect(second).toMatchObject({ PhoneNumberId: first.PhoneNumberId, PhoneNumberArn: first.PhoneNumberArn });
      const list = await connect.send(new ListPhoneNumbersV2Command({ InstanceId: instanceId }));
      expect(list.ListPhoneNumbersSummaryList).toHaveLength(1);
    });

    it('answers a repeated ClientToken with a different request with IdempotencyException 409', async () => {
      const source = addSource();
      await connect.send(new ImportPhoneNumberCommand(importRequest(source, { ClientToken: 'deterministic-token', PhoneNumberDescription: 'one' })));

      const err = await connect
        .send(new ImportPhoneNumberCommand(importRequest(source, { ClientToken: 'deterministic-token', PhoneNumberDescription: 'two' })))
        .catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'IdempotencyException', $metadata: { httpStatusCode: 409 } });
    });

    it('forgets a ClientToken after 24 hours', async () => {
      await connect.send(new ImportPhoneNumberCommand(importRequest(addSource(), { ClientToken: 'deterministic-token' })));
      nowMs = T0 + 24 * 60 * 60 * 1000;

      const out = await connect.send(new ImportPhoneNumberCommand(importRequest(addSource(), { ClientToken: 'deterministic-token' })));

      expect(out.PhoneNumberId).toMatch(UUID);
      expect(Object.keys(sb.sandbox.state.connect.phoneNumbers)).toHaveLength(2);
    });

    it('answers an unknown instance with ResourceNotFoundException 404 and imports nothing', async () => {
      const source = addSource();

      const err = await connect.send(new ImportPhoneNumberCommand(importRequest(source, { InstanceId: '00000000-0000-0000-0000-000000000000' }))).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
      expect(findImportBySource(sb.sandbox.state, source.PhoneNumberArn, new Date(nowMs))).toBeUndefined();
    });

    it('answers a source number End User Messaging does not have with ResourceNotFoundException 404', async () => {
      const missing = sourceNumber();

      const err = await connect.send(new ImportPhoneNumberCommand(importRequest(missing))).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
      expect((err as Error).message).toContain(missing.PhoneNumberArn);
    });

    it('answers a DELETED source number with ResourceNotFoundException 404', async () => {
      const err = await connect.send(new ImportPhoneNumberCommand(importRequest(addSource({ Status: 'DELETED' })))).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    });

    it('answers a source number of another account with ResourceNotFoundException 404', async () => {
      const source = addSource();
      const foreign = source.PhoneNumberArn.replace(ACCOUNT, '210987654321');
      sb.sandbox.state.smsVoice.phoneNumbers[source.PhoneNumberId] = { ...source, PhoneNumberArn: foreign };

      const err = await connect.send(new ImportPhoneNumberCommand(importRequest(source, { SourcePhoneNumberArn: foreign }))).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    });

    it.each<[string, () => Partial<ImportPhoneNumberCommandInput>, string]>([
      ['a source ARN of another service', () => ({ SourcePhoneNumberArn: `arn:aws:sns:us-east-1:${ACCOUNT}:inbound` }), 'SourcePhoneNumberArn'],
      ['a source ARN that is not an ARN', () => ({ SourcePhoneNumberArn: '+12065550100' }), 'SourcePhoneNumberArn'],
      ['a source number in another region', () => ({ SourcePhoneNumberArn: addSource({ PhoneNumberArn: `arn:aws:sms-voice:eu-west-1:${ACCOUNT}:phone-number/x` }).PhoneNumberArn }), 'eu-west-1'],
      ['a PENDING source number', () => ({ SourcePhoneNumberArn: addSource({ Status: 'PENDING' }).PhoneNumberArn }), 'PENDING'],
      ['a missing InstanceId', () => ({ InstanceId: undefined as unknown as string }), 'InstanceId'],
      ['an InstanceId over 100 characters', () => ({ InstanceId: 'i'.repeat(101) }), 'InstanceId'],
      ['a missing SourcePhoneNumberArn', () => ({ SourcePhoneNumberArn: undefined as unknown as string }), 'SourcePhoneNumberArn'],
      ['a description over 500 characters', () => ({ PhoneNumberDescription: 'x'.repeat(501) }), 'PhoneNumberDescription'],
      ['a ClientToken over 500 characters', () => ({ ClientToken: 't'.repeat(501) }), 'ClientToken'],
      ['a tag key starting with aws:', () => ({ Tags: { 'aws:x': 'y' } }), 'Tags'],
      ['an empty tag map', () => ({ Tags: {} }), 'Tags'],
    ])('rejects %s with InvalidParameterException 400 naming it', async (_case, overrides, mention) => {
      const source = addSource();

      const err = await connect.send(new ImportPhoneNumberCommand(importRequest(source, overrides()))).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
      expect((err as Error).message).toContain(mention);
      expect(Object.keys(sb.sandbox.state.connect.phoneNumbers)).toEqual([]);
    });

    it('rejects importing a number that is already imported, naming the existing import', async () => {
      const source = addSource();
      const first = await importClaimed(source);

      const err = await connect.send(new ImportPhoneNumberCommand(importRequest(source, { ClientToken: 'another-token' }))).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
      expect((err as Error).message).toContain(first.PhoneNumberId);
      expect(Object.keys(sb.sandbox.state.connect.phoneNumbers)).toEqual([first.PhoneNumberId]);
    });
  });

  describe('DescribePhoneNumber', () => {
    it('accepts the phone number ARN in place of its id', async () => {
      const { PhoneNumberId, PhoneNumberArn } = await importClaimed();

      const out = await connect.send(new DescribePhoneNumberCommand({ PhoneNumberId: PhoneNumberArn }));

      expect(out.ClaimedPhoneNumberSummary?.PhoneNumberId).toBe(PhoneNumberId);
    });

    it('answers an unknown id with ResourceNotFoundException 404', async () => {
      const err = await connect.send(new DescribePhoneNumberCommand({ PhoneNumberId: '99999999-9999-4999-8999-999999999999' })).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    });

    it('answers an id that is neither a UUID nor an ARN with InvalidParameterException 400', async () => {
      const err = await connect.send(new DescribePhoneNumberCommand({ PhoneNumberId: 'not-a-phone-number-id' })).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
      expect((err as Error).message).toContain('PhoneNumberId');
    });

    it('does not show a number to callers in another region', async () => {
      const { PhoneNumberId } = await importClaimed();
      const west = new ConnectClient({ ...sb.clientConfig, region: 'us-west-2' });

      const err = await west.send(new DescribePhoneNumberCommand({ PhoneNumberId })).catch((e: unknown) => e);

      west.destroy();
      expect(err).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    });
  });

  describe('ListPhoneNumbersV2', () => {
    it('lists the numbers of one instance by InstanceId or by TargetArn with their source ARNs', async () => {
      const other = await connect.send(new CreateInstanceCommand({ IdentityManagementType: 'CONNECT_MANAGED', InstanceAlias: 'other-desk', InboundCallsEnabled: true, OutboundCallsEnabled: true }));
      const mine = addSource();
      const theirs = addSource();
      const imported = await importClaimed(mine, { PhoneNumberDescription: 'mine' });
      await importClaimed(theirs, { InstanceId: other.Id });

      const byId = await connect.send(new ListPhoneNumbersV2Command({ InstanceId: instanceId }));
      const byArn = await connect.send(new ListPhoneNumbersV2Command({ TargetArn: instanceArn }));
      const all = await connect.send(new ListPhoneNumbersV2Command({}));

      expect(byId.ListPhoneNumbersSummaryList).toEqual([
        {
          PhoneNumberId: imported.PhoneNumberId,
          PhoneNumberArn: imported.PhoneNumberArn,
          PhoneNumber: mine.PhoneNumber,
          PhoneNumberCountryCode: 'US',
          PhoneNumberType: 'DID',
          TargetArn: instanceArn,
          InstanceId: instanceId,
          PhoneNumberDescription: 'mine',
          SourcePhoneNumberArn: mine.PhoneNumberArn,
        },
      ]);
      expect(byArn.ListPhoneNumbersSummaryList).toEqual(byId.ListPhoneNumbersSummaryList);
      expect(all.ListPhoneNumbersSummaryList?.map((p) => p.SourcePhoneNumberArn).sort()).toEqual([mine.PhoneNumberArn, theirs.PhoneNumberArn].sort());
    });

    it('filters by phone number type, country code and prefix', async () => {
      await importClaimed(addSource({ PhoneNumber: '+12065550111' }));
      const tollFree = addSource({ NumberType: 'TOLL_FREE', PhoneNumber: '+18885550100' });
      await importClaimed(tollFree);

      const byType = await connect.send(new ListPhoneNumbersV2Command({ PhoneNumberTypes: ['TOLL_FREE'] }));
      const byPrefix = await connect.send(new ListPhoneNumbersV2Command({ PhoneNumberPrefix: '+1206' }));
      const byCountry = await connect.send(new ListPhoneNumbersV2Command({ PhoneNumberCountryCodes: ['GB'] }));

      expect(byType.ListPhoneNumbersSummaryList?.map((p) => p.SourcePhoneNumberArn)).toEqual([tollFree.PhoneNumberArn]);
      expect(byPrefix.ListPhoneNumbersSummaryList?.map((p) => p.PhoneNumber)).toEqual(['+12065550111']);
      expect(byCountry.ListPhoneNumbersSummaryList).toEqual([]);
    });

    it('pages with MaxResults and NextToken, and the SDK paginator sees every number once', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        nowMs = T0 + i * 1000;
        ids.push((await importClaimed()).PhoneNumberId);
      }

      const first = await connect.send(new ListPhoneNumbersV2Command({ InstanceId: instanceId, MaxResults: 2 }));
      const seen: string[] = [];
      for await (const p of paginateListPhoneNumbersV2({ client: connect, pageSize: 2 }, { InstanceId: instanceId })) {
        seen.push(...(p.ListPhoneNumbersSummaryList ?? []).map((s) => s.PhoneNumberId!));
      }

      expect(first.ListPhoneNumbersSummaryList?.map((p) => p.PhoneNumberId)).toEqual(ids.slice(0, 2));
      expect(first.NextToken).toEqual(expect.any(String));
      expect(seen).toEqual(ids);
    });

    it.each<[string, string, number, string, () => object]>([
      ['an unknown InstanceId', 'ResourceNotFoundException', 404, 'Instance', () => ({ InstanceId: '00000000-0000-0000-0000-000000000000' })],
      ['an unknown instance TargetArn', 'ResourceNotFoundException', 404, 'Instance', () => ({ TargetArn: `arn:aws:connect:us-east-1:${ACCOUNT}:instance/00000000-0000-0000-0000-000000000000` })],
      ['a TargetArn that is not a Connect ARN', 'InvalidParameterException', 400, 'TargetArn', () => ({ TargetArn: 'arn:aws:sns:us-east-1:123456789012:t' })],
      ['MaxResults over 1000', 'InvalidParameterException', 400, 'MaxResults', () => ({ MaxResults: 1001 })],
      ['an unknown phone number type', 'InvalidParameterException', 400, 'PhoneNumberTypes', () => ({ PhoneNumberTypes: ['LANDLINE'] })],
      ['a prefix with letters', 'InvalidParameterException', 400, 'PhoneNumberPrefix', () => ({ PhoneNumberPrefix: '+1abc' })],
      ['a NextToken it did not issue', 'InvalidParameterException', 400, 'NextToken', () => ({ NextToken: 'bogus!' })],
    ])('answers %s with %s %i', async (_case, name, status, mention, input) => {
      const err = await connect.send(new ListPhoneNumbersV2Command(input())).catch((e: unknown) => e);

      expect(err).toMatchObject({ name, $metadata: { httpStatusCode: status } });
      expect((err as Error).message).toContain(mention);
    });

    it('answers a TargetArn and an InstanceId of different instances with InvalidParameterException 400', async () => {
      const other = await connect.send(new CreateInstanceCommand({ IdentityManagementType: 'CONNECT_MANAGED', InstanceAlias: 'other-desk', InboundCallsEnabled: true, OutboundCallsEnabled: true }));

      const err = await connect.send(new ListPhoneNumbersV2Command({ TargetArn: instanceArn, InstanceId: other.Id })).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
      expect((err as Error).message).toContain(other.Id);
    });

    it('routes an unsigned request by its REST path to Connect', async () => {
      await importClaimed();

      const res = await fetch(`${sb.url}/phone-number/list`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ InstanceId: instanceId }) });

      expect(res.status).toBe(200);
      const body = (await res.json()) as { ListPhoneNumbersSummaryList: unknown[] };
      expect(body.ListPhoneNumbersSummaryList).toHaveLength(1);
    });
  });

  describe('ReleasePhoneNumber', () => {
    it('releases a CLAIMED number so that it is no longer described or listed', async () => {
      const { PhoneNumberId } = await importClaimed();

      await connect.send(new ReleasePhoneNumberCommand({ PhoneNumberId, ClientToken: 'release-1' }));

      const err = await connect.send(new DescribePhoneNumberCommand({ PhoneNumberId })).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'ResourceNotFoundException' });
      const list = await connect.send(new ListPhoneNumbersV2Command({ InstanceId: instanceId }));
      expect(list.ListPhoneNumbersSummaryList).toEqual([]);
    });

    it('lets the released source number be imported again', async () => {
      const source = addSource();
      const { PhoneNumberId } = await importClaimed(source);
      await connect.send(new ReleasePhoneNumberCommand({ PhoneNumberId }));

      const again = await importClaimed(source);

      expect(again.PhoneNumberId).not.toBe(PhoneNumberId);
    });

    it('answers a release while the import is IN_PROGRESS with ResourceInUseException 409', async () => {
      await setClaimDelay(CLAIM_DELAY_MS);
      const { PhoneNumberId, PhoneNumberArn } = await importClaimed();

      const err = await connect.send(new ReleasePhoneNumberCommand({ PhoneNumberId })).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'ResourceInUseException', $metadata: { httpStatusCode: 409 }, ResourceType: 'PHONE_NUMBER', ResourceId: PhoneNumberArn });
      nowMs = T0 + CLAIM_DELAY_MS;
      await expect(connect.send(new ReleasePhoneNumberCommand({ PhoneNumberId }))).resolves.toBeDefined();
    });

    it('succeeds again for a repeated ClientToken with the same number', async () => {
      const { PhoneNumberId } = await importClaimed();
      await connect.send(new ReleasePhoneNumberCommand({ PhoneNumberId, ClientToken: 'release-once' }));

      const again = await connect.send(new ReleasePhoneNumberCommand({ PhoneNumberId, ClientToken: 'release-once' }));

      expect(again.$metadata.httpStatusCode).toBe(200);
    });

    it('answers a repeated ClientToken with another number with IdempotencyException 409', async () => {
      const a = await importClaimed();
      const b = await importClaimed();
      await connect.send(new ReleasePhoneNumberCommand({ PhoneNumberId: a.PhoneNumberId, ClientToken: 'release-once' }));

      const err = await connect.send(new ReleasePhoneNumberCommand({ PhoneNumberId: b.PhoneNumberId, ClientToken: 'release-once' })).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'IdempotencyException', $metadata: { httpStatusCode: 409 } });
      expect(sb.sandbox.state.connect.phoneNumbers[b.PhoneNumberId]).toBeDefined();
    });

    it('answers a number that was never imported with ResourceNotFoundException 404', async () => {
      const err = await connect.send(new ReleasePhoneNumberCommand({ PhoneNumberId: '99999999-9999-4999-8999-999999999999' })).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    });
  });

  describe('AssociatePhoneNumberContactFlow and DisassociatePhoneNumberContactFlow', () => {
    /** A flow of the instance (every instance has the default flows; their ids are new at every creation). */
    let FLOW = '';
    beforeEach(() => {
      FLOW = Object.values(sb.sandbox.state.connect.instances[instanceId]!.ContactFlows ?? {}).find((f) => f.Name === 'Default inbound flow')!.Id;
    });

    it('refuses a flow the instance does not have with ResourceNotFoundException 404, associating nothing', async () => {
      const { PhoneNumberId } = await importClaimed();

      const err = await connect.send(new AssociatePhoneNumberContactFlowCommand({ PhoneNumberId, InstanceId: instanceId, ContactFlowId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' })).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
      expect((err as Error).message).toContain('Contact flow not found');
      expect(sb.sandbox.state.connect.phoneNumbers[PhoneNumberId]?.ContactFlowId).toBeUndefined();
    });

    it('DescribeContactFlow and ListContactFlows show the default flows; an unknown flow is ResourceNotFoundException 404', async () => {
      const described = await connect.send(new DescribeContactFlowCommand({ InstanceId: instanceId, ContactFlowId: FLOW }));
      const listed = await connect.send(new ListContactFlowsCommand({ InstanceId: instanceId, ContactFlowTypes: ['CONTACT_FLOW'] }));
      const unknown = await connect.send(new DescribeContactFlowCommand({ InstanceId: instanceId, ContactFlowId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' })).catch((e: unknown) => e);

      expect(described.ContactFlow).toMatchObject({ Id: FLOW, Name: 'Default inbound flow', Type: 'CONTACT_FLOW', State: 'ACTIVE', Status: 'PUBLISHED', Arn: expect.stringMatching(new RegExp(`:instance/${instanceId}/contact-flow/${FLOW}$`)) });
      expect(listed.ContactFlowSummaryList?.map((f) => f.Name).sort()).toEqual(['Default inbound flow', 'Sample inbound flow (first contact experience)']);
      expect(listed.ContactFlowSummaryList?.every((f) => f.ContactFlowType === 'CONTACT_FLOW' && f.ContactFlowState === 'ACTIVE')).toBe(true);
      expect(unknown).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    });

    it('associates a flow with a CLAIMED number and disassociates it again', async () => {
      const { PhoneNumberId } = await importClaimed();

      await connect.send(new AssociatePhoneNumberContactFlowCommand({ PhoneNumberId, InstanceId: instanceId, ContactFlowId: FLOW }));
      const associated = sb.sandbox.state.connect.phoneNumbers[PhoneNumberId]?.ContactFlowId;
      await connect.send(new DisassociatePhoneNumberContactFlowCommand({ PhoneNumberId, InstanceId: instanceId }));
      const afterwards = sb.sandbox.state.connect.phoneNumbers[PhoneNumberId]?.ContactFlowId;

      expect(associated).toBe(FLOW);
      expect(afterwards).toBeUndefined();
    });

    it('stores CLAIMED on the record once a mutating call touches a claimed number', async () => {
      await setClaimDelay(CLAIM_DELAY_MS);
      const { PhoneNumberId } = await importClaimed();
      nowMs = T0 + CLAIM_DELAY_MS;

      await connect.send(new AssociatePhoneNumberContactFlowCommand({ PhoneNumberId, InstanceId: instanceId, ContactFlowId: FLOW }));

      expect(sb.sandbox.state.connect.phoneNumbers[PhoneNumberId]?.PhoneNumberStatus).toEqual({ Status: 'CLAIMED' });
    });

    it('refuses a flow while the number is IN_PROGRESS with InvalidParameterException 400', async () => {
      await setClaimDelay(CLAIM_DELAY_MS);
      const { PhoneNumberId } = await importClaimed();

      const err = await connect.send(new AssociatePhoneNumberContactFlowCommand({ PhoneNumberId, InstanceId: instanceId, ContactFlowId: FLOW })).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
      expect((err as Error).message).toContain('IN_PROGRESS');
    });

    it('answers an instance the number is not claimed to with ResourceNotFoundException 404', async () => {
      const other = await connect.send(new CreateInstanceCommand({ IdentityManagementType: 'CONNECT_MANAGED', InstanceAlias: 'other-desk', InboundCallsEnabled: true, OutboundCallsEnabled: true }));
      const { PhoneNumberId } = await importClaimed();

      const err = await connect.send(new AssociatePhoneNumberContactFlowCommand({ PhoneNumberId, InstanceId: other.Id!, ContactFlowId: FLOW })).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
      expect(sb.sandbox.state.connect.phoneNumbers[PhoneNumberId]?.ContactFlowId).toBeUndefined();
    });

    it.each<[string, { InstanceId?: string; ContactFlowId?: string }, string]>([
      ['a missing ContactFlowId', { ContactFlowId: undefined }, 'ContactFlowId'],
      ['a ContactFlowId over 500 characters', { ContactFlowId: 'f'.repeat(501) }, 'ContactFlowId'],
      ['a missing InstanceId', { InstanceId: undefined }, 'InstanceId'],
    ])('rejects an association with %s as InvalidParameterException 400', async (_case, overrides, member) => {
      const { PhoneNumberId } = await importClaimed();
      const input = { PhoneNumberId, InstanceId: instanceId, ContactFlowId: FLOW, ...overrides } as { PhoneNumberId: string; InstanceId: string; ContactFlowId: string };

      const err = await connect.send(new AssociatePhoneNumberContactFlowCommand(input)).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
      expect((err as Error).message).toContain(member);
    });

    it('rejects a disassociation without an instanceId as InvalidParameterException 400', async () => {
      const { PhoneNumberId } = await importClaimed();

      const err = await connect
        .send(new DisassociatePhoneNumberContactFlowCommand({ PhoneNumberId, InstanceId: undefined as unknown as string }))
        .catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
      expect((err as Error).message).toContain('InstanceId');
    });

    it('answers a disassociation of an unknown number with ResourceNotFoundException 404', async () => {
      const err = await connect
        .send(new DisassociatePhoneNumberContactFlowCommand({ PhoneNumberId: '99999999-9999-4999-8999-999999999999', InstanceId: instanceId }))
        .catch((e: unknown) => e);

      expect(err).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    });
  });

  describe('injected faults', () => {
    afterEach(async () => {
      await control(sb.url, 'DELETE', '/_sandbox/faults');
    });

    it.each([
      ['ThrottlingException', 429],
      ['InternalServiceException', 500],
      ['AccessDeniedException', 403],
    ])('answers an injected %s with HTTP %i in the restJson wire format', async (error, status) => {
      await control(sb.url, 'POST', '/_sandbox/faults', { service: 'connect', operation: 'ImportPhoneNumber', error, count: 1 });
      const source = addSource();

      const err = await connect.send(new ImportPhoneNumberCommand(importRequest(source))).catch((e: unknown) => e);

      expect(err).toMatchObject({ name: error, $metadata: { httpStatusCode: status } });
      expect(findImportBySource(sb.sandbox.state, source.PhoneNumberArn, new Date(nowMs))).toBeUndefined();
    });
  });

  describe('AWS CLI', () => {
    it('imports a number with aws connect import-phone-number', async () => {
      const source = addSource();

      const out = await awsCli(sb.url, ['connect', 'import-phone-number', '--instance-id', instanceId, '--source-phone-number-arn', source.PhoneNumberArn]);

      expect(out.code).toBe(0);
      expect(Object.keys(out.json).sort()).toEqual(['PhoneNumberArn', 'PhoneNumberId']);
      expect(out.json.PhoneNumberId).toMatch(UUID);
      expect(out.json.PhoneNumberArn).toBe(`arn:aws:connect:us-east-1:${ACCOUNT}:phone-number/${out.json.PhoneNumberId}`);
      const described = await connect.send(new DescribePhoneNumberCommand({ PhoneNumberId: out.json.PhoneNumberId }));
      expect(described.ClaimedPhoneNumberSummary).toMatchObject({ SourcePhoneNumberArn: source.PhoneNumberArn, TargetArn: instanceArn });
    });

    it('reports ResourceNotFoundException from aws connect import-phone-number for an unknown instance', async () => {
      const source = addSource();

      const out = await awsCli(sb.url, ['connect', 'import-phone-number', '--instance-id', '00000000-0000-0000-0000-000000000000', '--source-phone-number-arn', source.PhoneNumberArn]);

      expect(out.code).not.toBe(0);
      expect(out.stderr).toContain('(ResourceNotFoundException)');
      expect(out.stderr).toContain('ImportPhoneNumber');
    });
  });
});
