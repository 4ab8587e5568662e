import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokens, TOKEN_FILE } from '../../../local/api/token';
import { CallLog } from '../../../local/sandbox/core/call-log';
import { Sandbox } from '../../../local/sandbox/sandbox';
import { DEMO } from '../../../local/sandbox/seed';
import { StateFileError } from '../../../local/state-file';
import { destinations, startTestRuntime } from '../../support/runtime';

/**
 * Every file the local runtime reads at start is checked: a damaged one, or one in another shape (an empty
 * object included), stops the start with an error naming the file and what to do, and is left untouched.
 */

const SLICES = ['smsVoice', 'sns', 'iam', 'kms', 'connect', 'inbound', 'settings'] as const;
type Slice = (typeof SLICES)[number];

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'state-files-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const sliceFile = (slice: Slice): string => join(dataDir, 'sandbox-state', `${slice}.json`);

/** A sandbox that seeded and saved every slice, as the first `npm start` leaves it. */
function seeded(): void {
  new Sandbox({ dataDir, port: 0 });
}

/** Turns the first primitive value found in the JSON into a value of another type. */
function wrongType(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [wrongType(value[0]), ...value.slice(1)] : [{ inboundMessageId: 7 }];
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const [k, v] = entries[0]!;
    return { ...value, [k]: wrongType(v) };
  }
  return typeof value === 'string' ? 12345 : 'not-a-number-or-boolean';
}

const CORRUPTIONS: Record<string, (valid: string) => string | Buffer> = {
  'garbage bytes': () => Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0x80, 0x0a, 0x7b, 0x22]),
  'truncated JSON': (valid) => valid.slice(0, Math.floor(valid.length / 2)),
  'an empty object': () => '{}',
  'wrong types': (valid) => JSON.stringify(wrongType(JSON.parse(valid))),
  'an array': () => '[{"a":1}]',
  'an empty file': () => '',
};

function startError(): StateFileError {
  try {
    new Sandbox({ dataDir, port: 0 });
  } catch (e) {
    if (e instanceof StateFileError) return e;
    throw e;
  }
  throw new Error('the sandbox started over a damaged state file');
}

describe('sandbox state slices', () => {
  describe.each(SLICES)('%s.json', (slice) => {
    it.each(Object.keys(CORRUPTIONS))('with %s stops the start, names the file, says what to do, and leaves it as it was', (kind) => {
      seeded();
      const file = sliceFile(slice);
      const damaged = CORRUPTIONS[kind]!(readFileSync(file, 'utf8'));
      writeFileSync(file, damaged);

      const err = startError();

      expect(err.file).toBe(file);
      expect(err.message).toContain(file);
      expect(err.message).toContain(`mv '${file}' '${file}.damaged'`);
      expect(err.message).toMatch(/did not start and changed nothing/);
      expect(readFileSync(file)).toEqual(Buffer.from(damaged));
    });
  });

  it('says which field is wrong', () => {
    seeded();
    const numbers = JSON.parse(readFileSync(sliceFile('smsVoice'), 'utf8'));
    const id = Object.keys(numbers.phoneNumbers)[0]!;
    numbers.phoneNumbers[id].TwoWayEnabled = 'yes';
    writeFileSync(sliceFile('smsVoice'), JSON.stringify(numbers));

    expect(startError().message).toContain(`phoneNumbers.${id}.TwoWayEnabled: Invalid input: expected boolean, received string`);
  });

  it('refuses a record stored under another id than its own', () => {
    seeded();
    const sns = JSON.parse(readFileSync(sliceFile('sns'), 'utf8'));
    const [arn, topic] = Object.entries(sns.topics)[0]!;
    sns.topics = { 'arn:aws:sns:us-east-1:123456789012:elsewhere': topic };
    writeFileSync(sliceFile('sns'), JSON.stringify(sns));

    expect(startError().message).toContain(`TopicArn: is "${arn}", but the record is stored under 'arn:aws:sns:us-east-1:123456789012:elsewhere'`);
  });

  it('starts with that service empty once the damaged file is moved aside, as the message says', () => {
    seeded();
    writeFileSync(sliceFile('sns'), '{}');
    renameSync(sliceFile('sns'), `${sliceFile('sns')}.damaged`);

    const sb = new Sandbox({ dataDir, port: 0 });

    expect(sb.state.sns.topics).toEqual({});
    expect(Object.keys(sb.state.smsVoice.phoneNumbers).length).toBeGreaterThan(0);
  });

  it('keeps fields it does not know (written by a newer version) and loads the saved state unchanged', () => {
    seeded();
    const before = new Sandbox({ dataDir, port: 0 }).state;
    const kms = JSON.parse(readFileSync(sliceFile('kms'), 'utf8'));
    const keyId = Object.keys(kms.keys)[0]!;
    kms.keys[keyId].FutureField = { nested: true };
    writeFileSync(sliceFile('kms'), JSON.stringify(kms));

    const after = new Sandbox({ dataDir, port: 0 }).state;

    expect((after.kms.keys[keyId] as unknown as Record<string, unknown>).FutureField).toEqual({ nested: true });
    expect(after.smsVoice).toEqual(before.smsVoice);
  });
});

describe('calls.jsonl', () => {
  const file = (): string => join(dataDir, 'calls.jsonl');
  const record = (seq: number): string => JSON.stringify({ seq, at: '2026-01-01T00:00:00.000Z', service: 'sns', operation: 'ListTopics', mutating: false, status: 200 });

  it.each([
    ['garbage', '\u0000\u00ff garbage'],
    ['an empty object', '{}'],
    ['an array', '[1,2]'],
    ['wrong types', JSON.stringify({ seq: '2', at: 1, service: 'sns', operation: 'X', mutating: 'no', status: 200 })],
  ])('stops the start at a damaged line (%s) before the last, naming the file and the line', (_kind, bad) => {
    writeFileSync(file(), `${record(1)}\n${bad}\n${record(3)}\n`);

    expect(() => new CallLog(dataDir)).toThrow(StateFileError);
    expect(() => new CallLog(dataDir)).toThrow(new RegExp(`${file()} line 2 .*mv '${file()}'`));
  });

  it('refuses records out of order', () => {
    writeFileSync(file(), `${record(1)}\n${record(5)}\n${record(2)}\n`);

    expect(() => new CallLog(dataDir)).toThrow(/line 3 has seq 2, not after 5/);
  });

  it('drops a last line cut short by a crash and cuts it off the file, so the next record lands on a line of its own', () => {
    writeFileSync(file(), `${record(1)}\n${record(2)}\n${record(3).slice(0, 20)}`);

    const log = new CallLog(dataDir);
    log.append({ at: '2026-01-01T00:00:01.000Z', service: 'iam', operation: 'GetRole', mutating: false, status: 200 });

    expect(log.query({}).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(new CallLog(dataDir).query({}).map((r) => `${r.seq}:${r.operation}`)).toEqual(['1:ListTopics', '2:ListTopics', '3:GetRole']);
  });

  it('keeps a complete last line that lacks only its newline', () => {
    writeFileSync(file(), `${record(1)}\n${record(2)}`);

    new CallLog(dataDir).append({ at: '2026-01-01T00:00:01.000Z', service: 'iam', operation: 'GetRole', mutating: false, status: 200 });

    expect(new CallLog(dataDir).query({}).map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('reads back what it appended', () => {
    appendFileSync(file(), `${record(1)}\n`);

    expect(new CallLog(dataDir).lastSeq).toBe(1);
  });
});

describe('api-token.json', () => {
  const file = (): string => join(dataDir, TOKEN_FILE);

  it.each([
    ['garbage bytes', Buffer.from([0x00, 0xff, 0xfe, 0x13])],
    ['truncated JSON', '{"version":1,"tokens":[{"name":"token","sha'],
    ['an empty object', '{}'],
    ['wrong types', JSON.stringify({ version: '1', tokens: [{ name: 5, sha256: true, createdAt: 0 }] })],
    ['an array', '[]'],
    ['null', 'null'],
  ])('with %s stops the start, names the file and says how to get a new token', (_kind, content) => {
    loadTokens(dataDir);
    writeFileSync(file(), content);

    expect(() => loadTokens(dataDir)).toThrow(StateFileError);
    expect(() => loadTokens(dataDir)).toThrow(new RegExp(`^${file()} .*Delete it \\(rm '${file()}'\\).*TWO_WAY_SMS_API_TOKEN`));
    expect(readFileSync(file())).toEqual(Buffer.from(content));
  });

  it('keeps accepting the token it generated, across starts', () => {
    const first = loadTokens(dataDir);

    expect(loadTokens(dataDir).verify(first.generatedToken!)).toBe('local:token');
  });
});

describe('state the runtime itself wrote', () => {
  it('loads back unchanged after provisionings of every destination kind (one refused), a deprovisioning and inbound messages', async () => {
    const t = await startTestRuntime({ dataDir });
    let saved: Sandbox['state'];
    try {
      const demo = await t.edge.demo();
      const connectNumber = await t.edge.newNumber();
      const provisionings = [
        { phoneNumberId: DEMO.numbers.longCode, destination: destinations.snsNewTopicNewRole('reload-role') },
        { phoneNumberId: DEMO.numbers.tenDlc, destination: destinations.snsEncryptedTopicPolicy() },
        { poolId: demo.poolId, destination: destinations.snsNewTopicPolicy('reload-pool') },
        { phoneNumberId: connectNumber.id, destination: destinations.connectNewRole(demo.connectInstanceId) },
        { phoneNumberId: DEMO.numbers.simulator, destination: destinations.snsFifoTopicPolicy() },
      ];
      const ends = [];
      for (const body of provisionings) ends.push((await t.api.waitForEnd((await t.api.provision(body)).id)).status);
      const deprovision = await t.api.call('DELETE', `/v1/phone-numbers/${DEMO.numbers.longCode}/two-way`);
      await t.api.waitForEnd(deprovision.body.id);
      await t.edge.inbound(DEMO.numbers.tenDlc);
      await t.edge.inbound(connectNumber.e164);
      await t.edge.settings({ connectClaimDelayMs: 5 });
      saved = structuredClone(t.rt.sandbox.state);

      expect(ends).toHaveLength(provisionings.length);
      expect(saved.inbound).toHaveLength(2);
    } finally {
      await t.stop();
    }

    expect(new Sandbox({ dataDir, port: 0 }).state).toEqual(saved);
  }, 60_000);
});
