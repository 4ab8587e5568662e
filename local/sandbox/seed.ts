import { OPT_IN_TAG_KEY, OPT_IN_TAG_VALUE } from '../../tasks/lib/opt-in';
import { snsDestinationRolePolicy, twoWayTrustPolicy } from '../../tasks/lib/policy';
import type { CallContext } from './core/types';
import { addInstance } from './services/connect';
import { addRole } from './services/iam';
import { addAlias, addKey } from './services/kms';
import { addPhoneNumber, addPool, TWO_WAY_COUNTRIES } from './services/sms-voice';
import { addTopic } from './services/sns';
import type { SandboxState } from './state';

/**
 * The demo resources created on first start, one for every case a user may want to try. Their names are a
 * contract with local/README.md and the examples `npm start` prints; numbers are addressed by E.164.
 */
export const DEMO = {
  numbers: {
    longCode: '+12065550100',
    tenDlc: '+12065550101',
    simulator: '+12065550102',
    pooled: '+12065550103',
    pending: '+12065550104',
    noTwoWayCountry: '+4915110000001',
  },
  keys: { symmetric: 'alias/two-way-demo', asymmetric: 'alias/two-way-demo-asymmetric' },
  topics: { standard: 'two-way-demo-inbound', fifo: 'two-way-demo-inbound.fifo', encrypted: 'two-way-demo-encrypted' },
  connectInstanceAlias: 'two-way-demo',
  roles: { correct: 'TwoWaySmsDemoRole', missingPublish: 'TwoWaySmsDemoRoleMissingPublish' },
} as const;

const demoTag = { Key: 'sandbox:demo', Value: 'true' };
/**
 * The demo topics and keys are opted in to changes by the service (tasks/lib/opt-in.ts), as an account owner
 * would do for resources they want two-way SMS to use; a topic or key created without the tag gets the 403.
 */
const optInKeyTag = { TagKey: OPT_IN_TAG_KEY, TagValue: OPT_IN_TAG_VALUE };

/** Seeds an empty state. Seeded roles are backdated so that IAM propagation never delays the demo. */
export function seedDemoResources(state: SandboxState, ctx: CallContext): void {
  const c: CallContext = { ...ctx, state };
  const n = DEMO.numbers;
  addPhoneNumber(c, { PhoneNumber: n.longCode, IsoCountryCode: 'US', NumberType: 'LONG_CODE', NumberCapabilities: ['SMS', 'VOICE'], Tags: { 'sandbox:demo': 'active-long-code' } });
  addPhoneNumber(c, { PhoneNumber: n.tenDlc, IsoCountryCode: 'US', NumberType: 'TEN_DLC', NumberCapabilities: ['SMS'], Tags: { 'sandbox:demo': '10dlc' } });
  addPhoneNumber(c, { PhoneNumber: n.simulator, IsoCountryCode: 'US', NumberType: 'SIMULATOR', NumberCapabilities: ['SMS'], Tags: { 'sandbox:demo': 'simulator' } });
  const pooled = addPhoneNumber(c, { PhoneNumber: n.pooled, IsoCountryCode: 'US', NumberType: 'LONG_CODE', NumberCapabilities: ['SMS'], Tags: { 'sandbox:demo': 'pooled' } });
  addPool(c, { PhoneNumberIds: [pooled.PhoneNumberId], Tags: { 'sandbox:demo': 'pool' } });
  addPhoneNumber(c, { PhoneNumber: n.pending, IsoCountryCode: 'US', NumberType: 'TOLL_FREE', NumberCapabilities: ['SMS'], Status: 'PENDING', Tags: { 'sandbox:demo': 'pending' } });
  if (TWO_WAY_COUNTRIES.includes('DE')) throw new Error('seed: DE was meant to be a country without two-way SMS');
  addPhoneNumber(c, { PhoneNumber: n.noTwoWayCountry, IsoCountryCode: 'DE', NumberType: 'LONG_CODE', NumberCapabilities: ['SMS'], Tags: { 'sandbox:demo': 'no-two-way-country' } });

  const symmetric = addKey(c, { Description: 'Demo customer managed key for encrypted two-way topics', Tags: [{ TagKey: 'sandbox:demo', TagValue: 'true' }, optInKeyTag] });
  addAlias(c, DEMO.keys.symmetric, symmetric.KeyId);
  const asymmetric = addKey(c, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT', Description: 'Demo asymmetric key (SNS cannot use it)', Tags: [{ TagKey: 'sandbox:demo', TagValue: 'true' }, optInKeyTag] });
  addAlias(c, DEMO.keys.asymmetric, asymmetric.KeyId);

  const standard = addTopic(c, { Name: DEMO.topics.standard, Tags: { 'sandbox:demo': 'true', [OPT_IN_TAG_KEY]: OPT_IN_TAG_VALUE } });
  addTopic(c, { Name: DEMO.topics.fifo, Attributes: { FifoTopic: 'true' }, Tags: { 'sandbox:demo': 'true', [OPT_IN_TAG_KEY]: OPT_IN_TAG_VALUE } });
  addTopic(c, { Name: DEMO.topics.encrypted, Attributes: { KmsMasterKeyId: DEMO.keys.symmetric }, Tags: { 'sandbox:demo': 'true', [OPT_IN_TAG_KEY]: OPT_IN_TAG_VALUE } });

  addInstance(c, { InstanceAlias: DEMO.connectInstanceAlias, Tags: { 'sandbox:demo': 'true' } });

  const backdated = new Date(ctx.now.getTime() - 24 * 3600 * 1000).toISOString();
  const trust = JSON.stringify(twoWayTrustPolicy({ accountId: ctx.accountId }));
  addRole(c, {
    RoleName: DEMO.roles.correct,
    AssumeRolePolicyDocument: trust,
    Description: 'Demo two-way role that may publish to the demo inbound topic',
    Tags: [demoTag],
    InlinePolicies: { 'two-way-sns': JSON.stringify(snsDestinationRolePolicy({ accountId: ctx.accountId, topicArn: standard.TopicArn })) },
    CreateDate: backdated,
  });
  addRole(c, {
    RoleName: DEMO.roles.missingPublish,
    AssumeRolePolicyDocument: trust,
    Description: 'Demo two-way role that lacks sns:Publish (inbound messages would be dropped)',
    Tags: [demoTag],
    CreateDate: backdated,
  });
}
