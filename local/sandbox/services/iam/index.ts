import { AwsError } from '../../core/errors';
import type { QueryService } from '../../core/types';

export function iamService(): QueryService {
  return {
    protocol: 'query',
    signingName: 'iam',
    version: '2010-05-08',
    xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
    throttling: { code: 'Throttling', status: 400 },
    errorStatus: { Throttling: 400, ServiceFailure: 500 },
    missingParameter: (name) => new AwsError('ValidationError', `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`),
    operations: {},
  };
}
