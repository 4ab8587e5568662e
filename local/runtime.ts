import { ConnectClient } from '@aws-sdk/client-connect';
import { KMSClient } from '@aws-sdk/client-kms';
import { IAMClient } from '@aws-sdk/client-iam';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { monotonicFactory } from 'ulid';
import { createApi } from '../api/app';
import { TASKS } from '../tasks';
import { createDeps, readConfig } from '../tasks/lib/context';
import { notify } from '../tasks/notifier/notifier';
import { createTableInput } from '../tasks/lib/store';
import { ensureChannelRoleBoundary, keepChannelRoleBoundary } from './boundary';
import { startApiServer, type ExtraRoutes, type RunningApiServer } from './api/server';
import { consoleRoutes } from './console';
import { startLocalDynamo, type LocalDynamo } from './dynamo';
import { Sandbox } from './sandbox/sandbox';
import { startLocalStepFunctions, type LocalStepFunctions } from './stepfunctions';

export interface RuntimeOptions {
  dataDir: string;
  /** Edge port of the sandbox, local Step Functions and DynamoDB (0 = any free port). */
  sandboxPort: number;
  /** REST API and console port (0 = any free port). */
  apiPort: number;
  host?: string;
  /** `sandbox`: tasks call the embedded sandbox. `aws`: tasks call the real AWS account (default credential chain). */
  target: 'sandbox' | 'aws';
  /** TWO_WAY_SMS_API_TOKEN: when set, the only token the API accepts. */
  apiToken?: string;
  /** Milliseconds for every ASL Wait state locally (the Connect claim poll); real seconds when undefined. */
  waitMs?: number;
  extraRoutes?: ExtraRoutes;
  /** Target `aws`: the deployed stack's permissions boundary policy (PERMISSIONS_BOUNDARY_ARN). The sandbox has its own. */
  permissionsBoundaryArn?: string;
  /**
   * Flush every sandbox state change and every DynamoDB write to the disk before answering it (default true;
   * local/README.md "Durability"). false only for the benchmark's comparison of what that costs.
   */
  durableWrites?: boolean;
}

export interface Runtime {
  sandbox: Sandbox;
  dynamo: LocalDynamo;
  stepFunctions: LocalStepFunctions;
  api: RunningApiServer;
  edgeUrl: string;
  stateMachines: { provision: string; deprovision: string };
  resumed: string[];
  close(): Promise<void>;
}

const TABLE_NAME = 'two-way-sms';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The composition root of the embedded default: the sandbox on the edge port, DynamoDB (dynalite) behind it,
 * the local Step Functions service running the workflow ASL with the task cores in process, and the REST API.
 * The same task and API code runs on AWS; only endpoints differ.
 */
export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const host = opts.host ?? '127.0.0.1';
  const sandbox = new Sandbox({ dataDir: opts.dataDir, port: opts.sandboxPort, host, syncWrites: opts.durableWrites ?? true });
  const dynamo = await startLocalDynamo(opts.dataDir, { syncWrites: opts.durableWrites ?? true });
  sandbox.addRawService('dynamodb', (req, res, body) => dynamo.proxy(req, res, body));
  const edgeUrl = await sandbox.listen();
  await dynamo.ensureTable(createTableInput(TABLE_NAME));

  const region = sandbox.region;
  // Like a deployed stack: every role the tasks create carries the channel-role boundary, kept in the sandbox's IAM
  // (created now if missing, and again after every reset).
  let boundaryArn = opts.permissionsBoundaryArn;
  if (opts.target === 'sandbox') {
    const iam = new IAMClient({ endpoint: edgeUrl, region, credentials: CREDENTIALS });
    boundaryArn = await ensureChannelRoleBoundary(iam, { partition: sandbox.partition, region, accountId: sandbox.accountId });
    iam.destroy();
    keepChannelRoleBoundary(sandbox);
  }
  const config = {
    ...readConfig({ AWS_REGION: region }),
    tableName: TABLE_NAME,
    ...(opts.target === 'sandbox' ? { accountId: sandbox.accountId } : {}),
    ...(boundaryArn ? { permissionsBoundaryArn: boundaryArn } : {}),
  };
  const deps = createDeps(config, () => new Date(), {
    ...(opts.target === 'sandbox' ? { endpoint: edgeUrl, credentials: CREDENTIALS } : {}),
    dynamoEndpoint: dynamo.url,
  });
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.url, region, credentials: CREDENTIALS }), { marshallOptions: { removeUndefinedValues: true } });

  const notifierDeps = {
    db: doc,
    tableName: TABLE_NAME,
    hooks: [],
    log: { info: () => undefined, warn: (m: string, extra?: Record<string, unknown>) => process.stderr.write(`notifier: ${m} ${JSON.stringify(extra ?? {})}\n`) },
    count: () => undefined,
    clock: () => new Date(),
  };
  const { engine, stateMachines, resumed } = await startLocalStepFunctions({
    sandbox,
    doc,
    tasks: TASKS,
    deps,
    region,
    accountId: sandbox.accountId,
    ...(opts.waitMs !== undefined ? { waitMs: opts.waitMs } : {}),
    // The local stand-in for the EventBridge rule on execution status changes.
    onExecutionEnd: async (end) => {
      await notify(
        {
          source: 'aws.states',
          'detail-type': 'Step Functions Execution Status Change',
          detail: { executionArn: end.executionArn, stateMachineArn: end.stateMachineArn, name: end.name, status: end.status, error: end.error ?? null, cause: end.cause ?? null },
        },
        notifierDeps,
      ).catch((e: unknown) => process.stderr.write(`notifier failed: ${(e as Error).message}\n`));
    },
  });
  const machines = { provision: stateMachines.provision, deprovision: stateMachines.deprovision };

  const ulid = monotonicFactory();
  // The API's read-only lookups go where the tasks' calls go: the sandbox, or the real account.
  const apiClientConfig = opts.target === 'sandbox' ? { endpoint: edgeUrl, region, credentials: CREDENTIALS } : { region };
  const api = createApi({
    sfn: new SFNClient({ endpoint: edgeUrl, region, credentials: CREDENTIALS }),
    db: doc,
    tableName: TABLE_NAME,
    sms: opts.target === 'sandbox' ? new PinpointSMSVoiceV2Client({ endpoint: edgeUrl, region, credentials: CREDENTIALS }) : new PinpointSMSVoiceV2Client({ region }),
    lookups: {
      sns: new SNSClient(apiClientConfig),
      kms: new KMSClient(apiClientConfig),
      connect: new ConnectClient(apiClientConfig),
    },
    clock: () => new Date(),
    newId: () => ulid(),
    stateMachines: machines,
  });
  const apiServer = await startApiServer({
    port: opts.apiPort,
    host,
    dataDir: opts.dataDir,
    api,
    ...(opts.apiToken ? { token: opts.apiToken } : {}),
    extraRoutes: opts.extraRoutes ?? consoleRoutes(),
  });

  return {
    sandbox,
    dynamo,
    stepFunctions: engine,
    api: apiServer,
    edgeUrl,
    stateMachines: machines,
    resumed,
    async close() {
      await apiServer.close();
      await engine.close();
      await sandbox.close();
      await dynamo.close();
    },
  };
}
