import { z } from 'zod';
import 'zod-openapi';
import { ConnectDestination, Destination, PhoneNumberRef, PoolRef, RoleSpec, SAFE_TEXT, SnsDestination, UNSAFE_TEXT_WHAT, Ticket, TopicSpec } from '../tasks/lib/request';

/**
 * The API's schemas: they validate requests, type the handlers and generate `/openapi.json`, so the document
 * cannot drift from the code. Request shapes are those of `tasks/lib/request.ts` (the state machine parses its
 * input with them again). The checks below repeat, on purpose and at the edge, the ones the task schema makes
 * against characters that have no business in an ARN, a key id or a ticket: quotes, `*`, braces (policy
 * injection), `.`/`..` path segments (path traversal), control characters (log injection), non-http URLs.
 */

// ---- tightened leaves -------------------------------------------------------------------------------------

const [TopicCreate, TopicByArn] = TopicSpec.options;
const [RoleCreate, RoleByArn] = RoleSpec.options;
const [AccessRole, AccessTopicPolicy] = SnsDestination.shape.access.options;

const TopicArn = TopicByArn.shape.arn.regex(
  /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/,
  'topic.arn must be an SNS topic ARN, arn:aws:sns:<region>:<account>:<name>, the name made of letters, digits, - and _',
);

const KmsKeyId = TopicCreate.shape.create.shape.kmsKeyId
  .unwrap()
  .regex(/^[A-Za-z0-9:/_-]+$/, 'kmsKeyId may contain only letters, digits and :/_-');

const RoleArn = RoleByArn.shape.arn.regex(/^(?!.*\/\.{1,2}(\/|$))(?!.*\/\/)/, 'role.arn must not contain empty, "." or ".." path segments');

export const ApiRoleSpec = z.union([RoleCreate, RoleByArn.extend({ arn: RoleArn })]);

export const ApiTopicSpec = z.union([TopicCreate.extend({ create: TopicCreate.shape.create.extend({ kmsKeyId: KmsKeyId.optional() }) }), TopicByArn.extend({ arn: TopicArn })]);

export const ApiDestination = z
  .discriminatedUnion('type', [
    SnsDestination.extend({ topic: ApiTopicSpec, access: z.union([AccessRole.extend({ role: ApiRoleSpec }), AccessTopicPolicy]) }),
    ConnectDestination.extend({ role: ApiRoleSpec }),
  ])
  .meta({ id: 'Destination', description: 'Where inbound messages go: an SNS topic (created or existing, with a role or a topic policy) or an Amazon Connect instance.' });

export const ApiTicket = Ticket.extend({
  system: Ticket.shape.system.regex(/^[A-Za-z0-9._-]+$/, 'ticket.system may contain only letters, digits and ._-'),
  key: Ticket.shape.key.regex(SAFE_TEXT, `ticket.key must not contain ${UNSAFE_TEXT_WHAT}`),
  url: Ticket.shape.url.unwrap().regex(/^https?:\/\//, 'ticket.url must be an http or https URL').optional(),
}).meta({ id: 'Ticket', description: 'The ticket this change belongs to; stored and echoed, never fetched.' });

// Compile-time guard: what the API accepts is what the state machine accepts.
type Assignable<A, B> = A extends B ? true : never;
const _destinationIsTaskDestination: Assignable<z.infer<typeof ApiDestination>, Destination> = true;
void _destinationIsTaskDestination;

// ---- identifiers ------------------------------------------------------------------------------------------

/** Provisioning ids are ULIDs; the pattern is the state machine's `provisioningId` rule. */
export const ProvisioningId = z
  .string()
  .regex(/^[0-9A-Za-z_-]{8,64}$/, 'id must be 8-64 letters, digits, _ or -')
  .meta({ id: 'ProvisioningId', description: 'The provisioning id (a ULID); also the Step Functions execution name.', example: '01JZ8Q9V1TQ4M7N2K3X5Y6Z7A8' });

/** A phone number (id, ARN or E.164) or a pool (id or ARN). */
export const TargetRef = z.union([PhoneNumberRef, PoolRef]).meta({ description: 'A phone number id, its ARN or its E.164 number; or a pool id or pool ARN.' });

export const STATUSES = ['RUNNING', 'SUCCEEDED', 'ROLLED_BACK', 'ROLLBACK_FAILED', 'ABORTED'] as const;
export const Status = z.enum(STATUSES).meta({ id: 'ProvisioningStatus' });
export type Status = z.infer<typeof Status>;

export const OPERATIONS = ['provision', 'deprovision'] as const;
export const Operation = z.enum(OPERATIONS).meta({ description: '`provision` (POST /v1/provisionings) or `deprovision` (DELETE .../two-way).' });
export type Operation = z.infer<typeof Operation>;

// ---- requests ---------------------------------------------------------------------------------------------

export const ProvisionBody = z
  .strictObject({
    phoneNumberId: PhoneNumberRef.optional(),
    poolId: PoolRef.optional().meta({ description: 'Provision a pool instead of a number (an extension of the DESIGN contract: pooled numbers are configured through their pool).' }),
    destination: ApiDestination,
    ticket: ApiTicket.optional(),
  })
  .meta({
    id: 'ProvisionRequest',
    description: 'Exactly one of `phoneNumberId` and `poolId`.',
    override: { oneOf: [{ required: ['phoneNumberId'] }, { required: ['poolId'] }] },
  });
export type ProvisionBody = z.infer<typeof ProvisionBody>;

export const DeprovisionBody = z.strictObject({ ticket: ApiTicket.optional() }).meta({ id: 'DeprovisionRequest', description: 'Optional: the ticket the change belongs to.' });
export type DeprovisionBody = z.infer<typeof DeprovisionBody>;

const Limit = (max: number, def: number) =>
  z.coerce
    .number()
    .int('limit must be an integer')
    .min(1, 'limit must be at least 1')
    .max(max, `limit must be at most ${max}`)
    .optional()
    .meta({ description: `Page size, 1-${max} (default ${def}).` });

/** Opaque pagination tokens are base64url (ours) or Step Functions' own tokens (printable ASCII). */
const NextToken = z
  .string()
  .min(1)
  .max(2048, 'nextToken must be at most 2048 characters')
  .regex(/^[\x21-\x7e]+$/, 'nextToken must be the value of a previous response')
  .meta({ description: 'The `nextToken` of the previous page; opaque.' });

export const LIST_DEFAULT_LIMIT = 25;
export const HISTORY_DEFAULT_LIMIT = 100;

export const ListQuery = z.strictObject({
  phoneNumberId: TargetRef.optional(),
  status: Status.optional(),
  limit: Limit(100, LIST_DEFAULT_LIMIT),
  nextToken: NextToken.optional(),
});

export const HistoryQuery = z.strictObject({
  limit: Limit(1000, HISTORY_DEFAULT_LIMIT),
  nextToken: NextToken.optional(),
});

export const NoQuery = z.strictObject({});

export const IdPath = z.strictObject({ id: ProvisioningId });
export const TargetPath = z.strictObject({ phoneNumberId: TargetRef });

export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,128}$/, 'Idempotency-Key must be 1-128 visible ASCII characters')
  .meta({ description: 'Repeat a request safely: the same key and body from the same caller return the same provisioning (202, `Idempotent-Replayed: true`); the same key with another body is 422. Kept 24 hours.' });

export const IdempotencyHeaders = z.object({ 'Idempotency-Key': IdempotencyKey.optional() });

// ---- responses --------------------------------------------------------------------------------------------

const Timestamp = z.iso.datetime({ offset: true }).meta({ description: 'RFC 3339 date-time (UTC).' });

export const ErrorInfo = z.object({ name: z.string(), message: z.string() }).meta({ id: 'ErrorInfo', description: 'An error: its name (the ASL error name) and message.' });

export const STEP_STATUSES = ['running', 'succeeded', 'failed', 'caught'] as const;
export const Step = z
  .object({
    name: z.string().meta({ description: 'The state name, exactly as in the state machine definition.' }),
    type: z.string().meta({ description: 'The ASL state type: Task, Pass, Choice, Wait, Succeed, Fail, ...' }),
    status: z.enum(STEP_STATUSES).meta({ description: '`caught`: the state failed and a Catch moved the execution on (to the compensations).' }),
    enteredAt: Timestamp,
    exitedAt: Timestamp.optional(),
    retries: z.number().int().min(0),
    error: ErrorInfo.optional(),
  })
  .meta({ id: 'Step', description: 'One state the execution entered, in order.' });
export type Step = z.infer<typeof Step>;

export const Resource = z
  .object({
    kind: z.string().meta({ description: 'The ledger entry: topic, role, topicStatement, keyStatement, twoWay, connectImport, contactFlow, beforeImage.' }),
    status: z.enum(['intent', 'done', 'undone', 'skipped']).meta({ description: '`skipped`: it already existed (not done by this provisioning; never undone).' }),
    updatedAt: Timestamp,
  })
  .catchall(z.unknown())
  .meta({ id: 'Resource', description: 'A write-ahead ledger entry of this provisioning, with its data (ARNs, before-images).' });

const target = {
  phoneNumberId: z.string().optional().meta({ description: 'The phone number id (resolved from an ARN or E.164 at request time).' }),
  poolId: z.string().optional().meta({ description: 'The pool id, for pool provisionings.' }),
};

const summaryFields = {
  id: ProvisioningId,
  operation: Operation,
  executionArn: z.string(),
  ...target,
  destination: ApiDestination.optional(),
  requestedBy: z.string().meta({ description: 'The authenticated caller (IAM principal ARN on AWS, `local:<name>` locally).' }),
  ticket: ApiTicket.optional(),
  notReversible: z
    .array(z.string())
    .optional()
    .meta({ description: 'What an undo (rollback or deprovisioning) could not give back exactly, known before anything changed: "not exactly reversible: …" (AWS cannot clear TwoWayChannelRole or TwoWayChannelArn once set).' }),
  startedAt: Timestamp,
};

export const Accepted = z
  .object({ ...summaryFields, status: z.literal('RUNNING') })
  .meta({ id: 'ProvisioningAccepted', description: 'The execution was started; poll `GET /v1/provisionings/{id}`.' });
export type Accepted = z.infer<typeof Accepted>;

export const Summary = z
  .object({ ...summaryFields, status: Status, endedAt: Timestamp.optional(), error: ErrorInfo.optional() })
  .meta({ id: 'ProvisioningSummary' });
export type Summary = z.infer<typeof Summary>;

export const Detail = z
  .object({
    ...summaryFields,
    status: Status,
    endedAt: Timestamp.optional(),
    error: ErrorInfo.optional().meta({ description: 'ROLLED_BACK: the original error that started the rollback; ROLLBACK_FAILED: the compensation error.' }),
    steps: z.array(Step),
    resources: z.array(Resource),
    redriveCount: z.number().int().min(0).optional(),
  })
  .meta({ id: 'Provisioning' });
export type Detail = z.infer<typeof Detail>;

export const ListResponse = z.object({ items: z.array(Summary), nextToken: z.string().optional() }).meta({ id: 'ProvisioningList' });

export const AuditRecord = z
  .object({
    id: z.string(),
    provisioningId: z.string(),
    phoneNumberId: z.string(),
    phase: z.enum(['intent', 'outcome', 'note']),
    note: z.string().optional().meta({ description: 'A decision that is not an AWS call: "not exactly reversible: …", or a role retained because AWS cannot clear TwoWayChannelRole.' }),
    intentId: z.string().optional(),
    step: z.string(),
    action: z.string(),
    resourceArn: z.string().optional(),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
    outcome: z.enum(['succeeded', 'failed']).optional(),
    error: ErrorInfo.optional(),
    actor: z.string(),
    executionArn: z.string(),
    at: Timestamp,
  })
  .meta({ id: 'AuditRecord', description: 'An append-only audit record: `intent` before an AWS mutation (with the before-image), `outcome` after it, `note` for a decision that is not a call.' });

export const AuditResponse = z.object({ items: z.array(AuditRecord) }).meta({ id: 'AuditTrail' });

export const HistoryEvent = z
  .object({ id: z.number().int(), previousEventId: z.number().int().optional(), type: z.string(), timestamp: Timestamp })
  .catchall(z.unknown())
  .meta({ id: 'HistoryEvent', description: 'A Step Functions history event, as GetExecutionHistory returns it (timestamps as RFC 3339).' });

export const HistoryResponse = z.object({ events: z.array(HistoryEvent), nextToken: z.string().optional() }).meta({ id: 'ExecutionHistory' });

export const RedriveResponse = z
  .object({ id: ProvisioningId, executionArn: z.string(), status: z.literal('RUNNING'), redriveDate: Timestamp })
  .meta({ id: 'RedriveAccepted' });

export const HealthResponse = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details; `errors` names every offending field.' });
