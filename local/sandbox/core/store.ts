import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createEmptyState, type SandboxState } from '../state';

export type StateSlice = Exclude<keyof SandboxState, 'version'>;

const SLICES: readonly StateSlice[] = ['smsVoice', 'sns', 'iam', 'kms', 'connect', 'inbound', 'settings'];

/**
 * The sandbox state on disk: one JSON file per slice in `DATA_DIR/sandbox-state/`, so a call rewrites only
 * the slice its service owns. Each file is replaced with write-to-temp and rename before the call is
 * answered, so a kill -9 at any moment leaves each file either old or new, never torn, and every answered
 * write is in the file. (There is no fsync: the sandbox guards against a crashed process, not a lost
 * machine, and skipping it keeps mutating calls well under moto_server's latency.)
 */
export class StateStore {
  readonly dir: string;

  constructor(readonly dataDir: string) {
    this.dir = join(dataDir, 'sandbox-state');
    mkdirSync(this.dir, { recursive: true });
  }

  /** The saved state, or `undefined` on first start. A file that does not parse is an error, never silently reset. */
  load(): SandboxState | undefined {
    const state = createEmptyState();
    let found = false;
    for (const slice of SLICES) {
      let text: string;
      try {
        text = readFileSync(join(this.dir, `${slice}.json`), 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      found = true;
      const parsed = JSON.parse(text) as unknown;
      // Settings added by newer versions keep their defaults when an older file lacks them.
      (state as unknown as Record<string, unknown>)[slice] = slice === 'settings' ? { ...state.settings, ...(parsed as object) } : parsed;
    }
    return found ? state : undefined;
  }

  /** Saves the given slices (all of them by default). */
  save(state: SandboxState, slices: readonly StateSlice[] = SLICES): void {
    for (const slice of slices) writeFileAtomic(join(this.dir, `${slice}.json`), JSON.stringify(state[slice]));
  }
}

export function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
