import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  type CreateRoleCommandInput,
  type Role,
} from '@aws-sdk/client-iam';
import { startMoto, type RunningMoto } from '../../support/moto';
import { startSandbox, type RunningSandbox } from '../../support/sandbox';

/**
 * The same IAM scenario against the sandbox and moto_server, compared step by step as SDK v3 parses the answers.
 * Generated ids, timestamps, markers and request ids are normalised. Where moto departs from documented AWS
 * behaviour, both sides are asserted explicitly and the case is a row of local/sandbox/MOTO-DIFFERENCES.md.
 */

const ACCOUNT = '123456789012';
const SNS_FULL = 'arn:aws:iam::aws:policy/AmazonSNSFullAccess';
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'sms-voice.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } }],
});
const TRUST_STATES = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const publish = (topic: string): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Publish', Effect: 'Allow', Action: 'sns:Publish', Resource: `arn:aws:sns:us-east-1:${ACCOUNT}:${topic}` }] });

type Outcome = { ok: unknown } | { error: { name: string; status: number | undefined; fault: string; message: string } };

const DOCUMENT_KEYS = new Set(['AssumeRolePolicyDocument', 'PolicyDocument', 'Document']);

/** Replaces what legitimately differs between two implementations by a description of its shape. */
function normalise(value: unknown, key = ''): unknown {
  if (value instanceof Date) return '<date>';
  if (Array.isArray(value)) return value.map((v) => normalise(v));
  if (typeof value === 'string') {
    if (key === 'RoleId') return /^AROA[A-Z0-9]{17}$/.test(value) ? '<AROA id>' : '<other id>';
    if (key === 'PolicyId') return /^ANPA[A-Z0-9]{17}$/.test(value) ? '<ANPA id>' : '<other id>';
    if (key === 'Marker') return '<marker>';
    if (DOCUMENT_KEYS.has(key)) {
      const decoded = decodeURIComponent(value);
      return { urlEncoded: decoded !== value, decoded };
    }
    return value;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== '$metadata' && v !== undefined) out[k] = normalise(v, k);
    return out;
  }
  return value;
}

async function step(call: () => Promise<unknown>, view: (out: never) => unknown = (out) => out): Promise<Outcome> {
  try {
    return { ok: normalise(view((await call()) as never)) };
  } catch (e) {
    const err = e as { name: string; message: string; $fault: string; $metadata?: { httpStatusCode?: number } };
    if (!err.$metadata) throw e;
    return { error: { name: err.name, status: err.$metadata.httpStatusCode, fault: err.$fault, message: err.message } };
  }
}

const byName = (a: Role, b: Role): number => (a.RoleName! < b.RoleName! ? -1 : 1);

/** The scripted scenario; every call is one named step of the transcript. */
async function scenario(iam: IAMClient): Promise<Record<string, Outcome>> {
  const t: Record<string, Outcome> = {};
  const role = (RoleName: string, extra: Partial<CreateRoleCommandInput> = {}) =>
    new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST, ...extra });
  const policyArn = `arn:aws:iam::${ACCOUNT}:policy/diff/diff-publish`;
  const conflictArn = `arn:aws:iam::${ACCOUNT}:policy/diff-conflict`;

  // Roles
  t['create-role'] = await step(() => iam.send(role('diff-a', { Path: '/diff/', Description: 'two-way', Tags: [{ Key: 'owner', Value: 'two-way-sms' }] })));
  for (const [name, path] of [['diff-b', '/diff/'], ['diff-c', '/diff/'], ['diff-z', '/other/']] as const) {
    t[`create-role ${name}`] = await step(() => iam.send(role(name, { Path: path })), (o: { Role: Role }) => ({ Arn: o.Role.Arn, Path: o.Role.Path }));
  }
  t['create-role duplicate name'] = await step(() => iam.send(role('diff-a')));
  t['create-role duplicate name in other case'] = await step(() => iam.send(role('DIFF-A')), (o: { Role: Role }) => ({ Arn: o.Role.Arn }));
  t['create-role malformed trust policy'] = await step(() => iam.send(role('diff-malformed', { AssumeRolePolicyDocument: '{"Statement": [' })), (o: { Role: Role }) => ({ Arn: o.Role.Arn }));
  t['create-role name breaking the pattern'] = await step(() => iam.send(role('diff role')), (o: { Role: Role }) => ({ Arn: o.Role.Arn }));
  t['get-role'] = await step(() => iam.send(new GetRoleCommand({ RoleName: 'diff-a' })));
  t['get-role unknown'] = await step(() => iam.send(new GetRoleCommand({ RoleName: 'diff-ghost' })));
  t['get-role without RoleName'] = await step(() => iam.send(new GetRoleCommand({} as { RoleName: string })), (o: { Role: Role }) => ({ Path: o.Role.Path }));
  t['list-roles path prefix'] = await step(
    () => iam.send(new ListRolesCommand({ PathPrefix: '/diff/' })),
    (o: { Roles: Role[]; IsTruncated: boolean }) => ({ Roles: [...o.Roles].sort(byName), IsTruncated: o.IsTruncated }),
  );
  t['list-roles paged'] = await step(async () => {
    const pages: { count: number; IsTruncated?: boolean; hasMarker: boolean }[] = [];
    const names: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await iam.send(new ListRolesCommand({ PathPrefix: '/diff/', MaxItems: 2, Marker }));
      pages.push({ count: page.Roles!.length, IsTruncated: page.IsTruncated, hasMarker: page.Marker !== undefined });
      names.push(...page.Roles!.map((r) => r.RoleName!));
      Marker = page.Marker;
    } while (Marker);
    return { pages, names: names.sort() };
  });
  t['list-roles MaxItems 0'] = await step(() => iam.send(new ListRolesCommand({ MaxItems: 0 })), (o: { Roles: Role[] }) => ({ roles: o.Roles.length }));
  t['update-assume-role-policy'] = await step(() => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'diff-b', PolicyDocument: TRUST_STATES })));
  t['get-role after update'] = await step(() => iam.send(new GetRoleCommand({ RoleName: 'diff-b' })), (o: { Role: Role }) => ({ AssumeRolePolicyDocument: o.Role.AssumeRolePolicyDocument }));
  t['update-assume-role-policy malformed'] = await step(() => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'diff-b', PolicyDocument: 'nope' })));

  // Inline policies
  t['put-role-policy'] = await step(() => iam.send(new PutRolePolicyCommand({ RoleName: 'diff-a', PolicyName: 'publish', PolicyDocument: publish('first') })));
  t['put-role-policy overwrite'] = await step(() => iam.send(new PutRolePolicyCommand({ RoleName: 'diff-a', PolicyName: 'publish', PolicyDocument: publish('second') })));
  t['put-role-policy malformed'] = await step(() => iam.send(new PutRolePolicyCommand({ RoleName: 'diff-a', PolicyName: 'broken', PolicyDocument: '{"Version": ' })));
  t['put-role-policy unknown role'] = await step(() => iam.send(new PutRolePolicyCommand({ RoleName: 'diff-ghost', PolicyName: 'p', PolicyDocument: publish('x') })));
  t['get-role-policy'] = await step(() => iam.send(new GetRolePolicyCommand({ RoleName: 'diff-a', PolicyName: 'publish' })));
  t['get-role-policy unknown'] = await step(() => iam.send(new GetRolePolicyCommand({ RoleName: 'diff-a', PolicyName: 'ghost' })));
  t['list-role-policies'] = await step(() => iam.send(new ListRolePoliciesCommand({ RoleName: 'diff-a' })));
  t['delete-role with inline policy'] = await step(() => iam.send(new DeleteRoleCommand({ RoleName: 'diff-a' })));

  // Managed policies
  t['create-policy'] = await step(() => iam.send(new CreatePolicyCommand({ PolicyName: 'diff-publish', Path: '/diff/', PolicyDocument: publish('managed'), Description: 'publish' })));
  t['create-policy duplicate'] = await step(() => iam.send(new CreatePolicyCommand({ PolicyName: 'diff-publish', PolicyDocument: publish('managed') })));
  t['create-policy malformed'] = await step(() => iam.send(new CreatePolicyCommand({ PolicyName: 'diff-broken', PolicyDocument: 'not json' })));
  t['get-policy'] = await step(() => iam.send(new GetPolicyCommand({ PolicyArn: policyArn })));
  t['get-policy unknown'] = await step(() => iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/diff-ghost` })));
  t['get-policy-version'] = await step(() => iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v1' })));
  t['attach-role-policy'] = await step(() => iam.send(new AttachRolePolicyCommand({ RoleName: 'diff-a', PolicyArn: policyArn })));
  t['attach-role-policy aws-managed'] = await step(() => iam.send(new AttachRolePolicyCommand({ RoleName: 'diff-a', PolicyArn: SNS_FULL })));
  t['attach-role-policy unknown aws-managed'] = await step(() =>
    iam.send(new AttachRolePolicyCommand({ RoleName: 'diff-a', PolicyArn: 'arn:aws:iam::aws:policy/DiffNoSuchPolicy' })),
  );
  // IAM documents no order for listings, so lists are compared as sets.
  t['list-attached-role-policies'] = await step(
    () => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'diff-a' })),
    (o: { AttachedPolicies: { PolicyArn: string }[]; IsTruncated: boolean }) => ({
      AttachedPolicies: [...o.AttachedPolicies].sort((a, b) => (a.PolicyArn < b.PolicyArn ? -1 : 1)),
      IsTruncated: o.IsTruncated,
    }),
  );
  t['get-policy attachment count'] = await step(() => iam.send(new GetPolicyCommand({ PolicyArn: policyArn })), (o: { Policy: { AttachmentCount: number } }) => o.Policy.AttachmentCount);
  t['create-policy to delete while attached'] = await step(
    () => iam.send(new CreatePolicyCommand({ PolicyName: 'diff-conflict', PolicyDocument: publish('conflict') })),
    (o: { Policy: { Arn: string } }) => o.Policy.Arn,
  );
  t['attach-role-policy to diff-c'] = await step(() => iam.send(new AttachRolePolicyCommand({ RoleName: 'diff-c', PolicyArn: conflictArn })));
  t['delete-policy while attached'] = await step(() => iam.send(new DeletePolicyCommand({ PolicyArn: conflictArn })));
  t['delete-role-policy'] = await step(() => iam.send(new DeleteRolePolicyCommand({ RoleName: 'diff-a', PolicyName: 'publish' })));
  t['delete-role-policy unknown'] = await step(() => iam.send(new DeleteRolePolicyCommand({ RoleName: 'diff-a', PolicyName: 'publish' })));
  t['delete-role with managed policies'] = await step(() => iam.send(new DeleteRoleCommand({ RoleName: 'diff-a' })));
  t['detach-role-policy'] = await step(() => iam.send(new DetachRolePolicyCommand({ RoleName: 'diff-a', PolicyArn: policyArn })));
  t['detach-role-policy aws-managed'] = await step(() => iam.send(new DetachRolePolicyCommand({ RoleName: 'diff-a', PolicyArn: SNS_FULL })));
  t['detach-role-policy not attached'] = await step(() => iam.send(new DetachRolePolicyCommand({ RoleName: 'diff-a', PolicyArn: policyArn })));
  t['list-attached-role-policies after detach'] = await step(() => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'diff-a' })));
  t['delete-policy'] = await step(() => iam.send(new DeletePolicyCommand({ PolicyArn: policyArn })));
  t['delete-policy unknown'] = await step(() => iam.send(new DeletePolicyCommand({ PolicyArn: policyArn })));

  // Tags
  t['tag-role'] = await step(() => iam.send(new TagRoleCommand({ RoleName: 'diff-a', Tags: [{ Key: 'stage', Value: 'test' }, { Key: 'team', Value: 'sms' }] })));
  t['list-role-tags'] = await step(() => iam.send(new ListRoleTagsCommand({ RoleName: 'diff-a' })));
  t['list-role-tags paged'] = await step(() => iam.send(new ListRoleTagsCommand({ RoleName: 'diff-a', MaxItems: 2 })));
  t['tag-role duplicate keys'] = await step(() => iam.send(new TagRoleCommand({ RoleName: 'diff-a', Tags: [{ Key: 'dup', Value: '1' }, { Key: 'DUP', Value: '2' }] })));
  t['untag-role'] = await step(() => iam.send(new UntagRoleCommand({ RoleName: 'diff-a', TagKeys: ['stage'] })));
  t['list-role-tags after untag'] = await step(() => iam.send(new ListRoleTagsCommand({ RoleName: 'diff-a' })));
  t['tag-role unknown role'] = await step(() => iam.send(new TagRoleCommand({ RoleName: 'diff-ghost', Tags: [{ Key: 'a', Value: 'b' }] })));
  t['list-role-tags unknown role'] = await step(() => iam.send(new ListRoleTagsCommand({ RoleName: 'diff-ghost' })));

  // Deletion
  t['delete-role'] = await step(() => iam.send(new DeleteRoleCommand({ RoleName: 'diff-a' })));
  t['get-role after delete'] = await step(() => iam.send(new GetRoleCommand({ RoleName: 'diff-a' })));
  t['delete-role unknown'] = await step(() => iam.send(new DeleteRoleCommand({ RoleName: 'diff-a' })));
  return t;
}

const notFound = (message: string): Outcome => ({ error: { name: 'NoSuchEntityException', status: 404, fault: 'client', message } });
const validation = (message: string): Outcome => ({ error: { name: 'ValidationError', status: 400, fault: 'client', message } });
const encodedAs = (urlEncoded: boolean, decoded: string) => ({ urlEncoded, decoded });

const roleA = {
  Path: '/diff/',
  RoleName: 'diff-a',
  RoleId: '<AROA id>',
  Arn: `arn:aws:iam::${ACCOUNT}:role/diff/diff-a`,
  CreateDate: '<date>',
  AssumeRolePolicyDocument: encodedAs(true, TRUST),
  Description: 'two-way',
};
const listedRoles = (urlEncoded: boolean) =>
  ['diff-a', 'diff-b', 'diff-c'].map((name) => ({
    Path: '/diff/',
    RoleName: name,
    RoleId: '<AROA id>',
    Arn: `arn:aws:iam::${ACCOUNT}:role/diff/${name}`,
    CreateDate: '<date>',
    AssumeRolePolicyDocument: encodedAs(urlEncoded, TRUST),
    ...(name === 'diff-a' ? { Description: 'two-way' } : {}),
    MaxSessionDuration: 3600,
  }));
const managedPolicy = (PolicyId: string) => ({
  PolicyName: 'diff-publish',
  PolicyId,
  Arn: `arn:aws:iam::${ACCOUNT}:policy/diff/diff-publish`,
  Path: '/diff/',
  DefaultVersionId: 'v1',
  AttachmentCount: 0,
  IsAttachable: true,
  CreateDate: '<date>',
  UpdateDate: '<date>',
});
const roleNotFound = (name: string) => ({
  sandbox: notFound(`The role with name ${name} cannot be found.`),
  moto: notFound(`Role ${name} not found`),
});

/**
 * Every step where moto departs from AWS, with what each side answers. The key is the `case` column of the
 * table in MOTO-DIFFERENCES.md (the test checks that table and list name the same cases).
 */
const DIFFERENCES: Record<string, { sandbox: Outcome; moto: Outcome }> = {
  'create-role': {
    sandbox: { ok: { Role: { ...roleA, Tags: [{ Key: 'owner', Value: 'two-way-sms' }] } } },
    moto: { ok: { Role: { ...roleA, Tags: [{ Key: 'owner', Value: 'two-way-sms' }], MaxSessionDuration: 3600, RoleLastUsed: {} } } },
  },
  'create-role duplicate name in other case': {
    sandbox: { error: { name: 'EntityAlreadyExistsException', status: 409, fault: 'client', message: 'Role with name DIFF-A already exists.' } },
    moto: { ok: { Arn: `arn:aws:iam::${ACCOUNT}:role/DIFF-A` } },
  },
  'create-role malformed trust policy': {
    sandbox: { error: { name: 'MalformedPolicyDocumentException', status: 400, fault: 'client', message: 'Syntax errors in policy.' } },
    moto: { ok: { Arn: `arn:aws:iam::${ACCOUNT}:role/diff-malformed` } },
  },
  'create-role name breaking the pattern': {
    sandbox: validation("1 validation error detected: Value 'diff role' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"),
    moto: { ok: { Arn: `arn:aws:iam::${ACCOUNT}:role/diff role` } },
  },
  'get-role unknown': roleNotFound('diff-ghost'),
  'get-role without RoleName': {
    sandbox: validation("1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null"),
    moto: notFound('Role None not found'),
  },
  'list-roles path prefix': {
    sandbox: { ok: { Roles: listedRoles(true), IsTruncated: false } },
    moto: { ok: { Roles: listedRoles(false), IsTruncated: false } },
  },
  'list-roles MaxItems 0': {
    sandbox: validation("1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"),
    // moto answers with every role it holds, including the three it should have refused above.
    moto: { ok: { roles: 7 } },
  },
  'put-role-policy unknown role': roleNotFound('diff-ghost'),
  'get-role-policy unknown': {
    sandbox: notFound('The role policy with name ghost cannot be found.'),
    moto: notFound('Policy Document ghost not attached to role diff-a'),
  },
  'create-policy': {
    sandbox: { ok: { Policy: managedPolicy('<ANPA id>') } },
    moto: { ok: { Policy: managedPolicy('<other id>') } },
  },
  'create-policy duplicate': {
    sandbox: {
      error: { name: 'EntityAlreadyExistsException', status: 409, fault: 'client', message: 'A policy called diff-publish already exists. Duplicate names are not allowed.' },
    },
    moto: { ok: { Policy: { ...managedPolicy('<other id>'), Arn: `arn:aws:iam::${ACCOUNT}:policy/diff-publish`, Path: '/' } } },
  },
  'get-policy': {
    sandbox: { ok: { Policy: { ...managedPolicy('<ANPA id>'), PermissionsBoundaryUsageCount: 0, Description: 'publish', Tags: [] } } },
    moto: { ok: { Policy: { ...managedPolicy('<other id>'), Description: 'publish', Tags: [] } } },
  },
  'get-policy unknown': {
    sandbox: notFound(`Policy arn:aws:iam::${ACCOUNT}:policy/diff-ghost was not found.`),
    moto: notFound(`Policy arn:aws:iam::${ACCOUNT}:policy/diff-ghost not found`),
  },
  'get-policy-version': {
    sandbox: { ok: { PolicyVersion: { Document: encodedAs(true, publish('managed')), VersionId: 'v1', IsDefaultVersion: true, CreateDate: '<date>' } } },
    moto: { ok: { PolicyVersion: { Document: encodedAs(false, publish('managed')), VersionId: 'v1', IsDefaultVersion: true, CreateDate: '<date>' } } },
  },
  'delete-policy while attached': {
    sandbox: { error: { name: 'DeleteConflictException', status: 409, fault: 'client', message: 'Cannot delete a policy attached to entities.' } },
    moto: { ok: {} },
  },
  'delete-policy unknown': {
    sandbox: notFound(`Policy arn:aws:iam::${ACCOUNT}:policy/diff/diff-publish was not found.`),
    moto: notFound(`Policy arn:aws:iam::${ACCOUNT}:policy/diff/diff-publish not found`),
  },
  'tag-role unknown role': roleNotFound('diff-ghost'),
  'list-role-tags unknown role': roleNotFound('diff-ghost'),
  'get-role after delete': roleNotFound('diff-a'),
  'delete-role unknown': roleNotFound('diff-a'),
};

/** The `case` column of every `iam` row of the differences table. */
function documentedCases(): string[] {
  const table = readFileSync(join(__dirname, '../../../local/sandbox/MOTO-DIFFERENCES.md'), 'utf8');
  return table
    .split('\n')
    .map((line) => line.split('|').map((c) => c.trim()))
    .filter((cells) => cells[1] === 'iam')
    .map((cells) => cells[2]!.replace(/`/g, ''));
}

describe('IAM: the sandbox against moto_server', () => {
  let sb: RunningSandbox;
  let moto: RunningMoto;
  let ours: Record<string, Outcome>;
  let theirs: Record<string, Outcome>;

  beforeAll(async () => {
    // moto_server loads the AWS-managed policies only when asked to; real IAM always has them.
    const previous = process.env['MOTO_IAM_LOAD_MANAGED_POLICIES'];
    process.env['MOTO_IAM_LOAD_MANAGED_POLICIES'] = 'true';
    try {
      [sb, moto] = await Promise.all([startSandbox({ seed: false }), startMoto()]);
    } finally {
      if (previous === undefined) delete process.env['MOTO_IAM_LOAD_MANAGED_POLICIES'];
      else process.env['MOTO_IAM_LOAD_MANAGED_POLICIES'] = previous;
    }
    const sbClient = new IAMClient(sb.clientConfig);
    const motoClient = new IAMClient(moto.clientConfig);
    [ours, theirs] = await Promise.all([scenario(sbClient), scenario(motoClient)]);
    sbClient.destroy();
    motoClient.destroy();
  }, 60_000);

  afterAll(async () => {
    await Promise.all([sb?.stop(), moto?.stop()]);
  });

  it('runs the same steps on both', () => {
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(Object.keys(ours).length).toBeGreaterThan(50);
  });

  it('names only steps of the scenario as differences', () => {
    const unknown = Object.keys(DIFFERENCES).filter((id) => !(id in ours));
    expect(unknown).toEqual([]);
  });

  it('answers every step outside the listed differences exactly as moto does', () => {
    const mismatches = Object.keys(ours)
      .filter((id) => !(id in DIFFERENCES))
      .filter((id) => JSON.stringify(ours[id]) !== JSON.stringify(theirs[id]))
      .map((id) => ({ id, sandbox: ours[id], moto: theirs[id] }));
    expect(mismatches).toEqual([]);
  });

  it('agrees with moto on the core behaviours the workflow relies on', () => {
    expect(ours['create-role duplicate name']).toEqual({
      error: { name: 'EntityAlreadyExistsException', status: 409, fault: 'client', message: 'Role with name diff-a already exists.' },
    });
    expect(ours['delete-role with inline policy']).toEqual({
      error: { name: 'DeleteConflictException', status: 409, fault: 'client', message: 'Cannot delete entity, must delete policies first.' },
    });
    expect(ours['delete-role with managed policies']).toMatchObject({ error: { name: 'DeleteConflictException', status: 409 } });
    expect(ours['put-role-policy malformed']).toMatchObject({ error: { name: 'MalformedPolicyDocumentException', status: 400 } });
    expect(ours['get-role-policy']).toEqual({ ok: { RoleName: 'diff-a', PolicyName: 'publish', PolicyDocument: encodedAs(true, publish('second')) } });
    expect(ours['list-roles paged']).toEqual({
      ok: {
        pages: [
          { count: 2, IsTruncated: true, hasMarker: true },
          { count: 1, IsTruncated: false, hasMarker: false },
        ],
        names: ['diff-a', 'diff-b', 'diff-c'],
      },
    });
    expect(ours['list-role-tags after untag']).toEqual({
      ok: {
        Tags: [
          { Key: 'owner', Value: 'two-way-sms' },
          { Key: 'team', Value: 'sms' },
        ],
        IsTruncated: false,
      },
    });
  });

  it.each(Object.keys(DIFFERENCES))('answers "%s" as AWS documents it, where moto departs', (id) => {
    expect({ sandbox: ours[id], moto: theirs[id] }).toEqual(DIFFERENCES[id]);
  });

  it('lists every difference, and nothing else, in MOTO-DIFFERENCES.md', () => {
    expect([...documentedCases()].sort()).toEqual(Object.keys(DIFFERENCES).sort());
  });
});
