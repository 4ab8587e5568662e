import type { JsonService } from '../../core/types';

export function smsVoiceService(): JsonService {
  return {
    protocol: 'json',
    signingName: 'sms-voice',
    targetPrefix: 'PinpointSMSVoiceV2',
    jsonVersion: '1.0',
    errorNamespace: 'com.amazonaws.pinpointsmsvoicev2',
    messageKey: 'Message',
    throttling: { code: 'ThrottlingException', status: 400 },
    errorStatus: { ThrottlingException: 400, InternalServerException: 500 },
    operations: {},
  };
}
