import { CreateTopicCommand, GetTopicAttributesCommand, ListTagsForResourceCommand, NotFoundException } from '@aws-sdk/client-sns';
import { auditScope, TAGS, type TaskDeps, type TaskEvent } from '../lib/context';
import { AwsTransientError, classifyAwsError, DestinationNotUsable, ForeignResourceExists, InvalidInput, TaskError } from '../lib/errors';
import { refuseAwsManagedWithoutRole, resolveTopicKey, type TopicKey } from '../lib/key';
import { ProvisionRequest, parseOrThrow, type SnsDestination } from '../lib/request';
import type { NumberResult, TopicResult } from '../lib/results';
import { checkGivenRole } from '../lib/role';

/**
 * EnsureTopic (SNS destinations): creates the topic, tagged as ours, or adopts one this service created, or
 * validates an existing topic given by ARN. Everything that can make the destination unusable (FIFO, a key SNS
 * cannot use, an AWS-managed key without a role, a given role that lacks permissions, a same-name topic we did
 * not create) is found before the topic is created, so a bad request changes nothing.
 */
export async function ensureTopic(event: TaskEvent, deps: TaskDeps): Promise<TopicResult> {
  const request = parseOrThrow(ProvisionRequest, event.request, 'request');
  const destination = request.destination;
  if (destination.type !== 'sns') throw new InvalidInput(`EnsureTopic runs for SNS destinations only, not ${destination.type}`, { field: 'destination.type' });
  const number = event.results.number as NumberResult | undefined;
  if (!number?.id) throw new InvalidInput('results.number is missing: ValidateNumber must run before EnsureTopic', { field: 'results.number' });
  const ctx: Ctx = { event, deps, request, destination, number };
  return 'create' in destination.topic ? createOrAdopt(ctx, destination.topic.create) : useExisting(ctx, destination.topic.arn);
}

interface Ctx {
  event: TaskEvent;
  deps: TaskDeps;
  request: ProvisionRequest;
  destination: SnsDestination;
  number: NumberResult;
}

type Attributes = Record<string, string>;

async function readTopic(deps: TaskDeps, arn: string): Promise<Attributes | undefined> {
  try {
    return (await deps.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes ?? {};
  } catch (e) {
    if (e instanceof NotFoundException) return undefined;
    throw classifyAwsError(e, `sns:GetTopicAttributes ${arn}`);
  }
}

async function readTags(deps: TaskDeps, arn: string): Promise<Record<string, string>> {
  try {
    const out = await deps.sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
    return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  } catch (e) {
    // It existed a moment ago (GetTopicAttributes): deleted in between. Run the step again to see what is there now.
    if (e instanceof Error && e.name === 'ResourceNotFoundException') throw new AwsTransientError(`topic ${arn} disappeared while its tags were read`, { cause: e });
    throw classifyAwsError(e, `sns:ListTagsForResource ${arn}`);
  }
}

/** The lease that serializes creators, adopters and removers of one topic. */
export function topicLease(topicArn: string): string {
  return `topic:${topicArn}`;
}

/** Runs `fn` relying on the topic: the reference comes first; if the topic turns out unusable, it is dropped. */
async function withTopicReference<T>(ctx: Ctx, arn: string, fn: () => Promise<T>): Promise<T> {
  const { deps, request, number } = ctx;
  await deps.refs.add('topic', arn, request.provisioningId, number.id);
  try {
    // One creator (or remover) of a topic at a time: an undo deciding to delete it and a provisioning starting
    // to rely on it must not interleave.
    return await deps.locks.withLease(topicLease(arn), ctx.event.executionArn, deps.config.keyLeaseMs, fn);
  } catch (e) {
    if (e instanceof TaskError && !e.retryable) await deps.refs.remove('topic', arn, request.provisioningId);
    throw e;
  }
}

function result(arn: string, created: boolean, key: TopicKey | undefined): TopicResult {
  return { arn, created, ...(key ? { kmsMasterKeyId: key.ref, keyArn: key.arn, keyManager: key.keyManager } : {}) };
}

async function createOrAdopt(ctx: Ctx, spec: { name: string; kmsKeyId?: string | undefined }): Promise<TopicResult> {
  const { deps, request, number, destination, event } = ctx;
  const field = 'destination.topic.create.name';
  if (spec.name.endsWith('.fifo')) {
    throw new DestinationNotUsable(`${field}: ${spec.name} is a FIFO topic name; two-way SMS delivers only to standard topics: choose a name without .fifo`, { field });
  }
  const arn = `arn:${number.partition}:sns:${number.region}:${number.accountId}:${spec.name}`;
  const keyField = 'destination.topic.create.kmsKeyId';
  const key = spec.kmsKeyId !== undefined ? await resolveTopicKey(deps, spec.kmsKeyId, keyField) : undefined;
  if (key && destination.access.type === 'topicPolicy') refuseAwsManagedWithoutRole(key, keyField);

  return withTopicReference(ctx, arn, async () => {
    const existing = await readTopic(deps, arn);
    if (existing) return adopt(ctx, arn, existing, key, spec.kmsKeyId);

    // A role given by ARN is checked now (EnsureAccess checks it again): if it cannot be used, the topic is
    // never created, so the request fails having changed nothing.
    if (destination.access.type === 'role' && 'arn' in destination.access.role) {
      await checkGivenRole(deps, destination.access.role.arn, { channel: 'sns', topicArn: arn, ...(key ? { key: { arn: key.arn, manager: key.keyManager } } : {}) }, number, 'destination.access.role.arn');
    }

    const data = { arn, name: spec.name, targetId: number.id, ...(spec.kmsKeyId !== undefined ? { kmsMasterKeyId: spec.kmsKeyId } : {}) };
    await deps.ledger.set(request.provisioningId, 'topic', 'intent', data);
    await deps.audit.record(
      auditScope(request, number.id, event.executionArn),
      { step: event.state, action: 'sns:CreateTopic', resourceArn: arn, before: null },
      () =>
        deps.sns
          .send(
            new CreateTopicCommand({
              Name: spec.name,
              ...(spec.kmsKeyId !== undefined ? { Attributes: { KmsMasterKeyId: spec.kmsKeyId } } : {}),
              Tags: [
                { Key: TAGS.managedBy, Value: TAGS.managedByValue },
                { Key: TAGS.provisioningId, Value: request.provisioningId },
                { Key: TAGS.phoneNumberId, Value: number.id },
              ],
            }),
          )
          .catch((e: unknown) => Promise.reject(classifyAwsError(e, `sns:CreateTopic ${spec.name}`))),
      (out) => ({ topicArn: out.TopicArn }),
    );
    await deps.ledger.set(request.provisioningId, 'topic', 'done', { ...data, created: true });
    return result(arn, true, key);
  });
}

/**
 * A topic with the requested name exists. Ours (tagged by this service) is used when it is what was asked
 * for; one we did not create is never adopted.
 */
async function adopt(ctx: Ctx, arn: string, attributes: Attributes, key: TopicKey | undefined, kmsKeyId: string | undefined): Promise<TopicResult> {
  const { deps, request, number } = ctx;
  const field = 'destination.topic.create.name';
  const tags = await readTags(deps, arn);
  if (tags[TAGS.managedBy] !== TAGS.managedByValue) {
    throw new ForeignResourceExists(
      `${field}: a topic named ${arn.slice(arn.lastIndexOf(':') + 1)} (${arn}) already exists and was not created by this service; it is never adopted: choose another name, or give its ARN as topic.arn`,
      { field },
    );
  }
  const current = attributes.KmsMasterKeyId || undefined;
  let same = current === kmsKeyId;
  if (!same && current !== undefined && key) {
    // The same key may be named differently (alias vs key ARN): compare what both resolve to.
    const currentKey = await resolveTopicKey(deps, current, `KmsMasterKeyId of topic ${arn}`).catch((e: unknown) => {
      if (e instanceof DestinationNotUsable) return undefined;
      throw e;
    });
    same = currentKey?.arn === key.arn;
  }
  if (!same) {
    throw new DestinationNotUsable(
      `${field}: topic ${arn} (created by this service for provisioning ${tags[TAGS.provisioningId] ?? '?'}) has KmsMasterKeyId ${current ?? '(none: unencrypted)'}, not ${kmsKeyId ?? '(none: unencrypted)'} as requested: request it as it is, or choose another name`,
      { field },
    );
  }

  const prior = await deps.ledger.get(request.provisioningId, 'topic');
  if (tags[TAGS.provisioningId] === request.provisioningId) {
    // Created by an earlier attempt of this provisioning (a retry after CreateTopic succeeded): still ours to undo.
    if (prior?.status !== 'done') {
      await deps.ledger.set(request.provisioningId, 'topic', 'done', { arn, name: arn.slice(arn.lastIndexOf(':') + 1), targetId: number.id, created: true, ...(kmsKeyId ? { kmsMasterKeyId: kmsKeyId } : {}) });
    }
    return result(arn, true, key);
  }
  if (prior?.status !== 'skipped') {
    await deps.ledger.set(request.provisioningId, 'topic', 'skipped', { arn, targetId: number.id, reason: `created by this service for provisioning ${tags[TAGS.provisioningId] ?? '?'}; adopted, not created by this provisioning` });
  }
  return result(arn, false, key);
}

async function useExisting(ctx: Ctx, arn: string): Promise<TopicResult> {
  const { deps, request, number, destination } = ctx;
  const field = 'destination.topic.arn';
  const [, , , region, account] = arn.split(':');
  if (region !== number.region || account !== number.accountId) {
    throw new DestinationNotUsable(
      `${field}: topic ${arn} is in account ${account}, region ${region}, but the number ${number.id} is in account ${number.accountId}, region ${number.region}; two-way SMS delivers only to a topic in the number's account and region`,
      { field },
    );
  }
  return withTopicReference(ctx, arn, async () => {
    const attributes = await readTopic(deps, arn);
    if (!attributes) throw new DestinationNotUsable(`${field}: topic ${arn} does not exist: create it, or ask this service to create one (topic.create)`, { field });
    if (attributes.FifoTopic === 'true') {
      throw new DestinationNotUsable(`${field}: topic ${arn} is a FIFO topic; two-way SMS delivers only to standard topics: use a standard topic`, { field });
    }
    const ref = attributes.KmsMasterKeyId || undefined;
    const key = ref !== undefined ? await resolveTopicKey(deps, ref, `${field} (KmsMasterKeyId of topic ${arn})`) : undefined;
    if (key && destination.access.type === 'topicPolicy') refuseAwsManagedWithoutRole(key, `${field} (KmsMasterKeyId of topic ${arn})`);
    const prior = await deps.ledger.get(request.provisioningId, 'topic');
    if (prior?.status !== 'skipped') {
      await deps.ledger.set(request.provisioningId, 'topic', 'skipped', { arn, targetId: number.id, reason: 'existing topic given by ARN: validated, not created by this provisioning' });
    }
    return result(arn, false, key);
  });
}
