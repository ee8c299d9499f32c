/** Measures of one group's quantitative outcome: raw mean, log mean, log coefficient of variation, log SD. */
import { EvsynthError } from '../core/errors.ts';
import type { EffectColumns } from './options.ts';
import type { RowResults } from './result.ts';
import { checkSampleSize, checkSd, rowwise } from './rowwise.ts';
import { logCv, logSd } from './variability.ts';

/**
 * One group's mean mi, standard deviation sdi (of the observations, not the standard error) and size ni
 * (metafor `measure="MN"`, `"MNLN"`, `"CVLN"`, `"SDLN"`):
 *
 * ```text
 * MN:   yi = m,                         vi = sd²/n
 * MNLN: yi = ln m,                      vi = sd²/(n·m²)
 * CVLN: yi = ln(sd/m) + 1/(2(n−1)),     vi = 1/(2(n−1)) + sd²/(n·m²)
 * SDLN: yi = ln sd + 1/(2(n−1)),        vi = 1/(2(n−1))          (sdi and ni only)
 * ```
 *
 * A negative mean is an error for MNLN and CVLN (as in metafor); rows with a zero mean (MNLN, CVLN), a zero
 * SD (CVLN, SDLN) or n = 1 (CVLN, SDLN) are not estimable.
 *
 * References: Nakagawa S et al. (2015). Methods Ecol Evol 6(2):143–152 (CVLN eq. 27 without the −2ρ
 * term; SDLN eqs. 5–6); Raudenbush SW, Bryk AS (1987). Examining correlates of diversity. J Educ Stat
 * 12(3):241–269. Cross-check: metafor's `escalc` documentation (measures for quantitative variables of
 * individual groups).
 */
export function singleMean(measure: 'MN' | 'MNLN' | 'CVLN' | 'SDLN', cols: EffectColumns, k: number): RowResults {
  const names = measure === 'SDLN' ? (['sdi', 'ni'] as const) : (['mi', 'sdi', 'ni'] as const);
  return rowwise(measure, cols, k, names, (r, i, out) => {
    checkSampleSize(r.ni, i, 'ni', measure);
    checkSd(r.sdi, i, 'sdi');
    const m = (r as typeof r & { mi: number }).mi;
    if ((measure === 'MNLN' || measure === 'CVLN') && m < 0)
      throw new EvsynthError('INVALID_VALUE', `mi is ${m}; ${measure} needs a mean ≥ 0 (a ratio-scale outcome)`, {
        row: i,
        column: 'mi',
      });
    const why = `${measure} not estimable (${measure === 'SDLN' ? 'a zero SD or n = 1' : 'a non-positive mean, a zero SD or n = 1'})`;
    switch (measure) {
      case 'MN':
        return out.set(i, m, (r.sdi * r.sdi) / r.ni, 'MN not finite');
      case 'MNLN':
        return out.set(i, Math.log(m), (r.sdi * r.sdi) / (r.ni * m * m), why);
      case 'CVLN': {
        const e = logCv(m, r.sdi, r.ni);
        return out.set(i, e.y, e.v, why);
      }
      case 'SDLN': {
        const e = logSd(r.sdi, r.ni);
        return out.set(i, e.y, e.v, why);
      }
    }
  });
}
