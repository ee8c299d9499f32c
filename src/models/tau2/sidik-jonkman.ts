import type { Kernel } from '../kernel.ts';
import { tracePSigmaPSigma } from './standard-error.ts';
import { TAU2_CONTROL_DEFAULTS, type Tau2Control, type Tau2Estimate } from './types.ts';

/**
 * Sidik–Jonkman start value τ₀² = Σ(yᵢ − ȳ)²/k = var(y)(k−1)/k, from the raw estimates even when
 * the model has moderators (as metafor does).
 */
function sidikJonkmanStart(kernel: Kernel): number {
  const { yi, k } = kernel;
  let m = 0;
  for (let i = 0; i < k; i++) m += yi[i] as number;
  m /= k;
  let s = 0;
  for (let i = 0; i < k; i++) s += ((yi[i] as number) - m) ** 2;
  return s / k;
}

/**
 * Sidik–Jonkman estimator (metafor "SJ") and its iterated form ("SJIT"):
 *
 * ```text
 * τ₀² = Σ(yᵢ − ȳ)²/k
 * τ̂²  = τ₀² · Q_gen(τ₀²)/(k − p),   Q_gen(τ²) = Σ (yᵢ − xᵢᵀb̂)²/(vᵢ + τ²)
 * ```
 *
 * SJIT repeats the update τ² ← τ²·Q_gen(τ²)/(k − p) to convergence. Not truncated: the
 * estimate is positive unless all residuals are 0.
 *
 * Reference: Sidik K, Jonkman JN (2005). Simple heterogeneity variance estimation for
 * meta-analysis. J R Stat Soc C 54(2):367–384. doi:10.1111/j.1467-9876.2005.00489.x.
 * Cross-check: `rma(method="SJ")`, `rma(method="SJIT")`.
 */
export function tau2SidikJonkman(kernel: Kernel, iterate: boolean, control: Tau2Control = {}): Tau2Estimate {
  const start = control.tau2Init ?? sidikJonkmanStart(kernel);
  const df = kernel.k - kernel.p;
  let tau2 = (start * kernel.evaluate(start).RSS) / df;
  if (!iterate) return { tau2, iterations: 0, converged: true };
  const threshold = control.threshold ?? TAU2_CONTROL_DEFAULTS.threshold;
  const maxiter = control.maxiter ?? TAU2_CONTROL_DEFAULTS.maxiter;
  const scale = meanOf(kernel.vi);
  for (let it = 1; it <= maxiter; it++) {
    const next = (tau2 * kernel.evaluate(tau2).RSS) / df;
    const delta = Math.abs(next - tau2);
    tau2 = next;
    if (delta <= threshold * Math.max(tau2, scale)) return { tau2, iterations: it, converged: true };
  }
  return { tau2, iterations: maxiter, converged: false };
}

/** Standard error of the SJ estimate: τ₀²·√(2 tr(P₀ Σ P₀ Σ))/(k − p), P₀ at weights 1/(vᵢ + τ₀²). */
export function sidikJonkmanStandardError(kernel: Kernel, tau2: number): number {
  const t0 = sidikJonkmanStart(kernel);
  kernel.evaluate(t0);
  const se = (t0 * Math.sqrt(2 * tracePSigmaPSigma(kernel, tau2))) / (kernel.k - kernel.p);
  kernel.evaluate(tau2);
  return se;
}

export function meanOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] as number;
  return s / a.length;
}
