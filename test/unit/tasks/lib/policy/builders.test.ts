import {
  connectDestinationRolePolicy,
  KEY_POLICY_SID,
  keyPolicyStatement,
  mergeStatement,
  parsePolicy,
  PolicyParseError,
  removeStatement,
  snsDestinationRolePolicy,
  TOPIC_POLICY_SID,
  topicPolicyStatement,
  twoWayTrustPolicy,
} from '../../../../../tasks/lib/policy';

const ACCOUNT = '111122223333';
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:inbound`;
const where = { accountId: ACCOUNT, region: 'us-east-1', partition: 'aws' };

describe('policy builders (docs/domain.md §2 shapes)', () => {
  it('builds the trust policy of a two-way channel role', () => {
    // Prepare / Act
    const doc = twoWayTrustPolicy({ accountId: ACCOUNT });
    // Assess
    expect(doc).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'SMSVoice', Effect: 'Allow', Principal: { Service: 'sms-voice.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } },
      ],
    });
  });

  it('builds the permission policy of a role for an SNS destination', () => {
    // Prepare / Act
    const doc = snsDestinationRolePolicy({ accountId: ACCOUNT, topicArn: TOPIC });
    // Assess
    expect(doc).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'SMSVoiceAllowSNSPublish', Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC, Condition: { StringEquals: { 'aws:ResourceAccount': ACCOUNT } } },
        {
          Sid: 'SMSVoiceAllowEncryptedSNSTopics',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': TOPIC, 'aws:CalledViaLast': 'sns.amazonaws.com' } },
        },
      ],
    });
  });

  it('builds the permission policy of a role for a Connect destination', () => {
    // Prepare / Act
    const doc = connectDestinationRolePolicy();
    // Assess
    expect(doc).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['connect:SendChatIntegrationEvent'], Resource: ['*'] }] });
  });

  it('builds the topic-policy statement with confused-deputy conditions and the fixed Sid', () => {
    // Prepare / Act
    const statement = topicPolicyStatement({ ...where, topicArn: TOPIC });
    // Assess
    expect(statement).toEqual({
      Sid: TOPIC_POLICY_SID,
      Effect: 'Allow',
      Principal: { Service: 'sms-voice.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: TOPIC,
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:sms-voice:us-east-1:${ACCOUNT}:*` } },
    });
  });

  it('builds the key-policy statement with the fixed Sid', () => {
    // Prepare / Act
    const statement = keyPolicyStatement({ ...where, partition: 'aws-us-gov', region: 'us-gov-west-1' });
    // Assess
    expect(statement).toEqual({
      Sid: KEY_POLICY_SID,
      Effect: 'Allow',
      Principal: { Service: 'sms-voice.amazonaws.com' },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws-us-gov:sms-voice:us-gov-west-1:${ACCOUNT}:*` } },
    });
  });

  it('builds documents the parser accepts', () => {
    // Prepare
    const docs = [
      [twoWayTrustPolicy({ accountId: ACCOUNT }), 'resource'],
      [snsDestinationRolePolicy({ accountId: ACCOUNT, topicArn: TOPIC }), 'identity'],
      [connectDestinationRolePolicy(), 'identity'],
      [{ Version: '2012-10-17', Statement: [topicPolicyStatement({ ...where, topicArn: TOPIC }), keyPolicyStatement(where)] }, 'resource'],
    ] as const;
    // Act
    const parsed = docs.map(([doc, kind]) => parsePolicy(JSON.stringify(doc), { kind }).statements.length);
    // Assess
    expect(parsed).toEqual([1, 2, 1, 2]);
  });
});

describe('mergeStatement / removeStatement', () => {
  const existing = JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [{ Sid: '__default_statement_ID', Effect: 'Allow', Principal: { AWS: '*' }, Action: ['SNS:Publish', 'SNS:Subscribe'], Resource: TOPIC, Condition: { StringEquals: { 'AWS:SourceOwner': ACCOUNT } } }],
  });
  const ours = topicPolicyStatement({ ...where, topicArn: TOPIC });

  it('adds the statement and keeps every other one unchanged', () => {
    // Prepare / Act
    const { document, changed } = mergeStatement(existing, ours);
    // Assess
    const before = JSON.parse(existing);
    expect(changed).toBe(true);
    expect(JSON.parse(document)).toEqual({ ...before, Statement: [...before.Statement, ours] });
  });

  it('is a no-op when an equivalent statement with the Sid is there', () => {
    // Prepare
    const once = mergeStatement(existing, ours).document;
    const reordered = { ...ours, Condition: { ArnLike: ours.Condition!.ArnLike!, StringEquals: ours.Condition!.StringEquals! }, Action: ['sns:Publish'] };
    // Act
    const again = mergeStatement(once, reordered);
    // Assess
    expect(again).toEqual({ document: once, changed: false });
  });

  it('is a no-op when a list holds the same items in another order, but not when an item differs', () => {
    // Prepare
    const statement = keyPolicyStatement(where);
    const once = mergeStatement(existing, statement).document;
    const actions = statement.Action as string[];
    // Act
    const reversed = mergeStatement(once, { ...statement, Action: [...actions].reverse() });
    const other = mergeStatement(once, { ...statement, Action: [actions[0]!, 'kms:Encrypt'] });
    // Assess
    expect(reversed).toEqual({ document: once, changed: false });
    expect(other.changed).toBe(true);
  });

  it('replaces a different statement with the same Sid in place', () => {
    // Prepare
    const stale = { ...ours, Resource: `${TOPIC}-old` };
    const withStale = mergeStatement(existing, stale).document;
    // Act
    const { document, changed } = mergeStatement(withStale, ours);
    // Assess
    const statements = JSON.parse(document).Statement;
    expect(changed).toBe(true);
    expect(statements).toHaveLength(2);
    expect(statements[1]).toEqual(ours);
  });

  it('turns a single Statement object into a list when adding', () => {
    // Prepare
    const single = JSON.stringify({ Version: '2012-10-17', Statement: { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' } });
    // Act
    const { document } = mergeStatement(single, keyPolicyStatement(where));
    // Assess
    expect(JSON.parse(document).Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['Root', KEY_POLICY_SID]);
  });

  it('creates a document from an empty one', () => {
    // Prepare / Act
    const { document, changed } = mergeStatement('', ours);
    // Assess
    expect(changed).toBe(true);
    expect(JSON.parse(document)).toEqual({ Version: '2012-10-17', Statement: [ours] });
  });

  it('refuses a malformed document or a statement without a Sid', () => {
    // Prepare
    const { Sid: _sid, ...noSid } = ours;
    // Act / Assess
    expect(() => mergeStatement('{"Statement": 5}', ours)).toThrow(PolicyParseError);
    expect(() => mergeStatement(existing, noSid)).toThrow(/needs a statement with a Sid/);
  });

  it('removes only the statement with the Sid', () => {
    // Prepare
    const merged = mergeStatement(existing, ours).document;
    // Act
    const { document, changed } = removeStatement(merged, TOPIC_POLICY_SID);
    // Assess
    expect(changed).toBe(true);
    expect(JSON.parse(document)).toEqual(JSON.parse(existing));
  });

  it('leaves the document as it is when the Sid is absent', () => {
    // Prepare / Act
    const result = removeStatement(existing, TOPIC_POLICY_SID);
    // Assess
    expect(result).toEqual({ document: existing, changed: false });
  });
});
