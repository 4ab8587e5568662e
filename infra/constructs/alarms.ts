import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { NOTIFIER_METRICS } from '../../tasks/notifier/notifier';

export interface OpsAlarmsProps {
  prefix: string;
  stateMachines: sfn.IStateMachine[];
  /** Task functions and their log groups (throttling by Lambda, and AWS API throttling the tasks log). */
  taskFunctions: { fn: lambda.IFunction; logGroup: logs.ILogGroup }[];
  allFunctions: lambda.IFunction[];
  notifier: lambda.IFunction;
  notifierDeadLetters: sqs.IQueue;
  api: apigw.RestApi;
}

/** A namespace for the metrics the stack derives from task logs. */
export const TASK_METRICS = { namespace: 'TwoWaySms', awsThrottled: 'TaskAwsThrottled' } as const;

/**
 * The operator's alarms, all to one ops SNS topic encrypted with a customer managed key (rotated) that
 * CloudWatch may use. Subscribe people or a pager to the topic after deploying (infra/README.md).
 */
export class OpsAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: OpsAlarmsProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    const key = new kms.Key(this, 'TopicKey', { enableKeyRotation: true, description: `${props.prefix}: encrypts the ops alarm topic` });
    // CloudWatch alarms publish to the encrypted topic: they need the key for the data key of each message.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', { topicName: `${props.prefix}-ops`, displayName: 'Two-way SMS operations', masterKey: key, enforceSSL: true });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    const action = new SnsAction(this.topic);
    const five = Duration.minutes(5);
    const alarm = (id: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const a = new cloudwatch.Alarm(this, id, {
        alarmName: `${props.prefix}-${id}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
      return a;
    };

    // A rollback that did not finish (or a deprovisioning that failed part-way) leaves changes behind.
    alarm(
      'rollback-failed',
      new cloudwatch.Metric({ namespace: NOTIFIER_METRICS.namespace, metricName: NOTIFIER_METRICS.rollbackFailed, dimensionsMap: { service: NOTIFIER_METRICS.service }, statistic: 'Sum', period: five }),
      1,
      'An execution ended ROLLBACK_FAILED (FAILED without a clean rollback): inspect its audit trail and redrive it.',
    );
    // Not AWS/States ExecutionsFailed: a clean rollback (a refused request) ends FAILED too, by design, and
    // would page for every bad request. Time-outs, aborts and throttles are read from AWS/States directly, in
    // case the notifier itself is what is broken. A time-out can happen because each state machine has a
    // top-level TimeoutSeconds (workflow/*.asl.json; without one a Standard execution may run for a year).
    props.stateMachines.forEach((m, i) => {
      alarm(`executions-timed-out-${i}`, m.metricTimedOut({ period: five, statistic: 'Sum' }), 1, 'An execution exceeded its state machine\'s TimeoutSeconds: changes may be left behind; its lease was released by the notifier; redrive it.');
      alarm(
        `executions-aborted-${i}`,
        m.metricAborted({ period: five, statistic: 'Sum' }),
        1,
        'An execution was stopped (StopExecution) mid-way: changes may be left behind and nothing undid them; redrive it or deprovision the number.',
      );
      alarm(
        `executions-throttled-${i}`,
        m.metricThrottled({ period: five, statistic: 'Sum' }),
        1,
        'Step Functions throttled state transitions of this state machine (account quota): executions run late; raise the quota or slow bulk requests.',
      );
    });
    alarm('notifier-errors', props.notifier.metricErrors({ period: five, statistic: 'Sum' }), 1, 'The completion notifier failed: provisioning records may show RUNNING after their execution ended.');
    alarm(
      'notifier-dead-letters',
      props.notifierDeadLetters.metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' }),
      1,
      'Completion events the notifier could not process wait in its dead-letter queue.',
    );

    // Task throttling, two kinds: AWS APIs throttling the tasks (the tasks log errorName AwsThrottled and the
    // ASL retries; sustained throttling means a quota to raise) and Lambda throttling the task invocations.
    for (const { logGroup } of props.taskFunctions) {
      new logs.MetricFilter(logGroup.node.scope as Construct, 'AwsThrottledFilter', {
        logGroup,
        filterPattern: logs.FilterPattern.stringValue('$.errorName', '=', 'AwsThrottled'),
        metricNamespace: TASK_METRICS.namespace,
        metricName: TASK_METRICS.awsThrottled,
        metricValue: '1',
        defaultValue: 0,
      });
    }
    alarm(
      'task-aws-throttled',
      new cloudwatch.Metric({ namespace: TASK_METRICS.namespace, metricName: TASK_METRICS.awsThrottled, statistic: 'Sum', period: five }),
      10,
      'AWS APIs throttled the provisioning tasks 10+ times in 5 minutes (retried, but a quota may need raising or bulk pacing slowed).',
    );
    // Metric math takes at most 10 metrics per alarm: one alarm per group of ten functions.
    for (let g = 0; g * 10 < props.allFunctions.length; g++) {
      const group = props.allFunctions.slice(g * 10, g * 10 + 10);
      const usingMetrics: Record<string, cloudwatch.IMetric> = {};
      group.forEach((fn, i) => (usingMetrics[`t${i}`] = fn.metricThrottles({ period: five, statistic: 'Sum' })));
      alarm(
        `lambda-throttled-${g}`,
        new cloudwatch.MathExpression({ expression: Object.keys(usingMetrics).join(' + '), usingMetrics, period: five, label: 'Lambda throttles' }),
        1,
        'Lambda throttled invocations of the service functions (account concurrency exhausted?).',
      );
    }
    alarm('api-5xx', props.api.metricServerError({ period: five, statistic: 'Sum' }), 1, 'The API answered 5xx.');
  }
}
