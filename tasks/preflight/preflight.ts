import { DescribeInstanceCommand } from '@aws-sdk/client-connect';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, NotFoundException as KmsNotFound } from '@aws-sdk/client-kms';
import { GetTopicAttributesCommand, NotFoundException as SnsNotFound } from '@aws-sdk/client-sns';
import { accountIdOf, type TaskDeps, type TaskEvent } from '../lib/context';
import { classifyAwsError, PreflightFailed } from '../lib/errors';
import { desiredConfig, lockedRefOf, resolveTarget } from '../lib/number';
import { evaluateTwoWayDelivery, type TwoWayDeliveryInput, type TwoWayKeyInput, type TwoWayRoleInput, type TwoWayTopicInput } from '../lib/policy';
import { parseOrThrow, ProvisionRequest } from '../lib/request';
import type { NumberResult, PreflightResult } from '../lib/results';

/**
 * Reads the effective policies along the whole delivery path of the desired configuration (the role's trust
 * and permission policies, inline and attached; the topic's policy and FIFO flag; the topic key's state, spec
 * and policy) and asks the shared evaluator the question AWS answers for every inbound message: would it be
 * delivered? If not, the provisioning stops here with the evaluator's explanation, before the number is
 * touched: AWS itself accepts such a configuration and then drops inbound messages silently.
 * Read-only: it makes no mutating call.
 */
export async function preflight(event: TaskEvent, deps: TaskDeps): Promise<PreflightResult> {
  const request = parseOrThrow(ProvisionRequest, event.request, 'request');
  const number = (event.results?.number as NumberResult | undefined) ?? (await numberOf(event, request, deps));
  const desired = desiredConfig(request, event.results ?? {}, deps, number);
  const accountId = number.accountId || (await accountIdOf(deps));

  const input: TwoWayDeliveryInput = {
    accountId,
    region: number.region,
    partition: number.partition,
    originArn: number.arn,
    channel: request.destination.type,
    ...(desired.channelArn ? { channelArn: desired.channelArn } : {}),
    ...(desired.channelRole ? { roleArn: desired.channelRole } : {}),
  };
  if (desired.channelRole) {
    const role = await readRole(deps, desired.channelRole);
    if (role) input.role = role;
  }
  if (request.destination.type === 'sns' && desired.channelArn) {
    const topic = await readTopic(deps, desired.channelArn);
    if (topic) {
      input.topic = topic.topic;
      if (topic.kmsMasterKeyId) {
        input.keyRef = topic.kmsMasterKeyId;
        const key = await readKey(deps, topic.kmsMasterKeyId);
        if (key) input.key = key;
      }
    }
  }
  if (request.destination.type === 'connect') {
    const instanceArn = request.destination.instanceId.startsWith('arn:') ? request.destination.instanceId : await instanceArnOf(deps, request.destination.instanceId);
    // ImportToConnect runs after EnableTwoWay (undoing an import costs churn quota, so it is the last forward
    // step): the import cannot exist yet. The preflight judges the rest of the path as if it were done;
    // CheckImport and Verify establish the import itself.
    input.connect = { numberImported: true, ...(instanceArn ? { instanceArn } : {}) };
  }

  const result = evaluateTwoWayDelivery(input);
  if (!result.deliverable) {
    throw new PreflightFailed(`inbound SMS to ${number.e164 ?? number.id} would not be delivered: ${result.reason ?? 'a check failed'}`, { field: 'destination' });
  }
  return { deliverable: true, checks: result.checks.map((c) => ({ check: c.check, passed: c.passed, explanation: c.result.explanation })) };
}

async function numberOf(event: TaskEvent, request: ProvisionRequest, deps: TaskDeps): Promise<NumberResult> {
  const t = await resolveTarget(deps, lockedRefOf(event, request));
  return { kind: t.kind, id: t.id, arn: t.arn, ...(t.e164 ? { e164: t.e164 } : {}), accountId: t.accountId, region: t.region, partition: t.partition, beforeImage: t.config };
}

/** IAM returns policy documents URL-encoded (RFC 3986); decode unless a client already did. */
function policyText(doc: string | undefined): string {
  if (doc === undefined) return '';
  return doc.trimStart().startsWith('{') ? doc : decodeURIComponent(doc);
}

async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw classifyAwsError(e, what);
  }
}

/** The role with its trust and every permission policy (inline and attached), or `undefined` if it does not exist. */
async function readRole(deps: TaskDeps, roleArn: string): Promise<TwoWayRoleInput | undefined> {
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  let trust: string;
  let arn: string;
  try {
    const role = (await deps.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
    if (!role?.Arn || role.Arn !== roleArn) return undefined;
    trust = policyText(role.AssumeRolePolicyDocument);
    arn = role.Arn;
  } catch (e) {
    if (e instanceof NoSuchEntityException) return undefined;
    throw classifyAwsError(e, `GetRole ${roleName}`);
  }
  const permissionPolicies: { name: string; document: string }[] = [];
  let marker: string | undefined;
  do {
    const page = await aws(`ListRolePolicies ${roleName}`, () => deps.iam.send(new ListRolePoliciesCommand({ RoleName: roleName, ...(marker ? { Marker: marker } : {}) })));
    for (const policyName of page.PolicyNames ?? []) {
      const p = await aws(`GetRolePolicy ${roleName}/${policyName}`, () => deps.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })));
      permissionPolicies.push({ name: policyName, document: policyText(p.PolicyDocument) });
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  do {
    const page = await aws(`ListAttachedRolePolicies ${roleName}`, () =>
      deps.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, ...(marker ? { Marker: marker } : {}) })),
    );
    for (const attached of page.AttachedPolicies ?? []) {
      if (!attached.PolicyArn) continue;
      const policyArn = attached.PolicyArn;
      const policy = (await aws(`GetPolicy ${policyArn}`, () => deps.iam.send(new GetPolicyCommand({ PolicyArn: policyArn })))).Policy;
      if (!policy?.DefaultVersionId) continue;
      const versionId = policy.DefaultVersionId;
      const version = await aws(`GetPolicyVersion ${policyArn}`, () => deps.iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId })));
      permissionPolicies.push({ name: attached.PolicyName ?? policyArn, document: policyText(version.PolicyVersion?.Document) });
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return { arn, trustPolicy: trust, permissionPolicies };
}

async function readTopic(deps: TaskDeps, topicArn: string): Promise<{ topic: TwoWayTopicInput; kmsMasterKeyId?: string } | undefined> {
  try {
    const attrs = (await deps.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes ?? {};
    return {
      topic: { arn: topicArn, fifo: attrs.FifoTopic === 'true', ...(attrs.Policy ? { policy: attrs.Policy } : {}) },
      ...(attrs.KmsMasterKeyId ? { kmsMasterKeyId: attrs.KmsMasterKeyId } : {}),
    };
  } catch (e) {
    if (e instanceof SnsNotFound) return undefined;
    throw classifyAwsError(e, `GetTopicAttributes ${topicArn}`);
  }
}

async function readKey(deps: TaskDeps, keyRef: string): Promise<TwoWayKeyInput | undefined> {
  try {
    const meta = (await deps.kms.send(new DescribeKeyCommand({ KeyId: keyRef }))).KeyMetadata;
    if (!meta?.Arn || !meta.KeyId) return undefined;
    const keyArn = meta.Arn;
    const policy = await aws(`GetKeyPolicy ${keyArn}`, () => deps.kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' })));
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
    throw classifyAwsError(e, `DescribeKey ${keyRef}`);
  }
}

async function instanceArnOf(deps: TaskDeps, instanceId: string): Promise<string | undefined> {
  return (await aws(`DescribeInstance ${instanceId}`, () => deps.connect.send(new DescribeInstanceCommand({ InstanceId: instanceId })))).Instance?.Arn;
}
