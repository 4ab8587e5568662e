import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isAwsError, NumberBusy, ResourceBusy } from '../errors';
import type { DocClient } from './audit';
import { releaseLease, releaseLeasesHeldBy } from './lease-release';
import { keys, TABLE } from './table';

export interface LockHolder {
  resource: string;
  owner: string;
  leaseUntil: string;
}

/**
 * Leases on resources (a phone number, a KMS key's policy) in DynamoDB. A lease is taken with one
 * conditional write that succeeds when the item is absent, already ours (a retried task), or expired (its
 * holder died); so at most one owner holds a live lease, and a crashed owner blocks others only until expiry.
 *
 * A number's lease is also indexed by its owner (gsi1: `LOCKOWNER#<executionArn>`), so that the completion
 * notifier can release what an execution that will never reach its own ReleaseLock (ABORTED, TIMED_OUT) held.
 */
export class LockStore {
  constructor(
    private readonly db: DocClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Takes or renews the lease; throws `NumberBusy` (or `ResourceBusy` for shared resources) when someone else holds it. */
  async acquire(resource: string, owner: string, leaseMs: number, kind: 'number' | 'shared' = 'number'): Promise<LockHolder> {
    const now = this.clock();
    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [TABLE.partitionKey]: keys.lock(resource),
            [TABLE.sortKey]: 'LOCK',
            type: 'lock',
            resource,
            owner,
            leaseUntil,
            [TABLE.ttlAttribute]: Math.ceil(new Date(leaseUntil).getTime() / 1000) + 86_400,
            // Only number leases: a shared-resource lease is held inside one task invocation, which may still be
            // running after its execution was stopped, so only that invocation may release it.
            ...(kind === 'number' ? { [TABLE.gsi1.partitionKey]: keys.lockOwner(owner), [TABLE.gsi1.sortKey]: keys.lock(resource) } : {}),
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #owner = :owner OR #leaseUntil < :now',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#owner': 'owner', '#leaseUntil': 'leaseUntil' },
          ExpressionAttributeValues: { ':owner': owner, ':now': now.toISOString() },
        }),
      );
    } catch (e) {
      if (!isAwsError(e, 'ConditionalCheckFailedException')) throw e;
      const holder = await this.get(resource);
      const who = holder ? `${holder.owner} (lease until ${holder.leaseUntil})` : 'another execution';
      const message = `${resource} is locked by ${who}`;
      throw kind === 'number' ? new NumberBusy(message, { field: 'phoneNumberId' }) : new ResourceBusy(message);
    }
    return { resource, owner, leaseUntil };
  }

  /** Releases the lease if `owner` holds it; a lease held by someone else (or none) is left alone. */
  release(resource: string, owner: string): Promise<boolean> {
    return releaseLease(this.db, this.tableName, resource, owner);
  }

  /** Releases every number lease `owner` still holds (see lease-release.ts); returns the resources released. */
  releaseHeldBy(owner: string): Promise<string[]> {
    return releaseLeasesHeldBy(this.db, this.tableName, owner);
  }

  async get(resource: string): Promise<LockHolder | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { [TABLE.partitionKey]: keys.lock(resource), [TABLE.sortKey]: 'LOCK' }, ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return { resource, owner: String(out.Item.owner), leaseUntil: String(out.Item.leaseUntil) };
  }

  /** Runs `fn` while holding a short lease on a shared resource (serializes e.g. writers of one key policy). */
  async withLease<T>(resource: string, owner: string, leaseMs: number, fn: () => Promise<T>): Promise<T> {
    await this.acquire(resource, owner, leaseMs, 'shared');
    try {
      return await fn();
    } finally {
      await this.release(resource, owner);
    }
  }
}
