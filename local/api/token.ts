import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

function readTokenFile(path: string): TokenFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const parsed = JSON.parse(text) as Partial<TokenFile>;
  const valid =
    parsed.version === 1 &&
    Array.isArray(parsed.tokens) &&
    parsed.tokens.length > 0 &&
    parsed.tokens.every((t) => typeof t?.name === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(t.name) && typeof t.sha256 === 'string' && /^[0-9a-f]{64}$/.test(t.sha256));
  // Never regenerate over a damaged file: that would silently lock out whoever holds the token.
  if (!valid) throw new Error(`${path} is not a valid token file; delete it to generate a new token`);
  return parsed as TokenFile;
}

/** Writes the file only if it does not exist (temporary file + hard link: atomic and exclusive). */
function writeExclusive(dataDir: string, path: string, content: TokenFile): boolean {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}
