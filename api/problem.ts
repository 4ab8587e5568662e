import type { z } from 'zod';

/**
 * RFC 9457 problem details: every error the API returns is `application/problem+json` with a stable `type`
 * (clients branch on it, never on `title` or `detail`) and, for input errors, `errors` naming every
 * offending field.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const PROBLEM_TYPES = {
  validation: { status: 400, title: 'The request is not valid' },
  malformedJson: { status: 400, title: 'The request body is not valid JSON' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  notOptedIn: { status: 403, title: 'The resource is not opted in to changes by this service' },
  notFound: { status: 404, title: 'Not found' },
  phoneNumberNotFound: { status: 404, title: 'Phone number not found' },
  destinationNotFound: { status: 404, title: 'A resource the destination names does not exist' },
  methodNotAllowed: { status: 405, title: 'Method not allowed' },
  numberBusy: { status: 409, title: 'The phone number has a provisioning in progress' },
  notRedrivable: { status: 409, title: 'The execution cannot be redriven' },
  conflict: { status: 409, title: 'Conflict' },
  payloadTooLarge: { status: 413, title: 'The request body is too large' },
  unsupportedMediaType: { status: 415, title: 'Unsupported content type' },
  idempotencyKeyReused: { status: 422, title: 'The Idempotency-Key was used with a different request' },
  destinationNotUsable: { status: 422, title: 'The destination cannot serve this phone number' },
  numberNotEligible: { status: 422, title: 'Two-way SMS cannot be set on this phone number or pool' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'A service the API depends on is unavailable; retry later' },
} as const;

export type ProblemKind = keyof typeof PROBLEM_TYPES;

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The `type` URI of a problem kind (a URN: stable, never fetched). */
export const problemType = (kind: ProblemKind): string => `urn:two-way-sms:problem:${kebab(kind)}`;

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Thrown anywhere below the router; the router turns it into the response. */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  readonly status: number;

  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    /** Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`). */
    readonly headers: Record<string, string> = {},
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.status = PROBLEM_TYPES[kind].status;
  }

  toProblem(instance?: string): Problem {
    return {
      ...this.extensions,
      type: problemType(this.kind),
      title: PROBLEM_TYPES[this.kind].title,
      status: this.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...(this.errors.length ? { errors: this.errors } : {}),
    };
  }
}

/** A 400 naming the fields. */
export function invalid(errors: FieldError[], detail?: string): ApiProblem {
  return new ApiProblem('validation', detail ?? `${errors.length === 1 ? 'one field is' : `${errors.length} fields are`} not valid: ${errors.map((e) => e.field).join(', ')}`, errors);
}

/**
 * Turns zod issues into one field error per problem. Unknown keys become one error each (the key named);
 * a union that matched no branch reports the branch that came closest (fewest problems, deepest paths),
 * so `destination.access.role.arn` is named rather than just `destination.access`.
 */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = [], root = 'body'): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: fieldName([...path, key], root), message: 'unknown field' });
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branches = issue.errors.map((branch) => fieldErrors(branch, path, root));
      out.push(...closest(branches));
      continue;
    }
    out.push({ field: fieldName(path, root), message: issue.message });
  }
  return dedupe(out);
}

function closest(branches: FieldError[][]): FieldError[] {
  const depth = (errs: FieldError[]) => Math.max(0, ...errs.map((e) => e.field.split('.').length));
  // A branch rejected only for unknown fields is usually the intended one with a typo; otherwise fewest problems.
  return [...branches].sort((a, b) => a.length - b.length || depth(b) - depth(a))[0] ?? [];
}

function fieldName(path: readonly PropertyKey[], root: string): string {
  if (path.length === 0) return root;
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.field}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
