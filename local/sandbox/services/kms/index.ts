import type { JsonService } from '../../core/types';

export function kmsService(): JsonService {
  return {
    protocol: 'json',
    signingName: 'kms',
    targetPrefix: 'TrentService',
    jsonVersion: '1.1',
    messageKey: 'message',
    throttling: { code: 'ThrottlingException', status: 400 },
    errorStatus: { ThrottlingException: 400, KMSInternalException: 500 },
    operations: {},
  };
}
