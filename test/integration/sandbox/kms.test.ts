import {
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListAliasesCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type CreateKeyCommandInput,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { addAlias, addKey, defaultKeyPolicy, resolveKey } from '../../../local/sandbox/services/kms';
import { startSandbox, type RunningSandbox } from '../../support/sandbox';

const ACCOUNT = '123456789012';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const CALLER = `arn:aws:iam::${ACCOUNT}:user/sandbox`;

/** A key policy with the given statements (the root delegation unless told otherwise). */
function policy(...statements: object[]): string {
  const list = statements.length ? statements : [{ Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }];
  return JSON.stringify({ Version: '2012-10-17', Statement: list });
}

const serviceOnly = { Sid: 'Sms', Effect: 'Allow', Principal: { Service: 'sms-voice.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' };

type SdkError = Error & { $metadata: { httpStatusCode?: number } };

async function failure(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error('expected the call to fail');
}

describe('KMS in the sandbox', () => {
  let sb: RunningSandbox;
  let kms: KMSClient;

  beforeAll(async () => {
    sb = await startSandbox({ seed: false });
    kms = new KMSClient(sb.clientConfig);
  });
  afterAll(async () => {
    kms.destroy();
    await sb.stop();
  });

  async function newKey(input: CreateKeyCommandInput = {}): Promise<KeyMetadata> {
    const out = await kms.send(new CreateKeyCommand(input));
    return out.KeyMetadata!;
  }

  describe('CreateKey', () => {
    it('creates a symmetric encryption key with the documented defaults', async () => {
      const before = Date.now();

      const key = await newKey();

      expect(key).toMatchObject({
        AWSAccountId: ACCOUNT,
        Arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${key.KeyId}`,
        Enabled: true,
        Description: '',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeyState: 'Enabled',
        Origin: 'AWS_KMS',
        KeyManager: 'CUSTOMER',
        KeySpec: 'SYMMETRIC_DEFAULT',
        CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        MultiRegion: false,
      });
      expect(key.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(key.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
      expect(key.CreationDate!.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(key.SigningAlgorithms).toBeUndefined();
    });

    it.each([
      ['RSA_2048', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
      ['RSA_3072', 'SIGN_VERIFY', { SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512'] }],
      ['RSA_4096', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
      ['ECC_NIST_P256', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
      ['ECC_NIST_P384', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_384'] }],
      ['ECC_NIST_P521', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_512'] }],
      ['ECC_SECG_P256K1', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
      ['ECC_NIST_P256', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }],
      ['HMAC_224', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_224'] }],
      ['HMAC_256', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_256'] }],
      ['HMAC_384', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_384'] }],
      ['HMAC_512', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_512'] }],
    ] as const)('creates a %s key for %s with the algorithms of that spec', async (spec, usage, algorithms) => {
      const key = await newKey({ KeySpec: spec, KeyUsage: usage });

      expect(key).toMatchObject({ KeySpec: spec, CustomerMasterKeySpec: spec, KeyUsage: usage, ...algorithms });
      const families = ['EncryptionAlgorithms', 'SigningAlgorithms', 'MacAlgorithms', 'KeyAgreementAlgorithms'] as const;
      const absent = families.filter((f) => !(f in algorithms));
      expect(absent.map((f) => key[f])).toEqual(absent.map(() => undefined));
      expect(key.CurrentKeyMaterialId).toBeUndefined();
    });

    it.each([
      ['ECC_NIST_P256', 'ENCRYPT_DECRYPT'],
      ['ECC_SECG_P256K1', 'KEY_AGREEMENT'],
      ['HMAC_256', 'ENCRYPT_DECRYPT'],
      ['SYMMETRIC_DEFAULT', 'SIGN_VERIFY'],
      ['RSA_2048', 'KEY_AGREEMENT'],
    ] as const)('rejects %s with KeyUsage %s as incompatible', async (spec, usage) => {
      const err = await failure(newKey({ KeySpec: spec, KeyUsage: usage }));

      expect(err.name).toBe('ValidationException');
      expect(err.message).toBe(`KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
      expect(err.$metadata.httpStatusCode).toBe(400);
    });

    it.each(['RSA_2048', 'ECC_NIST_P256', 'HMAC_256'] as const)('requires a KeyUsage for a %s key', async (spec) => {
      const err = await failure(newKey({ KeySpec: spec }));

      expect(err.name).toBe('ValidationException');
      expect(err.message).toBe('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
    });

    it('rejects an unknown key spec naming the member and its enum', async () => {
      const err = await failure(newKey({ KeySpec: 'AES_512' as never }));

      expect(err.name).toBe('ValidationException');
      expect(err.message).toMatch(/^1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[.*SYMMETRIC_DEFAULT.*\]$/);
    });

    it('reports every violated constraint of a request at once', async () => {
      const err = await failure(newKey({ KeySpec: 'NOPE' as never, KeyUsage: 'NOPE' as never, Description: 'd'.repeat(8193) }));

      expect(err.name).toBe('ValidationException');
      expect(err.message).toMatch(/^3 validation errors detected: /);
      expect(err.message).toContain("at 'description'");
      expect(err.message).toContain("at 'keyUsage'");
      expect(err.message).toContain("at 'keySpec'");
    });

    it('attaches the default key policy delegating to the account root', async () => {
      const key = await newKey();

      const out = await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }));

      expect(out.Policy).toBe(defaultKeyPolicy(ACCOUNT, 'aws'));
      expect(JSON.parse(out.Policy!)).toEqual({
        Version: '2012-10-17',
        Id: 'key-default-1',
        Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }],
      });
    });

    it('keeps a given policy, description and tags as given', async () => {
      const text = policy({ Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }, serviceOnly);

      const key = await newKey({ Policy: text, Description: 'topic key', Tags: [{ TagKey: 'app', TagValue: 'sms' }] });

      expect(key.Description).toBe('topic key');
      expect((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy).toBe(text);
      expect((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([{ TagKey: 'app', TagValue: 'sms' }]);
    });

    it('rejects a policy that would lock the caller out of PutKeyPolicy', async () => {
      const err = await failure(newKey({ Policy: policy(serviceOnly) }));

      expect(err.name).toBe('MalformedPolicyDocumentException');
      expect(err.message).toBe('The new key policy will not allow you to update the key policy in the future.');
    });

    it('creates a locked-out key when BypassPolicyLockoutSafetyCheck is set, which then refuses the caller', async () => {
      const key = await newKey({ Policy: policy(serviceOnly), BypassPolicyLockoutSafetyCheck: true });

      const put = await failure(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: policy() })));
      const describe = await failure(kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })));

      expect(put.name).toBe('AccessDeniedException');
      expect(put.message).toBe(
        `User: ${CALLER} is not authorized to perform: kms:PutKeyPolicy on resource: ${key.Arn} because no resource-based policy allows the kms:PutKeyPolicy action`,
      );
      expect(describe.name).toBe('AccessDeniedException');
    });

    it('rejects a policy that is not JSON', async () => {
      const err = await failure(newKey({ Policy: 'allow everything' }));

      expect(err.name).toBe('MalformedPolicyDocumentException');
      expect(err.$metadata.httpStatusCode).toBe(400);
    });

    it('rejects a policy over 32 KB with LimitExceededException', async () => {
      const big = policy({ Sid: 'x'.repeat(33_000), Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' });

      const err = await failure(newKey({ Policy: big }));

      expect(err.name).toBe('LimitExceededException');
    });

    it.each([
      [[{ TagKey: 'aws:owner', TagValue: 'x' }], 'Tags beginning with aws: are reserved'],
      [[{ TagKey: 'a', TagValue: '1' }, { TagKey: 'a', TagValue: '2' }], 'Duplicate tag keys'],
      [Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' })), 'Too many tags'],
    ])('rejects invalid tags with TagException', async (tags, message) => {
      const err = await failure(newKey({ Tags: tags }));

      expect(err.name).toBe('TagException');
      expect(err.message).toBe(message);
    });

    it('rejects an over-long tag key naming its position', async () => {
      const err = await failure(newKey({ Tags: [{ TagKey: 'k'.repeat(129), TagValue: 'v' }] }));

      expect(err.name).toBe('ValidationException');
      expect(err.message).toContain("at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128");
    });

    it('creates a multi-Region primary key with an mrk- id', async () => {
      const key = await newKey({ MultiRegion: true });

      expect(key.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
      expect(key.MultiRegion).toBe(true);
      expect(key.MultiRegionConfiguration).toEqual({ MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: key.Arn, Region: 'us-east-1' }, ReplicaKeys: [] });
    });

    it('answers a custom key store id with CustomKeyStoreNotFoundException', async () => {
      const err = await failure(newKey({ CustomKeyStoreId: 'cks-1234567890abcdef0' }));

      expect(err.name).toBe('CustomKeyStoreNotFoundException');
    });
  });

  describe('DescribeKey', () => {
    let key: KeyMetadata;
    beforeAll(async () => {
      key = await newKey({ Description: 'described' });
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/described', TargetKeyId: key.KeyId }));
    });

    it.each([
      ['key id', () => key.KeyId!],
      ['key ARN', () => key.Arn!],
      ['alias name', () => 'alias/described'],
      ['alias ARN', () => `arn:aws:kms:us-east-1:${ACCOUNT}:alias/described`],
    ])('finds the key by its %s', async (_label, id) => {
      const out = await kms.send(new DescribeKeyCommand({ KeyId: id() }));

      expect(out.KeyMetadata).toEqual(key);
    });

    it('answers an unknown key id with NotFoundException naming the key ARN', async () => {
      const err = await failure(kms.send(new DescribeKeyCommand({ KeyId: '11111111-2222-4333-8444-555555555555' })));

      expect(err.name).toBe('NotFoundException');
      expect(err.message).toBe(`Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-4333-8444-555555555555' does not exist`);
      expect(err.$metadata.httpStatusCode).toBe(400);
    });

    it('answers a malformed key id with NotFoundException', async () => {
      const err = await failure(kms.send(new DescribeKeyCommand({ KeyId: 'fake-key-id' })));

      expect(err.name).toBe('NotFoundException');
      expect(err.message).toBe("Invalid keyId 'fake-key-id'");
    });

    it('answers an unknown alias with NotFoundException naming the alias ARN', async () => {
      const err = await failure(kms.send(new DescribeKeyCommand({ KeyId: 'alias/missing' })));

      expect(err.name).toBe('NotFoundException');
      expect(err.message).toBe(`Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/missing is not found.`);
    });

    it('answers a key ARN of another region with NotFoundException', async () => {
      const err = await failure(kms.send(new DescribeKeyCommand({ KeyId: key.Arn!.replace('us-east-1', 'eu-west-1') })));

      expect(err.name).toBe('NotFoundException');
      expect(err.message).toBe('Invalid arn eu-west-1');
    });

    it('does not find a key from another region by its id', async () => {
      const other = new KMSClient({ ...sb.clientConfig, region: 'eu-west-1' });

      const err = await failure(other.send(new DescribeKeyCommand({ KeyId: key.KeyId })));

      expect(err.name).toBe('NotFoundException');
      other.destroy();
    });

    it('answers an ARN that names no key or alias with InvalidArnException', async () => {
      const err = await failure(kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:keyring/abc` })));

      expect(err.name).toBe('InvalidArnException');
    });

    it('answers a request without KeyId with ValidationException naming keyId', async () => {
      const err = await failure(kms.send(new DescribeKeyCommand({} as never)));

      expect(err.name).toBe('ValidationException');
      expect(err.message).toBe("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
    });

    it('materialises the AWS managed key of alias/aws/sns on first use', async () => {
      const first = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/sns' }));
      const again = await kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/sns` }));

      expect(first.KeyMetadata).toMatchObject({ KeyManager: 'AWS', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', KeyState: 'Enabled', Enabled: true });
      expect(first.KeyMetadata!.Description).toContain('SNS');
      expect(again.KeyMetadata!.KeyId).toBe(first.KeyMetadata!.KeyId);
      const aliases = await kms.send(new ListAliasesCommand({ KeyId: first.KeyMetadata!.KeyId }));
      expect(aliases.Aliases!.map((a) => a.AliasName)).toEqual(['alias/aws/sns']);
    });

    it('gives the AWS managed key the AWS managed policy: use through SNS by the account, metadata to the root', async () => {
      const { KeyMetadata: managed } = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/sns' }));

      const doc = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: managed!.KeyId }))).Policy!);

      expect(doc.Statement).toEqual([
        {
          Sid: 'Allow access through SNS for all principals in the account that are authorized to use SNS',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:ListGrants', 'kms:DescribeKey'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': 'sns.us-east-1.amazonaws.com' } },
        },
        {
          Sid: 'Allow direct access to key metadata to the account',
          Effect: 'Allow',
          Principal: { AWS: ROOT },
          Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
          Resource: '*',
        },
      ]);
    });

    it('answers an alias/aws/ name of no AWS service with NotFoundException', async () => {
      const err = await failure(kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/not-a-service' })));

      expect(err.name).toBe('NotFoundException');
    });
  });

  describe('GetKeyPolicy', () => {
    it('returns the policy named default when PolicyName is omitted', async () => {
      const key = await newKey();

      const out = await kms.send(new GetKeyPolicyCommand({ KeyId: key.Arn }));

      expect(out.PolicyName).toBe('default');
      expect(JSON.parse(out.Policy!).Statement[0].Principal.AWS).toBe(ROOT);
    });

    it('answers any other policy name with NotFoundException', async () => {
      const key = await newKey();

      const err = await failure(kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'custom' })));

      expect(err.name).toBe('NotFoundException');
    });

    it('refuses an alias with InvalidArnException', async () => {
      const key = await newKey();
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/get-policy', TargetKeyId: key.KeyId }));

      const err = await failure(kms.send(new GetKeyPolicyCommand({ KeyId: 'alias/get-policy', PolicyName: 'default' })));

      expect(err.name).toBe('InvalidArnException');
      expect(err.message).toBe('Key Aliases are not supported for this operation.');
    });

    it('answers an unknown key with NotFoundException', async () => {
      const err = await failure(kms.send(new GetKeyPolicyCommand({ KeyId: '11111111-2222-4333-8444-555555555555', PolicyName: 'default' })));

      expect(err.name).toBe('NotFoundException');
    });
  });

  describe('PutKeyPolicy', () => {
    it('replaces the policy, which GetKeyPolicy returns verbatim', async () => {
      const key = await newKey();
      const text = policy({ Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }, serviceOnly);

      await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: text }));

      expect((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }))).Policy).toBe(text);
    });

    it('accepts a policy that grants the caller only kms:PutKeyPolicy', async () => {
      const key = await newKey();
      const text = policy({ Effect: 'Allow', Principal: { AWS: CALLER }, Action: 'kms:PutKeyPolicy', Resource: '*' }, serviceOnly);

      await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: text }));

      expect((await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: policy() }))).$metadata.httpStatusCode).toBe(200);
    });

    it.each([
      ['is not JSON', '{"Version": "2012-10-17", "Statement": ['],
      ['has no statements', JSON.stringify({ Version: '2012-10-17', Statement: [] })],
      ['has a statement without a principal', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] })],
      ['has an Effect other than Allow or Deny', policy({ Effect: 'Maybe', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' })],
      ['has an unknown element', policy({ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*', Colour: 'red' })],
    ])('rejects a policy that %s with MalformedPolicyDocumentException', async (_label, text) => {
      const key = await newKey();

      const err = await failure(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: text })));

      expect(err.name).toBe('MalformedPolicyDocumentException');
    });

    it.each([
      ['a malformed principal ARN', 'arn:aws:iam::not-an-account:root'],
      ['a role of this account that does not exist', `arn:aws:iam::${ACCOUNT}:role/NoSuchRole`],
    ])('rejects %s as an invalid principal', async (_label, principal) => {
      const key = await newKey();
      const text = policy({ Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }, { Effect: 'Allow', Principal: { AWS: principal }, Action: 'kms:Decrypt', Resource: '*' });

      const err = await failure(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: text })));

      expect(err.name).toBe('MalformedPolicyDocumentException');
      expect(err.message).toBe('Policy contains a statement with one or more invalid principals.');
    });

    it('rejects a policy over 32 KB with LimitExceededException and keeps the old policy', async () => {
      const key = await newKey();
      const big = policy({ Sid: 'x'.repeat(32_800), Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' });

      const err = await failure(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: big })));

      expect(err.name).toBe('LimitExceededException');
      expect((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy).toBe(defaultKeyPolicy(ACCOUNT, 'aws'));
    });

    it('rejects characters outside Latin-1 with ValidationException naming policy', async () => {
      const key = await newKey();

      const err = await failure(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: policy({ Sid: 'Snowman\u2603', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }) })));

      expect(err.name).toBe('ValidationException');
      expect(err.message).toContain("at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern");
    });

    it('rejects a lockout policy with AWS message, and accepts it with BypassPolicyLockoutSafetyCheck', async () => {
      const key = await newKey();

      const err = await failure(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: policy(serviceOnly) })));
      await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: policy(serviceOnly), BypassPolicyLockoutSafetyCheck: true }));

      expect(err.name).toBe('MalformedPolicyDocumentException');
      expect(err.message).toBe('The new key policy will not allow you to update the key policy in the future.');
      expect((await failure(kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId })))).name).toBe('AccessDeniedException');
    });

    it('treats an explicit deny of kms:PutKeyPolicy to the account as a lockout', async () => {
      const key = await newKey();
      const text = policy({ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }, { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:Put*', Resource: '*' });

      const err = await failure(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: text })));

      expect(err.name).toBe('MalformedPolicyDocumentException');
    });

    it('refuses to change the policy of an AWS managed key with AccessDeniedException', async () => {
      const { KeyMetadata: managed } = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/sns' }));

      const err = await failure(kms.send(new PutKeyPolicyCommand({ KeyId: managed!.KeyId, Policy: policy() })));

      expect(err.name).toBe('AccessDeniedException');
      expect(err.message).toContain('kms:PutKeyPolicy');
      expect(err.$metadata.httpStatusCode).toBe(400);
    });

    it('answers any policy name but default with NotFoundException', async () => {
      const key = await newKey();

      const err = await failure(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'other', Policy: policy() })));

      expect(err.name).toBe('NotFoundException');
    });
  });

  describe('aliases', () => {
    it('creates an alias that ListAliases shows with its target and dates', async () => {
      const key = await newKey();

      await kms.send(new CreateAliasCommand({ AliasName: 'alias/listed', TargetKeyId: key.Arn }));
      const out = await kms.send(new ListAliasesCommand({ KeyId: key.KeyId }));

      expect(out.Aliases).toHaveLength(1);
      expect(out.Aliases![0]).toMatchObject({ AliasName: 'alias/listed', AliasArn: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/listed`, TargetKeyId: key.KeyId });
      expect(out.Aliases![0]!.CreationDate).toBeInstanceOf(Date);
      expect(out.Truncated).toBe(false);
    });

    it('answers a second alias of the same name with AlreadyExistsException', async () => {
      const key = await newKey();
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/twice', TargetKeyId: key.KeyId }));

      const err = await failure(kms.send(new CreateAliasCommand({ AliasName: 'alias/twice', TargetKeyId: key.KeyId })));

      expect(err.name).toBe('AlreadyExistsException');
      expect(err.message).toBe(`An alias with the name arn:aws:kms:us-east-1:${ACCOUNT}:alias/twice already exists`);
    });

    it.each([
      ['without the alias/ prefix', 'no-prefix', 'ValidationException'],
      ['with a colon', 'alias/a:b', 'ValidationException'],
      ['with characters outside the pattern', 'alias/a b', 'ValidationException'],
      ['under the reserved alias/aws/ prefix', 'alias/aws/mine', 'NotAuthorizedException'],
    ])('rejects an alias name %s', async (_label, name, code) => {
      const key = await newKey();

      const err = await failure(kms.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId })));

      expect(err.name).toBe(code);
    });

    it('answers an unknown target key with NotFoundException', async () => {
      const err = await failure(kms.send(new CreateAliasCommand({ AliasName: 'alias/orphan', TargetKeyId: '11111111-2222-4333-8444-555555555555' })));

      expect(err.name).toBe('NotFoundException');
    });

    it('refuses to point an alias at an AWS managed key', async () => {
      const { KeyMetadata: managed } = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/sns' }));

      const err = await failure(kms.send(new CreateAliasCommand({ AliasName: 'alias/borrowed', TargetKeyId: managed!.KeyId })));

      expect(err.name).toBe('AccessDeniedException');
    });

    it('deletes an alias, after which it no longer resolves', async () => {
      const key = await newKey();
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/short-lived', TargetKeyId: key.KeyId }));

      await kms.send(new DeleteAliasCommand({ AliasName: 'alias/short-lived' }));

      expect((await failure(kms.send(new DescribeKeyCommand({ KeyId: 'alias/short-lived' })))).name).toBe('NotFoundException');
      expect((await kms.send(new ListAliasesCommand({ KeyId: key.KeyId }))).Aliases).toEqual([]);
    });

    it('answers deleting an unknown alias with NotFoundException', async () => {
      const err = await failure(kms.send(new DeleteAliasCommand({ AliasName: 'alias/never-was' })));

      expect(err.name).toBe('NotFoundException');
      expect(err.message).toBe(`Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/never-was is not found.`);
    });

    it('answers deleting a name without the alias/ prefix with ValidationException', async () => {
      const err = await failure(kms.send(new DeleteAliasCommand({ AliasName: 'never-was' })));

      expect(err.name).toBe('ValidationException');
    });

    it('lists predefined AWS aliases without a TargetKeyId until they are used', async () => {
      const all: { AliasName?: string; TargetKeyId?: string }[] = [];
      let marker: string | undefined;
      do {
        const page = await kms.send(new ListAliasesCommand({ Limit: 100, Marker: marker }));
        all.push(...page.Aliases!);
        marker = page.NextMarker;
      } while (marker);

      const sqs = all.find((a) => a.AliasName === 'alias/aws/sqs');
      expect(sqs).toBeDefined();
      expect(sqs!.TargetKeyId).toBeUndefined();
    });

    it('pages through ListAliases with Limit and Marker without repeats', async () => {
      const key = await newKey();
      for (const n of ['p1', 'p2', 'p3']) await kms.send(new CreateAliasCommand({ AliasName: `alias/page-${n}`, TargetKeyId: key.KeyId }));

      const names: string[] = [];
      let marker: string | undefined;
      let pages = 0;
      do {
        const page = await kms.send(new ListAliasesCommand({ Limit: 2, Marker: marker }));
        expect(page.Aliases!.length).toBeLessThanOrEqual(2);
        expect(page.Truncated).toBe(page.NextMarker !== undefined);
        names.push(...page.Aliases!.map((a) => a.AliasName!));
        marker = page.NextMarker;
        pages++;
      } while (marker);

      expect(new Set(names).size).toBe(names.length);
      expect(names).toEqual(expect.arrayContaining(['alias/page-p1', 'alias/page-p2', 'alias/page-p3']));
      expect(pages).toBeGreaterThan(1);
    });

    it('answers an invalid marker with InvalidMarkerException and a zero Limit with ValidationException', async () => {
      const marker = await failure(kms.send(new ListAliasesCommand({ Marker: 'not-a-marker' })));
      const limit = await failure(kms.send(new ListAliasesCommand({ Limit: 0 })));

      expect(marker.name).toBe('InvalidMarkerException');
      expect(limit.name).toBe('ValidationException');
      expect(limit.message).toContain("Value '0' at 'limit'");
    });

    it('answers a KeyId filter naming no key with NotFoundException', async () => {
      const err = await failure(kms.send(new ListAliasesCommand({ KeyId: '11111111-2222-4333-8444-555555555555' })));

      expect(err.name).toBe('NotFoundException');
    });
  });

  describe('EnableKey and DisableKey', () => {
    it('disables a key, and disabling again changes nothing', async () => {
      const key = await newKey();

      await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
      await kms.send(new DisableKeyCommand({ KeyId: key.Arn }));

      const { KeyMetadata: after } = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
      expect(after).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    });

    it('enables a disabled key again', async () => {
      const key = await newKey();
      await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));

      await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));

      expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata).toMatchObject({ KeyState: 'Enabled', Enabled: true });
    });

    it('refuses an alias and answers an unknown key with NotFoundException', async () => {
      const alias = await failure(kms.send(new DisableKeyCommand({ KeyId: 'alias/aws/sns' })));
      const missing = await failure(kms.send(new EnableKeyCommand({ KeyId: '11111111-2222-4333-8444-555555555555' })));

      expect(alias.name).toBe('InvalidArnException');
      expect(missing.name).toBe('NotFoundException');
    });

    it('refuses to disable an AWS managed key', async () => {
      const { KeyMetadata: managed } = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/sns' }));

      const err = await failure(kms.send(new DisableKeyCommand({ KeyId: managed!.KeyId })));

      expect(err.name).toBe('AccessDeniedException');
    });
  });

  describe('ScheduleKeyDeletion', () => {
    it('schedules deletion after 30 days by default and reports the key ARN and state', async () => {
      const key = await newKey();
      const before = Date.now();

      const out = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));

      expect(out).toMatchObject({ KeyId: key.Arn, KeyState: 'PendingDeletion', PendingWindowInDays: 30 });
      expect(out.DeletionDate!.getTime() - before).toBeGreaterThanOrEqual(30 * 86_400_000 - 2000);
      expect(out.DeletionDate!.getTime() - before).toBeLessThanOrEqual(31 * 86_400_000);
      expect(out.DeletionDate!.toISOString()).toMatch(/T00:00:00\.000Z$/);
    });

    it('shows PendingDeletion and the DeletionDate in DescribeKey', async () => {
      const key = await newKey();
      const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));

      const { KeyMetadata: after } = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));

      expect(after).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false, DeletionDate: scheduled.DeletionDate });
    });

    it('schedules the deletion of a disabled key', async () => {
      const key = await newKey();
      await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));

      const out = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 10 }));

      expect(out.KeyState).toBe('PendingDeletion');
    });

    it.each([6, 31])('rejects a waiting period of %i days', async (days) => {
      const key = await newKey();

      const err = await failure(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: days })));

      expect(err.name).toBe('ValidationException');
      expect(err.message).toContain("at 'pendingWindowInDays'");
      expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Enabled');
    });

    describe('on a key pending deletion', () => {
      let key: KeyMetadata;
      beforeAll(async () => {
        key = await newKey({ Tags: [{ TagKey: 'keep', TagValue: 'me' }] });
        await kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: key.KeyId }));
        await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
      });

      it.each([
        ['EnableKey', () => new EnableKeyCommand({ KeyId: key.KeyId })],
        ['DisableKey', () => new DisableKeyCommand({ KeyId: key.KeyId })],
        ['ScheduleKeyDeletion', () => new ScheduleKeyDeletionCommand({ KeyId: key.KeyId })],
        ['TagResource', () => new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] })],
        ['UntagResource', () => new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['keep'] })],
        ['CreateAlias', () => new CreateAliasCommand({ AliasName: 'alias/doomed-2', TargetKeyId: key.KeyId })],
      ])('answers %s with KMSInvalidStateException', async (_op, command) => {
        const err = await failure(kms.send(command() as never));

        expect(err.name).toBe('KMSInvalidStateException');
        expect(err.message).toBe(`${key.Arn} is pending deletion.`);
      });

      it('still answers GetKeyPolicy, PutKeyPolicy, ListResourceTags and DescribeKey', async () => {
        await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: policy() }));

        expect((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy).toBe(policy());
        expect((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([{ TagKey: 'keep', TagValue: 'me' }]);
        expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/doomed' }))).KeyMetadata!.KeyState).toBe('PendingDeletion');
      });

      it('still deletes its alias', async () => {
        await kms.send(new DeleteAliasCommand({ AliasName: 'alias/doomed' }));

        expect((await kms.send(new ListAliasesCommand({ KeyId: key.KeyId }))).Aliases).toEqual([]);
      });
    });
  });

  describe('tags', () => {
    it('adds tags and replaces the value of an existing tag key', async () => {
      const key = await newKey({ Tags: [{ TagKey: 'env', TagValue: 'dev' }] });

      await kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'env', TagValue: 'prod' }, { TagKey: 'team', TagValue: '' }] }));

      expect((await kms.send(new ListResourceTagsCommand({ KeyId: key.Arn }))).Tags).toEqual([
        { TagKey: 'env', TagValue: 'prod' },
        { TagKey: 'team', TagValue: '' },
      ]);
    });

    it('removes tags by key and ignores keys that are not there', async () => {
      const key = await newKey({ Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'b', TagValue: '2' }] });

      await kms.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['a', 'zzz'] }));

      expect((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([{ TagKey: 'b', TagValue: '2' }]);
    });

    it('pages ListResourceTags with Limit', async () => {
      const key = await newKey({ Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'b', TagValue: '2' }, { TagKey: 'c', TagValue: '3' }] });

      const first = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2 }));
      const second = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2, Marker: first.NextMarker }));

      expect(first).toMatchObject({ Truncated: true, Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'b', TagValue: '2' }] });
      expect(second).toMatchObject({ Truncated: false, Tags: [{ TagKey: 'c', TagValue: '3' }] });
      expect(second.NextMarker).toBeUndefined();
    });

    it('rejects a reserved aws: tag key and more than 50 tags on a key', async () => {
      const key = await newKey({ Tags: Array.from({ length: 50 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' })) });

      const reserved = await failure(kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'AWS:x', TagValue: 'v' }] })));
      const tooMany = await failure(kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'one-more', TagValue: 'v' }] })));

      expect(reserved.name).toBe('TagException');
      expect(tooMany.name).toBe('TagException');
      expect((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toHaveLength(50);
    });

    it('refuses to tag an AWS managed key and answers an unknown key with NotFoundException', async () => {
      const { KeyMetadata: managed } = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/sns' }));

      const denied = await failure(kms.send(new TagResourceCommand({ KeyId: managed!.KeyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] })));
      const missing = await failure(kms.send(new ListResourceTagsCommand({ KeyId: '11111111-2222-4333-8444-555555555555' })));

      expect(denied.name).toBe('AccessDeniedException');
      expect(missing.name).toBe('NotFoundException');
    });

    it('requires Tags and TagKeys', async () => {
      const key = await newKey();

      const tag = await failure(kms.send(new TagResourceCommand({ KeyId: key.KeyId } as never)));
      const untag = await failure(kms.send(new UntagResourceCommand({ KeyId: key.KeyId } as never)));

      expect(tag.message).toContain("Value null at 'tags'");
      expect(untag.message).toContain("Value null at 'tagKeys'");
    });
  });

  describe('module exports used by the seed and other services', () => {
    it('adds a key and an alias that the API then shows', async () => {
      const ctx = sb.sandbox.baseContext('kms', 'test');

      const key = addKey(ctx, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', Description: 'seeded', Enabled: false, Tags: [{ TagKey: 'seed', TagValue: 'yes' }] });
      addAlias(ctx, 'alias/seeded', key.KeyId);

      const { KeyMetadata: shown } = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/seeded' }));
      expect(shown).toMatchObject({ KeyId: key.KeyId, KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', KeyState: 'Disabled', Description: 'seeded' });
    });

    it('adds a key with a policy that does not delegate to the account', () => {
      const ctx = sb.sandbox.baseContext('kms', 'test');

      const key = addKey(ctx, { Policy: policy(serviceOnly) });

      expect(key.Policy).toBe(policy(serviceOnly));
      expect(key.KeyManager).toBe('CUSTOMER');
    });

    it('resolves ids, ARNs and aliases, and materialises alias/aws/ keys', () => {
      const ctx = sb.sandbox.baseContext('kms', 'test');
      const key = addKey(ctx, {});
      addAlias(ctx, 'alias/resolved', key.KeyId);

      expect(resolveKey(ctx, key.KeyId)?.KeyId).toBe(key.KeyId);
      expect(resolveKey(ctx, key.Arn)?.KeyId).toBe(key.KeyId);
      expect(resolveKey(ctx, 'alias/resolved')?.KeyId).toBe(key.KeyId);
      expect(resolveKey(ctx, `arn:aws:kms:us-east-1:${ACCOUNT}:alias/resolved`)?.KeyId).toBe(key.KeyId);
      expect(resolveKey(ctx, 'alias/aws/sqs')?.KeyManager).toBe('AWS');
      expect(resolveKey(ctx, 'alias/nothing')).toBeUndefined();
    });

    it('refuses to add a duplicate alias', () => {
      const ctx = sb.sandbox.baseContext('kms', 'test');
      const key = addKey(ctx, {});
      addAlias(ctx, 'alias/once', key.KeyId);

      expect(() => addAlias(ctx, 'alias/once', key.KeyId)).toThrow(/already exists/);
    });
  });
});

describe('KMS key deletion when the waiting period ends', () => {
  it('removes the key and its aliases once the DeletionDate has passed', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const sb = await startSandbox({ seed: false, clock: () => now });
    const kms = new KMSClient(sb.clientConfig);
    try {
      const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({}));
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/expiring', TargetKeyId: key!.KeyId }));
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key!.KeyId, PendingWindowInDays: 7 }));

      now = new Date('2030-01-07T23:59:59Z');
      expect((await kms.send(new DescribeKeyCommand({ KeyId: key!.KeyId }))).KeyMetadata!.KeyState).toBe('PendingDeletion');
      now = new Date('2030-01-08T00:00:00Z');

      expect((await failure(kms.send(new DescribeKeyCommand({ KeyId: key!.KeyId })))).name).toBe('NotFoundException');
      expect((await failure(kms.send(new DescribeKeyCommand({ KeyId: 'alias/expiring' })))).name).toBe('NotFoundException');
    } finally {
      kms.destroy();
      await sb.stop();
    }
  });

  it('keeps keys and aliases across a restart of the sandbox', async () => {
    const first = await startSandbox({ seed: false });
    const kms = new KMSClient(first.clientConfig);
    const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({ Description: 'durable' }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/durable', TargetKeyId: key!.KeyId }));
    kms.destroy();
    await first.sandbox.close();

    const second = await startSandbox({ dataDir: first.dataDir });
    const again = new KMSClient(second.clientConfig);
    try {
      const { KeyMetadata: after } = await again.send(new DescribeKeyCommand({ KeyId: 'alias/durable' }));

      expect(after).toMatchObject({ KeyId: key!.KeyId, Description: 'durable' });
    } finally {
      again.destroy();
      await second.stop();
      await first.stop();
    }
  });
});
