import { AwsError } from '../../core/errors';
import type { CallContext, JsonObject } from '../../core/types';
import type { SandboxState } from '../../state';
import type { NumberType, PhoneNumberRecord, PoolRecord } from './model';
import {
  conflict,
  DEFAULT_OPT_OUT_LIST,
  findPhoneNumber,
  isKnownOptOutList,
  joinPool,
  monthlyLeasingPrice,
  newPhoneNumberId,
  newPoolRecord,
  notFound,
  phoneNumberOutput,
  poolMembers,
  poolOutput,
  requirePhoneNumber,
  requirePool,
  resourceArn,
  tagList,
} from './records';
import { resolveTwoWay, type TwoWayConfig, type TwoWayRequest } from './two-way';
import {
  MESSAGE_TYPES,
  NUMBER_CAPABILITIES,
  NUMBER_STATUSES,
  NUMBER_TYPES,
  POOL_STATUSES,
  RULES,
  validateInput,
  validationError,
  type FieldProblem,
} from './validate';

type MessageType = 'TRANSACTIONAL' | 'PROMOTIONAL';
type Handler = (input: JsonObject, ctx: CallContext) => unknown;

/** Page size when the caller gives no MaxResults (AWS does not document its default; the model's maximum). */
export const DEFAULT_PAGE_SIZE = 100;
/** AWS's limit of tags per resource. */
const MAX_TAGS = 200;

// Input members after validation: the validator has checked types, so these reads are safe.
const str = (input: JsonObject, k: string) => input[k] as string | undefined;
const bool = (input: JsonObject, k: string) => input[k] as boolean | undefined;
const strs = (input: JsonObject, k: string) => input[k] as string[] | undefined;
const tagsOf = (input: JsonObject): Record<string, string> =>
  Object.fromEntries(((input.Tags as { Key: string; Value: string }[] | undefined) ?? []).map((t) => [t.Key, t.Value]));
const twoWayRequest = (input: JsonObject): TwoWayRequest => ({
  ...(bool(input, 'TwoWayEnabled') !== undefined ? { TwoWayEnabled: bool(input, 'TwoWayEnabled') } : {}),
  ...(str(input, 'TwoWayChannelArn') !== undefined ? { TwoWayChannelArn: str(input, 'TwoWayChannelArn') } : {}),
  ...(str(input, 'TwoWayChannelRole') !== undefined ? { TwoWayChannelRole: str(input, 'TwoWayChannelRole') } : {}),
});

export const operations: Readonly<Record<string, Handler>> = {
  DescribePhoneNumbers(input, ctx) {
    validateInput(input, RULES.DescribePhoneNumbers);
    const ids = strs(input, 'PhoneNumberIds');
    rejectOwnerWithIds(input, ids, 'PhoneNumberIds');
    const filters = parseFilters(input, PHONE_FILTERS);
    let items = ids?.length ? unique(ids.map((id) => requirePhoneNumber(ctx.state, id))) : liveNumbers(ctx.state);
    if (str(input, 'Owner') === 'SHARED') items = []; // the sandbox account has no shared numbers
    items = items.filter((n) => filters.every((f) => f.test(n)));
    const page = paginate(items, (n) => n.PhoneNumberId, 'phone', input);
    return { PhoneNumbers: page.items.map((n) => phoneNumberOutput(n, 'PhoneNumberInformation')), ...page.next };
  },

  UpdatePhoneNumber(input, ctx) {
    validateInput(input, RULES.UpdatePhoneNumber);
    const n = requirePhoneNumber(ctx.state, str(input, 'PhoneNumberId')!);
    if (n.Status !== 'ACTIVE') throw conflict('RESOURCE_NOT_ACTIVE', 'phone-number', n.PhoneNumberId, `Phone number ${n.PhoneNumberId} is ${n.Status}, not ACTIVE.`);
    if (n.PoolId) {
      throw conflict('PHONE_NUMBER_ASSOCIATED_TO_POOL', 'phone-number', n.PhoneNumberId, `Phone number ${n.PhoneNumberId} is in pool ${n.PoolId}: update the pool instead.`);
    }
    const optOut = checkOptOutList(ctx, input);
    const twoWay = resolveTwoWay(ctx, { resourceArn: n.PhoneNumberArn, countries: [n.IsoCountryCode], numberTypes: [n.NumberType] }, n, twoWayRequest(input));
    checkSelfManagedOptOuts(input, twoWay);
    // Everything is validated: from here on the call cannot fail.
    applyTwoWay(n, twoWay);
    assignIfGiven(n, input, ['SelfManagedOptOutsEnabled', 'InternationalSendingEnabled', 'DeletionProtectionEnabled']);
    if (optOut !== undefined) n.OptOutListName = optOut;
    return phoneNumberOutput(n, 'UpdatePhoneNumberResult');
  },

  RequestPhoneNumber(input, ctx) {
    validateInput(input, RULES.RequestPhoneNumber);
    const token = str(input, 'ClientToken');
    const earlier = token ? Object.values(ctx.state.smsVoice.phoneNumbers).find((n) => n.ClientToken === token) : undefined;
    if (earlier) return phoneNumberOutput(earlier, 'RequestPhoneNumberResult');
    const country = str(input, 'IsoCountryCode')!;
    const messageType = str(input, 'MessageType') as MessageType;
    const numberType = str(input, 'NumberType') as NumberType;
    checkRequestable(country, messageType, numberType);
    const optOut = checkOptOutList(ctx, input);
    const poolRef = str(input, 'PoolId');
    const pool = poolRef ? requirePool(ctx.state, poolRef) : undefined;
    if (pool) {
      if (pool.Status !== 'ACTIVE') throw conflict('RESOURCE_NOT_ACTIVE', 'pool', pool.PoolId, `Pool ${pool.PoolId} is ${pool.Status}, not ACTIVE.`);
      if (pool.MessageType !== messageType) throw conflict('MESSAGE_TYPE_MISMATCH', 'pool', pool.PoolId, `Pool ${pool.PoolId} is ${pool.MessageType}, the number would be ${messageType}.`);
      if (pool.TwoWayEnabled) {
        // The new number takes the pool's configuration, so the pool's two-way must be possible for it.
        resolveTwoWay(ctx, { resourceArn: pool.PoolArn, countries: [country], numberTypes: [numberType] }, pool, { TwoWayEnabled: true });
      }
    }
    const id = newPhoneNumberId();
    const n: PhoneNumberRecord = {
      PhoneNumberArn: resourceArn(ctx, 'phone-number', id),
      PhoneNumberId: id,
      PhoneNumber: allocateNumber(ctx.state, country),
      // The sandbox provisions at once; AWS may show PENDING for a while (and for registrations, much longer).
      Status: 'ACTIVE',
      IsoCountryCode: country,
      MessageType: messageType,
      NumberCapabilities: unique(strs(input, 'NumberCapabilities')!),
      NumberType: numberType,
      MonthlyLeasingPrice: monthlyLeasingPrice(numberType),
      TwoWayEnabled: false,
      SelfManagedOptOutsEnabled: false,
      OptOutListName: optOut ?? DEFAULT_OPT_OUT_LIST,
      InternationalSendingEnabled: bool(input, 'InternationalSendingEnabled') ?? false,
      DeletionProtectionEnabled: bool(input, 'DeletionProtectionEnabled') ?? false,
      ...(str(input, 'RegistrationId') ? { RegistrationId: str(input, 'RegistrationId') } : {}),
      CreatedTimestamp: ctx.now.toISOString(),
      Tags: tagsOf(input),
      ...(token ? { ClientToken: token } : {}),
    };
    if (pool) {
      applyTwoWay(n, pool);
      n.SelfManagedOptOutsEnabled = pool.SelfManagedOptOutsEnabled;
      n.OptOutListName = pool.OptOutListName;
      joinPool(pool, n);
    }
    ctx.state.smsVoice.phoneNumbers[id] = n;
    return phoneNumberOutput(n, 'RequestPhoneNumberResult');
  },

  ReleasePhoneNumber(input, ctx) {
    validateInput(input, RULES.ReleasePhoneNumber);
    const n = requirePhoneNumber(ctx.state, str(input, 'PhoneNumberId')!);
    if (n.DeletionProtectionEnabled) {
      throw conflict('DELETION_PROTECTION_ENABLED', 'phone-number', n.PhoneNumberId, `Phone number ${n.PhoneNumberId} has deletion protection enabled.`);
    }
    if (n.PoolId) throw conflict('PHONE_NUMBER_ASSOCIATED_TO_POOL', 'phone-number', n.PhoneNumberId, `Phone number ${n.PhoneNumberId} is in pool ${n.PoolId}.`);
    // Released numbers leave the account at once: they no longer appear in any listing.
    delete ctx.state.smsVoice.phoneNumbers[n.PhoneNumberId];
    return phoneNumberOutput({ ...n, Status: 'DELETED' }, 'ReleasePhoneNumberResult');
  },

  DescribePools(input, ctx) {
    validateInput(input, RULES.DescribePools);
    const ids = strs(input, 'PoolIds');
    rejectOwnerWithIds(input, ids, 'PoolIds');
    const filters = parseFilters(input, POOL_FILTERS);
    let items = ids?.length ? unique(ids.map((id) => requirePool(ctx.state, id))) : inCreationOrder(Object.values(ctx.state.smsVoice.pools));
    if (str(input, 'Owner') === 'SHARED') items = [];
    items = items.filter((p) => filters.every((f) => f.test(p)));
    const page = paginate(items, (p) => p.PoolId, 'pool', input);
    return { Pools: page.items.map((p) => poolOutput(p, 'PoolInformation')), ...page.next };
  },

  CreatePool(input, ctx) {
    validateInput(input, RULES.CreatePool);
    const token = str(input, 'ClientToken');
    const earlier = token ? Object.values(ctx.state.smsVoice.pools).find((p) => p.ClientToken === token) : undefined;
    if (earlier) return poolOutput(earlier, 'CreatePoolResult');
    const n = requireOriginationIdentity(ctx.state, str(input, 'OriginationIdentity')!);
    const messageType = str(input, 'MessageType') as MessageType;
    checkCanJoin(n, str(input, 'IsoCountryCode'));
    if (n.MessageType !== messageType) {
      throw conflict('MESSAGE_TYPE_MISMATCH', 'phone-number', n.PhoneNumberId, `Phone number ${n.PhoneNumberId} is ${n.MessageType}, the pool would be ${messageType}.`);
    }
    const pool = newPoolRecord(ctx, n, messageType, bool(input, 'DeletionProtectionEnabled') ?? false, tagsOf(input));
    if (token) pool.ClientToken = token;
    joinPool(pool, n);
    ctx.state.smsVoice.pools[pool.PoolId] = pool;
    return poolOutput(pool, 'CreatePoolResult');
  },

  UpdatePool(input, ctx) {
    validateInput(input, RULES.UpdatePool);
    const pool = requirePool(ctx.state, str(input, 'PoolId')!);
    if (pool.Status !== 'ACTIVE') throw conflict('RESOURCE_NOT_ACTIVE', 'pool', pool.PoolId, `Pool ${pool.PoolId} is ${pool.Status}, not ACTIVE.`);
    const members = poolMembers(ctx.state, pool);
    const optOut = checkOptOutList(ctx, input);
    const subject = { resourceArn: pool.PoolArn, countries: unique(members.map((m) => m.IsoCountryCode)), numberTypes: unique(members.map((m) => m.NumberType)) };
    const twoWay = resolveTwoWay(ctx, subject, pool, twoWayRequest(input));
    checkSelfManagedOptOuts(input, twoWay);
    applyTwoWay(pool, twoWay);
    assignIfGiven(pool, input, ['SelfManagedOptOutsEnabled', 'SharedRoutesEnabled', 'DeletionProtectionEnabled']);
    if (optOut !== undefined) pool.OptOutListName = optOut;
    // The pool's settings govern its numbers; mirror them so each number shows what applies to it
    // (an inference: AWS keeps the number's and the pool's configuration in step by refusing mismatches).
    for (const m of members) {
      applyTwoWay(m, pool);
      m.SelfManagedOptOutsEnabled = pool.SelfManagedOptOutsEnabled;
      m.OptOutListName = pool.OptOutListName;
    }
    return poolOutput(pool, 'UpdatePoolResult');
  },

  DeletePool(input, ctx) {
    validateInput(input, RULES.DeletePool);
    const pool = requirePool(ctx.state, str(input, 'PoolId')!);
    if (pool.Status !== 'ACTIVE') throw conflict('RESOURCE_NOT_ACTIVE', 'pool', pool.PoolId, `Pool ${pool.PoolId} is ${pool.Status}, not ACTIVE.`);
    if (pool.DeletionProtectionEnabled) throw conflict('DELETION_PROTECTION_ENABLED', 'pool', pool.PoolId, `Pool ${pool.PoolId} has deletion protection enabled.`);
    for (const m of poolMembers(ctx.state, pool)) delete m.PoolId;
    delete ctx.state.smsVoice.pools[pool.PoolId];
    return poolOutput({ ...pool, Status: 'DELETING' }, 'DeletePoolResult');
  },

  AssociateOriginationIdentity(input, ctx) {
    validateInput(input, RULES.AssociateOriginationIdentity);
    const pool = requirePool(ctx.state, str(input, 'PoolId')!);
    const n = requireOriginationIdentity(ctx.state, str(input, 'OriginationIdentity')!);
    const output = () => ({ PoolArn: pool.PoolArn, PoolId: pool.PoolId, OriginationIdentityArn: n.PhoneNumberArn, OriginationIdentity: n.PhoneNumber, IsoCountryCode: n.IsoCountryCode });
    if (pool.Status !== 'ACTIVE') throw conflict('RESOURCE_NOT_ACTIVE', 'pool', pool.PoolId, `Pool ${pool.PoolId} is ${pool.Status}, not ACTIVE.`);
    // A retry of a call that already went through (the SDK sends a ClientToken) succeeds again.
    if (n.PoolId === pool.PoolId) return output();
    checkCanJoin(n, str(input, 'IsoCountryCode'));
    const mismatch = (reason: string, what: string) => conflict(reason, 'phone-number', n.PhoneNumberId, `The ${what} of phone number ${n.PhoneNumberId} does not match pool ${pool.PoolId}.`);
    if (n.MessageType !== pool.MessageType) throw mismatch('MESSAGE_TYPE_MISMATCH', 'message type');
    if (!sameTwoWay(n, pool)) throw mismatch('TWO_WAY_CONFIG_MISMATCH', 'two-way configuration');
    if (n.SelfManagedOptOutsEnabled !== pool.SelfManagedOptOutsEnabled) throw mismatch('SELF_MANAGED_OPT_OUTS_MISMATCH', 'self-managed opt-out setting');
    if (n.OptOutListName !== pool.OptOutListName) throw mismatch('OPT_OUT_LIST_MISMATCH', 'opt-out list');
    joinPool(pool, n);
    return output();
  },

  TagResource(input, ctx) {
    validateInput(input, RULES.TagResource);
    const target = requireTaggable(ctx, str(input, 'ResourceArn')!);
    const merged = { ...target.Tags, ...tagsOf(input) };
    if (Object.keys(merged).length > MAX_TAGS) {
      throw new AwsError('ServiceQuotaExceededException', `A resource can have at most ${MAX_TAGS} tags.`, { fields: { Reason: 'TAGS_PER_RESOURCE' } });
    }
    target.Tags = merged;
    return {};
  },

  UntagResource(input, ctx) {
    validateInput(input, RULES.UntagResource);
    const target = requireTaggable(ctx, str(input, 'ResourceArn')!);
    for (const key of strs(input, 'TagKeys')!) delete target.Tags[key];
    return {};
  },

  ListTagsForResource(input, ctx) {
    validateInput(input, RULES.ListTagsForResource);
    const arn = str(input, 'ResourceArn')!;
    return { ResourceArn: arn, Tags: tagList(requireTaggable(ctx, arn).Tags) };
  },
};

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function liveNumbers(state: SandboxState): PhoneNumberRecord[] {
  return inCreationOrder(Object.values(state.smsVoice.phoneNumbers).filter((n) => n.Status !== 'DELETED'));
}

/**
 * Records are kept in the state in the order they were created (object insertion order survives the JSON
 * round trip); the stable sort only guards against a state edited by hand.
 */
function inCreationOrder<T extends { CreatedTimestamp: string }>(items: T[]): T[] {
  return items.sort((a, b) => a.CreatedTimestamp.localeCompare(b.CreatedTimestamp));
}

/**
 * Pages in creation order. The token names the last item returned (and its creation time), not an offset, so a
 * number released between two pages does not make the next page skip another one.
 */
function paginate<T extends { CreatedTimestamp: string }>(items: T[], id: (t: T) => string, kind: string, input: JsonObject): { items: T[]; next: { NextToken?: string } } {
  const size = (input.MaxResults as number | undefined) ?? DEFAULT_PAGE_SIZE;
  const token = str(input, 'NextToken');
  let start = 0;
  if (token !== undefined) {
    const cursor = decodeToken(token, kind);
    if (!cursor) throw validationError('INVALID_NEXT_TOKEN', 'The NextToken is not valid.', [{ Name: 'NextToken', Message: 'Invalid token' }]);
    const at = items.findIndex((t) => id(t) === cursor.id);
    start = at >= 0 ? at + 1 : items.findIndex((t) => t.CreatedTimestamp > cursor.created);
    if (start < 0) start = items.length;
  }
  const pageItems = items.slice(start, start + size);
  const last = pageItems.at(-1);
  const more = start + size < items.length && last !== undefined;
  return { items: pageItems, next: more ? { NextToken: Buffer.from(JSON.stringify({ kind, id: id(last), created: last.CreatedTimestamp })).toString('base64url') } : {} };
}

function decodeToken(token: string, kind: string): { id: string; created: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { kind: k, id, created } = parsed as Record<string, unknown>;
    return k === kind && typeof id === 'string' && typeof created === 'string' ? { id, created } : undefined;
  } catch {
    return undefined;
  }
}

function rejectOwnerWithIds(input: JsonObject, ids: string[] | undefined, idsName: string): void {
  if (str(input, 'Owner') !== undefined && ids?.length) {
    throw validationError('PARAMETERS_CANNOT_BE_USED_TOGETHER', `Owner and ${idsName} cannot be used together.`, [
      { Name: 'Owner', Message: `Cannot be used together with ${idsName}` },
    ]);
  }
}

interface FilterSpec<T> {
  /** Allowed values (enums, booleans); undefined accepts any value the model's pattern allows. */
  readonly allowed?: readonly string[];
  readonly pattern?: RegExp;
  readonly value: (t: T) => string | readonly string[] | undefined;
}

const BOOLEAN = ['true', 'false'] as const;
const boolValue = (b: boolean) => String(b);

const PHONE_FILTERS: Record<string, FilterSpec<PhoneNumberRecord>> = {
  status: { allowed: NUMBER_STATUSES, value: (n) => n.Status },
  'iso-country-code': { pattern: /^[A-Z]{2}$/, value: (n) => n.IsoCountryCode },
  'message-type': { allowed: MESSAGE_TYPES, value: (n) => n.MessageType },
  'number-capability': { allowed: NUMBER_CAPABILITIES, value: (n) => n.NumberCapabilities },
  'number-type': { allowed: NUMBER_TYPES, value: (n) => n.NumberType },
  'two-way-enabled': { allowed: BOOLEAN, value: (n) => boolValue(n.TwoWayEnabled) },
  'self-managed-opt-outs-enabled': { allowed: BOOLEAN, value: (n) => boolValue(n.SelfManagedOptOutsEnabled) },
  'opt-out-list-name': { value: (n) => n.OptOutListName },
  'deletion-protection-enabled': { allowed: BOOLEAN, value: (n) => boolValue(n.DeletionProtectionEnabled) },
  'two-way-channel-arn': { value: (n) => n.TwoWayChannelArn },
};

const POOL_FILTERS: Record<string, FilterSpec<PoolRecord>> = {
  status: { allowed: POOL_STATUSES, value: (p) => p.Status },
  'message-type': { allowed: MESSAGE_TYPES, value: (p) => p.MessageType },
  'two-way-enabled': { allowed: BOOLEAN, value: (p) => boolValue(p.TwoWayEnabled) },
  'self-managed-opt-outs-enabled': { allowed: BOOLEAN, value: (p) => boolValue(p.SelfManagedOptOutsEnabled) },
  'opt-out-list-name': { value: (p) => p.OptOutListName },
  'shared-routes-enabled': { allowed: BOOLEAN, value: (p) => boolValue(p.SharedRoutesEnabled) },
  'deletion-protection-enabled': { allowed: BOOLEAN, value: (p) => boolValue(p.DeletionProtectionEnabled) },
  'two-way-channel-arn': { value: (p) => p.TwoWayChannelArn },
};

/** Filters AND together; the values of one filter OR together. Values outside an enum → INVALID_FILTER_VALUES. */
function parseFilters<T>(input: JsonObject, specs: Record<string, FilterSpec<T>>): { test: (t: T) => boolean }[] {
  const filters = (input.Filters as { Name: string; Values: string[] }[] | undefined) ?? [];
  const problems: FieldProblem[] = [];
  const parsed = filters.map((f, i) => {
    const spec = specs[f.Name]!;
    const bad = f.Values.filter((v) => (spec.allowed && !spec.allowed.includes(v)) || (spec.pattern && !spec.pattern.test(v)));
    if (bad.length) problems.push({ Name: `Filters[${i}].Values`, Message: `Invalid values for filter ${f.Name}: ${bad.join(', ')}` });
    return {
      test: (t: T) => {
        const actual = spec.value(t);
        if (actual === undefined) return false;
        return typeof actual === 'string' ? f.Values.includes(actual) : actual.some((a) => f.Values.includes(a));
      },
    };
  });
  if (problems.length) throw validationError('INVALID_FILTER_VALUES', 'One or more filter values are not valid.', problems);
  return parsed;
}

/** The only opt-out list the sandbox has is `Default`; another name is a missing resource. */
function checkOptOutList(ctx: CallContext, input: JsonObject): string | undefined {
  const value = str(input, 'OptOutListName');
  if (value === undefined) return undefined;
  if (!isKnownOptOutList(ctx, value)) throw notFound('opt-out-list', value);
  return DEFAULT_OPT_OUT_LIST;
}

/** Self-managed opt-outs need two-way on: the customer's replies (STOP, HELP) must reach the customer. */
function checkSelfManagedOptOuts(input: JsonObject, twoWay: TwoWayConfig): void {
  if (bool(input, 'SelfManagedOptOutsEnabled') === true && !twoWay.TwoWayEnabled) {
    throw validationError('TWO_WAY_NOT_ENABLED', 'Self-managed opt-outs require two-way SMS to be enabled.', [
      { Name: 'SelfManagedOptOutsEnabled', Message: 'Two-way SMS must be enabled first' },
    ]);
  }
}

function applyTwoWay(target: TwoWayConfig, from: TwoWayConfig): void {
  target.TwoWayEnabled = from.TwoWayEnabled;
  if (from.TwoWayChannelArn !== undefined) target.TwoWayChannelArn = from.TwoWayChannelArn;
  else delete target.TwoWayChannelArn;
  if (from.TwoWayChannelRole !== undefined) target.TwoWayChannelRole = from.TwoWayChannelRole;
  else delete target.TwoWayChannelRole;
}

function sameTwoWay(a: TwoWayConfig, b: TwoWayConfig): boolean {
  if (a.TwoWayEnabled !== b.TwoWayEnabled) return false;
  return !a.TwoWayEnabled || (a.TwoWayChannelArn === b.TwoWayChannelArn && a.TwoWayChannelRole === b.TwoWayChannelRole);
}

function assignIfGiven<T extends object>(target: T, input: JsonObject, keys: readonly (keyof T & string)[]): void {
  for (const k of keys) {
    const v = input[k];
    if (v !== undefined && v !== null) (target as Record<string, unknown>)[k] = v;
  }
}

/** The sandbox's origination identities are phone numbers only; anything else would be a sender ID. */
function requireOriginationIdentity(state: SandboxState, ref: string): PhoneNumberRecord {
  if (ref.startsWith('phone-') || ref.includes(':phone-number/')) return requirePhoneNumber(state, ref);
  throw notFound('sender-id', ref);
}

function checkCanJoin(n: PhoneNumberRecord, isoCountryCode: string | undefined): void {
  if (n.Status !== 'ACTIVE') throw conflict('RESOURCE_NOT_ACTIVE', 'phone-number', n.PhoneNumberId, `Phone number ${n.PhoneNumberId} is ${n.Status}, not ACTIVE.`);
  if (n.PoolId) throw conflict('PHONE_NUMBER_ASSOCIATED_TO_POOL', 'phone-number', n.PhoneNumberId, `Phone number ${n.PhoneNumberId} is already in pool ${n.PoolId}.`);
  if (isoCountryCode !== undefined && isoCountryCode !== n.IsoCountryCode) {
    throw validationError('COUNTRY_CODE_MISMATCH', `Phone number ${n.PhoneNumberId} is in ${n.IsoCountryCode}, not ${isoCountryCode}.`, [
      { Name: 'IsoCountryCode', Message: `Does not match the phone number's country ${n.IsoCountryCode}` },
    ]);
  }
}

interface Taggable {
  Tags: Record<string, string>;
}

const SMS_VOICE_ARN = /^arn:[a-z-]+:sms-voice:[a-z0-9-]+:\d{12}:([a-z-]+)\/(.+)$/;

function requireTaggable(ctx: CallContext, arn: string): Taggable {
  const m = SMS_VOICE_ARN.exec(arn);
  if (!m) throw validationError('INVALID_ARN', `${arn} is not an End User Messaging SMS resource ARN.`, [{ Name: 'ResourceArn', Message: 'Invalid ARN' }]);
  const type = m[1]!;
  const found = type === 'phone-number' ? findPhoneNumber(ctx.state, arn) : type === 'pool' ? ctx.state.smsVoice.pools[m[2]!] : undefined;
  if (!found || (type === 'pool' && (found as PoolRecord).PoolArn !== arn)) throw notFound(type, arn);
  return found;
}

/**
 * Country and type rules of RequestPhoneNumber the sandbox enforces. Numbers can be requested in the
 * countries it knows a dialling code for; 10DLC is US-only; toll-free is North American; a simulator number
 * is a US number and must be TRANSACTIONAL (the model says so).
 */
const DIALLING_CODES: Record<string, string> = {
  US: '1', CA: '1', PR: '1', DO: '1', CR: '506', MX: '52', GB: '44', AU: '61', DE: '49', FR: '33', IN: '91', JP: '81', BR: '55',
};

function checkRequestable(country: string, messageType: MessageType, numberType: NumberType): void {
  const invalid = (name: string, message: string) => validationError('INVALID_PARAMETER', message, [{ Name: name, Message: message }]);
  if (!Object.hasOwn(DIALLING_CODES, country)) throw invalid('IsoCountryCode', `Phone numbers are not available in ${country}.`);
  if (numberType === 'SIMULATOR') {
    if (messageType !== 'TRANSACTIONAL') throw invalid('MessageType', 'A SIMULATOR phone number requires MessageType TRANSACTIONAL.');
    if (country !== 'US') throw invalid('IsoCountryCode', 'SIMULATOR phone numbers are available in US only.');
  }
  if (numberType === 'TEN_DLC' && country !== 'US') throw invalid('NumberType', 'TEN_DLC phone numbers are available in US only.');
  if (numberType === 'TOLL_FREE' && !['US', 'CA', 'PR'].includes(country)) throw invalid('NumberType', `TOLL_FREE phone numbers are not available in ${country}.`);
}

/** A fresh number from the fictional/test ranges of the country where one exists (NANP 555-01xx is too small). */
function allocateNumber(state: SandboxState, country: string): string {
  const prefix: Record<string, string> = { US: '+1206', CA: '+1604', PR: '+1787', DO: '+1809', GB: '+447700', AU: '+614915' };
  const head = prefix[country] ?? `+${DIALLING_CODES[country]}`;
  const digits = country in prefix ? (country === 'GB' ? 6 : country === 'AU' ? 5 : 7) : 9;
  for (;;) {
    let tail = String(2 + Math.floor(Math.random() * 8));
    while (tail.length < digits) tail += String(Math.floor(Math.random() * 10));
    const candidate = `${head}${tail}`;
    if (!findPhoneNumber(state, candidate)) return candidate;
  }
}
