import { qchisq } from '../../distributions/chi-square-quantile.ts';
import type { Kernel } from '../kernel.ts';
import { Tau2Result, type ZeroPoint } from './types.ts';

/** The median of χ²_df, remembered for the last df (batches fit many models of the same size). */
let medianDf = Number.NaN,
  medianValue = Number.NaN;
function chisqMedian(df: number): number {
  if (df !== medianDf) {
    medianValue = qchisq(0.5, df);
    medianDf = df;
  }
  return medianValue;
}

/**
 * Paule–Mandel estimator (PM) and its median-unbiased variant (PMM): the τ² at which the
 * generalised Q statistic equals its expected value (PM: k − p) or the median of χ²_{k−p}
 * (PMM):
 *
 * ```text
 * Q_gen(τ²) = Σ (yᵢ − xᵢᵀb̂(τ²))² / (vᵢ + τ²) = target;   τ̂² = 0 if Q_gen(0) ≤ target
 * ```
 *
 * Q_gen decreases in τ² and is convex (Q′ = −yᵀPPy, Q″ = 2yᵀPPPy ≥ 0), so Newton's method started
 * left of the root climbs to it monotonically, and a Newton step from the right lands left of it (or on
 * it). The iteration starts at the DerSimonian–Laird estimate, keeps the bracket [lo, hi] with
 * Q_gen(lo) > target > Q_gen(hi) (lo = 0 at first), replaces a step that leaves it by bisection, and
 * stops when a step is below 4ε·τ² (double precision; metafor's `uniroot` default stops at 1.2e-4) or
 * no longer shrinks, or after 1000 iterations.
 *
 * References: Paule RC, Mandel J (1982). Consensus values and weighting factors. J Res Natl
 * Bur Stand 87(5):377–385; van Aert RCM, Jackson D (2018). Res Synth Methods 9(3):470–485
 * (PMM). Cross-check: `rma(method="PM"|"PMM")`.
 */
export function tau2PauleMandel(kernel: Kernel, median: boolean, zero?: ZeroPoint, out = new Tau2Result()): Tau2Result {
  const df = kernel.k - kernel.p;
  const target = median ? chisqMedian(df) : df;
  let Q0: number, trP0: number;
  if (zero?.valid === true) {
    Q0 = zero.RSS;
    trP0 = zero.trP;
  } else {
    kernel.evaluate(0);
    Q0 = kernel.RSS;
    trP0 = kernel.trP;
  }
  if (!(Q0 > target)) return out.set(0, 0, true);
  let lo = 0,
    hi = Number.POSITIVE_INFINITY;
  // the DL estimate (always > 0 here) as the start
  let t = (Q0 - df) / trP0;
  if (!(t > 0 && Number.isFinite(t))) t = 0;
  let iterations = 0,
    prevSize = Number.POSITIVE_INFINITY;
  while (iterations < 1000) {
    iterations++;
    kernel.evaluate(t);
    const f = kernel.RSS - target;
    if (f === 0) return out.set(t, iterations, true);
    if (f > 0) lo = t;
    else hi = t;
    let next = t + f / kernel.yPPy;
    if (!(next > lo && next < hi)) next = hi === Number.POSITIVE_INFINITY ? 2 * t + 1 : 0.5 * (lo + hi);
    if (!Number.isFinite(next)) return out.set(t, iterations, false);
    const size = Math.abs(next - t);
    if (size <= 4 * Number.EPSILON * next || (size >= prevSize && size <= 1e-10 * next)) {
      return out.set(next, iterations, true);
    }
    prevSize = size;
    t = next;
  }
  return out.set(t, iterations, false);
}
