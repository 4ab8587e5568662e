import { describeStatements, permissions, type Principal } from '../../infra/permissions';
import { toPolicyDocument } from '../../infra/constructs/service-function';
import { synth, TEST_ENV } from './synth';

/**
 * The permissions of every function, statement by statement. The table below is the intended policy in
 * readable form (TABLE is the table's ARN, SM_* / EXEC_* the state machines and their executions); a
 * change to infra/permissions.ts must change it too, visibly. Then: the synthesized roles carry exactly
 * those statements and nothing else but X-Ray and their own log group.
 */
/** The read-only delivery-path statements of ValidateNumber and CheckRestored (infra/permissions.ts deliveryReads). */
const DELIVERY_READS = [
  'DeliveryTopicRead: sns:GetTopicAttributes on arn:aws:sns:eu-west-1:111122223333:*',
  'KeyRead: kms:DescribeKey,kms:GetKeyPolicy on arn:aws:kms:eu-west-1:111122223333:key/*',
  'RoleRead: iam:GetRole,iam:GetRolePolicy,iam:ListRolePolicies,iam:ListAttachedRolePolicies on arn:aws:iam::111122223333:role/*',
  'ManagedPolicyRead: iam:GetPolicy,iam:GetPolicyVersion on arn:aws:iam::aws:policy/* arn:aws:iam::111122223333:policy/*',
  'DeliveryConnectRead: connect:ListPhoneNumbersV2,connect:DescribePhoneNumber on arn:aws:connect:eu-west-1:111122223333:phone-number/*',
];

const EXPECTED: Record<Principal, string[]> = {
  AcquireLock: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'SmsRead: sms-voice:DescribePhoneNumbers,sms-voice:DescribePools on *',
  ],
  ReleaseLock: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'SmsRead: sms-voice:DescribePhoneNumbers,sms-voice:DescribePools on *',
  ],
  FindProvisioning: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'SmsRead: sms-voice:DescribePhoneNumbers,sms-voice:DescribePools on *',
  ],
  FinishDeprovisioning: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'SmsRead: sms-voice:DescribePhoneNumbers,sms-voice:DescribePools on *',
  ],
  Verify: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'SmsRead: sms-voice:DescribePhoneNumbers,sms-voice:DescribePools on *',
  ],
  ValidateNumber: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'SmsRead: sms-voice:DescribePhoneNumbers,sms-voice:DescribePools on *',
    'ConnectInstanceRead: connect:DescribeInstance on arn:aws:connect:eu-west-1:111122223333:instance/*',
    ...DELIVERY_READS,
    'ContactFlowRead: connect:DescribeContactFlow on arn:aws:connect:eu-west-1:111122223333:instance/*/contact-flow/*',
    'KeyOptInRead: kms:ListResourceTags on arn:aws:kms:eu-west-1:111122223333:key/*',
  ],
  EnsureTopic: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'Topic: sns:CreateTopic,sns:GetTopicAttributes,sns:ListTagsForResource on arn:aws:sns:eu-west-1:111122223333:*',
    'TopicTagOnCreate: sns:TagResource on arn:aws:sns:eu-west-1:111122223333:* if ForAllValues:StringEquals aws:TagKeys=two-way-sms:managed-by|two-way-sms:provisioning-id|two-way-sms:phone-number-id and StringEquals aws:RequestTag/two-way-sms:managed-by=two-way-sms',
    'KeyRead: kms:DescribeKey on arn:aws:kms:eu-west-1:111122223333:key/*',
    'RoleRead: iam:GetRole,iam:GetRolePolicy,iam:ListRolePolicies,iam:ListAttachedRolePolicies on arn:aws:iam::111122223333:role/*',
    'ManagedPolicyRead: iam:GetPolicy,iam:GetPolicyVersion on arn:aws:iam::aws:policy/* arn:aws:iam::111122223333:policy/*',
  ],
  EnsureAccess: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'OwnRoleWrite: iam:CreateRole,iam:PutRolePolicy,iam:UpdateAssumeRolePolicy on arn:aws:iam::111122223333:role/two-way-sms/* if StringEquals iam:PermissionsBoundary=BOUNDARY',
    'OwnRoleTag: iam:TagRole on arn:aws:iam::111122223333:role/two-way-sms/* if ForAllValues:StringEquals aws:TagKeys=two-way-sms:managed-by|two-way-sms:provisioning-id|two-way-sms:phone-number-id and StringEquals aws:RequestTag/two-way-sms:managed-by=two-way-sms',
    'OwnRolePolicyDelete: iam:DeleteRolePolicy on arn:aws:iam::111122223333:role/two-way-sms/*',
    'SmsRead: sms-voice:DescribePhoneNumbers,sms-voice:DescribePools on *',
    'RoleRead: iam:GetRole,iam:GetRolePolicy,iam:ListRolePolicies,iam:ListAttachedRolePolicies on arn:aws:iam::111122223333:role/*',
    'ManagedPolicyRead: iam:GetPolicy,iam:GetPolicyVersion on arn:aws:iam::aws:policy/* arn:aws:iam::111122223333:policy/*',
    'TopicPolicyRead: sns:GetTopicAttributes on arn:aws:sns:eu-west-1:111122223333:*',
    'TopicPolicyOwnTopic: sns:SetTopicAttributes on arn:aws:sns:eu-west-1:111122223333:* if StringEquals aws:ResourceTag/two-way-sms:managed-by=two-way-sms',
    'TopicPolicyOptedIn: sns:SetTopicAttributes on arn:aws:sns:eu-west-1:111122223333:* if StringEquals aws:ResourceTag/two-way-sms:allow=true',
    'TopicOptInRead: sns:ListTagsForResource on arn:aws:sns:eu-west-1:111122223333:*',
  ],
  EnsureConnectRole: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'OwnRoleWrite: iam:CreateRole,iam:PutRolePolicy,iam:UpdateAssumeRolePolicy on arn:aws:iam::111122223333:role/two-way-sms/* if StringEquals iam:PermissionsBoundary=BOUNDARY',
    'OwnRoleTag: iam:TagRole on arn:aws:iam::111122223333:role/two-way-sms/* if ForAllValues:StringEquals aws:TagKeys=two-way-sms:managed-by|two-way-sms:provisioning-id|two-way-sms:phone-number-id and StringEquals aws:RequestTag/two-way-sms:managed-by=two-way-sms',
    'OwnRolePolicyDelete: iam:DeleteRolePolicy on arn:aws:iam::111122223333:role/two-way-sms/*',
    'SmsRead: sms-voice:DescribePhoneNumbers,sms-voice:DescribePools on *',
    'RoleRead: iam:GetRole,iam:GetRolePolicy,iam:ListRolePolicies,iam:ListAttachedRolePolicies on arn:aws:iam::111122223333:role/*',
    'ManagedPolicyRead: iam:GetPolicy,iam:GetPolicyVersion on arn:aws:iam::aws:policy/* arn:aws:iam::111122223333:policy/*',
  ],
  MergeKeyPolicy: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'KeyPolicyRead: kms:GetKeyPolicy on arn:aws:kms:eu-west-1:111122223333:key/*',
    'KeyPolicyOptedIn: kms:PutKeyPolicy on arn:aws:kms:eu-west-1:111122223333:key/* if StringEquals aws:ResourceTag/two-way-sms:allow=true and BoolIfExists kms:BypassPolicyLockoutSafetyCheck=false',
    'RoleRead: iam:GetRole,iam:GetRolePolicy,iam:ListRolePolicies,iam:ListAttachedRolePolicies on arn:aws:iam::111122223333:role/*',
    'ManagedPolicyRead: iam:GetPolicy,iam:GetPolicyVersion on arn:aws:iam::aws:policy/* arn:aws:iam::111122223333:policy/*',
    'KeyOptInRead: kms:ListResourceTags on arn:aws:kms:eu-west-1:111122223333:key/*',
  ],
  UndoKeyPolicy: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'KeyPolicyRead: kms:GetKeyPolicy on arn:aws:kms:eu-west-1:111122223333:key/*',
    'KeyPolicyOptedIn: kms:PutKeyPolicy on arn:aws:kms:eu-west-1:111122223333:key/* if StringEquals aws:ResourceTag/two-way-sms:allow=true and BoolIfExists kms:BypassPolicyLockoutSafetyCheck=false',
  ],
  Preflight: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'SmsRead: sms-voice:DescribePhoneNumbers,sms-voice:DescribePools on *',
    'TopicRead: sns:GetTopicAttributes on arn:aws:sns:eu-west-1:111122223333:*',
    'KeyRead: kms:DescribeKey,kms:GetKeyPolicy on arn:aws:kms:eu-west-1:111122223333:key/*',
    'RoleRead: iam:GetRole,iam:GetRolePolicy,iam:ListRolePolicies,iam:ListAttachedRolePolicies on arn:aws:iam::111122223333:role/*',
    'ManagedPolicyRead: iam:GetPolicy,iam:GetPolicyVersion on arn:aws:iam::aws:policy/* arn:aws:iam::111122223333:policy/*',
    'ConnectInstanceRead: connect:DescribeInstance on arn:aws:connect:eu-west-1:111122223333:instance/*',
  ],
  EnableTwoWay: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'SmsTwoWay: sms-voice:UpdatePhoneNumber,sms-voice:UpdatePool on arn:aws:sms-voice:eu-west-1:111122223333:phone-number/* arn:aws:sms-voice:eu-west-1:111122223333:pool/*',
    'SmsRead: sms-voice:DescribePhoneNumbers,sms-voice:DescribePools on *',
    'PassRoleToSmsVoice: iam:PassRole on arn:aws:iam::111122223333:role/* if StringEquals iam:PassedToService=sms-voice.amazonaws.com',
  ],
  UndoTwoWay: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'SmsTwoWay: sms-voice:UpdatePhoneNumber,sms-voice:UpdatePool on arn:aws:sms-voice:eu-west-1:111122223333:phone-number/* arn:aws:sms-voice:eu-west-1:111122223333:pool/*',
    'SmsRead: sms-voice:DescribePhoneNumbers,sms-voice:DescribePools on *',
    'PassRoleToSmsVoice: iam:PassRole on arn:aws:iam::111122223333:role/* if StringEquals iam:PassedToService=sms-voice.amazonaws.com',
  ],
  ImportToConnect: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'ConnectImport: connect:ImportPhoneNumber on arn:aws:connect:eu-west-1:111122223333:instance/* arn:aws:connect:eu-west-1:111122223333:phone-number/*',
    'ConnectTagOnImport: connect:TagResource on arn:aws:connect:eu-west-1:111122223333:instance/* arn:aws:connect:eu-west-1:111122223333:phone-number/* if ForAllValues:StringEquals aws:TagKeys=two-way-sms:managed-by|two-way-sms:provisioning-id|two-way-sms:phone-number-id and StringEquals aws:RequestTag/two-way-sms:managed-by=two-way-sms',
    'ConnectRead: connect:DescribeInstance,connect:DescribePhoneNumber,connect:ListPhoneNumbersV2 on arn:aws:connect:eu-west-1:111122223333:instance/* arn:aws:connect:eu-west-1:111122223333:phone-number/*',
    'SmsSourceNumberRead: sms-voice:DescribePhoneNumbers on arn:aws:sms-voice:eu-west-1:111122223333:phone-number/*',
  ],
  CheckImport: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'ConnectRead: connect:DescribePhoneNumber on arn:aws:connect:eu-west-1:111122223333:phone-number/*',
  ],
  AssociateContactFlow: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'ConnectFlow: connect:AssociatePhoneNumberContactFlow on arn:aws:connect:eu-west-1:111122223333:phone-number/* arn:aws:connect:eu-west-1:111122223333:instance/*/contact-flow/*',
  ],
  UndoImport: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'ConnectRelease: connect:ReleasePhoneNumber on arn:aws:connect:eu-west-1:111122223333:phone-number/* if StringEquals aws:ResourceTag/two-way-sms:managed-by=two-way-sms',
    'ConnectDisassociate: connect:DisassociatePhoneNumberContactFlow on arn:aws:connect:eu-west-1:111122223333:phone-number/*',
    'ConnectRead: connect:DescribePhoneNumber,connect:ListPhoneNumbersV2 on arn:aws:connect:eu-west-1:111122223333:phone-number/*',
  ],
  UndoAccess: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'OwnRoleDelete: iam:DeleteRole,iam:DeleteRolePolicy,iam:DetachRolePolicy on arn:aws:iam::111122223333:role/two-way-sms/*',
    'RetainedRolePolicy: iam:PutRolePolicy on arn:aws:iam::111122223333:role/two-way-sms/* if StringEquals iam:PermissionsBoundary=BOUNDARY',
    'SmsRead: sms-voice:DescribePhoneNumbers,sms-voice:DescribePools on *',
    'RoleRead: iam:GetRole,iam:GetRolePolicy,iam:ListRolePolicies,iam:ListAttachedRolePolicies on arn:aws:iam::111122223333:role/two-way-sms/*',
    'ManagedPolicyRead: iam:GetPolicy,iam:GetPolicyVersion on arn:aws:iam::aws:policy/* arn:aws:iam::111122223333:policy/*',
    'TopicPolicyRead: sns:GetTopicAttributes on arn:aws:sns:eu-west-1:111122223333:*',
    'TopicPolicyOwnTopic: sns:SetTopicAttributes on arn:aws:sns:eu-west-1:111122223333:* if StringEquals aws:ResourceTag/two-way-sms:managed-by=two-way-sms',
    'TopicPolicyOptedIn: sns:SetTopicAttributes on arn:aws:sns:eu-west-1:111122223333:* if StringEquals aws:ResourceTag/two-way-sms:allow=true',
    'KeyRead: kms:DescribeKey on arn:aws:kms:eu-west-1:111122223333:key/*',
    'KeyPolicyRead: kms:GetKeyPolicy on arn:aws:kms:eu-west-1:111122223333:key/*',
    'KeyPolicyOptedIn: kms:PutKeyPolicy on arn:aws:kms:eu-west-1:111122223333:key/* if StringEquals aws:ResourceTag/two-way-sms:allow=true and BoolIfExists kms:BypassPolicyLockoutSafetyCheck=false',
    'KeyOptInRead: kms:ListResourceTags on arn:aws:kms:eu-west-1:111122223333:key/*',
  ],
  CheckRestored: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'SmsRead: sms-voice:DescribePhoneNumbers,sms-voice:DescribePools on *',
    ...DELIVERY_READS,
  ],
  UndoTopic: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'TopicDelete: sns:DeleteTopic on arn:aws:sns:eu-west-1:111122223333:* if StringEquals aws:ResourceTag/two-way-sms:managed-by=two-way-sms',
    'TopicRead: sns:ListTagsForResource on arn:aws:sns:eu-west-1:111122223333:*',
  ],
  Api: [
    'TableItems: dynamodb:GetItem,dynamodb:PutItem,dynamodb:UpdateItem,dynamodb:DeleteItem,dynamodb:Query on TABLE',
    'TableIndexes: dynamodb:Query on TABLE/index/gsi1 TABLE/index/gsi2',
    'StartExecutions: states:StartExecution on SM_PROVISION SM_DEPROVISION',
    'ReadAndRedriveExecutions: states:DescribeExecution,states:GetExecutionHistory,states:RedriveExecution on EXEC_PROVISION:* EXEC_DEPROVISION:*',
    'SmsNumberRead: sms-voice:DescribePhoneNumbers,sms-voice:DescribePools on *',
    'DestinationTopicRead: sns:GetTopicAttributes,sns:ListTagsForResource on arn:aws:sns:eu-west-1:111122223333:*',
    'DestinationKeyRead: kms:DescribeKey,kms:GetKeyPolicy,kms:ListResourceTags on arn:aws:kms:eu-west-1:111122223333:key/*',
    'DestinationConnectRead: connect:DescribeInstance on arn:aws:connect:eu-west-1:111122223333:instance/*',
    'DestinationFlowRead: connect:DescribeContactFlow on arn:aws:connect:eu-west-1:111122223333:instance/*/contact-flow/*',
  ],
  Notifier: [
    'ProvisioningRecord: dynamodb:GetItem,dynamodb:UpdateItem on TABLE',
    'LeasesByHolder: dynamodb:Query on TABLE/index/gsi1',
    'LeaseRelease: dynamodb:DeleteItem on TABLE',
  ],
};

const scope = {
  partition: 'aws',
  region: 'eu-west-1',
  account: '111122223333',
  tableArn: 'TABLE',
  stateMachineArns: ['SM_PROVISION', 'SM_DEPROVISION'],
  executionArns: ['EXEC_PROVISION:*', 'EXEC_DEPROVISION:*'],
  boundaryPolicyArn: 'BOUNDARY',
};
const intended = permissions(scope);

describe('permissions (infra/permissions.ts)', () => {
  it.each(Object.keys(EXPECTED).map((p) => [p]))('%s: exactly the listed statements', (principal) => {
    expect(describeStatements(intended[principal as Principal])).toEqual(EXPECTED[principal as Principal]);
  });

  it('cover every function of the stack', () => {
    expect(Object.keys(intended).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('give every statement a reason', () => {
    for (const statements of Object.values(intended)) for (const st of statements) expect(st.why.length).toBeGreaterThan(30);
  });

  it('write IAM roles only under /two-way-sms/', () => {
    const writes = /^iam:(Create|Delete|Put|Update|Tag|Untag|Attach|Detach)/;
    const writing = Object.values(intended)
      .flat()
      .filter((st) => st.actions.some((a) => writes.test(a)));
    expect(writing.length).toBeGreaterThan(0);
    expect([...new Set(writing.flatMap((st) => st.resources))]).toEqual(['arn:aws:iam::111122223333:role/two-way-sms/*']);
  });

  it('pass roles only to End User Messaging SMS', () => {
    const passing = Object.values(intended).flat().filter((st) => st.actions.includes('iam:PassRole'));
    expect(passing.length).toBeGreaterThan(0);
    for (const st of passing) {
      expect(st.actions).toEqual(['iam:PassRole']);
      expect(st.conditions).toEqual({ StringEquals: { 'iam:PassedToService': 'sms-voice.amazonaws.com' } });
    }
  });

  it('touch KMS keys only of this account and region', () => {
    for (const st of Object.values(intended).flat().filter((s) => s.actions.some((a) => a.startsWith('kms:')))) {
      expect(st.resources).toEqual(['arn:aws:kms:eu-west-1:111122223333:key/*']);
    }
  });

  it('let a task tag only with the ownership keys (managed-by this service): no task can opt a resource in, or make one deletable', () => {
    const tagging = Object.values(intended).flat().filter((st) => st.actions.some((a) => /:Tag(Resource|Role)$/.test(a)));
    expect(tagging.length).toBeGreaterThan(0);
    for (const st of tagging) {
      expect(st.actions.every((a) => /:Tag(Resource|Role)$/.test(a))).toBe(true);
      expect(st.conditions).toEqual({
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['two-way-sms:managed-by', 'two-way-sms:provisioning-id', 'two-way-sms:phone-number-id'] },
        StringEquals: { 'aws:RequestTag/two-way-sms:managed-by': 'two-way-sms' },
      });
    }
  });

  it('keep SNS, End User Messaging SMS and Connect to this account and region; "*" only for the reads AWS authorizes against it', () => {
    const all = Object.values(intended).flat();
    // DescribePhoneNumbers/DescribePools without ids are authorized against "*" (their resource type is optional).
    const starred = all.filter((st) => st.resources.includes('*'));
    expect([...new Set(starred.flatMap((st) => st.actions))].sort()).toEqual(['sms-voice:DescribePhoneNumbers', 'sms-voice:DescribePools']);
    const resources = all.flatMap((st) => st.resources);
    const regional = resources.filter((r) => /^arn:aws:(sns|sms-voice|connect|kms):/.test(r));
    expect(regional.filter((r) => !/^arn:aws:[a-z-]+:eu-west-1:111122223333:/.test(r))).toEqual([]);
  });
});

describe('synthesized roles', () => {
  const { json, stack } = synth({ env: TEST_ENV });

  it.each(Object.keys(EXPECTED).map((p) => [p]))('%s: the role policy is its statements, nothing else', (principal) => {
    const fn = stack.functions[principal as Principal];
    const role = json.Resources[stack.getLogicalId(fn.role.node.defaultChild as never)]!.Properties!;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toHaveLength(1);
    expect(role.Policies[0].PolicyDocument).toEqual(stack.resolve(toPolicyDocument(stack.permissions[principal as Principal]).toJSON()));
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }]);
  });

  it.each(Object.keys(EXPECTED).map((p) => [p]))('%s: the CDK-added policy holds only X-Ray, its own log group and (notifier) its dead-letter queue', (principal) => {
    const fn = stack.functions[principal as Principal];
    const roleId = stack.getLogicalId(fn.role.node.defaultChild as never);
    const policies = Object.values(json.Resources).filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties!.Roles) === JSON.stringify([{ Ref: roleId }]));
    const statements = policies.flatMap((p) => p.Properties!.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const logGroupArn = { 'Fn::GetAtt': [stack.getLogicalId(fn.logGroup.node.defaultChild as never), 'Arn'] };
    const described = statements.map((st) => ({ actions: ([] as string[]).concat(st.Action).sort(), resource: st.Resource }));
    const expected: unknown[] = [
      { actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], resource: '*' },
      { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resource: logGroupArn },
    ];
    if (principal === 'Notifier') {
      expected.push({ actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], resource: { 'Fn::GetAtt': [stack.getLogicalId(stack.notifier.deadLetters.node.defaultChild as never), 'Arn'] } });
    }
    expect(described).toEqual(expect.arrayContaining(expected as object[]));
    expect(described).toHaveLength(expected.length);
  });

  it('state machine roles: invoke their tasks only, plus the log delivery and X-Ray calls that have no resource scope', () => {
    for (const w of [stack.workflows.provision, stack.workflows.deprovision]) {
      const roleId = stack.getLogicalId(w.role.node.defaultChild as never);
      const extra = Object.values(json.Resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties!.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap((p) => p.Properties!.PolicyDocument.Statement as { Action: string[]; Resource: unknown }[]);
      expect(extra.map((st) => ({ services: [...new Set(st.Action.map((a) => a.split(':')[0]))], resource: st.Resource }))).toEqual([
        { services: ['logs'], resource: '*' },
        { services: ['xray'], resource: '*' },
      ]);
      expect(extra[0]!.Action.every((a) => /^logs:(Create|Get|Update|Delete|List)LogDeliver(y|ies)$|^logs:(PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)$/.test(a))).toBe(true);
    }
  });
});
