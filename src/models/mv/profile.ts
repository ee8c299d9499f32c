/**
 * Profile-likelihood confidence intervals for the variance and correlation components of a multilevel/
 * multivariate model (metafor `confint.rma.mv`): for component θ_j with estimate θ̂_j,
 *
 * ```text
 * ℓ_p(v) = max ℓ(θ) subject to θ_j = v                   (the other components re-estimated)
 * CI = { v : 2(ℓ(θ̂) − ℓ_p(v)) ≤ χ²_{1, level} }
 * ```
 *
 * The bounds are the roots of ℓ_p(v) − ℓ(θ̂) + χ²/2 on either side of θ̂, solved by Brent's method to double
 * precision; a bound is 0 (variances) or ±1 (correlations) when the profile never falls below the cut-off
 * inside the parameter space. Standard deviations are reported as the square roots of the variance bounds.
 *
 * Reference: Pawitan Y (2001). In All Likelihood, §2.6; Viechtbauer W (2010). J Stat Softw 36(3).
 * Cross-check: `confint(rma.mv(…), control = list(tol = 1e-10))`.
 */
import { brent } from '../../core/numeric/root.ts';
import { EvsynthError } from '../../core/errors.ts';
import { assertLevel } from '../../core/validate.ts';
import { qchisq } from '../../distributions/index.ts';
import type { ComponentKind, RmaMvFit } from './rma-mv.ts';

export interface ComponentInterval {
  readonly kind: ComponentKind;
  readonly index: number;
  readonly name: string;
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  /** The interval could not be bracketed on this side (the profile stays above the cut-off up to `limit`). */
  readonly lowerOpen: boolean;
  readonly upperOpen: boolean;
}

/** Profile-likelihood CIs of every estimated (non-fixed) component, in the order of `fit.components`. */
export function profileIntervals(fit: RmaMvFit, level = fit.level): ComponentInterval[] {
  assertLevel(level, 'profileIntervals');
  const problem = fit.problem;
  const llHat = fit.fitstats.ll;
  const cut = llHat - qchisq(level / 100, 1) / 2;
  const theta0 = Float64Array.from(problem.map.map(() => 0));
  // the estimates as internal parameters
  for (const c of problem.map) {
    const comp = fit.components.find((x) => x.kind === c.kind && x.index === c.index);
    if (comp === undefined) throw new EvsynthError('INVALID_ARGUMENT', 'profileIntervals: unknown component');
    theta0[c.theta] = problem.thetaOf(c, comp.estimate);
  }
  const out: ComponentInterval[] = [];
  for (const c of problem.map) {
    if (problem.fixed[c.theta]) continue;
    const comp = fit.components.find((x) => x.kind === c.kind && x.index === c.index)!;
    const est = comp.estimate;
    const isCorr = c.kind === 'rho' || c.kind === 'phi';
    let warm = Float64Array.from(theta0);
    const profile = (v: number): number => {
      const r = problem.maximise(warm, new Map([[c.theta, problem.thetaOf(c, v)]]));
      if (Number.isFinite(r.ll)) warm = Float64Array.from(r.theta);
      return (Number.isFinite(r.ll) ? r.ll : Number.NEGATIVE_INFINITY) - cut;
    };
    const lowLimit = isCorr ? -1 : 0;
    let lower: number,
      lowerOpen = false;
    warm = Float64Array.from(theta0);
    if (est <= lowLimit || profile(lowLimit) >= 0) lower = lowLimit;
    else {
      warm = Float64Array.from(theta0);
      lower = brent(profile, lowLimit, est).root;
      if (!Number.isFinite(lower)) {
        lower = lowLimit;
        lowerOpen = true;
      }
    }
    let upper: number,
      upperOpen = false;
    warm = Float64Array.from(theta0);
    if (isCorr) {
      if (est >= 1 || profile(1) >= 0) upper = 1;
      else {
        warm = Float64Array.from(theta0);
        upper = brent(profile, est, 1).root;
      }
    } else {
      let hi = Math.max(2 * est, est + Math.max(problem.scale[c.theta] as number, 1e-8));
      let tries = 0;
      while (profile(hi) >= 0 && tries < 60) {
        hi *= 2;
        tries++;
      }
      if (tries >= 60) {
        upper = hi;
        upperOpen = true;
      } else {
        warm = Float64Array.from(theta0);
        upper = brent(profile, est, hi).root;
      }
    }
    out.push({ kind: c.kind, index: c.index, name: comp.name, estimate: est, lower, upper, lowerOpen, upperOpen });
  }
  // leave the likelihood at the estimates
  problem.lik.evaluate(theta0, true);
  return out;
}
