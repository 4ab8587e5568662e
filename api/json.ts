import { UNSAFE_TEXT, UNSAFE_TEXT_WHAT } from '../tasks/lib/request';
import type { FieldError } from './problem';

/**
 * Strict reading of request JSON. `JSON.parse` silently keeps the last of two equal keys, so `{"phoneNumberId":
 * "a", "phoneNumberId": "b"}` would mean whatever the last component to read it decides; an intermediary that
 * checks the first one would be fooled. A body is therefore refused when any object in it, at any depth, repeats
 * a key. And no string anywhere (key or value) may carry characters that rewrite how text is shown or logged:
 * C0/C1 controls, bidirectional controls, byte-order marks and lone surrogates (see `UNSAFE_TEXT`).
 */

/** The body's value, or the field errors that refuse it. The text must already be known to be valid JSON. */
export function strictJsonProblems(text: string): FieldError[] {
  const duplicate = firstDuplicateKey(text);
  return duplicate ? [{ field: duplicate.field, message: `the key "${printable(duplicate.key)}" appears more than once in this object; give it once` }] : [];
}

/**
 * The path of the first repeated key (`destination.topic.arn`, `items[2].id`), found by scanning the text: the
 * parsed value has already lost the duplicate. Assumes syntactically valid JSON (checked by `JSON.parse` first).
 */
export function firstDuplicateKey(text: string): { field: string; key: string } | undefined {
  type Frame = { kind: 'object'; keys: Set<string>; key?: string; path: string } | { kind: 'array'; index: number; path: string };
  const stack: Frame[] = [];
  let expectKey = false;
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.kind === 'array') return `${top.path}[${top.index}]`;
    return join(top.path, top.key ?? '');
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const end = endOfString(text, i);
      const top = stack[stack.length - 1];
      if (expectKey && top?.kind === 'object') {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return { field: join(top.path, key), key };
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = end;
    } else if (c === '{') {
      stack.push({ kind: 'object', keys: new Set(), path: childPath() });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ kind: 'array', index: 0, path: childPath() });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') expectKey = true;
      else if (top?.kind === 'array') top.index += 1;
    }
  }
  return undefined;
}

/**
 * Every string (object keys included) holding an unsafe character, named by its path. Walks with its own stack:
 * a 64 KB body can nest tens of thousands of levels deep, more than recursion survives.
 */
export function unsafeTextProblems(value: unknown, root = 'body'): FieldError[] {
  const out: FieldError[] = [];
  const todo: { v: unknown; path: string }[] = [{ v: value, path: '' }];
  while (todo.length) {
    const { v, path } = todo.pop()!;
    if (typeof v === 'string') {
      const m = UNSAFE_TEXT.exec(v);
      if (m) out.push({ field: path || root, message: `contains ${describeChar(m[0])} at position ${m.index}: ${UNSAFE_TEXT_WHAT} are not accepted` });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) todo.push({ v: v[i], path: `${path || root}[${i}]` });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      const children: { v: unknown; path: string }[] = [];
      for (const [k, child] of entries) {
        const here = join(path, printable(k));
        const m = UNSAFE_TEXT.exec(k);
        if (m) out.push({ field: here, message: `the key contains ${describeChar(m[0])}: ${UNSAFE_TEXT_WHAT} are not accepted` });
        children.push({ v: child, path: here });
      }
      for (let i = children.length - 1; i >= 0; i--) todo.push(children[i]!);
    }
  }
  return out;
}

/** `U+202E`: how a refused character is named in a message (never the character itself). */
export function describeChar(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') return i;
  }
  return text.length - 1;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** A key or name shown in a message or a field name with unsafe characters spelled out (`\u{202e}`). */
export function printable(s: string): string {
  const shown = s.length > 100 ? `${s.slice(0, 100)}…` : s;
  return shown.replace(new RegExp(UNSAFE_TEXT.source, 'gu'), (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
