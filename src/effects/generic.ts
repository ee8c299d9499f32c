import { EvsynthError } from '../core/errors.ts';
import { critical } from '../distributions/index.ts';
import { RowResults } from './result.ts';
import type { EffectColumns } from './options.ts';

/**
 * Generic inverse-variance input: each study's estimate `yi` with its sampling variance
 * `vi`, its standard error `sei` (vi = sei²), or a symmetric confidence interval
 * `ci_lb, ci_ub` at `ciLevel` percent (sei = (ci_ub − ci_lb)/(2·z_{1−α/2}), the Cochrane
 * Handbook's §6.3.1 rule). Intervals are on the analysis scale (log for ratios).
 *
 * Reference: Higgins JPT et al. (eds), Cochrane Handbook for Systematic Reviews of
 * Interventions v6.4, §6.3.1. Cross-check: `metafor::rma(yi, vi)` / `rma(yi, sei=)`.
 */
export function generic(cols: EffectColumns, k: number, ciLevel: number): RowResults {
  const { yi } = cols;
  if (yi === undefined)
    throw new EvsynthError(
      'MISSING_COLUMN',
      "generic input needs column 'yi' (with 'vi', 'sei', or 'ci_lb' and 'ci_ub')",
      { column: 'yi' },
    );
  const source =
    cols.vi !== undefined
      ? 'vi'
      : cols.sei !== undefined
        ? 'sei'
        : cols.ci_lb !== undefined && cols.ci_ub !== undefined
          ? 'ci'
          : undefined;
  if (source === undefined) {
    throw new EvsynthError(
      'MISSING_COLUMN',
      "generic input needs 'vi', 'sei', or both 'ci_lb' and 'ci_ub' beside 'yi'",
      { column: 'vi' },
    );
  }
  const z = critical(ciLevel);
  const out = new RowResults(k);
  for (let i = 0; i < k; i++) {
    const y = yi[i] as number;
    let v: number;
    let column: string;
    if (source === 'vi') {
      v = cols.vi?.[i] as number;
      column = 'vi';
    } else if (source === 'sei') {
      const s = cols.sei?.[i] as number;
      v = s * s;
      column = 'sei';
      if (s < 0)
        throw new EvsynthError('NEGATIVE_VALUE', `sei is ${s}; expected a standard error > 0`, { row: i, column });
    } else {
      const lb = cols.ci_lb?.[i] as number,
        ub = cols.ci_ub?.[i] as number;
      column = Number.isNaN(lb) ? 'ci_lb' : 'ci_ub';
      if (ub < lb)
        throw new EvsynthError('INVALID_VALUE', `ci_ub (${ub}) is below ci_lb (${lb})`, { row: i, column: 'ci_ub' });
      v = ((ub - lb) / (2 * z)) ** 2;
    }
    if (Number.isNaN(y)) {
      out.exclude(i, "missing value in column 'yi'");
      continue;
    }
    if (Number.isNaN(v)) {
      out.exclude(i, `missing value in column '${column}'`);
      continue;
    }
    if (v < 0)
      throw new EvsynthError('NEGATIVE_VALUE', `vi is ${v}; expected a sampling variance > 0`, { row: i, column });
    if (v === 0)
      throw new EvsynthError('NON_POSITIVE_VARIANCE', `${column} gives a sampling variance of 0; expected > 0`, {
        row: i,
        column,
      });
    out.set(i, y, v, 'not finite');
  }
  return out;
}
