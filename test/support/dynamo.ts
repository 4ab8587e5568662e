import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput } from '../../tasks/lib/store';

// dynalite ships no types; this is the part of its API the tests use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (opts: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

export interface RunningDynamo {
  url: string;
  tableName: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

/** Starts dynalite (in memory) on a free loopback port and creates the service's table in it. */
export async function startDynamo(tableName = 'two-way-sms-test'): Promise<RunningDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  const doc = DynamoDBDocumentClient.from(client);
  return {
    url,
    tableName,
    client,
    doc,
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
