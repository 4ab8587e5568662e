import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli } from '../support/sandbox';
import { startNpm } from '../support/process';

describe('npm start', () => {
  it('serves the sandbox from a fresh DATA_DIR, prints how to use it, and shuts down on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'start-test-'));
    const proc = startNpm({ DATA_DIR: dataDir, SANDBOX_PORT: '0', PORT: '0' });
    try {
      const [, url] = await proc.waitFor(/AWS sandbox .*: (http:\/\/127\.0\.0\.1:\d+)/);
      await proc.waitFor(/aws pinpoint-sms-voice-v2 describe-phone-numbers/);
      const who = await awsCli(url!, ['sts', 'get-caller-identity']);
      expect(who.json?.Account).toBe('123456789012');
      const code = await proc.kill('SIGTERM');
      expect(proc.output()).toContain('shutting down');
      expect(code === 0 || code === null).toBe(true);
    } finally {
      await proc.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
