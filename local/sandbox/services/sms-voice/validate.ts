import { AwsError } from '../../core/errors';
import type { JsonObject } from '../../core/types';

/**
 * Input validation from the botocore model of `pinpoint-sms-voice-v2` (required members, lengths, patterns,
 * enums, list sizes, integer ranges). Every problem is reported at once, each naming its member, in one
 * `ValidationException` whose `Reason` is `MISSING_PARAMETER` when a required member is absent and
 * `INVALID_PARAMETER` otherwise, with `Fields: [{Name, Message}]`. Unknown members are ignored, as AWS does.
 */
export type Rule =
  | { readonly kind: 'string'; readonly min?: number; readonly max?: number; readonly pattern?: RegExp; readonly enum?: readonly string[] }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'integer'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'list'; readonly member: Rule; readonly min?: number; readonly max?: number }
  | StructRule;

export interface StructRule {
  readonly kind: 'struct';
  readonly members: Readonly<Record<string, Rule>>;
  readonly required?: readonly string[];
}

export interface FieldProblem {
  Name: string;
  Message: string;
}

/** Throws the service's ValidationException unless `input` satisfies `rule`. */
export function validateInput(input: JsonObject, rule: StructRule): void {
  const missing: FieldProblem[] = [];
  const invalid: FieldProblem[] = [];
  checkStruct(input, rule, '', missing, invalid);
  const problems = [...missing, ...invalid];
  if (problems.length === 0) return;
  const n = problems.length;
  const message = `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.map((p) => `${p.Name}: ${p.Message}`).join('; ')}`;
  throw validationError(missing.length ? 'MISSING_PARAMETER' : 'INVALID_PARAMETER', message, problems);
}

export function validationError(reason: string, message: string, fields?: FieldProblem[]): AwsError {
  return new AwsError('ValidationException', message, { fields: fields ? { Reason: reason, Fields: fields } : { Reason: reason } });
}

function checkStruct(value: JsonObject, rule: StructRule, path: string, missing: FieldProblem[], invalid: FieldProblem[]): void {
  for (const name of rule.required ?? []) {
    if (value[name] === undefined || value[name] === null) missing.push({ Name: join(path, name), Message: 'Member must not be null' });
  }
  for (const [name, memberRule] of Object.entries(rule.members)) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    check(v, memberRule, join(path, name), missing, invalid);
  }
}

function check(value: unknown, rule: Rule, path: string, missing: FieldProblem[], invalid: FieldProblem[]): void {
  switch (rule.kind) {
    case 'string': {
      if (typeof value !== 'string') return void invalid.push({ Name: path, Message: 'Member must be a string' });
      if (rule.min !== undefined && value.length < rule.min) invalid.push({ Name: path, Message: `Member must have length greater than or equal to ${rule.min}` });
      if (rule.max !== undefined && value.length > rule.max) invalid.push({ Name: path, Message: `Member must have length less than or equal to ${rule.max}` });
      if (rule.pattern && !rule.pattern.test(value)) invalid.push({ Name: path, Message: `Member must satisfy regular expression pattern: ${rule.pattern.source.slice(4, -2)}` });
      if (rule.enum && !rule.enum.includes(value)) invalid.push({ Name: path, Message: `Member must satisfy enum value set: [${rule.enum.join(', ')}]` });
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') invalid.push({ Name: path, Message: 'Member must be a boolean' });
      return;
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return void invalid.push({ Name: path, Message: 'Member must be an integer' });
      if (rule.min !== undefined && value < rule.min) invalid.push({ Name: path, Message: `Member must have value greater than or equal to ${rule.min}` });
      if (rule.max !== undefined && value > rule.max) invalid.push({ Name: path, Message: `Member must have value less than or equal to ${rule.max}` });
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) return void invalid.push({ Name: path, Message: 'Member must be a list' });
      if (rule.min !== undefined && value.length < rule.min) invalid.push({ Name: path, Message: `Member must have length greater than or equal to ${rule.min}` });
      if (rule.max !== undefined && value.length > rule.max) invalid.push({ Name: path, Message: `Member must have length less than or equal to ${rule.max}` });
      value.forEach((item: unknown, i) => {
        if (item === null || item === undefined) invalid.push({ Name: `${path}[${i}]`, Message: 'Member must not be null' });
        else check(item, rule.member, `${path}[${i}]`, missing, invalid);
      });
      return;
    }
    case 'struct':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return void invalid.push({ Name: path, Message: 'Member must be a structure' });
      checkStruct(value as JsonObject, rule, path, missing, invalid);
      return;
  }
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** Anchors a model pattern: the model's patterns must match the whole value. */
function whole(source: string): RegExp {
  return new RegExp(`^(?:${source})$`);
}

// Shapes of the model, named as the model names them.
export const NUMBER_STATUSES = ['PENDING', 'ACTIVE', 'ASSOCIATING', 'DISASSOCIATING', 'DELETED'] as const;
export const MESSAGE_TYPES = ['TRANSACTIONAL', 'PROMOTIONAL'] as const;
export const NUMBER_CAPABILITIES = ['SMS', 'VOICE', 'MMS', 'RCS'] as const;
export const NUMBER_TYPES = ['SHORT_CODE', 'LONG_CODE', 'TOLL_FREE', 'TEN_DLC', 'SIMULATOR'] as const;
export const REQUESTABLE_NUMBER_TYPES = ['LONG_CODE', 'TOLL_FREE', 'TEN_DLC', 'SIMULATOR'] as const;
export const POOL_STATUSES = ['CREATING', 'ACTIVE', 'DELETING'] as const;
export const PHONE_NUMBER_FILTER_NAMES = [
  'status',
  'iso-country-code',
  'message-type',
  'number-capability',
  'number-type',
  'two-way-enabled',
  'self-managed-opt-outs-enabled',
  'opt-out-list-name',
  'deletion-protection-enabled',
  'two-way-channel-arn',
] as const;
export const POOL_FILTER_NAMES = [
  'status',
  'message-type',
  'two-way-enabled',
  'self-managed-opt-outs-enabled',
  'opt-out-list-name',
  'shared-routes-enabled',
  'deletion-protection-enabled',
  'two-way-channel-arn',
] as const;

const bool: Rule = { kind: 'boolean' };
const idOrArn: Rule = { kind: 'string', min: 1, max: 256, pattern: whole('[A-Za-z0-9_:/-]+') };
const poolIdOrArn: Rule = { kind: 'string', min: 0, max: 256, pattern: whole('[A-Za-z0-9_:/-]*') };
const isoCountryCode: Rule = { kind: 'string', min: 2, max: 2, pattern: whole('[A-Z]{2}') };
const messageType: Rule = { kind: 'string', enum: MESSAGE_TYPES };
const twoWayChannelArn: Rule = { kind: 'string', min: 20, max: 2048, pattern: whole('\\S+') };
const iamRoleArn: Rule = { kind: 'string', min: 20, max: 2048, pattern: whole('arn:\\S+') };
const optOutListNameOrArn: Rule = { kind: 'string', min: 1, max: 256, pattern: whole('[A-Za-z0-9_:/-]+') };
const nextToken: Rule = { kind: 'string', min: 1, max: 1024, pattern: whole('.+') };
const maxResults: Rule = { kind: 'integer', min: 1, max: 100 };
const owner: Rule = { kind: 'string', enum: ['SELF', 'SHARED'] };
const clientToken: Rule = { kind: 'string', min: 1, max: 64, pattern: whole('[!-~]+') };
const filterValues: Rule = { kind: 'list', min: 1, max: 20, member: { kind: 'string', min: 1, max: 128, pattern: whole('[/\\.:A-Za-z0-9+_-]+') } };
const tag: StructRule = {
  kind: 'struct',
  required: ['Key', 'Value'],
  members: { Key: { kind: 'string', min: 1, max: 128, pattern: whole('.+') }, Value: { kind: 'string', min: 0, max: 256, pattern: whole('.*') } },
};
const tagList: Rule = { kind: 'list', min: 0, max: 200, member: tag };
const resourceArn: Rule = { kind: 'string', min: 20, max: 256, pattern: whole('arn:[A-Za-z0-9_:/-]+') };

export const RULES = {
  DescribePhoneNumbers: {
    kind: 'struct',
    members: {
      PhoneNumberIds: { kind: 'list', min: 0, max: 5, member: idOrArn },
      Filters: { kind: 'list', min: 0, max: 20, member: { kind: 'struct', required: ['Name', 'Values'], members: { Name: { kind: 'string', enum: PHONE_NUMBER_FILTER_NAMES }, Values: filterValues } } },
      NextToken: nextToken,
      MaxResults: maxResults,
      Owner: owner,
    },
  },
  UpdatePhoneNumber: {
    kind: 'struct',
    required: ['PhoneNumberId'],
    members: {
      PhoneNumberId: idOrArn,
      TwoWayEnabled: bool,
      TwoWayChannelArn: twoWayChannelArn,
      TwoWayChannelRole: iamRoleArn,
      SelfManagedOptOutsEnabled: bool,
      OptOutListName: optOutListNameOrArn,
      InternationalSendingEnabled: bool,
      DeletionProtectionEnabled: bool,
    },
  },
  RequestPhoneNumber: {
    kind: 'struct',
    required: ['IsoCountryCode', 'MessageType', 'NumberCapabilities', 'NumberType'],
    members: {
      IsoCountryCode: isoCountryCode,
      MessageType: messageType,
      NumberCapabilities: { kind: 'list', min: 1, max: 4, member: { kind: 'string', enum: NUMBER_CAPABILITIES } },
      NumberType: { kind: 'string', enum: REQUESTABLE_NUMBER_TYPES },
      OptOutListName: optOutListNameOrArn,
      PoolId: poolIdOrArn,
      RegistrationId: { kind: 'string', min: 1, max: 256, pattern: whole('[A-Za-z0-9_:/-]+') },
      InternationalSendingEnabled: bool,
      DeletionProtectionEnabled: bool,
      Tags: tagList,
      ClientToken: clientToken,
    },
  },
  ReleasePhoneNumber: { kind: 'struct', required: ['PhoneNumberId'], members: { PhoneNumberId: idOrArn } },
  DescribePools: {
    kind: 'struct',
    members: {
      PoolIds: { kind: 'list', min: 0, max: 5, member: poolIdOrArn },
      Filters: { kind: 'list', min: 0, max: 20, member: { kind: 'struct', required: ['Name', 'Values'], members: { Name: { kind: 'string', enum: POOL_FILTER_NAMES }, Values: filterValues } } },
      NextToken: nextToken,
      MaxResults: maxResults,
      Owner: owner,
    },
  },
  CreatePool: {
    kind: 'struct',
    required: ['OriginationIdentity', 'MessageType'],
    members: {
      OriginationIdentity: idOrArn,
      IsoCountryCode: isoCountryCode,
      MessageType: messageType,
      DeletionProtectionEnabled: bool,
      Tags: tagList,
      ClientToken: clientToken,
    },
  },
  UpdatePool: {
    kind: 'struct',
    required: ['PoolId'],
    members: {
      PoolId: poolIdOrArn,
      TwoWayEnabled: bool,
      TwoWayChannelArn: twoWayChannelArn,
      TwoWayChannelRole: iamRoleArn,
      SelfManagedOptOutsEnabled: bool,
      OptOutListName: optOutListNameOrArn,
      SharedRoutesEnabled: bool,
      DeletionProtectionEnabled: bool,
    },
  },
  DeletePool: { kind: 'struct', required: ['PoolId'], members: { PoolId: poolIdOrArn } },
  AssociateOriginationIdentity: {
    kind: 'struct',
    required: ['PoolId', 'OriginationIdentity'],
    members: { PoolId: poolIdOrArn, OriginationIdentity: idOrArn, IsoCountryCode: isoCountryCode, ClientToken: clientToken },
  },
  TagResource: { kind: 'struct', required: ['ResourceArn', 'Tags'], members: { ResourceArn: resourceArn, Tags: { kind: 'list', min: 1, max: 200, member: tag } } },
  UntagResource: {
    kind: 'struct',
    required: ['ResourceArn', 'TagKeys'],
    members: { ResourceArn: resourceArn, TagKeys: { kind: 'list', min: 1, max: 200, member: { kind: 'string', min: 1, max: 128, pattern: whole('.+') } } },
  },
  ListTagsForResource: { kind: 'struct', required: ['ResourceArn'], members: { ResourceArn: resourceArn } },
} as const satisfies Record<string, StructRule>;
