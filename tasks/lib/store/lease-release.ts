import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '../errors';
import type { DocClient } from './audit';
import { keys, TABLE } from './table';

/**
 * Releasing leases, apart from taking them (lock.ts), so that the completion notifier's bundle holds only the
 * calls it makes: a conditional delete of one lease, and the lookup of every number lease one execution holds.
 */

/** Deletes the lease on `resource` if `owner` holds it; true when it did. A lease held by someone else is left alone. */
export async function releaseLease(db: DocClient, tableName: string, resource: string, owner: string): Promise<boolean> {
  try {
    await db.send(
      new DeleteCommand({
        TableName: tableName,
        Key: { [TABLE.partitionKey]: keys.lock(resource), [TABLE.sortKey]: 'LOCK' },
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
    return true;
  } catch (e) {
    if (isAwsError(e, 'ConditionalCheckFailedException')) return false;
    throw e;
  }
}

/**
 * Releases every number lease `owner` (an execution ARN) still holds, found through gsi1 (`LOCKOWNER#<owner>`),
 * and returns the resources released. The index is eventually consistent, which is harmless here: the notifier
 * runs once the owner's execution has ended, well after its leases were written.
 */
export async function releaseLeasesHeldBy(db: DocClient, tableName: string, owner: string): Promise<string[]> {
  const released: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TABLE.gsi1.name,
        KeyConditionExpression: '#pk = :owner',
        ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey },
        ExpressionAttributeValues: { ':owner': keys.lockOwner(owner) },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const resource = String(item.resource);
      if (await releaseLease(db, tableName, resource, owner)) released.push(resource);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return released;
}
