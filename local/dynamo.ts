import { request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { checkLevelDbLogs } from './leveldb-log';
import { StateFileError } from './state-file';

// dynalite ships no types; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (opts: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

export interface LocalDynamoOptions {
  /**
   * Flush each write to the disk before DynamoDB answers it (default true). `false` only for the benchmark's
   * comparison: an acknowledged write could then be lost in a power loss.
   */
  syncWrites?: boolean;
  /** Where findings of the start-up check go (default: stderr). */
  warn?: (message: string) => void;
}

export interface LocalDynamo {
  /** dynalite's own loopback URL (the fastest path for in-process clients). */
  url: string;
  /** What the start-up check of the write-ahead log reported (an incomplete last write, dropped). */
  warnings: readonly string[];
  /** Forwards a request received on the edge port to dynalite (service `dynamodb` on the edge). */
  proxy(req: IncomingMessage, res: ServerResponse, body: Buffer): void;
  ensureTable(input: CreateTableCommandInput): Promise<void>;
  close(): Promise<void>;
}

/**
 * DynamoDB for the embedded default: dynalite persisting under DATA_DIR/dynamodb (LevelDB), on a private
 * loopback port, and reachable on the edge port too so that the AWS CLI and SDK can inspect the tables.
 *
 * Durability: every LevelDB write is synced (written to its log and flushed to the disk) before dynalite
 * answers, so an acknowledged write survives a kill -9 and a power loss; and before LevelDB opens its log, the
 * log is checked (`leveldb-log.ts`): a damaged record followed by intact ones stops the start (LevelDB would
 * skip it silently), a torn last write (never acknowledged) is reported and dropped.
 */
export async function startLocalDynamo(dataDir: string, opts: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  const path = join(dataDir, 'dynamodb');
  const warn = opts.warn ?? ((m: string) => process.stderr.write(`two-way-sms: ${m}\n`));
  const warnings = checkLevelDbLogs(path).map(
    (t) => `${t.file}: its last ${t.bytes} bytes (from byte ${t.offset}) are a write cut short by a crash or power loss; LevelDB drops them. Writes are synced before they are acknowledged, so this one never was.`,
  );
  await openOnce(path);
  // Only now: while another process holds the database, its log may end in a write that is still under way.
  for (const w of warnings) warn(w);
  if (opts.syncWrites ?? true) syncWritesUnder(resolve(path));
  else syncedLocations.delete(resolve(path));
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    url,
    warnings,
    proxy(req, res, body) {
      const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: { ...req.headers, 'content-length': String(body.length) } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'local DynamoDB is unavailable' }));
      });
      upstream.end(body);
    },
    async ensureTable(input) {
      try {
        await client.send(new DescribeTableCommand({ TableName: input.TableName }));
      } catch (e) {
        if (!(e instanceof ResourceNotFoundException)) throw e;
        await client.send(new CreateTableCommand(input));
      }
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface LevelPrototype {
  _put(key: unknown, value: unknown, options: object): Promise<void>;
  _del(key: unknown, options: object): Promise<void>;
  _batch(operations: unknown, options: object): Promise<void>;
  _chainedBatch(): { _write(options: object): Promise<void> };
  readonly location: string;
}

const syncedLocations = new Set<string>();
let levelPatched = false;

interface LevelClass {
  prototype: LevelPrototype;
  new (location: string): { open(): Promise<void>; close(): Promise<void> };
}

/** classic-level as dynalite loads it (through `level`). */
function classicLevel(): LevelClass {
  const levelDir = dirname(require.resolve('level/package.json', { paths: [dirname(require.resolve('dynalite/package.json'))] }));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(require.resolve('classic-level', { paths: [levelDir] })) as { ClassicLevel: LevelClass }).ClassicLevel;
}

/**
 * Opens and closes the database once before dynalite does: dynalite opens it inside a callback that throws
 * ("Database is closed", a stack trace and nothing else) when LevelDB refuses, e.g. because another process
 * holds its lock. Here the refusal becomes a message that says what to do.
 */
async function openOnce(path: string): Promise<void> {
  const db = new (classicLevel())(path);
  try {
    await db.open();
  } catch (e) {
    const cause = (e as { cause?: Error }).cause?.message ?? (e as Error).message;
    if (/\block\b/i.test(cause)) {
      throw new StateFileError(path, `is in use by another process (${cause})`, 'Another `npm start` or `two-way-sms serve` runs on the same DATA_DIR: stop it, or give this one another DATA_DIR');
    }
    throw new StateFileError(path, `cannot be opened by LevelDB (${cause})`, `Restore '${path}' from a backup, or move it aside (mv '${path}' '${path}.damaged') to start with empty tables`);
  }
  await db.close();
}

/**
 * dynalite opens LevelDB itself and passes no write options, and LevelDB's default is to hand a write to the
 * operating system without flushing it: a power loss can then lose, or tear, writes that were acknowledged.
 * So the write methods of classic-level (the LevelDB binding dynalite uses, through `level`) are wrapped to
 * add `sync: true` for the databases under the given directories. Measured in bench/results.md.
 */
function syncWritesUnder(location: string): void {
  syncedLocations.add(location);
  if (levelPatched) return;
  const proto = classicLevel().prototype;
  const { _put: put, _del: del, _batch: batch, _chainedBatch: chainedBatch } = proto;
  const withSync = (db: LevelPrototype, options: object): object => (syncedLocations.has(resolve(db.location)) ? { ...options, sync: true } : options);
  proto._put = function (key, value, options) {
    return put.call(this, key, value, withSync(this, options));
  };
  proto._del = function (key, options) {
    return del.call(this, key, withSync(this, options));
  };
  proto._batch = function (operations, options) {
    return batch.call(this, operations, withSync(this, options));
  };
  proto._chainedBatch = function () {
    const chained = chainedBatch.call(this);
    const write = chained._write;
    chained._write = (options) => write.call(chained, withSync(this, options));
    return chained;
  };
  levelPatched = true;
}
