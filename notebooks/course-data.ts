/**
 * The real data of the teaching track, loaded once and named for the course: the bundled datasets, and
 * one binary outcome that datasets/ does not hold (the repository's datasets are all continuous).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseExport } from '../src/cochrane/export.ts';
import { effectColumnsFromTable } from '../src/effects/from-table.ts';
import { escalc, toEffectSet } from '../src/effects/escalc.ts';
import type { EffectColumns } from '../src/effects/options.ts';
import type { EffectSet } from '../src/effects/types.ts';
import { numericColumn, stringColumn, studyLabels, type DataTable } from '../src/io/csv.ts';
import { loadDataset } from '../src/evidence/datasets.ts';

export interface CourseData {
  readonly name: string;
  readonly table: DataTable;
  readonly columns: EffectColumns;
  readonly labels: readonly string[];
  readonly groups: readonly string[];
  readonly years: Float64Array;
}

/** A bundled dataset with study rows, by name. */
export function dataset(name: string): CourseData {
  const t = loadDataset(name).table;
  if (!t) throw new Error(`dataset ${name} has no study rows`);
  return {
    name,
    table: t,
    columns: effectColumnsFromTable(t),
    labels: studyLabels(t),
    groups: t.header.includes('subgroup') ? stringColumn(t, 'subgroup') : [],
    years: t.header.includes('year') ? numericColumn(t, 'year') : new Float64Array(0),
  };
}

/** Hedges' g (metafor's exact correction) of a dataset with arm-level means, as the studies a model uses. */
export function smdOf(d: CourseData): EffectSet {
  return toEffectSet(escalc('SMD', d.columns, d.labels));
}

/** Mean differences of a dataset with arm-level means. */
export function mdOf(d: CourseData): EffectSet {
  return toEffectSet(escalc('MD', d.columns, d.labels));
}

export const KNEE_PAIN = 'knee-oa-exercise-pain';
export const KNEE_FUNCTION = 'knee-oa-exercise-function';
export const AD_SHORT = 'lbp-antidepressants-pain-short-term';
export const AD_IMMEDIATE = 'lbp-antidepressants-pain-immediate';
export const SMT = 'lbp-spinal-manipulation-rubinstein2019';
export const HAYDEN_PAIN = 'lbp-exercise-hayden2005-pain';
export const HAYDEN_FUNCTION = 'lbp-exercise-hayden2005-function';

/** The source of {@link withdrawalsTca}, for the notebooks' prose. */
export const WITHDRAWALS_SOURCE =
  'Cochrane review CD001703.pub4 (Ferraro et al. 2025, antidepressants for low back pain), analysis 1.27 ' +
  '"withdrawals due to adverse events", subgroup TCA (tricyclic antidepressants vs placebo), read from the ' +
  "repository's Cochrane test subset `tests/fixtures/cochrane/CD001703_pub4.csv` (a Pairwise70 export; provenance " +
  "in that folder's README), the same review as the bundled antidepressant datasets";

/**
 * Withdrawals due to adverse events with tricyclic antidepressants vs placebo (2×2 counts per study), with
 * what RevMan printed for each study (risk ratio and CI; null when it printed none).
 */
export function withdrawalsTca(): {
  columns: EffectColumns;
  labels: string[];
  printed: ({ mean: number; lo: number; hi: number } | null)[];
} {
  const file = fileURLToPath(new URL('../tests/fixtures/cochrane/CD001703_pub4.csv', import.meta.url));
  const rows = parseExport(readFileSync(file, 'utf8'), 'CD001703_pub4.csv').filter(
    (r) => r.analysis === '1.27' && r.subgroup === 'TCA',
  );
  if (rows.length === 0) throw new Error('analysis 1.27 (TCA) not found in the Cochrane fixture');
  const col = (f: 'Experimental.cases' | 'Experimental.N' | 'Control.cases' | 'Control.N') =>
    rows.map((r) => {
      const v = r.n[f];
      if (v === null) throw new Error(`${r.study}: no ${f}`);
      return v;
    });
  return {
    columns: {
      ai: col('Experimental.cases'),
      n1i: col('Experimental.N'),
      ci: col('Control.cases'),
      n2i: col('Control.N'),
    },
    labels: rows.map((r) => r.study),
    printed: rows.map((r) => r.printed),
  };
}
