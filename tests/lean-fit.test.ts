import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvsynthError } from '../src/core/errors.ts';
import { fitLean } from '../src/models/lean-fit.ts';
import { fitRma, type TestType } from '../src/models/rma.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';

const METHODS: Tau2Method[] = ['EE', 'FE', 'DL', 'HE', 'HS', 'HSk', 'SJ', 'SJIT', 'ML', 'REML', 'EB', 'PM', 'PMM'];

/** Every number of the lean fit is fitRma's, to the last bit. */
function expectSame(
  yi: ArrayLike<number>,
  vi: ArrayLike<number>,
  method: Tau2Method,
  test: TestType,
  level = 95,
  tau2?: number,
) {
  const fixed = tau2 === undefined ? {} : { tau2 };
  const f = fitRma(yi, vi, { method, test, level, ...fixed });
  const l = fitLean(yi, vi, { method, test, level, ...fixed });
  const c = f.coefficients[0]!;
  expect(l.estimate).toBe(c.estimate);
  expect(l.variance).toBe(f.vb[0]![0]);
  expect(l.se).toBe(c.se);
  expect(l.statistic).toBe(c.statistic);
  expect(l.pValue).toBe(c.pValue);
  expect(l.ciLower).toBe(c.ciLower);
  expect(l.ciUpper).toBe(c.ciUpper);
  expect(l.tau2).toBe(f.tau2);
  expect(l.tau).toBe(f.tau);
  expect(l.QE).toBe(f.QE);
  expect(l.QEdf).toBe(f.QEdf);
  expect(l.QEp).toBe(f.QEp);
  expect(l.I2).toBe(f.I2);
  expect(l.H2).toBe(f.H2);
  expect(l.vt).toBe(f.vt);
  expect(l.test).toBe(f.test);
  expect(l.ddf).toBe(f.ddf);
  expect(l.iterations).toBe(f.iterations);
  expect(l.converged).toBe(f.converged);
  expect(Object.is(l.tau2SE, f.tau2SE)).toBe(true);
}

describe('fitLean equals fitRma (the lean path against the complete one)', () => {
  it('for random data, every method, test and level', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(...METHODS),
        fc.constantFrom<TestType>('z', 'knha', 'adhoc'),
        fc.constantFrom(90, 95, 99),
        fc.integer(),
        (k, method, test, level, seed) => {
          const yi = Array.from({ length: k }, (_, i) => Math.sin(seed + i * 1.7) * 0.8);
          const vi = Array.from({ length: k }, (_, i) => 0.01 + Math.abs(Math.cos(seed * 0.3 + i)) * 0.3);
          expectSame(yi, vi, method, test, level);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('at extreme scales (the exact internal rescaling), on the τ² = 0 boundary and with equal estimates', () => {
    const yi = [0.1, 0.5, -0.2, 0.3, 0.9];
    const vi = [0.02, 0.05, 0.01, 0.04, 0.03];
    for (const c of [1e-150, 1e-60, 1, 1e60, 1e150])
      for (const method of ['REML', 'PM', 'DL', 'ML'] as const)
        for (const test of ['z', 'knha'] as const)
          expectSame(
            yi.map((y) => y * c),
            vi.map((v) => v * c * c),
            method,
            test,
          );
    // homogeneous: τ̂² = 0 for every estimator
    for (const method of METHODS) expectSame([0.3, 0.31, 0.29, 0.3], [0.1, 0.2, 0.15, 0.3], method, 'knha');
    // identical estimates: se = 0 under knha
    expectSame([0.4, 0.4, 0.4], [0.1, 0.2, 0.3], 'REML', 'knha');
  });

  it('with τ² fixed (metafor tau2=; what influence diagnostics refit with), at every scale', () => {
    const yi = [0.1, 0.5, -0.2, 0.3, 0.9];
    const vi = [0.02, 0.05, 0.01, 0.04, 0.03];
    for (const c of [1e-150, 1, 1e150])
      for (const method of ['REML', 'DL', 'EE'] as const)
        for (const test of ['z', 'knha'] as const)
          for (const tau2 of [0, 0.013, 2.5])
            expectSame(
              yi.map((y) => y * c),
              vi.map((v) => v * c * c),
              method,
              test,
              95,
              tau2 * c * c,
            );
    expect(() => fitLean(yi, vi, { tau2: -1 })).toThrow(EvsynthError);
    expect(fitLean(yi, vi, { tau2: 0.02 }).full().tau2).toBe(0.02);
  });

  it('repeated and interleaved calls do not share state (one kernel is reused between fits)', () => {
    const a = fitLean([0.1, 0.5, -0.2, 0.3], [0.02, 0.05, 0.01, 0.04]);
    const big = fitLean(
      Array.from({ length: 5000 }, (_, i) => Math.sin(i)),
      Array.from({ length: 5000 }, (_, i) => 0.1 + (i % 7) / 10),
    );
    const b = fitLean([0.1, 0.5, -0.2, 0.3], [0.02, 0.05, 0.01, 0.04]);
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(big.k).toBe(5000);
    // the complete fit on demand is fitRma's
    const f = fitRma([0.1, 0.5, -0.2, 0.3], [0.02, 0.05, 0.01, 0.04]);
    expect(a.full().weights).toEqual(f.weights);
    expect(a.full()).toBe(a.full());
    expect(JSON.parse(JSON.stringify(a))).toMatchObject({ k: 4, method: 'REML', estimate: a.estimate });
  });

  it('validates its input as fitRma does', () => {
    const bad: [unknown, unknown, unknown, string][] = [
      [[0.1], [0.1, 0.2], {}, 'LENGTH_MISMATCH'],
      [[0.1, Number.NaN], [0.1, 0.2], {}, 'NON_FINITE'],
      [[0.1, 0.2], [0.1, 0], {}, 'NON_POSITIVE_VARIANCE'],
      [[0.1, 0.2], [0.1, 0.2], { method: 'XX' }, 'UNKNOWN_METHOD'],
      [[0.1, 0.2], [0.1, 0.2], { test: 't' }, 'UNKNOWN_OPTION_VALUE'],
      [[0.1, 0.2], [0.1, 0.2], { level: 120 }, 'INVALID_ARGUMENT'],
    ];
    for (const [y, v, o, code] of bad) {
      const run = () => fitLean(y as number[], v as number[], o as never);
      expect(run).toThrow(EvsynthError);
      try {
        run();
      } catch (e) {
        expect((e as EvsynthError).code, JSON.stringify(o)).toBe(code);
      }
      let rmaCode = '';
      try {
        fitRma(y as number[], v as number[], o as never);
      } catch (e) {
        rmaCode = (e as EvsynthError).code;
      }
      expect(rmaCode).toBe(code);
    }
  });
});

describe('GOSH subsets (one reused kernel and fit record) equal fitRma on each subset', () => {
  it('for every subset of 7 studies, several estimators', async () => {
    const { gosh } = await import('../src/diagnostics/gosh.ts');
    const yi = [0.12, -0.4, 0.33, 0.9, -0.05, 0.41, 0.2];
    const vi = [0.03, 0.08, 0.02, 0.2, 0.05, 0.04, 0.11];
    for (const method of ['REML', 'DL', 'PM', 'EE', 'HE'] as const) {
      const g = gosh(fitRma(yi, vi, { method }));
      for (let s = 0; s < g.masks.length; s++) {
        const rows = [0, 1, 2, 3, 4, 5, 6].filter((i) => (g.masks[s]! >> i) & 1);
        const f = fitRma(
          rows.map((i) => yi[i]!),
          rows.map((i) => vi[i]!),
          { method },
        );
        expect(g.estimate[s]).toBe(f.coefficients[0]!.estimate);
        expect(g.tau2[s]).toBe(f.tau2);
        expect(g.QE[s]).toBe(f.QE);
        expect(g.I2[s]).toBe(f.I2);
        expect(g.H2[s]).toBe(f.H2);
      }
    }
  });
});
