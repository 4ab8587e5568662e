import { decodeToken, encodeToken, headerValues, isJsonContentType } from '../../../api/http';

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
