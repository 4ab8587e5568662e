import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { createDeps, readConfig, type TaskDeps, type TaskEvent } from './context';
import { traced } from './tracing';

/**
 * The thin Lambda adapter every task shares: dependencies built once per container, a structured JSON
 * log line per invocation carrying the provisioning id, every AWS SDK call an X-Ray subsegment, and errors rethrown untouched so that the Lambda
 * runtime reports `errorType = error.name` to Step Functions (the ASL's `ErrorEquals` contract).
 */
export function lambdaHandler(taskName: string, core: (event: TaskEvent, deps: TaskDeps) => Promise<unknown>) {
  let deps: TaskDeps | undefined;
  const logger = new Logger({ serviceName: 'two-way-sms', persistentKeys: { task: taskName } });
  return async (input: TaskEvent, context?: Context): Promise<unknown> => {
    deps ??= createDeps(readConfig(), () => new Date(), { instrument: traced });
    // The ASL does not pass `$$.State.Name`; a task's audit records name the step by the task.
    const event: TaskEvent = { ...input, state: input.state ?? taskName };
    const provisioningId = provisioningIdOf(event);
    logger.appendKeys({ provisioningId, executionArn: event.executionArn, state: event.state, ...(context ? { requestId: context.awsRequestId } : {}) });
    logger.info('task started');
    try {
      const out = await core(event, deps);
      logger.info('task succeeded');
      return out;
    } catch (e) {
      const err = e as Error;
      logger.warn('task failed', { errorName: err.name, errorMessage: err.message });
      throw e;
    } finally {
      logger.resetKeys();
    }
  };
}

export function provisioningIdOf(event: TaskEvent): string | undefined {
  const r = event.request as { provisioningId?: unknown } | undefined;
  return typeof r?.provisioningId === 'string' ? r.provisioningId : undefined;
}
