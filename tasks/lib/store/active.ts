import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '../errors';
import { stripUndefined, type DocClient } from './audit';
import { keys, TABLE } from './table';

/** The provisioning that currently owns a number's two-way configuration (written by Verify). */
export interface ActiveProvisioning {
  /** Phone number id or pool id. */
  targetId: string;
  provisioningId: string;
  /** The destination as requested, to compare a repeated request with. */
  destination: unknown;
  /** The two-way configuration that provisioning set. */
  config: { enabled: boolean; channelArn?: string; channelRole?: string };
  since: string;
}

export class ActiveProvisionings {
  constructor(
    private readonly db: DocClient,
    private readonly tableName: string,
  ) {}

  async get(targetId: string): Promise<ActiveProvisioning | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { [TABLE.partitionKey]: keys.number(targetId), [TABLE.sortKey]: 'ACTIVE' }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, type: _t, ...rest } = out.Item;
    return rest as ActiveProvisioning;
  }

  async set(active: ActiveProvisioning): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { [TABLE.partitionKey]: keys.number(active.targetId), [TABLE.sortKey]: 'ACTIVE', type: 'active', ...stripUndefined(active) } }),
    );
  }

  /** Clears the pointer only if it still names `provisioningId` (a newer provisioning is left alone). */
  async clear(targetId: string, provisioningId: string): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [TABLE.partitionKey]: keys.number(targetId), [TABLE.sortKey]: 'ACTIVE' },
          ConditionExpression: 'provisioningId = :id',
          ExpressionAttributeValues: { ':id': provisioningId },
        }),
      );
      return true;
    } catch (e) {
      if (isAwsError(e, 'ConditionalCheckFailedException')) return false;
      throw e;
    }
  }
}
