/**
 * Canonical JSON and the two JSON comparisons the code base uses. Shared by tasks/, api/ and local/ (it imports
 * nothing), so that a request hash, a policy comparison and the sandbox's ClientToken check all agree on what
 * "the same JSON" means.
 */

/**
 * The canonical JSON text of a value: object keys sorted at every level (by UTF-16 code unit, as `<` orders
 * strings), arrays in their order, no whitespace, and a property whose value is undefined left out. Equal
 * documents give equal text whatever their key order, which is what a hash of a request needs. It is not
 * JSON.stringify: `toJSON` is not called, and undefined at the top level gives `null` rather than undefined.
 * Its exact output is stored (the API's idempotency records hash it), so changing it changes those hashes.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Whether two JSON texts hold the same document, ignoring whitespace and the order of object keys (arrays
 * must match in order). Text that does not parse equals only itself; `undefined` (no document) equals only
 * `undefined`. For policies, which AWS keeps as written: the same document in another form is no change.
 */
export function sameJsonTextIgnoringKeyOrder(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a === b) return true;
  try {
    return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
  } catch {
    return false;
  }
}

/**
 * Whether two in-memory JSON-like values are equal, ignoring the order of object keys and treating a key whose
 * value is undefined as absent (a parsed request's unset optional field against a stored value without it).
 * Arrays must match in order; primitives must be identical (`===`), so undefined and null differ.
 */
export function sameJsonValueIgnoringKeyOrder(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJsonValueIgnoringKeyOrder(x, b[i]));
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJsonValueIgnoringKeyOrder((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
