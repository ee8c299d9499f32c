import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const out = (f: string) => fileURLToPath(new URL(`../notebooks/out/${f}`, import.meta.url));
describe('committed notebook reports', () => {
  it.each([
    '01-knee-oa-exercise-types',
    '02-antidepressants-lbp',
    '03-seed-chapter-claims',
    '06-dependent-effects',
    'course-01-effect-sizes',
    'course-02-common-random',
    'course-03-heterogeneity',
    'course-04-tau2-estimators',
    'course-05-confidence-intervals',
    'course-06-subgroups',
    'course-07-small-study-effects',
    'course-08-meta-regression',
  ])('%s exists, names its command and versions, and its figures exist', (name) => {
    const md = readFileSync(out(`${name}.md`), 'utf8');
    expect(md).toMatch(new RegExp(`Made by \`npx tsx notebooks/${name}.ts\``));
    expect(md).toMatch(/Node v\d+/);
    expect(md).toMatch(/Runtime: [\d.]+ s/);
    for (const m of md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) expect(existsSync(out(m[1]!))).toBe(true);
    // every row of a Markdown table has as many cells as its header (a stray '|' in a cell breaks the table)
    const lines = md.split('\n');
    lines.forEach((line, i) => {
      if (line.startsWith('| ') && lines[i + 1]?.startsWith('| ---')) {
        const cells = line.split('|').length;
        for (let j = i + 2; lines[j]?.startsWith('|'); j++)
          expect(lines[j]!.split('|').length, `${name}.md line ${j + 1}`).toBe(cells);
      }
    });
  });

  // A seeded notebook regenerated from scratch equals the committed report, apart from the runtime line and the
  // Node version: the simulations reproduce from their seeds, and the committed output is not stale.
  it('course 2 regenerates identically to the committed report and figures', async () => {
    const name = 'course-02-common-random';
    const dir = mkdtempSync(join(tmpdir(), 'evsynth-notebook-'));
    try {
      const { run } = await import(`../notebooks/${name}.ts`);
      await (run as (o: { outDir: string }) => Promise<void>)({ outDir: dir });
      const stable = (md: string) => md.replace(/^Runtime: .*$/m, 'Runtime: …').replace(/Node v[\d.]+/, 'Node …');
      expect(stable(readFileSync(join(dir, `${name}.md`), 'utf8'))).toBe(
        stable(readFileSync(out(`${name}.md`), 'utf8')),
      );
      const figures = readdirSync(out(name));
      expect(readdirSync(join(dir, name)).sort()).toEqual([...figures].sort());
      for (const f of figures)
        expect(readFileSync(join(dir, name, f), 'utf8'), `${name}/${f} differs; run npm run notebooks`).toBe(
          readFileSync(out(`${name}/${f}`), 'utf8'),
        );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
