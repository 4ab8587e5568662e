/** IAM state. Policy documents are stored decoded (plain JSON text); GetRole etc. URL-encode them on the way out. */
export interface IamTag {
  Key: string;
  Value: string;
}

export interface RoleRecord {
  RoleName: string;
  RoleId: string;
  Arn: string;
  Path: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration: number;
  CreateDate: string;
  Tags: IamTag[];
  /** Inline policies by name → document. */
  InlinePolicies: Record<string, string>;
  /** ARNs of attached managed policies. */
  AttachedPolicyArns: string[];
  /** ARN of the managed policy set as permissions boundary, if any. */
  PermissionsBoundary?: string;
  /** When and where the role was last assumed (the inbound simulation records this); absent if never. */
  RoleLastUsed?: { LastUsedDate: string; Region: string };
}

export interface PolicyVersionRecord {
  VersionId: string;
  Document: string;
  IsDefaultVersion: boolean;
  CreateDate: string;
}

export interface ManagedPolicyRecord {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  DefaultVersionId: string;
  Description?: string;
  CreateDate: string;
  UpdateDate: string;
  Tags: IamTag[];
  Versions: PolicyVersionRecord[];
}

export interface IamState {
  /** By role name (IAM role names are unique per account, case-insensitively). */
  roles: Record<string, RoleRecord>;
  /** Customer-managed policies by ARN. */
  policies: Record<string, ManagedPolicyRecord>;
}

export function createIamState(): IamState {
  return { roles: {}, policies: {} };
}
