import { logSumExp } from '../../core/numeric/log-sum.ts';
import type { Kernel } from '../kernel.ts';
import { tau2DerSimonianLaird } from './dersimonian-laird.ts';
import { logTracePSigmaPSigma, logWeightsAt, type LogModel } from './log-traces.ts';
import { sumOfSquaredDeviations } from '../scale.ts';
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
 * Morris (1983) estimator, whose fixed point is also Paule–Mandel's.
 *
 * The (restricted) log-likelihood can be bimodal, with a local maximum at τ² = 0 and a higher one inside
 * (a few studies far from many at y = 0 with small vᵢ): the iteration may then stop on the boundary
 * (f(0) ≤ 0) or at a root of f that is a minimum of ℓ (f increasing, −f′ < 0), which τ² = 0 beats. In
 * those cases only (ML and REML, after convergence: the boundary won, or the root is not a maximum), f is
 * evaluated on a coarse geometric grid of τ² (see {@link interiorBrackets}); each sign change from + to −
 * brackets an interior maximum, solved by the same safeguarded Newton iteration inside that bracket, and
 * the estimate is the global maximiser among τ² = 0, the root found first and those maxima (another
 * candidate must beat the incumbent by more than 10⁻¹²·max(1, k + yᵀP(0)y), the rounding level of ℓ). So
 * with yᵢ = (0.39, 0 ×8, −2) and vᵢ from 0.013 to 0.5, ML gives 0.017488 (ℓ 8.6e-8 above ℓ(0)) as
 * metafor does, not 0. Fits that end at an interior maximum that beats τ² = 0 run the grid only where the
 * variances lie over four orders of magnitude apart (two interior maxima are possible there).
 * Leaves the kernel evaluated at the estimate unless it is 0.
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
    boundaryTried = false,
    boundaryStop = false;
  let iterations = 0,
    converged = false,
    prevSize = Number.POSITIVE_INFINITY;
  const iterate = (budget: number) => {
    const until = iterations + budget;
    while (iterations < until) {
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
          converged = true; // a maximum on the boundary (see the interior check below)
          boundaryStop = true;
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
  };
  iterate(maxiter);
  if (method === 'EB') return out.set(t, iterations, converged);
  // ℓ(τ²) − ℓ(0), leaving the kernel evaluated at τ²
  const zeroCheck = zero;
  const gainOverZero = (tau2: number) => {
    kernel.evaluate(tau2);
    const L = kernel.logVarianceRatio(tau2);
    const dLogdet = kernel.interceptOnly
      ? Math.log(kernel.sumW / zeroCheck.sumW)
      : kernel.logdetA - (Number.isNaN(zeroCheck.logdetA) ? logdetAtZero(kernel, tau2) : zeroCheck.logdetA);
    return -0.5 * (L + (method === 'REML' ? dLogdet : 0) + kernel.RSS - zeroCheck.RSS);
  };
  let best = 0,
    bestGain = 0,
    scan = boundaryStop && t === 0;
  if (t > 0 && Number.isFinite(t)) {
    const gain = gainOverZero(t);
    // (a gain that is not a number, at scales where the sums underflow, keeps τ̂² as before)
    if (!(gain < 0)) {
      best = t;
      bestGain = Number.isNaN(gain) ? 0 : gain;
    }
    // an interior root of f that loses to τ² = 0, or where f increases (a minimum of ℓ): look further
    // (not where the information underflows, as the iteration's curvature)
    const info = method === 'REML' ? kernel.trPP : kernel.sumW2;
    scan = converged && (best === 0 || (info > TINY_INFORMATION && !(2 * kernel.yPPPy > info)));
    // variances over four orders of magnitude apart can make the likelihood bimodal with two interior maxima
    // (yᵢ = −0.92, 0, 0, 0.077, −1.52 with vᵢ from 4.5e-4 to 238: REML's iteration found 0.0031, the global
    // maximum is 0.1160): there the grid runs also after an interior maximum that beats τ² = 0
    if (converged && best > 0 && !scan && varianceSpread(kernel) > 1e4) scan = true;
  }
  if (scan) {
    // the global maximum among τ² = 0, the root found and the interior maxima bracketed on a grid
    const margin = 1e-12 * Math.max(1, k + zero.RSS);
    let bestIterations = iterations;
    for (const [a, b] of interiorBrackets(kernel, method, scale)) {
      lo = a;
      hi = b;
      t = a;
      boundaryTried = true;
      converged = false;
      prevSize = Number.POSITIVE_INFINITY;
      iterate(maxiter);
      if (!(converged && t > 0 && Number.isFinite(t))) continue;
      const gain = gainOverZero(t);
      if (gain > bestGain + margin) {
        best = t;
        bestGain = gain;
        bestIterations = iterations;
      }
    }
    converged = true;
    iterations = bestIterations;
  }
  if (best > 0) kernel.evaluate(best);
  return out.set(best, iterations, converged);
}

/**
 * The estimating equation f of ML or REML at the kernel's current τ² (twice the score; see
 * {@link tau2Likelihood}).
 */
function estimatingEquation(kernel: Kernel, method: 'ML' | 'REML'): number {
  return method === 'REML' ? kernel.yPPy - kernel.trP : kernel.yPPy - kernel.sumW;
}

/** max vᵢ/min vᵢ of the kernel's studies. */
function varianceSpread(kernel: Kernel): number {
  let lo = Number.POSITIVE_INFINITY,
    hi = 0;
  for (let i = 0; i < kernel.k; i++) {
    const v = kernel.vi[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi / lo;
}

/** Grid points of the interior search, at most this many. */
const INTERIOR_GRID_POINTS = 48;

/**
 * Brackets [a, b] of the interior maxima of the (restricted) log-likelihood, where f changes sign from
 * + to −, found on a coarse geometric grid of τ² from 10⁻³ times the smaller of the stopping scale s and the
 * harmonic mean k/Σ(1/vᵢ) (the variances of the studies that carry the weight) to
 * 8·max(Σ(yᵢ − ȳ)², s), the scale of the squared residuals (a root of f has τ² below the largest (yᵢ − ŷᵢ)²
 * of an intercept-only model, and (yᵢ − ŷᵢ)² ≤ 2Σ(yᵢ − ȳ)²), with ratio 1.5 between points (coarser when
 * that needs more than 48 points). An upper end b = ∞ means f is still positive at the top of the grid.
 */
function interiorBrackets(kernel: Kernel, method: 'ML' | 'REML', scale: number): [number, number][] {
  // the bottom from the studies that carry the weight (their harmonic mean): one imprecise study (vᵢ = 88,243
  // among vᵢ of 1e-4 … 0.3) lifted the arithmetic mean, and so the grid, above an interior maximum at 0.68
  const top = 8 * Math.max(sumOfSquaredDeviations(kernel.yi, kernel.k), scale),
    bottom = 1e-3 * Math.min(scale, kernel.k / sumOfReciprocals(kernel.vi, kernel.k));
  const brackets: [number, number][] = [];
  if (!(top > bottom) || !Number.isFinite(top) || !(bottom > 0)) return brackets;
  const ratio = Math.max(1.5, (top / bottom) ** (1 / INTERIOR_GRID_POINTS));
  let a = Number.NaN;
  for (let tau2 = bottom; ; tau2 *= ratio) {
    const at = Math.min(tau2, top);
    const f = estimatingEquation(kernel.evaluate(at), method);
    if (f > 0) {
      if (Number.isNaN(a)) a = at;
    } else if (f < 0 && !Number.isNaN(a)) {
      brackets.push([a, at]);
      a = Number.NaN;
    }
    if (at >= top) break;
  }
  if (!Number.isNaN(a)) brackets.push([a, Number.POSITIVE_INFINITY]);
  return brackets;
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
 * {@link likelihoodStandardError} of an intercept-only model in logarithms (./log-traces.ts): log SE =
 * ½(log 2 − log Σwᵢ²) for ML and ½(log 2 − log tr(PP)) for REML, at τ̂².
 */
export function likelihoodLogStandardError(m: LogModel, method: 'ML' | 'REML'): number {
  const logW = logWeightsAt(m.logVi, m.logTau2);
  if (method === 'REML') return 0.5 * (Math.LN2 - logTracePSigmaPSigma(logW, new Float64Array(m.k)));
  return 0.5 * (Math.LN2 - logSumExp(logW.map((l) => 2 * l)));
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
  let s = 0;
  for (let i = 0; i < k; i++) s += vi[i] as number;
  return Math.min(s / k, (1e6 * k) / sumOfReciprocals(vi, k));
}

/** Σ 1/vᵢ over the first `k` of `vi` (k/Σ(1/vᵢ) is the harmonic mean of the variances). */
function sumOfReciprocals(vi: ArrayLike<number>, k: number): number {
  let h = 0;
  for (let i = 0; i < k; i++) h += 1 / (vi[i] as number);
  return h;
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
