/** Reliability generalization: Cronbach's alpha and its normalizing transformations. */
import { EvsynthError } from '../core/errors.ts';
import type { EffectColumns } from './options.ts';
import type { RowResults } from './result.ts';
import { checkSampleSize, rowwise } from './rowwise.ts';

/**
 * Cronbach's alpha ai of an instrument with mi items (parts) in ni people (metafor `measure="ARAW"`,
 * `"AHW"`, `"ABT"`):
 *
 * ```text
 * ARAW: yi = α,                   vi = 2m(1 − α)²/((m − 1)(n − 2))                 (Bonett 2002)
 * AHW:  yi = 1 − (1 − α)^{1/3},   vi = 18m(n − 1)(1 − α)^{2/3}/((m − 1)(9n − 11)²)  (Hakstian & Whalen 1976)
 * ABT:  yi = −ln(1 − α),          vi = 2m/((m − 1)(n − 2))                          (Bonett 2002)
 * ```
 *
 * (The transformations are metafor's increasing variants of Hakstian & Whalen's and Bonett's.) Rows with
 * α = 1, one item, or n ≤ 2 are not estimable.
 *
 * References: Bonett DG (2002). Sample size requirements for testing and estimating coefficient alpha.
 * J Educ Behav Stat 27(4):335–340; Bonett DG (2010). Psychol Methods 15(4):368–385; Hakstian AR, Whalen TE
 * (1976). A k-sample significance test for independent alpha coefficients. Psychometrika 41(2):219–231.
 * Cross-check: metafor's `escalc` documentation (Cronbach's alpha and transformations thereof).
 */
export function reliability(measure: 'ARAW' | 'AHW' | 'ABT', cols: EffectColumns, k: number): RowResults {
  return rowwise(measure, cols, k, ['ai', 'mi', 'ni'], (r, i, out) => {
    if (!(r.ai <= 1))
      throw new EvsynthError('INVALID_VALUE', `ai is ${r.ai}; expected Cronbach's alpha ≤ 1`, { row: i, column: 'ai' });
    checkSampleSize(r.mi, i, 'mi', measure);
    checkSampleSize(r.ni, i, 'ni', measure);
    const a = r.ai,
      m = r.mi,
      n = r.ni;
    const why = `${measure} not estimable (alpha = 1, one item, or ni ≤ 2)`;
    if (m < 2 || (measure !== 'AHW' && n <= 2)) {
      out.exclude(i, why);
      return;
    }
    switch (measure) {
      case 'ARAW':
        return out.set(i, a, (2 * m * (1 - a) ** 2) / ((m - 1) * (n - 2)), why);
      case 'AHW':
        return out.set(
          i,
          1 - (1 - a) ** (1 / 3),
          (18 * m * (n - 1) * (1 - a) ** (2 / 3)) / ((m - 1) * (9 * n - 11) ** 2),
          why,
        );
      case 'ABT':
        return out.set(i, -Math.log(1 - a), (2 * m) / ((m - 1) * (n - 2)), why);
    }
  });
}
