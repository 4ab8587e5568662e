import {
  awsManagedSnsKeyPolicy,
  connectDestinationRolePolicy,
  evaluateTwoWayDelivery,
  keyPolicyStatement,
  snsDestinationRolePolicy,
  topicPolicyStatement,
  twoWayTrustPolicy,
  type Decision,
  type TwoWayCheckName,
  type TwoWayDeliveryInput,
  type TwoWayKeyInput,
  type TwoWayRoleInput,
  type TwoWayTopicInput,
} from '../../../../../tasks/lib/policy';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const where = { accountId: ACCOUNT, region: REGION, partition: 'aws' };
const ORIGIN = `arn:aws:sms-voice:${REGION}:${ACCOUNT}:phone-number/phone-0123456789abcdef`;
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:inbound-sms`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/SmsTwoWayRole`;
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const INSTANCE = `arn:aws:connect:${REGION}:${ACCOUNT}:instance/11111111-2222-3333-4444-555555555555`;

const doc = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const rootStatement = { Sid: 'EnableIAMUserPermissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };

function snsRole(over: Partial<TwoWayRoleInput> = {}): TwoWayRoleInput {
  return {
    arn: ROLE,
    trustPolicy: JSON.stringify(twoWayTrustPolicy({ accountId: ACCOUNT })),
    permissionPolicies: [{ name: 'sns-destination', document: JSON.stringify(snsDestinationRolePolicy({ accountId: ACCOUNT, topicArn: TOPIC })) }],
    ...over,
  };
}

function connectRole(over: Partial<TwoWayRoleInput> = {}): TwoWayRoleInput {
  return snsRole({ permissionPolicies: [{ name: 'connect-destination', document: JSON.stringify(connectDestinationRolePolicy()) }], ...over });
}

function topic(over: Partial<TwoWayTopicInput> = {}): TwoWayTopicInput {
  return { arn: TOPIC, fifo: false, ...over };
}

const servicePublishPolicy = doc(topicPolicyStatement({ ...where, topicArn: TOPIC }));

function customerKey(over: Partial<TwoWayKeyInput> = {}): TwoWayKeyInput {
  return { arn: KEY, keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', keySpec: 'SYMMETRIC_DEFAULT', keyState: 'Enabled', keyManager: 'CUSTOMER', policy: doc(rootStatement), ...over };
}

function awsSnsKey(): TwoWayKeyInput {
  return customerKey({ arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/aaaaaaaa-0000-0000-0000-000000000000`, keyManager: 'AWS', alias: 'alias/aws/sns', policy: JSON.stringify(awsManagedSnsKeyPolicy(where)) });
}

function viaRole(over: Partial<TwoWayDeliveryInput> = {}): TwoWayDeliveryInput {
  return { ...where, originArn: ORIGIN, channel: 'sns', channelArn: TOPIC, roleArn: ROLE, role: snsRole(), topic: topic(), ...over };
}

function viaTopicPolicy(over: Partial<TwoWayDeliveryInput> = {}): TwoWayDeliveryInput {
  return { ...where, originArn: ORIGIN, channel: 'sns', channelArn: TOPIC, topic: topic({ policy: servicePublishPolicy }), ...over };
}

function viaConnect(over: Partial<TwoWayDeliveryInput> = {}): TwoWayDeliveryInput {
  return { ...where, originArn: ORIGIN, channel: 'connect', channelArn: `connect.${REGION}.amazonaws.com`, roleArn: ROLE, role: connectRole(), connect: { instanceArn: INSTANCE, numberImported: true }, ...over };
}

describe('evaluateTwoWayDelivery: deliverable paths', () => {
  const rows: [string, TwoWayDeliveryInput, TwoWayCheckName[]][] = [
    ['the role path', viaRole(), ['topic-standard', 'role-trust', 'role-sns-publish']],
    ['the topic-policy path', viaTopicPolicy(), ['topic-standard', 'topic-policy-publish']],
    [
      'the role path to a topic encrypted with a customer key that delegates to the account',
      viaRole({ topic: topic(), keyRef: KEY, key: customerKey() }),
      ['topic-standard', 'role-trust', 'role-sns-publish', 'key-symmetric', 'key-enabled', 'kms-generate-data-key', 'kms-decrypt'],
    ],
    [
      'the topic-policy path to a topic encrypted with a customer key that allows the service',
      viaTopicPolicy({ keyRef: KEY, key: customerKey({ policy: doc(rootStatement, keyPolicyStatement(where)) }) }),
      ['topic-standard', 'topic-policy-publish', 'key-customer-managed', 'key-symmetric', 'key-enabled', 'kms-generate-data-key', 'kms-decrypt'],
    ],
    [
      'the role path to a topic encrypted with the AWS-managed aws/sns key',
      viaRole({ keyRef: 'alias/aws/sns', key: awsSnsKey() }),
      ['topic-standard', 'role-trust', 'role-sns-publish', 'key-symmetric', 'key-enabled', 'kms-generate-data-key', 'kms-decrypt'],
    ],
    [
      'the role path with a key policy that names the role though it does not delegate',
      viaRole({
        keyRef: KEY,
        key: customerKey({ policy: doc({ Sid: 'TwoWayRole', Effect: 'Allow', Principal: { AWS: ROLE }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' }) }),
      }),
      ['topic-standard', 'role-trust', 'role-sns-publish', 'key-symmetric', 'key-enabled', 'kms-generate-data-key', 'kms-decrypt'],
    ],
    ['Connect', viaConnect(), ['role-trust', 'role-connect-send', 'connect-number-imported']],
  ];

  it.each(rows)('delivers on %s', (_name, input, expectedChecks) => {
    // Prepare / Act
    const result = evaluateTwoWayDelivery(input);
    // Assess
    expect(result.reason).toBeUndefined();
    expect(result.deliverable).toBe(true);
    expect(result.checks.map((c) => [c.check, c.result.decision])).toEqual(expectedChecks.map((c) => [c, 'Allow']));
  });

  it('names the deciding statements of an allowed check', () => {
    // Prepare / Act
    const result = evaluateTwoWayDelivery(viaRole());
    // Assess
    expect(result.checks.find((c) => c.check === 'role-trust')!.result.deciding).toEqual([{ policy: `trust policy of role ${ROLE}`, sid: 'SMSVoice', index: 0 }]);
  });
});

describe('evaluateTwoWayDelivery: dropped messages', () => {
  const otherTrust = doc({ Sid: 'Ec2', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
  const wrongAccountTrust = JSON.stringify(twoWayTrustPolicy({ accountId: '999999999999' }));
  const kmsOnly = [{ name: 'kms-only', document: doc({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*' }) }];
  const denyPublish = [
    ...snsRole().permissionPolicies,
    { name: 'guardrail', document: doc({ Sid: 'NoSnsPublish', Effect: 'Deny', Action: 'sns:Publish', Resource: '*' }) },
  ];
  const topicDeny = doc({ Sid: 'DenyAll', Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: TOPIC });
  const noDelegation = doc({ Sid: 'KeyAdmins', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/KeyAdmin` }, Action: 'kms:*', Resource: '*' });
  const foreignSource = doc(topicPolicyStatement({ ...where, accountId: '999999999999', topicArn: TOPIC }));

  const rows: [string, TwoWayDeliveryInput, TwoWayCheckName, Decision, string[]][] = [
    ['the trust policy lacks the service', viaRole({ role: snsRole({ trustPolicy: otherTrust }) }), 'role-trust', 'ImplicitDeny', [`trust policy of role ${ROLE} has no statement allowing sms-voice.amazonaws.com sts:AssumeRole`, 'names principal ec2.amazonaws.com']],
    ['the trust condition names another SourceAccount', viaRole({ role: snsRole({ trustPolicy: wrongAccountTrust }) }), 'role-trust', 'ImplicitDeny', ['StringEquals aws:SourceAccount "999999999999" does not hold (the request has "111122223333")']],
    ['the role does not exist', viaRole({ role: undefined }), 'role-exists', 'ImplicitDeny', [`role ${ROLE} does not exist`]],
    ['the role may not publish', viaRole({ role: snsRole({ permissionPolicies: kmsOnly }) }), 'role-sns-publish', 'ImplicitDeny', [`has no statement allowing ${ROLE} sns:Publish on ${TOPIC}`, 'permission policy "kms-only"']],
    ['the role has no permission policies', viaRole({ role: snsRole({ permissionPolicies: [] }) }), 'role-sns-publish', 'ImplicitDeny', [`role ${ROLE} has no permission policies`, 'sns:Publish']],
    ['a role policy denies publishing', viaRole({ role: snsRole({ permissionPolicies: denyPublish }) }), 'role-sns-publish', 'ExplicitDeny', ['statement "NoSnsPublish" (#0) of the permission policy "guardrail"', 'explicitly denies']],
    ['the topic policy denies publishing', viaRole({ topic: topic({ policy: topicDeny }) }), 'role-sns-publish', 'ExplicitDeny', [`statement "DenyAll" (#0) of the topic policy of ${TOPIC} explicitly denies`]],
    ['the topic policy lacks the service', viaTopicPolicy({ topic: topic({ policy: doc(rootStatement) }) }), 'topic-policy-publish', 'ImplicitDeny', [`the topic policy of ${TOPIC} has no statement allowing sms-voice.amazonaws.com sns:Publish on ${TOPIC}`]],
    ['the topic policy is for another account', viaTopicPolicy({ topic: topic({ policy: foreignSource }) }), 'topic-policy-publish', 'ImplicitDeny', ['aws:SourceAccount "999999999999"']],
    ['the topic has no policy', viaTopicPolicy({ topic: topic() }), 'topic-policy-publish', 'ImplicitDeny', [`topic ${TOPIC} has no topic policy`, 'sms-voice.amazonaws.com sns:Publish']],
    ['the topic policy is malformed', viaTopicPolicy({ topic: topic({ policy: '{"Statement": [' }) }), 'topic-policy-publish', 'ImplicitDeny', [`topic policy of ${TOPIC} is not a valid policy document`]],
    ['aws/sns encrypts the topic on the no-role path', viaTopicPolicy({ keyRef: 'alias/aws/sns', key: awsSnsKey() }), 'key-customer-managed', 'ImplicitDeny', ['AWS-managed key alias/aws/sns', 'cannot be edited to allow sms-voice.amazonaws.com', 'customer-managed']],
    ['the key policy lacks the service statement', viaTopicPolicy({ keyRef: KEY, key: customerKey() }), 'kms-generate-data-key', 'ImplicitDeny', [`the key policy of key ${KEY} has no statement allowing sms-voice.amazonaws.com kms:GenerateDataKey`]],
    ['the key policy does not delegate to the account on the role path', viaRole({ keyRef: KEY, key: customerKey({ policy: noDelegation }) }), 'kms-generate-data-key', 'ImplicitDeny', [`key policy of key ${KEY}`, 'delegates to the account', `arn:aws:iam::${ACCOUNT}:root kms:GenerateDataKey`]],
    ['the key is asymmetric', viaRole({ keyRef: KEY, key: customerKey({ keySpec: 'RSA_2048' }) }), 'key-symmetric', 'ImplicitDeny', ['RSA_2048', 'symmetric']],
    ['the key is disabled', viaRole({ keyRef: KEY, key: customerKey({ keyState: 'Disabled' }) }), 'key-enabled', 'ImplicitDeny', [`key ${KEY} is Disabled`]],
    ['the key does not exist', viaRole({ keyRef: 'alias/missing', key: undefined }), 'key-exists', 'ImplicitDeny', ['alias/missing, which does not exist']],
    ['the topic is FIFO', viaRole({ topic: topic({ fifo: true }) }), 'topic-standard', 'ImplicitDeny', [`topic ${TOPIC} is a FIFO topic`, 'standard topics']],
    ['the topic does not exist', viaRole({ topic: undefined }), 'topic-exists', 'ImplicitDeny', [`topic ${TOPIC} does not exist`]],
    ['the Connect role lacks connect:SendChatIntegrationEvent', viaConnect({ role: snsRole() }), 'role-connect-send', 'ImplicitDeny', [`${ROLE} connect:SendChatIntegrationEvent on ${INSTANCE}`]],
    ['the number is not imported into Connect', viaConnect({ connect: { numberImported: false } }), 'connect-number-imported', 'ImplicitDeny', [`phone number ${ORIGIN} is not imported`, 'ImportPhoneNumber']],
    ['Connect has no role', viaConnect({ roleArn: undefined, role: undefined }), 'role-exists', 'ImplicitDeny', ['Connect two-way destination needs a two-way channel role']],
    ['the Connect trust policy lacks the service', viaConnect({ role: connectRole({ trustPolicy: otherTrust }) }), 'role-trust', 'ImplicitDeny', ['sms-voice.amazonaws.com sts:AssumeRole']],
  ];

  it.each(rows)('drops when %s', (_name, input, failing, decision, mentions) => {
    // Prepare / Act
    const result = evaluateTwoWayDelivery(input);
    // Assess
    const first = result.checks.find((c) => !c.passed)!;
    expect(result.deliverable).toBe(false);
    expect([first.check, first.result.decision]).toEqual([failing, decision]);
    expect(result.reason).toBe(first.result.explanation);
    for (const m of mentions) expect(result.reason).toContain(m);
  });

  it('runs every check so a preflight can report all problems at once', () => {
    // Prepare
    const input = viaRole({ role: snsRole({ trustPolicy: wrongAccountTrust, permissionPolicies: kmsOnly }), keyRef: KEY, key: customerKey({ keyState: 'Disabled' }) });
    // Act
    const result = evaluateTwoWayDelivery(input);
    // Assess
    expect(result.checks.filter((c) => !c.passed).map((c) => c.check)).toEqual(['role-trust', 'role-sns-publish', 'key-enabled']);
    expect(result.reason).toContain('aws:SourceAccount');
  });

  it('takes the role path whenever a role is configured', () => {
    // Prepare / Act
    const withRole = evaluateTwoWayDelivery(viaRole({ topic: topic({ policy: servicePublishPolicy }) }));
    const without = evaluateTwoWayDelivery(viaTopicPolicy());
    // Assess
    expect([withRole.path, without.path]).toEqual(['role', 'service-principal']);
  });

  it('passes the origin ARN as aws:SourceArn to the trust policy', () => {
    // Prepare
    const trust = doc({ Sid: 'PoolOnly', Effect: 'Allow', Principal: { Service: 'sms-voice.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:sms-voice:${REGION}:${ACCOUNT}:pool/*` } } });
    // Act
    const fromNumber = evaluateTwoWayDelivery(viaRole({ role: snsRole({ trustPolicy: trust }) }));
    const fromPool = evaluateTwoWayDelivery(viaRole({ role: snsRole({ trustPolicy: trust }), originArn: `arn:aws:sms-voice:${REGION}:${ACCOUNT}:pool/pool-1` }));
    // Assess
    expect([fromNumber.deliverable, fromPool.deliverable]).toEqual([false, true]);
    expect(fromNumber.reason).toContain(`the request has "${ORIGIN}"`);
  });
});
