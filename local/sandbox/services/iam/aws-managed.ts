import { createHash } from 'node:crypto';

/**
 * The AWS-managed policies the sandbox knows (`arn:aws:iam::aws:policy/...`). Real IAM has about a thousand;
 * the sandbox keeps the few that matter to this project's roles (SNS, KMS, Step Functions, Lambda logging, and
 * AdministratorAccess). Documents follow the published policies; version ids and dates are those AWS shows.
 * Attaching any other AWS-managed ARN answers NoSuchEntity, as AWS does for a policy that does not exist.
 */
export interface AwsManagedPolicy {
  PolicyName: string;
  Path: string;
  DefaultVersionId: string;
  CreateDate: string;
  UpdateDate: string;
  Description: string;
  Document: string;
}

const doc = (statements: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });

const SMS_VIA_SNS = {
  Sid: 'SMSAccessViaSNS',
  Effect: 'Allow',
  Resource: '*',
  Condition: { StringEquals: { 'aws:CalledViaLast': 'sns.amazonaws.com' } },
};

const POLICIES: AwsManagedPolicy[] = [
  {
    PolicyName: 'AdministratorAccess',
    Path: '/',
    DefaultVersionId: 'v1',
    CreateDate: '2015-02-06T18:39:46.000Z',
    UpdateDate: '2015-02-06T18:39:46.000Z',
    Description: 'Provides full access to AWS services and resources.',
    Document: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
  },
  {
    PolicyName: 'AmazonSNSFullAccess',
    Path: '/',
    DefaultVersionId: 'v2',
    CreateDate: '2015-02-06T18:41:05.000Z',
    UpdateDate: '2024-09-24T22:32:05.000Z',
    Description: 'Provides full access to Amazon SNS via the AWS Management Console.',
    Document: doc([
      { Sid: 'SNSFullAccess', Effect: 'Allow', Action: 'sns:*', Resource: '*' },
      {
        ...SMS_VIA_SNS,
        Action: [
          'sms-voice:DescribeVerifiedDestinationNumbers',
          'sms-voice:CreateVerifiedDestinationNumber',
          'sms-voice:SendDestinationNumberVerificationCode',
          'sms-voice:SendTextMessage',
          'sms-voice:DeleteVerifiedDestinationNumber',
          'sms-voice:VerifyDestinationNumber',
          'sms-voice:DescribeAccountAttributes',
          'sms-voice:DescribeSpendLimits',
          'sms-voice:DescribePhoneNumbers',
          'sms-voice:SetTextMessageSpendLimitOverride',
          'sms-voice:DescribeOptedOutNumbers',
          'sms-voice:DeleteOptedOutNumber',
        ],
      },
    ]),
  },
  {
    PolicyName: 'AmazonSNSReadOnlyAccess',
    Path: '/',
    DefaultVersionId: 'v2',
    CreateDate: '2015-02-06T18:41:06.000Z',
    UpdateDate: '2024-09-24T22:13:12.000Z',
    Description: 'Provides read only access to Amazon SNS via the AWS Management Console.',
    Document: doc([
      {
        Sid: 'SNSReadOnlyAccess',
        Effect: 'Allow',
        Action: [
          'sns:GetTopicAttributes',
          'sns:List*',
          'sns:CheckIfPhoneNumberIsOptedOut',
          'sns:GetEndpointAttributes',
          'sns:GetDataProtectionPolicy',
          'sns:GetPlatformApplicationAttributes',
          'sns:GetSMSAttributes',
          'sns:GetSMSSandboxAccountStatus',
          'sns:GetSubscriptionAttributes',
        ],
        Resource: '*',
      },
      {
        ...SMS_VIA_SNS,
        Action: [
          'sms-voice:DescribeVerifiedDestinationNumbers',
          'sms-voice:DescribeAccountAttributes',
          'sms-voice:DescribeSpendLimits',
          'sms-voice:DescribePhoneNumbers',
          'sms-voice:DescribeOptedOutNumbers',
        ],
      },
    ]),
  },
  {
    PolicyName: 'AWSKeyManagementServicePowerUser',
    Path: '/',
    DefaultVersionId: 'v2',
    CreateDate: '2015-02-06T18:40:40.000Z',
    UpdateDate: '2017-03-07T00:55:11.000Z',
    Description: 'Provides access to AWS Key Management Service (KMS).',
    Document: doc([
      {
        Effect: 'Allow',
        Action: [
          'kms:CreateAlias',
          'kms:CreateKey',
          'kms:DeleteAlias',
          'kms:Describe*',
          'kms:GenerateRandom',
          'kms:Get*',
          'kms:List*',
          'kms:TagResource',
          'kms:UntagResource',
          'iam:ListGroups',
          'iam:ListRoles',
          'iam:ListUsers',
        ],
        Resource: '*',
      },
    ]),
  },
  {
    PolicyName: 'AWSStepFunctionsFullAccess',
    Path: '/',
    DefaultVersionId: 'v1',
    CreateDate: '2017-01-11T21:51:32.000Z',
    UpdateDate: '2017-01-11T21:51:32.000Z',
    Description: 'An access policy for providing a user/role/etc access to the AWS StepFunctions API.',
    Document: doc([{ Effect: 'Allow', Action: 'states:*', Resource: '*' }]),
  },
  {
    PolicyName: 'AWSLambdaBasicExecutionRole',
    Path: '/service-role/',
    DefaultVersionId: 'v1',
    CreateDate: '2015-04-09T15:03:43.000Z',
    UpdateDate: '2015-04-09T15:03:43.000Z',
    Description: 'Provides write permissions to CloudWatch Logs.',
    Document: doc([{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }]),
  },
];

/** `arn:aws:iam::aws:policy{Path}{PolicyName}` for the given partition. */
export function awsManagedArn(partition: string, p: Pick<AwsManagedPolicy, 'Path' | 'PolicyName'>): string {
  return `arn:${partition}:iam::aws:policy${p.Path}${p.PolicyName}`;
}

/** The built-in AWS-managed policy with this ARN, if the sandbox knows it. */
export function findAwsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  const m = /^arn:([a-z-]+):iam::aws:policy(\/.*)$/.exec(arn);
  if (!m) return undefined;
  return POLICIES.find((p) => awsManagedArn(m[1]!, p) === arn);
}

/** A stable policy id (`ANPA` + 17 characters) derived from the name, so it is the same on every run. */
export function awsManagedPolicyId(p: AwsManagedPolicy): string {
  const digest = createHash('sha256').update(`aws-managed:${p.PolicyName}`).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let id = 'ANPA';
  for (let i = 0; id.length < 21; i++) id += alphabet[digest[i]! % alphabet.length];
  return id;
}
