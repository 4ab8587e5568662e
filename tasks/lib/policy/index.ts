/**
 * IAM policy documents for two-way SMS: parsing, evaluation (identity, resource and KMS key policies), the
 * two-way delivery decision shared by the sandbox and the provisioning preflight, and the policy builders.
 */
export * from './types';
export { parsePolicy, PolicyParseError, isParsedPolicy, type ParseOptions, type PolicyProblem } from './parse';
export { parseArn, wildcardMatch, arnMatch, matchPrincipal, type Arn, type PrincipalMatch } from './match';
export { evaluateEntry, evaluateConditions, lookupContext } from './conditions';
export { evaluate, evaluateKeyAccess, type EvaluateOptions, type KeyAccessInput } from './evaluate';
export {
  SMS_VOICE_SERVICE_PRINCIPAL,
  TRUST_POLICY_SID,
  TOPIC_POLICY_SID,
  KEY_POLICY_SID,
  smsVoiceSourceArnPattern,
  twoWayTrustPolicy,
  snsDestinationRolePolicy,
  connectDestinationRolePolicy,
  topicPolicyStatement,
  keyPolicyStatement,
  defaultTopicPolicy,
  awsManagedSnsKeyPolicy,
  channelRoleBoundaryPolicy,
  channelRoleBoundaryArn,
  channelRoleBoundaryName,
  CHANNEL_ROLE_BOUNDARY,
  mergeStatement,
  removeStatement,
  type StatementJson,
  type PolicyDocumentJson,
} from './builders';
export {
  evaluateTwoWayDelivery,
  type TwoWayDeliveryInput,
  type TwoWayDeliveryResult,
  type TwoWayCheck,
  type TwoWayCheckName,
  type TwoWayRoleInput,
  type TwoWayTopicInput,
  type TwoWayKeyInput,
} from './two-way';
