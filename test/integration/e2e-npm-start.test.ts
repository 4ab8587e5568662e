import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEMO } from '../../local/sandbox/seed';
import { startNpm, type StartedProcess } from '../support/process';
import { http, TERMINAL, type HttpResult } from '../support/runtime';

/**
 * `npm start` as a user runs it: a fresh DATA_DIR and no TWO_WAY_SMS_API_TOKEN, so the token is generated and
 * printed once. The test reads what was printed and runs the copy-paste example exactly as written (each curl
 * line is parsed like a shell would and sent with fetch, `$TOKEN` substituted from the printed `export`), then
 * the printed AWS CLI line.
 */

const run = promisify(execFile);

/** Splits one shell command line into words: '...' literal, "..." and bare words with $VAR expanded. */
function shellWords(line: string, vars: Record<string, string>): string[] {
  const expand = (s: string) =>
    s.replace(/\$(\w+)|\$\{(\w+)\}/g, (_, a: string | undefined, b: string | undefined) => {
      const name = (a ?? b)!;
      if (!(name in vars)) throw new Error(`the example uses $${name}, which it never sets`);
      return vars[name]!;
    });
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let word = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
      const c = line[i]!;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unterminated ' in: ${line}`);
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        const end = line.indexOf('"', i + 1);
        if (end < 0) throw new Error(`unterminated " in: ${line}`);
        word += expand(line.slice(i + 1, end));
        i = end + 1;
      } else {
        let j = i;
        while (j < line.length && !" \t'\"".includes(line[j]!)) j++;
        word += expand(line.slice(i, j));
        i = j;
      }
    }
    words.push(word);
  }
  return words;
}

interface Curl {
  method: string;
  url: string;
  headers: Record<string, string>;
  data?: string;
}

/** The request a `curl` command line sends (only the options the example uses; anything else is an error). */
function parseCurl(words: string[]): Curl {
  if (words[0] !== 'curl') throw new Error(`not a curl command: ${words.join(' ')}`);
  const headers: Record<string, string> = {};
  let method: string | undefined;
  let url: string | undefined;
  let data: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-s' || w === '--silent') continue;
    if (w === '-X' || w === '--request') method = words[++i];
    else if (w === '-H' || w === '--header') {
      const h = words[++i]!;
      const colon = h.indexOf(':');
      headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
    } else if (w === '-d' || w === '--data') data = words[++i];
    else if (w.startsWith('-')) throw new Error(`the test does not know curl option ${w}`);
    else if (url) throw new Error(`two URLs in: ${words.join(' ')}`);
    else url = w;
  }
  if (!url) throw new Error(`no URL in: ${words.join(' ')}`);
  // As curl: -d without -X is a POST, with a form content type unless one is given.
  if (data !== undefined) headers['content-type'] ??= 'application/x-www-form-urlencoded';
  return { method: method ?? (data !== undefined ? 'POST' : 'GET'), url, headers, ...(data !== undefined ? { data } : {}) };
}

/** The printed example: the lines between its heading and the next blank line, `\`-continuations joined. */
function exampleCommands(output: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Provision the demo number end to end'));
  if (start < 0) throw new Error(`no example printed:\n${output}`);
  const block: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.trim()) break;
    block.push(l);
  }
  return block.join('\n').replace(/\\\n\s*/g, '').split('\n').map((l) => l.trim());
}

async function send(c: Curl): Promise<HttpResult> {
  return http(c.url, c.method, { headers: c.headers, ...(c.data !== undefined ? { body: c.data } : {}) });
}

describe('npm start from a fresh DATA_DIR, as a user', () => {
  let dataDir: string;
  const procs: StartedProcess[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'e2e-user-'));
  });
  afterAll(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints a token and an example whose commands, run as printed, provision the demo number and deliver an SMS', async () => {
    const proc = startNpm({ DATA_DIR: dataDir, SANDBOX_PORT: '0', PORT: '0', TWO_WAY_SMS_API_TOKEN: '' });
    procs.push(proc);
    await proc.waitFor(/The AWS CLI works against the sandbox too:\n.*describe-phone-numbers/, 30_000);
    const output = proc.output();
    const [, printedToken] = output.match(/API token \(shown once; stored hashed in .*\): (\S+)/) ?? [];

    expect(printedToken).toMatch(/^tws_\S{20,}$/);
    const commands = exampleCommands(output);
    expect(commands.map((c) => c.split(' ')[0])).toEqual(['export', 'curl', 'curl', 'curl']);
    const vars: Record<string, string> = {};
    const [, name, value] = /^export (\w+)=(\S+)$/.exec(commands[0]!)!;
    vars[name!] = value!;
    expect(vars).toEqual({ TOKEN: printedToken });
    const [provision, list, inbound] = commands.slice(1).map((c) => parseCurl(shellWords(c, vars)));
    expect(provision!.headers.authorization).toBe(`Bearer ${printedToken}`);

    const created = await send(provision!);

    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ status: 'RUNNING', destination: { type: 'sns', topic: { create: { name: 'my-inbound' } } } });
    const id = created.body.id as string;
    // "then watch it": the printed list command, until the provisioning has ended.
    const deadline = Date.now() + 20_000;
    let item: any;
    for (;;) {
      const listed = await send(list!);
      expect(listed.status).toBe(200);
      item = listed.body.items.find((i: any) => i.id === id);
      expect(item).toBeDefined();
      if ((TERMINAL as readonly string[]).includes(item.status) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(item.status).toBe('SUCCEEDED');

    const sms = await send(inbound!);

    expect(sms.status).toBe(200);
    expect(sms.body).toMatchObject({
      delivered: true,
      channel: 'sns',
      destination: 'arn:aws:sns:us-east-1:123456789012:my-inbound',
      payload: { destinationNumber: DEMO.numbers.longCode, originationNumber: '+14255550182', messageKeyword: 'JOIN', messageBody: 'JOIN now' },
    });
  }, 60_000);

  it('prints an AWS CLI command that works as printed', async () => {
    const line = proc().output().split('\n').find((l) => l.includes(' aws pinpoint-sms-voice-v2 describe-phone-numbers'))!.trim();
    const words = shellWords(line, {});
    const at = words.indexOf('aws');
    const env = Object.fromEntries(words.slice(0, at).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));

    expect(Object.keys(env)).toEqual(expect.arrayContaining(['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION']));
    const { stdout } = await run('aws', [...words.slice(at + 1), '--output', 'json'], {
      env: { ...process.env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '', ...env },
      timeout: 60_000,
    });
    const numbers: any[] = JSON.parse(stdout).PhoneNumbers;
    // The number the example provisioned now has two-way SMS to the example's topic.
    expect(numbers.find((n) => n.PhoneNumber === DEMO.numbers.longCode)).toMatchObject({
      TwoWayEnabled: true,
      TwoWayChannelArn: 'arn:aws:sns:us-east-1:123456789012:my-inbound',
    });
  }, 60_000);

  it('prints the token only at first start: after a restart it is not shown again and still works, a wrong one gets 401', async () => {
    const first = proc();
    const token = /API token \(shown once; stored hashed in .*\): (\S+)/.exec(first.output())![1]!;
    await first.kill('SIGTERM');
    const again = startNpm({ DATA_DIR: dataDir, SANDBOX_PORT: '0', PORT: '0', TWO_WAY_SMS_API_TOKEN: '' });
    procs.push(again);
    const [, api] = await again.waitFor(/REST API:\s+(http:\/\/127\.0\.0\.1:\d+)\/v1/, 30_000);
    await again.waitFor(/describe-phone-numbers/);

    expect(again.output()).not.toContain(token);
    expect(again.output()).toContain('API token: the one printed at first start');
    expect((await http(`${api}/v1/provisionings`, 'GET', { token })).status).toBe(200);
    expect((await http(`${api}/v1/provisionings`, 'GET', { token: `${token}x` })).status).toBe(401);
    expect((await http(`${api}/v1/provisionings`, 'GET')).status).toBe(401);
  }, 60_000);

  function proc(): StartedProcess {
    return procs[0]!;
  }
});
