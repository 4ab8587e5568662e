import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface CompletionNotifierProps {
  handler: lambda.IFunction;
  stateMachines: sfn.IStateMachine[];
}

/**
 * The completion hook on AWS: an EventBridge rule on the state machines' "Execution Status Change" events
 * (terminal statuses) invokes the notifier Lambda. Events that cannot be delivered, and invocations that
 * fail after Lambda's retries, land in one encrypted dead-letter queue (14 days) that an alarm watches.
 */
export class CompletionNotifier extends Construct {
  readonly rule: events.Rule;
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: CompletionNotifierProps) {
    super(scope, id);
    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.rule = new events.Rule(this, 'ExecutionEnded', {
      description: 'A provisioning or deprovisioning execution ended: update its record, run the completion hooks',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: props.stateMachines.map((m) => m.stateMachineArn),
          status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
      targets: [new targets.LambdaFunction(props.handler, { deadLetterQueue: this.deadLetters, retryAttempts: 8, maxEventAge: Duration.hours(6) })],
    });
    props.handler.configureAsyncInvoke({ onFailure: new SqsDestination(this.deadLetters), retryAttempts: 2, maxEventAge: Duration.hours(6) });
  }
}
