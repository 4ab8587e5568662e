import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CallRecord {
  seq: number;
  at: string;
  service: string;
  operation: string;
  mutating: boolean;
  status: number;
  errorCode?: string;
}

/**
 * Every AWS API call the sandbox answered, in order. Kept in memory and appended to `calls.jsonl` in
 * DATA_DIR, so that it survives a restart (tests of crash recovery count side effects across restarts).
 */
export class CallLog {
  private readonly records: CallRecord[] = [];
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'calls.jsonl');
    try {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          this.records.push(JSON.parse(line) as CallRecord);
        } catch {
          // A line torn by a crash mid-append is dropped; every line before it is intact.
        }
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
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
