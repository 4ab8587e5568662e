import { ConnectClient } from '@aws-sdk/client-connect';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ActiveProvisionings, AuditLog, Ledger, LockStore, References } from './store';
import type { AuditScope } from './store';

/**
 * What every task is given: narrow AWS clients (only `send`), the stores, the clock and settings.
 * Built once per Lambda container (module scope of each handler) or once per local process; tests build
 * their own. Endpoints are configuration only: `AWS_ENDPOINT_URL` points the same clients at the sandbox.
 */
export interface TaskDeps {
  sms: Pick<PinpointSMSVoiceV2Client, 'send'>;
  sns: Pick<SNSClient, 'send'>;
  iam: Pick<IAMClient, 'send'>;
  kms: Pick<KMSClient, 'send'>;
  connect: Pick<ConnectClient, 'send'>;
  sts: Pick<STSClient, 'send'>;
  audit: AuditLog;
  ledger: Ledger;
  locks: LockStore;
  refs: References;
  active: ActiveProvisionings;
  clock: () => Date;
  config: TaskConfig;
}

/** A number's lease: the provision machine times out after 7200 s; five minutes more, so a live execution never loses it. */
export const NUMBER_LEASE_MS = 125 * 60 * 1000;

export interface TaskConfig {
  region: string;
  partition: string;
  /** The account the tasks act in; learnt from STS when not configured. */
  accountId?: string;
  tableName: string;
  /**
   * How long a number's lease lasts: longer than the longest execution, which the state machines' top-level
   * TimeoutSeconds bounds (1 hour; test/unit/workflow/budget.test.ts keeps the two in that order).
   */
  lockLeaseMs: number;
  /** How long a key-policy writer holds the key's lease. */
  keyLeaseMs: number;
  /** CheckImport gives up after this many polls (with the ASL Wait between them). */
  importPollLimit: number;
  /**
   * ARN of the managed policy every role this service creates carries as its permissions boundary
   * (`PERMISSIONS_BOUNDARY_ARN`; the stack's policy, or the local runtime's copy in the sandbox). On AWS the task
   * roles may create and change roles only with exactly this boundary, so leaving it unset fails there.
   */
  permissionsBoundaryArn?: string;
}

/** The event every task receives from the ASL (`Parameters` of each Task state). */
export interface TaskEvent {
  request: unknown;
  results: Record<string, unknown>;
  executionArn: string;
  /** The state (locally) or task (on Lambda) name: the audit's `step`. */
  state: string;
  /** Compensations: whose ledger to undo, and why (`rollback` of this provisioning, or `deprovision`). */
  undo?: { provisioningId: string; mode: 'rollback' | 'deprovision' };
}

/** Tags on everything this service creates: proof of ownership, checked before any adopt or delete. */
export const TAGS = {
  managedBy: 'two-way-sms:managed-by',
  managedByValue: 'two-way-sms',
  provisioningId: 'two-way-sms:provisioning-id',
  phoneNumberId: 'two-way-sms:phone-number-id',
} as const;

/** IAM path of the roles this service creates; the deployed task roles may manage only roles under it. */
export const ROLE_PATH = '/two-way-sms/';

export function readConfig(env: NodeJS.ProcessEnv = process.env): TaskConfig {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const tableName = env.TABLE_NAME ?? 'two-way-sms';
  const int = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer, not '${raw}'`);
    return v;
  };
  return {
    region,
    partition: region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws',
    ...(env.AWS_ACCOUNT_ID ? { accountId: env.AWS_ACCOUNT_ID } : {}),
    tableName,
    lockLeaseMs: int('LOCK_LEASE_MS', NUMBER_LEASE_MS),
    keyLeaseMs: int('KEY_LEASE_MS', 30 * 1000),
    importPollLimit: int('IMPORT_POLL_LIMIT', 60),
    ...(env.PERMISSIONS_BOUNDARY_ARN ? { permissionsBoundaryArn: env.PERMISSIONS_BOUNDARY_ARN } : {}),
  };
}

/**
 * Where the AWS clients point when not at AWS itself. Normally empty: the SDK reads `AWS_ENDPOINT_URL` from
 * the environment. Tests and the local runtime in one process pass endpoints explicitly.
 */
export interface ClientOptions {
  endpoint?: string;
  dynamoEndpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
  /** Applied to every AWS client once built (the Lambda handlers record each call as an X-Ray subsegment). */
  instrument?: <C extends object>(client: C) => C;
}

/** Builds the dependencies: from the environment on Lambda, or with explicit endpoints locally and in tests. */
export function createDeps(config: TaskConfig = readConfig(), clock: () => Date = () => new Date(), clients: ClientOptions = {}): TaskDeps {
  const base = {
    region: config.region,
    ...(clients.credentials ? { credentials: clients.credentials } : {}),
    ...(clients.maxAttempts !== undefined ? { maxAttempts: clients.maxAttempts } : {}),
  };
  const common = { ...base, ...(clients.endpoint ? { endpoint: clients.endpoint } : {}) };
  const dynamo = { ...base, ...(clients.dynamoEndpoint ?? clients.endpoint ? { endpoint: clients.dynamoEndpoint ?? clients.endpoint } : {}) };
  const wrap = clients.instrument ?? (<C,>(c: C): C => c);
  const doc = DynamoDBDocumentClient.from(wrap(new DynamoDBClient(dynamo)), { marshallOptions: { removeUndefinedValues: true } });
  return {
    sms: wrap(new PinpointSMSVoiceV2Client(common)),
    sns: wrap(new SNSClient(common)),
    iam: wrap(new IAMClient(common)),
    kms: wrap(new KMSClient(common)),
    connect: wrap(new ConnectClient(common)),
    sts: wrap(new STSClient(common)),
    audit: new AuditLog(doc, config.tableName, clock),
    ledger: new Ledger(doc, config.tableName, clock),
    locks: new LockStore(doc, config.tableName, clock),
    refs: new References(doc, config.tableName, clock),
    active: new ActiveProvisionings(doc, config.tableName),
    clock,
    config,
  };
}

const accountCache = new WeakMap<TaskDeps, Promise<string>>();

/** The account id: configured, or learnt once from STS GetCallerIdentity. */
export async function accountIdOf(deps: TaskDeps): Promise<string> {
  if (deps.config.accountId) return deps.config.accountId;
  let p = accountCache.get(deps);
  if (!p) {
    p = deps.sts.send(new GetCallerIdentityCommand({})).then((r) => {
      if (!r.Account) throw new Error('STS GetCallerIdentity returned no account');
      return r.Account;
    });
    accountCache.set(deps, p);
  }
  return p;
}

/** The audit scope of a task invocation: who (the requester), what (provisioning, number), which execution. */
export function auditScope(request: { provisioningId: string; requestedBy: string }, phoneNumberId: string, executionArn: string): AuditScope {
  return { provisioningId: request.provisioningId, phoneNumberId, executionArn, actor: request.requestedBy };
}
