import { closeSync, fsyncSync, openSync } from 'node:fs';

/**
 * A file in DATA_DIR that the local runtime cannot use (damaged, cut short, or not in the shape it writes).
 * The start stops with this error: its message names the file, what is wrong and what to do, and `npm start`
 * prints that message alone and exits non-zero. Nothing is reset or half-read behind the user's back.
 */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
  constructor(
    readonly file: string,
    readonly problem: string,
    advice: string,
  ) {
    super(`${file} ${problem}. ${advice}`);
  }
}

/** Flushes a directory's entries to the disk (after a rename or link in it, so the new name survives a power loss). */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
