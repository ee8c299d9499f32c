/** Partial and semi-partial correlations of a regression coefficient from its t statistic. */
import { EvsynthError } from '../core/errors.ts';
import type { EffectColumns } from './options.ts';
import type { RowResults } from './result.ts';
import { checkRange, checkSampleSize, rowwise } from './rowwise.ts';

/**
 * The (semi-)partial correlation of a predictor with the outcome from the t statistic ti of its coefficient
 * in a regression with mi predictors on ni observations (df = n − m − 1; metafor `measure="PCOR"`,
 * `"ZPCOR"`, `"SPCOR"`); SPCOR also needs the model's R² (r2i):
 *
 * ```text
 * PCOR:  yi = t/√(t² + df),                 vi = (1 − yi²)²/df
 * ZPCOR: yi = atanh(t/√(t² + df)),          vi = 1/df
 * SPCOR: yi = t·√(1 − R²)/√df,              vi = (R⁴ − 2R² + R²₋ − R²₋² + 1)/n,  R²₋ = R² − yi²
 * ```
 *
 * (R²₋ is the R² of the model without the predictor; R⁴ = (R²)².) The sign follows the t statistic. df ≤ 0
 * is an error (as in metafor); SPCOR rows whose R² is below yi² (inconsistent input) are not estimable.
 *
 * References: Aloe AM, Becker BJ (2012). An effect size for regression predictors in meta-analysis. J Educ
 * Behav Stat 37(2):278–297; Aloe AM, Thompson CG (2013). J Soc Social Work Res 4(4):390–405. Cross-check:
 * metafor's `escalc` documentation (partial and semi-partial correlations).
 */
export function partialCorrelation(measure: 'PCOR' | 'ZPCOR' | 'SPCOR', cols: EffectColumns, k: number): RowResults {
  const names = measure === 'SPCOR' ? (['ti', 'ni', 'mi', 'r2i'] as const) : (['ti', 'ni', 'mi'] as const);
  return rowwise(measure, cols, k, names, (r, i, out) => {
    checkSampleSize(r.ni, i, 'ni', measure);
    checkSampleSize(r.mi, i, 'mi', measure);
    const df = r.ni - r.mi - 1;
    if (!(df > 0))
      throw new EvsynthError(
        'INVALID_VALUE',
        `ni − mi − 1 = ${df}; ${measure} needs more observations than predictors + 1`,
        {
          row: i,
          column: 'ni',
        },
      );
    const t = r.ti;
    if (measure === 'SPCOR') {
      const r2 = (r as typeof r & { r2i: number }).r2i;
      checkRange(r2, 0, 1, i, 'r2i', 'an R²');
      const sr = (t * Math.sqrt(1 - r2)) / Math.sqrt(df);
      const rx = r2 - sr * sr;
      if (rx < 0) {
        out.exclude(i, `SPCOR not estimable: r2i = ${r2} is below the squared semi-partial correlation ${sr * sr}`);
        return;
      }
      out.set(i, sr, (r2 * r2 - 2 * r2 + rx - rx * rx + 1) / r.ni, 'SPCOR not estimable');
      return;
    }
    const pc = t / Math.sqrt(t * t + df);
    if (measure === 'PCOR') out.set(i, pc, (1 - pc * pc) ** 2 / df, 'PCOR not estimable');
    else out.set(i, Math.atanh(pc), 1 / df, 'ZPCOR not estimable');
  });
}
