/**
 * docs/cli.md's table of measures, generated from the measure registry (src/effects/registry.ts) so that
 * the doc cannot drift: `npm run docs:measures` rewrites the table between the markers, and
 * tests/docs-measures.test.ts fails when the committed table differs from the registry.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MeasureFamily } from '../../src/effects/registry.ts';
import { describeInputs, MEASURES, measureSpec, measureVtypes } from '../../src/effects/registry.ts';

export const DOC = fileURLToPath(new URL('../../docs/cli.md', import.meta.url));
export const START = '<!-- measures:start (generated from src/effects/registry.ts by npm run docs:measures) -->';
export const END = '<!-- measures:end -->';

const FAMILY: Record<MeasureFamily, string> = {
  'two-group-means': 'two groups, means',
  'two-by-two': '2×2 tables',
  'paired-two-by-two': 'matched pairs, 2×2 table',
  genotypes: 'genotype counts',
  'person-time': 'two groups, person-time',
  correlation: 'correlations',
  regression: 'regression coefficients',
  'single-proportion': 'one group, proportion',
  'single-rate': 'one group, person-time',
  'single-mean': 'one group, mean and SD',
  'paired-means': 'paired (pre/post, matched)',
  reliability: "Cronbach's alpha",
  generic: 'generic',
};

/** The markdown table: one row per measure, in registry order. */
export function measureTable(): string {
  const code = (s: string) =>
    s
      .split(' or ')
      .map((set) => `\`${set}\``)
      .join(' or ');
  const rows = MEASURES.map((m) => {
    const s = measureSpec(m);
    const vt = measureVtypes(m);
    const notes = [
      s.scale === 'log' ? 'log scale' : '',
      s.defaults?.add !== undefined ? `add = ${s.defaults.add}` : '',
      vt.length > 1 ? `vtype ${vt.join(', ')}` : '',
    ].filter((x) => x !== '');
    return `| ${FAMILY[s.family]} | \`${m}\` | ${s.description} | ${code(describeInputs(m))} | ${notes.join('; ')} |`;
  });
  return ['| data | measure | what | columns | notes |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** docs/cli.md with the table between the markers replaced by the registry's. */
export function withMeasureTable(doc: string): string {
  const a = doc.indexOf(START),
    b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/cli.md lacks the markers ${START} … ${END}`);
  return `${doc.slice(0, a + START.length)}\n\n${measureTable()}\n\n${doc.slice(b)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(DOC, withMeasureTable(readFileSync(DOC, 'utf8')));
  console.log(`docs/cli.md: ${MEASURES.length} measures`);
}
