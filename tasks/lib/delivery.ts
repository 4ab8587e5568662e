import { DescribeKeyCommand, GetKeyPolicyCommand, NotFoundException as KmsNotFound } from '@aws-sdk/client-kms';
import { GetTopicAttributesCommand, NotFoundException as SnsNotFound } from '@aws-sdk/client-sns';
import { describeConnectNumber, findImportOf, importStatusOf } from './connect';
import type { TaskDeps } from './context';
import { classifyAwsError } from './errors';
import { evaluateTwoWayDelivery, type TwoWayDeliveryInput, type TwoWayKeyInput, type TwoWayRoleInput, type TwoWayTopicInput } from './policy';
import type { TwoWayConfig } from './results';
import { readRole, type RoleView } from './role';

/**
 * Reads what lies on the path of an inbound message (the channel role, the topic, the topic's key, the Connect
 * import) and asks the shared evaluator whether AWS would deliver it. Used by the Preflight (the configuration
 * about to be set), by ValidateNumber (the verdict of the number as found, kept with its before-image) and by
 * CheckRestored (the verdict after an undo, which must be no worse). The sandbox's inbound simulation asks the
 * same evaluator, so a verdict here predicts what `/_sandbox/inbound` does.
 */

/** A number or pool as the verdict needs it. */
export interface DeliverySubject {
  kind: 'phone-number' | 'pool';
  arn: string;
  /** `ACTIVE`, `PENDING`, ...: only an ACTIVE number receives messages. */
  status: string;
  capabilities: string[];
  config: TwoWayConfig;
  accountId: string;
  region: string;
  partition: string;
}

export interface DeliveryVerdict {
  deliverable: boolean;
  /** Why not, in the evaluator's words; absent when deliverable. */
  reason?: string;
}

/** The role as the evaluator takes it: trust policy and every permission policy, inline and attached. */
export function roleInputOf(role: RoleView): TwoWayRoleInput {
  return {
    arn: role.arn,
    trustPolicy: role.trustPolicy,
    permissionPolicies: [...role.inline.map((p) => ({ name: p.name, document: p.document })), ...role.attached.map((p) => ({ name: p.arn, document: p.document }))],
  };
}

/** The role an ARN names, or `undefined` when no role has that name (or the name belongs to another path). */
export async function readRoleInput(deps: Pick<TaskDeps, 'iam'>, roleArn: string): Promise<TwoWayRoleInput | undefined> {
  const role = await readRole(deps, roleArn.slice(roleArn.lastIndexOf('/') + 1));
  return role && role.arn === roleArn ? roleInputOf(role) : undefined;
}

export async function readTopicInput(deps: Pick<TaskDeps, 'sns'>, topicArn: string): Promise<{ topic: TwoWayTopicInput; kmsMasterKeyId?: string } | undefined> {
  try {
    const attrs = (await deps.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes ?? {};
    return {
      topic: { arn: topicArn, fifo: attrs.FifoTopic === 'true', ...(attrs.Policy ? { policy: attrs.Policy } : {}) },
      ...(attrs.KmsMasterKeyId ? { kmsMasterKeyId: attrs.KmsMasterKeyId } : {}),
    };
  } catch (e) {
    if (e instanceof SnsNotFound) return undefined;
    throw classifyAwsError(e, `sns:GetTopicAttributes ${topicArn}`);
  }
}

export async function readKeyInput(deps: Pick<TaskDeps, 'kms'>, keyRef: string): Promise<TwoWayKeyInput | undefined> {
  try {
    const meta = (await deps.kms.send(new DescribeKeyCommand({ KeyId: keyRef }))).KeyMetadata;
    if (!meta?.Arn || !meta.KeyId) return undefined;
    const keyArn = meta.Arn;
    const policy = await deps.kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }));
    return {
      arn: keyArn,
      keyId: meta.KeyId,
      keySpec: meta.KeySpec ?? 'SYMMETRIC_DEFAULT',
      keyState: meta.KeyState ?? 'Unavailable',
      keyManager: meta.KeyManager === 'AWS' ? 'AWS' : 'CUSTOMER',
      policy: policy.Policy ?? '',
      ...(keyRef.startsWith('alias/') || keyRef.includes(':alias/') ? { alias: keyRef } : {}),
    };
  } catch (e) {
    if (e instanceof KmsNotFound) return undefined;
    throw classifyAwsError(e, `kms:DescribeKey ${keyRef}`);
  }
}

/** Adds the topic and, for an encrypted topic, its key to the evaluator's input. */
export async function addTopicPath(deps: Pick<TaskDeps, 'sns' | 'kms'>, input: TwoWayDeliveryInput, topicArn: string): Promise<void> {
  const topic = await readTopicInput(deps, topicArn);
  if (!topic) return;
  input.topic = topic.topic;
  if (topic.kmsMasterKeyId) {
    input.keyRef = topic.kmsMasterKeyId;
    const key = await readKeyInput(deps, topic.kmsMasterKeyId);
    if (key) input.key = key;
  }
}

/** `sns` for a topic ARN, `connect` for `connect.<region>.amazonaws.com[.cn]`, else `undefined`. */
export function channelKindOf(channelArn: string): 'sns' | 'connect' | undefined {
  if (/^arn:[^:]+:sns:[^:]+:\d{12}:.+/.test(channelArn)) return 'sns';
  if (/^connect\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(channelArn)) return 'connect';
  return undefined;
}

/**
 * Would an inbound SMS to this number (or to a number of this pool) be delivered with its current two-way
 * settings? The same sequence the sandbox's inbound simulation follows: the number must be ACTIVE and
 * SMS-capable, two-way enabled with a channel, and then the evaluator decides along the whole path.
 */
export async function deliveryVerdict(deps: Pick<TaskDeps, 'iam' | 'sns' | 'kms' | 'connect'>, subject: DeliverySubject): Promise<DeliveryVerdict> {
  const label = subject.kind === 'pool' ? `pool ${subject.arn}` : `phone number ${subject.arn}`;
  const no = (reason: string): DeliveryVerdict => ({ deliverable: false, reason });
  if (subject.status !== 'ACTIVE') return no(`${label} is ${subject.status}, not ACTIVE, so it receives no messages`);
  if (!subject.capabilities.includes('SMS')) return no(`${label} cannot receive SMS`);
  const { config } = subject;
  if (!config.enabled) return no(`two-way SMS is not enabled on ${label}`);
  if (!config.channelArn) return no(`two-way SMS is enabled on ${label} but no TwoWayChannelArn is set`);
  const channel = channelKindOf(config.channelArn);
  if (!channel) return no(`the TwoWayChannelArn ${config.channelArn} of ${label} is neither an SNS topic ARN nor connect.<region>.amazonaws.com`);

  const input: TwoWayDeliveryInput = {
    accountId: subject.accountId,
    region: subject.region,
    partition: subject.partition,
    originArn: subject.arn,
    channel,
    channelArn: config.channelArn,
    ...(config.channelRole ? { roleArn: config.channelRole } : {}),
  };
  if (config.channelRole) {
    const role = await readRoleInput(deps, config.channelRole);
    if (role) input.role = role;
  }
  if (channel === 'sns') {
    await addTopicPath(deps, input, config.channelArn);
  } else {
    const imported = subject.kind === 'phone-number' ? await findImportOf(deps.connect, subject.arn) : undefined;
    const described = imported?.PhoneNumberId ? await describeConnectNumber(deps.connect, imported.PhoneNumberId) : undefined;
    input.connect = {
      numberImported: described !== undefined && importStatusOf(described).status === 'CLAIMED',
      ...(imported?.TargetArn ? { instanceArn: imported.TargetArn } : {}),
      phoneNumberArn: subject.arn,
    };
  }
  const result = evaluateTwoWayDelivery(input);
  return result.deliverable ? { deliverable: true } : no(result.reason ?? 'a check on the delivery path failed');
}
