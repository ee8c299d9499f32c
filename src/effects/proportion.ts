import { EvsynthError } from '../core/errors.ts';
import { assertNonNegative } from './columns.ts';
import { RowResults } from './result.ts';
import { rowsToCorrect } from './zero-cells.ts';
import type { EffectColumns, ZeroCellRule } from './options.ts';

/**
 * Single proportions from xi events out of ni (or xi and mi = non-events):
 *
 * ```text
 * PR:  yi = p,                        vi = p(1 − p)/n
 * PLN: yi = log p,                    vi = 1/x − 1/n
 * PLO: yi = log(p/(1 − p)),           vi = 1/(n·p·(1 − p))
 * PAS: yi = asin√p,                   vi = 1/(4n)            (angular transformation)
 * PFT: yi = ½[asin√(x/(n+1)) + asin√((x+1)/(n+1))],   vi = 1/(4n + 2)
 * ```
 *
 * `add` is added to xi and to n − xi when selected by `to` (with "only0", when xi = 0 or xi = ni); PAS
 * and PFT need no correction (metafor's add = 0 for them), but take one when `add` is given.
 *
 * References: Freeman MF, Tukey JW (1950). Transformations related to the angular and the square root.
 * Ann Math Stat 21(4):607–611; Fleiss JL, Berlin JA (2009), in The Handbook of Research Synthesis and
 * Meta-Analysis, 2nd ed. Cross-check: metafor's `escalc` documentation (measures for dichotomous
 * variables of individual groups).
 */
export function proportion(
  measure: 'PR' | 'PLN' | 'PLO' | 'PAS' | 'PFT',
  cols: EffectColumns,
  k: number,
  add: number,
  to: ZeroCellRule,
): RowResults {
  const x = cols.xi;
  if (x === undefined)
    throw new EvsynthError('MISSING_COLUMN', `measure ${measure} needs columns xi and ni (or xi and mi)`, {
      column: 'xi',
    });
  if (cols.ni === undefined && cols.mi === undefined) {
    throw new EvsynthError('MISSING_COLUMN', `measure ${measure} needs columns xi and ni (or xi and mi)`, {
      column: 'ni',
    });
  }
  const out = new RowResults(k);
  const nArr = new Float64Array(k);
  const usable: boolean[] = [];
  const hasZero: boolean[] = [];
  for (let i = 0; i < k; i++) {
    const xi = x[i] as number;
    const ni = cols.ni !== undefined ? (cols.ni[i] as number) : xi + (cols.mi?.[i] as number);
    const nName = cols.ni !== undefined ? 'ni' : 'mi';
    assertNonNegative(xi, i, 'xi', 'xi (events)');
    assertNonNegative(ni, i, nName, nName);
    if (xi > ni)
      throw new EvsynthError('INVALID_VALUE', `xi = ${xi} events exceed ni = ${ni}`, { row: i, column: 'xi' });
    nArr[i] = ni;
    const missing = Number.isNaN(xi) ? 'xi' : Number.isNaN(ni) ? nName : undefined;
    if (missing !== undefined) out.exclude(i, `missing value in column '${missing}'`);
    else if (ni === 0) out.exclude(i, 'ni is 0: no participants');
    usable.push(missing === undefined && ni > 0);
    hasZero.push(xi === 0 || xi === ni);
  }
  const correct = rowsToCorrect(hasZero, usable, to);
  for (let i = 0; i < k; i++) {
    if (!usable[i]) continue;
    const corr = correct[i] === true ? add : 0;
    if (corr !== 0) out.corrected.push(i);
    const xi = (x[i] as number) + corr;
    const ni = (nArr[i] as number) + 2 * corr;
    const p = xi / ni;
    if (measure === 'PR') out.set(i, p, (p * (1 - p)) / ni, 'PR not estimable');
    else if (measure === 'PLN')
      out.set(
        i,
        Math.log(p),
        1 / xi - 1 / ni,
        `PLN not estimable: p is 0 without continuity correction (to = "${to}")`,
      );
    else if (measure === 'PAS') out.set(i, Math.asin(Math.sqrt(p)), 1 / (4 * ni), 'PAS not estimable');
    else if (measure === 'PLO')
      out.set(
        i,
        Math.log(p / (1 - p)),
        1 / (ni * p * (1 - p)),
        `PLO not estimable: p is 0 or 1 without continuity correction (to = "${to}")`,
      );
    else {
      const yi = 0.5 * (Math.asin(Math.sqrt(xi / (ni + 1))) + Math.asin(Math.sqrt((xi + 1) / (ni + 1))));
      out.set(i, yi, 1 / (4 * ni + 2), 'PFT not estimable');
    }
  }
  return out;
}
