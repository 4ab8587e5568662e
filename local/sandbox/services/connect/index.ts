import type { RestJsonService } from '../../core/types';

export function connectService(): RestJsonService {
  return {
    protocol: 'rest-json',
    signingName: 'connect',
    pathPrefixes: ['instance', 'phone-number'],
    throttling: { code: 'ThrottlingException', status: 429 },
    errorStatus: { ThrottlingException: 429, InternalServiceException: 500 },
    routes: [],
  };
}
