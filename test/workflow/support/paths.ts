import { DEMO } from '../../../local/sandbox/seed';
import type { WorkflowEnv } from '../../support/workflow';
import { connectDestination, connectInstance, demoPool, provision, roleArn, sns, topicArn, unique, type ProvisionInput } from './harness';

/**
 * The provisioning paths of the workflow tier, each as a request built on a freshly seeded sandbox. The named
 * path tests and the generated fault-injection tests both run these, so every path is covered by both.
 */
export interface PathCase {
  key: string;
  title: string;
  channel: 'sns' | 'connect';
  /** The E.164 number that receives the simulated inbound SMS. */
  inboundNumber: string;
  request(env: WorkflowEnv): ProvisionInput;
  /** Every mutating AWS call of a fault-free run, in order (the generated fault tests re-derive these from the call log). */
  mutating: string[];
}

/** The demo instance's "Default inbound flow" (every instance has it; the sandbox gives it a new id per seed). */
export function contactFlowIdOf(env: WorkflowEnv): string {
  const flows = Object.values(connectInstance(env).ContactFlows ?? {});
  const flow = flows.find((f) => f.Name === 'Default inbound flow');
  if (!flow) throw new Error('the demo Connect instance has no Default inbound flow');
  return flow.Id;
}

const SNS_STATES_HEAD = ['Start', 'AcquireLock', 'ValidateNumber', 'RouteByDestination'];
export const SNS_STATES = [...SNS_STATES_HEAD, 'EnsureTopic', 'EnsureAccess', 'MergeKeyPolicy', 'Preflight', 'EnableTwoWay', 'RouteAfterEnable', 'Verify', 'ReleaseLock', 'Provisioned'];
export const CONNECT_STATES = [
  ...SNS_STATES_HEAD,
  'EnsureConnectRole',
  'Preflight',
  'EnableTwoWay',
  'RouteAfterEnable',
  'ImportToConnect',
  'IsImportClaimed',
  'AssociateContactFlow',
  'Verify',
  'ReleaseLock',
  'Provisioned',
];
export const DEPROVISION_STATES = ['Start', 'AcquireLock', 'FindProvisioning', 'UndoImport', 'UndoTwoWay', 'UndoKeyPolicy', 'UndoAccess', 'UndoTopic', 'CheckRestored', 'FinishDeprovisioning', 'ReleaseLock', 'Deprovisioned'];

export const PATHS: PathCase[] = [
  {
    key: 'sns-new-topic-new-role',
    title: 'SNS new topic + new role',
    channel: 'sns',
    inboundNumber: DEMO.numbers.longCode,
    request: () => provision({ phoneNumberId: DEMO.numbers.longCode }, sns.newTopicNewRole(unique('wf-topic'))),
    mutating: ['sns:CreateTopic', 'iam:CreateRole', 'iam:PutRolePolicy', 'sms-voice:UpdatePhoneNumber'],
  },
  {
    key: 'sns-new-topic-topic-policy',
    title: 'SNS new topic + topic policy',
    channel: 'sns',
    inboundNumber: DEMO.numbers.longCode,
    request: () => provision({ phoneNumberId: DEMO.numbers.longCode }, sns.newTopicPolicy(unique('wf-topic'))),
    mutating: ['sns:CreateTopic', 'sns:SetTopicAttributes', 'sms-voice:UpdatePhoneNumber'],
  },
  {
    key: 'sns-encrypted-topic-topic-policy',
    title: 'existing topic encrypted with the customer key + topic policy',
    channel: 'sns',
    inboundNumber: DEMO.numbers.longCode,
    request: () => provision({ phoneNumberId: DEMO.numbers.longCode }, sns.existingTopicPolicy(topicArn(DEMO.topics.encrypted))),
    mutating: ['sns:SetTopicAttributes', 'kms:PutKeyPolicy', 'sms-voice:UpdatePhoneNumber'],
  },
  {
    key: 'sns-existing-topic-existing-role',
    title: 'existing topic + existing role',
    channel: 'sns',
    inboundNumber: DEMO.numbers.longCode,
    request: () => provision({ phoneNumberId: DEMO.numbers.longCode }, sns.existingTopicRole(topicArn(DEMO.topics.standard), roleArn(DEMO.roles.correct))),
    mutating: ['sms-voice:UpdatePhoneNumber'],
  },
  {
    key: 'connect-new-role-import-flow',
    title: 'Connect + new role + import + contact flow',
    channel: 'connect',
    inboundNumber: DEMO.numbers.tenDlc,
    request: (env) => provision({ phoneNumberId: DEMO.numbers.tenDlc }, connectDestination(env, contactFlowIdOf(env))),
    mutating: ['iam:CreateRole', 'iam:PutRolePolicy', 'sms-voice:UpdatePhoneNumber', 'connect:ImportPhoneNumber', 'connect:AssociatePhoneNumberContactFlow'],
  },
  {
    key: 'pool-new-topic-topic-policy',
    title: 'pool target (new topic + topic policy)',
    channel: 'sns',
    inboundNumber: DEMO.numbers.pooled,
    request: (env) => provision({ poolId: demoPool(env).PoolId }, sns.newTopicPolicy(unique('wf-pool-topic'))),
    mutating: ['sns:CreateTopic', 'sns:SetTopicAttributes', 'sms-voice:UpdatePool'],
  },
];

export function pathByKey(key: string): PathCase {
  const p = PATHS.find((x) => x.key === key);
  if (!p) throw new Error(`no path ${key}`);
  return p;
}

export function statesOf(p: PathCase): string[] {
  return p.channel === 'connect' ? CONNECT_STATES : SNS_STATES;
}
