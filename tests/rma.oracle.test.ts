import { describe, it, expect } from 'vitest';
import { fitRma, type TestType } from '../src/models/rma.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';
import { loadCases, num } from './oracle.ts';
import { compareConfint, compareFit, comparePredict } from './fit-compare.ts';

type Obj = Record<string, unknown>;
const cases = loadCases('metafor-oracle-public.json').filter((c) => c.family === 'rma.uni');
const ITERATIVE = new Set(['ML', 'REML', 'EB', 'PM', 'PMM', 'SJIT']);

function fitCase(c: (typeof cases)[number]) {
  const yi = num(c, 'yi') as Float64Array;
  const vi = num(c, 'vi') ?? Float64Array.from(num(c, 'sei') as Float64Array, (s) => s * s);
  const keep = [...yi.keys()].filter((i) => Number.isFinite(yi[i]) && Number.isFinite(vi[i]));
  const a = c.args as { method: Tau2Method; test: TestType; level: number };
  return fitRma(
    keep.map((i) => yi[i] as number),
    keep.map((i) => vi[i] as number),
    { method: a.method, test: a.test, level: a.level },
  );
}

describe('rma.uni matches metafor 3.8-1', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const fit = fitCase(c);
    const method = (c.args as { method: string }).method;
    const iterative = ITERATIVE.has(method);
    // Closed forms: relative 1e-10 against `expected`. Iterative estimators are solved to
    // double precision, so they are held to 1e-8 against `expected_precise` (oracle README).
    const ref = (iterative ? c.expected_precise : c.expected) as Obj;
    const rel = iterative ? 1e-8 : 1e-10;
    expect(fit.converged).toBe(true);
    compareFit(fit, ref['fit'] as Obj, rel);
    comparePredict(fit, ref['predict'] as Obj, rel);
    // Riley PIs exist only at metafor's default convergence: for iterative fits allow what a
    // tau2 error of 1e-4 (PM's uniroot tolerance) moves them, 1e-3 absolute.
    if (c.expected['predict_pi_riley'])
      comparePredict(
        fit,
        c.expected['predict_pi_riley'] as Obj,
        iterative ? 1e-3 : rel,
        'riley',
        undefined,
        iterative ? 1e-3 : rel * 1e-2,
      );
    const ciPrecise = (iterative ? (c.expected_precise as Obj)['confint'] : c.expected['confint_precise']) as
      Obj | undefined;
    if (ciPrecise) compareConfint(fit, ciPrecise, 1e-8, 1e-12);
    // metafor's default uniroot tolerance (1.2e-4 on tau2): tau2 bounds within 1e-4 absolute
    if (c.expected['confint']) compareConfint(fit, c.expected['confint'] as Obj, 0, 1e-4, ['tau2']);
    if (iterative) {
      // and within metafor's own default convergence (tau2 abs 1e-4 for PM/PMM, 1e-5 otherwise)
      const e = c.expected['fit'] as Obj;
      expect(Math.abs(fit.tau2 - (e['tau2'] as number))).toBeLessThanOrEqual(method.startsWith('PM') ? 1e-4 : 1e-5);
      expect(Math.abs(fit.coefficients[0]!.estimate / ((e['beta'] as number[])[0] as number) - 1)).toBeLessThanOrEqual(
        2e-4,
      );
    }
  });
});
