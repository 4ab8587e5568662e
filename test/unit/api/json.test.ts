import fc from 'fast-check';
import { describeChar, firstDuplicateKey, strictJsonProblems, unsafeTextProblems } from '../../../api/json';
import { UNSAFE_TEXT, UNSAFE_TEXT_WHAT } from '../../../tasks/lib/request';

/**
 * The strict reading of request bodies (api/json.ts): a repeated key at any depth is found and named by its
 * path, text that JSON.stringify wrote (never a duplicate) passes, and unsafe characters are named wherever
 * they are, without being echoed.
 */

describe('firstDuplicateKey', () => {
  it.each([
    ['{"a":1,"a":2}', 'a'],
    ['{"a":{"b":1,"c":{"d":1,"d":2}}}', 'a.c.d'],
    ['{"items":[{"id":1},{"id":2,"id":3}]}', 'items[1].id'],
    ['[{"x":1},[{"y":1,"y":1}]]', '[1][0].y'],
    ['{"k\\"ey":1,"k\\"ey":2}', 'k"ey'],
    ['{"a":"{\\"a\\":1,\\"a\\":2}","b":1,"b":2}', 'b'],
    ['{"\\u0061":1,"a":2}', 'a'],
  ])('%s → %s', (text, field) => {
    expect(firstDuplicateKey(text)?.field).toBe(field);
  });

  it.each(['{}', '[]', '{"a":{"a":{"a":1}}}', '[{"a":1},{"a":1}]', '{"a":"\\"a\\":1,\\"a\\":2"}', '"a"', '1'])('%s has none', (text) => {
    expect(firstDuplicateKey(text)).toBeUndefined();
  });

  it('finds nothing in any document JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(firstDuplicateKey(JSON.stringify(v))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('finds a key repeated in any object of any document, at its path', () => {
    // One object somewhere holds `key` twice; the path down to it is made of object keys and array indexes, with
    // other members and elements before it.
    const segment = fc.oneof(
      fc.record({ kind: fc.constant('key' as const), name: fc.stringMatching(/^[a-z]{1,5}$/).filter((n) => n !== 'before') }),
      fc.record({ kind: fc.constant('index' as const), at: fc.nat({ max: 2 }) }),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 4 }), fc.string({ minLength: 1, maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), (path, key, filler) => {
        const fill = JSON.stringify(filler) ?? 'null';
        let text = `{${JSON.stringify(key)}:${fill},"other":1,${JSON.stringify(key)}:2}`;
        for (const s of [...path].reverse()) {
          text = s.kind === 'key' ? `{"before":${fill},${JSON.stringify(s.name)}:${text}}` : `[${`${fill},`.repeat(s.at)}${text}]`;
        }
        let expected = '';
        for (const s of path) expected = s.kind === 'key' ? (expected ? `${expected}.${s.name}` : s.name) : `${expected}[${s.at}]`;
        expected = expected ? `${expected}.${key}` : key;

        expect(JSON.parse(text)).toBeDefined();
        expect(firstDuplicateKey(text)).toEqual({ field: expected, key });
      }),
      { numRuns: 300 },
    );
  });

  it('strictJsonProblems names the field and says what to do', () => {
    expect(strictJsonProblems('{"ticket":{"key":"A","key":"B"}}')).toEqual([{ field: 'ticket.key', message: 'the key "key" appears more than once in this object; give it once' }]);
  });
});

describe('unsafeTextProblems', () => {
  const unsafe = fc.constantFrom(...[0x00, 0x1f, 0x7f, 0x80, 0x85, 0x9f, 0x202a, 0x202e, 0x2066, 0x2069].map((c) => String.fromCodePoint(c)));

  it('names a string holding a C0/C1 control or a bidirectional override, wherever it is, without echoing it', () => {
    fc.assert(
      fc.property(unsafe, fc.string({ maxLength: 8 }).filter((s) => !UNSAFE_TEXT.test(s)), fc.nat({ max: 8 }), (c, text, i) => {
        const at = Math.min(i, text.length);
        const value = { a: [{ b: text.slice(0, at) + c + text.slice(at) }] };
        const problems = unsafeTextProblems(value);
        expect(problems).toEqual([{ field: 'a[0].b', message: `contains ${describeChar(c)} at position ${at}: ${UNSAFE_TEXT_WHAT} are not accepted` }]);
        expect(JSON.stringify(problems).includes(c)).toBe(false);
      }),
    );
  });

  it('names a key holding one, spelled out', () => {
    expect(unsafeTextProblems({ ['a\u202eb']: 1 })).toEqual([{ field: 'a\\u{202e}b', message: `the key contains U+202E: ${UNSAFE_TEXT_WHAT} are not accepted` }]);
  });

  it('accepts ordinary text in any script, astral characters included', () => {
    expect(unsafeTextProblems({ key: 'OPS-42 Ünïcødé ✓ 日本語 עברית 😀', n: 1, list: ['a', null, true] })).toEqual([]);
  });

  it('refuses the invisible bidirectional marks, the byte-order mark and a lone surrogate', () => {
    for (const c of ['\u061c', '\u200e', '\u200f', '\ufeff', '\ud800', '\udfff']) {
      expect(unsafeTextProblems({ key: `OPS${c}42` })).toEqual([{ field: 'key', message: `contains ${describeChar(c)} at position 3: ${UNSAFE_TEXT_WHAT} are not accepted` }]);
    }
  });
});
