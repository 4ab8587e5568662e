import type { SandboxState } from '../state';
import type { AwsError } from './errors';

/** What every service handler is given besides its input. */
export interface CallContext {
  /** SigV4 signing name of the service: `sms-voice`, `sns`, `iam`, `kms`, `connect`, `sts`, ... */
  readonly service: string;
  readonly operation: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly requestId: string;
  readonly now: Date;
  /** The whole sandbox state; a handler may read other services' slices (UpdatePhoneNumber reads IAM and SNS). */
  readonly state: SandboxState;
  /** Hooks into the sandbox that reach beyond one request (delivery to subscribers, settings). */
  readonly sandbox: SandboxHooks;
}

export interface SandboxHooks {
  /** Deliver a message published to a topic to its HTTP/HTTPS subscriptions (fire and forget). */
  deliverToSubscriptions(topicArn: string, messageId: string, message: string, subject?: string): void;
  /** Milliseconds a newly created IAM role stays unusable by other services (simulated propagation). */
  iamPropagationDelayMs(): number;
}

export type JsonObject = Record<string, unknown>;

interface ServiceBase {
  readonly signingName: string;
  /** Error code and HTTP status of this service's throttling error (used by quotas). */
  readonly throttling: { readonly code: string; readonly status: number };
  /** HTTP status of each modelled error code, so that injected faults answer with the right status. */
  readonly errorStatus: Readonly<Record<string, number>>;
  /** True for services that persist their own state elsewhere (local Step Functions): no sandbox save after calls. */
  readonly externalState?: boolean;
  /** The state slice this service's operations write (saved after each successful mutating call). */
  readonly stateSlice?: import('./store').StateSlice;
  /** Optional extra fields that an injected fault of this code carries (e.g. `Reason`). */
  faultFields?(code: string, reason: string | undefined): Record<string, unknown>;
}

export interface JsonService extends ServiceBase {
  readonly protocol: 'json';
  readonly targetPrefix: string;
  readonly jsonVersion: '1.0' | '1.1';
  /** Shape namespace for `__type` (e.g. `com.amazonaws.pinpointsmsvoicev2`); omitted → bare code. */
  readonly errorNamespace?: string;
  /** Member name that carries the message in this service's exceptions. */
  readonly messageKey: 'message' | 'Message';
  readonly operations: Readonly<Record<string, (input: JsonObject, ctx: CallContext) => unknown>>;
}

export interface QueryService extends ServiceBase {
  readonly protocol: 'query';
  readonly version: string;
  readonly xmlns: string;
  readonly operations: Readonly<Record<string, (params: import('./query').QueryParams, ctx: CallContext) => unknown>>;
  /** The error a missing required parameter produces in this service. */
  missingParameter(name: string): AwsError;
}

export interface RestRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: JsonObject;
}

export interface RestResponse {
  readonly status?: number;
  readonly body?: unknown;
}

export interface RestRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Path template, e.g. `/phone-number/{PhoneNumberId}/contact-flow`. */
  readonly path: string;
  readonly operation: string;
  readonly handler: (req: RestRequest, ctx: CallContext) => RestResponse | Promise<RestResponse>;
}

export interface RestJsonService extends ServiceBase {
  readonly protocol: 'rest-json';
  /** First path segments that identify this service when a request is not signed. */
  readonly pathPrefixes: readonly string[];
  readonly routes: readonly RestRoute[];
}

export type ServiceDefinition = JsonService | QueryService | RestJsonService;

/** Operations named Describe*, Get*, List* read; every other operation mutates (the call log's `mutating`). */
export function isMutating(operation: string): boolean {
  return !/^(Describe|Get|List)/.test(operation);
}
