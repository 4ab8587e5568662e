import {
  DescribePhoneNumbersCommand,
  DescribePoolsCommand,
  ResourceNotFoundException,
  UpdatePhoneNumberCommand,
  UpdatePoolCommand,
  type PhoneNumberInformation,
  type PoolInformation,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { TaskDeps, TaskEvent } from './context';
import { classifyAwsError, InvalidInput, NumberNotEligible } from './errors';
import { DeprovisionRequest, parseOrThrow, ProvisionRequest } from './request';
import type { AccessResult, LockResult, NumberResult, TopicResult, TwoWayConfig } from './results';

/**
 * The phone number or pool a request is about, and its two-way settings: how tasks find it (id, ARN or E.164,
 * pool id or ARN) without changing anything, how its settings are read and written, and the settings a
 * destination asks for. Shared by the lock, validation, enable, verify and undo tasks so they agree on one
 * target id (the lock key and the key of the active-provisioning pointer).
 */

export type TargetKind = NumberResult['kind'];

/** The target as the request names it. */
export interface TargetRef {
  kind: TargetKind;
  ref: string;
  /** The request field it came from, for error messages. */
  field: 'phoneNumberId' | 'poolId';
}

export interface Target {
  kind: TargetKind;
  id: string;
  arn: string;
  e164?: string;
  status: string;
  /** Countries of the number, or of every number in the pool. */
  isoCountryCodes: string[];
  numberTypes: string[];
  /** Capabilities every number (of the pool) has. */
  capabilities: string[];
  /** A phone number's pool, when it is in one (two-way is then set on the pool). */
  poolId?: string;
  /** A pool's phone numbers. */
  memberCount?: number;
  config: TwoWayConfig;
  region: string;
  accountId: string;
  partition: string;
  /** How messages name it: `phone number +12065550100`, `pool pool-…`. */
  label: string;
}

/** The request of the state machine running a task: the deprovisioning one has no destination. */
export type MachineRequest = { kind: 'provision'; request: ProvisionRequest } | { kind: 'deprovision'; request: DeprovisionRequest };

/**
 * Parses the request of whichever state machine runs the task, with that machine's own schema: the execution
 * ARN names the state machine (`…:execution:provision-two-way:…`); an execution started some other way is
 * told apart by `destination`. For the lock tasks, which run in both; compensations read their request with
 * `compensationRequest` (`./undo`), which accepts either.
 */
export function parseMachineRequest(event: Pick<TaskEvent, 'request' | 'executionArn'>): MachineRequest {
  const arn = event.executionArn ?? '';
  const deprovision = arn.includes(':deprovision-two-way:')
    ? true
    : arn.includes(':provision-two-way:')
      ? false
      : !(typeof event.request === 'object' && event.request !== null && 'destination' in event.request);
  return deprovision
    ? { kind: 'deprovision', request: parseOrThrow(DeprovisionRequest, event.request, 'request') }
    : { kind: 'provision', request: parseOrThrow(ProvisionRequest, event.request, 'request') };
}

export function targetRefOf(request: { phoneNumberId?: string | undefined; poolId?: string | undefined }): TargetRef {
  if (request.poolId !== undefined) return { kind: 'pool', ref: request.poolId, field: 'poolId' };
  if (request.phoneNumberId !== undefined) return { kind: 'phone-number', ref: request.phoneNumberId, field: 'phoneNumberId' };
  // The schemas require exactly one of them; this guards a caller that skipped parsing.
  throw new InvalidInput('give exactly one of phoneNumberId and poolId', { field: 'phoneNumberId' });
}

/** The ref to use once AcquireLock has resolved the target: its id, which needs no listing. */
export function lockedRefOf(event: Pick<TaskEvent, 'results'>, request: { phoneNumberId?: string | undefined; poolId?: string | undefined }): TargetRef {
  const ref = targetRefOf(request);
  const lock = event.results?.lock as LockResult | undefined;
  return lock?.targetId ? { ...ref, ref: lock.targetId } : ref;
}

function describeRef(ref: TargetRef): string {
  return ref.kind === 'pool' ? `pool ${ref.ref}` : `phone number ${ref.ref}`;
}

function arnParts(arn: string | undefined): { partition?: string; region?: string; account?: string } {
  const p = (arn ?? '').split(':');
  if (p.length < 6 || p[0] !== 'arn') return {};
  return { ...(p[1] ? { partition: p[1] } : {}), ...(p[3] ? { region: p[3] } : {}), ...(p[4] ? { account: p[4] } : {}) };
}

/** The region of an ARN (`undefined` for global or malformed ARNs). */
export function regionOfArn(arn: string): string | undefined {
  return arnParts(arn).region;
}

export function configOf(r: { TwoWayEnabled?: boolean | undefined; TwoWayChannelArn?: string | undefined; TwoWayChannelRole?: string | undefined }): TwoWayConfig {
  return {
    enabled: r.TwoWayEnabled === true,
    ...(r.TwoWayChannelArn ? { channelArn: r.TwoWayChannelArn } : {}),
    ...(r.TwoWayChannelRole ? { channelRole: r.TwoWayChannelRole } : {}),
  };
}

/** Every phone number of the account (DescribePhoneNumbers has no filter by E.164 or by pool: list and match). */
async function listAllNumbers(deps: TaskDeps): Promise<PhoneNumberInformation[]> {
  const out: PhoneNumberInformation[] = [];
  let token: string | undefined;
  do {
    const page = await deps.sms.send(new DescribePhoneNumbersCommand({ MaxResults: 100, ...(token ? { NextToken: token } : {}) }));
    out.push(...(page.PhoneNumbers ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

function numberTarget(deps: TaskDeps, n: PhoneNumberInformation): Target {
  const parts = arnParts(n.PhoneNumberArn);
  return {
    kind: 'phone-number',
    id: n.PhoneNumberId!,
    arn: n.PhoneNumberArn!,
    ...(n.PhoneNumber ? { e164: n.PhoneNumber } : {}),
    status: n.Status ?? 'UNKNOWN',
    isoCountryCodes: n.IsoCountryCode ? [n.IsoCountryCode] : [],
    numberTypes: n.NumberType ? [n.NumberType] : [],
    capabilities: [...(n.NumberCapabilities ?? [])],
    ...(n.PoolId ? { poolId: n.PoolId } : {}),
    config: configOf(n),
    region: parts.region ?? deps.config.region,
    accountId: parts.account ?? deps.config.accountId ?? '',
    partition: parts.partition ?? deps.config.partition,
    label: `phone number ${n.PhoneNumber ?? n.PhoneNumberId}`,
  };
}

async function findNumber(deps: TaskDeps, ref: string): Promise<Target | undefined> {
  if (ref.startsWith('+')) {
    const found = (await listAllNumbers(deps)).find((n) => n.PhoneNumber === ref && n.Status !== 'DELETED');
    return found ? numberTarget(deps, found) : undefined;
  }
  try {
    const out = await deps.sms.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [ref] }));
    const n = out.PhoneNumbers?.[0];
    return n && n.Status !== 'DELETED' ? numberTarget(deps, n) : undefined;
  } catch (e) {
    if (e instanceof ResourceNotFoundException) return undefined;
    throw e;
  }
}

async function findPool(deps: TaskDeps, ref: string): Promise<Target | undefined> {
  let pool: PoolInformation | undefined;
  try {
    pool = (await deps.sms.send(new DescribePoolsCommand({ PoolIds: [ref] }))).Pools?.[0];
  } catch (e) {
    if (e instanceof ResourceNotFoundException) return undefined;
    throw e;
  }
  if (!pool?.PoolId || !pool.PoolArn) return undefined;
  // Country, type and capabilities belong to the pool's numbers (the pool record has none of them).
  const members = (await listAllNumbers(deps)).filter((n) => n.PoolId === pool.PoolId && n.Status !== 'DELETED');
  const unique = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => x !== undefined))];
  const capabilities = members.length
    ? (members[0]!.NumberCapabilities ?? []).filter((c) => members.every((m) => (m.NumberCapabilities ?? []).includes(c)))
    : [];
  const parts = arnParts(pool.PoolArn);
  return {
    kind: 'pool',
    id: pool.PoolId,
    arn: pool.PoolArn,
    status: pool.Status ?? 'UNKNOWN',
    isoCountryCodes: unique(members.map((m) => m.IsoCountryCode)),
    numberTypes: unique(members.map((m) => m.NumberType)),
    capabilities: [...capabilities],
    memberCount: members.length,
    config: configOf(pool),
    region: parts.region ?? deps.config.region,
    accountId: parts.account ?? deps.config.accountId ?? '',
    partition: parts.partition ?? deps.config.partition,
    label: `pool ${pool.PoolId}`,
  };
}

/**
 * What the eligibility rules read of a number or pool; what is absent is not judged (the API reads a pool, not its
 * members: ValidateNumber judges those).
 */
export type EligibilitySubject = Pick<Target, 'kind' | 'label' | 'status'> & Partial<Pick<Target, 'capabilities' | 'numberTypes' | 'poolId' | 'memberCount'>>;

/**
 * Why two-way cannot be set on this number or pool for this kind of destination, naming the request field; or
 * `undefined`. One set of rules for ValidateNumber and the API (which refuses at request time what it can see).
 */
export function eligibilityProblem(target: EligibilitySubject, destination: 'sns' | 'connect'): { message: string; field: 'phoneNumberId' | 'poolId' } | undefined {
  const field = target.kind === 'pool' ? 'poolId' : 'phoneNumberId';
  const no = (message: string) => ({ message, field }) as const;
  if (target.kind === 'phone-number' && target.poolId) {
    return no(`${target.label} belongs to pool ${target.poolId}, and two-way SMS of a pooled number is set on its pool: provision the pool instead (poolId ${target.poolId})`);
  }
  if (target.status === 'PENDING') return no(`${target.label} is PENDING: two-way can be enabled once the number is ACTIVE`);
  if (target.status !== 'ACTIVE') return no(`${target.label} is ${target.status}, not ACTIVE: two-way can be set only on an ACTIVE ${target.kind === 'pool' ? 'pool' : 'number'}`);
  if (target.kind === 'pool' && target.memberCount === 0) return no(`${target.label} has no phone numbers: add an SMS-capable number to it first`);
  if (target.capabilities && !target.capabilities.includes('SMS')) {
    const what = target.kind === 'pool' ? 'not every number of the pool is SMS-capable' : `its capabilities are ${target.capabilities.join(', ') || 'none'}`;
    return no(`${target.label} cannot receive SMS (${what}): two-way needs an SMS-capable number`);
  }
  if (destination === 'connect' && target.kind === 'pool') {
    // Connect imports phone numbers, not pools: refused before anything changes, not at ImportToConnect.
    return no(`${target.label} is a pool; Amazon Connect imports phone numbers, not pools: provision a phone number for a Connect destination`);
  }
  if (destination === 'connect' && target.numberTypes?.includes('SIMULATOR')) {
    return no(`${target.label} is a SIMULATOR number, and simulator numbers cannot deliver two-way SMS to Amazon Connect: use an SNS destination or a non-simulator number`);
  }
  return undefined;
}

/** Every pool of the account (DescribePools pages). */
async function listAllPools(deps: TaskDeps): Promise<PoolInformation[]> {
  const out: PoolInformation[] = [];
  let token: string | undefined;
  do {
    const page = await deps.sms.send(new DescribePoolsCommand({ MaxResults: 100, ...(token ? { NextToken: token } : {}) }));
    out.push(...(page.Pools ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

/**
 * The numbers and pools of the account whose two-way settings name this role (enabled or not: a stored role
 * stays, and is used again as soon as two-way is turned on). A role any of them names must never be deleted.
 */
export async function targetsNamingRole(deps: TaskDeps, roleArn: string): Promise<{ kind: TargetKind; id: string; arn: string; config: TwoWayConfig }[]> {
  try {
    const [numbers, pools] = await Promise.all([listAllNumbers(deps), listAllPools(deps)]);
    return [
      ...numbers.filter((n) => n.Status !== 'DELETED' && n.TwoWayChannelRole === roleArn).map((n) => ({ kind: 'phone-number' as const, id: n.PhoneNumberId!, arn: n.PhoneNumberArn!, config: configOf(n) })),
      ...pools.filter((p) => p.Status !== 'DELETING' && p.TwoWayChannelRole === roleArn).map((p) => ({ kind: 'pool' as const, id: p.PoolId!, arn: p.PoolArn!, config: configOf(p) })),
    ];
  } catch (e) {
    throw classifyAwsError(e, `listing the numbers and pools that name role ${roleArn}`);
  }
}

/** Finds the number or pool, reading only; `undefined` when it does not exist. */
export async function findTarget(deps: TaskDeps, ref: TargetRef): Promise<Target | undefined> {
  try {
    return ref.kind === 'pool' ? await findPool(deps, ref.ref) : await findNumber(deps, ref.ref);
  } catch (e) {
    throw classifyAwsError(e, `reading ${describeRef(ref)}`);
  }
}

/** Finds the number or pool, reading only; a missing one is `NumberNotEligible` naming the request field. */
export async function resolveTarget(deps: TaskDeps, ref: TargetRef): Promise<Target> {
  const target = await findTarget(deps, ref);
  if (!target) {
    throw new NumberNotEligible(`${describeRef(ref)} does not exist (region ${deps.config.region})`, { field: ref.field });
  }
  return target;
}

/** The current two-way settings of a number or pool, by id. */
export async function readTwoWay(deps: TaskDeps, kind: TargetKind, id: string): Promise<TwoWayConfig> {
  const target = await findTarget(deps, { kind, ref: id, field: kind === 'pool' ? 'poolId' : 'phoneNumberId' });
  if (!target) throw new NumberNotEligible(`${kind === 'pool' ? 'pool' : 'phone number'} ${id} no longer exists`, { field: kind === 'pool' ? 'poolId' : 'phoneNumberId' });
  return target.config;
}

/**
 * The UpdatePhoneNumber / UpdatePool call that sets `config`. Disabling sends only `TwoWayEnabled=false`:
 * the channel and role members cannot be emptied (minimum lengths), and AWS keeps them while two-way is off.
 */
export function twoWayCommand(kind: TargetKind, id: string, config: TwoWayConfig): { action: string; command: UpdatePhoneNumberCommand | UpdatePoolCommand } {
  const fields = config.enabled
    ? {
        TwoWayEnabled: true,
        ...(config.channelArn ? { TwoWayChannelArn: config.channelArn } : {}),
        ...(config.channelRole ? { TwoWayChannelRole: config.channelRole } : {}),
      }
    : { TwoWayEnabled: false };
  return kind === 'pool'
    ? { action: 'sms-voice:UpdatePool', command: new UpdatePoolCommand({ PoolId: id, ...fields }) }
    : { action: 'sms-voice:UpdatePhoneNumber', command: new UpdatePhoneNumberCommand({ PhoneNumberId: id, ...fields }) };
}

/** Sends the command of `twoWayCommand` (the union of two command types needs one call per type). */
export async function sendTwoWay(deps: TaskDeps, command: UpdatePhoneNumberCommand | UpdatePoolCommand): Promise<TwoWayConfig> {
  const out = command instanceof UpdatePoolCommand ? await deps.sms.send(command) : await deps.sms.send(command);
  return configOf(out);
}

/**
 * Whether two settings deliver the same way. With two-way off, channel and role do not matter (AWS keeps them
 * stored but delivers nothing); with it on, all three must match, a missing role being different from any role.
 */
export function sameTwoWay(a: TwoWayConfig, b: TwoWayConfig): boolean {
  if (a.enabled !== b.enabled) return false;
  return !a.enabled || (a.channelArn === b.channelArn && a.channelRole === b.channelRole);
}

/** The API members in which `actual` differs from `expected`, with both values, for an error message. */
export function twoWayDifferences(actual: TwoWayConfig, expected: TwoWayConfig): string[] {
  const show = (v: unknown) => (v === undefined ? '(not set)' : String(v));
  const out: string[] = [];
  if (actual.enabled !== expected.enabled) out.push(`TwoWayEnabled is ${actual.enabled}, expected ${expected.enabled}`);
  if (expected.enabled) {
    if (actual.channelArn !== expected.channelArn) out.push(`TwoWayChannelArn is ${show(actual.channelArn)}, expected ${show(expected.channelArn)}`);
    if (actual.channelRole !== expected.channelRole) out.push(`TwoWayChannelRole is ${show(actual.channelRole)}, expected ${show(expected.channelRole)}`);
  }
  return out;
}

export function describeTwoWay(c: TwoWayConfig): string {
  if (!c.enabled) return 'two-way disabled';
  return `two-way to ${c.channelArn ?? '(no channel)'}${c.channelRole ? ` with role ${c.channelRole}` : ' without a role'}`;
}

/** The Connect two-way destination of a region: a literal, not an ARN. */
export function connectChannel(region: string, partition: string): string {
  return `connect.${region}.${partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

/**
 * The two-way settings the request's destination asks for, from what EnsureTopic / EnsureAccess /
 * EnsureConnectRole returned (their results name the topic and role actually used), falling back to the
 * ARNs the request gives when those steps have no result.
 */
export function desiredConfig(request: ProvisionRequest, results: Record<string, unknown>, deps: Pick<TaskDeps, 'config'>, number?: Pick<NumberResult, 'region' | 'partition'>): TwoWayConfig {
  const region = number?.region ?? deps.config.region;
  const partition = number?.partition ?? deps.config.partition;
  const access = results.access as AccessResult | undefined;
  const d = request.destination;
  if (d.type === 'connect') {
    const role = access?.roleArn ?? ('arn' in d.role ? d.role.arn : undefined);
    if (!role) throw new InvalidInput('the Connect two-way role is not known yet: EnsureConnectRole has no result (results.access.roleArn)', { field: 'destination.role' });
    return { enabled: true, channelArn: connectChannel(region, partition), channelRole: role };
  }
  const topic = (results.topic as TopicResult | undefined)?.arn ?? ('arn' in d.topic ? d.topic.arn : undefined);
  if (!topic) throw new InvalidInput('the SNS topic is not known yet: EnsureTopic has no result (results.topic.arn)', { field: 'destination.topic' });
  if (d.access.type === 'topicPolicy') return { enabled: true, channelArn: topic };
  const role = access?.roleArn ?? ('arn' in d.access.role ? d.access.role.arn : undefined);
  if (!role) throw new InvalidInput('the two-way role is not known yet: EnsureAccess has no result (results.access.roleArn)', { field: 'destination.access.role' });
  return { enabled: true, channelArn: topic, channelRole: role };
}

/** The before-image ValidateNumber records in the ledger (`beforeImage`), read by EnableTwoWay and UndoTwoWay. */
export interface BeforeImage {
  kind: TargetKind;
  id: string;
  arn: string;
  config: TwoWayConfig;
  /** Whether inbound SMS was delivered with `config` (absent in images recorded before verdicts were kept). */
  verdict?: { deliverable: boolean; reason?: string };
  /** The "not exactly reversible" notes were written to the audit trail (once per provisioning). */
  notReversibleAudited?: boolean;
}

/** What EnableTwoWay records in the ledger (`twoWay`): the target, the settings it set and those it replaced. */
export interface TwoWayLedgerData {
  kind: TargetKind;
  id: string;
  arn: string;
  desired: TwoWayConfig;
  before: TwoWayConfig;
}
