import { EvsynthError } from '../core/errors.ts';
import type { EffectColumnName, EffectColumns } from './options.ts';

/** Reads the required columns, or throws MISSING_COLUMN naming the measure. */
export function requireColumns<N extends EffectColumnName>(
  cols: EffectColumns,
  names: readonly N[],
  measure: string,
): Record<N, ArrayLike<number>> {
  const out = {} as Record<N, ArrayLike<number>>;
  for (const n of names) {
    const c = cols[n];
    if (c === undefined) {
      throw new EvsynthError('MISSING_COLUMN', `measure ${measure} needs column '${n}' (needs: ${names.join(', ')})`, {
        column: n,
      });
    }
    out[n] = c;
  }
  return out;
}

/** The number of rows, checking that all given columns have the same length. */
export function rowCount(cols: EffectColumns): number {
  let k = -1;
  for (const [name, c] of Object.entries(cols)) {
    if (c === undefined) continue;
    if (k === -1) k = c.length;
    else if (c.length !== k)
      throw new EvsynthError('LENGTH_MISMATCH', `column '${name}' has ${c.length} values, expected ${k}`, {
        column: name,
      });
  }
  return Math.max(k, 0);
}

/** Name of the first missing (NaN) value among `names` in row i, or undefined. */
export function firstMissing(
  cols: Record<string, ArrayLike<number>>,
  names: readonly string[],
  i: number,
): string | undefined {
  for (const n of names) if (Number.isNaN(cols[n]?.[i] as number)) return n;
  return undefined;
}

/** Throws NEGATIVE_VALUE when a non-missing value in row i is negative. */
export function assertNonNegative(value: number, row: number, column: string, what: string): void {
  if (value < 0) throw new EvsynthError('NEGATIVE_VALUE', `${what} is ${value}; expected a value ≥ 0`, { row, column });
  if (value === Number.POSITIVE_INFINITY) throw new EvsynthError('NON_FINITE', `${what} is infinite`, { row, column });
}
