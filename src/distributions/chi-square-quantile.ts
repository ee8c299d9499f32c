// In a module of its own so that code needing only this quantile (the Paule–Mandel median estimator, which the
// GOSH worker threads load) does not load every distribution.
import chisqQuantile from '@stdlib/stats-base-dists-chisquare-quantile';

/**
 * Chi-square quantile, the inverse of `pchisq` (./index.ts): x with P(df/2, x/2) = p (R: `qchisq(p, df)`); NaN for p
 * outside [0, 1] or df < 0.
 *
 * Reference: Abramowitz & Stegun (1964) 26.4; computed by @stdlib/stats-base-dists-chisquare-quantile.
 */
export function qchisq(p: number, df: number): number {
  return chisqQuantile(p, df);
}
