import { DescribeContactFlowCommand, DescribeInstanceCommand, type ConnectClient } from '@aws-sdk/client-connect';
import { connectInstanceId, contactFlowIdOf } from '../tasks/lib/connect';
import { DescribeKeyCommand, GetKeyPolicyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { GetTopicAttributesCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { z } from 'zod';
import { ROLE_PATH } from '../tasks/lib/context';
import { isAwsError } from '../tasks/lib/errors';
import { KEY_POLICY_NAME } from '../tasks/lib/key';
import { checkKeyOptIn, checkTopicOptIn, keyPolicyWouldChange, topicPolicyWouldChange } from '../tasks/lib/opt-in';
import { snsDestinationRolePolicy } from '../tasks/lib/policy';
import { ApiProblem, invalid, type FieldError } from './problem';
import type { ApiDestination } from './schemas';
import { dependencyProblem, type ServiceLocation } from './targets';

/**
 * What the API checks about a destination before it starts an execution, so that a request that cannot succeed
 * is refused synchronously, with the field named, instead of being accepted (202) and rolled back later:
 * - every ARN (topic, role, key, Connect instance) is of this service's partition, account and region (400);
 * - an existing topic, a key and a Connect instance exist (404);
 * - a topic or key policy the workflow would change is opted in by its owner (403, tasks/lib/opt-in.ts).
 * Read-only calls only: SNS GetTopicAttributes and ListTagsForResource, KMS DescribeKey, GetKeyPolicy and
 * ListResourceTags, Connect DescribeInstance. The tasks check all of this again (an execution can be started
 * directly); when the API may not read something (AccessDenied), it leaves the check to them.
 */
export interface DestinationLookups {
  sns: Pick<SNSClient, 'send'>;
  kms: Pick<KMSClient, 'send'>;
  connect: Pick<ConnectClient, 'send'>;
}

type Dest = z.infer<typeof ApiDestination>;

const ARN = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):/;

/** 400 naming every ARN of the destination that is outside this service's partition, account or region. */
export function foreignArnProblems(destination: Dest, where: ServiceLocation): FieldError[] {
  const out: FieldError[] = [];
  const check = (arn: string | undefined, field: string, regional: boolean): void => {
    const m = arn ? ARN.exec(arn) : null;
    if (!m) return;
    const [, partition, , region, account] = m;
    const wrong: string[] = [];
    if (partition !== where.partition) wrong.push(`partition ${partition} (not ${where.partition})`);
    if (account !== where.accountId) wrong.push(`account ${account} (not ${where.accountId})`);
    if (regional && region !== where.region) wrong.push(`region ${region} (not ${where.region})`);
    if (wrong.length) out.push({ field, message: `${field} is in ${wrong.join(', ')}: this service manages only partition ${where.partition}, account ${where.accountId}, region ${where.region}` });
  };
  if (destination.type === 'sns') {
    if ('arn' in destination.topic) check(destination.topic.arn, 'destination.topic.arn', true);
    else check(destination.topic.create.kmsKeyId, 'destination.topic.create.kmsKeyId', true);
    if (destination.access.type === 'role' && 'arn' in destination.access.role) check(destination.access.role.arn, 'destination.access.role.arn', false);
  } else {
    check(destination.instanceId, 'destination.instanceId', true);
    if ('arn' in destination.role) check(destination.role.arn, 'destination.role.arn', false);
  }
  return out;
}

/** Throws the ApiProblem that refuses the destination, if any. */
export async function checkDestination(destination: Dest, where: ServiceLocation | undefined, lookups: DestinationLookups): Promise<void> {
  if (!where) return;
  const foreign = foreignArnProblems(destination, where);
  if (foreign.length) throw invalid(foreign);
  if (destination.type === 'connect') {
    await checkConnectInstance(destination.instanceId, where, lookups);
    if (destination.contactFlowId !== undefined) await checkContactFlow(destination.instanceId, destination.contactFlowId, lookups);
    return;
  }
  return checkSns(destination, where, lookups);
}

async function checkConnectInstance(instanceId: string, where: ServiceLocation, lookups: DestinationLookups): Promise<void> {
  try {
    await lookups.connect.send(new DescribeInstanceCommand({ InstanceId: instanceId }));
  } catch (e) {
    if (isAwsError(e, 'ResourceNotFoundException')) {
      throw new ApiProblem('destinationNotFound', `no Amazon Connect instance ${instanceId} in account ${where.accountId}, region ${where.region}`, [
        { field: 'destination.instanceId', message: `no Connect instance ${instanceId} in this account and region` },
      ]);
    }
    if (isAwsError(e, 'AccessDeniedException')) return;
    throw dependencyProblem(e, 'connect:DescribeInstance');
  }
}

/** 404 naming destination.contactFlowId unless the flow exists in the instance (refused before any import). */
async function checkContactFlow(instanceIdOrArn: string, contactFlowId: string, lookups: DestinationLookups): Promise<void> {
  const instanceId = connectInstanceId(instanceIdOrArn);
  let flowId: string;
  try {
    flowId = contactFlowIdOf(contactFlowId, instanceId);
  } catch (e) {
    throw invalid([{ field: 'destination.contactFlowId', message: (e as Error).message }]);
  }
  try {
    await lookups.connect.send(new DescribeContactFlowCommand({ InstanceId: instanceId, ContactFlowId: flowId }));
  } catch (e) {
    if (isAwsError(e, 'ResourceNotFoundException')) {
      throw new ApiProblem('destinationNotFound', `no contact flow ${contactFlowId} in Amazon Connect instance ${instanceId}`, [
        { field: 'destination.contactFlowId', message: `no contact flow ${contactFlowId} in instance ${instanceId}` },
      ]);
    }
    if (isAwsError(e, 'AccessDeniedException')) return;
    throw dependencyProblem(e, 'connect:DescribeContactFlow');
  }
}

async function checkSns(destination: Extract<Dest, { type: 'sns' }>, where: ServiceLocation, lookups: DestinationLookups): Promise<void> {
  const byArn = 'arn' in destination.topic;
  const topicArn = 'arn' in destination.topic ? destination.topic.arn : `arn:${where.partition}:sns:${where.region}:${where.accountId}:${destination.topic.create.name}`;
  let keyRef: string | undefined;
  let keyField: string;
  if ('arn' in destination.topic) {
    const attributes = await topicAttributes(lookups, topicArn);
    if (attributes === 'unknown') return;
    keyRef = attributes.KmsMasterKeyId || undefined;
    keyField = 'destination.topic.arn';
    if (destination.access.type === 'topicPolicy' && topicPolicyWouldChange(attributes.Policy, { ...where, topicArn })) {
      const verdict = await readable(() => checkTopicOptIn(lookups.sns, topicArn), 'sns:ListTagsForResource');
      if (verdict && !verdict.allowed) throw notOptedIn(verdict.message!, 'destination.topic.arn');
    }
  } else {
    keyRef = destination.topic.create.kmsKeyId;
    keyField = 'destination.topic.create.kmsKeyId';
  }
  if (keyRef === undefined) return;

  const key = await describeKey(lookups, keyRef, keyField, byArn);
  // AWS-managed keys are never written (their policy cannot be changed), and keys SNS cannot use are refused by
  // EnsureTopic with its own reason: only an enabled customer managed key can need an opt-in.
  if (!key || key.KeyManager !== 'CUSTOMER' || key.KeyState !== 'Enabled' || !key.Arn) return;
  const keyArn = key.Arn;
  const policy = await readable(async () => (await lookups.kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: KEY_POLICY_NAME }))).Policy ?? '', 'kms:GetKeyPolicy');
  if (policy === undefined) return;
  const access = destination.access;
  // With a role, what the role may do matters: a role this request creates gets exactly the service's SNS role
  // policy, and a given role must grant the same to pass EnsureTopic's check, so that policy stands for both.
  const roleArn = access.type === 'role' ? ('arn' in access.role ? access.role.arn : `arn:${where.partition}:iam::${where.accountId}:role${ROLE_PATH}${access.role.create.name ?? 'TwoWaySms-new'}`) : undefined;
  const wouldChange = keyPolicyWouldChange(policy, {
    ...where,
    keyArn,
    topicArn,
    ...(roleArn
      ? { access: 'role' as const, roleArn, identityPolicies: [{ label: `permission policy of role ${roleArn}`, kind: 'identity' as const, document: snsDestinationRolePolicy({ accountId: where.accountId, topicArn }) }] }
      : { access: 'topicPolicy' as const }),
  });
  if (!wouldChange) return;
  const verdict = await readable(() => checkKeyOptIn(lookups.kms, keyArn), 'kms:ListResourceTags');
  if (verdict && !verdict.allowed) throw notOptedIn(verdict.message!, keyField);
}

function notOptedIn(message: string, field: string): ApiProblem {
  return new ApiProblem('notOptedIn', message, [{ field, message: 'not opted in: tag it two-way-sms:allow=true' }]);
}

async function topicAttributes(lookups: DestinationLookups, topicArn: string): Promise<Record<string, string> | 'unknown'> {
  try {
    return (await lookups.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes ?? {};
  } catch (e) {
    if (isAwsError(e, 'NotFoundException', 'NotFound')) {
      throw new ApiProblem('destinationNotFound', `no SNS topic ${topicArn}`, [{ field: 'destination.topic.arn', message: `no topic ${topicArn} in this account and region` }]);
    }
    if (isAwsError(e, 'AuthorizationErrorException', 'AuthorizationError')) return 'unknown';
    throw dependencyProblem(e, 'sns:GetTopicAttributes');
  }
}

async function describeKey(lookups: DestinationLookups, ref: string, field: string, fromTopic: boolean) {
  try {
    return (await lookups.kms.send(new DescribeKeyCommand({ KeyId: ref }))).KeyMetadata;
  } catch (e) {
    if (isAwsError(e, 'NotFoundException')) {
      const detail = fromTopic ? `the topic is encrypted with KMS key ${ref}, which does not exist` : `no KMS key ${ref} in this account and region`;
      throw new ApiProblem('destinationNotFound', detail, [{ field, message: detail }]);
    }
    if (isAwsError(e, 'AccessDeniedException', 'InvalidArnException')) return undefined;
    throw dependencyProblem(e, 'kms:DescribeKey');
  }
}

/** The read's result, or undefined when the API may not read it (the task will check it). */
export async function readable<T>(read: () => Promise<T>, what: string): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (isAwsError(e, 'AccessDeniedException', 'AuthorizationErrorException', 'AuthorizationError')) return undefined;
    throw dependencyProblem(e, what);
  }
}
