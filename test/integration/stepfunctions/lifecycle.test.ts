import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ExecutionEnd } from '../../../local/stepfunctions/engine';
import { startLocalStepFunctions } from '../../../local/stepfunctions';
import { STATE_MACHINES, loadDefinitionText, localFunctionArns, substitute, taskNames } from '../../../workflow';
import { ACCOUNT, REGION, namedError, startStatesEnv, task, types, type StatesEnv } from './fixtures';

/** A → G (waits on a gate the test controls) → C. */
const gated = {
  StartAt: 'A',
  States: { A: task('A', 'Step', { Next: 'G' }), G: task('G', 'Gate', { Next: 'C' }), C: task('C', 'Step', { End: true }) },
};

describe('local Step Functions: StartExecution name semantics', () => {
  let env: StatesEnv;
  let sm: string;

  beforeAll(async () => {
    env = await startStatesEnv();
    sm = await env.machine('named', gated);
  });
  afterAll(async () => {
    await env.stop();
  });

  it('returns the running execution for the same name and input', async () => {
    const gate = env.tasks.gate('G');
    const first = await env.sfn.send(new StartExecutionCommand({ stateMachineArn: sm, name: 'same', input: '{"a":1}' }));
    await gate.entered;

    const again = await env.sfn.send(new StartExecutionCommand({ stateMachineArn: sm, name: 'same', input: '{"a":1}' }));

    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    gate.release();
    expect((await env.finished(first.executionArn!)).status).toBe('SUCCEEDED');
  });

  it('rejects the same name with another input while running with ExecutionAlreadyExists', async () => {
    const gate = env.tasks.gate('G');
    const first = await env.start(sm, { a: 1 }, 'other-input');
    await gate.entered;

    const err = await env.sfn.send(new StartExecutionCommand({ stateMachineArn: sm, name: 'other-input', input: '{"a":2}' })).catch((e: unknown) => e as any);

    expect(err.name).toBe('ExecutionAlreadyExists');
    expect(err.message).toBe(`Execution Already Exists: '${first}'`);
    expect(err.$metadata.httpStatusCode).toBe(400);
    gate.release();
    await env.finished(first);
  });

  it('rejects a name whose execution has ended with ExecutionAlreadyExists, even with the same input', async () => {
    const first = await env.start(sm, { a: 1 }, 'ended');
    await env.finished(first);

    const err = await env.sfn.send(new StartExecutionCommand({ stateMachineArn: sm, name: 'ended', input: '{"a":1}' })).catch((e: unknown) => e as any);

    expect(err.name).toBe('ExecutionAlreadyExists');
  });

  it('names an execution with a UUID when no name is given', async () => {
    const arn = await env.start(sm);

    expect(arn).toMatch(new RegExp(`^arn:aws:states:${REGION}:${ACCOUNT}:execution:named:[0-9a-f-]{36}$`));
    await env.finished(arn);
  });
});

describe('local Step Functions: StopExecution', () => {
  let env: StatesEnv;
  let sm: string;

  beforeAll(async () => {
    env = await startStatesEnv();
    sm = await env.machine('stoppable', gated);
  });
  afterAll(async () => {
    await env.stop();
  });

  it('aborts a running execution with the given error and cause, and runs nothing after', async () => {
    const gate = env.tasks.gate('G');
    const arn = await env.start(sm, {}, 'to-stop');
    await gate.entered;

    const out = await env.sfn.send(new StopExecutionCommand({ executionArn: arn, error: 'Operator', cause: 'changed my mind' }));
    gate.release();
    const d = await env.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    const { events } = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    await new Promise((r) => setTimeout(r, 50));

    expect(d).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'changed my mind', redriveStatus: 'REDRIVABLE' });
    expect(d.stopDate).toEqual(out.stopDate);
    expect(types(events).slice(-4)).toEqual(['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'TaskStateAborted', 'ExecutionAborted']);
    expect(events!.at(-1)!.executionAbortedEventDetails).toEqual({ error: 'Operator', cause: 'changed my mind' });
    expect(env.tasks.count('C')).toBe(0);
    expect((await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }))).events).toHaveLength(events!.length);
  });

  it('changes nothing when the execution has already ended', async () => {
    const arn = await env.start(sm, {}, 'already-done');
    const before = await env.finished(arn);

    const out = await env.sfn.send(new StopExecutionCommand({ executionArn: arn }));
    const after = await env.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));

    expect(after.status).toBe('SUCCEEDED');
    expect(out.stopDate).toEqual(before.stopDate);
  });

  it('answers ExecutionDoesNotExist for an unknown execution', async () => {
    const unknown = `arn:aws:states:${REGION}:${ACCOUNT}:execution:stoppable:nobody`;

    const err = await env.sfn.send(new StopExecutionCommand({ executionArn: unknown })).catch((e: unknown) => e as any);

    expect(err.name).toBe('ExecutionDoesNotExist');
    expect(err.message).toBe(`Execution Does Not Exist: '${unknown}'`);
  });
});

describe('local Step Functions: RedriveExecution', () => {
  let env: StatesEnv;

  beforeAll(async () => {
    env = await startStatesEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  /** A → B (fails while the toggle is set) → C; B's input carries A's result. */
  const redrivable = {
    StartAt: 'A',
    States: { A: task('A', 'Step', { Next: 'B' }), B: task('B', 'Toggle', { Next: 'C' }), C: task('C', 'Step', { End: true }) },
  };

  it('resumes a failed execution at the failed state with its recorded input, not re-running succeeded states', async () => {
    const sm = await env.machine('redrive-failed', redrivable);
    env.tasks.toggleError = namedError('AwsTransientError', 'service unavailable');
    const arn = await env.start(sm, { n: 1 }, 'r1');
    expect((await env.finished(arn)).status).toBe('FAILED');
    const countsBefore = { A: env.tasks.count('A'), B: env.tasks.count('B'), C: env.tasks.count('C') };
    const historyBefore = (await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }))).events!;
    env.tasks.toggleError = undefined;

    const out = await env.sfn.send(new RedriveExecutionCommand({ executionArn: arn }));
    const d = await env.finished(arn);
    const { events } = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));

    expect(d).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, redriveDate: out.redriveDate });
    expect(d.error).toBeUndefined();
    expect(JSON.parse(d.output!)).toEqual({ n: 1, A: { ok: true, state: 'A' }, B: { ok: true, state: 'B', input: { n: 1, A: { ok: true, state: 'A' } } }, C: { ok: true, state: 'C' } });
    expect({ A: env.tasks.count('A') - countsBefore.A, B: env.tasks.count('B') - countsBefore.B, C: env.tasks.count('C') - countsBefore.C }).toEqual({ A: 0, B: 1, C: 1 });
    const added = events!.slice(historyBefore.length);
    expect(types(added)).toEqual([
      'ExecutionRedriven',
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
    expect(added[0]).toMatchObject({ id: historyBefore.length + 1, previousEventId: historyBefore.length, executionRedrivenEventDetails: { redriveCount: 1 } });
    expect(added[1]!.stateEnteredEventDetails).toMatchObject({ name: 'B', input: JSON.stringify({ n: 1, A: { ok: true, state: 'A' } }) });
    // A, B, then B again and C after the redrive.
    expect(await env.engine.transitions(arn)).toBe(4);
  });

  it('redrives a stopped execution from the state that was running', async () => {
    const sm = await env.machine('redrive-aborted', gated);
    const gate = env.tasks.gate('G');
    const arn = await env.start(sm, {}, 'r2');
    await gate.entered;
    await env.sfn.send(new StopExecutionCommand({ executionArn: arn }));
    const before = { A: env.tasks.count('A'), G: env.tasks.count('G') };

    await env.sfn.send(new RedriveExecutionCommand({ executionArn: arn }));
    const d = await env.finished(arn);
    gate.release();

    expect(d.status).toBe('SUCCEEDED');
    expect(env.tasks.count('A') - before.A).toBe(0);
    expect(env.tasks.count('G') - before.G).toBe(1);
  });

  it('lists redriven executions with the REDRIVEN filter', async () => {
    const sm = await env.machine('redrive-listed', redrivable);
    env.tasks.toggleError = namedError('AwsTransientError', 'down');
    const redriven = await env.start(sm, {}, 'will-redrive');
    const plain = await env.start(sm, {}, 'stays-failed');
    await env.finished(redriven);
    await env.finished(plain);
    env.tasks.toggleError = undefined;
    await env.sfn.send(new RedriveExecutionCommand({ executionArn: redriven }));
    await env.finished(redriven);

    const yes = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: sm, redriveFilter: 'REDRIVEN' }));
    const no = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: sm, redriveFilter: 'NOT_REDRIVEN' }));

    expect(yes.executions!.map((e) => e.executionArn)).toEqual([redriven]);
    expect(yes.executions![0]!.redriveCount).toBe(1);
    expect(no.executions!.map((e) => e.executionArn)).toEqual([plain]);
  });

  it('refuses to redrive a SUCCEEDED execution with ExecutionNotRedrivable', async () => {
    const sm = await env.machine('redrive-succeeded', redrivable);
    const arn = await env.start(sm);
    await env.finished(arn);

    const err = await env.sfn.send(new RedriveExecutionCommand({ executionArn: arn })).catch((e: unknown) => e as any);

    expect(err.name).toBe('ExecutionNotRedrivable');
    expect(err.message).toBe('Execution is SUCCEEDED and cannot be redriven');
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it('refuses to redrive a RUNNING execution with ExecutionNotRedrivable', async () => {
    const sm = await env.machine('redrive-running', gated);
    const gate = env.tasks.gate('G');
    const arn = await env.start(sm);
    await gate.entered;

    const err = await env.sfn.send(new RedriveExecutionCommand({ executionArn: arn })).catch((e: unknown) => e as any);
    const d = await env.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));

    expect(err.name).toBe('ExecutionNotRedrivable');
    expect(d).toMatchObject({ redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution is RUNNING and cannot be redriven' });
    gate.release();
    await env.finished(arn);
  });
});

describe('local Step Functions: crash and resume', () => {
  let env: StatesEnv;

  beforeAll(async () => {
    env = await startStatesEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  it('resumes an execution left RUNNING at its last entered state after a restart, without re-running earlier tasks', async () => {
    const sm = await env.machine('crashing', gated);
    const gate = env.tasks.gate('G');
    const arn = await env.start(sm, { n: 7 }, 'crash-1');
    await gate.entered;
    const historyAtCrash = (await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }))).events!;

    await env.engine.close();
    const stillRunning = await env.sfn.send(new DescribeExecutionCommand({ executionArn: arn })).catch((e: unknown) => e as any);
    const engine = await env.restart();
    const resumed = await engine.resumeRunning();
    const d = await env.finished(arn);
    const { events } = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    gate.release({ late: true });

    expect(stillRunning.status).toBe('RUNNING');
    expect(resumed).toEqual([arn]);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ n: 7, A: { ok: true, state: 'A' }, G: { ok: true, state: 'G' }, C: { ok: true, state: 'C' } });
    expect(env.tasks.count('A')).toBe(1);
    expect(env.tasks.count('G')).toBe(2);
    expect(env.tasks.count('C')).toBe(1);
    // The history goes on where it stopped: G is scheduled again, not entered again.
    expect(events!.slice(0, historyAtCrash.length)).toEqual(historyAtCrash);
    expect(types(events!.slice(historyAtCrash.length))).toEqual([
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
    expect(events!.map((e) => e.id)).toEqual(events!.map((_e, i) => i + 1));
    // A, G (once, despite the restart), C.
    expect(await engine.transitions(arn)).toBe(3);
  });

  it('resumes nothing when no execution was running', async () => {
    const engine = await env.restart();
    await engine.ensureTable();

    expect(await engine.resumeRunning()).toEqual([]);
  });

  it('times an execution out after the TimeoutSeconds of its state machine', async () => {
    const sm = await env.machine('timing-out', { ...gated, TimeoutSeconds: 1 });
    const gate = env.tasks.gate('G');

    const arn = await env.start(sm, {}, 'slow');
    const d = await env.finished(arn);
    gate.release();
    const { events } = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));

    expect(d).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout', redriveStatus: 'REDRIVABLE' });
    expect(events!.at(-1)).toMatchObject({ type: 'ExecutionTimedOut', executionTimedOutEventDetails: { error: 'States.Timeout' } });
  });
});

describe('local Step Functions: execution end notifications', () => {
  let env: StatesEnv;

  beforeAll(async () => {
    env = await startStatesEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  it('tells listeners how each execution ended', async () => {
    const ends: ExecutionEnd[] = [];
    const unsubscribe = env.engine.onExecutionEnd((e) => {
      ends.push(e);
    });
    const sm = await env.machine('notified', {
      StartAt: 'Route',
      States: {
        Route: { Type: 'Choice', Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'Bad' }], Default: 'Good' },
        Good: { Type: 'Pass', Result: { fine: true }, End: true },
        Bad: { Type: 'Fail', Error: 'Bad', Cause: 'asked to' },
      },
    });

    const good = await env.start(sm, { fail: false }, 'good');
    const bad = await env.start(sm, { fail: true }, 'bad');
    await env.finished(good);
    await env.finished(bad);
    await env.engine.settled(good);
    await env.engine.settled(bad);
    unsubscribe();
    const later = await env.start(sm, { fail: false }, 'unheard');
    await env.finished(later);

    expect(ends).toEqual(
      expect.arrayContaining([
        { executionArn: good, stateMachineArn: sm, name: 'good', status: 'SUCCEEDED', output: '{"fine":true}' },
        { executionArn: bad, stateMachineArn: sm, name: 'bad', status: 'FAILED', error: 'Bad', cause: 'asked to' },
      ]),
    );
    expect(ends).toHaveLength(2);
  });
});

describe('local Step Functions: the workflow state machines', () => {
  let env: StatesEnv;

  beforeAll(async () => {
    env = await startStatesEnv();
  });
  afterAll(async () => {
    await env.stop();
  });

  it('registers provision-two-way and deprovision-two-way with the local Lambda ARNs, idempotently', async () => {
    const arns = await env.engine.registerWorkflowDefinitions();
    const again = await env.engine.registerWorkflowDefinitions();
    const d = await env.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arns.provision }));
    const text = loadDefinitionText(STATE_MACHINES.provision);

    expect(arns).toEqual({
      provision: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:provision-two-way`,
      deprovision: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:deprovision-two-way`,
    });
    expect(again).toEqual(arns);
    expect(JSON.parse(d.definition!)).toEqual(substitute(text, localFunctionArns(taskNames(text), REGION, ACCOUNT)));
    expect(d.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/two-way-sms-state-machine`);
  });

  it('starts the service for npm start: table, workflow state machines, API on the edge port', async () => {
    const started = await startLocalStepFunctions({ sandbox: env.sb.sandbox, doc: env.dynamo.doc, tableName: 'states-started', tasks: {}, deps: env.deps, region: REGION, accountId: ACCOUNT });
    const listed = await env.sfn.send(new ListStateMachinesCommand({}));
    await started.engine.close();

    expect(started.resumed).toEqual([]);
    expect(listed.stateMachines!.map((s) => s.name)).toEqual(['deprovision-two-way', 'provision-two-way']);
    expect(started.stateMachines.provision).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:provision-two-way`);
  });
});
