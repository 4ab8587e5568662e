import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { BUNDLING, lambdaSpecs, ROOT } from '../../infra/lambdas';
import { DEPENDENT_ACTIONS, NOT_CALLED_ON_AWS, permissions, type Principal } from '../../infra/permissions';

/**
 * Every Lambda of the stack, bundled the way the stack bundles it (same esbuild settings, one esbuild call
 * for all entry points), then loaded in a fresh Node process and given a smoke event. The bundles'
 * metafile also says which AWS SDK commands each function's code can send: each must be allowed by that
 * function's role (infra/permissions.ts).
 */

const specs = lambdaSpecs();
const outdir = mkdtempSync(join(tmpdir(), 'two-way-sms-bundles-'));
let metafile: Metafile;

beforeAll(async () => {
  const result = await build({
    entryPoints: Object.fromEntries(specs.map((s) => [s.name, join(ROOT, s.entry)])),
    outdir,
    bundle: true,
    platform: BUNDLING.platform,
    target: BUNDLING.target,
    format: BUNDLING.format,
    mainFields: [...BUNDLING.mainFields],
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourcemap,
    metafile: true,
    logLevel: 'silent',
  });
  metafile = result.metafile;
}, 120_000);

/** The client package → IAM service prefix. */
const SERVICE_OF: Record<string, string> = {
  'client-pinpoint-sms-voice-v2': 'sms-voice',
  'client-sns': 'sns',
  'client-iam': 'iam',
  'client-kms': 'kms',
  'client-connect': 'connect',
  'client-sts': 'sts',
  'client-sfn': 'states',
  'client-dynamodb': 'dynamodb',
};

/** lib-dynamodb's name for a DynamoDB operation's command (GetItem → GetCommand). */
const DOC_COMMAND: Record<string, string> = {
  GetItem: 'Get', PutItem: 'Put', UpdateItem: 'Update', DeleteItem: 'Delete', Query: 'Query', Scan: 'Scan',
  BatchGetItem: 'BatchGet', BatchWriteItem: 'BatchWrite', TransactGetItems: 'TransactGet', TransactWriteItems: 'TransactWrite',
};

/**
 * The IAM actions a bundle's code can call: SDK command modules that made it into the bundle (tree-shaken)
 * AND that a source file of ours in the same bundle names. The second condition drops what the SDK packages
 * pull in through their own module graph (lib-dynamodb's pagination helpers, endpoint discovery).
 */
function actionsIn(name: string): string[] {
  const output = Object.entries(metafile.outputs).find(([k]) => k.endsWith(`/${name}.js`))?.[1];
  if (!output) throw new Error(`no bundle output for ${name}`);
  const included = Object.entries(output.inputs).filter(([, v]) => v.bytesInOutput > 0).map(([input]) => input);
  const ours = included.filter((i) => /^(tasks|api)\//.test(i)).map((i) => readFileSync(join(ROOT, i), 'utf8')).join('\n');
  const actions = new Set<string>();
  for (const input of included) {
    const m = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\/dist-[a-z]+\/commands\/([A-Za-z0-9]+)Command\.js$/.exec(input);
    if (!m) continue;
    const service = SERVICE_OF[m[1]!];
    if (!service) throw new Error(`${name}: bundle uses ${m[1]}, which has no IAM service mapping here`);
    const op = m[2]!;
    const named = new RegExp(`\\b(${op}${DOC_COMMAND[op] ? `|${DOC_COMMAND[op]}` : ''})Command\\b`).test(ours);
    if (named) actions.add(`${service}:${op}`);
  }
  return [...actions].sort();
}

const scope = { partition: 'aws', region: 'eu-west-1', account: '111122223333', tableArn: 'TABLE', stateMachineArns: ['SM'], executionArns: ['EXEC'], boundaryPolicyArn: 'BOUNDARY' };
const granted = permissions(scope);

/**
 * Tasks that by design answer an unparseable event with a no-op instead of InvalidInput: ReleaseLock ends
 * every rollback (a request that names nothing has no lease to release) and UndoTwoWay is a compensation
 * (no provisioning id: nothing of ours to undo). Every other function refuses the event.
 */
const NO_OP_ON_INVALID: Record<string, unknown> = {
  ReleaseLock: { released: false },
  UndoTwoWay: { undone: [], kept: [] },
};

describe('Lambda bundles', () => {
  it('build with the local esbuild for every function of the stack', () => {
    expect(Object.keys(metafile.outputs).filter((o) => o.endsWith('.js')).length).toBe(specs.length);
  });

  it.each(specs.map((s) => [s.name]))('%s: its role allows exactly the AWS calls its code can make', (name) => {
    const allowed = new Set(granted[name as Principal].flatMap((st) => st.actions));
    const needed = new Set(
      actionsIn(name)
        .filter((a) => !(a in NOT_CALLED_ON_AWS))
        .flatMap((a) => [a, ...(DEPENDENT_ACTIONS[a] ?? [])]),
    );
    expect({ missing: [...needed].filter((a) => !allowed.has(a)).sort(), unused: [...allowed].filter((a) => !needed.has(a)).sort() }).toEqual({ missing: [], unused: [] });
  });

  it('load in a fresh Node.js 22 process and answer a smoke event', () => {
    const script = join(outdir, 'smoke.cjs');
    writeFileSync(
      script,
      `
const results = {};
const specs = ${JSON.stringify(specs.map((s) => s.name))};
(async () => {
  for (const name of specs) {
    try {
      const mod = require(${JSON.stringify(outdir)} + '/' + name + '.js');
      if (typeof mod.handler !== 'function') { results[name] = { loaded: false }; continue; }
      const event = name === 'Api'
        ? { resource: '/{proxy+}', path: '/healthz', httpMethod: 'GET', headers: {}, multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null,
            pathParameters: { proxy: 'healthz' }, stageVariables: null, body: null, isBase64Encoded: false,
            requestContext: { requestId: 'smoke', stage: 'prod', identity: { caller: 'AIDASMOKE', userArn: 'arn:aws:iam::111122223333:user/smoke' } } }
        : { smoke: 'not a valid event' };
      const out = await mod.handler(event, { awsRequestId: 'smoke' });
      results[name] = out && out.statusCode !== undefined ? { loaded: true, statusCode: out.statusCode } : { loaded: true, output: out };
    } catch (e) {
      results[name] = { loaded: true, errorName: e && e.name, message: e && String(e.message).slice(0, 200) };
    }
  }
  process.stdout.write(JSON.stringify(results));
})();
`,
    );
    const run = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'smoke',
        AWS_SECRET_ACCESS_KEY: 'smoke',
        // Any AWS call a smoke event should not make fails fast here instead of leaving the machine.
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_MAX_ATTEMPTS: '1',
        TABLE_NAME: 'two-way-sms-smoke',
        AWS_ACCOUNT_ID: '111122223333',
        PROVISION_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111122223333:stateMachine:two-way-sms-provision-two-way',
        DEPROVISION_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111122223333:stateMachine:two-way-sms-deprovision-two-way',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
    });
    expect(run.error).toBeUndefined();
    expect(Number(/^v(\d+)/.exec(spawnSync(process.execPath, ['--version'], { encoding: 'utf8' }).stdout)![1])).toBeGreaterThanOrEqual(22);
    const results = JSON.parse(run.stdout) as Record<string, { loaded: boolean; errorName?: string; message?: string }>;
    const expected = Object.fromEntries(
      specs.map((s) => [
        s.name,
        s.name === 'Api' ? { loaded: true, statusCode: 200 } : s.name in NO_OP_ON_INVALID ? { loaded: true, output: NO_OP_ON_INVALID[s.name] } : { loaded: true, errorName: 'InvalidInput' },
      ]),
    );
    const actual = Object.fromEntries(Object.entries(results).map(([n, { message: _message, ...r }]) => [n, r]));
    expect(actual).toEqual(expected);
  }, 90_000);
});
