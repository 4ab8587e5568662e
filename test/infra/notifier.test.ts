import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LockStore } from '../../tasks/lib/store/lock';
import { keys, TABLE } from '../../tasks/lib/store/table';
import { notify, NOTIFIER_METRICS, provisioningStatusOf, type Completion, type NotifierDeps } from '../../tasks/notifier/notifier';
import { startDynamo, type RunningDynamo } from '../support/dynamo';

/** The completion hook (tasks/notifier), against dynalite: what the EventBridge rule's target does on AWS. */

let dynamo: RunningDynamo;
beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(async () => {
  await dynamo.stop();
});

const ARN = 'arn:aws:states:eu-west-1:111122223333:execution:two-way-sms-provision-two-way';
const statusEvent = (id: string, detail: Record<string, unknown>) => ({
  version: '0',
  id: 'e-1',
  source: 'aws.states',
  'detail-type': 'Step Functions Execution Status Change',
  account: '111122223333',
  region: 'eu-west-1',
  time: '2025-01-01T00:00:10Z',
  resources: [`${ARN}:${id}`],
  detail: {
    executionArn: `${ARN}:${id}`,
    stateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:two-way-sms-provision-two-way',
    name: id,
    status: 'SUCCEEDED',
    startDate: 1735689600000,
    stopDate: 1735689610000,
    input: '{}',
    output: '{}',
    error: null,
    cause: null,
    redriveCount: 0,
    ...detail,
  },
});

function deps(overrides: Partial<NotifierDeps> = {}): NotifierDeps & { counted: string[]; completions: Completion[] } {
  const counted: string[] = [];
  const completions: Completion[] = [];
  return {
    db: dynamo.doc,
    tableName: dynamo.tableName,
    hooks: [async (c) => void completions.push(c)],
    log: { info: () => undefined, warn: () => undefined },
    count: (m) => void counted.push(m),
    clock: () => new Date('2025-01-01T00:00:30Z'),
    counted,
    completions,
    ...overrides,
  };
}

async function putRecord(id: string, extra: Record<string, unknown> = {}): Promise<void> {
  await dynamo.doc.send(new PutCommand({ TableName: dynamo.tableName, Item: { [TABLE.partitionKey]: keys.provisioning(id), [TABLE.sortKey]: 'META', status: 'RUNNING', ...extra } }));
}
async function record(id: string): Promise<Record<string, unknown> | undefined> {
  return (await dynamo.doc.send(new GetCommand({ TableName: dynamo.tableName, Key: { [TABLE.partitionKey]: keys.provisioning(id), [TABLE.sortKey]: 'META' } }))).Item;
}

describe('provisioningStatusOf', () => {
  it.each([
    [{ status: 'SUCCEEDED' }, 'SUCCEEDED'],
    [{ status: 'FAILED', error: 'RolledBack' }, 'ROLLED_BACK'],
    [{ status: 'FAILED', error: 'CompensationFailed' }, 'ROLLBACK_FAILED'],
    [{ status: 'FAILED', error: 'States.Runtime' }, 'ROLLBACK_FAILED'],
    // The same status the API shows for it (api/execution.ts outcomeOf).
    [{ status: 'TIMED_OUT' }, 'ABORTED'],
    [{ status: 'ABORTED' }, 'ABORTED'],
    [{ status: 'RUNNING' }, undefined],
  ] as const)('maps %j to %s', (detail, expected) => {
    expect(provisioningStatusOf(detail)).toBe(expected);
  });
});

describe('notify and number leases', () => {
  const locks = () => new LockStore(dynamo.doc, dynamo.tableName);
  const HOUR = 3_600_000;

  it.each(['ABORTED', 'TIMED_OUT', 'SUCCEEDED'])('releases the number lease a %s execution still holds, and only its own', async (status) => {
    const id = `01LEASE${status.replace('_', '')}`;
    await locks().acquire(`phone-${id}`, `${ARN}:${id}`, HOUR);
    await locks().acquire(`phone-${id}-other`, `${ARN}:someone-else`, HOUR);

    await notify(statusEvent(id, { status }), deps());

    expect(await locks().get(`phone-${id}`)).toBeUndefined();
    expect(await locks().get(`phone-${id}-other`)).toMatchObject({ owner: `${ARN}:someone-else` });
  });

  it('keeps the lease of an execution whose compensation gave up (the number is half undone until a redrive)', async () => {
    const id = '01LEASEROLLBACKFAILED';
    await locks().acquire(`phone-${id}`, `${ARN}:${id}`, HOUR);

    await notify(statusEvent(id, { status: 'FAILED', error: 'DeliveryNotRestored' }), deps());

    expect(await locks().get(`phone-${id}`)).toMatchObject({ owner: `${ARN}:${id}` });
  });

  it('never releases a shared-resource lease (held inside a task invocation that may still run)', async () => {
    const id = '01LEASESHARED';
    await locks().acquire(`key/${id}`, `${ARN}:${id}`, HOUR, 'shared');

    await notify(statusEvent(id, { status: 'ABORTED' }), deps());

    expect(await locks().get(`key/${id}`)).toMatchObject({ owner: `${ARN}:${id}` });
  });
});

describe('notify', () => {
  it('sets status and endedAt (the execution stop time) on the provisioning record, then runs the hooks', async () => {
    await putRecord('01PROVSUCCEEDED', { phoneNumberId: 'phone-1' });
    const d = deps();

    const out = await notify(statusEvent('01PROVSUCCEEDED', {}), d);

    expect(out.result).toBe('updated');
    expect(await record('01PROVSUCCEEDED')).toMatchObject({ status: 'SUCCEEDED', endedAt: '2025-01-01T00:00:10.000Z', phoneNumberId: 'phone-1' });
    expect(d.completions).toEqual([expect.objectContaining({ provisioningId: '01PROVSUCCEEDED', status: 'SUCCEEDED', executionStatus: 'SUCCEEDED' })]);
    expect(d.counted).toEqual([NOTIFIER_METRICS.executionsEnded]);
  });

  it('records a failed rollback and counts it for the alarm', async () => {
    await putRecord('01PROVROLLBACKFAILED');
    const d = deps();

    await notify(statusEvent('01PROVROLLBACKFAILED', { status: 'FAILED', error: 'CompensationFailed', cause: 'role left behind' }), d);

    expect(await record('01PROVROLLBACKFAILED')).toMatchObject({ status: 'ROLLBACK_FAILED' });
    expect(d.counted).toEqual([NOTIFIER_METRICS.executionsEnded, NOTIFIER_METRICS.rollbackFailed]);
    expect(d.completions[0]).toMatchObject({ error: 'CompensationFailed', cause: 'role left behind' });
  });

  it('records a clean rollback as ROLLED_BACK without counting a failure', async () => {
    await putRecord('01PROVROLLEDBACK');
    const d = deps();

    await notify(statusEvent('01PROVROLLEDBACK', { status: 'FAILED', error: 'RolledBack' }), d);

    expect(await record('01PROVROLLEDBACK')).toMatchObject({ status: 'ROLLED_BACK' });
    expect(d.counted).not.toContain(NOTIFIER_METRICS.rollbackFailed);
  });

  it('creates nothing for an execution without a record (started outside the API) and runs no hook', async () => {
    const d = deps();

    const out = await notify(statusEvent('01NORECORD', {}), d);

    expect(out.result).toBe('no-record');
    expect(await record('01NORECORD')).toBeUndefined();
    expect(d.completions).toEqual([]);
  });

  it('never moves a record back in time (a late event of an earlier attempt after a redrive)', async () => {
    await putRecord('01PROVREDRIVEN', { status: 'SUCCEEDED', endedAt: '2025-01-01T01:00:00.000Z' });
    const d = deps();

    const out = await notify(statusEvent('01PROVREDRIVEN', { status: 'FAILED', error: 'CompensationFailed' }), d);

    expect(out.result).toBe('stale');
    expect(await record('01PROVREDRIVEN')).toMatchObject({ status: 'SUCCEEDED', endedAt: '2025-01-01T01:00:00.000Z' });
    expect(d.completions).toEqual([]);
  });

  it('ignores a status that is not an end', async () => {
    await putRecord('01PROVRUNNING');
    const d = deps();

    const out = await notify(statusEvent('01PROVRUNNING', { status: 'RUNNING', stopDate: null }), d);

    expect(out).toEqual({ result: 'ignored', status: 'RUNNING' });
    expect(await record('01PROVRUNNING')).toMatchObject({ status: 'RUNNING' });
  });

  it('refuses an event that is not a Step Functions status change with InvalidInput naming the field', async () => {
    await expect(notify({ source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change', detail: { name: 'x' } }, deps())).rejects.toMatchObject({
      name: 'InvalidInput',
      field: 'detail.executionArn',
    });
  });

  it('fails the invocation when a hook fails, after the record is updated (EventBridge retries, then the DLQ)', async () => {
    await putRecord('01PROVHOOKFAILS');
    const d = deps({ hooks: [async () => Promise.reject(new Error('ticket system down'))] });

    await expect(notify(statusEvent('01PROVHOOKFAILS', {}), d)).rejects.toThrow('ticket system down');
    expect(await record('01PROVHOOKFAILS')).toMatchObject({ status: 'SUCCEEDED' });
  });
});
