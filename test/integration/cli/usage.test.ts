import { cli, closedPort } from './support';

/**
 * Usage errors, help and an unreachable API, with the real bin/two-way-sms.js. The API URL points at a closed
 * port: a command that sent a request would end with exit 3, so exit 2 also proves nothing was sent.
 */

let env: Record<string, string>;
let deadUrl: string;

beforeAll(async () => {
  deadUrl = `http://127.0.0.1:${await closedPort()}`;
  env = { TWO_WAY_SMS_API_URL: deadUrl, TWO_WAY_SMS_API_TOKEN: 'some-token', SANDBOX_URL: deadUrl };
});

const N = '+12065550100';

describe('invalid flag combinations are usage errors naming the flags (exit 2, nothing sent)', () => {
  it.each([
    ['no destination', [N, '--new-role'], /choose a destination: --topic-name NAME \[--kms-key ID\] or --topic-arn ARN \(an SNS topic\), or --connect-instance ID/],
    ['two topics', [N, '--topic-name', 'a', '--topic-arn', 'arn:aws:sns:us-east-1:123456789012:b', '--new-role'], /--topic-name and --topic-arn cannot be used together/],
    ['SNS and Connect', [N, '--topic-name', 'a', '--connect-instance', 'i', '--new-role'], /--topic-name and --connect-instance cannot be used together/],
    ['SNS without access', [N, '--topic-name', 'a'], /an SNS topic needs an access: --new-role, --role-name NAME or --role-arn ARN .* or --topic-policy/],
    ['two accesses', [N, '--topic-name', 'a', '--new-role', '--topic-policy'], /--new-role and --topic-policy cannot be used together/],
    ['two roles', [N, '--topic-arn', 'arn:aws:sns:us-east-1:123456789012:b', '--role-name', 'r', '--role-arn', 'arn:aws:iam::123456789012:role/r'], /--role-name and --role-arn cannot be used together/],
    ['KMS key on an existing topic', [N, '--topic-arn', 'arn:aws:sns:us-east-1:123456789012:b', '--kms-key', 'alias/k', '--topic-policy'], /--kms-key applies only to a topic created with --topic-name/],
    ['Connect with a topic policy', [N, '--connect-instance', 'i', '--topic-policy'], /--topic-policy applies only to an SNS topic; an Amazon Connect destination needs a role/],
    ['Connect without a role', [N, '--connect-instance', 'i'], /--connect-instance needs a role: --new-role, --role-name NAME or --role-arn ARN/],
    ['contact flow without Connect', [N, '--topic-name', 'a', '--new-role', '--contact-flow', 'f'], /--contact-flow applies only with --connect-instance/],
    ['ticket not SYSTEM:KEY', [N, '--topic-name', 'a', '--new-role', '--ticket', 'OPS-42'], /--ticket must be SYSTEM:KEY, e\.g\. jira:OPS-42/],
    ['ticket URL without ticket', [N, '--topic-name', 'a', '--new-role', '--ticket-url', 'https://x'], /--ticket-url needs --ticket SYSTEM:KEY/],
  ])('provision: %s', async (_what, args, message) => {
    const r = await cli(['provision', ...args], env);

    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('--help');
  });

  it.each([
    ['unknown command', ['bogus'], /unknown command 'bogus'/],
    ['missing argument', ['status'], /missing required argument 'id'/],
    ['unknown option', ['list', '--colour'], /unknown option '--colour'/],
    ['status not one of the statuses', ['list', '--status', 'DONE'], /argument 'DONE' is invalid\. Allowed choices are RUNNING, SUCCEEDED, ROLLED_BACK, ROLLBACK_FAILED, ABORTED/],
    ['limit not a number', ['list', '--limit', 'ten'], /'--limit <n>' argument 'ten' is invalid/],
    ['--all with --next-token', ['list', '--all', '--next-token', 'x'], /--all and --next-token cannot be used together/],
    ['API URL not http', ['--api-url', 'ftp://example.com', 'list'], /--api-url must be an http\(s\) URL/],
    ['no command', [], /Usage: two-way-sms/],
  ])('%s', async (_what, args, message) => {
    const r = await cli(args, env);

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('an API that cannot be reached (exit 3)', () => {
  it('names the URL and how to start the API', async () => {
    const r = await cli(['list'], env);

    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`error: cannot reach the API at ${deadUrl} (ECONNREFUSED)`);
    expect(r.stderr).toContain('start it with `npm start`');
  });

  it('--api-url wins over TWO_WAY_SMS_API_URL', async () => {
    const other = `http://127.0.0.1:${await closedPort()}`;

    const r = await cli(['--api-url', other, 'status', '01ABCDEFGHJKMNPQRSTVWXYZ00'], env);

    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot reach the API at ${other}`);
  });

  it('inbound names the sandbox URL and the --sandbox-url flag', async () => {
    const r = await cli(['inbound', N, 'hello'], env);

    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`error: cannot reach the sandbox at ${deadUrl}`);
    expect(r.stderr).toContain('--sandbox-url / SANDBOX_URL');
  });
});

describe('--help', () => {
  it('the top level lists every command, the exit codes and examples', async () => {
    const r = await cli(['--help'], env);

    expect(r.code).toBe(0);
    for (const cmd of ['serve', 'provision', 'status', 'list', 'audit', 'history', 'redrive', 'disable', 'inbound']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    expect(r.stdout).toContain('Exit codes: 0 succeeded');
    expect(r.stdout).toContain('Examples:\n  $ npm start');
  });

  it.each(['serve', 'provision', 'status', 'list', 'audit', 'history', 'redrive', 'disable', 'inbound'])('%s --help has examples of itself', async (cmd) => {
    const r = await cli([cmd, '--help'], env);

    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: two-way-sms ${cmd}`);
    expect(r.stdout).toMatch(new RegExp(`Examples:\\n {2}\\$ two-way-sms ${cmd}`));
  });

  it('provision --help explains the destination flags', async () => {
    const r = await cli(['provision', '--help'], env);

    expect(r.stdout).toContain('SNS topic:        --topic-name NAME [--kms-key ID] | --topic-arn ARN');
    expect(r.stdout).toContain('Amazon Connect:   --connect-instance ID');
    for (const flag of ['--topic-name', '--kms-key', '--topic-arn', '--new-role', '--role-name', '--role-arn', '--topic-policy', '--connect-instance', '--contact-flow', '--pool', '--ticket', '--idempotency-key', '--wait']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('--version prints the package version', async () => {
    const r = await cli(['--version'], env);

    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
