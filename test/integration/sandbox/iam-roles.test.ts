import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  type CreateRoleCommandInput,
} from '@aws-sdk/client-iam';
import { addRole, findRoleByArn, rolePermissionDocuments } from '../../../local/sandbox/services/iam';
import { awsCli, startSandbox, type RunningSandbox } from '../../support/sandbox';

const ACCOUNT = '123456789012';

const trustPolicy = (service = 'sms-voice.amazonaws.com'): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'SMSVoice', Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } },
    ],
  });

const publishPolicy = (topic = 'inbound'): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'SMSVoiceAllowSNSPublish', Effect: 'Allow', Action: 'sns:Publish', Resource: `arn:aws:sns:us-east-1:${ACCOUNT}:${topic}` }],
  });

/** A policy whose size without white space is close to `chars`. */
const bigPolicy = (chars: number): string => {
  const resources: string[] = [];
  let size = 0;
  for (let i = 0; size < chars; i++) {
    const r = `arn:aws:sns:us-east-1:${ACCOUNT}:topic-${String(i).padStart(6, '0')}`;
    resources.push(r);
    size += r.length + 3;
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: resources }] });
};

interface SdkError {
  name: string;
  message: string;
  $fault: string;
  $metadata: { httpStatusCode?: number };
}

async function failure(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error('expected the call to fail');
}

describe('IAM roles, inline policies and tags in the sandbox', () => {
  let sb: RunningSandbox;
  let iam: IAMClient;
  let n = 0;
  const uniqueName = (base: string): string => `${base}-${++n}`;
  const createRole = (RoleName: string, extra: Partial<CreateRoleCommandInput> = {}) =>
    iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trustPolicy(), ...extra }));

  beforeAll(async () => {
    sb = await startSandbox({ seed: false });
    iam = new IAMClient(sb.clientConfig);
  });
  afterAll(async () => {
    iam.destroy();
    await sb.stop();
  });

  describe('CreateRole', () => {
    it('creates a role with the default path, an AROA id and the trust policy URL-encoded', async () => {
      const name = uniqueName('TwoWayRole');
      const out = await createRole(name, { Description: 'two-way channel role' });
      expect(out.Role).toMatchObject({
        RoleName: name,
        Path: '/',
        Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
        Description: 'two-way channel role',
      });
      expect(out.Role?.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
      expect(out.Role?.CreateDate).toBeInstanceOf(Date);
      expect(out.Role?.AssumeRolePolicyDocument).not.toContain('{');
      expect(decodeURIComponent(out.Role!.AssumeRolePolicyDocument!)).toBe(trustPolicy());
    });

    it('puts the path into the ARN and returns the tags given', async () => {
      const name = uniqueName('PathRole');
      const out = await createRole(name, { Path: '/sms/two-way/', Tags: [{ Key: 'provisioning', Value: 'p-1' }] });
      expect(out.Role?.Arn).toBe(`arn:aws:iam::${ACCOUNT}:role/sms/two-way/${name}`);
      expect(out.Role?.Path).toBe('/sms/two-way/');
      expect(out.Role?.Tags).toEqual([{ Key: 'provisioning', Value: 'p-1' }]);
    });

    it('rejects a name that differs from an existing role only by case with EntityAlreadyExists 409', async () => {
      const name = uniqueName('CaseRole');
      await createRole(name);
      const err = await failure(createRole(name.toUpperCase()));
      expect(err.name).toBe('EntityAlreadyExistsException');
      expect(err.$metadata.httpStatusCode).toBe(409);
      expect(err.message).toBe(`Role with name ${name.toUpperCase()} already exists.`);
    });

    it('rejects a trust policy that is not JSON with MalformedPolicyDocument and creates nothing', async () => {
      const name = uniqueName('Malformed');
      const err = await failure(createRole(name, { AssumeRolePolicyDocument: '{"Version": "2012-10-17", "Statement": [' }));
      expect(err.name).toBe('MalformedPolicyDocumentException');
      expect(err.$metadata.httpStatusCode).toBe(400);
      expect(err.message).toBe('Syntax errors in policy.');
      expect((await failure(iam.send(new GetRoleCommand({ RoleName: name })))).name).toBe('NoSuchEntityException');
    });

    it('rejects a trust policy that names a Resource', async () => {
      const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sms-voice.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }] });
      const err = await failure(createRole(uniqueName('WithResource'), { AssumeRolePolicyDocument: doc }));
      expect(err.name).toBe('MalformedPolicyDocumentException');
      expect(err.message).toBe('Has prohibited field Resource.');
    });

    it('rejects a trust policy without a Principal', async () => {
      const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] });
      const err = await failure(createRole(uniqueName('NoPrincipal'), { AssumeRolePolicyDocument: doc }));
      expect(err.name).toBe('MalformedPolicyDocumentException');
      expect(err.message).toBe('Missing required field Principal.');
    });

    it('answers a role name with a space with ValidationError naming roleName and the pattern', async () => {
      const err = await failure(createRole('two way'));
      expect(err.name).toBe('ValidationError');
      expect(err.$metadata.httpStatusCode).toBe(400);
      expect(err.message).toBe(
        "1 validation error detected: Value 'two way' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
      );
    });

    it('answers a 65-character role name with ValidationError on its length', async () => {
      const err = await failure(createRole('r'.repeat(65)));
      expect(err.name).toBe('ValidationError');
      expect(err.message).toContain("at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64");
    });

    it('answers a path that does not end with a slash with ValidationError naming path', async () => {
      const err = await failure(createRole(uniqueName('BadPath'), { Path: '/sms' }));
      expect(err.name).toBe('ValidationError');
      expect(err.message).toContain("Value '/sms' at 'path' failed to satisfy constraint");
    });

    it('answers a missing trust policy with ValidationError "Member must not be null"', async () => {
      const err = await failure(iam.send(new CreateRoleCommand({ RoleName: uniqueName('NoDoc') } as CreateRoleCommandInput)));
      expect(err.name).toBe('ValidationError');
      expect(err.message).toBe("1 validation error detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null");
    });

    it('reports every violated constraint of one request at once', async () => {
      const err = await failure(iam.send(new CreateRoleCommand({ RoleName: 'bad name', Path: 'x' } as CreateRoleCommandInput)));
      expect(err.name).toBe('ValidationError');
      expect(err.message).toMatch(/^3 validation errors detected: /);
      expect(err.message).toContain("'roleName'");
      expect(err.message).toContain("'assumeRolePolicyDocument'");
      expect(err.message).toContain("'path'");
    });

    it('rejects duplicate tag keys (case-insensitive) with InvalidInput', async () => {
      const err = await failure(createRole(uniqueName('DupTags'), { Tags: [{ Key: 'Owner', Value: 'a' }, { Key: 'owner', Value: 'b' }] }));
      expect(err.name).toBe('InvalidInputException');
      expect(err.$metadata.httpStatusCode).toBe(400);
    });

    it('rejects MaxSessionDuration below one hour with ValidationError', async () => {
      const err = await failure(createRole(uniqueName('Short'), { MaxSessionDuration: 60 }));
      expect(err.name).toBe('ValidationError');
      expect(err.message).toContain("Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600");
    });
  });

  describe('GetRole', () => {
    it('returns the role with its URL-encoded trust policy, MaxSessionDuration, empty RoleLastUsed and tags', async () => {
      const name = uniqueName('GetMe');
      await createRole(name, { Tags: [{ Key: 'app', Value: 'two-way-sms' }] });
      const out = await iam.send(new GetRoleCommand({ RoleName: name }));
      expect(out.Role).toMatchObject({ RoleName: name, Path: '/', MaxSessionDuration: 3600, RoleLastUsed: {}, Tags: [{ Key: 'app', Value: 'two-way-sms' }] });
      expect(decodeURIComponent(out.Role!.AssumeRolePolicyDocument!)).toBe(trustPolicy());
    });

    it('finds a role by its name in another case, as IAM names are case-insensitive', async () => {
      const name = uniqueName('MixedCase');
      await createRole(name);
      const out = await iam.send(new GetRoleCommand({ RoleName: name.toLowerCase() }));
      expect(out.Role?.RoleName).toBe(name);
    });

    it('answers an unknown role with NoSuchEntity 404', async () => {
      const err = await failure(iam.send(new GetRoleCommand({ RoleName: 'no-such-role' })));
      expect(err.name).toBe('NoSuchEntityException');
      expect(err.$fault).toBe('client');
      expect(err.$metadata.httpStatusCode).toBe(404);
      expect(err.message).toBe('The role with name no-such-role cannot be found.');
    });

    it('answers a missing RoleName with ValidationError', async () => {
      const err = await failure(iam.send(new GetRoleCommand({} as { RoleName: string })));
      expect(err.name).toBe('ValidationError');
      expect(err.message).toContain("Value null at 'roleName'");
    });
  });

  describe('ListRoles', () => {
    const prefix = '/listing/';
    const names = ['list-a', 'list-b', 'list-c', 'list-d', 'list-e'];
    beforeAll(async () => {
      for (const name of names) await createRole(name, { Path: prefix, Tags: [{ Key: 'k', Value: 'v' }] });
    });

    it('filters by path prefix and leaves out Tags and RoleLastUsed', async () => {
      const out = await iam.send(new ListRolesCommand({ PathPrefix: prefix }));
      expect(out.Roles?.map((r) => r.RoleName)).toEqual(names);
      expect(out.IsTruncated).toBe(false);
      expect(out.Marker).toBeUndefined();
      expect(out.Roles?.[0]?.Tags).toBeUndefined();
      expect(out.Roles?.[0]?.RoleLastUsed).toBeUndefined();
      expect(decodeURIComponent(out.Roles![0]!.AssumeRolePolicyDocument!)).toBe(trustPolicy());
    });

    it('pages with MaxItems and Marker until IsTruncated is false', async () => {
      const seen: string[] = [];
      const truncated: boolean[] = [];
      let marker: string | undefined;
      do {
        const page = await iam.send(new ListRolesCommand({ PathPrefix: prefix, MaxItems: 2, Marker: marker }));
        expect(page.Roles!.length).toBeLessThanOrEqual(2);
        seen.push(...page.Roles!.map((r) => r.RoleName!));
        truncated.push(page.IsTruncated!);
        marker = page.Marker;
        expect(Boolean(marker)).toBe(page.IsTruncated);
      } while (marker);
      expect(seen).toEqual(names);
      expect(truncated).toEqual([true, true, false]);
    });

    it('returns an empty list for a prefix no role has', async () => {
      const out = await iam.send(new ListRolesCommand({ PathPrefix: '/nothing-here/' }));
      expect(out.Roles).toEqual([]);
      expect(out.IsTruncated).toBe(false);
    });

    it('answers MaxItems 0 with ValidationError', async () => {
      const err = await failure(iam.send(new ListRolesCommand({ MaxItems: 0 })));
      expect(err.name).toBe('ValidationError');
      expect(err.message).toContain("Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1");
    });

    it('answers a marker it did not issue with ValidationError', async () => {
      const err = await failure(iam.send(new ListRolesCommand({ Marker: 'not-a-marker' })));
      expect(err.name).toBe('ValidationError');
    });
  });

  describe('UpdateAssumeRolePolicy', () => {
    it('replaces the trust policy', async () => {
      const name = uniqueName('Retrust');
      await createRole(name);
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: trustPolicy('states.amazonaws.com') }));
      const out = await iam.send(new GetRoleCommand({ RoleName: name }));
      expect(decodeURIComponent(out.Role!.AssumeRolePolicyDocument!)).toBe(trustPolicy('states.amazonaws.com'));
    });

    it('rejects a malformed trust policy and keeps the old one', async () => {
      const name = uniqueName('KeepTrust');
      await createRole(name);
      const err = await failure(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: '[]' })));
      expect(err.name).toBe('MalformedPolicyDocumentException');
      const out = await iam.send(new GetRoleCommand({ RoleName: name }));
      expect(decodeURIComponent(out.Role!.AssumeRolePolicyDocument!)).toBe(trustPolicy());
    });

    it('answers an unknown role with NoSuchEntity', async () => {
      const err = await failure(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'ghost', PolicyDocument: trustPolicy() })));
      expect(err.name).toBe('NoSuchEntityException');
      expect(err.$metadata.httpStatusCode).toBe(404);
    });
  });

  describe('inline role policies', () => {
    it('stores a policy that GetRolePolicy returns URL-encoded', async () => {
      const name = uniqueName('Inline');
      await createRole(name);
      await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'publish', PolicyDocument: publishPolicy() }));
      const out = await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: 'publish' }));
      expect(out.RoleName).toBe(name);
      expect(out.PolicyName).toBe('publish');
      expect(out.PolicyDocument).not.toContain('"');
      expect(decodeURIComponent(out.PolicyDocument!)).toBe(publishPolicy());
    });

    it('overwrites the policy of the same name', async () => {
      const name = uniqueName('Overwrite');
      await createRole(name);
      await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'publish', PolicyDocument: publishPolicy('first') }));
      await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'publish', PolicyDocument: publishPolicy('second') }));
      const doc = await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: 'publish' }));
      const list = await iam.send(new ListRolePoliciesCommand({ RoleName: name }));
      expect(decodeURIComponent(doc.PolicyDocument!)).toBe(publishPolicy('second'));
      expect(list.PolicyNames).toEqual(['publish']);
    });

    it('rejects an identity policy that names a principal with MalformedPolicyDocument', async () => {
      const name = uniqueName('Principal');
      await createRole(name);
      const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Resource: '*' }] });
      const err = await failure(iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: doc })));
      expect(err.name).toBe('MalformedPolicyDocumentException');
      expect(err.message).toBe('Policy document should not specify a principal.');
    });

    it('rejects a statement without a resource and an action without a service prefix', async () => {
      const name = uniqueName('Grammar');
      await createRole(name);
      const noResource = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:Publish' }] });
      const noVendor = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'Publish', Resource: '*' }] });
      const e1 = await failure(iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: noResource })));
      const e2 = await failure(iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: noVendor })));
      expect([e1.name, e1.message]).toEqual(['MalformedPolicyDocumentException', 'Policy statement must contain resources.']);
      expect(e2.name).toBe('MalformedPolicyDocumentException');
      expect(e2.message).toContain('must be prefaced by a vendor');
    });

    it('rejects inline policies that together exceed 10,240 characters with LimitExceeded 409', async () => {
      const name = uniqueName('Quota');
      await createRole(name);
      await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'one', PolicyDocument: bigPolicy(6000) }));
      const err = await failure(iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'two', PolicyDocument: bigPolicy(6000) })));
      expect(err.name).toBe('LimitExceededException');
      expect(err.$metadata.httpStatusCode).toBe(409);
      expect((await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames).toEqual(['one']);
    });

    it('does not count white space towards the inline quota', async () => {
      const name = uniqueName('Whitespace');
      await createRole(name);
      const padded = JSON.stringify(JSON.parse(bigPolicy(9000)), null, 8);
      expect(padded.length).toBeGreaterThan(10240);
      await expect(iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'padded', PolicyDocument: padded }))).resolves.toBeDefined();
    });

    it('lists policy names in order and pages through them', async () => {
      const name = uniqueName('Many');
      await createRole(name);
      for (const p of ['c', 'a', 'b']) await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: p, PolicyDocument: publishPolicy(p) }));
      const first = await iam.send(new ListRolePoliciesCommand({ RoleName: name, MaxItems: 2 }));
      const second = await iam.send(new ListRolePoliciesCommand({ RoleName: name, MaxItems: 2, Marker: first.Marker }));
      expect([first.PolicyNames, first.IsTruncated]).toEqual([['a', 'b'], true]);
      expect([second.PolicyNames, second.IsTruncated, second.Marker]).toEqual([['c'], false, undefined]);
    });

    it('deletes a policy, and answers a missing one with NoSuchEntity', async () => {
      const name = uniqueName('DelInline');
      await createRole(name);
      await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'publish', PolicyDocument: publishPolicy() }));
      await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: 'publish' }));
      const getErr = await failure(iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: 'publish' })));
      const delErr = await failure(iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: 'publish' })));
      expect([getErr.name, getErr.$metadata.httpStatusCode, getErr.message]).toEqual(['NoSuchEntityException', 404, 'The role policy with name publish cannot be found.']);
      expect(delErr.name).toBe('NoSuchEntityException');
      expect((await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames).toEqual([]);
    });

    it('answers inline-policy calls on an unknown role with NoSuchEntity', async () => {
      const put = await failure(iam.send(new PutRolePolicyCommand({ RoleName: 'ghost', PolicyName: 'p', PolicyDocument: publishPolicy() })));
      const list = await failure(iam.send(new ListRolePoliciesCommand({ RoleName: 'ghost' })));
      expect([put.name, list.name]).toEqual(['NoSuchEntityException', 'NoSuchEntityException']);
    });
  });

  describe('DeleteRole', () => {
    it('refuses while an inline policy remains, then deletes once it is gone', async () => {
      const name = uniqueName('DelRole');
      await createRole(name);
      await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'publish', PolicyDocument: publishPolicy() }));
      const err = await failure(iam.send(new DeleteRoleCommand({ RoleName: name })));
      expect([err.name, err.$metadata.httpStatusCode, err.message]).toEqual(['DeleteConflictException', 409, 'Cannot delete entity, must delete policies first.']);
      await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: 'publish' }));
      await iam.send(new DeleteRoleCommand({ RoleName: name }));
      expect((await failure(iam.send(new GetRoleCommand({ RoleName: name })))).name).toBe('NoSuchEntityException');
    });

    it('refuses while a managed policy is attached', async () => {
      const name = uniqueName('Attached');
      await createRole(name);
      await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: 'arn:aws:iam::aws:policy/AmazonSNSFullAccess' }));
      const err = await failure(iam.send(new DeleteRoleCommand({ RoleName: name })));
      expect([err.name, err.message]).toEqual(['DeleteConflictException', 'Cannot delete entity, must detach all policies first.']);
    });

    it('answers an unknown role with NoSuchEntity 404', async () => {
      const err = await failure(iam.send(new DeleteRoleCommand({ RoleName: 'ghost' })));
      expect([err.name, err.$metadata.httpStatusCode]).toEqual(['NoSuchEntityException', 404]);
    });
  });

  describe('role tags', () => {
    it('adds tags, overwrites the value of an existing key and removes tags', async () => {
      const name = uniqueName('Tagged');
      await createRole(name, { Tags: [{ Key: 'env', Value: 'dev' }] });
      await iam.send(new TagRoleCommand({ RoleName: name, Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'sms' }, { Key: 'empty', Value: '' }] }));
      const tagged = await iam.send(new ListRoleTagsCommand({ RoleName: name }));
      expect(tagged.Tags).toEqual([
        { Key: 'env', Value: 'prod' },
        { Key: 'team', Value: 'sms' },
        { Key: 'empty', Value: '' },
      ]);
      expect(tagged.IsTruncated).toBe(false);
      await iam.send(new UntagRoleCommand({ RoleName: name, TagKeys: ['team', 'not-there'] }));
      const after = await iam.send(new ListRoleTagsCommand({ RoleName: name }));
      expect(after.Tags?.map((t) => t.Key)).toEqual(['env', 'empty']);
    });

    it('pages through tags with MaxItems', async () => {
      const name = uniqueName('TagPages');
      await createRole(name, { Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }, { Key: 'c', Value: '3' }] });
      const first = await iam.send(new ListRoleTagsCommand({ RoleName: name, MaxItems: 2 }));
      const rest = await iam.send(new ListRoleTagsCommand({ RoleName: name, MaxItems: 2, Marker: first.Marker }));
      expect([first.Tags?.map((t) => t.Key), first.IsTruncated]).toEqual([['a', 'b'], true]);
      expect([rest.Tags?.map((t) => t.Key), rest.IsTruncated]).toEqual([['c'], false]);
    });

    it('refuses more than 50 tags on a role with LimitExceeded and keeps the existing ones', async () => {
      const name = uniqueName('TooMany');
      const tags = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ Key: `k${from + i}`, Value: 'v' }));
      await createRole(name, { Tags: tags(0, 40) });
      const err = await failure(iam.send(new TagRoleCommand({ RoleName: name, Tags: tags(40, 11) })));
      expect([err.name, err.$metadata.httpStatusCode]).toEqual(['LimitExceededException', 409]);
      expect((await iam.send(new ListRoleTagsCommand({ RoleName: name }))).Tags).toHaveLength(40);
    });

    it('answers a tag key with a forbidden character with ValidationError naming the member', async () => {
      const name = uniqueName('BadTag');
      await createRole(name);
      const err = await failure(iam.send(new TagRoleCommand({ RoleName: name, Tags: [{ Key: 'bad#key', Value: 'v' }] })));
      expect(err.name).toBe('ValidationError');
      expect(err.message).toContain("Value 'bad#key' at 'tags.1.member.key' failed to satisfy constraint");
    });

    it('answers tag calls on an unknown role with NoSuchEntity', async () => {
      const errs = await Promise.all([
        failure(iam.send(new TagRoleCommand({ RoleName: 'ghost', Tags: [{ Key: 'a', Value: 'b' }] }))),
        failure(iam.send(new UntagRoleCommand({ RoleName: 'ghost', TagKeys: ['a'] }))),
        failure(iam.send(new ListRoleTagsCommand({ RoleName: 'ghost' }))),
      ]);
      expect(errs.map((e) => [e.name, e.$metadata.httpStatusCode])).toEqual([
        ['NoSuchEntityException', 404],
        ['NoSuchEntityException', 404],
        ['NoSuchEntityException', 404],
      ]);
    });
  });

  describe('functions for the inbound simulator and preflight', () => {
    it('addRole creates a backdated role with inline policies that GetRole then returns', async () => {
      const ctx = sb.sandbox.baseContext('iam', 'seed');
      const role = addRole(ctx, {
        RoleName: 'SeededTwoWayRole',
        AssumeRolePolicyDocument: trustPolicy(),
        InlinePolicies: { publish: publishPolicy() },
        CreateDate: '2024-01-01T00:00:00.000Z',
        Tags: [{ Key: 'seed', Value: 'true' }],
      });
      expect(role.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
      const out = await iam.send(new GetRoleCommand({ RoleName: 'SeededTwoWayRole' }));
      expect(out.Role?.CreateDate?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
      expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'SeededTwoWayRole' }))).PolicyNames).toEqual(['publish']);
    });

    it('addRole refuses a duplicate name as CreateRole does', () => {
      const ctx = sb.sandbox.baseContext('iam', 'seed');
      addRole(ctx, { RoleName: 'SeededOnce', AssumeRolePolicyDocument: trustPolicy() });
      expect(() => addRole(ctx, { RoleName: 'seededonce', AssumeRolePolicyDocument: trustPolicy() })).toThrow('Role with name seededonce already exists.');
    });

    it('addRole refuses a name IAM would refuse', () => {
      const ctx = sb.sandbox.baseContext('iam', 'seed');
      expect(() => addRole(ctx, { RoleName: 'has space', AssumeRolePolicyDocument: trustPolicy() })).toThrow("at 'roleName' failed to satisfy constraint");
    });

    it('findRoleByArn finds a role by its ARN and nothing for an unknown ARN', async () => {
      const name = uniqueName('ByArn');
      const created = await createRole(name, { Path: '/sms/' });
      expect(findRoleByArn(sb.sandbox.state, created.Role!.Arn!)?.RoleId).toBe(created.Role!.RoleId);
      expect(findRoleByArn(sb.sandbox.state, `arn:aws:iam::${ACCOUNT}:role/sms/ghost`)).toBeUndefined();
    });

    it('rolePermissionDocuments lists inline policies and the default version of each attached managed policy', async () => {
      const name = uniqueName('Perms');
      const created = await createRole(name);
      await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'publish', PolicyDocument: publishPolicy() }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: 'arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser' }));
      const role = findRoleByArn(sb.sandbox.state, created.Role!.Arn!)!;
      const docs = rolePermissionDocuments(sb.sandbox.state, role);
      expect(docs.map((d) => d.name)).toEqual(['publish', 'arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser']);
      expect(docs[0]!.document).toBe(publishPolicy());
      expect(JSON.parse(docs[1]!.document).Statement[0].Action).toContain('kms:Describe*');
    });
  });

  describe('AWS CLI', () => {
    it('creates a role with aws iam create-role and prints the decoded trust policy', async () => {
      const name = uniqueName('CliRole');
      const out = await awsCli(sb.url, ['iam', 'create-role', '--role-name', name, '--assume-role-policy-document', trustPolicy()]);
      expect(out.code).toBe(0);
      expect(out.json.Role).toMatchObject({ RoleName: name, Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:role/${name}` });
      expect(out.json.Role.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
      // botocore URL-decodes and parses IAM policy documents, so the CLI prints the policy as JSON.
      expect(out.json.Role.AssumeRolePolicyDocument).toEqual(JSON.parse(trustPolicy()));
    });

    it('reports NoSuchEntity from aws iam get-role for an unknown role', async () => {
      const out = await awsCli(sb.url, ['iam', 'get-role', '--role-name', 'cli-ghost']);
      expect(out.code).not.toBe(0);
      expect(out.stderr).toContain('An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name cli-ghost cannot be found.');
    });
  });
});
