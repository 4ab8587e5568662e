import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { keys, TABLE } from './table';

/** Who did what, on which provisioning, for which execution. Every audit record carries it. */
export interface AuditScope {
  provisioningId: string;
  phoneNumberId: string;
  executionArn: string;
  actor: string;
}

export interface AuditEntry {
  provisioningId: string;
  phoneNumberId: string;
  id: string;
  /**
   * `intent` is written before the AWS call, `outcome` after it (same `intentId`); a `note` records a decision
   * that is not a call (e.g. a role retained because AWS cannot clear TwoWayChannelRole).
   */
  phase: 'intent' | 'outcome' | 'note';
  note?: string;
  intentId?: string;
  step: string;
  /** IAM-style action name, e.g. `sns:CreateTopic`. */
  action: string;
  resourceArn?: string;
  before?: unknown;
  after?: unknown;
  outcome?: 'succeeded' | 'failed';
  error?: { name: string; message: string };
  actor: string;
  executionArn: string;
  at: string;
}

export type DocClient = Pick<DynamoDBDocumentClient, 'send'>;

const nextUlid = monotonicFactory();

/**
 * The append-only audit trail. Records are only ever created (conditional on not existing); nothing
 * updates or deletes them. Queryable by provisioning and, through gsi1, by phone number.
 */
export class AuditLog {
  constructor(
    private readonly db: DocClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async append(scope: AuditScope, entry: Omit<AuditEntry, 'id' | 'provisioningId' | 'phoneNumberId' | 'actor' | 'executionArn' | 'at'>): Promise<AuditEntry> {
    const at = this.clock();
    const id = nextUlid(at.getTime());
    const record: AuditEntry = { ...entry, id, provisioningId: scope.provisioningId, phoneNumberId: scope.phoneNumberId, actor: scope.actor, executionArn: scope.executionArn, at: at.toISOString() };
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [TABLE.partitionKey]: keys.provisioning(scope.provisioningId),
          [TABLE.sortKey]: keys.audit(id),
          [TABLE.gsi1.partitionKey]: keys.phone(scope.phoneNumberId),
          [TABLE.gsi1.sortKey]: keys.audit(id),
          type: 'audit',
          ...stripUndefined(record),
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
      }),
    );
    return record;
  }

  /**
   * Runs one AWS mutation between an intent record (with the before-image) and an outcome record.
   * The call's error is recorded and rethrown unchanged.
   */
  async record<T>(
    scope: AuditScope,
    what: { step: string; action: string; resourceArn?: string; before?: unknown; note?: string },
    call: () => Promise<T>,
    after?: (result: T) => unknown,
  ): Promise<T> {
    const intent = await this.append(scope, { phase: 'intent', ...what });
    let result: T;
    try {
      result = await call();
    } catch (e) {
      const err = e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
      await this.append(scope, { phase: 'outcome', intentId: intent.id, step: what.step, action: what.action, ...(what.resourceArn ? { resourceArn: what.resourceArn } : {}), outcome: 'failed', error: err });
      throw e;
    }
    await this.append(scope, {
      phase: 'outcome',
      intentId: intent.id,
      step: what.step,
      action: what.action,
      ...(what.resourceArn ? { resourceArn: what.resourceArn } : {}),
      outcome: 'succeeded',
      ...(after ? { after: after(result) } : {}),
    });
    return result;
  }

  async byProvisioning(provisioningId: string): Promise<AuditEntry[]> {
    return this.queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
      ExpressionAttributeValues: { ':pk': keys.provisioning(provisioningId), ':prefix': 'AUDIT#' },
    });
  }

  async byPhoneNumber(phoneNumberId: string): Promise<AuditEntry[]> {
    return this.queryAll({
      IndexName: TABLE.gsi1.name,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey, '#sk': TABLE.gsi1.sortKey },
      ExpressionAttributeValues: { ':pk': keys.phone(phoneNumberId), ':prefix': 'AUDIT#' },
    });
  }

  private async queryAll(q: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ ...q, TableName: this.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const item of page.Items ?? []) out.push(toEntry(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}

function toEntry(item: Record<string, unknown>): AuditEntry {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, type: _t, ...rest } = item;
  return rest as unknown as AuditEntry;
}

/** DynamoDB's document client rejects `undefined` values unless told otherwise; drop them at the edge. */
export function stripUndefined<T extends object>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}
