import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traced } from '../lib/tracing';
import { notify, NOTIFIER_METRICS, type CompletionHook, type NotifyOutcome } from './notifier';

/**
 * Lambda entry point of the notifier (EventBridge "Step Functions Execution Status Change"). Thin: clients
 * built once per container, metrics flushed after every invocation (EMF in the log: no CloudWatch API call).
 */
// Read directly, not through tasks/lib/context: the notifier needs none of the task clients in its bundle.
const config = { region: process.env.AWS_REGION ?? 'us-east-1', tableName: process.env.TABLE_NAME ?? 'two-way-sms' };
const logger = new Logger({ serviceName: NOTIFIER_METRICS.service });
const metrics = new Metrics({ namespace: NOTIFIER_METRICS.namespace, serviceName: NOTIFIER_METRICS.service });
// Each DynamoDB call an X-Ray subsegment of the invocation.
const db = DynamoDBDocumentClient.from(traced(new DynamoDBClient({ region: config.region })));

/** Ticket callbacks plug in here (signed webhooks to Jira / ServiceNow / generic), one hook each. */
const hooks: CompletionHook[] = [];

export const handler = async (event: unknown): Promise<NotifyOutcome> => {
  try {
    return await notify(event, {
      db,
      tableName: config.tableName,
      hooks,
      log: { info: (m, extra) => logger.info(m, { ...extra }), warn: (m, extra) => logger.warn(m, { ...extra }) },
      count: (name) => metrics.addMetric(name, MetricUnit.Count, 1),
      clock: () => new Date(),
    });
  } finally {
    metrics.publishStoredMetrics();
  }
};
