import { randomUUID } from 'node:crypto';
import { DEMO } from '../../../local/sandbox/seed';
import type { TaskEvent } from '../../../tasks/lib/context';
import { control } from '../../support/sandbox';
import type { WorkflowEnv } from '../../support/workflow';

/**
 * Fixtures of the number-side task tests (lock, validation, preflight, enable, verify, undo, deprovisioning
 * lookups): typed request factories, events as the ASL builds them, and sandbox look-ups.
 */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:${DEMO.topics.standard}`;
export const FIFO_TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:${DEMO.topics.fifo}`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${DEMO.roles.correct}`;
export const MISSING_PUBLISH_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${DEMO.roles.missingPublish}`;

let seq = 0;
export function newProvisioningId(): string {
  seq += 1;
  return `prov-${Date.now().toString(36)}-${seq}`;
}

export function executionArnOf(machine: 'provision-two-way' | 'deprovision-two-way' = 'provision-two-way'): string {
  return `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine}:${randomUUID()}`;
}

export interface RequestInput {
  provisioningId: string;
  phoneNumberId?: string;
  poolId?: string;
  destination?: unknown;
  requestedBy: string;
}

/** A provisioning of the demo long-code number to the demo topic through the demo role (override any part). */
export function snsRequest(overrides: Partial<RequestInput> = {}): RequestInput {
  const base: RequestInput = {
    provisioningId: newProvisioningId(),
    phoneNumberId: DEMO.numbers.longCode,
    destination: { type: 'sns', topic: { arn: TOPIC_ARN }, access: { type: 'role', role: { arn: ROLE_ARN } } },
    requestedBy: 'alice@example.com',
  };
  const out = { ...base, ...overrides };
  if (overrides.poolId !== undefined) delete out.phoneNumberId;
  return out;
}

export function deprovisionRequest(overrides: Partial<RequestInput> = {}): RequestInput {
  const out: RequestInput = { provisioningId: newProvisioningId(), phoneNumberId: DEMO.numbers.longCode, requestedBy: 'bob@example.com', ...overrides };
  if (overrides.poolId !== undefined) delete out.phoneNumberId;
  return out;
}

export function taskEvent(request: unknown, opts: Partial<Omit<TaskEvent, 'request'>> = {}): TaskEvent {
  return {
    request,
    results: opts.results ?? {},
    executionArn: opts.executionArn ?? executionArnOf(),
    state: opts.state ?? 'Test',
    ...(opts.undo ? { undo: opts.undo } : {}),
  };
}

export function numberOf(env: WorkflowEnv, e164: string) {
  const n = Object.values(env.sandbox.sandbox.state.smsVoice.phoneNumbers).find((p) => p.PhoneNumber === e164);
  if (!n) throw new Error(`no sandbox number ${e164}`);
  return n;
}

export function demoPool(env: WorkflowEnv) {
  const p = Object.values(env.sandbox.sandbox.state.smsVoice.pools)[0];
  if (!p) throw new Error('no sandbox pool');
  return p;
}

export function connectInstance(env: WorkflowEnv) {
  const i = Object.values(env.sandbox.sandbox.state.connect.instances)[0];
  if (!i) throw new Error('no sandbox Connect instance');
  return i;
}

/** The mutating AWS calls the sandbox received since `since`. */
export async function mutatingCallsSince(env: WorkflowEnv, since: number) {
  return (await env.calls(since)).filter((c) => c.mutating && c.seq > since);
}

/** A freshly seeded sandbox (new number ids, so nothing in DynamoDB refers to them). */
export async function resetSandbox(env: WorkflowEnv): Promise<void> {
  const r = await control(env.sandbox.url, 'POST', '/_sandbox/reset', { seed: true });
  if (r.status !== 200) throw new Error(`sandbox reset failed: ${r.status}`);
}

/** Runs `fn`, which must reject, and returns the error (to assert on several of its fields). */
export async function caught(fn: () => Promise<unknown>): Promise<Error & { field?: string }> {
  try {
    await fn();
  } catch (e) {
    return e as Error & { field?: string };
  }
  throw new Error('expected a rejection');
}
