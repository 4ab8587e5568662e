import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execute } from '../../local/engine/executor';
import { DEMO } from '../../local/sandbox/seed';
import { TASKS } from '../../tasks';
import { createDeps, readConfig, type TaskDeps } from '../../tasks/lib/context';
import { localFunctionArns, loadDefinitionText, STATE_MACHINES, substitute, taskNames, type StateMachineKey } from '../../workflow';
import { startDynamo, type RunningDynamo } from '../support/dynamo';
import { startSandbox, type RunningSandbox } from '../support/sandbox';

/**
 * The counts behind infra/README.md's cost estimate, measured: each path runs end to end in the local engine
 * (the same ASL and task code as on AWS) against the sandbox and dynalite, behind a proxy that counts the
 * DynamoDB requests. State transitions = states entered (every retry of a state counts again on AWS too);
 * Lambda invocations = Task states entered plus their retries; DynamoDB writes = PutItem/UpdateItem/DeleteItem
 * requests (each item under 1 KB: one write request unit; audit items with before-images can be 2).
 */

/**
 * What infra/README.md states per path: transitions and invocations exactly (they follow from the ASL);
 * DynamoDB writes as the bound the estimate uses (measured when written: 24, 20, 25, 3). A path that now
 * costs more fails here until the README's estimate is redone.
 */
const DOCUMENTED = {
  'sns-new-topic-new-role': { transitions: 13, invocations: 9, maxWrites: 30 },
  // CheckRestored (the undo post-condition) ends both compensation chains: one more state and invocation.
  'sns-deprovision': { transitions: 12, invocations: 10, maxWrites: 25 },
  'connect-new-role-import': { transitions: 14, invocations: 9, maxWrites: 30 },
  'refused-pending-number': { transitions: 13, invocations: 9, maxWrites: 6 },
} as const;

type PathKey = keyof typeof DOCUMENTED;

let sandbox: RunningSandbox;
let dynamo: RunningDynamo;
let proxy: Server;
const dynamoOps: string[] = [];
let deps: TaskDeps;

/** Forwards to dynalite, recording each request's operation (X-Amz-Target: DynamoDB_20120810.<Op>). */
function countingProxy(target: string): Promise<{ server: Server; url: string }> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    dynamoOps.push(String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '');
    const up = httpRequest({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 500, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

beforeAll(async () => {
  [sandbox, dynamo] = await Promise.all([startSandbox({ seed: true }), startDynamo()]);
  const p = await countingProxy(dynamo.url);
  proxy = p.server;
  const config = { ...readConfig({}), accountId: '123456789012', tableName: dynamo.tableName };
  deps = createDeps(config, () => new Date(), { endpoint: sandbox.url, dynamoEndpoint: p.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});
afterAll(async () => {
  await new Promise<void>((r) => proxy.close(() => r()));
  await Promise.all([sandbox.stop(), dynamo.stop()]);
});

async function measure(machine: StateMachineKey, input: Record<string, unknown>) {
  const text = loadDefinitionText(STATE_MACHINES[machine]);
  const definition = substitute(text, localFunctionArns(taskNames(text)));
  const before = dynamoOps.length;
  const outcome = await execute({
    definition,
    input,
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:${STATE_MACHINES[machine]}:${randomUUID()}`,
    tasks: TASKS,
    deps,
    waitMs: 5,
    retryIntervalMs: 5,
  });
  const entered = outcome.events.filter((e) => e.type === 'StateEntered').map((e) => e.state!);
  const retries = outcome.events.filter((e) => e.type === 'StateRetry' || e.retry !== undefined).length;
  const ops = dynamoOps.slice(before);
  return {
    status: outcome.status,
    error: outcome.error,
    transitions: entered.length + retries,
    invocations: entered.filter((s) => s.type === 'Task').length + retries,
    writes: ops.filter((o) => o === 'PutItem' || o === 'UpdateItem' || o === 'DeleteItem').length,
    reads: ops.filter((o) => o === 'GetItem' || o === 'Query').length,
  };
}

const who = { requestedBy: 'cost@example.com' };
const demoInstance = () => Object.values(sandbox.sandbox.state.connect.instances).find((i) => i.InstanceAlias === DEMO.connectInstanceAlias)!;
const instanceId = () => demoInstance().Id;
/** The demo instance's "Default inbound flow" (a new id at every seed). */
const inboundFlowId = () => Object.values(demoInstance().ContactFlows ?? {}).find((f) => f.Name === 'Default inbound flow')!.Id;

const results: Partial<Record<PathKey, Awaited<ReturnType<typeof measure>>>> = {};

describe('cost counts per path (infra/README.md)', () => {
  it('SNS, new topic and new role: provisioning', async () => {
    const r = (results['sns-new-topic-new-role'] = await measure('provision', {
      provisioningId: 'cost-sns',
      phoneNumberId: DEMO.numbers.longCode,
      destination: { type: 'sns', topic: { create: { name: 'cost-topic' } }, access: { type: 'role', role: { create: {} } } },
      ...who,
    }));
    expect(r.status).toBe('SUCCEEDED');
    expect({ transitions: r.transitions, invocations: r.invocations, withinWrites: r.writes <= DOCUMENTED['sns-new-topic-new-role'].maxWrites }).toEqual({
      transitions: DOCUMENTED['sns-new-topic-new-role'].transitions,
      invocations: DOCUMENTED['sns-new-topic-new-role'].invocations,
      withinWrites: true,
    });
  });

  it('SNS: deprovisioning it', async () => {
    const r = (results['sns-deprovision'] = await measure('deprovision', { provisioningId: 'cost-sns-deprov', phoneNumberId: DEMO.numbers.longCode, ...who }));
    expect(r.status).toBe('SUCCEEDED');
    expect({ transitions: r.transitions, invocations: r.invocations, withinWrites: r.writes <= DOCUMENTED['sns-deprovision'].maxWrites }).toEqual({
      transitions: DOCUMENTED['sns-deprovision'].transitions,
      invocations: DOCUMENTED['sns-deprovision'].invocations,
      withinWrites: true,
    });
  });

  it('Connect, new role, import claimed at the first look: provisioning', async () => {
    const r = (results['connect-new-role-import'] = await measure('provision', {
      provisioningId: 'cost-connect',
      phoneNumberId: DEMO.numbers.tenDlc,
      destination: { type: 'connect', instanceId: instanceId(), role: { create: {} }, contactFlowId: inboundFlowId() },
      ...who,
    }));
    expect(r.status).toBe('SUCCEEDED');
    expect({ transitions: r.transitions, invocations: r.invocations, withinWrites: r.writes <= DOCUMENTED['connect-new-role-import'].maxWrites }).toEqual({
      transitions: DOCUMENTED['connect-new-role-import'].transitions,
      invocations: DOCUMENTED['connect-new-role-import'].invocations,
      withinWrites: true,
    });
  });

  it('a refused request (PENDING number): validation fails, the rollback chain runs as no-ops', async () => {
    const r = (results['refused-pending-number'] = await measure('provision', {
      provisioningId: 'cost-refused',
      phoneNumberId: DEMO.numbers.pending,
      destination: { type: 'sns', topic: { create: { name: 'cost-topic-2' } }, access: { type: 'topicPolicy' } },
      ...who,
    }));
    expect(r.status).toBe('FAILED');
    expect({ transitions: r.transitions, invocations: r.invocations, withinWrites: r.writes <= DOCUMENTED['refused-pending-number'].maxWrites }).toEqual({
      transitions: DOCUMENTED['refused-pending-number'].transitions,
      invocations: DOCUMENTED['refused-pending-number'].invocations,
      withinWrites: true,
    });
  });

  afterAll(() => {
    // The measured figures, for updating infra/README.md (`COST_REPORT=1 npx jest test/infra/cost.test.ts`).
    if (process.env.COST_REPORT) process.stderr.write(`${JSON.stringify(results, null, 1)}\n`);
  });
});
