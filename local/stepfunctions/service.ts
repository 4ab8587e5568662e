import { AwsError } from '../sandbox/core/errors';
import type { JsonObject, JsonService } from '../sandbox/core/types';
import { epochSeconds } from '../sandbox/core/wire';
import { notRedrivableReason, type LocalStepFunctions } from './engine';
import { EXECUTION_STATUSES, type ExecutionRecord, type ExecutionStatus, type HistoryEventRecord } from './store';
import { SfnInput } from './validate';

/** Namespace of Step Functions' exception shapes in `__type` (clients keep the part after `#`). */
const ERROR_NAMESPACE = 'com.amazonaws.swf.service.v2.model';
/** A page size of 0 or none means the default, 100. */
const DEFAULT_PAGE = 100;

const NAME = { required: true, min: 1, max: 80 } as const;
const ARN = { min: 1, max: 256 } as const;
const PAGE_TOKEN = { min: 1, max: 1024 } as const;

/**
 * The local Step Functions API (service `states`, awsJson1_0, target prefix `AWSStepFunctions`), answered by a
 * `LocalStepFunctions` engine. Its state lives in DynamoDB, not in the sandbox state (`externalState`).
 */
export function statesService(engine: LocalStepFunctions): JsonService {
  return {
    protocol: 'json',
    signingName: 'states',
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    errorNamespace: ERROR_NAMESPACE,
    messageKey: 'message',
    externalState: true,
    throttling: { code: 'ThrottlingException', status: 400 },
    errorStatus: { ThrottlingException: 400, InternalServerException: 500, ServiceUnavailable: 503 },
    operations: {
      CreateStateMachine: async (body) => {
        const r = new SfnInput(body);
        const name = r.str('name', NAME);
        const definition = r.str('definition', { required: true, min: 1, max: 1_048_576 });
        const roleArn = r.str('roleArn', { required: true, ...ARN });
        const type = r.str('type', { enum: ['STANDARD', 'EXPRESS'] });
        const tags = r.tags('tags');
        r.object('loggingConfiguration');
        r.object('tracingConfiguration');
        r.object('encryptionConfiguration');
        r.bool('publish');
        r.str('versionDescription', { max: 256 });
        r.done();
        const sm = await engine.createStateMachine({ name: name!, definition: definition!, roleArn: roleArn!, ...(type ? { type } : {}), ...(tags ? { tags } : {}) });
        return { stateMachineArn: sm.stateMachineArn, creationDate: epochSeconds(sm.creationDate) };
      },

      DescribeStateMachine: async (body) => {
        const r = new SfnInput(body);
        const arn = r.str('stateMachineArn', { required: true, ...ARN });
        r.str('includedData', { enum: ['ALL_DATA', 'METADATA_ONLY'] });
        r.done();
        const sm = await engine.describeStateMachine(arn!);
        return {
          stateMachineArn: sm.stateMachineArn,
          name: sm.name,
          status: 'ACTIVE',
          definition: sm.definition,
          roleArn: sm.roleArn,
          type: sm.type,
          creationDate: epochSeconds(sm.creationDate),
          loggingConfiguration: { level: 'OFF', includeExecutionData: false },
          tracingConfiguration: { enabled: false },
          revisionId: sm.revisionId,
        };
      },

      ListStateMachines: async (body) => {
        const r = new SfnInput(body);
        const max = r.int('maxResults', { min: 0, max: 1000 });
        const token = r.str('nextToken', PAGE_TOKEN);
        r.done();
        const page = await engine.listStateMachines(max || DEFAULT_PAGE, token);
        return {
          stateMachines: page.stateMachines.map((sm) => ({ stateMachineArn: sm.stateMachineArn, name: sm.name, type: sm.type, creationDate: epochSeconds(sm.creationDate) })),
          ...(page.nextToken ? { nextToken: page.nextToken } : {}),
        };
      },

      StartExecution: async (body) => {
        const r = new SfnInput(body);
        const stateMachineArn = r.str('stateMachineArn', { required: true, ...ARN });
        const name = r.str('name', { min: 1, max: 80 });
        const input = r.str('input', { max: 262_144 });
        r.str('traceHeader', { max: 256 });
        r.done();
        const out = await engine.startExecution({ stateMachineArn: stateMachineArn!, ...(name !== undefined ? { name } : {}), ...(input !== undefined ? { input } : {}) });
        return { executionArn: out.executionArn, startDate: epochSeconds(out.startDate) };
      },

      DescribeExecution: async (body) => {
        const r = new SfnInput(body);
        const arn = r.str('executionArn', { required: true, ...ARN });
        const included = r.str('includedData', { enum: ['ALL_DATA', 'METADATA_ONLY'] });
        r.done();
        return describeExecutionOutput(await engine.describeExecution(arn!), included !== 'METADATA_ONLY');
      },

      ListExecutions: async (body) => {
        const r = new SfnInput(body);
        const stateMachineArn = r.str('stateMachineArn', ARN);
        const statusFilter = r.str('statusFilter', { enum: EXECUTION_STATUSES }) as ExecutionStatus | undefined;
        const max = r.int('maxResults', { min: 0, max: 1000 });
        const token = r.str('nextToken', { min: 1, max: 3096 });
        const mapRunArn = r.str('mapRunArn', { min: 1, max: 2000 });
        const redriveFilter = r.str('redriveFilter', { enum: ['REDRIVEN', 'NOT_REDRIVEN'] }) as 'REDRIVEN' | 'NOT_REDRIVEN' | undefined;
        r.done();
        if (mapRunArn !== undefined) throw new AwsError('ResourceNotFound', `Resource not found: '${mapRunArn}'`, { fields: { resourceName: mapRunArn } });
        if (stateMachineArn === undefined) throw new AwsError('ValidationException', 'Must provide a StateMachine ARN or MapRun ARN');
        const page = await engine.listExecutions({
          stateMachineArn,
          maxResults: max || DEFAULT_PAGE,
          ...(statusFilter ? { statusFilter } : {}),
          ...(redriveFilter ? { redriveFilter } : {}),
          ...(token !== undefined ? { nextToken: token } : {}),
        });
        return { executions: page.executions.map(executionListItem), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
      },

      GetExecutionHistory: async (body) => {
        const r = new SfnInput(body);
        const arn = r.str('executionArn', { required: true, ...ARN });
        const max = r.int('maxResults', { min: 0, max: 1000 });
        const reverseOrder = r.bool('reverseOrder');
        const token = r.str('nextToken', PAGE_TOKEN);
        const includeExecutionData = r.bool('includeExecutionData');
        r.done();
        const page = await engine.getExecutionHistory({
          executionArn: arn!,
          maxResults: max || DEFAULT_PAGE,
          ...(reverseOrder !== undefined ? { reverseOrder } : {}),
          ...(token !== undefined ? { nextToken: token } : {}),
          ...(includeExecutionData !== undefined ? { includeExecutionData } : {}),
        });
        return { events: page.events.map(historyEventOutput), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
      },

      StopExecution: async (body) => {
        const r = new SfnInput(body);
        const arn = r.str('executionArn', { required: true, ...ARN });
        const error = r.str('error', { max: 256 });
        const cause = r.str('cause', { max: 32_768 });
        r.done();
        const out = await engine.stopExecution({ executionArn: arn!, ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
        return { stopDate: epochSeconds(out.stopDate) };
      },

      RedriveExecution: async (body) => {
        const r = new SfnInput(body);
        const arn = r.str('executionArn', { required: true, ...ARN });
        const clientToken = r.str('clientToken', { min: 1, max: 64, pattern: /^[!-~]+$/ });
        r.done();
        const out = await engine.redriveExecution({ executionArn: arn!, ...(clientToken !== undefined ? { clientToken } : {}) });
        return { redriveDate: epochSeconds(out.redriveDate) };
      },
    },
  };
}

function describeExecutionOutput(ex: ExecutionRecord, withData: boolean): JsonObject {
  const reason = notRedrivableReason(ex);
  return {
    executionArn: ex.executionArn,
    stateMachineArn: ex.stateMachineArn,
    name: ex.name,
    status: ex.status,
    startDate: epochSeconds(ex.startDate),
    ...(ex.stopDate ? { stopDate: epochSeconds(ex.stopDate) } : {}),
    ...(withData ? { input: ex.input } : {}),
    inputDetails: { included: withData },
    ...(ex.output !== undefined ? { ...(withData ? { output: ex.output } : {}), outputDetails: { included: withData } } : {}),
    ...(ex.error !== undefined ? { error: ex.error } : {}),
    ...(ex.cause !== undefined ? { cause: ex.cause } : {}),
    redriveCount: ex.redriveCount,
    ...(ex.redriveDate ? { redriveDate: epochSeconds(ex.redriveDate) } : {}),
    redriveStatus: reason ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
    ...(reason ? { redriveStatusReason: reason } : {}),
  };
}

function executionListItem(ex: ExecutionRecord): JsonObject {
  return {
    executionArn: ex.executionArn,
    stateMachineArn: ex.stateMachineArn,
    name: ex.name,
    status: ex.status,
    startDate: epochSeconds(ex.startDate),
    ...(ex.stopDate ? { stopDate: epochSeconds(ex.stopDate) } : {}),
    ...(ex.redriveCount > 0 ? { redriveCount: ex.redriveCount } : {}),
    ...(ex.redriveDate ? { redriveDate: epochSeconds(ex.redriveDate) } : {}),
  };
}

function historyEventOutput(e: HistoryEventRecord): JsonObject {
  return { ...e, timestamp: epochSeconds(e.timestamp) };
}
