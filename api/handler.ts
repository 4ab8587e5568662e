import { Logger } from '@aws-lambda-powertools/logger';
import { ConnectClient } from '@aws-sdk/client-connect';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { traced } from '../tasks/lib/tracing';
import { createApi, type Api, type ApiDeps } from './app';

/**
 * The Lambda behind API Gateway (REST API, proxy integration, IAM authorization): clients built once per
 * container from the environment, the pure API from `createApi`. Endpoints come from `AWS_ENDPOINT_URL`
 * like everywhere else; no `if (local)`.
 */
export interface ApiConfig {
  region: string;
  tableName: string;
  stateMachines: { provision: string; deprovision: string };
}

export function readApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const required = (name: string): string => {
    const v = env[name];
    if (!v) throw new Error(`${name} must be set (the ARN of the state machine the API starts)`);
    if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/.test(v)) throw new Error(`${name} must be a state machine ARN, not '${v}'`);
    return v;
  };
  return {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    tableName: env.TABLE_NAME ?? 'two-way-sms',
    stateMachines: { provision: required('PROVISION_STATE_MACHINE_ARN'), deprovision: required('DEPROVISION_STATE_MACHINE_ARN') },
  };
}

/** The API's dependencies from configuration; the local runtime passes explicit clients instead. */
export function createApiDeps(config: ApiConfig, logger?: Logger): ApiDeps {
  // Each AWS SDK call an X-Ray subsegment (a no-op outside Lambda).
  const doc = DynamoDBDocumentClient.from(traced(new DynamoDBClient({ region: config.region })), { marshallOptions: { removeUndefinedValues: true } });
  const ulid = monotonicFactory();
  return {
    sfn: traced(new SFNClient({ region: config.region })),
    db: doc,
    tableName: config.tableName,
    sms: traced(new PinpointSMSVoiceV2Client({ region: config.region })),
    lookups: { sns: traced(new SNSClient({ region: config.region })), kms: traced(new KMSClient({ region: config.region })), connect: traced(new ConnectClient({ region: config.region })) },
    clock: () => new Date(),
    newId: () => ulid(),
    stateMachines: config.stateMachines,
    ...(logger ? { log: (level, message, fields) => logger[level](message, fields) } : {}),
  };
}

const logger = new Logger({ serviceName: 'two-way-sms', persistentKeys: { component: 'api' } });
let api: Api | undefined;

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  api ??= createApi(createApiDeps(readApiConfig(), logger));
  logger.appendKeys({ requestId: event.requestContext?.requestId });
  try {
    return await api(event);
  } finally {
    logger.resetKeys();
  }
}
