import { EvsynthError } from '../core/errors.ts';
import type { EffectColumns } from '../effects/options.ts';
import type { Exclusion } from '../effects/types.ts';
import { isMissingCell } from '../io/csv.ts';
import { poolingKind } from '../models/pooling-methods.ts';
import {
  fitCommonTau2Subgroups,
  subgroupDifferenceTest,
  type CommonTau2Subgroups,
  type SubgroupDifferenceTest,
} from '../models/subgroups.ts';
import { sortLevels } from '../models/model-matrix.ts';
import { metaAnalysis, pooledEstimate, type AnalysisOptions, type MetaAnalysis } from './meta-analysis.ts';

/** What to do with rows whose subgroup value is missing (empty, NA). */
export type MissingGroupRule = 'exclude' | 'overall-only';

export interface SubgroupOptions {
  /**
   * `exclude` (default, as metafor drops rows with a missing moderator): the rows enter neither the
   * subgroups nor the overall analysis; `overall-only`: they stay in the overall analysis. Either way
   * they are listed in `missingGroup` with the reason.
   */
  readonly missing?: MissingGroupRule;
}

export interface SubgroupLevel {
  readonly level: string;
  /** The analysis of this level's rows alone (every option as for the overall analysis). */
  readonly analysis: MetaAnalysis;
  /** Positions in `overall.studies` of this level's studies, in the level's own order. */
  readonly indices: readonly number[];
  /** True when the level has a single study (no heterogeneity can be estimated). */
  readonly singleStudy: boolean;
}

export interface SubgroupAnalysis {
  readonly column: string;
  readonly overall: MetaAnalysis;
  /** Group label of each study of `overall.studies` ('' for a row kept with a missing value under `overall-only`). */
  readonly groups: readonly string[];
  /** One separate analysis per level, each with its own τ² (RevMan's and meta's convention). */
  readonly levels: readonly SubgroupLevel[];
  /** The test for subgroup differences on the separate analyses (null with fewer than two levels). */
  readonly test: SubgroupDifferenceTest | null;
  /** The common-τ² model (metafor's QM test); inverse-variance methods with two or more levels only. */
  readonly common: CommonTau2Subgroups | null;
  /** Input rows left out of the subgroups because their subgroup value is missing, with the reason. */
  readonly missingGroup: readonly Exclusion[];
  readonly missingRule: MissingGroupRule;
  readonly warnings: readonly string[];
}

/**
 * The overall analysis plus one analysis per level of `groups`, each fitted by {@link metaAnalysis} with
 * the same options (method, test, level, prediction interval, preset conventions, τ² about the MH
 * estimate, control), and the test for subgroup differences on the level estimates:
 *
 * ```text
 * Q_b = Σ_g w_g (θ̂_g − θ̄)²,  w_g = 1/se_g²,  df = G − 1,  I²_b = max(0, 100(Q_b − df)/Q_b)
 * ```
 *
 * (RevMan's test, for inverse-variance, Mantel–Haenszel and Peto analyses alike). For inverse-variance
 * methods also metafor's common-τ² model (`mods = ~ factor(group)`). Rows with a missing group value
 * are handled by `options.missing` and listed; levels whose studies are all not estimable are left out
 * with a warning.
 *
 * References: Borenstein M, Higgins JPT (2013). Prev Sci 14(2):134–143; Cochrane Handbook §10.11.3;
 * Deeks JJ, Higgins JPT (2010). Statistical algorithms in Review Manager 5. Cross-check: metafor
 * `rma`/`rma.mh`/`rma.peto(…, subset = group == g)` per level.
 */
export function subgroupAnalysis(
  columns: EffectColumns,
  labels: readonly string[],
  groups: readonly string[],
  column: string,
  options: AnalysisOptions,
  subgroupOptions: SubgroupOptions = {},
): SubgroupAnalysis {
  if (groups.length !== labels.length)
    throw new EvsynthError('LENGTH_MISMATCH', `${groups.length} subgroup values for ${labels.length} rows`, { column });
  const missingRule = subgroupOptions.missing ?? 'exclude';
  const missingGroup: Exclusion[] = [];
  const grouped: number[] = [];
  groups.forEach((g, r) => {
    if (isMissingCell(g))
      missingGroup.push({
        row: r,
        label: labels[r] ?? `row ${r + 1}`,
        reason: `missing value in the subgroup column '${column}'`,
      });
    else grouped.push(r);
  });
  if (grouped.length === 0)
    throw new EvsynthError('INVALID_VALUE', `the subgroup column '${column}' has no value in any row`, { column });
  const all = labels.map((_, r) => r);
  const overall = metaAnalysis(
    columns,
    labels,
    options,
    missingRule === 'overall-only' || missingGroup.length === 0 ? undefined : grouped,
  );
  const overallRows = overall.studies.rows.map((r) => overall.inputRows[r] as number);
  const levels: SubgroupLevel[] = [];
  const warnings = [...overall.warnings];
  for (const level of sortLevels(grouped.map((r) => groups[r] as string))) {
    const rows = grouped.filter((r) => groups[r] === level);
    let analysis: MetaAnalysis;
    try {
      analysis = metaAnalysis(columns, labels, options, rows);
    } catch (e) {
      // RevMan prints such a subgroup as "Not estimable": leave it out, and say why
      if (e instanceof EvsynthError && (e.code === 'TOO_FEW_STUDIES' || e.code === 'NO_FINITE_RESULT')) {
        warnings.push(`subgroup '${level}' is not estimable: left out (${e.message})`);
        continue;
      }
      throw e;
    }
    const used = analysis.studies.rows.map((r) => analysis.inputRows[r] as number);
    const indices = used.map((r) => overallRows.indexOf(r));
    const singleStudy = analysis.studies.yi.length === 1;
    if (singleStudy) warnings.push(`subgroup '${level}' has a single study: no heterogeneity estimate`);
    levels.push({ level, analysis, indices, singleStudy });
  }
  if (levels.length < 2)
    warnings.push(`the subgroup column '${column}' has a single level: no test for subgroup differences`);
  if (missingGroup.length > 0)
    warnings.push(
      `${missingGroup.length} row${missingGroup.length === 1 ? '' : 's'} without a value in '${column}': ${missingRule === 'exclude' ? 'left out of the analysis' : 'in the overall analysis only'} (see 'missingGroup')`,
    );
  const test = levels.length >= 2 ? subgroupDifferenceTest(levels.map((l) => pooledEstimate(l.analysis))) : null;
  const groupOf = new Map(all.map((r) => [r, groups[r] as string]));
  const studyGroups = overallRows.map((r) => (isMissingCell(groupOf.get(r) ?? '') ? '' : (groupOf.get(r) as string)));
  let common: CommonTau2Subgroups | null = null;
  if (poolingKind(overall.method) === 'inverse-variance' && overall.model.kind === 'rma' && levels.length >= 2) {
    const inGroups = studyGroups.map((g, i) => (g === '' ? -1 : i)).filter((i) => i >= 0);
    const fit = overall.model.fit;
    common = fitCommonTau2Subgroups(
      inGroups.map((i) => fit.yi[i] as number),
      inGroups.map((i) => fit.vi[i] as number),
      inGroups.map((i) => studyGroups[i] as string),
      {
        method: fit.method,
        test: overall.test,
        level: overall.level,
        ...(options.control ? { control: options.control } : {}),
      },
      /^[A-Za-z_.][\w.]*$/.test(column) ? column : 'group',
    );
  }
  return { column, overall, groups: studyGroups, levels, test, common, missingGroup, missingRule, warnings };
}
