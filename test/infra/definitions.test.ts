import { loadDefinition, loadDefinitionText, localFunctionArns, STATE_MACHINES, substitute, taskNames } from '../../workflow';
import { validateDefinition } from '../../workflow/validate';
import { ROLLED_BACK_ERROR } from '../../tasks/notifier/notifier';
import { resourcesOf, synth, TEST_ENV } from './synth';

/**
 * The deployed state machines are the workflow/ files: the template carries each file's text unchanged,
 * and with its substitutions resolved to fake Lambda ARNs it is exactly what the local runner executes.
 */
const { json } = synth({ env: TEST_ENV });
const machines = resourcesOf(json, 'AWS::StepFunctions::StateMachine').map(([, r]) => r.Properties!);
const functionNameOf = new Map(resourcesOf(json, 'AWS::Lambda::Function').map(([id, f]) => [id, f.Properties!.FunctionName as string]));
const timeoutOf = new Map(resourcesOf(json, 'AWS::Lambda::Function').map(([id, f]) => [id, f.Properties!.Timeout as number]));

/** The template's substitutions with every function ARN replaced by the ARN the local runner uses for it. */
function fakeSubstitutions(props: Record<string, any>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(props.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, 'Arn'] }>).map(([key, ref]) => {
      const name = functionNameOf.get(ref['Fn::GetAtt'][0]);
      if (!name) throw new Error(`${key} refers to ${JSON.stringify(ref)}, not a function of the stack`);
      return [key, `arn:aws:lambda:us-east-1:123456789012:function:${name}`];
    }),
  );
}

describe.each(Object.values(STATE_MACHINES).map((file) => [file]))('%s', (file) => {
  const props = machines.find((m) => m.StateMachineName === `two-way-sms-${file}`)!;

  it('is deployed from the workflow file’s text, unchanged', () => {
    expect(props.DefinitionString).toBe(loadDefinitionText(file));
  });

  it('substitutes every ${<Task>FunctionArn} it uses, and nothing else', () => {
    expect(Object.keys(props.DefinitionSubstitutions).sort()).toEqual(taskNames(loadDefinitionText(file)).map((n) => `${n}FunctionArn`));
  });

  it('resolves, with fake ARNs, to exactly the definition the local runner executes', () => {
    const deployed = substitute(props.DefinitionString as string, fakeSubstitutions(props));
    const local = substitute(loadDefinitionText(file), localFunctionArns(taskNames(loadDefinitionText(file))));
    expect(deployed).toEqual(local);
  });

  it('passes asl-validator and the error-name contract', () => {
    expect(validateDefinition(substitute(props.DefinitionString as string, fakeSubstitutions(props)))).toEqual([]);
  });

  it('gives each Task’s Lambda a timeout shorter than the state’s TimeoutSeconds', () => {
    const subs = props.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, 'Arn'] }>;
    for (const [stateName, state] of Object.entries(loadDefinition(file).States)) {
      if (state.Type !== 'Task') continue;
      const key = /^\$\{(.+)\}$/.exec(state.Resource as string)![1]!;
      const lambdaTimeout = timeoutOf.get(subs[key]!['Fn::GetAtt'][0])!;
      expect({ stateName, shorter: lambdaTimeout < (state.TimeoutSeconds as number) }).toEqual({ stateName, shorter: true });
    }
  });

  it('ends every failure in a Fail state whose error the notifier reads as a clean rollback', () => {
    const fails = Object.values(loadDefinition(file).States).filter((st) => st.Type === 'Fail');
    expect(fails.length).toBeGreaterThan(0);
    for (const f of fails) expect(f.Error).toBe(ROLLED_BACK_ERROR);
  });
});
