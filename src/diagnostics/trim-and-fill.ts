import { EvsynthError } from '../core/errors.ts';
import { designFromColumns } from '../models/design.ts';
import { fitRma, type RmaFit } from '../models/rma.ts';
import { assertApplicable, assertRmaFit, firstReason, needsStudies, type NotApplicable } from './applicability.ts';

const TRIMFILL_ESTIMATORS = ['L0', 'R0'] as const;
export type TrimfillEstimator = (typeof TRIMFILL_ESTIMATORS)[number];

export interface TrimAndFill {
  readonly estimator: TrimfillEstimator;
  /** The side on which studies are estimated to be missing. */
  readonly side: 'left' | 'right';
  /** Estimated number of missing studies. */
  readonly k0: number;
  /** Standard error of k0: √(2k0 + 2) for R0; √Var(L0) for L0 (see {@link varianceL0}). */
  readonly seK0: number | null;
  /** P(R0 ≥ observed) under no asymmetry, 0.5^(k0+1) (R0 only). */
  readonly pK0: number | null;
  readonly filledYi: Float64Array;
  readonly filledVi: Float64Array;
  /** The model refitted to the observed plus the filled studies (same method, z tests). */
  readonly fit: RmaFit;
  readonly iterations: number;
}

/**
 * Why trim and fill cannot run (null when it can): no moderators (as metafor), k ≥ 3, and, when the
 * side is to be estimated, some spread in the variances (the side is the sign of a slope on √vᵢ).
 */
export function trimAndFillApplicability(fit: RmaFit, options: { side?: 'left' | 'right' } = {}): NotApplicable {
  return firstReason(
    fit.p > 1 ? "defined for models without moderators, as in metafor's trimfill" : null,
    needsStudies(fit.k, 3),
    options.side === undefined && Array.from(fit.vi).every((v) => v === fit.vi[0])
      ? 'every study has the same sampling variance: the side of the missing studies cannot be estimated; give the side'
      : null,
  );
}

/**
 * Duval and Tweedie's trim-and-fill method (metafor `trimfill`). The side with the missing studies is
 * chosen from the sign of the slope of √vᵢ in a meta-regression (negative: studies missing on the
 * right), unless given. With the estimates on that side mirrored to the left, the k0 most extreme
 * studies are trimmed, the model refitted to the rest, and
 *
 * ```text
 * L0 = (4·T_n − n(n + 1))/(2n − 1),  T_n = sum of the ranks of |yᵢ − θ̂| with yᵢ − θ̂ > 0
 * R0 = γ* − 1,                        γ* = the length of the run of positive deviations at the largest ranks
 * ```
 *
 * is recomputed (k0 = max(0, round(·))) until it stops changing. The k0 trimmed studies are then
 * filled in mirrored about the trimmed estimate (2θ̂ − yᵢ, with the same vᵢ) and the model is refitted
 * to all studies with z tests.
 *
 * References: Duval S, Tweedie R (2000). Trim and fill: a simple funnel-plot-based method of testing
 * and adjusting for publication bias in meta-analysis. Biometrics 56(2):455–463.
 * doi:10.1111/j.0006-341X.2000.00455.x; Duval S, Tweedie R (2000). J Am Stat Assoc 95(449):89–98.
 * Cross-check: `trimfill(res, estimator=)`.
 */
export function trimAndFill(
  fit: RmaFit,
  options: { estimator?: TrimfillEstimator; side?: 'left' | 'right'; maxiter?: number } = {},
): TrimAndFill {
  assertRmaFit(fit, 'trimfill');
  assertApplicable(trimAndFillApplicability(fit, options), 'trim and fill');
  const estimator = options.estimator ?? 'L0';
  if (!TRIMFILL_ESTIMATORS.includes(estimator))
    throw new EvsynthError('UNKNOWN_OPTION_VALUE', `estimator '${String(estimator)}'; expected L0 or R0`);
  const k = fit.k;
  const refit = (y: ArrayLike<number>, v: ArrayLike<number>, test: 'z' | typeof fit.test = fit.test) =>
    fitRma(y, v, { method: fit.method, test, level: fit.level, r2: false });
  let side = options.side;
  if (side === undefined) {
    const sei = Array.from(fit.vi, Math.sqrt);
    const reg = fitRma(fit.yi, fit.vi, {
      method: fit.method,
      design: designFromColumns([{ name: 'sei', values: sei }], k),
      r2: false,
    });
    side = (reg.coefficients[1]?.estimate as number) < 0 ? 'right' : 'left';
  }
  const sign = side === 'right' ? -1 : 1;
  const idx = Array.from({ length: k }, (_, i) => i).sort(
    (a, b) => sign * (fit.yi[a] as number) - sign * (fit.yi[b] as number) || a - b,
  );
  const y = idx.map((i) => sign * (fit.yi[i] as number)),
    v = idx.map((i) => fit.vi[i] as number);
  let k0 = 0,
    prev = -1,
    iterations = 0,
    theta = 0,
    L0 = 0;
  const maxiter = options.maxiter ?? 100;
  while (k0 !== prev) {
    if (++iterations > maxiter)
      throw new EvsynthError('NOT_CONVERGED', `trim and fill did not converge in ${maxiter} iterations`);
    prev = k0;
    theta = refit(y.slice(0, k - k0), v.slice(0, k - k0)).coefficients[0]?.estimate as number;
    const dev = y.map((yi) => yi - theta);
    const ranks = rankAbs(dev);
    if (estimator === 'L0') {
      const T = dev.reduce((s, d, i) => s + (d > 0 ? (ranks[i] as number) : 0), 0);
      L0 = (4 * T - k * (k + 1)) / (2 * k - 1);
      k0 = Math.max(0, Math.round(L0));
    } else {
      const byRank = dev.map((d, i) => ({ d, r: ranks[i] as number })).sort((a, b) => b.r - a.r);
      let run = 0;
      while (run < byRank.length && (byRank[run]?.d as number) > 0) run++;
      k0 = Math.max(0, run - 1);
    }
    k0 = Math.min(k0, k - 1);
  }
  const fy = new Float64Array(k0),
    fv = new Float64Array(k0);
  for (let j = 0; j < k0; j++) {
    const i = k - k0 + j;
    fy[j] = sign * (2 * theta - (y[i] as number));
    fv[j] = v[i] as number;
  }
  const all = refit([...Array.from(fit.yi), ...fy], [...Array.from(fit.vi), ...fv], 'z');
  return {
    estimator,
    side,
    k0,
    seK0: estimator === 'R0' ? Math.sqrt(2 * k0 + 2) : Math.sqrt(varianceL0(k, L0)),
    pK0: estimator === 'R0' ? 0.5 ** (k0 + 1) : null,
    filledYi: fy,
    filledVi: fv,
    fit: all,
    iterations,
  };
}

/**
 * Variance of the L0 estimator, 16·Var(T_n)/(2n − 1)², with the variance of the Wilcoxon statistic
 * T_n when γ = L0 (unrounded, from the last iteration) studies are missing:
 *
 * ```text
 * (2n − 1)²·Var(L0) = 16·n(n+1)(2n+1)/24 + 4γn² − 12γn + 34γ/3 − 12γ²n + 18γ² + 20γ³/3
 * ```
 *
 * The first term is the null variance of T_n; the polynomial in γ was identified from, and agrees to
 * 1e-10 with, metafor's `trimfill()$se.k0` over 150 random datasets (scripts/golden/gen-sensitivity.R
 * keeps cases; Duval & Tweedie 2000, JASA 95(449):89–98, give the estimator and its moments).
 */
export function varianceL0(n: number, gamma: number): number {
  const g = gamma;
  const v =
    (16 * n * (n + 1) * (2 * n + 1)) / 24 +
    4 * g * n * n -
    12 * g * n +
    (34 * g) / 3 -
    12 * g * g * n +
    18 * g * g +
    (20 * g * g * g) / 3;
  return v / (2 * n - 1) ** 2;
}

/** Ranks of |x| (average ranks for ties). */
function rankAbs(x: readonly number[]): number[] {
  const order = x.map((v, i) => ({ a: Math.abs(v), i })).sort((p, q) => p.a - q.a);
  const ranks = new Array<number>(x.length);
  for (let s = 0; s < order.length;) {
    let e = s;
    while (e + 1 < order.length && order[e + 1]?.a === order[s]?.a) e++;
    for (let j = s; j <= e; j++) ranks[order[j]?.i as number] = (s + e + 2) / 2;
    s = e + 1;
  }
  return ranks;
}
