import type { AwsError } from '../../core/errors';
import type { JsonObject } from '../../core/types';
import { connectError, type ValidationCode } from './errors';

interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
  enum?: readonly string[];
}

/** Tag keys and values as the model constrains them (`TagMap`: 1-50 entries; keys may not start with `aws:`). */
const TAG_KEY = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * Reads one request's members (body or query string) with the model's constraints. Every failure is the
 * operation's own modelled validation error and names the member, as Connect's messages do.
 */
export class Members {
  constructor(
    private readonly values: Readonly<Record<string, unknown>>,
    private readonly code: ValidationCode,
  ) {}

  static fromQuery(query: URLSearchParams, code: ValidationCode): Members {
    const values: Record<string, string> = {};
    for (const [k, v] of query) values[k] = v;
    return new Members(values, code);
  }

  static fromBody(body: JsonObject, code: ValidationCode): Members {
    return new Members(body, code);
  }

  fail(message: string): AwsError {
    return connectError(this.code, message);
  }

  string(name: string, rule: StringRule & { required: true }): string;
  string(name: string, rule?: StringRule & { required?: false }): string | undefined;
  string(name: string, rule: StringRule & { required?: boolean } = {}): string | undefined {
    const v = this.values[name];
    if (v === undefined || v === null) {
      if (rule.required) throw this.fail(`${name} is required.`);
      return undefined;
    }
    if (typeof v !== 'string') throw this.fail(`${name} must be a string.`);
    checkString(name, v, rule, (m) => this.fail(m));
    return v;
  }

  boolean(name: string, required: true): boolean;
  boolean(name: string, required?: false): boolean | undefined;
  boolean(name: string, required = false): boolean | undefined {
    const v = this.values[name];
    if (v === undefined || v === null) {
      if (required) throw this.fail(`${name} is required.`);
      return undefined;
    }
    if (typeof v !== 'boolean') throw this.fail(`${name} must be a boolean.`);
    return v;
  }

  /** An integer member; query-string members arrive as text and are parsed here. */
  integer(name: string, min: number, max: number): number | undefined {
    const raw = this.values[name];
    if (raw === undefined || raw === null) return undefined;
    const v = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw this.fail(`${name} must be an integer.`);
    if (v < min || v > max) throw this.fail(`${name} must be between ${min} and ${max}; got ${v}.`);
    return v;
  }

  stringList(name: string, max: number, item: StringRule): string[] | undefined {
    const v = this.values[name];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) throw this.fail(`${name} must be a list.`);
    if (v.length > max) throw this.fail(`${name} has ${v.length} members; at most ${max} are allowed.`);
    return v.map((e, i) => {
      if (typeof e !== 'string') throw this.fail(`${name}[${i}] must be a string.`);
      checkString(`${name}[${i}]`, e, item, (m) => this.fail(m));
      return e;
    });
  }

  tags(name = 'Tags'): Record<string, string> | undefined {
    const v = this.values[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw this.fail(`${name} must be a map of strings.`);
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length < 1 || entries.length > 50) throw this.fail(`${name} must have between 1 and 50 entries; got ${entries.length}.`);
    const out: Record<string, string> = {};
    for (const [k, val] of entries) {
      checkString(`${name} key`, k, { min: 1, max: 128, pattern: TAG_KEY }, (m) => this.fail(m));
      if (typeof val !== 'string') throw this.fail(`${name} value of '${k}' must be a string.`);
      checkString(`${name} value of '${k}'`, val, { max: 256 }, (m) => this.fail(m));
      out[k] = val;
    }
    return out;
  }
}

function checkString(name: string, v: string, rule: StringRule, fail: (m: string) => AwsError): void {
  // The model counts characters (code points), not UTF-16 units.
  const length = [...v].length;
  if (rule.min !== undefined && length < rule.min) throw fail(`${name} must be at least ${rule.min} characters long.`);
  if (rule.max !== undefined && length > rule.max) throw fail(`${name} must be at most ${rule.max} characters long; got ${length}.`);
  if (rule.enum && !rule.enum.includes(v)) throw fail(`${name} must be one of ${rule.enum.join(', ')}; got '${v}'.`);
  if (rule.pattern && !rule.pattern.test(v)) throw fail(`${name} '${v}' does not match the pattern ${rule.pattern.source}.`);
}
