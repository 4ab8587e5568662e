import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
// The same rendering cdk-nag uses for a finding's resource, so each acknowledgement names exactly its finding.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { Statement } from './permissions';

/**
 * Every cdk-nag finding this stack acknowledges, each with its specific reason (the AwsSolutions and
 * Serverless packs run in test/infra/nag.test.ts, which fails on any finding not acknowledged here).
 * Acknowledgements are per finding (cdk-nag v3): a new wildcard is a new finding, never silently covered.
 */

export interface NagTargets {
  /** Per function: the Lambda, its role, the statements that became the role's policy, and how it is invoked. */
  functions: { fn: IConstruct; role: IConstruct; statements: Statement[]; invokedBy: 'stepfunctions' | 'apigateway' | 'eventbridge' }[];
  /** State machine roles (their default policies get the Step Functions logging and X-Ray grants). */
  stateMachineRoles: IConstruct[];
  restApi: IConstruct;
  restApiMethods: IConstruct[];
  restApiCloudWatchRole: IConstruct;
  deadLetterQueue: IConstruct;
  /** The permissions boundary of the roles the tasks create (a managed policy of the stack). */
  channelRoleBoundary: IConstruct;
}

const ack = (scope: IConstruct, pack: 'AwsSolutions' | 'Serverless', rule: string, reason: string, finding?: string) =>
  Validations.of(scope).acknowledge({ id: `${pack}::${pack}-${rule}${finding ? `[${finding}]` : ''}`, reason });

const NODE_22 =
  'Node.js 22 on purpose: the runtime the project pins and tests on (README.md: Node 22 LTS, the minimum of aws-local-stepfunctions 3); moving to a newer runtime is a deliberate upgrade with the local engine, not a lint fix.';

export function applyAcknowledgements(t: NagTargets): void {
  for (const f of t.functions) {
    ack(f.fn, 'AwsSolutions', 'L1', NODE_22);
    ack(f.fn, 'Serverless', 'LambdaLatestVersion', NODE_22);
    ack(
      f.fn,
      'Serverless',
      'LambdaDLQ',
      f.invokedBy === 'eventbridge'
        ? 'Asynchronous failures go to an on-failure destination (the same SQS queue as the EventBridge target DLQ), which records more than a DLQ would; a DLQ as well would deliver every failure twice.'
        : f.invokedBy === 'stepfunctions'
          ? 'Invoked synchronously by Step Functions, which retries failures (ASL Retry), then either catches them (a forward step: the compensation chain) or stops the execution where a redrive resumes it (a compensation), and keeps every failure in the execution history; there are no asynchronous invocations to dead-letter.'
          : 'Invoked synchronously by API Gateway, which returns the failure to the caller; there are no asynchronous invocations to dead-letter.',
    );

    // Each wildcard resource of the role's own policy, with the reason its statement gives.
    const stack = Stack.of(f.role);
    const reasons = new Map<string, string[]>();
    for (const s of f.statements) {
      for (const r of s.resources) {
        const flat = flattenCfnReference(stack.resolve(r));
        if (!flat.includes('*')) continue;
        reasons.set(flat, [...(reasons.get(flat) ?? []), `${s.actions.join(', ')}: ${s.why}`]);
      }
    }
    // The Serverless pack flags any "*" in a role's own policy: only the list-capable reads that AWS authorizes
    // against "*" put one there, each with its reason.
    const star = f.statements.filter((s) => s.resources.includes('*'));
    if (star.length > 0) ack(f.role, 'Serverless', 'LambdaStarPermissions', star.map((s) => `${s.actions.join(', ')}: ${s.why}`).join(' | '));
    // Tracing.ACTIVE adds X-Ray's grants on "*" to every role: one acknowledgement of "*" says why for all of them.
    reasons.set('*', [...(reasons.get('*') ?? []), 'xray:PutTraceSegments and xray:PutTelemetryRecords (added by Tracing.ACTIVE) do not support resource-level permissions: X-Ray requires "*".']);
    for (const [resource, why] of reasons) ack(f.role, 'AwsSolutions', 'IAM5', [...new Set(why)].join(' | '), `Resource::${resource}`);
  }
  for (const role of t.stateMachineRoles) {
    ack(
      role,
      'AwsSolutions',
      'IAM5',
      'Step Functions logging to CloudWatch Logs uses the vended-log delivery APIs (logs:CreateLogDelivery, GetLogDelivery, ..., DescribeLogGroups) and X-Ray tracing uses xray:PutTraceSegments/GetSamplingRules: none supports resource-level permissions, so AWS documents "*" for them.',
      'Resource::*',
    );
  }
  ack(
    t.restApi,
    'AwsSolutions',
    'APIG2',
    'Requests are validated in the API Lambda by the same zod schemas that generate the OpenAPI document (api/schemas.ts), reporting every problem with its field; API Gateway models would be a second copy that can drift.',
  );
  for (const m of t.restApiMethods) {
    ack(m, 'AwsSolutions', 'COG4', 'The API is authorized with IAM (SigV4), by design (issue 5): callers are IAM principals and their identity becomes requestedBy; there is no Cognito user pool.');
  }
  ack(
    t.restApiCloudWatchRole,
    'AwsSolutions',
    'IAM4',
    "API Gateway's account-level role for execution logs: AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for exactly this role, which API Gateway alone assumes.",
    'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
  );
  // The boundary grants nothing by itself: it caps what a created role's own policy can grant.
  ack(
    t.channelRoleBoundary,
    'AwsSolutions',
    'IAM5',
    'Permissions boundary, not a grant: a role created for delivery may publish to any topic of this account and region, because the destination topic is request input; the role\'s own inline policy names the one topic.',
    'Resource::arn:<AWS::Partition>:sns:<AWS::Region>:<AWS::AccountId>:*',
  );
  ack(
    t.channelRoleBoundary,
    'AwsSolutions',
    'IAM5',
    'Permissions boundary, not a grant: the KMS key is the topic\'s (any key an SNS topic may use), usable only when SNS is the caller (aws:CalledViaLast = sns.amazonaws.com); connect:SendChatIntegrationEvent has no resource types in the Service Authorization Reference, so "*" is the only resource that can name it (as in AWS\'s documented channel-role policy, docs/domain.md §2).',
    'Resource::*',
  );
  ack(t.deadLetterQueue, 'AwsSolutions', 'SQS3', 'This queue IS the dead-letter queue (of the notifier rule target and its async invocations); a DLQ of a DLQ would only move the same messages.');
  ack(t.deadLetterQueue, 'Serverless', 'SQSRedrivePolicy', 'This queue IS the dead-letter queue; messages are inspected and replayed by an operator (infra/README.md), not redriven automatically.');
}
