/** Notebook 2: antidepressants for non-specific low back pain (Cochrane CD001703.pub4). */
import { reproduceDataset, reviewOptions } from '../src/analysis/reproduce.ts';
import { effectColumnsFromTable } from '../src/effects/from-table.ts';
import { subgroupAnalysis } from '../src/analysis/subgroup-analysis.ts';
import { stringColumn, studyLabels } from '../src/io/csv.ts';
import { loadDataset } from '../src/io/datasets.ts';
import { forestDataColumns } from '../src/plots/forest-columns.ts';
import { forestFromSubgroups } from '../src/plots/forest-data.ts';
import { forestSpec } from '../src/plots/forest.ts';
import { f2, f3, Notebook } from './lib.ts';

export async function run(): Promise<void> {
  const nb = new Notebook(
    '02-antidepressants-lbp',
    'Antidepressants for non-specific low back pain',
    '02-antidepressants-lbp.ts',
  );
  nb.md(`Cochrane review CD001703.pub4, analyses 1.1 (pain at ≤ 4 weeks) and 1.2 (> 4 to 16 weeks), mean difference on a
0–100 pain scale, by drug class. First we check that evsynth reproduces what RevMan printed for each study, then we pool.`);
  for (const name of ['lbp-antidepressants-pain-immediate', 'lbp-antidepressants-pain-short-term']) {
    const ds = loadDataset(name);
    const t = ds.table!;
    const rep = reproduceDataset(ds);
    nb.md(`## ${ds.provenance.analysis?.timepoint} (analysis ${ds.provenance.analysis?.number})

Per-study claims reproduced to RevMan's 6 decimals: ${rep.counts.reproduced} of ${rep.checks.length} (effects, CIs and weights of ${rep.k} rows).`);
    const notes = ds.provenance.rowNotes ?? [];
    if (notes.length)
      nb.md(
        `Shared arms: ${[...new Set(notes.map((n) => n.study))].join(', ')} contribute several rows (see the dataset's provenance); the rows are not independent, which the review's analysis, and this one, ignore.`,
      );
    const s = subgroupAnalysis(
      effectColumnsFromTable(t),
      studyLabels(t),
      stringColumn(t, 'subgroup'),
      'drug class',
      reviewOptions(ds.provenance),
    );
    nb.table([
      ['drug class', 'k', 'MD', '95% CI', 'I²'],
      ...s.separate.levels.map((l) => {
        const c = l.fit.coefficients[0]!;
        return [
          l.level,
          l.fit.k,
          f2(c.estimate),
          `${f2(c.ciLower)} to ${f2(c.ciUpper)}`,
          l.singleStudy ? '—' : `${f2(l.fit.I2)}%`,
        ];
      }),
    ]);
    const o = s.overall.model.kind === 'rma' ? s.overall.model.fit.coefficients[0]! : null;
    nb.md(
      `All classes together: MD ${f2(o?.estimate)} (${f2(o?.ciLower)} to ${f2(o?.ciUpper)}) points on 0–100; test for subgroup differences p = ${f3(s.separate.test?.pValue)}.`,
    );
    await nb.figure(
      forestSpec(
        forestFromSubgroups(s, {
          columns: forestDataColumns(t, 'MD'),
          favours: ['Favours antidepressant', 'Favours placebo'],
        }),
        { width: 1100 },
      ),
      `forest-${ds.provenance.analysis?.number}.svg`,
      `Forest plot, analysis ${ds.provenance.analysis?.number}`,
    );
  }
  nb.save();
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
