import { resolve } from 'node:path';
import { DEMO } from './sandbox/seed';
import { startRuntime } from './runtime';

/**
 * `npm start` and `two-way-sms serve`: the whole service on one machine, with no AWS account (see README.md,
 * "What npm start brings up"). Runs until SIGINT/SIGTERM, then exits the process. Settings come from `env`.
 */
export async function serve(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const started = Date.now();
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    const v = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(v) || v < 0 || v > 65535) throw new Error(`${name} must be a port number (0-65535), not '${raw}'`);
    return v;
  };
  const target = env.TWO_WAY_SMS_TARGET ?? 'sandbox';
  if (target !== 'sandbox' && target !== 'aws') throw new Error(`TWO_WAY_SMS_TARGET must be 'sandbox' or 'aws', not '${target}'`);
  const dataDir = resolve(env.DATA_DIR ?? '.data');
  const rt = await startRuntime({
    dataDir,
    sandboxPort: port('SANDBOX_PORT', 4566),
    apiPort: port('PORT', 3000),
    target,
    ...(env.TWO_WAY_SMS_API_TOKEN ? { apiToken: env.TWO_WAY_SMS_API_TOKEN } : {}),
    ...(target === 'aws' && env.PERMISSIONS_BOUNDARY_ARN ? { permissionsBoundaryArn: env.PERMISSIONS_BOUNDARY_ARN } : {}),
    // The Connect claim poll waits 5 s per round on AWS; locally the sandbox claims at once.
    waitMs: target === 'sandbox' ? 200 : undefined,
  });
  const out = (s = ''): boolean => process.stdout.write(`${s}\n`);
  const api = rt.api.url;
  const token = rt.api.generatedToken;
  out(`two-way-sms: ready in ${Date.now() - started} ms (target: ${target})`);
  out(`  REST API:  ${api}/v1  (OpenAPI: ${api}/openapi.json, health: ${api}/healthz)`);
  out(`  Console:   ${api}/console  (sign in with the API token)`);
  out(`  AWS sandbox (sms-voice, sns, iam, kms, connect, sts, states, dynamodb): ${rt.edgeUrl}  account ${rt.sandbox.accountId}, region ${rt.sandbox.region}`);
  out(`  state: ${dataDir}`);
  if (rt.resumed.length) out(`  resumed ${rt.resumed.length} execution(s) left running by the last stop`);
  if (token) {
    out('');
    out(`API token (shown once; stored hashed in ${dataDir}): ${token}`);
  } else if (!env.TWO_WAY_SMS_API_TOKEN) {
    out('  API token: the one printed at first start (or set TWO_WAY_SMS_API_TOKEN)');
  }
  out('');
  out('Provision the demo number end to end (new topic + new role), then watch it and send it an SMS:');
  out(`  export TOKEN=${token ?? '<your token>'}`);
  out(`  curl -s -X POST ${api}/v1/provisionings -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`);
  out(`    -d '{"phoneNumberId":"${DEMO.numbers.longCode}","destination":{"type":"sns","topic":{"create":{"name":"my-inbound"}},"access":{"type":"role","role":{"create":{}}}}}'`);
  out(`  curl -s ${api}/v1/provisionings -H "authorization: Bearer $TOKEN"`);
  out(`  curl -s -X POST ${rt.edgeUrl}/_sandbox/inbound -H 'content-type: application/json' \\`);
  out(`    -d '{"destinationNumber":"${DEMO.numbers.longCode}","originationNumber":"+14255550182","messageBody":"JOIN now"}'`);
  out('');
  out('The AWS CLI works against the sandbox too:');
  out(`  AWS_ENDPOINT_URL=${rt.edgeUrl} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 aws pinpoint-sms-voice-v2 describe-phone-numbers`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    out('two-way-sms: shutting down (running executions continue at the next start)');
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    void rt.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  serve().catch((err: unknown) => {
    process.stderr.write(`two-way-sms failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
