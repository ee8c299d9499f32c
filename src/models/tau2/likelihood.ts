import type { Kernel } from '../kernel.ts';
import { tau2DerSimonianLaird } from './dersimonian-laird.ts';
import { TAU2_CONTROL_DEFAULTS, Tau2Result, ZeroPoint, type Tau2Control } from './types.ts';

export type LikelihoodMethod = 'ML' | 'REML' | 'EB';

const scratchZero = new ZeroPoint();
/** Below this (2⁻¹⁰⁰⁰) a sum of squared weights is near or in the subnormal range and no longer accurate. */
const TINY_INFORMATION = 2 ** -1000;

/**
 * Maximum likelihood (ML), restricted maximum likelihood (REML) and empirical Bayes (EB)
 * estimators of τ²: the root of the estimating equation f(τ²) = 0,
 *
 * ```text
 * REML: f = yᵀPPy − tr P,          Fisher information tr(PP),   −f′ = 2yᵀPPPy − tr(PP)
 * ML:   f = yᵀPPy − Σwᵢ,           Fisher information Σwᵢ²,     −f′ = 2yᵀPPPy − Σwᵢ²
 * EB:   f = yᵀPy·k/(k − p) − k,    scoring divisor Σwᵢ,         −f′ = yᵀPPy·k/(k − p)
 * ```
 *
 * (f is twice the score of the (restricted) log-likelihood for ML/REML), found by safeguarded Newton
 * steps from the DerSimonian–Laird estimate max(0, DL): each iteration takes the Newton step Δ = f/(−f′)
 * where the equation is locally concave, else the Fisher-scoring step f/information; the iterates where
 * f > 0 and f < 0 bracket the root, and a step that would leave the bracket is replaced by the scoring
 * step or, failing that, by bisection. A step below 0 tries τ² = 0, where the iteration stops when
 * f(0) ≤ 0 (the maximum is on the boundary), or when f(0) > 0 lies within the rounding error of f
 * (residuals that are rounding alone, see {@link roundingNoise}). Iterates until
 * |Δτ²| ≤ threshold·max(τ², v̄), v̄ the mean of the vᵢ but at most 10⁶ times their harmonic mean
 * ({@link stoppingScale}; default threshold 1e-13, far tighter than metafor's default 1e-5), or until the steps stop shrinking at the
 * level of rounding noise (with very many studies the sums carry errors larger than the threshold), or
 * `maxiter`. Near the root the Newton steps converge quadratically: 3 to 5 iterations are typical where
 * Fisher scoring needs 8 or more, and tens near the boundary.
 *
 * Then, as metafor's `ll0check`, τ² = 0 is kept if the (restricted) log-likelihood is higher there,
 * comparing ℓ(τ̂²) − ℓ(0) = −½[Σ log(1 + τ̂²/vᵢ) + log det A(τ̂²) − log det A(0) + yᵀP(τ̂²)y − yᵀP(0)y]
 * (without the log det terms for ML), whose first sum is taken from products of (vᵢ + τ̂²) and vᵢ
 * (accurate to a few units of k·ε; no cancellation of two large sums of logarithms). EB is the
 * Morris (1983) estimator, whose fixed point is also Paule–Mandel's. Leaves the kernel evaluated at the
 * estimate unless τ² = 0 wins that comparison.
 *
 * References: Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators
 * in the random-effects model. J Educ Behav Stat 30(3):261–293. doi:10.3102/10769986030003261;
 * Morris CN (1983). J Am Stat Assoc 78(381):47–55. Cross-check: `rma(method="ML"|"REML"|"EB")`.
 */
export function tau2Likelihood(
  kernel: Kernel,
  method: LikelihoodMethod,
  control: Tau2Control = {},
  zeroPoint?: ZeroPoint,
  out: Tau2Result = new Tau2Result(),
): Tau2Result {
  const threshold = control.threshold ?? TAU2_CONTROL_DEFAULTS.threshold;
  const maxiter = control.maxiter ?? TAU2_CONTROL_DEFAULTS.maxiter;
  const { k, p } = kernel;
  let zero = zeroPoint;
  if (zero === undefined || !zero.valid) zero = scratchZero.from(kernel.evaluate(0));
  let t = control.tau2Init ?? tau2DerSimonianLaird(kernel, zero).tau2;
  const scale = stoppingScale(kernel.vi, k);
  const kk = k / (k - p);
  let lo = 0,
    hi = Number.POSITIVE_INFINITY,
    boundaryTried = false;
  let iterations = 0,
    converged = false,
    prevSize = Number.POSITIVE_INFINITY;
  while (iterations < maxiter) {
    iterations++;
    if (kernel.tau2 !== t) kernel.evaluate(t);
    if (t === 0) boundaryTried = true;
    let f: number, info: number, curvature: number;
    if (method === 'REML') {
      f = kernel.yPPy - kernel.trP;
      info = kernel.trPP;
      curvature = 2 * kernel.yPPPy - info;
    } else if (method === 'ML') {
      f = kernel.yPPy - kernel.sumW;
      info = kernel.sumW2;
      curvature = 2 * kernel.yPPPy - info;
    } else {
      f = kernel.RSS * kk - k;
      info = kernel.sumW;
      curvature = kernel.yPPy * kk;
    }
    // Where τ² ≫ vᵢ by hundreds of orders of magnitude the squared weights underflow: the weights are
    // then equal to double precision, where tr(PP) = (tr P)²/(k − p) and Σwᵢ² = (Σwᵢ)²/k; the scoring
    // step is formed from those without squaring anything.
    let scoring: number;
    if (info > TINY_INFORMATION) scoring = f / info;
    else if (method === 'REML') scoring = (f / kernel.trP) * ((k - p) / kernel.trP);
    else scoring = (f / kernel.sumW) * (k / kernel.sumW);
    if (!(info > TINY_INFORMATION)) curvature = Number.NaN;
    if (f === 0) {
      converged = true; // a stationary point
      break;
    }
    if (!Number.isFinite(scoring)) break; // no information: flagged as not converged
    if (t === 0 && f > 0 && f <= roundingNoise(kernel, method, kk)) {
      converged = true; // f(0) > 0 only by rounding: the data do not show the maximum off the boundary
      break;
    }
    if (f > 0) lo = t;
    else {
      hi = t;
      if (t === 0) {
        converged = true; // the maximum is on the boundary
        break;
      }
    }
    // Newton where the equation is locally concave, else scoring; kept inside the bracket (lo, hi)
    let next = curvature > 0 ? t + f / curvature : Number.NaN;
    if (!(next > lo && next < hi)) next = t + scoring;
    if (!(next > lo && next < hi)) {
      if (f < 0 && lo === 0 && !boundaryTried) {
        next = 0; // below the bracket's lower end: try the boundary
        boundaryTried = true;
      } else if (hi === Number.POSITIVE_INFINITY) next = Math.max(next, 2 * t);
      else next = 0.5 * (lo + hi);
    }
    if (!Number.isFinite(next)) break;
    const size = Math.abs(next - t),
      tol = threshold * Math.max(next, scale);
    // converged: below the threshold, or no longer shrinking once at the level of rounding noise
    if (size <= tol || (size >= prevSize && size <= 1e4 * tol)) {
      t = next;
      converged = true;
      break;
    }
    prevSize = size;
    t = next;
  }
  if (method !== 'EB' && t > 0 && Number.isFinite(t)) {
    kernel.evaluate(t);
    const L = kernel.logVarianceRatio(t);
    const dLogdet = kernel.interceptOnly
      ? Math.log(kernel.sumW / zero.sumW)
      : kernel.logdetA - (Number.isNaN(zero.logdetA) ? logdetAtZero(kernel, t) : zero.logdetA);
    const gain = -0.5 * (L + (method === 'REML' ? dLogdet : 0) + kernel.RSS - zero.RSS);
    if (gain < 0) t = 0;
  }
  return out.set(t, iterations, converged);
}

/** log det(XᵀW₀X) at τ² = 0, leaving the kernel evaluated at `tau2`. */
function logdetAtZero(kernel: Kernel, tau2: number): number {
  const l = kernel.evaluate(0).logdetA;
  kernel.evaluate(tau2);
  return l;
}

/** Standard error of τ̂² for ML, √(2/Σwᵢ²), and REML, √(2/tr(PP)), at τ̂² (the inverse expected information). */
export function likelihoodStandardError(kernel: Kernel, method: 'ML' | 'REML', tau2: number): number {
  kernel.evaluate(tau2);
  return Math.sqrt(2 / (method === 'REML' ? kernel.trPP : kernel.sumW2));
}

/**
 * The scale of the sampling variances in the stopping rule (the absolute tolerance near τ² = 0): their
 * arithmetic mean, but at most 10⁶ times their harmonic mean k/Σ(1/vᵢ), the scale of the studies that
 * carry the weight. The arithmetic mean is that of the largest variances: with two studies of vᵢ = 1e-10
 * among two of 1e10 it is 5e9, a tolerance of 5e-4 that stopped EB at its first step, near τ² = vᵢ, where
 * the answer is 0.0067 (and with vᵢ of 1e-300 and 1e300 it is ∞ once scaled, stopping ML at once). The
 * bound binds only where the variances lie over six orders of magnitude apart (the ratio of the two means
 * is below max vᵢ/min vᵢ), so ordinary fits stop exactly where they did. Of the first `k` of `vi`.
 */
export function stoppingScale(vi: ArrayLike<number>, k = vi.length): number {
  let s = 0,
    h = 0;
  for (let i = 0; i < k; i++) {
    const v = vi[i] as number;
    s += v;
    h += 1 / v;
  }
  return Math.min(s / k, (1e6 * k) / h);
}

/**
 * The rounding error of the estimating equation f at the kernel's current τ², from its residuals: each
 * eᵢ = yᵢ − ŷᵢ carries an error up to δᵢ = 4ε·max(|yᵢ|, |ŷᵢ|), so eᵢ² one of δᵢ(δᵢ + 2|eᵢ|), and
 * yᵀPPy = Σwᵢ²eᵢ² (ML, REML) or yᵀPy = Σwᵢeᵢ² (EB) one of the weighted sum of those. Where one study
 * carries all the weight with an estimate hundreds of standard errors from 0 (vᵢ of 1e-300 next to
 * 1e300), the residuals are rounding alone and f(0) > 0 says nothing.
 */
function roundingNoise(kernel: Kernel, method: LikelihoodMethod, kk: number): number {
  const { k, yi, residuals, w } = kernel;
  let s = 0;
  for (let i = 0; i < k; i++) {
    const y = yi[i] as number,
      e = residuals[i] as number,
      wi = w[i] as number;
    const d = 4 * Number.EPSILON * Math.max(Math.abs(y), Math.abs(y - e));
    s += (method === 'EB' ? wi : wi * wi) * d * (d + 2 * Math.abs(e));
  }
  return method === 'EB' ? kk * s : s;
}
