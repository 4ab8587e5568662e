import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { RequestPhoneNumberCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { execute } from '../../../local/engine/executor';
import { DEMO } from '../../../local/sandbox/seed';
import { TASKS, type TaskCore } from '../../../tasks';
import { createDeps, type TaskDeps, type TaskEvent } from '../../../tasks/lib/context';
import type { ProvisionResults } from '../../../tasks/lib/results';
import { createTableInput } from '../../../tasks/lib/store';
import { control } from '../../support/sandbox';
import type { WorkflowEnv } from '../../support/workflow';
import { localFunctionArns, loadDefinitionText, STATE_MACHINES, substitute, taskNames, type StateMachineKey } from '../../../workflow';

/**
 * Helpers of the workflow tier: isolation between tests (a fresh sandbox and a fresh table), request
 * builders, sandbox look-ups, the inbound simulation and the call-log checks every test makes.
 */

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const CUSTOMER = '+14255550182';

export type RunResult = Awaited<ReturnType<WorkflowEnv['run']>>;

export const topicArn = (name: string): string => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
export const roleArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;

let counter = 0;
/** A name unique in this process (provisioning ids, topic and role names): 8-64 of [A-Za-z0-9_-]. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}${Date.now().toString(36)}-${counter}`;
}

let tables = 0;
/**
 * A freshly seeded sandbox (new number and key ids; call log, faults and settings cleared) and an empty table
 * (no locks, ledgers or references left by earlier tests), so that a test sees only what it does itself.
 * The table is swapped in the env's `deps`, the object `env.run` hands to every task.
 */
export async function freshState(env: WorkflowEnv): Promise<void> {
  const reset = await control(env.sandbox.url, 'POST', '/_sandbox/reset', { seed: true });
  if (reset.status !== 200) throw new Error(`sandbox reset failed: ${JSON.stringify(reset.body)}`);
  tables += 1;
  const tableName = `wf-${tables}`;
  await env.dynamo.client.send(new CreateTableCommand(createTableInput(tableName)));
  const next = createDeps({ ...env.deps.config, tableName }, env.deps.clock, {
    endpoint: env.sandbox.url,
    dynamoEndpoint: env.dynamo.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  Object.assign(env.deps, next);
}

/**
 * Runs a state machine as `env.run` does, with other task cores or another interval between retries (`env.run`
 * retries every 5 ms, so EnableTwoWay's 11 IAM-propagation retries, 0-240 s on AWS, last some 200 ms).
 */
export async function runWith(env: WorkflowEnv, machine: StateMachineKey, input: unknown, opts: { retryIntervalMs?: number; tasks?: Readonly<Record<string, TaskCore>> } = {}): Promise<RunResult> {
  const text = loadDefinitionText(STATE_MACHINES[machine]);
  const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${STATE_MACHINES[machine]}:${randomUUID()}`;
  const outcome = await execute({
    definition: substitute(text, localFunctionArns(taskNames(text))),
    input,
    executionArn,
    tasks: opts.tasks ?? TASKS,
    deps: env.deps,
    waitMs: 5,
    retryIntervalMs: opts.retryIntervalMs ?? 5,
  });
  return { ...outcome, executionArn, states: outcome.events.filter((e) => e.type === 'StateEntered').map((e) => e.state!.name) };
}

export interface Rerun {
  state: string;
  /** Mutating AWS calls the second invocation made. */
  mutating: string[];
  /** The error the second invocation threw, if any (`Name: message`). */
  threw?: string;
}

/**
 * Runs a state machine with every task invoked twice in a row: once, and, when that succeeded, again with the
 * same event (a Lambda redelivery, or a retry after an unknown outcome). The execution continues with the first
 * result; what each second invocation did is reported. (Its result may differ where it reports what this very
 * invocation did: `changed: false`, `released: false`.)
 */
export async function runEveryTaskTwice(env: WorkflowEnv, machine: StateMachineKey, input: unknown): Promise<RunResult & { reruns: Rerun[] }> {
  const reruns: Rerun[] = [];
  const twice = Object.fromEntries(
    Object.entries(TASKS).map(([name, core]) => [
      name,
      async (event: TaskEvent, deps: TaskDeps): Promise<unknown> => {
        const copy = structuredClone(event);
        const first = await core(event, deps);
        const since = await env.lastSeq();
        let threw: string | undefined;
        try {
          await core(copy, deps);
        } catch (e) {
          threw = `${(e as Error).name}: ${(e as Error).message}`;
        }
        reruns.push({ state: event.state, mutating: await mutatingSince(env, since), ...(threw ? { threw } : {}) });
        return first;
      },
    ]),
  );
  const run = await runWith(env, machine, input, { tasks: twice });
  return { ...run, reruns };
}

// ---- sandbox look-ups ------------------------------------------------------------------------------------

export function numberOf(env: WorkflowEnv, e164: string) {
  const n = Object.values(env.sandbox.sandbox.state.smsVoice.phoneNumbers).find((p) => p.PhoneNumber === e164);
  if (!n) throw new Error(`no sandbox number ${e164}`);
  return n;
}

export function demoPool(env: WorkflowEnv) {
  const pooled = numberOf(env, DEMO.numbers.pooled);
  const p = pooled.PoolId ? env.sandbox.sandbox.state.smsVoice.pools[pooled.PoolId] : undefined;
  if (!p) throw new Error('no sandbox pool holding the demo pooled number');
  return p;
}

export function connectInstance(env: WorkflowEnv) {
  const i = Object.values(env.sandbox.sandbox.state.connect.instances).find((x) => x.InstanceAlias === DEMO.connectInstanceAlias);
  if (!i) throw new Error('no demo Connect instance');
  return i;
}

export function topicRecord(env: WorkflowEnv, arn: string) {
  return env.sandbox.sandbox.state.sns.topics[arn];
}

export function roleRecord(env: WorkflowEnv, arn: string) {
  return Object.values(env.sandbox.sandbox.state.iam.roles).find((r) => r.Arn === arn);
}

/** The demo customer managed key (behind `alias/two-way-demo`). */
export function demoKey(env: WorkflowEnv) {
  const kms = env.sandbox.sandbox.state.kms;
  const alias = Object.values(kms.aliases).find((a) => a.AliasName === DEMO.keys.symmetric);
  const key = alias ? kms.keys[alias.TargetKeyId] : undefined;
  if (!key) throw new Error('no demo symmetric key');
  return key;
}

/** A new ACTIVE US long code, for tests that need a number nobody else uses. */
export async function newNumber(env: WorkflowEnv): Promise<{ id: string; e164: string; arn: string }> {
  const out = await env.deps.sms.send(new RequestPhoneNumberCommand({ IsoCountryCode: 'US', MessageType: 'TRANSACTIONAL', NumberCapabilities: ['SMS'], NumberType: 'LONG_CODE' }));
  return { id: out.PhoneNumberId!, e164: out.PhoneNumber!, arn: out.PhoneNumberArn! };
}

// ---- requests --------------------------------------------------------------------------------------------

export interface ProvisionInput {
  provisioningId: string;
  phoneNumberId?: string;
  poolId?: string;
  destination: Record<string, unknown>;
  requestedBy: string;
}

export function provision(target: { phoneNumberId: string } | { poolId: string }, destination: Record<string, unknown>, provisioningId = unique('prov')): ProvisionInput {
  return { provisioningId, ...target, destination, requestedBy: 'workflow-test@example.com' };
}

export function deprovision(target: { phoneNumberId: string } | { poolId: string }, provisioningId = unique('deprov')) {
  return { provisioningId, ...target, requestedBy: 'workflow-test@example.com' };
}

export const sns = {
  newTopicNewRole: (topicName: string) => ({ type: 'sns', topic: { create: { name: topicName } }, access: { type: 'role', role: { create: {} } } }),
  newTopicPolicy: (topicName: string, kmsKeyId?: string) => ({ type: 'sns', topic: { create: { name: topicName, ...(kmsKeyId ? { kmsKeyId } : {}) } }, access: { type: 'topicPolicy' } }),
  existingTopicPolicy: (arn: string) => ({ type: 'sns', topic: { arn }, access: { type: 'topicPolicy' } }),
  existingTopicRole: (arn: string, role: string) => ({ type: 'sns', topic: { arn }, access: { type: 'role', role: { arn: role } } }),
  existingTopicNewRole: (arn: string) => ({ type: 'sns', topic: { arn }, access: { type: 'role', role: { create: {} } } }),
};

export function connectDestination(env: WorkflowEnv, contactFlowId?: string) {
  return { type: 'connect', instanceId: connectInstance(env).Id, role: { create: {} }, ...(contactFlowId ? { contactFlowId } : {}) };
}

// ---- outcomes --------------------------------------------------------------------------------------------

/** The rollback chain after a failed forward step, in the order the ASL runs it. */
export const ROLLBACK_STATES = ['Rollback', 'UndoImport', 'UndoTwoWay', 'UndoKeyPolicy', 'UndoAccess', 'UndoTopic', 'CheckRestored', 'ReleaseLockAfterRollback', 'SummarizeRollback', 'RolledBack'];

/**
 * The original error of a rolled-back execution: the `{Error, Cause}` its Catch stored in `$.error` (Cause being
 * the task's Lambda error document `{errorType, errorMessage}`), which the Summarize* Pass state turns into
 * the execution's cause with `States.JsonToString($.error)`.
 *
 * Read from the Summarize state's input rather than by parsing `cause`: aws-local-stepfunctions 3.0.0 strips
 * every backslash from an intrinsic function's string result (BaseIntrinsicFunction.call), so locally the
 * cause of a Lambda error is not valid JSON (`{"Error":"X","Cause":"{"errorType":...}"}`). The cause is still
 * checked to name the same error.
 */
export function originalError(r: RunResult): { name: string; message: string } {
  if (r.status !== 'FAILED' || r.error !== 'RolledBack') throw new Error(`expected a rolled-back execution, got ${r.status} ${r.error ?? ''}: ${r.cause ?? ''}`);
  const summary = [...r.events].reverse().find((e) => e.type === 'StateEntered' && (e.state?.name === 'SummarizeRollback' || e.state?.name === 'SummarizeFailure'));
  const error = (summary?.state?.input as { error?: { Error: string; Cause: string } } | undefined)?.error;
  if (!error) throw new Error('rolled back without an $.error');
  if (!r.cause?.startsWith(`{"Error":"${error.Error}","Cause":`)) throw new Error(`the cause does not name ${error.Error}: ${r.cause ?? ''}`);
  let message = error.Cause;
  try {
    message = (JSON.parse(error.Cause) as { errorMessage: string }).errorMessage;
  } catch {
    // A Cause that is not a Lambda error document (a States.* error) is the message itself.
  }
  return { name: error.Error, message };
}

/** A finished provisioning's results (`$.results` of the execution output), each step's result required. */
export type FinishedResults = { [K in keyof ProvisionResults]-?: NonNullable<ProvisionResults[K]> };

export function resultsOf(r: RunResult): FinishedResults {
  if (r.status !== 'SUCCEEDED') throw new Error(`no results: the execution ended ${r.status} ${r.error ?? ''}`);
  return (r.output as { results: FinishedResults }).results;
}

/** `service:Operation` of every mutating call the sandbox received after `since`. */
export async function mutatingSince(env: WorkflowEnv, since: number): Promise<string[]> {
  return (await env.calls(since)).filter((c) => c.mutating).map((c) => `${c.service}:${c.operation}`);
}

/**
 * Simulates an inbound SMS to `e164` and returns the sandbox's answer (`delivered`, `payload`, `reason`).
 * A `previousPublishedMessageId` is given so that the payload carries every docs/domain.md §3 field.
 */
export async function inbound(env: WorkflowEnv, e164: string, body = 'JOIN please'): Promise<{ delivered: boolean; channel: string | null; destination: string | null; payload?: Record<string, string>; reason?: string }> {
  const r = await control(env.sandbox.url, 'POST', '/_sandbox/inbound', { destinationNumber: e164, originationNumber: CUSTOMER, messageBody: body, previousPublishedMessageId: 'wJalrXUtnFEMI-outbound-1' });
  if (r.status !== 200) throw new Error(`inbound simulation failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The messages the sandbox's topic received (newest last). */
export async function topicMessages(env: WorkflowEnv, arn: string): Promise<{ messageId: string; message: string }[]> {
  const r = await control(env.sandbox.url, 'GET', `/_sandbox/topics/${encodeURIComponent(arn)}/messages`);
  if (r.status !== 200) throw new Error(`topic messages of ${arn}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.messages;
}

export async function connectEvents(env: WorkflowEnv): Promise<Record<string, string>[]> {
  return (await control(env.sandbox.url, 'GET', '/_sandbox/connect/events')).body.events;
}

/** The docs/domain.md §3 payload fields, exactly. */
export const PAYLOAD_FIELDS = ['destinationNumber', 'inboundMessageId', 'messageBody', 'messageKeyword', 'originationNumber', 'previousPublishedMessageId'];

export async function setFault(env: WorkflowEnv, fault: { service: string; operation: string; error: string; count?: number; afterCalls?: number; reason?: string }): Promise<void> {
  const r = await control(env.sandbox.url, 'POST', '/_sandbox/faults', fault);
  if (r.status !== 200) throw new Error(`fault not set: ${JSON.stringify(r.body)}`);
}

export async function clearFaults(env: WorkflowEnv): Promise<void> {
  await control(env.sandbox.url, 'DELETE', '/_sandbox/faults');
}
