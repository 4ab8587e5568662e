import { CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { OPT_IN_TAG_KEY, OPT_IN_TAG_VALUE } from '../../../tasks/lib/opt-in';
import { DEMO } from '../../../local/sandbox/seed';
import { TAGS, type TaskEvent } from '../../../tasks/lib/context';
import type { NumberResult } from '../../../tasks/lib/results';
import type { WorkflowEnv } from '../../support/workflow';
import { ACCOUNT, executionArnOf, newProvisioningId, numberOf, REGION } from './number-fixtures';

/**
 * Fixtures of the destination-side task tests (topic, access, key policy, Connect role and their undo):
 * the NumberResult ValidateNumber would have produced, requests per destination, events, sandbox look-ups.
 */

export const ENCRYPTED_TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:${DEMO.topics.encrypted}`;

/** What ValidateNumber returns for a seeded number (built here: these tests do not depend on that task). */
export function numberResult(env: WorkflowEnv, e164: string = DEMO.numbers.longCode): NumberResult {
  const n = numberOf(env, e164);
  return { kind: 'phone-number', id: n.PhoneNumberId, arn: n.PhoneNumberArn, e164, accountId: ACCOUNT, region: REGION, partition: 'aws', beforeImage: { enabled: false } };
}

export type TopicSpec = { create: { name: string; kmsKeyId?: string } } | { arn: string };
export type RoleSpec = { create: { name?: string } } | { arn: string };

export function snsRequest(topic: TopicSpec, access: { type: 'topicPolicy' } | { type: 'role'; role: RoleSpec }, provisioningId = newProvisioningId()) {
  return { provisioningId, phoneNumberId: DEMO.numbers.longCode, destination: { type: 'sns', topic, access }, requestedBy: 'alice@example.com' };
}

export function connectRequest(instanceId: string, role: RoleSpec, provisioningId = newProvisioningId()) {
  return { provisioningId, phoneNumberId: DEMO.numbers.longCode, destination: { type: 'connect', instanceId, role }, requestedBy: 'alice@example.com' };
}

export function deprovisionRequest(provisioningId = newProvisioningId()) {
  return { provisioningId, phoneNumberId: DEMO.numbers.longCode, requestedBy: 'bob@example.com' };
}

/** A forward task's event (one execution per provisioning unless given). */
export function forward(request: { provisioningId: string }, results: Record<string, unknown>, executionArn = executionArnOf(), state = 'Test'): TaskEvent {
  return { request, results, executionArn, state };
}

/** A compensation's event: undo the ledger of `undoId` (the request's own provisioning on rollback). */
export function undoEvent(request: { provisioningId: string }, opts: { undoId?: string; mode?: 'rollback' | 'deprovision'; results?: Record<string, unknown> } = {}): TaskEvent {
  return {
    request,
    results: opts.results ?? {},
    executionArn: executionArnOf(opts.mode === 'deprovision' ? 'deprovision-two-way' : 'provision-two-way'),
    state: 'Undo',
    undo: { provisioningId: opts.undoId ?? request.provisioningId, mode: opts.mode ?? 'rollback' },
  };
}

let names = 0;
/** A fresh resource name for this test run. */
export function uniqueName(prefix: string): string {
  names += 1;
  return `${prefix}-${Date.now().toString(36)}-${names}`;
}

/** Creates a topic as another provisioning of this service would have (tagged as ours, for `provisioningId`). */
export async function createManagedTopic(env: WorkflowEnv, name: string, provisioningId: string, attributes?: Record<string, string>): Promise<string> {
  const out = await env.deps.sns.send(
    new CreateTopicCommand({
      Name: name,
      ...(attributes ? { Attributes: attributes } : {}),
      Tags: [
        { Key: TAGS.managedBy, Value: TAGS.managedByValue },
        { Key: TAGS.provisioningId, Value: provisioningId },
        { Key: TAGS.phoneNumberId, Value: 'phone-other' },
      ],
    }),
  );
  return out.TopicArn!;
}

/**
 * A customer managed key, optionally with its own key policy and disabled. Opted in to changes by the service
 * (tag `two-way-sms:allow` = `true`) unless `optIn` is false.
 */
export async function createKey(env: WorkflowEnv, opts: { policy?: string; disabled?: boolean; optIn?: boolean } = {}): Promise<string> {
  const tags = opts.optIn === false ? [] : [{ TagKey: OPT_IN_TAG_KEY, TagValue: OPT_IN_TAG_VALUE }];
  const out = await env.deps.kms.send(new CreateKeyCommand({ Description: 'test key', ...(opts.policy ? { Policy: opts.policy } : {}), ...(tags.length ? { Tags: tags } : {}) }));
  const arn = out.KeyMetadata!.Arn!;
  if (opts.disabled) await env.deps.kms.send(new DisableKeyCommand({ KeyId: arn }));
  return arn;
}

/** The sandbox's record of a topic (undefined when it does not exist). */
export function topicRecord(env: WorkflowEnv, arn: string) {
  return env.sandbox.sandbox.state.sns.topics[arn];
}

export function roleRecord(env: WorkflowEnv, name: string) {
  return env.sandbox.sandbox.state.iam.roles[name];
}

export function keyRecord(env: WorkflowEnv, arn: string) {
  return env.sandbox.sandbox.state.kms.keys[arn.slice(arn.lastIndexOf('/') + 1)];
}

/** `phase action outcome` of every audit record of a provisioning, in order. */
export async function auditTrail(env: WorkflowEnv, provisioningId: string): Promise<string[]> {
  return (await env.deps.audit.byProvisioning(provisioningId)).map((a) => `${a.phase} ${a.action}${a.outcome ? ` ${a.outcome}` : ''}`);
}

export async function refHolders(env: WorkflowEnv, kind: 'topic' | 'role' | 'topicStatement' | 'keyStatement', resource: string): Promise<string[]> {
  return (await env.deps.refs.holders(kind, resource)).map((r) => r.provisioningId);
}

/** The statements of a policy document, by Sid (statements without a Sid under `#<index>`). */
export function statementsBySid(document: string): Record<string, unknown> {
  const raw = JSON.parse(document) as { Statement: unknown[] | unknown };
  const list = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  return Object.fromEntries(list.map((s, i) => [((s as { Sid?: string }).Sid ?? `#${i}`), s]));
}
