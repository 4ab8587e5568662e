import { evaluate, type AccessRequest, type ContextValue } from '../../../../../tasks/lib/policy';

/** Evaluates one condition block in an otherwise matching identity policy statement. */
function holds(condition: Record<string, Record<string, unknown>>, context: Record<string, ContextValue>): boolean {
  const request: AccessRequest = { action: 'sns:Publish', resource: 'arn:aws:sns:us-east-1:123456789012:t', context };
  const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: '*', Condition: condition }] };
  return evaluate(request, [{ label: 'test policy', kind: 'identity', document: doc }]).decision === 'Allow';
}

type Row = [string, string, unknown, ContextValue, boolean];
const K = 'aws:SourceAccount';

describe('condition operators', () => {
  const rows: Row[] = [
    // String operators, values case-sensitive, several policy values OR'ed.
    ['StringEquals', K, '111122223333', '111122223333', true],
    ['StringEquals', K, '111122223333', '999999999999', false],
    ['StringEquals', K, ['1', '111122223333'], '111122223333', true],
    ['StringEquals', 'aws:username', 'Alice', 'alice', false],
    ['StringEquals', K, '111122223333', undefined, false],
    ['StringNotEquals', K, '111122223333', '999999999999', true],
    ['StringNotEquals', K, '111122223333', '111122223333', false],
    ['StringNotEquals', K, ['1', '2'], '2', false], // NOR over policy values
    ['StringNotEquals', K, '111122223333', undefined, true], // negated + missing key → true
    ['StringEqualsIgnoreCase', 'aws:username', 'ALICE', 'alice', true],
    ['StringEqualsIgnoreCase', 'aws:username', 'ALICE', 'bob', false],
    ['StringNotEqualsIgnoreCase', 'aws:username', 'ALICE', 'alice', false],
    ['StringNotEqualsIgnoreCase', 'aws:username', 'ALICE', 'bob', true],
    ['StringLike', 'aws:username', 'al*', 'alice', true],
    ['StringLike', 'aws:username', 'al?ce', 'alice', true],
    ['StringLike', 'aws:username', 'al?e', 'alice', false],
    ['StringLike', 'aws:username', 'AL*', 'alice', false],
    ['StringLike', 'aws:username', 'al*', undefined, false],
    ['StringNotLike', 'aws:username', 'al*', 'bob', true],
    ['StringNotLike', 'aws:username', 'al*', 'alice', false],
    ['StringNotLike', 'aws:username', 'al*', undefined, true],
    // ARN operators: segment-wise wildcards, case-sensitive.
    ['ArnEquals', 'aws:SourceArn', 'arn:aws:sms-voice:us-east-1:111122223333:phone-number/p-1', 'arn:aws:sms-voice:us-east-1:111122223333:phone-number/p-1', true],
    ['ArnEquals', 'aws:SourceArn', 'arn:aws:sms-voice:*:111122223333:*', 'arn:aws:sms-voice:eu-west-1:111122223333:pool/x', true],
    ['ArnLike', 'aws:SourceArn', 'arn:aws:sms-voice:us-east-1:111122223333:*', 'arn:aws:sms-voice:us-east-1:111122223333:phone-number/p-1', true],
    ['ArnLike', 'aws:SourceArn', 'arn:aws:sms-voice:us-east-1:111122223333:*', 'arn:aws:sms-voice:us-east-1:999999999999:phone-number/p-1', false],
    ['ArnLike', 'aws:SourceArn', 'arn:aws:sms-voice:us-east-1:111122223333:*', 'arn:aws:sns:us-east-1:111122223333:topic', false],
    ['ArnLike', 'aws:SourceArn', 'arn:aws:sms-voice:us-east-1:111122223333:*', 'not-an-arn', false],
    ['ArnLike', 'aws:SourceArn', 'arn:aws:sms-voice:us-east-1:111122223333:*', undefined, false],
    ['ArnNotEquals', 'aws:SourceArn', 'arn:aws:sms-voice:us-east-1:111122223333:*', 'arn:aws:sms-voice:us-east-1:999999999999:x', true],
    ['ArnNotLike', 'aws:SourceArn', 'arn:aws:sms-voice:us-east-1:111122223333:*', 'arn:aws:sms-voice:us-east-1:111122223333:x', false],
    ['ArnNotLike', 'aws:SourceArn', 'arn:aws:sms-voice:us-east-1:111122223333:*', undefined, true],
    // Bool (request booleans or their text).
    ['Bool', 'aws:SecureTransport', 'true', true, true],
    ['Bool', 'aws:SecureTransport', 'true', false, false],
    ['Bool', 'aws:SecureTransport', true, 'true', true],
    ['Bool', 'aws:SecureTransport', 'false', undefined, false],
    // Null tests presence.
    ['Null', K, 'true', undefined, true],
    ['Null', K, 'true', '111122223333', false],
    ['Null', K, 'false', '111122223333', true],
    ['Null', K, 'false', undefined, false],
    // Numeric and date operators.
    ['NumericEquals', 's3:max-keys', '10', '10', true],
    ['NumericEquals', 's3:max-keys', 10, '10.0', true],
    ['NumericNotEquals', 's3:max-keys', '10', '11', true],
    ['NumericLessThan', 's3:max-keys', '10', '9', true],
    ['NumericLessThan', 's3:max-keys', '10', '10', false],
    ['NumericLessThanEquals', 's3:max-keys', '10', '10', true],
    ['NumericGreaterThan', 's3:max-keys', '10', '11', true],
    ['NumericGreaterThanEquals', 's3:max-keys', '10', '9', false],
    ['NumericLessThan', 's3:max-keys', '10', 'ten', false],
    ['NumericLessThan', 's3:max-keys', '10', undefined, false],
    ['DateLessThan', 'aws:CurrentTime', '2030-01-01T00:00:00Z', '2025-06-01T00:00:00Z', true],
    ['DateGreaterThan', 'aws:CurrentTime', '2030-01-01T00:00:00Z', '2025-06-01T00:00:00Z', false],
    ['DateEquals', 'aws:EpochTime', '1700000000', '2023-11-14T22:13:20Z', true],
    ['IpAddress', 'aws:SourceIp', '203.0.113.0/24', '203.0.113.7', true],
    ['IpAddress', 'aws:SourceIp', '203.0.113.0/24', '203.0.114.7', false],
    ['NotIpAddress', 'aws:SourceIp', '203.0.113.0/24', '203.0.114.7', true],
    ['BinaryEquals', 'x:bin', 'QmluYXJ5', 'QmluYXJ5', true],
    // ...IfExists: a missing key passes, a present one is tested.
    ['StringEqualsIfExists', K, '111122223333', undefined, true],
    ['StringEqualsIfExists', K, '111122223333', '999999999999', false],
    ['StringEqualsIfExists', K, '111122223333', '111122223333', true],
    ['StringNotEqualsIfExists', K, '111122223333', undefined, true],
    ['StringNotEqualsIfExists', K, '111122223333', '111122223333', false],
    ['ArnLikeIfExists', 'aws:SourceArn', 'arn:aws:sms-voice:*:111122223333:*', undefined, true],
    ['BoolIfExists', 'aws:MultiFactorAuthPresent', 'true', undefined, true],
    ['NumericLessThanIfExists', 's3:max-keys', '10', '20', false],
    // Set operators over multivalued keys.
    ['ForAnyValue:StringEquals', 'aws:TagKeys', ['a', 'b'], ['b', 'c'], true],
    ['ForAnyValue:StringEquals', 'aws:TagKeys', ['a', 'b'], ['c', 'd'], false],
    ['ForAnyValue:StringEquals', 'aws:TagKeys', ['a', 'b'], undefined, false],
    ['ForAnyValue:StringEquals', 'aws:TagKeys', ['a', 'b'], [], false],
    ['ForAnyValue:StringNotEquals', 'aws:TagKeys', ['a'], ['a', 'z'], true],
    ['ForAnyValue:StringNotEquals', 'aws:TagKeys', ['a'], undefined, false],
    ['ForAnyValue:StringLike', 'aws:TagKeys', 'env*', ['owner', 'environment'], true],
    ['ForAllValues:StringEquals', 'aws:TagKeys', ['a', 'b'], ['a', 'b'], true],
    ['ForAllValues:StringEquals', 'aws:TagKeys', ['a', 'b'], ['a', 'c'], false],
    ['ForAllValues:StringEquals', 'aws:TagKeys', ['a', 'b'], undefined, true],
    ['ForAllValues:StringEquals', 'aws:TagKeys', ['a', 'b'], [], true],
    ['ForAllValues:StringNotEquals', 'aws:TagKeys', ['secret'], ['a', 'b'], true],
    ['ForAllValues:StringNotEquals', 'aws:TagKeys', ['secret'], ['a', 'secret'], false],
    ['ForAllValues:StringLikeIfExists', 'aws:TagKeys', 'a*', undefined, true],
    ['ForAnyValue:StringEqualsIfExists', 'aws:TagKeys', 'a', undefined, true],
    // A single-valued operator on a multivalued key: any value matches / none matches.
    ['StringEquals', 'aws:TagKeys', 'a', ['x', 'a'], true],
    ['StringNotEquals', 'aws:TagKeys', 'a', ['x', 'a'], false],
  ];

  it.each(rows)('%s %s %j against %j gives %s', (operator, key, values, actual, expected) => {
    // Prepare
    const condition = { [operator]: { [key]: values } };
    // Act
    const result = holds(condition, actual === undefined ? {} : { [key]: actual });
    // Assess
    expect(result).toBe(expected);
  });

  it('looks condition keys up case-insensitively', () => {
    // Prepare / Act
    const result = holds({ StringEquals: { 'AWS:SOURCEACCOUNT': '111122223333' } }, { 'aws:SourceAccount': '111122223333' });
    // Assess
    expect(result).toBe(true);
  });

  it('compares condition values case-sensitively', () => {
    // Prepare / Act
    const result = holds({ StringEquals: { 'aws:SourceArn': 'arn:aws:sms-voice:us-east-1:111122223333:pool/ABC' } }, { 'aws:SourceArn': 'arn:aws:sms-voice:us-east-1:111122223333:pool/abc' });
    // Assess
    expect(result).toBe(false);
  });

  it('requires every key of a block and every block (AND)', () => {
    // Prepare
    const condition = { StringEquals: { 'aws:SourceAccount': '111122223333', 'aws:username': 'alice' }, Bool: { 'aws:SecureTransport': 'true' } };
    // Act
    const all = holds(condition, { 'aws:SourceAccount': '111122223333', 'aws:username': 'alice', 'aws:SecureTransport': true });
    const oneMissing = holds(condition, { 'aws:SourceAccount': '111122223333', 'aws:username': 'alice' });
    // Assess
    expect([all, oneMissing]).toEqual([true, false]);
  });

  it('names the failing condition, its expected value and what the request had', () => {
    // Prepare
    const doc = { Statement: [{ Sid: 'Only', Effect: 'Allow', Action: 'sns:Publish', Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } } }] };
    // Act
    const result = evaluate({ action: 'sns:Publish', resource: 'arn:aws:sns:us-east-1:111122223333:t', context: { 'aws:SourceAccount': '999999999999' } }, [{ label: 'test policy', kind: 'identity', document: doc }]);
    // Assess
    expect(result.decision).toBe('ImplicitDeny');
    expect(result.explanation).toContain('StringEquals aws:SourceAccount "111122223333" does not hold (the request has "999999999999")');
  });
});
