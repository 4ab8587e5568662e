import { DescribeExecutionCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { outcomeOf } from '../../api/execution';
import { DEMO } from '../../local/sandbox/seed';
import { TASKS } from '../../tasks';
import { acquireLock } from '../../tasks/acquire-lock/acquire-lock';
import type { TaskDeps, TaskEvent } from '../../tasks/lib/context';
import { AwsThrottled } from '../../tasks/lib/errors';
import { LockStore } from '../../tasks/lib/store/lock';
import { notify, provisioningStatusOf } from '../../tasks/notifier/notifier';
import { control } from '../support/sandbox';
import { startTestRuntime, type TestRuntime } from '../support/runtime';
import { sandboxSnapshot, startWorkflowEnv, type WorkflowEnv } from '../support/workflow';
import { freshState, mutatingSince, numberOf, originalError, provision, resultsOf, runWith, sns, topicArn, unique } from './support/harness';
import { SNS_STATES } from './support/paths';

/**
 * How executions end when something other than a provisioning step goes wrong (issue 8, section 3): an invalid
 * request started directly, an unknown destination type, a lease that cannot be released on the success path,
 * and an execution stopped mid-way, whose lease the completion notifier releases and whose end it records.
 */

const NOTHING_CHANGED = ['ReleaseLockAfterFailure', 'SummarizeFailure', 'NothingChanged'];

describe('ends of the provision state machine', () => {
  let env: WorkflowEnv;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });
  beforeEach(async () => {
    await freshState(env);
  });

  it('ends an invalid request started directly with InvalidInput and nothing changed, not a failed rollback', async () => {
    const before = sandboxSnapshot(env);
    const since = await env.lastSeq();

    const run = await env.run('provision', provision({ phoneNumberId: DEMO.numbers.longCode }, { type: 'email', to: 'ops@example.com' }));

    expect(run.states).toEqual(['Start', 'AcquireLock', ...NOTHING_CHANGED]);
    expect(run.error).toBe('RolledBack');
    const error = originalError(run);
    expect(error.name).toBe('InvalidInput');
    expect(error.message).toContain('destination');
    expect(await mutatingSince(env, since)).toEqual([]);
    expect(sandboxSnapshot(env)).toEqual(before);
    // The API and the notifier read it as a clean end with the request's error, not ROLLBACK_FAILED.
    expect(outcomeOf({ status: 'FAILED', error: run.error, cause: JSON.stringify({ Error: error.name, Cause: error.message }) })).toMatchObject({ status: 'ROLLED_BACK', error: { name: 'InvalidInput' } });
    expect(provisioningStatusOf({ status: 'FAILED', error: run.error })).toBe('ROLLED_BACK');
  });

  it("ends RouteByDestination's Default with the InvalidInput error it sets, releasing the lease, with nothing changed", async () => {
    // AcquireLock refuses an unknown destination type, so the Default is reached only by a request that got past
    // it: here, an execution resumed at the Choice with the lease already taken.
    const request = provision({ phoneNumberId: DEMO.numbers.longCode }, sns.existingTopicPolicy(topicArn(DEMO.topics.standard)));
    const executionArn = `arn:aws:states:us-east-1:123456789012:execution:provision-two-way:${unique('route')}`;
    const lock = await acquireLock({ request, results: {}, executionArn, state: 'AcquireLock' }, env.deps);
    const before = sandboxSnapshot(env);
    const since = await env.lastSeq();

    const run = await env.run('provision', undefined, {
      executionArn,
      startAt: { name: 'RouteByDestination', input: { request: { ...request, destination: { type: 'webhook' } }, results: { lock } } },
    });

    expect(run.states).toEqual(['RouteByDestination', 'UnknownDestination', ...NOTHING_CHANGED]);
    expect(run.error).toBe('RolledBack');
    expect(originalError(run)).toEqual({ name: 'InvalidInput', message: 'destination.type must be sns or connect; nothing was changed' });
    expect(await env.deps.locks.get(lock.targetId)).toBeUndefined();
    expect(await mutatingSince(env, since)).toEqual([]);
    expect(sandboxSnapshot(env)).toEqual(before);
  });

  it('still ends a finished provisioning SUCCEEDED when ReleaseLock fails, with the error recorded and the lease left to the notifier', async () => {
    let failures = 0;
    const tasks = {
      ...TASKS,
      // The success-path ReleaseLock keeps failing as DynamoDB would under sustained throttling.
      ReleaseLock: async (event: TaskEvent, deps: TaskDeps) => {
        if (event.state !== 'ReleaseLock') return TASKS.ReleaseLock(event, deps);
        failures += 1;
        throw new AwsThrottled('dynamodb:DeleteItem: throttled by AWS (ProvisionedThroughputExceededException)');
      },
    };
    const run = await runWith(env, 'provision', provision({ phoneNumberId: DEMO.numbers.longCode }, sns.existingTopicPolicy(topicArn(DEMO.topics.standard))), { tasks });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toEqual([...SNS_STATES.slice(0, -1), 'LockReleaseFailed', 'Provisioned']);
    expect(failures).toBe(7);
    expect((run.output as { lockReleaseError: { Error: string } }).lockReleaseError.Error).toBe('AwsThrottled');
    const { targetId } = resultsOf(run).lock;
    expect(await env.deps.locks.get(targetId)).toMatchObject({ owner: run.executionArn });
    expect(numberOf(env, DEMO.numbers.longCode).TwoWayEnabled).toBe(true);

    // The completion notifier then releases the lease the execution could not release.
    await notify(
      {
        source: 'aws.states',
        'detail-type': 'Step Functions Execution Status Change',
        detail: { executionArn: run.executionArn, stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:provision-two-way', name: 'x', status: 'SUCCEEDED' },
      },
      { db: notifierDb(env), tableName: env.deps.config.tableName, hooks: [], log: { info: () => undefined, warn: () => undefined }, count: () => undefined, clock: () => new Date() },
    );
    expect(await env.deps.locks.get(targetId)).toBeUndefined();
  });
});

function notifierDb(env: WorkflowEnv) {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: env.dynamo.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }));
}

describe('a stopped execution (local runtime: engine, completion hook, notifier)', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('is recorded ABORTED by the notifier, which releases the lease it held', async () => {
    // A new role that stays "not yet accessible": EnableTwoWay keeps retrying (2 s and more between attempts).
    const settings = await control(t.rt.edgeUrl, 'PUT', '/_sandbox/settings', { iamPropagationDelayMs: 600_000 });
    expect(settings.status).toBe(200);
    const { id, executionArn } = await t.api.provision({ phoneNumberId: DEMO.numbers.longCode, destination: sns.existingTopicNewRole(topicArn(DEMO.topics.standard)) });
    const sfn = new SFNClient({ endpoint: t.rt.edgeUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const locks = new LockStore(DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: t.rt.dynamo.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })), 'two-way-sms');
    const numberId = Object.values(t.rt.sandbox.state.smsVoice.phoneNumbers).find((n) => n.PhoneNumber === DEMO.numbers.longCode)!.PhoneNumberId;
    await until(async () => (await locks.get(numberId))?.owner === executionArn && (await t.edge.calls()).some((c) => c.operation === 'UpdatePhoneNumber'));

    await sfn.send(new StopExecutionCommand({ executionArn, error: 'OperatorStop', cause: 'stopped by the operability test' }));

    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('ABORTED');
    const ended = await t.api.waitForEnd(id);
    expect(ended.status).toBe('ABORTED');
    await until(async () => (await locks.get(numberId)) === undefined);
    // The number is free again: a new provisioning of it is accepted (409 while a lease is held).
    await control(t.rt.edgeUrl, 'PUT', '/_sandbox/settings', { iamPropagationDelayMs: 0 });
    const again = await t.api.call('POST', '/v1/provisionings', { phoneNumberId: DEMO.numbers.longCode, destination: sns.existingTopicPolicy(topicArn(DEMO.topics.standard)) });
    expect(again.status).toBe(202);
    expect((await t.api.waitForEnd(again.body.id)).status).toBe('SUCCEEDED');
  });
});

describe('redriving a stopped execution', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('takes the number lease back first: refused (409) while another execution holds it, then resumes holding it', async () => {
    const sfn = new SFNClient({ endpoint: t.rt.edgeUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const locks = new LockStore(DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: t.rt.dynamo.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })), 'two-way-sms');
    const numberId = Object.values(t.rt.sandbox.state.smsVoice.phoneNumbers).find((n) => n.PhoneNumber === DEMO.numbers.tenDlc)!.PhoneNumberId;
    const stuck = async () => {
      // A new role that stays "not yet accessible" keeps EnableTwoWay retrying, with the lease held.
      await control(t.rt.edgeUrl, 'PUT', '/_sandbox/settings', { iamPropagationDelayMs: 600_000 });
      const started = await t.api.provision({ phoneNumberId: DEMO.numbers.tenDlc, destination: sns.existingTopicNewRole(topicArn(DEMO.topics.standard)) });
      await until(async () => (await locks.get(numberId))?.owner === started.executionArn);
      return started;
    };
    const first = await stuck();
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    expect((await t.api.waitForEnd(first.id)).status).toBe('ABORTED');
    await until(async () => (await locks.get(numberId)) === undefined);
    const second = await stuck();

    const refused = await t.api.call('POST', `/v1/provisionings/${first.id}/redrive`);

    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('urn:two-way-sms:problem:number-busy');
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }))).status).toBe('ABORTED');
    expect((await locks.get(numberId))?.owner).toBe(second.executionArn);

    await sfn.send(new StopExecutionCommand({ executionArn: second.executionArn }));
    await until(async () => (await locks.get(numberId)) === undefined);
    await control(t.rt.edgeUrl, 'PUT', '/_sandbox/settings', { iamPropagationDelayMs: 0 });
    const redriven = await t.api.call('POST', `/v1/provisionings/${first.id}/redrive`);
    expect(redriven.status).toBe(202);
    expect((await t.api.waitForEnd(first.id)).status).toBe('SUCCEEDED');
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
