import { DEMO } from '../../local/sandbox/seed';
import { awsCli } from '../support/sandbox';
import { destinations, startTestRuntime, type TestRuntime } from '../support/runtime';

/**
 * The AWS CLI against the local Step Functions service of the running service: after provisionings made through
 * the REST API, `aws stepfunctions` lists, describes and prints the history of their executions, as it would
 * on AWS.
 */

let env: TestRuntime;
let succeeded: { id: string; executionArn: string };
let rolledBack: { id: string; executionArn: string };
let provisionArn: string;

const FORWARD_TASKS = ['AcquireLock', 'ValidateNumber', 'EnsureTopic', 'EnsureAccess', 'MergeKeyPolicy', 'Preflight', 'EnableTwoWay', 'Verify', 'ReleaseLock'];

beforeAll(async () => {
  env = await startTestRuntime();
  provisionArn = env.rt.stateMachines.provision;
  succeeded = await env.api.provision({ phoneNumberId: DEMO.numbers.longCode, destination: destinations.snsNewTopicNewRole('cli-inbound') });
  const fresh = await env.edge.newNumber();
  rolledBack = await env.api.provision({ phoneNumberId: fresh.id, destination: destinations.snsFifoTopicPolicy() });
  const ends = [await env.api.waitForEnd(succeeded.id), await env.api.waitForEnd(rolledBack.id)].map((p) => p.status);
  if (ends.join() !== 'SUCCEEDED,ROLLED_BACK') throw new Error(`the provisionings the CLI reads ended ${ends.join(', ')}, not SUCCEEDED, ROLLED_BACK`);
}, 60_000);

afterAll(async () => {
  await env?.stop();
});

describe('aws stepfunctions against the local service', () => {
  it('list-executions lists both provisionings of provision-two-way, newest first, with their statuses', async () => {
    const out = await awsCli(env.rt.edgeUrl, ['stepfunctions', 'list-executions', '--state-machine-arn', provisionArn]);

    expect(out.code).toBe(0);
    expect(provisionArn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:provision-two-way');
    expect(out.json.executions.map((e: any) => [e.name, e.status, e.executionArn, e.stateMachineArn])).toEqual([
      [rolledBack.id, 'FAILED', rolledBack.executionArn, provisionArn],
      [succeeded.id, 'SUCCEEDED', succeeded.executionArn, provisionArn],
    ]);
  });

  it('list-executions --status-filter SUCCEEDED lists only the succeeded one; the deprovision machine has none', async () => {
    const [ok, none] = await Promise.all([
      awsCli(env.rt.edgeUrl, ['stepfunctions', 'list-executions', '--state-machine-arn', provisionArn, '--status-filter', 'SUCCEEDED']),
      awsCli(env.rt.edgeUrl, ['stepfunctions', 'list-executions', '--state-machine-arn', env.rt.stateMachines.deprovision]),
    ]);

    expect(ok.json.executions.map((e: any) => e.name)).toEqual([succeeded.id]);
    expect(none.code).toBe(0);
    expect(none.json.executions).toEqual([]);
  });

  it('describe-execution shows the status, the input the API started it with, and the output', async () => {
    const out = await awsCli(env.rt.edgeUrl, ['stepfunctions', 'describe-execution', '--execution-arn', succeeded.executionArn]);

    expect(out.code).toBe(0);
    expect(out.json).toMatchObject({ executionArn: succeeded.executionArn, stateMachineArn: provisionArn, name: succeeded.id, status: 'SUCCEEDED' });
    expect(JSON.parse(out.json.input)).toEqual({
      provisioningId: succeeded.id,
      phoneNumberId: expect.stringMatching(/^phone-/),
      destination: destinations.snsNewTopicNewRole('cli-inbound'),
      requestedBy: 'local:token',
    });
    expect(JSON.parse(out.json.output).results.enable).toEqual({
      changed: true,
      desired: { enabled: true, channelArn: 'arn:aws:sns:us-east-1:123456789012:cli-inbound', channelRole: expect.stringMatching(/^arn:aws:iam::123456789012:role\/two-way-sms\//) },
    });
    expect(out.json.stopDate).toBeGreaterThanOrEqual(out.json.startDate);
  });

  it('describe-execution of the rolled-back one shows FAILED with the RolledBack error', async () => {
    const out = await awsCli(env.rt.edgeUrl, ['stepfunctions', 'describe-execution', '--execution-arn', rolledBack.executionArn]);

    expect(out.code).toBe(0);
    expect(out.json).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    expect(out.json.cause).toContain('DestinationNotUsable');
  });

  it('get-execution-history prints the AWS event sequence: every task state entered, its Lambda invoked and exited, in order', async () => {
    const out = await awsCli(env.rt.edgeUrl, ['stepfunctions', 'get-execution-history', '--execution-arn', succeeded.executionArn]);

    expect(out.code).toBe(0);
    const events: any[] = out.json.events;
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types.filter((t) => t.endsWith('Failed'))).toEqual([]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    const entered = events.filter((e) => e.type === 'TaskStateEntered').map((e) => e.stateEnteredEventDetails.name);
    expect(entered).toEqual(FORWARD_TASKS);
    // Each task state: entered → LambdaFunctionScheduled → Started → Succeeded → exited.
    for (const name of FORWARD_TASKS) {
      const at = events.findIndex((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails.name === name);
      expect(types.slice(at, at + 5)).toEqual(['TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited']);
      expect(events[at + 1].lambdaFunctionScheduledEventDetails.resource).toMatch(/^arn:aws:lambda:us-east-1:123456789012:function:/);
      expect(events[at + 4].stateExitedEventDetails.name).toBe(name);
    }
    expect(types).toEqual(expect.arrayContaining(['PassStateEntered', 'ChoiceStateEntered', 'SucceedStateEntered']));
  });

  it('get-execution-history of the rolled-back one shows the failed task and the compensations, ending ExecutionFailed', async () => {
    const [out, all] = await Promise.all([
      awsCli(env.rt.edgeUrl, ['stepfunctions', 'get-execution-history', '--execution-arn', rolledBack.executionArn, '--reverse-order', '--max-items', '1']),
      awsCli(env.rt.edgeUrl, ['stepfunctions', 'get-execution-history', '--execution-arn', rolledBack.executionArn]),
    ]);

    expect(out.json.events).toEqual([expect.objectContaining({ type: 'ExecutionFailed', executionFailedEventDetails: expect.objectContaining({ error: 'RolledBack' }) })]);
    const events: any[] = all.json.events;
    const failed = events.find((e) => e.type === 'LambdaFunctionFailed');
    expect(failed.lambdaFunctionFailedEventDetails).toMatchObject({ error: 'DestinationNotUsable', cause: expect.stringContaining('FIFO') });
    const entered = events.filter((e) => /StateEntered$/.test(e.type)).map((e) => e.stateEnteredEventDetails.name);
    expect(entered.slice(entered.indexOf('Rollback'))).toEqual(['Rollback', 'UndoImport', 'UndoTwoWay', 'UndoKeyPolicy', 'UndoAccess', 'UndoTopic', 'CheckRestored', 'ReleaseLockAfterRollback', 'SummarizeRollback', 'RolledBack']);
  });

  it('the REST API history of a provisioning is the same history the CLI prints', async () => {
    const cli = await awsCli(env.rt.edgeUrl, ['stepfunctions', 'get-execution-history', '--execution-arn', succeeded.executionArn]);
    const api = await env.api.call('GET', `/v1/provisionings/${succeeded.id}/history`);

    expect(api.status).toBe(200);
    const apiEvents: any[] = api.body.events;
    expect(apiEvents.map((e) => [e.id, e.type])).toEqual(cli.json.events.map((e: any) => [e.id, e.type]));
  });
});
