import { EvsynthError } from '../core/errors.ts';
import { assertNonNegative, firstMissing, requireColumns } from './columns.ts';
import type { EffectColumnName, EffectColumns, ZeroCellRule } from './options.ts';
import { RowResults } from './result.ts';
import { rowsToCorrect } from './zero-cells.ts';

function checkTime(t: number, row: number, column: string): void {
  if (!Number.isNaN(t) && !(t > 0))
    throw new EvsynthError('INVALID_VALUE', `${column} is ${t}; expected a person-time > 0`, { row, column });
}

export type TwoRateMeasure = 'IRR' | 'IRD' | 'IRSD';
export type RateMeasure = 'IR' | 'IRLN' | 'IRS' | 'IRFT';

/** The zero-count options of the person-time measures. */
interface CountOptions {
  readonly add: number;
  readonly to: ZeroCellRule;
  readonly drop00: boolean;
}

/**
 * Two groups' event counts x₁, x₂ over person-time t₁, t₂ (metafor `measure="IRR"`, `"IRD"`, `"IRSD"`):
 *
 * ```text
 * IRR:  yi = log((x₁/t₁)/(x₂/t₂)),   vi = 1/x₁ + 1/x₂
 * IRD:  yi = x₁/t₁ − x₂/t₂,          vi = x₁/t₁² + x₂/t₂²
 * IRSD: yi = √(x₁/t₁) − √(x₂/t₂),    vi = 1/(4t₁) + 1/(4t₂)      (add = 0 by default)
 * ```
 *
 * `add` is added to both counts of the rows selected by `to` (with "only0", rows with a zero count); with
 * `drop00`, rows without events in both groups are not estimable.
 *
 * References: Rothman KJ, Greenland S, Lash TL (2008). Modern Epidemiology, 3rd ed., ch. 14; Bagos PG,
 * Nikolopoulos GK (2009). Mixed-effects Poisson regression models for meta-analysis of follow-up studies
 * with constant or varying durations. Int J Biostat 5(1). Cross-check: metafor's `escalc` documentation
 * (measures for event counts).
 */
export function twoRates(measure: TwoRateMeasure, cols: EffectColumns, k: number, o: CountOptions): RowResults {
  const names = ['x1i', 't1i', 'x2i', 't2i'] as const;
  const c = requireColumns(cols, names, measure);
  return corrected(
    measure,
    c,
    names,
    k,
    o,
    (i) => c.x1i[i] === 0 || c.x2i[i] === 0,
    (i) => c.x1i[i] === 0 && c.x2i[i] === 0,
    (i, corr) => {
      const x1 = (c.x1i[i] as number) + corr,
        x2 = (c.x2i[i] as number) + corr;
      const t1 = c.t1i[i] as number,
        t2 = c.t2i[i] as number;
      switch (measure) {
        case 'IRR':
          return [Math.log(x1 / t1) - Math.log(x2 / t2), 1 / x1 + 1 / x2];
        case 'IRD':
          return [x1 / t1 - x2 / t2, x1 / (t1 * t1) + x2 / (t2 * t2)];
        case 'IRSD':
          return [Math.sqrt(x1 / t1) - Math.sqrt(x2 / t2), 1 / (4 * t1) + 1 / (4 * t2)];
      }
    },
  );
}

/**
 * One group's event count x over person-time t (metafor `measure="IR"`, `"IRLN"`, `"IRS"`, `"IRFT"`):
 *
 * ```text
 * IR:   yi = x/t,                          vi = x/t²
 * IRLN: yi = log(x/t),                     vi = 1/x
 * IRS:  yi = √(x/t),                       vi = 1/(4t)          (add = 0 by default)
 * IRFT: yi = ½(√(x/t) + √((x + 1)/t)),     vi = 1/(4t)          (Freeman–Tukey; add = 0 by default)
 * ```
 *
 * `add` is added to the counts of the rows selected by `to` (with "only0", rows with zero events).
 *
 * References: Rothman KJ, Greenland S, Lash TL (2008). Modern Epidemiology, 3rd ed.; Freeman MF, Tukey JW
 * (1950). Ann Math Stat 21(4):607–611. Cross-check: metafor's `escalc` documentation.
 */
export function rate(measure: RateMeasure, cols: EffectColumns, k: number, o: CountOptions): RowResults {
  const names = ['xi', 'ti'] as const;
  const c = requireColumns(cols, names, measure);
  return corrected(
    measure,
    c,
    names,
    k,
    o,
    (i) => c.xi[i] === 0,
    () => false,
    (i, corr) => {
      const x = (c.xi[i] as number) + corr,
        t = c.ti[i] as number;
      switch (measure) {
        case 'IR':
          return [x / t, x / (t * t)];
        case 'IRLN':
          return [Math.log(x / t), 1 / x];
        case 'IRS':
          return [Math.sqrt(x / t), 1 / (4 * t)];
        case 'IRFT':
          return [0.5 * (Math.sqrt(x / t) + Math.sqrt((x + 1) / t)), 1 / (4 * t)];
      }
    },
  );
}

/** The shared loop: checks counts and times, excludes missing (and drop00) rows, applies `add` per `to`. */
function corrected(
  measure: string,
  c: Record<string, ArrayLike<number>>,
  names: readonly EffectColumnName[],
  k: number,
  o: CountOptions,
  hasZero: (i: number) => boolean,
  doubleZero: (i: number) => boolean,
  effect: (i: number, corr: number) => readonly [number, number],
): RowResults {
  const out = new RowResults(k);
  const usable: boolean[] = [];
  const zero: boolean[] = [];
  for (let i = 0; i < k; i++) {
    for (const n of names) {
      if (n.startsWith('x')) assertNonNegative(c[n]?.[i] as number, i, n, `${n} (events)`);
      else checkTime(c[n]?.[i] as number, i, n);
    }
    const miss = firstMissing(c, names, i);
    if (miss !== undefined) out.exclude(i, `missing value in column '${miss}'`);
    else if (o.drop00 && doubleZero(i)) out.exclude(i, 'no events in both groups (drop00)');
    usable.push(miss === undefined && !(o.drop00 && doubleZero(i)));
    zero.push(hasZero(i));
  }
  const correct = rowsToCorrect(zero, usable, o.to);
  for (let i = 0; i < k; i++) {
    if (!usable[i]) continue;
    const corr = correct[i] === true ? o.add : 0;
    if (corr !== 0) out.corrected.push(i);
    const [yi, vi] = effect(i, corr);
    out.set(i, yi, vi, `${measure} not estimable: zero events without continuity correction (to = "${o.to}")`);
  }
  return out;
}
