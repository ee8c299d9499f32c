import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const out = (f: string) => fileURLToPath(new URL(`../notebooks/out/${f}`, import.meta.url));
describe('committed notebook reports', () => {
  it.each([
    '01-knee-oa-exercise-types',
    '02-antidepressants-lbp',
    '03-seed-chapter-claims',
    '04-tau2-estimators',
    'course-01-effect-sizes',
    'course-05-confidence-intervals',
  ])('%s exists, names its command and versions, and its figures exist', (name) => {
    const md = readFileSync(out(`${name}.md`), 'utf8');
    expect(md).toMatch(new RegExp(`Made by \`npx tsx notebooks/${name}.ts\``));
    expect(md).toMatch(/Node v\d+/);
    expect(md).toMatch(/Runtime: [\d.]+ s/);
    for (const m of md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) expect(existsSync(out(m[1]!))).toBe(true);
  });
});
