/** `evsynth datasets`, `reproduce` and `start` (the main job). */
import { EvsynthError } from '../../core/errors.ts';
import { alignTable } from '../../core/format.ts';
import { listDatasetNames, loadDataset, loadDatasetAt } from '../../evidence/datasets.ts';
import { datasetResolver, reproduceDataset, reviewOptions } from '../../analysis/reproduce.ts';
import { reproduceChapter } from '../../analysis/chapter.ts';
import { listChapterNames, loadChapter } from '../../evidence/chapter.ts';
import { effectColumnsFromTable } from '../../effects/from-table.ts';
import { subgroupAnalysis } from '../../analysis/subgroup-analysis.ts';
import { stringColumn, studyLabels } from '../../io/csv.ts';
import { formatChapterReport, formatReproduction, formatReproductionTotals } from '../../report/reproduce-text.ts';
import { formatSubgroupText, summarizeSubgroups } from '../../report/subgroup-text.ts';
import { checkOutputDirectory, makeOutputDirectory, writeOutput } from '../output.ts';
import { studyDataColumns } from '../../plots/data-columns.ts';
import { forestFromSubgroups } from '../../plots/forest-data.ts';
import { forestSpec } from '../../plots/forest.ts';

import { toJson } from '../json.ts';

export function runDatasets(flags: { json?: boolean }): void {
  const list = listDatasetNames().map((name) => {
    const d = loadDataset(name);
    const p = d.provenance;
    return {
      name,
      k: d.table?.rows.length ?? 0,
      rows: p.rows.status,
      measure: p.measure,
      outcome: p.analysis?.outcome ?? '',
      claims: p.claims.length + (p.perStudyClaims ? (d.table?.rows.length ?? 0) : 0),
      title: p.title,
    };
  });
  if (flags.json) {
    process.stdout.write(toJson(list) + '\n');
    return;
  }
  const rows = [
    ['name', 'k', 'rows', 'measure', 'claims', 'outcome'],
    ...list.map((d) => [
      d.name,
      String(d.k),
      d.rows,
      d.measure,
      String(d.claims),
      d.outcome.length > 60 ? `${d.outcome.slice(0, 57)}...` : d.outcome,
    ]),
  ];
  process.stdout.write(alignTable(rows, [0, 2, 3, 5]).join('\n') + '\n');
}

export function runReproduce(
  name: string | undefined,
  flags: { all?: boolean; json?: boolean; chapter?: string | boolean },
): number {
  if (flags.chapter !== undefined) {
    const chapters = listChapterNames();
    const chapterName = typeof flags.chapter === 'string' ? flags.chapter : (name ?? chapters[0]);
    if (chapterName === undefined) throw new EvsynthError('FILE_NOT_FOUND', 'no bundled chapter');
    const report = reproduceChapter(loadChapter(chapterName), (n) => loadDataset(n));
    process.stdout.write(flags.json ? toJson(report) + '\n' : formatChapterReport(report));
    return report.statementCounts.differs > 0 ? EXIT_DIFFERS : 0;
  }
  const names = name !== undefined ? [name] : listDatasetNames();
  const resolve = datasetResolver((n) => loadDataset(n));
  const results = names.map((n) => reproduceDataset(loadDatasetAt(n), resolve));
  if (flags.json) process.stdout.write(toJson(results) + '\n');
  else {
    for (const r of results) process.stdout.write(formatReproduction(r, flags.all) + '\n');
    process.stdout.write(formatReproductionTotals(results));
  }
  return results.some((r) => r.counts.differs > 0) ? EXIT_DIFFERS : 0;
}

/**
 * Exit code when a recomputed value differs from a published one (a failed check). An `inconsistent`
 * publication (numbers that contradict each other) is a finding about the publication, not a failure of
 * the reproduction: it exits 0. Usage and data errors exit 2.
 */
const EXIT_DIFFERS = 1;

/** The flagship: knee-OA pain by exercise type (Cochrane CD004376.pub4, analysis 4.3), with RevMan's conventions. */
const FLAGSHIP_DATASET = 'knee-oa-exercise-pain';

async function runFlagship(outDir: string): Promise<void> {
  const ds = loadDataset(FLAGSHIP_DATASET);
  const t = ds.table;
  if (t === null || ds.provenance.subgroupColumn === undefined)
    throw new EvsynthError('INVALID_VALUE', `flagship dataset ${FLAGSHIP_DATASET} needs rows and a subgroup column`);
  // the prediction interval as the Cochrane Handbook gives it: t with k − 2 df (Higgins, Thompson & Spiegelhalter 2009)
  const opts = { ...reviewOptions(ds.provenance), piType: 'riley' as const };
  const s = subgroupAnalysis(
    effectColumnsFromTable(t),
    studyLabels(t),
    stringColumn(t, ds.provenance.subgroupColumn),
    'exercise type',
    opts,
  );
  process.stdout.write(
    formatSubgroupText(
      summarizeSubgroups(s),
      `Flagship: ${ds.provenance.title}\nSMD (RevMan's Hedges' g), DerSimonian-Laird random effects per exercise type; negative favours exercise.\nPrediction interval of the overall effect with t on k − 2 df (Cochrane Handbook; Higgins, Thompson & Spiegelhalter 2009); study weights are within each exercise type, as RevMan printed them`,
    ),
  );
  const spec = forestSpec(
    forestFromSubgroups(s, {
      weights: 'subgroup',
      columns: studyDataColumns(t, opts.measure),
      favours: ['Favours exercise', 'Favours control'],
      title: 'Exercise for knee osteoarthritis: pain, by exercise type (Cochrane CD004376.pub4, analysis 4.3)',
    }),
    { width: 1100 },
  );
  makeOutputDirectory(outDir);
  for (const format of ['svg', 'png'] as const) {
    const file = `${outDir}/flagship-forest.${format}`;
    const { renderToBuffer } = await import('../../plots/render.ts');
    writeOutput(file, await renderToBuffer(spec, format));
    process.stdout.write(`wrote ${file}\n`);
  }
}

export async function runStart(flags: { out?: string }): Promise<number> {
  checkOutputDirectory(flags.out ?? 'out'); // before any work
  const code = runReproduce(undefined, {});
  for (const name of listChapterNames()) {
    const r = reproduceChapter(loadChapter(name), (n) => loadDataset(n));
    const c = r.statementCounts;
    const k = r.claimCounts;
    const claims = Object.values(k).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `\n${r.title}: the chapter at a glance: ${r.statements.length} statements (${c.reproduced} reproduced from study rows, ${c.consistent} consistent with the reviews' published numbers, ${c['partly checkable']} partly checkable, ${c.inconsistent + c.differs} contradicted, ${c['not checkable']} not checkable); ${claims} claims (${k.reproduced} reproduced, ${k.consistent} consistent, ${k.inconsistent + k.differs} contradicted, ${k['not checkable']} not checkable). Every statement: npx evsynth reproduce --chapter\n`,
    );
  }
  process.stdout.write('\n');
  await runFlagship(flags.out ?? 'out');
  return code;
}
