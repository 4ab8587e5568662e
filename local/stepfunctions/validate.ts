import { AwsError } from '../sandbox/core/errors';
import type { JsonObject } from '../sandbox/core/types';

interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  enum?: readonly string[];
}

/**
 * Reads one awsJson request against the constraints of the Step Functions API model (botocore
 * `stepfunctions/2016-11-23`). Violations are gathered and reported together, as AWS's validation layer does:
 * `ValidationException: 2 validation errors detected: Value 'x' at 'name' failed to satisfy constraint: ...`.
 * A member of the wrong JSON type cannot be deserialised and is a `SerializationException`.
 */
export class SfnInput {
  private readonly problems: string[] = [];

  constructor(private readonly body: JsonObject) {}

  private violation(value: unknown, member: string, constraint: string): void {
    const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
    this.problems.push(`Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
  }

  private typed(member: string, type: 'string' | 'number' | 'boolean' | 'object' | 'array'): unknown {
    const v = this.body[member];
    if (v === undefined || v === null) return undefined;
    const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? typeof v === 'object' && !Array.isArray(v) : typeof v === type;
    if (!ok) throw new AwsError('SerializationException', `Cannot deserialize member '${member}': expected ${type === 'number' ? 'an integer' : `a ${type}`}.`);
    return v;
  }

  str(member: string, rule: StringRule = {}): string | undefined {
    const v = this.typed(member, 'string') as string | undefined;
    if (v === undefined) {
      if (rule.required) this.violation(v, member, 'Member must not be null');
      return undefined;
    }
    const before = this.problems.length;
    if (rule.min !== undefined && v.length < rule.min) this.violation(v, member, `Member must have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && v.length > rule.max) this.violation(v, member, `Member must have length less than or equal to ${rule.max}`);
    if (rule.pattern && !rule.pattern.test(v)) this.violation(v, member, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
    if (rule.enum && !rule.enum.includes(v)) this.violation(v, member, `Member must satisfy enum value set: [${rule.enum.join(', ')}]`);
    return this.problems.length === before ? v : undefined;
  }

  int(member: string, rule: { min?: number; max?: number } = {}): number | undefined {
    const v = this.typed(member, 'number') as number | undefined;
    if (v === undefined) return undefined;
    if (!Number.isInteger(v)) throw new AwsError('SerializationException', `Cannot deserialize member '${member}': expected an integer.`);
    if (rule.min !== undefined && v < rule.min) this.violation(v, member, `Member must have value greater than or equal to ${rule.min}`);
    else if (rule.max !== undefined && v > rule.max) this.violation(v, member, `Member must have value less than or equal to ${rule.max}`);
    else return v;
    return undefined;
  }

  bool(member: string): boolean | undefined {
    return this.typed(member, 'boolean') as boolean | undefined;
  }

  /** A structure member this service accepts but does not act on (logging, tracing, encryption). */
  object(member: string): JsonObject | undefined {
    return this.typed(member, 'object') as JsonObject | undefined;
  }

  /** `tags`: a list of `{key, value}` (key 1–128, value 0–256). */
  tags(member: string): { key: string; value: string }[] | undefined {
    const v = this.typed(member, 'array') as unknown[] | undefined;
    if (v === undefined) return undefined;
    const out: { key: string; value: string }[] = [];
    v.forEach((t, i) => {
      const tag = (typeof t === 'object' && t !== null ? t : {}) as { key?: unknown; value?: unknown };
      if ((tag.key !== undefined && typeof tag.key !== 'string') || (tag.value !== undefined && typeof tag.value !== 'string')) {
        throw new AwsError('SerializationException', `Cannot deserialize member '${member}': a tag's key and value are strings.`);
      }
      const key = tag.key;
      const value = tag.value ?? '';
      if (key === undefined || key.length < 1 || key.length > 128) this.violation(key, `${member}.${i + 1}.member.key`, 'Member must have length between 1 and 128');
      else if (value.length > 256) this.violation(value, `${member}.${i + 1}.member.value`, 'Member must have length less than or equal to 256');
      else out.push({ key, value });
    });
    return out;
  }

  /** Throws the gathered violations as one ValidationException. */
  done(): void {
    if (!this.problems.length) return;
    const n = this.problems.length;
    throw new AwsError('ValidationException', `${n} validation error${n > 1 ? 's' : ''} detected: ${this.problems.join('; ')}`);
  }
}
