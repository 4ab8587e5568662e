import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
} from '@aws-sdk/client-kms';
import { startMoto, type RunningMoto } from '../../support/moto';
import { startSandbox, type RunningSandbox } from '../../support/sandbox';

/*
 * One scripted KMS scenario, run against the sandbox and against moto_server, compared field by field as
 * @aws-sdk/client-kms parses the answers. Where moto departs from AWS, the step lists the difference: the
 * test asserts each side's value and requires a row for the case in MOTO-DIFFERENCES.md.
 */

const ACCOUNT = '123456789012';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const DIFFERENCES_MD = join(__dirname, '../../../local/sandbox/MOTO-DIFFERENCES.md');

type Outcome = { ok: unknown } | { error: { name: string; status: number | undefined; message: string } };

/** What a scripted step can use: the client and the real ids behind the scenario's key names. */
interface Run {
  kms: KMSClient;
  ids: Record<string, string>;
  arns: Record<string, string>;
  /** Registers a key under a scenario name so that its id and ARN normalise to `<K1>` on both sides. */
  name(label: string, metadata: { KeyId?: string; Arn?: string } | undefined): void;
}

/** A departure of moto from AWS in one field of one step (`path` into the outcome; '' is the whole outcome). */
interface Difference {
  case: string;
  path: string;
  sandbox: unknown;
  moto: unknown;
}

interface Step {
  name: string;
  run: (r: Run) => Promise<unknown>;
  /** Turns the raw output into what is compared (e.g. a policy text parsed into JSON). */
  view?: (out: any) => unknown;
  differences?: Difference[];
}

const rootStatement = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };
const smsStatement = { Sid: 'SmsVoice', Effect: 'Allow', Principal: { Service: 'sms-voice.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' };
const goodPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [rootStatement, smsStatement] });
const lockoutPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [smsStatement] });
const bigPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ ...rootStatement, Sid: 'x'.repeat(33_000) }] });
const UNKNOWN = '11111111-2222-4333-8444-555555555555';

/** moto leaves MultiRegion out of every single-Region key's metadata. */
const multiRegion = (prefix: string): Difference => ({ case: 'MultiRegion of a single-Region key', path: `${prefix}.MultiRegion`, sandbox: false, moto: undefined });

/** The fields every description of the symmetric key K1 differs in. */
const symmetricKeyDifferences = (prefix: string): Difference[] => [
  multiRegion(prefix),
  { case: 'KeyUsage of a symmetric key created without KeyUsage', path: `${prefix}.KeyUsage`, sandbox: 'ENCRYPT_DECRYPT', moto: undefined },
  { case: 'SigningAlgorithms of an encryption key', path: `${prefix}.SigningAlgorithms`, sandbox: undefined, moto: [] },
  { case: 'CurrentKeyMaterialId of a symmetric key', path: `${prefix}.CurrentKeyMaterialId`, sandbox: '<hex64>', moto: undefined },
];
const described = symmetricKeyDifferences('ok.KeyMetadata');

const notFound = (message: string) => ({ error: { name: 'NotFoundException', status: 400, message } });
const createdSomeKey = { ok: { KeyMetadata: expect.objectContaining({ KeyId: expect.any(String) }) } };

const steps: Step[] = [
  {
    name: 'creates the symmetric key K1 with a description and a tag',
    run: async (r) => {
      const out = await r.kms.send(new CreateKeyCommand({ Description: 'topic key', Tags: [{ TagKey: 'app', TagValue: 'sms' }] }));
      r.name('K1', out.KeyMetadata);
      return out;
    },
    differences: described,
  },
  {
    name: 'creates the RSA signing key K2',
    run: async (r) => {
      const out = await r.kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', Description: 'signer' }));
      r.name('K2', out.KeyMetadata);
      return out;
    },
    differences: [multiRegion('ok.KeyMetadata')],
  },
  {
    name: 'creates the ECC signing key K3',
    run: async (r) => {
      const out = await r.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' }));
      r.name('K3', out.KeyMetadata);
      return out;
    },
    differences: [multiRegion('ok.KeyMetadata')],
  },
  {
    name: 'refuses an RSA key without KeyUsage',
    run: (r) => r.kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048' })),
    differences: [
      {
        case: 'CreateKey of an asymmetric key without KeyUsage',
        path: '',
        sandbox: { error: { name: 'ValidationException', status: 400, message: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.' } },
        moto: createdSomeKey,
      },
    ],
  },
  {
    name: 'refuses an ECC key for encryption',
    run: (r) => r.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' })),
    differences: [
      {
        case: 'CreateKey ECC_NIST_P256 with KeyUsage ENCRYPT_DECRYPT',
        path: '',
        sandbox: { error: { name: 'ValidationException', status: 400, message: 'KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ECC_NIST_P256' } },
        moto: { ok: { KeyMetadata: expect.objectContaining({ KeySpec: 'ECC_NIST_P256', EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }) } },
      },
    ],
  },
  { name: 'creates the alias alias/topic for K1', run: (r) => r.kms.send(new CreateAliasCommand({ AliasName: 'alias/topic', TargetKeyId: r.ids.K1 })) },
  { name: 'describes K1 by key id', run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: r.ids.K1 })), differences: described },
  { name: 'describes K1 by key ARN', run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: r.arns.K1 })), differences: described },
  { name: 'describes K1 by alias name', run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: 'alias/topic' })), differences: described },
  {
    name: 'describes K1 by alias ARN',
    run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/topic` })),
    differences: described,
  },
  { name: 'describes K2 by key id', run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: r.ids.K2 })), differences: [multiRegion('ok.KeyMetadata')] },
  {
    name: 'answers an unknown key id with NotFoundException',
    run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: UNKNOWN })),
  },
  {
    name: 'answers a malformed key id with NotFoundException',
    run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: 'fake-key-id' })),
    differences: [{ case: 'DescribeKey of a malformed key id', path: 'error.message', sandbox: "Invalid keyId 'fake-key-id'", moto: 'Invalid keyId fake-key-id' }],
  },
  { name: 'answers an unknown alias with NotFoundException', run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: 'alias/missing' })) },
  {
    name: 'answers a key ARN of another region with NotFoundException',
    run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: r.arns.K1!.replace('us-east-1', 'eu-west-1') })),
    differences: [
      {
        case: 'DescribeKey of a key ARN in another region',
        path: '',
        sandbox: notFound('Invalid arn eu-west-1'),
        moto: { ok: { KeyMetadata: expect.objectContaining({ KeyId: '<K1>' }) } },
      },
    ],
  },
  {
    name: 'materialises the AWS managed key of alias/aws/sns',
    run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/sns' })),
    differences: [
      {
        case: 'DescribeKey of alias/aws/sns before first use',
        path: '',
        sandbox: { ok: { KeyMetadata: expect.objectContaining({ KeyManager: 'AWS', KeySpec: 'SYMMETRIC_DEFAULT', KeyState: 'Enabled' }) } },
        moto: notFound(`Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/sns is not found.`),
      },
    ],
  },
  {
    name: 'returns the default key policy of K1',
    run: (r) => r.kms.send(new GetKeyPolicyCommand({ KeyId: r.ids.K1, PolicyName: 'default' })),
    view: (o) => ({ ...o, Policy: JSON.parse(o.Policy), compact: o.Policy.includes('"Version" : ') ? 'jackson' : 'compact' }),
    differences: [
      { case: 'GetKeyPolicy text of the default key policy', path: 'ok.compact', sandbox: 'jackson', moto: 'compact' },
      { case: 'GetKeyPolicy PolicyName in the response', path: 'ok.PolicyName', sandbox: 'default', moto: undefined },
    ],
  },
  {
    name: 'returns the default key policy when PolicyName is omitted',
    run: (r) => r.kms.send(new GetKeyPolicyCommand({ KeyId: r.ids.K1 })),
    differences: [
      {
        case: 'GetKeyPolicy without PolicyName',
        path: '',
        sandbox: { ok: expect.objectContaining({ PolicyName: 'default', Policy: expect.stringContaining('Enable IAM User Permissions') }) },
        moto: notFound('No such policy exists'),
      },
    ],
  },
  { name: 'answers another policy name with NotFoundException', run: (r) => r.kms.send(new GetKeyPolicyCommand({ KeyId: r.ids.K1, PolicyName: 'other' })) },
  {
    name: 'refuses an alias in GetKeyPolicy',
    run: (r) => r.kms.send(new GetKeyPolicyCommand({ KeyId: 'alias/topic', PolicyName: 'default' })),
    differences: [
      {
        case: 'GetKeyPolicy by alias name',
        path: '',
        sandbox: { error: { name: 'InvalidArnException', status: 400, message: 'Key Aliases are not supported for this operation.' } },
        moto: notFound('Invalid keyId alias/topic'),
      },
    ],
  },
  { name: 'puts a key policy with a service statement', run: (r) => r.kms.send(new PutKeyPolicyCommand({ KeyId: r.ids.K1, PolicyName: 'default', Policy: goodPolicy })) },
  {
    name: 'returns the policy put, verbatim',
    run: (r) => r.kms.send(new GetKeyPolicyCommand({ KeyId: r.ids.K1, PolicyName: 'default' })),
    view: (o) => ({ ...o, verbatim: o.Policy === goodPolicy }),
    differences: [{ case: 'GetKeyPolicy PolicyName in the response', path: 'ok.PolicyName', sandbox: 'default', moto: undefined }],
  },
  {
    name: 'refuses a malformed key policy',
    run: (r) => r.kms.send(new PutKeyPolicyCommand({ KeyId: r.ids.K1, PolicyName: 'default', Policy: '{"Version": "2012-10-17", "Statement": [' })),
    differences: [
      {
        case: 'PutKeyPolicy with a document that is not JSON',
        path: '',
        sandbox: { error: expect.objectContaining({ name: 'MalformedPolicyDocumentException', status: 400 }) },
        moto: { ok: {} },
      },
    ],
  },
  {
    name: 'refuses a key policy over 32 KB',
    run: (r) => r.kms.send(new PutKeyPolicyCommand({ KeyId: r.ids.K1, PolicyName: 'default', Policy: bigPolicy })),
    differences: [
      {
        case: 'PutKeyPolicy over 32 KB',
        path: '',
        sandbox: { error: expect.objectContaining({ name: 'LimitExceededException', status: 400 }) },
        moto: { ok: {} },
      },
    ],
  },
  {
    name: 'refuses a key policy that locks the caller out',
    run: (r) => r.kms.send(new PutKeyPolicyCommand({ KeyId: r.ids.K1, PolicyName: 'default', Policy: lockoutPolicy })),
    differences: [
      {
        case: 'PutKeyPolicy that locks the caller out',
        path: '',
        sandbox: { error: { name: 'MalformedPolicyDocumentException', status: 400, message: 'The new key policy will not allow you to update the key policy in the future.' } },
        moto: { ok: {} },
      },
    ],
  },
  // moto stored the three documents above; put the good one back so both sides continue from the same policy.
  { name: 'puts the key policy with a service statement again', run: (r) => r.kms.send(new PutKeyPolicyCommand({ KeyId: r.ids.K1, PolicyName: 'default', Policy: goodPolicy })) },
  { name: 'refuses a duplicate alias', run: (r) => r.kms.send(new CreateAliasCommand({ AliasName: 'alias/topic', TargetKeyId: r.ids.K1 })) },
  {
    name: 'refuses an alias without the alias/ prefix',
    run: (r) => r.kms.send(new CreateAliasCommand({ AliasName: 'topic2', TargetKeyId: r.ids.K1 })),
    differences: [
      {
        case: 'CreateAlias without the alias/ prefix',
        path: 'error.message',
        sandbox: 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
        moto: 'Invalid identifier',
      },
    ],
  },
  {
    name: 'refuses an alias under alias/aws/ (on K2)',
    run: (r) => r.kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: r.ids.K2 })),
    differences: [
      {
        case: 'CreateAlias under alias/aws/',
        path: '',
        sandbox: { error: expect.objectContaining({ name: 'NotAuthorizedException', status: 400 }) },
        moto: { ok: {} },
      },
    ],
  },
  { name: 'refuses an alias for an unknown key', run: (r) => r.kms.send(new CreateAliasCommand({ AliasName: 'alias/orphan', TargetKeyId: UNKNOWN })) },
  { name: 'creates a second alias alias/topic-2 for K1', run: (r) => r.kms.send(new CreateAliasCommand({ AliasName: 'alias/topic-2', TargetKeyId: r.arns.K1 })) },
  {
    name: 'lists the aliases of K1',
    run: (r) => r.kms.send(new ListAliasesCommand({ KeyId: r.ids.K1 })),
    view: (o) => ({ ...o, Aliases: [...o.Aliases].sort((a: any, b: any) => a.AliasName.localeCompare(b.AliasName)) }),
    differences: [0, 1].flatMap((i) => [
      { case: 'ListAliases CreationDate and LastUpdatedDate', path: `ok.Aliases.${i}.CreationDate`, sandbox: '<date>', moto: undefined },
      { case: 'ListAliases CreationDate and LastUpdatedDate', path: `ok.Aliases.${i}.LastUpdatedDate`, sandbox: '<date>', moto: undefined },
    ]),
  },
  {
    name: 'lists the predefined alias alias/aws/s3',
    run: async (r) => {
      const all: any[] = [];
      let marker: string | undefined;
      do {
        const page = await r.kms.send(new ListAliasesCommand({ Limit: 100, Marker: marker }));
        all.push(...(page.Aliases ?? []));
        marker = page.NextMarker;
      } while (marker);
      return all.find((a) => a.AliasName === 'alias/aws/s3');
    },
    differences: [{ case: 'ListAliases predefined alias not yet used', path: 'ok.TargetKeyId', sandbox: undefined, moto: expect.stringMatching(/^[0-9a-f-]{36}$/) }],
  },
  { name: 'deletes the alias alias/topic-2', run: (r) => r.kms.send(new DeleteAliasCommand({ AliasName: 'alias/topic-2' })) },
  { name: 'no longer finds the deleted alias', run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: 'alias/topic-2' })) },
  { name: 'answers deleting an unknown alias with NotFoundException', run: (r) => r.kms.send(new DeleteAliasCommand({ AliasName: 'alias/never-was' })) },
  { name: 'disables K1', run: (r) => r.kms.send(new DisableKeyCommand({ KeyId: r.ids.K1 })) },
  { name: 'describes the disabled K1', run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: r.ids.K1 })), differences: described },
  { name: 'enables K1', run: (r) => r.kms.send(new EnableKeyCommand({ KeyId: r.ids.K1 })) },
  { name: 'describes the enabled K1', run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: r.ids.K1 })), differences: described },
  { name: 'tags K1', run: (r) => r.kms.send(new TagResourceCommand({ KeyId: r.ids.K1, Tags: [{ TagKey: 'env', TagValue: 'prod' }] })) },
  {
    name: 'refuses an aws: tag (on K2)',
    run: (r) => r.kms.send(new TagResourceCommand({ KeyId: r.ids.K2, Tags: [{ TagKey: 'aws:owner', TagValue: 'me' }] })),
    differences: [
      {
        case: 'TagResource with an aws: tag key',
        path: '',
        sandbox: { error: { name: 'TagException', status: 400, message: 'Tags beginning with aws: are reserved' } },
        moto: { ok: {} },
      },
    ],
  },
  { name: 'untags K1', run: (r) => r.kms.send(new UntagResourceCommand({ KeyId: r.ids.K1, TagKeys: ['app', 'not-there'] })) },
  { name: 'lists the tags of K1', run: (r) => r.kms.send(new ListResourceTagsCommand({ KeyId: r.ids.K1 })) },
  { name: 'answers tagging an unknown key with NotFoundException', run: (r) => r.kms.send(new TagResourceCommand({ KeyId: UNKNOWN, Tags: [{ TagKey: 'a', TagValue: 'b' }] })) },
  { name: 'answers listing the tags of an unknown key with NotFoundException', run: (r) => r.kms.send(new ListResourceTagsCommand({ KeyId: UNKNOWN })) },
  { name: 'answers enabling an unknown key with NotFoundException', run: (r) => r.kms.send(new EnableKeyCommand({ KeyId: UNKNOWN })) },
  { name: 'answers the policy of an unknown key with NotFoundException', run: (r) => r.kms.send(new GetKeyPolicyCommand({ KeyId: UNKNOWN, PolicyName: 'default' })) },
  {
    name: 'refuses a deletion window of 3 days',
    run: (r) => r.kms.send(new ScheduleKeyDeletionCommand({ KeyId: r.ids.K1, PendingWindowInDays: 3 })),
    differences: [
      {
        case: 'ScheduleKeyDeletion with PendingWindowInDays 3',
        path: '',
        sandbox: { error: expect.objectContaining({ name: 'ValidationException', status: 400, message: expect.stringContaining("'pendingWindowInDays'") }) },
        moto: { ok: { KeyId: '<K1>' } },
      },
    ],
  },
  {
    name: 'schedules the deletion of K1 in 7 days',
    run: (r) => r.kms.send(new ScheduleKeyDeletionCommand({ KeyId: r.ids.K1, PendingWindowInDays: 7 })),
    differences: [
      { case: 'ScheduleKeyDeletion response', path: 'ok.KeyId', sandbox: '<K1-arn>', moto: '<K1>' },
      { case: 'ScheduleKeyDeletion response', path: 'ok.KeyState', sandbox: 'PendingDeletion', moto: undefined },
      { case: 'ScheduleKeyDeletion response', path: 'ok.PendingWindowInDays', sandbox: 7, moto: undefined },
    ],
  },
  { name: 'describes K1 pending deletion', run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: r.ids.K1 })), differences: described },
  ...(['DisableKey', 'TagResource', 'EnableKey'] as const).map(
    (op): Step => ({
      name: `refuses ${op} on K1 pending deletion`,
      run: (r) =>
        r.kms.send(
          op === 'DisableKey'
            ? new DisableKeyCommand({ KeyId: r.ids.K1 })
            : op === 'EnableKey'
              ? new EnableKeyCommand({ KeyId: r.ids.K1 })
              : (new TagResourceCommand({ KeyId: r.ids.K1, Tags: [{ TagKey: 'late', TagValue: 'x' }] }) as never),
        ),
      differences: [
        {
          case: 'DisableKey, TagResource, EnableKey on a key pending deletion',
          path: '',
          sandbox: { error: { name: 'KMSInvalidStateException', status: 400, message: '<K1-arn> is pending deletion.' } },
          moto: { ok: {} },
        },
      ],
    }),
  ),
  {
    name: 'still shows K1 pending deletion',
    run: (r) => r.kms.send(new DescribeKeyCommand({ KeyId: r.ids.K1 })),
    view: (o) => ({ KeyState: o.KeyMetadata.KeyState, Enabled: o.KeyMetadata.Enabled }),
    differences: [
      {
        case: 'DisableKey, TagResource, EnableKey on a key pending deletion',
        path: 'ok',
        sandbox: { KeyState: 'PendingDeletion', Enabled: false },
        moto: { KeyState: 'Enabled', Enabled: true },
      },
    ],
  },
];

/** Replaces run-specific values (key ids and ARNs, dates, key material ids) with stable placeholders. */
function normalise(value: unknown, r: Run): unknown {
  if (value instanceof Date) return '<date>';
  if (typeof value === 'string') {
    if (/^[0-9a-f]{64}$/.test(value)) return '<hex64>';
    let s = value;
    for (const [label, arn] of Object.entries(r.arns)) s = s.split(arn).join(`<${label}-arn>`);
    for (const [label, id] of Object.entries(r.ids)) s = s.split(id).join(`<${label}>`);
    return s;
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, r));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== '$metadata' && v !== undefined) out[k] = normalise(v, r);
    return out;
  }
  return value;
}

async function runScenario(config: RunningSandbox['clientConfig']): Promise<Map<string, Outcome>> {
  const kms = new KMSClient(config);
  const r: Run = {
    kms,
    ids: {},
    arns: {},
    name(label, metadata) {
      if (metadata?.KeyId) r.ids[label] = metadata.KeyId;
      if (metadata?.Arn) r.arns[label] = metadata.Arn;
    },
  };
  const results = new Map<string, Outcome>();
  for (const step of steps) {
    try {
      const out = await step.run(r);
      results.set(step.name, { ok: step.view ? step.view(out) : out });
    } catch (e) {
      const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      if (!err.$metadata) throw e;
      results.set(step.name, { error: { name: err.name, status: err.$metadata.httpStatusCode, message: err.message } });
    }
  }
  kms.destroy();
  // Normalise only at the end, when every scenario key has its name.
  return new Map([...results].map(([k, v]) => [k, normalise(v, r) as Outcome]));
}

function at(obj: unknown, path: string): unknown {
  return path === '' ? obj : path.split('.').reduce<unknown>((o, k) => (o === null || typeof o !== 'object' ? undefined : (o as Record<string, unknown>)[k]), obj);
}

function drop(obj: unknown, path: string): void {
  const parts = path.split('.');
  const parent = at(obj, parts.slice(0, -1).join('.'));
  if (parent !== null && typeof parent === 'object') delete (parent as Record<string, unknown>)[parts.at(-1)!];
}

describe('KMS: sandbox and moto_server through the same scenario', () => {
  let sb: RunningSandbox;
  let moto: RunningMoto;
  let ours: Map<string, Outcome>;
  let theirs: Map<string, Outcome>;

  beforeAll(async () => {
    [sb, moto] = await Promise.all([startSandbox({ seed: false }), startMoto()]);
    [ours, theirs] = await Promise.all([runScenario(sb.clientConfig), runScenario(moto.clientConfig)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([sb?.stop(), moto?.stop()]);
  });

  it.each(steps.map((s) => [s.name, s] as const))('%s', (_name, step) => {
    const s = structuredClone(ours.get(step.name));
    const m = structuredClone(theirs.get(step.name));
    expect(s).toBeDefined();
    expect(m).toBeDefined();

    const differences = step.differences ?? [];
    for (const d of differences) {
      expect({ side: 'sandbox', case: d.case, value: at(s, d.path) }).toEqual({ side: 'sandbox', case: d.case, value: d.sandbox });
      expect({ side: 'moto', case: d.case, value: at(m, d.path) }).toEqual({ side: 'moto', case: d.case, value: d.moto });
    }
    if (differences.some((d) => d.path === '' || d.path === 'ok')) return;
    for (const d of differences) {
      drop(s, d.path);
      drop(m, d.path);
    }
    expect(s).toEqual(m);
  });

  it('lists every asserted difference in MOTO-DIFFERENCES.md', () => {
    const table = readFileSync(DIFFERENCES_MD, 'utf8');
    const cases = new Set(steps.flatMap((s) => (s.differences ?? []).map((d) => d.case)));

    const missing = [...cases].filter((c) => !table.includes(`| kms | ${c} |`));

    expect(missing).toEqual([]);
    expect(cases.size).toBeGreaterThan(10);
  });
});
