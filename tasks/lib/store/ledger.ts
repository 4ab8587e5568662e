import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '../errors';
import { stripUndefined, type DocClient } from './audit';
import { keys, TABLE } from './table';

/**
 * What one provisioning did, written ahead of each change: `intent` before the AWS call, `done` after it,
 * `undone` once a compensation reversed it. Compensations and deprovisioning undo only what the ledger says
 * this provisioning did, so a crash between "changed" and "recorded" never loses track of a change.
 */
export type LedgerEntryName =
  | 'beforeImage'
  | 'topic'
  | 'role'
  | 'topicStatement'
  | 'keyStatement'
  | 'twoWay'
  | 'connectImport'
  | 'contactFlow';

export type LedgerStatus = 'intent' | 'done' | 'undone' | 'skipped';

export interface LedgerEntry<T = Record<string, unknown>> {
  provisioningId: string;
  entry: LedgerEntryName;
  status: LedgerStatus;
  data: T;
  updatedAt: string;
}

export class Ledger {
  constructor(
    private readonly db: DocClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async get<T = Record<string, unknown>>(provisioningId: string, entry: LedgerEntryName): Promise<LedgerEntry<T> | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { [TABLE.partitionKey]: keys.provisioning(provisioningId), [TABLE.sortKey]: keys.ledger(entry) }, ConsistentRead: true }),
    );
    return out.Item ? toEntry<T>(out.Item) : undefined;
  }

  async set<T extends object>(provisioningId: string, entry: LedgerEntryName, status: LedgerStatus, data: T): Promise<LedgerEntry<T>> {
    const record: LedgerEntry<T> = { provisioningId, entry, status, data: stripUndefined(data), updatedAt: this.clock().toISOString() };
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { [TABLE.partitionKey]: keys.provisioning(provisioningId), [TABLE.sortKey]: keys.ledger(entry), type: 'ledger', ...record },
      }),
    );
    return record;
  }

  /**
   * Writes the entry only if there is none yet, and returns whichever is stored. Used for before-images:
   * a retried step must never replace the original image with the value it set itself.
   */
  async setOnce<T extends object>(provisioningId: string, entry: LedgerEntryName, status: LedgerStatus, data: T): Promise<LedgerEntry<T>> {
    const record: LedgerEntry<T> = { provisioningId, entry, status, data: stripUndefined(data), updatedAt: this.clock().toISOString() };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { [TABLE.partitionKey]: keys.provisioning(provisioningId), [TABLE.sortKey]: keys.ledger(entry), type: 'ledger', ...record },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
      return record;
    } catch (e) {
      if (!isAwsError(e, 'ConditionalCheckFailedException')) throw e;
      const existing = await this.get<T>(provisioningId, entry);
      if (!existing) throw e;
      return existing;
    }
  }

  /**
   * Hands a created-or-added resource over to another provisioning that depends on it: its entry, `skipped`
   * (found in place), becomes `done` with the creator's data, so that the last number to leave removes what
   * this service created instead of leaking it. Only a `skipped` entry is replaced (one still being written
   * by a running step is not); returns whether the hand-over happened.
   */
  async handOver<T extends object>(toProvisioningId: string, entry: LedgerEntryName, data: T): Promise<boolean> {
    const record: LedgerEntry<T> = { provisioningId: toProvisioningId, entry, status: 'done', data: stripUndefined(data), updatedAt: this.clock().toISOString() };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { [TABLE.partitionKey]: keys.provisioning(toProvisioningId), [TABLE.sortKey]: keys.ledger(entry), type: 'ledger', ...record },
          ConditionExpression: '#status = :skipped',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':skipped': 'skipped' },
        }),
      );
      return true;
    } catch (e) {
      if (isAwsError(e, 'ConditionalCheckFailedException')) return false;
      throw e;
    }
  }

  async all(provisioningId: string): Promise<LedgerEntry[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
        ExpressionAttributeValues: { ':pk': keys.provisioning(provisioningId), ':prefix': 'LEDGER#' },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).map((i) => toEntry(i));
  }
}

function toEntry<T>(item: Record<string, unknown>): LedgerEntry<T> {
  return { provisioningId: String(item.provisioningId), entry: item.entry as LedgerEntryName, status: item.status as LedgerStatus, data: (item.data ?? {}) as T, updatedAt: String(item.updatedAt) };
}
