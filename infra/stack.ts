import { ArnFormat, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TASKS, type TaskName } from '../tasks';
import { channelRoleBoundaryName, channelRoleBoundaryPolicy, CHANNEL_ROLE_BOUNDARY } from '../tasks/lib/policy/builders';
import { STATE_MACHINES } from '../workflow';
import { readStackConfig, type StackConfig } from './config';
import { OpsAlarms } from './constructs/alarms';
import { ServiceApi } from './constructs/api';
import { CompletionNotifier } from './constructs/notifier';
import { ServiceFunction } from './constructs/service-function';
import { ProvisioningTable } from './constructs/table';
import { Workflow } from './constructs/workflow';
import { lambdaSpecs } from './lambdas';
import { applyAcknowledgements } from './nag';
import { permissions, type PermissionScope, type Principal, type Statement } from './permissions';

export interface TwoWaySmsStackProps extends StackProps {
  /** Overrides of the context settings (tests); normally everything comes from context (infra/config.ts). */
  config?: Partial<StackConfig>;
}

/**
 * The production engine: the table, the task Lambdas, the two Standard state machines (from the same ASL
 * files as local runs), the IAM-authorized REST API, the completion notifier and the ops alarms. Works
 * environment-agnostic (`npm run synth`, no credentials, no look-ups) or with an explicit env.
 */
export class TwoWaySmsStack extends Stack {
  readonly config: StackConfig;
  readonly functions: Record<Principal, ServiceFunction>;
  readonly table: ProvisioningTable;
  readonly workflows: Record<keyof typeof STATE_MACHINES, Workflow>;
  readonly api: ServiceApi;
  readonly notifier: CompletionNotifier;
  readonly alarms: OpsAlarms;
  /** The permissions boundary every role the tasks create carries (tasks/lib/policy/builders.ts). */
  readonly channelRoleBoundary: iam.ManagedPolicy;
  /** Each function's statements (infra/permissions.ts), as given to its role. */
  readonly permissions: Record<Principal, Statement[]>;

  constructor(scope: Construct, id: string, props: TwoWaySmsStackProps = {}) {
    super(scope, id, { description: 'Two-way SMS provisioning service (API, Step Functions, Lambda, DynamoDB)', ...props });
    const config = (this.config = { ...readStackConfig(this.node), ...props.config });
    const retention = retentionOf(config.logRetentionDays);
    const removalPolicy = config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const { prefix } = config;

    this.table = new ProvisioningTable(this, 'Table', { deletionProtection: config.deletionProtection });
    const tableName = this.table.table.tableName;

    // The most a role created by the tasks may ever do; the task roles can create and change roles only with it.
    this.channelRoleBoundary = new iam.ManagedPolicy(this, 'ChannelRoleBoundary', {
      managedPolicyName: channelRoleBoundaryName(prefix),
      path: CHANNEL_ROLE_BOUNDARY.path,
      description: 'Permissions boundary of every two-way channel role two-way-sms creates: delivery to SNS or Connect only',
      document: iam.PolicyDocument.fromJson(channelRoleBoundaryPolicy({ partition: this.partition, region: this.region, accountId: this.account })),
    });
    const boundaryArn = this.channelRoleBoundary.managedPolicyArn;

    const smName = (key: keyof typeof STATE_MACHINES) => `${prefix}-${STATE_MACHINES[key]}`;
    const scope_: PermissionScope = {
      partition: this.partition,
      region: this.region,
      account: this.account,
      tableArn: this.table.table.tableArn,
      stateMachineArns: (Object.keys(STATE_MACHINES) as (keyof typeof STATE_MACHINES)[]).map((k) =>
        this.formatArn({ service: 'states', resource: 'stateMachine', resourceName: smName(k), arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ),
      executionArns: (Object.keys(STATE_MACHINES) as (keyof typeof STATE_MACHINES)[]).map((k) =>
        this.formatArn({ service: 'states', resource: 'execution', resourceName: `${smName(k)}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ),
      boundaryPolicyArn: boundaryArn,
      allowedKeyArns: config.allowedKeyArns,
    };
    const statements = (this.permissions = permissions(scope_));
    // The account is passed in, so no task needs sts:GetCallerIdentity.
    const common = { TABLE_NAME: tableName, AWS_ACCOUNT_ID: this.account };
    const specs = new Map(lambdaSpecs().map((s) => [s.name, s]));
    const fnScope = new Construct(this, 'Functions');
    const make = (name: Principal, environment: Record<string, string>) => {
      const spec = specs.get(name);
      if (!spec) throw new Error(`no Lambda spec for ${name}`);
      return new ServiceFunction(fnScope, name, {
        spec,
        functionName: `${prefix}-${name}`,
        statements: statements[name],
        environment: { ...common, ...environment },
        logRetention: retention,
        removalPolicy,
      });
    };

    const taskNames = Object.keys(TASKS) as TaskName[];
    // Every task gets the boundary ARN (tasks/lib/context.ts readConfig): those that create roles pass it to CreateRole.
    const tasks = Object.fromEntries(taskNames.map((n) => [n, make(n, { PERMISSIONS_BOUNDARY_ARN: boundaryArn })])) as Record<TaskName, ServiceFunction>;

    this.workflows = {
      provision: new Workflow(this, 'Provision', {
        definition: STATE_MACHINES.provision,
        stateMachineName: smName('provision'),
        functions: Object.fromEntries(taskNames.map((n) => [n, tasks[n].fn])),
        logRetention: retention,
        removalPolicy,
      }),
      deprovision: new Workflow(this, 'Deprovision', {
        definition: STATE_MACHINES.deprovision,
        stateMachineName: smName('deprovision'),
        functions: Object.fromEntries(taskNames.map((n) => [n, tasks[n].fn])),
        logRetention: retention,
        removalPolicy,
      }),
    };
    const machines = [this.workflows.provision.stateMachine, this.workflows.deprovision.stateMachine];

    const apiFn = make('Api', {
      PROVISION_STATE_MACHINE_ARN: this.workflows.provision.stateMachine.stateMachineArn,
      DEPROVISION_STATE_MACHINE_ARN: this.workflows.deprovision.stateMachine.stateMachineArn,
      TWO_WAY_SMS_TARGET: 'aws',
    });
    const notifierFn = make('Notifier', {});
    this.functions = { ...tasks, Api: apiFn, Notifier: notifierFn };

    this.api = new ServiceApi(this, 'Api', {
      handler: apiFn.fn,
      restApiName: `${prefix}-api`,
      logRetention: retention,
      removalPolicy,
      rateLimit: config.apiRateLimit,
      burstLimit: config.apiBurstLimit,
      waf: config.waf,
      maxBodyBytes: config.maxBodyBytes,
    });
    this.notifier = new CompletionNotifier(this, 'Notifier', { handler: notifierFn.fn, stateMachines: machines });
    this.alarms = new OpsAlarms(this, 'Ops', {
      prefix,
      stateMachines: machines,
      taskFunctions: taskNames.map((n) => ({ fn: tasks[n].fn, logGroup: tasks[n].logGroup })),
      allFunctions: Object.values(this.functions).map((f) => f.fn),
      notifier: notifierFn.fn,
      notifierDeadLetters: this.notifier.deadLetters,
      api: this.api.api,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url, description: 'Base URL of the REST API (IAM/SigV4); routes under /v1/' });
    new CfnOutput(this, 'ProvisionStateMachineArn', { value: this.workflows.provision.stateMachine.stateMachineArn });
    new CfnOutput(this, 'DeprovisionStateMachineArn', { value: this.workflows.deprovision.stateMachine.stateMachineArn });
    new CfnOutput(this, 'TableName', { value: tableName });
    new CfnOutput(this, 'OpsTopicArn', { value: this.alarms.topic.topicArn, description: 'Subscribe operators to the alarms here' });

    const cloudWatchRole = this.api.api.node.tryFindChild('CloudWatchRole');
    if (!cloudWatchRole) throw new Error('RestApi has no CloudWatchRole child: cdk-nag acknowledgements need it');
    applyAcknowledgements({
      functions: (Object.keys(this.functions) as Principal[]).map((name) => ({
        fn: this.functions[name].fn,
        role: this.functions[name].role,
        statements: statements[name],
        invokedBy: name === 'Api' ? 'apigateway' : name === 'Notifier' ? 'eventbridge' : 'stepfunctions',
      })),
      stateMachineRoles: [this.workflows.provision.role, this.workflows.deprovision.role],
      restApi: this.api.api,
      restApiMethods: this.api.api.methods,
      restApiCloudWatchRole: cloudWatchRole,
      deadLetterQueue: this.notifier.deadLetters,
      channelRoleBoundary: this.channelRoleBoundary,
    });
  }
}

function retentionOf(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowed.includes(days)) throw new Error(`context logRetentionDays must be one of ${allowed.join(', ')}, not ${days}`);
  return days as logs.RetentionDays;
}
