import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { StateFileError } from '../../state-file';

export interface CallRecord {
  seq: number;
  at: string;
  service: string;
  operation: string;
  mutating: boolean;
  status: number;
  errorCode?: string;
}

const CALL_RECORD = z.looseObject({
  seq: z.int().positive(),
  at: z.string(),
  service: z.string(),
  operation: z.string(),
  mutating: z.boolean(),
  status: z.int(),
  errorCode: z.string().optional(),
});

const ADVICE = (file: string): string =>
  `The sandbox did not start. The file only lists the AWS calls the sandbox answered (GET /_sandbox/calls): move it aside (mv '${file}' '${file}.damaged') to start a new log.`;

/**
 * Every AWS API call the sandbox answered, in order. Kept in memory and appended to `calls.jsonl` in
 * DATA_DIR, so that it survives a restart (tests of crash recovery count side effects across restarts).
 * Appends are not flushed to the disk: the log is a diagnostic, and a flush per call would slow every read.
 */
export class CallLog {
  private readonly records: CallRecord[] = [];
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'calls.jsonl');
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new StateFileError(this.file, `cannot be read (${(e as Error).message})`, ADVICE(this.file));
    }
    const lines = text.split('\n');
    // The text after the last newline is a record only if its append finished; one cut by a crash is dropped
    // (it was never answered) and cut off the file, so that the next append does not land on the torn line.
    const tail = lines.pop() ?? '';
    lines.forEach((line, i) => {
      if (line.trim()) this.records.push(this.check(line, i + 1));
    });
    if (tail.trim()) {
      let complete: CallRecord | undefined;
      try {
        complete = this.check(tail, lines.length + 1);
      } catch {
        complete = undefined;
      }
      if (complete) {
        this.records.push(complete);
        appendFileSync(this.file, '\n');
      } else {
        truncateSync(this.file, Buffer.byteLength(text) - Buffer.byteLength(tail));
        process.stderr.write(`two-way-sms: ${this.file}: dropped an incomplete last line (a call record cut short by a crash)\n`);
      }
    }
  }

  /** One line of the file as a record; a damaged line stops the start, naming the file and the line. */
  private check(line: string, lineNo: number): CallRecord {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new StateFileError(this.file, `line ${lineNo} is not valid JSON (${(e as Error).message})`, ADVICE(this.file));
    }
    const parsed = CALL_RECORD.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new StateFileError(this.file, `line ${lineNo} is not a call record (${issue.path.join('.') || 'the line'}: ${issue.message})`, ADVICE(this.file));
    }
    const previous = this.records.at(-1)?.seq ?? 0;
    if (parsed.data.seq <= previous) throw new StateFileError(this.file, `line ${lineNo} has seq ${parsed.data.seq}, not after ${previous}`, ADVICE(this.file));
    return parsed.data as CallRecord;
  }

  get lastSeq(): number {
    return this.records.at(-1)?.seq ?? 0;
  }

  append(record: Omit<CallRecord, 'seq'>): CallRecord {
    const full: CallRecord = { seq: this.lastSeq + 1, ...record };
    this.records.push(full);
    appendFileSync(this.file, `${JSON.stringify(full)}\n`);
    return full;
  }

  query(filter: { service?: string; operation?: string; since?: number }): CallRecord[] {
    return this.records.filter(
      (r) =>
        (filter.service === undefined || r.service === filter.service) &&
        (filter.operation === undefined || r.operation === filter.operation) &&
        (filter.since === undefined || r.seq > filter.since),
    );
  }

  clear(): void {
    // The log restarts at seq 1 after a reset.
    this.records.length = 0;
    writeFileSync(this.file, '');
  }
}
