/**
 * The CLI's failures and their exit codes. Scripts branch on the code, people read the message:
 * 0 succeeded, 1 failed (an API error, or a provisioning that did not succeed), 2 usage error (nothing was
 * sent), 3 the API (or the sandbox) cannot be reached.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A flag combination or value the CLI refuses before sending anything. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A problem+json the API answered with (RFC 9457): `title`, `detail`, `errors[]` naming fields. */
export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
  /** The sandbox control API names a single field this way. */
  field?: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly problem: ProblemBody,
    /** Where the request went, for hints (`401` on a local API means a missing token). */
    readonly url: string,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** No HTTP answer at all: connection refused, unknown host, timeout. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';

  constructor(
    readonly url: string,
    readonly reason: string,
    /** What the URL is: the REST API or the sandbox edge (the hint differs). */
    readonly what: 'api' | 'sandbox',
  ) {
    super(`cannot reach the ${what === 'api' ? 'API' : 'sandbox'} at ${url} (${reason})`);
  }
}

/** Anything else that ends the command with exit code 1 and a message (e.g. no AWS credentials for signing). */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}
