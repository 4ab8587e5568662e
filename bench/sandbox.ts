/**
 * `npm run bench:sandbox`: SDK round trips against the sandbox and, for the operations both serve, against
 * moto_server started in the same run. Reports p50/p99 latency and operations per second; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribePhoneNumbersCommand, PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { Sandbox } from '../local/sandbox/sandbox';
import { startMoto } from '../test/support/moto';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 500);
const WARMUP = 50;

type Config = { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number };

interface Result {
  target: string;
  operation: string;
  p50: number;
  p99: number;
  opsPerSecond: number;
}

async function measure(target: string, operation: string, call: (i: number) => Promise<unknown>): Promise<Result> {
  for (let i = 0; i < WARMUP; i++) await call(-1 - i);
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = process.hrtime.bigint();
    await call(i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const totalS = Number(process.hrtime.bigint() - start) / 1e9;
  samples.sort((a, b) => a - b);
  const pct = (p: number): number => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!;
  return { target, operation, p50: pct(50), p99: pct(99), opsPerSecond: ITERATIONS / totalS };
}

async function suite(target: string, config: Config, withSmsVoice: boolean): Promise<Result[]> {
  const results: Result[] = [];
  const run = `${target}-${Date.now()}`;
  if (withSmsVoice) {
    const sms = new PinpointSMSVoiceV2Client(config);
    results.push(await measure(target, 'DescribePhoneNumbers', () => sms.send(new DescribePhoneNumbersCommand({}))));
  }
  const sns = new SNSClient(config);
  results.push(await measure(target, 'CreateTopic', (i) => sns.send(new CreateTopicCommand({ Name: `bench-${run}-${i}` }))));
  const kms = new KMSClient(config);
  const key = await kms.send(new CreateKeyCommand({}));
  const keyId = key.KeyMetadata!.KeyId!;
  results.push(await measure(target, 'GetKeyPolicy', () => kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))));
  const iam = new IAMClient(config);
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sms-voice.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  results.push(await measure(target, 'CreateRole', (i) => iam.send(new CreateRoleCommand({ RoleName: `bench-${i < 0 ? `w${-i}` : i}-${run.slice(-6)}`, AssumeRolePolicyDocument: trust }))));
  return results;
}

async function main(): Promise<void> {
  const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-sandbox-'));
  const sandbox = new Sandbox({ dataDir, port: 0 });
  const url = await sandbox.listen();
  const results = await suite('sandbox', { endpoint: url, region: 'us-east-1', credentials: creds, maxAttempts: 1 }, true);
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });

  let moto;
  try {
    moto = await startMoto();
    results.push(...(await suite('moto_server', moto.clientConfig, false)));
  } catch (e) {
    process.stdout.write(`moto_server unavailable, comparison skipped: ${(e as Error).message}\n`);
  } finally {
    await moto?.stop();
  }

  process.stdout.write(`\n${ITERATIONS} sequential SDK v3 calls per operation after ${WARMUP} warm-up calls, node ${process.version}\n\n`);
  process.stdout.write('| operation | target | p50 ms | p99 ms | ops/s |\n|---|---|---|---|---|\n');
  for (const r of results) {
    process.stdout.write(`| ${r.operation} | ${r.target} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.opsPerSecond.toFixed(0)} |\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
