import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createEmptyState, type SandboxState } from '../state';

/**
 * The sandbox state file. Every successful mutating call saves the whole state with write-to-temp, fsync,
 * rename: a kill -9 at any moment leaves either the old file or the new one, never a torn one.
 */
export class StateStore {
  readonly file: string;

  constructor(readonly dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, 'sandbox-state.json');
  }

  /** The saved state, or `undefined` on first start. A file that does not parse is an error, never silently reset. */
  load(): SandboxState | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const parsed = JSON.parse(text) as SandboxState;
    // Fill slices added by newer versions so that old state files keep working.
    return { ...createEmptyState(), ...parsed, settings: { ...createEmptyState().settings, ...parsed.settings } };
  }

  save(state: SandboxState): void {
    writeFileAtomic(this.file, JSON.stringify(state));
  }
}

export function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
