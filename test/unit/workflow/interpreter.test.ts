import type * as LocalStepFunctions from 'aws-local-stepfunctions' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as typeof LocalStepFunctions;

/** The rollback's Fail state carries `States.JsonToString($.error)`; locally it must be the JSON AWS produces. */
describe('embedded ASL interpreter (patched by local/engine/patch-interpreter.cjs at npm install)', () => {
  it('keeps the escapes of a JSON string inside States.JsonToString', async () => {
    const error = { Error: 'DestinationNotUsable', Cause: JSON.stringify({ errorType: 'DestinationNotUsable', errorMessage: 'topic "x.fifo" is a FIFO topic' }) };
    const machine = new StateMachine({
      StartAt: 'Summarize',
      States: {
        Summarize: { Type: 'Pass', Parameters: { 'cause.$': 'States.JsonToString($.error)' }, End: true },
      },
    } as never);
    const out = (await machine.run({ error } as never).result) as { cause: string };
    expect(JSON.parse(out.cause)).toEqual(error);
  });
});
