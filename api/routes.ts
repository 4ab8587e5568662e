import type { z } from 'zod';
import type { ProblemKind } from './problem';
import {
  Accepted,
  AuditResponse,
  DeprovisionBody,
  Detail,
  HealthResponse,
  HistoryQuery,
  HistoryResponse,
  IdPath,
  ListQuery,
  ListResponse,
  NoQuery,
  ProvisionBody,
  RedriveResponse,
  TargetPath,
} from './schemas';

/**
 * The route table: what each route accepts and returns. The router validates with these schemas and
 * `/openapi.json` is generated from them, so the document is the code's own description of itself.
 */
export interface SuccessResponse {
  description: string;
  schema?: z.ZodType;
  headers?: Record<string, { description: string; required?: boolean }>;
}

export interface RouteSpec {
  operationId: OperationId;
  method: 'GET' | 'POST' | 'DELETE';
  /** OpenAPI path template: `{name}` is one segment. */
  path: string;
  summary: string;
  description?: string;
  /** No caller identity needed. */
  public?: boolean;
  pathParams?: z.ZodObject;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; required: boolean };
  /** Accepts `Idempotency-Key`. */
  idempotent?: boolean;
  responses: Record<number, SuccessResponse>;
  /** Problems this route can answer with (besides 401 for non-public routes and 500). */
  problems: ProblemKind[];
}

export type OperationId = 'startProvisioning' | 'listProvisionings' | 'getProvisioning' | 'getAudit' | 'getHistory' | 'redrive' | 'deprovision' | 'health' | 'openapi';

const location = { Location: { description: 'The provisioning: `/v1/provisionings/{id}`.', required: true } };
const replayed = { 'Idempotent-Replayed': { description: '`true` when this response repeats the one of an earlier request with the same Idempotency-Key.' } };

export const ROUTES: readonly RouteSpec[] = [
  {
    operationId: 'startProvisioning',
    method: 'POST',
    path: '/v1/provisionings',
    summary: 'Enable two-way SMS on a phone number (or pool): starts the provision-two-way state machine.',
    description:
      'A phone number may be given by id, ARN or E.164; the response names its id. Fails with 409 while another provisioning of the number runs. With `Idempotency-Key`, repeating the request returns the same provisioning. ' +
      'Refused before anything starts: a body with a repeated key or with control characters or bidirectional overrides in any string (400); an ARN of another partition, account or region (400); ' +
      'a number, pool, topic, KMS key or Connect instance that does not exist (404); a topic this service did not create, or a customer managed KMS key, whose policy the workflow would change and that its owner has not opted in with the tag `two-way-sms:allow` = `true` (403, the detail gives the command that opts it in).',
    body: { schema: ProvisionBody, required: true },
    idempotent: true,
    responses: { 202: { description: 'Started (or, with the same Idempotency-Key and body, started earlier).', schema: Accepted, headers: { ...location, ...replayed } } },
    problems: ['validation', 'malformedJson', 'notOptedIn', 'phoneNumberNotFound', 'destinationNotFound', 'numberBusy', 'payloadTooLarge', 'unsupportedMediaType', 'idempotencyKeyReused', 'destinationNotUsable', 'numberNotEligible', 'unavailable'],
  },
  {
    operationId: 'listProvisionings',
    method: 'GET',
    path: '/v1/provisionings',
    summary: 'List provisionings, newest first; filter by number (id, ARN or E.164; or a pool) and status.',
    query: ListQuery,
    responses: { 200: { description: 'One page; pass `nextToken` for the next.', schema: ListResponse } },
    problems: ['validation', 'unavailable'],
  },
  {
    operationId: 'getProvisioning',
    method: 'GET',
    path: '/v1/provisionings/{id}',
    summary: 'A provisioning: status, the steps of its execution, the resources it changed, its error.',
    pathParams: IdPath,
    query: NoQuery,
    responses: { 200: { description: 'The provisioning.', schema: Detail } },
    problems: ['validation', 'notFound', 'unavailable'],
  },
  {
    operationId: 'getAudit',
    method: 'GET',
    path: '/v1/provisionings/{id}/audit',
    summary: 'The audit trail of a provisioning: every AWS mutation, intent and outcome.',
    pathParams: IdPath,
    query: NoQuery,
    responses: { 200: { description: 'The audit records, oldest first.', schema: AuditResponse } },
    problems: ['validation', 'notFound', 'unavailable'],
  },
  {
    operationId: 'getHistory',
    method: 'GET',
    path: '/v1/provisionings/{id}/history',
    summary: "The execution's Step Functions history events, paginated.",
    pathParams: IdPath,
    query: HistoryQuery,
    responses: { 200: { description: 'One page of events, oldest first.', schema: HistoryResponse } },
    problems: ['validation', 'notFound', 'unavailable'],
  },
  {
    operationId: 'redrive',
    method: 'POST',
    path: '/v1/provisionings/{id}/redrive',
    summary: 'Redrive a failed execution (e.g. ROLLBACK_FAILED after the cause was fixed): it resumes from the state that failed.',
    pathParams: IdPath,
    query: NoQuery,
    responses: { 202: { description: 'Redriven.', schema: RedriveResponse, headers: location } },
    problems: ['validation', 'notFound', 'notRedrivable', 'numberBusy', 'payloadTooLarge', 'unavailable'],
  },
  {
    operationId: 'deprovision',
    method: 'DELETE',
    path: '/v1/phone-numbers/{phoneNumberId}/two-way',
    summary: 'Disable two-way SMS on a phone number (or pool): starts the deprovision-two-way state machine.',
    description: '`phoneNumberId` is a phone number id, ARN (URL-encoded) or E.164 number, or a pool id or ARN. An optional JSON body names the ticket.',
    pathParams: TargetPath,
    query: NoQuery,
    body: { schema: DeprovisionBody, required: false },
    idempotent: true,
    responses: { 202: { description: 'Started (or, with the same Idempotency-Key and body, started earlier).', schema: Accepted, headers: { ...location, ...replayed } } },
    problems: ['validation', 'malformedJson', 'phoneNumberNotFound', 'numberBusy', 'payloadTooLarge', 'unsupportedMediaType', 'idempotencyKeyReused', 'unavailable'],
  },
  {
    operationId: 'health',
    method: 'GET',
    path: '/healthz',
    summary: 'Liveness.',
    public: true,
    responses: { 200: { description: 'Serving.', schema: HealthResponse } },
    problems: [],
  },
  {
    operationId: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    summary: 'This document.',
    public: true,
    responses: { 200: { description: 'The OpenAPI 3.1 document.' } },
    problems: [],
  },
];

export interface MatchedRoute {
  route: RouteSpec;
  params: Record<string, string>;
}

/**
 * Matches a path split into decoded segments. No dot-segment resolution and no trailing-slash leniency: a path
 * is exactly one of the templates or it is not found.
 */
export function matchPath(segments: readonly string[]): { routes: MatchedRoute[] } {
  const routes: MatchedRoute[] = [];
  for (const route of ROUTES) {
    const template = route.path.split('/').slice(1);
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < template.length && ok; i++) {
      const t = template[i]!;
      const s = segments[i]!;
      if (t.startsWith('{') && t.endsWith('}')) params[t.slice(1, -1)] = s;
      else ok = t === s;
    }
    if (ok) routes.push({ route, params });
  }
  return { routes };
}
