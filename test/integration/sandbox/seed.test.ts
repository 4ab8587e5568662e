import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { ListInstancesCommand, ConnectClient } from '@aws-sdk/client-connect';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribePhoneNumbersCommand, DescribePoolsCommand, PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { DEMO } from '../../../local/sandbox/seed';
import { control, startSandbox, type RunningSandbox } from '../../support/sandbox';

describe('sandbox demo resources', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb.stop();
  });

  it('seeds one number per case, each visible through DescribePhoneNumbers', async () => {
    const out = await new PinpointSMSVoiceV2Client(sb.clientConfig).send(new DescribePhoneNumbersCommand({}));
    const byNumber = new Map(out.PhoneNumbers!.map((p) => [p.PhoneNumber, p]));
    expect(byNumber.get(DEMO.numbers.longCode)).toMatchObject({ Status: 'ACTIVE', NumberType: 'LONG_CODE', IsoCountryCode: 'US', TwoWayEnabled: false });
    expect(byNumber.get(DEMO.numbers.tenDlc)).toMatchObject({ NumberType: 'TEN_DLC' });
    expect(byNumber.get(DEMO.numbers.simulator)).toMatchObject({ NumberType: 'SIMULATOR' });
    expect(byNumber.get(DEMO.numbers.pending)).toMatchObject({ Status: 'PENDING' });
    expect(byNumber.get(DEMO.numbers.noTwoWayCountry)).toMatchObject({ IsoCountryCode: 'DE' });
    const pooled = byNumber.get(DEMO.numbers.pooled);
    expect(pooled?.PoolId).toMatch(/^pool-/);
    const pools = await new PinpointSMSVoiceV2Client(sb.clientConfig).send(new DescribePoolsCommand({}));
    expect(pools.Pools!.map((p) => p.PoolId)).toContain(pooled!.PoolId);
  });

  it('seeds the keys, topics, Connect instance and roles the README names', async () => {
    const kms = new KMSClient(sb.clientConfig);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: DEMO.keys.symmetric }))).KeyMetadata).toMatchObject({ KeySpec: 'SYMMETRIC_DEFAULT', KeyManager: 'CUSTOMER', KeyState: 'Enabled' });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: DEMO.keys.asymmetric }))).KeyMetadata).toMatchObject({ KeySpec: 'RSA_2048' });
    const sns = new SNSClient(sb.clientConfig);
    const topics = (await sns.send(new ListTopicsCommand({}))).Topics!.map((t) => t.TopicArn!);
    const arn = (name: string): string => `arn:aws:sns:us-east-1:123456789012:${name}`;
    expect(topics).toEqual(expect.arrayContaining([arn(DEMO.topics.standard), arn(DEMO.topics.fifo), arn(DEMO.topics.encrypted)]));
    const enc = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn(DEMO.topics.encrypted) }));
    expect(enc.Attributes?.KmsMasterKeyId).toBe(DEMO.keys.symmetric);
    const instances = await new ConnectClient(sb.clientConfig).send(new ListInstancesCommand({}));
    expect(instances.InstanceSummaryList!.map((i) => i.InstanceAlias)).toContain(DEMO.connectInstanceAlias);
    const iam = new IAMClient(sb.clientConfig);
    await expect(iam.send(new GetRoleCommand({ RoleName: DEMO.roles.correct }))).resolves.toBeDefined();
    await expect(iam.send(new GetRoleCommand({ RoleName: DEMO.roles.missingPublish }))).resolves.toBeDefined();
  });

  it('re-seeds on reset and starts empty with seed false', async () => {
    const sms = new PinpointSMSVoiceV2Client(sb.clientConfig);
    expect((await control(sb.url, 'POST', '/_sandbox/reset', { seed: false })).status).toBe(200);
    expect((await sms.send(new DescribePhoneNumbersCommand({}))).PhoneNumbers).toEqual([]);
    expect((await control(sb.url, 'POST', '/_sandbox/reset', {})).status).toBe(200);
    expect((await sms.send(new DescribePhoneNumbersCommand({}))).PhoneNumbers).toHaveLength(6);
  });
});
