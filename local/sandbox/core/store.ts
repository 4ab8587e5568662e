import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { createEmptyState, type SandboxState } from '../state';
import { SLICE_SCHEMAS, SLICE_SERVICES } from '../state-schema';
import { StateFileError, syncDirectory } from '../../state-file';

export type StateSlice = Exclude<keyof SandboxState, 'version'>;

const SLICES: readonly StateSlice[] = ['smsVoice', 'sns', 'iam', 'kms', 'connect', 'inbound', 'settings'];

/**
 * The sandbox state on disk: one JSON file per slice in `DATA_DIR/sandbox-state/`, so a call rewrites only
 * the slice its service owns. Each file is written to a temporary file, flushed to the disk (fsync), renamed
 * over the old one and the directory flushed, all before the call is answered: a kill -9 or a power loss at
 * any moment leaves each file either old or new, never torn, and every answered write is on the disk. (The
 * sandbox stands in for AWS, which never forgets an acknowledged change; the tasks record what they changed
 * in DynamoDB right after, so losing the change but keeping the record would leave the two disagreeing.)
 */
export class StateStore {
  readonly dir: string;

  /** `sync` false skips the flushes: only for the benchmark's comparison. */
  constructor(
    readonly dataDir: string,
    readonly sync = true,
  ) {
    this.dir = join(dataDir, 'sandbox-state');
    mkdirSync(this.dir, { recursive: true });
  }

  /**
   * The saved state, or `undefined` on first start. A file that does not parse or does not have its slice's
   * shape (an empty object included) throws `StateFileError`: it is never silently reset or half-read.
   */
  load(): SandboxState | undefined {
    const state = createEmptyState();
    let found = false;
    for (const slice of SLICES) {
      const file = join(this.dir, `${slice}.json`);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new StateFileError(file, `cannot be read (${(e as Error).message})`, this.advice(file, slice));
      }
      found = true;
      const value = this.parse(file, slice, text);
      // Settings added by newer versions keep their defaults when an older file lacks them.
      (state as unknown as Record<string, unknown>)[slice] = slice === 'settings' ? { ...state.settings, ...(value as object) } : value;
    }
    return found ? state : undefined;
  }

  /** Saves the given slices (all of them by default). */
  save(state: SandboxState, slices: readonly StateSlice[] = SLICES): void {
    for (const slice of slices) writeFileAtomic(join(this.dir, `${slice}.json`), JSON.stringify(state[slice]), false, this.sync);
    if (this.sync) syncDirectory(this.dir);
  }

  private parse(file: string, slice: StateSlice, text: string): unknown {
    if (text.trim() === '') throw new StateFileError(file, 'is empty', this.advice(file, slice));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new StateFileError(file, `is not valid JSON (${(e as Error).message})`, this.advice(file, slice));
    }
    const checked = (SLICE_SCHEMAS[slice] as z.ZodType).safeParse(json);
    if (!checked.success) throw new StateFileError(file, `does not hold ${SLICE_SERVICES[slice]} in the shape the sandbox writes: ${describeIssues(checked.error)}`, this.advice(file, slice));
    return checked.data;
  }

  private advice(file: string, slice: StateSlice): string {
    return (
      `The sandbox did not start and changed nothing. To start with ${SLICE_SERVICES[slice]} empty, move the file aside ` +
      `(mv '${file}' '${file}.damaged'); to start over with the demo resources, delete the directory '${this.dir}' ` +
      '(what DynamoDB recorded about earlier provisionings then names resources that no longer exist).'
    );
  }
}

function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(the whole file)'}: ${i.message}`);
  const more = error.issues.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/**
 * Replaces `file` with `content` atomically (temporary file + rename). The content is flushed to the disk
 * before the rename; `syncDir` also flushes the directory entry (callers replacing several files flush the
 * directory once after the last).
 */
export function writeFileAtomic(file: string, content: string, syncDir = true, sync = true): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, content);
    if (sync) fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  if (sync && syncDir) syncDirectory(join(file, '..'));
}
