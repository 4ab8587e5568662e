import type { ServiceDefinition } from '../core/types';
import { connectService } from './connect';
import { iamService } from './iam';
import { kmsService } from './kms';
import { smsVoiceService } from './sms-voice';
import { snsService } from './sns';
import { stsService } from './sts';

export function defaultServices(): ServiceDefinition[] {
  return [smsVoiceService(), snsService(), iamService(), kmsService(), connectService(), stsService()];
}
