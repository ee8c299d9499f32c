import type { ZeroCellRule } from './options.ts';

/**
 * Decides which rows get the continuity correction `add` (metafor's `to`):
 * - `only0`: rows with a zero cell;
 * - `all`: every row;
 * - `if0all`: every row, if any (usable) row has a zero cell;
 * - `none`: no row.
 *
 * `hasZero[i]` says whether row i has a zero cell; `usable[i]` whether it enters at all.
 * Reference: metafor `escalc` arguments `add` and `to`.
 */
export function rowsToCorrect(hasZero: readonly boolean[], usable: readonly boolean[], to: ZeroCellRule): boolean[] {
  const anyZero = hasZero.some((z, i) => z && usable[i]);
  return hasZero.map((z, i) => {
    if (!usable[i]) return false;
    switch (to) {
      case 'only0':
        return z;
      case 'all':
        return true;
      case 'if0all':
        return anyZero;
      case 'none':
        return false;
    }
  });
}
