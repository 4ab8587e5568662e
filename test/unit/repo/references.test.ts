import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The repository explains itself: comments and docs point at files that exist in it, never at documents that live
 * elsewhere (the project's design and domain notes outside the repository), and every `docs/domain.md §N` names a
 * section that page has.
 */
const ROOT = join(__dirname, '..', '..', '..');
const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.(ts|js|md|json)$/.test(f) && !f.startsWith('bench/results') && f !== 'package-lock.json' && f !== 'test/unit/repo/references.test.ts');
const texts = files.filter((f) => existsSync(join(ROOT, f))).map((f) => [f, readFileSync(join(ROOT, f), 'utf8')] as const);

describe('references inside the repository', () => {
  it('never point at DESIGN.md, DOMAIN.md or STYLE.md, which are not in it', () => {
    const outside = texts.flatMap(([f, t]) => (/\b(DESIGN|DOMAIN|STYLE)\.md\b/.test(t) ? [f] : []));
    expect(outside).toEqual([]);
  });

  it('point only at docs/ pages that exist, and at sections docs/domain.md has', () => {
    const domain = readFileSync(join(ROOT, 'docs', 'domain.md'), 'utf8');
    const sections = new Set([...domain.matchAll(/^## §(\d+)/gm)].map((m) => m[1]));
    const broken: string[] = [];
    for (const [f, t] of texts) {
      for (const m of t.matchAll(/docs\/([a-z0-9-]+\.md)(?: §(\d+))?/g)) {
        if (!existsSync(join(ROOT, 'docs', m[1]!))) broken.push(`${f}: docs/${m[1]}`);
        else if (m[2] !== undefined && m[1] === 'domain.md' && !sections.has(m[2])) broken.push(`${f}: docs/domain.md §${m[2]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
