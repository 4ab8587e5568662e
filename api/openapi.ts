import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, problemType, type ProblemKind } from './problem';
import { ROUTES, type RouteSpec } from './routes';
import { IdempotencyHeaders, ProblemSchema } from './schemas';

/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas. Every problem a route can
 * return is listed under its status with `application/problem+json`; the `type` URIs are in the description.
 */
export function buildOpenApiDocument(version = '1'): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of ROUTES) {
    const item = (paths[route.path] ??= {});
    item[route.method.toLowerCase() as 'get' | 'post' | 'delete'] = operation(route);
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'two-way-sms',
      version,
      description:
        'Provision two-way SMS on AWS End User Messaging phone numbers as a safe, audited, reversible operation. Errors are RFC 9457 problem details; their `type` URIs:\n\n' +
        (Object.keys(PROBLEM_TYPES) as ProblemKind[]).map((k) => `- \`${problemType(k)}\` (${PROBLEM_TYPES[k].status}): ${PROBLEM_TYPES[k].title}`).join('\n'),
    },
    security: [{ bearerAuth: [] }, { sigv4: [] }],
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Locally: the token printed at first start (or TWO_WAY_SMS_API_TOKEN).' },
        sigv4: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'On AWS: API Gateway IAM authorization (SigV4-signed requests, service `execute-api`).' },
      },
    },
    paths,
  });
}

type StatusCode = `${1 | 2 | 3 | 4 | 5}${string}`;

function operation(route: RouteSpec): ZodOpenApiOperationObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, r] of Object.entries(route.responses)) {
    responses[status as StatusCode] = {
      description: r.description,
      ...(r.headers ? { headers: z.object(Object.fromEntries(Object.entries(r.headers).map(([name, h]) => [name, h.required ? z.string().meta({ description: h.description }) : z.string().optional().meta({ description: h.description })]))) } : {}),
      content: { 'application/json': { schema: r.schema ?? z.record(z.string(), z.unknown()) } },
    };
  }
  const kinds = new Set<ProblemKind>(route.problems);
  if (!route.public) kinds.add('unauthenticated');
  kinds.add('internal');
  const byStatus = new Map<number, ProblemKind[]>();
  for (const k of kinds) byStatus.set(PROBLEM_TYPES[k].status, [...(byStatus.get(PROBLEM_TYPES[k].status) ?? []), k]);
  for (const [status, ks] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status) as StatusCode] = {
      description: ks.map((k) => `\`${problemType(k)}\`: ${PROBLEM_TYPES[k].title}`).join('; '),
      ...(status === 401 ? { headers: z.object({ 'WWW-Authenticate': z.string().optional() }) } : {}),
      ...(status === 503 ? { headers: z.object({ 'Retry-After': z.string().optional() }) } : {}),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
    };
  }
  responses.default = { description: 'Any other problem (404 unknown route, 405 method not allowed with `Allow`).', content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } };
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.public ? { security: [] } : {}),
    requestParams: {
      ...(route.pathParams ? { path: route.pathParams } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(route.idempotent ? { header: IdempotencyHeaders } : {}),
    },
    ...(route.body ? { requestBody: { required: route.body.required, content: { 'application/json': { schema: route.body.schema } } } } : {}),
    responses,
  };
}
