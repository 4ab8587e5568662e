import { CreateKeyCommand, DescribeKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { DEMO } from '../../local/sandbox/seed';
import { sandboxSnapshot, startWorkflowEnv, type WorkflowEnv } from '../support/workflow';
import {
  connectDestination,
  freshState,
  mutatingSince,
  numberOf,
  originalError,
  provision,
  ROLLBACK_STATES,
  roleArn,
  sns,
  topicArn,
  unique,
  type ProvisionInput,
  type RunResult,
} from './support/harness';

/**
 * Every validation failure ends the execution RolledBack with its own clear error (the name the ASL matches, a
 * message naming the problem), having made no mutating AWS call and leaving the sandbox as it was.
 */

let env: WorkflowEnv;
beforeAll(async () => {
  env = await startWorkflowEnv();
  await freshState(env);
});
afterAll(async () => {
  await env.stop();
});

const HEAD = ['Start', 'AcquireLock', 'ValidateNumber', 'RouteByDestination'];

/** Runs a request that must be refused; checks the rollback shape, the call log and the snapshot. */
async function refused(request: ProvisionInput, failedAt: string, opts: { lockHeldBy?: string } = {}): Promise<{ run: RunResult; error: { name: string; message: string } }> {
  const before = sandboxSnapshot(env);
  const since = await env.lastSeq();
  const run = await env.run('provision', request);
  const error = originalError(run);
  expect(await mutatingSince(env, since)).toEqual([]);
  expect(sandboxSnapshot(env)).toEqual(before);
  const at = run.states.indexOf(failedAt);
  expect(at).toBeGreaterThan(0);
  expect(run.states.slice(at + 1)).toEqual(ROLLBACK_STATES);
  // The number's lease is released, or left to whoever else holds it.
  const holder = await env.deps.locks.get(numberOf(env, request.phoneNumberId!).PhoneNumberId);
  if (opts.lockHeldBy) expect(holder).toMatchObject({ owner: opts.lockHeldBy });
  else expect(holder).toBeUndefined();
  return { run, error };
}

const onLongCode = (destination: Record<string, unknown>): ProvisionInput => provision({ phoneNumberId: DEMO.numbers.longCode }, destination);
/** The demo topic through the demo role: a destination nothing is wrong with. */
const onNumber = (phoneNumberId: string): ProvisionInput => provision({ phoneNumberId }, sns.existingTopicRole(topicArn(DEMO.topics.standard), roleArn(DEMO.roles.correct)));

describe('validation failures change nothing', () => {
  it('refuses a FIFO topic given by ARN (DestinationNotUsable naming the topic)', async () => {
    const fifo = topicArn(DEMO.topics.fifo);
    const { run, error } = await refused(onLongCode(sns.existingTopicRole(fifo, roleArn(DEMO.roles.correct))), 'EnsureTopic');
    expect(run.states).toEqual([...HEAD, 'EnsureTopic', ...ROLLBACK_STATES]);
    expect(error.name).toBe('DestinationNotUsable');
    expect(error.message).toContain(fifo);
    expect(error.message).toMatch(/FIFO topic.*standard topics/);
  });

  it('refuses a FIFO topic name to create (DestinationNotUsable naming the field)', async () => {
    const { error } = await refused(onLongCode(sns.newTopicPolicy(`${unique('wf-fifo')}.fifo`)), 'EnsureTopic');
    expect(error.name).toBe('DestinationNotUsable');
    expect(error.message).toMatch(/^destination\.topic\.create\.name: .*FIFO topic name/);
  });

  it('refuses an asymmetric key (DestinationNotUsable: SNS needs a symmetric key)', async () => {
    const { error } = await refused(onLongCode(sns.newTopicPolicy(unique('wf-asym'), DEMO.keys.asymmetric)), 'EnsureTopic');
    expect(error.name).toBe('DestinationNotUsable');
    expect(error.message).toContain('destination.topic.create.kmsKeyId');
    expect(error.message).toContain(DEMO.keys.asymmetric);
    expect(error.message).toMatch(/asymmetric .*SNS needs a symmetric key/);
  });

  it('refuses a disabled key (DestinationNotUsable: the key is Disabled)', async () => {
    const key = (await env.deps.kms.send(new CreateKeyCommand({ Description: 'workflow test: disabled' }))).KeyMetadata!.Arn!;
    await env.deps.kms.send(new DisableKeyCommand({ KeyId: key }));
    const { error } = await refused(onLongCode(sns.newTopicPolicy(unique('wf-disabled'), key)), 'EnsureTopic');
    expect(error.name).toBe('DestinationNotUsable');
    expect(error.message).toContain(key);
    expect(error.message).toMatch(/is Disabled; SNS can encrypt only with an Enabled key/);
  });

  it('refuses the AWS-managed key alias/aws/sns on the topic-policy (no-role) path', async () => {
    // KMS creates the AWS managed key on the alias's first use (as AWS does); let that happen before the snapshot.
    await env.deps.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/sns' }));
    const { error } = await refused(onLongCode(sns.newTopicPolicy(unique('wf-awssns'), 'alias/aws/sns')), 'EnsureTopic');
    expect(error.name).toBe('DestinationNotUsable');
    expect(error.message).toContain('destination.topic.create.kmsKeyId');
    expect(error.message).toMatch(/aws\/sns/);
  });

  it('refuses a PENDING number (NumberNotEligible: enable once ACTIVE)', async () => {
    const { run, error } = await refused(provision({ phoneNumberId: DEMO.numbers.pending }, sns.existingTopicRole(topicArn(DEMO.topics.standard), roleArn(DEMO.roles.correct))), 'ValidateNumber');
    expect(run.states).toEqual(['Start', 'AcquireLock', 'ValidateNumber', ...ROLLBACK_STATES]);
    expect(error.name).toBe('NumberNotEligible');
    expect(error.message).toContain(DEMO.numbers.pending);
    expect(error.message).toMatch(/is PENDING/);
  });

  it('refuses a SIMULATOR number with a Connect destination (NumberNotEligible)', async () => {
    const { error } = await refused(provision({ phoneNumberId: DEMO.numbers.simulator }, connectDestination(env)), 'ValidateNumber');
    expect(error.name).toBe('NumberNotEligible');
    expect(error.message).toContain(DEMO.numbers.simulator);
    expect(error.message).toMatch(/SIMULATOR number.*Amazon Connect/);
  });

  it('refuses a topic in another region (DestinationNotUsable naming both regions)', async () => {
    const west = `arn:aws:sns:us-west-2:123456789012:${DEMO.topics.standard}`;
    const { error } = await refused(onLongCode(sns.existingTopicRole(west, roleArn(DEMO.roles.correct))), 'ValidateNumber');
    expect(error.name).toBe('DestinationNotUsable');
    expect(error.message).toContain(west);
    expect(error.message).toMatch(/us-west-2.*us-east-1/);
  });

  it('refuses to adopt a same-name topic this service did not create (ForeignResourceExists)', async () => {
    const name = unique('wf-foreign');
    const arn = (await env.deps.sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
    const { error } = await refused(onLongCode(sns.newTopicNewRole(name)), 'EnsureTopic');
    expect(error.name).toBe('ForeignResourceExists');
    expect(error.message).toContain(arn);
    expect(error.message).toMatch(/not created by this service; it is never adopted/);
  });

  it('refuses an existing role that lacks sns:Publish, saying what is missing (DestinationNotUsable)', async () => {
    const role = roleArn(DEMO.roles.missingPublish);
    const { run, error } = await refused(onLongCode(sns.existingTopicRole(topicArn(DEMO.topics.standard), role)), 'EnsureAccess');
    expect(run.states).toEqual([...HEAD, 'EnsureTopic', 'EnsureAccess', ...ROLLBACK_STATES]);
    expect(error.name).toBe('DestinationNotUsable');
    expect(error.message).toContain(role);
    expect(error.message).toContain('sns:Publish');
  });

  it('refuses a busy number at once (NumberBusy), leaving the other holder its lock', async () => {
    const number = numberOf(env, DEMO.numbers.tenDlc);
    await env.deps.locks.acquire(number.PhoneNumberId, 'someone-else', 60_000);
    try {
      const { run, error } = await refused(provision({ phoneNumberId: DEMO.numbers.tenDlc }, sns.existingTopicRole(topicArn(DEMO.topics.standard), roleArn(DEMO.roles.correct))), 'AcquireLock', { lockHeldBy: 'someone-else' });
      expect(run.states).toEqual(['Start', 'AcquireLock', ...ROLLBACK_STATES]);
      expect(error.name).toBe('NumberBusy');
      expect(error.message).toContain(number.PhoneNumberId);
    } finally {
      await env.deps.locks.release(number.PhoneNumberId, 'someone-else');
    }
  });

  it('refuses a pooled number given by itself, saying to provision its pool (NumberNotEligible)', async () => {
    const { error } = await refused(onNumber(DEMO.numbers.pooled), 'ValidateNumber');
    expect(error.name).toBe('NumberNotEligible');
    expect(error.message).toMatch(/belongs to pool pool-\w+.*provision the pool instead/);
  });
});

describe('refusals that only AWS can make, and deprovisioning what was never provisioned', () => {
  it('rolls back a number in a country without two-way when UpdatePhoneNumber refuses it (NumberNotEligible)', async () => {
    const before = sandboxSnapshot(env);
    const since = await env.lastSeq();
    const run = await env.run('provision', onNumber(DEMO.numbers.noTwoWayCountry));

    const error = originalError(run);
    expect(error.name).toBe('NumberNotEligible');
    expect(error.message).toContain('TWO_WAY_NOT_SUPPORTED_IN_COUNTRY');
    expect(run.states.slice(run.states.indexOf('EnableTwoWay') + 1)).toEqual(ROLLBACK_STATES);
    // The one mutating call is the update AWS refused.
    expect((await env.calls(since)).filter((c) => c.mutating).map((c) => `${c.operation} ${c.status}`)).toEqual(['UpdatePhoneNumber 400']);
    expect(sandboxSnapshot(env)).toEqual(before);
  });

  it('ends a deprovisioning of a number this service never provisioned with NotProvisioned, changing nothing', async () => {
    const before = sandboxSnapshot(env);
    const since = await env.lastSeq();
    const run = await env.run('deprovision', { provisioningId: unique('deprov'), phoneNumberId: DEMO.numbers.simulator, requestedBy: 'workflow-test@example.com' });

    const error = originalError(run);
    expect(error.name).toBe('NotProvisioned');
    expect(error.message).toContain(DEMO.numbers.simulator);
    expect(run.states).toEqual(['Start', 'AcquireLock', 'FindProvisioning', 'ReleaseLockAfterFailure', 'SummarizeFailure', 'NothingChanged']);
    expect(await mutatingSince(env, since)).toEqual([]);
    expect(sandboxSnapshot(env)).toEqual(before);
    expect(await env.deps.locks.get(numberOf(env, DEMO.numbers.simulator).PhoneNumberId)).toBeUndefined();
  });
});
