import { EvsynthError } from '../core/errors.ts';
import { assertChoice, assertOptions } from '../core/validate.ts';
import type { Design } from '../models/design.ts';
import { fitRma, type Coefficient, type RmaFit } from '../models/rma.ts';
import { assertApplicable, assertRmaFit, firstReason, needsStudies, type NotApplicable } from './applicability.ts';

export const REGTEST_PREDICTORS = ['sei', 'vi', 'ni', 'ninv', 'sqrtni', 'sqrtninv'] as const;
export type RegtestPredictor = (typeof REGTEST_PREDICTORS)[number];

export interface RegressionTest {
  readonly model: 'rma' | 'lm';
  readonly predictor: RegtestPredictor;
  /** z (or t) statistic and p-value of the predictor: the test for funnel-plot asymmetry. */
  readonly statistic: number;
  readonly pValue: number;
  /** Degrees of freedom of a t test (null under z). */
  readonly df: number | null;
  /**
   * The limit estimate: the intercept, i.e. the effect as the predictor → 0 (PET with sei, PEESE with vi);
   * for a model with moderators, at moderator values 0.
   */
  readonly limit: Coefficient;
  readonly fit: RmaFit;
  readonly warnings: readonly string[];
}

type RegtestOptions = { model?: 'rma' | 'lm'; predictor?: RegtestPredictor; ni?: ArrayLike<number> };

/** The predictor's value for each study. */
function predictorValues(fit: RmaFit, predictor: RegtestPredictor, ni: ArrayLike<number> | undefined): number[] {
  return Array.from({ length: fit.k }, (_, i) => {
    const v = fit.vi[i] as number,
      n = ni?.[i] as number;
    switch (predictor) {
      case 'sei':
        return Math.sqrt(v);
      case 'vi':
        return v;
      case 'ni':
        return n;
      case 'ninv':
        return 1 / n;
      case 'sqrtni':
        return Math.sqrt(n);
      case 'sqrtninv':
        return 1 / Math.sqrt(n);
    }
  });
}

/** The model's design with the predictor appended as a last column. */
function withPredictor(d: Design, name: string, values: readonly number[]): Design {
  const p = d.p + 1;
  const x = new Float64Array(d.k * p);
  for (let i = 0; i < d.k; i++) {
    x.set(d.x.subarray(i * d.p, (i + 1) * d.p), i * p);
    x[i * p + d.p] = values[i] as number;
  }
  return { k: d.k, p, x, names: [...d.names, name] };
}

/**
 * Why the regression test cannot run on `fit` (null when it can): the predictor adds a coefficient and
 * its test needs a residual degree of freedom (k ≥ p + 2, as metafor), and a predictor that is the same
 * for every study (equal variances) cannot be told from the intercept.
 */
export function regressionTestApplicability(fit: RmaFit, options: RegtestOptions = {}): NotApplicable {
  const predictor = options.predictor ?? 'sei';
  const needsN = ['ni', 'ninv', 'sqrtni', 'sqrtninv'].includes(predictor);
  if (needsN && (options.ni === undefined || options.ni.length !== fit.k)) return null; // an argument error, not n/a
  const values = predictorValues(fit, predictor, options.ni);
  return firstReason(
    needsStudies(fit.k, fit.p + 2),
    values.every((x) => x === values[0]) ? `the predictor ${predictor} is the same for every study` : null,
  );
}

/**
 * Regression test for funnel-plot asymmetry (metafor `regtest`).
 *
 * - `model: 'rma'` (default): the predictor (sei, vi, ni, 1/ni, √ni, 1/√ni) is added as a moderator to
 *   the same model (same τ² method, test and moderators): yᵢ = xᵢᵀβ + β_pred·predᵢ + uᵢ + εᵢ; the test
 *   is that of β_pred. Models with moderators are tested as metafor's `regtest` on a meta-regression.
 * - `model: 'lm'`: Egger's classical test, a weighted least-squares regression of yᵢ on the predictor
 *   (and the moderators) with weights 1/vᵢ and a t test with k − p − 1 df (the residual variance is
 *   estimated).
 *
 * The intercept is the limit estimate (Stanley & Doucouliagos 2014: PET with sei, PEESE with vi).
 * It needs k ≥ p + 2 studies ({@link regressionTestApplicability}; NOT_APPLICABLE otherwise). The Cochrane
 * Handbook (§13.3.5.4) advises against asymmetry tests with fewer than 10 studies: a warning says so.
 *
 * References: Egger M, Davey Smith G, Schneider M, Minder C (1997). BMJ 315(7109):629–634.
 * doi:10.1136/bmj.315.7109.629; Sterne JAC, Egger M (2005), in Publication Bias in Meta-Analysis, ch. 6.
 * Cross-check: `regtest(res, model=, predictor=)`.
 */
export function regressionTest(fit: RmaFit, options: RegtestOptions = {}): RegressionTest {
  assertRmaFit(fit, 'regtest');
  assertOptions(options, 'regtest');
  const model = options.model ?? 'rma';
  assertChoice(model, ['rma', 'lm'] as const, 'model', 'regtest');
  const predictor = options.predictor ?? 'sei';
  assertChoice(predictor, REGTEST_PREDICTORS, 'predictor', 'regtest');
  const k = fit.k;
  const ni = options.ni;
  if (['ni', 'ninv', 'sqrtni', 'sqrtninv'].includes(predictor) && (ni === undefined || ni.length !== k)) {
    throw new EvsynthError('INVALID_ARGUMENT', `predictor '${predictor}' needs the sample size of each study`);
  }
  assertApplicable(regressionTestApplicability(fit, options), 'regression test');
  const values = predictorValues(fit, predictor, ni);
  const design = withPredictor(fit.design, predictor, values);
  const f =
    model === 'rma'
      ? fitRma(fit.yi, fit.vi, { method: fit.method, test: fit.test, level: fit.level, design, r2: false })
      : fitRma(fit.yi, fit.vi, { method: 'EE', test: 'knha', level: fit.level, design, r2: false });
  const c = f.coefficients[fit.p] as Coefficient;
  const warnings =
    k < 10
      ? [
          `only ${k} studies: tests for funnel-plot asymmetry have low power with fewer than 10 (Cochrane Handbook §13.3.5.4)`,
        ]
      : [];
  return {
    model,
    predictor,
    statistic: c.statistic,
    pValue: c.pValue,
    df: f.ddf,
    limit: f.coefficients[0] as Coefficient,
    fit: f,
    warnings,
  };
}
