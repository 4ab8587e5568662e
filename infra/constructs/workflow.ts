import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { loadDefinitionText, taskNames } from '../../workflow';

export interface WorkflowProps {
  /** The ASL file's name in workflow/ (`provision-two-way`, `deprovision-two-way`). */
  definition: string;
  stateMachineName: string;
  /** The task functions by ASL task name; every `${<Task>FunctionArn}` in the file must have one. */
  functions: Readonly<Record<string, lambda.IFunction>>;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * A Standard state machine built from the SAME ASL file the local runner executes (workflow/*.asl.json,
 * passed as text with `definitionSubstitutions` for the Lambda ARNs: nothing is re-expressed in CDK), with
 * logging level ALL (execution data included) to a log group with retention, and X-Ray tracing. Its role
 * may invoke exactly the functions the definition names (unqualified ARNs, as the ASL uses them).
 */
export class Workflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const text = loadDefinitionText(props.definition);
    const substitutions: Record<string, string> = {};
    const invoked: lambda.IFunction[] = [];
    for (const name of taskNames(text)) {
      const fn = props.functions[name];
      if (!fn) throw new Error(`${props.definition}: no function for \${${name}FunctionArn}`);
      substitutions[`${name}FunctionArn`] = fn.functionArn;
      invoked.push(fn);
    }
    // The /aws/vendedlogs/ prefix keeps CloudWatch Logs resource policies small (AWS's advice for Step Functions).
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const role = (this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `${props.stateMachineName}: invokes its task functions only`,
      inlinePolicies: {
        InvokeTasks: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ sid: 'InvokeTasks', actions: ['lambda:InvokeFunction'], resources: invoked.map((f) => f.functionArn) })],
        }),
      },
    }));
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(text),
      definitionSubstitutions: substitutions,
      role,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
  }
}
