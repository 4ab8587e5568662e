import type { AwsError } from './errors';

/**
 * The form parameters of an awsQuery request, with the protocol's flattening rules:
 * lists are `Name.member.N`, maps are `Name.entry.N.key` / `Name.entry.N.value`, structures `Name.Field`.
 */
export class QueryParams {
  constructor(
    private readonly values: ReadonlyMap<string, string>,
    private readonly missing: (name: string) => AwsError,
  ) {}

  static parse(body: string, missing: (name: string) => AwsError): QueryParams {
    const values = new Map<string, string>();
    for (const [k, v] of new URLSearchParams(body)) values.set(k, v);
    return new QueryParams(values, missing);
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  require(name: string): string {
    const v = this.values.get(name);
    if (v === undefined) throw this.missing(name);
    return v;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** `Name.member.1`, `Name.member.2`, ... in index order (gaps end the list, as AWS reads them). */
  list(name: string, item = 'member'): string[] {
    const out: string[] = [];
    for (let i = 1; ; i++) {
      const v = this.values.get(`${name}.${item}.${i}`);
      if (v === undefined) break;
      out.push(v);
    }
    return out;
  }

  /** A list of structures: `Tags.member.1.Key`, `Tags.member.1.Value`, ... */
  structList(name: string, item = 'member'): Record<string, string>[] {
    const out: Record<string, string>[] = [];
    for (let i = 1; ; i++) {
      const prefix = `${name}.${item}.${i}.`;
      const entry: Record<string, string> = {};
      for (const [k, v] of this.values) if (k.startsWith(prefix)) entry[k.slice(prefix.length)] = v;
      if (Object.keys(entry).length === 0) break;
      out.push(entry);
    }
    return out;
  }

  /** A map: `Attributes.entry.1.key` / `Attributes.entry.1.value`. */
  map(name: string, keyName = 'key', valueName = 'value'): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.structList(name, 'entry')) {
      const k = e[keyName];
      if (k !== undefined) out[k] = e[valueName] ?? '';
    }
    return out;
  }

  /** Whether any parameter starts with `Name.` (a list or map was given, possibly empty). */
  hasPrefix(name: string): boolean {
    for (const k of this.values.keys()) if (k === name || k.startsWith(`${name}.`)) return true;
    return false;
  }
}
