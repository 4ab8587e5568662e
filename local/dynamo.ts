import { request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

// dynalite ships no types; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (opts: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

export interface LocalDynamo {
  /** dynalite's own loopback URL (the fastest path for in-process clients). */
  url: string;
  /** Forwards a request received on the edge port to dynalite (service `dynamodb` on the edge). */
  proxy(req: IncomingMessage, res: ServerResponse, body: Buffer): void;
  ensureTable(input: CreateTableCommandInput): Promise<void>;
  close(): Promise<void>;
}

/**
 * DynamoDB for the embedded default: dynalite persisting under DATA_DIR/dynamodb (LevelDB), on a private
 * loopback port, and reachable on the edge port too so that the AWS CLI and SDK can inspect the tables.
 */
export async function startLocalDynamo(dataDir: string): Promise<LocalDynamo> {
  const server = dynalite({ path: join(dataDir, 'dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    url,
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
