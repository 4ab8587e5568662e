import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { errorOf, eventJson, originalError, outcomeOf, stepsOf } from '../../../api/execution';

const lambda = (errorType: string, errorMessage: string) => JSON.stringify({ errorType, errorMessage, trace: ['at x'] });

describe('outcomeOf', () => {
  const stopDate = new Date('2025-01-01T00:05:00Z');

  it('maps SUCCEEDED to SUCCEEDED with endedAt', () => {
    expect(outcomeOf({ status: 'SUCCEEDED', stopDate })).toEqual({ status: 'SUCCEEDED', endedAt: '2025-01-01T00:05:00.000Z' });
  });

  it('maps FAILED with RolledBack to ROLLED_BACK carrying the original Lambda error', () => {
    const cause = JSON.stringify({ Error: 'DestinationNotUsable', Cause: lambda('DestinationNotUsable', 'the topic is FIFO') });

    expect(outcomeOf({ status: 'FAILED', error: 'RolledBack', cause, stopDate })).toEqual({ status: 'ROLLED_BACK', error: { name: 'DestinationNotUsable', message: 'the topic is FIFO' }, endedAt: '2025-01-01T00:05:00.000Z' });
  });

  it('keeps a States.* original error whose cause is plain text', () => {
    const cause = JSON.stringify({ Error: 'States.Timeout', Cause: 'Task timed out after 60 seconds' });

    expect(outcomeOf({ status: 'FAILED', error: 'RolledBack', cause }).error).toEqual({ name: 'States.Timeout', message: 'Task timed out after 60 seconds' });
  });

  it('maps any other FAILED to ROLLBACK_FAILED with the compensation error', () => {
    expect(outcomeOf({ status: 'FAILED', error: 'CompensationFailed', cause: lambda('CompensationFailed', 'left: role x') })).toEqual({ status: 'ROLLBACK_FAILED', error: { name: 'CompensationFailed', message: 'left: role x' } });
  });

  it('maps ABORTED and TIMED_OUT to ABORTED, and RUNNING / PENDING_REDRIVE to RUNNING', () => {
    expect(outcomeOf({ status: 'ABORTED' }).status).toBe('ABORTED');
    expect(outcomeOf({ status: 'TIMED_OUT' })).toEqual({ status: 'ABORTED', error: { name: 'States.Timeout', message: '' } });
    expect(outcomeOf({ status: 'RUNNING' })).toEqual({ status: 'RUNNING' });
    expect(outcomeOf({ status: 'PENDING_REDRIVE', redriveCount: 2 })).toEqual({ status: 'RUNNING', redriveCount: 2 });
  });

  it('survives a cause that is not JSON', () => {
    expect(originalError('not json')).toEqual({ name: 'RolledBack', message: 'not json' });
    expect(errorOf('X', undefined)).toEqual({ name: 'X', message: '' });
  });
});

describe('stepsOf', () => {
  let id = 0;
  let t = Date.parse('2025-01-01T00:00:00Z');
  const ev = (type: string, extra: Partial<HistoryEvent> = {}): HistoryEvent => ({ id: ++id, timestamp: new Date((t += 1000)), type: type as HistoryEvent['type'], ...extra });
  const entered = (name: string, type = 'Task') => ev(`${type}StateEntered`, { stateEnteredEventDetails: { name } });
  const exited = (name: string, type = 'Task') => ev(`${type}StateExited`, { stateExitedEventDetails: { name } });
  const scheduled = () => ev('LambdaFunctionScheduled');
  const failed = (error: string, message: string) => ev('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error, cause: lambda(error, message) } });
  const succeeded = () => ev('LambdaFunctionSucceeded');

  beforeEach(() => {
    id = 0;
    t = Date.parse('2025-01-01T00:00:00Z');
  });

  it('gives one step per state entered, with retries counted and the last attempt deciding', () => {
    const steps = stepsOf([
      ev('ExecutionStarted'),
      entered('Start', 'Pass'),
      exited('Start', 'Pass'),
      entered('EnableTwoWay'),
      scheduled(),
      failed('RoleNotYetAccessible', 'propagating'),
      scheduled(),
      failed('RoleNotYetAccessible', 'propagating'),
      scheduled(),
      succeeded(),
      exited('EnableTwoWay'),
      entered('Provisioned', 'Succeed'),
      exited('Provisioned', 'Succeed'),
      ev('ExecutionSucceeded'),
    ]);

    expect(steps).toEqual([
      { name: 'Start', type: 'Pass', status: 'succeeded', enteredAt: '2025-01-01T00:00:02.000Z', exitedAt: '2025-01-01T00:00:03.000Z', retries: 0 },
      { name: 'EnableTwoWay', type: 'Task', status: 'succeeded', enteredAt: '2025-01-01T00:00:04.000Z', exitedAt: '2025-01-01T00:00:11.000Z', retries: 2 },
      { name: 'Provisioned', type: 'Succeed', status: 'succeeded', enteredAt: '2025-01-01T00:00:12.000Z', exitedAt: '2025-01-01T00:00:13.000Z', retries: 0 },
    ]);
  });

  it('marks a failed state that a Catch moved on from as caught, with its error', () => {
    const steps = stepsOf([entered('Preflight'), scheduled(), failed('PreflightFailed', 'role may not publish'), exited('Preflight'), entered('Rollback', 'Pass')]);

    expect(steps[0]).toMatchObject({ name: 'Preflight', status: 'caught', error: { name: 'PreflightFailed', message: 'role may not publish' } });
    expect(steps[1]).toMatchObject({ name: 'Rollback', status: 'running' });
  });

  it('marks the state the execution failed in as failed (a compensation) and the Fail state with the execution error', () => {
    const undo = stepsOf([entered('UndoAccess'), scheduled(), failed('CompensationFailed', 'left: role'), ev('ExecutionFailed', { executionFailedEventDetails: { error: 'CompensationFailed', cause: lambda('CompensationFailed', 'left: role') } })]);
    const fail = stepsOf([entered('RolledBack', 'Fail'), ev('ExecutionFailed', { executionFailedEventDetails: { error: 'RolledBack', cause: '{}' } })]);

    expect(undo).toEqual([expect.objectContaining({ name: 'UndoAccess', status: 'failed', error: { name: 'CompensationFailed', message: 'left: role' } })]);
    expect(fail).toEqual([expect.objectContaining({ name: 'RolledBack', type: 'Fail', status: 'failed', error: { name: 'RolledBack', message: '{}' } })]);
  });

  it('shows a redriven execution resuming in the failed state as a new step', () => {
    const steps = stepsOf([
      entered('UndoTopic'),
      scheduled(),
      failed('CompensationFailed', 'x'),
      ev('ExecutionFailed', { executionFailedEventDetails: { error: 'CompensationFailed', cause: '' } }),
      ev('ExecutionRedriven'),
      scheduled(),
      succeeded(),
      exited('UndoTopic'),
    ]);

    expect(steps.map((s) => [s.name, s.status])).toEqual([
      ['UndoTopic', 'failed'],
      ['UndoTopic', 'succeeded'],
    ]);
  });

  it('keeps a state of a loop entered twice as two steps (CheckImport polling)', () => {
    const steps = stepsOf([entered('CheckImport'), scheduled(), succeeded(), exited('CheckImport'), entered('IsImportClaimed', 'Choice'), exited('IsImportClaimed', 'Choice'), entered('CheckImport')]);

    expect(steps.map((s) => `${s.name}:${s.status}`)).toEqual(['CheckImport:succeeded', 'IsImportClaimed:succeeded', 'CheckImport:running']);
  });
});

describe('eventJson', () => {
  it('renders timestamps as RFC 3339 and drops absent fields', () => {
    expect(eventJson({ id: 1, type: 'ExecutionStarted', timestamp: new Date('2025-01-01T00:00:00Z'), previousEventId: undefined })).toEqual({ id: 1, type: 'ExecutionStarted', timestamp: '2025-01-01T00:00:00.000Z' });
  });
});
