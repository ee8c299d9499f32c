/**
 * χ² tail probabilities with 200 to 100,000 degrees of freedom against R's pchisq (scripts/golden/
 * gen-distributions.R): the range of Q tests with many estimates, where evsynth computes the incomplete gamma
 * function itself (src/distributions/incomplete-gamma.ts). Compared at 1e-12 relative.
 */
import { describe, it } from 'vitest';
import { pchisq, pchisqUpper } from '../src/distributions/index.ts';
import { loadCases, num } from './oracle.ts';
import { expectClose } from './support.ts';

const c = loadCases('golden-distributions.json')[0]!;
const x = num(c, 'x')!,
  df = num(c, 'df')!;
const e = c.expected as { upper: number[]; lower: number[] };

describe('pchisq with many degrees of freedom', () => {
  it.each(Array.from(x, (xi, i) => [xi, df[i]!, i] as const))('x = %d, df = %d', (xi, d, i) => {
    expectClose(pchisqUpper(xi, d), e.upper[i]!, 1e-12, 1e-300, 'upper');
    expectClose(pchisq(xi, d), e.lower[i]!, 1e-12, 1e-300, 'lower');
  });
});
