import {
  DescribePhoneNumbersCommand,
  DescribePoolsCommand,
  UpdatePhoneNumberCommand,
  UpdatePoolCommand,
  type PinpointSMSVoiceV2Client,
  type UpdatePhoneNumberCommandInput,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { TWO_WAY_COUNTRIES } from '../../../local/sandbox/services/sms-voice';
import { control, startSandbox, type RunningSandbox } from '../../support/sandbox';
import { ACCOUNT, failure, putNumber, putPool, putRole, putTopic, roleRecord, smsClient, topicRecord, trustPolicy } from './sms-voice-fixtures';

describe('sms-voice two-way validation (UpdatePhoneNumber, UpdatePool)', () => {
  let sb: RunningSandbox;
  let sms: PinpointSMSVoiceV2Client;

  beforeAll(async () => {
    sb = await startSandbox({ seed: false });
    sms = smsClient(sb);
  });
  afterAll(async () => {
    await sb.stop();
  });
  afterEach(() => {
    sb.sandbox.state.settings.iamPropagationDelayMs = 0;
  });

  const update = (input: UpdatePhoneNumberCommandInput) => sms.send(new UpdatePhoneNumberCommand(input));

  describe('UpdatePhoneNumber succeeds', () => {
    it('enables two-way to an SNS topic through a role and returns the whole number record', async () => {
      const n = putNumber(sb);
      const topic = putTopic(sb, topicRecord('inbound-ok'));
      const role = putRole(sb, roleRecord('two-way-ok'));

      const out = await update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn, TwoWayChannelRole: role.Arn });

      expect(out).toMatchObject({
        PhoneNumberArn: n.PhoneNumberArn,
        PhoneNumberId: n.PhoneNumberId,
        PhoneNumber: n.PhoneNumber,
        Status: 'ACTIVE',
        TwoWayEnabled: true,
        TwoWayChannelArn: topic.TopicArn,
        TwoWayChannelRole: role.Arn,
        SelfManagedOptOutsEnabled: false,
        OptOutListName: 'Default',
      });
      expect(out.CreatedTimestamp).toBeInstanceOf(Date);
      expect(out).not.toHaveProperty('PoolId');
      const listed = await sms.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [n.PhoneNumberId] }));
      expect(listed.PhoneNumbers?.[0]).toMatchObject({ TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn, TwoWayChannelRole: role.Arn });
    });

    it('enables two-way to a topic without a role and without checking the topic policy', async () => {
      const n = putNumber(sb);
      // No Policy attribute at all: on AWS this surfaces only as dropped inbound messages, never here.
      const topic = putTopic(sb, topicRecord('inbound-no-policy', { Attributes: {} }));

      const out = await update({ PhoneNumberId: n.PhoneNumberArn, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn });

      expect(out.TwoWayEnabled).toBe(true);
      expect(out.TwoWayChannelRole).toBeUndefined();
    });

    it('enables two-way to an Amazon Connect destination in the request region', async () => {
      const n = putNumber(sb);
      const role = putRole(sb, roleRecord('connect-ok'));

      const out = await update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: 'connect.us-east-1.amazonaws.com', TwoWayChannelRole: role.Arn });

      expect(out.TwoWayChannelArn).toBe('connect.us-east-1.amazonaws.com');
    });

    it('accepts an SNS destination on a SIMULATOR number', async () => {
      const n = putNumber(sb, { NumberType: 'SIMULATOR' });
      const topic = putTopic(sb, topicRecord('inbound-simulator'));

      const out = await update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn });

      expect(out).toMatchObject({ NumberType: 'SIMULATOR', TwoWayEnabled: true });
    });

    it('keeps the channel and role when two-way is disabled', async () => {
      const n = putNumber(sb);
      const topic = putTopic(sb, topicRecord('inbound-disable'));
      const role = putRole(sb, roleRecord('two-way-disable'));
      await update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn, TwoWayChannelRole: role.Arn });

      const out = await update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: false });

      expect(out).toMatchObject({ TwoWayEnabled: false, TwoWayChannelArn: topic.TopicArn, TwoWayChannelRole: role.Arn });
    });

    it('disables two-way on a number that never had it', async () => {
      const n = putNumber(sb);

      const out = await update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: false });

      expect(out.TwoWayEnabled).toBe(false);
      expect(out.TwoWayChannelArn).toBeUndefined();
    });

    it('re-enables two-way with the stored channel when only TwoWayEnabled is sent', async () => {
      const n = putNumber(sb);
      const topic = putTopic(sb, topicRecord('inbound-reenable'));
      await update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn });
      await update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: false });

      const out = await update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true });

      expect(out).toMatchObject({ TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn });
    });

    it('updates deletion protection and international sending without touching two-way', async () => {
      const n = putNumber(sb);

      const out = await update({ PhoneNumberId: n.PhoneNumberId, DeletionProtectionEnabled: true, InternationalSendingEnabled: true });

      expect(out).toMatchObject({ DeletionProtectionEnabled: true, InternationalSendingEnabled: true, TwoWayEnabled: false });
    });

    it('enables self-managed opt-outs once two-way is on', async () => {
      const n = putNumber(sb);
      const topic = putTopic(sb, topicRecord('inbound-optouts'));

      const out = await update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn, SelfManagedOptOutsEnabled: true });

      expect(out.SelfManagedOptOutsEnabled).toBe(true);
    });
  });

  describe('UpdatePhoneNumber fails as AWS does', () => {
    it('answers ResourceNotFoundException with ResourceType and ResourceId for an unknown id', async () => {
      const id = `phone-${'0'.repeat(32)}`;

      const err = await failure(update({ PhoneNumberId: id, TwoWayEnabled: false }));

      expect(err.name).toBe('ResourceNotFoundException');
      expect(err.ResourceType).toBe('phone-number');
      expect(err.ResourceId).toBe(id);
      expect(err.$metadata.httpStatusCode).toBe(400);
    });

    it('answers ResourceNotFoundException for the ARN of a number in another region', async () => {
      const n = putNumber(sb);

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberArn.replace('us-east-1', 'eu-west-1'), TwoWayEnabled: false }));

      expect(err.name).toBe('ResourceNotFoundException');
    });

    it('answers ConflictException RESOURCE_NOT_ACTIVE for a PENDING number', async () => {
      const n = putNumber(sb, { Status: 'PENDING' });
      const topic = putTopic(sb, topicRecord('inbound-pending'));

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn }));

      expect(err.name).toBe('ConflictException');
      expect(err.Reason).toBe('RESOURCE_NOT_ACTIVE');
      expect(err.ResourceType).toBe('phone-number');
      expect(err.ResourceId).toBe(n.PhoneNumberId);
      expect(err.$metadata.httpStatusCode).toBe(400);
    });

    it('answers ConflictException PHONE_NUMBER_ASSOCIATED_TO_POOL for a number in a pool', async () => {
      const n = putNumber(sb);
      putPool(sb, [n]);
      const topic = putTopic(sb, topicRecord('inbound-pooled'));

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn }));

      expect(err.name).toBe('ConflictException');
      expect(err.Reason).toBe('PHONE_NUMBER_ASSOCIATED_TO_POOL');
      expect(err.ResourceId).toBe(n.PhoneNumberId);
    });

    it('answers TWO_WAY_NOT_SUPPORTED_IN_COUNTRY for a country outside the two-way list', async () => {
      expect(TWO_WAY_COUNTRIES).not.toContain('DE');
      const n = putNumber(sb, { PhoneNumber: '+4915112345678', IsoCountryCode: 'DE' });
      const topic = putTopic(sb, topicRecord('inbound-de'));

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn }));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('TWO_WAY_NOT_SUPPORTED_IN_COUNTRY');
      expect(err.$metadata.httpStatusCode).toBe(400);
    });

    it('answers TWO_WAY_CHANNEL_NOT_PRESENT when enabling without a channel', async () => {
      const n = putNumber(sb);

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true }));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('TWO_WAY_CHANNEL_NOT_PRESENT');
      expect(err.Fields).toEqual([expect.objectContaining({ Name: 'TwoWayChannelArn' })]);
    });

    it('answers TWO_WAY_TOPIC_NOT_PRESENT for a topic that does not exist', async () => {
      const n = putNumber(sb);

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: `arn:aws:sns:us-east-1:${ACCOUNT}:no-such-topic` }));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('TWO_WAY_TOPIC_NOT_PRESENT');
    });

    it('answers TWO_WAY_NOT_SUPPORTED_IN_REGION for a Connect destination of another region', async () => {
      const n = putNumber(sb);

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: 'connect.eu-west-2.amazonaws.com' }));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('TWO_WAY_NOT_SUPPORTED_IN_REGION');
    });

    it('answers ValidationException INVALID_PARAMETER for a Connect destination on a SIMULATOR number', async () => {
      const n = putNumber(sb, { NumberType: 'SIMULATOR' });

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: 'connect.us-east-1.amazonaws.com' }));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('INVALID_PARAMETER');
      expect(err.Fields).toEqual([expect.objectContaining({ Name: 'TwoWayChannelArn' })]);
    });

    it('answers INVALID_ARN for a channel that is neither a topic nor a Connect destination', async () => {
      const n = putNumber(sb);

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f` }));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('INVALID_ARN');
    });

    const inaccessibleRoles: [string, (name: string) => { arn: string; put?: Parameters<typeof roleRecord>[1] }][] = [
      ['a role that does not exist', (name) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${name}` })],
      ['a role that trusts another service', (name) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, put: { AssumeRolePolicyDocument: trustPolicy({ service: 'lambda.amazonaws.com' }) } })],
      ['a role whose trust names another source account', (name) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, put: { AssumeRolePolicyDocument: trustPolicy({ account: '210987654321' }) } })],
      ['a role whose trust allows another action', (name) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, put: { AssumeRolePolicyDocument: trustPolicy({ action: 'sts:TagSession' }) } })],
      ['a role whose trust denies the service', (name) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, put: { AssumeRolePolicyDocument: trustPolicy({ effect: 'Deny' }) } })],
      ['a role whose trust policy is not JSON', (name) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, put: { AssumeRolePolicyDocument: '{not json' } })],
      ['an ARN whose path differs from the existing role', (name) => ({ arn: `arn:aws:iam::${ACCOUNT}:role/other/${name}`, put: {} })],
      ['a role of another account', (name) => ({ arn: `arn:aws:iam::210987654321:role/${name}`, put: {} })],
    ];

    it.each(inaccessibleRoles)('answers RESOURCE_NOT_ACCESSIBLE for %s', async (label, make) => {
      const name = `role-${label.replace(/[^a-z]/g, '').slice(0, 40)}`;
      const { arn, put } = make(name);
      if (put) putRole(sb, roleRecord(name, put));
      const n = putNumber(sb);
      const topic = putTopic(sb, topicRecord(`inbound-${name}`.slice(0, 60)));

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn, TwoWayChannelRole: arn }));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('RESOURCE_NOT_ACCESSIBLE');
      expect(err.Fields).toEqual([expect.objectContaining({ Name: 'TwoWayChannelRole' })]);
    });

    it('explains in the message which trust-policy condition failed', async () => {
      const role = putRole(sb, roleRecord('two-way-explained', { AssumeRolePolicyDocument: trustPolicy({ account: '210987654321' }) }));
      const topic = putTopic(sb, topicRecord('inbound-explained'));
      const n = putNumber(sb);

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn, TwoWayChannelRole: role.Arn }));

      expect(err.Reason).toBe('RESOURCE_NOT_ACCESSIBLE');
      expect(err.message).toContain('aws:SourceAccount');
      expect(err.message).toContain('210987654321');
    });

    it('answers RESOURCE_NOT_ACCESSIBLE for a role newer than the IAM propagation delay, then succeeds once it has propagated', async () => {
      const role = putRole(sb, roleRecord('two-way-fresh', { CreateDate: new Date(Date.now() - 5_000).toISOString() }));
      const topic = putTopic(sb, topicRecord('inbound-fresh'));
      const n = putNumber(sb);
      const input = { PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn, TwoWayChannelRole: role.Arn };
      sb.sandbox.state.settings.iamPropagationDelayMs = 60_000;

      const err = await failure(update(input));
      sb.sandbox.state.settings.iamPropagationDelayMs = 1_000;
      const out = await update(input);

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('RESOURCE_NOT_ACCESSIBLE');
      expect(out.TwoWayEnabled).toBe(true);
    });

    it('honours the propagation delay set through PUT /_sandbox/settings', async () => {
      const role = putRole(sb, roleRecord('two-way-settings', { CreateDate: new Date().toISOString() }));
      const topic = putTopic(sb, topicRecord('inbound-settings'));
      const n = putNumber(sb);
      const set = await control(sb.url, 'PUT', '/_sandbox/settings', { iamPropagationDelayMs: 30_000 });

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn, TwoWayChannelRole: role.Arn }));

      expect(set.status).toBe(200);
      expect(err.Reason).toBe('RESOURCE_NOT_ACCESSIBLE');
    });

    it('changes nothing when a call fails', async () => {
      const n = putNumber(sb);
      const before = structuredClone(sb.sandbox.state.smsVoice.phoneNumbers[n.PhoneNumberId]);

      await failure(
        update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: `arn:aws:sns:us-east-1:${ACCOUNT}:missing`, DeletionProtectionEnabled: true }),
      );

      expect(sb.sandbox.state.smsVoice.phoneNumbers[n.PhoneNumberId]).toEqual(before);
    });

    it('answers TWO_WAY_NOT_ENABLED for self-managed opt-outs without two-way', async () => {
      const n = putNumber(sb);

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, SelfManagedOptOutsEnabled: true }));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('TWO_WAY_NOT_ENABLED');
    });

    it('answers ResourceNotFoundException for an opt-out list that does not exist', async () => {
      const n = putNumber(sb);

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, OptOutListName: 'no-such-list' }));

      expect(err.name).toBe('ResourceNotFoundException');
      expect(err.ResourceType).toBe('opt-out-list');
    });
  });

  describe('UpdatePhoneNumber input validation from the model', () => {
    it('answers MISSING_PARAMETER naming PhoneNumberId when it is absent', async () => {
      const err = await failure(update({} as UpdatePhoneNumberCommandInput));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('MISSING_PARAMETER');
      expect(err.Fields).toEqual([{ Name: 'PhoneNumberId', Message: 'Member must not be null' }]);
    });

    it('answers INVALID_PARAMETER for a TwoWayChannelArn shorter than 20 characters', async () => {
      const n = putNumber(sb);

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, TwoWayEnabled: true, TwoWayChannelArn: 'arn:aws:sns:x' }));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('INVALID_PARAMETER');
      expect(err.Fields).toEqual([{ Name: 'TwoWayChannelArn', Message: 'Member must have length greater than or equal to 20' }]);
    });

    it('answers INVALID_PARAMETER for a TwoWayChannelArn with whitespace and a role that is not an ARN, naming both', async () => {
      const n = putNumber(sb);

      const err = await failure(update({ PhoneNumberId: n.PhoneNumberId, TwoWayChannelArn: 'arn:aws:sns:us-east-1:1 2:topic', TwoWayChannelRole: 'role/not-an-arn-at-all' }));

      expect(err.Reason).toBe('INVALID_PARAMETER');
      expect(err.Fields.map((f: { Name: string }) => f.Name)).toEqual(['TwoWayChannelArn', 'TwoWayChannelRole']);
    });

    it('answers INVALID_PARAMETER for an E.164 value given as PhoneNumberId', async () => {
      const err = await failure(update({ PhoneNumberId: '+12065550100' }));

      expect(err.Reason).toBe('INVALID_PARAMETER');
      expect(err.Fields[0].Name).toBe('PhoneNumberId');
    });
  });

  describe('UpdatePool', () => {
    it('enables two-way on a pool and mirrors it onto the pool numbers', async () => {
      const a = putNumber(sb);
      const b = putNumber(sb);
      const pool = putPool(sb, [a, b]);
      const topic = putTopic(sb, topicRecord('inbound-pool'));
      const role = putRole(sb, roleRecord('two-way-pool'));

      const out = await sms.send(new UpdatePoolCommand({ PoolId: pool.PoolArn, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn, TwoWayChannelRole: role.Arn }));

      expect(out).toMatchObject({ PoolId: pool.PoolId, PoolArn: pool.PoolArn, Status: 'ACTIVE', TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn, TwoWayChannelRole: role.Arn });
      const numbers = await sms.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [a.PhoneNumberId, b.PhoneNumberId] }));
      expect(numbers.PhoneNumbers?.map((p) => [p.PoolId, p.TwoWayEnabled, p.TwoWayChannelArn])).toEqual([
        [pool.PoolId, true, topic.TopicArn],
        [pool.PoolId, true, topic.TopicArn],
      ]);
    });

    it('updates deletion protection and shared routes', async () => {
      const pool = putPool(sb, [putNumber(sb)]);

      const out = await sms.send(new UpdatePoolCommand({ PoolId: pool.PoolId, DeletionProtectionEnabled: true, SharedRoutesEnabled: true }));

      expect(out).toMatchObject({ DeletionProtectionEnabled: true, SharedRoutesEnabled: true });
    });

    it('answers ResourceNotFoundException with ResourceType pool for an unknown pool', async () => {
      const id = `pool-${'f'.repeat(32)}`;

      const err = await failure(sms.send(new UpdatePoolCommand({ PoolId: id, TwoWayEnabled: false })));

      expect(err.name).toBe('ResourceNotFoundException');
      expect(err.ResourceType).toBe('pool');
      expect(err.ResourceId).toBe(id);
    });

    it('answers TWO_WAY_NOT_SUPPORTED_IN_COUNTRY when a pool number is in a country without two-way', async () => {
      const pool = putPool(sb, [putNumber(sb, { PhoneNumber: '+4915112345999', IsoCountryCode: 'DE' })]);
      const topic = putTopic(sb, topicRecord('inbound-pool-de'));

      const err = await failure(sms.send(new UpdatePoolCommand({ PoolId: pool.PoolId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn })));

      expect(err.Reason).toBe('TWO_WAY_NOT_SUPPORTED_IN_COUNTRY');
    });

    it('answers TWO_WAY_CHANNEL_NOT_PRESENT when enabling a pool without a channel', async () => {
      const pool = putPool(sb, [putNumber(sb)]);

      const err = await failure(sms.send(new UpdatePoolCommand({ PoolId: pool.PoolId, TwoWayEnabled: true })));

      expect(err.Reason).toBe('TWO_WAY_CHANNEL_NOT_PRESENT');
    });

    it('answers TWO_WAY_TOPIC_NOT_PRESENT for a missing topic', async () => {
      const pool = putPool(sb, [putNumber(sb)]);

      const err = await failure(sms.send(new UpdatePoolCommand({ PoolId: pool.PoolId, TwoWayEnabled: true, TwoWayChannelArn: `arn:aws:sns:us-east-1:${ACCOUNT}:gone` })));

      expect(err.Reason).toBe('TWO_WAY_TOPIC_NOT_PRESENT');
    });

    it('answers TWO_WAY_NOT_SUPPORTED_IN_REGION for a Connect destination of another region', async () => {
      const pool = putPool(sb, [putNumber(sb)]);

      const err = await failure(sms.send(new UpdatePoolCommand({ PoolId: pool.PoolId, TwoWayEnabled: true, TwoWayChannelArn: 'connect.ap-southeast-2.amazonaws.com' })));

      expect(err.Reason).toBe('TWO_WAY_NOT_SUPPORTED_IN_REGION');
    });

    it('answers INVALID_PARAMETER for a Connect destination on a pool holding a SIMULATOR number', async () => {
      const pool = putPool(sb, [putNumber(sb, { NumberType: 'SIMULATOR' })]);

      const err = await failure(sms.send(new UpdatePoolCommand({ PoolId: pool.PoolId, TwoWayEnabled: true, TwoWayChannelArn: 'connect.us-east-1.amazonaws.com' })));

      expect(err.name).toBe('ValidationException');
      expect(err.Reason).toBe('INVALID_PARAMETER');
    });

    it('answers RESOURCE_NOT_ACCESSIBLE for a role that does not trust sms-voice', async () => {
      const pool = putPool(sb, [putNumber(sb)]);
      const topic = putTopic(sb, topicRecord('inbound-pool-role'));
      const role = putRole(sb, roleRecord('pool-untrusted', { AssumeRolePolicyDocument: trustPolicy({ service: 'sns.amazonaws.com' }) }));

      const err = await failure(sms.send(new UpdatePoolCommand({ PoolId: pool.PoolId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn, TwoWayChannelRole: role.Arn })));

      expect(err.Reason).toBe('RESOURCE_NOT_ACCESSIBLE');
      const pools = await sms.send(new DescribePoolsCommand({ PoolIds: [pool.PoolId] }));
      expect(pools.Pools?.[0]?.TwoWayEnabled).toBe(false);
    });

    it('accepts a trust policy that pins aws:SourceArn to the pool with ArnLike', async () => {
      const pool = putPool(sb, [putNumber(sb)]);
      const topic = putTopic(sb, topicRecord('inbound-pool-arnlike'));
      const doc = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: ['sns.amazonaws.com', 'sms-voice.amazonaws.com'] },
            Action: ['sts:AssumeRole'],
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:sms-voice:us-east-1:${ACCOUNT}:pool/*` } },
          },
        ],
      });
      const role = putRole(sb, roleRecord('pool-arnlike', { AssumeRolePolicyDocument: doc }));

      const out = await sms.send(new UpdatePoolCommand({ PoolId: pool.PoolId, TwoWayEnabled: true, TwoWayChannelArn: topic.TopicArn, TwoWayChannelRole: role.Arn }));

      expect(out.TwoWayChannelRole).toBe(role.Arn);
    });
  });
});
