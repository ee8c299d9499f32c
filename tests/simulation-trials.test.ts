import { describe, expect, it } from 'vitest';
import { Random } from '../src/core/random.ts';
import { escalc } from '../src/effects/escalc.ts';
import { mcMean, simulateMetaAnalyses } from '../src/simulation/meta-simulation.ts';
import { binomial, chiSquare, simulateBinaryTrials, simulateContinuousTrials } from '../src/simulation/trials.ts';

/** |estimate − truth| within 4 Monte Carlo standard errors. */
const near = (values: ArrayLike<number>, truth: number) => {
  const m = mcMean(values);
  expect(Math.abs(m.estimate - truth)).toBeLessThan(4 * m.se);
};

describe('samplers', () => {
  it('χ² has mean df and variance 2·df, for df below and above 2', () => {
    const rng = new Random(11);
    for (const df of [1, 4, 29]) {
      const x = Float64Array.from({ length: 10000 }, () => chiSquare(rng, df));
      near(x, df);
      near(
        Float64Array.from(x, (v) => (v - df) ** 2),
        2 * df,
      );
    }
  });
  it('binomial has mean np and variance np(1 − p), by inversion and by Bernoulli sums', () => {
    const rng = new Random(12);
    for (const [n, p] of [
      [20, 0.03],
      [50, 0.7],
      [400, 0.5],
      [1500, 0.02],
    ] as const) {
      const x = Float64Array.from({ length: 10000 }, () => binomial(rng, n, p));
      expect(x.every((v) => Number.isInteger(v) && v >= 0 && v <= n)).toBe(true);
      near(x, n * p);
      near(
        Float64Array.from(x, (v) => (v - n * p) ** 2),
        n * p * (1 - p),
      );
    }
    expect(binomial(rng, 10, 0)).toBe(0);
    expect(binomial(rng, 10, 1)).toBe(10);
    expect(() => binomial(rng, 2.5, 0.1)).toThrow(/whole number/);
    expect(() => chiSquare(rng, 0)).toThrow(/df/);
  });
});

describe('simulated trials', () => {
  it('continuous: reproducible; means and SDs follow the model; Hedges g is nearly unbiased', () => {
    const d = { reps: 3000, k: 4, mu: 0.5, tau2: 0.04, n1: 10 } as const;
    const a = simulateContinuousTrials(new Random(5), d),
      b = simulateContinuousTrials(new Random(5), d);
    expect(a.columns.m1i).toEqual(b.columns.m1i);
    expect(a.columns.sd2i).toEqual(b.columns.sd2i);
    near(a.theta, 0.5);
    near(
      Float64Array.from(a.columns.m2i, (m) => m * m * 10),
      1,
    );
    near(
      Float64Array.from(a.columns.sd1i, (s) => s * s),
      1,
    );
    near(
      Float64Array.from(a.columns.m1i, (m, i) => m - a.theta[i]!),
      0,
    );
    const g = escalc(
      'SMD',
      a.columns,
      Array.from({ length: a.theta.length }, (_, i) => `t${i}`),
    );
    near(g.yi, 0.5);
  });
  it('continuous: unequal arms drawn per trial', () => {
    const s = simulateContinuousTrials(new Random(6), {
      reps: 2,
      k: 3,
      mu: 0,
      tau2: 0,
      n1: 8,
      n2: (r) => 10 + r.int(5),
    });
    expect([...s.columns.n1i]).toEqual([8, 8, 8, 8, 8, 8]);
    expect(s.columns.n2i.every((n) => n >= 10 && n < 15)).toBe(true);
  });
  it('binary: events follow the risks implied by the log odds ratio', () => {
    const s = simulateBinaryTrials(new Random(7), { reps: 5000, k: 2, mu: Math.log(2), tau2: 0, p2: 0.2, n1: 40 });
    const p1 = 1 / (1 + (0.8 / 0.2) * Math.exp(-Math.log(2)));
    near(
      Float64Array.from(s.columns.ai, (a) => a / 40),
      p1,
    );
    near(
      Float64Array.from(s.columns.ci, (c) => c / 40),
      0.2,
    );
    expect(s.columns.ai.every((a, i) => a + s.columns.bi[i]! === 40)).toBe(true);
  });
  it('reject impossible designs', () => {
    const r = new Random(1);
    expect(() => simulateContinuousTrials(r, { reps: 1, k: 1, mu: 0, tau2: 0, n1: 1 })).toThrow(/group size/);
    expect(() => simulateBinaryTrials(r, { reps: 1, k: 1, mu: 0, tau2: 0, p2: 0, n1: 5 })).toThrow(/control risk/);
    expect(() => simulateBinaryTrials(r, { reps: 0, k: 1, mu: 0, tau2: 0, p2: 0.1, n1: 5 })).toThrow(/reps/);
  });
});

describe('publication selection', () => {
  it('keeps drawing until k studies pass the rule, and counts the draws', () => {
    const select = (y: number, v: number) => y / Math.sqrt(v) > 1.96;
    const s = simulateMetaAnalyses(new Random(3), { reps: 200, k: 5, mu: 0, tau2: 0, vi: 0.1, select });
    expect(s.yi.every((y) => y / Math.sqrt(0.1) > 1.96)).toBe(true);
    // P(z > 1.96) = 2.5%: about 40 draws per published study
    expect(s.drawn / 1000).toBeGreaterThan(30);
    expect(s.drawn / 1000).toBeLessThan(50);
    const all = simulateMetaAnalyses(new Random(3), { reps: 2, k: 5, mu: 0, tau2: 0, vi: 0.1 });
    expect(all.drawn).toBe(10);
    expect(() =>
      simulateMetaAnalyses(new Random(3), { reps: 1, k: 2, mu: 0, tau2: 0, vi: 0.1, select: () => false }),
    ).toThrow(/selected/);
  });
});
