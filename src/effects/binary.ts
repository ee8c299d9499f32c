import { EvsynthError } from '../core/errors.ts';
import { assertNonNegative } from './columns.ts';
import { RowResults } from './result.ts';
import { rowsToCorrect } from './zero-cells.ts';
import type { EffectColumns, EffectConvention, ZeroCellRule } from './options.ts';

/** The four cells of each 2×2 table: ai, bi (treated events, non-events), ci, di (control). */
export interface Tables {
  readonly ai: Float64Array;
  readonly bi: Float64Array;
  readonly ci: Float64Array;
  readonly di: Float64Array;
}

/**
 * Reads 2×2 tables from `ai, bi, ci, di` or from `ai, n1i, ci, n2i` (bi = n1i − ai,
 * di = n2i − ci). Negative cells and events above the group size are errors.
 */
export function readTables(cols: EffectColumns, k: number, measure: string): Tables {
  const { ai, ci } = cols;
  if (ai === undefined || ci === undefined) {
    const column = ai === undefined ? 'ai' : 'ci';
    throw new EvsynthError('MISSING_COLUMN', `measure ${measure} needs columns ai, bi, ci, di (or ai, n1i, ci, n2i)`, {
      column,
    });
  }
  const useN = cols.bi === undefined || cols.di === undefined;
  if (useN && (cols.n1i === undefined || cols.n2i === undefined)) {
    const column = cols.bi === undefined ? 'bi' : 'di';
    throw new EvsynthError('MISSING_COLUMN', `measure ${measure} needs columns ai, bi, ci, di (or ai, n1i, ci, n2i)`, {
      column,
    });
  }
  const t: Tables = {
    ai: new Float64Array(k),
    bi: new Float64Array(k),
    ci: new Float64Array(k),
    di: new Float64Array(k),
  };
  for (let i = 0; i < k; i++) {
    const a = ai[i] as number,
      c = ci[i] as number;
    assertNonNegative(a, i, 'ai', 'ai (events, group 1)');
    assertNonNegative(c, i, 'ci', 'ci (events, group 2)');
    let b: number, d: number;
    if (useN) {
      const n1 = cols.n1i?.[i] as number,
        n2 = cols.n2i?.[i] as number;
      if (a > n1)
        throw new EvsynthError('INVALID_VALUE', `ai = ${a} events exceed n1i = ${n1}`, { row: i, column: 'ai' });
      if (c > n2)
        throw new EvsynthError('INVALID_VALUE', `ci = ${c} events exceed n2i = ${n2}`, { row: i, column: 'ci' });
      b = n1 - a;
      d = n2 - c;
    } else {
      b = cols.bi?.[i] as number;
      d = cols.di?.[i] as number;
      assertNonNegative(b, i, 'bi', 'bi (non-events, group 1)');
      assertNonNegative(d, i, 'di', 'di (non-events, group 2)');
    }
    t.ai[i] = a;
    t.bi[i] = b;
    t.ci[i] = c;
    t.di[i] = d;
  }
  return t;
}

/** Double-zero table: no events in either group, or events in everyone (metafor's drop00 rule). */
function isDoubleZero(t: Tables, i: number): boolean {
  return (
    ((t.ai[i] as number) === 0 && (t.ci[i] as number) === 0) || ((t.bi[i] as number) === 0 && (t.di[i] as number) === 0)
  );
}

export type BinaryMeasure = 'RR' | 'OR' | 'RD' | 'PETO';

/** The four cells of one 2×2 table. */
export interface Cells {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

/** The zero-cell options a 2×2 measure receives. */
export interface TableOptions {
  readonly add: number;
  readonly to: ZeroCellRule;
  readonly drop00: boolean;
  readonly convention: EffectConvention;
}

/**
 * Computes a measure of 2×2 tables: reads the tables (`ai, bi, ci, di` or `ai, n1i, ci, n2i`), excludes
 * rows with a missing cell among `cells` (all four unless a measure uses fewer) and (with `drop00`) double-zero tables, adds `add` to the cells of the rows that
 * `to` selects, and calls `effect` with the corrected and the raw cells for [yi, vi]. A non-finite result
 * (a zero cell without correction) makes the row not estimable, as in metafor.
 */
export function tableMeasure(
  measure: string,
  cols: EffectColumns,
  k: number,
  o: TableOptions,
  effect: (t: Cells, raw: Cells, row: number) => readonly [number, number],
  whyNotFinite = `${measure} not estimable: a zero cell without continuity correction (to = "${o.to}")`,
  cells: readonly (keyof Tables)[] = ['ai', 'ci', 'bi', 'di'],
): RowResults {
  const t = readTables(cols, k, measure);
  const out = new RowResults(k);
  const revman = o.convention === 'revman5';
  const usable: boolean[] = [];
  const hasZero: boolean[] = [];
  const useN = cols.bi === undefined || cols.di === undefined;
  for (let i = 0; i < k; i++) {
    const missing = cells.find((cell) => Number.isNaN(t[cell][i] as number));
    if (missing !== undefined) {
      out.exclude(
        i,
        `missing value in column '${useN && (missing === 'bi' || missing === 'di') ? (missing === 'bi' ? 'n1i' : 'n2i') : missing}'`,
      );
      usable.push(false);
    } else if (revman && revmanNotEstimable(measure, t, i)) {
      out.exclude(
        i,
        `no events${measure === 'OR' ? ' (or only events)' : ''} in both groups: not estimable under RevMan 5's rules`,
      );
      usable.push(false);
    } else if (!revman && o.drop00 && isDoubleZero(t, i)) {
      out.exclude(i, 'double-zero study (no events, or only events, in both groups; drop00)');
      usable.push(false);
    } else {
      usable.push(true);
    }
    hasZero.push(t.ai[i] === 0 || t.bi[i] === 0 || t.ci[i] === 0 || t.di[i] === 0);
  }
  const correct = revman
    ? hasZero.map((z, i) => z && usable[i] === true && measure !== 'PETO')
    : rowsToCorrect(hasZero, usable, o.to);
  for (let i = 0; i < k; i++) {
    if (!usable[i]) continue;
    const corr = correct[i] === true ? o.add : 0;
    if (corr !== 0) out.corrected.push(i);
    const raw = { a: t.ai[i] as number, b: t.bi[i] as number, c: t.ci[i] as number, d: t.di[i] as number };
    const [yi, vi] = effect({ a: raw.a + corr, b: raw.b + corr, c: raw.c + corr, d: raw.d + corr }, raw, i);
    out.set(i, yi, vi, whyNotFinite);
  }
  return out;
}

/**
 * Per-study effects for 2×2 tables, after the continuity correction `add` has been
 * applied to the rows selected by `to` (metafor's defaults: add = 1/2, to = "only0"):
 *
 * ```text
 * RR:   yi = log((a/n₁)/(c/n₂)),       vi = 1/a − 1/n₁ + 1/c − 1/n₂
 * OR:   yi = log(ad/(bc)),             vi = 1/a + 1/b + 1/c + 1/d
 * RD:   yi = a/n₁ − c/n₂,              vi = p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂
 * PETO: yi = (a − E)/V,                vi = 1/V,
 *       E = (a+c)n₁/N,  V = (a+c)(b+d)n₁n₂/(N²(N−1))
 * ```
 *
 * With `drop00`, double-zero tables are not estimable. Rows with a missing cell are
 * excluded and reported. Infinite values (a zero cell without correction) make the row
 * not estimable, as in metafor.
 *
 * Under `convention: 'revman5'` the same formulas follow Review Manager 5's rules instead: `add` (½)
 * goes to every cell of a table with a zero cell (never for Peto, which uses the raw counts); OR is not
 * estimable without events, or with only events, in both groups, RR without events in both groups, and
 * RR is exactly 1 (yi = 0) when both groups are all events; RD is computed from the raw counts with its
 * variance from the corrected ones, and double-zero tables are kept.
 *
 * References: Fleiss JL, Berlin JA (2009), Effect sizes for dichotomous data, in The
 * Handbook of Research Synthesis and Meta-Analysis; Yusuf S et al. (1985) Prog Cardiovasc
 * Dis 27(5):335–371 (Peto); Deeks JJ, Higgins JPT (2010). Statistical algorithms in Review Manager 5.
 * Cross-check: `metafor::escalc(measure="RR"|"OR"|"RD"|"PETO")`; RevMan's printed per-study results
 * (the Cochrane corpus, docs/cochrane/SUMMARY.md).
 */
export function binary(measure: BinaryMeasure, cols: EffectColumns, k: number, o: TableOptions): RowResults {
  const revman = o.convention === 'revman5';
  return tableMeasure(
    measure,
    cols,
    k,
    o,
    ({ a, b, c, d }, raw) => {
      const n1 = a + b,
        n2 = c + d;
      switch (measure) {
        case 'RR':
          return [
            revman && raw.b === 0 && raw.d === 0 ? 0 : Math.log(a / n1) - Math.log(c / n2),
            1 / a - 1 / n1 + 1 / c - 1 / n2,
          ];
        case 'OR':
          return [Math.log((a * d) / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d];
        case 'RD': {
          const p1 = a / n1,
            p2 = c / n2;
          return [
            revman ? raw.a / (raw.a + raw.b) - raw.c / (raw.c + raw.d) : p1 - p2,
            (p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2,
          ];
        }
        case 'PETO': {
          const N = n1 + n2;
          const E = ((a + c) * n1) / N;
          const V = ((a + c) * (b + d) * n1 * n2) / (N * N * (N - 1));
          return [(a - E) / V, 1 / V];
        }
      }
    },
    revman ? `${measure} not estimable (no information in the table)` : undefined,
  );
}

/**
 * Arcsine square-root transformed risk difference (Rücker et al. 2009; metafor `measure="AS"`, add = 0 by
 * default): yi = asin√(a/n₁) − asin√(c/n₂), vi = 1/(4n₁) + 1/(4n₂). Twice yi is Cohen's h.
 *
 * Reference: Rücker G, Schwarzer G, Carpenter J, Olkin I (2009). Why add anything to nothing? The arcsine
 * difference as a measure of treatment effect in meta-analysis with zero cells. Stat Med 28(5):721–738.
 * Cross-check: metafor's `escalc` documentation (measure "AS").
 */
export function arcsineDifference(cols: EffectColumns, k: number, o: TableOptions): RowResults {
  return tableMeasure('AS', cols, k, o, ({ a, b, c, d }) => [
    Math.asin(Math.sqrt(a / (a + b))) - Math.asin(Math.sqrt(c / (c + d))),
    1 / (4 * (a + b)) + 1 / (4 * (c + d)),
  ]);
}

/** RevMan 5's tables without an estimate: OR with no events or only events in both groups, RR with no events in both. */
function revmanNotEstimable(measure: string, t: Tables, i: number): boolean {
  if (measure === 'OR') return isDoubleZero(t, i);
  if (measure === 'RR') return t.ai[i] === 0 && t.ci[i] === 0;
  return false;
}

/** Event rates of each arm of 2×2 tables, a/(a+b) and c/(c+d), and the table size (for L'Abbé plots). */
export function armEventRates(cols: EffectColumns, k: number): { p1: Float64Array; p2: Float64Array; n: Float64Array } {
  const t = readTables(cols, k, 'OR');
  return {
    p1: Float64Array.from(t.ai, (a, i) => a / (a + (t.bi[i] as number))),
    p2: Float64Array.from(t.ci, (c, i) => c / (c + (t.di[i] as number))),
    n: Float64Array.from(t.ai, (a, i) => a + (t.bi[i] as number) + (t.ci[i] as number) + (t.di[i] as number)),
  };
}
