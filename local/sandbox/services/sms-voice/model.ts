/** End User Messaging SMS state, stored with the shapes and member names of the API's own records. */
export type PhoneNumberStatus = 'PENDING' | 'ACTIVE' | 'ASSOCIATING' | 'DISASSOCIATING' | 'DELETED';
export type NumberType = 'SHORT_CODE' | 'LONG_CODE' | 'TOLL_FREE' | 'TEN_DLC' | 'SIMULATOR';

export interface PhoneNumberRecord {
  PhoneNumberArn: string;
  PhoneNumberId: string;
  PhoneNumber: string;
  Status: PhoneNumberStatus;
  IsoCountryCode: string;
  MessageType: 'TRANSACTIONAL' | 'PROMOTIONAL';
  NumberCapabilities: string[];
  NumberType: NumberType;
  MonthlyLeasingPrice: string;
  TwoWayEnabled: boolean;
  TwoWayChannelArn?: string;
  TwoWayChannelRole?: string;
  SelfManagedOptOutsEnabled: boolean;
  OptOutListName: string;
  InternationalSendingEnabled: boolean;
  DeletionProtectionEnabled: boolean;
  PoolId?: string;
  RegistrationId?: string;
  /** ISO-8601; serialized as epoch seconds on the wire. */
  CreatedTimestamp: string;
  Tags: Record<string, string>;
  /** ClientToken of the RequestPhoneNumber call that created it (a retry with the same token gets this number). */
  ClientToken?: string;
}

export interface PoolRecord {
  PoolArn: string;
  PoolId: string;
  Status: 'CREATING' | 'ACTIVE' | 'DELETING';
  MessageType: 'TRANSACTIONAL' | 'PROMOTIONAL';
  TwoWayEnabled: boolean;
  TwoWayChannelArn?: string;
  TwoWayChannelRole?: string;
  SelfManagedOptOutsEnabled: boolean;
  OptOutListName: string;
  SharedRoutesEnabled: boolean;
  DeletionProtectionEnabled: boolean;
  CreatedTimestamp: string;
  Tags: Record<string, string>;
  /** ARNs of the phone numbers (origination identities) in the pool. */
  OriginationIdentities: string[];
  /** ClientToken of the CreatePool call that created it. */
  ClientToken?: string;
}

export interface SmsVoiceState {
  phoneNumbers: Record<string, PhoneNumberRecord>;
  pools: Record<string, PoolRecord>;
}

export function createSmsVoiceState(): SmsVoiceState {
  return { phoneNumbers: {}, pools: {} };
}
