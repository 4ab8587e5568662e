import {
  connectDestinationRolePolicy,
  keyPolicyStatement,
  snsDestinationRolePolicy,
  topicPolicyStatement,
  twoWayTrustPolicy,
} from '../../../tasks/lib/policy';
import type { ConnectPhoneNumberRecord, InstanceRecord } from '../../../local/sandbox/services/connect/model';
import type { ManagedPolicyRecord, RoleRecord } from '../../../local/sandbox/services/iam/model';
import type { AliasRecord, KeyRecord } from '../../../local/sandbox/services/kms/model';
import type { PhoneNumberRecord, PoolRecord } from '../../../local/sandbox/services/sms-voice/model';
import type { TopicRecord } from '../../../local/sandbox/services/sns/model';
import { createEmptyState, type SandboxState } from '../../../local/sandbox/state';
import { control, startSandbox, type RunningSandbox } from '../../support/sandbox';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const where = { accountId: ACCOUNT, region: REGION, partition: 'aws' };
const CREATED = '2024-01-01T00:00:00.000Z';
const NUMBER = '+12065550100';
const CUSTOMER = '+14255550182';
const NUMBER_ID = 'phone-0123456789abcdef0123456789abcdef';
const NUMBER_ARN = `arn:aws:sms-voice:${REGION}:${ACCOUNT}:phone-number/${NUMBER_ID}`;
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:inbound`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/TwoWayRole`;
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;
const INSTANCE_ID = '11111111-2222-3333-4444-555555555555';
const INSTANCE_ARN = `arn:aws:connect:${REGION}:${ACCOUNT}:instance/${INSTANCE_ID}`;
const CONNECT_DESTINATION = `connect.${REGION}.amazonaws.com`;
/** The fields of the docs/domain.md §3 payload. */
const PAYLOAD_FIELDS = ['destinationNumber', 'inboundMessageId', 'messageBody', 'messageKeyword', 'originationNumber', 'previousPublishedMessageId'];

const json = (v: object): string => JSON.stringify(v);
const doc = (...statements: object[]): string => json({ Version: '2012-10-17', Statement: statements });
const rootStatement = { Sid: 'EnableIAMUserPermissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };

// ------------------------------------------------------------------------------------ typed factories

function phoneNumber(over: Partial<PhoneNumberRecord> = {}): PhoneNumberRecord {
  return {
    PhoneNumberArn: NUMBER_ARN,
    PhoneNumberId: NUMBER_ID,
    PhoneNumber: NUMBER,
    Status: 'ACTIVE',
    IsoCountryCode: 'US',
    MessageType: 'TRANSACTIONAL',
    NumberCapabilities: ['SMS', 'VOICE'],
    NumberType: 'LONG_CODE',
    MonthlyLeasingPrice: '1.00',
    TwoWayEnabled: false,
    SelfManagedOptOutsEnabled: false,
    OptOutListName: 'Default',
    InternationalSendingEnabled: false,
    DeletionProtectionEnabled: false,
    CreatedTimestamp: CREATED,
    Tags: {},
    ...over,
  };
}

function pool(over: Partial<PoolRecord> = {}): PoolRecord {
  return {
    PoolArn: `arn:aws:sms-voice:${REGION}:${ACCOUNT}:pool/pool-0123456789abcdef0123456789abcdef`,
    PoolId: 'pool-0123456789abcdef0123456789abcdef',
    Status: 'ACTIVE',
    MessageType: 'TRANSACTIONAL',
    TwoWayEnabled: false,
    SelfManagedOptOutsEnabled: false,
    OptOutListName: 'Default',
    SharedRoutesEnabled: false,
    DeletionProtectionEnabled: false,
    CreatedTimestamp: CREATED,
    Tags: {},
    OriginationIdentities: [NUMBER_ARN],
    ...over,
  };
}

function topic(attributes: Record<string, string> = {}, arn = TOPIC_ARN): TopicRecord {
  return { TopicArn: arn, Name: arn.split(':').pop()!, Attributes: attributes, Tags: {}, CreatedAt: CREATED };
}

function role(over: Partial<RoleRecord> = {}): RoleRecord {
  return {
    RoleName: 'TwoWayRole',
    RoleId: 'AROASANDBOXTWOWAY0001',
    Arn: ROLE_ARN,
    Path: '/',
    AssumeRolePolicyDocument: json(twoWayTrustPolicy({ accountId: ACCOUNT })),
    MaxSessionDuration: 3600,
    CreateDate: CREATED,
    Tags: [],
    InlinePolicies: { 'two-way-sns': json(snsDestinationRolePolicy({ accountId: ACCOUNT, topicArn: TOPIC_ARN })) },
    AttachedPolicyArns: [],
    ...over,
  };
}

function managedPolicy(name: string, document: string): ManagedPolicyRecord {
  return {
    PolicyName: name,
    PolicyId: 'ANPASANDBOXPOLICY0001',
    Arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`,
    Path: '/',
    DefaultVersionId: 'v1',
    CreateDate: CREATED,
    UpdateDate: CREATED,
    Tags: [],
    Versions: [{ VersionId: 'v1', Document: document, IsDefaultVersion: true, CreateDate: CREATED }],
  };
}

function key(over: Partial<KeyRecord> = {}): KeyRecord {
  return {
    KeyId: KEY_ID,
    Arn: KEY_ARN,
    AWSAccountId: ACCOUNT,
    CreationDate: CREATED,
    Enabled: true,
    Description: '',
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: 'Enabled',
    KeyManager: 'CUSTOMER',
    KeySpec: 'SYMMETRIC_DEFAULT',
    Origin: 'AWS_KMS',
    MultiRegion: false,
    Policy: doc(rootStatement),
    Tags: [],
    ...over,
  };
}

function alias(name: string, targetKeyId = KEY_ID): AliasRecord {
  return { AliasName: name, AliasArn: `arn:aws:kms:${REGION}:${ACCOUNT}:${name}`, TargetKeyId: targetKeyId, CreationDate: CREATED, LastUpdatedDate: CREATED };
}

function instance(): InstanceRecord {
  return {
    Id: INSTANCE_ID,
    Arn: INSTANCE_ARN,
    IdentityManagementType: 'CONNECT_MANAGED',
    InstanceAlias: 'inbound',
    CreatedTime: CREATED,
    ServiceRole: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect`,
    InstanceStatus: 'ACTIVE',
    InboundCallsEnabled: true,
    OutboundCallsEnabled: true,
    Tags: {},
  };
}

function connectImport(over: Partial<ConnectPhoneNumberRecord> = {}): ConnectPhoneNumberRecord {
  return {
    PhoneNumberId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    PhoneNumberArn: `arn:aws:connect:${REGION}:${ACCOUNT}:phone-number/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee`,
    PhoneNumber: NUMBER,
    PhoneNumberCountryCode: 'US',
    PhoneNumberType: 'DID',
    TargetArn: INSTANCE_ARN,
    InstanceId: INSTANCE_ID,
    SourcePhoneNumberArn: NUMBER_ARN,
    Tags: {},
    PhoneNumberStatus: { Status: 'CLAIMED' },
    ImportedAt: CREATED,
    ...over,
  };
}

// ------------------------------------------------------------------------------------ arrangements

type Arrange = (s: SandboxState) => void;

const withNumber = (over: Partial<PhoneNumberRecord> = {}): Arrange => (s) => {
  s.smsVoice.phoneNumbers[NUMBER_ID] = phoneNumber(over);
};
const snsViaRole = (over: Partial<PhoneNumberRecord> = {}): Arrange =>
  withNumber({ TwoWayEnabled: true, TwoWayChannelArn: TOPIC_ARN, TwoWayChannelRole: ROLE_ARN, ...over });
const snsWithoutRole = (over: Partial<PhoneNumberRecord> = {}): Arrange => withNumber({ TwoWayEnabled: true, TwoWayChannelArn: TOPIC_ARN, ...over });
const viaConnect: Arrange = withNumber({ TwoWayEnabled: true, TwoWayChannelArn: CONNECT_DESTINATION, TwoWayChannelRole: ROLE_ARN });
const withTopic = (attributes: Record<string, string> = {}): Arrange => (s) => {
  s.sns.topics[TOPIC_ARN] = topic(attributes);
};
const withRole = (over: Partial<RoleRecord> = {}): Arrange => (s) => {
  const r = role(over);
  s.iam.roles[r.RoleName] = r;
};
const withKey = (over: Partial<KeyRecord> = {}, aliasName?: string): Arrange => (s) => {
  const k = key(over);
  s.kms.keys[k.KeyId] = k;
  if (aliasName) s.kms.aliases[aliasName] = alias(aliasName, k.KeyId);
};
const withConnect = (over: Partial<ConnectPhoneNumberRecord> = {}): Arrange => (s) => {
  s.connect.instances[INSTANCE_ID] = instance();
  const imp = connectImport(over);
  s.connect.phoneNumbers[imp.PhoneNumberId] = imp;
};
const connectRole = withRole({ InlinePolicies: { 'two-way-connect': json(connectDestinationRolePolicy()) } });
const servicePolicy = doc(topicPolicyStatement({ ...where, topicArn: TOPIC_ARN }));

describe('POST /_sandbox/inbound', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: false });
  });
  afterAll(async () => {
    await sb.stop();
  });
  beforeEach(() => {
    sb.sandbox.state = createEmptyState();
  });

  const arrange = (...steps: Arrange[]): void => {
    for (const step of steps) step(sb.sandbox.state);
  };
  const inbound = (body: unknown) => control(sb.url, 'POST', '/_sandbox/inbound', body);
  const message = { destinationNumber: NUMBER, originationNumber: CUSTOMER, messageBody: 'join the list' };
  const topicMessages = async (): Promise<{ messageId: string; message: string; receivedAt: string }[]> =>
    (await control(sb.url, 'GET', `/_sandbox/topics/${encodeURIComponent(TOPIC_ARN)}/messages`)).body.messages;

  describe('delivered', () => {
    const rows: [string, Arrange[]][] = [
      ['through the two-way role', [snsViaRole(), withTopic(), withRole()]],
      ['through the topic policy without a role', [snsWithoutRole(), withTopic({ Policy: servicePolicy })]],
      ['through a role whose permissions come from an attached managed policy', [
        snsViaRole(),
        withTopic(),
        withRole({ InlinePolicies: {}, AttachedPolicyArns: [`arn:aws:iam::${ACCOUNT}:policy/two-way`] }),
        (s) => {
          s.iam.policies[`arn:aws:iam::${ACCOUNT}:policy/two-way`] = managedPolicy('two-way', json(snsDestinationRolePolicy({ accountId: ACCOUNT, topicArn: TOPIC_ARN })));
        },
      ]],
      ['through the role to a topic encrypted with a customer key named by alias', [snsViaRole(), withTopic({ KmsMasterKeyId: 'alias/inbound' }), withRole(), withKey({}, 'alias/inbound')]],
      ['through the topic policy to a topic encrypted with a customer key that allows the service', [
        snsWithoutRole(),
        withTopic({ Policy: servicePolicy, KmsMasterKeyId: KEY_ARN }),
        withKey({ Policy: doc(rootStatement, keyPolicyStatement(where)) }),
      ]],
      ['through the role to a topic encrypted with the AWS-managed aws/sns key', [snsViaRole(), withTopic({ KmsMasterKeyId: 'alias/aws/sns' }), withRole()]],
      ['through the role to a key whose policy names the role instead of the account', [
        snsViaRole(),
        withTopic({ KmsMasterKeyId: KEY_ID }),
        withRole(),
        withKey({ Policy: doc({ Sid: 'Role', Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' }) }),
      ]],
      ['through the two-way settings of the pool the number is in', [
        withNumber({ PoolId: pool().PoolId }),
        (s) => {
          s.smsVoice.pools[pool().PoolId] = pool({ TwoWayEnabled: true, TwoWayChannelArn: TOPIC_ARN, TwoWayChannelRole: ROLE_ARN });
        },
        withTopic(),
        withRole(),
      ]],
    ];

    it.each(rows)('publishes the payload to the topic %s', async (_name, steps) => {
      // Prepare
      arrange(...steps);
      // Act
      const res = await inbound({ ...message, previousPublishedMessageId: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
      // Assess
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ delivered: true, channel: 'sns', destination: TOPIC_ARN });
      expect(res.body.reason).toBeUndefined();
      const published = await topicMessages();
      expect(published).toHaveLength(1);
      expect(JSON.parse(published[0]!.message)).toEqual(res.body.payload);
    });

    it('sends exactly the docs/domain.md §3 fields', async () => {
      // Prepare
      arrange(snsViaRole(), withTopic(), withRole());
      // Act
      const res = await inbound({ ...message, previousPublishedMessageId: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
      // Assess
      const payload = JSON.parse((await topicMessages())[0]!.message);
      expect(Object.keys(payload).sort()).toEqual(PAYLOAD_FIELDS);
      expect(payload).toEqual({
        originationNumber: CUSTOMER,
        destinationNumber: NUMBER,
        messageKeyword: 'JOIN',
        messageBody: 'join the list',
        inboundMessageId: res.body.payload.inboundMessageId,
        previousPublishedMessageId: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      });
      expect(payload.inboundMessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    });

    it('omits previousPublishedMessageId when the message replies to nothing', async () => {
      // Prepare
      arrange(snsViaRole(), withTopic(), withRole());
      // Act
      await inbound(message);
      // Assess
      const payload = JSON.parse((await topicMessages())[0]!.message);
      expect(Object.keys(payload).sort()).toEqual(PAYLOAD_FIELDS.filter((f) => f !== 'previousPublishedMessageId'));
    });

    it('gives each inbound message its own id', async () => {
      // Prepare
      arrange(snsViaRole(), withTopic(), withRole());
      // Act
      const first = await inbound(message);
      const second = await inbound(message);
      // Assess
      expect(first.body.payload.inboundMessageId).not.toBe(second.body.payload.inboundMessageId);
    });

    it('records a Connect chat event for a Connect destination', async () => {
      // Prepare
      arrange(viaConnect, connectRole, withConnect());
      // Act
      const res = await inbound(message);
      // Assess
      expect(res.body).toEqual({ delivered: true, channel: 'connect', destination: CONNECT_DESTINATION });
      const events = (await control(sb.url, 'GET', '/_sandbox/connect/events')).body.events;
      expect(events).toEqual([
        expect.objectContaining({ instanceId: INSTANCE_ID, connectPhoneNumberId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', originationNumber: CUSTOMER, destinationNumber: NUMBER, messageBody: 'join the list', roleArn: ROLE_ARN }),
      ]);
    });

    it('records the delivered message in the inbound log', async () => {
      // Prepare
      arrange(snsViaRole(), withTopic(), withRole());
      // Act
      const res = await inbound(message);
      // Assess
      const log = (await control(sb.url, 'GET', '/_sandbox/inbound')).body.inbound;
      expect(log).toEqual([
        expect.objectContaining({ inboundMessageId: res.body.payload.inboundMessageId, destinationNumber: NUMBER, originationNumber: CUSTOMER, delivered: true, channel: 'sns', destination: TOPIC_ARN }),
      ]);
    });
  });

  describe('dropped', () => {
    const otherTrust = doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
    const rows: [string, Arrange[], 'sns' | 'connect', string[]][] = [
      ['the role does not trust the service', [snsViaRole(), withTopic(), withRole({ AssumeRolePolicyDocument: otherTrust })], 'sns', [`trust policy of role ${ROLE_ARN} has no statement allowing sms-voice.amazonaws.com sts:AssumeRole`]],
      ['the trust condition names another account', [snsViaRole(), withTopic(), withRole({ AssumeRolePolicyDocument: json(twoWayTrustPolicy({ accountId: '999999999999' })) })], 'sns', ['aws:SourceAccount "999999999999"', `"${ACCOUNT}"`]],
      ['the role does not exist', [snsViaRole(), withTopic()], 'sns', [`role ${ROLE_ARN} does not exist`]],
      ['the role may not publish', [snsViaRole(), withTopic(), withRole({ InlinePolicies: {} })], 'sns', [`${ROLE_ARN} sns:Publish on ${TOPIC_ARN}`]],
      ['a role policy denies publishing', [snsViaRole(), withTopic(), withRole({ InlinePolicies: { ...role().InlinePolicies, deny: doc({ Sid: 'NoPublish', Effect: 'Deny', Action: 'sns:Publish', Resource: '*' }) } })], 'sns', ['"NoPublish"', 'explicitly denies']],
      ['the topic keeps the default policy and no role is set', [snsWithoutRole(), withTopic()], 'sns', [`the topic policy of ${TOPIC_ARN} has no statement allowing sms-voice.amazonaws.com sns:Publish`]],
      ['the topic is FIFO', [snsViaRole(), withTopic({ FifoTopic: 'true' }), withRole()], 'sns', ['FIFO topic', 'standard topics']],
      ['the topic does not exist', [snsViaRole(), withRole()], 'sns', [`topic ${TOPIC_ARN} does not exist`]],
      ['the AWS-managed aws/sns key encrypts the topic and no role is set', [snsWithoutRole(), withTopic({ Policy: servicePolicy, KmsMasterKeyId: 'alias/aws/sns' })], 'sns', ['AWS-managed key alias/aws/sns', 'cannot be edited']],
      ['the key policy lacks the service statement', [snsWithoutRole(), withTopic({ Policy: servicePolicy, KmsMasterKeyId: KEY_ID }), withKey()], 'sns', [`the key policy of key ${KEY_ARN} has no statement allowing sms-voice.amazonaws.com kms:GenerateDataKey`]],
      ['the key policy neither delegates to the account nor names the role', [
        snsViaRole(),
        withTopic({ KmsMasterKeyId: KEY_ID }),
        withRole(),
        withKey({ Policy: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/KeyAdmin` }, Action: 'kms:*', Resource: '*' }) }),
      ], 'sns', ['delegates to the account', `arn:aws:iam::${ACCOUNT}:root kms:GenerateDataKey`]],
      ['the key is disabled', [snsViaRole(), withTopic({ KmsMasterKeyId: KEY_ID }), withRole(), withKey({ KeyState: 'Disabled', Enabled: false })], 'sns', ['is Disabled, not Enabled']],
      ['the key is asymmetric', [snsViaRole(), withTopic({ KmsMasterKeyId: KEY_ID }), withRole(), withKey({ KeySpec: 'RSA_2048' })], 'sns', ['RSA_2048']],
      ['the topic names a key that does not exist', [snsViaRole(), withTopic({ KmsMasterKeyId: 'alias/gone' }), withRole()], 'sns', ['alias/gone, which does not exist']],
      ['the Connect role lacks connect:SendChatIntegrationEvent', [viaConnect, withRole(), withConnect()], 'connect', ['connect:SendChatIntegrationEvent']],
      ['the number is not imported into Connect', [viaConnect, connectRole], 'connect', [`phone number ${NUMBER_ARN} is not imported`]],
      ['the Connect import is not claimed yet', [viaConnect, connectRole, withConnect({ PhoneNumberStatus: { Status: 'IN_PROGRESS' }, ImportedAt: new Date(Date.now() + 3_600_000).toISOString() })], 'connect', ['not imported', 'CLAIMED']],
    ];

    it.each(rows)('drops the message when %s, saying why', async (_name, steps, channel, mentions) => {
      // Prepare
      arrange(...steps);
      // Act
      const res = await inbound(message);
      // Assess
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ delivered: false, channel, destination: channel === 'sns' ? TOPIC_ARN : CONNECT_DESTINATION });
      expect(res.body.payload).toBeUndefined();
      for (const m of mentions) expect(res.body.reason).toContain(m);
      expect(sb.sandbox.state.sns.messages[TOPIC_ARN] ?? []).toEqual([]);
      expect(sb.sandbox.state.connect.events).toEqual([]);
      expect(sb.sandbox.state.inbound).toEqual([expect.objectContaining({ delivered: false, channel, reason: res.body.reason })]);
    });

    it('delivers nowhere when two-way is off', async () => {
      // Prepare
      arrange(withNumber(), withTopic(), withRole());
      // Act
      const res = await inbound(message);
      // Assess
      expect(res.body).toEqual({ delivered: false, channel: null, destination: null, reason: expect.stringContaining('two-way SMS is not enabled on phone number +12065550100') });
      expect(sb.sandbox.state.inbound).toHaveLength(1);
    });

    it('applies the pool settings to a pooled number, not the number own', async () => {
      // Prepare
      arrange(snsViaRole({ PoolId: pool().PoolId }), withTopic(), withRole(), (s) => {
        s.smsVoice.pools[pool().PoolId] = pool();
      });
      // Act
      const res = await inbound(message);
      // Assess
      expect(res.body).toMatchObject({ delivered: false, channel: null, reason: expect.stringContaining(`pool ${pool().PoolArn}`) });
    });

    it('drops a message to a number that is not ACTIVE', async () => {
      // Prepare
      arrange(snsViaRole({ Status: 'PENDING' }), withTopic(), withRole());
      // Act
      const res = await inbound(message);
      // Assess
      expect(res.body).toMatchObject({ delivered: false, reason: expect.stringContaining('is PENDING, not ACTIVE') });
    });
  });

  describe('input validation', () => {
    const rows: [string, unknown, number, string | undefined][] = [
      ['an unknown field', { ...message, keyword: 'JOIN' }, 400, 'keyword'],
      ['a missing destinationNumber', { originationNumber: CUSTOMER, messageBody: 'hi' }, 400, 'destinationNumber'],
      ['a destinationNumber that is not E.164', { ...message, destinationNumber: '2065550100' }, 400, 'destinationNumber'],
      ['an originationNumber that is not E.164', { ...message, originationNumber: '+0123' }, 400, 'originationNumber'],
      ['a numeric originationNumber', { ...message, originationNumber: 14255550182 }, 400, 'originationNumber'],
      ['a missing messageBody', { destinationNumber: NUMBER, originationNumber: CUSTOMER }, 400, 'messageBody'],
      ['an empty messageBody', { ...message, messageBody: '' }, 400, 'messageBody'],
      ['a messageBody over 1600 characters', { ...message, messageBody: 'x'.repeat(1601) }, 400, 'messageBody'],
      ['a non-string previousPublishedMessageId', { ...message, previousPublishedMessageId: 7 }, 400, 'previousPublishedMessageId'],
      ['a body that is not an object', ['x'], 400, undefined],
      ['a number the sandbox does not have', { ...message, destinationNumber: '+12065559999' }, 404, 'destinationNumber'],
    ];

    it.each(rows)('answers %s with a problem naming the field', async (_name, body, status, field) => {
      // Prepare
      arrange(snsViaRole(), withTopic(), withRole());
      // Act
      const res = await inbound(body);
      // Assess
      expect(res.status).toBe(status);
      expect(res.body.field).toBe(field);
      expect(sb.sandbox.state.inbound).toEqual([]);
    });

    it('accepts a 1600-character body', async () => {
      // Prepare
      arrange(snsViaRole(), withTopic(), withRole());
      // Act
      const res = await inbound({ ...message, messageBody: `stop ${'x'.repeat(1595)}` });
      // Assess
      expect(res.status).toBe(200);
      expect(res.body.payload.messageKeyword).toBe('STOP');
    });
  });
});
