import { randomUUID } from 'node:crypto';
import {
  awsManagedSnsKeyPolicy,
  defaultTopicPolicy,
  evaluateTwoWayDelivery,
  type TwoWayDeliveryInput,
  type TwoWayKeyInput,
} from '../../tasks/lib/policy';
import { ControlError } from './core/errors';
import type { Sandbox } from './sandbox';
import { findImportBySource } from './services/connect';
import { findRoleByArn, rolePermissionDocuments } from './services/iam';
import { resolveKey } from './services/kms';
import { channelKind, effectiveTwoWay, findPhoneNumber, type PhoneNumberRecord } from './services/sms-voice';
import { publishToTopic } from './services/sns';
import type { InboundRecord } from './state';

export interface InboundResult {
  delivered: boolean;
  channel: 'sns' | 'connect' | null;
  destination: string | null;
  payload?: Record<string, string>;
  reason?: string;
}

interface InboundInput {
  destinationNumber: string;
  originationNumber: string;
  messageBody: string;
  previousPublishedMessageId?: string;
}

const E164 = /^\+[1-9]\d{1,14}$/;
const FIELDS = new Set(['destinationNumber', 'originationNumber', 'messageBody', 'previousPublishedMessageId']);
/** An SMS body as End User Messaging accepts it: up to 1600 characters (concatenated parts). */
const MAX_BODY = 1600;
/** Not an AWS limit: only keeps a control-API field to a sane size. */
const MAX_PREVIOUS_ID = 1024;

function validate(raw: unknown): InboundInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ControlError(400, 'body must be a JSON object');
  const body = raw as Record<string, unknown>;
  for (const key of Object.keys(body)) if (!FIELDS.has(key)) throw new ControlError(400, `unknown field '${key}'`, key);
  for (const field of ['destinationNumber', 'originationNumber'] as const) {
    const v = body[field];
    if (v === undefined) throw new ControlError(400, `'${field}' is required`, field);
    if (typeof v !== 'string' || !E164.test(v)) throw new ControlError(400, `'${field}' must be an E.164 phone number such as +12065550100`, field);
  }
  const text = body.messageBody;
  if (text === undefined) throw new ControlError(400, "'messageBody' is required", 'messageBody');
  if (typeof text !== 'string') throw new ControlError(400, "'messageBody' must be a string", 'messageBody');
  const length = [...text].length;
  if (length < 1 || length > MAX_BODY) throw new ControlError(400, `'messageBody' must be 1 to ${MAX_BODY} characters long (got ${length})`, 'messageBody');
  const previous = body.previousPublishedMessageId;
  if (previous !== undefined && (typeof previous !== 'string' || previous.length < 1 || previous.length > MAX_PREVIOUS_ID)) {
    throw new ControlError(400, `'previousPublishedMessageId' must be a string of 1 to ${MAX_PREVIOUS_ID} characters`, 'previousPublishedMessageId');
  }
  return {
    destinationNumber: body.destinationNumber as string,
    originationNumber: body.originationNumber as string,
    messageBody: text,
    ...(previous !== undefined ? { previousPublishedMessageId: previous as string } : {}),
  };
}

/**
 * The keyword of an inbound message: End User Messaging reports the registered keyword the message matched;
 * the sandbox has no keyword registry, so (as for an unregistered keyword) it reports the first word, upper-cased.
 */
function keywordOf(body: string): string {
  return (body.trim().split(/\s+/)[0] ?? '').toUpperCase();
}

/**
 * The docs/domain.md §3 payload. `previousPublishedMessageId` identifies the outbound message the customer replied
 * to; the sandbox sends no outbound messages, so it is present only when the caller names one (a consumer must
 * tolerate its absence; it never carries an invented id).
 */
function payloadOf(input: InboundInput, inboundMessageId: string): Record<string, string> {
  return {
    originationNumber: input.originationNumber,
    destinationNumber: input.destinationNumber,
    messageKeyword: keywordOf(input.messageBody),
    messageBody: input.messageBody,
    inboundMessageId,
    ...(input.previousPublishedMessageId !== undefined ? { previousPublishedMessageId: input.previousPublishedMessageId } : {}),
  };
}

function aliasOf(ref: string): string | undefined {
  if (ref.startsWith('alias/')) return ref;
  const at = ref.indexOf(':alias/');
  return at >= 0 ? ref.slice(at + 1) : undefined;
}

/** The key a topic's `KmsMasterKeyId` names, in the shape the evaluator takes; undefined if there is none. */
function topicKey(sb: Sandbox, ref: string): TwoWayKeyInput | undefined {
  const alias = aliasOf(ref);
  const key = resolveKey(sb.baseContext('kms', 'DescribeKey'), ref);
  if (key) {
    return {
      arn: key.Arn,
      keyId: key.KeyId,
      keySpec: key.KeySpec,
      keyState: key.KeyState,
      keyManager: key.KeyManager,
      policy: key.Policy,
      ...(alias ? { alias } : {}),
    };
  }
  // The AWS managed key behind alias/aws/sns exists from SNS's first use of it; stand it in if KMS has none yet.
  if (alias === 'alias/aws/sns') {
    return {
      arn: `arn:${sb.partition}:kms:${sb.region}:${sb.accountId}:alias/aws/sns`,
      keyId: 'alias/aws/sns',
      keySpec: 'SYMMETRIC_DEFAULT',
      keyState: 'Enabled',
      keyManager: 'AWS',
      policy: JSON.stringify(awsManagedSnsKeyPolicy({ accountId: sb.accountId, region: sb.region, partition: sb.partition })),
      alias,
    };
  }
  return undefined;
}

/** Everything on the message's path, read from the sandbox state. */
function deliveryInput(sb: Sandbox, n: PhoneNumberRecord, kind: 'sns' | 'connect', channelArn: string, roleArn: string | undefined, originArn: string): TwoWayDeliveryInput {
  const where = { accountId: sb.accountId, region: sb.region, partition: sb.partition };
  const role = roleArn ? findRoleByArn(sb.state, roleArn) : undefined;
  const input: TwoWayDeliveryInput = {
    ...where,
    originArn,
    channel: kind,
    channelArn,
    ...(roleArn ? { roleArn } : {}),
    ...(role ? { role: { arn: role.Arn, trustPolicy: role.AssumeRolePolicyDocument, permissionPolicies: rolePermissionDocuments(sb.state, role) } } : {}),
  };
  if (kind === 'sns') {
    const topic = Object.hasOwn(sb.state.sns.topics, channelArn) ? sb.state.sns.topics[channelArn] : undefined;
    if (topic) {
      // SNS always has a topic policy: one created without a Policy attribute gets the owner-only default.
      const policy = topic.Attributes.Policy ?? JSON.stringify(defaultTopicPolicy({ accountId: sb.accountId, topicArn: topic.TopicArn }));
      input.topic = { arn: topic.TopicArn, policy, fifo: topic.Attributes.FifoTopic === 'true' };
      const keyRef = topic.Attributes.KmsMasterKeyId;
      if (keyRef) {
        input.keyRef = keyRef;
        const key = topicKey(sb, keyRef);
        if (key) input.key = key;
      }
    }
  } else {
    const imported = findImportBySource(sb.state, n.PhoneNumberArn, sb.clock());
    input.connect = {
      numberImported: imported?.PhoneNumberStatus.Status === 'CLAIMED',
      phoneNumberArn: n.PhoneNumberArn,
      ...(imported ? { instanceArn: imported.TargetArn } : {}),
    };
  }
  return input;
}

/**
 * Simulates an inbound SMS to one of the sandbox's numbers: decides delivery with the policy evaluator exactly
 * as the preflight check does, then publishes the docs/domain.md §3 payload to the topic or records a Connect chat
 * event; or drops the message. Every message is recorded in `state.inbound`, with the reason when dropped.
 */
export async function simulateInbound(sb: Sandbox, raw: unknown): Promise<InboundResult> {
  const input = validate(raw);
  const n = findPhoneNumber(sb.state, input.destinationNumber);
  if (!n || n.PhoneNumber !== input.destinationNumber) throw new ControlError(404, `no phone number ${input.destinationNumber} in the sandbox`, 'destinationNumber');

  const inboundMessageId = randomUUID();
  const now = sb.clock().toISOString();
  const finish = (result: InboundResult): InboundResult => {
    const record: InboundRecord = {
      inboundMessageId,
      at: now,
      destinationNumber: input.destinationNumber,
      originationNumber: input.originationNumber,
      delivered: result.delivered,
      channel: result.channel,
      destination: result.destination,
      ...(result.reason !== undefined ? { reason: result.reason } : {}),
    };
    sb.state.inbound.push(record);
    return result;
  };
  const drop = (reason: string, channel: InboundResult['channel'] = null, destination: string | null = null): InboundResult =>
    finish({ delivered: false, channel, destination, reason });

  if (n.Status !== 'ACTIVE') return drop(`phone number ${n.PhoneNumber} (${n.PhoneNumberId}) is ${n.Status}, not ACTIVE, so it receives no messages`);
  if (!n.NumberCapabilities.includes('SMS')) return drop(`phone number ${n.PhoneNumber} (${n.PhoneNumberId}) has no SMS capability`);

  const twoWay = effectiveTwoWay(sb.state, n);
  const holder = twoWay.source === 'pool' ? `pool ${twoWay.sourceArn} (which holds the two-way settings of ${n.PhoneNumber})` : `phone number ${n.PhoneNumber} (${n.PhoneNumberId})`;
  if (!twoWay.TwoWayEnabled) return drop(`two-way SMS is not enabled on ${holder}, so the message is not delivered anywhere`);
  const channelArn = twoWay.TwoWayChannelArn;
  if (!channelArn) return drop(`two-way SMS is enabled on ${holder} but no TwoWayChannelArn is set`);
  const kind = channelKind(channelArn);
  if (kind.kind === 'other') return drop(`the TwoWayChannelArn ${channelArn} of ${holder} is neither an SNS topic ARN nor connect.<region>.amazonaws.com`, null, channelArn);
  if (kind.kind === 'connect' && kind.region !== sb.region) {
    return drop(`the Connect destination ${channelArn} is in another region than ${sb.region}; two-way delivers to Connect only in the number's region`, 'connect', channelArn);
  }

  const decision = evaluateTwoWayDelivery(deliveryInput(sb, n, kind.kind, channelArn, twoWay.TwoWayChannelRole, twoWay.sourceArn));
  if (!decision.deliverable) return drop(decision.reason ?? 'not deliverable', kind.kind, channelArn);

  if (kind.kind === 'sns') {
    const payload = payloadOf(input, inboundMessageId);
    publishToTopic(sb.baseContext('sns', 'Publish'), channelArn, JSON.stringify(payload));
    return finish({ delivered: true, channel: 'sns', destination: channelArn, payload });
  }
  const imported = findImportBySource(sb.state, n.PhoneNumberArn, sb.clock())!;
  sb.state.connect.events.push({
    eventId: randomUUID(),
    at: now,
    instanceId: imported.InstanceId,
    connectPhoneNumberId: imported.PhoneNumberId,
    originationNumber: input.originationNumber,
    destinationNumber: input.destinationNumber,
    messageBody: input.messageBody,
    roleArn: twoWay.TwoWayChannelRole!,
  });
  // Connect receives a chat integration event, not the SNS payload: the result carries none.
  return finish({ delivered: true, channel: 'connect', destination: channelArn });
}
