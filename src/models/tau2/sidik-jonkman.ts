import type { Kernel } from '../kernel.ts';
import { logSumOfSquaredDeviations, sumOfSquaredDeviations } from '../scale.ts';
import { logVariancesAt, logWeightsAt, type LogModel } from './log-traces.ts';
import { logSdQuadraticForm, sdQuadraticForm } from './standard-error.ts';
import { tau2PauleMandel } from './paule-mandel.ts';
import { Tau2Result, type Tau2Control, type ZeroPoint } from './types.ts';

/**
 * Sidik–Jonkman start value τ₀² = Σ(yᵢ − ȳ)²/k = var(y)(k−1)/k, from the raw estimates even when
 * the model has moderators (as metafor does).
 */
function sidikJonkmanStart(kernel: Kernel): number {
  return sumOfSquaredDeviations(kernel.yi, kernel.k) / kernel.k;
}

/**
 * Sidik–Jonkman estimator (metafor "SJ") and its iterated form ("SJIT"):
 *
 * ```text
 * τ₀² = Σ(yᵢ − ȳ)²/k
 * τ̂²  = τ₀² · Q_gen(τ₀²)/(k − p),   Q_gen(τ²) = Σ (yᵢ − xᵢᵀb̂)²/(vᵢ + τ²)
 * ```
 *
 * SJIT is the limit of the update τ² ← τ²·Q_gen(τ²)/(k − p). Its fixed points are τ² = 0 and the root
 * of Q_gen(τ²) = k − p; as Q_gen decreases in τ² and τ²·Q_gen(τ²) increases, the update converges
 * monotonically to that root when Q_gen(0) > k − p and to 0 otherwise. The update itself can need
 * thousands of steps (its rate is 1 + τ̂²Q_gen′(τ̂²)/(k − p), close to 1 when τ̂² is small against the
 * vᵢ), so SJIT solves for the limit directly with a safeguarded root finder (Newton steps kept inside a
 * bracket, see {@link tau2PauleMandel}, which solves the same equation) and always converges. Not
 * truncated: the estimate is positive unless Q_gen(0) ≤ k − p.
 *
 * Reference: Sidik K, Jonkman JN (2005). Simple heterogeneity variance estimation for
 * meta-analysis. J R Stat Soc C 54(2):367–384. doi:10.1111/j.1467-9876.2005.00489.x.
 * Cross-check: `rma(method="SJ")`, `rma(method="SJIT", control=list(threshold=1e-12, maxiter=1e5))`.
 */
export function tau2SidikJonkman(
  kernel: Kernel,
  iterate: boolean,
  control: Tau2Control = {},
  zero?: ZeroPoint,
  out = new Tau2Result(),
): Tau2Result {
  if (iterate) return tau2PauleMandel(kernel, false, zero, out);
  const start = control.tau2Init ?? sidikJonkmanStart(kernel);
  const df = kernel.k - kernel.p;
  return out.set((start * kernel.evaluate(start).RSS) / df, 0, true);
}

/**
 * Standard error of the SJ estimate: τ₀²·√(2 tr(P₀ Σ P₀ Σ))/(k − p), P₀ at weights 1/(vᵢ + τ₀²), with τ₀² the
 * start the estimate used: `start` (control.tau2Init) where given, as metafor's `tau2.init`, else Σ(yᵢ − ȳ)²/k.
 */
export function sidikJonkmanStandardError(kernel: Kernel, tau2: number, start?: number): number {
  const t0 = start ?? sidikJonkmanStart(kernel);
  kernel.evaluate(t0);
  const se = (t0 * sdQuadraticForm(kernel, tau2)) / (kernel.k - kernel.p);
  kernel.evaluate(tau2);
  return se;
}

/**
 * {@link sidikJonkmanStandardError} of an intercept-only model in logarithms (./log-traces.ts): log SE =
 * log τ₀² + log √(2 tr(P₀ΣP₀Σ)) − log(k − 1), with log τ₀² = log(Σ(yᵢ − ȳ)²/k) computed where τ₀² itself
 * underflows (estimates of 1e-200), or the start given (`logStart`); −∞ (an SE of 0) where τ₀² = 0.
 */
export function sidikJonkmanLogStandardError(m: LogModel): number {
  const logT0 = m.logStart ?? logSumOfSquaredDeviations(m.yi) - Math.log(m.k);
  if (logT0 === Number.NEGATIVE_INFINITY) return logT0;
  const logSd = logSdQuadraticForm(logWeightsAt(m.logVi, logT0), logVariancesAt(m.logVi, m.logTau2));
  return logT0 + logSd - Math.log(m.k - 1);
}
