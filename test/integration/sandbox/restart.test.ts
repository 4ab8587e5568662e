import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { startNpm } from '../../support/process';

const creds = { accessKeyId: 'test', secretAccessKey: 'test' };

/** The state survives kill -9: every acknowledged write is on disk, and the file is never torn. */
describe('sandbox state across kill -9', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'restart-test-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged topic after being killed in the middle of a stream of writes', async () => {
    const first = startNpm({ DATA_DIR: dataDir, SANDBOX_PORT: '0', PORT: '0' });
    const [, url] = await first.waitFor(/AWS sandbox .*: (http:\/\/127\.0\.0\.1:\d+)/);
    const sns = new SNSClient({ endpoint: url, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    const acknowledged: string[] = [];
    let stop = false;
    const writers = [0, 1, 2, 3].map(async (w) => {
      for (let i = 0; !stop; i++) {
        try {
          const out = await sns.send(new CreateTopicCommand({ Name: `t-${w}-${i}` }));
          acknowledged.push(out.TopicArn!);
        } catch {
          return; // the server is gone
        }
      }
    });
    await new Promise((r) => setTimeout(r, 400));
    await first.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    expect(acknowledged.length).toBeGreaterThan(10);
    expect(() => JSON.parse(readFileSync(join(dataDir, 'sandbox-state', 'sns.json'), 'utf8'))).not.toThrow();

    const second = startNpm({ DATA_DIR: dataDir, SANDBOX_PORT: '0', PORT: '0' });
    try {
      const [, url2] = await second.waitFor(/AWS sandbox .*: (http:\/\/127\.0\.0\.1:\d+)/);
      const sns2 = new SNSClient({ endpoint: url2, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
      const listed = new Set<string>();
      let token: string | undefined;
      do {
        const page = await sns2.send(new ListTopicsCommand(token ? { NextToken: token } : {}));
        for (const t of page.Topics ?? []) listed.add(t.TopicArn!);
        token = page.NextToken;
      } while (token);
      const lost = acknowledged.filter((arn) => !listed.has(arn));
      expect(lost).toEqual([]);
    } finally {
      await second.kill('SIGTERM');
    }
  });
});
