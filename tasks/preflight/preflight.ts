import { DescribeInstanceCommand } from '@aws-sdk/client-connect';
import { accountIdOf, type TaskDeps, type TaskEvent } from '../lib/context';
import { classifyAwsError, PreflightFailed } from '../lib/errors';
import { desiredConfig, lockedRefOf, resolveTarget } from '../lib/number';
import { addTopicPath, readRoleInput } from '../lib/delivery';
import { evaluateTwoWayDelivery, type TwoWayDeliveryInput } from '../lib/policy';
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
    const role = await readRoleInput(deps, desired.channelRole);
    if (role) input.role = role;
  }
  if (request.destination.type === 'sns' && desired.channelArn) await addTopicPath(deps, input, desired.channelArn);
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

async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw classifyAwsError(e, what);
  }
}

async function instanceArnOf(deps: TaskDeps, instanceId: string): Promise<string | undefined> {
  return (await aws(`DescribeInstance ${instanceId}`, () => deps.connect.send(new DescribeInstanceCommand({ InstanceId: instanceId })))).Instance?.Arn;
}
