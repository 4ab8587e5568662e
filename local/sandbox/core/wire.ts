import type { ServerResponse } from 'node:http';
import { AwsError } from './errors';
import type { JsonService, QueryService, RestJsonService, ServiceDefinition } from './types';
import { toXml } from './xml';

/** Writes a successful awsJson response. */
export function sendJson(res: ServerResponse, service: JsonService, requestId: string, output: unknown): void {
  const body = JSON.stringify(output ?? {});
  res.writeHead(200, {
    'content-type': `application/x-amz-json-${service.jsonVersion}`,
    'x-amzn-requestid': requestId,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Writes a successful awsQuery response: `<OpResponse><OpResult>...</OpResult><ResponseMetadata/>`. */
export function sendQuery(res: ServerResponse, service: QueryService, operation: string, requestId: string, output: unknown): void {
  const result = output === undefined ? '' : toXml(`${operation}Result`, output);
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${service.xmlns}">${result}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
  res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendRestJson(res: ServerResponse, requestId: string, status: number, output: unknown): void {
  const body = output === undefined ? '' : JSON.stringify(output);
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Writes an error the way the service's protocol does, so that SDK v3 names it `err.code` with its fields. */
export function sendError(res: ServerResponse, service: ServiceDefinition, requestId: string, err: AwsError): void {
  switch (service.protocol) {
    case 'json': {
      const type = service.errorNamespace ? `${service.errorNamespace}#${err.code}` : err.code;
      const body = JSON.stringify({ __type: type, [service.messageKey]: err.message, ...err.fields });
      res.writeHead(err.status, {
        'content-type': `application/x-amz-json-${service.jsonVersion}`,
        'x-amzn-requestid': requestId,
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    case 'query': {
      const fields = Object.entries(err.fields)
        .map(([k, v]) => toXml(k, v))
        .join('');
      const body =
        `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${service.xmlns}"><Error><Type>${err.faultType}</Type>` +
        `${toXml('Code', err.code)}${toXml('Message', err.message)}${fields}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
      res.writeHead(err.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    case 'rest-json': {
      const body = JSON.stringify({ Message: err.message, ...err.fields });
      res.writeHead(err.status, {
        'content-type': 'application/json',
        'x-amzn-errortype': err.code,
        'x-amzn-requestid': requestId,
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
  }
}

/** The AwsError for an injected fault or a quota, with the status the service gives that code. */
export function errorFor(service: ServiceDefinition, code: string, message: string, reason?: string): AwsError {
  const status = service.errorStatus[code] ?? (/Internal|ServiceUnavailable|ServiceFailure/.test(code) ? 500 : 400);
  return new AwsError(code, message, { status, fields: service.faultFields?.(code, reason) ?? {} });
}

/** Epoch seconds, as awsJson and restJson protocols send timestamps. */
export function epochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

/** Path template match: `/phone-number/{PhoneNumberId}` against `/phone-number/abc` → `{PhoneNumberId: 'abc'}`. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    const actual = p[i]!;
    if (seg.startsWith('{') && seg.endsWith('}')) {
      if (actual === '') return undefined;
      try {
        params[seg.slice(1, -1)] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (seg !== actual) return undefined;
  }
  return params;
}

export type { RestJsonService };
