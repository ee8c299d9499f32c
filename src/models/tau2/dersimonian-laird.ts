import type { Kernel } from '../kernel.ts';
import type { Tau2Estimate } from './types.ts';

/**
 * DerSimonian–Laird method-of-moments estimator, with moderators as in Raudenbush (2009):
 *
 * ```text
 * τ̂² = max(0, (Q_E − (k − p)) / tr P),   Q_E = yᵀPy, both at τ² = 0 (wᵢ = 1/vᵢ)
 * ```
 *
 * For the intercept-only model tr P = Σwᵢ − Σwᵢ²/Σwᵢ.
 *
 * Reference: DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Control Clin
 * Trials 7(3):177–188. doi:10.1016/0197-2456(86)90046-2. Cross-check: `rma(method="DL")`.
 */
export function tau2DerSimonianLaird(kernel: Kernel): Tau2Estimate {
  kernel.evaluate(0);
  const tau2 = Math.max(0, (kernel.RSS - (kernel.k - kernel.p)) / kernel.trP);
  return { tau2, iterations: 0, converged: true };
}
