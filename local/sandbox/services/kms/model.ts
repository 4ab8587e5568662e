/** KMS state, with KeyMetadata member names. */
export interface KmsTag {
  TagKey: string;
  TagValue: string;
}

export interface KeyRecord {
  KeyId: string;
  Arn: string;
  AWSAccountId: string;
  CreationDate: string;
  Enabled: boolean;
  Description: string;
  KeyUsage: 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT';
  KeyState: 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable' | 'Creating' | 'Updating' | 'PendingReplicaDeletion';
  KeyManager: 'AWS' | 'CUSTOMER';
  KeySpec: string;
  Origin: 'AWS_KMS' | 'EXTERNAL' | 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE';
  MultiRegion: boolean;
  DeletionDate?: string;
  PendingDeletionWindowInDays?: number;
  /** The key policy (policy name `default`), as JSON text. */
  Policy: string;
  Tags: KmsTag[];
}

export interface AliasRecord {
  AliasName: string;
  AliasArn: string;
  TargetKeyId: string;
  CreationDate: string;
  LastUpdatedDate: string;
}

export interface KmsState {
  keys: Record<string, KeyRecord>;
  /** By alias name (`alias/...`). */
  aliases: Record<string, AliasRecord>;
}

export function createKmsState(): KmsState {
  return { keys: {}, aliases: {} };
}
