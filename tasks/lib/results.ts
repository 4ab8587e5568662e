import type { ReferenceKind } from './store';

/**
 * What each forward task returns; the ASL stores each under `$.results.<name>`, and later tasks, the API's
 * `steps`, and the console read them. Compensations do not rely on these (a failed step has no result):
 * they read the write-ahead ledger.
 */
export interface TwoWayConfig {
  enabled: boolean;
  channelArn?: string;
  channelRole?: string;
}

export interface LockResult {
  owner: string;
  leaseUntil: string;
  /** Resolved phone number or pool id (the lock key). */
  targetId: string;
}

export interface NumberResult {
  kind: 'phone-number' | 'pool';
  id: string;
  arn: string;
  e164?: string;
  isoCountryCode?: string;
  numberType?: string;
  accountId: string;
  region: string;
  partition: string;
  /** The two-way settings before this provisioning (as recorded in the ledger). */
  beforeImage: TwoWayConfig;
  /** Whether inbound SMS was delivered before this provisioning (the before-image's verdict). */
  deliveredBefore?: boolean;
  /** What an undo could not give back exactly ("not exactly reversible: …"), known before any change. */
  notReversible?: string[];
  /** Set when this service already provisioned the number with the same destination: nothing will change. */
  alreadyProvisionedBy?: string;
}

export interface TopicResult {
  arn: string;
  created: boolean;
  /** `KmsMasterKeyId` as set on the topic, and the key it resolves to. */
  kmsMasterKeyId?: string;
  keyArn?: string;
  keyManager?: 'AWS' | 'CUSTOMER';
}

export interface AccessResult {
  mode: 'role' | 'topicPolicy';
  roleArn?: string;
  roleCreated?: boolean;
  statementAdded?: boolean;
}

export interface KeyResult {
  keyArn?: string;
  /** unencrypted: nothing to do; present: the policy already allowed it; added: we merged a statement. */
  action: 'unencrypted' | 'present' | 'added';
}

export interface PreflightResult {
  deliverable: true;
  checks: { check: string; passed: boolean; explanation: string }[];
}

export interface EnableResult {
  changed: boolean;
  desired: TwoWayConfig;
}

export interface ImportResult {
  connectPhoneNumberId: string;
  connectPhoneNumberArn: string;
  status: 'CLAIMED' | 'IN_PROGRESS' | 'FAILED';
  /** False when an earlier import of this number into the instance was found and reused. */
  imported: boolean;
  polls: number;
}

export interface ContactFlowResult {
  associated: boolean;
  contactFlowId?: string;
}

export interface VerifyResult {
  config: TwoWayConfig;
  dependsOn: { kind: ReferenceKind; resource: string }[];
}

export interface ProvisionResults {
  lock?: LockResult;
  number?: NumberResult;
  topic?: TopicResult;
  access?: AccessResult;
  key?: KeyResult;
  preflight?: PreflightResult;
  enable?: EnableResult;
  import?: ImportResult;
  contactFlow?: ContactFlowResult;
  verify?: VerifyResult;
}

/** What a compensation reports (also the deprovisioning steps, which are the same tasks). */
export interface UndoResult {
  /** What was undone, e.g. `deleted topic arn:...`; empty when the step had nothing to undo. */
  undone: string[];
  /** What was deliberately left, with the reason (another number depends on it; someone changed it since). */
  kept: string[];
}

/** CheckRestored: the number's delivery after an undo compared with its before-image's. */
export interface RestoreCheckResult {
  checked: boolean;
  deliveredBefore?: boolean;
  deliversNow?: boolean;
  /** Why the number does not deliver now (it did not before either), or why nothing was judged. */
  reason?: string;
  note?: string;
}
