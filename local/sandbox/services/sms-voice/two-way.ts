import { evaluate, PolicyParseError, SMS_VOICE_SERVICE_PRINCIPAL } from '../../../../tasks/lib/policy';
import type { CallContext } from '../../core/types';
import type { RoleRecord } from '../iam/model';
import type { NumberType } from './model';
import { validationError } from './validate';

/**
 * Countries whose numbers the sandbox lets receive two-way SMS. A deliberately small list modelled on the
 * "SMS two-way" column of AWS's supported-countries tables (US, CA, CR and DO are read from the North America
 * table; AU, GB and PR are well-known two-way long-code countries). Every other country, e.g. `DE`, `FR`, `IN`,
 * is treated as having no two-way, so a number there answers `TWO_WAY_NOT_SUPPORTED_IN_COUNTRY`.
 */
export const TWO_WAY_COUNTRIES: readonly string[] = Object.freeze(['AU', 'CA', 'CR', 'DO', 'GB', 'PR', 'US']);

export const SMS_VOICE_PRINCIPAL = SMS_VOICE_SERVICE_PRINCIPAL;

/** A Connect destination is the literal `connect.<region>.amazonaws.com` (`.com.cn` in China), not an ARN. */
const CONNECT_DESTINATION = /^connect\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const SNS_TOPIC_ARN = /^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/;

export type ChannelKind = { kind: 'connect'; region: string } | { kind: 'sns'; topicArn: string } | { kind: 'other' };

export function channelKind(channel: string): ChannelKind {
  const connect = CONNECT_DESTINATION.exec(channel);
  if (connect) return { kind: 'connect', region: connect[1]! };
  if (SNS_TOPIC_ARN.test(channel)) return { kind: 'sns', topicArn: channel };
  return { kind: 'other' };
}

/** What is being configured: one number, or a pool with its numbers. */
export interface TwoWaySubject {
  resourceArn: string;
  countries: readonly string[];
  numberTypes: readonly NumberType[];
}

export interface TwoWayRequest {
  TwoWayEnabled?: boolean;
  TwoWayChannelArn?: string;
  TwoWayChannelRole?: string;
}

export interface TwoWayConfig {
  TwoWayEnabled: boolean;
  TwoWayChannelArn?: string;
  TwoWayChannelRole?: string;
}

/**
 * Validates the two-way configuration that an UpdatePhoneNumber / UpdatePool call would leave, the way AWS does
 * at setup time, and returns it. Checked only when the result has two-way enabled: disabling, or storing a
 * channel while two-way stays off, is accepted as is. Topic policies and KMS key policies are deliberately not
 * checked (AWS does not either: such problems show up only as inbound messages that never arrive).
 *
 * Omitted fields keep their current values; in particular `TwoWayEnabled=false` keeps the channel and role, so
 * re-enabling later restores the same destination (the model documents no clearing, and there is no way to
 * send an empty channel: the ARN members have a minimum length of 20).
 */
export function resolveTwoWay(ctx: CallContext, subject: TwoWaySubject, current: TwoWayConfig, req: TwoWayRequest): TwoWayConfig {
  const next: TwoWayConfig = {
    TwoWayEnabled: req.TwoWayEnabled ?? current.TwoWayEnabled,
    ...((req.TwoWayChannelArn ?? current.TwoWayChannelArn) !== undefined ? { TwoWayChannelArn: req.TwoWayChannelArn ?? current.TwoWayChannelArn } : {}),
    ...((req.TwoWayChannelRole ?? current.TwoWayChannelRole) !== undefined ? { TwoWayChannelRole: req.TwoWayChannelRole ?? current.TwoWayChannelRole } : {}),
  };
  const touched = req.TwoWayEnabled !== undefined || req.TwoWayChannelArn !== undefined || req.TwoWayChannelRole !== undefined;
  if (!touched || !next.TwoWayEnabled) return next;

  const unsupported = subject.countries.find((c) => !TWO_WAY_COUNTRIES.includes(c));
  if (unsupported) {
    throw validationError('TWO_WAY_NOT_SUPPORTED_IN_COUNTRY', `Two-way SMS is not supported in ${unsupported}.`, [
      { Name: 'TwoWayEnabled', Message: `Two-way SMS is not supported in ${unsupported}` },
    ]);
  }
  const channel = next.TwoWayChannelArn;
  if (channel === undefined) {
    throw validationError('TWO_WAY_CHANNEL_NOT_PRESENT', 'TwoWayChannelArn is required to enable two-way SMS.', [
      { Name: 'TwoWayChannelArn', Message: 'Member is required when TwoWayEnabled is true' },
    ]);
  }
  const kind = channelKind(channel);
  switch (kind.kind) {
    case 'connect':
      if (kind.region !== ctx.region) {
        throw validationError('TWO_WAY_NOT_SUPPORTED_IN_REGION', `Amazon Connect destination ${channel} is not in the region of this request (${ctx.region}).`, [
          { Name: 'TwoWayChannelArn', Message: `Connect two-way destination must be connect.${ctx.region}.amazonaws.com` },
        ]);
      }
      // AWS documents that simulator numbers cannot use an Amazon Connect destination, but not the Reason it
      // answers. The value is valid in form and wrong for this number, so INVALID_PARAMETER naming the channel is
      // the closest modelled reason (the TWO_WAY_NOT_SUPPORTED_IN_* reasons are about country and region, and a
      // simulator number is a US number in a supported region).
      if (subject.numberTypes.includes('SIMULATOR')) {
        throw validationError('INVALID_PARAMETER', 'Simulator phone numbers do not support Amazon Connect as a two-way channel.', [
          { Name: 'TwoWayChannelArn', Message: 'Amazon Connect is not supported for SIMULATOR numbers' },
        ]);
      }
      break;
    case 'sns':
      if (!Object.hasOwn(ctx.state.sns.topics, kind.topicArn)) {
        throw validationError('TWO_WAY_TOPIC_NOT_PRESENT', `The SNS topic ${channel} does not exist.`, [{ Name: 'TwoWayChannelArn', Message: 'Topic does not exist' }]);
      }
      break;
    case 'other':
      throw validationError('INVALID_ARN', `${channel} is neither an SNS topic ARN nor an Amazon Connect destination.`, [
        { Name: 'TwoWayChannelArn', Message: 'Member must be an SNS topic ARN or connect.<region>.amazonaws.com' },
      ]);
  }
  if (next.TwoWayChannelRole !== undefined) checkRole(ctx, subject, next.TwoWayChannelRole);
  return next;
}

/**
 * The role must exist, trust `sms-voice.amazonaws.com` for this account and have propagated: AWS answers all
 * three with RESOURCE_NOT_ACCESSIBLE (it cannot tell them apart: it just fails to assume the role).
 */
function checkRole(ctx: CallContext, subject: TwoWaySubject, roleArn: string): void {
  const fail = (why: string) =>
    validationError('RESOURCE_NOT_ACCESSIBLE', `The role ${roleArn} cannot be assumed by ${SMS_VOICE_PRINCIPAL}: ${why}.`, [
      { Name: 'TwoWayChannelRole', Message: why },
    ]);
  const role = findRoleByArn(ctx, roleArn);
  if (!role) throw fail('the role does not exist');
  const trust = trustDecision(role, { accountId: ctx.accountId, sourceArn: subject.resourceArn });
  if (!trust.allowed) throw fail(trust.explanation);
  const usableAt = Date.parse(role.CreateDate) + ctx.sandbox.iamPropagationDelayMs();
  if (usableAt > ctx.now.getTime()) throw fail('the role was created too recently and has not propagated yet');
}

function findRoleByArn(ctx: CallContext, arn: string): RoleRecord | undefined {
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  const byName = Object.hasOwn(ctx.state.iam.roles, name) ? ctx.state.iam.roles[name] : undefined;
  if (byName?.Arn === arn) return byName;
  // Role names are case-insensitive in IAM; the ARN still has to match exactly.
  return Object.values(ctx.state.iam.roles).find((r) => r.Arn === arn);
}

interface TrustContext {
  accountId: string;
  /** ARN of the number or pool on whose behalf the service assumes the role. */
  sourceArn: string;
}

/**
 * Whether the role's trust policy lets `sms-voice.amazonaws.com` call `sts:AssumeRole` with the context AWS
 * sends (`aws:SourceAccount` = this account, `aws:SourceArn` = the number or pool), decided by the project's
 * policy evaluator. A document that does not parse allows nothing.
 */
export function trustDecision(role: Pick<RoleRecord, 'Arn' | 'AssumeRolePolicyDocument'>, ctx: TrustContext): { allowed: boolean; explanation: string } {
  const label = `trust policy of role ${role.Arn}`;
  try {
    const result = evaluate(
      {
        principal: { type: 'Service', id: SMS_VOICE_PRINCIPAL },
        action: 'sts:AssumeRole',
        resource: role.Arn,
        context: { 'aws:SourceAccount': ctx.accountId, 'aws:SourceArn': ctx.sourceArn },
      },
      [{ label, kind: 'resource', document: role.AssumeRolePolicyDocument }],
    );
    return { allowed: result.decision === 'Allow', explanation: result.explanation };
  } catch (err) {
    if (err instanceof PolicyParseError) return { allowed: false, explanation: `the ${label} is not a valid policy document (${err.message})` };
    throw err;
  }
}

export function trustsSmsVoice(role: Pick<RoleRecord, 'Arn' | 'AssumeRolePolicyDocument'>, ctx: TrustContext): boolean {
  return trustDecision(role, ctx).allowed;
}
