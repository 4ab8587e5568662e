import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { RoleRecord } from '../../../local/sandbox/services/iam/model';
import { addPhoneNumber, addPool, type AddPhoneNumberInput, type PhoneNumberRecord, type PoolRecord } from '../../../local/sandbox/services/sms-voice';
import type { TopicRecord } from '../../../local/sandbox/services/sns/model';
import type { RunningSandbox } from '../../support/sandbox';

/**
 * Typed fixtures for the sms-voice tests. SNS topics and IAM roles are written straight into the sandbox state
 * with the state model's types (the SNS and IAM services are tested on their own), so that these tests depend
 * only on the sms-voice service.
 */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export function smsClient(sb: RunningSandbox, region = REGION): PinpointSMSVoiceV2Client {
  return new PinpointSMSVoiceV2Client({ ...sb.clientConfig, region });
}

/** The trust policy docs/domain.md §2 gives a two-way channel role. */
export function trustPolicy(opts: { account?: string; service?: string; action?: string; effect?: 'Allow' | 'Deny' } = {}): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'SMSVoice',
        Effect: opts.effect ?? 'Allow',
        Principal: { Service: opts.service ?? 'sms-voice.amazonaws.com' },
        Action: opts.action ?? 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': opts.account ?? ACCOUNT } },
      },
    ],
  });
}

export function roleRecord(name: string, overrides: Partial<RoleRecord> = {}): RoleRecord {
  return {
    RoleName: name,
    RoleId: `AROA${name.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(17, 'X').slice(0, 17)}`,
    Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    Path: '/',
    AssumeRolePolicyDocument: trustPolicy(),
    MaxSessionDuration: 3600,
    // Long enough ago to be past any propagation delay a test sets.
    CreateDate: new Date(Date.now() - 3_600_000).toISOString(),
    Tags: [],
    InlinePolicies: {},
    AttachedPolicyArns: [],
    ...overrides,
  };
}

export function topicRecord(name: string, overrides: Partial<TopicRecord> = {}): TopicRecord {
  const arn = `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
  return { TopicArn: arn, Name: name, Attributes: { DisplayName: name }, Tags: {}, CreatedAt: new Date().toISOString(), ...overrides };
}

export function putRole(sb: RunningSandbox, role: RoleRecord): RoleRecord {
  sb.sandbox.state.iam.roles[role.RoleName] = role;
  return role;
}

export function putTopic(sb: RunningSandbox, topic: TopicRecord): TopicRecord {
  sb.sandbox.state.sns.topics[topic.TopicArn] = topic;
  return topic;
}

let counter = 0;

/** A fresh number (unique E.164) in the sandbox state; ACTIVE US long code unless told otherwise. */
export function putNumber(sb: RunningSandbox, overrides: Partial<AddPhoneNumberInput> = {}): PhoneNumberRecord {
  counter += 1;
  return addPhoneNumber(sb.sandbox.baseContext(), {
    PhoneNumber: `+1425555${String(1000 + counter).slice(-4)}`,
    IsoCountryCode: 'US',
    NumberType: 'LONG_CODE',
    NumberCapabilities: ['SMS', 'VOICE'],
    ...overrides,
  });
}

export function putPool(sb: RunningSandbox, numbers: PhoneNumberRecord[]): PoolRecord {
  return addPool(sb.sandbox.baseContext(), { PhoneNumberIds: numbers.map((n) => n.PhoneNumberId) });
}

/** Resolves to the SDK error a call rejects with (fails the test when the call succeeds). */
export async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
