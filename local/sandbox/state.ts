import { createConnectState, type ConnectState } from './services/connect/model';
import { createIamState, type IamState } from './services/iam/model';
import { createKmsState, type KmsState } from './services/kms/model';
import { createSmsVoiceState, type SmsVoiceState } from './services/sms-voice/model';
import { createSnsState, type SnsState } from './services/sns/model';

export interface SandboxSettings {
  /** How long a new IAM role stays invisible to sms-voice (AWS: typically 2-30 s). */
  iamPropagationDelayMs: number;
  /** How long a Connect import stays IN_PROGRESS before it is CLAIMED. */
  connectClaimDelayMs: number;
}

/** Inbound messages the sandbox could not deliver, with the reason (what AWS never tells you). */
export interface InboundRecord {
  inboundMessageId: string;
  at: string;
  destinationNumber: string;
  originationNumber: string;
  delivered: boolean;
  channel: 'sns' | 'connect' | null;
  destination: string | null;
  reason?: string;
}

/** Everything the sandbox persists in DATA_DIR. Plain JSON: dates are ISO strings. */
export interface SandboxState {
  version: 1;
  smsVoice: SmsVoiceState;
  sns: SnsState;
  iam: IamState;
  kms: KmsState;
  connect: ConnectState;
  inbound: InboundRecord[];
  settings: SandboxSettings;
}

export function createEmptyState(): SandboxState {
  return {
    version: 1,
    smsVoice: createSmsVoiceState(),
    sns: createSnsState(),
    iam: createIamState(),
    kms: createKmsState(),
    connect: createConnectState(),
    inbound: [],
    settings: { iamPropagationDelayMs: 0, connectClaimDelayMs: 0 },
  };
}
