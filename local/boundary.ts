import { CreatePolicyCommand, EntityAlreadyExistsException, GetPolicyCommand, NoSuchEntityException, type IAMClient } from '@aws-sdk/client-iam';
import { CHANNEL_ROLE_BOUNDARY, channelRoleBoundaryArn, channelRoleBoundaryName, channelRoleBoundaryPolicy } from '../tasks/lib/policy/builders';
import type { Sandbox } from './sandbox/sandbox';
import { addManagedPolicy } from './sandbox/services/iam';

/**
 * The permissions boundary of the roles the tasks create, as the deployed stack has it (infra/stack.ts builds the
 * same managed policy from the same builder), kept in the sandbox's IAM so that locally, too, every created role
 * carries it and a role write without it is refused like on AWS.
 */

const DESCRIPTION = 'Permissions boundary of every two-way channel role two-way-sms creates: delivery to SNS or Connect only';

/** Creates the policy over the IAM API when it is missing (at start); an existing one is left as it is. */
export async function ensureChannelRoleBoundary(iam: Pick<IAMClient, 'send'>, p: { partition: string; region: string; accountId: string }): Promise<string> {
  const arn = channelRoleBoundaryArn(p);
  try {
    await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    return arn;
  } catch (e) {
    if (!(e instanceof NoSuchEntityException)) throw e;
  }
  try {
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: channelRoleBoundaryName(),
        Path: CHANNEL_ROLE_BOUNDARY.path,
        PolicyDocument: JSON.stringify(channelRoleBoundaryPolicy(p)),
        Description: DESCRIPTION,
      }),
    );
  } catch (e) {
    // Another process of this machine created it in between.
    if (!(e instanceof EntityAlreadyExistsException)) throw e;
  }
  return arn;
}

/**
 * Puts the same policy back right after every sandbox reset (`POST /_sandbox/reset` drops all IAM state), inside
 * the sandbox and synchronously, so that the reset's answer already finds it in place.
 */
export function keepChannelRoleBoundary(sandbox: Sandbox): void {
  sandbox.onReset(() => {
    const p = { partition: sandbox.partition, region: sandbox.region, accountId: sandbox.accountId };
    if (sandbox.state.iam.policies[channelRoleBoundaryArn(p)]) return;
    addManagedPolicy(sandbox.baseContext('iam', 'CreatePolicy'), {
      PolicyName: channelRoleBoundaryName(),
      Path: CHANNEL_ROLE_BOUNDARY.path,
      PolicyDocument: JSON.stringify(channelRoleBoundaryPolicy(p)),
      Description: DESCRIPTION,
      Tags: [],
    });
  });
}
