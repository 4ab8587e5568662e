import { AwsError } from '../../core/errors';
import type { JsonObject } from '../../core/types';

/**
 * Request validation in the words of AWS's JSON services: constraint violations of the API model are
 * collected and reported together as one ValidationException ("2 validation errors detected: Value 'x' at
 * 'aliasName' failed to satisfy constraint: ..."), members named in lowerCamelCase. A member of the wrong
 * JSON type cannot be deserialised at all and is a SerializationException.
 */
export class KmsInput {
  private readonly errors: string[] = [];

  constructor(private readonly body: JsonObject) {}

  private static wire(member: string): string {
    return member.charAt(0).toLowerCase() + member.slice(1);
  }

  private fail(value: unknown, member: string, constraint: string): void {
    const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
    this.errors.push(`Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
  }

  private raw(name: string, type: 'string' | 'number' | 'boolean' | 'array' | 'object'): unknown {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? typeof v === 'object' && !Array.isArray(v) : typeof v === type;
    if (!ok) throw new AwsError('SerializationException', `Member ${name} must be of type ${type === 'number' ? 'integer' : type}.`);
    return v;
  }

  /** A string member, checked against the model's required/length/pattern/enum constraints. */
  str(
    name: string,
    c: { required?: boolean; min?: number; max?: number; pattern?: RegExp; patternText?: string; enum?: readonly string[] } = {},
  ): string | undefined {
    const v = this.raw(name, 'string') as string | undefined;
    const at = KmsInput.wire(name);
    if (v === undefined) {
      if (c.required) this.fail(v, at, 'Member must not be null');
      return undefined;
    }
    return this.checkString(v, at, c) ? v : undefined;
  }

  private checkString(v: string, at: string, c: { min?: number; max?: number; pattern?: RegExp; patternText?: string; enum?: readonly string[] }): boolean {
    const before = this.errors.length;
    if (c.min !== undefined && v.length < c.min) this.fail(v, at, `Member must have length greater than or equal to ${c.min}`);
    if (c.max !== undefined && v.length > c.max) this.fail(v, at, `Member must have length less than or equal to ${c.max}`);
    if (c.pattern && !c.pattern.test(v)) this.fail(v, at, `Member must satisfy regular expression pattern: ${c.patternText ?? c.pattern.source}`);
    if (c.enum && !c.enum.includes(v)) this.fail(v, at, `Member must satisfy enum value set: [${c.enum.join(', ')}]`);
    return this.errors.length === before;
  }

  int(name: string, c: { min?: number; max?: number } = {}): number | undefined {
    const v = this.raw(name, 'number') as number | undefined;
    if (v === undefined) return undefined;
    if (!Number.isInteger(v)) throw new AwsError('SerializationException', `Member ${name} must be an integer.`);
    const at = KmsInput.wire(name);
    if (c.min !== undefined && v < c.min) this.fail(v, at, `Member must have value greater than or equal to ${c.min}`);
    else if (c.max !== undefined && v > c.max) this.fail(v, at, `Member must have value less than or equal to ${c.max}`);
    else return v;
    return undefined;
  }

  bool(name: string): boolean | undefined {
    return this.raw(name, 'boolean') as boolean | undefined;
  }

  /** A list of strings (e.g. `TagKeys`, `GrantTokens`), each checked against the member constraints. */
  strList(name: string, c: { required?: boolean; maxItems?: number; item: { min?: number; max?: number } }): string[] | undefined {
    const v = this.raw(name, 'array') as unknown[] | undefined;
    const at = KmsInput.wire(name);
    if (v === undefined) {
      if (c.required) this.fail(v, at, 'Member must not be null');
      return undefined;
    }
    if (c.maxItems !== undefined && v.length > c.maxItems) this.fail(`[${v.join(', ')}]`, at, `Member must have length less than or equal to ${c.maxItems}`);
    v.forEach((item, i) => {
      if (typeof item !== 'string') throw new AwsError('SerializationException', `Member ${name} must be a list of strings.`);
      this.checkString(item, `${at}.${i + 1}.member`, c.item);
    });
    return v as string[];
  }

  /** `Tags`: a list of `{TagKey, TagValue}`, both required, key 1-128 and value 0-256 characters. */
  tags(name: string, required = false): { TagKey: string; TagValue: string }[] | undefined {
    const v = this.raw(name, 'array') as unknown[] | undefined;
    const at = KmsInput.wire(name);
    if (v === undefined) {
      if (required) this.fail(v, at, 'Member must not be null');
      return undefined;
    }
    return v.map((t, i) => {
      if (t === null || typeof t !== 'object' || Array.isArray(t)) throw new AwsError('SerializationException', `Member ${name} must be a list of Tag structures.`);
      const tag = t as Record<string, unknown>;
      const out = { TagKey: '', TagValue: '' };
      for (const [field, min, max] of [
        ['TagKey', 1, 128],
        ['TagValue', 0, 256],
      ] as const) {
        const val = tag[field];
        const where = `${at}.${i + 1}.member.${KmsInput.wire(field)}`;
        if (val === undefined || val === null) this.fail(val, where, 'Member must not be null');
        else if (typeof val !== 'string') throw new AwsError('SerializationException', `Member ${field} must be of type string.`);
        else if (this.checkString(val, where, { min, max })) out[field] = val;
      }
      return out;
    });
  }

  /** Throws the collected constraint violations as one ValidationException. */
  done(): void {
    const n = this.errors.length;
    if (n === 0) return;
    throw new AwsError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${this.errors.join('; ')}`);
  }
}
