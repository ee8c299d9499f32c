import { EvsynthError } from '../core/errors.ts';
import type { EffectColumns } from '../effects/types.ts';
import {
  fitCommonTau2Subgroups,
  fitSeparateSubgroups,
  type CommonTau2Subgroups,
  type SeparateSubgroups,
} from '../models/subgroups.ts';
import { predict, type Prediction } from '../inference/prediction.ts';
import { metaAnalysis, type AnalysisOptions, type MetaAnalysis } from './meta-analysis.ts';

export interface SubgroupAnalysis {
  readonly column: string;
  readonly overall: MetaAnalysis;
  /** Group label of each study used (aligned with overall.studies). */
  readonly groups: readonly string[];
  readonly separate: SeparateSubgroups;
  /** The common-τ² model (metafor's QM test); null with a single level. */
  readonly common: CommonTau2Subgroups | null;
  /** Pooled estimate, CI and PI of each level (same order as separate.levels). */
  readonly predictions: readonly Prediction[];
  readonly warnings: readonly string[];
}

/**
 * Overall fit plus one fit per level of `groups` (each with its own τ², RevMan's convention) and
 * the test for subgroup differences. Inverse-variance methods only. Studies excluded by the
 * measure are excluded from every level, with the reason in `overall.studies.excluded`.
 */
export function subgroupAnalysis(
  columns: EffectColumns,
  labels: readonly string[],
  groups: readonly string[],
  column: string,
  options: AnalysisOptions,
): SubgroupAnalysis {
  if (options.method === 'MH' || options.method === 'PETO')
    throw new EvsynthError('INVALID_ARGUMENT', 'subgroup analysis supports inverse-variance methods only');
  const overall = metaAnalysis(columns, labels, options);
  const used = overall.studies.rows.map((r) => groups[r] as string);
  const missing = used.findIndex((g) => g === '' || g === undefined);
  if (missing >= 0)
    throw new EvsynthError(
      'INVALID_VALUE',
      `study '${overall.studies.labels[missing]}' has no value in the grouping column '${column}'`,
      { row: overall.studies.rows[missing] as number, column },
    );
  const modelOptions = {
    ...(options.method !== undefined ? { method: options.method } : {}),
    ...(options.test !== undefined ? { test: options.test } : {}),
    ...(options.level !== undefined ? { level: options.level } : {}),
  };
  const separate = fitSeparateSubgroups(overall.studies.yi, overall.studies.vi, used, modelOptions);
  const safeName = /^[A-Za-z_.][\w.]*$/.test(column) ? column : 'group';
  const common =
    separate.levels.length >= 2
      ? fitCommonTau2Subgroups(overall.studies.yi, overall.studies.vi, used, modelOptions, safeName)
      : null;
  const warnings = [...overall.warnings];
  for (const l of separate.levels)
    if (l.singleStudy) warnings.push(`subgroup '${l.level}' has a single study: no heterogeneity estimate`);
  if (separate.levels.length < 2)
    warnings.push(`the grouping column '${column}' has a single level: no test for subgroup differences`);
  const predictions = separate.levels.map((l) => predict(l.fit, undefined, options.piType ?? 'default'));
  return { column, overall, groups: used, separate, common, predictions, warnings };
}
