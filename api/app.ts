import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  RedriveExecutionCommand,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent as SfnHistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';
import { isAwsError, NumberBusy } from '../tasks/lib/errors';
import { canonicalJson } from '../tasks/lib/json';
import { NUMBER_LEASE_MS } from '../tasks/lib/context';
import { UNSAFE_TEXT_WHAT } from '../tasks/lib/request';
import { keys, TABLE } from '../tasks/lib/store/table';
import { ActiveProvisionings, AuditLog, Ledger, LockStore, type DocClient } from '../tasks/lib/store';
import { eventJson, outcomeOf, stepsOf, type ExecutionOutcome } from './execution';
import { bodyBytes, decodeToken, encodeToken, headerValues, isJsonContentType, jsonResult, MAX_BODY_BYTES, problemResult, sha256, type Reply } from './http';
import { buildOpenApiDocument } from './openapi';
import { ApiProblem, fieldErrors, invalid, type FieldError } from './problem';
import { matchPath, type OperationId, type RouteSpec } from './routes';
import {
  ApiDestination,
  DeprovisionBody,
  HISTORY_DEFAULT_LIMIT,
  HistoryQuery,
  IdempotencyKey,
  LIST_DEFAULT_LIMIT,
  ListQuery,
  ProvisionBody,
  STATUSES,
  type Accepted,
  type Detail,
  type Operation,
  type Status,
  type Summary,
} from './schemas';
import { ProvisioningStore, type IdempotencyItem, type PageKey, type ProvisioningRecord } from './store';
import { checkDestination, readable, type DestinationLookups } from './destination';
import { undoKeyRefusal } from '../tasks/lib/opt-in';
import { eligibilityProblem } from '../tasks/lib/number';
import { printable, strictJsonProblems, unsafeTextProblems } from './json';
import { irreversibleChanges, targetLabel, topicPolicyRefusal } from '../tasks/lib/reversibility';
import { dependencyProblem, locationOf, resolveTarget, type SmsLookup, type Target } from './targets';

/**
 * The REST API as one function from an API Gateway proxy event to its result: the same code behind API
 * Gateway on AWS (api/handler.ts) and behind the local HTTP adapter (local/api/server.ts). Everything it
 * talks to is injected; it starts executions, reads them and its own records, and never changes AWS
 * resources itself (the state machines do).
 */
export interface ApiDeps {
  sfn: Pick<SFNClient, 'send'>;
  db: DocClient;
  tableName: string;
  /** Read-only: resolves E.164 numbers to ids and sees that a number or pool id exists. */
  sms: SmsLookup;
  /** Read-only: the topic, key and Connect instance a destination names (existence, opt-in); see destination.ts. */
  lookups: DestinationLookups;
  clock: () => Date;
  /** Provisioning ids (ULIDs): the execution names. */
  newId: () => string;
  stateMachines: { provision: string; deprovision: string };
  maxBodyBytes?: number;
  /** Structured log sink; given names and ids only, never bodies, tokens or headers. */
  log?: (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;
}

export type Api = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** How many DynamoDB pages one list request may read while filtering by status. */
const MAX_QUERY_PAGES = 10;

/** What the record shows beyond the execution input (the destination a deprovisioning removes). */
export interface RecordContext {
  destination?: unknown;
  /** "not exactly reversible: …" notes known at request time (tasks/lib/reversibility.ts). */
  notReversible?: string[];
}

function labelOf(t: Target): string {
  return targetLabel(t.kind, t.id);
}

interface Ctx {
  event: APIGatewayProxyEvent;
  route: RouteSpec;
  caller: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  idempotencyKey?: string;
}

export function createApi(deps: ApiDeps): Api {
  const store = new ProvisioningStore(deps.db, deps.tableName);
  const audit = new AuditLog(deps.db, deps.tableName, deps.clock);
  const ledger = new Ledger(deps.db, deps.tableName, deps.clock);
  const locks = new LockStore(deps.db, deps.tableName, deps.clock);
  const active = new ActiveProvisionings(deps.db, deps.tableName);
  const where = locationOf(deps.stateMachines.provision);
  const maxBody = deps.maxBodyBytes ?? MAX_BODY_BYTES;
  let openapi: unknown;

  // ---- executions -----------------------------------------------------------------------------------------

  async function describe(executionArn: string): Promise<DescribeExecutionCommandOutput | undefined> {
    try {
      return await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
    } catch (e) {
      // Step Functions forgets executions 90 days after they end; the record still answers.
      if (isAwsError(e, 'ExecutionDoesNotExist')) return undefined;
      throw dependencyProblem(e, 'states:DescribeExecution');
    }
  }

  /** The record brought up to date with its execution (and saved when it changed). */
  async function refresh(record: ProvisioningRecord, described?: DescribeExecutionCommandOutput): Promise<ProvisioningRecord> {
    const d = described ?? (await describe(record.executionArn));
    if (!d) return record;
    const outcome = outcomeOf(d);
    if (!sameOutcome(record, outcome)) await store.saveOutcome(record, outcome);
    const { endedAt: _e, error: _r, redriveCount: _c, ...rest } = record;
    return { ...rest, ...outcome };
  }

  async function history(executionArn: string): Promise<SfnHistoryEvent[]> {
    const events: SfnHistoryEvent[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await deps.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (e) {
      if (isAwsError(e, 'ExecutionDoesNotExist')) return [];
      throw dependencyProblem(e, 'states:GetExecutionHistory');
    }
    return events;
  }

  async function requireRecord(id: string): Promise<ProvisioningRecord> {
    const record = await store.get(id);
    if (!record) throw new ApiProblem('notFound', `no provisioning ${id}`, [{ field: 'id', message: `no provisioning ${id}` }]);
    return record;
  }

  /** 409 when another provisioning of the target runs, or a live lease on its lock says so. */
  async function assertNotBusy(target: Target): Promise<void> {
    for (const r of await store.runningFor(target.id)) {
      const now = await refresh(r);
      if (now.status === 'RUNNING') {
        throw new ApiProblem('numberBusy', `${target.id} has a ${r.operation} running: provisioning ${r.id}, started ${r.startedAt}`, [{ field: fieldOf(target), message: `busy with provisioning ${r.id}` }], {}, { provisioningId: r.id });
      }
    }
    const lock = await locks.get(target.id);
    if (lock && lock.leaseUntil > deps.clock().toISOString()) {
      // A lease outlives its execution only when the execution stopped without releasing it (ROLLBACK_FAILED,
      // aborted): the state machine would fail on it too, so say so now, and who holds it.
      throw new ApiProblem('numberBusy', `${target.id} is locked by ${lock.owner} until ${lock.leaseUntil}; redrive or finish that execution, or wait for the lease to expire`, [
        { field: fieldOf(target), message: `locked by ${lock.owner}` },
      ]);
    }
  }

  function machineOf(op: Operation): string {
    return op === 'provision' ? deps.stateMachines.provision : deps.stateMachines.deprovision;
  }

  function executionArnOf(op: Operation, id: string): string {
    return `${machineOf(op).replace(':stateMachine:', ':execution:')}:${id}`;
  }

  /**
   * Starts the execution named by the provisioning id and records it. Safe to repeat with the same id and input
   * (Step Functions returns the running execution; the record is written once).
   */
  async function startExecution(op: Operation, id: string, input: Record<string, unknown>, context: RecordContext = {}): Promise<ProvisioningRecord> {
    let executionArn: string;
    try {
      const out = await deps.sfn.send(new StartExecutionCommand({ stateMachineArn: machineOf(op), name: id, input: JSON.stringify(input) }));
      executionArn = out.executionArn ?? executionArnOf(op, id);
    } catch (e) {
      if (!isAwsError(e, 'ExecutionAlreadyExists')) throw dependencyProblem(e, 'states:StartExecution');
      // Started before (a replay after a crash) and already ended: it is ours if its input is ours.
      const arn = executionArnOf(op, id);
      const d = await describe(arn);
      if (!d || canonicalJson(JSON.parse(d.input ?? 'null')) !== canonicalJson(input)) throw new ApiProblem('conflict', `an execution named ${id} exists with another input`);
      executionArn = arn;
    }
    const record: ProvisioningRecord = {
      id,
      operation: op,
      status: 'RUNNING',
      executionArn,
      targetId: String(input.phoneNumberId ?? input.poolId),
      ...(typeof input.phoneNumberId === 'string' ? { phoneNumberId: input.phoneNumberId } : {}),
      ...(typeof input.poolId === 'string' ? { poolId: input.poolId } : {}),
      ...(input.destination !== undefined ? { destination: input.destination } : context.destination !== undefined ? { destination: context.destination } : {}),
      requestedBy: String(input.requestedBy),
      ...(input.ticket !== undefined ? { ticket: input.ticket } : {}),
      ...(context.notReversible?.length ? { notReversible: context.notReversible } : {}),
      startedAt: deps.clock().toISOString(),
    };
    try {
      await store.create(record);
    } catch (e) {
      if (!isAwsError(e, 'ConditionalCheckFailedException')) throw e;
      // A concurrent replay of the same request recorded it first.
      return (await store.get(id)) ?? record;
    }
    deps.log?.('info', 'execution started', { provisioningId: id, operation: op, executionArn, requestedBy: record.requestedBy });
    return record;
  }

  /**
   * The start of a provisioning or deprovisioning, with Idempotency-Key: the key is looked up first (a replay
   * touches nothing), then the target is resolved and checked, the key claimed, and the execution started;
   * a start that fails frees the key again.
   */
  async function begin(
    ctx: Ctx,
    op: Operation,
    requestForHash: unknown,
    resolve: () => Promise<Target>,
    build: (id: string, target: Target) => Promise<{ input: Record<string, unknown>; context?: RecordContext }>,
  ): Promise<Reply> {
    const key = ctx.idempotencyKey;
    const hash = sha256(canonicalJson({ operation: op, request: requestForHash }));
    if (key) {
      const existing = await store.getIdempotency(ctx.caller, key, deps.clock());
      if (existing) return replay(existing, hash);
    }
    const target = await resolve();
    await assertNotBusy(target);
    const id = deps.newId();
    const { input, context = {} } = await build(id, target);
    if (key) {
      const now = deps.clock();
      const item: IdempotencyItem = { caller: ctx.caller, key, requestHash: hash, provisioningId: id, operation: op, input, context, createdAt: now.toISOString(), expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS };
      if (!(await store.claimIdempotency(item, now))) {
        const winner = await store.getIdempotency(ctx.caller, key, deps.clock());
        if (winner) return replay(winner, hash);
        throw new ApiProblem('conflict', 'the Idempotency-Key is being used by a concurrent request; retry');
      }
    }
    let record: ProvisioningRecord;
    try {
      record = await startExecution(op, id, input, context);
    } catch (e) {
      if (key) await store.releaseIdempotency(ctx.caller, key, id);
      throw e;
    }
    return { status: 202, body: acceptedOf(record), headers: { Location: `/v1/provisionings/${id}` } };
  }

  async function replay(item: IdempotencyItem, hash: string): Promise<Reply> {
    if (item.requestHash !== hash) {
      throw new ApiProblem('idempotencyKeyReused', `this Idempotency-Key started provisioning ${item.provisioningId} with a different request; use a new key for a new request`, [
        { field: 'Idempotency-Key', message: 'already used with a different request' },
      ]);
    }
    // No record: the first request stopped between claiming the key and recording the start. Finish it.
    const record = (await store.get(item.provisioningId)) ?? (await startExecution(item.operation, item.provisioningId, item.input, item.context));
    return { status: 202, body: acceptedOf(record), headers: { Location: `/v1/provisionings/${record.id}`, 'Idempotent-Replayed': 'true' } };
  }

  // ---- handlers -------------------------------------------------------------------------------------------

  const handlers: Record<OperationId, (ctx: Ctx) => Promise<Reply>> = {
    async health() {
      return { status: 200, body: { status: 'ok' } };
    },

    async openapi() {
      openapi ??= buildOpenApiDocument();
      return { status: 200, body: openapi };
    },

    async startProvisioning(ctx) {
      const body = ctx.body as ProvisionBody;
      const field = body.poolId !== undefined ? 'poolId' : 'phoneNumberId';
      return begin(
        ctx,
        'provision',
        body,
        async () => {
          const t = await resolveTarget((body.poolId ?? body.phoneNumberId)!, field, deps.sms, where, true);
          // A number that names a role delivers through it and cannot lose it: a topic-policy destination would
          // never take effect. Refused now, saying what to send instead (ValidateNumber refuses it the same way).
          // A number that cannot take two-way for this destination (PENDING, in a pool, a pool for Connect...).
          const ineligible = t?.subject ? eligibilityProblem(t.subject, body.destination.type) : undefined;
          if (ineligible) throw new ApiProblem('numberNotEligible', ineligible.message, [{ field: ineligible.field, message: ineligible.message }]);
          const refusal = t?.config ? topicPolicyRefusal(labelOf(t), t.config, body.destination) : undefined;
          if (refusal) throw new ApiProblem('destinationNotUsable', refusal, [{ field: 'destination.access.type', message: refusal }]);
          // Refused now, naming the field, rather than accepted and rolled back: foreign ARNs, missing resources,
          // and a topic or key policy the workflow would change without its owner's opt-in.
          await checkDestination(body.destination, where, deps.lookups);
          // An undo that would have to change a key policy nobody opted in: refused now, not a ROLLBACK_FAILED later.
          const setsRole = body.destination.type === 'connect' || body.destination.access.type === 'role';
          const undoRefusal = t?.config && where ? await readable(() => undoKeyRefusal(deps.lookups, where, t.config!, setsRole), 'kms:GetKeyPolicy') : undefined;
          if (undoRefusal) throw new ApiProblem('notOptedIn', undoRefusal, [{ field: 'destination', message: undoRefusal }]);
          return t!;
        },
        async (id, target) => ({
          // What an undo could not give back exactly, said before anything changes.
          context: target.config ? { notReversible: irreversibleChanges(labelOf(target), target.config, body.destination) } : {},
          input: {
            provisioningId: id,
            ...(target.kind === 'pool' ? { poolId: target.id } : { phoneNumberId: target.id }),
            destination: body.destination,
            requestedBy: ctx.caller,
            ...(body.ticket ? { ticket: body.ticket } : {}),
          },
        }),
      );
    },

    async deprovision(ctx) {
      const body = (ctx.body ?? {}) as DeprovisionBody;
      const ref = ctx.params.phoneNumberId!;
      return begin(
        ctx,
        'deprovision',
        { target: ref, ...body },
        async () => (await resolveTarget(ref, 'phoneNumberId', deps.sms, where, true))!,
        async (id, target) => {
          // Which destination is being removed, for the record and the console (the state machine finds it again).
          const current = await active.get(target.id);
          const destination = ApiDestination.safeParse(current?.destination);
          return {
            // Exactly the deprovision-two-way input (it has no destination: the state machine finds it).
            input: {
              provisioningId: id,
              ...(target.kind === 'pool' ? { poolId: target.id } : { phoneNumberId: target.id }),
              requestedBy: ctx.caller,
              ...(body.ticket ? { ticket: body.ticket } : {}),
            },
            context: destination.success ? { destination: destination.data } : {},
          };
        },
      );
    },

    async getProvisioning(ctx) {
      const id = ctx.params.id!;
      const [record, entries] = await Promise.all([requireRecord(id), ledger.all(id)]);
      const cached = record.status !== 'RUNNING' && record.endedAt ? await store.getSteps(id, record.endedAt) : undefined;
      let now = record;
      let steps: Detail['steps'];
      if (cached) {
        steps = cached as Detail['steps'];
      } else {
        const described = await describe(record.executionArn);
        const [fresh, events] = await Promise.all([refresh(record, described), described ? history(record.executionArn) : Promise.resolve([])]);
        now = fresh;
        steps = stepsOf(events);
        if (now.status !== 'RUNNING' && now.endedAt && described) await store.saveSteps(id, now.endedAt, steps);
      }
      const detail: Detail = {
        ...summaryOf(now),
        steps,
        resources: entries.map((e) => ({ ...e.data, kind: e.entry, status: e.status, updatedAt: e.updatedAt })),
        ...(now.redriveCount ? { redriveCount: now.redriveCount } : {}),
      };
      return { status: 200, body: detail };
    },

    async listProvisionings(ctx) {
      const q = ctx.query as z.infer<typeof ListQuery>;
      const limit = q.limit ?? LIST_DEFAULT_LIMIT;
      const scope = { t: q.phoneNumberId ?? null, s: q.status ?? null };
      const target = q.phoneNumberId ? await resolveTarget(q.phoneNumberId, 'phoneNumberId', deps.sms, where, false) : undefined;
      let start: PageKey | undefined;
      if (q.nextToken) start = pageKeyFromToken(q.nextToken, scope, target?.id);
      if (q.phoneNumberId && !target) return { status: 200, body: { items: [] } };
      // Stored statuses other than RUNNING are final (until a redrive, which the API records); a stored RUNNING
      // may have ended since, so RUNNING records are read along with the wanted status and checked.
      const statuses: Status[] | undefined = q.status ? [...new Set<Status>([q.status, 'RUNNING'])] : undefined;
      const items: Summary[] = [];
      let nextKey: PageKey | undefined;
      // One item more than asked tells whether there is a next page without an empty last one.
      pages: for (let pages = 0; pages < MAX_QUERY_PAGES; pages++) {
        const page = await store.page({ ...(target ? { targetId: target.id } : {}), ...(statuses ? { statuses } : {}), limit: limit + 1, ...(start ? { start } : {}) }).catch((e: unknown) => {
          // The token is rebuilt from checked parts, so DynamoDB should never refuse it; if it does, it is the token.
          if (q.nextToken && isAwsError(e, 'ValidationException')) throw badPageToken();
          throw e;
        });
        // A RUNNING record may have ended since; an ended one recorded by the notifier (status only) lacks its error
        // until someone reads it once from Step Functions: the list does, so it shows `error` without a detail read.
        const fresh = await Promise.all(page.records.map((r) => (needsRefresh(r) ? refresh(r).catch(() => r) : Promise.resolve(r))));
        for (let i = 0; i < fresh.length; i++) {
          const r = fresh[i]!;
          if (!q.status || r.status === q.status) items.push(summaryOf(r));
          if (items.length === limit) {
            if (i < fresh.length - 1 || page.last) nextKey = page.keys[i];
            break pages;
          }
        }
        if (!page.last) break;
        start = page.last;
        // A selective status filter may need many pages; stop reading here and let the client continue.
        if (pages === MAX_QUERY_PAGES - 1) nextKey = page.last;
      }
      return { status: 200, body: { items, ...(nextKey ? { nextToken: tokenOf(scope, nextKey, target?.id) } : {}) } };
    },

    async getAudit(ctx) {
      const record = await requireRecord(ctx.params.id!);
      const items = await audit.byProvisioning(record.id);
      return { status: 200, body: { items } };
    },

    async getHistory(ctx) {
      const record = await requireRecord(ctx.params.id!);
      const q = ctx.query as z.infer<typeof HistoryQuery>;
      try {
        const page = await deps.sfn.send(
          new GetExecutionHistoryCommand({ executionArn: record.executionArn, maxResults: q.limit ?? HISTORY_DEFAULT_LIMIT, ...(q.nextToken ? { nextToken: q.nextToken } : {}) }),
        );
        return { status: 200, body: { events: (page.events ?? []).map(eventJson), ...(page.nextToken ? { nextToken: page.nextToken } : {}) } };
      } catch (e) {
        if (isAwsError(e, 'InvalidToken')) throw invalid([{ field: 'nextToken', message: 'nextToken is not a token of this history' }]);
        if (isAwsError(e, 'ExecutionDoesNotExist')) return { status: 200, body: { events: [] } };
        throw dependencyProblem(e, 'states:GetExecutionHistory');
      }
    },

    async redrive(ctx) {
      const record = await requireRecord(ctx.params.id!);
      // Step Functions would accept it and re-run the final Fail state; a rolled-back provisioning has nothing left
      // to finish, so say what to do instead.
      if ((await refresh(record)).status === 'ROLLED_BACK') {
        throw new ApiProblem('notRedrivable', `provisioning ${record.id} was rolled back: nothing is left to finish; start a new provisioning once the cause is fixed`, [
          { field: 'id', message: 'rolled back, not redrivable' },
        ]);
      }
      // The redriven execution resumes past its AcquireLock: it must hold the number's lease again (an ABORTED or
      // TIMED_OUT one gave it up, and another provisioning may have started since). Taken before the redrive, so
      // two executions never work on one number; a 409 when another execution holds it.
      const before = await locks.get(record.targetId);
      const hadLease = before?.owner === record.executionArn;
      try {
        await locks.acquire(record.targetId, record.executionArn, NUMBER_LEASE_MS);
      } catch (e) {
        if (!(e instanceof NumberBusy)) throw e;
        throw new ApiProblem('numberBusy', `provisioning ${record.id} cannot be redriven now: ${e.message}; wait for that execution to end`, [{ field: 'id', message: 'the number is locked by another execution' }]);
      }
      let redriveDate: Date | undefined;
      try {
        redriveDate = (await deps.sfn.send(new RedriveExecutionCommand({ executionArn: record.executionArn }))).redriveDate;
      } catch (e) {
        // Not redriven: give back a lease this request took (one the execution already held stays with it).
        if (!hadLease) await locks.release(record.targetId, record.executionArn);
        if (isAwsError(e, 'ExecutionNotRedrivable')) {
          throw new ApiProblem('notRedrivable', `provisioning ${record.id} cannot be redriven: ${(e as Error).message}`, [{ field: 'id', message: 'execution is not redrivable' }]);
        }
        if (isAwsError(e, 'ExecutionDoesNotExist')) throw new ApiProblem('notFound', `the execution of provisioning ${record.id} no longer exists`, [{ field: 'id', message: 'execution not found' }]);
        throw dependencyProblem(e, 'states:RedriveExecution');
      }
      const d = await describe(record.executionArn);
      await store.markRedriven(record.id, d?.redriveCount ?? (record.redriveCount ?? 0) + 1);
      deps.log?.('info', 'execution redriven', { provisioningId: record.id, executionArn: record.executionArn, requestedBy: ctx.caller });
      return {
        status: 202,
        body: { id: record.id, executionArn: record.executionArn, status: 'RUNNING', redriveDate: (redriveDate ?? deps.clock()).toISOString() },
        headers: { Location: `/v1/provisionings/${record.id}` },
      };
    },
  };

  /**
   * Page tokens carry only the position (`<startedAt>#<id>` of the last item) and the filters they belong to; the
   * DynamoDB key is rebuilt from those checked parts, so a forged or altered token is either a well-formed
   * position (harmless: the listing just starts there) or a 400 naming nextToken, never a malformed key.
   */
  function tokenOf(scope: { t: string | null; s: string | null }, key: PageKey, targetId: string | undefined): string {
    const sortKey = targetId ? (key[TABLE.gsi1.sortKey] ?? '').slice('PROV#'.length) : (key[TABLE.gsi2.sortKey] ?? '');
    return encodeToken({ v: 2, t: scope.t, s: scope.s, p: sortKey });
  }

  function pageKeyFromToken(token: string, scope: { t: string | null; s: string | null }, targetId: string | undefined): PageKey {
    const t = decodeToken(token);
    if (!isRecord(t) || t.v !== 2 || t.t !== scope.t || t.s !== scope.s || typeof t.p !== 'string' || Object.keys(t).length !== 4) throw badPageToken();
    const m = PAGE_POSITION.exec(t.p);
    if (!m || Number.isNaN(Date.parse(m[1]!))) throw badPageToken();
    const [, startedAt, id] = m;
    const base = { [TABLE.partitionKey]: keys.provisioning(id!), [TABLE.sortKey]: 'META' };
    return targetId
      ? { ...base, [TABLE.gsi1.partitionKey]: keys.phone(targetId), [TABLE.gsi1.sortKey]: `PROV#${startedAt}#${id}` }
      : { ...base, [TABLE.gsi2.partitionKey]: keys.allProvisionings, [TABLE.gsi2.sortKey]: `${startedAt}#${id}` };
  }

  // ---- the router -----------------------------------------------------------------------------------------

  return async function api(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    try {
      return jsonResult(await route(event));
    } catch (e) {
      if (e instanceof ApiProblem) {
        if (e.status >= 500) deps.log?.('warn', 'request failed', { path: event.path, method: event.httpMethod, problem: e.kind });
        return problemResult(e);
      }
      const err = e instanceof Error ? e : new Error(String(e));
      // DynamoDB throttling or an unreachable endpoint is as transient as a throttled Step Functions.
      const transient = dependencyProblem(e, 'a dependency (DynamoDB)');
      if (transient instanceof ApiProblem) {
        deps.log?.('warn', 'dependency unavailable', { path: event.path, method: event.httpMethod, errorName: err.name });
        return problemResult(transient);
      }
      deps.log?.('error', 'request failed', { path: event.path, method: event.httpMethod, errorName: err.name, errorMessage: err.message });
      return problemResult(new ApiProblem('internal', `the request failed (${err.name}); it is safe to retry with the same Idempotency-Key`));
    }
  };

  async function route(event: APIGatewayProxyEvent): Promise<Reply> {
    const segments = splitPath(event.path);
    const { routes } = matchPath(segments);
    const method = (event.httpMethod ?? '').toUpperCase();
    const matched = routes.find((r) => r.route.method === method);
    const isPublic = matched?.route.public === true;
    const caller = callerOf(event);
    if (!isPublic && caller === undefined) {
      throw new ApiProblem('unauthenticated', 'this request has no authenticated caller', [], { 'WWW-Authenticate': 'Bearer realm="two-way-sms"' });
    }
    if (!routes.length) throw new ApiProblem('notFound', `no route ${event.path}`);
    if (!matched) {
      const allow = [...new Set(routes.map((r) => r.route.method))].join(', ');
      throw new ApiProblem('methodNotAllowed', `${method} is not allowed on ${event.path}; allowed: ${allow}`, [], { Allow: allow });
    }
    const spec = matched.route;

    const bytes = bodyBytes(event);
    if (bytes.length > maxBody) throw new ApiProblem('payloadTooLarge', `the request body is ${bytes.length} bytes; at most ${maxBody} are accepted`, [{ field: 'body', message: `at most ${maxBody} bytes` }]);

    const errors: FieldError[] = [];
    const params = validate(spec.pathParams, matched.params, 'path', errors);
    // A route without query parameters ignores the query (only /healthz and /openapi.json: every /v1 route has a schema).
    const query = spec.query ? validate(spec.query, queryOf(event, errors), 'query', errors) : undefined;
    let idempotencyKey: string | undefined;
    if (spec.idempotent) {
      const values = headerValues(event, 'Idempotency-Key');
      if (values.length > 1) errors.push({ field: 'Idempotency-Key', message: 'give the Idempotency-Key header once' });
      else if (values.length === 1) {
        const parsed = IdempotencyKey.safeParse(values[0]);
        if (parsed.success) idempotencyKey = parsed.data;
        else errors.push({ field: 'Idempotency-Key', message: parsed.error.issues[0]?.message ?? 'invalid' });
      }
    }
    let body: unknown;
    if (spec.body) {
      if (bytes.length === 0) {
        if (spec.body.required) errors.push({ field: 'body', message: 'a JSON body is required' });
      } else {
        const contentType = headerValues(event, 'Content-Type')[0];
        if (!isJsonContentType(contentType)) {
          throw new ApiProblem('unsupportedMediaType', `the body must be application/json, not ${contentType ? `'${contentType.slice(0, 100)}'` : 'untyped'}`, [{ field: 'Content-Type', message: 'must be application/json' }]);
        }
        let raw: unknown;
        let text: string;
        try {
          text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
          raw = JSON.parse(text);
        } catch (e) {
          throw new ApiProblem('malformedJson', `the body is not valid JSON: ${e instanceof SyntaxError ? e.message : 'not UTF-8'}`, [{ field: 'body', message: 'not valid JSON' }]);
        }
        // Valid JSON can still be ambiguous (a repeated key) or carry text that displays as something else.
        const strict = [...strictJsonProblems(text), ...unsafeTextProblems(raw)];
        // Such a body is not looked at further: what it means is ambiguous, and the schema's messages would echo it.
        if (strict.length) errors.push(...strict);
        else body = validate(spec.body.schema, raw, 'body', errors);
        if (spec.operationId === 'startProvisioning' && !strict.length && isRecord(raw)) {
          const hasNumber = raw.phoneNumberId !== undefined;
          const hasPool = raw.poolId !== undefined;
          if (hasNumber === hasPool) errors.push({ field: 'phoneNumberId', message: hasNumber ? 'give phoneNumberId or poolId, not both' : 'give phoneNumberId (or poolId)' });
        }
      }
    }
    if (errors.length) throw invalid(errors);
    return handlers[spec.operationId]({ event, route: spec, caller: caller ?? 'anonymous', params: params as Record<string, string>, query: query as Record<string, unknown>, body, ...(idempotencyKey ? { idempotencyKey } : {}) });
  }
}

// ---- helpers ----------------------------------------------------------------------------------------------

/** `<startedAt>#<provisioning id>`: an RFC 3339 UTC time as the API writes it, and a provisioning id. */
const PAGE_POSITION = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z)#([0-9A-Za-z_-]{8,64})$/;

function badPageToken(): ApiProblem {
  return invalid([{ field: 'nextToken', message: 'nextToken is not a token of this listing (same filters required)' }]);
}

/**
 * Records whose stored state may be behind their execution: still RUNNING, or failed with no error recorded yet
 * (a failed execution always has one; an ABORTED one may not, so it is not read again on every listing).
 */
function needsRefresh(r: ProvisioningRecord): boolean {
  return r.status === 'RUNNING' || ((r.status === 'ROLLED_BACK' || r.status === 'ROLLBACK_FAILED') && r.error === undefined);
}

function validate(schema: z.ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body', errors: FieldError[]): unknown {
  if (!schema) return value;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  errors.push(...fieldErrors(r.error.issues, [], where === 'body' ? 'body' : where));
  return undefined;
}

/**
 * Query parameters, each at most once (a repeated one is an error, not silently the last). Keys are the client's:
 * the result has no prototype and lookups go through `Object.hasOwn`, so `__proto__`, `constructor` or `toString`
 * are plain (unknown) keys, never inherited members.
 */
function queryOf(event: APIGatewayProxyEvent, errors: FieldError[]): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  const multi = event.multiValueQueryStringParameters ?? {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) {
    if (typeof v !== 'string') continue;
    const field = printable(k);
    const values = Object.hasOwn(multi, k) ? multi[k] : undefined;
    if (Array.isArray(values) && values.length > 1) errors.push({ field, message: `give ${field} once` });
    if (field !== k) errors.push({ field, message: `the parameter name contains ${UNSAFE_TEXT_WHAT}` });
    out[k] = v;
  }
  return out;
}

function splitPath(path: string | undefined): string[] {
  const p = (path ?? '/').split('?')[0]!;
  return p
    .split('/')
    .slice(1)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        // Not percent-decodable: no route has such a segment, and no parameter accepts '%'.
        return s;
      }
    });
}

/** The authenticated caller: the IAM principal on AWS (API Gateway's IAM authorizer), the token's name locally. */
function callerOf(event: APIGatewayProxyEvent): string | undefined {
  const identity = event.requestContext?.identity;
  const who = identity?.userArn ?? identity?.caller ?? undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (typeof who !== 'string' || who.length === 0 || who.length > 2048 || /[\u0000-\u001f\u007f]/.test(who)) return undefined;
  return who;
}

function fieldOf(target: Target): string {
  return target.kind === 'pool' ? 'poolId' : 'phoneNumberId';
}

function sameOutcome(r: ProvisioningRecord, o: ExecutionOutcome): boolean {
  return r.status === o.status && r.endedAt === o.endedAt && (r.redriveCount ?? 0) === (o.redriveCount ?? 0) && canonicalJson(r.error ?? null) === canonicalJson(o.error ?? null);
}

function summaryOf(r: ProvisioningRecord): Summary {
  return {
    id: r.id,
    operation: r.operation,
    status: STATUSES.includes(r.status) ? r.status : 'RUNNING',
    executionArn: r.executionArn,
    ...(r.phoneNumberId ? { phoneNumberId: r.phoneNumberId } : {}),
    ...(r.poolId ? { poolId: r.poolId } : {}),
    ...(r.destination !== undefined ? { destination: r.destination as Summary['destination'] } : {}),
    requestedBy: r.requestedBy,
    ...(r.ticket !== undefined ? { ticket: r.ticket as Summary['ticket'] } : {}),
    ...(r.notReversible?.length ? { notReversible: r.notReversible } : {}),
    startedAt: r.startedAt,
    ...(r.endedAt ? { endedAt: r.endedAt } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}

function acceptedOf(r: ProvisioningRecord): Accepted {
  const { status: _s, endedAt: _e, error: _r, ...rest } = summaryOf(r);
  return { ...rest, status: 'RUNNING' };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
