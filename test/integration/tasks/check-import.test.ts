import { ReleasePhoneNumberCommand } from '@aws-sdk/client-connect';
import { checkImport } from '../../../tasks/check-import/check-import';
import { importToConnect } from '../../../tasks/import-to-connect/import-to-connect';
import type { TaskDeps } from '../../../tasks/lib/context';
import type { ImportResult } from '../../../tasks/lib/results';
import { startWorkflowEnv, type WorkflowEnv } from '../../support/workflow';
import { connectRequest, mutatingCalls, newProvisioningId, resetSandbox, seeded, setClaimDelay, sleep, taskEvent, type ConnectFixture } from './connect-fixtures';

describe('CheckImport', () => {
  let env: WorkflowEnv;
  let f: ConnectFixture;
  let provisioningId: string;

  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env.stop();
  });
  beforeEach(async () => {
    await resetSandbox(env);
    f = seeded(env);
    provisioningId = newProvisioningId();
  });

  const imported = () => importToConnect(taskEvent('ImportToConnect', connectRequest(f, provisioningId), { number: f.number }), env.deps);
  const check = (previous: ImportResult, deps: TaskDeps = env.deps) =>
    checkImport(taskEvent('CheckImport', connectRequest(f, provisioningId), { number: f.number, import: previous }), deps);

  it('returns IN_PROGRESS with one more poll while Connect is still claiming, then CLAIMED, reading only', async () => {
    await setClaimDelay(env, 300);
    const first = await imported();
    const seq = await env.lastSeq();

    const polled = await check(first);

    expect(polled).toEqual({ ...first, status: 'IN_PROGRESS', polls: 1 });
    await sleep(350);
    const claimed = await check(polled);
    expect(claimed).toEqual({ ...first, status: 'CLAIMED', polls: 2 });
    expect(await mutatingCalls(env, seq)).toEqual([]);
    expect((await env.calls(seq)).map((c) => c.operation)).toEqual(['DescribePhoneNumber', 'DescribePhoneNumber']);
  });

  it('fails with ConnectImportFailed once the poll budget is spent and the number is still IN_PROGRESS', async () => {
    await setClaimDelay(env, 60_000);
    const first = await imported();
    const deps: TaskDeps = { ...env.deps, config: { ...env.deps.config, importPollLimit: 3 } };

    const second = await check(first, deps);
    const third = await check(second, deps);
    const err = await check(third, deps).catch((e: unknown) => e);

    expect(third.polls).toBe(2);
    expect(err).toMatchObject({ name: 'ConnectImportFailed' });
    expect((err as Error).message).toContain('not CLAIMED after 3 polls');
  });

  it('fails with ConnectImportFailed carrying Connect’s message when the import FAILED', async () => {
    await setClaimDelay(env, 60_000);
    const first = await imported();
    // The sandbox never fails an import by itself; set the status as Connect would report it.
    env.sandbox.sandbox.state.connect.phoneNumbers[first.connectPhoneNumberId]!.PhoneNumberStatus = { Status: 'FAILED', Message: 'The instance has reached its limit of claimed numbers' };

    const err = await check(first).catch((e: unknown) => e);

    expect(err).toMatchObject({ name: 'ConnectImportFailed' });
    expect((err as Error).message).toContain('The instance has reached its limit of claimed numbers');
  });

  it('fails with ConnectImportFailed when the import was released while waiting', async () => {
    const first = await imported();
    await env.deps.connect.send(new ReleasePhoneNumberCommand({ PhoneNumberId: first.connectPhoneNumberId }));

    await expect(check({ ...first, status: 'IN_PROGRESS' })).rejects.toMatchObject({ name: 'ConnectImportFailed' });
  });

  it('refuses a missing import result with InvalidInput', async () => {
    await expect(checkImport(taskEvent('CheckImport', connectRequest(f, provisioningId), { number: f.number }), env.deps)).rejects.toMatchObject({ name: 'InvalidInput' });
  });
});
