/**
 * RevMan 5's per-study effects and weights, and the detection of an analysis's measure and pooling
 * model from what RevMan printed (the export states neither).
 *
 * Conventions (Deeks JJ, Higgins JPT (2010). Statistical algorithms in Review Manager 5; Cochrane
 * Handbook v6.4 ch. 10):
 * - MD: m₁ − m₂, v = sd₁²/n₁ + sd₂²/n₂. SMD: Hedges' adjusted g with 1 − 3/(4N − 9), v = N/(n₁n₂) + g²/(2(N − 3.94)).
 * - RR, OR: 0.5 added to every cell of a study with a zero cell; studies with no events (or only events)
 *   in both arms are not estimable. RD: the same correction for its variance only when a cell is zero.
 * - Peto OR: (O − E)/V, v = 1/V from the raw counts; from O−E and Variance when given.
 * - Generic inverse variance: the estimate and SE as entered (ratios entered on the log scale).
 * - CIs: yᵢ ± z·√vᵢ with the exact normal quantile (natural scale for ratios), at 95% (or 90/99% where the review chose so).
 * - Weights (percent within each subgroup or of the analysis): IV fixed 1/vᵢ; IV random 1/(vᵢ + τ²_DL);
 *   MH fixed (OR: bc/N, RR: cn₁/N, RD: n₁n₂/N, with 0.5 added to the cells of a study with a zero cell);
 *   MH random: DerSimonian–Laird with Q about the MH estimate; Peto: V; and RevMan Web's REML random effects.
 */
import { escalc } from '../effects/escalc.ts';
import { fitRma } from '../models/rma.ts';
import { mantelHaenszelEstimate, mantelHaenszelTerms, revmanMantelHaenszelCells } from '../models/mantel-haenszel.ts';
import { dersimonianLairdAbout } from '../models/tau2/dersimonian-laird.ts';
import type { ExportRow, NumericField } from './export.ts';

export const CANDIDATE_MEASURES = ['MD', 'SMD', 'RR', 'OR', 'RD', 'PETO', 'GIV', 'GIV-EXP', 'OE'] as const;
export type CandidateMeasure = (typeof CANDIDATE_MEASURES)[number];
/** In order of preference when two models give the same weights (Peto's V equals the IV weight 1/vᵢ). */
export const POOLING_MODELS = ['Peto', 'IV-fixed', 'IV-random', 'MH-fixed', 'MH-random', 'IV-random-REML'] as const;
export type PoolingModel = (typeof POOLING_MODELS)[number];

/** One study's effect under a measure: analysis scale yi, vi; null when not estimable. */
export interface StudyEffect {
  readonly yi: number;
  readonly vi: number;
  /** 2×2 counts for MH weights (dichotomous only): raw, or with 0.5 added when a cell is zero. */
  readonly cells?: readonly [number, number, number, number];
  /** Peto V (for Peto weights). */
  readonly V?: number;
}

const isRatio = (m: CandidateMeasure) => m === 'RR' || m === 'OR' || m === 'PETO' || m === 'GIV-EXP' || m === 'OE';
const Z = 1.959963984540054; // qnorm(0.975): the CIs RevMan prints use the exact normal quantile

function pos(x: number | null): x is number {
  return x !== null && x > 0;
}

/** Inputs as escalc takes them, for the rows whose fields make sense (others get null). */
function inputsOf(
  rows: readonly ExportRow[],
  fields: Readonly<Record<string, NumericField>>,
  valid: (v: Readonly<Record<string, number>>) => boolean,
): { at: number[]; columns: Record<string, Float64Array> } {
  const at: number[] = [];
  const values: Record<string, number[]> = Object.fromEntries(Object.keys(fields).map((k) => [k, []]));
  rows.forEach((r, i) => {
    const v: Record<string, number> = {};
    for (const [name, field] of Object.entries(fields)) {
      const x = r.n[field];
      if (x === null) return;
      v[name] = x;
    }
    if (!valid(v)) return;
    at.push(i);
    for (const name of Object.keys(fields)) (values[name] as number[]).push(v[name] as number);
  });
  return { at, columns: Object.fromEntries(Object.entries(values).map(([k, xs]) => [k, Float64Array.from(xs)])) };
}

/** Runs escalc with RevMan 5's conventions on the usable rows; null where a row has no estimate. */
function escalcRows(
  rows: readonly ExportRow[],
  measure: 'MD' | 'SMD' | 'RR' | 'OR' | 'RD' | 'PETO' | 'GEN',
  fields: Readonly<Record<string, NumericField>>,
  valid: (v: Readonly<Record<string, number>>) => boolean,
  extra: (yi: number, vi: number, v: Readonly<Record<string, number>>) => Partial<StudyEffect> = () => ({}),
): (StudyEffect | null)[] {
  const out: (StudyEffect | null)[] = rows.map(() => null);
  const { at, columns } = inputsOf(rows, fields, valid);
  if (at.length === 0) return out;
  const es = escalc(
    measure,
    columns,
    at.map((i) => `row ${i + 1}`),
    { convention: 'revman5' },
  );
  at.forEach((row, j) => {
    const yi = es.yi[j] as number,
      vi = es.vi[j] as number;
    if (!(Number.isFinite(yi) && vi > 0 && Number.isFinite(vi))) return;
    const v = Object.fromEntries(Object.keys(columns).map((name) => [name, columns[name]?.[j] as number]));
    out[row] = { yi, vi, ...extra(yi, vi, v) };
  });
  return out;
}

const ARMS = {
  n1i: 'Experimental.N',
  m1i: 'Experimental.mean',
  sd1i: 'Experimental.SD',
  n2i: 'Control.N',
  m2i: 'Control.mean',
  sd2i: 'Control.SD',
} as const;
const TABLE = { ai: 'Experimental.cases', n1i: 'Experimental.N', ci: 'Control.cases', n2i: 'Control.N' } as const;

/**
 * Each row's effect under `m` with RevMan 5's conventions (escalc with `convention: 'revman5'`), or null
 * (not estimable, or the row lacks the inputs: a missing value, a group size ≤ 0, events above the group
 * size, a negative SD). For dichotomous measures also the cells of the row's Mantel–Haenszel weight, and
 * Peto's V.
 */
export function revmanEffects(rows: readonly ExportRow[], m: CandidateMeasure): (StudyEffect | null)[] {
  switch (m) {
    case 'MD':
    case 'SMD':
      return escalcRows(
        rows,
        m,
        ARMS,
        (v) =>
          (v['n1i'] as number) > 0 &&
          (v['n2i'] as number) > 0 &&
          (v['sd1i'] as number) >= 0 &&
          (v['sd2i'] as number) >= 0,
      );
    case 'RR':
    case 'OR':
    case 'RD':
    case 'PETO':
      return escalcRows(
        rows,
        m,
        TABLE,
        (v) => {
          const a = v['ai'] as number,
            n1 = v['n1i'] as number,
            c = v['ci'] as number,
            n2 = v['n2i'] as number;
          return n1 > 0 && n2 > 0 && a >= 0 && c >= 0 && a <= n1 && c <= n2;
        },
        (_yi, vi, v) => {
          const a = v['ai'] as number,
            b = (v['n1i'] as number) - a,
            c = v['ci'] as number,
            d = (v['n2i'] as number) - c;
          return m === 'PETO'
            ? { cells: [a, b, c, d], V: 1 / vi }
            : { cells: revmanMantelHaenszelCells(m, a, b, c, d) };
        },
      );
    case 'GIV':
    case 'GIV-EXP':
      return escalcRows(rows, 'GEN', { yi: 'GIV.Mean', sei: 'GIV.SE' }, (v) => (v['sei'] as number) > 0);
    case 'OE':
      // Peto's (O − E)/V from the observed-minus-expected count and its variance as entered
      return rows.map((r) => {
        const oe = r.n['O.E'],
          V = r.n['Variance'];
        return oe !== null && pos(V) ? { yi: oe / V, vi: 1 / V, V } : null;
      });
  }
}

/** Tolerance of a value RevMan's export printed to 6 decimals: half a unit in the 6th decimal, plus 1e-9 relative for values far from 1. */
function sixDecimalTolerance(x: number): number {
  return 5e-7 * (1 + 1e-6) + 1e-9 * Math.abs(x);
}

export interface EffectCheck {
  readonly effect: number;
  readonly lo: number;
  readonly hi: number;
  readonly effectOk: boolean;
  readonly ciOk: boolean;
}

/** CI levels a review may print (RevMan offers 90, 95 and 99%). */
export const CI_LEVELS = [95, 99, 90] as const;
const Z_OF: Record<number, number> = { 95: Z, 99: 2.5758293035489004, 90: 1.6448536269514722 };

/** Compares a computed effect with the printed one (on the printed scale), with a `level`% CI. */
export function checkEffect(
  e: StudyEffect,
  m: CandidateMeasure,
  printed: { mean: number; lo: number; hi: number },
  level = 95,
): EffectCheck {
  const se = Math.sqrt(e.vi) * ((Z_OF[level] as number) / Z);
  const t = isRatio(m) ? Math.exp : (x: number) => x;
  const effect = t(e.yi),
    lo = t(e.yi - Z * se),
    hi = t(e.yi + Z * se);
  return {
    effect,
    lo,
    hi,
    effectOk: Math.abs(effect - printed.mean) <= sixDecimalTolerance(printed.mean),
    ciOk:
      Math.abs(lo - printed.lo) <= sixDecimalTolerance(printed.lo) &&
      Math.abs(hi - printed.hi) <= sixDecimalTolerance(printed.hi),
  };
}

/**
 * Weights in percent of one set of studies pooled together under a RevMan pooling model (null when the
 * model does not apply to the measure): IV fixed 1/vᵢ; IV random 1/(vᵢ + τ²) with DerSimonian–Laird's τ²
 * (about the inverse-variance mean), or REML's (RevMan Web); MH fixed, the tables' Mantel–Haenszel weights
 * (S of {@link mantelHaenszelTerms}, from RevMan's cells); MH random 1/(vᵢ + τ²) with DerSimonian–Laird's τ²
 * about the Mantel–Haenszel estimate; Peto V.
 */
export function revmanWeights(
  effects: readonly StudyEffect[],
  m: CandidateMeasure,
  model: PoolingModel,
): Float64Array | null {
  const w = revmanRawWeights(effects, m, model);
  if (!w) return null;
  const sum = w.reduce((s, x) => s + x, 0);
  return Float64Array.from(w, (x) => (100 * x) / sum);
}

/** The unnormalised weights of {@link revmanWeights} (1/(vᵢ + τ²), Mantel–Haenszel weights or V). */
export function revmanRawWeights(
  effects: readonly StudyEffect[],
  m: CandidateMeasure,
  model: PoolingModel,
): Float64Array | null {
  const k = effects.length;
  if (k === 0) return null;
  const yi = effects.map((e) => e.yi),
    vi = effects.map((e) => e.vi);
  const random = (tau2: number) => Float64Array.from(vi, (v) => 1 / (v + tau2));
  const mh = m === 'RR' || m === 'OR' || m === 'RD' ? m : null;
  const cells = () => effects.map((e) => e.cells as readonly [number, number, number, number]);
  switch (model) {
    case 'IV-fixed':
      return Float64Array.from(vi, (v) => 1 / v);
    case 'IV-random': {
      let s = 0,
        sw = 0;
      for (let i = 0; i < k; i++) {
        const w = 1 / (vi[i] as number);
        s += w * (yi[i] as number);
        sw += w;
      }
      return random(dersimonianLairdAbout(yi, vi, s / sw));
    }
    case 'IV-random-REML':
      // RevMan Web's random-effects default (REML τ²)
      return random(k > 1 ? fitRma(yi, vi, { method: 'REML', r2: false }).tau2 : 0);
    case 'MH-fixed':
      return mh && effects.every((e) => e.cells)
        ? Float64Array.from(cells(), ([a, b, c, d]) => mantelHaenszelTerms(mh, a, b, c, d)[1])
        : null;
    case 'MH-random':
      return mh && effects.every((e) => e.cells)
        ? random(dersimonianLairdAbout(yi, vi, mantelHaenszelEstimate(mh, cells())))
        : null;
    case 'Peto':
      return m === 'PETO' || m === 'OE' ? Float64Array.from(effects, (e) => e.V as number) : null;
  }
}
