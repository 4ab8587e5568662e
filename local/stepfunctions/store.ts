import { CreateTableCommand, DescribeTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * Where the local Step Functions service keeps its state machines, executions and their histories: its own
 * DynamoDB table (dynalite locally), so that executions survive a restart and resume where they stopped.
 *
 * | item                      | pk                  | sk                 | gsi1pk               | gsi1sk                      | runpk     |
 * |---------------------------|---------------------|--------------------|----------------------|-----------------------------|-----------|
 * | state machine             | `SM#<arn>`          | `META`             | `SMS`                | `<name>`                    |           |
 * | state machine revision    | `SM#<arn>`          | `REV#<revisionId>` |                      |                             |           |
 * | execution                 | `EX#<arn>`          | `META`             | `EXOF#<machine arn>` | `<startDate>#<arn>`         | `RUNNING` |
 * | history event             | `EX#<arn>`          | `EV#<000000042>`   |                      |                             |           |
 *
 * `runpk` is set only while an execution is RUNNING (a sparse index): what `resumeRunning()` reads at start.
 * History events and JSON payloads are stored as JSON text, exactly as the API returns them.
 */
export const STATES_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  byParent: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  running: { name: 'running', partitionKey: 'runpk', sortKey: 'runsk' },
} as const;

/** CreateTable input of the local Step Functions table. */
export function statesTableInput(tableName: string) {
  const T = STATES_TABLE;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [T.partitionKey, T.sortKey, T.byParent.partitionKey, T.byParent.sortKey, T.running.partitionKey, T.running.sortKey].map((name) => ({
      AttributeName: name,
      AttributeType: 'S' as const,
    })),
    KeySchema: [
      { AttributeName: T.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: T.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [T.byParent, T.running].map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}

export type DocClient = Pick<DynamoDBDocumentClient, 'send'>;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

export interface StateMachineRecord {
  stateMachineArn: string;
  name: string;
  /** The ASL text as given. */
  definition: string;
  roleArn: string;
  type: 'STANDARD';
  /** ISO timestamps, as everywhere in the store. */
  creationDate: string;
  revisionId: string;
  tags: { key: string; value: string }[];
}

/** A state and the raw input it entered with (JSON text): where a resume or a redrive starts. */
export interface StatePoint {
  name: string;
  input: string;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** JSON text. */
  input: string;
  startDate: string;
  stopDate?: string;
  output?: string;
  error?: string;
  cause?: string;
  /** The state machine revision the execution runs (AWS runs an execution on the definition it started with). */
  revisionId: string;
  redriveCount: number;
  redriveDate?: string;
  /** Idempotency of RedriveExecution's clientToken. */
  redriveToken?: string;
  /** State transitions so far: every state entered plus every retry (the Standard-workflow billing unit). */
  transitions: number;
  /** The last state entered and its input: where an interrupted execution resumes. */
  lastState?: StatePoint;
  /** Where a redrive restarts: the state that failed (uncaught) or was running when stopped. */
  resumeAt?: StatePoint;
}

/** One history event as GetExecutionHistory returns it (timestamp ISO here, epoch seconds on the wire). */
export interface HistoryEventRecord {
  id: number;
  previousEventId: number;
  timestamp: string;
  type: string;
  [details: string]: unknown;
}

const META = 'META';
const smKey = (arn: string): string => `SM#${arn}`;
const exKey = (arn: string): string => `EX#${arn}`;
const eventKey = (id: number): string => `EV#${String(id).padStart(9, '0')}`;

const EXECUTION_FIELDS = [
  'executionArn',
  'stateMachineArn',
  'name',
  'status',
  'input',
  'startDate',
  'stopDate',
  'output',
  'error',
  'cause',
  'revisionId',
  'redriveCount',
  'redriveDate',
  'redriveToken',
  'transitions',
  'lastState',
  'resumeAt',
] as const satisfies readonly (keyof ExecutionRecord)[];

/** A page of items and the sort key to continue after, if there is more. */
export interface Page<T> {
  items: T[];
  after?: string;
}

/** Raised when a conditional write finds the item in another state than expected. */
export class ConditionFailed extends Error {
  override readonly name = 'ConditionFailed';
}

/** DynamoDB access of the local Step Functions service. Every method is one or a few requests; no caching. */
export class StatesStore {
  constructor(
    private readonly db: DocClient,
    readonly tableName: string,
  ) {}

  /** Creates the table if it does not exist and waits until it is ACTIVE. */
  async ensureTable(): Promise<void> {
    try {
      await this.db.send(new CreateTableCommand(statesTableInput(this.tableName)));
    } catch (e) {
      if (!(e instanceof ResourceInUseException) && (e as { name?: string }).name !== 'ResourceInUseException') throw e;
    }
    for (let i = 0; i < 600; i++) {
      const d = await this.db.send(new DescribeTableCommand({ TableName: this.tableName }));
      const indexesActive = (d.Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
      if (d.Table?.TableStatus === 'ACTIVE' && indexesActive) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`table ${this.tableName} did not become ACTIVE`);
  }

  // --- state machines ---

  /** Writes a state machine (and its revision); with `ifAbsent`, only if none has this ARN (else ConditionFailed). */
  async putStateMachine(sm: StateMachineRecord, ifAbsent: boolean): Promise<void> {
    await this.putRevision(sm.stateMachineArn, sm.revisionId, sm.definition);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: smKey(sm.stateMachineArn), sk: META, gsi1pk: 'SMS', gsi1sk: sm.name, ...sm },
          ...(ifAbsent ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
        }),
      );
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') throw new ConditionFailed(sm.stateMachineArn);
      throw e;
    }
  }

  private async putRevision(arn: string, revisionId: string, definition: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: smKey(arn), sk: `REV#${revisionId}`, definition } }));
  }

  async getStateMachine(arn: string): Promise<StateMachineRecord | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: smKey(arn), sk: META }, ConsistentRead: true }));
    return r.Item ? stateMachineOf(r.Item) : undefined;
  }

  async getDefinition(arn: string, revisionId: string): Promise<string | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: smKey(arn), sk: `REV#${revisionId}` }, ConsistentRead: true }));
    return r.Item?.definition as string | undefined;
  }

  /** State machines by name, after the name `after`. */
  async listStateMachines(limit: number, after?: string): Promise<Page<StateMachineRecord>> {
    const items = await this.queryAll(
      {
        IndexName: STATES_TABLE.byParent.name,
        KeyConditionExpression: after === undefined ? 'gsi1pk = :p' : 'gsi1pk = :p AND gsi1sk > :a',
        ExpressionAttributeValues: { ':p': 'SMS', ...(after === undefined ? {} : { ':a': after }) },
      },
      limit + 1,
    );
    const page = items.slice(0, limit).map(stateMachineOf);
    return { items: page, ...(items.length > limit ? { after: page.at(-1)!.name } : {}) };
  }

  // --- executions ---

  /** Creates an execution; ConditionFailed if one with this ARN exists. */
  async createExecution(ex: ExecutionRecord): Promise<void> {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: executionItem(ex), ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') throw new ConditionFailed(ex.executionArn);
      throw e;
    }
  }

  async getExecution(arn: string): Promise<ExecutionRecord | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: exKey(arn), sk: META }, ConsistentRead: true }));
    return r.Item ? executionOf(r.Item) : undefined;
  }

  /**
   * Updates an execution: sets the defined fields of `set`, removes `remove`, adds `addTransitions`. With
   * `ifStatus`, only if the execution has that status (else ConditionFailed): status changes never race.
   */
  async updateExecution(
    arn: string,
    change: { set?: Partial<ExecutionRecord>; remove?: (keyof ExecutionRecord)[]; addTransitions?: number; ifStatus?: ExecutionStatus },
  ): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    let n = 0;
    for (const [k, v] of Object.entries(change.set ?? {})) {
      if (v === undefined) continue;
      names[`#f${n}`] = k;
      values[`:v${n}`] = v;
      sets.push(`#f${n} = :v${n}`);
      n++;
    }
    for (const k of change.remove ?? []) {
      names[`#f${n}`] = k;
      removes.push(`#f${n}`);
      n++;
    }
    const status = change.set?.status;
    if (status === 'RUNNING') {
      sets.push('runpk = :run, runsk = :arn');
      values[':run'] = 'RUNNING';
      values[':arn'] = arn;
    } else if (status !== undefined) {
      removes.push('runpk', 'runsk');
    }
    const parts: string[] = [];
    if (sets.length) parts.push(`SET ${sets.join(', ')}`);
    if (removes.length) parts.push(`REMOVE ${removes.join(', ')}`);
    if (change.addTransitions) {
      parts.push('ADD transitions :t');
      values[':t'] = change.addTransitions;
    }
    if (!parts.length) return;
    const conditions = ['attribute_exists(pk)'];
    if (change.ifStatus) {
      names['#st'] = 'status';
      values[':st'] = change.ifStatus;
      conditions.push('#st = :st');
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: exKey(arn), sk: META },
          UpdateExpression: parts.join(' '),
          ConditionExpression: conditions.join(' AND '),
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') throw new ConditionFailed(arn);
      throw e;
    }
  }

  /** Executions of a state machine, newest first, after the sort key `after`, filtered. */
  async listExecutions(
    stateMachineArn: string,
    limit: number,
    filter: { status?: ExecutionStatus; redriven?: boolean },
    after?: string,
  ): Promise<Page<ExecutionRecord>> {
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':p': `EXOF#${stateMachineArn}` };
    if (after !== undefined) values[':a'] = after;
    if (filter.status) {
      filters.push('#st = :st');
      names['#st'] = 'status';
      values[':st'] = filter.status;
    }
    if (filter.redriven !== undefined) {
      filters.push(filter.redriven ? 'redriveCount > :zero' : 'redriveCount = :zero');
      values[':zero'] = 0;
    }
    const items = await this.queryAll(
      {
        IndexName: STATES_TABLE.byParent.name,
        KeyConditionExpression: after === undefined ? 'gsi1pk = :p' : 'gsi1pk = :p AND gsi1sk < :a',
        ScanIndexForward: false,
        ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      },
      limit + 1,
    );
    const page = items.slice(0, limit);
    return { items: page.map(executionOf), ...(items.length > limit ? { after: page.at(-1)!.gsi1sk as string } : {}) };
  }

  /** ARNs of every execution recorded as RUNNING. */
  async runningExecutionArns(): Promise<string[]> {
    const items = await this.queryAll(
      { IndexName: STATES_TABLE.running.name, KeyConditionExpression: 'runpk = :r', ExpressionAttributeValues: { ':r': 'RUNNING' } },
      Number.MAX_SAFE_INTEGER,
    );
    return items.map((i) => i.executionArn as string);
  }

  // --- history ---

  /** Appends one event; never overwrites (a second writer of the same id fails loudly). */
  async appendEvent(executionArn: string, event: HistoryEventRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: exKey(executionArn), sk: eventKey(event.id), event: JSON.stringify(event) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** The last recorded event (highest id), if any. */
  async lastEvent(executionArn: string): Promise<HistoryEventRecord | undefined> {
    const r = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':p': exKey(executionArn), ':e': 'EV#' },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = r.Items?.[0];
    return item ? (JSON.parse(item.event as string) as HistoryEventRecord) : undefined;
  }

  /** Events in id order (or reverse), strictly after / before the event id `afterId`. */
  async history(executionArn: string, limit: number, reverse: boolean, afterId?: number): Promise<{ events: HistoryEventRecord[]; more: boolean }> {
    const values: Record<string, unknown> = { ':p': exKey(executionArn) };
    let condition: string;
    if (afterId === undefined) {
      condition = 'pk = :p AND begins_with(sk, :e)';
      values[':e'] = 'EV#';
    } else if (reverse) {
      condition = 'pk = :p AND sk BETWEEN :lo AND :hi';
      values[':lo'] = 'EV#';
      values[':hi'] = eventKey(afterId - 1);
    } else {
      condition = 'pk = :p AND sk BETWEEN :lo AND :hi';
      values[':lo'] = eventKey(afterId + 1);
      values[':hi'] = 'EV#~';
    }
    const items = await this.queryAll({ KeyConditionExpression: condition, ExpressionAttributeValues: values, ScanIndexForward: !reverse, ConsistentRead: true }, limit + 1);
    return { events: items.slice(0, limit).map((i) => JSON.parse(i.event as string) as HistoryEventRecord), more: items.length > limit };
  }

  /** Runs a query page after page until `want` items are collected or there are no more. */
  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>, want: number): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.db.send(
        new QueryCommand({ ...input, TableName: this.tableName, ...(start ? { ExclusiveStartKey: start } : {}), Limit: Math.min(Math.max(want - out.length, 1), 1000) }),
      );
      out.push(...(r.Items ?? []));
      start = r.LastEvaluatedKey;
    } while (start && out.length < want);
    return out;
  }
}

function executionItem(ex: ExecutionRecord): Record<string, unknown> {
  const item: Record<string, unknown> = {
    pk: exKey(ex.executionArn),
    sk: META,
    gsi1pk: `EXOF#${ex.stateMachineArn}`,
    gsi1sk: `${ex.startDate}#${ex.executionArn}`,
    ...(ex.status === 'RUNNING' ? { runpk: 'RUNNING', runsk: ex.executionArn } : {}),
  };
  for (const k of EXECUTION_FIELDS) if (ex[k] !== undefined) item[k] = ex[k];
  return item;
}

function executionOf(item: Record<string, unknown>): ExecutionRecord {
  const out: Record<string, unknown> = {};
  for (const k of EXECUTION_FIELDS) if (item[k] !== undefined) out[k] = item[k];
  return out as unknown as ExecutionRecord;
}

function stateMachineOf(item: Record<string, unknown>): StateMachineRecord {
  return {
    stateMachineArn: item.stateMachineArn as string,
    name: item.name as string,
    definition: item.definition as string,
    roleArn: item.roleArn as string,
    type: 'STANDARD',
    creationDate: item.creationDate as string,
    revisionId: item.revisionId as string,
    tags: (item.tags as { key: string; value: string }[] | undefined) ?? [],
  };
}
