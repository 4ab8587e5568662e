import type { JsonService } from '../../core/types';
import { operations } from './operations';

export type { NumberType, PhoneNumberRecord, PhoneNumberStatus, PoolRecord } from './model';
export { addPhoneNumber, addPool, effectiveTwoWay, findPhoneNumber, findPool, type AddPhoneNumberInput, type AddPoolInput, type EffectiveTwoWay } from './records';
export { channelKind, SMS_VOICE_PRINCIPAL, trustDecision, trustsSmsVoice, TWO_WAY_COUNTRIES } from './two-way';

/** Reasons carried by an injected fault: the exceptions of this service that have a `Reason` member. */
const WITH_REASON = new Set(['ValidationException', 'ConflictException', 'AccessDeniedException', 'ServiceQuotaExceededException']);

/**
 * AWS End User Messaging SMS (`pinpoint-sms-voice-v2`, awsJson1_0): phone numbers, pools and tags, with the
 * two-way validation of UpdatePhoneNumber / UpdatePool that AWS performs at setup time.
 */
export function smsVoiceService(): JsonService {
  return {
    protocol: 'json',
    signingName: 'sms-voice',
    stateSlice: 'smsVoice',
    targetPrefix: 'PinpointSMSVoiceV2',
    jsonVersion: '1.0',
    errorNamespace: 'com.amazonaws.pinpointsmsvoicev2',
    messageKey: 'Message',
    throttling: { code: 'ThrottlingException', status: 400 },
    // The model gives no HTTP codes: Smithy's defaults apply (client faults 400, server faults 500).
    errorStatus: {
      ValidationException: 400,
      ConflictException: 400,
      ResourceNotFoundException: 400,
      AccessDeniedException: 400,
      ServiceQuotaExceededException: 400,
      ThrottlingException: 400,
      InternalServerException: 500,
    },
    faultFields: (code, reason) => (reason !== undefined && WITH_REASON.has(code) ? { Reason: reason } : {}),
    operations,
  };
}
