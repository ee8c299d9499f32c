/**
 * ML and REML fits whose (restricted) log-likelihood in τ² is bimodal: a local maximum at τ² = 0 and a
 * higher one inside. rma.uni must return the global maximiser (not stop on the boundary or at the minimum
 * between the two), and rma.mv with one random intercept per row (the same model) must never report the
 * minimum as converged. Expected values: metafor's best fit over several starting values and both of its
 * optimisers (scripts/golden/gen-bimodal.R); the first two cases are counterexamples fast-check found in
 * tests/rma-mv.properties.test.ts, the others random cases of the class on which rma.uni stopped at τ² = 0.
 */
import { describe, expect, it } from 'vitest';
import { fitRmaMv } from '../src/models/mv/rma-mv.ts';
import { fitRma } from '../src/models/rma.ts';
import { loadCases, num } from './oracle.ts';
import { expectClose } from './support.ts';

const cases = loadCases('golden-bimodal.json').map((c) => [c.id, c] as const);

describe('bimodal likelihoods: the global maximum, as metafor', () => {
  it.each(cases)('%s', (_id, c) => {
    const yi = Array.from(num(c, 'yi')!),
      vi = Array.from(num(c, 'vi')!);
    const method = c.args['method'] as 'ML' | 'REML';
    const e = c.expected as { tau2: number; beta: number; se: number; ll: number; ll_tau2_0: number };
    // the interior maximum beats τ² = 0 in metafor's own log-likelihood
    expect(e.ll).toBeGreaterThan(e.ll_tau2_0);
    const uni = fitRma(yi, vi, { method });
    expectClose(uni.tau2, e.tau2, 1e-6);
    expectClose(uni.coefficients[0]!.estimate, e.beta, 1e-6);
    expectClose(uni.coefficients[0]!.se, e.se, 1e-6);
    expect(Math.abs(uni.fitstats[method].ll - e.ll)).toBeLessThan(1e-9);
    expect(uni.converged).toBe(true);
    const mv = fitRmaMv(yi, vi, {
      method,
      random: [{ kind: 'intercept', name: 'id', level: Int32Array.from(yi, (_, i) => i), levels: yi.map(String) }],
    });
    expectClose(mv.sigma2[0] as number, e.tau2, 1e-6);
    expectClose(mv.coefficients[0]!.estimate, e.beta, 1e-6);
    expect(Math.abs(mv.fitstats.ll - e.ll)).toBeLessThan(1e-9);
    expect(mv.converged).toBe(true);
  });
});
