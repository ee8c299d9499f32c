import { describe, expect, it } from 'vitest';
import { escalc } from '../src/effects/escalc.ts';
import { fitMantelHaenszel } from '../src/models/mantel-haenszel.ts';
import { fitRma } from '../src/models/rma.ts';
import { tau2ConfidenceInterval } from '../src/inference/tau2-interval.ts';
import { predict } from '../src/inference/prediction.ts';

describe('library input validation: errors with stable codes', () => {
  it.each([
    ['LENGTH_MISMATCH', [1, 2], [1]],
    ['TOO_FEW_STUDIES', [], []],
    ['NON_FINITE', [1, Number.NaN], [1, 1]],
    ['NON_FINITE', [1, 2], [1, Number.POSITIVE_INFINITY]],
    ['NON_POSITIVE_VARIANCE', [1, 2], [1, 0]],
    ['NON_POSITIVE_VARIANCE', [1, 2], [1, -1]],
  ] as const)('fitRma throws %s', (code, yi, vi) => {
    expect(() => fitRma(yi, vi)).toThrowError(expect.objectContaining({ code }));
  });
  it('rejects unknown methods, tests and levels', () => {
    expect(() => fitRma([1, 2], [1, 1], { method: 'XX' as never })).toThrowError(
      expect.objectContaining({ code: 'UNKNOWN_METHOD' }),
    );
    expect(() => fitRma([1, 2], [1, 1], { test: 't' as never })).toThrowError(
      expect.objectContaining({ code: 'UNKNOWN_OPTION_VALUE' }),
    );
    expect(() => fitRma([1, 2], [1, 1], { level: 0.95 * 200 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
  it('escalc names row and column of an invalid value', () => {
    expect(() => escalc('OR', { ai: [1, -2], bi: [5, 5], ci: [1, 1], di: [5, 5] }, ['a', 'b'])).toThrowError(
      expect.objectContaining({ code: 'NEGATIVE_VALUE', location: { row: 1, column: 'ai' } }),
    );
    expect(() => escalc('ZCOR', { ri: [0.5, 1.2], ni: [20, 30] }, ['a', 'b'])).toThrowError(
      expect.objectContaining({ code: 'INVALID_VALUE' }),
    );
  });
  it('missing values are excluded with a reason, never dropped silently', () => {
    const es = escalc(
      'MD',
      { n1i: [10, 10], m1i: [1, Number.NaN], sd1i: [1, 1], n2i: [10, 10], m2i: [0, 0], sd2i: [1, 1] },
      ['a', 'b'],
    );
    expect(es.excluded).toEqual([{ row: 1, label: 'b', reason: "missing value in column 'm1i'" }]);
  });
});

describe('edge cases', () => {
  it('k = 1: tau2 = 0 with a warning; the Q-profile CI is refused', () => {
    const fit = fitRma([0.3], [0.02]);
    expect(fit.tau2).toBe(0);
    expect(fit.warnings.join()).toMatch(/cannot be estimated/);
    expect(() => tau2ConfidenceInterval(fit)).toThrowError(expect.objectContaining({ code: 'TOO_FEW_STUDIES' }));
  });
  it('k = 2: Riley PI has df = 0 and is undefined, the default PI is defined', () => {
    const fit = fitRma([-0.5, 0.4], [0.03, 0.05], { method: 'DL' });
    expect(Number.isNaN(predict(fit, undefined, 'riley').piLower as number)).toBe(true);
    expect(Number.isFinite(predict(fit).piLower as number)).toBe(true);
  });
  it('huge and tiny variances together do not break convergence', () => {
    const fit = fitRma([0.1, 2, -1, 0.5], [1e-9, 1e6, 1e3, 1e-4], { method: 'REML' });
    expect(fit.converged).toBe(true);
    expect(Number.isFinite(fit.coefficients[0]!.estimate)).toBe(true);
  });
  it('iterative estimators stop at maxiter and say so', () => {
    const fit = fitRma([0.1, 0.9, -0.4, 1.5], [0.01, 0.02, 0.03, 0.01], { method: 'REML', control: { maxiter: 1 } });
    expect(fit.converged).toBe(false);
    expect(fit.warnings.join()).toMatch(/did not converge/);
  });
  it('Mantel–Haenszel refuses measures it does not support', () => {
    expect(() => fitMantelHaenszel('SMD' as never, {}, [])).toThrowError(
      expect.objectContaining({ code: 'UNKNOWN_MEASURE' }),
    );
  });
});
