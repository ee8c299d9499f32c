/**
 * Extracts one analysis of a Cochrane review from the Pairwise70 CSV export into a dataset CSV
 * (datasets/<name>/data.csv). Values are copied as the export wrote them (strings, no rounding).
 * Developers run it once per dataset; tests and `npm start` never read ../shared.
 *
 *   npx tsx scripts/datasets/extract-cochrane.ts <review.csv> <analysis e.g. 4.3> <out.csv> [continuous|dichotomous]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCsv, stringColumn } from '../../src/io/csv.ts';

const [file, analysis, out, kind = 'continuous'] = process.argv.slice(2);
if (file === undefined || analysis === undefined || out === undefined) {
  process.stderr.write('usage: extract-cochrane.ts <review.csv> <analysis> <out.csv> [continuous|dichotomous]\n');
  process.exit(2);
}
const t = parseCsv(readFileSync(file, 'utf8'), file);
const col = (name: string) => stringColumn(t, name);
const [g, n] = [col('Analysis.group'), col('Analysis.number')];
const rows = g.map((_, i) => i).filter((i) => `${g[i]}.${n[i]}` === analysis);
if (rows.length === 0) {
  process.stderr.write(`no rows for analysis ${analysis}\n`);
  process.exit(2);
}
const map: [string, string][] =
  kind === 'continuous'
    ? [
        ['study', 'Study'],
        ['year', 'Study.year'],
        ['subgroup', 'Subgroup'],
        ['n1i', 'Experimental.N'],
        ['m1i', 'Experimental.mean'],
        ['sd1i', 'Experimental.SD'],
        ['n2i', 'Control.N'],
        ['m2i', 'Control.mean'],
        ['sd2i', 'Control.SD'],
      ]
    : [
        ['study', 'Study'],
        ['year', 'Study.year'],
        ['subgroup', 'Subgroup'],
        ['ai', 'Experimental.cases'],
        ['n1i', 'Experimental.N'],
        ['ci', 'Control.cases'],
        ['n2i', 'Control.N'],
      ];
map.push(
  ['revman_effect', 'Mean'],
  ['revman_ci_lb', 'CI.start'],
  ['revman_ci_ub', 'CI.end'],
  ['revman_weight', 'Weight'],
  ['footnote', 'Footnotes'],
);
const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const lines = [map.map(([h]) => h).join(',')];
for (const i of rows) lines.push(map.map(([, c]) => quote(col(c)[i] as string)).join(','));
writeFileSync(out, lines.join('\n') + '\n');
process.stdout.write(
  `${rows.length} rows of analysis ${analysis} (${col('Analysis.name')[rows[0] as number]}) → ${out}\n`,
);
