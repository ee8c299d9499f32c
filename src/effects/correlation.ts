import { EvsynthError } from '../core/errors.ts';
import { firstMissing, requireColumns } from './columns.ts';
import { RowResults } from './result.ts';
import type { EffectColumns } from './options.ts';

/**
 * Correlation coefficients (metafor `measure="COR"` and `"ZCOR"`):
 *
 * ```text
 * COR:  yi = r,          vi = (1 − r²)²/(n − 1)
 * ZCOR: yi = atanh(r),   vi = 1/(n − 3)      (Fisher's r-to-z)
 * ```
 *
 * Reference: Fisher RA (1921). On the "probable error" of a coefficient of correlation
 * deduced from a small sample. Metron 1:3–32. Cross-check: `metafor::escalc(measure="ZCOR")`.
 */
export function correlation(measure: 'COR' | 'ZCOR', cols: EffectColumns, k: number): RowResults {
  const c = requireColumns(cols, ['ri', 'ni'], measure);
  const out = new RowResults(k);
  const minN = measure === 'ZCOR' ? 4 : 2;
  for (let i = 0; i < k; i++) {
    const miss = firstMissing(c, ['ri', 'ni'], i);
    if (miss !== undefined) {
      out.exclude(i, `missing value in column '${miss}'`);
      continue;
    }
    const r = c.ri[i] as number,
      n = c.ni[i] as number;
    if (!(r >= -1 && r <= 1))
      throw new EvsynthError('INVALID_VALUE', `ri is ${r}; expected a correlation between −1 and 1`, {
        row: i,
        column: 'ri',
      });
    if (!(n >= minN))
      throw new EvsynthError('INVALID_VALUE', `ni is ${n}; ${measure} needs a sample size of at least ${minN}`, {
        row: i,
        column: 'ni',
      });
    if (measure === 'COR') out.set(i, r, (1 - r * r) ** 2 / (n - 1), 'COR not estimable');
    else out.set(i, Math.atanh(r), 1 / (n - 3), 'ZCOR not estimable: |r| = 1');
  }
  return out;
}
