import { TASKS } from '../../../tasks';
import { localFunctionArns, loadDefinition, loadDefinitionText, STATE_MACHINES, substitute, taskNames } from '../../../workflow';
import { validateDefinition } from '../../../workflow/validate';

describe.each(Object.values(STATE_MACHINES))('state machine %s', (name) => {
  const text = loadDefinitionText(name);
  const definition = substitute(text, localFunctionArns(taskNames(text)));

  it('passes asl-validator, sets TimeoutSeconds on every Task and names only exported errors', () => {
    expect(validateDefinition(definition)).toEqual([]);
  });

  it('has a task implementation for every Lambda it invokes', () => {
    const missing = taskNames(text).filter((t) => !(t in TASKS));
    expect(missing).toEqual([]);
  });

  it('reaches every state from StartAt', () => {
    const reached = new Set<string>();
    const queue = [definition.StartAt];
    while (queue.length) {
      const s = queue.pop()!;
      if (reached.has(s)) continue;
      reached.add(s);
      const st = definition.States[s]!;
      for (const next of [st.Next, st.Default, ...(st.Choices ?? []).map((c) => c.Next), ...(st.Catch ?? []).map((c) => c.Next)]) if (next) queue.push(next);
    }
    expect(Object.keys(definition.States).filter((s) => !reached.has(s))).toEqual([]);
  });
});

describe('workflow contract checks', () => {
  it('flags an ErrorEquals that no task exports', () => {
    const def = loadDefinition(STATE_MACHINES.provision);
    const text = JSON.stringify(def).replace('"RoleNotYetAccessible"', '"RoleNotYetAccesible"');
    const problems = validateDefinition(substitute(text, localFunctionArns(taskNames(text))));
    expect(problems).toEqual([{ state: 'EnableTwoWay', problem: "ErrorEquals names 'RoleNotYetAccesible', which no task exports" }]);
  });

  it('flags a Task without TimeoutSeconds', () => {
    const def = loadDefinition(STATE_MACHINES.provision);
    delete (def.States.Verify as Record<string, unknown>).TimeoutSeconds;
    const text = JSON.stringify(def);
    expect(validateDefinition(substitute(text, localFunctionArns(taskNames(text))))).toContainEqual({ state: 'Verify', problem: 'Task has no TimeoutSeconds' });
  });

  it('refuses a definition with a substitution nobody provides', () => {
    expect(() => substitute('{"a":"${NopeFunctionArn}"}', {})).toThrow(/no substitution for \$\{NopeFunctionArn\}/);
  });
});
