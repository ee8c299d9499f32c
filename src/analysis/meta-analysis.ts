import { EvsynthError } from '../core/errors.ts';
import { readTables } from '../effects/binary.ts';
import { rowCount } from '../effects/columns.ts';
import { escalc, toEffectSet } from '../effects/escalc.ts';
import type { EffectColumns, EffectOptions } from '../effects/options.ts';
import { MH_MEASURES, type Measure, type MhMeasure } from '../effects/registry.ts';
import type { EffectSet, EffectSizes, Exclusion } from '../effects/types.ts';
import { predict, type PiType, type Prediction } from '../inference/prediction.ts';
import { studyIntervals, type StudyIntervals } from '../inference/study-intervals.ts';
import {
  tau2ConfidenceInterval,
  tau2IntervalWarning,
  type Tau2ConfidenceIntervals,
} from '../inference/tau2-interval.ts';
import {
  fitMantelHaenszel,
  fitPeto,
  mantelHaenszelEstimate,
  revmanMantelHaenszelCells,
  type PooledTableFit,
} from '../models/mantel-haenszel.ts';
import { poolingKind, type PoolingMethod } from '../models/pooling-methods.ts';
import { fitRma, isCommonEffect, RMA_DEFAULTS, type Estimate, type RmaFit, type TestType } from '../models/rma.ts';
import { cochranQAbout, dersimonianLairdAbout } from '../models/tau2/dersimonian-laird.ts';
import { pchisqUpper } from '../distributions/index.ts';
import type { Tau2Control } from '../models/tau2/index.ts';

export interface AnalysisOptions extends EffectOptions {
  readonly measure: Measure;
  readonly method?: PoolingMethod;
  readonly test?: TestType;
  readonly level?: number;
  readonly piType?: PiType;
  readonly control?: Tau2Control;
  /**
   * For RR, OR and RD with method DL: estimate τ² from Cochran's Q about the Mantel–Haenszel estimate
   * (RevMan 5's random-effects model for dichotomous data) instead of about the inverse-variance one; the
   * fit's Q (and its p) is then that Q, as RevMan prints it.
   */
  readonly tau2From?: 'inverse-variance' | 'mantel-haenszel';
}

export interface InverseVarianceModel {
  readonly kind: 'rma';
  readonly fit: RmaFit;
  readonly prediction: Prediction;
  /** Q-profile CIs (random-effects models with k ≥ 2 only). */
  readonly tau2CI: Tau2ConfidenceIntervals | null;
}
export interface PooledTableModel {
  readonly kind: 'pooled';
  readonly fit: PooledTableFit;
}

/** Everything one meta-analysis produced: the per-study effects, the studies used, the model. */
export interface MetaAnalysis {
  readonly measure: Measure;
  readonly method: PoolingMethod;
  readonly test: TestType;
  readonly level: number;
  readonly piType: PiType;
  /** Per-study effects of every row analysed (all input rows, or the `rows` subset in that order). */
  readonly effects: EffectSizes;
  /** The studies used; `rows` index the analysed rows (see `inputRows`). */
  readonly studies: EffectSet;
  /** The input row (of the columns given) behind each analysed row: the identity, or the `rows` subset. */
  readonly inputRows: readonly number[];
  /** Wald CIs of the studies used, at `level`. */
  readonly studyCI: StudyIntervals;
  readonly model: InverseVarianceModel | PooledTableModel;
  readonly warnings: readonly string[];
}

/** The pooled estimate of any analysis (the intercept of an inverse-variance fit, or the MH/Peto estimate). */
export function pooledEstimate(a: MetaAnalysis): Estimate {
  if (a.model.kind === 'pooled') return a.model.fit;
  return a.model.fit.coefficients[0] as Estimate;
}

/** The inverse-variance fit of an analysis, or an error naming `what` needs one (not MH or Peto). */
export function rmaFitOf(a: MetaAnalysis, what = 'this analysis'): RmaFit {
  if (a.model.kind !== 'rma')
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `${what} needs an inverse-variance model (a τ² method or EE), not MH or PETO`,
    );
  return a.model.fit;
}

/** Weight in percent of each study used (aligned with `a.studies`). */
export function studyWeights(a: MetaAnalysis): Float64Array {
  const m = a.model;
  return m.kind === 'rma' ? m.fit.weights : Float64Array.from(a.studies.rows, (r) => m.fit.weights[r] as number);
}

/**
 * Computes effect sizes, drops (and reports) the studies the measure cannot use, and fits the model:
 * `rma.uni` for τ² methods, `rma.mh` for MH, `rma.peto` for PETO (which implies the odds ratio). This is
 * the one entry point the CLI, reports, plots and subgroup analyses consume.
 *
 * With `rows`, the analysis is of those input rows only, as metafor's `subset`: inverse-variance models
 * use the effect sizes computed on all rows (`rma(yi, vi, subset=)` on an `escalc` of the whole data),
 * Mantel–Haenszel and Peto fits the subset's tables (`rma.mh(…, subset=)`).
 */
export function metaAnalysis(
  columns: EffectColumns,
  labels: readonly string[],
  options: AnalysisOptions,
  rows?: readonly number[],
): MetaAnalysis {
  const method = options.method ?? RMA_DEFAULTS.method;
  const test = options.test ?? RMA_DEFAULTS.test;
  const level = options.level ?? RMA_DEFAULTS.level;
  const piType = options.piType ?? 'default';
  const kind = poolingKind(method);
  let measure = options.measure;
  if (kind === 'peto') {
    if (measure !== 'OR' && measure !== 'PETO')
      throw new EvsynthError('INVALID_ARGUMENT', `method PETO pools odds ratios; measure is ${measure}`);
    measure = 'PETO';
  }
  if (kind === 'mantel-haenszel' && !MH_MEASURES.includes(measure as MhMeasure)) {
    throw new EvsynthError('INVALID_ARGUMENT', `method MH needs --measure ${MH_MEASURES.join(', ')}; got ${measure}`);
  }
  if (kind !== 'inverse-variance' && test !== 'z') {
    throw new EvsynthError('INVALID_ARGUMENT', `method ${method} supports only test z`);
  }
  const k = rowCount(columns);
  const cols = rows ? subsetColumns(columns, rows) : columns;
  const labs = rows ? rows.map((r) => labels[r] ?? `row ${r + 1}`) : labels;
  const base = { measure, method, test, level, piType };

  if (method === 'MH' || method === 'PETO') {
    const poolOpts = {
      level,
      ...(options.add !== undefined ? { add: options.add } : {}),
      ...(options.to !== undefined ? { to: options.to } : {}),
      ...(options.drop00 !== undefined ? { drop00: options.drop00 } : {}),
      ...(options.convention !== undefined ? { convention: options.convention } : {}),
    };
    const fit =
      method === 'MH' ? fitMantelHaenszel(measure as MhMeasure, cols, labs, poolOpts) : fitPeto(cols, labs, poolOpts);
    const studies = toEffectSet(fit.effects);
    return Object.freeze({
      ...base,
      inputRows: rows ?? identityRows(k),
      effects: fit.effects,
      studies,
      studyCI: studyIntervals(studies.yi, studies.vi, level),
      model: { kind: 'pooled' as const, fit },
      warnings: fit.warnings,
    });
  }
  const all = escalc(measure, columns, labels, options);
  const effects = rows ? sliceEffects(all, rows) : all;
  const studies = toEffectSet(effects);
  if (studies.yi.length === 0) {
    const why = studies.excluded
      .slice(0, 3)
      .map((e) => `${e.label}: ${e.reason}`)
      .join('; ');
    throw new EvsynthError(
      'TOO_FEW_STUDIES',
      `no study can be used (${why}${studies.excluded.length > 3 ? '; …' : ''})`,
    );
  }
  const aboutMh =
    options.tau2From === 'mantel-haenszel' &&
    method === 'DL' &&
    (measure === 'RR' || measure === 'OR' || measure === 'RD')
      ? heterogeneityAboutMantelHaenszel(measure, cols, studies)
      : undefined;
  const ivFit = fitRma(studies.yi, studies.vi, {
    method,
    test,
    level,
    ...(options.control ? { control: options.control } : {}),
    ...(aboutMh !== undefined ? { tau2: aboutMh.tau2 } : {}),
  });
  // RevMan's random-effects analysis of dichotomous data reports Q (χ²) about the Mantel–Haenszel estimate;
  // I² = (Q − df)/Q and H² = Q/df then follow from that Q and τ², as the fit already computes them
  const fit: RmaFit =
    aboutMh !== undefined && ivFit.QEdf > 0
      ? Object.freeze({ ...ivFit, QE: aboutMh.Q, QEp: pchisqUpper(aboutMh.Q, ivFit.QEdf) })
      : ivFit;
  const prediction = predict(fit, undefined, piType);
  const tau2CI = !isCommonEffect(method) && fit.k - fit.p >= 1 ? tau2ConfidenceInterval(fit) : null;
  const warnings = [...fit.warnings];
  const ciWarning = tau2IntervalWarning(tau2CI);
  if (ciWarning !== undefined) warnings.push(ciWarning);
  const nEx = studies.excluded.length;
  if (nEx > 0) warnings.push(`${nEx} stud${nEx === 1 ? 'y' : 'ies'} excluded (see 'excluded')`);
  let studyCI: StudyIntervals | undefined;
  return Object.freeze({
    ...base,
    // every row used: the studies' rows are the identity already (one array of 10⁶ numbers, not two)
    inputRows: rows ?? (studies.rows.length === k ? studies.rows : identityRows(k)),
    effects,
    studies,
    // computed when first read (per-study output): a summary alone does not need 2k numbers
    get studyCI(): StudyIntervals {
      return (studyCI ??= studyIntervals(studies.yi, studies.vi, level));
    },
    model: { kind: 'rma' as const, fit, prediction, tau2CI },
    warnings,
  });
}

/** 0, 1, …, k − 1. */
function identityRows(k: number): number[] {
  const out = new Array<number>(k);
  for (let i = 0; i < k; i++) out[i] = i;
  return out;
}

/** The given rows of every column, in that order. */
function subsetColumns(columns: EffectColumns, rows: readonly number[]): EffectColumns {
  return Object.fromEntries(
    Object.entries(columns).map(([name, c]) => [name, Float64Array.from(rows, (r) => c?.[r] as number)]),
  );
}

/** Effect sizes of the given rows only, rows renumbered in that order (exclusions and corrections kept). */
function sliceEffects(es: EffectSizes, rows: readonly number[]): EffectSizes {
  const position = new Map(rows.map((r, j) => [r, j]));
  const excluded: Exclusion[] = es.excluded.flatMap((e) => {
    const j = position.get(e.row);
    return j === undefined ? [] : [{ ...e, row: j }];
  });
  return Object.freeze({
    ...es,
    labels: rows.map((r) => es.labels[r] as string),
    yi: Float64Array.from(rows, (r) => es.yi[r] as number),
    vi: Float64Array.from(rows, (r) => es.vi[r] as number),
    excluded,
    corrected: es.corrected.flatMap((r) => {
      const j = position.get(r);
      return j === undefined ? [] : [j];
    }),
  });
}

/**
 * RevMan 5's heterogeneity for dichotomous random-effects analyses: Cochran's Q about the Mantel–Haenszel
 * estimate of the studies used (RevMan's cells: ½ added to every cell of an OR or RR table with a zero cell) and
 * DerSimonian–Laird's moment estimator of τ² from it, {@link dersimonianLairdAbout}.
 *
 * Reference: Deeks JJ, Higgins JPT (2010). Statistical algorithms in Review Manager 5, §"Random effects".
 * Checked against the weights RevMan printed (tests/revman-random.test.ts, tests/revman-subgroups.test.ts, the
 * Cochrane corpus).
 */
function heterogeneityAboutMantelHaenszel(
  measure: 'OR' | 'RR' | 'RD',
  columns: EffectColumns,
  studies: EffectSet,
): { readonly Q: number; readonly tau2: number } {
  const t = readTables(columns, rowCount(columns), measure);
  const cells = studies.rows.map((r) =>
    revmanMantelHaenszelCells(measure, t.ai[r] as number, t.bi[r] as number, t.ci[r] as number, t.di[r] as number),
  );
  const centre = mantelHaenszelEstimate(measure, cells);
  return {
    Q: cochranQAbout(studies.yi, studies.vi, centre).Q,
    tau2: dersimonianLairdAbout(studies.yi, studies.vi, centre),
  };
}
