/** The per-row loop and input checks that the measures without zero-cell rules share. */
import { EvsynthError } from '../core/errors.ts';
import { assertNonNegative, firstMissing, requireColumns } from './columns.ts';
import type { EffectColumnName, EffectColumns } from './options.ts';
import { RowResults } from './result.ts';

/** One input row's values by column name (none missing). */
export type Row<N extends EffectColumnName> = Readonly<Record<N, number>>;

/**
 * Computes a measure row by row from the columns `names` (all required): rows with a missing value are
 * excluded with the column's name; `compute` sees the other rows and stores or excludes each.
 */
export function rowwise<N extends EffectColumnName>(
  measure: string,
  cols: EffectColumns,
  k: number,
  names: readonly N[],
  compute: (r: Row<N>, i: number, out: RowResults) => void,
): RowResults {
  const c = requireColumns(cols, names, measure);
  const out = new RowResults(k);
  for (let i = 0; i < k; i++) {
    const miss = firstMissing(c, names, i);
    if (miss !== undefined) {
      out.exclude(i, `missing value in column '${miss}'`);
      continue;
    }
    const r = {} as Record<N, number>;
    for (const n of names) r[n] = c[n][i] as number;
    compute(r, i, out);
  }
  return out;
}

/** Throws INVALID_VALUE unless a sample size is at least `min` (1 unless a measure needs more). */
export function checkSampleSize(n: number, row: number, column: EffectColumnName, measure: string, min = 1): void {
  if (!(n >= min) || n === Number.POSITIVE_INFINITY)
    throw new EvsynthError('INVALID_VALUE', `${column} is ${n}; ${measure} needs a sample size of at least ${min}`, {
      row,
      column,
    });
}

/** Throws NEGATIVE_VALUE for a negative standard deviation. */
export function checkSd(sd: number, row: number, column: EffectColumnName): void {
  assertNonNegative(sd, row, column, `${column} (standard deviation)`);
}

/** Throws INVALID_VALUE unless lo ≤ value ≤ hi. */
export function checkRange(
  value: number,
  lo: number,
  hi: number,
  row: number,
  column: EffectColumnName,
  what: string,
): void {
  if (!(value >= lo && value <= hi))
    throw new EvsynthError('INVALID_VALUE', `${column} is ${value}; expected ${what} between ${lo} and ${hi}`, {
      row,
      column,
    });
}

/**
 * The sample-size weighted average of the finite `y` (weights `w`), for metafor's vtype "AV" (the
 * average effect plugged into the large-sample variance of every row).
 */
export function weightedAverage(y: ArrayLike<number>, w: ArrayLike<number>): number {
  let sw = 0,
    swy = 0;
  for (let i = 0; i < y.length; i++) {
    const yi = y[i] as number,
      wi = w[i] as number;
    if (!Number.isFinite(yi) || !Number.isFinite(wi)) continue;
    sw += wi;
    swy += wi * yi;
  }
  return swy / sw;
}
