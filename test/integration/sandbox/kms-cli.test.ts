import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { defaultKeyPolicy } from '../../../local/sandbox/services/kms';
import { awsCli, startSandbox, type RunningSandbox } from '../../support/sandbox';

describe('KMS through the AWS CLI', () => {
  let sb: RunningSandbox;
  let keyId: string;

  beforeAll(async () => {
    sb = await startSandbox({ seed: false });
    const kms = new KMSClient(sb.clientConfig);
    keyId = (await kms.send(new CreateKeyCommand({ Description: 'cli' }))).KeyMetadata!.KeyId!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/cli', TargetKeyId: keyId }));
    kms.destroy();
  });
  afterAll(async () => {
    await sb.stop();
  });

  it('prints the default key policy from kms get-key-policy', async () => {
    const out = await awsCli(sb.url, ['kms', 'get-key-policy', '--key-id', keyId, '--policy-name', 'default']);

    expect(out.code).toBe(0);
    expect(out.json).toEqual({ Policy: defaultKeyPolicy('123456789012', 'aws'), PolicyName: 'default' });
    expect(JSON.parse(out.json.Policy).Statement[0]).toEqual({
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Action: 'kms:*',
      Resource: '*',
    });
  });

  it('prints the key metadata from kms describe-key by alias', async () => {
    const out = await awsCli(sb.url, ['kms', 'describe-key', '--key-id', 'alias/cli']);

    expect(out.code).toBe(0);
    expect(out.json.KeyMetadata).toMatchObject({ KeyId: keyId, Description: 'cli', KeyState: 'Enabled', KeyManager: 'CUSTOMER' });
    // AWS CLI v1 prints awsJson timestamps as the epoch seconds it received.
    expect(out.json.KeyMetadata.CreationDate).toBeGreaterThan(Date.now() / 1000 - 300);
    expect(out.json.KeyMetadata.CreationDate).toBeLessThanOrEqual(Date.now() / 1000 + 1);
  });

  it('fails kms get-key-policy on an alias with InvalidArnException', async () => {
    const out = await awsCli(sb.url, ['kms', 'get-key-policy', '--key-id', 'alias/cli', '--policy-name', 'default']);

    expect(out.code).toBe(255);
    expect(out.stderr).toContain('An error occurred (InvalidArnException) when calling the GetKeyPolicy operation: Key Aliases are not supported for this operation.');
  });

  it('fails kms describe-key on an unknown key with NotFoundException', async () => {
    const out = await awsCli(sb.url, ['kms', 'describe-key', '--key-id', '11111111-2222-4333-8444-555555555555']);

    expect(out.code).toBe(255);
    expect(out.stderr).toContain('An error occurred (NotFoundException) when calling the DescribeKey operation');
  });
});
