/**
 * Change within one group (or between matched pairs): means m1i, m2i and SDs sd1i, sd2i at two occasions,
 * the correlation ri between them and the sample size ni.
 */
import type { EffectColumnName, EffectColumns } from './options.ts';
import type { RowResults } from './result.ts';
import { checkRange, checkSampleSize, checkSd, rowwise, type Row } from './rowwise.ts';
import { hedgesCorrection } from './smd.ts';

export type PairedMeasure = 'MC' | 'SMCC' | 'SMCR' | 'SMCRH' | 'ROMC' | 'CVRC' | 'VRC';

const ALL = ['m1i', 'm2i', 'sd1i', 'sd2i', 'ni', 'ri'] as const;
type PairedRow = Row<(typeof ALL)[number]>;

/** The columns each paired measure reads (SMCR standardizes by sd1i only; VRC needs no means). */
export const PAIRED_INPUTS: Readonly<Record<PairedMeasure, readonly EffectColumnName[]>> = {
  MC: ALL,
  SMCC: ALL,
  SMCR: ['m1i', 'm2i', 'sd1i', 'ni', 'ri'],
  SMCRH: ALL,
  ROMC: ALL,
  CVRC: ALL,
  VRC: ['sd1i', 'sd2i', 'ni', 'ri'],
};

/**
 * Paired-design measures (metafor `measure="MC"`, `"SMCC"`, `"SMCR"`, `"SMCRH"`, `"ROMC"`, `"CVRC"`,
 * `"VRC"`), with s_d² = sd₁² + sd₂² − 2r·sd₁sd₂ the variance of the change scores and c(m) Hedges'
 * correction:
 *
 * ```text
 * MC:    yi = m₁ − m₂,                       vi = s_d²/n
 * SMCC:  yi = c(n−1)·(m₁ − m₂)/s_d,          vi = 1/n + yi²/(2n)                 (Gibbons et al. 1993)
 * SMCR:  yi = c(n−1)·(m₁ − m₂)/sd₁,          vi = 2(1 − r)/n + yi²/(2n)          (Becker 1988)
 * SMCRH: yi = c(n−1)·(m₁ − m₂)/sd₁,          vi = c(n−1)²·[s_d²/(sd₁²(n−1)) + yi²/(2(n−1))]   (Bonett 2008)
 * ROMC:  yi = ln(m₁/m₂),                     vi = sd₁²/(n·m₁²) + sd₂²/(n·m₂²) − 2r·sd₁sd₂/(n·m₁m₂)   (Lajeunesse 2011)
 * VRC:   yi = ln(sd₁/sd₂),                   vi = (1 − r²)/(n − 1)
 * CVRC:  yi = ln((sd₁/m₁)/(sd₂/m₂)),         vi = (1 − r²)/(n − 1) + sd₁²/(n·m₁²) + sd₂²/(n·m₂²) − 2r·sd₁sd₂/(n·m₁m₂)
 * ```
 *
 * (The bias corrections 1/(2(n − 1)) of the log SDs cancel in VRC and CVRC; their variances are Nakagawa
 * et al.'s with the covariance r² / (2(n − 1)) of two dependent log SDs.) Rows where a measure is not
 * defined (SMC* with n < 3, log ratios of non-positive values, a zero SD) are not estimable.
 *
 * References: Becker BJ (1988). Br J Math Stat Psychol 41(2):257–278; Gibbons RD, Hedeker DR, Davis JM
 * (1993). J Educ Stat 18(3):271–279; Bonett DG (2008). Psychol Methods 13(2):99–109; Lajeunesse MJ (2011).
 * Ecology 92(11):2049–2055; Morris SB (2000). Br J Math Stat Psychol 53(1):17–29; Nakagawa S et al. (2015).
 * Methods Ecol Evol 6(2):143–152. Cross-check: metafor's `escalc` documentation (measures for change or
 * matched pairs).
 */
export function paired(measure: PairedMeasure, cols: EffectColumns, k: number): RowResults {
  return rowwise(measure, cols, k, PAIRED_INPUTS[measure], (row, i, out) => {
    const r = row as PairedRow;
    checkSampleSize(r.ni, i, 'ni', measure);
    checkRange(r.ri, -1, 1, i, 'ri', 'a correlation');
    checkSd(r.sd1i, i, 'sd1i');
    if (r.sd2i !== undefined) checkSd(r.sd2i, i, 'sd2i');
    const n = r.ni;
    const sd2 = r.sd1i ** 2 + r.sd2i ** 2 - 2 * r.ri * r.sd1i * r.sd2i;
    const why = `${measure} not estimable with these values (n too small, a zero SD or a non-positive mean)`;
    if (measure === 'SMCC' || measure === 'SMCR' || measure === 'SMCRH') {
      if (n < 3) {
        out.exclude(i, `${measure} not estimable: Hedges' correction needs ni − 1 ≥ 2`);
        return;
      }
      const c = hedgesCorrection(n - 1);
      const y = (c * (r.m1i - r.m2i)) / (measure === 'SMCC' ? Math.sqrt(sd2) : r.sd1i);
      const v =
        measure === 'SMCC'
          ? 1 / n + (y * y) / (2 * n)
          : measure === 'SMCR'
            ? (2 * (1 - r.ri)) / n + (y * y) / (2 * n)
            : c * c * (sd2 / (r.sd1i ** 2 * (n - 1)) + (y * y) / (2 * (n - 1)));
      out.set(i, y, v, why);
      return;
    }
    const cvTerms = () =>
      r.sd1i ** 2 / (n * r.m1i ** 2) +
      r.sd2i ** 2 / (n * r.m2i ** 2) -
      (2 * r.ri * r.sd1i * r.sd2i) / (n * r.m1i * r.m2i);
    switch (measure) {
      case 'MC':
        return out.set(i, r.m1i - r.m2i, sd2 / n, why);
      case 'ROMC':
        return out.set(i, Math.log(r.m1i / r.m2i), cvTerms(), why);
      case 'VRC':
        return out.set(i, Math.log(r.sd1i / r.sd2i), (1 - r.ri ** 2) / (n - 1), why);
      case 'CVRC':
        return out.set(i, Math.log(r.sd1i / r.m1i / (r.sd2i / r.m2i)), (1 - r.ri ** 2) / (n - 1) + cvTerms(), why);
    }
  });
}
