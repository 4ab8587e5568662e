import { TABLE } from '../../tasks/lib/store/table';
import { STATE_MACHINES } from '../../workflow';
import { executionBudgetSeconds } from '../../workflow/budget';
import { readConfig } from '../../tasks/lib/context';
import { logicalId, resourcesOf, synth, TEST_ENV } from './synth';

/**
 * Operability of the deployed stack (issue 8, section 3): executions are bounded in time, so the time-out alarms
 * can fire; aborted and throttled executions page; the notifier hears every terminal status, and may release
 * the leases of executions that ended without releasing them.
 */
const { json, stack } = synth({ env: TEST_ENV });
const machines = resourcesOf(json, 'AWS::StepFunctions::StateMachine').map(([id, r]) => ({ id, props: r.Properties! }));
const alarms = resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);

describe.each(Object.values(STATE_MACHINES).map((file) => [file]))('deployed %s', (file) => {
  const machine = machines.find((m) => m.props.StateMachineName === `two-way-sms-${file}`)!;
  const definition = JSON.parse(machine.props.DefinitionString as string) as Parameters<typeof executionBudgetSeconds>[0] & { TimeoutSeconds?: number };

  it('has a top-level TimeoutSeconds that covers its execution budget and stays under a number lease', () => {
    expect(definition.TimeoutSeconds).toEqual(expect.any(Number));
    expect(definition.TimeoutSeconds!).toBeGreaterThanOrEqual(executionBudgetSeconds(definition, { pollLimit: readConfig({}).importPollLimit, pollSeconds: 5 }).total);
    expect(definition.TimeoutSeconds! * 1000).toBeLessThan(readConfig({}).lockLeaseMs);
  });

  it.each([
    ['timed-out', 'ExecutionsTimedOut'],
    ['aborted', 'ExecutionsAborted'],
    ['throttled', 'ExecutionThrottled'],
  ])('has an executions-%s alarm on AWS/States %s of this state machine, at the first occurrence', (_kind, metric) => {
    const matching = alarms.filter((a) => a.Namespace === 'AWS/States' && a.MetricName === metric && a.Dimensions?.[0]?.Value?.Ref === machine.id);
    expect(matching).toHaveLength(1);
    expect(matching[0]).toMatchObject({
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machine.id } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalId(stack, stack.alarms.topic) }],
    });
  });
});

describe('completion notifier', () => {
  const rule = resourcesOf(json, 'AWS::Events::Rule').map(([, r]) => r.Properties!).find((r) => r.EventPattern?.source?.[0] === 'aws.states')!;

  it('hears ABORTED and TIMED_OUT executions, not only the ones that reach a Succeed or Fail state', () => {
    expect(rule.EventPattern.detail.status).toEqual(expect.arrayContaining(['ABORTED', 'TIMED_OUT', 'SUCCEEDED', 'FAILED']));
  });

  it('may find leases by their holder (gsi1) and delete them, and nothing more on the table', () => {
    const statements = stack.permissions.Notifier;
    const byAction = (action: string) => statements.filter((s) => s.actions.includes(action)).flatMap((s) => s.resources.map((r) => stack.resolve(r) as unknown));
    const tableRef = { 'Fn::GetAtt': [logicalId(stack, stack.table.table), 'Arn'] };
    expect(byAction('dynamodb:DeleteItem')).toEqual([tableRef]);
    expect(byAction('dynamodb:Query')).toEqual([{ 'Fn::Join': ['', [tableRef, `/index/${TABLE.gsi1.name}`]] }]);
    expect(statements.flatMap((s) => s.actions).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
  });
});
