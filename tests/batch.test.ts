import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitBatch } from '../src/models/batch.ts';
import { fitRma, type TestType } from '../src/models/rma.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';

describe('fitBatch equals fitRma analysis by analysis (the fast path against the general one)', () => {
  it('for random analyses, every method and test', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom<Tau2Method>('EE', 'DL', 'REML', 'ML', 'PM', 'EB', 'SJ', 'HE'),
        fc.constantFrom<TestType>('z', 'knha', 'adhoc'),
        fc.integer(),
        (k, n, method, test, seed) => {
          const yi = Float64Array.from({ length: k * n }, (_, i) => Math.sin(seed + i * 1.7) * 0.8);
          const vi = Float64Array.from({ length: k * n }, (_, i) => 0.01 + Math.abs(Math.cos(seed * 0.3 + i)) * 0.3);
          const b = fitBatch(yi, vi, k, { method, test });
          for (let j = 0; j < n; j++) {
            const f = fitRma(yi.subarray(j * k, j * k + k), vi.subarray(j * k, j * k + k), { method, test });
            const c = f.coefficients[0]!;
            expect(b.estimate[j]).toBe(c.estimate);
            expect(b.tau2[j]).toBe(f.tau2);
            expect(Math.abs(b.se[j]! - c.se)).toBeLessThanOrEqual(1e-15 * c.se);
            expect(Math.abs(b.pValue[j]! - c.pValue)).toBeLessThanOrEqual(1e-14);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('fitBatchParallel', () => {
  it('equals fitBatch exactly (worker threads, blocks reassembled in order)', async () => {
    const { fitBatchParallel } = await import('../src/models/batch-parallel.ts');
    const k = 8,
      n = 5000;
    const yi = Float64Array.from({ length: k * n }, (_, i) => Math.sin(i * 0.37) * 0.6);
    const vi = Float64Array.from({ length: k * n }, (_, i) => 0.02 + Math.abs(Math.cos(i * 0.11)) * 0.2);
    const a = fitBatch(yi, vi, k, { method: 'REML', test: 'knha' });
    const b = await fitBatchParallel(yi, vi, k, { method: 'REML', test: 'knha', workers: 2 });
    expect(Array.from(b.estimate)).toEqual(Array.from(a.estimate));
    expect(Array.from(b.ciUpper)).toEqual(Array.from(a.ciUpper));
  });
});
