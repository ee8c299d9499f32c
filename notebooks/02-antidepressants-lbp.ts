/** Notebook 2: antidepressants for non-specific low back pain (Cochrane CD001703.pub4). */
import { reproduceDataset, reviewOptions } from '../src/analysis/reproduce.ts';
import { effectColumnsFromTable } from '../src/effects/from-table.ts';
import { subgroupAnalysis } from '../src/analysis/subgroup-analysis.ts';
import { pooledEstimate, rmaFitOf } from '../src/analysis/meta-analysis.ts';
import { numericColumn, stringColumn, studyLabels } from '../src/io/csv.ts';
import { loadDataset } from '../src/evidence/datasets.ts';
import { studyDataColumns } from '../src/plots/data-columns.ts';
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
    // studies with several rows: a shared control group (same control mean and SD) split or repeated, or separate controls
    const labels = studyLabels(t);
    const n2 = numericColumn(t, 'n2i'),
      m2 = numericColumn(t, 'm2i'),
      sd2 = numericColumn(t, 'sd2i');
    const byStudy = new Map<string, number[]>();
    labels.forEach((l, i) => byStudy.set(l, [...(byStudy.get(l) ?? []), i]));
    const lines: string[] = [];
    for (const [study, rows] of byStudy) {
      if (rows.length < 2) continue;
      const sameMean = rows.every((i) => m2[i] === m2[rows[0]!]);
      const ns = rows.map((i) => n2[i]!);
      const repeated = sameMean && rows.every((i) => n2[i] === n2[rows[0]!] && sd2[i] === sd2[rows[0]!]);
      lines.push(
        `- **${study}** (${rows.length} rows, control N ${ns.join(', ')}): ${
          !sameMean
            ? 'different control groups (different means): not a shared arm.'
            : repeated
              ? 'one control group repeated with its full N in each row: its participants are counted more than once in any total over these rows.'
              : `one control group (same mean) split across the rows (N ${ns.join(' + ')} = ${ns.reduce((a, b) => a + b, 0)}), the Cochrane Handbook's way of avoiding double counting; the rows are still correlated.`
        }`,
      );
    }
    if (lines.length)
      nb.md(
        `Studies with more than one row, read from the data (control mean, SD and N):\n\n${lines.join('\n')}\n\nThe review's analysis and this one treat the rows as independent; only the split avoids counting participants twice. Notebook 06 models the shared arms (sampling covariances, a three-level model, cluster-robust inference) and shows what changes.`,
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
      ...s.levels.map((l) => {
        const c = pooledEstimate(l.analysis);
        return [
          l.level,
          l.analysis.studies.yi.length,
          f2(c.estimate),
          `${f2(c.ciLower)} to ${f2(c.ciUpper)}`,
          l.singleStudy ? '—' : `${f2(rmaFitOf(l.analysis).I2)}%`,
        ];
      }),
    ]);
    const o = s.overall.model.kind === 'rma' ? s.overall.model.fit.coefficients[0]! : null;
    nb.md(
      `All classes together: MD ${f2(o?.estimate)} (${f2(o?.ciLower)} to ${f2(o?.ciUpper)}) points on 0–100; test for subgroup differences p = ${f3(s.test?.pValue)}.`,
    );
    await nb.figure(
      forestSpec(
        forestFromSubgroups(s, {
          weights: 'subgroup',
          columns: studyDataColumns(t, 'MD'),
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
