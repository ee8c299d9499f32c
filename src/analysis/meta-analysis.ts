import { EvsynthError } from '../core/errors.ts';
import { escalc, toEffectSet } from '../effects/escalc.ts';
import type { EffectColumns, EffectOptions, EffectSet, EffectSizes, Measure } from '../effects/types.ts';
import { predict, type PiType, type Prediction } from '../inference/prediction.ts';
import { studyIntervals, type StudyIntervals } from '../inference/study-intervals.ts';
import { tau2ConfidenceInterval, type Tau2ConfidenceIntervals } from '../inference/tau2-interval.ts';
import { fitMantelHaenszel, fitPeto, MH_MEASURES, type MhMeasure, type PooledTableFit } from '../models/mantel-haenszel.ts';
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
export function metaAnalysis(columns: EffectColumns, labels: readonly string[], options: AnalysisOptions): MetaAnalysis {
  const method = options.method ?? RMA_DEFAULTS.method;
  const test = options.test ?? RMA_DEFAULTS.test;
  const level = options.level ?? RMA_DEFAULTS.level;
  const piType = options.piType ?? 'default';
  let measure = options.measure;
  if (method === 'PETO') {
    if (measure !== 'OR' && measure !== 'PETO') throw new EvsynthError('INVALID_ARGUMENT', `method PETO pools odds ratios; measure is ${measure}`);
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
    const fit = method === 'MH' ? fitMantelHaenszel(measure as MhMeasure, columns, labels, poolOpts) : fitPeto(columns, labels, poolOpts);
    const studies = toEffectSet(fit.effects);
    return Object.freeze({
      measure, method, test, level, piType, effects: fit.effects, studies, studyCI: studyIntervals(studies.yi, studies.vi, level),
      model: { kind: 'pooled' as const, fit }, warnings: fit.warnings,
    });
  }
  const effects = escalc(measure, columns, labels, options);
  const studies = toEffectSet(effects);
  if (studies.yi.length === 0) {
    const why = studies.excluded.slice(0, 3).map((e) => `${e.label}: ${e.reason}`).join('; ');
    throw new EvsynthError('TOO_FEW_STUDIES', `no study can be used (${why}${studies.excluded.length > 3 ? '; …' : ''})`);
  }
  const fit = fitRma(studies.yi, studies.vi, { method, test, level, ...(options.control ? { control: options.control } : {}) });
  const prediction = predict(fit, undefined, piType);
  const tau2CI = !isCommonEffect(method) && fit.k - fit.p >= 1 ? tau2ConfidenceInterval(fit) : null;
  const warnings = [...fit.warnings];
  const nEx = studies.excluded.length;
  if (nEx > 0) warnings.push(`${nEx} stud${nEx === 1 ? 'y' : 'ies'} excluded (see 'excluded')`);
  const studyCI = studyIntervals(studies.yi, studies.vi, level);
  return Object.freeze({ measure, method, test, level, piType, effects, studies, studyCI, model: { kind: 'rma' as const, fit, prediction, tau2CI }, warnings });
}
