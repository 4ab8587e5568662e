import { resolve } from 'node:path';
import { Sandbox } from './sandbox/sandbox';

/**
 * `npm start`: the composition root of the embedded default. Today it serves the local AWS sandbox on the
 * edge port; the local Step Functions service, the API and the console join it here.
 */
async function main(): Promise<void> {
  const port = Number(process.env.SANDBOX_PORT ?? 4566);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SANDBOX_PORT must be a port number, not '${process.env.SANDBOX_PORT}'`);
  const dataDir = resolve(process.env.DATA_DIR ?? '.data');
  const started = Date.now();
  const sandbox = new Sandbox({ dataDir, port });
  const url = await sandbox.listen();
  const out = (s: string): boolean => process.stdout.write(`${s}\n`);
  out(`two-way-sms: ready in ${Date.now() - started} ms`);
  out(`  AWS sandbox (sms-voice, sns, iam, kms, connect, sts): ${url}  account ${sandbox.accountId}, region ${sandbox.region}`);
  out(`  state: ${dataDir}`);
  out('');
  out('Try it with the AWS CLI:');
  out(`  export AWS_ENDPOINT_URL=${url} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1`);
  out('  aws pinpoint-sms-voice-v2 describe-phone-numbers');
  out(`  curl -s -XPOST ${url}/_sandbox/inbound -H 'content-type: application/json' \\`);
  out(`    -d '{"destinationNumber":"+12065550100","originationNumber":"+14255550182","messageBody":"HELLO"}'`);
  const stop = (): void => {
    out('two-way-sms: shutting down');
    void sandbox.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`two-way-sms failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
