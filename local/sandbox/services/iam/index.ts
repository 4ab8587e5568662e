import { randomInt } from 'node:crypto';
import { AwsError } from '../../core/errors';
import type { QueryParams } from '../../core/query';
import type { CallContext, QueryService } from '../../core/types';
import type { SandboxState } from '../../state';
import { awsManagedArn, awsManagedPolicyId, findAwsManagedPolicy, type AwsManagedPolicy } from './aws-managed';
import type { IamState, IamTag, ManagedPolicyRecord, RoleRecord } from './model';
import { checkPolicyDocument, encodePolicy, policySize } from './policy-document';
import { RULES, Validator, type IamTagInput } from './validate';

export type { IamTag, RoleRecord } from './model';

/**
 * IAM (awsQuery, 2010-05-08, global): roles, inline role policies, customer-managed policies and their
 * attachment to roles, role tags. Errors, statuses and limits follow the botocore model and the IAM quotas page.
 */

// IAM and STS quotas (IAM User Guide, "IAM and AWS STS quotas"); white space is not counted.
const INLINE_ROLE_POLICY_QUOTA = 10240;
const TRUST_POLICY_QUOTA = 2048;
const MANAGED_POLICY_QUOTA = 6144;
const MANAGED_POLICIES_PER_ROLE = 10;
const TAGS_PER_RESOURCE = 50;
const DEFAULT_MAX_ITEMS = 100;

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** IAM unique ids: a four-letter prefix naming the kind (`AROA` role, `ANPA` policy) and 17 characters. */
function uniqueId(prefix: string): string {
  let id = prefix;
  for (let i = 0; i < 17; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

function noSuchRole(name: string): AwsError {
  return new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`, { status: 404 });
}

/** Role names are unique per account without regard to case, and IAM finds them the same way. */
function findRole(iam: IamState, name: string): RoleRecord | undefined {
  const exact = iam.roles[name];
  if (exact) return exact;
  const lower = name.toLowerCase();
  return Object.values(iam.roles).find((r) => r.RoleName.toLowerCase() === lower);
}

function requireRole(iam: IamState, name: string): RoleRecord {
  const role = findRole(iam, name);
  if (!role) throw noSuchRole(name);
  return role;
}

// ---------------------------------------------------------------- policies (customer-managed and AWS-managed)

/** One view of a managed policy, whether it lives in state or in the built-in AWS-managed set. */
interface ManagedPolicyView {
  Arn: string;
  PolicyName: string;
  PolicyId: string;
  Path: string;
  DefaultVersionId: string;
  Description?: string;
  CreateDate: string;
  UpdateDate: string;
  Tags: IamTag[];
  versions: { VersionId: string; Document: string; IsDefaultVersion: boolean; CreateDate: string }[];
}

function fromAwsManaged(partition: string, p: AwsManagedPolicy): ManagedPolicyView {
  return {
    Arn: awsManagedArn(partition, p),
    PolicyName: p.PolicyName,
    PolicyId: awsManagedPolicyId(p),
    Path: p.Path,
    DefaultVersionId: p.DefaultVersionId,
    Description: p.Description,
    CreateDate: p.CreateDate,
    UpdateDate: p.UpdateDate,
    Tags: [],
    versions: [{ VersionId: p.DefaultVersionId, Document: p.Document, IsDefaultVersion: true, CreateDate: p.UpdateDate }],
  };
}

function fromCustomer(p: ManagedPolicyRecord): ManagedPolicyView {
  return { ...p, versions: p.Versions };
}

function findPolicy(state: SandboxState, arn: string): ManagedPolicyView | undefined {
  const own = state.iam.policies[arn];
  if (own) return fromCustomer(own);
  const aws = findAwsManagedPolicy(arn);
  return aws ? fromAwsManaged(/^arn:([a-z-]+):/.exec(arn)?.[1] ?? 'aws', aws) : undefined;
}

/** A policy ARN IAM would accept: `arn:PARTITION:iam::ACCOUNT|aws:policy/...`; anything else is InvalidInput. */
function checkPolicyArn(arn: string): void {
  if (!/^arn:aws(?:-[a-z]+)*:iam::(?:\d{12}|aws):policy\/\S+$/.test(arn)) {
    throw new AwsError('InvalidInput', `ARN ${arn} is not valid.`, { status: 400 });
  }
}

function attachmentCount(iam: IamState, arn: string): number {
  return Object.values(iam.roles).filter((r) => r.AttachedPolicyArns.includes(arn)).length;
}

function boundaryUsageCount(iam: IamState, arn: string): number {
  return Object.values(iam.roles).filter((r) => r.PermissionsBoundary === arn).length;
}

/**
 * The Policy structure. CreatePolicy answers as the API reference example shows it (no Description, no
 * PermissionsBoundaryUsageCount, Tags only when given); GetPolicy answers every member, Tags as a list even when empty.
 */
function policyOut(iam: IamState, p: ManagedPolicyView, view: 'create' | 'get'): Record<string, unknown> {
  return {
    PolicyName: p.PolicyName,
    PolicyId: p.PolicyId,
    Arn: p.Arn,
    Path: p.Path,
    DefaultVersionId: p.DefaultVersionId,
    AttachmentCount: attachmentCount(iam, p.Arn),
    PermissionsBoundaryUsageCount: view === 'get' ? boundaryUsageCount(iam, p.Arn) : undefined,
    IsAttachable: true,
    Description: view === 'get' ? p.Description : undefined,
    CreateDate: p.CreateDate,
    UpdateDate: p.UpdateDate,
    Tags: view === 'get' || p.Tags.length ? p.Tags : undefined,
  };
}

// ---------------------------------------------------------------- roles

function roleOut(role: RoleRecord, view: 'create' | 'list' | 'get'): Record<string, unknown> {
  return {
    Path: role.Path,
    RoleName: role.RoleName,
    RoleId: role.RoleId,
    Arn: role.Arn,
    CreateDate: role.CreateDate,
    AssumeRolePolicyDocument: encodePolicy(role.AssumeRolePolicyDocument),
    Description: role.Description,
    MaxSessionDuration: view === 'create' ? undefined : role.MaxSessionDuration,
    // ListRoles leaves out PermissionsBoundary, Tags and RoleLastUsed (ListRoles API reference). The type's one
    // value is `PermissionsBoundaryPolicy` (the botocore iam model's PermissionsBoundaryAttachmentType enum, and
    // what IAM answers), although the data type's prose says "Policy".
    PermissionsBoundary:
      view !== 'list' && role.PermissionsBoundary ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: role.PermissionsBoundary } : undefined,
    Tags: view !== 'list' && role.Tags.length ? role.Tags : undefined,
    RoleLastUsed: view === 'get' ? (role.RoleLastUsed ?? {}) : undefined,
  };
}

/** Tag checks IAM makes beyond the model: no duplicate keys (keys are case-insensitive), at most 50. */
function checkNewTags(tags: readonly IamTagInput[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    const k = t.Key.toLowerCase();
    if (seen.has(k)) throw new AwsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.', { status: 400 });
    seen.add(k);
  }
}

function mergeTags(existing: readonly IamTag[], added: readonly IamTagInput[]): IamTag[] {
  const out = existing.map((t) => ({ ...t }));
  for (const t of added) {
    const i = out.findIndex((e) => e.Key.toLowerCase() === t.Key.toLowerCase());
    if (i >= 0) out[i] = { Key: t.Key, Value: t.Value };
    else out.push({ Key: t.Key, Value: t.Value });
  }
  if (out.length > TAGS_PER_RESOURCE) throw new AwsError('LimitExceeded', 'The number of tags has reached the maximum limit.', { status: 409 });
  return out;
}

function checkInlineQuota(role: Pick<RoleRecord, 'RoleName'>, policies: Record<string, string>): void {
  const total = Object.values(policies).reduce((n, d) => n + policySize(d), 0);
  if (total > INLINE_ROLE_POLICY_QUOTA) {
    throw new AwsError('LimitExceeded', `Maximum policy size of ${INLINE_ROLE_POLICY_QUOTA} bytes exceeded for role ${role.RoleName}`, { status: 409 });
  }
}

function checkTrustPolicy(document: string): void {
  checkPolicyDocument(document, 'trust');
  if (policySize(document) > TRUST_POLICY_QUOTA) {
    throw new AwsError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_QUOTA}`, { status: 409 });
  }
}

export interface AddRoleInput {
  RoleName: string;
  Path?: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration?: number;
  PermissionsBoundary?: string;
  Tags?: IamTag[];
  InlinePolicies?: Record<string, string>;
  /** Backdated creation (seeded roles are old enough to have propagated). Defaults to now. */
  CreateDate?: string;
}

/**
 * Creates a role after IAM's semantic checks (trust policy, duplicate name, tags, inline policies), so that
 * seeding and tests build roles exactly as CreateRole does. Throws `AwsError` and changes nothing on failure.
 */
export function addRole(ctx: CallContext, input: AddRoleInput): RoleRecord {
  const iam = ctx.state.iam;
  const path = input.Path ?? '/';
  // CreateRole has checked these already; callers inside the sandbox (seeding, tests) get the same guard.
  if (!RULES.roleName.pattern.test(input.RoleName) || input.RoleName.length > RULES.roleName.max) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '${input.RoleName}' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${RULES.roleName.patternText}`);
  }
  if (!RULES.rolePath.pattern.test(path)) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '${path}' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: ${RULES.rolePath.patternText}`);
  }
  checkTrustPolicy(input.AssumeRolePolicyDocument);
  const tags = input.Tags ?? [];
  checkNewTags(tags);
  if (tags.length > TAGS_PER_RESOURCE) throw new AwsError('LimitExceeded', 'The number of tags has reached the maximum limit.', { status: 409 });
  const inline = { ...(input.InlinePolicies ?? {}) };
  for (const d of Object.values(inline)) checkPolicyDocument(d, 'identity');
  checkInlineQuota(input, inline);
  if (input.PermissionsBoundary !== undefined) {
    checkPolicyArn(input.PermissionsBoundary);
    if (!findPolicy(ctx.state, input.PermissionsBoundary)) {
      throw new AwsError('NoSuchEntity', `Scope ARN: ${input.PermissionsBoundary} does not exist or is not attachable.`, { status: 404 });
    }
  }
  if (findRole(iam, input.RoleName)) {
    throw new AwsError('EntityAlreadyExists', `Role with name ${input.RoleName} already exists.`, { status: 409 });
  }
  const role: RoleRecord = {
    RoleName: input.RoleName,
    RoleId: uniqueId('AROA'),
    Arn: `arn:${ctx.partition}:iam::${ctx.accountId}:role${path}${input.RoleName}`,
    Path: path,
    AssumeRolePolicyDocument: input.AssumeRolePolicyDocument,
    ...(input.Description !== undefined ? { Description: input.Description } : {}),
    MaxSessionDuration: input.MaxSessionDuration ?? 3600,
    CreateDate: input.CreateDate ?? ctx.now.toISOString(),
    Tags: tags.map((t) => ({ Key: t.Key, Value: t.Value })),
    InlinePolicies: inline,
    AttachedPolicyArns: [],
    ...(input.PermissionsBoundary !== undefined ? { PermissionsBoundary: input.PermissionsBoundary } : {}),
  };
  iam.roles[role.RoleName] = role;
  return role;
}

/** The role with this ARN (the role name compared without regard to case, as IAM does). */
export function findRoleByArn(state: SandboxState, arn: string): RoleRecord | undefined {
  const lower = arn.toLowerCase();
  return Object.values(state.iam.roles).find((r) => r.Arn === arn || r.Arn.toLowerCase() === lower);
}

/**
 * The identity policies that grant the role its permissions: each inline policy (by its name) and the default
 * version of each attached managed policy (by its ARN). The inbound simulator and the preflight check evaluate these.
 */
export function rolePermissionDocuments(state: SandboxState, role: RoleRecord): { name: string; document: string }[] {
  const out = Object.entries(role.InlinePolicies).map(([name, document]) => ({ name, document }));
  for (const arn of role.AttachedPolicyArns) {
    const p = findPolicy(state, arn);
    const v = p?.versions.find((x) => x.VersionId === p.DefaultVersionId);
    if (v) out.push({ name: arn, document: v.Document });
  }
  return out;
}

// ---------------------------------------------------------------- pagination

/**
 * IAM's Marker/MaxItems paging. The marker names the next item by key (and, as a fallback when that item is
 * gone, by position), so a page boundary survives deletions of earlier items.
 */
interface PageRequest {
  marker: string | undefined;
  maxItems: number;
}

function pageRequest(v: Validator): PageRequest {
  return { marker: v.optional('Marker', RULES.marker), maxItems: v.integer('MaxItems', 1, 1000) ?? DEFAULT_MAX_ITEMS };
}

function paginate<T>(items: readonly T[], key: (t: T) => string, req: PageRequest): { page: T[]; IsTruncated: boolean; Marker?: string } {
  let start = 0;
  if (req.marker !== undefined) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(req.marker, 'base64url').toString('utf8'));
    } catch {
      throw new AwsError('ValidationError', 'Invalid Marker.');
    }
    const m = decoded as { k?: unknown; i?: unknown } | null;
    if (typeof m?.k !== 'string' || typeof m.i !== 'number' || !Number.isInteger(m.i) || m.i < 0) throw new AwsError('ValidationError', 'Invalid Marker.');
    const k = m.k;
    const byKey = items.findIndex((t) => key(t) === k);
    start = byKey >= 0 ? byKey : Math.min(m.i, items.length);
  }
  const page = items.slice(start, start + req.maxItems);
  const next = start + page.length;
  if (next >= items.length) return { page, IsTruncated: false };
  return { page, IsTruncated: true, Marker: Buffer.from(JSON.stringify({ k: key(items[next]!), i: next })).toString('base64url') };
}

function byOrdinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------- operations

type Handler = (params: QueryParams, ctx: CallContext) => unknown;

const CreateRole: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  const AssumeRolePolicyDocument = v.required('AssumeRolePolicyDocument', RULES.policyDocument);
  const Path = v.optional('Path', RULES.rolePath);
  const Description = v.optional('Description', RULES.roleDescription);
  const MaxSessionDuration = v.integer('MaxSessionDuration', 3600, 43200);
  const PermissionsBoundary = v.optional('PermissionsBoundary', RULES.arn);
  const Tags = v.tags('Tags', false);
  v.done();
  const role = addRole(ctx, {
    RoleName,
    AssumeRolePolicyDocument,
    ...(Path !== undefined ? { Path } : {}),
    ...(Description !== undefined ? { Description } : {}),
    ...(MaxSessionDuration !== undefined ? { MaxSessionDuration } : {}),
    ...(PermissionsBoundary !== undefined ? { PermissionsBoundary } : {}),
    Tags,
  });
  return { Role: roleOut(role, 'create') };
};

const GetRole: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  v.done();
  return { Role: roleOut(requireRole(ctx.state.iam, RoleName), 'get') };
};

const ListRoles: Handler = (params, ctx) => {
  const v = new Validator(params);
  const prefix = v.optional('PathPrefix', RULES.pathPrefix) ?? '/';
  const req = pageRequest(v);
  v.done();
  const roles = Object.values(ctx.state.iam.roles)
    .filter((r) => r.Path.startsWith(prefix))
    .sort((a, b) => byOrdinal(a.RoleName, b.RoleName));
  const { page, IsTruncated, Marker } = paginate(roles, (r) => r.RoleName, req);
  return { Roles: page.map((r) => roleOut(r, 'list')), IsTruncated, Marker };
};

/** Sets or replaces a role's permissions boundary (a managed policy, AWS's or the account's). */
const PutRolePermissionsBoundary: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  const PermissionsBoundary = v.required('PermissionsBoundary', RULES.arn);
  v.done();
  const role = requireRole(ctx.state.iam, RoleName);
  checkPolicyArn(PermissionsBoundary);
  if (!findPolicy(ctx.state, PermissionsBoundary)) {
    throw new AwsError('NoSuchEntity', `Scope ARN: ${PermissionsBoundary} does not exist or is not attachable.`, { status: 404 });
  }
  role.PermissionsBoundary = PermissionsBoundary;
  return undefined;
};

/** Removes a role's permissions boundary; a role without one is left as it is. */
const DeleteRolePermissionsBoundary: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  v.done();
  delete requireRole(ctx.state.iam, RoleName).PermissionsBoundary;
  return undefined;
};

const UpdateAssumeRolePolicy: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  const PolicyDocument = v.required('PolicyDocument', RULES.policyDocument);
  v.done();
  const role = requireRole(ctx.state.iam, RoleName);
  checkTrustPolicy(PolicyDocument);
  role.AssumeRolePolicyDocument = PolicyDocument;
  return undefined;
};

const DeleteRole: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  v.done();
  const role = requireRole(ctx.state.iam, RoleName);
  if (role.AttachedPolicyArns.length > 0) {
    throw new AwsError('DeleteConflict', 'Cannot delete entity, must detach all policies first.', { status: 409 });
  }
  if (Object.keys(role.InlinePolicies).length > 0) {
    throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.', { status: 409 });
  }
  delete ctx.state.iam.roles[role.RoleName];
  return undefined;
};

const PutRolePolicy: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  const PolicyName = v.required('PolicyName', RULES.policyName);
  const PolicyDocument = v.required('PolicyDocument', RULES.policyDocument);
  v.done();
  const role = requireRole(ctx.state.iam, RoleName);
  checkPolicyDocument(PolicyDocument, 'identity');
  const next = { ...role.InlinePolicies, [PolicyName]: PolicyDocument };
  checkInlineQuota(role, next);
  role.InlinePolicies = next;
  return undefined;
};

function requireInline(role: RoleRecord, name: string): string {
  const doc = Object.hasOwn(role.InlinePolicies, name) ? role.InlinePolicies[name] : undefined;
  if (doc === undefined) throw new AwsError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, { status: 404 });
  return doc;
}

const GetRolePolicy: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  const PolicyName = v.required('PolicyName', RULES.policyName);
  v.done();
  const role = requireRole(ctx.state.iam, RoleName);
  const doc = requireInline(role, PolicyName);
  return { RoleName: role.RoleName, PolicyName, PolicyDocument: encodePolicy(doc) };
};

const DeleteRolePolicy: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  const PolicyName = v.required('PolicyName', RULES.policyName);
  v.done();
  const role = requireRole(ctx.state.iam, RoleName);
  requireInline(role, PolicyName);
  const { [PolicyName]: _removed, ...rest } = role.InlinePolicies;
  role.InlinePolicies = rest;
  return undefined;
};

const ListRolePolicies: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  const req = pageRequest(v);
  v.done();
  const role = requireRole(ctx.state.iam, RoleName);
  const names = Object.keys(role.InlinePolicies).sort(byOrdinal);
  const { page, IsTruncated, Marker } = paginate(names, (n) => n, req);
  return { PolicyNames: page, IsTruncated, Marker };
};

const CreatePolicy: Handler = (params, ctx) => {
  const v = new Validator(params);
  const PolicyName = v.required('PolicyName', RULES.policyName);
  const PolicyDocument = v.required('PolicyDocument', RULES.policyDocument);
  const Path = v.optional('Path', RULES.policyPath) ?? '/';
  const Description = v.optional('Description', RULES.policyDescription);
  const Tags = v.tags('Tags', false);
  v.done();
  const policy = addManagedPolicy(ctx, { PolicyName, PolicyDocument, Path, ...(Description !== undefined ? { Description } : {}), Tags });
  return { Policy: policyOut(ctx.state.iam, fromCustomer(policy), 'create') };
};

export interface AddManagedPolicyInput {
  PolicyName: string;
  PolicyDocument: string;
  Path: string;
  Description?: string;
  Tags: IamTag[];
}

/**
 * Creates a customer managed policy after IAM's semantic checks, as CreatePolicy does (also for callers inside
 * the sandbox: the local runtime's standing resources). Throws `AwsError` and changes nothing on failure.
 */
export function addManagedPolicy(ctx: CallContext, input: AddManagedPolicyInput): ManagedPolicyRecord {
  const { PolicyName, PolicyDocument, Path, Description, Tags } = input;
  checkPolicyDocument(PolicyDocument, 'identity');
  if (policySize(PolicyDocument) > MANAGED_POLICY_QUOTA) {
    throw new AwsError('LimitExceeded', `Cannot exceed quota for PolicySize: ${MANAGED_POLICY_QUOTA}`, { status: 409 });
  }
  checkNewTags(Tags);
  const iam = ctx.state.iam;
  const lower = PolicyName.toLowerCase();
  if (Object.values(iam.policies).some((p) => p.PolicyName.toLowerCase() === lower)) {
    throw new AwsError('EntityAlreadyExists', `A policy called ${PolicyName} already exists. Duplicate names are not allowed.`, { status: 409 });
  }
  const now = ctx.now.toISOString();
  const policy: ManagedPolicyRecord = {
    PolicyName,
    PolicyId: uniqueId('ANPA'),
    Arn: `arn:${ctx.partition}:iam::${ctx.accountId}:policy${Path}${PolicyName}`,
    Path,
    DefaultVersionId: 'v1',
    ...(Description !== undefined ? { Description } : {}),
    CreateDate: now,
    UpdateDate: now,
    Tags: Tags.map((t) => ({ Key: t.Key, Value: t.Value })),
    Versions: [{ VersionId: 'v1', Document: PolicyDocument, IsDefaultVersion: true, CreateDate: now }],
  };
  iam.policies[policy.Arn] = policy;
  return policy;
}

function requirePolicy(state: SandboxState, arn: string): ManagedPolicyView {
  checkPolicyArn(arn);
  const p = findPolicy(state, arn);
  if (!p) throw new AwsError('NoSuchEntity', `Policy ${arn} was not found.`, { status: 404 });
  return p;
}

const GetPolicy: Handler = (params, ctx) => {
  const v = new Validator(params);
  const PolicyArn = v.required('PolicyArn', RULES.arn);
  v.done();
  return { Policy: policyOut(ctx.state.iam, requirePolicy(ctx.state, PolicyArn), 'get') };
};

const GetPolicyVersion: Handler = (params, ctx) => {
  const v = new Validator(params);
  const PolicyArn = v.required('PolicyArn', RULES.arn);
  const VersionId = v.required('VersionId', RULES.versionId);
  v.done();
  const p = requirePolicy(ctx.state, PolicyArn);
  const version = p.versions.find((x) => x.VersionId === VersionId);
  if (!version) throw new AwsError('NoSuchEntity', `Policy ${PolicyArn} version ${VersionId} does not exist or is not attachable.`, { status: 404 });
  return { PolicyVersion: { Document: encodePolicy(version.Document), VersionId: version.VersionId, IsDefaultVersion: version.IsDefaultVersion, CreateDate: version.CreateDate } };
};

const DeletePolicy: Handler = (params, ctx) => {
  const v = new Validator(params);
  const PolicyArn = v.required('PolicyArn', RULES.arn);
  v.done();
  const iam = ctx.state.iam;
  const p = requirePolicy(ctx.state, PolicyArn);
  if (!iam.policies[p.Arn]) {
    // An AWS-managed policy belongs to AWS, not to the account.
    throw new AwsError('AccessDenied', `You are not authorized to delete the AWS managed policy ${PolicyArn}.`, { status: 403 });
  }
  if (attachmentCount(iam, p.Arn) > 0 || boundaryUsageCount(iam, p.Arn) > 0) {
    throw new AwsError('DeleteConflict', 'Cannot delete a policy attached to entities.', { status: 409 });
  }
  delete iam.policies[p.Arn];
  return undefined;
};

const AttachRolePolicy: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  const PolicyArn = v.required('PolicyArn', RULES.arn);
  v.done();
  checkPolicyArn(PolicyArn);
  const role = requireRole(ctx.state.iam, RoleName);
  const p = findPolicy(ctx.state, PolicyArn);
  if (!p) throw new AwsError('NoSuchEntity', `Policy ${PolicyArn} does not exist or is not attachable.`, { status: 404 });
  if (role.AttachedPolicyArns.includes(p.Arn)) return undefined;
  if (role.AttachedPolicyArns.length >= MANAGED_POLICIES_PER_ROLE) {
    throw new AwsError('LimitExceeded', `Cannot exceed quota for PoliciesPerRole: ${MANAGED_POLICIES_PER_ROLE}`, { status: 409 });
  }
  role.AttachedPolicyArns = [...role.AttachedPolicyArns, p.Arn];
  return undefined;
};

const DetachRolePolicy: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  const PolicyArn = v.required('PolicyArn', RULES.arn);
  v.done();
  checkPolicyArn(PolicyArn);
  const role = requireRole(ctx.state.iam, RoleName);
  if (!role.AttachedPolicyArns.includes(PolicyArn)) throw new AwsError('NoSuchEntity', `Policy ${PolicyArn} was not found.`, { status: 404 });
  role.AttachedPolicyArns = role.AttachedPolicyArns.filter((a) => a !== PolicyArn);
  return undefined;
};

const ListAttachedRolePolicies: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  const prefix = v.optional('PathPrefix', RULES.policyPath) ?? '/';
  const req = pageRequest(v);
  v.done();
  const role = requireRole(ctx.state.iam, RoleName);
  const attached = role.AttachedPolicyArns.map((arn) => findPolicy(ctx.state, arn)).filter(
    (p): p is ManagedPolicyView => p !== undefined && p.Path.startsWith(prefix),
  );
  const { page, IsTruncated, Marker } = paginate(attached, (p) => p.Arn, req);
  return { AttachedPolicies: page.map((p) => ({ PolicyName: p.PolicyName, PolicyArn: p.Arn })), IsTruncated, Marker };
};

const TagRole: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  const Tags = v.tags('Tags', true);
  v.done();
  const role = requireRole(ctx.state.iam, RoleName);
  checkNewTags(Tags);
  role.Tags = mergeTags(role.Tags, Tags);
  return undefined;
};

const UntagRole: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  const TagKeys = v.stringList('TagKeys', RULES.tagKey, TAGS_PER_RESOURCE);
  v.done();
  const role = requireRole(ctx.state.iam, RoleName);
  const remove = new Set(TagKeys.map((k) => k.toLowerCase()));
  role.Tags = role.Tags.filter((t) => !remove.has(t.Key.toLowerCase()));
  return undefined;
};

const ListRoleTags: Handler = (params, ctx) => {
  const v = new Validator(params);
  const RoleName = v.required('RoleName', RULES.roleName);
  const req = pageRequest(v);
  v.done();
  const role = requireRole(ctx.state.iam, RoleName);
  const { page, IsTruncated, Marker } = paginate(role.Tags, (t) => t.Key, req);
  return { Tags: page, IsTruncated, Marker };
};

export function iamService(): QueryService {
  return {
    protocol: 'query',
    signingName: 'iam',
    stateSlice: 'iam',
    version: '2010-05-08',
    xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
    throttling: { code: 'Throttling', status: 400 },
    errorStatus: {
      Throttling: 400,
      ServiceFailure: 500,
      NoSuchEntity: 404,
      EntityAlreadyExists: 409,
      DeleteConflict: 409,
      LimitExceeded: 409,
      ConcurrentModification: 409,
      MalformedPolicyDocument: 400,
      InvalidInput: 400,
      UnmodifiableEntity: 400,
      PolicyNotAttachable: 400,
      ValidationError: 400,
    },
    missingParameter: (name) =>
      new AwsError('ValidationError', `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`),
    operations: {
      CreateRole,
      GetRole,
      ListRoles,
      UpdateAssumeRolePolicy,
      PutRolePermissionsBoundary,
      DeleteRolePermissionsBoundary,
      DeleteRole,
      PutRolePolicy,
      GetRolePolicy,
      DeleteRolePolicy,
      ListRolePolicies,
      CreatePolicy,
      GetPolicy,
      GetPolicyVersion,
      DeletePolicy,
      AttachRolePolicy,
      DetachRolePolicy,
      ListAttachedRolePolicies,
      TagRole,
      UntagRole,
      ListRoleTags,
    },
  };
}
