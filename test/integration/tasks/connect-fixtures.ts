import { randomUUID } from 'node:crypto';
import { CreateInstanceCommand, ImportPhoneNumberCommand } from '@aws-sdk/client-connect';
import { DEMO } from '../../../local/sandbox/seed';
import type { TaskDeps, TaskEvent } from '../../../tasks/lib/context';
import type { ImportResult, NumberResult } from '../../../tasks/lib/results';
import { control } from '../../support/sandbox';
import type { WorkflowEnv } from '../../support/workflow';

/** Fixtures shared by the Connect task tests: the seeded long-code number and the seeded Connect instance. */

export interface ConnectFixture {
  number: NumberResult;
  instanceId: string;
  instanceArn: string;
  /** The instance's "Default inbound flow" (a new id at every seed). */
  flowId: string;
}

export function seeded(env: WorkflowEnv): ConnectFixture {
  const state = env.sandbox.sandbox.state;
  const n = Object.values(state.smsVoice.phoneNumbers).find((p) => p.PhoneNumber === DEMO.numbers.longCode);
  const instance = Object.values(state.connect.instances).find((i) => i.InstanceAlias === DEMO.connectInstanceAlias);
  if (!n || !instance) throw new Error('the seeded long-code number or Connect instance is missing');
  return {
    number: {
      kind: 'phone-number',
      id: n.PhoneNumberId,
      arn: n.PhoneNumberArn,
      e164: n.PhoneNumber,
      isoCountryCode: n.IsoCountryCode,
      numberType: n.NumberType,
      accountId: '123456789012',
      region: 'us-east-1',
      partition: 'aws',
      beforeImage: { enabled: false },
    },
    instanceId: instance.Id,
    instanceArn: instance.Arn,
    flowId: Object.values(instance.ContactFlows ?? {}).find((fl) => fl.Name === 'Default inbound flow')?.Id ?? '',
  };
}

export function newProvisioningId(): string {
  return `prov-${randomUUID().replace(/-/g, '').slice(0, 20)}`;
}

export function connectRequest(f: ConnectFixture, provisioningId: string, extra: { contactFlowId?: string; instanceId?: string } = {}): Record<string, unknown> {
  return {
    provisioningId,
    phoneNumberId: f.number.id,
    destination: {
      type: 'connect',
      instanceId: extra.instanceId ?? f.instanceId,
      role: { create: {} },
      ...(extra.contactFlowId !== undefined ? { contactFlowId: extra.contactFlowId } : {}),
    },
    requestedBy: 'tester@example.com',
  };
}

export function taskEvent(state: string, request: Record<string, unknown>, results: Record<string, unknown>, undo?: TaskEvent['undo']): TaskEvent {
  return { request, results, executionArn: `arn:aws:states:us-east-1:123456789012:execution:provision-two-way:${randomUUID()}`, state, ...(undo ? { undo } : {}) };
}

/** Fresh seeded sandbox (ids change, call log and settings cleared). */
export async function resetSandbox(env: WorkflowEnv): Promise<void> {
  const r = await control(env.sandbox.url, 'POST', '/_sandbox/reset');
  if (r.status !== 200) throw new Error(`reset failed: ${JSON.stringify(r.body)}`);
}

export async function setClaimDelay(env: WorkflowEnv, ms: number): Promise<void> {
  const r = await control(env.sandbox.url, 'PUT', '/_sandbox/settings', { connectClaimDelayMs: ms });
  if (r.status !== 200) throw new Error(`settings failed: ${JSON.stringify(r.body)}`);
}

export async function injectFault(env: WorkflowEnv, operation: string, error: string, count = 1): Promise<void> {
  const r = await control(env.sandbox.url, 'POST', '/_sandbox/faults', { service: 'connect', operation, error, count });
  if (r.status !== 200 && r.status !== 201) throw new Error(`fault failed: ${JSON.stringify(r.body)}`);
}

/** An import made outside this service (no tags of ours), as a person would in the console. */
export async function foreignImport(deps: TaskDeps, sourceArn: string, instanceId: string): Promise<{ id: string; arn: string }> {
  const out = await deps.connect.send(new ImportPhoneNumberCommand({ InstanceId: instanceId, SourcePhoneNumberArn: sourceArn }));
  return { id: out.PhoneNumberId!, arn: out.PhoneNumberArn! };
}

export async function secondInstance(deps: TaskDeps): Promise<string> {
  const out = await deps.connect.send(new CreateInstanceCommand({ IdentityManagementType: 'CONNECT_MANAGED', InstanceAlias: `other-${randomUUID().slice(0, 8)}`, InboundCallsEnabled: true, OutboundCallsEnabled: true }));
  return out.Id!;
}

export async function mutatingCalls(env: WorkflowEnv, since: number): Promise<string[]> {
  return (await env.calls(since)).filter((c) => c.mutating).map((c) => `${c.service}:${c.operation}`);
}

export function importResult(over: Partial<ImportResult> & Pick<ImportResult, 'connectPhoneNumberId' | 'connectPhoneNumberArn'>): ImportResult {
  return { status: 'CLAIMED', imported: true, polls: 0, ...over };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
