import { z } from 'zod';
import type { ConnectState } from './services/connect/model';
import type { IamState } from './services/iam/model';
import type { KmsState } from './services/kms/model';
import type { SmsVoiceState } from './services/sms-voice/model';
import type { SnsState } from './services/sns/model';
import type { InboundRecord, SandboxSettings } from './state';

/**
 * The shape of each sandbox state slice as it is stored in `DATA_DIR/sandbox-state/<slice>.json`, checked when
 * the sandbox starts: a file that is damaged or was edited into another shape must stop the start, not be
 * served as an empty or half-read service (an empty `{}` would silently drop every resource of that service).
 *
 * Records are loose objects: a field a newer version adds is kept, not refused. The `satisfies` checks at the
 * bottom make the compiler fail if a model gains a required field that these schemas do not check.
 */

const text = z.string();
const stringMap = z.record(z.string(), z.string());
const count = z.int().nonnegative();

/** A map whose keys are the ids of its values (what every service looks records up by). */
function keyedBy<T extends z.ZodType<Record<string, unknown>>>(value: T, idField: string) {
  return z.record(z.string(), value).superRefine((map, ctx) => {
    for (const [key, v] of Object.entries(map)) {
      if (v[idField] !== key) ctx.addIssue({ code: 'custom', path: [key, idField], message: `is ${JSON.stringify(v[idField])}, but the record is stored under '${key}'` });
    }
  });
}

const phoneNumber = z.looseObject({
  PhoneNumberArn: text,
  PhoneNumberId: text,
  PhoneNumber: text,
  Status: z.enum(['PENDING', 'ACTIVE', 'ASSOCIATING', 'DISASSOCIATING', 'DELETED']),
  IsoCountryCode: text,
  MessageType: z.enum(['TRANSACTIONAL', 'PROMOTIONAL']),
  NumberCapabilities: z.array(text),
  NumberType: z.enum(['SHORT_CODE', 'LONG_CODE', 'TOLL_FREE', 'TEN_DLC', 'SIMULATOR']),
  MonthlyLeasingPrice: text,
  TwoWayEnabled: z.boolean(),
  TwoWayChannelArn: text.optional(),
  TwoWayChannelRole: text.optional(),
  SelfManagedOptOutsEnabled: z.boolean(),
  OptOutListName: text,
  InternationalSendingEnabled: z.boolean(),
  DeletionProtectionEnabled: z.boolean(),
  PoolId: text.optional(),
  RegistrationId: text.optional(),
  CreatedTimestamp: text,
  Tags: stringMap,
  ClientToken: text.optional(),
});

const pool = z.looseObject({
  PoolArn: text,
  PoolId: text,
  Status: z.enum(['CREATING', 'ACTIVE', 'DELETING']),
  MessageType: z.enum(['TRANSACTIONAL', 'PROMOTIONAL']),
  TwoWayEnabled: z.boolean(),
  TwoWayChannelArn: text.optional(),
  TwoWayChannelRole: text.optional(),
  SelfManagedOptOutsEnabled: z.boolean(),
  OptOutListName: text,
  SharedRoutesEnabled: z.boolean(),
  DeletionProtectionEnabled: z.boolean(),
  CreatedTimestamp: text,
  Tags: stringMap,
  OriginationIdentities: z.array(text),
  ClientToken: text.optional(),
});

const smsVoice = z.looseObject({ phoneNumbers: keyedBy(phoneNumber, 'PhoneNumberId'), pools: keyedBy(pool, 'PoolId') });

const topic = z.looseObject({
  TopicArn: text,
  Name: text,
  Attributes: stringMap,
  Tags: stringMap,
  CreatedAt: text,
  SubscriptionsDeleted: count.optional(),
  LastSequenceNumber: count.optional(),
  Deduplication: z.record(z.string(), z.looseObject({ messageId: text, sequenceNumber: text, at: text })).optional(),
});

const subscription = z.looseObject({ SubscriptionArn: text, TopicArn: text, Protocol: text, Endpoint: text, Owner: text, Attributes: stringMap });

const published = z.looseObject({ messageId: text, message: text, subject: text.optional(), receivedAt: text });

const sns = z.looseObject({
  topics: keyedBy(topic, 'TopicArn'),
  subscriptions: keyedBy(subscription, 'SubscriptionArn'),
  messages: z.record(z.string(), z.array(published)),
});

const iamTag = z.looseObject({ Key: text, Value: text });

const role = z.looseObject({
  RoleName: text,
  RoleId: text,
  Arn: text,
  Path: text,
  AssumeRolePolicyDocument: text,
  Description: text.optional(),
  MaxSessionDuration: count,
  CreateDate: text,
  Tags: z.array(iamTag),
  InlinePolicies: stringMap,
  AttachedPolicyArns: z.array(text),
  PermissionsBoundary: text.optional(),
  RoleLastUsed: z.looseObject({ LastUsedDate: text, Region: text }).optional(),
});

const managedPolicy = z.looseObject({
  PolicyName: text,
  PolicyId: text,
  Arn: text,
  Path: text,
  DefaultVersionId: text,
  Description: text.optional(),
  CreateDate: text,
  UpdateDate: text,
  Tags: z.array(iamTag),
  Versions: z.array(z.looseObject({ VersionId: text, Document: text, IsDefaultVersion: z.boolean(), CreateDate: text })),
});

const iam = z.looseObject({ roles: keyedBy(role, 'RoleName'), policies: keyedBy(managedPolicy, 'Arn') });

const key = z.looseObject({
  KeyId: text,
  Arn: text,
  AWSAccountId: text,
  CreationDate: text,
  Enabled: z.boolean(),
  Description: text,
  KeyUsage: z.enum(['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT']),
  KeyState: z.enum(['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable', 'Creating', 'Updating', 'PendingReplicaDeletion']),
  KeyManager: z.enum(['AWS', 'CUSTOMER']),
  KeySpec: text,
  Origin: z.enum(['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE']),
  MultiRegion: z.boolean(),
  DeletionDate: text.optional(),
  PendingDeletionWindowInDays: count.optional(),
  Policy: text,
  Tags: z.array(z.looseObject({ TagKey: text, TagValue: text })),
});

const alias = z.looseObject({ AliasName: text, AliasArn: text, TargetKeyId: text, CreationDate: text, LastUpdatedDate: text });

const kms = z.looseObject({ keys: keyedBy(key, 'KeyId'), aliases: keyedBy(alias, 'AliasName') });

const instance = z.looseObject({
  Id: text,
  Arn: text,
  IdentityManagementType: text,
  InstanceAlias: text.optional(),
  CreatedTime: text,
  ServiceRole: text,
  InstanceStatus: z.enum(['CREATION_IN_PROGRESS', 'ACTIVE', 'CREATION_FAILED']),
  InboundCallsEnabled: z.boolean(),
  OutboundCallsEnabled: z.boolean(),
  Tags: stringMap,
  ContactFlows: z
    .record(
      z.string(),
      z.looseObject({
        Id: text,
        Arn: text,
        Name: text,
        Type: z.enum(['CONTACT_FLOW', 'CUSTOMER_QUEUE', 'CUSTOMER_HOLD', 'CUSTOMER_WHISPER', 'AGENT_HOLD', 'AGENT_WHISPER', 'OUTBOUND_WHISPER', 'AGENT_TRANSFER', 'QUEUE_TRANSFER', 'CAMPAIGN']),
        State: z.enum(['ACTIVE', 'ARCHIVED']),
        Status: z.enum(['PUBLISHED', 'SAVED']),
        Description: text.optional(),
      }),
    )
    .optional(),
});

const connectNumber = z.looseObject({
  PhoneNumberId: text,
  PhoneNumberArn: text,
  PhoneNumber: text,
  PhoneNumberCountryCode: text,
  PhoneNumberType: text,
  PhoneNumberDescription: text.optional(),
  TargetArn: text,
  InstanceId: text,
  SourcePhoneNumberArn: text,
  Tags: stringMap,
  PhoneNumberStatus: z.looseObject({ Status: z.enum(['CLAIMED', 'IN_PROGRESS', 'FAILED']), Message: text.optional() }),
  ImportedAt: text,
  ContactFlowId: text.optional(),
});

const clientToken = z.looseObject({ requestHash: text, response: z.json(), at: text });

const chatEvent = z.looseObject({
  eventId: text,
  at: text,
  instanceId: text,
  connectPhoneNumberId: text,
  originationNumber: text,
  destinationNumber: text,
  messageBody: text,
  roleArn: text,
});

const connect = z.looseObject({
  instances: keyedBy(instance, 'Id'),
  phoneNumbers: keyedBy(connectNumber, 'PhoneNumberId'),
  clientTokens: z.record(z.string(), clientToken),
  events: z.array(chatEvent),
});

const inboundRecord = z.looseObject({
  inboundMessageId: text,
  at: text,
  destinationNumber: text,
  originationNumber: text,
  delivered: z.boolean(),
  channel: z.enum(['sns', 'connect']).nullable(),
  destination: text.nullable(),
  reason: text.optional(),
});

const inbound = z.array(inboundRecord);

/** The settings every version has written; a setting added later is optional here and gets its default. */
const settings = z.looseObject({ iamPropagationDelayMs: count, connectClaimDelayMs: count });

export const SLICE_SCHEMAS = { smsVoice, sns, iam, kms, connect, inbound, settings } as const;

/** What the service behind each slice file is called in an error message. */
export const SLICE_SERVICES: Record<keyof typeof SLICE_SCHEMAS, string> = {
  smsVoice: 'End User Messaging SMS (phone numbers, pools)',
  sns: 'SNS (topics, subscriptions, published messages)',
  iam: 'IAM (roles, managed policies)',
  kms: 'KMS (keys, aliases)',
  connect: 'Connect (instances, imported numbers, chat events)',
  inbound: 'the inbound-SMS log',
  settings: 'the sandbox settings',
};

// A model that gains a required field fails to compile here until its schema checks that field too.
smsVoice satisfies z.ZodType<SmsVoiceState>;
sns satisfies z.ZodType<SnsState>;
iam satisfies z.ZodType<IamState>;
kms satisfies z.ZodType<KmsState>;
connect satisfies z.ZodType<ConnectState>;
inbound satisfies z.ZodType<InboundRecord[]>;
settings satisfies z.ZodType<SandboxSettings>;
