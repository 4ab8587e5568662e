import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PinpointSMSVoiceV2Client, RequestPhoneNumberCommand, UpdatePhoneNumberCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { keyPolicyStatement, topicPolicyStatement } from '../../../tasks/lib/policy';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DEMO } from '../../../local/sandbox/seed';
import { ACCOUNT, destinations, REGION, startTestRuntime, topicArn, type TestRuntime } from '../../support/runtime';

/**
 * Issue 8 §1 at the API: what an undo cannot give back exactly is said in the 202 before anything changes, and a
 * topic-policy request for a number that names a TwoWayChannelRole is refused synchronously (422), saying what
 * to send instead, with nothing started.
 */

let t: TestRuntime;
let sms: PinpointSMSVoiceV2Client;
let sfn: SFNClient;

beforeAll(async () => {
  t = await startTestRuntime();
  sms = new PinpointSMSVoiceV2Client(t.edge.sdkConfig());
  sfn = new SFNClient(t.edge.sdkConfig());
});

afterAll(async () => {
  await t.stop();
});

async function freshNumber(): Promise<string> {
  const out = await sms.send(new RequestPhoneNumberCommand({ IsoCountryCode: 'US', MessageType: 'TRANSACTIONAL', NumberCapabilities: ['SMS'], NumberType: 'LONG_CODE' }));
  return out.PhoneNumberId!;
}

async function executionCount(): Promise<number> {
  let n = 0;
  for (const arn of Object.values(t.rt.stateMachines)) n += (await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1000 }))).executions?.length ?? 0;
  return n;
}

describe('not exactly reversible, said up front', () => {
  it('a role destination for a number without a role: the 202, the detail and the audit trail say what an undo cannot give back', async () => {
    const id = await freshNumber();
    const res = await t.api.call('POST', '/v1/provisionings', { phoneNumberId: id, destination: destinations.snsNewTopicNewRole(`rev-${Date.now()}`) });

    expect(res.status).toBe(202);
    expect(res.body.notReversible).toEqual([expect.stringMatching(/^not exactly reversible: .*TwoWayChannelRole/), expect.stringMatching(/^not exactly reversible: .*TwoWayChannelArn/)]);
    const end = await t.api.waitForEnd(res.body.id);
    expect(end.status).toBe('SUCCEEDED');
    expect(end.notReversible).toEqual(res.body.notReversible);
    const audit = await t.api.call('GET', `/v1/provisionings/${res.body.id}/audit`);
    const notes = audit.body.items.filter((a: { phase: string }) => a.phase === 'note').map((a: { note: string }) => a.note);
    expect(notes).toEqual(res.body.notReversible);
  });

  it('a topic-policy destination for a number already on a topic says nothing: an undo restores it exactly', async () => {
    const id = await freshNumber();
    await sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: id, TwoWayEnabled: true, TwoWayChannelArn: topicArn(DEMO.topics.standard) }));
    const res = await t.api.call('POST', '/v1/provisionings', { phoneNumberId: id, destination: destinations.snsNewTopicPolicy(`rev-${Date.now()}`) });
    expect(res.status).toBe(202);
    expect(res.body.notReversible).toBeUndefined();
    expect((await t.api.waitForEnd(res.body.id)).status).toBe('SUCCEEDED');
  });
});

describe('a number that names a role', () => {
  it('is refused a topic-policy destination with a 422 naming destination.access.type and what to send, and nothing starts', async () => {
    const id = await freshNumber();
    const role = `arn:aws:iam::${ACCOUNT}:role/${DEMO.roles.correct}`;
    await sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: id, TwoWayEnabled: true, TwoWayChannelArn: topicArn(DEMO.topics.standard), TwoWayChannelRole: role }));
    const before = await executionCount();

    const res = await t.api.call('POST', '/v1/provisionings', { phoneNumberId: id, destination: destinations.snsNewTopicPolicy(`rev-${Date.now()}`) });

    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.type).toBe('urn:two-way-sms:problem:destination-not-usable');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['destination.access.type']);
    expect(res.body.detail).toContain('{"type": "role", "role": {"create": {}}}');
    expect(res.body.detail).toContain(role);
    expect(await executionCount()).toBe(before);

    // What the message says to send is accepted.
    const ok = await t.api.call('POST', '/v1/provisionings', { phoneNumberId: id, destination: destinations.snsNewTopicNewRole(`rev-${Date.now()}`) });
    expect(ok.status).toBe(202);
    expect((await t.api.waitForEnd(ok.body.id)).status).toBe('SUCCEEDED');
  });
});

describe('an undo that would need a key nobody opted in', () => {
  it('is refused with a 403 naming destination before anything starts: the number delivers to a topic whose key trusts only the service', async () => {
    const kms = new KMSClient(t.edge.sdkConfig());
    const sns = new SNSClient(t.edge.sdkConfig());
    const where = { accountId: ACCOUNT, region: REGION, partition: 'aws' };
    const key = await kms.send(
      new CreateKeyCommand({
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:DescribeKey', 'kms:ListResourceTags'], Resource: '*' },
            keyPolicyStatement(where),
          ],
        }),
      }),
    );
    const topic = (await sns.send(new CreateTopicCommand({ Name: `rev-enc-${Date.now()}`, Attributes: { KmsMasterKeyId: key.KeyMetadata!.Arn! } }))).TopicArn!;
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topic, AttributeName: 'Policy', AttributeValue: JSON.stringify({ Version: '2012-10-17', Statement: [topicPolicyStatement({ ...where, topicArn: topic })] }) }));
    const id = await freshNumber();
    await sms.send(new UpdatePhoneNumberCommand({ PhoneNumberId: id, TwoWayEnabled: true, TwoWayChannelArn: topic }));
    const before = await executionCount();

    const res = await t.api.call('POST', '/v1/provisionings', { phoneNumberId: id, destination: destinations.snsNewTopicNewRole(`rev-${Date.now()}`) });

    expect(res.status).toBe(403);
    expect(res.body.type).toBe('urn:two-way-sms:problem:not-opted-in');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['destination']);
    expect(res.body.detail).toContain('an undo of this provisioning could not give the number back its inbound SMS');
    expect(res.body.detail).toContain(`aws kms tag-resource --key-id ${key.KeyMetadata!.Arn!}`);
    expect(await executionCount()).toBe(before);
    // The topic-policy path sets no role, so its undo needs nothing of the key: accepted.
    const policyPath = await t.api.call('POST', '/v1/provisionings', { phoneNumberId: id, destination: { type: 'sns', topic: { arn: topic }, access: { type: 'topicPolicy' } } });
    expect(policyPath.status).toBe(202);
  });
});
