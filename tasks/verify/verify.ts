import type { TaskDeps, TaskEvent } from '../lib/context';
import { VerificationFailed } from '../lib/errors';
import { desiredConfig, lockedRefOf, resolveTarget, sameTwoWay, twoWayDifferences } from '../lib/number';
import { parseOrThrow, ProvisionRequest } from '../lib/request';
import type { AccessResult, EnableResult, KeyResult, NumberResult, TopicResult, VerifyResult } from '../lib/results';
import type { ReferenceKind } from '../lib/store';

/**
 * Reads the number's (or pool's) configuration back and requires it to be exactly the desired one, then makes
 * this provisioning the owner of the number's two-way settings (the pointer deprovisioning and later
 * provisionings consult). A run that found the number already provisioned by another provisioning with the
 * same destination leaves that owner in place.
 */
export async function verify(event: TaskEvent, deps: TaskDeps): Promise<VerifyResult> {
  const request = parseOrThrow(ProvisionRequest, event.request, 'request');
  const results = event.results ?? {};
  const number = results.number as NumberResult | undefined;
  const target = await resolveTarget(deps, number ? { kind: number.kind, ref: number.id, field: number.kind === 'pool' ? 'poolId' : 'phoneNumberId' } : lockedRefOf(event, request));
  const desired = (results.enable as EnableResult | undefined)?.desired ?? desiredConfig(request, results, deps, number);

  if (!sameTwoWay(target.config, desired)) {
    throw new VerificationFailed(`${target.label} does not have the desired two-way configuration: ${twoWayDifferences(target.config, desired).join('; ')}`, {
      field: target.kind === 'pool' ? 'poolId' : 'phoneNumberId',
    });
  }
  if (!number?.alreadyProvisionedBy) {
    await deps.active.set({ targetId: target.id, provisioningId: request.provisioningId, destination: request.destination, config: desired, since: deps.clock().toISOString() });
    return { config: target.config, dependsOn: await dependsOn(results, request.provisioningId, deps) };
  }
  // A repeat of an active provisioning changed nothing and stays no one's owner: the references its steps took
  // while running go, or they would keep the shared resources alive after the active one is deprovisioned.
  for (const c of candidates(results)) await deps.refs.remove(c.kind, c.resource, request.provisioningId);
  return { config: target.config, dependsOn: [] };
}

/**
 * The shared resources this number now relies on: of the topic, role and statements the results name, those
 * for which this provisioning holds a reference (recorded by the Ensure steps before relying on them).
 */
async function dependsOn(results: Record<string, unknown>, provisioningId: string, deps: TaskDeps): Promise<VerifyResult['dependsOn']> {
  const all = candidates(results);
  const held = await Promise.all(all.map(async (c) => (await deps.refs.holders(c.kind, c.resource)).some((r) => r.provisioningId === provisioningId)));
  return all.filter((_, i) => held[i]);
}

/** The shared resources a provisioning's results name, as the Ensure steps key their references. */
function candidates(results: Record<string, unknown>): { kind: ReferenceKind; resource: string }[] {
  const candidates: { kind: ReferenceKind; resource: string }[] = [];
  const topic = results.topic as TopicResult | undefined;
  const access = results.access as AccessResult | undefined;
  const key = results.key as KeyResult | undefined;
  if (topic?.arn) candidates.push({ kind: 'topic', resource: topic.arn });
  if (access?.roleArn) candidates.push({ kind: 'role', resource: access.roleArn });
  if (access?.mode === 'topicPolicy' && topic?.arn) candidates.push({ kind: 'topicStatement', resource: topic.arn });
  if (key?.keyArn && key.action !== 'unencrypted') {
    // MergeKeyPolicy keys the service-principal statement by the key, and a role's statement by key and role.
    candidates.push({ kind: 'keyStatement', resource: key.keyArn });
    if (access?.roleArn) candidates.push({ kind: 'keyStatement', resource: `${key.keyArn}#${access.roleArn}` });
  }
  return candidates;
}
