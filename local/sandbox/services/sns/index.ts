import { AwsError } from '../../core/errors';
import type { QueryService } from '../../core/types';

export function snsService(): QueryService {
  return {
    protocol: 'query',
    signingName: 'sns',
    version: '2010-03-31',
    xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
    throttling: { code: 'Throttled', status: 400 },
    errorStatus: { Throttled: 400, InternalError: 500 },
    missingParameter: (name) => new AwsError('InvalidParameter', `Invalid parameter: ${name}`),
    operations: {},
  };
}
