import type { RmaFit } from '../models/rma.ts';
import { refitSeries, type RefitSeries } from './refits.ts';

/** Row i: the model refitted without study i (same method, test and level). */
export type LeaveOneOut = RefitSeries;

/**
 * Leave-one-out analysis (metafor `leave1out`): the model of `fit` refitted k times, each time
 * without one study. For models with moderators the first coefficient is reported.
 *
 * Reference: Viechtbauer W, Cheung MW-L (2010). Outlier and influence diagnostics for
 * meta-analysis. Res Synth Methods 1(2):112–125. doi:10.1002/jrsm.11. Cross-check: `leave1out(res)`.
 */
export function leaveOneOut(fit: RmaFit): LeaveOneOut {
  const all = Array.from({ length: fit.k }, (_, i) => i);
  return refitSeries(
    fit,
    all.map((i) => all.filter((j) => j !== i)),
  );
}
