import type { DeprovisionBody, ProvisionBody } from '../schemas';
import { UsageError } from './errors';

/**
 * `provision` flags → the POST /v1/provisionings body. Only the combinations are checked here (which flags go
 * together); the values themselves are the API's to validate, so there is one set of rules, and its 400 names
 * the field (which `flagOf` maps back to the flag).
 */

export interface ProvisionFlags {
  topicName?: string;
  kmsKey?: string;
  topicArn?: string;
  roleName?: string;
  newRole?: boolean;
  roleArn?: string;
  topicPolicy?: boolean;
  connectInstance?: string;
  contactFlow?: string;
  pool?: boolean;
  ticket?: string;
  ticketUrl?: string;
}

type Ticket = NonNullable<ProvisionBody['ticket']>;
type RoleSpec = { create: { name?: string } } | { arn: string };

const ROLE_CHOICES = '--new-role, --role-name NAME or --role-arn ARN';

export function provisionBody(target: string, f: ProvisionFlags): ProvisionBody {
  const sns = f.topicName !== undefined || f.topicArn !== undefined;
  const connect = f.connectInstance !== undefined;
  if (sns && connect) {
    throw new UsageError(`${f.topicName !== undefined ? '--topic-name' : '--topic-arn'} and --connect-instance cannot be used together: choose one destination, an SNS topic or an Amazon Connect instance`);
  }
  if (!sns && !connect) {
    throw new UsageError('choose a destination: --topic-name NAME [--kms-key ID] or --topic-arn ARN (an SNS topic), or --connect-instance ID (Amazon Connect)');
  }
  if (f.topicName !== undefined && f.topicArn !== undefined) {
    throw new UsageError('--topic-name and --topic-arn cannot be used together: create a topic (--topic-name) or use an existing one (--topic-arn)');
  }
  if (f.kmsKey !== undefined && f.topicName === undefined) {
    throw new UsageError('--kms-key applies only to a topic created with --topic-name (an existing topic keeps its own key)');
  }
  if (f.contactFlow !== undefined && !connect) throw new UsageError('--contact-flow applies only with --connect-instance');

  const access = [f.roleName !== undefined && '--role-name', f.newRole && '--new-role', f.roleArn !== undefined && '--role-arn', f.topicPolicy && '--topic-policy'].filter(
    (x): x is string => typeof x === 'string',
  );
  if (access.length > 1) throw new UsageError(`${access.join(' and ')} cannot be used together: choose one of ${connect ? ROLE_CHOICES : `${ROLE_CHOICES}, or --topic-policy`}`);

  const ticket = ticketOf(f.ticket, f.ticketUrl);
  const targetField = f.pool ? { poolId: target } : { phoneNumberId: target };

  if (connect) {
    if (f.topicPolicy) throw new UsageError(`--topic-policy applies only to an SNS topic; an Amazon Connect destination needs a role: ${ROLE_CHOICES}`);
    if (access.length === 0) throw new UsageError(`--connect-instance needs a role: ${ROLE_CHOICES}`);
    return {
      ...targetField,
      destination: { type: 'connect', instanceId: f.connectInstance!, role: roleOf(f), ...(f.contactFlow !== undefined ? { contactFlowId: f.contactFlow } : {}) },
      ...(ticket ? { ticket } : {}),
    };
  }
  if (access.length === 0) throw new UsageError(`an SNS topic needs an access: ${ROLE_CHOICES} (a role two-way SMS assumes), or --topic-policy (a statement in the topic policy)`);
  const topic = f.topicName !== undefined ? { create: { name: f.topicName, ...(f.kmsKey !== undefined ? { kmsKeyId: f.kmsKey } : {}) } } : { arn: f.topicArn! };
  return {
    ...targetField,
    destination: { type: 'sns', topic, access: f.topicPolicy ? { type: 'topicPolicy' } : { type: 'role', role: roleOf(f) } },
    ...(ticket ? { ticket } : {}),
  };
}

function roleOf(f: ProvisionFlags): RoleSpec {
  if (f.roleArn !== undefined) return { arn: f.roleArn };
  return { create: f.roleName !== undefined ? { name: f.roleName } : {} };
}

export function deprovisionBody(ticket?: string, ticketUrl?: string): DeprovisionBody | undefined {
  const t = ticketOf(ticket, ticketUrl);
  return t ? { ticket: t } : undefined;
}

/** `--ticket SYSTEM:KEY` (the key may itself contain colons: `servicenow:CHG0001:2`). */
export function ticketOf(ticket: string | undefined, url: string | undefined): Ticket | undefined {
  if (ticket === undefined) {
    if (url !== undefined) throw new UsageError('--ticket-url needs --ticket SYSTEM:KEY');
    return undefined;
  }
  const m = /^([^:]+):(.+)$/s.exec(ticket);
  if (!m) throw new UsageError(`--ticket must be SYSTEM:KEY, e.g. jira:OPS-42 (got '${ticket}')`);
  return { system: m[1]!, key: m[2]!, ...(url !== undefined ? { url } : {}) };
}

/** The flag behind an API field, to say which flag to fix when the API refuses a value. */
export function flagOf(field: string, overrides: Record<string, string> = {}): string | undefined {
  if (overrides[field]) return overrides[field];
  const rules: [RegExp, string][] = [
    [/^phoneNumberId$/, '<phoneNumber>'],
    [/^poolId$/, '<phoneNumber> with --pool'],
    [/^destination\.topic\.create\.name$/, '--topic-name'],
    [/^destination\.topic\.create\.kmsKeyId$/, '--kms-key'],
    [/^destination\.topic\.arn$/, '--topic-arn'],
    [/^destination\.(access\.)?role\.create\.name$/, '--role-name'],
    [/^destination\.(access\.)?role\.arn$/, '--role-arn'],
    [/^destination\.instanceId$/, '--connect-instance'],
    [/^destination\.contactFlowId$/, '--contact-flow'],
    [/^ticket\.url$/, '--ticket-url'],
    [/^ticket(\.|$)/, '--ticket'],
    [/^Idempotency-Key$/i, '--idempotency-key'],
    [/^status$/, '--status'],
    [/^limit$/, '--limit'],
    [/^nextToken$/, '--next-token'],
  ];
  return rules.find(([re]) => re.test(field))?.[1];
}
