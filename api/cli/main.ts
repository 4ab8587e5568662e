import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pkg from '../../package.json';
import type { z } from 'zod';
import { STATUSES, type Accepted, type AuditResponse, type Detail, type HistoryResponse, type ListResponse as ListResponseSchema, type RedriveResponse } from '../schemas';
import { HttpClient, type Auth, type FetchLike, type HttpResult } from './client';
import { deprovisionBody, flagOf, provisionBody, type ProvisionFlags } from './destination';
import { ApiError, CliFailure, EXIT, UnreachableError, UsageError, type ExitCode } from './errors';
import { describeDestination, renderAudit, renderDetail, renderHistory, renderList, style, targetOf, type Style } from './format';
import { defaultCredentials, isLoopback, regionFromUrl, SIGNING_SERVICE } from './sigv4';
import { finalLines, waitForEnd, WaitTimeout } from './wait';

/**
 * `two-way-sms`: the command line over the REST API (api/README.md). It talks to the local API (bearer token) or,
 * given a URL, to a deployed one (SigV4 with the caller's AWS credentials). `runCli` returns the exit code and
 * never exits the process itself, so it runs in tests as it runs from `bin/two-way-sms.js`.
 */

export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
  fetch?: FetchLike;
}

export interface CliHooks {
  /** `serve`: the composition root of the local runtime (local/main.ts), injected so that api/ does not import local/. */
  serve?: (env: NodeJS.ProcessEnv) => Promise<void>;
  /** Called when `--wait` is interrupted (Ctrl-C); the launcher exits. */
  onInterrupt?: (code: number) => void;
}

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';
export const DEFAULT_SANDBOX_URL = 'http://127.0.0.1:4566';
/** The sender `inbound` uses unless `--from` says otherwise (the one in `npm start`'s example). */
export const DEFAULT_FROM = '+14255550182';
const POLL_MS = 300;
const DEFAULT_WAIT_SECONDS = 600;

type ListResponse = z.infer<typeof ListResponseSchema>;
type GlobalOpts = { apiUrl?: string; token?: string; json?: boolean; color?: boolean };
type WaitOpts = { wait?: boolean; timeout?: number };

const EXIT_OF_STATUS: Record<string, ExitCode> = { SUCCEEDED: EXIT.ok, RUNNING: EXIT.ok, ROLLED_BACK: EXIT.failed, ROLLBACK_FAILED: EXIT.failed, ABORTED: EXIT.failed };

export async function runCli(argv: readonly string[], io: CliIo, hooks: CliHooks = {}): Promise<number> {
  let code: number = EXIT.ok;
  let jsonMode = argv.includes('--json');
  let st = style(false);
  const out = (lines: string | string[]): void => {
    for (const l of Array.isArray(lines) ? lines : [lines]) io.stdout.write(`${l}\n`);
  };
  const printJson = (v: unknown): void => out(JSON.stringify(v, null, 2));

  /** Per command: the options, style, and (lazily) the API client. */
  const context = (cmd: Command) => {
    const g = cmd.optsWithGlobals<GlobalOpts>();
    jsonMode = g.json === true;
    const color = g.color !== false && !io.env.NO_COLOR && io.stdout.isTTY === true;
    st = style(color);
    const apiUrl = parseUrl(g.apiUrl ?? (io.env.TWO_WAY_SMS_API_URL || DEFAULT_API_URL), '--api-url');
    const token = g.token ?? (io.env.TWO_WAY_SMS_API_TOKEN || undefined);
    return {
      g,
      st,
      json: jsonMode,
      tty: io.stdout.isTTY === true,
      api: () => new HttpClient(apiUrl, authFor(apiUrl, token, io.env), 'api', io.fetch),
    };
  };
  type Ctx = ReturnType<typeof context>;

  const wait = async (ctx: Ctx, api: HttpClient, id: string, w: WaitOpts, skipSteps = 0): Promise<Detail> => {
    const onSigint = (): void => {
      io.stderr.write(`\nstopped waiting; ${id} goes on: two-way-sms status ${id} --wait\n`);
      hooks.onInterrupt?.(130);
    };
    if (hooks.onInterrupt) process.once('SIGINT', onSigint);
    try {
      return await waitForEnd(async () => (await api.request<Detail>('GET', `/v1/provisionings/${encodeURIComponent(id)}`)).body, {
        intervalMs: POLL_MS,
        timeoutMs: (w.timeout ?? DEFAULT_WAIT_SECONDS) * 1000,
        tty: ctx.tty,
        quiet: ctx.json,
        style: ctx.st,
        write: (s) => io.stdout.write(s),
        skipSteps,
      });
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  };

  /** After a start (POST provisionings, DELETE two-way, redrive): print it, or follow it to the end with `--wait`. */
  const followOrReport = async (ctx: Ctx, api: HttpClient, started: HttpResult<Accepted>, w: WaitOpts): Promise<number> => {
    const a = started.body;
    const replayed = started.headers.get('idempotent-replayed') === 'true';
    if (!w.wait) {
      if (ctx.json) printJson(a);
      else out(acceptedLines(a, replayed, ctx.st));
      return EXIT.ok;
    }
    if (!ctx.json) out(acceptedLines(a, replayed, ctx.st).slice(0, -1));
    return finish(ctx, await wait(ctx, api, a.id, w));
  };

  const finish = (ctx: Ctx, d: Detail): number => {
    if (ctx.json) printJson(d);
    else out(finalLines(d, ctx.st));
    return EXIT_OF_STATUS[d.status] ?? EXIT.failed;
  };

  const program = new Command('two-way-sms');
  program
    .description('Enable, follow and undo two-way SMS on AWS End User Messaging phone numbers, through the two-way-sms REST API.')
    .version(pkg.version)
    .addOption(new Option('--api-url <url>', `the REST API (default: $TWO_WAY_SMS_API_URL or ${DEFAULT_API_URL}); an execute-api URL is called with SigV4`))
    .addOption(new Option('--token <token>', 'API bearer token (default: $TWO_WAY_SMS_API_TOKEN); omit it for a deployed API: requests are then SigV4-signed with your AWS credentials'))
    .option('--json', 'print the API JSON (machine output)')
    .option('--no-color', 'no colors (also: NO_COLOR=1; colors only on a terminal)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage and examples)')
    .addHelpText(
      'after',
      `
Exit codes: 0 succeeded, 1 failed (API error; with --wait: ROLLED_BACK, ROLLBACK_FAILED, ABORTED),
            2 usage error (nothing was sent), 3 the API cannot be reached.

Examples:
  $ npm start                                    # the local service (or: two-way-sms serve)
  $ export TWO_WAY_SMS_API_TOKEN=<the token npm start printed>
  $ two-way-sms provision +12065550100 --topic-name my-inbound --new-role --wait
  $ two-way-sms inbound +12065550100 "JOIN now"
  $ two-way-sms list --status RUNNING
  $ two-way-sms --api-url https://abc123.execute-api.us-east-1.amazonaws.com/prod status 01JZ8Q9V1TQ4M7N2K3X5Y6Z7A8`,
    );

  // ---- serve ------------------------------------------------------------------------------------------------
  program
    .command('serve')
    .summary('run the whole service locally (what `npm start` runs)')
    .description('Run the whole service locally (what `npm start` runs): AWS sandbox, DynamoDB, Step Functions, REST API, console.')
    .option('--port <port>', 'REST API and console port (default: $PORT or 3000)', portArg)
    .option('--sandbox-port <port>', 'AWS sandbox edge port (default: $SANDBOX_PORT or 4566)', portArg)
    .option('--data-dir <dir>', 'persistent state (default: $DATA_DIR or ./.data)')
    .addOption(new Option('--target <target>', 'where tasks make their AWS calls (default: $TWO_WAY_SMS_TARGET or sandbox)').choices(['sandbox', 'aws']))
    .addHelpText(
      'after',
      `
Runs until Ctrl-C; running executions continue at the next start.

Examples:
  $ two-way-sms serve
  $ two-way-sms serve --port 3100 --sandbox-port 4600 --data-dir /tmp/tws
  $ two-way-sms serve --target aws                # real AWS account, default credential chain`,
    )
    .action(async (o: { port?: number; sandboxPort?: number; dataDir?: string; target?: string }) => {
      if (!hooks.serve) throw new CliFailure('serve is not available in this build (run it through bin/two-way-sms.js or `npm start`)');
      const env: NodeJS.ProcessEnv = {
        ...io.env,
        ...(o.port !== undefined ? { PORT: String(o.port) } : {}),
        ...(o.sandboxPort !== undefined ? { SANDBOX_PORT: String(o.sandboxPort) } : {}),
        ...(o.dataDir !== undefined ? { DATA_DIR: o.dataDir } : {}),
        ...(o.target !== undefined ? { TWO_WAY_SMS_TARGET: o.target } : {}),
      };
      try {
        await hooks.serve(env);
      } catch (e) {
        throw new CliFailure(`two-way-sms failed to start: ${(e as Error).message}`);
      }
    });

  // ---- provision --------------------------------------------------------------------------------------------
  program
    .command('provision')
    .summary('enable two-way SMS on a number or pool (--wait: follow it)')
    .description('Enable two-way SMS on a phone number (or pool): inbound messages go to an SNS topic or an Amazon Connect instance.')
    .argument('<phoneNumber>', 'phone number id, ARN or E.164 number (with --pool: a pool id or ARN)')
    .option('--topic-name <name>', 'SNS: create (or reuse our) standard topic with this name')
    .option('--kms-key <id>', 'SNS: with --topic-name, encrypt the new topic with this KMS key (id, ARN or alias)')
    .option('--topic-arn <arn>', 'SNS: an existing standard topic')
    .option('--new-role', 'the role two-way SMS assumes: create one (generated name)')
    .option('--role-name <name>', 'the role two-way SMS assumes: create one with this name')
    .option('--role-arn <arn>', 'the role two-way SMS assumes: an existing role (it is checked, never modified)')
    .option('--topic-policy', 'SNS: instead of a role, let sms-voice publish through a topic-policy statement')
    .option('--connect-instance <id>', 'Amazon Connect: the instance id or ARN (needs a role flag)')
    .option('--contact-flow <id>', 'Amazon Connect: associate this contact flow with the imported number')
    .option('--pool', 'the argument is a pool id or ARN (pooled numbers are configured through their pool)')
    .option('--ticket <system:key>', 'the ticket this change belongs to, e.g. jira:OPS-42')
    .option('--ticket-url <url>', 'link to the ticket (stored, never fetched)')
    .option('--idempotency-key <key>', 'repeat safely: the same key and request return the same provisioning')
    .option('--wait', 'follow the provisioning step by step until it ends; exit 0 only if it SUCCEEDED')
    .option('--timeout <seconds>', `with --wait: give up waiting after this long (default ${DEFAULT_WAIT_SECONDS})`, positiveIntArg)
    .addHelpText(
      'after',
      `
Destination (choose one):
  SNS topic:        --topic-name NAME [--kms-key ID] | --topic-arn ARN
                    with --new-role | --role-name NAME | --role-arn ARN | --topic-policy
  Amazon Connect:   --connect-instance ID  with --new-role | --role-name NAME | --role-arn ARN  [--contact-flow ID]

Examples:
  $ two-way-sms provision +12065550100 --topic-name my-inbound --new-role --wait
  $ two-way-sms provision +12065550101 --topic-arn arn:aws:sns:us-east-1:123456789012:two-way-demo-inbound --topic-policy
  $ two-way-sms provision +12065550100 --topic-name secure-inbound --kms-key alias/two-way-demo --role-name InboundSmsRole --wait
  $ two-way-sms provision +12065550100 --connect-instance 0f6c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f --new-role --wait
  $ two-way-sms provision pool-0123abcd --pool --topic-name pool-inbound --new-role --ticket jira:OPS-42 --idempotency-key OPS-42
  $ two-way-sms provision +12065550100 --topic-name my-inbound --new-role --wait --json | jq .status`,
    )
    .action(async (phoneNumber: string, o: ProvisionFlags & WaitOpts & { idempotencyKey?: string }, cmd: Command) => {
      const body = provisionBody(phoneNumber, o);
      const ctx = context(cmd);
      const api = ctx.api();
      const started = await api.request<Accepted>('POST', '/v1/provisionings', { body, headers: idempotency(o.idempotencyKey) });
      code = await followOrReport(ctx, api, started, o);
    });

  // ---- status -----------------------------------------------------------------------------------------------
  program
    .command('status')
    .summary('a provisioning: status, steps, resources, error')
    .description('Show a provisioning: status, every step of its execution, the resources it changed, its error.')
    .argument('<id>', 'the provisioning id')
    .option('--wait', 'if it is still running, follow it to the end')
    .option('--timeout <seconds>', `with --wait: give up waiting after this long (default ${DEFAULT_WAIT_SECONDS})`, positiveIntArg)
    .addHelpText(
      'after',
      `
Exit code: 0 when SUCCEEDED or RUNNING (without --wait), 1 when ROLLED_BACK, ROLLBACK_FAILED or ABORTED.

Examples:
  $ two-way-sms status 01JZ8Q9V1TQ4M7N2K3X5Y6Z7A8
  $ two-way-sms status 01JZ8Q9V1TQ4M7N2K3X5Y6Z7A8 --wait
  $ two-way-sms status 01JZ8Q9V1TQ4M7N2K3X5Y6Z7A8 --json | jq '.steps[] | select(.error)'`,
    )
    .action(async (id: string, o: WaitOpts, cmd: Command) => {
      const ctx = context(cmd);
      const api = ctx.api();
      if (o.wait) {
        code = finish(ctx, await wait(ctx, api, id, o));
        return;
      }
      const d = (await api.request<Detail>('GET', `/v1/provisionings/${encodeURIComponent(id)}`)).body;
      if (ctx.json) printJson(d);
      else out(renderDetail(d, ctx.st));
      code = EXIT_OF_STATUS[d.status] ?? EXIT.failed;
    });

  // ---- list -------------------------------------------------------------------------------------------------
  program
    .command('list')
    .summary('list provisionings, newest first')
    .description('List provisionings and deprovisionings, newest first.')
    .option('--phone-number <number>', 'only this phone number (id, ARN or E.164) or pool')
    .addOption(new Option('--status <status>', 'only this status').choices(STATUSES))
    .option('--limit <n>', 'page size, 1-100 (default 25)', positiveIntArg)
    .option('--next-token <token>', 'the page after the one that printed this token')
    .option('--all', 'every page')
    .addHelpText(
      'after',
      `
Examples:
  $ two-way-sms list
  $ two-way-sms list --phone-number +12065550100 --status SUCCEEDED
  $ two-way-sms list --status ROLLBACK_FAILED --all --json`,
    )
    .action(async (o: { phoneNumber?: string; status?: string; limit?: number; nextToken?: string; all?: boolean }, cmd: Command) => {
      if (o.all && o.nextToken !== undefined) throw new UsageError('--all and --next-token cannot be used together: --all starts at the first page');
      const ctx = context(cmd);
      const api = ctx.api();
      const items: ListResponse['items'] = [];
      let next = o.nextToken;
      let page: ListResponse;
      do {
        page = (await api.request<ListResponse>('GET', '/v1/provisionings', { query: { phoneNumberId: o.phoneNumber, status: o.status, limit: o.limit, nextToken: next } })).body;
        items.push(...page.items);
        next = page.nextToken;
      } while (o.all && next);
      if (ctx.json) printJson(o.all ? { items } : page);
      else {
        out(renderList(items, ctx.st));
        if (!o.all && page.nextToken) out(ctx.st.dim(`  more: two-way-sms list --next-token ${page.nextToken}  (or --all)`));
      }
    });

  // ---- audit ------------------------------------------------------------------------------------------------
  program
    .command('audit')
    .summary('the audit trail of a provisioning')
    .description('The audit trail of a provisioning: every AWS mutation it made, intent (with the before-image) and outcome.')
    .argument('<id>', 'the provisioning id')
    .addHelpText(
      'after',
      `
Examples:
  $ two-way-sms audit 01JZ8Q9V1TQ4M7N2K3X5Y6Z7A8
  $ two-way-sms audit 01JZ8Q9V1TQ4M7N2K3X5Y6Z7A8 --json | jq '.items[] | select(.phase == "intent") | .before'`,
    )
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const res = (await ctx.api().request<z.infer<typeof AuditResponse>>('GET', `/v1/provisionings/${encodeURIComponent(id)}/audit`)).body;
      if (ctx.json) printJson(res);
      else out(renderAudit(res.items, ctx.st));
    });

  // ---- history ----------------------------------------------------------------------------------------------
  program
    .command('history')
    .summary('the Step Functions history of a provisioning')
    .description("The Step Functions history of a provisioning's execution (every event, all pages).")
    .argument('<id>', 'the provisioning id')
    .addHelpText(
      'after',
      `
Examples:
  $ two-way-sms history 01JZ8Q9V1TQ4M7N2K3X5Y6Z7A8
  $ two-way-sms history 01JZ8Q9V1TQ4M7N2K3X5Y6Z7A8 --json | jq '[.events[] | select(.type | endswith("Failed"))]'`,
    )
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const api = ctx.api();
      const events: z.infer<typeof HistoryResponse>['events'] = [];
      let next: string | undefined;
      do {
        const page = (await api.request<z.infer<typeof HistoryResponse>>('GET', `/v1/provisionings/${encodeURIComponent(id)}/history`, { query: { limit: 1000, nextToken: next } })).body;
        events.push(...page.events);
        next = page.nextToken;
      } while (next);
      if (ctx.json) printJson({ events });
      else out(renderHistory(events, ctx.st));
    });

  // ---- redrive ----------------------------------------------------------------------------------------------
  program
    .command('redrive')
    .summary('resume a failed execution from the state that failed')
    .description('Resume a failed execution from the state that failed (e.g. a ROLLBACK_FAILED once its cause is fixed); succeeded states are not re-run.')
    .argument('<id>', 'the provisioning id')
    .option('--wait', 'follow it to the end; exit 0 only if it SUCCEEDED')
    .option('--timeout <seconds>', `with --wait: give up waiting after this long (default ${DEFAULT_WAIT_SECONDS})`, positiveIntArg)
    .addHelpText(
      'after',
      `
Examples:
  $ two-way-sms redrive 01JZ8Q9V1TQ4M7N2K3X5Y6Z7A8
  $ two-way-sms redrive 01JZ8Q9V1TQ4M7N2K3X5Y6Z7A8 --wait`,
    )
    .action(async (id: string, o: WaitOpts, cmd: Command) => {
      const ctx = context(cmd);
      const api = ctx.api();
      const path = `/v1/provisionings/${encodeURIComponent(id)}`;
      // The steps before the redrive were shown already (by the original --wait or `status`): follow only the new ones.
      const before = o.wait ? (await api.request<Detail>('GET', path)).body.steps.length : 0;
      const r = (await api.request<z.infer<typeof RedriveResponse>>('POST', `${path}/redrive`)).body;
      if (!o.wait) {
        if (ctx.json) printJson(r);
        else out([`Redriven ${r.id}: ${ctx.st.cyan(r.status)} again from the state that failed`, `  follow it:   two-way-sms status ${r.id} --wait`]);
        return;
      }
      if (!ctx.json) out(`Redriven ${r.id}: ${ctx.st.cyan(r.status)} again from the state that failed`);
      code = finish(ctx, await wait(ctx, api, r.id, o, before));
    });

  // ---- disable ----------------------------------------------------------------------------------------------
  program
    .command('disable')
    .summary('disable two-way SMS on a number or pool')
    .description('Disable two-way SMS on a phone number (or pool) and remove what its provisioning created, unless something else still uses it.')
    .argument('<phoneNumber>', 'phone number id, ARN or E.164 number; or a pool id or ARN')
    .option('--ticket <system:key>', 'the ticket this change belongs to, e.g. jira:OPS-43')
    .option('--ticket-url <url>', 'link to the ticket (stored, never fetched)')
    .option('--idempotency-key <key>', 'repeat safely: the same key and request return the same deprovisioning')
    .option('--wait', 'follow it step by step until it ends; exit 0 only if it SUCCEEDED')
    .option('--timeout <seconds>', `with --wait: give up waiting after this long (default ${DEFAULT_WAIT_SECONDS})`, positiveIntArg)
    .addHelpText(
      'after',
      `
Examples:
  $ two-way-sms disable +12065550100 --wait
  $ two-way-sms disable pool-0123abcd --ticket jira:OPS-43 --idempotency-key OPS-43`,
    )
    .action(async (phoneNumber: string, o: WaitOpts & { ticket?: string; ticketUrl?: string; idempotencyKey?: string }, cmd: Command) => {
      const body = deprovisionBody(o.ticket, o.ticketUrl);
      const ctx = context(cmd);
      const api = ctx.api();
      const started = await api.request<Accepted>('DELETE', `/v1/phone-numbers/${encodeURIComponent(phoneNumber)}/two-way`, {
        ...(body ? { body } : {}),
        headers: idempotency(o.idempotencyKey),
      });
      code = await followOrReport(ctx, api, started, o);
    });

  // ---- inbound ----------------------------------------------------------------------------------------------
  program
    .command('inbound')
    .summary('sandbox: simulate an inbound SMS, say where it went')
    .description('Sandbox only: simulate an SMS sent to one of your numbers, and say where it was delivered or why it was dropped.')
    .argument('<destinationNumber>', 'your number (E.164) that receives the message')
    .argument('<message>', 'the message text')
    .option('--from <number>', `the sender (E.164, default ${DEFAULT_FROM})`)
    .option('--sandbox-url <url>', `the sandbox edge (default: $SANDBOX_URL or ${DEFAULT_SANDBOX_URL})`)
    .addHelpText(
      'after',
      `
Exit code: 0 delivered, 1 dropped (the reason is printed) or refused.

Examples:
  $ two-way-sms inbound +12065550100 "JOIN now"
  $ two-way-sms inbound +12065550100 STOP --from +14255550199 --json`,
    )
    .action(async (destinationNumber: string, message: string, o: { from?: string; sandboxUrl?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const url = parseUrl(o.sandboxUrl ?? (io.env.SANDBOX_URL || DEFAULT_SANDBOX_URL), '--sandbox-url');
      const sandbox = new HttpClient(url, { kind: 'none' }, 'sandbox', io.fetch);
      const r = (
        await sandbox.request<{ delivered: boolean; channel: string | null; destination: string | null; payload?: Record<string, string>; reason?: string }>('POST', '/_sandbox/inbound', {
          body: { destinationNumber, originationNumber: o.from ?? DEFAULT_FROM, messageBody: message },
        })
      ).body;
      code = r.delivered ? EXIT.ok : EXIT.failed;
      if (ctx.json) return printJson(r);
      if (r.delivered) {
        out(`${ctx.st.green('delivered')} via ${r.channel} to ${r.destination}`);
        if (r.payload) out(Object.entries(r.payload).map(([k, v]) => ctx.st.dim(`  ${k}: ${v}`)));
      } else {
        out(`${ctx.st.red('dropped')}${r.channel ? ` (${r.channel}${r.destination ? ` ${r.destination}` : ''})` : ''}: ${r.reason ?? 'no reason given'}`);
      }
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    return report(e, io, st, jsonMode);
  }
}

function acceptedLines(a: Accepted, replayed: boolean, st: Style): string[] {
  const verb = a.operation === 'deprovision' ? 'deprovisioning' : 'provisioning';
  return [
    `Started ${verb} ${st.bold(a.id)} of ${targetOf(a)} (${st.cyan(a.status)})${replayed ? st.dim(' — replayed: this Idempotency-Key started it earlier') : ''}`,
    ...(a.operation === 'provision' && a.destination ? [`  destination: ${describeDestination(a.destination)}`] : []),
    // Said before anything changes, as the API says it: what an undo could not give back exactly.
    ...(a.notReversible ?? []).map((n) => st.yellow(`  ${n}`)),
    `  follow it:   two-way-sms status ${a.id} --wait`,
  ];
}

const idempotency = (key: string | undefined): Record<string, string> => (key !== undefined ? { 'Idempotency-Key': key } : {});

function parseUrl(raw: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${flag} must be an http(s) URL such as ${flag === '--api-url' ? DEFAULT_API_URL : DEFAULT_SANDBOX_URL} (got '${raw}')`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${flag} must be an http(s) URL (got '${raw}')`);
  return url;
}

/**
 * A token when there is one; none for a local API without a token (it answers 401 with a hint); otherwise
 * SigV4 for `execute-api`, region from the API Gateway host name or AWS_REGION.
 */
export function authFor(url: URL, token: string | undefined, env: NodeJS.ProcessEnv): Auth {
  if (token) return { kind: 'bearer', token };
  if (isLoopback(url)) return { kind: 'none' };
  const region = regionFromUrl(url) ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION);
  if (!region) throw new UsageError(`cannot tell the AWS region of ${url.host} to sign requests (SigV4): set AWS_REGION, or pass --token for an API that takes bearer tokens`);
  const chain = defaultCredentials();
  return {
    kind: 'sigv4',
    config: {
      region,
      credentials: async () => {
        try {
          return await chain();
        } catch (e) {
          throw new CliFailure(
            `no AWS credentials to sign requests to ${url.host} (SigV4, service ${SIGNING_SERVICE}, region ${region}): ${(e as Error).message}\n` +
              '  configure them (AWS_PROFILE, `aws sso login`, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or pass --token for a local API',
          );
        }
      },
    },
  };
}

/** Prints an error the way a person can act on and returns its exit code. */
function report(e: unknown, io: CliIo, st: Style, json: boolean): number {
  const err = (s: string): unknown => io.stderr.write(`${s}\n`);
  if (e instanceof CommanderError) {
    // Commander has printed its message already.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
    return EXIT.usage;
  }
  if (e instanceof UsageError) {
    err(`${st.red('error:')} ${e.message}`);
    err('(add --help for usage and examples)');
    return EXIT.usage;
  }
  if (e instanceof ApiError) {
    if (json) io.stdout.write(`${JSON.stringify(e.problem, null, 2)}\n`);
    const p = e.problem;
    const title = p.title ?? `HTTP ${e.status}`;
    err(`${st.red('error:')} ${title}${p.detail && p.detail !== title ? `: ${p.detail}` : ''}`);
    const fields = p.errors ?? (p.field ? [{ field: p.field, message: p.detail ?? '' }] : []);
    for (const f of fields) {
      const flag = flagOf(f.field, { phoneNumberId: e.url.includes('/v1/provisionings?') ? '--phone-number' : '<phoneNumber>' });
      err(`  ${f.field}${flag ? ` (${flag})` : ''}: ${f.message}`);
    }
    // Locally the API's own detail says which token to send; a deployed API's 401/403 says nothing useful.
    if ((e.status === 401 || e.status === 403) && !isLoopback(new URL(e.url))) {
      err('  the API did not accept the request: check your AWS credentials (SigV4) and that they may invoke this API (execute-api:Invoke)');
    }
    if (e.status === 409 && typeof (p as Record<string, unknown>).provisioningId === 'string') {
      err(`  follow the running one: two-way-sms status ${String((p as Record<string, unknown>).provisioningId)} --wait`);
    }
    return EXIT.failed;
  }
  if (e instanceof UnreachableError) {
    err(`${st.red('error:')} ${e.message}`);
    err(
      e.what === 'api'
        ? '  start it with `npm start` (or `two-way-sms serve`) in the project directory, or point --api-url / TWO_WAY_SMS_API_URL at a running API'
        : '  start the local runtime with `npm start` (the sandbox is on its edge port), or point --sandbox-url / SANDBOX_URL at it',
    );
    return EXIT.unreachable;
  }
  if (e instanceof WaitTimeout) {
    err(`${st.red('error:')} ${e.last.id} is ${e.message}; it goes on: two-way-sms status ${e.last.id} --wait`);
    return EXIT.failed;
  }
  if (e instanceof CliFailure) {
    err(`${st.red('error:')} ${e.message}`);
    return EXIT.failed;
  }
  err(`${st.red('error:')} ${(e as Error)?.message ?? String(e)}`);
  return EXIT.failed;
}

function portArg(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

function positiveIntArg(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('must be a positive integer');
  return Number(v);
}
