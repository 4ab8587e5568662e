import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKEN_FILE } from '../../../local/api/token';
import { startLocalDynamo } from '../../../local/dynamo';
import { Sandbox } from '../../../local/sandbox/sandbox';

/** `npm start` over a damaged state file exits non-zero with one message naming the file, not a stack trace. */

const ROOT = join(__dirname, '..', '..', '..');

function npmStart(dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, SANDBOX_PORT: '0', PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm start did not stop: ${stdout}\n${stderr}`));
    }, 40_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm start over a damaged state file', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'start-refuses-'));
    new Sandbox({ dataDir, port: 0 });
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits non-zero when a sandbox slice is an empty object, saying which file and what to do', async () => {
    const file = join(dataDir, 'sandbox-state', 'iam.json');
    writeFileSync(file, '{}');

    const run = await npmStart(dataDir);

    expect(run.code).not.toBe(0);
    expect(run.stdout).not.toContain('ready in');
    expect(run.stderr).toContain(`two-way-sms failed to start: ${file} does not hold IAM (roles, managed policies)`);
    expect(run.stderr).toContain(`mv '${file}' '${file}.damaged'`);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('exits non-zero when the API token file is cut short, saying which file and what to do', async () => {
    const file = join(dataDir, TOKEN_FILE);
    writeFileSync(file, '{"version":1,"tok');

    const run = await npmStart(dataDir);

    expect(run.code).not.toBe(0);
    expect(run.stdout).not.toContain('ready in');
    expect(run.stderr).toContain(`two-way-sms failed to start: ${file} is not valid JSON`);
    expect(run.stderr).toContain(`rm '${file}'`);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('exits non-zero when the DynamoDB log is damaged in its middle, saying which file and what to do', async () => {
    const dynamo = await startLocalDynamo(dataDir);
    for (const name of ['a-table', 'b-table', 'c-table']) {
      await dynamo.ensureTable({ TableName: name, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' });
    }
    await dynamo.close();
    const dir = join(dataDir, 'dynamodb');
    const file = join(dir, readdirSync(dir).filter((n) => /^\d+\.log$/.test(n)).sort().at(-1)!);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x5a;
    writeFileSync(file, bytes);

    const run = await npmStart(dataDir);

    expect(run.code).not.toBe(0);
    expect(run.stdout).not.toContain('ready in');
    expect(run.stderr).toMatch(new RegExp(`two-way-sms failed to start: ${file} is damaged at byte \\d+`));
    expect(run.stderr).toContain(`mv '${dir}' '${dir}.damaged'`);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);
});
