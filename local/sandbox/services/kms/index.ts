import { createHash, randomUUID } from 'node:crypto';
import { AwsError } from '../../core/errors';
import type { CallContext, JsonObject, JsonService } from '../../core/types';
import { epochSeconds } from '../../core/wire';
import type { AliasRecord, KeyRecord, KmsTag } from './model';
import {
  MAX_KEY_POLICY_BYTES,
  assertAllowed,
  assertNoLockout,
  awsManagedKeyPolicy,
  defaultKeyPolicy,
  parseKeyPolicy,
} from './policy';
import { KmsInput } from './validate';

export { defaultKeyPolicy } from './policy';

/*
 * AWS KMS (awsJson1_1, `TrentService.<Op>`): customer managed keys of every key spec, AWS managed keys that
 * appear on first use of `alias/aws/<service>`, key policies with KMS's own checks, aliases, key states and
 * tags. Key states follow the key-state table of the KMS Developer Guide; key policies are enforced for the
 * sandbox caller (`user/sandbox`, an administrator of the account), which is what makes AWS managed keys
 * read-only and what a BypassPolicyLockoutSafetyCheck lock-out really locks out.
 */

type KeyUsage = KeyRecord['KeyUsage'];

const KEY_USAGES: readonly KeyUsage[] = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'];
const RSA_SIGNING = ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512'];
const RSA_ENCRYPTION = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];

interface SpecInfo {
  /** Key usages this spec accepts (CreateKey KeyUsage documentation). */
  usages: readonly KeyUsage[];
  encryption?: string[];
  signing?: string[];
  mac?: string[];
  chinaOnly?: boolean;
}

const SPECS: Readonly<Record<string, SpecInfo>> = {
  RSA_2048: { usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], encryption: RSA_ENCRYPTION, signing: RSA_SIGNING },
  RSA_3072: { usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], encryption: RSA_ENCRYPTION, signing: RSA_SIGNING },
  RSA_4096: { usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], encryption: RSA_ENCRYPTION, signing: RSA_SIGNING },
  ECC_NIST_P256: { usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], signing: ['ECDSA_SHA_256'] },
  ECC_NIST_P384: { usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], signing: ['ECDSA_SHA_384'] },
  ECC_NIST_P521: { usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], signing: ['ECDSA_SHA_512'] },
  ECC_SECG_P256K1: { usages: ['SIGN_VERIFY'], signing: ['ECDSA_SHA_256'] },
  SYMMETRIC_DEFAULT: { usages: ['ENCRYPT_DECRYPT'], encryption: ['SYMMETRIC_DEFAULT'] },
  HMAC_224: { usages: ['GENERATE_VERIFY_MAC'], mac: ['HMAC_SHA_224'] },
  HMAC_256: { usages: ['GENERATE_VERIFY_MAC'], mac: ['HMAC_SHA_256'] },
  HMAC_384: { usages: ['GENERATE_VERIFY_MAC'], mac: ['HMAC_SHA_384'] },
  HMAC_512: { usages: ['GENERATE_VERIFY_MAC'], mac: ['HMAC_SHA_512'] },
  SM2: { usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'], encryption: ['SM2PKE'], signing: ['SM2DSA'], chinaOnly: true },
  ML_DSA_44: { usages: ['SIGN_VERIFY'], signing: ['ML_DSA_SHAKE_256'] },
  ML_DSA_65: { usages: ['SIGN_VERIFY'], signing: ['ML_DSA_SHAKE_256'] },
  ML_DSA_87: { usages: ['SIGN_VERIFY'], signing: ['ML_DSA_SHAKE_256'] },
  ECC_NIST_EDWARDS25519: { usages: ['SIGN_VERIFY'], signing: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] },
};
const KEY_SPECS = Object.keys(SPECS);
const CMK_SPECS = KEY_SPECS.filter((s) => !s.startsWith('ML_DSA') && s !== 'ECC_NIST_EDWARDS25519');
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'];

/**
 * Predefined AWS aliases (`alias/aws/<service>`): ListAliases shows them without a TargetKeyId until a service
 * (or DescribeKey) first uses one, which creates the AWS managed key. Label and noun give the key's
 * description and policy wording.
 */
const AWS_MANAGED: Readonly<Record<string, readonly [label: string, noun: string]>> = {
  acm: ['ACM', 'ACM private keys'],
  backup: ['AWS Backup', 'backups'],
  codeartifact: ['CodeArtifact', 'CodeArtifact repositories'],
  codecommit: ['CodeCommit', 'CodeCommit repositories'],
  dynamodb: ['DynamoDB', 'DynamoDB tables'],
  ebs: ['EBS', 'EBS volumes'],
  elasticfilesystem: ['EFS', 'EFS file systems'],
  es: ['Elasticsearch', 'Elasticsearch domains'],
  fsx: ['FSx', 'FSx file systems'],
  glue: ['Glue', 'Glue data'],
  kinesis: ['Kinesis', 'Kinesis streams'],
  kinesisvideo: ['Kinesis Video Streams', 'Kinesis video streams'],
  lambda: ['Lambda', 'Lambda functions'],
  rds: ['RDS', 'RDS database'],
  redshift: ['Redshift', 'Redshift data'],
  s3: ['S3', 'S3 objects'],
  secretsmanager: ['Secrets Manager', 'Secrets Manager secrets'],
  sns: ['SNS', 'SNS topics'],
  sqs: ['SQS', 'SQS queues'],
  ssm: ['SSM', 'SSM parameters'],
  xray: ['X-Ray', 'X-Ray traces'],
};

const KEY_ID_RE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/i;
const ARN_RE = /^arn:([^:]+):kms:([^:]*):([^:]*):(key|alias)\/(.+)$/;
// Built from a string: the model pattern names tab, LF and CR, which a regex literal may not contain.
const POLICY_RE = new RegExp('^[\\t\\n\\r\\u0020-\\u00FF]+$');
const ALIAS_RE = /^[a-zA-Z0-9:/_-]+$/;
const MARKER_RE = /^[\u0020-\u00FF]*$/;
const MAX_TAGS = 50;

const notFound = (message: string) => new AwsError('NotFoundException', message);
const invalidState = (key: KeyRecord, what: string) => new AwsError('KMSInvalidStateException', `${key.Arn} is ${what}.`);

function keyArn(ctx: CallContext, keyId: string): string {
  return `arn:${ctx.partition}:kms:${ctx.region}:${ctx.accountId}:key/${keyId}`;
}

function aliasArn(ctx: CallContext, aliasName: string): string {
  return `arn:${ctx.partition}:kms:${ctx.region}:${ctx.accountId}:${aliasName}`;
}

const regionOf = (arn: string) => arn.split(':')[3];

/** A KMS key id derived from a stable name, so an AWS managed key keeps its id even if it is re-created. */
function stableKeyId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A key past its DeletionDate no longer exists: drop it and its aliases. */
function purgeIfDeleted(ctx: CallContext, key: KeyRecord): boolean {
  if (key.KeyState !== 'PendingDeletion' || !key.DeletionDate || Date.parse(key.DeletionDate) > ctx.now.getTime()) return false;
  const kms = ctx.state.kms;
  delete kms.keys[key.KeyId];
  for (const [name, alias] of Object.entries(kms.aliases)) if (alias.TargetKeyId === key.KeyId) delete kms.aliases[name];
  return true;
}

function keyInRegion(ctx: CallContext, keyId: string): KeyRecord | undefined {
  const key = Object.hasOwn(ctx.state.kms.keys, keyId) ? ctx.state.kms.keys[keyId] : undefined;
  if (!key || regionOf(key.Arn) !== ctx.region || key.AWSAccountId !== ctx.accountId) return undefined;
  return purgeIfDeleted(ctx, key) ? undefined : key;
}

function aliasInRegion(ctx: CallContext, name: string): AliasRecord | undefined {
  const alias = Object.hasOwn(ctx.state.kms.aliases, name) ? ctx.state.kms.aliases[name] : undefined;
  if (!alias || regionOf(alias.AliasArn) !== ctx.region) return undefined;
  if (!keyInRegion(ctx, alias.TargetKeyId)) return undefined;
  return alias;
}

/** Creates the AWS managed key behind `alias/aws/<service>` (what AWS does on the alias's first use). */
function materialiseManagedKey(ctx: CallContext, service: string): KeyRecord {
  const [label, noun] = AWS_MANAGED[service]!;
  const keyId = stableKeyId(`${ctx.accountId}/${ctx.region}/aws/${service}`);
  const now = ctx.now.toISOString();
  const key: KeyRecord = {
    KeyId: keyId,
    Arn: keyArn(ctx, keyId),
    AWSAccountId: ctx.accountId,
    CreationDate: now,
    Enabled: true,
    Description: `Default master key that protects my ${noun} when no other key is defined`,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: 'Enabled',
    KeyManager: 'AWS',
    KeySpec: 'SYMMETRIC_DEFAULT',
    Origin: 'AWS_KMS',
    MultiRegion: false,
    Policy: awsManagedKeyPolicy(service, label, ctx.accountId, ctx.partition, ctx.region),
    Tags: [],
  };
  const name = `alias/aws/${service}`;
  ctx.state.kms.keys[keyId] = key;
  ctx.state.kms.aliases[name] = { AliasName: name, AliasArn: aliasArn(ctx, name), TargetKeyId: keyId, CreationDate: now, LastUpdatedDate: now };
  return key;
}

function managedService(aliasName: string): string | undefined {
  const m = /^alias\/aws\/(.+)$/.exec(aliasName);
  return m && Object.hasOwn(AWS_MANAGED, m[1]!) ? m[1] : undefined;
}

function keyByAlias(ctx: CallContext, name: string, shownArn: string): KeyRecord {
  const alias = aliasInRegion(ctx, name);
  if (alias) return ctx.state.kms.keys[alias.TargetKeyId]!;
  const service = managedService(name);
  if (service) return materialiseManagedKey(ctx, service);
  throw notFound(`Alias ${shownArn} is not found.`);
}

/**
 * Finds the key a `KeyId` member names, with KMS's errors. `keyOnly` operations (all but DescribeKey here)
 * accept a key id or key ARN; an alias there is an InvalidArnException.
 */
function locate(ctx: CallContext, id: string, form: 'any' | 'keyOnly'): KeyRecord {
  const aliasesRefused = () => new AwsError('InvalidArnException', 'Key Aliases are not supported for this operation.');
  if (id.startsWith('arn:')) {
    const m = ARN_RE.exec(id);
    if (!m) throw new AwsError('InvalidArnException', `${id} is not a valid KMS key ARN or alias ARN.`);
    const [, , region, account, type, rest] = m as unknown as [string, string, string, string, string, string];
    if (type === 'alias' && form === 'keyOnly') throw aliasesRefused();
    if (region !== ctx.region) throw notFound(`Invalid arn ${region}`);
    if (type === 'alias') {
      if (account !== ctx.accountId) throw notFound(`Alias ${id} is not found.`);
      return keyByAlias(ctx, `alias/${rest}`, id);
    }
    if (account !== ctx.accountId) throw notFound(`Key '${id}' does not exist`);
    if (!KEY_ID_RE.test(rest)) throw notFound(`Invalid keyId '${rest}'`);
    const key = keyInRegion(ctx, rest);
    if (!key) throw notFound(`Key '${id}' does not exist`);
    return key;
  }
  if (id.startsWith('alias/')) {
    if (form === 'keyOnly') throw aliasesRefused();
    return keyByAlias(ctx, id, aliasArn(ctx, id));
  }
  if (!KEY_ID_RE.test(id)) throw notFound(`Invalid keyId '${id}'`);
  const key = keyInRegion(ctx, id);
  if (!key) throw notFound(`Key '${keyArn(ctx, id)}' does not exist`);
  return key;
}

/** Key states in which the key-state table lets an operation run: all but PendingDeletion. */
function assertNotPendingDeletion(key: KeyRecord): void {
  if (key.KeyState === 'PendingDeletion') throw invalidState(key, 'pending deletion');
}

function keyMetadata(key: KeyRecord): JsonObject {
  const spec = SPECS[key.KeySpec];
  const algorithms: JsonObject = {};
  if (key.KeyUsage === 'ENCRYPT_DECRYPT' && spec?.encryption) algorithms.EncryptionAlgorithms = spec.encryption;
  if (key.KeyUsage === 'SIGN_VERIFY' && spec?.signing) algorithms.SigningAlgorithms = spec.signing;
  if (key.KeyUsage === 'GENERATE_VERIFY_MAC' && spec?.mac) algorithms.MacAlgorithms = spec.mac;
  if (key.KeyUsage === 'KEY_AGREEMENT') algorithms.KeyAgreementAlgorithms = ['ECDH'];
  const symmetric = key.KeySpec === 'SYMMETRIC_DEFAULT' && key.Origin === 'AWS_KMS';
  return {
    AWSAccountId: key.AWSAccountId,
    KeyId: key.KeyId,
    Arn: key.Arn,
    CreationDate: epochSeconds(key.CreationDate),
    Enabled: key.Enabled,
    Description: key.Description,
    KeyUsage: key.KeyUsage,
    KeyState: key.KeyState,
    ...(key.KeyState === 'PendingDeletion' && key.DeletionDate ? { DeletionDate: epochSeconds(key.DeletionDate) } : {}),
    Origin: key.Origin,
    KeyManager: key.KeyManager,
    CustomerMasterKeySpec: key.KeySpec,
    KeySpec: key.KeySpec,
    ...algorithms,
    MultiRegion: key.MultiRegion,
    ...(key.MultiRegion
      ? { MultiRegionConfiguration: { MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: key.Arn, Region: regionOf(key.Arn) }, ReplicaKeys: [] } }
      : {}),
    // Present for symmetric encryption keys with KMS key material; derived, so stable across restarts.
    ...(symmetric ? { CurrentKeyMaterialId: createHash('sha256').update(`material/${key.KeyId}`).digest('hex') } : {}),
  };
}

/** KeySpec and KeyUsage as CreateKey settles them: defaults, then the spec/usage compatibility rules. */
function resolveSpecAndUsage(ctx: CallContext, keySpec: string | undefined, usage: KeyUsage | undefined): { spec: string; usage: KeyUsage } {
  const spec = keySpec ?? 'SYMMETRIC_DEFAULT';
  const info = SPECS[spec];
  if (!info) throw new AwsError('ValidationException', `KeySpec ${spec} is not supported.`);
  if (info.chinaOnly && !ctx.region.startsWith('cn-')) throw new AwsError('UnsupportedOperationException', `KeySpec ${spec} is supported only in China Regions.`);
  if (usage === undefined) {
    if (spec !== 'SYMMETRIC_DEFAULT') throw new AwsError('ValidationException', 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
    return { spec, usage: 'ENCRYPT_DECRYPT' };
  }
  if (!info.usages.includes(usage)) throw new AwsError('ValidationException', `KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
  return { spec, usage };
}

/** TagException rules shared by CreateKey and TagResource; returns the merged tag list. */
function mergeTags(existing: KmsTag[], added: KmsTag[]): KmsTag[] {
  if (new Set(added.map((t) => t.TagKey)).size !== added.length) throw new AwsError('TagException', 'Duplicate tag keys');
  if (added.some((t) => t.TagKey.toLowerCase().startsWith('aws:'))) throw new AwsError('TagException', 'Tags beginning with aws: are reserved');
  const merged = existing.map((t) => ({ ...t }));
  for (const t of added) {
    const at = merged.findIndex((m) => m.TagKey === t.TagKey);
    if (at >= 0) merged[at] = { ...t };
    else merged.push({ ...t });
  }
  if (merged.length > MAX_TAGS) throw new AwsError('TagException', 'Too many tags');
  return merged;
}

/** KMS's own checks on a key policy document: size quota, shape, principals. Returns the statements. */
function checkPolicyDocument(ctx: CallContext, policy: string) {
  if (Buffer.byteLength(policy, 'utf8') > MAX_KEY_POLICY_BYTES) {
    throw new AwsError('LimitExceededException', `The key policy exceeds the maximum size of ${MAX_KEY_POLICY_BYTES} bytes.`);
  }
  return parseKeyPolicy(policy, ctx);
}

/** Pagination with an opaque marker that names the next item; an unknown marker is InvalidMarkerException. */
function paginate<T>(items: T[], keyOf: (t: T) => string, marker: string | undefined, limit: number): { page: T[]; next?: string } {
  let start = 0;
  if (marker !== undefined) {
    const name = Buffer.from(marker, 'base64url').toString('utf8');
    start = items.findIndex((t) => keyOf(t) === name);
    if (start < 0 || Buffer.from(name, 'utf8').toString('base64url') !== marker) {
      throw new AwsError('InvalidMarkerException', 'The request was rejected because the marker that specifies where pagination should next begin is not valid.');
    }
  }
  const page = items.slice(start, start + limit);
  const after = items[start + limit];
  return after === undefined ? { page } : { page, next: Buffer.from(keyOf(after), 'utf8').toString('base64url') };
}

/** Multi-Region keys have a distinctive id: `mrk-` and 32 hex digits. */
function newKeyId(multiRegion: boolean): string {
  return multiRegion ? `mrk-${randomUUID().replace(/-/g, '')}` : randomUUID();
}

function newKey(
  ctx: CallContext,
  input: { spec: string; usage: KeyUsage; description: string; policy: string; tags: KmsTag[]; multiRegion: boolean; enabled: boolean },
  keyId = newKeyId(input.multiRegion),
): KeyRecord {
  const key: KeyRecord = {
    KeyId: keyId,
    Arn: keyArn(ctx, keyId),
    AWSAccountId: ctx.accountId,
    CreationDate: ctx.now.toISOString(),
    Enabled: input.enabled,
    Description: input.description,
    KeyUsage: input.usage,
    KeyState: input.enabled ? 'Enabled' : 'Disabled',
    KeyManager: 'CUSTOMER',
    KeySpec: input.spec,
    Origin: 'AWS_KMS',
    MultiRegion: input.multiRegion,
    Policy: input.policy,
    Tags: input.tags,
  };
  ctx.state.kms.keys[keyId] = key;
  return key;
}

function keyIdMember(inp: KmsInput, name = 'KeyId', required = true): string | undefined {
  return inp.str(name, { required, min: 1, max: 2048 });
}

function aliasNameChecks(ctx: CallContext, name: string): void {
  if (!name.startsWith('alias/')) {
    throw new AwsError('ValidationException', 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  }
  if (name.includes(':')) throw new AwsError('ValidationException', `${name} contains invalid characters for an alias`);
  if (name.startsWith('alias/aws/')) {
    // The alias/aws/ prefix is reserved for AWS managed keys (CreateAlias AliasName documentation).
    throw new AwsError('NotAuthorizedException', `${aliasArn(ctx, name)}: the alias/aws/ prefix is reserved for AWS managed keys.`);
  }
}

// ---- operations -------------------------------------------------------------------------------------

function createKey(body: JsonObject, ctx: CallContext): unknown {
  const inp = new KmsInput(body);
  const policy = inp.str('Policy', { min: 1, max: 131072, pattern: POLICY_RE, patternText: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' });
  const description = inp.str('Description', { min: 0, max: 8192 });
  const usage = inp.str('KeyUsage', { enum: KEY_USAGES }) as KeyUsage | undefined;
  const cmkSpec = inp.str('CustomerMasterKeySpec', { enum: CMK_SPECS });
  const keySpec = inp.str('KeySpec', { enum: KEY_SPECS });
  const origin = inp.str('Origin', { enum: ORIGINS });
  const customKeyStoreId = inp.str('CustomKeyStoreId', { min: 1, max: 64 });
  const bypass = inp.bool('BypassPolicyLockoutSafetyCheck') ?? false;
  const tags = inp.tags('Tags') ?? [];
  const multiRegion = inp.bool('MultiRegion') ?? false;
  const xksKeyId = inp.str('XksKeyId', { min: 1, max: 128, pattern: /^[a-zA-Z0-9-_.]+$/ });
  inp.done();

  if (keySpec !== undefined && cmkSpec !== undefined && keySpec !== cmkSpec) {
    throw new AwsError('ValidationException', 'KeySpec and CustomerMasterKeySpec cannot both be specified; use KeySpec.');
  }
  const { spec, usage: keyUsage } = resolveSpecAndUsage(ctx, keySpec ?? cmkSpec, usage);
  if (customKeyStoreId !== undefined) throw new AwsError('CustomKeyStoreNotFoundException', `Custom key store ${customKeyStoreId} does not exist.`);
  if (xksKeyId !== undefined) throw new AwsError('ValidationException', 'XksKeyId is valid only for a KMS key in an external key store (CustomKeyStoreId).');
  if (origin !== undefined && origin !== 'AWS_KMS') {
    throw new AwsError('UnsupportedOperationException', `The sandbox creates KMS keys with Origin AWS_KMS only, not ${origin}.`);
  }
  const keyTags = mergeTags([], tags);
  // The lockout check evaluates the policy with the new key's ARN as the resource.
  const keyId = newKeyId(multiRegion);
  if (policy !== undefined) {
    const statements = checkPolicyDocument(ctx, policy);
    if (!bypass) assertNoLockout(statements, keyArn(ctx, keyId), ctx);
  }
  const key = newKey(ctx, {
    spec,
    usage: keyUsage,
    description: description ?? '',
    policy: policy ?? defaultKeyPolicy(ctx.accountId, ctx.partition),
    tags: keyTags,
    multiRegion,
    enabled: true,
  }, keyId);
  return { KeyMetadata: keyMetadata(key) };
}

function describeKey(body: JsonObject, ctx: CallContext): unknown {
  const inp = new KmsInput(body);
  const id = keyIdMember(inp);
  inp.strList('GrantTokens', { maxItems: 10, item: { min: 1, max: 8192 } });
  inp.done();
  const key = locate(ctx, id!, 'any');
  assertAllowed(key.Policy, 'kms:DescribeKey', key.Arn, ctx);
  return { KeyMetadata: keyMetadata(key) };
}

function policyName(inp: KmsInput): string | undefined {
  return inp.str('PolicyName', { min: 1, max: 128, pattern: /^[\w]+$/, patternText: '[\\w]+' });
}

function assertDefaultPolicyName(name: string | undefined): void {
  // "The only valid name is default" (GetKeyPolicy/PutKeyPolicy PolicyName); omitted means default.
  if (name !== undefined && name !== 'default') throw notFound('No such policy exists');
}

function getKeyPolicy(body: JsonObject, ctx: CallContext): unknown {
  const inp = new KmsInput(body);
  const id = keyIdMember(inp);
  const name = policyName(inp);
  inp.done();
  const key = locate(ctx, id!, 'keyOnly');
  assertDefaultPolicyName(name);
  assertAllowed(key.Policy, 'kms:GetKeyPolicy', key.Arn, ctx);
  return { Policy: key.Policy, PolicyName: 'default' };
}

function putKeyPolicy(body: JsonObject, ctx: CallContext): unknown {
  const inp = new KmsInput(body);
  const id = keyIdMember(inp);
  const name = policyName(inp);
  const policy = inp.str('Policy', { required: true, min: 1, max: 131072, pattern: POLICY_RE, patternText: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' });
  const bypass = inp.bool('BypassPolicyLockoutSafetyCheck') ?? false;
  inp.done();
  const key = locate(ctx, id!, 'keyOnly');
  assertDefaultPolicyName(name);
  // The current policy decides whether the caller may replace it (AWS managed keys allow nobody).
  assertAllowed(key.Policy, 'kms:PutKeyPolicy', key.Arn, ctx);
  const statements = checkPolicyDocument(ctx, policy!);
  if (!bypass) assertNoLockout(statements, key.Arn, ctx);
  key.Policy = policy!;
  return {};
}

function createAlias(body: JsonObject, ctx: CallContext): unknown {
  const inp = new KmsInput(body);
  const name = inp.str('AliasName', { required: true, min: 1, max: 256, pattern: ALIAS_RE, patternText: '^[a-zA-Z0-9:/_-]+$' });
  const target = keyIdMember(inp, 'TargetKeyId');
  inp.done();
  aliasNameChecks(ctx, name!);
  if (aliasInRegion(ctx, name!)) throw new AwsError('AlreadyExistsException', `An alias with the name ${aliasArn(ctx, name!)} already exists`);
  const key = locate(ctx, target!, 'keyOnly');
  assertAllowed(key.Policy, 'kms:CreateAlias', key.Arn, ctx);
  assertNotPendingDeletion(key);
  const now = ctx.now.toISOString();
  ctx.state.kms.aliases[name!] = { AliasName: name!, AliasArn: aliasArn(ctx, name!), TargetKeyId: key.KeyId, CreationDate: now, LastUpdatedDate: now };
  return {};
}

function deleteAlias(body: JsonObject, ctx: CallContext): unknown {
  const inp = new KmsInput(body);
  const name = inp.str('AliasName', { required: true, min: 1, max: 256, pattern: ALIAS_RE, patternText: '^[a-zA-Z0-9:/_-]+$' });
  inp.done();
  aliasNameChecks(ctx, name!);
  const alias = aliasInRegion(ctx, name!);
  if (!alias) throw notFound(`Alias ${aliasArn(ctx, name!)} is not found.`);
  const key = ctx.state.kms.keys[alias.TargetKeyId]!;
  assertAllowed(key.Policy, 'kms:DeleteAlias', key.Arn, ctx);
  delete ctx.state.kms.aliases[name!];
  return {};
}

function aliasEntry(a: AliasRecord | { AliasName: string; AliasArn: string }): JsonObject {
  if (!('TargetKeyId' in a)) return { AliasName: a.AliasName, AliasArn: a.AliasArn };
  return {
    AliasName: a.AliasName,
    AliasArn: a.AliasArn,
    TargetKeyId: a.TargetKeyId,
    CreationDate: epochSeconds(a.CreationDate),
    LastUpdatedDate: epochSeconds(a.LastUpdatedDate),
  };
}

function listAliases(body: JsonObject, ctx: CallContext): unknown {
  const inp = new KmsInput(body);
  const id = keyIdMember(inp, 'KeyId', false);
  const limit = inp.int('Limit', { min: 1, max: 1000 });
  const marker = inp.str('Marker', { min: 1, max: 1024, pattern: MARKER_RE, patternText: '[\\u0020-\\u00FF]*' });
  inp.done();
  const live = Object.keys(ctx.state.kms.aliases)
    .map((n) => aliasInRegion(ctx, n))
    .filter((a): a is AliasRecord => a !== undefined);
  let entries: (AliasRecord | { AliasName: string; AliasArn: string })[];
  if (id !== undefined) {
    const key = locate(ctx, id, 'keyOnly');
    entries = live.filter((a) => a.TargetKeyId === key.KeyId);
  } else {
    const predefined = Object.keys(AWS_MANAGED)
      .map((s) => `alias/aws/${s}`)
      .filter((n) => !live.some((a) => a.AliasName === n))
      .map((n) => ({ AliasName: n, AliasArn: aliasArn(ctx, n) }));
    entries = [...live, ...predefined];
  }
  entries.sort((a, b) => (a.AliasName < b.AliasName ? -1 : a.AliasName > b.AliasName ? 1 : 0));
  // "If you include a value, it must be between 1 and 100" (ListAliases Limit); the model allows up to 1000.
  const { page, next } = paginate(entries, (a) => a.AliasName, marker, Math.min(limit ?? 50, 100));
  return { Aliases: page.map(aliasEntry), Truncated: next !== undefined, ...(next ? { NextMarker: next } : {}) };
}

function keyOperation(action: string, change: (key: KeyRecord) => unknown) {
  return (body: JsonObject, ctx: CallContext): unknown => {
    const inp = new KmsInput(body);
    const id = keyIdMember(inp);
    inp.done();
    const key = locate(ctx, id!, 'keyOnly');
    assertAllowed(key.Policy, action, key.Arn, ctx);
    assertNotPendingDeletion(key);
    return change(key);
  };
}

const enableKey = keyOperation('kms:EnableKey', (key) => {
  key.Enabled = true;
  key.KeyState = 'Enabled';
  return {};
});

const disableKey = keyOperation('kms:DisableKey', (key) => {
  key.Enabled = false;
  key.KeyState = 'Disabled';
  return {};
});

function scheduleKeyDeletion(body: JsonObject, ctx: CallContext): unknown {
  const inp = new KmsInput(body);
  const id = keyIdMember(inp);
  const days = inp.int('PendingWindowInDays', { min: 1, max: 365 });
  inp.done();
  if (days !== undefined && (days < 7 || days > 30)) {
    // "If you include a value, it must be between 7 and 30, inclusive." (PendingWindowInDays)
    const bound = days < 7 ? 'greater than or equal to 7' : 'less than or equal to 30';
    throw new AwsError('ValidationException', `1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value ${bound}`);
  }
  const key = locate(ctx, id!, 'keyOnly');
  assertAllowed(key.Policy, 'kms:ScheduleKeyDeletion', key.Arn, ctx);
  assertNotPendingDeletion(key);
  const window = days ?? 30;
  // KMS deletes at the start of a UTC day: the ScheduleKeyDeletion example answers 2016-12-17T16:00:00-08:00.
  const day = 86_400_000;
  const deletion = new Date(Math.ceil((ctx.now.getTime() + window * day) / day) * day).toISOString();
  key.KeyState = 'PendingDeletion';
  key.Enabled = false;
  key.DeletionDate = deletion;
  key.PendingDeletionWindowInDays = window;
  return { KeyId: key.Arn, DeletionDate: epochSeconds(deletion), KeyState: 'PendingDeletion', PendingWindowInDays: window };
}

function tagResource(body: JsonObject, ctx: CallContext): unknown {
  const inp = new KmsInput(body);
  const id = keyIdMember(inp);
  const tags = inp.tags('Tags', true);
  inp.done();
  const key = locate(ctx, id!, 'keyOnly');
  assertAllowed(key.Policy, 'kms:TagResource', key.Arn, ctx);
  assertNotPendingDeletion(key);
  key.Tags = mergeTags(key.Tags, tags!);
  return {};
}

function untagResource(body: JsonObject, ctx: CallContext): unknown {
  const inp = new KmsInput(body);
  const id = keyIdMember(inp);
  const keys = inp.strList('TagKeys', { required: true, item: { min: 1, max: 128 } });
  inp.done();
  const key = locate(ctx, id!, 'keyOnly');
  assertAllowed(key.Policy, 'kms:UntagResource', key.Arn, ctx);
  assertNotPendingDeletion(key);
  // A tag key that is not on the key is not an error (UntagResource documentation).
  key.Tags = key.Tags.filter((t) => !keys!.includes(t.TagKey));
  return {};
}

function listResourceTags(body: JsonObject, ctx: CallContext): unknown {
  const inp = new KmsInput(body);
  const id = keyIdMember(inp);
  const limit = inp.int('Limit', { min: 1, max: 1000 });
  const marker = inp.str('Marker', { min: 1, max: 1024, pattern: MARKER_RE, patternText: '[\\u0020-\\u00FF]*' });
  inp.done();
  const key = locate(ctx, id!, 'keyOnly');
  assertAllowed(key.Policy, 'kms:ListResourceTags', key.Arn, ctx);
  // "If you include a value, it must be between 1 and 50" (ListResourceTags Limit).
  const { page, next } = paginate(key.Tags, (t) => t.TagKey, marker, Math.min(limit ?? 50, 50));
  return { Tags: page.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })), Truncated: next !== undefined, ...(next ? { NextMarker: next } : {}) };
}

export function kmsService(): JsonService {
  return {
    protocol: 'json',
    signingName: 'kms',
    stateSlice: 'kms',
    targetPrefix: 'TrentService',
    jsonVersion: '1.1',
    messageKey: 'message',
    throttling: { code: 'ThrottlingException', status: 400 },
    // Server faults in the API model (`fault: true`) answer 500; every other KMS error is a 400.
    errorStatus: { ThrottlingException: 400, KMSInternalException: 500, DependencyTimeoutException: 500, KeyUnavailableException: 500 },
    operations: {
      CreateKey: createKey,
      DescribeKey: describeKey,
      GetKeyPolicy: getKeyPolicy,
      PutKeyPolicy: putKeyPolicy,
      CreateAlias: createAlias,
      DeleteAlias: deleteAlias,
      ListAliases: listAliases,
      EnableKey: enableKey,
      DisableKey: disableKey,
      ScheduleKeyDeletion: scheduleKeyDeletion,
      TagResource: tagResource,
      UntagResource: untagResource,
      ListResourceTags: listResourceTags,
    },
  };
}

// ---- for other services, the seed and the inbound simulation ---------------------------------------

/**
 * Creates a customer managed key directly (seeding): KMS's spec/usage and tag rules apply, but the key policy
 * is taken as given, without the lockout check (as with BypassPolicyLockoutSafetyCheck), so demo keys whose
 * policy does not delegate to the account can be created. Throws AwsError on invalid input.
 */
export function addKey(
  ctx: CallContext,
  input: { KeySpec?: string; KeyUsage?: KeyRecord['KeyUsage']; Description?: string; Policy?: string; Enabled?: boolean; Tags?: KmsTag[] },
): KeyRecord {
  const spec = input.KeySpec ?? 'SYMMETRIC_DEFAULT';
  const usage = input.KeyUsage ?? (spec.startsWith('HMAC_') ? 'GENERATE_VERIFY_MAC' : spec === 'SYMMETRIC_DEFAULT' || spec.startsWith('RSA_') ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY');
  const resolved = resolveSpecAndUsage(ctx, spec, usage);
  if (input.Policy !== undefined) {
    try {
      JSON.parse(input.Policy);
    } catch {
      throw new AwsError('MalformedPolicyDocumentException', 'The key policy is not a valid JSON document.');
    }
  }
  return newKey(ctx, {
    spec: resolved.spec,
    usage: resolved.usage,
    description: input.Description ?? '',
    policy: input.Policy ?? defaultKeyPolicy(ctx.accountId, ctx.partition),
    tags: mergeTags([], input.Tags ?? []),
    multiRegion: false,
    enabled: input.Enabled ?? true,
  });
}

/** Creates an alias for a key (seeding), with CreateAlias's rules. Throws AwsError. */
export function addAlias(ctx: CallContext, aliasName: string, keyId: string): AliasRecord {
  aliasNameChecks(ctx, aliasName);
  if (aliasInRegion(ctx, aliasName)) throw new AwsError('AlreadyExistsException', `An alias with the name ${aliasArn(ctx, aliasName)} already exists`);
  const key = locate(ctx, keyId, 'keyOnly');
  assertNotPendingDeletion(key);
  const now = ctx.now.toISOString();
  const alias: AliasRecord = { AliasName: aliasName, AliasArn: aliasArn(ctx, aliasName), TargetKeyId: key.KeyId, CreationDate: now, LastUpdatedDate: now };
  ctx.state.kms.aliases[aliasName] = alias;
  return alias;
}

/**
 * The key a key id, key ARN, alias name or alias ARN names (as in SNS `KmsMasterKeyId`), or undefined.
 * Like DescribeKey, `alias/aws/<service>` creates the AWS managed key on first use.
 */
export function resolveKey(ctx: CallContext, keyIdOrArnOrAlias: string): KeyRecord | undefined {
  try {
    return locate(ctx, keyIdOrArnOrAlias, 'any');
  } catch (e) {
    if (e instanceof AwsError) return undefined;
    throw e;
  }
}
