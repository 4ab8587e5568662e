import { DescribePhoneNumbersCommand, DescribePoolsCommand, type PhoneNumberInformation, type PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { AwsThrottled, AwsTransientError, classifyAwsError, isAwsError } from '../tasks/lib/errors';
import { configOf, type EligibilitySubject } from '../tasks/lib/number';
import { targetLabel } from '../tasks/lib/reversibility';
import type { TwoWayConfig } from '../tasks/lib/results';
import { ApiProblem, invalid } from './problem';

/**
 * Which phone number or pool a request is about. The API turns every accepted form (id, ARN, E.164) into the
 * id, because the id is the state machine's lock key and the key of the provisioning records: two requests
 * naming one number differently must collide. Read-only: DescribePhoneNumbers (to find an E.164 number, and to
 * see that an id exists) and DescribePools.
 */
export interface Target {
  kind: 'phoneNumber' | 'pool';
  id: string;
  /** Its two-way settings as read at request time (strict resolution only). */
  config?: TwoWayConfig;
  /** What the eligibility rules can judge of it at request time (strict resolution only). */
  subject?: EligibilitySubject;
}

/** Where the service runs (from its state machine ARN): an ARN elsewhere names something it cannot reach. */
export interface ServiceLocation {
  partition: string;
  region: string;
  accountId: string;
}

export type SmsLookup = Pick<PinpointSMSVoiceV2Client, 'send'>;

const ARN = /^arn:(aws[a-z-]*):sms-voice:([a-z0-9-]+):(\d{12}):(phone-number|pool)\/([0-9a-zA-Z-]+)$/;

/** The partition, region and account of an ARN such as the state machine's. */
export function locationOf(arn: string): ServiceLocation | undefined {
  const m = /^arn:(aws[a-z-]*):[a-z0-9-]+:([a-z0-9-]+):(\d{12}):/.exec(arn);
  return m ? { partition: m[1]!, region: m[2]!, accountId: m[3]! } : undefined;
}

/**
 * Resolves a reference already checked by the schemas. `strict` (requests that start executions): an ARN of
 * another account or region is a 400 and an unknown E.164 number a 404. Not strict (the list filter): both just
 * mean nothing matches (`undefined`), since history may name numbers that have since been released.
 */
export async function resolveTarget(ref: string, field: string, sms: SmsLookup, where: ServiceLocation | undefined, strict: boolean): Promise<Target | undefined> {
  const checked = async (target: Target): Promise<Target> => {
    // A request that would start an execution names something that exists: an unknown id is a 404 now, not an
    // execution that starts, fails in ValidateNumber and rolls back.
    return strict ? { ...target, ...(await requireExisting(sms, target, ref, field, where)) } : target;
  };
  if (ref.startsWith('phone-')) return checked({ kind: 'phoneNumber', id: ref });
  if (ref.startsWith('pool-')) return checked({ kind: 'pool', id: ref });
  const arn = ARN.exec(ref);
  if (arn) {
    const [, partition, region, accountId, type, id] = arn;
    if (where && (partition !== where.partition || region !== where.region || accountId !== where.accountId)) {
      if (!strict) return undefined;
      throw invalid([{ field, message: `${field} is in partition ${partition}, account ${accountId}, region ${region}; this service manages partition ${where.partition}, account ${where.accountId}, region ${where.region}` }]);
    }
    return checked({ kind: type === 'pool' ? 'pool' : 'phoneNumber', id: id! });
  }
  const hit = await findByE164(sms, ref);
  if (hit?.PhoneNumberId) return { kind: 'phoneNumber', id: hit.PhoneNumberId, config: configOf(hit), subject: numberSubject(hit) };
  if (!strict) return undefined;
  throw new ApiProblem('phoneNumberNotFound', `no phone number ${ref} in account ${where?.accountId ?? '(this account)'}, region ${where?.region ?? '(this region)'}`, [
    { field, message: `no phone number ${ref} in this account and region` },
  ]);
}

/**
 * 404 unless the number (not released) or pool exists: DescribePhoneNumbers / DescribePools by id, read-only.
 * Returns its two-way settings.
 */
async function requireExisting(sms: SmsLookup, target: Target, ref: string, field: string, where: ServiceLocation | undefined): Promise<{ config: TwoWayConfig; subject: EligibilitySubject }> {
  const what = target.kind === 'pool' ? 'pool' : 'phone number';
  let found: { config: TwoWayConfig; subject: EligibilitySubject } | undefined;
  try {
    if (target.kind === 'pool') {
      const out = await sms.send(new DescribePoolsCommand({ PoolIds: [target.id] }));
      const pool = (out.Pools ?? []).find((p) => p.PoolId === target.id && p.Status !== 'DELETING');
      if (pool) found = { config: configOf(pool), subject: { kind: 'pool', label: targetLabel('pool', target.id), status: pool.Status ?? 'UNKNOWN' } };
    } else {
      const out = await sms.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [target.id] }));
      const n = (out.PhoneNumbers ?? []).find((x) => x.PhoneNumberId === target.id && x.Status !== 'DELETED');
      if (n) found = { config: configOf(n), subject: numberSubject(n) };
    }
  } catch (e) {
    if (!isAwsError(e, 'ResourceNotFoundException')) throw dependencyProblem(e, target.kind === 'pool' ? 'sms-voice:DescribePools' : 'sms-voice:DescribePhoneNumbers');
  }
  if (found) return found;
  throw new ApiProblem('phoneNumberNotFound', `no ${what} ${ref} in account ${where?.accountId ?? '(this account)'}, region ${where?.region ?? '(this region)'}`, [
    { field, message: `no ${what} ${ref} in this account and region` },
  ]);
}

function numberSubject(n: PhoneNumberInformation): EligibilitySubject {
  return {
    kind: 'phone-number',
    label: targetLabel('phone-number', n.PhoneNumberId ?? ''),
    status: n.Status ?? 'UNKNOWN',
    capabilities: [...(n.NumberCapabilities ?? [])],
    numberTypes: n.NumberType ? [n.NumberType] : [],
    ...(n.PoolId ? { poolId: n.PoolId } : {}),
  };
}

async function findByE164(sms: SmsLookup, e164: string): Promise<PhoneNumberInformation | undefined> {
  let token: string | undefined;
  do {
    let page;
    try {
      page = await sms.send(new DescribePhoneNumbersCommand({ ...(token ? { NextToken: token } : {}), MaxResults: 100 }));
    } catch (e) {
      throw dependencyProblem(e, 'sms-voice:DescribePhoneNumbers');
    }
    const hit = page.PhoneNumbers?.find((n) => n.PhoneNumber === e164 && n.Status !== 'DELETED');
    if (hit?.PhoneNumberId) return hit;
    token = page.NextToken;
  } while (token);
  return undefined;
}

/** A throttled or failing AWS dependency is a 503 with Retry-After; anything else is rethrown (a 500). */
export function dependencyProblem(e: unknown, what: string): unknown {
  const classified = classifyAwsError(e, what);
  if (classified instanceof AwsThrottled || classified instanceof AwsTransientError) {
    return new ApiProblem('unavailable', `${what} is throttled or unavailable; retry later`, [], { 'Retry-After': '1' });
  }
  return e;
}
