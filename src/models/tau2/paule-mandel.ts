import { qchisq } from '../../distributions/index.ts';
import { rootDecreasing } from '../../core/numeric/root.ts';
import { meanOf, type Kernel } from '../kernel.ts';
import type { Tau2Estimate } from './types.ts';

/**
 * Paule–Mandel estimator (PM) and its median-unbiased variant (PMM): the τ² at which the
 * generalised Q statistic equals its expected value (PM: k − p) or the median of χ²_{k−p}
 * (PMM):
 *
 * ```text
 * Q_gen(τ²) = Σ (yᵢ − xᵢᵀb̂(τ²))² / (vᵢ + τ²) = target;   τ̂² = 0 if Q_gen(0) < target
 * ```
 *
 * Q_gen decreases in τ², so the root is bracketed and found by Brent's method to double
 * precision (metafor's `uniroot` default stops at 1.2e-4).
 *
 * References: Paule RC, Mandel J (1982). Consensus values and weighting factors. J Res Natl
 * Bur Stand 87(5):377–385; van Aert RCM, Jackson D (2018). Res Synth Methods 9(3):470–485
 * (PMM). Cross-check: `rma(method="PM"|"PMM")`.
 */
export function tau2PauleMandel(kernel: Kernel, median: boolean): Tau2Estimate {
  const df = kernel.k - kernel.p;
  const target = median ? qchisq(0.5, df) : df;
  if (kernel.evaluate(0).RSS <= target) return { tau2: 0, iterations: 0, converged: true };
  const r = rootDecreasing((t) => kernel.evaluate(t).RSS - target, Math.max(1, 10 * meanOf(kernel.vi)));
  return { tau2: r.root, iterations: r.iterations, converged: r.converged };
}
