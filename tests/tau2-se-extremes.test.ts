/**
 * The SE of τ² where its sums and traces under- or overflow double precision at every scale (issue 14: no NaN in
 * a success). On these fuzz inputs (scripts/fuzz.ts, seeds 1 and 2) fitRma reported τ² with its SE absent (NaN)
 * and a warning; the SE now comes from the registry's formula in logarithms (src/models/tau2/log-traces.ts).
 * Expected values: the same formulas evaluated exactly (mpmath at 3,000 digits on the inputs' binary values,
 * rounded once to a double: scripts/golden/gen-tau2-se-extremes.py); metafor fails on all 22 inputs (errors,
 * NaN, 0), so it cannot be the reference here. The log forms are checked against metafor on ordinary data
 * (tests/fixtures/golden-core.json) below.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { logAddExp, logSumExp, logSumExpExcluding } from '../src/core/numeric/log-sum.ts';
import { fitRma } from '../src/models/rma.ts';
import { TAU2_METHODS, TAU2_REGISTRY, type Tau2EstimatorSpec, type Tau2Method } from '../src/models/tau2/index.ts';
import { logModel } from '../src/models/tau2/log-traces.ts';
import { loadCases, num } from './oracle.ts';

interface ExactCase {
  readonly id: string;
  readonly method: Tau2Method;
  readonly yi: number[];
  readonly vi: number[];
  readonly tau2: number;
  readonly tau2SE: number;
  readonly tau2SEExact: string;
}
const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('./fixtures/tau2-se-extremes.json', import.meta.url)), 'utf8'),
) as { cases: ExactCase[] };

/** |a − b| within `rel` of b, or within two subnormal units (2⁻¹⁰⁷³) for SEs near the bottom of the range. */
const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.abs(b) + 2 ** -1073;

/**
 * τ̂² differed from its exact value on 6 of these inputs until 2026-12-02 (it.fails tests then): four HS/HSk
 * whose Q_E took the precise study's rounded residual (exact since the kernel's exact sums,
 * src/models/exact-kernel.ts), and two SJ where a study more than the double range from the smallest variance
 * weighed 0 in Q_gen(τ₀²) (now evaluated at τ₀²'s own scale). Now every τ̂² is compared below.
 */
describe('the SE of τ² where no scale holds it in double precision', () => {
  it.each(fixture.cases.map((c) => [c.id, c] as const))('%s: the exact SE (rounded to a double)', (_id, c) => {
    const fit = fitRma(c.yi, c.vi, { method: c.method });
    expect(Number.isFinite(fit.tau2SE) && fit.tau2SE >= 0).toBe(true);
    expect(fit.warnings.filter((w) => w.startsWith('the standard error of τ² is not reported'))).toEqual([]);
    expect(close(fit.tau2SE, c.tau2SE, 1e-9), `SE ${fit.tau2SE}, exact ${c.tau2SEExact}`).toBe(true);
  });

  it('gives 0 where the exact SE lies below the smallest double (SJ with estimates below 1e-160)', () => {
    const under = fixture.cases.filter((c) => c.tau2SE === 0);
    expect(under.map((c) => c.id)).toEqual(['seed1-6-SJ', 'seed1-10-SJ', 'seed1-13-SJ']);
    for (const c of under) {
      // (below half the smallest subnormal, 2⁻¹⁰⁷⁵ ≈ 2.5e-324: the decimal exponent of the exact value)
      expect(Number(/e(-\d+)$/.exec(c.tau2SEExact)?.[1])).toBeLessThan(-324);
      expect(fitRma(c.yi, c.vi, { method: c.method }).tau2SE).toBe(0);
    }
  });

  it('τ̂² equals its exact value on every input', () => {
    for (const c of fixture.cases)
      expect(close(fitRma(c.yi, c.vi, { method: c.method }).tau2, c.tau2, 1e-12), c.id).toBe(true);
  });
});

describe('the SE formulas in logarithms agree with metafor on ordinary data', () => {
  const methods = Object.entries(TAU2_REGISTRY as Record<string, Tau2EstimatorSpec>).filter(
    ([, s]) => s.logStandardError !== undefined,
  );
  it('registers the log form for every estimator of τ² (not the common-effect models)', () => {
    expect(methods.map(([m]) => m)).toEqual(TAU2_METHODS.filter((m) => !TAU2_REGISTRY[m].common));
  });
  // metafor's τ̂² as the input, its se.tau2 as the expected value (golden-core: random and published data)
  const cases = loadCases('golden-core.json').filter(
    (c) => c.family === 'rma.uni' && methods.some(([m]) => m === c.args['method']) && num(c, 'mods') === undefined,
  );
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const e = (c.expected as { fit: { tau2: number; 'se.tau2': number; k: number; p: number } }).fit;
    if (e.p !== 1 || e.k < 2) return;
    const spec = TAU2_REGISTRY[c.args['method'] as Tau2Method] as Tau2EstimatorSpec;
    const se = Math.exp(spec.logStandardError!(logModel(num(c, 'yi')!, num(c, 'vi')!, e.tau2, 0)));
    expect(close(se, e['se.tau2'], 1e-9), `${se} vs metafor ${e['se.tau2']}`).toBe(true);
  });
  it('covers every estimator with a log form', () => {
    expect(new Set(cases.map((c) => c.args['method'])).size).toBe(11);
    expect(cases.length).toBeGreaterThan(300);
  });
});

describe('an SE of τ² beyond the double range', () => {
  // k = 2, d = 1.73e154: τ̂² ≈ d²/2 = 1.5e308 (finite), and every SE is of order σ₁ + σ₂ ≈ 2τ̂² (> 1.8e308): no
  // finite answer for the SE, so no result (it was a success with the SE absent and a warning)
  it.each(['DL', 'HE', 'SJ', 'REML', 'PM'] as const)('%s: NO_FINITE_RESULT saying so', (method) => {
    expect(() => fitRma([0, 1.73e154], [1, 2], { method })).toThrow(
      expect.objectContaining({
        code: 'NO_FINITE_RESULT',
        message: expect.stringMatching(
          /the standard error of τ² exceeds the largest double, 1\.8e308 \(it is [2-4]\.\de\+308; τ̂² = 1\.5\de\+308\)/,
        ),
      }),
    );
  });
  it('the same data divided by 1e100 (variances by 1e200) fit, with every SE finite', () => {
    const fit = fitRma([0, 1.73e54], [1e-200, 2e-200], { method: 'REML' });
    expect(fit.tau2SE).toBeGreaterThan(1e108);
    expect(Number.isFinite(fit.tau2SE)).toBe(true);
  });
});

describe('log-sum-exp', () => {
  it('sums terms that over- and underflow, and excludes each term without cancellation', () => {
    expect(logAddExp(Number.NEGATIVE_INFINITY, 3)).toBe(3);
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp([-1000, -1000 + Math.log(3)])).toBeCloseTo(-1000 + Math.log(4), 12);
    expect(logSumExp([])).toBe(Number.NEGATIVE_INFINITY);
    // one term 1e300 times the others: Σⱼ≠ᵢ is the others' sum, not the difference of two rounded sums
    const a = [Math.log(1e300) * 2, Math.log(2), Math.log(3)];
    const ex = logSumExpExcluding(a);
    expect(ex[0]).toBeCloseTo(Math.log(5), 14);
    expect(ex[1]).toBeCloseTo(a[0]!, 12);
    expect(() => logSumExp([Number.NaN])).toThrow(RangeError);
  });
});
