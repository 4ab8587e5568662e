import { TASK_ERROR_NAMES } from '../tasks/lib/errors';
import type { AslDefinition } from './index';

// asl-validator ships CommonJS without types: this is the part of its API we call.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown, opts?: { checkPaths?: boolean; checkArn?: boolean }) => { isValid: boolean; errorsText: (sep?: string) => string };

/** Errors the Step Functions and Lambda runtimes raise themselves; the ASL may name these too. */
export const RUNTIME_ERROR_NAMES = ['States.ALL', 'States.TaskFailed', 'States.Timeout', 'States.HeartbeatTimeout', 'States.Runtime', 'States.Permissions'];
/** Errors of the Lambda service itself (not of our code) that Step Functions reports for a Lambda task. */
const LAMBDA_ERROR = /^Lambda\.(ServiceException|AWSLambdaException|SdkClientException|TooManyRequestsException|ClientExecutionTimeoutException|Unknown)$/;

export interface DefinitionProblem {
  state?: string;
  problem: string;
}

/**
 * Checks a substituted definition: the ASL schema (asl-validator), a `TimeoutSeconds` on every Task (the
 * local interpreter's default differs from AWS's), and that every `ErrorEquals` names an error the tasks
 * export or a runtime error: the contract between the ASL and `tasks/lib/errors.ts`.
 */
export function validateDefinition(definition: AslDefinition): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const result = aslValidator(definition, { checkPaths: true, checkArn: true });
  if (!result.isValid) problems.push({ problem: `asl-validator: ${result.errorsText('; ')}` });
  const known = new Set<string>([...TASK_ERROR_NAMES, ...RUNTIME_ERROR_NAMES]);
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task' && typeof state.TimeoutSeconds !== 'number') problems.push({ state: name, problem: 'Task has no TimeoutSeconds' });
    for (const rule of [...(state.Retry ?? []), ...(state.Catch ?? [])]) {
      for (const e of rule.ErrorEquals) {
        if (!known.has(e) && !LAMBDA_ERROR.test(e)) problems.push({ state: name, problem: `ErrorEquals names '${e}', which no task exports` });
      }
    }
  }
  return problems;
}
