import { EvsynthError } from '../core/errors.ts';
import { assertNonNegative, firstMissing, requireColumns } from './columns.ts';
import { RowResults } from './result.ts';
import { rowsToCorrect } from './zero-cells.ts';
import type { EffectColumns, ZeroCellRule } from './options.ts';

function checkTime(t: number, row: number, column: string): void {
  if (!Number.isNaN(t) && !(t > 0))
    throw new EvsynthError('INVALID_VALUE', `${column} is ${t}; expected a person-time > 0`, { row, column });
}

/**
 * Incidence rates from event counts and person-time:
 *
 * ```text
 * IRR:  yi = log((x₁/t₁)/(x₂/t₂)),   vi = 1/x₁ + 1/x₂
 * IRLN: yi = log(x/t),               vi = 1/x
 * ```
 *
 * `add` is added to the event counts of rows selected by `to` (with "only0", rows with
 * a zero count).
 *
 * Reference: Rothman KJ, Greenland S, Lash TL (2008). Modern Epidemiology, 3rd ed., ch. 14.
 * Cross-check: `metafor::escalc(measure="IRR"|"IRLN")`.
 */
export function incidence(
  measure: 'IRR' | 'IRLN',
  cols: EffectColumns,
  k: number,
  add: number,
  to: ZeroCellRule,
): RowResults {
  const out = new RowResults(k);
  if (measure === 'IRR') {
    const c = requireColumns(cols, ['x1i', 't1i', 'x2i', 't2i'], measure);
    const usable: boolean[] = [];
    const hasZero: boolean[] = [];
    for (let i = 0; i < k; i++) {
      assertNonNegative(c.x1i[i] as number, i, 'x1i', 'x1i (events, group 1)');
      assertNonNegative(c.x2i[i] as number, i, 'x2i', 'x2i (events, group 2)');
      checkTime(c.t1i[i] as number, i, 't1i');
      checkTime(c.t2i[i] as number, i, 't2i');
      const miss = firstMissing(c, ['x1i', 't1i', 'x2i', 't2i'], i);
      if (miss !== undefined) out.exclude(i, `missing value in column '${miss}'`);
      usable.push(miss === undefined);
      hasZero.push(c.x1i[i] === 0 || c.x2i[i] === 0);
    }
    const correct = rowsToCorrect(hasZero, usable, to);
    for (let i = 0; i < k; i++) {
      if (!usable[i]) continue;
      const corr = correct[i] === true ? add : 0;
      if (corr !== 0) out.corrected.push(i);
      const x1 = (c.x1i[i] as number) + corr,
        x2 = (c.x2i[i] as number) + corr;
      out.set(
        i,
        Math.log(x1 / (c.t1i[i] as number)) - Math.log(x2 / (c.t2i[i] as number)),
        1 / x1 + 1 / x2,
        `IRR not estimable: a zero count without continuity correction (to = "${to}")`,
      );
    }
    return out;
  }
  const c = requireColumns(cols, ['xi', 'ti'], measure);
  const usable: boolean[] = [];
  const hasZero: boolean[] = [];
  for (let i = 0; i < k; i++) {
    assertNonNegative(c.xi[i] as number, i, 'xi', 'xi (events)');
    checkTime(c.ti[i] as number, i, 'ti');
    const miss = firstMissing(c, ['xi', 'ti'], i);
    if (miss !== undefined) out.exclude(i, `missing value in column '${miss}'`);
    usable.push(miss === undefined);
    hasZero.push(c.xi[i] === 0);
  }
  const correct = rowsToCorrect(hasZero, usable, to);
  for (let i = 0; i < k; i++) {
    if (!usable[i]) continue;
    const corr = correct[i] === true ? add : 0;
    if (corr !== 0) out.corrected.push(i);
    const x = (c.xi[i] as number) + corr;
    out.set(
      i,
      Math.log(x / (c.ti[i] as number)),
      1 / x,
      `IRLN not estimable: zero events without continuity correction (to = "${to}")`,
    );
  }
  return out;
}
