import { DescribePhoneNumbersCommand, PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { DEMO } from '../../local/sandbox/seed';
import { destinations, startTestRuntime, topicArn, type TestRuntime } from '../support/runtime';

/**
 * End to end through HTTP, as a user of `npm start` sees it: the whole local service (sandbox, dynalite, local
 * Step Functions running the real ASL and task cores, REST API) started in process; every request goes over
 * HTTP to the REST API or to the sandbox control API. One provisioning per destination kind, each ending
 * with an inbound SMS that must arrive where the provisioning said.
 */

let env: TestRuntime;
let demo: Awaited<ReturnType<TestRuntime['edge']['demo']>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CUSTOMER = '+14255550182';

beforeAll(async () => {
  env = await startTestRuntime();
  demo = await env.edge.demo();
}, 30_000);

afterAll(async () => {
  await env?.stop();
});

/** The docs/domain.md §3 payload of an inbound message, exactly (no `previousPublishedMessageId` unless given). */
function expectedPayload(destinationNumber: string, messageBody: string, extra: Record<string, string> = {}) {
  return {
    originationNumber: CUSTOMER,
    destinationNumber,
    messageKeyword: messageBody.split(' ')[0]!.toUpperCase(),
    messageBody,
    inboundMessageId: expect.stringMatching(UUID),
    ...extra,
  };
}

const stepNames = (p: any): string[] => p.steps.map((s: { name: string }) => s.name);

async function twoWayOf(phoneNumberId: string): Promise<{ enabled?: boolean; channel?: string }> {
  const sms = new PinpointSMSVoiceV2Client(env.edge.sdkConfig());
  const out = await sms.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [phoneNumberId] }));
  const n = out.PhoneNumbers![0]!;
  return { ...(n.TwoWayEnabled !== undefined ? { enabled: n.TwoWayEnabled } : {}), ...(n.TwoWayChannelArn ? { channel: n.TwoWayChannelArn } : {}) };
}

describe('provisioning through the REST API, then an inbound SMS', () => {
  it('SNS, new topic and new role: SUCCEEDED, and the inbound message is published to the new topic', async () => {
    const { id } = await env.api.provision({ phoneNumberId: DEMO.numbers.longCode, destination: destinations.snsNewTopicNewRole('e2e-new-role') });

    const done = await env.api.waitForEnd(id);

    expect(done).toMatchObject({ id, operation: 'provision', status: 'SUCCEEDED', phoneNumberId: demo.numbers.longCode, requestedBy: 'local:token', endedAt: expect.any(String) });
    expect(done.error).toBeUndefined();
    expect(stepNames(done)).toEqual(['Start', 'AcquireLock', 'ValidateNumber', 'RouteByDestination', 'EnsureTopic', 'EnsureAccess', 'MergeKeyPolicy', 'Preflight', 'EnableTwoWay', 'RouteAfterEnable', 'Verify', 'ReleaseLock', 'Provisioned']);
    const role = done.resources.find((r: any) => r.kind === 'role');
    expect(role).toMatchObject({ created: true, status: 'done', roleArn: expect.stringMatching(/^arn:aws:iam::123456789012:role\/two-way-sms\//) });
    expect(done.resources.find((r: any) => r.kind === 'topic')).toMatchObject({ arn: topicArn('e2e-new-role'), created: true, status: 'done' });

    const res = await env.edge.inbound(DEMO.numbers.longCode, 'JOIN now');

    expect(res).toEqual({ delivered: true, channel: 'sns', destination: topicArn('e2e-new-role'), payload: expectedPayload(DEMO.numbers.longCode, 'JOIN now') });
    expect(Object.keys(res.payload)).not.toContain('previousPublishedMessageId');
    const messages = await env.edge.topicMessages(topicArn('e2e-new-role'));
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]!.message)).toEqual(res.payload);
  });

  it('SNS, new topic and topic policy: SUCCEEDED, and the payload carries previousPublishedMessageId when the customer replied to one', async () => {
    const { id } = await env.api.provision({ phoneNumberId: demo.numbers.simulator, destination: destinations.snsNewTopicPolicy('e2e-topic-policy') });

    const done = await env.api.waitForEnd(id);

    expect(done).toMatchObject({ status: 'SUCCEEDED', phoneNumberId: demo.numbers.simulator });
    expect(done.resources.find((r: any) => r.kind === 'topicStatement')).toMatchObject({ topicArn: topicArn('e2e-topic-policy'), added: true, status: 'done' });
    expect(done.resources.some((r: any) => r.kind === 'role')).toBe(false);

    const plain = await env.edge.inbound(DEMO.numbers.simulator, 'STOP please');
    const reply = await env.edge.inbound(DEMO.numbers.simulator, 'yes thanks', CUSTOMER, { previousPublishedMessageId: 'out-msg-0001' });

    expect(plain).toEqual({ delivered: true, channel: 'sns', destination: topicArn('e2e-topic-policy'), payload: expectedPayload(DEMO.numbers.simulator, 'STOP please') });
    expect(reply.payload).toEqual(expectedPayload(DEMO.numbers.simulator, 'yes thanks', { previousPublishedMessageId: 'out-msg-0001' }));
    expect(reply.payload.inboundMessageId).not.toBe(plain.payload.inboundMessageId);
    const messages = (await env.edge.topicMessages(topicArn('e2e-topic-policy'))).map((m) => JSON.parse(m.message));
    expect(messages).toEqual([plain.payload, reply.payload]);
  });

  it('SNS, existing KMS-encrypted topic and topic policy (on the demo pool): SUCCEEDED, the key policy merged, and the inbound message delivered', async () => {
    const { id } = await env.api.provision({ poolId: demo.poolId, destination: destinations.snsEncryptedTopicPolicy() });

    const done = await env.api.waitForEnd(id);

    expect(done).toMatchObject({ status: 'SUCCEEDED', poolId: demo.poolId });
    expect(done.resources.find((r: any) => r.kind === 'topic')).toMatchObject({ arn: topicArn(DEMO.topics.encrypted), status: 'skipped' });
    expect(done.resources.find((r: any) => r.kind === 'keyStatement')).toMatchObject({ added: true, status: 'done', keyArn: expect.stringMatching(/^arn:aws:kms:us-east-1:123456789012:key\//) });

    const res = await env.edge.inbound(DEMO.numbers.pooled, 'JOIN encrypted');

    expect(res).toEqual({ delivered: true, channel: 'sns', destination: topicArn(DEMO.topics.encrypted), payload: expectedPayload(DEMO.numbers.pooled, 'JOIN encrypted') });
    const messages = (await env.edge.topicMessages(topicArn(DEMO.topics.encrypted))).map((m) => JSON.parse(m.message));
    expect(messages).toContainEqual(res.payload);
  });

  it('Connect, seeded instance and new role: SUCCEEDED, the number imported, and the inbound message recorded as a Connect event', async () => {
    const { id } = await env.api.provision({ phoneNumberId: DEMO.numbers.tenDlc, destination: destinations.connectNewRole(demo.connectInstanceId) });

    const done = await env.api.waitForEnd(id);

    expect(done).toMatchObject({ status: 'SUCCEEDED', phoneNumberId: demo.numbers.tenDlc });
    expect(stepNames(done)).toEqual(expect.arrayContaining(['EnsureConnectRole', 'EnableTwoWay', 'ImportToConnect', 'AssociateContactFlow', 'Verify']));
    expect(stepNames(done)).not.toContain('EnsureTopic');
    const imported = done.resources.find((r: any) => r.kind === 'connectImport');
    expect(imported).toMatchObject({ instanceId: demo.connectInstanceId, status: 'done' });
    const role = done.resources.find((r: any) => r.kind === 'role');
    expect(role).toMatchObject({ created: true, status: 'done' });
    const before = (await env.edge.connectEvents()).length;

    const res = await env.edge.inbound(DEMO.numbers.tenDlc, 'HELP me');

    expect(res).toEqual({ delivered: true, channel: 'connect', destination: 'connect.us-east-1.amazonaws.com' });
    const events = (await env.edge.connectEvents()).slice(before);
    expect(events).toEqual([
      expect.objectContaining({
        instanceId: demo.connectInstanceId,
        connectPhoneNumberId: imported.connectPhoneNumberId,
        originationNumber: CUSTOMER,
        destinationNumber: DEMO.numbers.tenDlc,
        messageBody: 'HELP me',
        roleArn: role.roleArn,
      }),
    ]);
  });
});

describe('a failing provisioning', () => {
  it('to a FIFO topic ends ROLLED_BACK with its error in GET /v1/provisionings/{id}, and changes nothing', async () => {
    const number = await env.edge.newNumber();
    const since = Math.max(0, ...(await env.edge.calls()).map((c) => c.seq));
    const { id } = await env.api.provision({ phoneNumberId: number.id, destination: destinations.snsFifoTopicPolicy() });

    const done = await env.api.waitForEnd(id);

    expect(done.status).toBe('ROLLED_BACK');
    expect(done.error).toEqual({ name: 'DestinationNotUsable', message: expect.stringMatching(/FIFO/) });
    expect(done.error.message).toContain(DEMO.topics.fifo);
    expect(done.steps.find((s: any) => s.error)).toMatchObject({ name: 'EnsureTopic', status: 'caught', error: { name: 'DestinationNotUsable' } });
    expect(stepNames(done)).toEqual(expect.arrayContaining(['Rollback', 'UndoTopic', 'ReleaseLockAfterRollback', 'RolledBack']));
    expect(stepNames(done)).not.toContain('EnableTwoWay');
    // Validation happens before any mutation: the tasks' AWS calls were all reads (StartExecution is the API's).
    const calls = await env.edge.calls({ since: String(since) });
    expect(calls.filter((c) => c.service !== 'states').length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.mutating && c.service !== 'states')).toEqual([]);
    expect((await twoWayOf(number.id)).enabled).not.toBe(true);
    expect(await env.edge.inbound(number.e164)).toMatchObject({ delivered: false, reason: expect.any(String) });
  });
});

describe('deprovisioning through the REST API', () => {
  it('DELETE /v1/phone-numbers/{id}/two-way ends SUCCEEDED and inbound messages are no longer delivered', async () => {
    const number = await env.edge.newNumber();
    const { id: provisioned } = await env.api.provision({ phoneNumberId: number.id, destination: destinations.snsNewTopicNewRole('e2e-deprovision') });
    expect((await env.api.waitForEnd(provisioned)).status).toBe('SUCCEEDED');
    expect(await env.edge.inbound(number.e164)).toMatchObject({ delivered: true, destination: topicArn('e2e-deprovision') });

    const del = await env.api.call('DELETE', `/v1/phone-numbers/${number.id}/two-way`);

    expect(del.status).toBe(202);
    expect(del.body).toMatchObject({ operation: 'deprovision', status: 'RUNNING', phoneNumberId: number.id });
    expect(del.body.id).not.toBe(provisioned);
    const done = await env.api.waitForEnd(del.body.id);
    expect(done).toMatchObject({ operation: 'deprovision', status: 'SUCCEEDED', phoneNumberId: number.id });
    expect(done.error).toBeUndefined();
    expect((await twoWayOf(number.id)).enabled).toBe(false);
    const res = await env.edge.inbound(number.e164, 'JOIN again');
    expect(res.delivered).toBe(false);
    expect(res.reason).toEqual(expect.any(String));
    expect(res.payload).toBeUndefined();
  });
});
