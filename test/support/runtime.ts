import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectClient, ListInstancesCommand } from '@aws-sdk/client-connect';
import { DescribePhoneNumbersCommand, DescribePoolsCommand, PinpointSMSVoiceV2Client, RequestPhoneNumberCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../local/runtime';
import { DEMO } from '../../local/sandbox/seed';
import { control } from './sandbox';

/**
 * Helpers for the HTTP end-to-end tests and the benchmark: the whole local service (`startRuntime`, what
 * `npm start` runs) in process, and small clients for its REST API and the sandbox control API that see only
 * what a user sees over HTTP.
 */

export const E2E_TOKEN = 'e2e-test-token-0123456789';
export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const TERMINAL = ['SUCCEEDED', 'ROLLED_BACK', 'ROLLBACK_FAILED', 'ABORTED'] as const;

export interface HttpResult {
  status: number;
  headers: Headers;
  body: any;
}

/** One JSON request; the body is parsed whenever the response says it is JSON. Never throws on a status. */
export async function http(url: string, method: string, opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(url, { method, headers, ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}) });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, headers: res.headers, body: text && type.includes('json') ? JSON.parse(text) : text };
}

/** A client of the REST API (`/v1/...`) with a bearer token. */
export class ApiClient {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult> {
    return http(`${this.url}${path}`, method, { token: this.token, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
  }

  /** POST /v1/provisionings; throws unless it answered 202 (the test is about what follows). */
  async provision(body: unknown): Promise<{ id: string; executionArn: string; body: any }> {
    const res = await this.call('POST', '/v1/provisionings', body);
    if (res.status !== 202) throw new Error(`POST /v1/provisionings answered ${res.status}: ${JSON.stringify(res.body)}`);
    return { id: res.body.id as string, executionArn: res.body.executionArn as string, body: res.body };
  }

  /** Polls GET /v1/provisionings/{id} until its status is terminal (any of them) or the deadline passes. */
  async waitForEnd(id: string, timeoutMs = 20_000, intervalMs = 25): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.call('GET', `/v1/provisionings/${encodeURIComponent(id)}`);
      if (res.status !== 200) throw new Error(`GET /v1/provisionings/${id} answered ${res.status}: ${JSON.stringify(res.body)}`);
      if ((TERMINAL as readonly string[]).includes(res.body.status)) return res.body;
      if (Date.now() > deadline) throw new Error(`provisioning ${id} still ${res.body.status} after ${timeoutMs} ms: ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

export interface SandboxCall {
  seq: number;
  at: string;
  service: string;
  operation: string;
  mutating: boolean;
  status: number;
  errorCode?: string;
}

/** What the sandbox's control API says, over HTTP. */
export class EdgeClient {
  constructor(readonly url: string) {}

  async inbound(destinationNumber: string, messageBody = 'JOIN now', originationNumber = '+14255550182', extra: Record<string, string> = {}): Promise<any> {
    const res = await control(this.url, 'POST', '/_sandbox/inbound', { destinationNumber, originationNumber, messageBody, ...extra });
    if (res.status !== 200) throw new Error(`POST /_sandbox/inbound answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async calls(query: Record<string, string> = {}): Promise<SandboxCall[]> {
    const qs = new URLSearchParams(query).toString();
    const res = await control(this.url, 'GET', `/_sandbox/calls${qs ? `?${qs}` : ''}`);
    if (res.status !== 200) throw new Error(`GET /_sandbox/calls answered ${res.status}`);
    return res.body.calls as SandboxCall[];
  }

  async topicMessages(topicArn: string): Promise<{ messageId: string; message: string; receivedAt: string }[]> {
    const res = await control(this.url, 'GET', `/_sandbox/topics/${encodeURIComponent(topicArn)}/messages`);
    if (res.status !== 200) throw new Error(`GET topic messages answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.messages;
  }

  async connectEvents(): Promise<any[]> {
    return (await control(this.url, 'GET', '/_sandbox/connect/events')).body.events;
  }

  async settings(settings: { iamPropagationDelayMs?: number; connectClaimDelayMs?: number }): Promise<void> {
    const res = await control(this.url, 'PUT', '/_sandbox/settings', settings);
    if (res.status !== 200) throw new Error(`PUT /_sandbox/settings answered ${res.status}: ${JSON.stringify(res.body)}`);
  }

  sdkConfig() {
    return { endpoint: this.url, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
  }

  /** The ids of the demo numbers and the demo pool, and the demo Connect instance's id, read with the AWS SDK. */
  async demo(): Promise<{ numbers: Record<keyof typeof DEMO.numbers, string>; poolId: string; poolNumber: string; connectInstanceId: string }> {
    const sms = new PinpointSMSVoiceV2Client(this.sdkConfig());
    const connect = new ConnectClient(this.sdkConfig());
    const [phones, pools, instances] = await Promise.all([
      sms.send(new DescribePhoneNumbersCommand({})),
      sms.send(new DescribePoolsCommand({})),
      connect.send(new ListInstancesCommand({})),
    ]);
    const idOf = (e164: string) => {
      const n = phones.PhoneNumbers?.find((p) => p.PhoneNumber === e164);
      if (!n?.PhoneNumberId) throw new Error(`demo number ${e164} is not in the sandbox`);
      return n.PhoneNumberId;
    };
    const numbers = Object.fromEntries(Object.entries(DEMO.numbers).map(([k, e164]) => [k, idOf(e164)])) as Record<keyof typeof DEMO.numbers, string>;
    const pool = pools.Pools?.[0];
    const instance = instances.InstanceSummaryList?.find((i) => i.InstanceAlias === DEMO.connectInstanceAlias);
    if (!pool?.PoolId || !instance?.Id) throw new Error('the demo pool or Connect instance is missing');
    return { numbers, poolId: pool.PoolId, poolNumber: DEMO.numbers.pooled, connectInstanceId: instance.Id };
  }

  /** A fresh ACTIVE US long code (RequestPhoneNumber), for a test that must not share a demo number. */
  async newNumber(): Promise<{ id: string; e164: string }> {
    const sms = new PinpointSMSVoiceV2Client(this.sdkConfig());
    const out = await sms.send(new RequestPhoneNumberCommand({ IsoCountryCode: 'US', MessageType: 'TRANSACTIONAL', NumberCapabilities: ['SMS'], NumberType: 'LONG_CODE' }));
    return { id: out.PhoneNumberId!, e164: out.PhoneNumber! };
  }
}

export interface TestRuntime {
  rt: Runtime;
  dataDir: string;
  api: ApiClient;
  edge: EdgeClient;
  stop(): Promise<void>;
}

/** `startRuntime` on free ports with a temporary DATA_DIR (removed by `stop`) and a fixed API token. */
export async function startTestRuntime(opts: Partial<RuntimeOptions> = {}): Promise<TestRuntime> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'e2e-runtime-'));
  const rt = await startRuntime({ sandboxPort: 0, apiPort: 0, target: 'sandbox', apiToken: E2E_TOKEN, waitMs: 10, ...opts, dataDir });
  return {
    rt,
    dataDir,
    api: new ApiClient(rt.api.url, opts.apiToken ?? E2E_TOKEN),
    edge: new EdgeClient(rt.edgeUrl),
    async stop() {
      await rt.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The four destination kinds of POST /v1/provisionings (api/README.md), as request bodies' `destination`. */
export const destinations = {
  snsNewTopicNewRole: (topicName: string) => ({ type: 'sns', topic: { create: { name: topicName } }, access: { type: 'role', role: { create: {} } } }),
  snsNewTopicPolicy: (topicName: string) => ({ type: 'sns', topic: { create: { name: topicName } }, access: { type: 'topicPolicy' } }),
  snsEncryptedTopicPolicy: () => ({ type: 'sns', topic: { arn: `arn:aws:sns:${REGION}:${ACCOUNT}:${DEMO.topics.encrypted}` }, access: { type: 'topicPolicy' } }),
  connectNewRole: (instanceId: string) => ({ type: 'connect', instanceId, role: { create: {} } }),
  snsFifoTopicPolicy: () => ({ type: 'sns', topic: { arn: `arn:aws:sns:${REGION}:${ACCOUNT}:${DEMO.topics.fifo}` }, access: { type: 'topicPolicy' } }),
};

export const topicArn = (name: string): string => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
