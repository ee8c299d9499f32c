import { EvsynthError } from '../core/errors.ts';
import { escalc, toEffectSet } from '../effects/escalc.ts';
import type { EffectColumns } from '../effects/options.ts';
import type { EffectSet, Exclusion } from '../effects/types.ts';
import { permutationTest, type PermutationOptions, type PermutationResult } from '../inference/permutation.ts';
import { predict, type PiType, type Prediction } from '../inference/prediction.ts';
import {
  tau2ConfidenceInterval,
  tau2IntervalWarning,
  type Tau2ConfidenceIntervals,
} from '../inference/tau2-interval.ts';
import { parseModerators, type ModeratorFormula } from '../models/formula.ts';
import { buildModelMatrix, type ModelMatrix } from '../models/model-matrix.ts';
import { fitRma, isCommonEffect, type RmaFit } from '../models/rma.ts';
import type { AnalysisOptions } from './meta-analysis.ts';

export interface RegressionOptions extends AnalysisOptions {
  /** Moderator values at which to predict, one array per point (without the intercept). */
  readonly predictAt?: readonly (readonly number[])[];
  /** Run a permutation test with these options. */
  readonly permutation?: PermutationOptions;
}

export interface MetaRegression {
  readonly formula: ModeratorFormula;
  readonly studies: EffectSet;
  readonly matrix: ModelMatrix;
  readonly fit: RmaFit;
  /** Labels of the studies in the fit. */
  readonly labels: readonly string[];
  readonly excluded: readonly Exclusion[];
  readonly predictions: readonly { readonly at: readonly number[]; readonly prediction: Prediction }[];
  readonly tau2CI: Tau2ConfidenceIntervals | null;
  readonly permutation: PermutationResult | null;
  readonly piType: PiType;
  readonly warnings: readonly string[];
}

/**
 * A mixed-effects meta-regression on CSV columns (metafor `rma(yi, vi, mods = ~ …)`): effect sizes,
 * then the model matrix (studies with a missing moderator are excluded and reported), then the
 * fit with any τ² estimator and z or Knapp–Hartung tests (F for QM), R², predictions with CI and
 * PI, the Q-profile CI of the residual τ², and optionally a permutation test.
 */
export function metaRegression(
  columns: EffectColumns,
  labels: readonly string[],
  moderatorColumns: Readonly<Record<string, readonly string[]>>,
  formula: string,
  options: RegressionOptions,
): MetaRegression {
  const method = options.method ?? 'REML';
  if (method === 'MH' || method === 'PETO')
    throw new EvsynthError('INVALID_ARGUMENT', 'meta-regression needs an inverse-variance method (not MH or PETO)');
  const f = parseModerators(formula);
  const studies = toEffectSet(escalc(options.measure, columns, labels, options));
  const matrix = buildModelMatrix(f, moderatorColumns, studies.rows);
  // where each row of the model matrix is among the studies (the first match, as indexOf gave) in O(k)
  const position = new Map<number, number>();
  studies.rows.forEach((r, j) => {
    if (!position.has(r)) position.set(r, j);
  });
  const keep = matrix.rows.map((r) => position.get(r) ?? -1);
  const excluded: Exclusion[] = [
    ...studies.excluded,
    ...matrix.excluded.map((e) => ({ row: e.row, label: labels[e.row] ?? `row ${e.row + 1}`, reason: e.reason })),
  ].sort((a, b) => a.row - b.row);
  const k = keep.length,
    p = matrix.design.p;
  if (k <= p) {
    throw new EvsynthError(
      'TOO_FEW_STUDIES',
      `the model has ${p} coefficients (${matrix.design.names.join(', ')}) but only ${k} studies have all values; it needs more studies than coefficients`,
    );
  }
  let fit: RmaFit;
  try {
    fit = fitRma(
      keep.map((j) => studies.yi[j] as number),
      keep.map((j) => studies.vi[j] as number),
      {
        method,
        ...(options.test ? { test: options.test } : {}),
        ...(options.level ? { level: options.level } : {}),
        design: matrix.design,
        ...(options.control ? { control: options.control } : {}),
      },
    );
  } catch (e) {
    if (e instanceof EvsynthError && e.code === 'SINGULAR_MATRIX') {
      throw new EvsynthError(
        'SINGULAR_MATRIX',
        `the moderators are collinear (${matrix.design.names.join(', ')}): one column is a combination of the others among the ${k} studies used; drop or merge a moderator`,
      );
    }
    throw e;
  }
  const piType = options.piType ?? 'default';
  const predictions = (options.predictAt ?? []).map((at) => {
    const x = f.intercept ? [1, ...at] : [...at];
    if (x.length !== p)
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `a prediction point needs ${p - (f.intercept ? 1 : 0)} values (${matrix.design.names.filter((n) => n !== 'intrcpt').join(', ')}), got ${at.length}`,
      );
    return { at, prediction: predict(fit, x, piType) };
  });
  const tau2CI = !isCommonEffect(method) && k - p >= 1 ? tau2ConfidenceInterval(fit) : null;
  const permutation = options.permutation ? permutationTest(fit, options.permutation) : null;
  const warnings = [...fit.warnings];
  const ciWarning = tau2IntervalWarning(tau2CI);
  if (ciWarning !== undefined) warnings.push(ciWarning);
  if (matrix.excluded.length > 0)
    warnings.push(
      `${matrix.excluded.length} stud${matrix.excluded.length === 1 ? 'y' : 'ies'} with missing moderator values omitted (see 'excluded')`,
    );
  return {
    formula: f,
    studies,
    matrix,
    fit,
    labels: keep.map((j) => studies.labels[j] as string),
    excluded,
    predictions,
    tau2CI,
    permutation,
    piType,
    warnings,
  };
}

export interface RegressionBand {
  /** Moderator value (the first non-intercept coefficient), others at their mean. */
  readonly x: number;
  readonly pred: number;
  readonly ciLower: number;
  readonly ciUpper: number;
  readonly piLower: number | null;
  readonly piUpper: number | null;
}

/**
 * Predicted effect with CI and PI along the range of the first moderator (other moderators held at
 * their mean over the studies), for bubble plots (metafor `regplot`).
 */
export function regressionBands(r: MetaRegression, points = 60): RegressionBand[] {
  const { design } = r.fit;
  const j = design.names[0] === 'intrcpt' ? 1 : 0;
  if (j >= design.p) throw new EvsynthError('INVALID_ARGUMENT', 'a bubble plot needs a moderator');
  const col = (c: number) => Array.from({ length: design.k }, (_, i) => design.x[i * design.p + c] as number);
  const xs = col(j);
  const lo = Math.min(...xs),
    hi = Math.max(...xs);
  const means = Array.from({ length: design.p }, (_, c) => col(c).reduce((s, v) => s + v, 0) / design.k);
  return Array.from({ length: points }, (_, i) => {
    const x = lo + ((hi - lo) * i) / (points - 1);
    const x0 = means.map((m, c) => (c === j ? x : c === 0 && j === 1 ? 1 : m));
    const p = predict(r.fit, x0, r.piType);
    return { x, pred: p.pred, ciLower: p.ciLower, ciUpper: p.ciUpper, piLower: p.piLower, piUpper: p.piUpper };
  });
}
