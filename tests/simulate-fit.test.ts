import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '../src/core/random.ts';
import { fitBatch } from '../src/models/batch.ts';
import type { TestType } from '../src/models/rma.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';
import { simulateAndFit, simulateMetaAnalyses } from '../src/simulation/meta-simulation.ts';

describe('simulateAndFit: generate and fit in one pass', () => {
  it('equals simulateMetaAnalyses + fitBatch from the same seed, exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom<Tau2Method>('REML', 'DL', 'PM', 'ML', 'EE'),
        fc.constantFrom<TestType>('z', 'knha'),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 1e6 }),
        (k, reps, method, test, tau2, seed) => {
          const design = { reps, k, mu: 0.2, tau2, vi: (r: Random) => 0.01 + 0.3 * r.next() };
          const s = simulateMetaAnalyses(new Random(seed), design);
          const b = fitBatch(s.yi, s.vi, k, { method, test });
          const f = simulateAndFit(new Random(seed), design, { method, test });
          expect(Array.from(f.estimate)).toEqual(Array.from(b.estimate));
          expect(Array.from(f.se)).toEqual(Array.from(b.se));
          expect(Array.from(f.tau2)).toEqual(Array.from(b.tau2));
          expect(Array.from(f.pValue)).toEqual(Array.from(b.pValue));
          expect(Array.from(f.ciLower)).toEqual(Array.from(b.ciLower));
          expect(f.drawn).toBe(s.drawn);
          for (let a = 0; a < reps; a++) expect(f.covers[a]).toBe(b.ciLower[a]! <= 0.2 && 0.2 <= b.ciUpper[a]! ? 1 : 0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('with publication selection, consumes the random stream as simulateMetaAnalyses does', () => {
    const design = {
      reps: 50,
      k: 8,
      mu: 0.1,
      tau2: 0.05,
      vi: 0.04,
      select: (y: number, v: number, r: Random) => y / Math.sqrt(v) > 1.96 || r.next() < 0.3,
    };
    const s = simulateMetaAnalyses(new Random(9), design);
    const f = simulateAndFit(new Random(9), design);
    expect(f.drawn).toBe(s.drawn);
    expect(Array.from(f.estimate)).toEqual(Array.from(fitBatch(s.yi, s.vi, 8).estimate));
  });

  it('validates the design and the fit options', () => {
    expect(() => simulateAndFit(new Random(1), { reps: 0, k: 5, mu: 0, tau2: 0, vi: 0.1 })).toThrow(/reps = 0/);
    expect(() => simulateAndFit(new Random(1), { reps: 5, k: 5, mu: 0, tau2: -1, vi: 0.1 })).toThrow(/τ² ≥ 0/);
    expect(() => simulateAndFit(new Random(1), { reps: 5, k: 5, mu: 0, tau2: 0, vi: -1 })).toThrow(/variance/);
    expect(() =>
      simulateAndFit(new Random(1), { reps: 5, k: 5, mu: 0, tau2: 0, vi: 0.1 }, { method: 'XX' as never }),
    ).toThrow(/XX/);
  });
});
