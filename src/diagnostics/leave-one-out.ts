import type { RmaFit } from '../models/rma.ts';
import { assertApplicable, assertRmaFit, firstReason, needsStudies, type NotApplicable } from './applicability.ts';
import { refitSeries, type RefitSeries } from './refits.ts';

/** Row i: the model refitted without study i (same method, test and level). */
export type LeaveOneOut = RefitSeries;

/** Why leave-one-out cannot run (null when it can): k ≥ 2, and no moderators (as metafor's leave1out). */
export function leaveOneOutApplicability(fit: RmaFit): NotApplicable {
  return firstReason(
    fit.p > 1
      ? "defined for models without moderators, as in metafor's leave1out; influence diagnostics take moderators"
      : null,
    needsStudies(fit.k, 2),
  );
}

/**
 * Leave-one-out analysis (metafor `leave1out`): the model of `fit` refitted k times, each time
 * without one study. For models with moderators the first coefficient is reported.
 *
 * Reference: Viechtbauer W, Cheung MW-L (2010). Outlier and influence diagnostics for
 * meta-analysis. Res Synth Methods 1(2):112–125. doi:10.1002/jrsm.11. Cross-check: `leave1out(res)`.
 */
export function leaveOneOut(fit: RmaFit): LeaveOneOut {
  assertRmaFit(fit, 'leaveOneOut');
  assertApplicable(leaveOneOutApplicability(fit), 'leave-one-out');
  const all = Array.from({ length: fit.k }, (_, i) => i);
  return refitSeries(fit, fit.k, (i) => all.filter((j) => j !== i));
}
