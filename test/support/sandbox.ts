import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Sandbox, type SandboxOptions } from '../../local/sandbox/sandbox';

const run = promisify(execFile);

export interface RunningSandbox {
  sandbox: Sandbox;
  url: string;
  dataDir: string;
  /** Config for any SDK v3 client: `new SNSClient(clientConfig)`. */
  clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number };
  stop(): Promise<void>;
}

/** Starts an in-process sandbox on a free loopback port with its own temporary DATA_DIR. */
export async function startSandbox(options: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sandbox-test-'));
  const sandbox = new Sandbox({ port: 0, ...options, dataDir });
  const url = await sandbox.listen();
  return {
    sandbox,
    url,
    dataDir,
    clientConfig: { endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 },
    async stop() {
      await sandbox.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Calls the control API (`/_sandbox/...`) and returns status and parsed JSON. Every request but a GET says
 * `Content-Type: application/json`, with or without a body, as the control API requires.
 */
export async function control(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json?: any;
}

/** Runs the real AWS CLI against the sandbox; never throws on a non-zero exit. */
export async function awsCli(url: string, args: string[]): Promise<CliResult> {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: url,
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  try {
    const { stdout, stderr } = await run('aws', [...args, '--output', 'json'], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr, ...(stdout.trim() ? { json: JSON.parse(stdout) } : {}) };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
