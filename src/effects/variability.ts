/**
 * Measures of variability (Nakagawa et al. 2015): the bias-corrected log standard deviation and log
 * coefficient of variation, and their two-group ratios, the variability ratio (VR) and the coefficient of
 * variation ratio (CVR).
 */
import type { EffectColumns } from './options.ts';
import type { RowResults } from './result.ts';
import { checkSampleSize, checkSd, rowwise } from './rowwise.ts';

/**
 * Bias-corrected log standard deviation ln(s) + 1/(2(n − 1)) and its sampling variance 1/(2(n − 1))
 * (Nakagawa et al. 2015, eqs. 5–6; Raudenbush & Bryk 1987).
 */
export function logSd(sd: number, n: number): { y: number; v: number } {
  return { y: Math.log(sd) + 1 / (2 * (n - 1)), v: 1 / (2 * (n - 1)) };
}

/**
 * Bias-corrected log coefficient of variation ln(s/m) + 1/(2(n − 1)) with sampling variance
 * 1/(2(n − 1)) + s²/(n·m²) (Nakagawa et al. 2015, eqs. 26–27 without the −2ρ term: for normal data the
 * mean and the variance are independent).
 */
export function logCv(mean: number, sd: number, n: number): { y: number; v: number } {
  return { y: Math.log(sd / mean) + 1 / (2 * (n - 1)), v: 1 / (2 * (n - 1)) + (sd * sd) / (n * mean * mean) };
}

/**
 * Two-group ratios of variability (metafor `measure="VR"` and `"CVR"`):
 *
 * ```text
 * VR:  yi = [ln sd₁ + 1/(2(n₁−1))] − [ln sd₂ + 1/(2(n₂−1))],      vi = 1/(2(n₁−1)) + 1/(2(n₂−1))
 * CVR: yi = [ln(sd₁/m₁) + 1/(2(n₁−1))] − [ln(sd₂/m₂) + 1/(2(n₂−1))],
 *      vi = 1/(2(n₁−1)) + sd₁²/(n₁m₁²) + 1/(2(n₂−1)) + sd₂²/(n₂m₂²)
 * ```
 *
 * VR needs only n1i, sd1i, n2i, sd2i. Rows with a zero SD, a group of 1, or (CVR) a coefficient of
 * variation that is not positive are not estimable.
 *
 * Reference: Nakagawa S, Poulin R, Mengersen K, et al. (2015). Meta-analysis of variation: ecological and
 * evolutionary applications and beyond. Methods Ecol Evol 6(2):143–152. doi:10.1111/2041-210X.12309.
 * Cross-check: metafor's `escalc` documentation (measures "VR", "CVR").
 */
export function variabilityRatio(measure: 'VR' | 'CVR', cols: EffectColumns, k: number): RowResults {
  const names = measure === 'VR' ? (['n1i', 'sd1i', 'n2i', 'sd2i'] as const) : ARMS;
  return rowwise(measure, cols, k, names, (r, i, out) => {
    checkSampleSize(r.n1i, i, 'n1i', measure);
    checkSampleSize(r.n2i, i, 'n2i', measure);
    checkSd(r.sd1i, i, 'sd1i');
    checkSd(r.sd2i, i, 'sd2i');
    const why = `${measure} not estimable (a group of 1, a zero SD${measure === 'CVR' ? ', or a non-positive mean' : ''})`;
    if (measure === 'VR') {
      const a = logSd(r.sd1i, r.n1i),
        b = logSd(r.sd2i, r.n2i);
      out.set(i, a.y - b.y, a.v + b.v, why);
      return;
    }
    const { m1i, m2i } = r as typeof r & { m1i: number; m2i: number };
    const a = logCv(m1i, r.sd1i, r.n1i),
      b = logCv(m2i, r.sd2i, r.n2i);
    out.set(i, a.y - b.y, a.v + b.v, why);
  });
}

const ARMS = ['n1i', 'm1i', 'sd1i', 'n2i', 'm2i', 'sd2i'] as const;
