import type { Kernel } from '../kernel.ts';
import type { Tau2Estimate } from './types.ts';

/**
 * Hunter–Schmidt estimator, and its small-sample variant HSk (metafor's "HS", "HSk"):
 *
 * ```text
 * HS:  τ̂² = max(0, (Q_E − k) / Σwᵢ)
 * HSk: τ̂² = max(0, (k/(k − p)·Q_E − k) / Σwᵢ)        wᵢ = 1/vᵢ
 * ```
 *
 * Reference: Hunter JE, Schmidt FL (2004). Methods of Meta-Analysis, 2nd ed.; Viechtbauer W
 * (2005). J Educ Behav Stat 30(3):261–293. doi:10.3102/10769986030003261.
 * Cross-check: `rma(method="HS")`, `rma(method="HSk")`.
 */
export function tau2HunterSchmidt(kernel: Kernel, smallSample: boolean): Tau2Estimate {
  kernel.evaluate(0);
  const { k, p, RSS, sumW } = kernel;
  const Q = smallSample ? (k / (k - p)) * RSS : RSS;
  return { tau2: Math.max(0, (Q - k) / sumW), iterations: 0, converged: true };
}
