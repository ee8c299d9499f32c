/**
 * Kendall's S and the tied pairs by Knight's O(k log k) algorithm (src/diagnostics/rank-correlation.ts) equal the
 * direct count over all k(k − 1)/2 pairs, on random data with many ties (integers from a small range, and ±0).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kendallPairCounts, rankCorrelationTest } from '../src/diagnostics/rank-correlation.ts';
import { fitRma } from '../src/models/rma.ts';
import { pnorm } from '../src/distributions/index.ts';

/** The O(k²) definition: S = Σ_{i<j} sign(xᵢ − xⱼ)·sign(yᵢ − yⱼ), t_x and t_y the pairs with a zero sign. */
function directCounts(x: readonly number[], y: readonly number[]) {
  let s = 0,
    tiedX = 0,
    tiedY = 0;
  for (let i = 0; i < x.length; i++)
    for (let j = i + 1; j < x.length; j++) {
      const a = Math.sign((x[i] as number) - (x[j] as number)),
        b = Math.sign((y[i] as number) - (y[j] as number));
      s += a * b;
      if (a === 0) tiedX++;
      if (b === 0) tiedY++;
    }
  return { s, tiedX, tiedY };
}

const value = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(-0, 0.5, -1e300, 1e300, 5e-324) },
);
const pairs = (maxLength: number) =>
  fc.array(fc.tuple(value, value), { maxLength }).map((p) => [p.map((q) => q[0]), p.map((q) => q[1])] as const);

describe("Kendall's S by Knight's algorithm", () => {
  it('equals the direct count over all pairs (many ties)', () => {
    fc.assert(
      fc.property(pairs(80), ([x, y]) => {
        expect(kendallPairCounts(x, y)).toEqual(directCounts(x, y));
      }),
      { numRuns: 2000 },
    );
  });
  it('equals the direct count on longer samples with few distinct values', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), pairs(600), (mx, my, [x, y]) => {
        const xs = x.map((a) => Math.abs(Math.round(a)) % mx),
          ys = y.map((a) => Math.abs(Math.round(a)) % my);
        expect(kendallPairCounts(xs, ys)).toEqual(directCounts(xs, ys));
      }),
      { numRuns: 200 },
    );
  });
  it('k = 0, 1 and no ties', () => {
    expect(kendallPairCounts([], [])).toEqual({ s: 0, tiedX: 0, tiedY: 0 });
    expect(kendallPairCounts([1], [2])).toEqual({ s: 0, tiedX: 0, tiedY: 0 });
    expect(kendallPairCounts([1, 2, 3, 4], [4, 3, 2, 1])).toEqual({ s: -6, tiedX: 0, tiedY: 0 });
  });
});

describe('the rank test without ties beyond k = 170: the normal approximation, in bounded time', () => {
  it('k = 171 and 2,000: z = S/√(k(k − 1)(2k + 5)/18) with a warning (metafor: p = NA after seconds)', () => {
    for (const k of [171, 2000]) {
      const yi = Array.from({ length: k }, (_, i) => Math.sin(i * 12.9898) * 0.5),
        vi = Array.from({ length: k }, (_, i) => 0.01 + ((i * 7919) % 10007) / 100070);
      const fit = fitRma(yi, vi, { method: 'EE' });
      const r = rankCorrelationTest(fit);
      expect(r.exact).toBe(false);
      expect(r.warnings.join()).toMatch(/exact p-value needs k ≤ 170/);
      // the deviates (yᵢ − θ̂)/√(vᵢ − 1/Σwⱼ) against vᵢ, counted directly
      const sw = vi.reduce((a, v) => a + 1 / v, 0);
      const x = yi.map((y, i) => (y - fit.coefficients[0]!.estimate) / Math.sqrt(vi[i]! - 1 / sw));
      const { s, tiedX, tiedY } = directCounts(x, vi);
      expect(tiedX + tiedY).toBe(0);
      const z = s / Math.sqrt((k * (k - 1) * (2 * k + 5)) / 18);
      expect(Math.abs(r.pValue - 2 * pnorm(-Math.abs(z)))).toBeLessThan(1e-12);
    }
  });
});
