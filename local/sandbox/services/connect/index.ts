import { AwsError } from '../../core/errors';
import type { CallContext, RestJsonService, RestRequest, RestResponse, RestRoute } from '../../core/types';
import { CONNECT_ERROR_STATUS, connectError } from './errors';
import { createInstance, describeContactFlow, describeInstance, listContactFlows, listInstances } from './instances';
import {
  associatePhoneNumberContactFlow,
  describePhoneNumber,
  disassociatePhoneNumberContactFlow,
  importPhoneNumber,
  listPhoneNumbersV2,
  releasePhoneNumber,
} from './phone-numbers';

export { addInstance } from './instances';
export { effectiveStatus, findImportBySource } from './phone-numbers';
export type { ConnectPhoneNumberRecord, InstanceRecord } from './model';

type Handler = (req: RestRequest, ctx: CallContext) => RestResponse;

/** A bug in a handler answers Connect's own InternalServiceException, not another service's error name. */
function route(method: RestRoute['method'], path: string, operation: string, handler: Handler): RestRoute {
  return {
    method,
    path,
    operation,
    handler: (req, ctx) => {
      try {
        return handler(req, ctx);
      } catch (e) {
        if (e instanceof AwsError) throw e;
        throw connectError('InternalServiceException', `Internal sandbox error: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  };
}

/** REST paths, methods and bindings as in the botocore model `connect/2017-08-08`. */
const ROUTES: readonly RestRoute[] = [
  route('PUT', '/instance', 'CreateInstance', createInstance),
  route('GET', '/instance', 'ListInstances', listInstances),
  route('GET', '/instance/{InstanceId}', 'DescribeInstance', describeInstance),
  route('GET', '/contact-flows/{InstanceId}/{ContactFlowId}', 'DescribeContactFlow', describeContactFlow),
  route('GET', '/contact-flows-summary/{InstanceId}', 'ListContactFlows', listContactFlows),
  route('POST', '/phone-number/import', 'ImportPhoneNumber', importPhoneNumber),
  route('POST', '/phone-number/list', 'ListPhoneNumbersV2', listPhoneNumbersV2),
  route('GET', '/phone-number/{PhoneNumberId}', 'DescribePhoneNumber', describePhoneNumber),
  route('DELETE', '/phone-number/{PhoneNumberId}', 'ReleasePhoneNumber', releasePhoneNumber),
  route('PUT', '/phone-number/{PhoneNumberId}/contact-flow', 'AssociatePhoneNumberContactFlow', associatePhoneNumberContactFlow),
  route('DELETE', '/phone-number/{PhoneNumberId}/contact-flow', 'DisassociatePhoneNumberContactFlow', disassociatePhoneNumberContactFlow),
];

/** First path segments of ROUTES: how an unsigned request is recognised as Connect. */
const PATH_PREFIXES = [...new Set(ROUTES.map((r) => r.path.split('/')[1]!))];

/**
 * Amazon Connect (restJson1): instances and the import of End User Messaging numbers. Instances are ACTIVE
 * at once; an import is IN_PROGRESS until the `connectClaimDelayMs` setting has passed, then CLAIMED.
 */
export function connectService(): RestJsonService {
  return {
    protocol: 'rest-json',
    signingName: 'connect',
    stateSlice: 'connect',
    pathPrefixes: PATH_PREFIXES,
    throttling: { code: 'ThrottlingException', status: 429 },
    errorStatus: CONNECT_ERROR_STATUS,
    routes: ROUTES,
  };
}
