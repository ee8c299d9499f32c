import { expect } from 'vitest';

/**
 * One comparison rule for numbers: |a − e| ≤ max(rel·|e|, abs). `null` expected values
 * (R's NA) must be matched by null or NaN.
 */
export function expectClose(
  actual: number | null | undefined,
  expected: number | null | string,
  rel: number,
  abs = rel * 1e-2,
  what = '',
): void {
  if (expected === null || expected === 'NaN') {
    expect(actual === null || actual === undefined || Number.isNaN(actual), `${what}: expected NA, got ${actual}`).toBe(
      true,
    );
    return;
  }
  const e = typeof expected === 'string' ? Number(expected) : expected;
  expect(typeof actual, `${what}: expected ${e}, got ${actual}`).toBe('number');
  const a = actual as number;
  if (!Number.isFinite(e)) {
    expect(a, `${what}: expected ${e}`).toBe(e);
    return;
  }
  const tol = Math.max(rel * Math.abs(e), abs);
  expect(Math.abs(a - e) <= tol, `${what}: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > tol ${tol})`).toBe(
    true,
  );
}

export function expectAllClose(
  actual: ArrayLike<number | null>,
  expected: readonly (number | null)[],
  rel: number,
  abs = rel * 1e-2,
  what = '',
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expectClose(actual[i], expected[i] as number | null, rel, abs, `${what}[${i}]`);
}

/**
 * Relative tolerance for a p-value, given the tolerance of its statistic: far in the tails p moves faster
 * than the statistic (d log p/dz ≈ −z for a z or t statistic, −½ for a χ² statistic Q), so a statistic that
 * agrees to `rel` gives a p-value that agrees to about rel·z² (rel·Q/2 for χ² and F·df₁).
 */
export function pValueTolerance(rel: number, statistic: number, kind: 'z' | 'chisq'): number {
  const s = Math.abs(statistic);
  return rel * Math.max(1, kind === 'z' ? s * s : s);
}
