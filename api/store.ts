import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '../tasks/lib/errors';
import { stripUndefined, type DocClient } from '../tasks/lib/store';
import { keys, TABLE } from '../tasks/lib/store/table';
import type { ErrorInfo, ExecutionOutcome } from './execution';
import type { Operation, Status } from './schemas';

/**
 * The API's own items in the service table: one provisioning record per execution it started (what was
 * asked, by whom, and the last status it saw), and the `Idempotency-Key` items. The execution itself is the
 * source of truth for status; the record's status is refreshed whenever a read finds it out of date.
 */

export interface ProvisioningRecord {
  id: string;
  operation: Operation;
  status: Status;
  executionArn: string;
  /** The number or pool the execution works on (the lock key of the state machine). */
  targetId: string;
  phoneNumberId?: string;
  poolId?: string;
  destination?: unknown;
  requestedBy: string;
  ticket?: unknown;
  /** What an undo could not give back exactly, known at request time. */
  notReversible?: string[];
  startedAt: string;
  endedAt?: string;
  error?: ErrorInfo;
  redriveCount?: number;
}

export interface IdempotencyItem {
  caller: string;
  key: string;
  /** SHA-256 of the canonical request (method, route, body). */
  requestHash: string;
  provisioningId: string;
  operation: Operation;
  /** The StartExecution input, so a replay after a crash between claim and start can finish the start. */
  input: Record<string, unknown>;
  /** What the provisioning record shows beyond the input (see `RecordContext`). */
  context?: { destination?: unknown; notReversible?: string[] };
  createdAt: string;
  expiresAt: number;
}

/** The position after the last item returned; encoded into the opaque `nextToken` by the router. */
export type PageKey = Record<string, string>;

const META = 'META';
const IDEMP = 'IDEMP';
/** DynamoDB partition keys are at most 2048 bytes; very long principal ARNs are hashed into the key instead. */
const MAX_CALLER_IN_KEY = 1024;

export class ProvisioningStore {
  constructor(
    private readonly db: DocClient,
    private readonly tableName: string,
  ) {}

  async create(record: ProvisioningRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [TABLE.partitionKey]: keys.provisioning(record.id),
          [TABLE.sortKey]: META,
          [TABLE.gsi1.partitionKey]: keys.phone(record.targetId),
          [TABLE.gsi1.sortKey]: `PROV#${record.startedAt}#${record.id}`,
          [TABLE.gsi2.partitionKey]: keys.allProvisionings,
          [TABLE.gsi2.sortKey]: `${record.startedAt}#${record.id}`,
          type: 'provisioning',
          ...stripUndefined(record),
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
      }),
    );
  }

  async get(id: string): Promise<ProvisioningRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { [TABLE.partitionKey]: keys.provisioning(id), [TABLE.sortKey]: META }, ConsistentRead: true }));
    return out.Item ? toRecord(out.Item) : undefined;
  }

  /**
   * Stores what a read learnt from the execution. Conditional on the redrive count, so that a slow reader
   * that saw the execution FAILED cannot overwrite the RUNNING that a redrive wrote after it.
   */
  async saveOutcome(record: ProvisioningRecord, outcome: ExecutionOutcome): Promise<void> {
    const rc = outcome.redriveCount ?? 0;
    const set = ['#status = :status', '#rc = :rc'];
    const remove: string[] = [];
    const values: Record<string, unknown> = { ':status': outcome.status, ':rc': rc };
    if (outcome.endedAt) {
      set.push('#endedAt = :endedAt');
      values[':endedAt'] = outcome.endedAt;
    } else remove.push('#endedAt');
    if (outcome.error) {
      set.push('#error = :error');
      values[':error'] = outcome.error;
    } else remove.push('#error');
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [TABLE.partitionKey]: keys.provisioning(record.id), [TABLE.sortKey]: META },
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#rc) OR #rc <= :rc)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#status': 'status', '#rc': 'redriveCount', '#endedAt': 'endedAt', '#error': 'error' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (e) {
      // Someone newer wrote it (a redrive); theirs stands.
      if (!isAwsError(e, 'ConditionalCheckFailedException')) throw e;
    }
  }

  /** A redrive put the execution back to RUNNING. */
  /**
   * The steps of an ended execution, kept beside its record (`PROV#<id>` / `STEPS#<endedAt>`): an ended
   * execution's history no longer changes, and serving them from here spares every later read two Step
   * Functions calls. A redrive ends at a later time (the notifier records it), so it starts a new entry.
   */
  async getSteps(id: string, endedAt: string): Promise<unknown[] | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { [TABLE.partitionKey]: keys.provisioning(id), [TABLE.sortKey]: `STEPS#${endedAt}` } }));
    return out.Item ? (out.Item.steps as unknown[]) : undefined;
  }

  async saveSteps(id: string, endedAt: string, steps: unknown[]): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { [TABLE.partitionKey]: keys.provisioning(id), [TABLE.sortKey]: `STEPS#${endedAt}`, type: 'steps', ...stripUndefined({ steps }) } }),
    );
  }

  async markRedriven(id: string, redriveCount: number): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [TABLE.partitionKey]: keys.provisioning(id), [TABLE.sortKey]: META },
        UpdateExpression: 'SET #status = :running, #rc = :rc REMOVE #endedAt, #error',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#status': 'status', '#rc': 'redriveCount', '#endedAt': 'endedAt', '#error': 'error' },
        ExpressionAttributeValues: { ':running': 'RUNNING', ':rc': redriveCount },
      }),
    );
  }

  /** The records of a number or pool whose last known status is RUNNING (the caller checks them). */
  async runningFor(targetId: string): Promise<ProvisioningRecord[]> {
    const out: ProvisioningRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE.gsi1.name,
          KeyConditionExpression: '#gpk = :gpk AND begins_with(#gsk, :prov)',
          FilterExpression: '#status = :running',
          ExpressionAttributeNames: { '#gpk': TABLE.gsi1.partitionKey, '#gsk': TABLE.gsi1.sortKey, '#status': 'status' },
          ExpressionAttributeValues: { ':gpk': keys.phone(targetId), ':prov': 'PROV#', ':running': 'RUNNING' },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) out.push(toRecord(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /**
   * One page of records, newest first: of one number/pool (gsi1) or of all (gsi2), optionally only those whose
   * stored status is one of `statuses`. Returns the raw DynamoDB position after the page, if any.
   */
  async page(opts: { targetId?: string; statuses?: Status[]; limit: number; start?: PageKey }): Promise<{ records: ProvisioningRecord[]; keys: PageKey[]; last?: PageKey }> {
    const byTarget = opts.targetId !== undefined;
    const index = byTarget ? TABLE.gsi1 : TABLE.gsi2;
    const names: Record<string, string> = { '#gpk': index.partitionKey };
    const values: Record<string, unknown> = { ':gpk': byTarget ? keys.phone(opts.targetId!) : keys.allProvisionings };
    let condition = '#gpk = :gpk';
    if (byTarget) {
      names['#gsk'] = index.sortKey;
      values[':prov'] = 'PROV#';
      condition += ' AND begins_with(#gsk, :prov)';
    }
    let filter: string | undefined;
    if (opts.statuses?.length) {
      names['#status'] = 'status';
      filter = `#status IN (${opts.statuses.map((s, i) => {
        values[`:s${i}`] = s;
        return `:s${i}`;
      }).join(', ')})`;
    }
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: index.name,
      KeyConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      Limit: opts.limit,
      ...(filter ? { FilterExpression: filter } : {}),
      ...(opts.start ? { ExclusiveStartKey: opts.start } : {}),
    };
    const page = await this.db.send(new QueryCommand(input));
    const items = page.Items ?? [];
    return {
      records: items.map(toRecord),
      keys: items.map((i) => pageKeyOf(i, index)),
      ...(page.LastEvaluatedKey ? { last: page.LastEvaluatedKey as PageKey } : {}),
    };
  }

  // ---- idempotency ----------------------------------------------------------------------------------------

  async getIdempotency(caller: string, key: string, now: Date): Promise<IdempotencyItem | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: idempotencyKey(caller, key), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const item = toIdempotency(out.Item);
    // TTL deletion lags by up to days; an expired key is a free key.
    return item.expiresAt * 1000 <= now.getTime() ? undefined : item;
  }

  /** Claims the key for this request; false when another request holds it (read it again and compare). */
  async claimIdempotency(item: IdempotencyItem, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...idempotencyKey(item.caller, item.key), type: 'idempotency', ...stripUndefined(item) },
          ConditionExpression: 'attribute_not_exists(#pk) OR #exp <= :now',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#exp': TABLE.ttlAttribute },
          ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
        }),
      );
      return true;
    } catch (e) {
      if (isAwsError(e, 'ConditionalCheckFailedException')) return false;
      throw e;
    }
  }

  /** Frees a claim whose execution could not be started, so that the client's retry can start it. */
  async releaseIdempotency(caller: string, key: string, provisioningId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: idempotencyKey(caller, key),
          ConditionExpression: '#pid = :pid',
          ExpressionAttributeNames: { '#pid': 'provisioningId' },
          ExpressionAttributeValues: { ':pid': provisioningId },
        }),
      );
    } catch (e) {
      if (!isAwsError(e, 'ConditionalCheckFailedException')) throw e;
    }
  }
}

function idempotencyKey(caller: string, key: string): Record<string, string> {
  const who = Buffer.byteLength(caller) > MAX_CALLER_IN_KEY ? `sha256:${sha256Hex(caller)}` : caller;
  return { [TABLE.partitionKey]: keys.idempotency(who, key), [TABLE.sortKey]: IDEMP };
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function pageKeyOf(item: Record<string, unknown>, index: { partitionKey: string; sortKey: string }): PageKey {
  return {
    [TABLE.partitionKey]: String(item[TABLE.partitionKey]),
    [TABLE.sortKey]: String(item[TABLE.sortKey]),
    [index.partitionKey]: String(item[index.partitionKey]),
    [index.sortKey]: String(item[index.sortKey]),
  };
}

function toRecord(item: Record<string, unknown>): ProvisioningRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, type: _t, ...rest } = item;
  return rest as unknown as ProvisioningRecord;
}

function toIdempotency(item: Record<string, unknown>): IdempotencyItem {
  const { pk: _pk, sk: _sk, type: _t, ...rest } = item;
  return rest as unknown as IdempotencyItem;
}
