/**
 * Kendall's S and the tied pairs by Knight's O(k log k) algorithm (src/diagnostics/rank-correlation.ts) equal the
 * direct count over all k(k − 1)/2 pairs, on random data with many ties (integers from a small range, and ±0).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kendallPairCounts } from '../src/diagnostics/rank-correlation.ts';

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
