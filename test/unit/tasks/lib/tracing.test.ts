import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import { createDeps, readConfig } from '../../../../tasks/lib/context';

/**
 * The Powertools Tracer is wired into the Lambda handlers: inside Lambda (AWS_EXECUTION_ENV set, as the runtime
 * sets it) every AWS SDK client the handlers build records its calls as X-Ray subsegments; outside Lambda (the
 * local runtime, tests) the clients are left as they are.
 */

const XRAY = 'XRaySDKInstrumentation';
const LAMBDA_ENV = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_LAMBDA_FUNCTION_NAME: 'two-way-sms-EnableTwoWay',
  _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
};

const middlewareOf = (client: object): string[] => (client as { middlewareStack: { identify(): string[] } }).middlewareStack.identify();

/** Loads tasks/lib/tracing.ts afresh with `env` set, as a Lambda container loads it at cold start. */
function loadTracing(env: Record<string, string>): typeof import('../../../../tasks/lib/tracing') {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let mod: typeof import('../../../../tasks/lib/tracing') | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require('../../../../tasks/lib/tracing');
    });
    return mod!;
  } finally {
    for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
  }
}

describe('X-Ray subsegments for AWS SDK calls', () => {
  it('instruments a client inside Lambda', () => {
    const { traced } = loadTracing(LAMBDA_ENV);
    const client = traced(new SNSClient({ region: 'us-east-1' }));
    expect(middlewareOf(client).some((m) => m.startsWith(XRAY))).toBe(true);
  });

  it('leaves a client untouched outside Lambda', () => {
    const { traced } = loadTracing({});
    const client = traced(new SNSClient({ region: 'us-east-1' }));
    expect(middlewareOf(client).some((m) => m.startsWith(XRAY))).toBe(false);
  });

  it('reaches every client of the task dependencies, DynamoDB included, through createDeps', () => {
    const { traced } = loadTracing(LAMBDA_ENV);
    const seen: object[] = [];
    const deps = createDeps(readConfig({}), () => new Date(), {
      instrument: (c) => {
        seen.push(c);
        return traced(c);
      },
    });
    for (const c of [deps.sms, deps.sns, deps.iam, deps.kms, deps.connect, deps.sts]) expect(middlewareOf(c).some((m) => m.startsWith(XRAY))).toBe(true);
    expect(seen.map((c) => c.constructor.name).sort()).toEqual(['ConnectClient', 'DynamoDBClient', 'IAMClient', 'KMSClient', 'PinpointSMSVoiceV2Client', 'SNSClient', 'STSClient']);
  });

  it('is how the task, API and notifier handlers build their clients', () => {
    const read = (p: string) => readFileSync(join(__dirname, '../../../..', p), 'utf8');
    expect(read('tasks/lib/handler.ts')).toContain('createDeps(readConfig(), () => new Date(), { instrument: traced })');
    expect(read('tasks/notifier/handler.ts')).toMatch(/DynamoDBDocumentClient\.from\(traced\(new DynamoDBClient/);
    expect(read('api/handler.ts').match(/traced\(new \w+Client/g)?.length).toBeGreaterThanOrEqual(3);
  });
});
