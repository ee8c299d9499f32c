import { EvsynthError } from '../../core/errors.ts';
import type { Kernel } from '../kernel.ts';
import { tau2DerSimonianLaird } from './dersimonian-laird.ts';
import { olsResiduals, tau2Hedges } from './hedges.ts';
import { tau2HunterSchmidt } from './hunter-schmidt.ts';
import { tau2Likelihood } from './likelihood.ts';
import { tau2PauleMandel } from './paule-mandel.ts';
import { sidikJonkmanStart, tau2SidikJonkman } from './sidik-jonkman.ts';
import { TAU2_METHODS, type Tau2Control, type Tau2Estimate, type Tau2Method } from './types.ts';

export * from './types.ts';

/** Checks a method code (case as metafor spells it; `hsk`, `reml` etc. accepted). */
export function parseTau2Method(name: string): Tau2Method {
  const m = TAU2_METHODS.find((x) => x.toUpperCase() === name.toUpperCase());
  if (m === undefined)
    throw new EvsynthError('UNKNOWN_METHOD', `unknown method '${name}'; expected one of ${TAU2_METHODS.join(', ')}`);
  return m;
}

/** Estimates τ² by `method` (0 for EE/FE, and for k = 1, where τ² is not identifiable). */
export function estimateTau2(kernel: Kernel, method: Tau2Method, control: Tau2Control = {}): Tau2Estimate {
  if (method === 'EE' || method === 'FE' || kernel.k - kernel.p < 1) return { tau2: 0, iterations: 0, converged: true };
  switch (method) {
    case 'DL':
      return tau2DerSimonianLaird(kernel);
    case 'HE':
      return tau2Hedges(kernel);
    case 'HS':
      return tau2HunterSchmidt(kernel, false);
    case 'HSk':
      return tau2HunterSchmidt(kernel, true);
    case 'SJ':
      return tau2SidikJonkman(kernel, false, control);
    case 'SJIT':
      return tau2SidikJonkman(kernel, true, control);
    case 'ML':
    case 'REML':
    case 'EB':
      return tau2Likelihood(kernel, method, control);
    case 'PM':
      return tau2PauleMandel(kernel, false);
    case 'PMM':
      return tau2PauleMandel(kernel, true);
  }
}

/**
 * Standard error of τ̂² (metafor's `se.tau2`), per estimator:
 *
 * ```text
 * REML:             √(2/tr(PP))
 * ML:               √(2/Σwᵢ²)
 * DL, HS, HSk:      √Var(Q_E)/c with Var(Q_E) = 2(k−p) + 4τ²tr P₀ + 2τ⁴tr(P₀P₀) (P₀ at τ² = 0),
 *                   c = tr P₀ (DL), Σwᵢ⁰ (HS), Σwᵢ⁰(k−p)/k (HSk)
 * HE:               √(2 tr(P_OLS Σ P_OLS Σ))/(k−p),   P_OLS = I − H,  Σ = diag(vᵢ + τ̂²)
 * SJ:               τ₀²·√(2 tr(P₀ Σ P₀ Σ))/(k−p),     P₀ at weights 1/(vᵢ + τ₀²)
 * EB, PM, PMM, SJIT: √(2k²/(k−p))/Σwᵢ
 * ```
 *
 * All are large-sample approximations (Viechtbauer 2005; Sidik & Jonkman 2005).
 * Returns NaN for common-effect models. Leaves the kernel evaluated at `tau2`.
 */
export function tau2StandardError(kernel: Kernel, method: Tau2Method, tau2: number): number {
  const { k, p } = kernel;
  switch (method) {
    case 'EE':
    case 'FE':
      kernel.evaluate(tau2);
      return Number.NaN;
    case 'REML':
      kernel.evaluate(tau2);
      return Math.sqrt(2 / kernel.trPP);
    case 'ML':
      kernel.evaluate(tau2);
      return Math.sqrt(2 / kernel.sumW2);
    case 'DL':
    case 'HS':
    case 'HSk': {
      kernel.evaluate(0);
      const varQ = 2 * (k - p) + 4 * tau2 * kernel.trP + 2 * tau2 * tau2 * kernel.trPP;
      const c = method === 'DL' ? kernel.trP : method === 'HS' ? kernel.sumW : (kernel.sumW * (k - p)) / k;
      kernel.evaluate(tau2);
      return Math.sqrt(varQ) / c;
    }
    case 'HE': {
      olsResiduals(kernel);
      const se = Math.sqrt(2 * tracePSigmaPSigma(kernel, tau2)) / (k - p);
      kernel.evaluate(tau2);
      return se;
    }
    case 'SJ': {
      const t0 = sidikJonkmanStart(kernel);
      kernel.evaluate(t0);
      const se = (t0 * Math.sqrt(2 * tracePSigmaPSigma(kernel, tau2))) / (k - p);
      kernel.evaluate(tau2);
      return se;
    }
    case 'EB':
    case 'PM':
    case 'PMM':
    case 'SJIT':
      kernel.evaluate(tau2);
      return Math.sqrt((2 * k * k) / (k - p)) / kernel.sumW;
  }
}

/**
 * tr(PΣPΣ) for P = W − WX(XᵀWX)⁻¹XᵀW at the kernel's current weights and Σ = diag(vᵢ + τ²),
 * in O(k p²): Σ(wᵢσᵢ)² − 2 tr(A⁻¹ Σ wᵢ³σᵢ² xᵢxᵢᵀ) + tr((A⁻¹B)²), B = Σ wᵢ²σᵢ xᵢxᵢᵀ.
 * It is Var(yᵀPy)/2 when y ~ N(Xβ, Σ).
 */
function tracePSigmaPSigma(kernel: Kernel, tau2: number): number {
  const { k, p, Ainv, vi, w } = kernel;
  const x = kernel.design.x;
  const B = new Float64Array(p * p);
  const C = new Float64Array(p * p);
  let t = 0;
  for (let i = 0; i < k; i++) {
    const s = (vi[i] as number) + tau2,
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
  return t;
}
