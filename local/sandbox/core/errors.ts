/**
 * An error the sandbox returns in a service's own wire format. Service handlers throw it; the protocol
 * layer turns it into an awsJson `__type` body, an awsQuery `<ErrorResponse>` or a restJson
 * `x-amzn-ErrorType` header, so that SDK v3 and botocore surface the same `name`, fields and status as AWS.
 */
export class AwsError extends Error {
  override readonly name = 'AwsError';
  readonly code: string;
  readonly status: number;
  /** Extra members of the modelled exception (e.g. `Reason`, `Fields`, `ResourceType`). */
  readonly fields: Record<string, unknown>;
  /** awsQuery only: `Sender` (client fault) or `Receiver` (server fault). */
  readonly faultType: 'Sender' | 'Receiver';

  constructor(code: string, message: string, opts: { status?: number; fields?: Record<string, unknown> } = {}) {
    super(message);
    this.code = code;
    this.status = opts.status ?? 400;
    this.fields = opts.fields ?? {};
    this.faultType = this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** Thrown by the control API (`/_sandbox/...`) for bad requests; answered as problem+json. */
export class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
