/** Amazon Connect state: instances and the phone numbers imported from End User Messaging SMS. */
export interface InstanceRecord {
  Id: string;
  Arn: string;
  IdentityManagementType: string;
  InstanceAlias?: string;
  CreatedTime: string;
  ServiceRole: string;
  InstanceStatus: 'CREATION_IN_PROGRESS' | 'ACTIVE' | 'CREATION_FAILED';
  InboundCallsEnabled: boolean;
  OutboundCallsEnabled: boolean;
  Tags: Record<string, string>;
  /** Its contact flows by id (absent in state written before the sandbox had them: none). */
  ContactFlows?: Record<string, ContactFlowRecord>;
}

/** A contact flow of an instance (the sandbox has the default flows a new instance gets; they cannot be edited). */
export interface ContactFlowRecord {
  Id: string;
  Arn: string;
  Name: string;
  Type: 'CONTACT_FLOW' | 'CUSTOMER_QUEUE' | 'CUSTOMER_HOLD' | 'CUSTOMER_WHISPER' | 'AGENT_HOLD' | 'AGENT_WHISPER' | 'OUTBOUND_WHISPER' | 'AGENT_TRANSFER' | 'QUEUE_TRANSFER' | 'CAMPAIGN';
  State: 'ACTIVE' | 'ARCHIVED';
  Status: 'PUBLISHED' | 'SAVED';
  Description?: string;
}

export interface ConnectPhoneNumberRecord {
  PhoneNumberId: string;
  PhoneNumberArn: string;
  PhoneNumber: string;
  PhoneNumberCountryCode: string;
  PhoneNumberType: string;
  PhoneNumberDescription?: string;
  TargetArn: string;
  InstanceId: string;
  SourcePhoneNumberArn: string;
  Tags: Record<string, string>;
  PhoneNumberStatus: { Status: 'CLAIMED' | 'IN_PROGRESS' | 'FAILED'; Message?: string };
  /** When the import was requested; the import turns CLAIMED after the configured claim delay. */
  ImportedAt: string;
  ContactFlowId?: string;
}

export interface ClientTokenRecord {
  /** Hash of the request the token was first used with; same token + other request → IdempotencyException. */
  requestHash: string;
  response: unknown;
  at: string;
}

/** A chat integration event the sandbox recorded for an inbound SMS delivered to Connect. */
export interface ConnectChatEvent {
  eventId: string;
  at: string;
  instanceId: string;
  connectPhoneNumberId: string;
  originationNumber: string;
  destinationNumber: string;
  messageBody: string;
  roleArn: string;
}

export interface ConnectState {
  instances: Record<string, InstanceRecord>;
  phoneNumbers: Record<string, ConnectPhoneNumberRecord>;
  clientTokens: Record<string, ClientTokenRecord>;
  events: ConnectChatEvent[];
}

export function createConnectState(): ConnectState {
  return { instances: {}, phoneNumbers: {}, clientTokens: {}, events: [] };
}
