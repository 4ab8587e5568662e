import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface ServiceApiProps {
  handler: lambda.IFunction;
  restApiName: string;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  rateLimit: number;
  burstLimit: number;
  /** WAF web ACL with the body size limit and a per-IP rate limit (default true). */
  waf?: boolean;
  maxBodyBytes?: number;
}

/**
 * The REST API: every method requires IAM (SigV4) authorization, so the caller's IAM identity reaches the
 * API Lambda in `requestContext.identity` (it becomes `requestedBy`); one Lambda proxy serves all routes
 * (`/v1/...`, `/healthz`, `/openapi.json`). Stage `prod` with X-Ray tracing, JSON access logs, execution
 * logging of errors, metrics and stage throttling; optionally (default on) a WAF web ACL that blocks
 * bodies over `maxBodyBytes` (default: the API's own limit) and more than 1000 requests per 5 minutes
 * from one IP.
 */
export class ServiceApi extends Construct {
  readonly api: apigw.RestApi;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceApiProps) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: props.restApiName,
      description: 'Two-way SMS provisioning API (IAM-authorized)',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      // Execution logging needs API Gateway's account-level CloudWatch role; kept when the stack goes, since
      // other APIs of the account rely on the same account setting.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: 'prod',
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Request and response bodies stay out of the execution logs (they may carry ticket data).
        dataTraceEnabled: false,
        throttlingRateLimit: props.rateLimit,
        throttlingBurstLimit: props.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
    });
    // The stack names its own output (ApiUrl); RestApi's generated one would be a second, hash-named copy.
    this.api.node.tryRemoveChild('Endpoint');
    const integration = new apigw.LambdaIntegration(props.handler, { proxy: true });
    this.api.root.addMethod('ANY', integration);
    this.api.root.addProxy({ defaultIntegration: integration, anyMethod: true });

    if (props.waf ?? true) {
      const maxBody = props.maxBodyBytes ?? 16 * 1024;
      // WAF sees at most this much of an API Gateway body (16 KiB by default, up to 64 KiB for a fee).
      const windowKb = [16, 32, 48, 64].find((kb) => maxBody <= kb * 1024);
      if (windowKb === undefined) throw new Error(`maxBodyBytes ${maxBody} is beyond WAF's largest body inspection window (64 KiB)`);
      const visibility = (name: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name });
      const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
        scope: 'REGIONAL',
        defaultAction: { allow: {} },
        visibilityConfig: visibility(`${props.restApiName}-acl`),
        ...(windowKb > 16 ? { associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: `KB_${windowKb}` } } } } : {}),
        rules: [
          {
            name: 'BodyTooLarge',
            priority: 0,
            action: { block: {} },
            visibilityConfig: visibility(`${props.restApiName}-body-too-large`),
            statement: {
              sizeConstraintStatement: {
                // A body beyond WAF's inspection window counts as too large (MATCH), never as inspected.
                fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
                comparisonOperator: 'GT',
                size: maxBody,
                textTransformations: [{ priority: 0, type: 'NONE' }],
              },
            },
          },
          {
            name: 'RatePerIp',
            priority: 1,
            action: { block: {} },
            visibilityConfig: visibility(`${props.restApiName}-rate-per-ip`),
            statement: { rateBasedStatement: { limit: 1000, aggregateKeyType: 'IP' } },
          },
        ],
      });
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: acl.attrArn });
    }
  }
}
