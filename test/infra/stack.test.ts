import { Match } from 'aws-cdk-lib/assertions';
import { TASKS } from '../../tasks';
import { createTableInput, TABLE } from '../../tasks/lib/store/table';
import { NOTIFIER_METRICS } from '../../tasks/notifier/notifier';
import { DEFAULTS } from '../../infra/config';
import { lambdaSpecs } from '../../infra/lambdas';
import { logicalId, resourcesOf, synth, TEST_ENV } from './synth';

// One synthesis for the whole file (bundling skipped; see synth.ts).
const s = synth({ env: TEST_ENV });
const { template, json, stack } = s;

/** `Template` assertions, named so the lint rule counts them as assertions. */
const assertHas = (type: string, props: object) => template.hasResourceProperties(type, props);
const assertAll = (type: string, props: object) => template.allResourcesProperties(type, props);
const assertCount = (type: string, n: number) => template.resourceCountIs(type, n);

describe('state machines', () => {
  it('are two, both STANDARD, named after the workflow files', () => {
    const machines = resourcesOf(json, 'AWS::StepFunctions::StateMachine').map(([, r]) => r.Properties!);
    expect(machines.map((m) => [m.StateMachineName, m.StateMachineType]).sort()).toEqual([
      ['two-way-sms-deprovision-two-way', 'STANDARD'],
      ['two-way-sms-provision-two-way', 'STANDARD'],
    ]);
  });

  it('log ALL with execution data to their own log groups, which have a retention', () => {
    for (const [, m] of resourcesOf(json, 'AWS::StepFunctions::StateMachine')) {
      const config = m.Properties!.LoggingConfiguration;
      expect(config).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
      const groupId = config.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0] as string;
      expect(json.Resources[groupId]!.Properties).toMatchObject({ RetentionInDays: DEFAULTS.logRetentionDays, LogGroupName: expect.stringMatching(/^\/aws\/vendedlogs\/states\//) });
    }
  });

  it('trace with X-Ray', () => {
    assertAll('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true } });
  });

  it('may invoke exactly the functions their definition names, unqualified', () => {
    const workflows = [stack.workflows.provision, stack.workflows.deprovision];
    for (const w of workflows) {
      const props = json.Resources[logicalId(stack, w.stateMachine)]!.Properties!;
      const substituted = Object.values(props.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>).map((v) => v['Fn::GetAtt'][0]).sort();
      const role = json.Resources[logicalId(stack, w.role)]!.Properties!;
      const invoke = role.Policies[0].PolicyDocument.Statement;
      expect(invoke).toHaveLength(1);
      expect(invoke[0].Action).toBe('lambda:InvokeFunction');
      expect((invoke[0].Resource as { 'Fn::GetAtt': [string, string] }[]).map((r) => r['Fn::GetAtt'][0]).sort()).toEqual(substituted);
    }
  });
});

describe('REST API', () => {
  it('authorizes every method with AWS_IAM (SigV4)', () => {
    const methods = resourcesOf(json, 'AWS::ApiGateway::Method');
    expect(methods.length).toBeGreaterThanOrEqual(2);
    for (const [, m] of methods) expect(m.Properties!.AuthorizationType).toBe('AWS_IAM');
  });

  it('proxies every path to the API Lambda', () => {
    assertHas('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
    const apiFn = logicalId(stack, stack.functions.Api.fn);
    for (const [, m] of resourcesOf(json, 'AWS::ApiGateway::Method')) {
      expect(m.Properties!.Integration.Type).toBe('AWS_PROXY');
      expect(JSON.stringify(m.Properties!.Integration.Uri)).toContain(apiFn);
    }
  });

  it('has a stage with tracing, JSON access logs, error logging and throttling', () => {
    assertHas('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"caller":"\\$context.identity.caller"') },
      MethodSettings: [Match.objectLike({ LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: DEFAULTS.apiRateLimit, ThrottlingBurstLimit: DEFAULTS.apiBurstLimit })],
    });
  });

  it('is behind a WAF web ACL that blocks bodies over the API limit and floods from one IP', () => {
    assertHas('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      AssociationConfig: { RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_64' } } },
      Rules: [
        Match.objectLike({ Name: 'BodyTooLarge', Action: { Block: {} }, Statement: { SizeConstraintStatement: Match.objectLike({ ComparisonOperator: 'GT', Size: DEFAULTS.maxBodyBytes, FieldToMatch: { Body: { OversizeHandling: 'MATCH' } } }) } }),
        Match.objectLike({ Name: 'RatePerIp', Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP' } } }),
      ],
    });
    assertCount('AWS::WAFv2::WebACLAssociation', 1);
  });
});

describe('table', () => {
  const [[, table]] = resourcesOf(json, 'AWS::DynamoDB::Table') as [[string, { Properties: Record<string, any>; DeletionPolicy?: string }]];

  it('has point-in-time recovery, KMS encryption, deletion protection, TTL on expiresAt', () => {
    expect(table.Properties).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
    });
    expect(table.DeletionPolicy).toBe('Retain');
  });

  it('has exactly the schema the local runtime creates (tasks/lib/store/table.ts)', () => {
    const local = createTableInput('x');
    expect(table.Properties.KeySchema).toEqual(local.KeySchema);
    expect([...table.Properties.AttributeDefinitions].sort(byName)).toEqual([...local.AttributeDefinitions].sort(byName));
    expect(table.Properties.BillingMode).toBe(local.BillingMode);
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
  });

  it('drops deletion protection and retention only when the deletionProtection context flag is false', () => {
    const off = synth({ env: TEST_ENV, context: { deletionProtection: 'false' } });
    const [[, t]] = resourcesOf(off.json, 'AWS::DynamoDB::Table');
    expect(t.Properties!.DeletionProtectionEnabled).toBe(false);
    expect(t.DeletionPolicy).toBe('Delete');
    for (const [, g] of resourcesOf(off.json, 'AWS::Logs::LogGroup')) expect(g.DeletionPolicy).toBe('Delete');
  });
});

const byName = (a: { AttributeName: string }, b: { AttributeName: string }) => a.AttributeName.localeCompare(b.AttributeName);

describe('Lambda functions', () => {
  const functions = resourcesOf(json, 'AWS::Lambda::Function').map(([, f]) => f.Properties!);

  it('exist for every task, the API and the notifier, named <prefix>-<name>', () => {
    expect(functions.map((f) => f.FunctionName).sort()).toEqual([...Object.keys(TASKS), 'Api', 'Notifier'].map((n) => `two-way-sms-${n}`).sort());
  });

  it('run Node.js 22 on arm64 with X-Ray, JSON logs, their spec memory and timeout', () => {
    const specs = new Map(lambdaSpecs().map((l) => [`two-way-sms-${l.name}`, l]));
    for (const f of functions) {
      const spec = specs.get(f.FunctionName)!;
      expect(f).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        Handler: 'index.handler',
      });
      expect(f.LoggingConfig.LogFormat).toBe('JSON');
    }
  });

  it('get the table, the account id and Powertools settings from the stack (no STS call, no lookup)', () => {
    for (const f of functions) {
      const env = f.Environment.Variables;
      expect(env).toMatchObject({ AWS_ACCOUNT_ID: TEST_ENV.account, POWERTOOLS_SERVICE_NAME: f.FunctionName, POWERTOOLS_METRICS_NAMESPACE: 'TwoWaySms' });
      expect(env.TABLE_NAME).toEqual({ Ref: logicalId(stack, stack.table.table) });
    }
  });

  it('give the API both state machine ARNs', () => {
    const api = functions.find((f) => f.FunctionName === 'two-way-sms-Api')!;
    expect(api.Environment.Variables.PROVISION_STATE_MACHINE_ARN).toEqual({ Ref: logicalId(stack, stack.workflows.provision.stateMachine) });
    expect(api.Environment.Variables.DEPROVISION_STATE_MACHINE_ARN).toEqual({ Ref: logicalId(stack, stack.workflows.deprovision.stateMachine) });
  });

  it('each log to their own log group with a retention', () => {
    for (const f of functions) {
      const group = json.Resources[f.LoggingConfig.LogGroup.Ref]!.Properties!;
      expect(group).toEqual({ LogGroupName: `/aws/lambda/${f.FunctionName}`, RetentionInDays: DEFAULTS.logRetentionDays });
    }
  });
});

describe('completion notifier', () => {
  it('is invoked by an EventBridge rule on both state machines’ terminal status changes, with a DLQ', () => {
    assertHas('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: [{ Ref: logicalId(stack, stack.workflows.provision.stateMachine) }, { Ref: logicalId(stack, stack.workflows.deprovision.stateMachine) }],
        },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack, stack.functions.Notifier.fn), 'Arn'] }, DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
    assertHas('AWS::Lambda::EventInvokeConfig', { DestinationConfig: { OnFailure: Match.anyValue() } });
    assertHas('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });
});

describe('alarms', () => {
  const alarms = resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
  const topic = logicalId(stack, stack.alarms.topic);

  it('all notify the ops topic, which is KMS-encrypted with a rotated key', () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: topic }]);
    const t = json.Resources[topic]!.Properties!;
    const keyId = t.KmsMasterKeyId['Fn::GetAtt'][0] as string;
    expect(json.Resources[keyId]!.Properties!.EnableKeyRotation).toBe(true);
  });

  it('cover rollback failures, time-outs, task throttling and API 5xx', () => {
    const names = alarms.map((a) => a.AlarmName as string);
    expect(names).toEqual(
      expect.arrayContaining([
        'two-way-sms-rollback-failed',
        'two-way-sms-executions-timed-out-0',
        'two-way-sms-executions-timed-out-1',
        'two-way-sms-notifier-errors',
        'two-way-sms-notifier-dead-letters',
        'two-way-sms-task-aws-throttled',
        'two-way-sms-lambda-throttled-0',
        'two-way-sms-api-5xx',
      ]),
    );
    const rollback = alarms.find((a) => a.AlarmName === 'two-way-sms-rollback-failed')!;
    expect(rollback).toMatchObject({ Namespace: NOTIFIER_METRICS.namespace, MetricName: NOTIFIER_METRICS.rollbackFailed, Dimensions: [{ Name: 'service', Value: NOTIFIER_METRICS.service }] });
  });

  it('count Lambda throttles of every function of the stack', () => {
    const counted = alarms
      .filter((a) => String(a.AlarmName).startsWith('two-way-sms-lambda-throttled-'))
      .flatMap((a) => (a.Metrics as { MetricStat?: { Metric: { Dimensions: { Value: { Ref: string } }[] } } }[]).filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric.Dimensions[0]!.Value.Ref));
    expect(counted.sort()).toEqual(Object.values(stack.functions).map((f) => logicalId(stack, f.fn)).sort());
  });
});

describe('outputs', () => {
  it('name the API URL, both state machines, the table and the ops topic', () => {
    expect(Object.keys(json.Outputs ?? {}).sort()).toEqual(['ApiUrl', 'DeprovisionStateMachineArn', 'OpsTopicArn', 'ProvisionStateMachineArn', 'TableName']);
  });
});
