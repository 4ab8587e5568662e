import { GetTopicAttributesCommand, NotFoundException, SetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { auditScope, type TaskDeps, type TaskEvent } from '../lib/context';
import { classifyAwsError, DestinationNotUsable, InvalidInput, NotOptedIn } from '../lib/errors';
import { checkTopicOptIn } from '../lib/opt-in';
import { statementWithSid } from '../lib/key';
import { mergeStatement, PolicyParseError, snsDestinationRolePolicy, TOPIC_POLICY_SID, topicPolicyStatement } from '../lib/policy';
import { ProvisionRequest, parseOrThrow } from '../lib/request';
import type { AccessResult, NumberResult, TopicResult } from '../lib/results';
import { ensureRole, SNS_ROLE_POLICY_NAME } from '../lib/role';

/** Name of the inline permission policy on the roles this service creates for SNS destinations. */
export { SNS_ROLE_POLICY_NAME } from '../lib/role';

/** SNS rejects topic policies over 30 KB. */
const MAX_TOPIC_POLICY_BYTES = 30 * 1024;

/** The lease that serializes writers of one topic's policy (SetTopicAttributes replaces the whole document). */
export function topicPolicyLease(topicArn: string): string {
  return `topic-policy:${topicArn}`;
}

/**
 * EnsureAccess (SNS destinations): lets End User Messaging SMS publish to the topic, either through a two-way
 * channel role (created, reconciled, adopted or checked: lib/role.ts) or, without a role, through a statement
 * for `sms-voice.amazonaws.com` merged into the topic policy with every other statement preserved.
 */
export async function ensureAccess(event: TaskEvent, deps: TaskDeps): Promise<AccessResult> {
  const request = parseOrThrow(ProvisionRequest, event.request, 'request');
  const destination = request.destination;
  if (destination.type !== 'sns') throw new InvalidInput(`EnsureAccess runs for SNS destinations only, not ${destination.type}`, { field: 'destination.type' });
  const number = event.results.number as NumberResult | undefined;
  const topic = event.results.topic as TopicResult | undefined;
  if (!number?.id) throw new InvalidInput('results.number is missing: ValidateNumber must run before EnsureAccess', { field: 'results.number' });
  if (!topic?.arn) throw new InvalidInput('results.topic is missing: EnsureTopic must run before EnsureAccess', { field: 'results.topic' });

  if (destination.access.type === 'role') {
    // The topic policy counts too: within one account it can grant the role sns:Publish by itself.
    const policy = (await readTopicAttributes(deps, topic.arn)).Policy;
    return ensureRole(
      { deps, event, request, number, field: 'destination.access.role' },
      destination.access.role,
      { channel: 'sns', topicArn: topic.arn, ...(policy ? { topicPolicy: policy } : {}), ...(topic.keyArn ? { key: { arn: topic.keyArn, manager: topic.keyManager ?? 'CUSTOMER' } } : {}) },
      { policyName: SNS_ROLE_POLICY_NAME, document: snsDestinationRolePolicy({ accountId: number.accountId, topicArn: topic.arn }) },
    );
  }
  return ensureTopicStatement(event, deps, request, number, topic.arn);
}

async function readTopicAttributes(deps: TaskDeps, arn: string): Promise<Record<string, string>> {
  try {
    return (await deps.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes ?? {};
  } catch (e) {
    if (e instanceof NotFoundException) throw new DestinationNotUsable(`topic ${arn} no longer exists (deleted after EnsureTopic checked it)`, { field: 'destination.topic', cause: e });
    throw classifyAwsError(e, `sns:GetTopicAttributes ${arn}`);
  }
}

async function ensureTopicStatement(event: TaskEvent, deps: TaskDeps, request: ProvisionRequest, number: NumberResult, topicArn: string): Promise<AccessResult> {
  const provisioningId = request.provisioningId;
  const statement = topicPolicyStatement({ accountId: number.accountId, region: number.region, partition: number.partition, topicArn });
  // Recorded before the policy is read: an undo of another provisioning that added this statement then keeps it.
  await deps.refs.add('topicStatement', topicArn, provisioningId, number.id);
  return deps.locks.withLease(topicPolicyLease(topicArn), event.executionArn, deps.config.keyLeaseMs, async () => {
    const policy = (await readTopicAttributes(deps, topicArn)).Policy;
    let merged: { document: string; changed: boolean };
    try {
      merged = mergeStatement(policy, statement);
    } catch (e) {
      if (!(e instanceof PolicyParseError)) throw e;
      await deps.refs.remove('topicStatement', topicArn, provisioningId);
      throw new DestinationNotUsable(`the topic policy of ${topicArn} is not a valid policy document (${e.message}); fix it before adding the statement for sms-voice.amazonaws.com`, { field: 'destination.access', cause: e });
    }
    const prior = await deps.ledger.get(provisioningId, 'topicStatement');
    const ours = prior?.status === 'intent' || prior?.status === 'done';
    if (!merged.changed) {
      if (ours) {
        // Added by an earlier attempt of this provisioning: still ours to remove.
        if (prior.status !== 'done') await deps.ledger.set(provisioningId, 'topicStatement', 'done', { ...prior.data, added: true });
        return { mode: 'topicPolicy', statementAdded: true };
      }
      // Already there (another number of this account shares the topic): not added by us, never removed by us.
      await deps.ledger.set(provisioningId, 'topicStatement', 'skipped', { topicArn, sid: TOPIC_POLICY_SID, targetId: number.id, reason: 'statement already present: not added by this provisioning' });
      return { mode: 'topicPolicy', statementAdded: false };
    }
    if (Buffer.byteLength(merged.document, 'utf8') > MAX_TOPIC_POLICY_BYTES) {
      await deps.refs.remove('topicStatement', topicArn, provisioningId);
      throw new DestinationNotUsable(
        `the topic policy of ${topicArn} would be ${Buffer.byteLength(merged.document, 'utf8')} bytes with the statement for sms-voice.amazonaws.com, over SNS's 30 KB limit: shorten the policy, or use a two-way role`,
        { field: 'destination.access' },
      );
    }
    // A topic this service did not create is changed only with its owner's opt-in (lib/opt-in.ts); checked
    // here, after it is known that the policy must change and before anything is written.
    const optIn = await checkTopicOptIn(deps.sns, topicArn).catch((e: unknown) => Promise.reject(classifyAwsError(e, `sns:ListTagsForResource ${topicArn}`)));
    if (!optIn.allowed) {
      await deps.refs.remove('topicStatement', topicArn, provisioningId);
      throw new NotOptedIn(optIn.message!, { field: 'destination.topic.arn' });
    }
    // The statement this Sid held before (normally none): an undo puts it back instead of deleting it.
    const previous = ours ? prior.data.previous : statementWithSid(policy, TOPIC_POLICY_SID);
    // `before`/`written` let the undo put the original document back as it was, if nobody changed it since.
    const data = { topicArn, sid: TOPIC_POLICY_SID, targetId: number.id, statement, ...(previous ? { previous } : {}), ...(policy !== undefined ? { before: policy } : {}), written: merged.document };
    await deps.ledger.set(provisioningId, 'topicStatement', 'intent', data);
    await deps.audit.record(
      auditScope(request, number.id, event.executionArn),
      { step: event.state, action: 'sns:SetTopicAttributes', resourceArn: topicArn, before: policy ?? null },
      () =>
        deps.sns
          .send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: merged.document }))
          .catch((e: unknown) => Promise.reject(classifyAwsError(e, `sns:SetTopicAttributes Policy ${topicArn}`))),
      () => ({ policy: merged.document }),
    );
    await deps.ledger.set(provisioningId, 'topicStatement', 'done', { ...data, added: true });
    return { mode: 'topicPolicy', statementAdded: true };
  });
}
