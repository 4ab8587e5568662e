/**
 * The errors the provisioning tasks throw. Each class's literal `name` is the contract with the ASL: the
 * Lambda runtime reports `errorType = error.name` and `Retry`/`Catch` match it by `ErrorEquals`.
 * `retryable` errors belong in a state's `Retry`; every other error ends the forward path and starts the
 * rollback. A test checks that every `ErrorEquals` in workflow/ names one of these (or a `States.*` name).
 */
export abstract class TaskError extends Error {
  abstract override readonly name: string;
  abstract readonly retryable: boolean;
  /** The request field or resource the error is about, when there is one. */
  readonly field: string | undefined;

  constructor(message: string, options: { cause?: unknown; field?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.field = options.field;
  }
}

// ---- retryable ------------------------------------------------------------------------------------------

/** An AWS API throttled us (any service). */
export class AwsThrottled extends TaskError {
  readonly name = 'AwsThrottled';
  readonly retryable = true;
}

/** An AWS API failed in a way that may succeed on retry (5xx, timeouts, connection resets). */
export class AwsTransientError extends TaskError {
  readonly name = 'AwsTransientError';
  readonly retryable = true;
}

/** UpdatePhoneNumber said RESOURCE_NOT_ACCESSIBLE for a role: IAM propagation, usually 2-30 s. */
export class RoleNotYetAccessible extends TaskError {
  readonly name = 'RoleNotYetAccessible';
  readonly retryable = true;
}

/** A key policy read back after PutKeyPolicy lacks our statement: another writer raced us. */
export class KeyPolicyConflict extends TaskError {
  readonly name = 'KeyPolicyConflict';
  readonly retryable = true;
}

/** Another execution holds the lock on a shared resource (e.g. a KMS key's policy) for a moment. */
export class ResourceBusy extends TaskError {
  readonly name = 'ResourceBusy';
  readonly retryable = true;
}

// ---- terminal: the request cannot be carried out as asked ----------------------------------------------

/** The task input does not match its schema. */
export class InvalidInput extends TaskError {
  readonly name = 'InvalidInput';
  readonly retryable = false;
}

/** Another provisioning holds the number's lock. */
export class NumberBusy extends TaskError {
  readonly name = 'NumberBusy';
  readonly retryable = false;
}

/** The number (or pool) does not exist, or is not in a state or kind two-way can be set on. */
export class NumberNotEligible extends TaskError {
  readonly name = 'NumberNotEligible';
  readonly retryable = false;
}

/** The destination (topic, key, role, Connect instance) cannot be used as asked. */
export class DestinationNotUsable extends TaskError {
  readonly name = 'DestinationNotUsable';
  readonly retryable = false;
}

/** A resource with the requested name exists and this service did not create it: never adopted silently. */
export class ForeignResourceExists extends TaskError {
  readonly name = 'ForeignResourceExists';
  readonly retryable = false;
}

/** The effective policies would drop inbound messages; the preflight says which check fails. */
export class PreflightFailed extends TaskError {
  readonly name = 'PreflightFailed';
  readonly retryable = false;
}

/** The Connect import ended FAILED or did not reach CLAIMED in time. */
export class ConnectImportFailed extends TaskError {
  readonly name = 'ConnectImportFailed';
  readonly retryable = false;
}

/** After all steps, the number's configuration is not the desired one. */
export class VerificationFailed extends TaskError {
  readonly name = 'VerificationFailed';
  readonly retryable = false;
}

/** A compensation could not undo its step; the execution ends ROLLBACK_FAILED and can be redriven. */
export class CompensationFailed extends TaskError {
  readonly name = 'CompensationFailed';
  readonly retryable = false;
}

/**
 * After an undo, the number does not deliver inbound SMS although it did before the provisioning: the
 * execution ends ROLLBACK_FAILED saying why, never ROLLED_BACK or SUCCEEDED over a broken number.
 */
export class DeliveryNotRestored extends TaskError {
  readonly name = 'DeliveryNotRestored';
  readonly retryable = false;
}

/** Nothing to deprovision: the number has no provisioning of this service. */
export class NotProvisioned extends TaskError {
  readonly name = 'NotProvisioned';
  readonly retryable = false;
}

/**
 * The workflow would change a topic or KMS key policy its owner has not opted in to changes by this service
 * (tag `two-way-sms:allow` = `true`, see lib/opt-in.ts); refused before the change.
 */
export class NotOptedIn extends TaskError {
  readonly name = 'NotOptedIn';
  readonly retryable = false;
}

/** Every error name the tasks can throw, for the ASL contract test. */
export const TASK_ERROR_NAMES = [
  'AwsThrottled',
  'AwsTransientError',
  'RoleNotYetAccessible',
  'KeyPolicyConflict',
  'ResourceBusy',
  'InvalidInput',
  'NumberBusy',
  'NumberNotEligible',
  'DestinationNotUsable',
  'ForeignResourceExists',
  'PreflightFailed',
  'ConnectImportFailed',
  'VerificationFailed',
  'CompensationFailed',
  'NotProvisioned',
  'NotOptedIn',
] as const;

export type TaskErrorName = (typeof TASK_ERROR_NAMES)[number];

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'Throttled',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'LimitExceededException:Rate',
]);
const TRANSIENT = new Set([
  'InternalServerException',
  'InternalServiceException',
  'InternalFailure',
  'InternalError',
  'ServiceFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'TimeoutError',
  'RequestTimeout',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Turns throttling and transient SDK failures into the retryable task errors the ASL retries; returns
 * every other error unchanged, to be rethrown. Decided by the error's class name and status, never by text.
 */
export function classifyAwsError(e: unknown, what: string): unknown {
  if (e instanceof TaskError || !(e instanceof Error)) return e;
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (e as { code?: string }).code;
  if (THROTTLING.has(e.name) || status === 429) return new AwsThrottled(`${what}: throttled by AWS (${e.name})`, { cause: e });
  if (TRANSIENT.has(e.name) || (status !== undefined && status >= 500) || (code !== undefined && NETWORK_CODES.has(code))) {
    return new AwsTransientError(`${what}: ${e.name}: ${e.message}`, { cause: e });
  }
  return e;
}

/** True when `e` is an SDK exception with this `name` (SDK v3 sets `name` to the modelled error code). */
export function isAwsError(e: unknown, ...names: string[]): e is Error & { $metadata?: { httpStatusCode?: number } } {
  return e instanceof Error && names.includes(e.name);
}
