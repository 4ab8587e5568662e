import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ACCOUNT, REGION, ROLE_ARN, startStatesEnv, task, type StatesEnv } from './fixtures';

const catching = async (p: Promise<unknown>): Promise<any> => p.then(() => undefined).catch((e: unknown) => e);

describe('local Step Functions: errors', () => {
  let env: StatesEnv;
  let sm: string;
  const definition = { StartAt: 'A', States: { A: task('A', 'Step', { End: true }) } };

  beforeAll(async () => {
    env = await startStatesEnv();
    sm = await env.machine('errors', definition);
  });
  afterAll(async () => {
    await env.stop();
  });

  it('answers ExecutionDoesNotExist for an unknown execution ARN', async () => {
    const arn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:errors:missing`;

    const describe = await catching(env.sfn.send(new DescribeExecutionCommand({ executionArn: arn })));
    const history = await catching(env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn })));

    expect(describe.name).toBe('ExecutionDoesNotExist');
    expect(describe.message).toBe(`Execution Does Not Exist: '${arn}'`);
    expect(describe.$metadata.httpStatusCode).toBe(400);
    expect(history.name).toBe('ExecutionDoesNotExist');
  });

  it('answers StateMachineDoesNotExist for an unknown state machine ARN', async () => {
    const arn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:missing`;

    const describe = await catching(env.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn })));
    const start = await catching(env.sfn.send(new StartExecutionCommand({ stateMachineArn: arn })));

    expect(describe.name).toBe('StateMachineDoesNotExist');
    expect(describe.message).toBe(`State Machine Does Not Exist: '${arn}'`);
    expect(start.name).toBe('StateMachineDoesNotExist');
  });

  it('answers InvalidArn for a string that is not an ARN', async () => {
    const err = await catching(env.sfn.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' })));

    expect(err.name).toBe('InvalidArn');
    expect(err.message).toBe("Invalid Arn: 'Invalid ARN prefix: not-an-arn'");
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it('answers InvalidArn for an ARN of the wrong resource type', async () => {
    const asExecution = await catching(env.sfn.send(new DescribeExecutionCommand({ executionArn: sm })));
    const asMachine = await catching(env.sfn.send(new StartExecutionCommand({ stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:errors:x` })));
    const otherService = await catching(env.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `arn:aws:sns:${REGION}:${ACCOUNT}:topic` })));

    expect(asExecution.name).toBe('InvalidArn');
    expect(asExecution.message).toBe("Invalid Arn: 'Resource type not valid in this context: stateMachine'");
    expect(asMachine.name).toBe('InvalidArn');
    expect(otherService.name).toBe('InvalidArn');
  });

  it.each(['has space', 'slash/name', 'semi;colon', 'tab\tname', 'brace{', 'star*'])('rejects the execution name %j with InvalidName', async (name) => {
    const err = await catching(env.sfn.send(new StartExecutionCommand({ stateMachineArn: sm, name })));

    expect(err.name).toBe('InvalidName');
    expect(err.message).toBe(`Invalid Name: '${name}'`);
  });

  it('rejects a name longer than 80 characters with ValidationException', async () => {
    const name = 'n'.repeat(81);

    const err = await catching(env.sfn.send(new StartExecutionCommand({ stateMachineArn: sm, name })));

    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe(`1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80`);
  });

  it('rejects input that is not JSON with InvalidExecutionInput and starts nothing', async () => {
    const err = await catching(env.sfn.send(new StartExecutionCommand({ stateMachineArn: sm, name: 'bad-input', input: '{"a":' })));
    const list = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: sm }));

    expect(err.name).toBe('InvalidExecutionInput');
    expect(err.message).toMatch(/^Invalid State Machine Execution Input: '/);
    expect(list.executions!.map((e) => e.name)).not.toContain('bad-input');
  });

  it('rejects input over 256 KiB of UTF-8 with InvalidExecutionInput', async () => {
    const input = JSON.stringify({ s: 'é'.repeat(140_000) });

    const err = await catching(env.sfn.send(new StartExecutionCommand({ stateMachineArn: sm, input })));

    expect(input.length).toBeLessThan(262_144);
    expect(err.name).toBe('InvalidExecutionInput');
  });

  it('rejects input over 262144 characters with ValidationException', async () => {
    const err = await catching(env.sfn.send(new StartExecutionCommand({ stateMachineArn: sm, input: JSON.stringify({ s: 'x'.repeat(262_144) }) })));

    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain("at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144");
  });

  it('reports every missing required member in one ValidationException', async () => {
    const err = await catching(env.sfn.send(new CreateStateMachineCommand({} as never)));

    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe(
      "3 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'definition' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    );
  });

  it('answers SerializationException for a member of the wrong JSON type', async () => {
    const res = await fetch(env.sb.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.DescribeExecution' },
      body: JSON.stringify({ executionArn: 42 }),
    });
    const body = (await res.json()) as { __type: string; message: string };

    expect(res.status).toBe(400);
    expect(body.__type).toBe('com.amazonaws.swf.service.v2.model#SerializationException');
    expect(body.message).toContain('executionArn');
  });

  it('returns the existing state machine for the same name and definition', async () => {
    const again = await env.sfn.send(new CreateStateMachineCommand({ name: 'errors', definition: JSON.stringify(definition), roleArn: ROLE_ARN }));

    expect(again.stateMachineArn).toBe(sm);
  });

  it('rejects the same state machine name with another definition with StateMachineAlreadyExists', async () => {
    const other = { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } };

    const err = await catching(env.sfn.send(new CreateStateMachineCommand({ name: 'errors', definition: JSON.stringify(other), roleArn: ROLE_ARN })));

    expect(err.name).toBe('StateMachineAlreadyExists');
    expect(err.message).toBe(`State Machine Already Exists: '${sm}'`);
  });

  it('rejects an invalid definition with InvalidDefinition and creates nothing', async () => {
    const broken = { StartAt: 'Nowhere', States: { A: { Type: 'Pass', End: true } } };

    const err = await catching(env.sfn.send(new CreateStateMachineCommand({ name: 'broken', definition: JSON.stringify(broken), roleArn: ROLE_ARN })));
    const notJson = await catching(env.sfn.send(new CreateStateMachineCommand({ name: 'broken', definition: '{', roleArn: ROLE_ARN })));
    const lookup = await catching(env.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:broken` })));

    expect(err.name).toBe('InvalidDefinition');
    expect(err.message).toMatch(/^Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: /);
    expect(notJson.name).toBe('InvalidDefinition');
    expect(lookup.name).toBe('StateMachineDoesNotExist');
  });

  it('rejects a role that is not an IAM role ARN with InvalidArn', async () => {
    const err = await catching(env.sfn.send(new CreateStateMachineCommand({ name: 'no-role', definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::123456789012:user/bob' })));

    expect(err.name).toBe('InvalidArn');
  });

  it('rejects an EXPRESS state machine with StateMachineTypeNotSupported', async () => {
    const err = await catching(env.sfn.send(new CreateStateMachineCommand({ name: 'express', definition: JSON.stringify(definition), roleArn: ROLE_ARN, type: 'EXPRESS' })));

    expect(err.name).toBe('StateMachineTypeNotSupported');
  });

  it('rejects a state machine name with a forbidden character with InvalidName', async () => {
    const err = await catching(env.sfn.send(new CreateStateMachineCommand({ name: 'a:b', definition: JSON.stringify(definition), roleArn: ROLE_ARN })));

    expect(err.name).toBe('InvalidName');
  });

  it('fails an execution whose Task has no task in the registry with States.Runtime', async () => {
    const orphan = await env.machine('orphan', { StartAt: 'X', States: { X: { Type: 'Task', Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:two-way-sms-Unknown`, End: true } } });

    const d = await env.finished(await env.start(orphan));

    expect(d).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(d.cause).toContain('no task for resource');
  });
});
