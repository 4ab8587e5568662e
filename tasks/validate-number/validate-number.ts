import { DescribeContactFlowCommand, DescribeInstanceCommand, ResourceNotFoundException as ConnectNotFound } from '@aws-sdk/client-connect';
import { connectInstanceId, contactFlowIdOf } from '../lib/connect';
import { accountIdOf, auditScope, type TaskDeps, type TaskEvent } from '../lib/context';
import { deliveryVerdict } from '../lib/delivery';
import { irreversibleChanges, targetLabel, topicPolicyRefusal } from '../lib/reversibility';
import { classifyAwsError, DestinationNotUsable, NotOptedIn, NumberNotEligible } from '../lib/errors';
import { undoKeyRefusal } from '../lib/opt-in';
import { sameJsonValueIgnoringKeyOrder } from '../lib/json';
import { describeTwoWay, eligibilityProblem, lockedRefOf, regionOfArn, resolveTarget, type BeforeImage, type Target } from '../lib/number';
import { parseOrThrow, ProvisionRequest } from '../lib/request';
import type { NumberResult } from '../lib/results';

/**
 * Checks that two-way can be set on the number (or pool) for this destination, and records the number's
 * current two-way settings in the ledger as this provisioning's before-image, durably and before anything
 * is changed (`setOnce`: a retried or redriven run keeps the original image, never the value it set itself).
 *
 * The country is not pre-checked here: AWS documents two-way support per country in tables that change, and a
 * stale copy would refuse numbers AWS accepts. EnableTwoWay turns AWS's `TWO_WAY_NOT_SUPPORTED_IN_COUNTRY`
 * into `NumberNotEligible`, and the rollback undoes the steps before it.
 */
export async function validateNumber(event: TaskEvent, deps: TaskDeps): Promise<NumberResult> {
  const request = parseOrThrow(ProvisionRequest, event.request, 'request');
  const target = await resolveTarget(deps, lockedRefOf(event, request));
  const accountId = target.accountId || (await accountIdOf(deps));

  // The before-image, with its delivery verdict: after any undo the number must deliver at least as well
  // (CheckRestored compares). Computed once: a retried or redriven run keeps the original image.
  let recorded = await deps.ledger.get<BeforeImage>(request.provisioningId, 'beforeImage');
  if (!recorded) {
    const verdict = await deliveryVerdict(deps, { ...target, accountId });
    const image: BeforeImage = { kind: target.kind, id: target.id, arn: target.arn, config: target.config, verdict };
    recorded = await deps.ledger.setOnce(request.provisioningId, 'beforeImage', 'done', image);
  }

  checkNumber(target, request);
  await checkDestination(target, request, deps);
  const alreadyProvisionedBy = await checkActive(target, request, deps);
  if (!alreadyProvisionedBy) await checkUndoKey(target, request, deps, accountId);
  const notReversible = alreadyProvisionedBy ? [] : irreversibleChanges(targetLabel(target.kind, target.id), recorded.data.config, request.destination);
  if (notReversible.length > 0 && !recorded.data.notReversibleAudited) {
    // Said before anything changes, in the audit trail as well as in the result the API shows.
    for (const note of notReversible) {
      await deps.audit.append(auditScope(request, target.id, event.executionArn), { phase: 'note', step: event.state, action: 'two-way-sms:NotExactlyReversible', resourceArn: target.arn, note });
    }
    await deps.ledger.set(request.provisioningId, 'beforeImage', 'done', { ...recorded.data, notReversibleAudited: true });
  }

  return {
    kind: target.kind,
    id: target.id,
    arn: target.arn,
    ...(target.e164 ? { e164: target.e164 } : {}),
    ...(target.isoCountryCodes.length === 1 ? { isoCountryCode: target.isoCountryCodes[0]! } : {}),
    ...(target.numberTypes.length === 1 ? { numberType: target.numberTypes[0]! } : {}),
    accountId,
    region: target.region,
    partition: target.partition,
    beforeImage: recorded.data.config,
    ...(recorded.data.verdict ? { deliveredBefore: recorded.data.verdict.deliverable } : {}),
    ...(notReversible.length > 0 ? { notReversible } : {}),
    ...(alreadyProvisionedBy ? { alreadyProvisionedBy } : {}),
  };
}

function checkNumber(target: Target, request: ProvisionRequest): void {
  const problem = eligibilityProblem(target, request.destination.type);
  if (problem) throw new NumberNotEligible(problem.message, { field: problem.field });
}

async function checkDestination(target: Target, request: ProvisionRequest, deps: TaskDeps): Promise<void> {
  const d = request.destination;
  if (d.type === 'sns') {
    if ('arn' in d.topic) {
      const region = regionOfArn(d.topic.arn);
      if (region !== target.region) {
        throw new DestinationNotUsable(
          `topic ${d.topic.arn} is in region ${region ?? '(none)'}, but ${target.label} is in ${target.region}: two-way delivers only to a topic in the number's region`,
          { field: 'destination.topic.arn' },
        );
      }
    }
    const refusal = topicPolicyRefusal(target.label, target.config, d);
    if (refusal) throw new DestinationNotUsable(refusal, { field: 'destination.access.type' });
    return;
  }
  const instanceRegion = d.instanceId.startsWith('arn:') ? regionOfArn(d.instanceId) : await instanceRegionOf(d.instanceId, deps);
  if (instanceRegion !== target.region) {
    throw new DestinationNotUsable(
      `Amazon Connect instance ${d.instanceId} is in region ${instanceRegion ?? '(none)'}, but ${target.label} is in ${target.region}: the instance must be in the number's region`,
      { field: 'destination.instanceId' },
    );
  }
  if (d.contactFlowId !== undefined) await requireContactFlow(d.instanceId, d.contactFlowId, deps);
}

/**
 * The flow to associate must exist in the instance: found out only at AssociateContactFlow, after the import, the
 * rollback would release the import, and an import then release counts against Connect's churn quota.
 */
async function requireContactFlow(instanceIdOrArn: string, contactFlowId: string, deps: TaskDeps): Promise<void> {
  const instanceId = connectInstanceId(instanceIdOrArn);
  const flowId = contactFlowIdOf(contactFlowId, instanceId);
  try {
    await deps.connect.send(new DescribeContactFlowCommand({ InstanceId: instanceId, ContactFlowId: flowId }));
  } catch (e) {
    if (e instanceof ConnectNotFound) {
      throw new DestinationNotUsable(`contact flow ${contactFlowId} does not exist in Amazon Connect instance ${instanceId}: name a flow of that instance`, { field: 'destination.contactFlowId' });
    }
    throw classifyAwsError(e, `connect:DescribeContactFlow ${flowId}`);
  }
}

/** Refuses, before any change, a request whose undo would have to change a key policy that is not opted in. */
async function checkUndoKey(target: Target, request: ProvisionRequest, deps: TaskDeps, accountId: string): Promise<void> {
  const d = request.destination;
  const setsRole = d.type === 'connect' || d.access.type === 'role';
  let refusal: string | undefined;
  try {
    refusal = await undoKeyRefusal(deps, { accountId, region: target.region, partition: target.partition }, target.config, setsRole);
  } catch (e) {
    throw classifyAwsError(e, `reading the key of the topic ${target.label} delivers to`);
  }
  if (refusal) throw new NotOptedIn(refusal, { field: 'destination' });
}

/** An instance given by id lives in the region the clients call; DescribeInstance proves it exists there. */
async function instanceRegionOf(instanceId: string, deps: TaskDeps): Promise<string | undefined> {
  try {
    const out = await deps.connect.send(new DescribeInstanceCommand({ InstanceId: instanceId }));
    return out.Instance?.Arn ? regionOfArn(out.Instance.Arn) : deps.config.region;
  } catch (e) {
    if (e instanceof ConnectNotFound) {
      throw new DestinationNotUsable(`Amazon Connect instance ${instanceId} does not exist in region ${deps.config.region}`, { field: 'destination.instanceId' });
    }
    throw classifyAwsError(e, `DescribeInstance ${instanceId}`);
  }
}

/**
 * Another provisioning of this service owns the number's two-way settings: the same destination again is a
 * no-op run (later steps find everything in place), a different one must be deprovisioned first.
 */
async function checkActive(target: Target, request: ProvisionRequest, deps: TaskDeps): Promise<string | undefined> {
  const active = await deps.active.get(target.id);
  if (!active || active.provisioningId === request.provisioningId) return undefined;
  if (sameJsonValueIgnoringKeyOrder(active.destination, request.destination)) return active.provisioningId;
  throw new NumberNotEligible(
    `${target.label} is already provisioned by ${active.provisioningId} to a different destination (${describeTwoWay(active.config)}); deprovision it first`,
    { field: target.kind === 'pool' ? 'poolId' : 'phoneNumberId' },
  );
}
