import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokens, TOKEN_FILE } from '../../../local/api/token';

describe('local API tokens', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tokens-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates once, verifies the token as local:token, and rejects near misses', () => {
    const first = loadTokens(dir);
    const second = loadTokens(dir);
    const token = first.generatedToken!;

    expect(second.generatedToken).toBeUndefined();
    expect(second.verify(token)).toBe('local:token');
    expect(second.verify(token.slice(0, -1))).toBeUndefined();
    expect(second.verify('')).toBeUndefined();
    expect(readFileSync(join(dir, TOKEN_FILE), 'utf8')).not.toContain(token);
  });

  it('uses the name stored with a token as the caller', () => {
    const { generatedToken } = loadTokens(dir);
    const file = JSON.parse(readFileSync(join(dir, TOKEN_FILE), 'utf8'));
    file.tokens[0].name = 'ci-bot';
    writeFileSync(join(dir, TOKEN_FILE), JSON.stringify(file));

    expect(loadTokens(dir).verify(generatedToken!)).toBe('local:ci-bot');
  });

  it('accepts only the configured token when one is given', () => {
    const tokens = loadTokens(dir, 's3cret');

    expect(tokens.verify('s3cret')).toBe('local:token');
    expect(tokens.verify('other')).toBeUndefined();
    expect(tokens.generatedToken).toBeUndefined();
  });
});
