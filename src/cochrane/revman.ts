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
import { fitRma } from '../models/rma.ts';
import type { ExportRow } from './export.ts';

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

/** The study's effect under `m` with RevMan's conventions, or null (not estimable / no such data). */
export function revmanEffect(r: ExportRow, m: CandidateMeasure): StudyEffect | null {
  const n = r.n;
  switch (m) {
    case 'MD':
    case 'SMD': {
      const n1 = n['Experimental.N'],
        n2 = n['Control.N'],
        m1 = n['Experimental.mean'],
        m2 = n['Control.mean'],
        s1 = n['Experimental.SD'],
        s2 = n['Control.SD'];
      if (!pos(n1) || !pos(n2) || m1 === null || m2 === null || s1 === null || s2 === null) return null;
      if (m === 'MD') {
        const v = (s1 * s1) / n1 + (s2 * s2) / n2;
        return v > 0 ? { yi: m1 - m2, vi: v } : null;
      }
      const N = n1 + n2;
      const sp = Math.sqrt(((n1 - 1) * s1 * s1 + (n2 - 1) * s2 * s2) / (N - 2));
      if (!(sp > 0)) return null;
      const g = ((m1 - m2) / sp) * (1 - 3 / (4 * N - 9));
      return { yi: g, vi: N / (n1 * n2) + (g * g) / (2 * (N - 3.94)) };
    }
    case 'RR':
    case 'OR':
    case 'RD':
    case 'PETO': {
      const a = n['Experimental.cases'],
        n1 = n['Experimental.N'],
        c = n['Control.cases'],
        n2 = n['Control.N'];
      if (a === null || c === null || !pos(n1) || !pos(n2) || a > n1 || c > n2) return null;
      const b = n1 - a,
        d = n2 - c;
      const raw = [a, b, c, d] as const;
      if (m === 'PETO') {
        const N = n1 + n2;
        const V = ((a + c) * (b + d) * n1 * n2) / (N * N * (N - 1));
        if (!(V > 0)) return null;
        return { yi: (a - (n1 * (a + c)) / N) / V, vi: 1 / V, cells: raw, V };
      }
      const zero = a === 0 || b === 0 || c === 0 || d === 0;
      const k = zero ? 0.5 : 0;
      const A = a + k,
        B = b + k,
        C = c + k,
        D = d + k;
      const cells = [A, B, C, D] as const;
      if (m === 'RR') {
        // no events in either arm: not estimable; events in everyone in both arms: RR = 1 exactly, with the
        // variance of the corrected counts; otherwise both from the corrected counts
        if (a === 0 && c === 0) return null;
        const yi = b === 0 && d === 0 ? 0 : Math.log(A / (A + B) / (C / (C + D)));
        return { yi, vi: 1 / A - 1 / (A + B) + 1 / C - 1 / (C + D), cells };
      }
      if (m === 'OR' && ((a === 0 && c === 0) || (b === 0 && d === 0))) return null;
      if (m === 'OR') return { yi: Math.log((A * D) / (B * C)), vi: 1 / A + 1 / B + 1 / C + 1 / D, cells };
      const p1 = a / n1,
        p2 = c / n2;
      const q1 = A / (A + B),
        q2 = C / (C + D);
      const vi = (q1 * (1 - q1)) / (A + B) + (q2 * (1 - q2)) / (C + D);
      return vi > 0 ? { yi: p1 - p2, vi, cells: raw } : null;
    }
    case 'GIV':
    case 'GIV-EXP': {
      const y = n['GIV.Mean'],
        se = n['GIV.SE'];
      return y !== null && pos(se) ? { yi: y, vi: se * se } : null;
    }
    case 'OE': {
      const oe = n['O.E'],
        V = n['Variance'];
      return oe !== null && pos(V) ? { yi: oe / V, vi: 1 / V, V } : null;
    }
  }
}

/** Printed precision: RevMan's export rounds to 6 decimals. */
function printedTolerance(x: number): number {
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
    effectOk: Math.abs(effect - printed.mean) <= printedTolerance(printed.mean),
    ciOk:
      Math.abs(lo - printed.lo) <= printedTolerance(printed.lo) &&
      Math.abs(hi - printed.hi) <= printedTolerance(printed.hi),
  };
}

/** Weights in percent of the studies of one subgroup under a pooling model (null when the model does not apply). */
export function revmanWeights(
  effects: readonly StudyEffect[],
  m: CandidateMeasure,
  model: PoolingModel,
): Float64Array | null {
  const w = revmanRawWeights(effects, m, model);
  if (!w) return null;
  return w;
}

/** Unnormalised weights (1/(vᵢ + τ²), MH weights, V) of one set of studies pooled together. */
export function revmanRawWeights(
  effects: readonly StudyEffect[],
  m: CandidateMeasure,
  model: PoolingModel,
): Float64Array | null {
  const k = effects.length;
  if (k === 0) return null;
  const w = new Float64Array(k);
  const iv = effects.map((e) => 1 / e.vi);
  const dl = (centre: number): number => {
    let Q = 0,
      sw = 0,
      sw2 = 0;
    for (let i = 0; i < k; i++) {
      const wi = iv[i] as number;
      Q += wi * ((effects[i] as StudyEffect).yi - centre) ** 2;
      sw += wi;
      sw2 += wi * wi;
    }
    return k > 1 ? Math.max(0, (Q - (k - 1)) / (sw - sw2 / sw)) : 0;
  };
  const ivMean = () => {
    let s = 0,
      sw = 0;
    for (let i = 0; i < k; i++) {
      s += (iv[i] as number) * (effects[i] as StudyEffect).yi;
      sw += iv[i] as number;
    }
    return s / sw;
  };
  const mhWeights = (): number[] | null => {
    if (m !== 'RR' && m !== 'OR' && m !== 'RD') return null;
    return effects.map((e) => {
      if (!e.cells) return Number.NaN;
      const [a, b, c, d] = e.cells;
      const n1 = a + b,
        n2 = c + d,
        N = n1 + n2;
      return m === 'OR' ? (b * c) / N : m === 'RR' ? (c * n1) / N : (n1 * n2) / N;
    });
  };
  switch (model) {
    case 'IV-fixed':
      iv.forEach((x, i) => {
        w[i] = x;
      });
      break;
    case 'IV-random': {
      const t2 = dl(ivMean());
      effects.forEach((e, i) => {
        w[i] = 1 / (e.vi + t2);
      });
      break;
    }
    case 'IV-random-REML': {
      // RevMan Web's random-effects default (REML τ²)
      const t2 =
        k > 1
          ? fitRma(
              effects.map((e) => e.yi),
              effects.map((e) => e.vi),
              { method: 'REML', r2: false },
            ).tau2
          : 0;
      effects.forEach((e, i) => {
        w[i] = 1 / (e.vi + t2);
      });
      break;
    }
    case 'MH-fixed': {
      const mw = mhWeights();
      if (!mw) return null;
      mw.forEach((x, i) => {
        w[i] = x;
      });
      break;
    }
    case 'MH-random': {
      const mw = mhWeights();
      if (!mw) return null;
      // the MH pooled estimate on the analysis scale
      let num = 0,
        den = 0;
      effects.forEach((e, i) => {
        const [a, b, c, d] = e.cells as readonly [number, number, number, number];
        const n1 = a + b,
          n2 = c + d,
          N = n1 + n2;
        if (m === 'OR') {
          num += (a * d) / N;
          den += (b * c) / N;
        } else if (m === 'RR') {
          num += (a * n2) / N;
          den += (c * n1) / N;
        } else {
          num += (a * n2 - c * n1) / N;
          den += mw[i] as number;
        }
      });
      const centre = m === 'RD' ? num / den : Math.log(num / den);
      const t2 = dl(centre);
      effects.forEach((e, i) => {
        w[i] = 1 / (e.vi + t2);
      });
      break;
    }
    case 'Peto': {
      if (m !== 'PETO' && m !== 'OE') return null;
      effects.forEach((e, i) => {
        w[i] = e.V as number;
      });
      break;
    }
  }
  const sum = w.reduce((s, x) => s + x, 0);
  return Float64Array.from(w, (x) => (100 * x) / sum);
}
