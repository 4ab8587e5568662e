import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fdatasyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { StateFileError, syncDirectory } from '../state-file';

/**
 * Bearer tokens of the local API. A token is shown once, when it is created; only its SHA-256 is stored
 * (`DATA_DIR/api-token.json`, mode 0600), so the file does not let anyone call the API. Tokens are 256-bit
 * random, so a fast unsalted hash is enough (nothing to brute-force), and comparison is constant-time.
 */
export const TOKEN_FILE = 'api-token.json';
/** The caller name of the generated or configured token: `requestedBy` = `local:<name>`. */
export const DEFAULT_TOKEN_NAME = 'token';

interface StoredToken {
  name: string;
  sha256: string;
  createdAt: string;
}

interface TokenFile {
  version: 1;
  tokens: StoredToken[];
}

export interface Tokens {
  /** The caller identity (`local:<name>`) of a presented token, or undefined. */
  verify(presented: string): string | undefined;
  /** Set only when this call created the token: print it once, it cannot be recovered. */
  generatedToken?: string;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * `configured` (TWO_WAY_SMS_API_TOKEN) is the only accepted token when given; otherwise the stored tokens are,
 * and on first start one is generated.
 */
export function loadTokens(dataDir: string, configured?: string, clock: () => Date = () => new Date()): Tokens {
  if (configured !== undefined && configured !== '') {
    return { verify: verifier([{ name: DEFAULT_TOKEN_NAME, hash: digest(configured) }]) };
  }
  const path = join(dataDir, TOKEN_FILE);
  let file = readTokenFile(path);
  let generatedToken: string | undefined;
  if (!file) {
    generatedToken = `tws_${randomBytes(32).toString('base64url')}`;
    const created: TokenFile = { version: 1, tokens: [{ name: DEFAULT_TOKEN_NAME, sha256: digest(generatedToken).toString('hex'), createdAt: clock().toISOString() }] };
    if (!writeExclusive(dataDir, path, created)) {
      // Another process created it between our read and write: use theirs.
      generatedToken = undefined;
      file = readTokenFile(path);
      if (!file) throw new Error(`${path} could not be read after it was created`);
    } else file = created;
  }
  const entries = file.tokens.map((t) => ({ name: t.name, hash: Buffer.from(t.sha256, 'hex') }));
  return { verify: verifier(entries), ...(generatedToken ? { generatedToken } : {}) };
}

function verifier(entries: { name: string; hash: Buffer }[]): (presented: string) => string | undefined {
  return (presented) => {
    const h = digest(presented);
    let found: string | undefined;
    // Compare against every entry, without stopping at a match: the time taken says nothing about the tokens.
    for (const e of entries) if (e.hash.length === h.length && timingSafeEqual(e.hash, h)) found ??= e.name;
    return found === undefined ? undefined : `local:${found}`;
  };
}

const TOKEN_FILE_SHAPE = z.object({
  version: z.literal(1),
  tokens: z
    .array(z.object({ name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), sha256: z.string().regex(/^[0-9a-f]{64}$/), createdAt: z.string() }))
    .min(1),
});

function readTokenFile(path: string): TokenFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(path, `cannot be read (${(e as Error).message})`, TOKEN_ADVICE(path));
  }
  // Never regenerate over a damaged file: that would silently lock out whoever holds the token.
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new StateFileError(path, `is not valid JSON (${(e as Error).message})`, TOKEN_ADVICE(path));
  }
  const parsed = TOKEN_FILE_SHAPE.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StateFileError(path, `is not a valid token file (${issue.path.join('.') || 'the file'}: ${issue.message})`, TOKEN_ADVICE(path));
  }
  return parsed.data;
}

const TOKEN_ADVICE = (path: string): string =>
  `The API did not start. Delete it (rm '${path}') to have a new token generated and printed at the next start ` +
  '(tokens issued before then stop working), or set TWO_WAY_SMS_API_TOKEN';

/** Writes the file only if it does not exist (temporary file + hard link: atomic and exclusive). */
function writeExclusive(dataDir: string, path: string, content: TokenFile): boolean {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(content, null, 2)}\n`);
    // On the disk before the token is printed: a power loss must not leave a printed token that no file knows.
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    syncDirectory(dataDir);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}
