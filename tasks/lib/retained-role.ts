import { DeleteRolePolicyCommand, NoSuchEntityException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { keyLease, KEY_POLICY_NAME, readKeyPolicy, roleKeyStatement } from './key';
import { checkKeyOptIn, roleUsesKeyWithout } from './opt-in';
import { readTopicInput } from './delivery';
import type { AuditScope } from './store';
import { classifyAwsError, CompensationFailed, isAwsError } from './errors';
import { sameJsonTextIgnoringKeyOrder } from './json';
import { channelKindOf } from './delivery';
import type { TaskDeps } from './context';
import { connectDestinationRolePolicy, mergeStatement, snsDestinationRolePolicy, type PolicyDocumentJson } from './policy';
import { RETAINED_ROLE_REASON } from './reversibility';
import { CONNECT_ROLE_POLICY_NAME, SNS_ROLE_POLICY_NAME, type RoleView } from './role';
import type { TwoWayConfig } from './results';

/**
 * A role this service created that a number (or pool) still names after an undo. AWS cannot clear
 * `TwoWayChannelRole`, and while a role is set AWS delivers through it: deleting it would leave the number
 * dropping every inbound message. So the role is kept, and its permission policy is replaced by exactly what
 * the destinations of the numbers naming it need (`sns:Publish` on their topics, with the key use through SNS
 * for encrypted ones; `connect:SendChatIntegrationEvent` for Connect). Nothing else: a retained role is no
 * broader than a role the service would create for those destinations.
 */


/** The permission policies a role needs to serve these two-way settings, by inline policy name. */
export function permissionsServing(accountId: string, configs: TwoWayConfig[]): Map<string, PolicyDocumentJson> {
  const topics = [...new Set(configs.map((c) => c.channelArn).filter((c): c is string => c !== undefined && channelKindOf(c) === 'sns'))].sort();
  const connect = configs.some((c) => c.channelArn !== undefined && channelKindOf(c.channelArn) === 'connect');
  const out = new Map<string, PolicyDocumentJson>();
  if (topics.length > 0) out.set(SNS_ROLE_POLICY_NAME, snsDestinationRolePolicy({ accountId, topicArn: topics }));
  if (connect) out.set(CONNECT_ROLE_POLICY_NAME, connectDestinationRolePolicy());
  return out;
}

/**
 * Re-points a retained role at the destinations `configs` name: writes the policies they need, deletes this
 * service's other inline policy (the one that served the destination being undone), leaves any policy it did
 * not write alone. Each call is audited with the reason. Returns what it did, for the undo's report.
 */
export async function repointRetainedRole(
  deps: Pick<TaskDeps, 'iam' | 'audit' | 'config'>,
  role: RoleView,
  accountId: string,
  configs: TwoWayConfig[],
  audit: { scope: AuditScope; step: string },
): Promise<{ serves: string[] }> {
  const wanted = permissionsServing(accountId, configs);
  const note = RETAINED_ROLE_REASON;
  const boundaryArn = deps.config.permissionsBoundaryArn;
  const send = async <T>(action: string, before: unknown, call: () => Promise<T>) =>
    deps.audit.record(audit.scope, { step: audit.step, action, resourceArn: role.arn, before, note }, () =>
      call().catch((e: unknown) => {
        if (e instanceof NoSuchEntityException && action === 'iam:DeleteRolePolicy') return undefined;
        if (isAwsError(e, 'AccessDenied', 'AccessDeniedException') && boundaryArn && role.boundaryArn !== boundaryArn) {
          // The task roles may write a role's policy only when it carries the stack's boundary, and this one does
          // not (created before the boundary existed). Say how to give it one; the undo can then be redriven.
          return Promise.reject(
            new CompensationFailed(
              `${action} on retained role ${role.arn} was denied (${e.message}): a role this service created before its permissions boundary existed must be given it first (aws iam put-role-permissions-boundary --role-name ${role.name} --permissions-boundary ${boundaryArn}), then redrive`,
              { cause: e },
            ),
          );
        }
        return Promise.reject(classifyAwsError(e, `${action} ${role.name}`));
      }),
    );
  for (const [policyName, document] of wanted) {
    const text = JSON.stringify(document);
    const current = role.inline.find((p) => p.name === policyName);
    if (current && sameJsonTextIgnoringKeyOrder(current.document, text)) continue;
    await send('iam:PutRolePolicy', current ? { policyName, document: current.document } : null, () =>
      deps.iam.send(new PutRolePolicyCommand({ RoleName: role.name, PolicyName: policyName, PolicyDocument: text })),
    );
  }
  for (const p of role.inline) {
    if ((p.name === SNS_ROLE_POLICY_NAME || p.name === CONNECT_ROLE_POLICY_NAME) && !wanted.has(p.name)) {
      await send('iam:DeleteRolePolicy', { policyName: p.name, document: p.document }, () => deps.iam.send(new DeleteRolePolicyCommand({ RoleName: role.name, PolicyName: p.name })));
    }
  }
  return { serves: [...new Set(configs.map((c) => c.channelArn).filter((c): c is string => c !== undefined))] };
}

/**
 * For each encrypted topic the retained role now serves: when the key's policy does not let the role use the key
 * through SNS by itself (no account delegation, say, where the service principal used to be named), adds the
 * statement naming the role (the one MergeKeyPolicy adds on the role path). A key policy is changed only with
 * its owner's opt-in; without it, nothing is written and the reason is returned, for CheckRestored to report.
 */
export async function grantRetainedRoleKeys(
  deps: Pick<TaskDeps, 'iam' | 'sns' | 'kms' | 'audit' | 'locks' | 'config'>,
  role: RoleView,
  where: { accountId: string; region: string; partition: string },
  topics: string[],
  audit: { scope: AuditScope; step: string; owner: string },
): Promise<{ added: string[]; refused: string[] }> {
  const out = { added: [] as string[], refused: [] as string[] };
  const identityPolicies = role.inline.map((p) => ({ label: `permission policy "${p.name}" of role ${role.arn}`, kind: 'identity' as const, document: p.document }));
  for (const topicArn of topics) {
    const topic = await readTopicInput(deps, topicArn);
    if (!topic?.kmsMasterKeyId) continue;
    let keyArn: string | undefined;
    let manager: string | undefined;
    const statementFor = JSON.stringify(roleKeyStatement({ roleArn: role.arn, region: where.region, partition: where.partition }));
    // A key whose policy names neither the account nor this service's task role cannot be read, let alone
    // changed, by the tasks (KMS honours IAM grants only when the key policy delegates to the account): say
    // exactly what to add instead of failing on an access error.
    const denied = (e: unknown, ref: string) => {
      if (!isAwsError(e, 'AccessDeniedException')) return false;
      out.refused.push(`role ${role.arn} may not be able to use key ${ref} of topic ${topicArn}, and this service may not read or change that key's policy (${e.message}): add this statement to it by hand: ${statementFor}`);
      return true;
    };
    try {
      const meta = (await deps.kms.send(new DescribeKeyCommand({ KeyId: topic.kmsMasterKeyId }))).KeyMetadata;
      keyArn = meta?.Arn;
      manager = meta?.KeyManager;
    } catch (e) {
      if (denied(e, topic.kmsMasterKeyId)) continue;
      throw classifyAwsError(e, `kms:DescribeKey ${topic.kmsMasterKeyId}`);
    }
    // An AWS managed key lets account principals use it through SNS: nothing to add, nothing that could be.
    if (!keyArn || manager === 'AWS') continue;
    const arn = keyArn;
    await deps.locks.withLease(keyLease(arn), audit.owner, deps.config.keyLeaseMs, async () => {
      let policy: string;
      try {
        policy = await readKeyPolicy(deps, arn);
      } catch (e) {
        if (denied(e, arn)) return;
        throw e;
      }
      if (roleUsesKeyWithout(policy, { ...where, roleArn: role.arn, keyArn: arn, topicArn, identityPolicies })) return;
      const statement = roleKeyStatement({ roleArn: role.arn, region: where.region, partition: where.partition });
      const merged = mergeStatement(policy, statement);
      if (!merged.changed) return;
      const optIn = await checkKeyOptIn(deps.kms, arn).catch((e: unknown) => Promise.reject(classifyAwsError(e, `kms:ListResourceTags ${arn}`)));
      if (!optIn.allowed) {
        // A redrive resumes at CheckRestored, after this step: the way out is the statement itself, by hand.
        out.refused.push(`role ${role.arn} cannot use key ${arn} of topic ${topicArn}, and the key is not opted in (tag two-way-sms:allow=true), so this service did not change its policy: add this statement to it by hand, then redrive: ${statementFor}`);
        return;
      }
      await deps.audit.record(audit.scope, { step: audit.step, action: 'kms:PutKeyPolicy', resourceArn: arn, before: policy, note: RETAINED_ROLE_REASON }, () =>
        // Never BypassPolicyLockoutSafetyCheck.
        deps.kms.send(new PutKeyPolicyCommand({ KeyId: arn, PolicyName: KEY_POLICY_NAME, Policy: merged.document })).catch((e: unknown) => Promise.reject(classifyAwsError(e, `kms:PutKeyPolicy ${arn}`))),
      );
      out.added.push(`${arn}#${statement.Sid ?? ''}`);
    });
  }
  return out;
}
