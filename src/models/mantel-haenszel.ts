import { EvsynthError } from '../core/errors.ts';
import { assertLevel } from '../core/validate.ts';
import { critical, pchisqUpper, pnormTwoSided } from '../distributions/index.ts';
import { readTables, type Tables } from '../effects/binary.ts';
import { rowCount } from '../effects/columns.ts';
import { escalc } from '../effects/escalc.ts';
import { MH_MEASURES, type MhMeasure } from '../effects/registry.ts';
import type { EffectColumns, EffectConvention, EffectOptions, ZeroCellRule } from '../effects/options.ts';
import type { EffectSizes, Exclusion } from '../effects/types.ts';
import type { Estimate } from './rma.ts';

export interface PooledTableOptions {
  readonly level?: number;
  /** Continuity correction for the per-study yi/vi behind Q (default 1/2, to = "only0", drop00 = true). */
  readonly add?: number;
  readonly to?: ZeroCellRule;
  readonly drop00?: boolean;
  /** Continuity correction in the Cochran–Mantel–Haenszel tests (default true). */
  readonly correct?: boolean;
  /** The per-study effects' rules (escalc `convention`); under `revman5`, `to` and `drop00` are RevMan's. */
  readonly convention?: EffectConvention;
}

/** escalc options of the per-study effects behind Q: metafor's rma.mh/rma.peto defaults, or RevMan 5's rules. */
function perStudyOptions(options: PooledTableOptions): EffectOptions {
  const add = options.add ?? 0.5;
  return options.convention === 'revman5'
    ? { add, convention: 'revman5' }
    : { add, to: options.to ?? 'only0', drop00: options.drop00 ?? true };
}

/** A Mantel–Haenszel or Peto common-effect fit (metafor `rma.mh`, `rma.peto`). Immutable. */
export interface PooledTableFit extends Estimate {
  readonly kind: 'mh' | 'peto';
  readonly measure: MhMeasure | 'PETO';
  readonly level: number;
  /** Tables used (no missing value). */
  readonly k: number;
  /** Tables with an estimable per-study yi (these enter Q). */
  readonly kYi: number;
  /** `estimate` and its CI are on the log scale for ratio measures. */
  readonly QE: number;
  readonly QEdf: number;
  readonly QEp: number;
  readonly I2: number;
  readonly H2: number;
  readonly tau2: 0;
  /** Cochran's and Mantel–Haenszel's tests of no association, Breslow–Day and Tarone's tests of homogeneity (OR only; else null). */
  readonly CO: number | null;
  readonly COp: number | null;
  readonly MH: number | null;
  readonly MHp: number | null;
  readonly BD: number | null;
  readonly BDp: number | null;
  readonly TA: number | null;
  readonly TAp: number | null;
  /** Per-study effects (all input rows; NaN where not estimable), as used for Q. */
  readonly effects: EffectSizes;
  /** Weight of each input row in percent (0 for rows not used). */
  readonly weights: Float64Array;
  readonly excluded: readonly Exclusion[];
  readonly warnings: readonly string[];
}

/**
 * One 2×2 table's Mantel–Haenszel terms (R, S), whose sums give the estimate (Mantel & Haenszel 1959;
 * Greenland & Robins 1985):
 *
 * ```text
 * OR: R = ad/N, S = bc/N;   RR: R = a·n₂/N, S = c·n₁/N;   RD: R = (a·n₂ − c·n₁)/N, S = n₁n₂/N
 * ψ = ΣR/ΣS (OR, RR),   RD = ΣR/ΣS
 * ```
 *
 * S is the table's Mantel–Haenszel weight.
 */
export function mantelHaenszelTerms(
  measure: 'OR' | 'RR' | 'RD',
  a: number,
  b: number,
  c: number,
  d: number,
): readonly [number, number] {
  const n1 = a + b,
    n2 = c + d,
    N = n1 + n2;
  switch (measure) {
    case 'OR':
      return [(a * d) / N, (b * c) / N];
    case 'RR':
      return [(a * n2) / N, (c * n1) / N];
    case 'RD':
      return [(a * n2 - c * n1) / N, (n1 * n2) / N];
  }
}

/**
 * The cells RevMan 5 uses for Mantel–Haenszel weights and estimates: ½ added to every cell of an OR or RR
 * table with a zero cell; RD tables as they are (Deeks JJ, Higgins JPT (2010). Statistical algorithms in
 * Review Manager 5). Checked against RevMan's printed weights across the Cochrane corpus.
 */
export function revmanMantelHaenszelCells(
  measure: 'OR' | 'RR' | 'RD',
  a: number,
  b: number,
  c: number,
  d: number,
): readonly [number, number, number, number] {
  if (measure === 'RD' || (a !== 0 && b !== 0 && c !== 0 && d !== 0)) return [a, b, c, d];
  return [a + 0.5, b + 0.5, c + 0.5, d + 0.5];
}

/**
 * The Mantel–Haenszel estimate over tables, on the analysis scale: log(ΣR/ΣS) for OR and RR, ΣR/ΣS for RD
 * (terms of {@link mantelHaenszelTerms}). Used as the centre of RevMan 5's random-effects τ².
 */
export function mantelHaenszelEstimate(
  measure: 'OR' | 'RR' | 'RD',
  tables: Iterable<readonly [number, number, number, number]>,
): number {
  let num = 0,
    den = 0;
  for (const [a, b, c, d] of tables) {
    const [R, S] = mantelHaenszelTerms(measure, a, b, c, d);
    num += R;
    den += S;
  }
  return measure === 'RD' ? num / den : Math.log(num / den);
}

/** Rows with no missing value among the table's cells (or counts and times). */
function completeRows(t: Tables): number[] {
  const rows: number[] = [];
  for (let i = 0; i < t.ai.length; i++) {
    if (![t.ai[i], t.bi[i], t.ci[i], t.di[i]].some((x) => Number.isNaN(x as number))) rows.push(i);
  }
  return rows;
}

/**
 * Mantel–Haenszel common-effect estimate for 2×2 tables (OR, RR, RD) or person-time data
 * (IRR), on raw counts (no continuity correction; with `convention: 'revman5'`, on RevMan 5's cells: ½ added to every
 * cell of an OR or RR table with a zero cell, as RevMan computes its Mantel–Haenszel estimate and weights), with:
 *
 * ```text
 * OR:  ψ = ΣRᵢ/ΣSᵢ, Rᵢ = aᵢdᵢ/Nᵢ, Sᵢ = bᵢcᵢ/Nᵢ;  Var(log ψ) by Robins, Breslow & Greenland (1986):
 *      ΣPᵢRᵢ/(2(ΣR)²) + Σ(PᵢSᵢ + QᵢRᵢ)/(2ΣRΣS) + ΣQᵢSᵢ/(2(ΣS)²), Pᵢ = (aᵢ+dᵢ)/Nᵢ, Qᵢ = (bᵢ+cᵢ)/Nᵢ
 * RR:  Rᵢ = aᵢn₂ᵢ/Nᵢ, Sᵢ = cᵢn₁ᵢ/Nᵢ;  Var(log RR) = Σ(n₁n₂(a+c)/N² − ac/N)/(ΣRΣS)  (Greenland & Robins 1985)
 * RD:  Σ(aᵢn₂ᵢ − cᵢn₁ᵢ)/Nᵢ / Σn₁ᵢn₂ᵢ/Nᵢ;  Var = (RD·ΣPᵢ + ΣQᵢ)/(Σn₁n₂/N)²,
 *      Pᵢ = (n₁²c − n₂²a + n₁n₂(n₂ − n₁)/2)/N², Qᵢ = (a(n₂ − c) + c(n₁ − a))/(2N)  (Sato, Greenland & Robins 1989)
 * IRR: Rᵢ = x₁ᵢt₂ᵢ/Tᵢ, Sᵢ = x₂ᵢt₁ᵢ/Tᵢ;  Var(log IRR) = Σ t₁t₂(x₁+x₂)/T² /(ΣRΣS)  (Greenland & Robins 1985)
 * ```
 *
 * For OR also Cochran's test (variance with N³) and the Mantel–Haenszel test (N²(N − 1)),
 * both with continuity correction by default; the Breslow–Day test of homogeneity of odds
 * ratios and Tarone's correction (df = tables − 1). Q = Σ(yᵢ − θ̂)²/vᵢ over the per-study
 * escalc values (add = 1/2 to zero-cell tables, double-zero tables dropped), df = k_yi − 1.
 *
 * References: Mantel N, Haenszel W (1959). J Natl Cancer Inst 22(4):719–748; Robins J,
 * Breslow N, Greenland S (1986). Biometrics 42(2):311–323; Greenland S, Robins JM (1985).
 * Biometrics 41(1):55–68; Sato T, Greenland S, Robins JM (1989). Biometrics 45(4):1323–1324;
 * Breslow NE, Day NE (1980). Statistical Methods in Cancer Research I; Tarone RE (1985).
 * Biometrika 72(1):91–95. Cross-check: `metafor::rma.mh(measure=)`.
 */
export function fitMantelHaenszel(
  measure: MhMeasure,
  columns: EffectColumns,
  labels: readonly string[],
  options: PooledTableOptions = {},
): PooledTableFit {
  if (!MH_MEASURES.includes(measure))
    throw new EvsynthError(
      'UNKNOWN_MEASURE',
      `Mantel–Haenszel pooling supports ${MH_MEASURES.join(', ')}; got '${String(measure)}'`,
    );
  const level = options.level ?? 95;
  assertLevel(level, 'fitMantelHaenszel');
  const correct = options.correct ?? true;
  const k0 = rowCount(columns);
  const t = measure === 'IRR' ? personTimeAsTables(columns, k0) : readTables(columns, k0, measure);
  const rows = completeRows(t);
  if (rows.length === 0) throw new EvsynthError('TOO_FEW_STUDIES', 'no table without missing values');
  const effects = escalc(measure, columns, labels, perStudyOptions(options));
  const w = new Float64Array(k0);
  let sR = 0,
    sS = 0,
    varNum = 0;
  let sPR = 0,
    sPSQR = 0,
    sQS = 0;
  let sP = 0,
    sQ = 0;
  // RevMan 5 computes the Mantel–Haenszel estimate, its variance and the weights from its corrected cells
  const revman = options.convention === 'revman5' && measure !== 'IRR';
  const notEstimable = new Set(effects.excluded.map((e) => e.row));
  let used = 0;
  for (const i of rows) {
    // RevMan leaves out the tables its rules find not estimable (no events in either arm, …); raw counts
    // contribute nothing from such tables anyway, corrected ones would
    if (revman && notEstimable.has(i)) continue;
    used++;
    const [a, b, c, d] = revman
      ? revmanMantelHaenszelCells(measure, t.ai[i] as number, t.bi[i] as number, t.ci[i] as number, t.di[i] as number)
      : [t.ai[i] as number, t.bi[i] as number, t.ci[i] as number, t.di[i] as number];
    if (measure === 'IRR') {
      // a = x1, b = t1, c = x2, d = t2
      const T = b + d;
      const R = (a * d) / T,
        S = (c * b) / T;
      sR += R;
      sS += S;
      varNum += (b * d * (a + c)) / (T * T);
      w[i] = S;
      continue;
    }
    const n1 = a + b,
      n2 = c + d,
      N = n1 + n2;
    switch (measure) {
      case 'OR': {
        const [R, S] = mantelHaenszelTerms('OR', a, b, c, d),
          P = (a + d) / N,
          Q = (b + c) / N;
        sR += R;
        sS += S;
        sPR += P * R;
        sPSQR += P * S + Q * R;
        sQS += Q * S;
        w[i] = S;
        break;
      }
      case 'RR': {
        const [R, S] = mantelHaenszelTerms('RR', a, b, c, d);
        sR += R;
        sS += S;
        varNum += (n1 * n2 * (a + c)) / (N * N) - (a * c) / N;
        w[i] = S;
        break;
      }
      case 'RD': {
        const [R, W] = mantelHaenszelTerms('RD', a, b, c, d);
        sR += R;
        sS += W;
        sP += (n1 * n1 * c - n2 * n2 * a + (n1 * n2 * (n2 - n1)) / 2) / (N * N);
        sQ += (a * (n2 - c) + c * (n1 - a)) / (2 * N);
        w[i] = W;
        break;
      }
    }
  }
  let estimate: number, variance: number;
  if (measure === 'OR') {
    estimate = Math.log(sR / sS);
    variance = sPR / (2 * sR * sR) + sPSQR / (2 * sR * sS) + sQS / (2 * sS * sS);
  } else if (measure === 'RD') {
    estimate = sR / sS;
    variance = (estimate * sP + sQ) / (sS * sS);
  } else {
    estimate = Math.log(sR / sS);
    variance = varNum / (sR * sS);
  }
  const warnings: string[] = [];
  const tests =
    measure === 'OR'
      ? associationTests(t, rows, Math.exp(estimate), correct)
      : measure === 'IRR'
        ? personTimeTest(t, rows, correct)
        : null;
  return assemble('mh', measure, level, used, estimate, variance, effects, w, tests, warnings);
}

/** Person-time data as pseudo-tables: ai = x1i, bi = t1i, ci = x2i, di = t2i. */
function personTimeAsTables(cols: EffectColumns, k: number): Tables {
  const need = ['x1i', 't1i', 'x2i', 't2i'] as const;
  for (const n of need)
    if (cols[n] === undefined)
      throw new EvsynthError('MISSING_COLUMN', `measure IRR needs columns ${need.join(', ')}`, { column: n });
  return {
    ai: Float64Array.from({ length: k }, (_, i) => cols.x1i?.[i] as number),
    bi: Float64Array.from({ length: k }, (_, i) => cols.t1i?.[i] as number),
    ci: Float64Array.from({ length: k }, (_, i) => cols.x2i?.[i] as number),
    di: Float64Array.from({ length: k }, (_, i) => cols.t2i?.[i] as number),
  };
}

interface AssociationTests {
  CO: number | null;
  MH: number;
  BD: number;
  TA: number;
  dfBD: number;
}

/**
 * Mantel–Haenszel test of IRR = 1 for person-time data: with mᵢ = x₁ᵢ + x₂ᵢ and Tᵢ = t₁ᵢ + t₂ᵢ,
 * X² = (|Σx₁ᵢ − Σmᵢt₁ᵢ/Tᵢ| − ½)² / Σmᵢt₁ᵢt₂ᵢ/Tᵢ² (Rothman, Greenland & Lash 2008, ch. 15).
 */
function personTimeTest(t: Tables, rows: readonly number[], correct: boolean): AssociationTests {
  let sX = 0,
    sE = 0,
    sV = 0;
  for (const i of rows) {
    const x1 = t.ai[i] as number,
      t1 = t.bi[i] as number,
      x2 = t.ci[i] as number,
      t2 = t.di[i] as number;
    const m = x1 + x2,
      T = t1 + t2;
    sX += x1;
    sE += (m * t1) / T;
    sV += (m * t1 * t2) / (T * T);
  }
  const dev = Math.abs(sX - sE) - (correct ? 0.5 : 0);
  return { CO: null, MH: Math.max(0, dev) ** 2 / sV, BD: Number.NaN, TA: Number.NaN, dfBD: 0 };
}

/** Cochran and Mantel–Haenszel χ²(1) tests, Breslow–Day and Tarone homogeneity tests for the MH odds ratio ψ. */
function associationTests(t: Tables, rows: readonly number[], psi: number, correct: boolean): AssociationTests {
  let sA = 0,
    sE = 0,
    sVc = 0,
    sVmh = 0;
  let bd = 0,
    sAt = 0,
    sVt = 0,
    nBD = 0;
  for (const i of rows) {
    const a = t.ai[i] as number,
      b = t.bi[i] as number,
      c = t.ci[i] as number,
      d = t.di[i] as number;
    const n1 = a + b,
      n2 = c + d,
      N = n1 + n2,
      m1 = a + c,
      m2 = b + d;
    sA += a;
    sE += (n1 * m1) / N;
    sVc += (n1 * n2 * m1 * m2) / (N * N * N);
    sVmh += (n1 * n2 * m1 * m2) / (N * N * (N - 1));
    // Breslow–Day: ã solves ã(n₂ − m₁ + ã) = ψ(n₁ − ã)(m₁ − ã), within [max(0, m₁ − n₂), min(n₁, m₁)]
    if (m1 === 0 || m2 === 0) continue;
    const lo = Math.max(0, m1 - n2),
      hi = Math.min(n1, m1);
    const A = 1 - psi,
      B = n2 - m1 + psi * (n1 + m1),
      C = -psi * n1 * m1;
    let at: number;
    if (Math.abs(A) < 1e-15) at = -C / B;
    else {
      const disc = Math.sqrt(B * B - 4 * A * C);
      const r1 = (-B + disc) / (2 * A),
        r2 = (-B - disc) / (2 * A);
      at = r1 >= lo - 1e-9 && r1 <= hi + 1e-9 ? r1 : r2;
    }
    const v = 1 / (1 / at + 1 / (n1 - at) + 1 / (m1 - at) + 1 / (n2 - m1 + at));
    if (!(v > 0) || !Number.isFinite(v)) continue;
    bd += (a - at) ** 2 / v;
    sAt += a - at;
    sVt += v;
    nBD++;
  }
  const dev = Math.abs(sA - sE) - (correct ? 0.5 : 0);
  const num = correct ? Math.max(0, dev) ** 2 : (sA - sE) ** 2;
  return { CO: num / sVc, MH: num / sVmh, BD: bd, TA: bd - (sAt * sAt) / sVt, dfBD: nBD - 1 };
}

function assemble(
  kind: 'mh' | 'peto',
  measure: MhMeasure | 'PETO',
  level: number,
  k: number,
  estimate: number,
  variance: number,
  effects: EffectSizes,
  w: Float64Array,
  tests: AssociationTests | null,
  warnings: string[],
  petoQ?: number,
): PooledTableFit {
  if (!(Number.isFinite(estimate) && Number.isFinite(variance) && variance > 0))
    throw new EvsynthError(
      'NO_FINITE_RESULT',
      kind === 'mh'
        ? `the Mantel–Haenszel ${measure} is not defined for these tables (estimate ${estimate}, variance ${variance}): no events, or only events, in one group across all tables`
        : "Peto's odds ratio is not defined for these tables: one of the two outcomes never occurred in any table",
    );
  const se = Math.sqrt(variance);
  const statistic = estimate / se;
  const crit = critical(level);
  let QE = 0,
    kYi = 0;
  for (let i = 0; i < effects.yi.length; i++) {
    const y = effects.yi[i] as number,
      v = effects.vi[i] as number;
    if (!Number.isFinite(y) || !Number.isFinite(v)) continue;
    kYi++;
    if (kind === 'mh') QE += (y - estimate) ** 2 / v;
  }
  if (petoQ !== undefined) QE = petoQ;
  const QEdf = Math.max(0, kYi - 1);
  const sumW = w.reduce((s, x) => s + x, 0);
  const nullable = (x: number | undefined): number | null => (x === undefined || Number.isNaN(x) ? null : x);
  return Object.freeze({
    kind,
    measure,
    level,
    k,
    kYi,
    estimate,
    se,
    statistic,
    pValue: pnormTwoSided(statistic),
    ciLower: estimate - crit * se,
    ciUpper: estimate + crit * se,
    QE,
    QEdf,
    QEp: QEdf > 0 ? pchisqUpper(QE, QEdf) : 1,
    I2: QEdf > 0 && QE > 0 ? Math.max(0, (100 * (QE - QEdf)) / QE) : Number.NaN,
    H2: QEdf > 0 ? QE / QEdf : Number.NaN,
    tau2: 0 as const,
    CO: nullable(tests?.CO ?? undefined),
    COp: tests && tests.CO !== null ? pchisqUpper(tests.CO, 1) : null,
    MH: nullable(tests?.MH),
    MHp: tests ? pchisqUpper(tests.MH, 1) : null,
    BD: tests && tests.dfBD > 0 ? tests.BD : null,
    BDp: tests && tests.dfBD > 0 ? pchisqUpper(tests.BD, tests.dfBD) : null,
    TA: tests && tests.dfBD > 0 ? tests.TA : null,
    TAp: tests && tests.dfBD > 0 ? pchisqUpper(tests.TA, tests.dfBD) : null,
    effects,
    weights: Float64Array.from(w, (x) => (100 * x) / sumW),
    excluded: effects.excluded,
    warnings,
  });
}

/**
 * Peto's one-step odds ratio (metafor `rma.peto`), on raw counts:
 *
 * ```text
 * Oᵢ − Eᵢ = aᵢ − n₁ᵢ(aᵢ + cᵢ)/Nᵢ,  Vᵢ = (aᵢ+cᵢ)(bᵢ+dᵢ)n₁ᵢn₂ᵢ/(Nᵢ²(Nᵢ − 1))
 * log ψ = Σ(O − E)/ΣV,  se = 1/√ΣV,  Q = Σ(O − E)²/V − (Σ(O − E))²/ΣV
 * ```
 *
 * Q uses the raw counts of the tables with Vᵢ > 0; its df is k_yi − 1, the number of
 * tables with an estimable per-study log odds ratio (escalc's PETO values with metafor's
 * defaults add = 1/2, to = "only0", drop00 = true) minus one.
 *
 * Reference: Yusuf S, Peto R, Lewis J, Collins R, Sleight P (1985). Beta blockade during
 * and after myocardial infarction. Prog Cardiovasc Dis 27(5):335–371. Cross-check: `metafor::rma.peto()`.
 */
export function fitPeto(
  columns: EffectColumns,
  labels: readonly string[],
  options: PooledTableOptions = {},
): PooledTableFit {
  const level = options.level ?? 95;
  assertLevel(level, 'fitPeto');
  const k0 = rowCount(columns);
  const t = readTables(columns, k0, 'PETO');
  const rows = completeRows(t);
  if (rows.length === 0) throw new EvsynthError('TOO_FEW_STUDIES', 'no table without missing values');
  const effects = escalc('PETO', columns, labels, perStudyOptions(options));
  const w = new Float64Array(k0);
  let sOE = 0,
    sV = 0,
    sQ = 0;
  for (const i of rows) {
    const a = t.ai[i] as number,
      b = t.bi[i] as number,
      c = t.ci[i] as number,
      d = t.di[i] as number;
    const n1 = a + b,
      n2 = c + d,
      N = n1 + n2;
    const V = ((a + c) * (b + d) * n1 * n2) / (N * N * (N - 1));
    const oe = a - (n1 * (a + c)) / N;
    sOE += oe;
    sV += V;
    if (V > 0) sQ += (oe * oe) / V;
    w[i] = V;
  }
  const Q = sQ - (sOE * sOE) / sV;
  return assemble('peto', 'PETO', level, rows.length, sOE / sV, 1 / sV, effects, w, null, [], Q);
}
