/**
 * The large-sample standard errors of τ̂² that several estimators share (Viechtbauer 2005; Sidik &
 * Jonkman 2005; metafor's `se.tau2`). Each estimator's registry entry says which form it uses. Every
 * function leaves the kernel evaluated at `tau2`.
 */
import { logSumExp } from '../../core/numeric/log-sum.ts';
import type { Kernel } from '../kernel.ts';
import { ldexp } from '../scale.ts';
import { logTraceP, logTracePSigmaPSigma, logWeightsAt, type LogModel } from './log-traces.ts';

/**
 * Method-of-moments estimators of the form τ̂² = (Q_E − (k − p))/c (DL: c = tr P₀; HS: Σwᵢ⁰; HSk: Σwᵢ⁰(k−p)/k):
 *
 * ```text
 * SE = √Var(Q_E)/c,   Var(Q_E) = 2(k−p) + 4τ²·tr P₀ + 2τ⁴·tr(P₀P₀)   (P₀ at τ² = 0)
 * ```
 */
export function momentStandardError(kernel: Kernel, tau2: number, divisor: (kernel: Kernel) => number): number {
  const { k, p } = kernel;
  kernel.evaluate(0);
  const varQ = 2 * (k - p) + 4 * tau2 * kernel.trP + 2 * tau2 * tau2 * kernel.trPP;
  // where τ⁴ overflows (τ² far above the variances), the same as τ²·√(2(k−p)/τ⁴ + 4 tr P₀/τ² + 2 tr(P₀P₀))
  const sdQ = Number.isFinite(varQ)
    ? Math.sqrt(varQ)
    : tau2 * Math.sqrt((2 * (k - p)) / tau2 / tau2 + (4 * kernel.trP) / tau2 + 2 * kernel.trPP);
  const c = divisor(kernel);
  kernel.evaluate(tau2);
  return sdQ / c;
}

/**
 * {@link momentStandardError} of an intercept-only model in logarithms (./log-traces.ts), for where its traces
 * or τ⁴ under- or overflow at every scale (HS's divisor Σwᵢ⁰ is the weight of a study 1e300 times more precise
 * than the others, whose traces it leaves out):
 *
 * ```text
 * log SE = ½ log Var(Q_E) − log c,   Var(Q_E) = 2(k−1) + 4τ²tr P₀ + 2τ⁴tr(P₀P₀)
 * ```
 *
 * the three positive terms summed as logarithms. `logDivisor` gives log c from log Σwᵢ⁰, log tr P₀ and k.
 * Returns log SE.
 */
export function momentLogStandardError(
  m: LogModel,
  logDivisor: (logSumW: number, logTrP: number, k: number) => number,
): number {
  const { k } = m;
  const logW = logWeightsAt(m.logVi, Number.NEGATIVE_INFINITY);
  const { logS, logTrP } = logTraceP(logW);
  const logTrPP = logTracePSigmaPSigma(logW, new Float64Array(k));
  const t = m.logTau2;
  const logVarQ = logSumExp([Math.log(2 * (k - 1)), Math.log(4) + t + logTrP, Math.LN2 + 2 * t + logTrPP]);
  return 0.5 * logVarQ - logDivisor(logS, logTrP, k);
}

/** EB, PM, PMM and SJIT: SE = √(2k²/(k − p))/Σwᵢ at τ̂². */
export function scoringStandardError(kernel: Kernel, tau2: number): number {
  const { k, p } = kernel;
  kernel.evaluate(tau2);
  return Math.sqrt((2 * k * k) / (k - p)) / kernel.sumW;
}

/** {@link scoringStandardError} of an intercept-only model in logarithms: log SE = ½ log(2k²/(k − 1)) − log Σwᵢ. */
export function scoringLogStandardError(m: LogModel): number {
  const { k } = m;
  return 0.5 * Math.log((2 * k * k) / (k - 1)) - logSumExp(logWeightsAt(m.logVi, m.logTau2));
}

/**
 * √(2 tr(PΣPΣ)), the standard deviation of yᵀPy when y ~ N(Xβ, Σ), for P = W − WX(XᵀWX)⁻¹XᵀW at the
 * kernel's current weights and Σ = diag(vᵢ + τ²) (used by the HE and SJ standard errors). The trace is
 * Σ(wᵢσᵢ)² − 2 tr(A⁻¹ Σ wᵢ³σᵢ² xᵢxᵢᵀ) + tr((A⁻¹B)²), B = Σ wᵢ²σᵢ xᵢxᵢᵀ, in O(k p²), with Σ divided by
 * a power of two 2ᵉ near the largest wᵢσᵢ where that lies outside [2⁻¹⁰⁰, 2¹⁰⁰] (then multiplied back
 * into the square root: exact). Unit weights with τ² far above them (HE at vᵢ ≈ 1e-300: wᵢσᵢ ≈ 1e298)
 * would otherwise square to ∞ and the difference of two infinities was NaN; ordinary fits have e = 0.
 */
export function sdQuadraticForm(kernel: Kernel, tau2: number): number {
  const { k, p, Ainv, vi, w } = kernel;
  const x = kernel.design.x;
  let maxWS = 0;
  for (let i = 0; i < k; i++) maxWS = Math.max(maxWS, (w[i] as number) * ((vi[i] as number) + tau2));
  const e = !(maxWS > 0) || (maxWS >= 2 ** -100 && maxWS <= 2 ** 100) ? 0 : Math.round(Math.log2(maxWS));
  const B = new Float64Array(p * p);
  const C = new Float64Array(p * p);
  let t = 0;
  for (let i = 0; i < k; i++) {
    const s = ldexp((vi[i] as number) + tau2, -e),
      wi = w[i] as number,
      ws = wi * s;
    t += ws * ws;
    for (let r = 0; r < p; r++)
      for (let q = 0; q < p; q++) {
        const xx = (x[i * p + r] as number) * (x[i * p + q] as number);
        B[r * p + q] = (B[r * p + q] as number) + wi * ws * xx;
        C[r * p + q] = (C[r * p + q] as number) + wi * ws * ws * xx;
      }
  }
  const M = new Float64Array(p * p);
  for (let r = 0; r < p; r++)
    for (let q = 0; q < p; q++) {
      let sb = 0,
        sc = 0;
      for (let m = 0; m < p; m++) {
        sb += (Ainv[r * p + m] as number) * (B[m * p + q] as number);
        sc += (Ainv[r * p + m] as number) * (C[m * p + q] as number);
      }
      M[r * p + q] = sb;
      if (r === q) t -= 2 * sc;
    }
  for (let r = 0; r < p; r++) for (let q = 0; q < p; q++) t += (M[r * p + q] as number) * (M[q * p + r] as number);
  return ldexp(Math.sqrt(2 * t), e);
}

/**
 * log √(2 tr(PΣPΣ)) of an intercept-only model ({@link sdQuadraticForm} in logarithms, ./log-traces.ts) for
 * log weights `logW` and log σᵢ `logSigma`.
 */
export function logSdQuadraticForm(logW: Float64Array, logSigma: Float64Array): number {
  return 0.5 * (Math.LN2 + logTracePSigmaPSigma(logW, logSigma));
}
