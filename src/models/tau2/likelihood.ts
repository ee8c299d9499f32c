import { brent } from '../../core/numeric/root.ts';
import { meanOf, type Kernel } from '../kernel.ts';
import { tau2Hedges } from './hedges.ts';
import { TAU2_CONTROL_DEFAULTS, type Tau2Control, type Tau2Estimate } from './types.ts';

export type LikelihoodMethod = 'ML' | 'REML' | 'EB';

/**
 * Fisher-scoring step Δτ² for each likelihood-type estimator at the kernel's current τ²: score/information.
 * A zero score is a stationary point (step 0) even where the information is 0 too (no study carries
 * weight at this τ²); otherwise a non-finite ratio is returned as is and stops the iteration.
 */
function scoringStep(kernel: Kernel, method: LikelihoodMethod): number {
  const s = score(kernel, method);
  if (s === 0) return 0;
  const { sumW, sumW2, trPP } = kernel;
  switch (method) {
    case 'REML':
      return s / trPP;
    case 'ML':
      return s / sumW2;
    case 'EB':
      return s / sumW;
  }
}

/** The estimating equation whose root the scoring step seeks (its sign is the step's sign). */
function score(kernel: Kernel, method: LikelihoodMethod): number {
  const { k, p, RSS, yPPy, trP, sumW } = kernel;
  switch (method) {
    case 'REML':
      return yPPy - trP;
    case 'ML':
      return yPPy - sumW;
    case 'EB':
      return (RSS * k) / (k - p) - k;
  }
}

/** Log-likelihood (ML or restricted) at the kernel's current τ², up to the 2π constant. */
function logLikCore(kernel: Kernel, restricted: boolean): number {
  return -0.5 * (kernel.sumLogV + kernel.RSS + (restricted ? kernel.logdetA : 0));
}

/**
 * Maximum likelihood (ML), restricted maximum likelihood (REML) and empirical Bayes (EB)
 * estimators of τ², by Fisher scoring from max(0, HE), with the step halved while it
 * would make τ² negative:
 *
 * ```text
 * REML: Δ = (yᵀPPy − tr P)/tr(PP)
 * ML:   Δ = (yᵀPPy − Σwᵢ)/Σwᵢ²
 * EB:   Δ = (yᵀPy·k/(k − p) − k)/Σwᵢ
 * ```
 *
 * Iterates until |Δτ²| ≤ threshold·max(τ², mean vᵢ) (default 1e-13, far tighter than
 * metafor's default 1e-5) or `maxiter`; when the steps alternate in sign, the last two iterates
 * bracket the root of the estimating equation, which Brent's method then finds; then, as metafor's `ll0check`, keeps τ² = 0 if the
 * (restricted) log-likelihood is higher there. EB is the Morris (1983) estimator, whose
 * fixed point is also Paule–Mandel's.
 *
 * References: Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators
 * in the random-effects model. J Educ Behav Stat 30(3):261–293. doi:10.3102/10769986030003261;
 * Morris CN (1983). J Am Stat Assoc 78(381):47–55. Cross-check: `rma(method="ML"|"REML"|"EB")`.
 */
export function tau2Likelihood(kernel: Kernel, method: LikelihoodMethod, control: Tau2Control = {}): Tau2Estimate {
  const threshold = control.threshold ?? TAU2_CONTROL_DEFAULTS.threshold;
  const maxiter = control.maxiter ?? TAU2_CONTROL_DEFAULTS.maxiter;
  let tau2 = control.tau2Init ?? tau2Hedges(kernel).tau2;
  const scale = meanOf(kernel.vi);
  let iterations = 0;
  let converged = false;
  let prevStep = Number.POSITIVE_INFINITY,
    prevTau2 = Number.NaN,
    prevSigned = 0;
  while (iterations < maxiter) {
    iterations++;
    kernel.evaluate(tau2);
    let step = scoringStep(kernel, method);
    if (!Number.isFinite(step)) break; // no information (0/0 aside): flagged as not converged
    // halve a step that would leave [0, ∞); at most 1075 halvings take any finite step to 0
    for (let h = 0; tau2 + step < 0 && h < 1100; h++) step /= 2;
    if (tau2 + step < 0) step = -tau2;
    const size = Math.abs(step),
      tol = threshold * Math.max(tau2 + step, scale);
    // converged: below the threshold, or no longer shrinking once at the level of rounding noise
    // (with very many studies the sums carry errors larger than the threshold)
    if (size <= tol || (size >= prevStep && size <= 1e4 * tol)) {
      tau2 += step;
      converged = true;
      break;
    }
    // Fisher scoring that overshoots back and forth converges slowly: the last two iterates bracket
    // the root of the estimating equation, so finish with Brent's method on that bracket.
    if (iterations > 2 && prevSigned * step < 0 && tau2 > 0 && prevTau2 > 0) {
      const lo = Math.min(prevTau2, tau2),
        hi = Math.max(prevTau2, tau2);
      const r = brent((t) => score(kernel.evaluate(t), method), lo, hi);
      if (r.converged) {
        tau2 = r.root;
        iterations += r.iterations;
        converged = true;
        break;
      }
    }
    prevTau2 = tau2;
    prevSigned = step;
    prevStep = size;
    tau2 += step;
  }
  if (method !== 'EB' && tau2 > 0) {
    const restricted = method === 'REML';
    const llHat = logLikCore(kernel.evaluate(tau2), restricted);
    const ll0 = logLikCore(kernel.evaluate(0), restricted);
    if (ll0 > llHat) tau2 = 0;
  }
  return { tau2, iterations, converged };
}

/** Standard error of τ̂² for ML, √(2/Σwᵢ²), and REML, √(2/tr(PP)), at τ̂² (the inverse expected information). */
export function likelihoodStandardError(kernel: Kernel, method: 'ML' | 'REML', tau2: number): number {
  kernel.evaluate(tau2);
  return Math.sqrt(2 / (method === 'REML' ? kernel.trPP : kernel.sumW2));
}
