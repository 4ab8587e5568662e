import { awsCli, startSandbox, type RunningSandbox } from '../../support/sandbox';
import { ACCOUNT, putNumber, putRole, putTopic, roleRecord, topicRecord } from './sms-voice-fixtures';

// The AWS CLI (botocore, a separate implementation of the protocol) as an independent client of the sandbox.
describe('sms-voice through the AWS CLI', () => {
  let sb: RunningSandbox;

  beforeAll(async () => {
    sb = await startSandbox({ seed: false });
  });
  afterAll(async () => {
    await sb.stop();
  });

  it('enables two-way with update-phone-number and prints the number record', async () => {
    const n = putNumber(sb);
    const topic = putTopic(sb, topicRecord('cli-inbound'));
    const role = putRole(sb, roleRecord('cli-two-way'));

    const out = await awsCli(sb.url, [
      'pinpoint-sms-voice-v2',
      'update-phone-number',
      '--phone-number-id',
      n.PhoneNumberId,
      '--two-way-enabled',
      '--two-way-channel-arn',
      topic.TopicArn,
      '--two-way-channel-role',
      role.Arn,
    ]);

    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.json).toMatchObject({
      PhoneNumberArn: n.PhoneNumberArn,
      PhoneNumberId: n.PhoneNumberId,
      PhoneNumber: n.PhoneNumber,
      Status: 'ACTIVE',
      IsoCountryCode: 'US',
      NumberType: 'LONG_CODE',
      TwoWayEnabled: true,
      TwoWayChannelArn: topic.TopicArn,
      TwoWayChannelRole: role.Arn,
    });
    // CLI v1 prints timestamps as they came over the wire (cli_timestamp_format=none): epoch seconds.
    expect(Math.abs((out.json.CreatedTimestamp as number) - Date.now() / 1000)).toBeLessThan(600);
  });

  it('lists numbers with describe-phone-numbers and a filter', async () => {
    const us = putNumber(sb);
    const ca = putNumber(sb, { PhoneNumber: '+16045550123', IsoCountryCode: 'CA' });

    const all = await awsCli(sb.url, ['pinpoint-sms-voice-v2', 'describe-phone-numbers']);
    const filtered = await awsCli(sb.url, ['pinpoint-sms-voice-v2', 'describe-phone-numbers', '--filters', 'Name=iso-country-code,Values=CA']);

    expect(all.code).toBe(0);
    expect(all.json.PhoneNumbers.map((p: { PhoneNumberId: string }) => p.PhoneNumberId)).toEqual(expect.arrayContaining([us.PhoneNumberId, ca.PhoneNumberId]));
    expect(filtered.code).toBe(0);
    expect(filtered.json.PhoneNumbers).toEqual([expect.objectContaining({ PhoneNumberId: ca.PhoneNumberId, PhoneNumber: '+16045550123', IsoCountryCode: 'CA' })]);
  });

  it('exits non-zero with the error code in stderr when the topic does not exist', async () => {
    const n = putNumber(sb);

    const out = await awsCli(sb.url, [
      'pinpoint-sms-voice-v2',
      'update-phone-number',
      '--phone-number-id',
      n.PhoneNumberId,
      '--two-way-enabled',
      '--two-way-channel-arn',
      `arn:aws:sns:us-east-1:${ACCOUNT}:cli-missing`,
    ]);

    expect([254, 255]).toContain(out.code);
    expect(out.stderr).toContain('(ValidationException) when calling the UpdatePhoneNumber operation');
    expect(out.stdout).toBe('');
  });
});
