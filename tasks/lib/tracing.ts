import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray for the Lambda handlers (the stack turns on active tracing for every function): each AWS SDK call
 * becomes a subsegment of the invocation's segment, named by service and operation. Only the handlers import
 * this; the local runtime and the tests build the same clients without it. Outside Lambda the Tracer is off
 * and leaves clients untouched.
 */
export const tracer = new Tracer({
  // The SDK clients are captured one by one; tracing every https request as well would record each call twice.
  captureHTTPsRequests: false,
});

/** The same client, with its calls recorded as X-Ray subsegments when tracing is on. */
export function traced<C extends object>(client: C): C {
  return tracer.captureAWSv3Client(client);
}
