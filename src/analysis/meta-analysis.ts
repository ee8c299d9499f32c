import { EvsynthError } from '../core/errors.ts';
import { escalc, toEffectSet } from '../effects/escalc.ts';
import type { EffectColumns, EffectOptions, EffectSet, EffectSizes, Measure } from '../effects/types.ts';
import { predict, type PiType, type Prediction } from '../inference/prediction.ts';
import { studyIntervals, type StudyIntervals } from '../inference/study-intervals.ts';
import { tau2ConfidenceInterval, type Tau2ConfidenceIntervals } from '../inference/tau2-interval.ts';
import { readTables } from '../effects/binary.ts';
import { rowCount } from '../effects/columns.ts';
import {
  fitMantelHaenszel,
  fitPeto,
  MH_MEASURES,
  type MhMeasure,
  type PooledTableFit,
} from '../models/mantel-haenszel.ts';
import { fitRma, isCommonEffect, RMA_DEFAULTS, type RmaFit, type TestType } from '../models/rma.ts';
import { parseTau2Method, TAU2_METHODS, type Tau2Control, type Tau2Method } from '../models/tau2/index.ts';

/** A pooling method: a τ² estimator (EE/FE for common effect), Mantel–Haenszel, or Peto. */
export type PoolingMethod = Tau2Method | 'MH' | 'PETO';
export const POOLING_METHODS: readonly PoolingMethod[] = [...TAU2_METHODS, 'MH', 'PETO'];

export function parsePoolingMethod(name: string): PoolingMethod {
  const u = name.toUpperCase();
  if (u === 'MH' || u === 'PETO') return u;
  return parseTau2Method(name);
}

export interface AnalysisOptions extends EffectOptions {
  readonly measure: Measure;
  readonly method?: PoolingMethod;
  readonly test?: TestType;
  readonly level?: number;
  readonly piType?: PiType;
  readonly control?: Tau2Control;
  /**
   * For RR, OR and RD with method DL: estimate τ² from Cochran's Q about the Mantel–Haenszel estimate
   * (RevMan 5's random-effects model for dichotomous data) instead of about the inverse-variance one.
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
  readonly effects: EffectSizes;
  readonly studies: EffectSet;
  /** Wald CIs of the studies used, at `level`. */
  readonly studyCI: StudyIntervals;
  readonly model: InverseVarianceModel | PooledTableModel;
  readonly warnings: readonly string[];
}

/**
 * Computes effect sizes, drops (and reports) the studies the measure cannot use, and fits
 * the model: `rma.uni` for τ² methods, `rma.mh` for MH, `rma.peto` for PETO. This is the
 * one entry point the CLI, reports and plots consume.
 */
export function metaAnalysis(
  columns: EffectColumns,
  labels: readonly string[],
  options: AnalysisOptions,
): MetaAnalysis {
  const method = options.method ?? RMA_DEFAULTS.method;
  const test = options.test ?? RMA_DEFAULTS.test;
  const level = options.level ?? RMA_DEFAULTS.level;
  const piType = options.piType ?? 'default';
  let measure = options.measure;
  if (method === 'PETO') {
    if (measure !== 'OR' && measure !== 'PETO')
      throw new EvsynthError('INVALID_ARGUMENT', `method PETO pools odds ratios; measure is ${measure}`);
    measure = 'PETO';
  }
  if (method === 'MH' && !MH_MEASURES.includes(measure as MhMeasure)) {
    throw new EvsynthError('INVALID_ARGUMENT', `method MH needs --measure ${MH_MEASURES.join(', ')}; got ${measure}`);
  }
  if ((method === 'MH' || method === 'PETO') && test !== 'z') {
    throw new EvsynthError('INVALID_ARGUMENT', `method ${method} supports only test z`);
  }
  const poolOpts = {
    level,
    ...(options.add !== undefined ? { add: options.add } : {}),
    ...(options.to !== undefined ? { to: options.to } : {}),
    ...(options.drop00 !== undefined ? { drop00: options.drop00 } : {}),
  };
  if (method === 'MH' || method === 'PETO') {
    const fit =
      method === 'MH'
        ? fitMantelHaenszel(measure as MhMeasure, columns, labels, poolOpts)
        : fitPeto(columns, labels, poolOpts);
    const studies = toEffectSet(fit.effects);
    return Object.freeze({
      measure,
      method,
      test,
      level,
      piType,
      effects: fit.effects,
      studies,
      studyCI: studyIntervals(studies.yi, studies.vi, level),
      model: { kind: 'pooled' as const, fit },
      warnings: fit.warnings,
    });
  }
  const effects = escalc(measure, columns, labels, options);
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
  const mhTau2 =
    options.tau2From === 'mantel-haenszel' &&
    method === 'DL' &&
    (measure === 'RR' || measure === 'OR' || measure === 'RD')
      ? tau2AboutMantelHaenszel(measure, columns, labels, studies, options)
      : undefined;
  const fit = fitRma(studies.yi, studies.vi, {
    method,
    test,
    level,
    ...(options.control ? { control: options.control } : {}),
    ...(mhTau2 !== undefined ? { tau2: mhTau2 } : {}),
  });
  const prediction = predict(fit, undefined, piType);
  const tau2CI = !isCommonEffect(method) && fit.k - fit.p >= 1 ? tau2ConfidenceInterval(fit) : null;
  const warnings = [...fit.warnings];
  const nEx = studies.excluded.length;
  if (nEx > 0) warnings.push(`${nEx} stud${nEx === 1 ? 'y' : 'ies'} excluded (see 'excluded')`);
  const studyCI = studyIntervals(studies.yi, studies.vi, level);
  return Object.freeze({
    measure,
    method,
    test,
    level,
    piType,
    effects,
    studies,
    studyCI,
    model: { kind: 'rma' as const, fit, prediction, tau2CI },
    warnings,
  });
}

/**
 * RevMan 5's τ² for dichotomous random-effects analyses: DerSimonian–Laird's moment estimator with
 * Q = Σwᵢ(yᵢ − θ̂_MH)², wᵢ = 1/vᵢ, about the Mantel–Haenszel estimate θ̂_MH (with ½ added to every cell of a
 * study with a zero cell, as RevMan does):
 * τ² = max(0, (Q − (k − 1))/(Σwᵢ − Σwᵢ²/Σwᵢ)).
 *
 * Reference: Deeks JJ, Higgins JPT (2010). Statistical algorithms in Review Manager 5, §"Random effects".
 * Checked against the weights RevMan printed (tests/revman-random.test.ts).
 */
function tau2AboutMantelHaenszel(
  measure: MhMeasure,
  columns: EffectColumns,
  _labels: readonly string[],
  studies: EffectSet,
  options: EffectOptions,
): number {
  const k = studies.yi.length;
  if (k < 2) return 0;
  // RevMan's Mantel–Haenszel estimate over the studies used, with ½ added to the cells of zero-cell studies
  const t = readTables(columns, rowCount(columns), measure);
  const add = options.add ?? 0.5;
  let num = 0,
    den = 0;
  for (const r of studies.rows) {
    let a = t.ai[r] as number,
      b = t.bi[r] as number,
      c = t.ci[r] as number,
      d = t.di[r] as number;
    if (a === 0 || b === 0 || c === 0 || d === 0) {
      a += add;
      b += add;
      c += add;
      d += add;
    }
    const n1 = a + b,
      n2 = c + d,
      N = n1 + n2;
    if (measure === 'OR') {
      num += (a * d) / N;
      den += (b * c) / N;
    } else if (measure === 'RR') {
      num += (a * n2) / N;
      den += (c * n1) / N;
    } else {
      num += (a * n2 - c * n1) / N;
      den += (n1 * n2) / N;
    }
  }
  const centre = measure === 'RD' ? num / den : Math.log(num / den);
  let Q = 0,
    sw = 0,
    sw2 = 0;
  for (let i = 0; i < k; i++) {
    const w = 1 / (studies.vi[i] as number);
    Q += w * ((studies.yi[i] as number) - centre) ** 2;
    sw += w;
    sw2 += w * w;
  }
  return Math.max(0, (Q - (k - 1)) / (sw - sw2 / sw));
}
