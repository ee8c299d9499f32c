/**
 * Effect sizes sharing an arm (src/effects/shared-arms.ts): the covariance formulas are checked against the
 * sampling distribution itself (Monte Carlo: a three-arm trial simulated 10,000 times with a fixed seed, the
 * empirical covariance of the two comparisons against the formula), against metafor's vcalc() where its
 * sample-size approximation is exact (MD with equal SDs), and the split-N alternative against its definition.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../src/core/random.ts';
import { escalc } from '../src/effects/escalc.ts';
import { sharedArmEffects, sharedArmGroups } from '../src/effects/shared-arms.ts';
import type { EffectColumns } from '../src/effects/options.ts';
import type { Measure } from '../src/effects/registry.ts';
import { denseCovariance } from '../src/effects/sampling-covariance.ts';

const labels = ['A vs C', 'B vs C'];

/** Empirical covariance of the two comparisons of a simulated three-arm trial, and the formula's mean. */
function monteCarlo(measure: Measure, sim: (rng: Random) => EffectColumns, reps = 10000) {
  const rng = new Random(20150);
  const y1: number[] = [],
    y2: number[] = [];
  let formula = 0,
    v1 = 0;
  for (let r = 0; r < reps; r++) {
    const cols = sim(rng);
    const s = sharedArmEffects(measure, cols, labels, [{ id: 'C', rows: [0, 1], n: 'repeated' }], 'covariance');
    if (s.rows.length < 2) continue;
    y1.push(s.effects.yi[0] as number);
    y2.push(s.effects.yi[1] as number);
    formula += denseCovariance(s.V)[0]![1]!;
    v1 += s.effects.vi[0] as number;
  }
  const n = y1.length;
  const m1 = y1.reduce((a, b) => a + b, 0) / n,
    m2 = y2.reduce((a, b) => a + b, 0) / n;
  let cov = 0,
    var1 = 0;
  for (let i = 0; i < n; i++) {
    cov += ((y1[i] as number) - m1) * ((y2[i] as number) - m2);
    var1 += ((y1[i] as number) - m1) ** 2;
  }
  return { empirical: cov / (n - 1), formula: formula / n, empiricalVar: var1 / (n - 1), formulaVar: v1 / n, n };
}

const normalArm = (rng: Random, n: number, mu: number, sd: number) => {
  let s = 0,
    ss = 0;
  const x = Array.from({ length: n }, () => mu + sd * rng.normal());
  for (const v of x) s += v;
  const m = s / n;
  for (const v of x) ss += (v - m) ** 2;
  return { m, sd: Math.sqrt(ss / (n - 1)) };
};
const events = (rng: Random, n: number, p: number) => {
  let x = 0;
  for (let i = 0; i < n; i++) if (rng.next() < p) x++;
  return x;
};

describe('shared-arm covariances reproduce the sampling distribution (Monte Carlo, 10,000 trials)', () => {
  it.each([
    ['MD', 40, 60, 50],
    ['SMD', 40, 60, 50],
    ['ROM', 40, 60, 50],
  ] as const)('%s (arms of %d, %d and a shared control of %d)', (measure, nA, nB, nC) => {
    const r = monteCarlo(measure, (rng) => {
      const a = normalArm(rng, nA, 12, 4),
        b = normalArm(rng, nB, 11, 5),
        c = normalArm(rng, nC, 10, 4.5);
      return {
        n1i: [nA, nB],
        m1i: [a.m, b.m],
        sd1i: [a.sd, b.sd],
        n2i: [nC, nC],
        m2i: [c.m, c.m],
        sd2i: [c.sd, c.sd],
      };
    });
    // Monte Carlo standard error of a covariance of two correlated estimates ≈ √((σ₁²σ₂² + cov²)/n): 3 SE
    const se = Math.sqrt((r.empiricalVar * r.empiricalVar + r.empirical ** 2) / r.n);
    expect(Math.abs(r.empirical - r.formula)).toBeLessThan(3 * se);
  });
  it.each([
    ['RR', 0.3, 0.25, 0.2],
    ['OR', 0.3, 0.25, 0.2],
    ['RD', 0.3, 0.25, 0.2],
  ] as const)('%s (risks %d, %d vs a shared control at %d; 80 per arm)', (measure, pA, pB, pC) => {
    const n = 80;
    const r = monteCarlo(measure, (rng) => {
      const c = events(rng, n, pC);
      return { ai: [events(rng, n, pA), events(rng, n, pB)], n1i: [n, n], ci: [c, c], n2i: [n, n] };
    });
    const se = Math.sqrt((r.empiricalVar * r.empiricalVar + r.empirical ** 2) / r.n);
    expect(Math.abs(r.empirical - r.formula)).toBeLessThan(3 * se);
  });
});

describe('shared arms: the covariance approach', () => {
  // MD with one SD in every arm: corr = √(n₁n₂/((n₁ + n₀)(n₂ + n₀))), metafor's vcalc(grp1, grp2, w1, w2)
  // correlation; vcalc(vi, cluster = 1, grp1 = c(1, 2, 3), grp2 = c(4, 4, 4), w1 = n1, w2 = n0) gives
  // V[1,2] = 0.0625, V[1,3] = 0.0625, V[2,3] = 0.0625 for this table (sd = 2.5 everywhere, n₀ = 100).
  const cols: EffectColumns = {
    n1i: [20, 50, 80],
    m1i: [3, 4, 5],
    sd1i: [2.5, 2.5, 2.5],
    n2i: [100, 100, 100],
    m2i: [2, 2, 2],
    sd2i: [2.5, 2.5, 2.5],
  };
  it('MD: the covariance is the shared arm variance sd²/n (= vcalc with group sizes)', () => {
    const s = sharedArmEffects(
      'MD',
      cols,
      ['a', 'b', 'c'],
      [{ id: 'ctl', rows: [0, 1, 2], n: 'repeated' }],
      'covariance',
    );
    const V = denseCovariance(s.V);
    expect(V[0]![1]).toBeCloseTo(0.0625, 15);
    expect(V[0]![2]).toBeCloseTo(0.0625, 15);
    expect(V[1]![2]).toBeCloseTo(0.0625, 15);
    // the correlation vcalc would give
    const corr = V[0]![1]! / Math.sqrt(V[0]![0]! * V[1]![1]!);
    expect(corr).toBeCloseTo(Math.sqrt((20 * 50) / ((20 + 100) * (50 + 100))), 12);
  });
  it('a split arm is re-assembled: its N is the sum of the printed shares', () => {
    const split: EffectColumns = { ...cols, n2i: [35, 35, 34] };
    const s = sharedArmEffects(
      'MD',
      split,
      ['a', 'b', 'c'],
      [{ id: 'ctl', rows: [0, 1, 2], n: 'split' }],
      'covariance',
    );
    expect(s.groups[0]!.armN).toEqual([104, 104, 104]);
    expect(denseCovariance(s.V)[0]![1]).toBeCloseTo(2.5 ** 2 / 104, 15);
    expect(s.effects.vi[0]).toBeCloseTo(2.5 ** 2 / 20 + 2.5 ** 2 / 104, 15);
  });
  it('a split arm whose SDs were derived from its standard error is used as printed', () => {
    // sd_i = SE·√n_i: every row already carries the arm's sampling variance SE² = sd_i²/n_i
    const se = 2.2;
    const split: EffectColumns = {
      ...cols,
      n2i: [38, 38, 37],
      sd2i: [se * Math.sqrt(38), se * Math.sqrt(38), se * Math.sqrt(37)],
    };
    const s = sharedArmEffects(
      'MD',
      split,
      ['a', 'b', 'c'],
      [{ id: 'ctl', rows: [0, 1, 2], n: 'split', sd: 'from-se' }],
      'covariance',
    );
    expect(s.groups[0]!.armN).toEqual([38, 38, 37]);
    expect(denseCovariance(s.V)[0]![2]).toBeCloseTo(se * se, 13);
    expect(s.effects.vi[2]).toBeCloseTo(2.5 ** 2 / 80 + se * se, 13);
  });
  it('the shared arm as arm 1 of one comparison and arm 2 of another gives a negative covariance', () => {
    const s = sharedArmEffects(
      'MD',
      { n1i: [30, 40], m1i: [5, 4], sd1i: [2, 3], n2i: [40, 50], m2i: [4, 3], sd2i: [3, 2] },
      ['B vs A', 'A vs C'],
      [{ id: 'A', rows: [0, 1], arms: [2, 1], n: 'repeated' }],
      'covariance',
    );
    expect(denseCovariance(s.V)[0]![1]).toBeCloseTo(-(3 ** 2) / 40, 15);
  });
});

describe('shared arms: the split-N alternative (Cochrane Handbook §23.3.4)', () => {
  it('divides a repeated shared arm evenly among its comparisons and keeps them independent', () => {
    const cols: EffectColumns = { ai: [10, 12], n1i: [50, 60], ci: [8, 8], n2i: [40, 40] };
    const s = sharedArmEffects('RR', cols, labels, [{ id: 'C', rows: [0, 1], n: 'repeated' }], 'split');
    const direct = escalc('RR', { ai: [10, 12], n1i: [50, 60], ci: [4, 4], n2i: [20, 20] }, labels);
    expect(Array.from(s.effects.yi)).toEqual(Array.from(direct.yi));
    expect(Array.from(s.effects.vi)).toEqual(Array.from(direct.vi));
    expect(s.V.pairs).toHaveLength(0);
  });
  it('leaves an arm the source already split as printed', () => {
    const cols: EffectColumns = {
      n1i: [49, 101],
      m1i: [-12, -17],
      sd1i: [18.2, 18.09],
      n2i: [35, 35],
      m2i: [-10.2, -10.2],
      sd2i: [10.65, 10.65],
    };
    const s = sharedArmEffects('MD', cols, labels, [{ id: 'placebo', rows: [0, 1], n: 'split' }], 'split');
    expect(Array.from(s.effects.vi)).toEqual(Array.from(escalc('MD', cols, labels).vi));
  });
});

describe('shared-arm groups from a column', () => {
  it('groups rows by value, ignores empty cells and singletons, and reads differing sizes as a split arm', () => {
    const g = sharedArmGroups(['p1', '', 'p1', 'p2', 'p2', 'x'], [35, 10, 34, 32, 32, 9]);
    expect(g).toEqual([
      { id: 'p1', rows: [0, 2], n: 'split' },
      { id: 'p2', rows: [3, 4], n: 'repeated' },
    ]);
    // a declaration wins over the sizes
    expect(sharedArmGroups(['p', 'p'], [35, 34], () => ({ n: 'split', sd: 'from-se' }))[0]).toEqual({
      id: 'p',
      rows: [0, 1],
      n: 'split',
      sd: 'from-se',
    });
  });
  it('rejects a row in two groups', () => {
    expect(() =>
      sharedArmEffects(
        'MD',
        { n1i: [1, 2], m1i: [1, 2], sd1i: [1, 1], n2i: [3, 3], m2i: [0, 0], sd2i: [1, 1] },
        labels,
        [
          { id: 'a', rows: [0, 1], n: 'repeated' },
          { id: 'b', rows: [1, 0], n: 'repeated' },
        ],
        'covariance',
      ),
    ).toThrow(/two shared-arm groups/);
  });
});
