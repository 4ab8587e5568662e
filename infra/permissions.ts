import { createTableInput, TABLE } from '../tasks/lib/store/table';
import { ROLE_PATH } from '../tasks/lib/context';
import type { TaskName } from '../tasks';

/**
 * Every IAM permission the deployed code holds, in ONE place: the task Lambdas, the API Lambda and the
 * notifier. The stack turns each principal's list into that principal's own role; `test/infra` prints and
 * asserts them statement by statement. Plain data (strings, possibly CloudFormation tokens), no CDK types,
 * so it can be read, diffed and reviewed like a table.
 *
 * Scoping rules (issue 5): roles are written only under `role/two-way-sms/*`; `iam:PassRole` only towards
 * End User Messaging SMS; KMS keys, SNS, End User Messaging SMS, Connect only in this account and region. Every
 * remaining `*` in a resource carries its reason in `why`.
 *
 * Privilege escalation (issue 8): a task role may create or change a role only when that role carries the
 * stack's permissions boundary (`iam:PermissionsBoundary`, enforced for every statement by `bindRoleWrites`), and
 * may never set or remove a boundary; it may rewrite a key policy only of a key the account owner opted in (tag
 * `two-way-sms:allow` = `true`, or listed in the stack's `allowedKeyArns`) and never with the lockout safety check
 * bypassed; it may rewrite a topic policy only of a topic this service created or one opted in the same way.
 */

export interface Statement {
  /** Statement id in the synthesized policy (alphanumeric). */
  sid: string;
  actions: string[];
  resources: string[];
  conditions?: Record<string, Record<string, string | string[]>>;
  /** Why this access is needed, and why any wildcard in `resources` cannot be narrower. */
  why: string;
}

export type Principal = TaskName | 'Api' | 'Notifier';

export interface PermissionScope {
  partition: string;
  region: string;
  account: string;
  tableArn: string;
  /** The two state machines (API: StartExecution) ... */
  stateMachineArns: string[];
  /** ... and their executions (API: describe, history, redrive): `arn:...:execution:<name>:*`. */
  executionArns: string[];
  /** The managed policy every role the tasks create must carry as its permissions boundary. */
  boundaryPolicyArn: string;
  /** KMS keys whose policy the tasks may rewrite without the opt-in tag (stack context `allowedKeyArns`). */
  allowedKeyArns?: string[];
}

/** The GSI names of the table, from the same definition the local runtime creates it with. */
export function tableIndexNames(): string[] {
  return (createTableInput('x').GlobalSecondaryIndexes ?? []).map((g) => g.IndexName);
}

export function arns(s: PermissionScope) {
  const { partition: p, region: r, account: a } = s;
  return {
    table: s.tableArn,
    indexes: tableIndexNames().map((n) => `${s.tableArn}/index/${n}`),
    smsNumbers: `arn:${p}:sms-voice:${r}:${a}:phone-number/*`,
    smsPools: `arn:${p}:sms-voice:${r}:${a}:pool/*`,
    // SNS topic ARNs have no resource-type segment: the topic name follows the account directly.
    topics: `arn:${p}:sns:${r}:${a}:*`,
    keys: `arn:${p}:kms:${r}:${a}:key/*`,
    ourRoles: `arn:${p}:iam::${a}:role${ROLE_PATH}*`,
    anyRole: `arn:${p}:iam::${a}:role/*`,
    awsManagedPolicies: `arn:${p}:iam::aws:policy/*`,
    accountPolicies: `arn:${p}:iam::${a}:policy/*`,
    connectInstances: `arn:${p}:connect:${r}:${a}:instance/*`,
    connectFlows: `arn:${p}:connect:${r}:${a}:instance/*/contact-flow/*`,
    connectNumbers: `arn:${p}:connect:${r}:${a}:phone-number/*`,
  };
}

/** The service principal that `iam:PassRole` may hand our roles (and caller-named roles) to. */
export const SMS_VOICE_SERVICE = 'sms-voice.amazonaws.com';
/** Tag on everything this service creates (tasks/lib/context.ts TAGS); destructive calls require it. */
const MANAGED_BY_TAG = 'two-way-sms:managed-by';
const MANAGED_BY_VALUE = 'two-way-sms';
/** The account owner's opt-in for a topic or key this service did not create (docs/least-privilege.md). */
export const OPT_IN_TAG = 'two-way-sms:allow';
const OPT_IN_VALUE = 'true';
/** The only tags a task may write (tasks/lib/context.ts TAGS): ownership, never the owner's opt-in. */
const OWNERSHIP_TAG_KEYS = ['two-way-sms:managed-by', 'two-way-sms:provisioning-id', 'two-way-sms:phone-number-id'];
/**
 * Tag-on-create only: just the ownership keys, saying managed-by this service. Without these conditions a task could
 * tag any topic or Connect number of the account `two-way-sms:allow` (opting it in itself) or `managed-by` (making
 * it deletable by UndoTopic / UndoImport).
 */
const OWNERSHIP_TAGS_ONLY = {
  'ForAllValues:StringEquals': { 'aws:TagKeys': OWNERSHIP_TAG_KEYS },
  StringEquals: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE },
};

/**
 * IAM actions that give a role permissions: each may be granted only with `iam:PermissionsBoundary` equal to the
 * stack's boundary, so a role the tasks create or change can never do more than two-way delivery needs.
 */
export const ROLE_WRITE_ACTIONS = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy'] as const;
/** Actions that would lift a boundary: granted to nobody. */
export const BOUNDARY_CHANGE_ACTIONS = ['iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary'] as const;

/**
 * The statements of each principal. Task lists come from each task's code where it is written (the AWS
 * commands it sends) and otherwise from the task's contract in the issue.
 */
export function permissions(scope: PermissionScope): Record<Principal, Statement[]> {
  const x = arns(scope);

  // ---- building blocks ---------------------------------------------------------------------------------
  const table = (actions = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query']): Statement => ({
    sid: 'TableItems',
    actions,
    resources: [x.table],
    why: 'Audit records, write-ahead ledger, leases, shared-resource references, provisioning records (one table, no index).',
  });
  // DescribePhoneNumbers and DescribePools name their resources only optionally (Service Authorization Reference):
  // a call without ids is authorized against "*", and the tasks list without ids to find an E.164 number, a
  // pool's members and the numbers that name a role. Scoping the by-id reads to phone-number/* would add nothing.
  const smsRead = (): Statement => ({
    sid: 'SmsRead',
    actions: ['sms-voice:DescribePhoneNumbers', 'sms-voice:DescribePools'],
    resources: ['*'],
    why: 'Read the number or pool being provisioned, and list numbers and pools (E.164 look-up, pool members, the numbers naming a role): a Describe without ids is authorized against "*" (its resource type is optional); read-only.',
  });
  const connectInstanceRead = (): Statement => ({
    sid: 'ConnectInstanceRead',
    actions: ['connect:DescribeInstance'],
    resources: [x.connectInstances],
    why: 'Check the destination Connect instance exists and is ACTIVE (its id is request input).',
  });
  const roleReads = (resource: string): Statement => ({
    sid: 'RoleRead',
    actions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'],
    resources: [resource],
    why:
      resource === x.anyRole
        ? 'Evaluate a delivery role, ours or one the caller names (any role of the account: its name is request input); read-only.'
        : 'Read back a role this service created (path /two-way-sms/) before deleting it.',
  });
  const managedPolicyReads = (): Statement => ({
    sid: 'ManagedPolicyRead',
    actions: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
    resources: [x.awsManagedPolicies, x.accountPolicies],
    why: "Evaluate the managed policies attached to a delivery role (AWS-managed or this account's; which ones is known only at run time); read-only.",
  });
  // SetTopicAttributes rewrites a topic's policy: only on topics this service created (its tag) or that the
  // account owner opted in. Two statements, because one condition block would have to match both tags.
  const topicPolicyWrite = (): Statement[] => [
    {
      sid: 'TopicPolicyRead',
      actions: ['sns:GetTopicAttributes'],
      resources: [x.topics],
      why: "Read the destination topic's access policy before merging or removing this service's statement (topic named at run time; this account and region).",
    },
    {
      sid: 'TopicPolicyOwnTopic',
      actions: ['sns:SetTopicAttributes'],
      resources: [x.topics],
      conditions: { StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE } },
      why: "Merge or remove this service's statement in the access policy of a topic this service created (tagged at creation; the tag condition keeps other topics out).",
    },
    {
      sid: 'TopicPolicyOptedIn',
      actions: ['sns:SetTopicAttributes'],
      resources: [x.topics],
      conditions: { StringEquals: { [`aws:ResourceTag/${OPT_IN_TAG}`]: OPT_IN_VALUE } },
      why: `Merge or remove this service's statement in the access policy of a topic its owner opted in (tag ${OPT_IN_TAG}=${OPT_IN_VALUE}); every other topic is out of reach.`,
    },
  ];
  // No kms:CallerAccount condition: every caller is in the key's own account, so it would restrict nothing; the
  // resource ARN is what keeps these reads to this account and region.
  const keyRead = (actions: string[]): Statement => ({
    sid: 'KeyRead',
    actions,
    resources: [x.keys],
    why: "Read the topic's KMS key (resolved at run time from the topic or the request); keys of this account and region only (the resource ARN).",
  });
  /** A key's tags, read before its policy is (or an undo would be) changed: only with its owner's opt-in. */
  const keyOptInRead = (whose: string): Statement => ({
    sid: 'KeyOptInRead',
    actions: ['kms:ListResourceTags'],
    resources: [x.keys],
    why: `Read the tags of ${whose}: a key is changed only when its owner opted it in (tasks/lib/opt-in.ts).`,
  });
  // PutKeyPolicy only on keys the account owner opted in (or listed in the stack), never bypassing the lockout
  // safety check. BoolIfExists: a request that omits the parameter (ours always does) is the safe default.
  const noLockoutBypass = { BoolIfExists: { 'kms:BypassPolicyLockoutSafetyCheck': 'false' } };
  const keyPolicyWrite = (): Statement[] => [
    {
      sid: 'KeyPolicyRead',
      actions: ['kms:GetKeyPolicy'],
      resources: [x.keys],
      why: "Read the topic key's policy before merging or removing this service's statement (the key is the topic's, known at run time; this account and region).",
    },
    {
      sid: 'KeyPolicyOptedIn',
      actions: ['kms:PutKeyPolicy'],
      resources: [x.keys],
      conditions: { StringEquals: { [`aws:ResourceTag/${OPT_IN_TAG}`]: OPT_IN_VALUE }, ...noLockoutBypass },
      why: `Merge or remove this service's statement in the policy of a key its owner opted in (tag ${OPT_IN_TAG}=${OPT_IN_VALUE}; the key is known only at run time), never bypassing the policy lockout safety check.`,
    },
    ...(scope.allowedKeyArns?.length
      ? [
          {
            sid: 'KeyPolicyListed',
            actions: ['kms:PutKeyPolicy'],
            resources: scope.allowedKeyArns,
            conditions: noLockoutBypass,
            why: "Merge or remove this service's statement in the policy of a key the stack lists (context allowedKeyArns), never bypassing the policy lockout safety check.",
          },
        ]
      : []),
  ];
  const ownRoleWrites = (): Statement[] => [
    {
      sid: 'OwnRoleWrite',
      actions: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'],
      resources: [x.ourRoles],
      // bindRoleWrites adds the iam:PermissionsBoundary condition.
      why: 'Create and maintain the delivery role (its inline policy and trust), always with the stack permissions boundary; only under the path /two-way-sms/ (role names are chosen at run time).',
    },
    {
      sid: 'OwnRoleTag',
      actions: ['iam:TagRole'],
      resources: [x.ourRoles],
      conditions: OWNERSHIP_TAGS_ONLY,
      why: 'Tag the delivery role at creation with its ownership tags (CreateRole with Tags needs iam:TagRole); only under the path /two-way-sms/.',
    },
    {
      sid: 'OwnRolePolicyDelete',
      actions: ['iam:DeleteRolePolicy'],
      resources: [x.ourRoles],
      why: 'Taking back a role this service kept for the number (AWS cannot clear TwoWayChannelRole): remove the inline policy that served its previous destination; only under /two-way-sms/.',
    },
    // Taking back a kept role first lists the numbers and pools that name it (none but this one may).
    smsRead(),
  ];
  /** Read-only: everything on the path of an inbound message, for the delivery verdict (tasks/lib/delivery.ts). */
  const deliveryReads = (): Statement[] => [
    {
      sid: 'DeliveryTopicRead',
      actions: ['sns:GetTopicAttributes'],
      resources: [x.topics],
      why: "Read the number's destination topic: its policy, FIFO flag and key (topic known only at run time; this account and region).",
    },
    keyRead(['kms:DescribeKey', 'kms:GetKeyPolicy']),
    roleReads(x.anyRole),
    managedPolicyReads(),
    {
      sid: 'DeliveryConnectRead',
      actions: ['connect:ListPhoneNumbersV2', 'connect:DescribePhoneNumber'],
      resources: [x.connectNumbers],
      why: "Find the number's Connect import and its status, for a Connect destination (ListPhoneNumbersV2 authorizes on phone-number/*).",
    },
  ];
  const passRole = (): Statement => ({
    sid: 'PassRoleToSmsVoice',
    actions: ['iam:PassRole'],
    resources: [x.anyRole],
    conditions: { StringEquals: { 'iam:PassedToService': SMS_VOICE_SERVICE } },
    why: 'Set (or restore) the two-way channel role: ours under /two-way-sms/ or one the caller names, so any role of the account, but only ever handed to End User Messaging SMS.',
  });
  const twoWay = (): Statement[] => [
    table(),
    {
      sid: 'SmsTwoWay',
      actions: ['sms-voice:UpdatePhoneNumber', 'sms-voice:UpdatePool'],
      resources: [x.smsNumbers, x.smsPools],
      why: 'Set (or restore) the two-way settings of the number or pool being provisioned (id is request input; this account and region).',
    },
    smsRead(),
    passRole(),
  ];

  // ---- principals: what each one's code calls (test/infra/bundles.test.ts checks both ways) ----------------
  return bindRoleWrites(scope.boundaryPolicyArn, {
    AcquireLock: [table(), smsRead()],
    ReleaseLock: [table(), smsRead()],
    FindProvisioning: [table(), smsRead()],
    FinishDeprovisioning: [table(), smsRead()],
    Verify: [table(), smsRead()],
    ValidateNumber: [
      table(),
      smsRead(),
      connectInstanceRead(),
      ...deliveryReads(),
      {
        sid: 'ContactFlowRead',
        actions: ['connect:DescribeContactFlow'],
        resources: [x.connectFlows],
        why: 'Check the contact flow to associate exists in the destination instance, before the import (its id is request input).',
      },
      keyOptInRead("the key of the number's current topic: a request whose undo would have to change that key's policy is refused"),
    ],

    EnsureTopic: [
      table(),
      {
        sid: 'Topic',
        actions: ['sns:CreateTopic', 'sns:GetTopicAttributes', 'sns:ListTagsForResource'],
        resources: [x.topics],
        why: 'Create the topic or validate the given one; the name is request input, so any topic of this account and region.',
      },
      {
        sid: 'TopicTagOnCreate',
        actions: ['sns:TagResource'],
        resources: [x.topics],
        conditions: OWNERSHIP_TAGS_ONLY,
        why: 'Tag the topic it creates with its ownership tags (CreateTopic with Tags needs sns:TagResource); only those keys, so no topic can be opted in or made deletable by a tag.',
      },
      keyRead(['kms:DescribeKey']),
      // A role given by ARN is checked before the topic is created, so a bad role changes nothing.
      roleReads(x.anyRole),
      managedPolicyReads(),
    ],
    EnsureAccess: [table(), ...ownRoleWrites(), roleReads(x.anyRole), managedPolicyReads(), ...topicPolicyWrite(), {
        sid: 'TopicOptInRead',
        actions: ['sns:ListTagsForResource'],
        resources: [x.topics],
        why: "Read a topic's tags before changing its policy: a topic this service did not create is changed only when its owner opted it in (tasks/lib/opt-in.ts).",
      }],
    // Connect delivery involves no topic and no key: only the role.
    EnsureConnectRole: [table(), ...ownRoleWrites(), roleReads(x.anyRole), managedPolicyReads()],
    MergeKeyPolicy: [table(), ...keyPolicyWrite(), roleReads(x.anyRole), managedPolicyReads(), keyOptInRead('a key before changing its policy')],
    UndoKeyPolicy: [table(), ...keyPolicyWrite()],
    Preflight: [
      table(),
      smsRead(),
      {
        sid: 'TopicRead',
        actions: ['sns:GetTopicAttributes'],
        resources: [x.topics],
        why: "Read the destination topic's policy and key (topic named at run time; this account and region).",
      },
      keyRead(['kms:DescribeKey', 'kms:GetKeyPolicy']),
      roleReads(x.anyRole),
      managedPolicyReads(),
      connectInstanceRead(),
    ],
    EnableTwoWay: twoWay(),
    UndoTwoWay: twoWay(),

    ImportToConnect: [
      table(),
      {
        sid: 'ConnectImport',
        actions: ['connect:ImportPhoneNumber'],
        resources: [x.connectInstances, x.connectNumbers],
        why: 'Import the number into the destination instance (instance id is request input; the Connect phone number exists only after the import).',
      },
      {
        sid: 'ConnectTagOnImport',
        actions: ['connect:TagResource'],
        resources: [x.connectInstances, x.connectNumbers],
        conditions: OWNERSHIP_TAGS_ONLY,
        why: 'Tag the imported number with its ownership tags (ImportPhoneNumber with Tags needs connect:TagResource); only those keys, so no other Connect number can be made releasable by a tag.',
      },
      {
        sid: 'ConnectRead',
        actions: ['connect:DescribeInstance', 'connect:DescribePhoneNumber', 'connect:ListPhoneNumbersV2'],
        resources: [x.connectInstances, x.connectNumbers],
        why: 'Find an existing import of the number (ListPhoneNumbersV2 authorizes on phone-number/*) and read its status.',
      },
      {
        sid: 'SmsSourceNumberRead',
        actions: ['sms-voice:DescribePhoneNumbers'],
        resources: [x.smsNumbers],
        why: 'Dependent action of connect:ImportPhoneNumber (Service Authorization Reference): Connect reads the source number as the caller.',
      },
    ],
    CheckImport: [
      table(),
      {
        sid: 'ConnectRead',
        actions: ['connect:DescribePhoneNumber'],
        resources: [x.connectNumbers],
        why: "Poll the import's status (the Connect phone number id is known only at run time).",
      },
    ],
    AssociateContactFlow: [
      table(),
      {
        sid: 'ConnectFlow',
        actions: ['connect:AssociatePhoneNumberContactFlow'],
        resources: [x.connectNumbers, x.connectFlows],
        why: 'Associate the imported number with the requested contact flow (both ids known only at run time).',
      },
    ],
    UndoImport: [
      table(),
      {
        sid: 'ConnectRelease',
        actions: ['connect:ReleasePhoneNumber'],
        resources: [x.connectNumbers],
        conditions: { StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE } },
        why: 'Release only numbers this service imported: ImportPhoneNumber tagged them, and the tag condition keeps every other Connect number out of reach.',
      },
      {
        sid: 'ConnectDisassociate',
        actions: ['connect:DisassociatePhoneNumberContactFlow'],
        resources: [x.connectNumbers],
        why: 'Undo the contact-flow association this provisioning made (Connect phone number id known only at run time).',
      },
      {
        sid: 'ConnectRead',
        actions: ['connect:DescribePhoneNumber', 'connect:ListPhoneNumbersV2'],
        resources: [x.connectNumbers],
        why: 'Find and read the import before releasing it.',
      },
    ],
    UndoAccess: [
      table(),
      {
        sid: 'OwnRoleDelete',
        actions: ['iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy'],
        resources: [x.ourRoles],
        why: 'Delete only roles this service created (path /two-way-sms/), after removing their policies.',
      },
      {
        sid: 'RetainedRolePolicy',
        actions: ['iam:PutRolePolicy'],
        resources: [x.ourRoles],
        why: 'A role of ours that a number still names is kept (AWS cannot clear TwoWayChannelRole) and its inline policy re-pointed at the restored destination; only under /two-way-sms/.',
      },
      smsRead(),
      roleReads(x.ourRoles),
      managedPolicyReads(),
      ...topicPolicyWrite(),
      // A retained role serving an encrypted topic whose key trusts only the service principal gets its own
      // key-policy statement: the same opt-in and lockout conditions as MergeKeyPolicy.
      keyRead(['kms:DescribeKey']),
      ...keyPolicyWrite(),
      keyOptInRead("a key before adding a retained role's statement to its policy"),
    ],
    // The post-condition of every undo: reads the whole delivery path of the restored number, changes nothing.
    CheckRestored: [table(), smsRead(), ...deliveryReads()],
    UndoTopic: [
      table(),
      {
        sid: 'TopicDelete',
        actions: ['sns:DeleteTopic'],
        resources: [x.topics],
        conditions: { StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE } },
        why: 'Delete only topics this service created (tagged at creation); the tag condition keeps every other topic out of reach.',
      },
      {
        sid: 'TopicRead',
        actions: ['sns:ListTagsForResource'],
        resources: [x.topics],
        why: "Check the topic's ownership tags before deleting it (topic named at run time; this account and region).",
      },
    ],

    Api: [
      table(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query']),
      {
        sid: 'TableIndexes',
        actions: ['dynamodb:Query'],
        resources: x.indexes,
        why: 'Provisioning lists and audit by phone number and status (the GSIs of tasks/lib/store/table.ts).',
      },
      {
        sid: 'StartExecutions',
        actions: ['states:StartExecution'],
        resources: scope.stateMachineArns,
        why: 'Start provisionings and deprovisionings (the two state machines only).',
      },
      {
        sid: 'ReadAndRedriveExecutions',
        actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:RedriveExecution'],
        resources: scope.executionArns,
        why: "Status, steps and redrive of this stack's executions (execution names are provisioning ids, known at run time).",
      },
      {
        sid: 'SmsNumberRead',
        actions: ['sms-voice:DescribePhoneNumbers', 'sms-voice:DescribePools'],
        resources: ['*'],
        why: 'Resolve an E.164 number in a request to its id (a list without ids, authorized against "*": the resource type is optional), and refuse an unknown number or pool id before starting anything; read-only.',
      },
      {
        sid: 'DestinationTopicRead',
        actions: ['sns:GetTopicAttributes', 'sns:ListTagsForResource'],
        resources: [x.topics],
        why: "Refuse at request time a topic that does not exist, or whose policy the workflow would change without its owner's opt-in tag (api/destination.ts); read-only.",
      },
      {
        sid: 'DestinationKeyRead',
        actions: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:ListResourceTags'],
        resources: [x.keys],
        why: "Refuse at request time a key that does not exist, or whose key policy the workflow would change without its owner's opt-in tag (api/destination.ts); read-only.",
      },
      {
        sid: 'DestinationConnectRead',
        actions: ['connect:DescribeInstance'],
        resources: [x.connectInstances],
        why: 'Refuse at request time a Connect instance that does not exist in this account and region (api/destination.ts); read-only.',
      },
      {
        sid: 'DestinationFlowRead',
        actions: ['connect:DescribeContactFlow'],
        resources: [x.connectFlows],
        why: 'Refuse at request time a contact flow that does not exist in the destination instance, before any import (api/destination.ts); read-only.',
      },
    ],

    Notifier: [
      {
        sid: 'ProvisioningRecord',
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [x.table],
        why: "Set the provisioning record's status and end time when its execution ends (and read it when the update is refused).",
      },
      {
        sid: 'LeasesByHolder',
        actions: ['dynamodb:Query'],
        resources: [`${x.table}/index/${TABLE.gsi1.name}`],
        why: 'Find the number leases an ended execution still holds (gsi1 indexes them by holder): an aborted or timed-out execution never reaches its own ReleaseLock.',
      },
      {
        sid: 'LeaseRelease',
        actions: ['dynamodb:DeleteItem'],
        resources: [x.table],
        why: 'Delete those leases, each conditionally on its holder still being the ended execution (tasks/lib/store/lock.ts).',
      },
    ],
  });
}

/**
 * Every statement that lets a role gain permissions gets `iam:PermissionsBoundary` = the stack's boundary, whoever
 * wrote it: one place, so no statement added later can forget it. A statement that mixes such actions with
 * others is refused (the others may not support the condition key, e.g. iam:TagRole, and would be denied).
 */
export function bindRoleWrites<T extends Record<string, Statement[]>>(boundaryPolicyArn: string, principals: T): T {
  const writes = new Set<string>(ROLE_WRITE_ACTIONS);
  const bound = (s: Statement): Statement => {
    const n = s.actions.filter((a) => writes.has(a)).length;
    if (n === 0) return s;
    if (n !== s.actions.length) throw new Error(`statement ${s.sid} mixes role-writing actions with others: give them a statement of their own`);
    return { ...s, conditions: { ...s.conditions, StringEquals: { ...s.conditions?.StringEquals, 'iam:PermissionsBoundary': boundaryPolicyArn } } };
  };
  return Object.fromEntries(Object.entries(principals).map(([p, ss]) => [p, ss.map(bound)])) as T;
}

/** `Action on Resource [if Condition]` lines: what the infra test prints and compares, one per statement. */
export function describeStatements(statements: Statement[]): string[] {
  return statements.map((s) => {
    const cond = s.conditions
      ? ' if ' +
        Object.entries(s.conditions)
          .flatMap(([op, kv]) => Object.entries(kv).map(([k, v]) => `${op} ${k}=${Array.isArray(v) ? v.join('|') : v}`))
          .join(' and ')
      : '';
    return `${s.sid}: ${s.actions.join(',')} on ${s.resources.join(' ')}${cond}`;
  });
}

/**
 * IAM actions an API call needs besides its own (the Service Authorization Reference's "dependent actions",
 * and tag-on-create): the bundle test adds these to what each function's code calls.
 */
export const DEPENDENT_ACTIONS: Readonly<Record<string, string[]>> = {
  'connect:ImportPhoneNumber': ['sms-voice:DescribePhoneNumbers', 'connect:TagResource'],
  'iam:CreateRole': ['iam:TagRole'],
  'sns:CreateTopic': ['sns:TagResource'],
  // Setting TwoWayChannelRole passes the role to End User Messaging SMS.
  'sms-voice:UpdatePhoneNumber': ['iam:PassRole'],
  'sms-voice:UpdatePool': ['iam:PassRole'],
};

/**
 * Calls a function's code contains but never makes in the deployed stack, and why (the bundle test
 * does not require a permission for them).
 */
export const NOT_CALLED_ON_AWS: Readonly<Record<string, string>> = {
  'sts:GetCallerIdentity': 'accountIdOf() asks STS only when AWS_ACCOUNT_ID is unset; the stack sets it on every function.',
};
