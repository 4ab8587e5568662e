import {
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { ACCOUNT, REGION, ROLE_ARN, fn, startStatesEnv, task, types, type StatesEnv } from './fixtures';

describe('local Step Functions: executions and their history', () => {
  let env: StatesEnv;

  beforeAll(async () => {
    env = await startStatesEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  const linear = {
    StartAt: 'Start',
    States: {
      Start: { Type: 'Pass', Result: 'go', ResultPath: '$.started', Next: 'A' },
      A: task('A', 'Step', { Next: 'Check' }),
      Check: { Type: 'Choice', Choices: [{ Variable: '$.A.ok', BooleanEquals: true, Next: 'Pause' }], Default: 'Failed' },
      Pause: { Type: 'Wait', Seconds: 30, Next: 'B' },
      B: task('B', 'Step', { Next: 'Done' }),
      Done: { Type: 'Succeed' },
      Failed: { Type: 'Fail', Error: 'Unexpected', Cause: 'A did not succeed' },
    },
  };

  it('runs a state machine to SUCCEEDED with its output', async () => {
    const sm = await env.machine('linear', linear);

    const arn = await env.start(sm, { n: 1 }, 'linear-ok');
    const d = await env.finished(arn);

    expect(arn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:linear:linear-ok`);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ n: 1, started: 'go', A: { ok: true, state: 'A' }, B: { ok: true, state: 'B' } });
    expect(d).toMatchObject({ name: 'linear-ok', stateMachineArn: sm, input: '{"n":1}', redriveCount: 0, redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven' });
    expect(d.stopDate!.getTime()).toBeGreaterThanOrEqual(d.startDate!.getTime());
    expect(d.error).toBeUndefined();
  });

  it('records the history with AWS event types, ids and previousEventId', async () => {
    const sm = await env.machine('linear-history', linear);
    const arn = await env.start(sm, { n: 2 });
    await env.finished(arn);

    const { events } = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));

    expect(types(events)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    const ev = events!;
    expect(ev.map((e) => e.id)).toEqual(ev.map((_e, i) => i + 1));
    // As on AWS: the execution start and the first state entered have no previous event; the rest chain.
    expect(ev.map((e) => e.previousEventId)).toEqual([0, 0, ...ev.slice(2).map((e) => e.id! - 1)]);
    expect(ev[0]!.executionStartedEventDetails).toEqual({ input: '{"n":2}', inputDetails: { truncated: false }, roleArn: ROLE_ARN });
    expect(ev[3]!.stateEnteredEventDetails).toEqual({ name: 'A', input: '{"n":2,"started":"go"}', inputDetails: { truncated: false } });
    expect(ev[4]!.lambdaFunctionScheduledEventDetails).toEqual({ resource: fn('Step'), input: '{"state":"A","input":{"n":2,"started":"go"}}', inputDetails: { truncated: false } });
    expect(ev[6]!.lambdaFunctionSucceededEventDetails).toEqual({ output: '{"ok":true,"state":"A"}', outputDetails: { truncated: false } });
    expect(ev[7]!.stateExitedEventDetails).toEqual({ name: 'A', output: '{"n":2,"started":"go","A":{"ok":true,"state":"A"}}', outputDetails: { truncated: false } });
    expect(JSON.parse(ev[19]!.executionSucceededEventDetails!.output!)).toMatchObject({ B: { ok: true, state: 'B' } });
    expect(ev.every((e) => e.timestamp instanceof Date && e.timestamp.getTime() > Date.now() - 60_000)).toBe(true);
  });

  it('pages the history forwards and in reverse, with or without execution data', async () => {
    const sm = await env.machine('linear-pages', linear);
    const arn = await env.start(sm, { n: 3 });
    await env.finished(arn);

    const first = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 8 }));
    const second = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 8, nextToken: first.nextToken }));
    const third = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 8, nextToken: second.nextToken }));
    const reversed = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 3 }));
    const reversedNext = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 3, nextToken: reversed.nextToken }));
    const bare = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, includeExecutionData: false }));

    expect([...first.events!, ...second.events!, ...third.events!].map((e) => e.id)).toEqual(Array.from({ length: 20 }, (_v, i) => i + 1));
    expect(third.nextToken).toBeUndefined();
    expect(reversed.events!.map((e) => e.id)).toEqual([20, 19, 18]);
    expect(reversedNext.events!.map((e) => e.id)).toEqual([17, 16, 15]);
    expect(bare.events![0]!.executionStartedEventDetails).toEqual({ inputDetails: { truncated: false }, roleArn: ROLE_ARN });
    expect(bare.events![3]!.stateEnteredEventDetails).toEqual({ name: 'A', inputDetails: { truncated: false } });
  });

  it('rejects a history page token of another direction with InvalidToken', async () => {
    const sm = await env.machine('linear-token', linear);
    const arn = await env.start(sm);
    await env.finished(arn);
    const first = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 2 }));

    const err = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 2, reverseOrder: true, nextToken: first.nextToken })).catch((e: unknown) => e as any);

    expect(err.name).toBe('InvalidToken');
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it('follows a Catch to its handler and records the failure and the caught exit', async () => {
    const sm = await env.machine('catching', {
      StartAt: 'A',
      States: {
        A: task('A', 'Boom', { Catch: [{ ErrorEquals: ['NumberNotEligible'], ResultPath: '$.error', Next: 'Handled' }], End: true }),
        Handled: { Type: 'Pass', End: true },
      },
    });

    const arn = await env.start(sm, { n: 4 });
    const d = await env.finished(arn);
    const { events } = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));

    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!).error).toEqual({ Error: 'NumberNotEligible', Cause: JSON.stringify({ errorType: 'NumberNotEligible', errorMessage: 'number of A is not eligible' }) });
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events![4]!.lambdaFunctionFailedEventDetails).toEqual({
      error: 'NumberNotEligible',
      cause: JSON.stringify({ errorType: 'NumberNotEligible', errorMessage: 'number of A is not eligible' }),
    });
  });

  it('retries a failing task until it succeeds and records each attempt', async () => {
    const sm = await env.machine('retrying', {
      StartAt: 'A',
      States: { A: task('A', 'Flaky', { Retry: [{ ErrorEquals: ['AwsThrottled'], IntervalSeconds: 5, MaxAttempts: 3 }], End: true }) },
    });
    env.tasks.flakyFailures.set('A', 2);
    const before = env.tasks.count('A');

    const arn = await env.start(sm);
    const d = await env.finished(arn);
    const { events } = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));

    expect(d.status).toBe('SUCCEEDED');
    expect(env.tasks.count('A') - before).toBe(3);
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events![5]!.previousEventId).toBe(5);
    // One state entered plus two retries: three state transitions.
    expect(await env.engine.transitions(arn)).toBe(3);
  });

  it('fails an execution on an uncaught task error with the Lambda error and cause', async () => {
    const sm = await env.machine('failing', { StartAt: 'A', States: { A: task('A', 'Step', { Next: 'B' }), B: task('B', 'Boom', { End: true }) } });

    const arn = await env.start(sm, { n: 5 });
    const d = await env.finished(arn);
    const { events } = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));

    expect(d).toMatchObject({
      status: 'FAILED',
      error: 'NumberNotEligible',
      cause: JSON.stringify({ errorType: 'NumberNotEligible', errorMessage: 'number of B is not eligible' }),
      redriveStatus: 'REDRIVABLE',
    });
    expect(d.output).toBeUndefined();
    expect(types(events).slice(-3)).toEqual(['LambdaFunctionStarted', 'LambdaFunctionFailed', 'ExecutionFailed']);
    expect(events!.at(-1)!.executionFailedEventDetails).toEqual({ error: d.error, cause: d.cause });
    expect(events!.at(-1)!.previousEventId).toBe(events!.at(-2)!.id);
  });

  it('fails an execution that reaches a Fail state with its error and cause', async () => {
    const sm = await env.machine('fail-state', { StartAt: 'Stop', States: { Stop: { Type: 'Fail', Error: 'Nope', Cause: 'by design' } } });

    const arn = await env.start(sm);
    const d = await env.finished(arn);
    const { events } = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));

    expect(d).toMatchObject({ status: 'FAILED', error: 'Nope', cause: 'by design' });
    expect(types(events)).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
  });

  it('counts one state transition per state entered', async () => {
    const sm = await env.machine('linear-transitions', linear);

    const arn = await env.start(sm);
    await env.finished(arn);

    // Start, A, Check, Pause, B, Done.
    expect(await env.engine.transitions(arn)).toBe(6);
  });

  it('describes, lists and pages state machines', async () => {
    const sm = await env.machine('zz-described', linear);

    const d = await env.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: sm }));
    const all = await env.sfn.send(new ListStateMachinesCommand({}));
    const page1 = await env.sfn.send(new ListStateMachinesCommand({ maxResults: 2 }));
    const page2 = await env.sfn.send(new ListStateMachinesCommand({ maxResults: 2, nextToken: page1.nextToken }));

    expect(d).toMatchObject({ stateMachineArn: sm, name: 'zz-described', status: 'ACTIVE', type: 'STANDARD', roleArn: ROLE_ARN, definition: JSON.stringify(linear) });
    expect(all.stateMachines!.map((s) => s.name)).toContain('zz-described');
    expect(all.stateMachines!.map((s) => s.name)).toEqual([...all.stateMachines!.map((s) => s.name!)].sort());
    expect([...page1.stateMachines!, ...page2.stateMachines!].map((s) => s.name)).toEqual(all.stateMachines!.slice(0, 4).map((s) => s.name));
  });
});

describe('local Step Functions: ListExecutions', () => {
  let env: StatesEnv;
  let sm: string;
  const ok: string[] = [];
  const failed: string[] = [];

  beforeAll(async () => {
    env = await startStatesEnv();
    sm = await env.machine('listed', {
      StartAt: 'Route',
      States: {
        Route: { Type: 'Choice', Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'Bad' }], Default: 'Good' },
        Good: { Type: 'Succeed' },
        Bad: { Type: 'Fail', Error: 'Bad', Cause: 'asked to fail' },
      },
    });
    for (let i = 0; i < 5; i++) {
      const arn = await env.start(sm, { fail: i % 2 === 1 }, `run-${i}`);
      await env.finished(arn);
      (i % 2 === 1 ? failed : ok).push(arn);
    }
  });
  afterAll(async () => {
    await env.stop();
  });

  it('lists the executions of a state machine, newest first', async () => {
    const out = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: sm }));

    expect(out.executions!.map((e) => e.name)).toEqual(['run-4', 'run-3', 'run-2', 'run-1', 'run-0']);
    expect(out.executions![0]).toMatchObject({ executionArn: ok[2], stateMachineArn: sm, status: 'SUCCEEDED' });
    expect(out.executions![0]!.stopDate).toBeInstanceOf(Date);
    expect(out.nextToken).toBeUndefined();
  });

  it('filters executions by status', async () => {
    const out = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: sm, statusFilter: 'FAILED' }));

    expect(out.executions!.map((e) => e.executionArn)).toEqual([...failed].reverse());
  });

  it('pages executions with maxResults and nextToken, also when filtered', async () => {
    const p1 = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: sm, maxResults: 2 }));
    const p2 = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: sm, maxResults: 2, nextToken: p1.nextToken }));
    const p3 = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: sm, maxResults: 2, nextToken: p2.nextToken }));
    const f1 = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: sm, statusFilter: 'SUCCEEDED', maxResults: 2 }));
    const f2 = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: sm, statusFilter: 'SUCCEEDED', maxResults: 2, nextToken: f1.nextToken }));

    expect([p1, p2, p3].map((p) => p.executions!.map((e) => e.name))).toEqual([['run-4', 'run-3'], ['run-2', 'run-1'], ['run-0']]);
    expect(p3.nextToken).toBeUndefined();
    expect([...f1.executions!, ...f2.executions!].map((e) => e.name)).toEqual(['run-4', 'run-2', 'run-0']);
    expect(f2.nextToken).toBeUndefined();
  });

  it('rejects maxResults above 1000 with ValidationException', async () => {
    const err = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: sm, maxResults: 1001 })).catch((e: unknown) => e as any);

    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe("1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000");
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it('rejects a status filter that is not an execution status', async () => {
    const err = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: sm, statusFilter: 'DONE' as never })).catch((e: unknown) => e as any);

    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain("at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set");
  });

  it('rejects a token that is not one of its own with InvalidToken', async () => {
    const err = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: sm, nextToken: 'not-a-token' })).catch((e: unknown) => e as any);

    expect(err.name).toBe('InvalidToken');
  });

  it('answers StateMachineDoesNotExist for executions of an unknown state machine', async () => {
    const err = await env.sfn
      .send(new ListExecutionsCommand({ stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:nothing-here` }))
      .catch((e: unknown) => e as any);

    expect(err.name).toBe('StateMachineDoesNotExist');
    expect(err.message).toBe(`State Machine Does Not Exist: 'arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:nothing-here'`);
  });

  it('keeps HistoryEvent shapes parseable by the SDK', async () => {
    const out = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: failed[0] }));
    const last: HistoryEvent = out.events!.at(-1)!;

    expect(last).toMatchObject({ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'Bad', cause: 'asked to fail' } });
  });
});
