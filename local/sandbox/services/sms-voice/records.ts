import { randomBytes } from 'node:crypto';
import { AwsError } from '../../core/errors';
import type { CallContext } from '../../core/types';
import { epochSeconds } from '../../core/wire';
import type { SandboxState } from '../../state';
import type { NumberType, PhoneNumberRecord, PhoneNumberStatus, PoolRecord } from './model';

/** The opt-out list every account has; the sandbox has no other (no CreateOptOutList). */
export const DEFAULT_OPT_OUT_LIST = 'Default';

/** `phone-` + 32 lowercase hex, as AWS's ids look. */
export function newPhoneNumberId(): string {
  return `phone-${randomBytes(16).toString('hex')}`;
}

export function newPoolId(): string {
  return `pool-${randomBytes(16).toString('hex')}`;
}

export function resourceArn(ctx: Pick<CallContext, 'partition' | 'region' | 'accountId'>, type: 'phone-number' | 'pool' | 'opt-out-list', id: string): string {
  return `arn:${ctx.partition}:sms-voice:${ctx.region}:${ctx.accountId}:${type}/${id}`;
}

/** Monthly price AWS lists for a US number of each type (a display value only). */
const MONTHLY_PRICE: Record<NumberType, string> = {
  SHORT_CODE: '995.00',
  LONG_CODE: '1.00',
  TOLL_FREE: '2.00',
  TEN_DLC: '2.00',
  SIMULATOR: '0.00',
};

export function monthlyLeasingPrice(type: NumberType): string {
  return MONTHLY_PRICE[type];
}

/**
 * Finds a live (not released) number by id, ARN or E.164 value. The API itself accepts only id or ARN;
 * the E.164 form is for the sandbox's own callers (seeder, inbound simulation).
 */
export function findPhoneNumber(state: SandboxState, idOrArnOrE164: string): PhoneNumberRecord | undefined {
  const numbers = state.smsVoice.phoneNumbers;
  const direct = Object.hasOwn(numbers, idOrArnOrE164) ? numbers[idOrArnOrE164] : undefined;
  const found = direct ?? Object.values(numbers).find((n) => n.PhoneNumberArn === idOrArnOrE164 || n.PhoneNumber === idOrArnOrE164);
  return found && found.Status !== 'DELETED' ? found : undefined;
}

export function findPool(state: SandboxState, idOrArn: string): PoolRecord | undefined {
  const pools = state.smsVoice.pools;
  if (Object.hasOwn(pools, idOrArn)) return pools[idOrArn];
  return Object.values(pools).find((p) => p.PoolArn === idOrArn);
}

export function notFound(type: string, id: string): AwsError {
  return new AwsError('ResourceNotFoundException', `The ${type} '${id}' does not exist.`, { fields: { ResourceType: type, ResourceId: id } });
}

export function conflict(reason: string, type: string, id: string, message: string): AwsError {
  return new AwsError('ConflictException', message, { fields: { Reason: reason, ResourceType: type, ResourceId: id } });
}

export function requirePhoneNumber(state: SandboxState, idOrArn: string): PhoneNumberRecord {
  // The API takes only ids and ARNs: an E.164 value is not an identifier there.
  const found = idOrArn.startsWith('+') ? undefined : findPhoneNumber(state, idOrArn);
  if (!found || found.PhoneNumber === idOrArn) throw notFound('phone-number', idOrArn);
  return found;
}

export function requirePool(state: SandboxState, idOrArn: string): PoolRecord {
  const found = findPool(state, idOrArn);
  if (!found) throw notFound('pool', idOrArn);
  return found;
}

/** Whether `value` names the account's only opt-out list, by name or ARN. */
export function isKnownOptOutList(ctx: CallContext, value: string): boolean {
  return value === DEFAULT_OPT_OUT_LIST || value === resourceArn(ctx, 'opt-out-list', DEFAULT_OPT_OUT_LIST);
}

export interface AddPhoneNumberInput {
  PhoneNumber: string;
  IsoCountryCode: string;
  NumberType: NumberType;
  MessageType?: 'TRANSACTIONAL' | 'PROMOTIONAL';
  NumberCapabilities?: string[];
  Status?: PhoneNumberStatus;
  RegistrationId?: string;
  Tags?: Record<string, string>;
}

/** Adds a phone number to the state directly (seeding and tests); the API path is RequestPhoneNumber. */
export function addPhoneNumber(ctx: CallContext, input: AddPhoneNumberInput): PhoneNumberRecord {
  if (findPhoneNumber(ctx.state, input.PhoneNumber)) throw new Error(`phone number ${input.PhoneNumber} already exists`);
  const id = newPhoneNumberId();
  const record: PhoneNumberRecord = {
    PhoneNumberArn: resourceArn(ctx, 'phone-number', id),
    PhoneNumberId: id,
    PhoneNumber: input.PhoneNumber,
    Status: input.Status ?? 'ACTIVE',
    IsoCountryCode: input.IsoCountryCode,
    MessageType: input.MessageType ?? 'TRANSACTIONAL',
    NumberCapabilities: [...(input.NumberCapabilities ?? ['SMS'])],
    NumberType: input.NumberType,
    MonthlyLeasingPrice: monthlyLeasingPrice(input.NumberType),
    TwoWayEnabled: false,
    SelfManagedOptOutsEnabled: false,
    OptOutListName: DEFAULT_OPT_OUT_LIST,
    InternationalSendingEnabled: false,
    DeletionProtectionEnabled: false,
    ...(input.RegistrationId ? { RegistrationId: input.RegistrationId } : {}),
    CreatedTimestamp: ctx.now.toISOString(),
    Tags: { ...(input.Tags ?? {}) },
  };
  ctx.state.smsVoice.phoneNumbers[id] = record;
  return record;
}

export interface AddPoolInput {
  /** Ids, ARNs or E.164 values of numbers not yet in a pool; the pool inherits the first one's configuration. */
  PhoneNumberIds: string[];
  MessageType?: 'TRANSACTIONAL' | 'PROMOTIONAL';
  Tags?: Record<string, string>;
}

/** Adds an ACTIVE pool holding the given numbers (seeding and tests); the API path is CreatePool. */
export function addPool(ctx: CallContext, input: AddPoolInput): PoolRecord {
  const numbers = input.PhoneNumberIds.map((ref) => {
    const n = findPhoneNumber(ctx.state, ref);
    if (!n) throw new Error(`phone number ${ref} does not exist`);
    if (n.PoolId) throw new Error(`phone number ${ref} is already in pool ${n.PoolId}`);
    return n;
  });
  const first = numbers[0];
  if (!first) throw new Error('a pool needs at least one phone number');
  const pool = newPoolRecord(ctx, first, input.MessageType ?? first.MessageType, false, input.Tags ?? {});
  for (const n of numbers) joinPool(pool, n);
  ctx.state.smsVoice.pools[pool.PoolId] = pool;
  return pool;
}

/** A new pool that inherits two-way and opt-out configuration from its first origination identity. */
export function newPoolRecord(
  ctx: CallContext,
  from: PhoneNumberRecord,
  messageType: 'TRANSACTIONAL' | 'PROMOTIONAL',
  deletionProtection: boolean,
  tags: Record<string, string>,
): PoolRecord {
  const id = newPoolId();
  return {
    PoolArn: resourceArn(ctx, 'pool', id),
    PoolId: id,
    Status: 'ACTIVE',
    MessageType: messageType,
    TwoWayEnabled: from.TwoWayEnabled,
    ...(from.TwoWayChannelArn !== undefined ? { TwoWayChannelArn: from.TwoWayChannelArn } : {}),
    ...(from.TwoWayChannelRole !== undefined ? { TwoWayChannelRole: from.TwoWayChannelRole } : {}),
    SelfManagedOptOutsEnabled: from.SelfManagedOptOutsEnabled,
    OptOutListName: from.OptOutListName,
    SharedRoutesEnabled: false,
    DeletionProtectionEnabled: deletionProtection,
    CreatedTimestamp: ctx.now.toISOString(),
    Tags: { ...tags },
    OriginationIdentities: [],
  };
}

export function joinPool(pool: PoolRecord, n: PhoneNumberRecord): void {
  n.PoolId = pool.PoolId;
  if (!pool.OriginationIdentities.includes(n.PhoneNumberArn)) pool.OriginationIdentities.push(n.PhoneNumberArn);
}

/** The numbers of a pool, in association order. */
export function poolMembers(state: SandboxState, pool: PoolRecord): PhoneNumberRecord[] {
  return pool.OriginationIdentities.map((arn) => findPhoneNumber(state, arn)).filter((n): n is PhoneNumberRecord => n !== undefined);
}

/** The two-way configuration that decides where an inbound message to `n` goes: its pool's when it has one. */
export interface EffectiveTwoWay {
  source: 'phone-number' | 'pool';
  /** ARN of the number or pool that holds the configuration (the `aws:SourceArn` of the role assumption). */
  sourceArn: string;
  TwoWayEnabled: boolean;
  TwoWayChannelArn?: string;
  TwoWayChannelRole?: string;
}

export function effectiveTwoWay(state: SandboxState, n: PhoneNumberRecord): EffectiveTwoWay {
  const pool = n.PoolId ? state.smsVoice.pools[n.PoolId] : undefined;
  const holder = pool ?? n;
  return {
    source: pool ? 'pool' : 'phone-number',
    sourceArn: pool ? pool.PoolArn : n.PhoneNumberArn,
    TwoWayEnabled: holder.TwoWayEnabled,
    ...(holder.TwoWayChannelArn !== undefined ? { TwoWayChannelArn: holder.TwoWayChannelArn } : {}),
    ...(holder.TwoWayChannelRole !== undefined ? { TwoWayChannelRole: holder.TwoWayChannelRole } : {}),
  };
}

export function tagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

// Output shapes: each result carries exactly the members its botocore shape has.
const PHONE_NUMBER_INFORMATION = [
  'PhoneNumberArn',
  'PhoneNumberId',
  'PhoneNumber',
  'Status',
  'IsoCountryCode',
  'MessageType',
  'NumberCapabilities',
  'NumberType',
  'MonthlyLeasingPrice',
  'TwoWayEnabled',
  'TwoWayChannelArn',
  'TwoWayChannelRole',
  'SelfManagedOptOutsEnabled',
  'OptOutListName',
  'InternationalSendingEnabled',
  'DeletionProtectionEnabled',
  'PoolId',
  'RegistrationId',
  'CreatedTimestamp',
] as const;
type PhoneKey = (typeof PHONE_NUMBER_INFORMATION)[number];
const UPDATE_PHONE_NUMBER_RESULT: readonly PhoneKey[] = PHONE_NUMBER_INFORMATION.filter((k) => k !== 'PoolId');
const RELEASE_PHONE_NUMBER_RESULT: readonly PhoneKey[] = PHONE_NUMBER_INFORMATION.filter(
  (k) => k !== 'PoolId' && k !== 'InternationalSendingEnabled' && k !== 'DeletionProtectionEnabled',
);

const POOL_INFORMATION = [
  'PoolArn',
  'PoolId',
  'Status',
  'MessageType',
  'TwoWayEnabled',
  'TwoWayChannelArn',
  'TwoWayChannelRole',
  'SelfManagedOptOutsEnabled',
  'OptOutListName',
  'SharedRoutesEnabled',
  'DeletionProtectionEnabled',
  'CreatedTimestamp',
] as const;
type PoolKey = (typeof POOL_INFORMATION)[number];
const DELETE_POOL_RESULT: readonly PoolKey[] = POOL_INFORMATION.filter((k) => k !== 'DeletionProtectionEnabled');

function pick<T extends object, K extends keyof T & string>(record: T, keys: readonly K[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out[k] = k === 'CreatedTimestamp' ? epochSeconds(v as string) : Array.isArray(v) ? [...(v as unknown[])] : v;
  }
  return out;
}

export type PhoneNumberShape = 'PhoneNumberInformation' | 'UpdatePhoneNumberResult' | 'RequestPhoneNumberResult' | 'ReleasePhoneNumberResult';

export function phoneNumberOutput(n: PhoneNumberRecord, shape: PhoneNumberShape): Record<string, unknown> {
  switch (shape) {
    case 'PhoneNumberInformation':
      return pick(n, PHONE_NUMBER_INFORMATION);
    case 'UpdatePhoneNumberResult':
      return pick(n, UPDATE_PHONE_NUMBER_RESULT);
    case 'RequestPhoneNumberResult':
      return { ...pick(n, PHONE_NUMBER_INFORMATION), Tags: tagList(n.Tags) };
    case 'ReleasePhoneNumberResult':
      return pick(n, RELEASE_PHONE_NUMBER_RESULT);
  }
}

export type PoolShape = 'PoolInformation' | 'CreatePoolResult' | 'UpdatePoolResult' | 'DeletePoolResult';

export function poolOutput(p: PoolRecord, shape: PoolShape): Record<string, unknown> {
  switch (shape) {
    case 'PoolInformation':
    case 'UpdatePoolResult':
      return pick(p, POOL_INFORMATION);
    case 'CreatePoolResult':
      return { ...pick(p, POOL_INFORMATION), Tags: tagList(p.Tags) };
    case 'DeletePoolResult':
      return pick(p, DELETE_POOL_RESULT);
  }
}
