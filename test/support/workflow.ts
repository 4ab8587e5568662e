import { randomUUID } from 'node:crypto';
import { IAMClient } from '@aws-sdk/client-iam';
import { ensureChannelRoleBoundary, keepChannelRoleBoundary } from '../../local/boundary';
import { execute, type ExecutionOutcome } from '../../local/engine/executor';
import { TASKS } from '../../tasks';
import { createDeps, readConfig, type TaskDeps } from '../../tasks/lib/context';
import { localFunctionArns, loadDefinitionText, STATE_MACHINES, substitute, taskNames, type StateMachineKey } from '../../workflow';
import { startDynamo, type RunningDynamo } from './dynamo';
import { control, startSandbox, type RunningSandbox } from './sandbox';

export interface WorkflowEnv {
  sandbox: RunningSandbox;
  dynamo: RunningDynamo;
  deps: TaskDeps;
  /** Runs a state machine to its end (waits and retry intervals shortened). */
  run(machine: StateMachineKey, input: unknown, opts?: { executionArn?: string; startAt?: { name: string; input: unknown } }): Promise<ExecutionOutcome & { executionArn: string; states: string[] }>;
  /** Every call the sandbox received since `seq` (from the call log). */
  calls(since?: number): Promise<{ seq: number; service: string; operation: string; mutating: boolean; status: number; errorCode?: string }[]>;
  lastSeq(): Promise<number>;
  stop(): Promise<void>;
}

/** The sandbox (seeded) and dynalite, with task dependencies pointed at both. */
export async function startWorkflowEnv(opts: { seed?: boolean } = {}): Promise<WorkflowEnv> {
  const [sandbox, dynamo] = await Promise.all([startSandbox({ seed: opts.seed ?? true }), startDynamo()]);
  // As in a deployed stack and in npm start: roles the tasks create carry the channel-role boundary (kept across resets).
  const iam = new IAMClient(sandbox.clientConfig);
  const permissionsBoundaryArn = await ensureChannelRoleBoundary(iam, { partition: 'aws', region: 'us-east-1', accountId: '123456789012' });
  iam.destroy();
  keepChannelRoleBoundary(sandbox.sandbox);
  const config = { ...readConfig({}), accountId: '123456789012', tableName: dynamo.tableName, importPollLimit: 20, permissionsBoundaryArn };
  const deps = createDeps(config, () => new Date(), { endpoint: sandbox.url, dynamoEndpoint: dynamo.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  const definitions = Object.fromEntries(
    Object.entries(STATE_MACHINES).map(([key, name]) => {
      const text = loadDefinitionText(name);
      return [key, substitute(text, localFunctionArns(taskNames(text)))];
    }),
  );
  const env: WorkflowEnv = {
    sandbox,
    dynamo,
    deps,
    async run(machine, input, runOpts = {}) {
      const executionArn = runOpts.executionArn ?? `arn:aws:states:us-east-1:123456789012:execution:${STATE_MACHINES[machine]}:${randomUUID()}`;
      const outcome = await execute({
        definition: definitions[machine]!,
        input,
        executionArn,
        tasks: TASKS,
        deps,
        waitMs: 5,
        retryIntervalMs: 5,
        ...(runOpts.startAt ? { startAt: runOpts.startAt } : {}),
      });
      const states = outcome.events.filter((e) => e.type === 'StateEntered').map((e) => e.state!.name);
      return { ...outcome, executionArn, states };
    },
    async calls(since = 0) {
      return (await control(sandbox.url, 'GET', `/_sandbox/calls?since=${since}`)).body.calls;
    },
    async lastSeq() {
      const all = (await control(sandbox.url, 'GET', '/_sandbox/calls')).body.calls as { seq: number }[];
      return all.at(-1)?.seq ?? 0;
    },
    async stop() {
      await Promise.all([sandbox.stop(), dynamo.stop()]);
    },
  };
  return env;
}

/**
 * Everything a provisioning may change in the sandbox, with volatile fields left out: what a rolled-back
 * execution must leave exactly as it found it.
 */
export function sandboxSnapshot(env: WorkflowEnv): unknown {
  const s = env.sandbox.sandbox.state;
  return JSON.parse(
    JSON.stringify({
      numbers: Object.values(s.smsVoice.phoneNumbers).map((n) => twoWay(n.PhoneNumberId, n)),
      pools: Object.values(s.smsVoice.pools).map((p) => twoWay(p.PoolId, p)),
      topics: Object.values(s.sns.topics).map((t) => ({ arn: t.TopicArn, attributes: t.Attributes, tags: t.Tags })),
      roles: Object.values(s.iam.roles).map((r) => ({ arn: r.Arn, trust: r.AssumeRolePolicyDocument, inline: r.InlinePolicies, attached: r.AttachedPolicyArns, tags: r.Tags })),
      keys: Object.values(s.kms.keys).map((k) => ({ id: k.KeyId, policy: k.Policy, state: k.KeyState })),
      imports: Object.values(s.connect.phoneNumbers).map((p) => ({ id: p.PhoneNumberId, source: p.SourcePhoneNumberArn, flow: p.ContactFlowId })),
    }),
  );
}

/**
 * The snapshot after an undo, to compare with the one taken before the provisioning: a role this service
 * created that a number or pool still names is left out, because AWS cannot clear TwoWayChannelRole and the
 * undo must keep such a role (issue 8). Each one left out must carry this service's tags, and allow nothing but
 * delivery to a channel that a number or pool naming it has stored.
 */
export function restoredSnapshot(env: WorkflowEnv, before: unknown): unknown {
  const s = env.sandbox.sandbox.state;
  const holders = [...Object.values(s.smsVoice.phoneNumbers), ...Object.values(s.smsVoice.pools)];
  const existed = new Set((before as { roles: { arn: string }[] }).roles.map((r) => r.arn));
  const after = sandboxSnapshot(env) as { roles: { arn: string }[] };
  const retained = new Set<string>();
  for (const r of Object.values(s.iam.roles)) {
    if (existed.has(r.Arn)) continue;
    const naming = holders.filter((h) => h.TwoWayChannelRole === r.Arn);
    if (naming.length === 0) continue;
    const tagged = r.Tags.some((t) => t.Key === 'two-way-sms:managed-by' && t.Value === 'two-way-sms');
    if (!tagged) throw new Error(`role ${r.Arn} is named by a number but was not created by this service`);
    const channels = new Set(naming.map((h) => h.TwoWayChannelArn).filter((c): c is string => c !== undefined));
    for (const [name, doc] of Object.entries(r.InlinePolicies)) {
      for (const st of (JSON.parse(doc) as { Statement: { Action: string | string[]; Resource: string | string[] }[] }).Statement) {
        const actions = [st.Action].flat();
        if (actions.includes('sns:Publish') && ![st.Resource].flat().every((t) => channels.has(t))) {
          throw new Error(`retained role ${r.Arn} policy ${name} allows sns:Publish beyond the channels its numbers name: ${doc}`);
        }
      }
    }
    retained.add(r.Arn);
  }
  return { ...after, roles: after.roles.filter((r) => !retained.has(r.arn)) };
}

/**
 * A number's two-way settings as they matter: with two-way off, the stored channel and role are inert (the API
 * can turn two-way off but cannot clear them, on AWS as in the sandbox), so they are left out.
 */
function twoWay(id: string, n: { TwoWayEnabled: boolean; TwoWayChannelArn?: string; TwoWayChannelRole?: string }): unknown {
  return n.TwoWayEnabled ? { id, enabled: true, arn: n.TwoWayChannelArn, role: n.TwoWayChannelRole } : { id, enabled: false };
}
