import { parsePolicy, PolicyParseError, type ParseOptions } from '../../../../../tasks/lib/policy';

function problemsOf(doc: unknown, options?: ParseOptions): string[] {
  try {
    parsePolicy(doc as object, options);
  } catch (err) {
    if (err instanceof PolicyParseError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

const allow = { Effect: 'Allow', Action: 'sns:Publish', Resource: '*' };

describe('parsePolicy', () => {
  it('accepts single values and arrays wherever AWS does', () => {
    // Prepare
    const text = JSON.stringify({
      Version: '2012-10-17',
      Id: 'doc',
      Statement: {
        Sid: 'One',
        Effect: 'Allow',
        Principal: { Service: 'sms-voice.amazonaws.com', AWS: ['111122223333', 'arn:aws:iam::111122223333:role/r'] },
        Action: ['sns:Publish', 'kms:GenerateDataKey*'],
        Resource: 'arn:aws:sns:us-east-1:111122223333:t',
        Condition: { StringEquals: { 'aws:SourceAccount': ['111122223333'], 'x:n': 5, 'x:b': true } },
      },
    });
    // Act
    const doc = parsePolicy(text);
    // Assess
    expect(doc).toEqual({
      version: '2012-10-17',
      id: 'doc',
      statements: [
        {
          index: 0,
          sid: 'One',
          effect: 'Allow',
          principal: { all: false, aws: ['111122223333', 'arn:aws:iam::111122223333:role/r'], service: ['sms-voice.amazonaws.com'], federated: [], canonicalUser: [] },
          action: ['sns:Publish', 'kms:GenerateDataKey*'],
          resource: ['arn:aws:sns:us-east-1:111122223333:t'],
          conditions: [
            { operator: 'StringEquals', base: 'StringEquals', ifExists: false, key: 'aws:SourceAccount', values: ['111122223333'] },
            { operator: 'StringEquals', base: 'StringEquals', ifExists: false, key: 'x:n', values: ['5'] },
            { operator: 'StringEquals', base: 'StringEquals', ifExists: false, key: 'x:b', values: ['true'] },
          ],
        },
      ],
    });
  });

  it('parses operator prefixes and suffixes', () => {
    // Prepare / Act
    const doc = parsePolicy({ Statement: [{ ...allow, Condition: { 'ForAllValues:StringLikeIfExists': { 'aws:TagKeys': 'a*' } } }] });
    // Assess
    expect(doc.statements[0]!.conditions[0]).toMatchObject({ base: 'StringLike', set: 'ForAllValues', ifExists: true });
  });

  it('treats "*" and {"AWS": "*"} as every principal', () => {
    // Prepare / Act
    const doc = parsePolicy({ Statement: [{ ...allow, Principal: '*' }, { ...allow, Principal: { AWS: '*' } }] });
    // Assess
    expect(doc.statements.map((s) => s.principal!.all)).toEqual([true, true]);
  });

  const bad: [string, unknown, string, ParseOptions | undefined][] = [
    ['text that is not JSON', '{"Statement": [', 'not valid JSON', undefined],
    ['a JSON array', [allow], 'must be a JSON object', undefined],
    ['an unknown Version', { Version: '2020-01-01', Statement: [allow] }, 'Version: must be "2012-10-17" or "2008-10-17"', undefined],
    ['an unknown top-level element', { Statement: [allow], Statements: [] }, 'Statements: unknown top-level element', undefined],
    ['no Statement', { Version: '2012-10-17' }, 'Statement: is missing', undefined],
    ['a statement that is not an object', { Statement: ['Allow'] }, 'Statement[0]: a statement must be a JSON object', undefined],
    ['a lower-case Effect', { Statement: [{ ...allow, Effect: 'allow' }] }, 'Statement[0].Effect: must be "Allow" or "Deny", got "allow"', undefined],
    ['no Effect', { Statement: [{ Action: 'sns:Publish', Resource: '*' }] }, 'Statement[0].Effect: is missing', undefined],
    ['neither Action nor NotAction', { Statement: [{ Effect: 'Allow', Resource: '*' }] }, 'Statement[0]: needs Action or NotAction', undefined],
    ['both Action and NotAction', { Statement: [{ ...allow, NotAction: 'sns:Subscribe' }] }, 'Statement[0]: has both Action and NotAction', undefined],
    ['an action without a service prefix', { Statement: [{ ...allow, Action: 'Publish' }] }, 'Statement[0].Action: "Publish" is not "*" or of the form service:action', undefined],
    ['an empty Action list', { Statement: [{ ...allow, Action: [] }] }, 'Statement[0].Action: must not be an empty list', undefined],
    ['a number as action', { Statement: [{ ...allow, Action: ['sns:Publish', 7] }] }, 'Statement[0].Action[1]: must be a non-empty string', undefined],
    ['a resource that is not an ARN', { Statement: [{ ...allow, Resource: 'my-topic' }] }, 'Statement[0].Resource: "my-topic" is not "*" or an ARN', undefined],
    ['both Resource and NotResource', { Statement: [{ ...allow, NotResource: '*' }] }, 'Statement[0]: has both Resource and NotResource', undefined],
    ['an identity policy without Resource', { Statement: [{ Effect: 'Allow', Action: 'sns:Publish' }] }, 'Statement[0]: needs Resource or NotResource', { kind: 'identity' }],
    ['a Principal in an identity policy', { Statement: [{ ...allow, Principal: '*' }] }, 'Statement[0].Principal: is not allowed in an identity-based policy', { kind: 'identity' }],
    ['a resource policy without Principal', { Statement: [allow] }, 'Statement[0]: needs Principal or NotPrincipal', { kind: 'resource' }],
    ['both Principal and NotPrincipal', { Statement: [{ ...allow, Principal: '*', NotPrincipal: { AWS: '111122223333' } }] }, 'Statement[0]: has both Principal and NotPrincipal', undefined],
    ['an unknown principal type', { Statement: [{ ...allow, Principal: { Services: 'sns.amazonaws.com' } }] }, 'Statement[0].Principal.Services: unknown principal type', undefined],
    ['an AWS principal that is no account or ARN', { Statement: [{ ...allow, Principal: { AWS: 'alice' } }] }, 'Statement[0].Principal.AWS: "alice" is not "*", a 12-digit account id or an ARN', undefined],
    ['a Principal string other than "*"', { Statement: [{ ...allow, Principal: 'sns.amazonaws.com' }] }, 'Statement[0].Principal: must be "*" or an object', undefined],
    ['an empty Principal object', { Statement: [{ ...allow, Principal: {} }] }, 'Statement[0].Principal: must name at least one principal', undefined],
    ['an unknown condition operator', { Statement: [{ ...allow, Condition: { StringEqual: { 'aws:SourceAccount': '1' } } }] }, 'Statement[0].Condition.StringEqual: unknown condition operator', undefined],
    ['Null with IfExists', { Statement: [{ ...allow, Condition: { NullIfExists: { k: 'true' } } }] }, 'Statement[0].Condition.NullIfExists: unknown condition operator', undefined],
    ['a condition block that is not an object', { Statement: [{ ...allow, Condition: { StringEquals: 'x' } }] }, 'Statement[0].Condition.StringEquals: must be an object of condition keys to values', undefined],
    ['a condition value that is an object', { Statement: [{ ...allow, Condition: { StringEquals: { k: { a: 1 } } } }] }, 'Statement[0].Condition.StringEquals.k: values must be strings, numbers or booleans', undefined],
    ['a Bool value that is no boolean', { Statement: [{ ...allow, Condition: { Bool: { 'aws:SecureTransport': 'yes' } } }] }, 'Statement[0].Condition.Bool.aws:SecureTransport: Bool takes "true" or "false"', undefined],
    ['a Numeric value that is no number', { Statement: [{ ...allow, Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } }] }, 'NumericLessThan takes numbers', undefined],
    ['a Condition that is a list', { Statement: [{ ...allow, Condition: [] }] }, 'Statement[0].Condition: must be an object of condition operators', undefined],
    ['an unknown statement element', { Statement: [{ ...allow, Actions: 'sns:Publish' }] }, 'Statement[0].Actions: unknown statement element', undefined],
    ['a Sid that is not a string', { Statement: [{ ...allow, Sid: 1 }] }, 'Statement[0].Sid: must be a string', undefined],
    ['duplicate Sids', { Statement: [{ ...allow, Sid: 'A' }, { ...allow, Sid: 'A' }] }, 'Statement[1].Sid: duplicate Sid "A"', undefined],
  ];

  it.each(bad)('rejects %s, naming the problem', (_name, doc, expected, options) => {
    // Prepare / Act
    const problems = problemsOf(doc, options);
    // Assess
    expect(problems.join('\n')).toContain(expected);
  });

  it('reports every problem at once', () => {
    // Prepare / Act
    const problems = problemsOf({ Version: 'x', Statement: [{ Effect: 'Maybe', Action: 'Publish', Resource: 'topic' }] });
    // Assess
    expect(problems).toHaveLength(4);
  });

  it('throws an error whose message names the path', () => {
    // Prepare / Act / Assess
    expect(() => parsePolicy('{"Statement":{"Effect":"Allow"}}')).toThrow(/Statement\[0\]: needs Action or NotAction/);
  });
});
