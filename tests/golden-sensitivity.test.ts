/** evsynth's own metafor cases for GOSH, the rank test, trim and fill and influence (scripts/golden/gen-sensitivity.R). */
import { describe, expect, it } from 'vitest';
import { regressionTest } from '../src/diagnostics/egger.ts';
import { gosh, goshMasks } from '../src/diagnostics/gosh.ts';
import { goshParallel } from '../src/diagnostics/gosh-parallel.ts';
import { influence } from '../src/diagnostics/influence.ts';
import { rankCorrelationTest } from '../src/diagnostics/rank-correlation.ts';
import { trimAndFill, type TrimfillEstimator } from '../src/diagnostics/trim-and-fill.ts';
import { fitRma } from '../src/models/rma.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';
import { asArray } from './fit-compare.ts';
import { loadCases, num, type OracleCase } from './oracle.ts';
import { expectAllClose, expectClose } from './support.ts';

const all = loadCases('golden-sensitivity.json');
const of = (f: string) => all.filter((c) => c.family === f).map((c) => [c.id, c] as const);
const fitOf = (c: OracleCase) =>
  fitRma(num(c, 'yi')!, num(c, 'vi')!, { method: (c.args as { method?: Tau2Method }).method ?? 'REML' });

describe('GOSH matches metafor gosh()', () => {
  it.each(of('gosh'))('%s', async (_id, c) => {
    const fit = fitOf(c);
    const g = gosh(fit);
    const e = c.expected as { incl: number[][]; estimate: number[]; I2: number[]; tau2: number[]; QE: number[] };
    expect(g.estimate.length).toBe(e.estimate.length);
    // metafor orders subsets differently: match them by their inclusion pattern
    const index = new Map<number, number>();
    Array.from(g.masks).forEach((m, i) => index.set(m, i));
    // gosh() refits REML subsets at metafor's default convergence (threshold 1e-5): relative 2e-4 there
    const rel = fit.method === 'REML' ? 2e-4 : 1e-10;
    e.incl.forEach((row, r) => {
      const mask = row.reduce((s, b, i) => s + (b ? 2 ** i : 0), 0);
      const i = index.get(mask)!;
      expectClose(g.estimate[i]!, e.estimate[r]!, rel, 1e-5, `estimate ${mask}`);
      expectClose(g.QE[i]!, e.QE[r]!, 1e-9, 1e-10, `QE ${mask}`);
      expectClose(g.I2[i]!, e.I2[r]!, rel, 1e-3, `I2 ${mask}`);
    });
    // the worker-thread version gives identical results
    const p = await goshParallel(fit, { workers: 2 });
    expect(Array.from(p.estimate)).toEqual(Array.from(g.estimate));
  });
});

describe('GOSH refuses what is not a fitted model (it never returns otherwise)', () => {
  // goshParallel(yi, vi, options) ran for ever: with fit.k undefined the random draw of subsets never ended
  const yi = [0.1, 0.2, 0.3];
  it('gosh and goshParallel of arrays', async () => {
    expect(() => gosh(yi as never)).toThrow(/gosh: expected a model fitted by fitRma/);
    await expect(goshParallel(yi as never, { method: 'REML' } as never)).rejects.toThrow(
      /goshParallel: expected a model fitted by fitRma/,
    );
  });
  it('goshMasks with a k that is not a whole number', () => {
    expect(() => goshMasks(Number.NaN)).toThrow(/k/);
    expect(() => goshMasks(undefined as never)).toThrow(/k/);
  });
});

describe('rank correlation: ties, k = 3, k = 60', () => {
  it.each(of('ranktest'))('%s', (_id, c) => {
    const r = rankCorrelationTest(fitOf(c));
    const e = c.expected as { tau: number; pval: number };
    expectClose(r.tau, e.tau, 1e-10, 1e-12, 'tau');
    expectClose(r.pValue, e.pval, 1e-9, 1e-12, 'pval');
  });
});

describe('trim and fill with no missing studies; regtest with k = 3; influence under converged REML', () => {
  it.each(of('trimfill'))('%s', (_id, c) => {
    const a = c.args as { estimator: TrimfillEstimator };
    const tf = trimAndFill(fitOf(c), { estimator: a.estimator });
    const e = c.expected as { k0: number; side: string; estimate: number; se: number };
    expect(tf.k0).toBe(e.k0);
    expect(tf.side).toBe(e.side);
    expectClose(tf.fit.coefficients[0]!.estimate, asArray<number>(e.estimate)[0]!, 1e-8, 1e-10, 'estimate');
  });
  it.each(of('regtest'))('%s', (_id, c) => {
    const r = regressionTest(fitOf(c));
    const e = c.expected as { zval: number; pval: number; limit: number };
    expectClose(r.statistic, e.zval, 1e-10, 1e-12, 'z');
    expectClose(r.limit.estimate, e.limit, 1e-10, 1e-12, 'limit');
    expect(r.warnings.join()).toMatch(/fewer than 10/);
  });
  it.each(of('influence'))('%s', (_id, c) => {
    const inf = influence(fitOf(c));
    const e = c.expected as Record<string, number[]>;
    for (const [got, key] of [
      [inf.rstudent, 'rstudent'],
      [inf.dffits, 'dffits'],
      [inf.cookD, 'cook.d'],
      [inf.covRatio, 'cov.r'],
      [inf.tau2Deleted, 'tau2.del'],
      [inf.hat, 'hat'],
      [inf.dfbetas[0]!, 'dfbs'],
    ] as const) {
      expectAllClose(got, e[key]!, 1e-6, 1e-9, key);
    }
    expect(inf.influential).toEqual(e['is.infl']);
  });
});

describe('trim and fill L0 on random data: k0, side and the standard error of k0', () => {
  it.each(of('trimfill-L0'))('%s', (_id, c) => {
    const tf = trimAndFill(fitOf(c));
    const e = c.expected as { k0: number; side: string; 'se.k0': number };
    expect(tf.k0).toBe(e.k0);
    expect(tf.side).toBe(e.side);
    expectClose(tf.seK0, e['se.k0'], 1e-9, 1e-12, 'se.k0');
  });
});
