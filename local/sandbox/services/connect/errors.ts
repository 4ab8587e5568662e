import { AwsError } from '../../core/errors';

/**
 * Connect's modelled exceptions with the HTTP status each carries in the botocore model
 * (`connect/2017-08-08`). restJson names them in the `x-amzn-ErrorType` header; the body is `{"Message"}`.
 */
export const CONNECT_ERROR_STATUS = {
  InvalidParameterException: 400,
  InvalidRequestException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  IdempotencyException: 409,
  ResourceInUseException: 409,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
  InternalServiceException: 500,
} as const;

export type ConnectErrorCode = keyof typeof CONNECT_ERROR_STATUS;

/** The validation error an operation models: phone-number operations use the first, instance operations the second. */
export type ValidationCode = 'InvalidParameterException' | 'InvalidRequestException';

export function connectError(code: ConnectErrorCode, message: string, fields: Record<string, unknown> = {}): AwsError {
  return new AwsError(code, message, { status: CONNECT_ERROR_STATUS[code], fields });
}

export const notFound = (message: string): AwsError => connectError('ResourceNotFoundException', message);
