import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DocClient } from './audit';
import { keys, TABLE } from './table';

/** Kinds of shared resource a provisioning can depend on. */
export type ReferenceKind = 'topic' | 'role' | 'topicStatement' | 'keyStatement';

export interface Reference {
  kind: ReferenceKind;
  resource: string;
  provisioningId: string;
  phoneNumberId: string;
  since: string;
}

/**
 * Who depends on which shared resource (docs/domain.md §5). A provisioning records its reference *before* it
 * starts relying on the resource, and a remover checks for other references *after* removing its own; with
 * that order on both sides, a shared topic, role or statement is never removed while another number needs it.
 */
export class References {
  constructor(
    private readonly db: DocClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async add(kind: ReferenceKind, resource: string, provisioningId: string, phoneNumberId: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [TABLE.partitionKey]: keys.reference(kind, resource),
          [TABLE.sortKey]: keys.provisioning(provisioningId),
          type: 'reference',
          kind,
          resource,
          provisioningId,
          phoneNumberId,
          since: this.clock().toISOString(),
        },
      }),
    );
  }

  async remove(kind: ReferenceKind, resource: string, provisioningId: string): Promise<void> {
    await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: { [TABLE.partitionKey]: keys.reference(kind, resource), [TABLE.sortKey]: keys.provisioning(provisioningId) } }),
    );
  }

  async holders(kind: ReferenceKind, resource: string): Promise<Reference[]> {
    const out: Reference[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
          ExpressionAttributeValues: { ':pk': keys.reference(kind, resource) },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const i of page.Items ?? []) {
        out.push({ kind, resource, provisioningId: String(i.provisioningId), phoneNumberId: String(i.phoneNumberId), since: String(i.since) });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** References held by provisionings other than `provisioningId`. */
  async others(kind: ReferenceKind, resource: string, provisioningId: string): Promise<Reference[]> {
    return (await this.holders(kind, resource)).filter((r) => r.provisioningId !== provisioningId);
  }
}
