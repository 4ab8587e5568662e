import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectClient, ListInstancesCommand } from '@aws-sdk/client-connect';
import { KMSClient } from '@aws-sdk/client-kms';
import { DescribePhoneNumbersCommand, DescribePoolsCommand, PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import Ajv2020 from 'ajv/dist/2020';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { monotonicFactory } from 'ulid';
import { createApi, type Api, type ApiDeps } from '../../../api/app';
import { buildOpenApiDocument } from '../../../api/openapi';
import { startApiServer, type RunningApiServer } from '../../../local/api/server';
import { DEMO } from '../../../local/sandbox/seed';
import { startDynamo, type RunningDynamo } from '../../support/dynamo';
import { startSandbox, type RunningSandbox } from '../../support/sandbox';

/**
 * The API under test: the real handler behind the real local HTTP adapter, with real dynalite and the real
 * sandbox (for number lookups). Step Functions is an aws-sdk-client-mock stub: the unit under test is the API,
 * and the stub lets each test assert the exact StartExecution input and script what DescribeExecution says.
 * Every response the helper receives is checked against /openapi.json.
 */

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const PROVISION_SM = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:provision-two-way`;
export const DEPROVISION_SM = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:deprovision-two-way`;
export const TOKEN = 'test-token-0123456789';
export const CALLER = 'local:token';

export interface FakeExecution {
  arn: string;
  name: string;
  stateMachineArn: string;
  input: string;
  describe: Partial<DescribeExecutionCommandOutput>;
  history: HistoryEvent[];
}

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is (for malformed JSON); otherwise `body` is JSON-encoded. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  /** `null`: no Authorization header. */
  token?: string | null;
  /** Skip the OpenAPI check (responses that cannot be described, e.g. a closed connection). */
  unchecked?: boolean;
}

export interface ApiEnv {
  sandbox: RunningSandbox;
  dynamo: RunningDynamo;
  server: RunningApiServer;
  dataDir: string;
  url: string;
  api: Api;
  deps: ApiDeps;
  sfn: AwsClientStub<SFNClient>;
  executions: Map<string, FakeExecution>;
  numbers: { longCode: string; tenDlc: string; simulator: string; pooled: string; pending: string; noTwoWayCountry: string };
  poolId: string;
  doc: any;
  call(method: string, path: string, opts?: CallOptions): Promise<Res>;
  /** The inputs of every StartExecution call so far. */
  starts(): StartExecutionCommandInput[];
  /** The next StartExecution fails with `error`; later ones work. */
  failNextStart(error: Error): void;
  /** Ends every fake execution still RUNNING (so numbers are free for the next test). */
  settle(status?: 'SUCCEEDED'): void;
  resetSfn(): void;
  stop(): Promise<void>;
}

export async function startApiEnv(): Promise<ApiEnv> {
  const [sandbox, dynamo] = await Promise.all([startSandbox({ seed: true }), startDynamo()]);
  const dataDir = mkdtempSync(join(tmpdir(), 'api-test-'));
  const sms = new PinpointSMSVoiceV2Client(sandbox.clientConfig);
  const numbers = await numberIds(sms);
  const pools = await sms.send(new DescribePoolsCommand({}));
  const poolId = pools.Pools![0]!.PoolId!;
  const instances = await new ConnectClient(sandbox.clientConfig).send(new ListInstancesCommand({}));
  demoInstanceId = instances.InstanceSummaryList!.find((i) => i.InstanceAlias === DEMO.connectInstanceAlias)!.Id!;

  const sfnClient = new SFNClient({ region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const sfn = mockClient(sfnClient);
  const executions = new Map<string, FakeExecution>();
  const ulid = monotonicFactory();
  const deps: ApiDeps = {
    sfn: sfnClient,
    db: DynamoDBDocumentClient.from(dynamo.client, { marshallOptions: { removeUndefinedValues: true } }),
    tableName: dynamo.tableName,
    sms,
    lookups: { sns: new SNSClient(sandbox.clientConfig), kms: new KMSClient(sandbox.clientConfig), connect: new ConnectClient(sandbox.clientConfig) },
    clock: () => new Date(),
    newId: () => ulid(),
    stateMachines: { provision: PROVISION_SM, deprovision: DEPROVISION_SM },
  };
  const api = createApi(deps);
  const server = await startApiServer({ port: 0, dataDir, api, token: TOKEN });
  const doc = buildOpenApiDocument();
  const checker = openApiChecker(doc);

  const env: ApiEnv = {
    sandbox,
    dynamo,
    server,
    dataDir,
    url: server.url,
    api,
    deps,
    sfn,
    executions,
    numbers,
    poolId,
    doc,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.token === null ? {} : { authorization: `Bearer ${opts.token ?? TOKEN}` }) };
      let body: string | Buffer | undefined;
      if (opts.raw !== undefined) body = opts.raw;
      else if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] = 'application/json';
      }
      Object.assign(headers, opts.headers);
      const res = await fetch(`${server.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      const type = res.headers.get('content-type') ?? '';
      const parsed = text && type.includes('json') ? JSON.parse(text) : undefined;
      const out: Res = { status: res.status, headers: res.headers, text, body: parsed };
      if (!opts.unchecked) checker.response(method, path, out);
      return out;
    },
    starts() {
      return sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    },
    settle(status = 'SUCCEEDED') {
      for (const ex of executions.values()) if ((ex.describe.status ?? 'RUNNING') === 'RUNNING') ex.describe = { ...ex.describe, status, stopDate: new Date() };
    },
    failNextStart(error) {
      sfn.on(StartExecutionCommand).rejectsOnce(error).callsFake(fakeStart(executions));
    },
    resetSfn() {
      sfn.reset();
      installFakeSfn(sfn, executions);
    },
    async stop() {
      sfn.restore();
      await server.close();
      await Promise.all([sandbox.stop(), dynamo.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  installFakeSfn(sfn, executions);
  return env;
}

/** A Step Functions stand-in good enough for the API: named executions, scripted status and history. */
export function installFakeSfn(sfn: AwsClientStub<SFNClient>, executions: Map<string, FakeExecution>): void {
  sfn.on(StartExecutionCommand).callsFake(fakeStart(executions));
  installReads(sfn, executions);
}

function fakeStart(executions: Map<string, FakeExecution>) {
  return (input: StartExecutionCommandInput) => {
    const arn = `${input.stateMachineArn!.replace(':stateMachine:', ':execution:')}:${input.name}`;
    const existing = executions.get(arn);
    if (existing && existing.input !== input.input) throw Object.assign(new Error(`Execution Already Exists: '${arn}'`), { name: 'ExecutionAlreadyExists' });
    const startDate = new Date();
    executions.set(arn, existing ?? { arn, name: input.name!, stateMachineArn: input.stateMachineArn!, input: input.input!, describe: { status: 'RUNNING', startDate }, history: [] });
    return { executionArn: arn, startDate };
  };
}

function installReads(sfn: AwsClientStub<SFNClient>, executions: Map<string, FakeExecution>): void {
  sfn.on(DescribeExecutionCommand).callsFake(({ executionArn }: { executionArn: string }) => {
    const ex = executions.get(executionArn);
    if (!ex) throw Object.assign(new Error(`Execution Does Not Exist: '${executionArn}'`), { name: 'ExecutionDoesNotExist' });
    return { executionArn, stateMachineArn: ex.stateMachineArn, name: ex.name, input: ex.input, status: 'RUNNING', startDate: new Date(), ...ex.describe };
  });
  sfn.on(GetExecutionHistoryCommand).callsFake(({ executionArn, maxResults, nextToken }: { executionArn: string; maxResults?: number; nextToken?: string }) => {
    const ex = executions.get(executionArn);
    if (!ex) throw Object.assign(new Error('Execution Does Not Exist'), { name: 'ExecutionDoesNotExist' });
    let start = 0;
    if (nextToken !== undefined) {
      const m = /^page-(\d+)$/.exec(nextToken);
      if (!m) throw Object.assign(new Error('Invalid Token'), { name: 'InvalidToken' });
      start = Number(m[1]);
    }
    const size = maxResults ?? 1000;
    const events = ex.history.slice(start, start + size);
    return { events, ...(start + size < ex.history.length ? { nextToken: `page-${start + size}` } : {}) };
  });
  sfn.on(RedriveExecutionCommand).callsFake(({ executionArn }: { executionArn: string }) => {
    const ex = executions.get(executionArn);
    if (!ex) throw Object.assign(new Error('Execution Does Not Exist'), { name: 'ExecutionDoesNotExist' });
    if (ex.describe.status !== 'FAILED') throw Object.assign(new Error(`Execution ${executionArn} is ${ex.describe.status} and cannot be redriven`), { name: 'ExecutionNotRedrivable' });
    ex.describe = { status: 'RUNNING', startDate: ex.describe.startDate ?? new Date(), redriveCount: (ex.describe.redriveCount ?? 0) + 1 };
    return { redriveDate: new Date() };
  });
}

async function numberIds(sms: PinpointSMSVoiceV2Client): Promise<ApiEnv['numbers']> {
  const out = await sms.send(new DescribePhoneNumbersCommand({}));
  const id = (e164: string) => out.PhoneNumbers!.find((n) => n.PhoneNumber === e164)!.PhoneNumberId!;
  const n = DEMO.numbers;
  return { longCode: id(n.longCode), tenDlc: id(n.tenDlc), simulator: id(n.simulator), pooled: id(n.pooled), pending: id(n.pending), noTwoWayCountry: id(n.noTwoWayCountry) };
}

// ---- fixtures ---------------------------------------------------------------------------------------------

export const snsNew = () => ({ type: 'sns', topic: { create: { name: 'inbound-demo' } }, access: { type: 'role', role: { create: {} } } });
export const snsPolicy = () => ({ type: 'sns', topic: { arn: `arn:aws:sns:${REGION}:${ACCOUNT}:two-way-demo-inbound` }, access: { type: 'topicPolicy' } });
/** The demo Connect instance of the sandbox the last `startApiEnv` started (the API checks that it exists). */
let demoInstanceId = '';
export const connectDest = () => ({ type: 'connect', instanceId: demoInstanceId, role: { arn: `arn:aws:iam::${ACCOUNT}:role/two-way-sms/connect-role` } });
export const ticket = () => ({ system: 'jira', key: 'OPS-42', url: 'https://jira.example.com/browse/OPS-42' });

/** A Lambda-style history, like the one Step Functions records. */
export function historyOf(steps: { name: string; type?: string; fail?: { error: string; cause: string }[]; succeed?: boolean }[], end?: { type: 'ExecutionSucceeded' | 'ExecutionFailed'; error?: string; cause?: string }): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  let t = Date.parse('2025-01-01T00:00:00Z');
  const push = (e: Omit<HistoryEvent, 'id' | 'timestamp'>) => {
    const id = events.length + 1;
    events.push({ id, previousEventId: id - 1, timestamp: new Date((t += 1000)), ...e } as HistoryEvent);
  };
  push({ type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}', roleArn: `arn:aws:iam::${ACCOUNT}:role/sfn` } });
  for (const s of steps) {
    const type = s.type ?? 'Task';
    push({ type: `${type}StateEntered` as HistoryEvent['type'], stateEnteredEventDetails: { name: s.name, input: '{}' } });
    if (type === 'Task') {
      for (const f of s.fail ?? []) {
        push({ type: 'LambdaFunctionScheduled', lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:us-east-1:123456789012:function:x' } });
        push({ type: 'LambdaFunctionStarted' });
        push({ type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: f });
      }
      if (s.succeed !== false) {
        push({ type: 'LambdaFunctionScheduled', lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:us-east-1:123456789012:function:x' } });
        push({ type: 'LambdaFunctionStarted' });
        push({ type: 'LambdaFunctionSucceeded', lambdaFunctionSucceededEventDetails: { output: '{}' } });
      }
    }
    if (s.succeed !== false && type !== 'Fail') push({ type: `${type}StateExited` as HistoryEvent['type'], stateExitedEventDetails: { name: s.name, output: '{}' } });
  }
  if (end?.type === 'ExecutionSucceeded') push({ type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{}' } });
  if (end?.type === 'ExecutionFailed') push({ type: 'ExecutionFailed', executionFailedEventDetails: { error: end.error!, cause: end.cause! } });
  return events;
}

export const lambdaCause = (errorType: string, errorMessage: string) => JSON.stringify({ errorType, errorMessage });

// ---- OpenAPI conformance ----------------------------------------------------------------------------------

export interface OpenApiChecker {
  /** Throws when the response's status, content type or body is not what the document says for the route. */
  response(method: string, path: string, res: Res): void;
  /** Errors of a request body against the operation's request schema ([] when valid). */
  requestErrors(method: string, path: string, body: unknown): string[];
  /** Errors of query parameters against the operation's parameter schemas. */
  queryErrors(method: string, path: string, query: Record<string, string>): string[];
  /** The (template, method, status) triples seen by `response`. */
  seen: Set<string>;
  templateOf(path: string): string | undefined;
}

export function openApiChecker(doc: any): OpenApiChecker {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  const rewrite = (s: unknown): any => JSON.parse(JSON.stringify(s).replace(/"\$ref":"#\//g, '"$ref":"openapi.json#/'));
  const validator = (key: string, schema: unknown) => {
    let v = compiled.get(key);
    if (!v) {
      v = ajv.compile(rewrite(schema));
      compiled.set(key, v);
    }
    return v;
  };
  const templates = Object.keys(doc.paths).map((t) => ({ t, re: new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`) }));
  const templateOf = (path: string) => templates.find((x) => x.re.test(path.split('?')[0]!))?.t;
  const seen = new Set<string>();
  return {
    seen,
    templateOf,
    response(method, path, res) {
      const t = templateOf(path);
      const ct = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
      const op = t ? doc.paths[t][method.toLowerCase()] : undefined;
      if (!op) {
        // Not a documented operation: only the `default` problem of some operation can describe it.
        if (ct !== 'application/problem+json') throw new Error(`${method} ${path}: undocumented operation answered ${res.status} ${ct}`);
        const v = validator('Problem', { $ref: '#/components/schemas/Problem' });
        if (!v(res.body)) throw new Error(`${method} ${path}: problem does not match the Problem schema: ${ajv.errorsText(v.errors)}`);
        return;
      }
      const documented = op.responses[String(res.status)] ?? op.responses.default;
      if (!documented) throw new Error(`${method} ${t} answered ${res.status}, which is not documented`);
      if (!documented.content?.[ct]) throw new Error(`${method} ${t} answered ${res.status} with ${ct}; documented: ${Object.keys(documented.content ?? {}).join(', ')}`);
      const key = `${method} ${t} ${op.responses[String(res.status)] ? res.status : 'default'} ${ct}`;
      const v = validator(key, documented.content[ct].schema);
      if (!v(res.body)) throw new Error(`${method} ${path} ${res.status}: body does not match the document: ${ajv.errorsText(v.errors)}\n${res.text.slice(0, 2000)}`);
      for (const [name, h] of Object.entries<any>(documented.headers ?? {})) {
        if (h.required && !res.headers.get(name)) throw new Error(`${method} ${t} ${res.status}: required header ${name} missing`);
      }
      seen.add(`${method.toUpperCase()} ${t} ${res.status}`);
    },
    requestErrors(method, path, body) {
      const t = templateOf(path)!;
      const schema = doc.paths[t][method.toLowerCase()].requestBody.content['application/json'].schema;
      const v = validator(`req ${method} ${t}`, schema);
      return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    },
    queryErrors(method, path, query) {
      const t = templateOf(path);
      const op = t ? doc.paths[t][method.toLowerCase()] : undefined;
      if (!op) return Object.keys(query).length ? ['no such operation'] : [];
      const params: any[] = op.parameters ?? [];
      const errors: string[] = [];
      for (const [name, value] of Object.entries(query)) {
        const p = params.find((x) => x.in === 'query' && x.name === name);
        if (!p) {
          errors.push(`${name} is not a documented parameter`);
          continue;
        }
        const v = validator(`q ${t} ${name}`, p.schema);
        const typed = JSON.stringify(p.schema).includes('"integer"') && /^-?\d+$/.test(value) ? Number(value) : value;
        if (!v(typed)) errors.push(`${name}: ${ajv.errorsText(v.errors)}`);
      }
      return errors;
    },
  };
}
