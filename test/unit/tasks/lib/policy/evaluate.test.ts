import { evaluate, evaluateKeyAccess, PolicyParseError, type AccessRequest, type PolicySource, type RequestPrincipal } from '../../../../../tasks/lib/policy';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:inbound`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/sms/TwoWayRole`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const SERVICE: RequestPrincipal = { type: 'Service', id: 'sms-voice.amazonaws.com' };
const ROLE_PRINCIPAL: RequestPrincipal = { type: 'AWS', arn: ROLE };

const identity = (statements: object[], label = 'permission policy "p" of role R'): PolicySource => ({ label, kind: 'identity', document: { Version: '2012-10-17', Statement: statements } });
const resource = (statements: object[], label = `topic policy of ${TOPIC}`): PolicySource => ({ label, kind: 'resource', document: JSON.stringify({ Version: '2012-10-17', Statement: statements }) });

describe('evaluate: actions and resources', () => {
  const rows: [string, object, string, string, 'Allow' | 'ImplicitDeny'][] = [
    ['an exact action', { Action: 'sns:Publish', Resource: '*' }, 'sns:Publish', TOPIC, 'Allow'],
    ['actions case-insensitively', { Action: 'SNS:publish', Resource: '*' }, 'sns:Publish', TOPIC, 'Allow'],
    ['a * action wildcard', { Action: 'sns:*', Resource: '*' }, 'sns:Publish', TOPIC, 'Allow'],
    ['a trailing * action wildcard', { Action: 'kms:GenerateDataKey*', Resource: '*' }, 'kms:GenerateDataKey', KEY, 'Allow'],
    ['a ? action wildcard', { Action: 'sns:Publis?', Resource: '*' }, 'sns:Publish', TOPIC, 'Allow'],
    ['no other action', { Action: 'sns:Subscribe', Resource: '*' }, 'sns:Publish', TOPIC, 'ImplicitDeny'],
    ['no action of another service', { Action: 'sqs:*', Resource: '*' }, 'sns:Publish', TOPIC, 'ImplicitDeny'],
    ['NotAction excluding another action', { NotAction: 'sns:DeleteTopic', Resource: '*' }, 'sns:Publish', TOPIC, 'Allow'],
    ['NotAction excluding this action', { NotAction: ['sns:Pub*'], Resource: '*' }, 'sns:Publish', TOPIC, 'ImplicitDeny'],
    ['an exact resource', { Action: 'sns:Publish', Resource: TOPIC }, 'sns:Publish', TOPIC, 'Allow'],
    ['a resource wildcard across segments', { Action: 'sns:Publish', Resource: `arn:aws:sns:*:${ACCOUNT}:*` }, 'sns:Publish', TOPIC, 'Allow'],
    ['a ? resource wildcard', { Action: 'sns:Publish', Resource: `arn:aws:sns:us-east-1:${ACCOUNT}:inboun?` }, 'sns:Publish', TOPIC, 'Allow'],
    ['resources case-sensitively', { Action: 'sns:Publish', Resource: TOPIC.replace('inbound', 'INBOUND') }, 'sns:Publish', TOPIC, 'ImplicitDeny'],
    ['no other resource', { Action: 'sns:Publish', Resource: `${TOPIC}-2` }, 'sns:Publish', TOPIC, 'ImplicitDeny'],
    ['NotResource excluding another resource', { Action: 'sns:Publish', NotResource: `${TOPIC}-2` }, 'sns:Publish', TOPIC, 'Allow'],
    ['NotResource excluding this resource', { Action: 'sns:Publish', NotResource: [`arn:aws:sns:us-east-1:${ACCOUNT}:*`] }, 'sns:Publish', TOPIC, 'ImplicitDeny'],
  ];

  it.each(rows)('matches %s', (_name, statement, action, res, expected) => {
    // Prepare
    const request: AccessRequest = { principal: ROLE_PRINCIPAL, action, resource: res };
    // Act
    const result = evaluate(request, [identity([{ Effect: 'Allow', ...statement }])]);
    // Assess
    expect(result.decision).toBe(expected);
  });

  it('names the policy, the principal, the action and the resource when nothing allows', () => {
    // Prepare
    const request: AccessRequest = { principal: ROLE_PRINCIPAL, action: 'sns:Publish', resource: TOPIC };
    // Act
    const result = evaluate(request, [identity([{ Effect: 'Allow', Action: 'sns:Subscribe', Resource: '*' }])]);
    // Assess
    expect(result).toEqual({
      decision: 'ImplicitDeny',
      deciding: [],
      explanation: `the permission policy "p" of role R has no statement allowing ${ROLE} sns:Publish on ${TOPIC}`,
    });
  });

  it('names a statement that covers another resource as the closest', () => {
    // Prepare
    const request: AccessRequest = { principal: ROLE_PRINCIPAL, action: 'sns:Publish', resource: TOPIC };
    // Act
    const result = evaluate(request, [identity([{ Sid: 'Other', Effect: 'Allow', Action: 'sns:Publish', Resource: `${TOPIC}-old` }])]);
    // Assess
    expect(result.explanation).toContain(`statement "Other" (#0) of the permission policy "p" of role R comes closest, but it covers only ${TOPIC}-old, not ${TOPIC}`);
  });
});

describe('evaluate: principals in resource policies', () => {
  const request = (principal: RequestPrincipal): AccessRequest => ({ principal, action: 'sns:Publish', resource: TOPIC });
  const rows: [string, unknown, RequestPrincipal, 'Allow' | 'ImplicitDeny'][] = [
    ['the service principal', { Service: 'sms-voice.amazonaws.com' }, SERVICE, 'Allow'],
    ['one of several service principals', { Service: ['sns.amazonaws.com', 'sms-voice.amazonaws.com'] }, SERVICE, 'Allow'],
    ['not another service principal', { Service: 'sns.amazonaws.com' }, SERVICE, 'ImplicitDeny'],
    ['"*" for a service', '*', SERVICE, 'Allow'],
    ['{"AWS": "*"} for a role', { AWS: '*' }, ROLE_PRINCIPAL, 'Allow'],
    ['the role ARN', { AWS: ROLE }, ROLE_PRINCIPAL, 'Allow'],
    ['the role ARN for its assumed-role session', { AWS: ROLE }, { type: 'AWS', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/TwoWayRole/session-1` }, 'Allow'],
    ['not another role', { AWS: `arn:aws:iam::${ACCOUNT}:role/Other` }, ROLE_PRINCIPAL, 'ImplicitDeny'],
    ['not an AWS principal for a service', { AWS: `arn:aws:iam::${ACCOUNT}:root` }, SERVICE, 'ImplicitDeny'],
    ['not a service principal for a role', { Service: 'sms-voice.amazonaws.com' }, ROLE_PRINCIPAL, 'ImplicitDeny'],
  ];

  it.each(rows)('matches %s', (_name, principal, who, expected) => {
    // Prepare / Act
    const result = evaluate(request(who), [resource([{ Effect: 'Allow', Principal: principal, Action: 'sns:Publish', Resource: TOPIC }])]);
    // Assess
    expect(result.decision).toBe(expected);
  });

  it.each([`arn:aws:iam::${ACCOUNT}:root`, ACCOUNT])('treats %s as delegating to the account IAM policies', (account) => {
    // Prepare
    const topicPolicy = resource([{ Sid: 'Account', Effect: 'Allow', Principal: { AWS: account }, Action: 'sns:Publish', Resource: TOPIC }]);
    // Act
    const alone = evaluate(request(ROLE_PRINCIPAL), [topicPolicy, identity([])]);
    const withIam = evaluate(request(ROLE_PRINCIPAL), [topicPolicy, identity([{ Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC }])]);
    // Assess
    expect(alone.decision).toBe('ImplicitDeny');
    expect(alone.explanation).toContain('grants sns:Publish only to the account');
    expect(withIam.decision).toBe('Allow');
  });

  it('lets an account-wide Deny deny every principal of the account', () => {
    // Prepare
    const policies = [
      resource([{ Sid: 'NoAccount', Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sns:*', Resource: '*' }]),
      identity([{ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' }]),
    ];
    // Act
    const result = evaluate(request(ROLE_PRINCIPAL), policies);
    // Assess
    expect(result.decision).toBe('ExplicitDeny');
  });

  it('allows everyone but the NotPrincipal', () => {
    // Prepare
    const policy = resource([{ Effect: 'Allow', NotPrincipal: { Service: 'sns.amazonaws.com' }, Action: 'sns:Publish', Resource: TOPIC }]);
    // Act
    const service = evaluate(request(SERVICE), [policy]);
    const excluded = evaluate(request({ type: 'Service', id: 'sns.amazonaws.com' }), [policy]);
    // Assess
    expect([service.decision, excluded.decision]).toEqual(['Allow', 'ImplicitDeny']);
  });

  it('explains that a statement names another principal', () => {
    // Prepare
    const policy = resource([{ Sid: 'Sns', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sns:Publish', Resource: TOPIC }]);
    // Act
    const result = evaluate(request(SERVICE), [policy]);
    // Assess
    expect(result.explanation).toBe(
      `the topic policy of ${TOPIC} has no statement allowing sms-voice.amazonaws.com sns:Publish on ${TOPIC}; statement "Sns" (#0) of the topic policy of ${TOPIC} comes closest, but it names principal sns.amazonaws.com, not sms-voice.amazonaws.com`,
    );
  });
});

describe('evaluate: combining policies', () => {
  const request: AccessRequest = { principal: ROLE_PRINCIPAL, action: 'sns:Publish', resource: TOPIC, context: { 'aws:SecureTransport': false } };
  const allowIam = identity([{ Sid: 'Iam', Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC }]);
  const allowTopic = resource([{ Sid: 'Topic', Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'sns:Publish', Resource: TOPIC }]);

  it('allows with an identity-based Allow alone in one account', () => {
    // Prepare / Act
    const result = evaluate(request, [allowIam, resource([{ Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'sns:Publish', Resource: TOPIC }])]);
    // Assess
    expect(result.decision).toBe('Allow');
    expect(result.deciding).toEqual([{ policy: 'permission policy "p" of role R', sid: 'Iam', index: 0 }]);
  });

  it('allows with a resource-based Allow alone in one account', () => {
    // Prepare / Act
    const result = evaluate(request, [identity([]), allowTopic]);
    // Assess
    expect(result.decision).toBe('Allow');
    expect(result.deciding).toEqual([{ policy: `topic policy of ${TOPIC}`, sid: 'Topic', index: 0 }]);
  });

  it('lets an explicit Deny in either policy override every Allow', () => {
    // Prepare
    const deny = resource([{ Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 'sns:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }], 'topic policy of T');
    // Act
    const result = evaluate(request, [allowIam, deny]);
    // Assess
    expect(result.decision).toBe('ExplicitDeny');
    expect(result.deciding).toEqual([{ policy: 'topic policy of T', sid: 'TlsOnly', index: 0 }]);
    expect(result.explanation).toContain(`statement "TlsOnly" (#0) of the topic policy of T explicitly denies ${ROLE} sns:Publish on ${TOPIC}`);
  });

  it('ignores a Deny whose condition does not hold', () => {
    // Prepare
    const deny = resource([{ Effect: 'Deny', Principal: '*', Action: 'sns:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }]);
    // Act
    const result = evaluate(request, [allowIam, deny]);
    // Assess
    expect(result.decision).toBe('Allow');
  });

  it('needs both policies across accounts', () => {
    // Prepare
    const foreign: AccessRequest = { ...request, principal: { type: 'AWS', arn: `arn:aws:iam::${OTHER}:role/Caller` } };
    const topicAllowsOther = resource([{ Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'sns:Publish', Resource: TOPIC }]);
    // Act
    const onlyTopic = evaluate(foreign, [identity([]), topicAllowsOther]);
    const both = evaluate(foreign, [allowIam, topicAllowsOther]);
    // Assess
    expect(onlyTopic.decision).toBe('ImplicitDeny');
    expect(onlyTopic.explanation).toContain('in another account');
    expect(both.decision).toBe('Allow');
  });

  it('explains that no policy was given', () => {
    // Prepare / Act
    const result = evaluate(request, []);
    // Assess
    expect(result.explanation).toBe(`no policy allows ${ROLE} sns:Publish on ${TOPIC} (none was given to evaluate)`);
  });

  it('throws PolicyParseError for a malformed document', () => {
    // Prepare / Act / Assess
    expect(() => evaluate(request, [{ label: 'x', kind: 'identity', document: '{"Statement": [{"Effect": "Allow", "Action": "sns:Publish"}]}' }])).toThrow(PolicyParseError);
  });
});

describe('evaluateKeyAccess: the key policy is the root of authority', () => {
  const keyPolicy = (statements: object[]): PolicySource => resource(statements, `key policy of key ${KEY}`);
  const rootStatement = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };
  const roleKms = identity([{ Sid: 'Kms', Effect: 'Allow', Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' }]);
  const request: AccessRequest = { principal: ROLE_PRINCIPAL, action: 'kms:GenerateDataKey', resource: KEY };

  it('allows an IAM policy when the key policy delegates to the account', () => {
    // Prepare / Act
    const result = evaluateKeyAccess({ request, keyPolicy: keyPolicy([rootStatement]), identityPolicies: [roleKms] });
    // Assess
    expect(result.decision).toBe('Allow');
    expect(result.deciding.map((d) => d.sid)).toEqual(['Root', 'Kms']);
  });

  it('delegates through the bare account id too', () => {
    // Prepare / Act
    const result = evaluateKeyAccess({ request, keyPolicy: keyPolicy([{ ...rootStatement, Principal: { AWS: ACCOUNT } }]), identityPolicies: [roleKms] });
    // Assess
    expect(result.decision).toBe('Allow');
  });

  it('ignores IAM policies when the key policy does not delegate, and says so', () => {
    // Prepare / Act
    const result = evaluateKeyAccess({ request, keyPolicy: keyPolicy([{ Sid: 'Admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Admin` }, Action: 'kms:*', Resource: '*' }]), identityPolicies: [roleKms] });
    // Assess
    expect(result.decision).toBe('ImplicitDeny');
    expect(result.explanation).toContain('IAM policies count for a KMS key only when its key policy delegates to the account');
    expect(result.explanation).toContain(`arn:aws:iam::${ACCOUNT}:root kms:GenerateDataKey`);
  });

  it('allows a role named in the key policy without any IAM policy', () => {
    // Prepare / Act
    const result = evaluateKeyAccess({ request, keyPolicy: keyPolicy([{ Sid: 'Role', Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'kms:GenerateDataKey*', Resource: '*' }]), identityPolicies: [] });
    // Assess
    expect(result.decision).toBe('Allow');
  });

  it('needs an IAM policy when the key policy only delegates', () => {
    // Prepare / Act
    const result = evaluateKeyAccess({ request, keyPolicy: keyPolicy([rootStatement]), identityPolicies: [identity([])] });
    // Assess
    expect(result.decision).toBe('ImplicitDeny');
    expect(result.explanation).toContain('delegates kms:GenerateDataKey to account 111122223333, so an IAM policy must allow it as well');
  });

  it('lets an IAM Deny override a key-policy Allow', () => {
    // Prepare
    const deny = identity([{ Sid: 'NoKms', Effect: 'Deny', Action: 'kms:*', Resource: '*' }]);
    // Act
    const result = evaluateKeyAccess({ request, keyPolicy: keyPolicy([{ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'kms:*', Resource: '*' }]), identityPolicies: [deny] });
    // Assess
    expect(result.decision).toBe('ExplicitDeny');
    expect(result.deciding[0]!.sid).toBe('NoKms');
  });

  it('says which service principal statement is missing', () => {
    // Prepare
    const serviceRequest: AccessRequest = { principal: SERVICE, action: 'kms:GenerateDataKey', resource: KEY };
    // Act
    const result = evaluateKeyAccess({ request: serviceRequest, keyPolicy: keyPolicy([rootStatement]) });
    // Assess
    expect(result.decision).toBe('ImplicitDeny');
    expect(result.explanation).toBe(`the key policy of key ${KEY} has no statement allowing sms-voice.amazonaws.com kms:GenerateDataKey on ${KEY}`);
  });
});
