import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  type ListAttachedRolePoliciesCommandOutput,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { auditScope, ROLE_PATH, TAGS, type TaskDeps, type TaskEvent } from './context';
import { AwsTransientError, classifyAwsError, DestinationNotUsable, ForeignResourceExists } from './errors';
import { sameJsonTextIgnoringKeyOrder } from './json';
import { roleKmsRequest } from './key';
import { evaluate, evaluateTwoWayDelivery, SMS_VOICE_SERVICE_PRINCIPAL, twoWayTrustPolicy, type PolicyDocumentJson } from './policy';
import type { RoleSpec } from './request';
import type { AccessResult, NumberResult } from './results';
import { targetsNamingRole } from './number';

/** Names of the inline permission policy on the roles this service creates, for SNS and Connect destinations. */
export const SNS_ROLE_POLICY_NAME = 'two-way-sns-publish';
export const CONNECT_ROLE_POLICY_NAME = 'two-way-connect-send';
const OWN_POLICY_NAMES: string[] = [SNS_ROLE_POLICY_NAME, CONNECT_ROLE_POLICY_NAME];
import type { z } from 'zod';

/**
 * The two-way channel role, shared by EnsureAccess (SNS) and EnsureConnectRole (Connect), and its removal
 * (UndoAccess): create it with our tags, reconcile one we created, adopt one another provisioning of this
 * service created when it already grants what is needed, and check — never modify — a role we did not create.
 */

export type RoleSpecInput = z.infer<typeof RoleSpec>;

export interface RoleView {
  name: string;
  arn: string;
  path: string;
  trustPolicy: string;
  tags: Record<string, string>;
  /** The role's permissions boundary, when it has one. */
  boundaryArn?: string;
  inline: { name: string; document: string }[];
  attached: { arn: string; document: string }[];
}

/** What the role must allow besides being assumable by the service. */
export type RoleNeed =
  | { channel: 'sns'; topicArn: string; topicPolicy?: string; key?: { arn: string; manager: 'AWS' | 'CUSTOMER' } }
  | { channel: 'connect'; instanceArn: string };

/** `TwoWaySms-<provisioningId>`, cut to IAM's 64-character limit on role names. */
export function defaultRoleName(provisioningId: string): string {
  return `TwoWaySms-${provisioningId}`.slice(0, 64);
}

/** The role name in `arn:aws:iam::A:role/path/Name`. */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

export function roleArnFor(number: Pick<NumberResult, 'partition' | 'accountId'>, name: string): string {
  return `arn:${number.partition}:iam::${number.accountId}:role${ROLE_PATH}${name}`;
}

/** IAM returns policy documents URL-encoded (GetRole, GetRolePolicy, GetPolicyVersion). */
function decodeDocument(doc: string | undefined): string {
  if (doc === undefined) return '';
  const s = doc.trim();
  return s.startsWith('{') ? s : decodeURIComponent(s);
}

function iamFailure(e: unknown, what: string): unknown {
  return classifyAwsError(e, what);
}

/** The role with its trust policy, tags, inline and attached policies; undefined when no role has that name. */
export async function readRole(deps: Pick<TaskDeps, 'iam'>, name: string): Promise<RoleView | undefined> {
  const iam = deps.iam;
  let role;
  try {
    role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role;
  } catch (e) {
    if (e instanceof NoSuchEntityException) return undefined;
    throw iamFailure(e, `iam:GetRole ${name}`);
  }
  if (!role?.Arn || !role.RoleName) return undefined;
  try {
    const inline: RoleView['inline'] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListRolePoliciesCommand({ RoleName: role.RoleName, ...(marker ? { Marker: marker } : {}) }));
      for (const policyName of page.PolicyNames ?? []) {
        const doc = await iam.send(new GetRolePolicyCommand({ RoleName: role.RoleName, PolicyName: policyName }));
        inline.push({ name: policyName, document: decodeDocument(doc.PolicyDocument) });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    const attached: RoleView['attached'] = [];
    let attachedMarker: string | undefined;
    do {
      const page: ListAttachedRolePoliciesCommandOutput = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.RoleName, ...(attachedMarker ? { Marker: attachedMarker } : {}) }));
      for (const p of page.AttachedPolicies ?? []) {
        if (!p.PolicyArn) continue;
        const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: p.PolicyArn }))).Policy;
        const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: p.PolicyArn, VersionId: policy?.DefaultVersionId }));
        attached.push({ arn: p.PolicyArn, document: decodeDocument(version.PolicyVersion?.Document) });
      }
      attachedMarker = page.IsTruncated ? page.Marker : undefined;
    } while (attachedMarker);
    return {
      name: role.RoleName,
      arn: role.Arn,
      path: role.Path ?? '/',
      trustPolicy: decodeDocument(role.AssumeRolePolicyDocument),
      tags: Object.fromEntries((role.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      ...(role.PermissionsBoundary?.PermissionsBoundaryArn ? { boundaryArn: role.PermissionsBoundary.PermissionsBoundaryArn } : {}),
      inline,
      attached,
    };
  } catch (e) {
    // The role vanished between GetRole and reading its policies: report it as absent, as GetRole would now.
    if (e instanceof NoSuchEntityException) return undefined;
    throw iamFailure(e, `iam: reading the policies of role ${name}`);
  }
}

/**
 * What the role lacks for two-way delivery, one sentence each naming the permission and why the policies do
 * not grant it: the trust of `sms-voice.amazonaws.com` (with the confused-deputy context), `sns:Publish` on the
 * topic or `connect:SendChatIntegrationEvent`, and for a topic encrypted with a customer managed key
 * `kms:GenerateDataKey*`/`kms:Decrypt` through SNS. Evaluated with the same decision the sandbox and the
 * preflight use. (An AWS-managed key's policy already lets every principal of the account use it through SNS,
 * so it needs no IAM permission.)
 */
export function missingPermissions(role: RoleView, need: RoleNeed, number: NumberResult): string[] {
  const permissionPolicies = [...role.inline.map((p) => ({ name: p.name, document: p.document })), ...role.attached.map((p) => ({ name: p.arn, document: p.document }))];
  const base = {
    accountId: number.accountId,
    region: number.region,
    partition: number.partition,
    originArn: number.arn,
    roleArn: role.arn,
    role: { arn: role.arn, trustPolicy: role.trustPolicy, permissionPolicies },
  };
  const result =
    need.channel === 'sns'
      ? evaluateTwoWayDelivery({ ...base, channel: 'sns', topic: { arn: need.topicArn, fifo: false, ...(need.topicPolicy ? { policy: need.topicPolicy } : {}) } })
      : evaluateTwoWayDelivery({ ...base, channel: 'connect', connect: { instanceArn: need.instanceArn, numberImported: true } });
  const labels: Partial<Record<string, string>> = {
    'role-trust': `trust: ${SMS_VOICE_SERVICE_PRINCIPAL} may not assume it (sts:AssumeRole with aws:SourceAccount ${number.accountId})`,
    'role-sns-publish': need.channel === 'sns' ? `sns:Publish on ${need.topicArn}` : 'sns:Publish',
    'role-connect-send': 'connect:SendChatIntegrationEvent',
  };
  const missing = result.checks.filter((c) => !c.passed && labels[c.check] !== undefined).map((c) => `${labels[c.check]}: ${c.result.explanation}`);
  if (need.channel === 'sns' && need.key?.manager === 'CUSTOMER') {
    const sources = permissionPolicies.map((p) => ({ label: `permission policy "${p.name}" of role ${role.arn}`, kind: 'identity' as const, document: p.document }));
    for (const [action, shown] of [
      ['kms:GenerateDataKey', 'kms:GenerateDataKey*'],
      ['kms:Decrypt', 'kms:Decrypt'],
    ] as const) {
      const request = roleKmsRequest({ roleArn: role.arn, keyArn: need.key.arn, topicArn: need.topicArn, accountId: number.accountId, region: number.region, partition: number.partition }, action);
      let verdict;
      try {
        verdict = evaluate(request, sources);
      } catch (e) {
        missing.push(`${shown} on key ${need.key.arn} through SNS: a permission policy is not a valid policy document (${(e as Error).message})`);
        continue;
      }
      if (verdict.decision !== 'Allow') missing.push(`${shown} on key ${need.key.arn} through SNS (encrypted topic ${need.topicArn}): ${verdict.explanation}`);
    }
  }
  return missing;
}

/**
 * Checks a role the request names by ARN: in the number's account, existing, and granting everything two-way
 * delivery needs. It is never modified; when it lacks something, `DestinationNotUsable` lists exactly what.
 */
export async function checkGivenRole(deps: Pick<TaskDeps, 'iam'>, roleArn: string, need: RoleNeed, number: NumberResult, field: string): Promise<RoleView> {
  const account = roleArn.split(':')[4];
  if (account !== number.accountId) {
    throw new DestinationNotUsable(`${field}: role ${roleArn} is in account ${account}, but the number is in account ${number.accountId}; the two-way channel role must be in the number's account`, { field });
  }
  const role = await readRole(deps, roleNameOf(roleArn));
  if (!role) throw new DestinationNotUsable(`${field}: role ${roleArn} does not exist: create it (trusting ${SMS_VOICE_SERVICE_PRINCIPAL}) or let this service create one`, { field });
  if (role.arn.toLowerCase() !== roleArn.toLowerCase()) {
    throw new DestinationNotUsable(`${field}: ${roleArn} names role ${role.name}, whose ARN is ${role.arn} (another path): use that ARN`, { field });
  }
  const missing = missingPermissions(role, need, number);
  if (missing.length > 0) throw notUsable(role, missing, field, 'is left unchanged (this service never modifies a role it did not create)');
  return role;
}

export interface RoleTaskContext {
  deps: TaskDeps;
  event: TaskEvent;
  request: { provisioningId: string; requestedBy: string };
  number: NumberResult;
  /** The request field the role spec came from, for messages (`destination.access.role`, `destination.role`). */
  field: string;
}

/** The role's own inline permission policy (fixed name, so reconciling finds and overwrites only ours). */
export interface RolePermission {
  policyName: string;
  document: PolicyDocumentJson;
}

function ownershipTags(provisioningId: string, targetId: string) {
  return [
    { Key: TAGS.managedBy, Value: TAGS.managedByValue },
    { Key: TAGS.provisioningId, Value: provisioningId },
    { Key: TAGS.phoneNumberId, Value: targetId },
  ];
}

function notUsable(role: RoleView, missing: string[], field: string, why: string): DestinationNotUsable {
  const list = missing.map((m, i) => `(${i + 1}) ${m}`).join('; ');
  return new DestinationNotUsable(`role ${role.arn} cannot be the two-way channel role and ${why}. Missing: ${list}`, { field });
}

/**
 * Creates, reconciles, adopts or checks the two-way channel role named by `spec`, with the write-ahead ledger
 * (`role`), the reference (recorded before the role is relied on) and an audit record around every mutation.
 */
export async function ensureRole(ctx: RoleTaskContext, spec: RoleSpecInput, need: RoleNeed, permission: RolePermission): Promise<AccessResult> {
  // A number that names a role this service kept for it (an undo could not clear TwoWayChannelRole) gets that
  // role back instead of a new one: the role it cannot get rid of becomes its delivery role again.
  const kept = ctx.number.beforeImage.channelRole;
  if ('create' in spec && spec.create.name === undefined && !ctx.number.alreadyProvisionedBy && kept?.startsWith(roleArnFor(ctx.number, ''))) {
    const out = await ctx.deps.locks.withLease(roleLease(kept), ctx.event.executionArn, ctx.deps.config.keyLeaseMs, () => takeOverKeptRole(ctx, kept, permission));
    if (out) return out;
  }
  const arn = 'arn' in spec ? spec.arn : roleArnFor(ctx.number, spec.create.name ?? defaultRoleName(ctx.number.alreadyProvisionedBy ?? ctx.request.provisioningId));
  // One writer (or remover) of a role at a time: an undo deciding to delete it and a provisioning starting to
  // rely on it must not interleave.
  return ctx.deps.locks.withLease(roleLease(arn), ctx.event.executionArn, ctx.deps.config.keyLeaseMs, () => ensureRoleLocked(ctx, spec, need, permission));
}

/** The lease that serializes creators, adopters and removers of one role. */
export function roleLease(roleArn: string): string {
  return `role:${roleArn}`;
}

async function ensureRoleLocked(ctx: RoleTaskContext, spec: RoleSpecInput, need: RoleNeed, permission: RolePermission): Promise<AccessResult> {
  const { deps, number, request } = ctx;
  const provisioningId = request.provisioningId;
  const targetId = number.id;

  if ('arn' in spec) {
    const field = `${ctx.field}.arn`;
    // Recorded before the role is read, so that an undo of another provisioning that created this role sees
    // us (References: add, then rely; remove, then check).
    await deps.refs.add('role', spec.arn, provisioningId, targetId);
    try {
      await checkGivenRole(deps, spec.arn, need, number, field);
    } catch (e) {
      if (e instanceof DestinationNotUsable) await deps.refs.remove('role', spec.arn, provisioningId);
      throw e;
    }
    await recordSkipped(ctx, { roleName: roleNameOf(spec.arn), roleArn: spec.arn, reason: 'existing role given by ARN: checked, never modified' });
    return { mode: 'role', roleArn: spec.arn, roleCreated: false };
  }

  const field = `${ctx.field}.create.name`;
  // A number already provisioned to this destination (ValidateNumber found it) keeps the role its provisioning
  // created: the default name is that provisioning's, so nothing new is created.
  const name = spec.create.name ?? defaultRoleName(number.alreadyProvisionedBy ?? provisioningId);
  const expectedArn = roleArnFor(number, name);
  await deps.refs.add('role', expectedArn, provisioningId, targetId);
  let existing = await readRole(deps, name);
  if (!existing) {
    await deps.ledger.set(provisioningId, 'role', 'intent', { roleName: name, roleArn: expectedArn, targetId, policyName: permission.policyName });
    try {
      await deps.audit.record(
        auditScope(request, targetId, ctx.event.executionArn),
        { step: ctx.event.state, action: 'iam:CreateRole', resourceArn: expectedArn, before: null },
        () =>
          deps.iam.send(
            new CreateRoleCommand({
              RoleName: name,
              Path: ROLE_PATH,
              AssumeRolePolicyDocument: JSON.stringify(twoWayTrustPolicy({ accountId: number.accountId })),
              Description: `Two-way SMS channel role for ${targetId}, created by two-way-sms (provisioning ${provisioningId})`,
              Tags: ownershipTags(provisioningId, targetId),
              // The stack's boundary: on AWS the task roles may create a role only with exactly this one.
              ...(deps.config.permissionsBoundaryArn ? { PermissionsBoundary: deps.config.permissionsBoundaryArn } : {}),
            }),
          ),
        (out) => ({ roleArn: out.Role?.Arn }),
      );
    } catch (e) {
      // CreateRole has no idempotency token: after an unknown outcome the retry meets our own role. It is
      // adopted below only if its tags prove this provisioning created it.
      if (!(e instanceof EntityAlreadyExistsException)) throw iamFailure(e, `iam:CreateRole ${name}`);
      existing = await readRole(deps, name);
      // IAM is eventually consistent: a role that "already exists" may not be readable yet. Retry the step.
      if (!existing) throw new AwsTransientError(`iam:CreateRole ${name}: the role exists but cannot be read yet`, { cause: e });
    }
    if (!existing) {
      await putPermission(ctx, name, expectedArn, permission);
      await deps.ledger.set(provisioningId, 'role', 'done', { roleName: name, roleArn: expectedArn, targetId, policyName: permission.policyName, created: true });
      return { mode: 'role', roleArn: expectedArn, roleCreated: true };
    }
  }

  const role = existing;
  if (role.arn !== expectedArn) await deps.refs.remove('role', expectedArn, provisioningId);
  if (role.tags[TAGS.managedBy] !== TAGS.managedByValue) {
    if (role.arn === expectedArn) await deps.refs.remove('role', expectedArn, provisioningId);
    throw new ForeignResourceExists(
      `${field}: a role named ${name} (${role.arn}) already exists and was not created by this service; it is never adopted or modified: choose another name, or give its ARN as role.arn`,
      { field },
    );
  }
  if (role.arn !== expectedArn) await deps.refs.add('role', role.arn, provisioningId, targetId);

  if (role.tags[TAGS.provisioningId] === provisioningId) {
    // Ours: created by an earlier attempt of this provisioning. Reconcile it to the desired state.
    const prior = await deps.ledger.get(provisioningId, 'role');
    if (!prior || prior.status !== 'done') {
      await deps.ledger.set(provisioningId, 'role', 'intent', { roleName: role.name, roleArn: role.arn, targetId, policyName: permission.policyName });
    }
    const trust = JSON.stringify(twoWayTrustPolicy({ accountId: number.accountId }));
    if (!sameJsonTextIgnoringKeyOrder(role.trustPolicy, trust)) {
      await deps.audit.record(
        auditScope(request, targetId, ctx.event.executionArn),
        { step: ctx.event.state, action: 'iam:UpdateAssumeRolePolicy', resourceArn: role.arn, before: role.trustPolicy },
        () => deps.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: role.name, PolicyDocument: trust })).catch((e: unknown) => Promise.reject(iamFailure(e, `iam:UpdateAssumeRolePolicy ${role.name}`))),
      );
    }
    const current = role.inline.find((p) => p.name === permission.policyName);
    if (!current || !sameJsonTextIgnoringKeyOrder(current.document, JSON.stringify(permission.document))) {
      await putPermission(ctx, role.name, role.arn, permission, current?.document);
    }
    if (!prior || prior.status !== 'done') {
      await deps.ledger.set(provisioningId, 'role', 'done', { roleName: role.name, roleArn: role.arn, targetId, policyName: permission.policyName, created: true });
    }
    return { mode: 'role', roleArn: role.arn, roleCreated: true };
  }

  // Created by this service for another provisioning (another number shares the name): use it as it is, but
  // never change it under that provisioning's feet.
  const owner = role.tags[TAGS.provisioningId] ?? 'an unknown provisioning';
  const missing = missingPermissions(role, need, number);
  if (missing.length > 0) {
    await deps.refs.remove('role', role.arn, provisioningId);
    throw notUsable(role, missing, field, `belongs to provisioning ${owner} of this service, so it is not modified: choose another role name`);
  }
  await recordSkipped(ctx, { roleName: role.name, roleArn: role.arn, reason: `created by this service for provisioning ${owner}; adopted as it is` });
  return { mode: 'role', roleArn: role.arn, roleCreated: false };
}

/**
 * Takes over the role a number still names after an undo of this service, when it is provably ours (tags), was
 * created for this very number, and no other provisioning depends on it: its permission policy is set for the
 * new destination, and the ledger records the take-over, so that an undo of this provisioning retains it again.
 * Returns undefined when the role does not qualify (a new role is then created as usual).
 */
async function takeOverKeptRole(ctx: RoleTaskContext, roleArn: string, permission: RolePermission): Promise<AccessResult | undefined> {
  const { deps, number, request } = ctx;
  const provisioningId = request.provisioningId;
  const prior = await deps.ledger.get(provisioningId, 'role');
  if (prior && prior.data.roleArn !== roleArn) return undefined;
  const role = await readRole(deps, roleNameOf(roleArn));
  if (!role || role.arn !== roleArn || role.tags[TAGS.managedBy] !== TAGS.managedByValue || role.tags[TAGS.phoneNumberId] !== number.id) return undefined;
  if ((await deps.refs.others('role', roleArn, provisioningId)).length > 0) return undefined;
  // Another number or pool may name the role too (set by hand, or kept for it by an undo): re-pointing the role
  // would silently stop its inbound messages. Only a role no one else names is taken back.
  if ((await targetsNamingRole(deps, roleArn)).some((t) => t.id !== number.id)) return undefined;
  await deps.refs.add('role', roleArn, provisioningId, number.id);
  const data = { roleName: role.name, roleArn, targetId: number.id, policyName: permission.policyName, tookOver: true, createdBy: role.tags[TAGS.provisioningId] ?? provisioningId };
  if (prior?.status !== 'done') await deps.ledger.set(provisioningId, 'role', 'intent', data);
  const trust = JSON.stringify(twoWayTrustPolicy({ accountId: number.accountId }));
  if (!sameJsonTextIgnoringKeyOrder(role.trustPolicy, trust)) {
    await deps.audit.record(
      auditScope(request, number.id, ctx.event.executionArn),
      { step: ctx.event.state, action: 'iam:UpdateAssumeRolePolicy', resourceArn: role.arn, before: role.trustPolicy },
      () => deps.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: role.name, PolicyDocument: trust })).catch((e: unknown) => Promise.reject(iamFailure(e, `iam:UpdateAssumeRolePolicy ${role.name}`))),
    );
  }
  const current = role.inline.find((p) => p.name === permission.policyName);
  if (!current || !sameJsonTextIgnoringKeyOrder(current.document, JSON.stringify(permission.document))) await putPermission(ctx, role.name, role.arn, permission, current?.document);
  // What it served before (the other destination kind) goes: a role taken back is no broader than a new one.
  for (const stale of role.inline.filter((p) => p.name !== permission.policyName && OWN_POLICY_NAMES.includes(p.name))) {
    await deps.audit.record(
      auditScope(request, number.id, ctx.event.executionArn),
      { step: ctx.event.state, action: 'iam:DeleteRolePolicy', resourceArn: role.arn, before: { policyName: stale.name, document: stale.document } },
      () =>
        deps.iam.send(new DeleteRolePolicyCommand({ RoleName: role.name, PolicyName: stale.name })).catch((e: unknown) => {
          if (e instanceof NoSuchEntityException) return undefined;
          return Promise.reject(iamFailure(e, `iam:DeleteRolePolicy ${role.name}`));
        }),
    );
  }
  if (prior?.status !== 'done') await deps.ledger.set(provisioningId, 'role', 'done', { ...data, created: false });
  return { mode: 'role', roleArn, roleCreated: false };
}

async function putPermission(ctx: RoleTaskContext, roleName: string, roleArn: string, permission: RolePermission, before?: string): Promise<void> {
  const document = JSON.stringify(permission.document);
  await ctx.deps.audit.record(
    auditScope(ctx.request, ctx.number.id, ctx.event.executionArn),
    { step: ctx.event.state, action: 'iam:PutRolePolicy', resourceArn: roleArn, before: before ?? null },
    () => ctx.deps.iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: permission.policyName, PolicyDocument: document })).catch((e: unknown) => Promise.reject(iamFailure(e, `iam:PutRolePolicy ${roleName}`))),
    () => ({ policyName: permission.policyName, document }),
  );
}

/** "Not created by us": never undone. A re-run never downgrades an entry that says we created the role. */
async function recordSkipped(ctx: RoleTaskContext, data: { roleName: string; roleArn: string; reason: string }): Promise<void> {
  const prior = await ctx.deps.ledger.get(ctx.request.provisioningId, 'role');
  if (prior && (prior.status === 'done' || prior.status === 'intent')) return;
  await ctx.deps.ledger.set(ctx.request.provisioningId, 'role', 'skipped', { ...data, targetId: ctx.number.id });
}

/**
 * Deletes a role this service created: inline policies, then attached ones, then the role (IAM refuses
 * DeleteRole while either remains). A part that is already gone (a retried compensation) is not an error.
 */
export async function deleteRole(deps: TaskDeps, role: RoleView, audit: { scope: ReturnType<typeof auditScope>; step: string }): Promise<void> {
  const rec = <T>(action: string, before: unknown, call: () => Promise<T>) =>
    deps.audit.record(audit.scope, { step: audit.step, action, resourceArn: role.arn, before }, () =>
      call().catch((e: unknown) => {
        // Already gone (a retried compensation): nothing left to delete.
        if (e instanceof NoSuchEntityException) return undefined;
        return Promise.reject(iamFailure(e, `${action} ${role.name}`));
      }),
    );
  for (const p of role.inline) {
    await rec('iam:DeleteRolePolicy', { policyName: p.name, document: p.document }, () => deps.iam.send(new DeleteRolePolicyCommand({ RoleName: role.name, PolicyName: p.name })));
  }
  for (const p of role.attached) {
    await rec('iam:DetachRolePolicy', { policyArn: p.arn }, () => deps.iam.send(new DetachRolePolicyCommand({ RoleName: role.name, PolicyArn: p.arn })));
  }
  await rec('iam:DeleteRole', { trustPolicy: role.trustPolicy, tags: role.tags }, () => deps.iam.send(new DeleteRoleCommand({ RoleName: role.name })));
}
