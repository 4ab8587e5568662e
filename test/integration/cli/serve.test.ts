import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cli } from './support';

/** `two-way-sms serve` runs what `npm start` runs: the same output, a working API, a graceful stop. */

describe('serve', () => {
  it('starts the local service with the flags as settings, serves the API the other commands use, and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cli-serve-'));
    const env: NodeJS.ProcessEnv = { ...process.env, TWO_WAY_SMS_API_TOKEN: 'serve-test-token-0123' };
    delete env.TWO_WAY_SMS_API_URL;
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--sandbox-port', '0', '--data-dir', dataDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!/aws pinpoint-sms-voice-v2 describe-phone-numbers/.test(out)) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(out).toMatch(/^two-way-sms: ready in \d+ ms \(target: sandbox\)/);
      expect(out).toContain(`state: ${dataDir}`);
      const api = /REST API: {2}(http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(out)![1]!;

      const list = await cli(['list', '--json'], { TWO_WAY_SMS_API_URL: api, TWO_WAY_SMS_API_TOKEN: 'serve-test-token-0123' });
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual({ items: [] });

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('shutting down');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a port that is not a number is a usage error', async () => {
    const r = await cli(['serve', '--port', 'eighty']);

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'--port <port>' argument 'eighty' is invalid\. must be a port number/);
  });
});
