import { DEMO } from '../../../local/sandbox/seed';
import { control } from '../../support/sandbox';
import { E2E_TOKEN, startTestRuntime, topicArn, type TestRuntime } from '../../support/runtime';
import { cli, startedId, type CliRun } from './support';

/**
 * The `two-way-sms` command end to end: the real bin/two-way-sms.js as a child process against the whole local
 * service (startRuntime in process: sandbox, dynalite, local Step Functions, REST API).
 */

let t: TestRuntime;
let run: (...args: string[]) => Promise<CliRun>;

beforeAll(async () => {
  t = await startTestRuntime();
  const env = { TWO_WAY_SMS_API_URL: t.rt.api.url, TWO_WAY_SMS_API_TOKEN: E2E_TOKEN, SANDBOX_URL: t.rt.edgeUrl };
  run = (...args) => cli(args, env);
});

afterAll(async () => {
  await t.stop();
});

const PROVISION_STEPS = ['AcquireLock', 'ValidateNumber', 'EnsureTopic', 'EnsureAccess', 'MergeKeyPolicy', 'Preflight', 'EnableTwoWay', 'Verify', 'ReleaseLock'];
const FIFO_TOPIC = `arn:aws:sns:us-east-1:123456789012:${DEMO.topics.fifo}`;

describe('the demo number, end to end', () => {
  let id: string;

  it('provision --wait (new topic, new role) prints every step as it ends and exits 0 on SUCCEEDED', async () => {
    const r = await run('provision', DEMO.numbers.longCode, '--topic-name', 'cli-inbound', '--new-role', '--wait');

    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    id = startedId(r.stdout);
    for (const step of PROVISION_STEPS) expect(r.stdout).toMatch(new RegExp(`✓ ${step}\\s+succeeded\\s+\\d`));
    expect(r.stdout).toMatch(/✓ SUCCEEDED in [\d.]+ m?s: two-way SMS is enabled on phone-\w+ \(SNS new topic cli-inbound, new role\)/);
    expect((await t.api.call('GET', `/v1/provisionings/${id}`)).body.status).toBe('SUCCEEDED');
  });

  it('inbound delivers an SMS to the new topic and prints where it went', async () => {
    const r = await run('inbound', DEMO.numbers.longCode, 'JOIN now');

    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`delivered via sns to ${topicArn('cli-inbound')}`);
    expect(r.stdout).toContain('messageBody: JOIN now');
    const messages = await t.edge.topicMessages(topicArn('cli-inbound'));
    expect(JSON.parse(messages.at(-1)!.message)).toMatchObject({ messageBody: 'JOIN now', originationNumber: '+14255550182' });
  });

  it('status shows the fields, every step and the resources created', async () => {
    const r = await run('status', id);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Provisioning ${id}\\s+SUCCEEDED`));
    expect(r.stdout).toMatch(/destination\s+SNS new topic cli-inbound, new role/);
    expect(r.stdout).toMatch(/requested by\s+local:/);
    for (const step of PROVISION_STEPS) expect(r.stdout).toMatch(new RegExp(`\\d+\\s+${step}\\s+Task\\s+succeeded`));
    expect(r.stdout).toMatch(new RegExp(`topic\\s+done\\s+${topicArn('cli-inbound')} \\(created\\)`));
    expect(r.stdout).toMatch(/role\s+done\s+arn:aws:iam::123456789012:role\/two-way-sms\/\S+ \(created\)/);
  });

  it('status --json prints the API JSON', async () => {
    const r = await run('status', id, '--json');

    expect(r.code).toBe(0);
    const api = (await t.api.call('GET', `/v1/provisionings/${id}`)).body;
    expect(JSON.parse(r.stdout)).toEqual(api);
  });

  it('audit lists every AWS mutation, intent and outcome', async () => {
    const r = await run('audit', id);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/AT\s+STEP\s+PHASE\s+ACTION\s+RESOURCE\s+RESULT/);
    expect(r.stdout).toMatch(new RegExp(`EnsureTopic\\s+intent\\s+sns:CreateTopic\\s+${topicArn('cli-inbound')}`));
    expect(r.stdout).toMatch(new RegExp(`EnsureTopic\\s+outcome\\s+sns:CreateTopic\\s+${topicArn('cli-inbound')}\\s+succeeded`));
    expect(r.stdout).toMatch(/EnsureAccess\s+outcome\s+iam:CreateRole\s+\S+\s+succeeded/);
    expect(r.stdout).toMatch(/EnableTwoWay\s+outcome\s+sms-voice:UpdatePhoneNumber\s+\S+\s+succeeded/);
    const json = JSON.parse((await run('audit', id, '--json')).stdout);
    expect(json).toEqual((await t.api.call('GET', `/v1/provisionings/${id}/audit`)).body);
  });

  it('history prints the Step Functions events with their state', async () => {
    const r = await run('history', id);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1\s+\+0 ms\s+ExecutionStarted/);
    expect(r.stdout).toMatch(/TaskStateEntered\s+EnsureTopic/);
    expect(r.stdout).toMatch(/LambdaFunctionSucceeded\s+EnableTwoWay/);
    expect(r.stdout).toMatch(/ExecutionSucceeded/);
    const json = JSON.parse((await run('history', id, '--json')).stdout);
    expect(json.events).toEqual((await t.api.call('GET', `/v1/provisionings/${id}/history?limit=1000`)).body.events);
  });

  it('disable --wait deprovisions it; inbound then says why the message is dropped (exit 1)', async () => {
    const r = await run('disable', DEMO.numbers.longCode, '--wait', '--ticket', 'jira:OPS-43');

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Started deprovisioning \S+ of phone-\w+ \(RUNNING\)/);
    expect(r.stdout).toMatch(/✓ UndoTopic\s+succeeded/);
    expect(r.stdout).toMatch(/✓ SUCCEEDED in [\d.]+ m?s: two-way SMS is disabled on phone-\w+/);
    const detail = (await t.api.call('GET', `/v1/provisionings/${startedId(r.stdout)}`)).body;
    expect(detail).toMatchObject({ operation: 'deprovision', status: 'SUCCEEDED', ticket: { system: 'jira', key: 'OPS-43' } });

    const inbound = await run('inbound', DEMO.numbers.longCode, 'hello again');
    expect(inbound.code).toBe(1);
    expect(inbound.stdout).toMatch(/^dropped: two-way SMS is not enabled on phone number \+12065550100/);
  });
});

describe('a failing request', () => {
  it('provision --wait of a FIFO topic exits 1 showing the caught step, the undo steps and ROLLED_BACK with the error', async () => {
    const r = await run('provision', DEMO.numbers.tenDlc, '--topic-arn', FIFO_TOPIC, '--topic-policy', '--wait');

    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ EnsureTopic\s+caught\s+\d+ ms\s+DestinationNotUsable: .*FIFO topic/);
    expect(r.stdout).toMatch(/✓ UndoTopic\s+succeeded/);
    expect(r.stdout).toMatch(/✗ ROLLED_BACK in [\d.]+ m?s: DestinationNotUsable: destination\.topic\.arn: topic .*two-way-demo-inbound\.fifo is a FIFO topic/);
    expect(r.stdout).toContain('everything this request changed has been undone');
  });

  it('status of the rolled-back provisioning exits 1 and shows the original error', async () => {
    const list = JSON.parse((await run('list', '--status', 'ROLLED_BACK', '--json')).stdout);
    const id = list.items[0].id as string;

    const r = await run('status', id);

    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^Provisioning ${id}\\s+ROLLED_BACK`));
    expect(r.stdout).toMatch(/error\s+DestinationNotUsable: .*FIFO topic/);
  });

  it('--wait --json prints only the final provisioning JSON and exits 1', async () => {
    const r = await run('provision', DEMO.numbers.tenDlc, '--topic-arn', FIFO_TOPIC, '--topic-policy', '--wait', '--json');

    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout);
    expect(d.status).toBe('ROLLED_BACK');
    expect(d.steps.find((s: any) => s.status === 'caught')).toMatchObject({ name: 'EnsureTopic', error: { name: 'DestinationNotUsable' } });
  });

  it('an API validation error prints title, detail and each field with its flag; exit 1', async () => {
    const r = await run('provision', DEMO.numbers.tenDlc, '--topic-name', 'bad name!', '--new-role');

    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: The request is not valid: /);
    expect(r.stderr).toMatch(/ {2}destination\.topic\.create\.name \(--topic-name\): topic name may contain only letters, digits, hyphens and underscores/);
  });

  it('with --json an API error is the problem JSON on stdout', async () => {
    const r = await run('status', '01ZZZZZZZZZZZZZZZZZZZZZZZZ', '--json');

    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'urn:two-way-sms:problem:not-found', status: 404 });
    expect(r.stderr).toMatch(/^error: Not found: /);
  });

  it('a wrong token is a 401 error, exit 1', async () => {
    const r = await cli(['list'], { TWO_WAY_SMS_API_URL: t.rt.api.url, TWO_WAY_SMS_API_TOKEN: 'not-the-token' });

    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Authentication required/);
  });
});

describe('provision without --wait, list, idempotency', () => {
  it('prints the started provisioning and how to follow it; status --wait follows it to SUCCEEDED', async () => {
    const r = await run('provision', DEMO.numbers.tenDlc, '--topic-arn', topicArn(DEMO.topics.standard), '--topic-policy', '--idempotency-key', 'cli-key-1');

    expect(r.code).toBe(0);
    const id = startedId(r.stdout);
    expect(r.stdout).toContain(`destination: SNS topic ${topicArn(DEMO.topics.standard)}, topic policy`);
    expect(r.stdout).toContain(`follow it:   two-way-sms status ${id} --wait`);

    const replay = await run('provision', DEMO.numbers.tenDlc, '--topic-arn', topicArn(DEMO.topics.standard), '--topic-policy', '--idempotency-key', 'cli-key-1');
    expect(replay.code).toBe(0);
    expect(startedId(replay.stdout)).toBe(id);
    expect(replay.stdout).toContain('replayed: this Idempotency-Key started it earlier');

    const followed = await run('status', id, '--wait');
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/✓ EnsureAccess\s+succeeded/);
    expect(followed.stdout).toMatch(/✓ SUCCEEDED in/);
  });

  it('list prints a table, filters by number and status, and pages with --limit / --all', async () => {
    const all = await run('list');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/ID\s+OPERATION\s+TARGET\s+STATUS\s+STARTED\s+TIME\s+ERROR/);
    expect(all.stdout).toMatch(/provision\s+phone-\w+\s+ROLLED_BACK\s+\S+\s+[\d.]+ m?s\s+DestinationNotUsable: /);
    expect(all.stdout).toMatch(/deprovision\s+phone-\w+\s+SUCCEEDED/);

    const filtered = JSON.parse((await run('list', '--phone-number', DEMO.numbers.longCode, '--status', 'SUCCEEDED', '--json')).stdout);
    expect(filtered.items.length).toBe(2);
    expect(filtered.items.every((p: any) => p.status === 'SUCCEEDED' && p.phoneNumberId === filtered.items[0].phoneNumberId)).toBe(true);

    const page = await run('list', '--limit', '1');
    expect(page.stdout).toMatch(/more: two-way-sms list --next-token \S+ {2}\(or --all\)/);
    const total = (await t.api.call('GET', '/v1/provisionings?limit=100')).body.items.length;
    const everything = JSON.parse((await run('list', '--limit', '1', '--all', '--json')).stdout);
    expect(everything.items.length).toBe(total);
  });
});

describe('redrive', () => {
  it('a ROLLBACK_FAILED exits 1 saying what to do; redrive --wait resumes the rollback and shows only the new steps', async () => {
    const number = await t.edge.newNumber();
    // EnableTwoWay fails (the rollback starts), then DeleteRole keeps failing past UndoAccess's retries.
    await control(t.rt.edgeUrl, 'POST', '/_sandbox/faults', { service: 'sms-voice', operation: 'UpdatePhoneNumber', error: 'AccessDeniedException', count: 1 });
    await control(t.rt.edgeUrl, 'POST', '/_sandbox/faults', { service: 'iam', operation: 'DeleteRole', error: 'AccessDeniedException', count: 100 });

    const failed = await run('provision', number.e164, '--topic-name', 'cli-redrive', '--new-role', '--wait');

    expect(failed.code).toBe(1);
    const id = startedId(failed.stdout);
    expect(failed.stdout).toMatch(/✗ UndoAccess\s+failed\s+[\d.]+ m?s\s+\d+ retries\s+CompensationFailed: /);
    expect(failed.stdout).toMatch(/✗ ROLLBACK_FAILED in [\d.]+ m?s: CompensationFailed: /);
    expect(failed.stdout).toContain('while rolling back from: AccessDeniedException');
    expect(failed.stdout).toContain(`resume the rollback: two-way-sms redrive ${id} --wait`);

    await control(t.rt.edgeUrl, 'DELETE', '/_sandbox/faults');
    const redriven = await run('redrive', id, '--wait');

    expect(redriven.stdout).toMatch(new RegExp(`^Redriven ${id}: RUNNING again from the state that failed`));
    expect(redriven.stdout).toMatch(/✓ UndoAccess\s+succeeded/);
    expect(redriven.stdout).toMatch(/✓ UndoTopic\s+succeeded/);
    expect(redriven.stdout).not.toMatch(/EnableTwoWay|EnsureTopic/);
    expect(redriven.stdout).toMatch(/✗ ROLLED_BACK in [\d.]+ m?s: AccessDeniedException/);
    expect(redriven.code).toBe(1);
  }, 60_000);

  it('redrive of an execution that did not fail is an API error (exit 1)', async () => {
    const id = JSON.parse((await run('list', '--status', 'SUCCEEDED', '--json')).stdout).items[0].id as string;

    const r = await run('redrive', id);

    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: The execution cannot be redriven: /);
  });
});
