import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallLog } from './core/call-log';
import { AwsError, ControlError } from './core/errors';
import { FaultInjector } from './core/faults';
import { QueryParams } from './core/query';
import { QuotaBuckets } from './core/quotas';
import { StateStore } from './core/store';
import { isMutating, type CallContext, type JsonObject, type SandboxHooks, type ServiceDefinition } from './core/types';
import { errorFor, matchPath, sendError, sendJson, sendQuery, sendRestJson } from './core/wire';
import { handleControl, isLoopbackOrigin } from './control';
import { deliverToSubscriptions } from './delivery';
import { seedDemoResources } from './seed';
import { createEmptyState, type SandboxState } from './state';
import { defaultServices } from './services';

export interface SandboxOptions {
  dataDir: string;
  /** 0 picks a free port (tests). Default 4566. */
  port?: number;
  host?: string;
  accountId?: string;
  region?: string;
  /** Seed the demo resources when there is no saved state. Default true. */
  seed?: boolean;
  clock?: () => Date;
  /** Flush each state change to the disk before answering (default true); false only for the benchmark's comparison. */
  syncWrites?: boolean;
}

/** Largest request body accepted (AWS APIs cap far lower; this only protects the process). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const TARGET_PREFIXES: Record<string, string> = {
  PinpointSMSVoiceV2: 'sms-voice',
  TrentService: 'kms',
  AWSStepFunctions: 'states',
  DynamoDB_20120810: 'dynamodb',
};

const QUERY_VERSIONS: Record<string, string> = { '2010-03-31': 'sns', '2010-05-08': 'iam', '2011-06-15': 'sts' };

/**
 * The local AWS: one HTTP server on the edge port that answers End User Messaging SMS, SNS, IAM, KMS,
 * Connect and STS in their own wire protocols, plus the `/_sandbox/` control API.
 */
export class Sandbox {
  readonly accountId: string;
  readonly region: string;
  readonly partition = 'aws';
  readonly store: StateStore;
  readonly calls: CallLog;
  readonly faults = new FaultInjector();
  readonly quotas = new QuotaBuckets();
  readonly clock: () => Date;
  state: SandboxState;
  private readonly services = new Map<string, ServiceDefinition>();
  private server: Server | undefined;
  private readonly options: SandboxOptions;
  /** Raw handlers for services hosted beside the sandbox (local Step Functions, DynamoDB). */
  private readonly rawHandlers = new Map<string, (req: IncomingMessage, res: ServerResponse, body: Buffer) => void>();
  private readonly resetListeners: (() => void)[] = [];

  constructor(options: SandboxOptions) {
    this.options = options;
    this.accountId = options.accountId ?? '123456789012';
    this.region = options.region ?? 'us-east-1';
    this.clock = options.clock ?? (() => new Date());
    this.store = new StateStore(options.dataDir, options.syncWrites ?? true);
    this.calls = new CallLog(options.dataDir);
    for (const s of defaultServices()) this.services.set(s.signingName, s);
    const saved = this.store.load();
    if (saved) {
      this.state = saved;
    } else {
      this.state = createEmptyState();
      if (options.seed ?? true) seedDemoResources(this.state, this.baseContext());
      this.store.save(this.state);
    }
  }

  /** Registers another service in one of the sandbox's protocols (e.g. the local Step Functions, `states`). */
  addService(service: ServiceDefinition): void {
    this.services.set(service.signingName, service);
  }

  /** Registers a service answered by its own code on the edge port (e.g. `dynamodb`, proxied to dynalite). */
  addRawService(signingName: string, handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): void {
    this.rawHandlers.set(signingName, handler);
  }

  get hooks(): SandboxHooks {
    return {
      deliverToSubscriptions: (topicArn, messageId, message, subject) =>
        deliverToSubscriptions(this.state, topicArn, messageId, message, subject),
      iamPropagationDelayMs: () => this.state.settings.iamPropagationDelayMs,
    };
  }

  /** A context for work done outside a request (seeding, inbound simulation). */
  baseContext(service = 'sandbox', operation = 'internal'): CallContext {
    return {
      service,
      operation,
      region: this.region,
      accountId: this.accountId,
      partition: this.partition,
      requestId: randomUUID(),
      now: this.clock(),
      state: this.state,
      sandbox: this.hooks,
    };
  }

  async listen(): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // Never reached by design: every path answers its own errors. Kept so a bug answers 500, not a hang.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`internal sandbox error: ${(err as Error).message}`);
      });
    });
    server.keepAliveTimeout = 65_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 4566, this.options.host ?? '127.0.0.1', () => resolve());
    });
    return this.url;
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | null | undefined;
    if (!addr) throw new Error('sandbox is not listening');
    return `http://${addr.address}:${addr.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /**
   * Runs `listener` after every reset, before the reset is saved and answered: what the host keeps standing in
   * the sandbox whatever its state (the local runtime: the stack's permissions boundary policy).
   */
  onReset(listener: () => void): void {
    this.resetListeners.push(listener);
  }

  /** Drops all state (and, with `seed`, re-creates the demo resources). */
  reset(seed: boolean): void {
    this.state = createEmptyState();
    if (seed) seedDemoResources(this.state, this.baseContext());
    for (const listener of this.resetListeners) listener();
    this.store.save(this.state);
    this.calls.clear();
    this.faults.clear();
    this.quotas.clear();
  }

  save(): void {
    this.store.save(this.state);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (url.pathname.startsWith('/_sandbox/') || url.pathname === '/_sandbox') {
      return handleControl(this, req, res, url, body);
    }
    // The AWS endpoints take unsigned requests too (an awsQuery form POST, a restJson text/plain body), so a
    // page from another origin is refused here as well; SDKs and the AWS CLI never send Origin.
    const origin = req.headers.origin;
    if (origin !== undefined && !isLoopbackOrigin(origin)) {
      const text = JSON.stringify({ __type: 'AccessDeniedException', message: `The sandbox refuses requests from the web origin '${origin}'.` });
      res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const requestId = randomUUID();
    const scope = parseCredentialScope(req.headers.authorization);
    const target = headerValue(req.headers['x-amz-target']);
    const signingName = scope?.service ?? identifyUnsigned(target, url.pathname, body, this.services);
    const raw = signingName ? this.rawHandlers.get(signingName) : undefined;
    if (raw) return raw(req, res, body ?? Buffer.alloc(0));
    const service = signingName ? this.services.get(signingName) : undefined;
    if (!service) {
      const text = `The sandbox does not serve the service '${signingName ?? 'unknown'}'.`;
      res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnknownServiceException' });
      res.end(JSON.stringify({ __type: 'UnknownServiceException', message: text }));
      return;
    }
    if (body === undefined) {
      return sendError(res, service, requestId, new AwsError('RequestEntityTooLarge', 'Request body is too large.', { status: 413 }));
    }
    const region = scope?.region ?? this.region;
    switch (service.protocol) {
      case 'json': {
        const op = target?.startsWith(`${service.targetPrefix}.`) ? target.slice(service.targetPrefix.length + 1) : undefined;
        const handler = op !== undefined && Object.hasOwn(service.operations, op) ? service.operations[op] : undefined;
        if (!handler || op === undefined) {
          return this.fail(res, service, requestId, op ?? target ?? 'Unknown', new AwsError('UnknownOperationException', `Unknown operation ${target ?? '(no X-Amz-Target)'}`));
        }
        let input: JsonObject;
        try {
          const ct = headerValue(req.headers['content-type']) ?? '';
          if (ct && !/^application\/(x-amz-json-1\.[01]|json)\b/.test(ct)) throw new Error(`content type '${ct}' is not JSON`);
          const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the body must be a JSON object');
          input = parsed as JsonObject;
        } catch (e) {
          return this.fail(res, service, requestId, op, new AwsError('SerializationException', `Could not parse the request: ${(e as Error).message}`));
        }
        return this.run(res, service, requestId, op, () => handler(input, this.context(service.signingName, op, region, requestId)), (out) =>
          sendJson(res, service, requestId, out),
        );
      }
      case 'query': {
        const ct = headerValue(req.headers['content-type']) ?? '';
        const params = QueryParams.parse(
          ct === '' || ct.startsWith('application/x-www-form-urlencoded') ? body.toString('utf8') : url.search.slice(1),
          (name) => service.missingParameter(name),
        );
        const op = params.get('Action');
        if (!op) return this.fail(res, service, requestId, 'Unknown', new AwsError('MissingAction', 'Missing Action'));
        const handler = Object.hasOwn(service.operations, op) ? service.operations[op] : undefined;
        if (!handler) {
          return this.fail(res, service, requestId, op, new AwsError('InvalidAction', `Could not find operation ${op} for version ${params.get('Version') ?? service.version}`));
        }
        return this.run(res, service, requestId, op, () => handler(params, this.context(service.signingName, op, region, requestId)), (out) =>
          sendQuery(res, service, op, requestId, out),
        );
      }
      case 'rest-json': {
        const method = req.method ?? 'GET';
        let params: Record<string, string> | undefined;
        const route = service.routes.find((r) => r.method === method && (params = matchPath(r.path, url.pathname)) !== undefined);
        if (!route || !params) {
          return this.fail(res, service, requestId, `${method} ${url.pathname}`.slice(0, 100), new AwsError('UnknownOperationException', `No operation at ${method} ${url.pathname}`, { status: 404 }));
        }
        let json: JsonObject = {};
        if (body.length) {
          try {
            const parsed: unknown = JSON.parse(body.toString('utf8'));
            if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the body must be a JSON object');
            json = parsed as JsonObject;
          } catch (e) {
            return this.fail(res, service, requestId, route.operation, new AwsError('SerializationException', `Could not parse the request: ${(e as Error).message}`));
          }
        }
        const routeParams = params;
        return this.run(
          res,
          service,
          requestId,
          route.operation,
          () => route.handler({ params: routeParams, query: url.searchParams, body: json }, this.context(service.signingName, route.operation, region, requestId)),
          (out) => {
            const r = out as { status?: number; body?: unknown };
            sendRestJson(res, requestId, r.status ?? 200, r.body);
          },
        );
      }
    }
  }

  private context(service: string, operation: string, region: string, requestId: string): CallContext {
    return { ...this.baseContext(service, operation), region, requestId };
  }

  private fail(res: ServerResponse, service: ServiceDefinition, requestId: string, operation: string, err: AwsError): void {
    this.calls.append({ at: this.clock().toISOString(), service: service.signingName, operation, mutating: isMutating(operation), status: err.status, errorCode: err.code });
    sendError(res, service, requestId, err);
  }

  private async run(
    res: ServerResponse,
    service: ServiceDefinition,
    requestId: string,
    operation: string,
    call: () => unknown,
    send: (out: unknown) => void,
  ): Promise<void> {
    const fault = this.faults.match(service.signingName, operation);
    if (fault) {
      return this.fail(res, service, requestId, operation, errorFor(service, fault.error, fault.message ?? `Injected fault: ${fault.error}`, fault.reason));
    }
    if (!this.quotas.take(service.signingName, operation)) {
      return this.fail(res, service, requestId, operation, errorFor(service, service.throttling.code, 'Rate exceeded'));
    }
    let out: unknown;
    try {
      out = await call();
    } catch (e) {
      if (e instanceof AwsError) return this.fail(res, service, requestId, operation, e);
      const msg = e instanceof Error ? e.message : String(e);
      return this.fail(res, service, requestId, operation, errorFor(service, service.protocol === 'query' ? 'InternalFailure' : 'InternalServerException', `Internal sandbox error: ${msg}`));
    }
    const mutating = isMutating(operation);
    if (mutating && !service.externalState) this.store.save(this.state, service.stateSlice ? [service.stateSlice] : undefined);
    this.calls.append({ at: this.clock().toISOString(), service: service.signingName, operation, mutating, status: 200 });
    send(out);
  }
}

export { ControlError };

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(buf);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** `Credential=AKID/20260101/us-east-1/sns/aws4_request` → `{region: 'us-east-1', service: 'sns'}`. */
export function parseCredentialScope(authorization: string | undefined): { region: string; service: string } | undefined {
  const m = authorization?.match(/Credential=[^/\s,]+\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/);
  return m ? { region: m[1]!, service: m[2]! } : undefined;
}

/** For unsigned requests: the target header, the awsQuery `Version`, or the REST path names the service. */
function identifyUnsigned(target: string | undefined, path: string, body: Buffer | undefined, services: Map<string, ServiceDefinition>): string | undefined {
  if (target) {
    const prefix = target.split('.')[0] ?? '';
    return TARGET_PREFIXES[prefix];
  }
  if (body?.length) {
    const version = new URLSearchParams(body.toString('utf8')).get('Version');
    if (version && QUERY_VERSIONS[version]) return QUERY_VERSIONS[version];
  }
  const first = path.split('/')[1] ?? '';
  for (const s of services.values()) if (s.protocol === 'rest-json' && s.pathPrefixes.includes(first)) return s.signingName;
  return undefined;
}
