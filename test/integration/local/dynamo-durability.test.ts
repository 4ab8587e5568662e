import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ClassicLevel } from 'classic-level';
import { startLocalDynamo } from '../../../local/dynamo';
import { checkLevelDbLogs, scanLog } from '../../../local/leveldb-log';
import { DEMO } from '../../../local/sandbox/seed';
import { StateFileError } from '../../../local/state-file';
import { destinations, startTestRuntime } from '../../support/runtime';

/**
 * The local DynamoDB (dynalite on LevelDB) loses nothing silently: every write is synced before it is
 * acknowledged, and at start a damaged write-ahead log stops the start while a torn last write (one that was
 * never acknowledged) is reported. A finished execution must never run again because LevelDB skipped records.
 */

const TABLE = { TableName: 'durability', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }], BillingMode: 'PAY_PER_REQUEST' as const };

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'dynamo-durability-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const dbDir = (): string => join(dataDir, 'dynamodb');
/** The log LevelDB appends to (the highest-numbered one). */
const currentLog = (): string => join(dbDir(), readdirSync(dbDir()).filter((n) => /^\d+\.log$/.test(n)).sort().at(-1)!);

describe('writes', () => {
  // Installed before the first start in this file, so that the runtime's wrapper calls these spies.
  const put = jest.spyOn(ClassicLevel.prototype as any, '_put');
  const del = jest.spyOn(ClassicLevel.prototype as any, '_del');
  const batch = jest.spyOn(ClassicLevel.prototype as any, '_batch');

  it('reach LevelDB with sync: every PutItem, UpdateItem and DeleteItem is on the disk before it is answered', async () => {
    const dynamo = await startLocalDynamo(dataDir);
    const client = new DynamoDBClient({ endpoint: dynamo.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    try {
      await dynamo.ensureTable(TABLE);
      put.mockClear();
      del.mockClear();
      batch.mockClear();

      await client.send(new PutItemCommand({ TableName: 'durability', Item: { pk: { S: 'a' }, v: { N: '1' } } }));
      await client.send(new UpdateItemCommand({ TableName: 'durability', Key: { pk: { S: 'a' } }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '2' } } }));
      await client.send(new DeleteItemCommand({ TableName: 'durability', Key: { pk: { S: 'a' } } }));

      const options = [...put.mock.calls.map((c) => c[2]), ...del.mock.calls.map((c) => c[1]), ...batch.mock.calls.map((c) => c[1])] as { sync?: boolean }[];
      expect(options.length).toBeGreaterThanOrEqual(3);
      expect(options.map((o) => o.sync)).toEqual(options.map(() => true));
    } finally {
      client.destroy();
      await dynamo.close();
    }
  });
});

describe('the start-up check of the LevelDB log', () => {
  /** A real LevelDB log: small records, then one large enough to span several blocks, then one more. */
  async function writeLog(): Promise<Buffer> {
    const db = new ClassicLevel<string, string>(dbDir());
    await db.open();
    for (let i = 0; i < 20; i++) await db.put(`k${i}`, 'v'.repeat(100 + i));
    await db.put('big', 'b'.repeat(80_000));
    await db.put('last', 'l'.repeat(50));
    await db.close();
    return readFileSync(currentLog());
  }

  it('finds a log LevelDB wrote intact', async () => {
    const log = await writeLog();

    expect(scanLog(log)).toEqual({ kind: 'ok' });
    expect(checkLevelDbLogs(dbDir())).toEqual([]);
  });

  it('reports a last write cut short (as a power loss leaves it) as a torn tail, naming the file and the bytes dropped', async () => {
    const log = await writeLog();
    writeFileSync(currentLog(), log.subarray(0, log.length - 20));

    expect(checkLevelDbLogs(dbDir())).toEqual([{ file: currentLog(), offset: expect.any(Number), bytes: expect.any(Number) }]);
    expect(checkLevelDbLogs(dbDir())[0]!.offset + checkLevelDbLogs(dbDir())[0]!.bytes).toBe(log.length - 20);
  });

  it('reports a multi-block write cut in its middle as torn from its first fragment', async () => {
    const log = await writeLog();
    const cut = log.length - 40_000;
    writeFileSync(currentLog(), log.subarray(0, cut));

    const [torn] = checkLevelDbLogs(dbDir());

    expect(torn!.offset).toBeLessThan(cut - 32 * 1024);
    expect(torn!.offset + torn!.bytes).toBe(cut);
  });

  it('reports zeros where the last write should be as a torn tail', async () => {
    await writeLog();
    appendFileSync(currentLog(), Buffer.alloc(300));

    expect(checkLevelDbLogs(dbDir())).toHaveLength(1);
  });

  it('refuses a damaged record followed by intact ones, naming the file, the byte and what to do', async () => {
    const log = await writeLog();
    log[20] = log[20]! ^ 0xff;
    writeFileSync(currentLog(), log);

    expect(() => checkLevelDbLogs(dbDir())).toThrow(StateFileError);
    expect(() => checkLevelDbLogs(dbDir())).toThrow(`${currentLog()} is damaged at byte 0 of ${log.length} (a record checksum does not match), and intact records follow`);
    expect(() => checkLevelDbLogs(dbDir())).toThrow(`mv '${dbDir()}' '${dbDir()}.damaged'`);
  });

  it('refuses a CURRENT file that does not name the manifest', async () => {
    await writeLog();
    writeFileSync(join(dbDir(), 'CURRENT'), 'garbage');

    expect(() => checkLevelDbLogs(dbDir())).toThrow(`${join(dbDir(), 'CURRENT')} does not name a manifest`);
  });

  it('refuses a damaged manifest', async () => {
    await writeLog();
    const manifest = join(dbDir(), readdirSync(dbDir()).find((n) => n.startsWith('MANIFEST-'))!);
    const bytes = readFileSync(manifest);
    bytes[8] = bytes[8]! ^ 0x01;
    writeFileSync(manifest, Buffer.concat([bytes, Buffer.from(bytes.subarray(0, 7 + bytes.readUInt16LE(4)))]));

    expect(() => checkLevelDbLogs(dbDir())).toThrow(`${manifest} is damaged`);
  });
});

describe('a database another process holds', () => {
  it('refuses to start, saying the directory is in use and what to do', async () => {
    const first = await startLocalDynamo(dataDir);
    try {
      await expect(startLocalDynamo(dataDir)).rejects.toThrow(new RegExp(`^${dbDir()} is in use by another process \\(.*\\)\\. Another \`npm start\` or \`two-way-sms serve\` runs on the same DATA_DIR`));
    } finally {
      await first.close();
    }
  });
});

describe('a stopped runtime whose log was torn or damaged', () => {
  const mutations = (calls: { mutating: boolean; service: string }[]) => calls.filter((c) => c.mutating && c.service !== 'states').length;

  /** Runs one provisioning to SUCCEEDED and stops; returns its id and the sandbox's mutating calls so far. */
  async function finishedProvisioning(): Promise<{ id: string; mutated: number }> {
    const t = await startTestRuntime({ dataDir });
    try {
      const { id } = await t.api.provision({ phoneNumberId: DEMO.numbers.longCode, destination: destinations.snsNewTopicNewRole('durability-inbound') });
      const done = await t.api.waitForEnd(id);
      expect(done.status).toBe('SUCCEEDED');
      return { id, mutated: mutations(await t.edge.calls()) };
    } finally {
      await t.stop();
    }
  }

  it('after a torn last write: reports it, resumes nothing, and the finished provisioning stays SUCCEEDED with no AWS change repeated', async () => {
    const { id, mutated } = await finishedProvisioning();
    // A write in flight at the power loss: its header promises 300 bytes, 40 reached the disk.
    const header = Buffer.alloc(7);
    header.writeUInt32LE(0x12345678, 0);
    header.writeUInt16LE(300, 4);
    header[6] = 1;
    appendFileSync(currentLog(), Buffer.concat([header, Buffer.alloc(40, 0x61)]));
    const torn = currentLog();

    const t = await startTestRuntime({ dataDir });
    try {
      expect(t.rt.dynamo.warnings).toEqual([expect.stringContaining(`${torn}: its last 47 bytes`)]);
      expect(t.rt.resumed).toEqual([]);
      const after = await t.api.call('GET', `/v1/provisionings/${id}`);
      expect(after.body.status).toBe('SUCCEEDED');
      expect(mutations(await t.edge.calls())).toBe(mutated);
    } finally {
      await t.stop();
    }
  }, 60_000);

  it('after damage in the middle of the log: refuses to start, naming the file, and runs nothing', async () => {
    const { mutated } = await finishedProvisioning();
    const log = currentLog();
    const bytes = readFileSync(log);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x5a;
    writeFileSync(log, bytes);

    await expect(startTestRuntime({ dataDir })).rejects.toThrow(new RegExp(`^${log} is damaged at byte \\d+ .*intact records follow`));
    expect(readFileSync(join(dataDir, 'calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((c) => c.mutating && c.service !== 'states')).toHaveLength(mutated);
  }, 60_000);
});
