import { EvsynthError } from '../core/errors.ts';
import { designFromColumns } from '../models/design.ts';
import { fitRma, type Coefficient, type RmaFit } from '../models/rma.ts';

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
  /** The limit estimate: the intercept, i.e. the effect as the predictor → 0 (PET with sei, PEESE with vi). */
  readonly limit: Coefficient;
  readonly fit: RmaFit;
  readonly warnings: readonly string[];
}

/**
 * Regression test for funnel-plot asymmetry (metafor `regtest`).
 *
 * - `model: 'rma'` (default): the predictor (sei, vi, ni, 1/ni, √ni, 1/√ni) is added as a moderator to
 *   the same model (same τ² method and test): yᵢ = β₀ + β₁·predᵢ + uᵢ + εᵢ; the test is that of β₁.
 * - `model: 'lm'`: Egger's classical test, a weighted least-squares regression of yᵢ on the predictor
 *   with weights 1/vᵢ and a t test with k − 2 df (the residual variance is estimated).
 *
 * The intercept is the limit estimate (Stanley & Doucouliagos 2014: PET with sei, PEESE with vi).
 * The Cochrane Handbook (§13.3.5.4) advises against asymmetry tests with fewer than 10 studies: a
 * warning says so.
 *
 * References: Egger M, Davey Smith G, Schneider M, Minder C (1997). BMJ 315(7109):629–634.
 * doi:10.1136/bmj.315.7109.629; Sterne JAC, Egger M (2005), in Publication Bias in Meta-Analysis, ch. 6.
 * Cross-check: `regtest(res, model=, predictor=)`.
 */
export function regressionTest(
  fit: RmaFit,
  options: { model?: 'rma' | 'lm'; predictor?: RegtestPredictor; ni?: ArrayLike<number> } = {},
): RegressionTest {
  if (fit.p !== 1) throw new EvsynthError('INVALID_ARGUMENT', 'regtest: the model must have no moderators');
  const model = options.model ?? 'rma';
  const predictor = options.predictor ?? 'sei';
  if (!REGTEST_PREDICTORS.includes(predictor))
    throw new EvsynthError(
      'UNKNOWN_OPTION_VALUE',
      `predictor '${String(predictor)}'; expected one of ${REGTEST_PREDICTORS.join(', ')}`,
    );
  const k = fit.k;
  const ni = options.ni;
  if (['ni', 'ninv', 'sqrtni', 'sqrtninv'].includes(predictor) && (ni === undefined || ni.length !== k)) {
    throw new EvsynthError('INVALID_ARGUMENT', `predictor '${predictor}' needs the sample size of each study`);
  }
  const values = Array.from({ length: k }, (_, i) => {
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
  const design = designFromColumns([{ name: predictor, values }], k);
  const f =
    model === 'rma'
      ? fitRma(fit.yi, fit.vi, { method: fit.method, test: fit.test, level: fit.level, design, r2: false })
      : fitRma(fit.yi, fit.vi, { method: 'EE', test: 'knha', level: fit.level, design, r2: false });
  const c = f.coefficients[1] as Coefficient;
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
