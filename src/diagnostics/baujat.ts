import type { RmaFit } from '../models/rma.ts';
import { assertApplicable, assertRmaFit, firstReason, needsStudies, type NotApplicable } from './applicability.ts';
import { leaveOneOut } from './leave-one-out.ts';

/** Why Baujat coordinates cannot be computed (null when they can): k ≥ 2, no moderators. */
export function baujatApplicability(fit: RmaFit): NotApplicable {
  return firstReason(fit.p > 1 ? 'computed for models without moderators' : null, needsStudies(fit.k, 2));
}

export interface BaujatPoints {
  /** Contribution of each study to the heterogeneity: the squared Pearson residual (yᵢ − θ̂)²/(vᵢ + τ̂²). */
  readonly x: Float64Array;
  /** Influence on the pooled result: (θ̂₋ᵢ − θ̂)²/Var(θ̂₋ᵢ), from the fit without study i. */
  readonly y: Float64Array;
}

/**
 * Baujat plot coordinates for an intercept-only model (metafor `baujat.rma`).
 *
 * Reference: Baujat B, Mahé C, Pignon J-P, Hill C (2002). A graphical method for exploring
 * heterogeneity in meta-analyses: application to a meta-analysis of 65 trials. Stat Med
 * 21(18):2641–2652. doi:10.1002/sim.1221. Cross-check: `baujat(res)`.
 */
export function baujat(fit: RmaFit): BaujatPoints {
  assertRmaFit(fit, 'baujat');
  assertApplicable(baujatApplicability(fit), 'Baujat coordinates');
  const theta = fit.coefficients[0]?.estimate as number;
  const l1o = leaveOneOut(fit);
  const x = Float64Array.from(fit.yi, (y, i) => (y - theta) ** 2 / ((fit.vi[i] as number) + fit.tau2));
  const y = Float64Array.from(l1o.estimate, (e, i) => (e - theta) ** 2 / (l1o.se[i] as number) ** 2);
  return { x, y };
}
