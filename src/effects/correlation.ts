import { EvsynthError } from '../core/errors.ts';
import { hyp2f1HalfHalf, hyp2f1OneOne } from '../core/numeric/hypergeometric.ts';
import type { EffectColumns, Vtype } from './options.ts';
import type { RowResults } from './result.ts';
import { checkRange, rowwise, weightedAverage } from './rowwise.ts';

/**
 * Correlation coefficients ri of samples of ni (metafor `measure="COR"`, `"UCOR"` and `"ZCOR"`):
 *
 * ```text
 * COR:  yi = r
 * UCOR: yi = r·₂F₁(½, ½; (n − 2)/2; 1 − r²)          (Olkin & Pratt 1958, eq. 2.3; needs n ≥ 5)
 * ZCOR: yi = atanh(r),   vi = 1/(n − 3)             (Fisher's r-to-z; needs n ≥ 4)
 *
 * COR, UCOR:
 *   LS: vi = (1 − yi²)²/(n − 1)                     (Borenstein 2009, eq. 12.27)
 *   UB: vi = yi² − [1 − (n − 3)/(n − 2)·(1 − r²)·₂F₁(1, 1; n/2; 1 − r²)]   (UCOR only; Hedges 1989, exact form)
 *   AV: vi = (1 − ȳ²)²/(n − 1),  ȳ = Σ n·yi / Σ n over the estimable rows
 * ```
 *
 * References: Fisher RA (1921). Metron 1:3–32; Olkin I, Pratt JW (1958). Unbiased estimation of certain
 * correlation coefficients. Ann Math Stat 29(1):201–211; Hedges LV (1989). An unbiased correction for
 * sampling error in validity generalization studies. J Appl Psychol 74(3):469–477. Cross-check: metafor's
 * `escalc` documentation (measures for two quantitative variables).
 */
export function correlation(
  measure: 'COR' | 'UCOR' | 'ZCOR',
  cols: EffectColumns,
  k: number,
  vtype: Vtype = 'LS',
): RowResults {
  const minN = measure === 'COR' ? 2 : 4;
  const yi = new Float64Array(k).fill(Number.NaN);
  const r = new Float64Array(k),
    n = new Float64Array(k);
  const out = rowwise(measure, cols, k, ['ri', 'ni'], (row, i, res) => {
    checkRange(row.ri, -1, 1, i, 'ri', 'a correlation');
    if (!(row.ni >= minN))
      throw new EvsynthError('INVALID_VALUE', `ni is ${row.ni}; ${measure} needs a sample size of at least ${minN}`, {
        row: i,
        column: 'ni',
      });
    if (measure === 'ZCOR') {
      res.set(i, Math.atanh(row.ri), 1 / (row.ni - 3), 'ZCOR not estimable: |r| = 1');
      return;
    }
    if (measure === 'UCOR' && row.ni < 5) {
      res.exclude(i, 'UCOR not estimable: the bias correction needs ni ≥ 5');
      return;
    }
    r[i] = row.ri;
    n[i] = row.ni;
    yi[i] = measure === 'COR' ? row.ri : olkinPratt(row.ri, row.ni);
  });
  if (measure === 'ZCOR') return out;
  const ybar = vtype === 'AV' ? weightedAverage(yi, n) : 0;
  for (let i = 0; i < k; i++) {
    if (out.reasons.has(i) || Number.isNaN(yi[i] as number)) continue;
    const y = yi[i] as number,
      ni = n[i] as number,
      ri = r[i] as number;
    const v =
      vtype === 'UB'
        ? y * y - (1 - ((ni - 3) / (ni - 2)) * (1 - ri * ri) * hyp2f1OneOne(ni / 2, 1 - ri * ri))
        : vtype === 'AV'
          ? (1 - ybar * ybar) ** 2 / (ni - 1)
          : (1 - y * y) ** 2 / (ni - 1);
    out.set(i, y, v, `${measure} not estimable`);
  }
  return out;
}

/** The Olkin–Pratt unbiased estimate of a correlation from r in a sample of n (n ≥ 5). */
function olkinPratt(r: number, n: number): number {
  if (r === 0) return 0;
  return r * hyp2f1HalfHalf((n - 2) / 2, 1 - r * r);
}
