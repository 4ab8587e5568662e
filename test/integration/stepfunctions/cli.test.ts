import { awsCli } from '../../support/sandbox';
import { ACCOUNT, REGION, namedError, startStatesEnv, task, type StatesEnv } from './fixtures';

describe('local Step Functions through the AWS CLI', () => {
  let env: StatesEnv;
  let sm: string;
  let succeeded: string;
  let failed: string;

  beforeAll(async () => {
    env = await startStatesEnv();
    sm = await env.machine('cli', { StartAt: 'A', States: { A: task('A', 'Step', { Next: 'B' }), B: task('B', 'Toggle', { End: true }) } });
    succeeded = await env.start(sm, { n: 1 }, 'cli-ok');
    await env.finished(succeeded);
    env.tasks.toggleError = namedError('AwsTransientError', 'try later');
    failed = await env.start(sm, { n: 2 }, 'cli-failed');
    await env.finished(failed);
    env.tasks.toggleError = undefined;
  }, 60_000);
  afterAll(async () => {
    await env.stop();
  });

  it('lists executions with aws stepfunctions list-executions', async () => {
    const out = await awsCli(env.sb.url, ['stepfunctions', 'list-executions', '--state-machine-arn', sm]);

    expect(out.code).toBe(0);
    expect(out.json.executions.map((e: { name: string; status: string }) => [e.name, e.status])).toEqual([
      ['cli-failed', 'FAILED'],
      ['cli-ok', 'SUCCEEDED'],
    ]);
    expect(out.json.executions[0].executionArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:cli:cli-failed`);
  });

  it('filters executions with --status-filter', async () => {
    const out = await awsCli(env.sb.url, ['stepfunctions', 'list-executions', '--state-machine-arn', sm, '--status-filter', 'SUCCEEDED']);

    expect(out.code).toBe(0);
    expect(out.json.executions.map((e: { executionArn: string }) => e.executionArn)).toEqual([succeeded]);
  });

  it('describes an execution with aws stepfunctions describe-execution', async () => {
    const out = await awsCli(env.sb.url, ['stepfunctions', 'describe-execution', '--execution-arn', failed]);

    expect(out.code).toBe(0);
    expect(out.json).toMatchObject({
      executionArn: failed,
      stateMachineArn: sm,
      name: 'cli-failed',
      status: 'FAILED',
      input: '{"n":2}',
      error: 'AwsTransientError',
      cause: JSON.stringify({ errorType: 'AwsTransientError', errorMessage: 'try later' }),
      redriveCount: 0,
      redriveStatus: 'REDRIVABLE',
    });
    // AWS CLI v1 prints awsJson timestamps as the epoch seconds it received.
    expect(out.json.startDate).toBeGreaterThan(Date.now() / 1000 - 300);
    expect(out.json.stopDate).toBeGreaterThanOrEqual(out.json.startDate);
  });

  it('prints the history with aws stepfunctions get-execution-history', async () => {
    const out = await awsCli(env.sb.url, ['stepfunctions', 'get-execution-history', '--execution-arn', succeeded]);

    expect(out.code).toBe(0);
    expect(out.json.events.map((e: { type: string }) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(out.json.events[1]).toMatchObject({ id: 2, previousEventId: 0, stateEnteredEventDetails: { name: 'A' } });
  });

  it('pages the history in reverse with --max-items', async () => {
    const out = await awsCli(env.sb.url, ['stepfunctions', 'get-execution-history', '--execution-arn', failed, '--reverse-order', '--max-items', '2']);

    expect(out.code).toBe(0);
    expect(out.json.events.map((e: { type: string }) => e.type)).toEqual(['ExecutionFailed', 'LambdaFunctionFailed']);
    expect(out.json.NextToken).toEqual(expect.any(String));
  });

  it('reports an unknown execution as ExecutionDoesNotExist', async () => {
    const out = await awsCli(env.sb.url, ['stepfunctions', 'describe-execution', '--execution-arn', `arn:aws:states:${REGION}:${ACCOUNT}:execution:cli:nope`]);

    expect(out.code).toBe(255);
    expect(out.stderr).toContain('An error occurred (ExecutionDoesNotExist) when calling the DescribeExecution operation');
  });
});
