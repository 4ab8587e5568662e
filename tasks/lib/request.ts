import { z } from 'zod';
import { InvalidInput } from './errors';

/**
 * The provisioning request as the state machine receives it. The REST API validates the same shapes
 * (it imports these schemas), so a request that reaches a task has already passed once; tasks parse again
 * because a state machine can also be started directly.
 */

/**
 * Characters no request string may hold: C0 controls and DEL (log and header injection), C1 controls
 * (U+0080-U+009F: some terminals and log viewers act on them), and the bidirectional overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069: they make text display in another order than it is stored, so a ticket key
 * shown in the console or an audit record could read as something else).
 */
// Also refused: the invisible bidirectional marks (U+061C, U+200E, U+200F), the byte-order mark U+FEFF, and a lone
// UTF-16 surrogate (not Unicode at all: stored, it makes every JSON list that includes it unreadable to strict
// parsers).
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
export const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** What `UNSAFE_TEXT` refuses, in the words of every error message that names it. */
export const UNSAFE_TEXT_WHAT = 'control characters, bidirectional controls, byte-order marks and lone surrogates';
/** A whole string free of `UNSAFE_TEXT` (for schemas, which the OpenAPI document can then describe). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
export const SAFE_TEXT = /^(?:[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])+$/;

const name = (what: string, max: number) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`)
    .regex(/^[A-Za-z0-9_+=,.@-]+$/, `${what} may contain only letters, digits and _+=,.@-`);

export const TopicSpec = z.union([
  z.strictObject({
    create: z.strictObject({
      // SNS topic names: up to 256 letters, digits, hyphens, underscores. FIFO names are refused later, with a reason.
      name: z.string().min(1).max(256).regex(/^[A-Za-z0-9_-]+(\.fifo)?$/, 'topic name may contain only letters, digits, hyphens and underscores'),
      kmsKeyId: z
        .string()
        .min(1)
        .max(2048)
        .regex(/^(alias\/[A-Za-z0-9/_-]+|[0-9a-f-]{36}|mrk-[0-9a-f]{32}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+)$/, 'kmsKeyId must be a key id, key ARN, alias name or alias ARN')
        .optional(),
    }),
  }),
  z.strictObject({
    arn: z
      .string()
      .max(2048)
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, 'topic.arn must be an SNS topic ARN, arn:aws:sns:<region>:<account>:<name>'),
  }),
]);

export const RoleSpec = z.union([
  z.strictObject({ create: z.strictObject({ name: name('role name', 64).optional() }) }),
  z.strictObject({
    arn: z
      .string()
      .max(2048)
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'role.arn must be an IAM role ARN')
      // No empty, "." or ".." path segments: an ARN, not a path to traverse.
      .regex(/^(?!.*\/\.{1,2}(\/|$))(?!.*\/\/)/, 'role.arn must not contain empty, "." or ".." path segments'),
  }),
]);

export const SnsDestination = z.strictObject({
  type: z.literal('sns'),
  topic: TopicSpec,
  access: z.union([z.strictObject({ type: z.literal('role'), role: RoleSpec }), z.strictObject({ type: z.literal('topicPolicy') })]),
});

export const ConnectDestination = z.strictObject({
  type: z.literal('connect'),
  instanceId: z
    .string()
    .max(250)
    .regex(/^([0-9a-f-]{36}|arn:aws[a-z-]*:connect:[a-z0-9-]+:\d{12}:instance\/[0-9a-f-]{36})$/, 'instanceId must be a Connect instance id or ARN'),
  role: RoleSpec,
  contactFlowId: z
    .string()
    .max(500)
    .regex(/^[A-Za-z0-9:/_-]+$/, 'contactFlowId must be a contact flow id or ARN')
    .optional(),
});

export const Destination = z.discriminatedUnion('type', [SnsDestination, ConnectDestination]);

/** A phone number id, its ARN, or its E.164 number (found by listing). */
export const PhoneNumberRef = z
  .string()
  .max(256)
  .regex(/^(phone-[0-9a-zA-Z]+|\+[1-9]\d{1,14}|arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:phone-number\/[0-9a-zA-Z-]+)$/, 'phoneNumberId must be a phone number id, its ARN, or an E.164 number');

export const PoolRef = z
  .string()
  .max(256)
  .regex(/^(pool-[0-9a-zA-Z]+|arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:pool\/[0-9a-zA-Z-]+)$/, 'poolId must be a pool id or its ARN');

export const Ticket = z.strictObject({
  system: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'ticket.system may contain only letters, digits and ._-'),
  key: z.string().min(1).max(256).regex(SAFE_TEXT, `ticket.key must not contain ${UNSAFE_TEXT_WHAT}`),
  // Stored and echoed, never fetched.
  url: z.string().url().max(2048).regex(/^https?:\/\//, 'ticket.url must be an http or https URL').regex(SAFE_TEXT, `ticket.url must not contain ${UNSAFE_TEXT_WHAT}`).optional(),
});

export const ProvisionRequest = z
  .strictObject({
    provisioningId: z.string().regex(/^[0-9A-Za-z_-]{8,64}$/, 'provisioningId must be 8-64 letters, digits, _ or -'),
    phoneNumberId: PhoneNumberRef.optional(),
    poolId: PoolRef.optional(),
    destination: Destination,
    requestedBy: z.string().min(1).max(2048),
    ticket: Ticket.optional(),
  })
  .refine((r) => (r.phoneNumberId === undefined) !== (r.poolId === undefined), { message: 'give exactly one of phoneNumberId and poolId', path: ['phoneNumberId'] });

export type ProvisionRequest = z.infer<typeof ProvisionRequest>;
export type Destination = z.infer<typeof Destination>;
export type SnsDestination = z.infer<typeof SnsDestination>;
export type ConnectDestination = z.infer<typeof ConnectDestination>;

export const DeprovisionRequest = z
  .strictObject({
    provisioningId: z.string().regex(/^[0-9A-Za-z_-]{8,64}$/, 'provisioningId must be 8-64 letters, digits, _ or -'),
    phoneNumberId: PhoneNumberRef.optional(),
    poolId: PoolRef.optional(),
    requestedBy: z.string().min(1).max(2048),
    ticket: Ticket.optional(),
  })
  .refine((r) => (r.phoneNumberId === undefined) !== (r.poolId === undefined), { message: 'give exactly one of phoneNumberId and poolId', path: ['phoneNumberId'] });

export type DeprovisionRequest = z.infer<typeof DeprovisionRequest>;

/** Parses with a schema; every problem is reported at once, each naming its field (`destination.topic.create.name`). */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, what = 'input'): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : what}: ${i.message}`);
  const first = result.error.issues[0];
  throw new InvalidInput(`invalid ${what}: ${problems.join('; ')}`, first?.path.length ? { field: first.path.join('.') } : {});
}
