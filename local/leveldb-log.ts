import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateFileError } from './state-file';

/**
 * A check of LevelDB's write-ahead files (the `NNNNNN.log` logs and the `MANIFEST-NNNNNN` file) before dynalite
 * opens them. LevelDB replays the log at open and, unless opened with paranoid checks (which classic-level does
 * not offer), skips a record whose checksum fails and carries on with the records after it. Locally that
 * would forget, without a word, writes that were acknowledged: an execution's last steps, a ledger entry. A
 * resumed execution would then run again over changes it had already made.
 *
 * The format (LevelDB's `doc/log_format.md`): the file is a sequence of 32 KiB blocks; each block holds physical
 * records `checksum u32 LE | length u16 LE | type u8 | data`, where the checksum is the masked CRC-32C of the
 * type byte and the data; a block's last 0-6 bytes are zero padding; a logical record is one FULL physical
 * record or FIRST, MIDDLE..., LAST.
 *
 * Two findings are told apart:
 * - a torn tail: the damage runs to the end of the file (a write cut short by a crash or a power loss). Writes
 *   are flushed to the disk before they are acknowledged (see `local/dynamo.ts`), so such a write was never
 *   acknowledged; LevelDB drops it, and the check reports it.
 * - damage followed by intact records: something else changed the file. Starting would lose acknowledged
 *   writes, so the check refuses.
 */

const BLOCK = 32 * 1024;
const HEADER = 7;
const FULL = 1;
const FIRST = 2;
const MIDDLE = 3;
const LAST = 4;

export interface TornTail {
  file: string;
  /** Where the incomplete write starts. */
  offset: number;
  /** How many bytes LevelDB will drop. */
  bytes: number;
}

type Finding = { kind: 'ok' } | { kind: 'torn'; offset: number } | { kind: 'damaged'; offset: number; reason: string };

/** Checks every log and manifest file of the LevelDB database in `dir` (absent: nothing to check). */
export function checkLevelDbLogs(dir: string): TornTail[] {
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir);
  const logs = names.filter((n) => /^\d+\.log$/.test(n) || /^MANIFEST-\d+$/.test(n)).sort();
  const hasData = names.some((n) => /^\d+\.(log|ldb|sst)$/.test(n));
  checkCurrent(dir, names, hasData);
  const torn: TornTail[] = [];
  for (const name of logs) {
    const file = join(dir, name);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      // Gone since the listing: another process owns the database (and the open that follows says so).
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const finding = scanLog(bytes);
    if (finding.kind === 'damaged') {
      throw new StateFileError(file, `is damaged at byte ${finding.offset} of ${bytes.length} (${finding.reason}), and intact records follow`, advice(dir));
    }
    if (finding.kind === 'torn') torn.push({ file, offset: finding.offset, bytes: bytes.length - finding.offset });
  }
  return torn;
}

/** `CURRENT` names the manifest; without it LevelDB would start a new, empty database beside the old files. */
function checkCurrent(dir: string, names: string[], hasData: boolean): void {
  const file = join(dir, 'CURRENT');
  if (!names.includes('CURRENT')) {
    if (hasData) throw new StateFileError(file, 'is missing, but the directory holds LevelDB data', advice(dir));
    return;
  }
  const text = readFileSync(file, 'latin1');
  const m = /^(MANIFEST-\d+)\n$/.exec(text);
  if (!m) throw new StateFileError(file, `does not name a manifest (it holds ${JSON.stringify(text.slice(0, 40))})`, advice(dir));
  if (!names.includes(m[1]!)) throw new StateFileError(file, `names ${m[1]}, which does not exist`, advice(dir));
}

function advice(dir: string): string {
  return (
    'The local runtime did not start and changed nothing: LevelDB would skip the damaged records and start without ' +
    'them, so finished executions could run again and the provisioning records could disagree with the sandbox. ' +
    `Restore '${dir}' from a backup, or move it aside (mv '${dir}' '${dir}.damaged') to start with empty tables ` +
    '(provisionings, audit trails and executions are then forgotten; the sandbox keeps its resources)'
  );
}

/** Walks the physical records of one log file. */
export function scanLog(buf: Buffer): Finding {
  let offset = 0;
  /** Start of a FIRST fragment whose LAST has not been seen yet. */
  let openRecord: number | undefined;
  // A problem is a torn tail when nothing but it (or zeros) follows it up to the end of the file.
  const problem = (at: number, end: number, reason: string): Finding =>
    isZero(buf, Math.min(end, buf.length), buf.length) ? { kind: 'torn', offset: openRecord ?? at } : { kind: 'damaged', offset: at, reason };

  while (offset < buf.length) {
    const leftInBlock = BLOCK - (offset % BLOCK);
    if (leftInBlock < HEADER) {
      offset += leftInBlock;
      continue;
    }
    if (buf.length - offset < HEADER) return problem(offset, buf.length, 'a record header is cut short');
    const stored = buf.readUInt32LE(offset);
    const length = buf.readUInt16LE(offset + 4);
    const type = buf[offset + 6]!;
    const end = offset + HEADER + length;
    if (stored === 0 && length === 0 && type === 0) return problem(offset, offset + HEADER, 'zero bytes where a record should start');
    if (HEADER + length > leftInBlock) return problem(offset, end, 'a record runs past the end of its block');
    if (end > buf.length) return problem(offset, buf.length, 'a record is cut short');
    if (unmask(stored) !== crc32c(buf, offset + 6, end)) return problem(offset, end, 'a record checksum does not match');
    switch (type) {
      case FULL:
        if (openRecord !== undefined) return problem(offset, end, 'a fragmented record has no last fragment');
        break;
      case FIRST:
        if (openRecord !== undefined) return problem(offset, end, 'a fragmented record has no last fragment');
        openRecord = offset;
        break;
      case MIDDLE:
        if (openRecord === undefined) return problem(offset, end, 'a middle fragment has no first fragment');
        break;
      case LAST:
        if (openRecord === undefined) return problem(offset, end, 'a last fragment has no first fragment');
        openRecord = undefined;
        break;
      default:
        return problem(offset, end, `unknown record type ${type}`);
    }
    offset = end;
  }
  return openRecord === undefined ? { kind: 'ok' } : { kind: 'torn', offset: openRecord };
}

function isZero(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}

/** LevelDB stores CRCs rotated and offset, so that a CRC of data that itself holds CRCs stays distinctive. */
function unmask(masked: number): number {
  const rot = (masked - 0xa282ead8) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli) of `buf[from, to)`. */
export function crc32c(buf: Buffer, from = 0, to = buf.length): number {
  let crc = 0xffffffff;
  for (let i = from; i < to; i++) crc = CRC32C_TABLE[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
