/** Typed forms of IAM-style policy documents (identity, trust, SNS topic and KMS key policies alike). */

export type Effect = 'Allow' | 'Deny';

/** Where a policy is attached: to the caller (identity) or to the resource (trust, topic, key policies). */
export type PolicyKind = 'identity' | 'resource';

/** A `Principal` / `NotPrincipal` element. `all` is `"*"` (or `{"AWS": "*"}`). */
export interface PrincipalSet {
  all: boolean;
  aws: string[];
  service: string[];
  federated: string[];
  canonicalUser: string[];
}

/** The operators a condition block may name, without `ForAnyValue:` / `ForAllValues:` and `IfExists`. */
export const BASE_CONDITION_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
] as const;

export type BaseConditionOperator = (typeof BASE_CONDITION_OPERATORS)[number];

/** One key of one condition block, e.g. `"StringEquals": {"aws:SourceAccount": "123456789012"}`. */
export interface ConditionEntry {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  base: BaseConditionOperator;
  ifExists: boolean;
  set?: 'ForAnyValue' | 'ForAllValues';
  /** The condition key as written (matched case-insensitively). */
  key: string;
  /** The policy's values, as strings (JSON numbers and booleans are compared as their text, as IAM does). */
  values: string[];
}

export interface Statement {
  /** Position in the document's `Statement` list (0-based). */
  index: number;
  sid?: string;
  effect: Effect;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  principal?: PrincipalSet;
  notPrincipal?: PrincipalSet;
  conditions: ConditionEntry[];
}

export interface PolicyDocument {
  version?: string;
  id?: string;
  statements: Statement[];
}

/** Who makes the request. For identity policies the principal is the one the policies are attached to. */
export type RequestPrincipal = { type: 'Service'; id: string } | { type: 'AWS'; arn: string };

export type ContextValue = string | string[] | boolean | undefined;

export interface AccessRequest {
  /** Required when resource policies are evaluated. */
  principal?: RequestPrincipal;
  action: string;
  resource: string;
  context?: Record<string, ContextValue>;
}

/** A policy to evaluate, with the label explanations use ("trust policy of role R"). */
export interface PolicySource {
  label: string;
  kind: PolicyKind;
  /** JSON text, a plain object, or an already parsed document. */
  document: string | object | PolicyDocument;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface DecidingStatement {
  /** The label of the policy the statement belongs to. */
  policy: string;
  sid?: string;
  index: number;
}

export interface EvaluationResult {
  decision: Decision;
  /** Allow: the allowing statements; ExplicitDeny: the denying statements; ImplicitDeny: none. */
  deciding: DecidingStatement[];
  /** A sentence a person can act on. */
  explanation: string;
}
