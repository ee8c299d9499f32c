import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Random } from '../src/core/random.ts';
import { petPeese } from '../src/diagnostics/pet-peese.ts';
import { fitRma } from '../src/models/rma.ts';
import { mcMean, mcMse, mcProportion, simulateMetaAnalyses } from '../src/simulation/meta-simulation.ts';

interface Case {
  name: string;
  yi: number[];
  vi: number[];
  pet: { estimate: number; ciLower: number; ciUpper: number; interceptP: number; pval: number };
  peese: { estimate: number; ciLower: number; ciUpper: number };
}
const cases = JSON.parse(readFileSync(new URL('./fixtures/pet-peese.json', import.meta.url), 'utf8')) as Case[];
const close = (a: number, b: number, tol = 1e-8) =>
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

describe('PET-PEESE against metafor regtest(model = "lm")', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const r = petPeese(fitRma(c.yi, c.vi, { method: 'REML' }));
    close(r.pet.limit.estimate, c.pet.estimate);
    close(r.pet.limit.ciLower, c.pet.ciLower);
    close(r.pet.limit.ciUpper, c.pet.ciUpper);
    close(r.pet.limit.pValue, c.pet.interceptP);
    close(r.pet.pValue, c.pet.pval);
    close(r.peese.limit.estimate, c.peese.estimate);
    close(r.peese.limit.ciLower, c.peese.ciLower);
    expect(r.selected).toBe(c.pet.interceptP < 0.05 ? 'PEESE' : 'PET');
    expect(r.estimate.estimate).toBe(r.selected === 'PEESE' ? r.peese.limit.estimate : r.pet.limit.estimate);
  });
  it('needs three studies and a level in (0, 1)', () => {
    expect(() => petPeese(fitRma([0.1, 0.2], [0.1, 0.1]))).toThrow(/at least 3/);
    expect(() => petPeese(fitRma([0.1, 0.2, 0.3], [0.1, 0.1, 0.2]), { alpha: 1 })).toThrow(/alpha/);
  });
});

describe('simulated meta-analyses', () => {
  it('reproduce from a seed and follow the random-effects model', () => {
    const d = { reps: 4000, k: 5, mu: 0.3, tau2: 0.1, vi: (r: Random) => 0.02 + 0.2 * r.next() };
    const a = simulateMetaAnalyses(new Random(7), d),
      b = simulateMetaAnalyses(new Random(7), d);
    expect(a.yi).toEqual(b.yi);
    // E(θ) = μ, Var(θ) = τ², E(y − θ) = 0, Var(y − θ) = E(v): each within 4 Monte Carlo SEs
    const th = mcMean(a.theta);
    expect(Math.abs(th.estimate - 0.3)).toBeLessThan(4 * th.se);
    const dev = Float64Array.from(a.theta, (t) => (t - 0.3) ** 2);
    const v = mcMean(dev);
    expect(Math.abs(v.estimate - 0.1)).toBeLessThan(4 * v.se);
    const z = Float64Array.from(a.yi, (y, i) => (y - a.theta[i]!) / Math.sqrt(a.vi[i]!));
    const z2 = mcMean(Float64Array.from(z, (x) => x * x));
    expect(Math.abs(z2.estimate - 1)).toBeLessThan(4 * z2.se);
  });
  it('rejects impossible designs', () => {
    expect(() => simulateMetaAnalyses(new Random(1), { reps: 0, k: 3, mu: 0, tau2: 0, vi: 1 })).toThrow(/reps/);
    expect(() => simulateMetaAnalyses(new Random(1), { reps: 1, k: 3, mu: 0, tau2: -1, vi: 1 })).toThrow(/τ²/);
    expect(() => simulateMetaAnalyses(new Random(1), { reps: 1, k: 3, mu: 0, tau2: 0, vi: 0 })).toThrow(/variance/);
  });
  it('Monte Carlo standard errors (Morris, White & Crowther 2019)', () => {
    const p = mcProportion(950, 1000);
    close(p.se, Math.sqrt((0.95 * 0.05) / 1000), 1e-14);
    expect(p.lower).toBeLessThan(0.95);
    const m = mcMse([1, 3], 2);
    expect(m.estimate).toBe(1);
    expect(() => mcProportion(5, 4)).toThrow();
    expect(() => mcMean([1])).toThrow();
  });
});
