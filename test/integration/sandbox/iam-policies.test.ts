import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { startSandbox, type RunningSandbox } from '../../support/sandbox';

const ACCOUNT = '123456789012';
const SNS_FULL = 'arn:aws:iam::aws:policy/AmazonSNSFullAccess';
const LAMBDA_LOGS = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

const trustPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'sms-voice.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const publishPolicy = (topic = 'inbound'): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: `arn:aws:sns:us-east-1:${ACCOUNT}:${topic}` }] });

interface SdkError {
  name: string;
  message: string;
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

describe('IAM managed policies in the sandbox', () => {
  let sb: RunningSandbox;
  let iam: IAMClient;
  let n = 0;
  const uniqueName = (base: string): string => `${base}-${++n}`;
  const createRole = async (): Promise<string> => {
    const name = uniqueName('role');
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy }));
    return name;
  };
  const createPolicy = async (name = uniqueName('policy'), path?: string): Promise<string> => {
    const out = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: publishPolicy(name), ...(path ? { Path: path } : {}) }));
    return out.Policy!.Arn!;
  };

  beforeAll(async () => {
    sb = await startSandbox({ seed: false });
    iam = new IAMClient(sb.clientConfig);
  });
  afterAll(async () => {
    iam.destroy();
    await sb.stop();
  });

  describe('CreatePolicy and GetPolicy', () => {
    it('creates version v1 as the default, with an ANPA id and the account ARN', async () => {
      const out = await iam.send(new CreatePolicyCommand({ PolicyName: 'SmsPublish', Path: '/sms/', PolicyDocument: publishPolicy(), Description: 'publish inbound' }));
      expect(out.Policy).toMatchObject({
        PolicyName: 'SmsPublish',
        Arn: `arn:aws:iam::${ACCOUNT}:policy/sms/SmsPublish`,
        Path: '/sms/',
        DefaultVersionId: 'v1',
        AttachmentCount: 0,
        IsAttachable: true,
      });
      expect(out.Policy?.PolicyId).toMatch(/^ANPA[A-Z0-9]{17}$/);
      expect(out.Policy?.CreateDate).toBeInstanceOf(Date);
      const got = await iam.send(new GetPolicyCommand({ PolicyArn: out.Policy!.Arn! }));
      expect(got.Policy).toMatchObject({ PolicyName: 'SmsPublish', Description: 'publish inbound', PermissionsBoundaryUsageCount: 0, Tags: [] });
    });

    it('rejects a second policy whose name differs only by case with EntityAlreadyExists 409', async () => {
      const name = uniqueName('Dup');
      await createPolicy(name);
      const err = await failure(iam.send(new CreatePolicyCommand({ PolicyName: name.toLowerCase(), PolicyDocument: publishPolicy() })));
      expect([err.name, err.$metadata.httpStatusCode]).toEqual(['EntityAlreadyExistsException', 409]);
      expect(err.message).toBe(`A policy called ${name.toLowerCase()} already exists. Duplicate names are not allowed.`);
    });

    it('rejects a malformed document with MalformedPolicyDocument 400', async () => {
      const err = await failure(iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('bad'), PolicyDocument: 'not json' })));
      expect([err.name, err.$metadata.httpStatusCode, err.message]).toEqual(['MalformedPolicyDocumentException', 400, 'Syntax errors in policy.']);
    });

    it('rejects duplicate statement ids', async () => {
      const doc = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'same', Effect: 'Allow', Action: 'sns:Publish', Resource: '*' },
          { Sid: 'same', Effect: 'Deny', Action: 'sns:Publish', Resource: '*' },
        ],
      });
      const err = await failure(iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('sids'), PolicyDocument: doc })));
      expect([err.name, err.message]).toEqual(['MalformedPolicyDocumentException', 'Statement IDs (SID) in a single policy must be unique.']);
    });

    it('rejects a managed policy over 6,144 characters with LimitExceeded', async () => {
      const resources = Array.from({ length: 200 }, (_, i) => `arn:aws:sns:us-east-1:${ACCOUNT}:topic-${i}`);
      const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: resources }] });
      const err = await failure(iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('big'), PolicyDocument: doc })));
      expect([err.name, err.$metadata.httpStatusCode]).toEqual(['LimitExceededException', 409]);
    });

    it('answers a path that breaks the policy path pattern with ValidationError', async () => {
      const err = await failure(iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('p'), Path: '/a b/', PolicyDocument: publishPolicy() })));
      expect(err.name).toBe('ValidationError');
      expect(err.message).toContain("Value '/a b/' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern");
    });

    it('answers an unknown policy with NoSuchEntity 404 and a non-ARN with InvalidInput 400', async () => {
      const missing = await failure(iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/ghost` })));
      const invalid = await failure(iam.send(new GetPolicyCommand({ PolicyArn: 'this-is-not-an-arn-at-all' })));
      expect([missing.name, missing.$metadata.httpStatusCode, missing.message]).toEqual([
        'NoSuchEntityException',
        404,
        `Policy arn:aws:iam::${ACCOUNT}:policy/ghost was not found.`,
      ]);
      expect([invalid.name, invalid.$metadata.httpStatusCode]).toEqual(['InvalidInputException', 400]);
    });

    it('answers an ARN shorter than 20 characters with ValidationError', async () => {
      const err = await failure(iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::x' })));
      expect(err.name).toBe('ValidationError');
      expect(err.message).toContain("at 'policyArn' failed to satisfy constraint: Member must have length greater than or equal to 20");
    });

    it('describes a built-in AWS-managed policy', async () => {
      const out = await iam.send(new GetPolicyCommand({ PolicyArn: SNS_FULL }));
      expect(out.Policy).toMatchObject({ PolicyName: 'AmazonSNSFullAccess', Arn: SNS_FULL, Path: '/', DefaultVersionId: 'v2', IsAttachable: true });
      expect(out.Policy?.PolicyId).toMatch(/^ANPA[A-Z0-9]{17}$/);
    });
  });

  describe('permissions boundary', () => {
    it('sets a managed policy as a role boundary, shown by GetRole and counted by GetPolicy', async () => {
      const arn = await createPolicy();
      const name = uniqueName('bounded');
      await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy, PermissionsBoundary: arn }));
      const role = await iam.send(new GetRoleCommand({ RoleName: name }));
      const policy = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
      expect(role.Role?.PermissionsBoundary).toEqual({ PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn });
      expect(policy.Policy).toMatchObject({ PermissionsBoundaryUsageCount: 1, AttachmentCount: 0 });
      expect((await failure(iam.send(new DeletePolicyCommand({ PolicyArn: arn })))).name).toBe('DeleteConflictException');
    });

    it('refuses a boundary policy that does not exist with NoSuchEntity and creates no role', async () => {
      const name = uniqueName('unbounded');
      const err = await failure(
        iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy, PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/ghost` })),
      );
      expect([err.name, err.$metadata.httpStatusCode]).toEqual(['NoSuchEntityException', 404]);
      expect((await failure(iam.send(new GetRoleCommand({ RoleName: name })))).name).toBe('NoSuchEntityException');
    });
  });

  describe('GetPolicyVersion', () => {
    it('returns the document URL-encoded, equal to what was sent once decoded', async () => {
      const name = uniqueName('versioned');
      const arn = await createPolicy(name);
      const out = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
      expect(out.PolicyVersion).toMatchObject({ VersionId: 'v1', IsDefaultVersion: true });
      expect(out.PolicyVersion?.Document).not.toContain('{');
      expect(decodeURIComponent(out.PolicyVersion!.Document!)).toBe(publishPolicy(name));
    });

    it('returns the default version of an AWS-managed policy', async () => {
      const out = await iam.send(new GetPolicyVersionCommand({ PolicyArn: SNS_FULL, VersionId: 'v2' }));
      const doc = JSON.parse(decodeURIComponent(out.PolicyVersion!.Document!));
      expect(doc.Statement[0]).toMatchObject({ Effect: 'Allow', Action: 'sns:*', Resource: '*' });
    });

    it('answers a version that does not exist with NoSuchEntity and a malformed id with ValidationError', async () => {
      const arn = await createPolicy();
      const missing = await failure(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })));
      const malformed = await failure(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'version-1' })));
      expect([missing.name, missing.$metadata.httpStatusCode]).toEqual(['NoSuchEntityException', 404]);
      expect(malformed.name).toBe('ValidationError');
      expect(malformed.message).toContain("at 'versionId'");
    });
  });

  describe('AttachRolePolicy, DetachRolePolicy and ListAttachedRolePolicies', () => {
    it('attaches customer and AWS-managed policies and counts the attachment', async () => {
      const role = await createRole();
      const arn = await createPolicy();
      await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: arn }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: SNS_FULL }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: arn }));
      const listed = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }));
      expect(listed.AttachedPolicies).toEqual([
        { PolicyName: arn.split('/').pop(), PolicyArn: arn },
        { PolicyName: 'AmazonSNSFullAccess', PolicyArn: SNS_FULL },
      ]);
      expect(listed.IsTruncated).toBe(false);
      expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.AttachmentCount).toBe(1);
    });

    it('filters attached policies by path prefix and pages through them', async () => {
      const role = await createRole();
      await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: SNS_FULL }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: LAMBDA_LOGS }));
      const filtered = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role, PathPrefix: '/service-role/' }));
      const first = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role, MaxItems: 1 }));
      const second = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role, MaxItems: 1, Marker: first.Marker }));
      expect(filtered.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([LAMBDA_LOGS]);
      expect([first.AttachedPolicies?.map((p) => p.PolicyArn), first.IsTruncated]).toEqual([[SNS_FULL], true]);
      expect([second.AttachedPolicies?.map((p) => p.PolicyArn), second.IsTruncated]).toEqual([[LAMBDA_LOGS], false]);
    });

    it('answers an AWS-managed ARN outside the built-in set with NoSuchEntity', async () => {
      const role = await createRole();
      const err = await failure(iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: 'arn:aws:iam::aws:policy/NoSuchManagedPolicy' })));
      expect([err.name, err.$metadata.httpStatusCode, err.message]).toEqual([
        'NoSuchEntityException',
        404,
        'Policy arn:aws:iam::aws:policy/NoSuchManagedPolicy does not exist or is not attachable.',
      ]);
    });

    it('answers an unknown role with NoSuchEntity', async () => {
      const errs = await Promise.all([
        failure(iam.send(new AttachRolePolicyCommand({ RoleName: 'ghost', PolicyArn: SNS_FULL }))),
        failure(iam.send(new DetachRolePolicyCommand({ RoleName: 'ghost', PolicyArn: SNS_FULL }))),
        failure(iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'ghost' }))),
      ]);
      expect(errs.map((e) => e.name)).toEqual(['NoSuchEntityException', 'NoSuchEntityException', 'NoSuchEntityException']);
    });

    it('refuses an eleventh managed policy on one role with LimitExceeded', async () => {
      const role = await createRole();
      for (let i = 0; i < 10; i++) await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: await createPolicy() }));
      const err = await failure(iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: await createPolicy() })));
      expect([err.name, err.$metadata.httpStatusCode]).toEqual(['LimitExceededException', 409]);
      expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies).toHaveLength(10);
    });

    it('detaches a policy, and answers a policy that is not attached with NoSuchEntity', async () => {
      const role = await createRole();
      await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: SNS_FULL }));
      await iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: SNS_FULL }));
      const err = await failure(iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: SNS_FULL })));
      expect([err.name, err.message]).toEqual(['NoSuchEntityException', `Policy ${SNS_FULL} was not found.`]);
      expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies).toEqual([]);
    });
  });

  describe('DeletePolicy', () => {
    it('refuses while the policy is attached, then deletes it once detached', async () => {
      const role = await createRole();
      const arn = await createPolicy();
      await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: arn }));
      const err = await failure(iam.send(new DeletePolicyCommand({ PolicyArn: arn })));
      expect([err.name, err.$metadata.httpStatusCode, err.message]).toEqual(['DeleteConflictException', 409, 'Cannot delete a policy attached to entities.']);
      await iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: arn }));
      await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
      expect((await failure(iam.send(new GetPolicyCommand({ PolicyArn: arn })))).name).toBe('NoSuchEntityException');
    });

    it('refuses to delete an AWS-managed policy, which belongs to AWS, and keeps it', async () => {
      const err = await failure(iam.send(new DeletePolicyCommand({ PolicyArn: SNS_FULL })));
      expect([err.name, err.$metadata.httpStatusCode]).toEqual(['AccessDenied', 403]);
      expect((await iam.send(new GetPolicyCommand({ PolicyArn: SNS_FULL }))).Policy?.PolicyName).toBe('AmazonSNSFullAccess');
    });

    it('answers an unknown policy with NoSuchEntity 404', async () => {
      const err = await failure(iam.send(new DeletePolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/ghost` })));
      expect([err.name, err.$metadata.httpStatusCode]).toEqual(['NoSuchEntityException', 404]);
    });

    it('answers a missing PolicyArn with ValidationError', async () => {
      const err = await failure(iam.send(new DeletePolicyCommand({} as { PolicyArn: string })));
      expect(err.name).toBe('ValidationError');
      expect(err.message).toBe("1 validation error detected: Value null at 'policyArn' failed to satisfy constraint: Member must not be null");
    });
  });
});
