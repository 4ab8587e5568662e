import type { ServiceDefinition } from '../sandbox/core/types';
import { LocalStepFunctions, type LocalStepFunctionsOptions } from './engine';
import { statesService } from './service';

export { LocalStepFunctions, WORKFLOW_ROLE_NAME, statesTableInput, type ExecutionEnd, type ExecutionEndListener, type LocalStepFunctionsOptions } from './engine';
export { statesService } from './service';

/** The table the local Step Functions service keeps its state machines, executions and histories in. */
export const DEFAULT_STATES_TABLE = 'two-way-sms-states';

export interface StartLocalStepFunctionsOptions extends Omit<LocalStepFunctionsOptions, 'tableName'> {
  /** The edge server to answer `states` on (the sandbox). */
  sandbox: { addService(service: ServiceDefinition): void };
  tableName?: string;
  /** Resume the executions left RUNNING by the previous process. Default true. */
  resume?: boolean;
}

/**
 * What `npm start` runs for Step Functions: creates the table if needed, registers the workflow state machines,
 * serves the API on the edge port and resumes the executions a previous run left RUNNING.
 */
export async function startLocalStepFunctions(opts: StartLocalStepFunctionsOptions): Promise<{ engine: LocalStepFunctions; stateMachines: Awaited<ReturnType<LocalStepFunctions['registerWorkflowDefinitions']>>; resumed: string[] }> {
  const { sandbox, resume, tableName, ...engineOptions } = opts;
  const engine = new LocalStepFunctions({ ...engineOptions, tableName: tableName ?? DEFAULT_STATES_TABLE });
  await engine.ensureTable();
  const stateMachines = await engine.registerWorkflowDefinitions();
  sandbox.addService(statesService(engine));
  const resumed = (resume ?? true) ? await engine.resumeRunning() : [];
  return { engine, stateMachines, resumed };
}
