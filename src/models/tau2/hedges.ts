import type { Kernel } from '../kernel.ts';
import { logVariancesAt, type LogModel } from './log-traces.ts';
import { logSdQuadraticForm, sdQuadraticForm } from './standard-error.ts';
import { Tau2Result } from './types.ts';

/**
 * Unweighted least-squares quantities: e = (I − H)y with H = X(XᵀX)⁻¹Xᵀ, the residual sum
 * of squares eᵀe and the hat values hᵢ. Leaves the kernel evaluated with unit weights.
 */
function olsResiduals(kernel: Kernel): { rss: number; hat: Float64Array } {
  kernel.w.fill(1);
  kernel.evaluateWeights();
  const { k, p, Ainv } = kernel;
  const x = kernel.design.x;
  const hat = new Float64Array(k);
  let rss = 0;
  for (let i = 0; i < k; i++) {
    let h = 0;
    for (let r = 0; r < p; r++)
      for (let s = 0; s < p; s++)
        h += (x[i * p + r] as number) * (Ainv[r * p + s] as number) * (x[i * p + s] as number);
    hat[i] = h;
    rss += (kernel.residuals[i] as number) ** 2;
  }
  return { rss, hat };
}

/**
 * Hedges' (variance-component, "HE") estimator from the ordinary least-squares residuals:
 *
 * ```text
 * τ̂² = max(0, (eᵀe − tr((I − H)V)) / (k − p)),   tr((I − H)V) = Σ vᵢ(1 − hᵢ)
 * ```
 *
 * Reference: Hedges LV (1983). A random effects model for effect sizes. Psychol Bull
 * 93(2):388–395. doi:10.1037/0033-2909.93.2.388. Cross-check: `rma(method="HE")`.
 */
export function tau2Hedges(kernel: Kernel, out = new Tau2Result()): Tau2Result {
  if (kernel.interceptOnly) {
    // intercept only: hᵢ = 1/k, no allocation
    const { yi, vi, k } = kernel;
    let m = 0,
      sv = 0;
    for (let i = 0; i < k; i++) {
      m += yi[i] as number;
      sv += vi[i] as number;
    }
    m /= k;
    let rss = 0;
    for (let i = 0; i < k; i++) rss += ((yi[i] as number) - m) ** 2;
    return out.set(Math.max(0, (rss - sv * (1 - 1 / k)) / (k - 1)), 0, true);
  }
  const { rss, hat } = olsResiduals(kernel);
  let trPV = 0;
  for (let i = 0; i < kernel.k; i++) trPV += (kernel.vi[i] as number) * (1 - (hat[i] as number));
  return out.set(Math.max(0, (rss - trPV) / (kernel.k - kernel.p)), 0, true);
}

/** Standard error of the HE estimate: √(2 tr(P_OLS Σ P_OLS Σ))/(k − p), P_OLS = I − H, Σ = diag(vᵢ + τ̂²). */
export function hedgesStandardError(kernel: Kernel, tau2: number): number {
  olsResiduals(kernel);
  const se = sdQuadraticForm(kernel, tau2) / (kernel.k - kernel.p);
  kernel.evaluate(tau2);
  return se;
}

/**
 * {@link hedgesStandardError} of an intercept-only model in logarithms (./log-traces.ts): log SE =
 * log √(2 tr(P_OLS Σ P_OLS Σ)) − log(k − 1), P_OLS = I − J/k (unit weights), Σ = diag(vᵢ + τ̂²).
 */
export function hedgesLogStandardError(m: LogModel): number {
  return logSdQuadraticForm(new Float64Array(m.k), logVariancesAt(m.logVi, m.logTau2)) - Math.log(m.k - 1);
}
