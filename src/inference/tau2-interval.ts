import { EvsynthError } from '../core/errors.ts';
import { rootDecreasing } from '../core/numeric/root.ts';
import { qchisq } from '../distributions/index.ts';
import { isInterceptOnlyDesign } from '../models/design.ts';
import { interceptRss, Kernel } from '../models/kernel.ts';
import { isCommonEffect, type RmaFit } from '../models/rma.ts';

export interface HeterogeneityInterval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
}

export interface Tau2ConfidenceIntervals {
  readonly level: number;
  readonly tau2: HeterogeneityInterval;
  readonly tau: HeterogeneityInterval;
  /** I² in percent. */
  readonly I2: HeterogeneityInterval;
  readonly H2: HeterogeneityInterval;
  /** True when Q_gen(0) is below both quantiles: the interval is {0}. */
  readonly ciNull: boolean;
}

/**
 * Q-profile confidence interval for τ² (and τ, I², H²), as `confint(res)` in metafor:
 *
 * ```text
 * Q_gen(τ²) = Σ (yᵢ − xᵢᵀb̂(τ²))²/(vᵢ + τ²) is decreasing in τ²
 * lower: Q_gen(τ²_lo) = χ²_{k−p, 1−α/2};   upper: Q_gen(τ²_hi) = χ²_{k−p, α/2}
 * a bound is 0 when Q_gen(0) is already below its quantile
 * I² = 100τ²/(τ² + ṽ), H² = 1 + τ²/ṽ at each bound (ṽ the fit's typical variance)
 * ```
 *
 * The roots are solved to double precision (metafor's default `uniroot` tolerance is
 * 1.2e-4; `confint(res, control=list(tol=1e-12))` is what evsynth matches).
 *
 * Reference: Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity in
 * meta-analysis. Stat Med 26(1):37–52. doi:10.1002/sim.2514. Cross-check: `confint(rma(...))`.
 */
export function tau2ConfidenceInterval(fit: RmaFit, level = fit.level): Tau2ConfidenceIntervals {
  if (isCommonEffect(fit.method))
    throw new EvsynthError('INVALID_ARGUMENT', 'the Q-profile interval needs a random-effects model (method is EE/FE)');
  const df = fit.k - fit.p;
  if (df < 1)
    throw new EvsynthError('TOO_FEW_STUDIES', `the Q-profile interval needs k − p ≥ 1 (k = ${fit.k}, p = ${fit.p})`);
  const alpha = 1 - level / 100;
  const qLo = qchisq(1 - alpha / 2, df);
  const qHi = qchisq(alpha / 2, df);
  // Q_gen of the intercept-only model by its own lean loop (the kernel's value to the last bit; no buffers);
  // values remembered, as the root finder asks again for the ends of the bracket the search found
  const kernel = isInterceptOnlyDesign(fit.design) ? null : new Kernel(fit.yi, fit.vi, fit.design);
  const seen = new Map<number, number>();
  const Q = (t: number): number => {
    let q = seen.get(t);
    if (q === undefined) {
      q = kernel === null ? interceptRss(fit.yi, fit.vi, t) : kernel.evaluate(t).RSS;
      seen.set(t, q);
    }
    return q;
  };
  const q0 = Q(0);
  const start = Math.max(1, 10 * fit.tau2);
  const solve = (target: number): number => (q0 <= target ? 0 : rootDecreasing((t) => Q(t) - target, start).root);
  const lower = solve(qLo);
  const upper = solve(qHi);
  const vt = fit.vt;
  const iv = (estimate: number, f: (t: number) => number): HeterogeneityInterval => ({
    estimate,
    lower: f(lower),
    upper: f(upper),
  });
  return {
    level,
    tau2: { estimate: fit.tau2, lower, upper },
    tau: iv(fit.tau, Math.sqrt),
    I2: iv(fit.I2, (t) => (100 * t) / (t + vt)),
    H2: iv(fit.H2, (t) => 1 + t / vt),
    ciNull: q0 <= qHi,
  };
}

/**
 * The warning for a Q-profile interval whose bounds are not all finite numbers (the upper root of
 * Q_gen(τ²) = χ²_{α/2} beyond 1.8e308 where τ̂² is near the largest double), or undefined: the interval is
 * then not reported, and this says why instead of leaving it out silently.
 */
export function tau2IntervalWarning(ci: Tau2ConfidenceIntervals | null): string | undefined {
  if (ci === null) return undefined;
  const bounds = [ci.tau2, ci.tau, ci.I2, ci.H2].flatMap((i) => [i.lower, i.upper]);
  if (bounds.every((b) => typeof b === 'number' && Number.isFinite(b))) return undefined;
  return `the ${ci.level}% Q-profile confidence interval of τ² is not reported: a bound lies beyond the double range (τ̂² = ${ci.tau2.estimate.toPrecision(3)})`;
}
