/**
 * `npm run bench`: what a user of the local service waits for. Reports, asserts nothing (goals are printed as
 * met or not):
 *  1. cold `npm start` to ready: spawn → the "ready" line, fresh DATA_DIR each run (and a restart on a used one);
 *  2. REST API latency of GET /v1/provisionings/{id} against that `npm start` process (sequential requests);
 *  3. end-to-end provisioning latency per destination kind, sandbox propagation delays 0: POST → the first GET
 *     that says SUCCEEDED, and the execution's own duration; plus its state transitions (the Standard-workflow
 *     billing unit) from the local Step Functions engine. Run in process (`startRuntime`, as `npm start` does,
 *     same Wait shortening) so the engine's transition counter can be read;
 *  4. what durability costs: the same provisionings, reads and writes against a runtime that flushes every write
 *     to the disk (as `npm start` does) and one that does not (`durableWrites: false`, as before issue 8).
 * The table is printed and written to bench/results.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { DEMO } from '../local/sandbox/seed';
import { startNpm, type StartedProcess } from '../test/support/process';
import { ApiClient, destinations, EdgeClient, startTestRuntime, TERMINAL, topicArn, type TestRuntime } from '../test/support/runtime';

const START_RUNS = Number(process.env.BENCH_START_RUNS ?? 5);
const GET_REQUESTS = Number(process.env.BENCH_GET_REQUESTS ?? 300);
const E2E_RUNS = Number(process.env.BENCH_E2E_RUNS ?? 10);
const TOKEN = 'bench-token-0123456789abcdef';
const GOALS = { readyMs: 3000, getP50Ms: 10 };

const pct = (samples: number[], p: number): number => {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const median = (s: number[]): number => pct(s, 50);
const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const log = (s: string): void => void process.stderr.write(`${s}\n`);

interface StartSample {
  spawnToReadyMs: number;
  /** What the process itself printed ("ready in N ms": from main() to listening, after npm and tsx). */
  selfReportedMs: number;
}

async function startOnce(dataDir: string): Promise<{ proc: StartedProcess; sample: StartSample; api: ApiClient; edge: EdgeClient }> {
  const t0 = performance.now();
  const proc = startNpm({ DATA_DIR: dataDir, SANDBOX_PORT: '0', PORT: '0', TWO_WAY_SMS_API_TOKEN: TOKEN });
  const [, self] = await proc.waitFor(/two-way-sms: ready in (\d+) ms/, 60_000);
  const spawnToReadyMs = performance.now() - t0;
  const [, apiUrl] = await proc.waitFor(/REST API:\s+(http:\/\/127\.0\.0\.1:\d+)\/v1/);
  const [, edgeUrl] = await proc.waitFor(/AWS sandbox .*: (http:\/\/127\.0\.0\.1:\d+)/);
  return { proc, sample: { spawnToReadyMs, selfReportedMs: Number(self) }, api: new ApiClient(apiUrl!, TOKEN), edge: new EdgeClient(edgeUrl!) };
}

async function benchStart(dirs: string[]): Promise<{ cold: StartSample[]; restart: StartSample[]; running: Awaited<ReturnType<typeof startOnce>> }> {
  const cold: StartSample[] = [];
  const restart: StartSample[] = [];
  let running: Awaited<ReturnType<typeof startOnce>> | undefined;
  for (let i = 0; i < START_RUNS; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-start-'));
    dirs.push(dataDir);
    const s = await startOnce(dataDir);
    cold.push(s.sample);
    log(`  cold start ${i + 1}/${START_RUNS}: ${ms(s.sample.spawnToReadyMs)} ms (self-reported ${s.sample.selfReportedMs} ms)`);
    await s.proc.kill('SIGTERM');
    // A restart on the DATA_DIR just used: state, history and the token already exist.
    const again = await startOnce(dataDir);
    restart.push(again.sample);
    if (i < START_RUNS - 1) await again.proc.kill('SIGTERM');
    else running = again;
  }
  return { cold, restart, running: running! };
}

async function sample(n: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 10; i++) await call();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * Where a GET's time goes: the same process's cheapest HTTP answer (/healthz), and the reads the GET makes
 * (DescribeExecution and GetExecutionHistory on the edge port, a DynamoDB GetItem of the record), one by one.
 */
async function benchGetParts(api: ApiClient, edge: EdgeClient, id: string, executionArn: string): Promise<[string, number[]][]> {
  const n = Math.max(50, Math.floor(GET_REQUESTS / 3));
  const sfn = new SFNClient(edge.sdkConfig());
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(edge.sdkConfig()));
  return [
    ['GET /healthz (HTTP floor of the API server)', await sample(n, () => api.call('GET', '/healthz'))],
    ['SFN DescribeExecution (edge port)', await sample(n, () => sfn.send(new DescribeExecutionCommand({ executionArn })))],
    ['SFN GetExecutionHistory, all events (edge port)', await sample(n, () => sfn.send(new GetExecutionHistoryCommand({ executionArn })))],
    ['DynamoDB GetItem of the provisioning record (edge port)', await sample(n, () => doc.send(new GetCommand({ TableName: 'two-way-sms', Key: { pk: `PROV#${id}`, sk: 'META' } })))],
  ];
}

async function benchGet(api: ApiClient): Promise<{ samples: number[]; id: string; executionArn: string }> {
  const { id, executionArn } = await api.provision({ phoneNumberId: DEMO.numbers.longCode, destination: destinations.snsNewTopicPolicy('bench-get') });
  const end = await api.waitForEnd(id, 30_000);
  if (end.status !== 'SUCCEEDED') throw new Error(`the provisioning for the GET benchmark ended ${end.status}`);
  const path = `/v1/provisionings/${id}`;
  for (let i = 0; i < 20; i++) await api.call('GET', path);
  const samples: number[] = [];
  for (let i = 0; i < GET_REQUESTS; i++) {
    const t0 = performance.now();
    const res = await api.call('GET', path);
    samples.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
  }
  return { samples, id, executionArn };
}

/** The floor under any `npm start`: spawning `tsx` with an empty program (no project code loaded). */
function tsxFloor(): number[] {
  const out: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    spawnSync(join(__dirname, '..', 'node_modules', '.bin', 'tsx'), ['-e', '0'], { stdio: 'ignore' });
    out.push(performance.now() - t0);
  }
  return out;
}

interface Kind {
  label: string;
  request: (n: { id: string }, i: number, instanceId: string) => unknown;
}

const KINDS: Kind[] = [
  { label: 'SNS: new topic + new role', request: (n, i) => ({ phoneNumberId: n.id, destination: destinations.snsNewTopicNewRole(`bench-role-${i}`) }) },
  { label: 'SNS: new topic + topic policy', request: (n, i) => ({ phoneNumberId: n.id, destination: destinations.snsNewTopicPolicy(`bench-policy-${i}`) }) },
  { label: 'SNS: existing encrypted topic + topic policy', request: (n) => ({ phoneNumberId: n.id, destination: destinations.snsEncryptedTopicPolicy() }) },
  { label: 'Connect: demo instance + new role', request: (n, _i, instanceId) => ({ phoneNumberId: n.id, destination: destinations.connectNewRole(instanceId) }) },
];

interface E2eResult {
  label: string;
  wall: number[];
  execution: number[];
  transitions: number[];
}

async function timed(env: TestRuntime, start: () => Promise<{ id: string; executionArn: string }>): Promise<{ wall: number; execution: number; transitions: number }> {
  const t0 = performance.now();
  const { id, executionArn } = await start();
  let body: { status: string; startedAt: string; endedAt: string; error?: unknown };
  for (;;) {
    body = (await env.api.call('GET', `/v1/provisionings/${id}`)).body as typeof body;
    if ((TERMINAL as readonly string[]).includes(body.status)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const wall = performance.now() - t0;
  if (body.status !== 'SUCCEEDED') throw new Error(`${id} ended ${body.status}: ${JSON.stringify(body.error)}`);
  return { wall, execution: Date.parse(body.endedAt) - Date.parse(body.startedAt), transitions: await env.rt.stepFunctions.transitions(executionArn) };
}

async function benchE2e(): Promise<E2eResult[]> {
  // The same options as `npm start` (local/main.ts): Wait states shortened to 200 ms, retries in real seconds.
  const env = await startTestRuntime({ apiToken: TOKEN, waitMs: 200 });
  try {
    await env.edge.settings({ iamPropagationDelayMs: 0, connectClaimDelayMs: 0 });
    const demo = await env.edge.demo();
    const results: E2eResult[] = KINDS.map((k) => ({ label: k.label, wall: [], execution: [], transitions: [] }));
    const deprov: E2eResult = { label: 'Deprovision (of SNS: new topic + new role)', wall: [], execution: [], transitions: [] };
    // One warm-up provisioning (first-use costs: module loading, first table writes).
    const warm = await env.edge.newNumber();
    await timed(env, () => env.api.provision(KINDS[0]!.request(warm, -1, demo.connectInstanceId)));
    for (let i = 0; i < E2E_RUNS; i++) {
      // Kinds interleaved so that a slow phase of the machine does not land on one kind only.
      for (const [k, kind] of KINDS.entries()) {
        const n = await env.edge.newNumber();
        const r = await timed(env, () => env.api.provision(kind.request(n, i, demo.connectInstanceId)));
        results[k]!.wall.push(r.wall);
        results[k]!.execution.push(r.execution);
        results[k]!.transitions.push(r.transitions);
        if (k === 0) {
          const d = await timed(env, async () => {
            const res = await env.api.call('DELETE', `/v1/phone-numbers/${n.id}/two-way`);
            if (res.status !== 202) throw new Error(`DELETE answered ${res.status}: ${JSON.stringify(res.body)}`);
            return { id: res.body.id as string, executionArn: res.body.executionArn as string };
          });
          deprov.wall.push(d.wall);
          deprov.execution.push(d.execution);
          deprov.transitions.push(d.transitions);
        }
      }
      log(`  end-to-end round ${i + 1}/${E2E_RUNS}: ${results.map((r) => ms(r.wall.at(-1)!)).join(' / ')} ms`);
    }
    return [...results, deprov];
  } finally {
    await env.stop();
  }
}

interface DurabilityRow {
  label: string;
  durable: number[];
  volatile: number[];
}

/**
 * What durability costs (issue 8): two runtimes side by side in this process, one as `npm start` runs it (every
 * sandbox state change and every DynamoDB write flushed to the disk before it is answered), one with
 * `durableWrites: false` (as before: handed to the operating system, lost in a power loss). Each measurement
 * alternates between the two, so that load on the machine falls on both alike.
 */
async function benchDurability(): Promise<DurabilityRow[]> {
  const starts: DurabilityRow = { label: 'start in process on a fresh DATA_DIR (seeding, table creation)', durable: [], volatile: [] };
  for (let i = 0; i < START_RUNS; i++) {
    for (const durableWrites of [true, false]) {
      const t0 = performance.now();
      const env = await startTestRuntime({ apiToken: TOKEN, waitMs: 200, durableWrites });
      (durableWrites ? starts.durable : starts.volatile).push(performance.now() - t0);
      await env.stop();
    }
  }
  const durable = await startTestRuntime({ apiToken: TOKEN, waitMs: 200 });
  const volatile = await startTestRuntime({ apiToken: TOKEN, waitMs: 200, durableWrites: false });
  const envs = [durable, volatile] as const;
  try {
    const rows: DurabilityRow[] = [starts];
    const row = (label: string): DurabilityRow => {
      const r: DurabilityRow = { label, durable: [], volatile: [] };
      rows.push(r);
      return r;
    };
    const both = async (r: DurabilityRow, n: number, call: (env: TestRuntime, i: number) => Promise<number>): Promise<void> => {
      for (let i = 0; i < n; i++) {
        r.durable.push(await call(durable, i));
        r.volatile.push(await call(volatile, i));
      }
    };
    const clock = async (call: () => Promise<unknown>): Promise<number> => {
      const t0 = performance.now();
      await call();
      return performance.now() - t0;
    };
    const ids: string[] = [];
    for (const env of envs) {
      await env.edge.settings({ iamPropagationDelayMs: 0, connectClaimDelayMs: 0 });
      const warm = await env.edge.newNumber();
      const { id } = await env.api.provision({ phoneNumberId: warm.id, destination: destinations.snsNewTopicPolicy('durability-warm') });
      await env.api.waitForEnd(id, 30_000);
      ids.push(id);
    }
    const wall = row('provisioning, SNS new topic + new role: POST → SUCCEEDED');
    const execution = row('the same: execution start → stop');
    for (let i = 0; i < E2E_RUNS * 2; i++) {
      for (const [k, env] of envs.entries()) {
        const n = await env.edge.newNumber();
        const r = await timed(env, () => env.api.provision({ phoneNumberId: n.id, destination: destinations.snsNewTopicNewRole(`durability-${i}`) }));
        (k === 0 ? wall.durable : wall.volatile).push(r.wall);
        (k === 0 ? execution.durable : execution.volatile).push(r.execution);
      }
    }
    const reads = Math.max(50, Math.floor(GET_REQUESTS / 2));
    await both(row('GET /v1/provisionings/{id} (a finished one)'), reads, (env) => clock(() => env.api.call('GET', `/v1/provisionings/${ids[env === durable ? 0 : 1]}`)));
    await both(row('GET /v1/provisionings (list)'), reads, (env) => clock(() => env.api.call('GET', '/v1/provisionings')));
    const dynamo = new Map(envs.map((env) => [env, DynamoDBDocumentClient.from(new DynamoDBClient(env.edge.sdkConfig()))] as const));
    await both(row('DynamoDB PutItem, one small item (edge port)'), reads, (env, i) =>
      clock(() => dynamo.get(env)!.send(new PutCommand({ TableName: 'two-way-sms', Item: { pk: `BENCH#${i}`, sk: 'BENCH', v: i } }))),
    );
    const sns = new Map(envs.map((env) => [env, new SNSClient(env.edge.sdkConfig())] as const));
    const topic = topicArn('durability-warm');
    await both(row('sandbox SNS SetTopicAttributes (one state file replaced)'), reads, (env, i) =>
      clock(() => sns.get(env)!.send(new SetTopicAttributesCommand({ TopicArn: topic, AttributeName: 'DisplayName', AttributeValue: `bench ${i}` }))),
    );
    return rows;
  } finally {
    await durable.stop();
    await volatile.stop();
  }
}

function range(values: number[]): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

async function main(): Promise<void> {
  const dirs: string[] = [];
  let running: StartedProcess | undefined;
  try {
    log(`npm start: ${START_RUNS} cold starts (fresh DATA_DIR) and restarts (same DATA_DIR)`);
    const start = await benchStart(dirs);
    running = start.running.proc;
    log(`GET /v1/provisionings/{id}: ${GET_REQUESTS} sequential requests against npm start`);
    const get = await benchGet(start.running.api);
    const parts = await benchGetParts(start.running.api, start.running.edge, get.id, get.executionArn);
    await running.kill('SIGTERM');
    running = undefined;
    const floor = tsxFloor();
    log(`end-to-end provisioning: ${E2E_RUNS} runs per destination kind, propagation delays 0`);
    const e2e = await benchE2e();
    log(`durability: the same requests with and without flushing to the disk, ${E2E_RUNS * 2} provisionings each`);
    const durability = await benchDurability();
    const load = loadavg();

    const coldMedian = median(start.cold.map((s) => s.spawnToReadyMs));
    const getP50 = pct(get.samples, 50);
    const yes = (ok: boolean): string => (ok ? '**met**' : '**NOT met**');
    const cpu = cpus();
    const lines = [
      '# Benchmark results (`npm run bench`)',
      '',
      `${new Date().toISOString()} · node ${process.version} · ${process.platform}/${process.arch} · ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'} · load average at the end ${load.map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min)`,
      '',
      '## Goals (issue 4)',
      '',
      '| goal | target | measured | |',
      '|---|---|---|---|',
      `| cold \`npm start\` to ready (median, spawn → ready line) | < ${GOALS.readyMs} ms | ${ms(coldMedian)} ms | ${yes(coldMedian < GOALS.readyMs)} |`,
      `| GET /v1/provisionings/{id} p50 | < ${GOALS.getP50Ms} ms | ${ms(getP50)} ms | ${yes(getP50 < GOALS.getP50Ms)} |`,
      '',
      `## \`npm start\` to ready (${START_RUNS} runs each)`,
      '',
      '| start | median ms | min ms | max ms | self-reported median ms |',
      '|---|---|---|---|---|',
      ...(
        [
          ['cold (fresh DATA_DIR: seeding, table creation, token generation)', start.cold],
          ['restart (same DATA_DIR)', start.restart],
        ] as const
      ).map(([label, s]) => {
        const w = s.map((x) => x.spawnToReadyMs);
        return `| ${label} | ${ms(median(w))} | ${ms(Math.min(...w))} | ${ms(Math.max(...w))} | ${ms(median(s.map((x) => x.selfReportedMs)))} |`;
      }),
      '',
      `Spawn → ready includes \`npm\`, \`tsx\` and loading (transpiling) the project's modules; "self-reported" is the \`ready in N ms\` that \`local/main.ts\` prints, counted from \`main()\` (after all imports). For scale: spawning \`tsx -e 0\` alone takes ${ms(median(floor))} ms (median of 3).`,
      '',
      `## REST API: GET /v1/provisionings/{id} (${GET_REQUESTS} sequential requests, keep-alive, against \`npm start\`)`,
      '',
      '| p50 ms | p90 ms | p99 ms | max ms | mean ms |',
      '|---|---|---|---|---|',
      `| ${ms(pct(get.samples, 50))} | ${ms(pct(get.samples, 90))} | ${ms(pct(get.samples, 99))} | ${ms(Math.max(...get.samples))} | ${ms(get.samples.reduce((a, b) => a + b, 0) / get.samples.length)} |`,
      '',
      'Each GET refreshes the status from Step Functions (DescribeExecution + GetExecutionHistory over the edge port) and reads the ledger. Its parts, measured alone against the same process:',
      '',
      '| request | p50 ms | p99 ms |',
      '|---|---|---|',
      ...parts.map(([label, s]) => `| ${label} | ${ms(pct(s, 50))} | ${ms(pct(s, 99))} |`),
      '',
      `## End-to-end provisioning (${E2E_RUNS} runs per kind, IAM propagation and Connect claim delays 0)`,
      '',
      '| path | POST → SUCCEEDED median ms | p95 ms | execution median ms | p95 ms | state transitions |',
      '|---|---|---|---|---|---|',
      ...e2e.map((r) => `| ${r.label} | ${ms(median(r.wall))} | ${ms(pct(r.wall, 95))} | ${ms(median(r.execution))} | ${ms(pct(r.execution, 95))} | ${range(r.transitions)} |`),
      '',
      '"POST → SUCCEEDED": the client\'s view (POST, then GET every 5 ms until terminal). "Execution": Step Functions\' start → stop.',
      'State transitions: states entered plus retries, as counted by the local Step Functions engine (the Standard-workflow billing unit).',
      'In process (`startRuntime` with the options `npm start` uses), each run on a fresh number from RequestPhoneNumber.',
      '',
      `## What durability costs (issue 8; p50 of alternating requests to two runtimes in one process)`,
      '',
      '| request | flushed to disk (as `npm start`) p50 ms | not flushed (as before) p50 ms | difference p50 ms | flushed p95 ms | not flushed p95 ms |',
      '|---|---|---|---|---|---|',
      ...durability.map((r) => `| ${r.label} | ${ms(median(r.durable))} | ${ms(median(r.volatile))} | ${ms(median(r.durable) - median(r.volatile))} | ${ms(pct(r.durable, 95))} | ${ms(pct(r.volatile, 95))} |`),
      '',
      '"Flushed": every DynamoDB (LevelDB) write with `sync`, every sandbox state file flushed (fsync, and its directory) before the call is answered, so an acknowledged write survives a power loss. "Not flushed": `durableWrites: false`, the behaviour before issue 8. Reads write nothing; they are there to show that they do not pay.',
      '',
    ];
    const text = lines.join('\n');
    process.stdout.write(`\n${text}`);
    writeFileSync(join(__dirname, 'results.md'), text);
  } finally {
    await running?.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
