import { canonicalJson, decodeToken, encodeToken, headerValues, isJsonContentType } from '../../../api/http';

describe('canonicalJson', () => {
  it('is the same text for the same document in any key order, and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
    expect(canonicalJson({ a: undefined, b: 'x' })).toBe('{"b":"x"}');
  });
});

describe('isJsonContentType', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=UTF-8', true],
    ['application/json; charset="utf-8"', true],
    ['application/json; charset=latin1', false],
    ['application/problem+json', false],
    ['text/json', false],
    [undefined, false],
  ])('%s → %s', (value, expected) => {
    expect(isJsonContentType(value)).toBe(expected);
  });
});

describe('headerValues', () => {
  it('finds headers case-insensitively, preferring the multi-value map', () => {
    expect(headerValues({ headers: { 'idempotency-key': 'a' }, multiValueHeaders: {} }, 'Idempotency-Key')).toEqual(['a']);
    expect(headerValues({ headers: { 'Idempotency-Key': 'a,b' }, multiValueHeaders: { 'idempotency-key': ['a', 'b'] } }, 'Idempotency-Key')).toEqual(['a', 'b']);
    expect(headerValues({ headers: {}, multiValueHeaders: {} }, 'X')).toEqual([]);
  });
});

describe('page tokens', () => {
  it('round-trip, and anything that is not one decodes to undefined', () => {
    expect(decodeToken(encodeToken({ v: 1, k: { pk: 'PROV#x' } }))).toEqual({ v: 1, k: { pk: 'PROV#x' } });
    expect(decodeToken('not a token!')).toBeUndefined();
    expect(decodeToken('AAAA')).toBeUndefined();
  });
});
