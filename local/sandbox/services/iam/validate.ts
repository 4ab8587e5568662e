import { AwsError } from '../../core/errors';
import type { QueryParams } from '../../core/query';

/**
 * Input checks with IAM's own wording. IAM answers constraint violations of the API model with
 * `ValidationError` and reports every violation of a request at once, naming each member in lowerCamel
 * case: `1 validation error detected: Value 'a b' at 'roleName' failed to satisfy constraint: ...`.
 */
export interface StringRule {
  min?: number;
  max?: number;
  /** Anchored JavaScript equivalent of the model pattern. */
  pattern?: RegExp;
  /** The pattern as the model (and so IAM's message) spells it. */
  patternText?: string;
}

/** Constraints copied from the botocore IAM model (shape name in the comment). */
export const RULES = {
  // roleNameType
  roleName: { min: 1, max: 64, pattern: /^[\w+=,.@-]+$/, patternText: '[\\w+=,.@-]+' },
  // policyNameType
  policyName: { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/, patternText: '[\\w+=,.@-]+' },
  // pathType (roles)
  rolePath: { min: 1, max: 512, pattern: /^(?:\/|\/[\x21-\x7E]+\/)$/, patternText: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)' },
  // policyPathType (managed policies, ListAttachedRolePolicies PathPrefix)
  policyPath: { min: 1, max: 512, pattern: /^(?:\/[A-Za-z0-9.,+@=_-]+)*\/$/, patternText: '((/[A-Za-z0-9\\.,\\+@=_-]+)*)/' },
  // pathPrefixType
  pathPrefix: { min: 1, max: 512, pattern: /^\/[\x21-\x7F]*$/, patternText: '\\u002F[\\u0021-\\u007F]*' },
  // policyDocumentType
  policyDocument: { min: 1, max: 131072, pattern: /^[\t\n\r\x20-\xFF]+$/, patternText: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' },
  // roleDescriptionType
  roleDescription: { max: 1000, pattern: /^[\t\n\r\x20-\x7E\xA1-\xFF]*$/, patternText: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*' },
  // policyDescriptionType
  policyDescription: { max: 1000 },
  // arnType
  arn: { min: 20, max: 2048 },
  // markerType
  marker: { min: 1, max: 320, pattern: /^[\x20-\xFF]+$/, patternText: '[\\u0020-\\u00FF]+' },
  // policyVersionIdType
  versionId: { pattern: /^v[1-9][0-9]*(?:\.[A-Za-z0-9-]*)?$/, patternText: 'v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?' },
  // tagKeyType
  tagKey: { min: 1, max: 128, pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, patternText: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' },
  // tagValueType
  tagValue: { min: 0, max: 256, pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, patternText: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' },
} satisfies Record<string, StringRule>;

export interface IamTagInput {
  Key: string;
  Value: string;
}

/** `RoleName` → `roleName`, the member spelling IAM uses in validation messages. */
function memberPath(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export class Validator {
  private readonly errors: string[] = [];

  constructor(private readonly params: QueryParams) {}

  /** A required string member; returns '' when it is missing (the error is recorded). */
  required(name: string, rule: StringRule): string {
    const v = this.params.get(name);
    if (v === undefined) {
      this.errors.push(`Value null at '${memberPath(name)}' failed to satisfy constraint: Member must not be null`);
      return '';
    }
    this.check(memberPath(name), v, rule);
    return v;
  }

  optional(name: string, rule: StringRule): string | undefined {
    const v = this.params.get(name);
    if (v !== undefined) this.check(memberPath(name), v, rule);
    return v;
  }

  /** An optional integer member within [min, max]. */
  integer(name: string, min: number, max: number): number | undefined {
    const raw = this.params.get(name);
    if (raw === undefined) return undefined;
    const path = memberPath(name);
    if (!/^-?\d+$/.test(raw)) {
      this.errors.push(`Value '${raw}' at '${path}' failed to satisfy constraint: Member must be an integer`);
      return undefined;
    }
    const n = Number(raw);
    if (n < min) this.errors.push(`Value '${raw}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
    else if (n > max) this.errors.push(`Value '${raw}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
    return n;
  }

  /** A list of tag structures (`Tags.member.N.Key/Value`), at most 50, each checked. */
  tags(name: string, required: boolean): IamTagInput[] {
    const path = memberPath(name);
    if (!this.params.hasPrefix(name)) {
      if (required) this.errors.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
      return [];
    }
    const entries = this.params.structList(name);
    if (entries.length > 50) {
      this.errors.push(`Value '[${entries.length} tags]' at '${path}' failed to satisfy constraint: Member must have length less than or equal to 50`);
    }
    return entries.map((e, i) => {
      const key = e['Key'];
      const value = e['Value'];
      const at = `${path}.${i + 1}.member`;
      if (key === undefined) this.errors.push(`Value null at '${at}.key' failed to satisfy constraint: Member must not be null`);
      else this.check(`${at}.key`, key, RULES.tagKey);
      if (value === undefined) this.errors.push(`Value null at '${at}.value' failed to satisfy constraint: Member must not be null`);
      else this.check(`${at}.value`, value, RULES.tagValue);
      return { Key: key ?? '', Value: value ?? '' };
    });
  }

  /** A required list of strings (`TagKeys.member.N`), at most `maxItems`, each checked. */
  stringList(name: string, rule: StringRule, maxItems: number): string[] {
    const path = memberPath(name);
    if (!this.params.hasPrefix(name)) {
      this.errors.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
      return [];
    }
    const items = this.params.list(name);
    if (items.length > maxItems) {
      this.errors.push(`Value '[${items.join(', ')}]' at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${maxItems}`);
    }
    items.forEach((v, i) => this.check(`${path}.${i + 1}.member`, v, rule));
    return items;
  }

  /** Throws the collected errors as one `ValidationError`, as IAM reports them. */
  done(): void {
    if (this.errors.length === 0) return;
    const n = this.errors.length;
    throw new AwsError('ValidationError', `${n} validation error${n === 1 ? '' : 's'} detected: ${this.errors.join('; ')}`);
  }

  private check(path: string, value: string, rule: StringRule): void {
    // Length is counted in characters (code points), as the model's constraints are.
    const length = [...value].length;
    if (rule.min !== undefined && length < rule.min) {
      this.errors.push(`Value '${value}' at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.min}`);
    } else if (rule.max !== undefined && length > rule.max) {
      this.errors.push(`Value '${value}' at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`);
    } else if (rule.pattern && !rule.pattern.test(value)) {
      this.errors.push(`Value '${value}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${rule.patternText ?? ''}`);
    }
  }
}
