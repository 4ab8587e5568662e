import {
  AssociateOriginationIdentityCommand,
  CreatePoolCommand,
  DeletePoolCommand,
  DescribePhoneNumbersCommand,
  DescribePoolsCommand,
  ListTagsForResourceCommand,
  paginateDescribePhoneNumbers,
  ReleasePhoneNumberCommand,
  RequestPhoneNumberCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdatePhoneNumberCommand,
  UpdatePoolCommand,
  type PinpointSMSVoiceV2Client,
  type RequestPhoneNumberCommandInput,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { findPhoneNumber } from '../../../local/sandbox/services/sms-voice';
import { control, startSandbox, type RunningSandbox } from '../../support/sandbox';
import { ACCOUNT, failure, putNumber, putPool, putTopic, smsClient, topicRecord } from './sms-voice-fixtures';

const PHONE_ID = /^phone-[0-9a-f]{32}$/;
const POOL_ID = /^pool-[0-9a-f]{32}$/;

describe('sms-voice phone numbers, pools and tags', () => {
  let sb: RunningSandbox;
  let sms: PinpointSMSVoiceV2Client;

  beforeAll(async () => {
    sb = await startSandbox({ seed: false });
    sms = smsClient(sb);
  });
  afterAll(async () => {
    await sb.stop();
  });

  const request = (input: Partial<RequestPhoneNumberCommandInput> = {}) =>
    sms.send(new RequestPhoneNumberCommand({ IsoCountryCode: 'US', MessageType: 'TRANSACTIONAL', NumberCapabilities: ['SMS'], NumberType: 'LONG_CODE', ...input }));

  describe('DescribePhoneNumbers', () => {
    let sandbox: RunningSandbox;
    let client: PinpointSMSVoiceV2Client;
    beforeAll(async () => {
      // Its own sandbox, so that listings hold exactly these numbers.
      sandbox = await startSandbox({ seed: false });
      client = smsClient(sandbox);
      putNumber(sandbox, { PhoneNumber: '+12065550101', NumberCapabilities: ['SMS', 'VOICE', 'MMS'] });
      putNumber(sandbox, { PhoneNumber: '+12065550102', NumberType: 'TEN_DLC', MessageType: 'PROMOTIONAL', RegistrationId: 'registration-0123' });
      putNumber(sandbox, { PhoneNumber: '+12065550103', NumberType: 'SIMULATOR' });
      putNumber(sandbox, { PhoneNumber: '+12065550104', Status: 'PENDING', NumberType: 'TOLL_FREE' });
      putNumber(sandbox, { PhoneNumber: '+4915112340000', IsoCountryCode: 'DE' });
    });
    afterAll(async () => {
      await sandbox.stop();
    });

    it('lists every number with the members of PhoneNumberInformation', async () => {
      const out = await client.send(new DescribePhoneNumbersCommand({}));

      expect(out.PhoneNumbers?.map((n) => n.PhoneNumber)).toEqual(['+12065550101', '+12065550102', '+12065550103', '+12065550104', '+4915112340000']);
      const first = out.PhoneNumbers![0]!;
      expect(first).toEqual({
        PhoneNumberArn: `arn:aws:sms-voice:us-east-1:${ACCOUNT}:phone-number/${first.PhoneNumberId}`,
        PhoneNumberId: expect.stringMatching(PHONE_ID),
        PhoneNumber: '+12065550101',
        Status: 'ACTIVE',
        IsoCountryCode: 'US',
        MessageType: 'TRANSACTIONAL',
        NumberCapabilities: ['SMS', 'VOICE', 'MMS'],
        NumberType: 'LONG_CODE',
        MonthlyLeasingPrice: '1.00',
        TwoWayEnabled: false,
        SelfManagedOptOutsEnabled: false,
        OptOutListName: 'Default',
        InternationalSendingEnabled: false,
        DeletionProtectionEnabled: false,
        CreatedTimestamp: expect.any(Date),
      });
      expect(out.NextToken).toBeUndefined();
    });

    it('sends CreatedTimestamp as epoch seconds on the wire', async () => {
      const res = await fetch(sandbox.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'PinpointSMSVoiceV2.DescribePhoneNumbers' },
        body: '{"MaxResults":1}',
      });
      const body = (await res.json()) as { PhoneNumbers: { CreatedTimestamp: unknown }[] };

      expect(typeof body.PhoneNumbers[0]!.CreatedTimestamp).toBe('number');
      expect(Math.abs((body.PhoneNumbers[0]!.CreatedTimestamp as number) - Date.now() / 1000)).toBeLessThan(600);
    });

    it('finds numbers by id and by ARN', async () => {
      const all = (await client.send(new DescribePhoneNumbersCommand({}))).PhoneNumbers!;

      const out = await client.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [all[1]!.PhoneNumberId!, all[2]!.PhoneNumberArn!] }));

      expect(out.PhoneNumbers?.map((n) => n.PhoneNumber)).toEqual(['+12065550102', '+12065550103']);
      expect(out.PhoneNumbers?.[0]?.RegistrationId).toBe('registration-0123');
    });

    it('answers ResourceNotFoundException for an unknown id among known ones', async () => {
      const all = (await client.send(new DescribePhoneNumbersCommand({}))).PhoneNumbers!;
      const unknown = `phone-${'a'.repeat(32)}`;

      const err = await failure(client.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [all[0]!.PhoneNumberId!, unknown] })));

      expect(err.name).toBe('ResourceNotFoundException');
      expect(err.ResourceType).toBe('phone-number');
      expect(err.ResourceId).toBe(unknown);
      expect(err.$metadata.httpStatusCode).toBe(400);
    });

    it('rejects more than five PhoneNumberIds', async () => {
      const ids = Array.from({ length: 6 }, (_, i) => `phone-${String(i).repeat(32)}`);

      const err = await failure(client.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: ids })));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('INVALID_PARAMETER');
      expect(err.Fields).toEqual([{ Name: 'PhoneNumberIds', Message: 'Member must have length less than or equal to 5' }]);
    });

    it.each([
      ['status', ['PENDING'], ['+12065550104']],
      ['iso-country-code', ['DE'], ['+4915112340000']],
      ['message-type', ['PROMOTIONAL'], ['+12065550102']],
      ['number-capability', ['MMS'], ['+12065550101']],
      ['number-type', ['SIMULATOR', 'TEN_DLC'], ['+12065550102', '+12065550103']],
      ['two-way-enabled', ['true'], []],
      ['deletion-protection-enabled', ['false'], ['+12065550101', '+12065550102', '+12065550103', '+12065550104', '+4915112340000']],
      ['opt-out-list-name', ['Default'], ['+12065550101', '+12065550102', '+12065550103', '+12065550104', '+4915112340000']],
    ])('filters by %s %j', async (name, values, expected) => {
      const out = await client.send(new DescribePhoneNumbersCommand({ Filters: [{ Name: name as 'status', Values: values }] }));

      expect(out.PhoneNumbers?.map((n) => n.PhoneNumber)).toEqual(expected);
    });

    it('combines several filters with AND', async () => {
      const out = await client.send(
        new DescribePhoneNumbersCommand({
          Filters: [
            { Name: 'iso-country-code', Values: ['US'] },
            { Name: 'status', Values: ['ACTIVE'] },
            { Name: 'number-type', Values: ['LONG_CODE', 'TOLL_FREE'] },
          ],
        }),
      );

      expect(out.PhoneNumbers?.map((n) => n.PhoneNumber)).toEqual(['+12065550101']);
    });

    it('answers INVALID_FILTER_VALUES for a value outside the filter enum', async () => {
      const err = await failure(client.send(new DescribePhoneNumbersCommand({ Filters: [{ Name: 'two-way-enabled', Values: ['yes'] }] })));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('INVALID_FILTER_VALUES');
      expect(err.Fields[0].Name).toBe('Filters[0].Values');
    });

    it('answers INVALID_PARAMETER for an unknown filter name', async () => {
      const err = await failure(client.send(new DescribePhoneNumbersCommand({ Filters: [{ Name: 'phone-number' as 'status', Values: ['+12065550101'] }] })));

      expect(err.Reason).toBe('INVALID_PARAMETER');
      expect(err.Fields[0].Name).toBe('Filters[0].Name');
    });

    it('pages with MaxResults and NextToken through every number exactly once', async () => {
      const seen: string[] = [];
      let pages = 0;

      for await (const page of paginateDescribePhoneNumbers({ client, pageSize: 2 }, {})) {
        pages += 1;
        seen.push(...page.PhoneNumbers!.map((n) => n.PhoneNumber!));
      }

      expect(pages).toBe(3);
      expect(seen).toEqual(['+12065550101', '+12065550102', '+12065550103', '+12065550104', '+4915112340000']);
    });

    it('does not skip a number when the last one of a page is released before the next page', async () => {
      const extra = putNumber(sandbox, { PhoneNumber: '+12065550199' });
      const first = await client.send(new DescribePhoneNumbersCommand({ MaxResults: 5 }));
      const lastOfPage = first.PhoneNumbers!.at(-1)!;

      await client.send(new ReleasePhoneNumberCommand({ PhoneNumberId: lastOfPage.PhoneNumberId! }));
      const second = await client.send(new DescribePhoneNumbersCommand({ MaxResults: 5, NextToken: first.NextToken! }));

      expect(lastOfPage.PhoneNumber).toBe('+4915112340000');
      expect(second.PhoneNumbers?.map((n) => n.PhoneNumberId)).toEqual([extra.PhoneNumberId]);
      expect(second.NextToken).toBeUndefined();
    });

    it.each([0, 101])('rejects MaxResults %d', async (max) => {
      const err = await failure(client.send(new DescribePhoneNumbersCommand({ MaxResults: max })));

      expect(err.name).toBe('ValidationException');
      expect(err.Fields[0].Name).toBe('MaxResults');
    });

    it('answers INVALID_NEXT_TOKEN for a token it did not issue', async () => {
      const err = await failure(client.send(new DescribePhoneNumbersCommand({ NextToken: 'bm90LWEtdG9rZW4' })));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('INVALID_NEXT_TOKEN');
    });

    it('lists no numbers for Owner SHARED and rejects Owner with PhoneNumberIds', async () => {
      const shared = await client.send(new DescribePhoneNumbersCommand({ Owner: 'SHARED' }));
      const err = await failure(client.send(new DescribePhoneNumbersCommand({ Owner: 'SELF', PhoneNumberIds: [`phone-${'1'.repeat(32)}`] })));

      expect(shared.PhoneNumbers).toEqual([]);
      expect(err.Reason).toBe('PARAMETERS_CANNOT_BE_USED_TOGETHER');
    });
  });

  describe('RequestPhoneNumber', () => {
    it('provisions an ACTIVE number with an AWS-shaped id, ARN and tags', async () => {
      const out = await request({ NumberCapabilities: ['SMS', 'VOICE'], Tags: [{ Key: 'team', Value: 'sms' }] });

      expect(out).toMatchObject({
        PhoneNumberId: expect.stringMatching(PHONE_ID),
        PhoneNumber: expect.stringMatching(/^\+1206[2-9]\d{6}$/),
        Status: 'ACTIVE',
        IsoCountryCode: 'US',
        MessageType: 'TRANSACTIONAL',
        NumberCapabilities: ['SMS', 'VOICE'],
        NumberType: 'LONG_CODE',
        TwoWayEnabled: false,
        OptOutListName: 'Default',
        Tags: [{ Key: 'team', Value: 'sms' }],
      });
      expect(out.PhoneNumberArn).toBe(`arn:aws:sms-voice:us-east-1:${ACCOUNT}:phone-number/${out.PhoneNumberId}`);
      const listed = await sms.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [out.PhoneNumberId!] }));
      expect(listed.PhoneNumbers?.[0]?.PhoneNumber).toBe(out.PhoneNumber);
    });

    it('returns the same number for a retry with the same ClientToken', async () => {
      const first = await request({ ClientToken: 'request-retry-1' });

      const second = await request({ ClientToken: 'request-retry-1' });

      expect(second.PhoneNumberId).toBe(first.PhoneNumberId);
    });

    it('rejects a SIMULATOR number that is not TRANSACTIONAL, naming MessageType', async () => {
      const err = await failure(request({ NumberType: 'SIMULATOR', MessageType: 'PROMOTIONAL' }));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('INVALID_PARAMETER');
      expect(err.Fields[0].Name).toBe('MessageType');
    });

    it('answers MISSING_PARAMETER naming every absent required member', async () => {
      const err = await failure(sms.send(new RequestPhoneNumberCommand({ IsoCountryCode: 'US' } as RequestPhoneNumberCommandInput)));

      expect(err.Reason).toBe('MISSING_PARAMETER');
      expect(err.Fields.map((f: { Name: string }) => f.Name)).toEqual(['MessageType', 'NumberCapabilities', 'NumberType']);
    });

    it('rejects a NumberType outside RequestableNumberType', async () => {
      const err = await failure(request({ NumberType: 'SHORT_CODE' as 'LONG_CODE' }));

      expect(err.Reason).toBe('INVALID_PARAMETER');
      expect(err.Fields[0].Name).toBe('NumberType');
    });

    it('puts the new number into the pool it names, with the pool configuration', async () => {
      const pool = putPool(sb, [putNumber(sb)]);

      const out = await request({ PoolId: pool.PoolId });

      expect(out.PoolId).toBe(pool.PoolId);
      expect(sb.sandbox.state.smsVoice.pools[pool.PoolId]!.OriginationIdentities).toContain(out.PhoneNumberArn);
    });

    it('answers ResourceNotFoundException for a pool that does not exist', async () => {
      const err = await failure(request({ PoolId: `pool-${'b'.repeat(32)}` }));

      expect(err.name).toBe('ResourceNotFoundException');
      expect(err.ResourceType).toBe('pool');
    });
  });

  describe('ReleasePhoneNumber', () => {
    it('returns the record with Status DELETED and removes it from listings', async () => {
      const n = putNumber(sb);

      const out = await sms.send(new ReleasePhoneNumberCommand({ PhoneNumberId: n.PhoneNumberArn }));

      expect(out).toMatchObject({ PhoneNumberId: n.PhoneNumberId, PhoneNumber: n.PhoneNumber, Status: 'DELETED' });
      expect(out).not.toHaveProperty('DeletionProtectionEnabled');
      const all = await sms.send(new DescribePhoneNumbersCommand({}));
      expect(all.PhoneNumbers?.map((p) => p.PhoneNumberId)).not.toContain(n.PhoneNumberId);
      const err = await failure(sms.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [n.PhoneNumberId] })));
      expect(err.name).toBe('ResourceNotFoundException');
      expect(findPhoneNumber(sb.sandbox.state, n.PhoneNumber)).toBeUndefined();
    });

    it('answers ConflictException DELETION_PROTECTION_ENABLED and keeps the number', async () => {
      const n = putNumber(sb);
      await sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: n.PhoneNumberId, DeletionProtectionEnabled: true }));

      const err = await failure(sms.send(new ReleasePhoneNumberCommand({ PhoneNumberId: n.PhoneNumberId })));

      expect(err.name).toBe('ConflictException');
      expect(err.Reason).toBe('DELETION_PROTECTION_ENABLED');
      expect(err.ResourceType).toBe('phone-number');
      expect(err.ResourceId).toBe(n.PhoneNumberId);
      expect(findPhoneNumber(sb.sandbox.state, n.PhoneNumberId)?.Status).toBe('ACTIVE');
    });

    it('answers ConflictException PHONE_NUMBER_ASSOCIATED_TO_POOL for a pooled number', async () => {
      const n = putNumber(sb);
      putPool(sb, [n]);

      const err = await failure(sms.send(new ReleasePhoneNumberCommand({ PhoneNumberId: n.PhoneNumberId })));

      expect(err.Reason).toBe('PHONE_NUMBER_ASSOCIATED_TO_POOL');
    });

    it('answers ResourceNotFoundException for an unknown number', async () => {
      const err = await failure(sms.send(new ReleasePhoneNumberCommand({ PhoneNumberId: `phone-${'c'.repeat(32)}` })));

      expect(err.name).toBe('ResourceNotFoundException');
    });
  });

  describe('CreatePool, DescribePools, UpdatePool, DeletePool', () => {
    it('creates a pool that takes the number in and inherits its two-way configuration', async () => {
      const n = putNumber(sb);
      const topic = putTopic(sb, topicRecord('pool-inherit'));
      await sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn }));

      const { $metadata: _meta, ...out } = await sms.send(
        new CreatePoolCommand({ OriginationIdentity: n.PhoneNumberArn, IsoCountryCode: 'US', MessageType: 'TRANSACTIONAL', Tags: [{ Key: 'env', Value: 'test' }] }),
      );

      expect(out).toEqual({
        PoolArn: `arn:aws:sms-voice:us-east-1:${ACCOUNT}:pool/${out.PoolId}`,
        PoolId: expect.stringMatching(POOL_ID),
        Status: 'ACTIVE',
        MessageType: 'TRANSACTIONAL',
        TwoWayEnabled: true,
        TwoWayChannelArn: topic.TopicArn,
        SelfManagedOptOutsEnabled: false,
        OptOutListName: 'Default',
        SharedRoutesEnabled: false,
        DeletionProtectionEnabled: false,
        Tags: [{ Key: 'env', Value: 'test' }],
        CreatedTimestamp: expect.any(Date),
      });
      const numbers = await sms.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [n.PhoneNumberId] }));
      expect(numbers.PhoneNumbers?.[0]?.PoolId).toBe(out.PoolId);
    });

    it('answers ConflictException MESSAGE_TYPE_MISMATCH when the pool type differs from the number', async () => {
      const n = putNumber(sb);

      const err = await failure(sms.send(new CreatePoolCommand({ OriginationIdentity: n.PhoneNumberId, IsoCountryCode: 'US', MessageType: 'PROMOTIONAL' })));

      expect(err.name).toBe('ConflictException');
      expect(err.Reason).toBe('MESSAGE_TYPE_MISMATCH');
    });

    it('answers ConflictException PHONE_NUMBER_ASSOCIATED_TO_POOL for a number already in a pool', async () => {
      const n = putNumber(sb);
      putPool(sb, [n]);

      const err = await failure(sms.send(new CreatePoolCommand({ OriginationIdentity: n.PhoneNumberId, MessageType: 'TRANSACTIONAL' })));

      expect(err.Reason).toBe('PHONE_NUMBER_ASSOCIATED_TO_POOL');
    });

    it('answers ValidationException COUNTRY_CODE_MISMATCH when IsoCountryCode differs from the number', async () => {
      const n = putNumber(sb);

      const err = await failure(sms.send(new CreatePoolCommand({ OriginationIdentity: n.PhoneNumberId, IsoCountryCode: 'CA', MessageType: 'TRANSACTIONAL' })));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('COUNTRY_CODE_MISMATCH');
    });

    it('answers ResourceNotFoundException for an unknown origination identity', async () => {
      const err = await failure(sms.send(new CreatePoolCommand({ OriginationIdentity: `phone-${'d'.repeat(32)}`, MessageType: 'TRANSACTIONAL' })));

      expect(err.name).toBe('ResourceNotFoundException');
      expect(err.ResourceType).toBe('phone-number');
    });

    it('describes pools by id and ARN, and filters them', async () => {
      const a = putPool(sb, [putNumber(sb)]);
      const b = putPool(sb, [putNumber(sb)]);
      await sms.send(new UpdatePoolCommand({ PoolId: b.PoolId, DeletionProtectionEnabled: true }));

      const byId = await sms.send(new DescribePoolsCommand({ PoolIds: [a.PoolId, b.PoolArn] }));
      const filtered = await sms.send(new DescribePoolsCommand({ Filters: [{ Name: 'deletion-protection-enabled', Values: ['true'] }] }));

      expect(byId.Pools?.map((p) => p.PoolId)).toEqual([a.PoolId, b.PoolId]);
      expect(byId.Pools?.[0]).not.toHaveProperty('Tags');
      expect(filtered.Pools?.map((p) => p.PoolId)).toEqual([b.PoolId]);
    });

    it('answers ResourceNotFoundException for an unknown pool id in DescribePools', async () => {
      const err = await failure(sms.send(new DescribePoolsCommand({ PoolIds: [`pool-${'e'.repeat(32)}`] })));

      expect(err.name).toBe('ResourceNotFoundException');
      expect(err.ResourceType).toBe('pool');
    });

    it('deletes a pool and releases its numbers from it', async () => {
      const n = putNumber(sb);
      const pool = putPool(sb, [n]);

      const out = await sms.send(new DeletePoolCommand({ PoolId: pool.PoolId }));

      expect(out).toMatchObject({ PoolId: pool.PoolId, Status: 'DELETING' });
      expect(out).not.toHaveProperty('DeletionProtectionEnabled');
      const numbers = await sms.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [n.PhoneNumberId] }));
      expect(numbers.PhoneNumbers?.[0]?.PoolId).toBeUndefined();
      await expect(sms.send(new DescribePoolsCommand({ PoolIds: [pool.PoolId] }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });

    it('answers ConflictException DELETION_PROTECTION_ENABLED for a protected pool', async () => {
      const pool = putPool(sb, [putNumber(sb)]);
      await sms.send(new UpdatePoolCommand({ PoolId: pool.PoolId, DeletionProtectionEnabled: true }));

      const err = await failure(sms.send(new DeletePoolCommand({ PoolId: pool.PoolId })));

      expect(err.name).toBe('ConflictException');
      expect(err.Reason).toBe('DELETION_PROTECTION_ENABLED');
      expect(err.ResourceType).toBe('pool');
    });
  });

  describe('AssociateOriginationIdentity', () => {
    it('adds a matching number to a pool', async () => {
      const pool = putPool(sb, [putNumber(sb)]);
      const n = putNumber(sb);

      const { $metadata: _meta, ...out } = await sms.send(new AssociateOriginationIdentityCommand({ PoolId: pool.PoolArn, OriginationIdentity: n.PhoneNumberId, IsoCountryCode: 'US' }));

      expect(out).toEqual({ PoolArn: pool.PoolArn, PoolId: pool.PoolId, OriginationIdentityArn: n.PhoneNumberArn, OriginationIdentity: n.PhoneNumber, IsoCountryCode: 'US' });
      expect(findPhoneNumber(sb.sandbox.state, n.PhoneNumberId)?.PoolId).toBe(pool.PoolId);
    });

    it('answers ConflictException TWO_WAY_CONFIG_MISMATCH when the two-way settings differ', async () => {
      const pool = putPool(sb, [putNumber(sb)]);
      const n = putNumber(sb);
      const topic = putTopic(sb, topicRecord('associate-mismatch'));
      await sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn }));

      const err = await failure(sms.send(new AssociateOriginationIdentityCommand({ PoolId: pool.PoolId, OriginationIdentity: n.PhoneNumberId })));

      expect(err.name).toBe('ConflictException');
      expect(err.Reason).toBe('TWO_WAY_CONFIG_MISMATCH');
      expect(findPhoneNumber(sb.sandbox.state, n.PhoneNumberId)?.PoolId).toBeUndefined();
    });

    it('answers ConflictException PHONE_NUMBER_ASSOCIATED_TO_POOL for a number of another pool', async () => {
      const pool = putPool(sb, [putNumber(sb)]);
      const n = putNumber(sb);
      putPool(sb, [n]);

      const err = await failure(sms.send(new AssociateOriginationIdentityCommand({ PoolId: pool.PoolId, OriginationIdentity: n.PhoneNumberArn })));

      expect(err.Reason).toBe('PHONE_NUMBER_ASSOCIATED_TO_POOL');
    });

    it('answers ResourceNotFoundException naming a sender-id for an identity that is not a number', async () => {
      const pool = putPool(sb, [putNumber(sb)]);

      const err = await failure(sms.send(new AssociateOriginationIdentityCommand({ PoolId: pool.PoolId, OriginationIdentity: 'MYBRAND' })));

      expect(err.name).toBe('ResourceNotFoundException');
      expect(err.ResourceType).toBe('sender-id');
    });
  });

  describe('TagResource, UntagResource, ListTagsForResource', () => {
    it('adds, overwrites, lists and removes tags on a phone number', async () => {
      const n = putNumber(sb, { Tags: { owner: 'a' } });

      await sms.send(new TagResourceCommand({ ResourceArn: n.PhoneNumberArn, Tags: [{ Key: 'owner', Value: 'b' }, { Key: 'cost', Value: '1' }] }));
      const tagged = await sms.send(new ListTagsForResourceCommand({ ResourceArn: n.PhoneNumberArn }));
      await sms.send(new UntagResourceCommand({ ResourceArn: n.PhoneNumberArn, TagKeys: ['owner'] }));
      const untagged = await sms.send(new ListTagsForResourceCommand({ ResourceArn: n.PhoneNumberArn }));

      expect(tagged).toMatchObject({ ResourceArn: n.PhoneNumberArn, Tags: [{ Key: 'owner', Value: 'b' }, { Key: 'cost', Value: '1' }] });
      expect(untagged.Tags).toEqual([{ Key: 'cost', Value: '1' }]);
    });

    it('tags a pool', async () => {
      const pool = putPool(sb, [putNumber(sb)]);

      await sms.send(new TagResourceCommand({ ResourceArn: pool.PoolArn, Tags: [{ Key: 'k', Value: 'v' }] }));
      const out = await sms.send(new ListTagsForResourceCommand({ ResourceArn: pool.PoolArn }));

      expect(out.Tags).toEqual([{ Key: 'k', Value: 'v' }]);
    });

    it('answers ResourceNotFoundException for the ARN of a resource that does not exist', async () => {
      const arn = `arn:aws:sms-voice:us-east-1:${ACCOUNT}:pool/pool-${'9'.repeat(32)}`;

      const err = await failure(sms.send(new ListTagsForResourceCommand({ ResourceArn: arn })));

      expect(err.name).toBe('ResourceNotFoundException');
      expect(err.ResourceType).toBe('pool');
      expect(err.ResourceId).toBe(arn);
    });

    it('answers ValidationException for a ResourceArn that is not an ARN', async () => {
      const err = await failure(sms.send(new TagResourceCommand({ ResourceArn: 'phone-0123456789abcdef', Tags: [{ Key: 'k', Value: 'v' }] })));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('INVALID_PARAMETER');
      expect(err.Fields[0].Name).toBe('ResourceArn');
    });
  });

  describe('persistence', () => {
    it('keeps requested numbers and pools across a restart on the same DATA_DIR', async () => {
      const first = await startSandbox({ seed: false });
      const client = smsClient(first);
      const n = await client.send(new RequestPhoneNumberCommand({ IsoCountryCode: 'GB', MessageType: 'TRANSACTIONAL', NumberCapabilities: ['SMS'], NumberType: 'LONG_CODE' }));
      const pool = await client.send(new CreatePoolCommand({ OriginationIdentity: n.PhoneNumberId!, MessageType: 'TRANSACTIONAL' }));
      await first.sandbox.close();

      const second = await startSandbox({ seed: false, dataDir: first.dataDir });
      try {
        const numbers = await smsClient(second).send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [n.PhoneNumberId!] }));

        expect(numbers.PhoneNumbers?.[0]).toMatchObject({ PhoneNumber: n.PhoneNumber, IsoCountryCode: 'GB', PoolId: pool.PoolId });
      } finally {
        await second.stop();
        await first.stop();
      }
    });
  });

  describe('protocol behaviour', () => {
    it('returns an injected fault with its Reason in the awsJson error format', async () => {
      await control(sb.url, 'POST', '/_sandbox/faults', { service: 'sms-voice', operation: 'UpdatePhoneNumber', error: 'ValidationException', reason: 'RESOURCE_NOT_ACCESSIBLE', count: 1 });
      const n = putNumber(sb);

      const err = await failure(sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: false })));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('RESOURCE_NOT_ACCESSIBLE');
      expect(err.$metadata.httpStatusCode).toBe(400);
    });

    it('answers a body that is not a JSON object with SerializationException and keeps serving', async () => {
      const res = await fetch(sb.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'PinpointSMSVoiceV2.DescribePools' },
        body: '[1,2]',
      });
      const after = await sms.send(new DescribePoolsCommand({}));

      expect(res.status).toBe(400);
      expect(((await res.json()) as { __type: string }).__type).toBe('com.amazonaws.pinpointsmsvoicev2#SerializationException');
      expect(after.Pools).toBeDefined();
    });
  });
});
