import { canonicalJson, sameJsonTextIgnoringKeyOrder, sameJsonValueIgnoringKeyOrder } from '../../../../tasks/lib/json';

describe('canonicalJson', () => {
  it('is the same text for the same document in any key order, and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
    expect(canonicalJson({ a: undefined, b: 'x' })).toBe('{"b":"x"}');
  });

  it('sorts keys by code unit, integer-like keys included, and writes no whitespace', () => {
    expect(canonicalJson({ b: [true, null], '10': 'x', a: 'é', '2': 1 })).toBe('{"10":"x","2":1,"a":"é","b":[true,null]}');
  });

  it('writes null for undefined at the top level and in arrays, as JSON does', () => {
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });
});

describe('sameJsonTextIgnoringKeyOrder', () => {
  it('ignores whitespace and key order but not array order', () => {
    expect(sameJsonTextIgnoringKeyOrder('{"a":1,"b":{"c":[1,2]}}', '{ "b": { "c": [1, 2] }, "a": 1 }')).toBe(true);
    expect(sameJsonTextIgnoringKeyOrder('{"c":[1,2]}', '{"c":[2,1]}')).toBe(false);
  });

  it('takes text that does not parse as equal only to itself', () => {
    expect(sameJsonTextIgnoringKeyOrder('{not json', '{not json')).toBe(true);
    expect(sameJsonTextIgnoringKeyOrder('{not json', '{}')).toBe(false);
  });

  it('takes no document as equal only to no document', () => {
    expect(sameJsonTextIgnoringKeyOrder(undefined, undefined)).toBe(true);
    expect(sameJsonTextIgnoringKeyOrder(undefined, '{}')).toBe(false);
    expect(sameJsonTextIgnoringKeyOrder('{}', undefined)).toBe(false);
  });
});

describe('sameJsonValueIgnoringKeyOrder', () => {
  it('ignores key order and keys whose value is undefined', () => {
    expect(sameJsonValueIgnoringKeyOrder({ a: 1, b: { c: 'x', d: undefined } }, { b: { c: 'x' }, a: 1 })).toBe(true);
  });

  it('keeps array order, and tells undefined from null and a string from a number', () => {
    expect(sameJsonValueIgnoringKeyOrder([1, 2], [2, 1])).toBe(false);
    expect(sameJsonValueIgnoringKeyOrder({ a: null }, {})).toBe(false);
    expect(sameJsonValueIgnoringKeyOrder(undefined, null)).toBe(false);
    expect(sameJsonValueIgnoringKeyOrder({ a: '1' }, { a: 1 })).toBe(false);
    expect(sameJsonValueIgnoringKeyOrder([], {})).toBe(false);
  });
});
