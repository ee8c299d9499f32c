/** Notebook 1: exercise for knee osteoarthritis, strength vs aerobic and the other exercise types. */
import { reviewOptions } from '../src/analysis/reproduce.ts';
import { effectColumnsFromTable } from '../src/effects/from-table.ts';
import { subgroupAnalysis } from '../src/analysis/subgroup-analysis.ts';
import { pooledEstimate, rmaFitOf } from '../src/analysis/meta-analysis.ts';
import { stringColumn, studyLabels } from '../src/io/csv.ts';
import { loadDataset } from '../src/evidence/datasets.ts';
import { studyDataColumns } from '../src/plots/data-columns.ts';
import { forestFromSubgroups } from '../src/plots/forest-data.ts';
import { forestSpec } from '../src/plots/forest.ts';
import { f2, f3, Notebook } from './lib.ts';

export async function run(): Promise<void> {
  const nb = new Notebook(
    '01-knee-oa-exercise-types',
    'Exercise for knee osteoarthritis: does the type of exercise matter?',
    '01-knee-oa-exercise-types.ts',
  );
  nb.md(`The Danish guideline chapter on low back pain reports that strength and coordination training reduce pain and aerobic
training does not. The study rows behind that claim could not be obtained, so this notebook asks the same question of real
per-study data: the Cochrane review of exercise for knee osteoarthritis (CD004376.pub4), where analyses 4.3 (pain) and
4.4 (function) are split by exercise type. Conventions are the review's own: RevMan's SMD and DerSimonian–Laird random
effects within each type. Every number below is computed by evsynth from the study rows.`);
  for (const [name, outcome] of [
    ['knee-oa-exercise-pain', 'pain'],
    ['knee-oa-exercise-function', 'physical function'],
  ] as const) {
    const ds = loadDataset(name);
    const t = ds.table!;
    const s = subgroupAnalysis(
      effectColumnsFromTable(t),
      studyLabels(t),
      stringColumn(t, 'subgroup'),
      'exercise type',
      reviewOptions(ds.provenance),
    );
    nb.md(`## ${outcome[0]!.toUpperCase()}${outcome.slice(1)} (analysis ${ds.provenance.analysis?.number})`);
    nb.table([
      ['exercise type', 'k', 'SMD', '95% CI', 'τ²', 'I²'],
      ...s.levels.map((l) => {
        const c = pooledEstimate(l.analysis);
        return [
          l.level,
          l.analysis.studies.yi.length,
          f2(c.estimate),
          `${f2(c.ciLower)} to ${f2(c.ciUpper)}`,
          l.singleStudy ? '—' : f3(rmaFitOf(l.analysis).tau2),
          l.singleStudy ? '—' : `${f2(rmaFitOf(l.analysis).I2)}%`,
        ];
      }),
    ]);
    const t2 = s.test!,
      m = s.common!.moderatorModel;
    const str = pooledEstimate(s.levels.find((l) => l.level === 'Strengthening')!.analysis);
    const aer = pooledEstimate(s.levels.find((l) => l.level === 'Aerobic')!.analysis);
    const wider = aer.ciUpper - aer.ciLower > str.ciUpper - str.ciLower;
    const aerSig = aer.ciUpper < 0,
      strSig = str.ciUpper < 0;
    const single = s.levels.filter((l) => l.singleStudy).map((l) => l.level);
    const sepSig = t2.pValue < 0.05,
      comSig = m.QMp < 0.05;
    const verdict =
      sepSig === comSig
        ? sepSig
          ? 'Both conventions find a difference between exercise types at the 5% level.'
          : 'Neither convention finds a difference between exercise types at the 5% level.'
        : `The two conventions disagree at the 5% level (p = ${f3(t2.pValue)} vs ${f3(m.QMp)}). A difference that appears under one convention and not the other is not evidence of a difference: the convention has to be fixed before the data are seen, and reporting whichever test is significant inflates the false-positive rate (see the course notebook on subgroup analyses).`;
    nb.md(`Strengthening: SMD ${f2(str.estimate)} (${f2(str.ciLower)} to ${f2(str.ciUpper)})${strSig ? ', a clear benefit' : ''}; aerobic:
${f2(aer.estimate)} (${f2(aer.ciLower)} to ${f2(aer.ciUpper)})${aerSig ? ', also below zero' : ', compatible with no effect'}${wider ? ', with a much wider interval' : ''}.
Two tests for subgroup differences, both reported: RevMan's test on the separate fits (each type with its own τ²) gives
χ² = ${f2(t2.Q)}, df = ${t2.df}, p = ${f3(t2.pValue)}; metafor's model with one common τ² gives QM = ${f2(m.QM)}, df = ${m.QMdf[0]}, p = ${f3(m.QMp)}.
${verdict}
${single.length ? `The test includes ${single.length} single-study subgroup${single.length > 1 ? 's' : ''} (${single.join(', ')}): such a subgroup has no heterogeneity estimate, so under separate τ² its estimate enters the test with its within-study variance only, while under a common τ² it also carries τ²; this is one reason the two tests differ. ` : ''}These are comparisons between trials, not within them: exercise type is confounded with everything else that differs between the trials.`);
    await nb.figure(
      forestSpec(
        forestFromSubgroups(s, {
          weights: 'subgroup',
          columns: studyDataColumns(t, 'SMD'),
          favours: ['Favours exercise', 'Favours control'],
        }),
        { width: 1100 },
      ),
      `forest-${outcome.split(' ')[0]}.svg`,
      `Forest plot, ${outcome}, by exercise type`,
    );
  }
  nb.save();
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
