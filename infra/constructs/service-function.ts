import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLING, ROOT, type LambdaSpec } from '../lambdas';
import type { Statement } from '../permissions';

export interface ServiceFunctionProps {
  spec: LambdaSpec;
  functionName: string;
  /** The function's permissions (from infra/permissions.ts): they become its role's only inline policy. */
  statements: Statement[];
  environment: Record<string, string>;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * One Lambda function with everything it owns: a role of its own (its statements and nothing else; no
 * managed policies), its log group with a retention, X-Ray tracing, JSON logs, Node.js 22 on arm64,
 * bundled by the locally installed esbuild (never Docker). Defaults: the memory and timeout in the spec.
 */
export class ServiceFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { spec } = props;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.functionName}: least-privilege role (infra/permissions.ts)`,
      inlinePolicies: { Permissions: toPolicyDocument(props.statements) },
    });
    // Its own log group only (the function's logs go nowhere else).
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      entry: join(ROOT, spec.entry),
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: join(ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.functionName,
        POWERTOOLS_METRICS_NAMESPACE: 'TwoWaySms',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        target: BUNDLING.target,
        format: OutputFormat.CJS,
        mainFields: [...BUNDLING.mainFields],
        minify: BUNDLING.minify,
        sourceMap: BUNDLING.sourcemap,
        sourcesContent: false,
        // Bundle the AWS SDK too: the code runs with the SDK version it was tested with, not the runtime's.
        externalModules: [],
      },
    });
  }
}

export function toPolicyDocument(statements: Statement[]): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: statements.map(
      (s) =>
        new iam.PolicyStatement({
          sid: s.sid,
          effect: iam.Effect.ALLOW,
          actions: s.actions,
          resources: s.resources,
          ...(s.conditions ? { conditions: s.conditions } : {}),
        }),
    ),
  });
}
