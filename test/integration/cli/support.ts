import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The real `two-way-sms` command, run as a child process exactly as npm's bin link runs it. */
export const BIN = join(__dirname, '..', '..', '..', 'bin', 'two-way-sms.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Settings a developer's shell may carry that would change what the command talks to. */
const ISOLATE = ['TWO_WAY_SMS_API_URL', 'TWO_WAY_SMS_API_TOKEN', 'SANDBOX_URL', 'NO_COLOR', 'FORCE_COLOR'];

export function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliRun> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ISOLATE) delete base[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`two-way-sms ${args.join(' ')} did not end within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** The provisioning id the command printed (`Started provisioning <id> ...`). */
export function startedId(stdout: string): string {
  const m = /Started (?:de)?provisioning (\S+)/.exec(stdout);
  if (!m) throw new Error(`no provisioning id in: ${stdout}`);
  return m[1]!;
}
