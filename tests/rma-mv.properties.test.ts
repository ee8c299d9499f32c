/**
 * Invariants of the multilevel/multivariate engine (fast-check): relations that must hold whatever the data,
 * checked between independent code paths rather than against stored numbers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { robust } from '../src/inference/robust.ts';
import { covarianceFromPairs } from '../src/effects/sampling-covariance.ts';
import { fitRmaMv } from '../src/models/mv/rma-mv.ts';
import type { RandomTerm } from '../src/models/mv/random-terms.ts';
import { fitRma } from '../src/models/rma.ts';

const close = (a: number, b: number, rel = 1e-6, abs = 1e-9) =>
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(Math.max(rel * Math.abs(b), abs));

/** Clustered data: cluster sizes, effects, sampling variances. */
const clustered = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 4, maxLength: 12 }).chain((sizes) => {
  const k = sizes.reduce((a, b) => a + b, 0);
  return fc.record({
    sizes: fc.constant(sizes),
    yi: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: k, maxLength: k }),
    vi: fc.array(fc.double({ min: 0.01, max: 0.5, noNaN: true }), { minLength: k, maxLength: k }),
  });
});

function terms(sizes: readonly number[]): { cluster: Int32Array; three: RandomTerm[]; asStruct: RandomTerm[] } {
  const cluster = Int32Array.from(sizes.flatMap((n, c) => Array.from({ length: n }, () => c)));
  const k = cluster.length;
  const row = Int32Array.from({ length: k }, (_, i) => i);
  const levels = (n: number) => Array.from({ length: n }, (_, i) => String(i));
  return {
    cluster,
    three: [
      { kind: 'intercept', name: 'cluster', level: cluster, levels: levels(sizes.length) },
      { kind: 'intercept', name: 'cluster/es', level: row, levels: levels(k) },
    ],
    // the same model written with an ID structure for the within-cluster effects (the generic block path)
    asStruct: [
      { kind: 'intercept', name: 'cluster', level: cluster, levels: levels(sizes.length) },
      {
        kind: 'struct',
        struct: 'ID',
        inner: 'es',
        outer: 'cluster',
        innerLevel: Int32Array.from(sizes.flatMap((n) => Array.from({ length: n }, (_, i) => i))),
        innerLevels: levels(Math.max(...sizes)),
        outerLevel: cluster,
        outerLevels: levels(sizes.length),
      },
    ],
  };
}

describe('rma.mv invariants', () => {
  it('one random effect per row is rma.uni: same τ², estimate, SE and log-likelihood (REML and ML)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: 0.01, max: 0.5, noNaN: true })),
          {
            minLength: 3,
            maxLength: 25,
          },
        ),
        fc.constantFrom('REML', 'ML'),
        (rows, method) => {
          const yi = rows.map((r) => r[0]),
            vi = rows.map((r) => r[1]);
          const uni = fitRma(yi, vi, { method });
          const mv = fitRmaMv(yi, vi, {
            method,
            random: [
              {
                kind: 'intercept',
                name: 'id',
                level: Int32Array.from(yi, (_, i) => i),
                levels: yi.map((_, i) => String(i)),
              },
            ],
          });
          close(mv.sigma2[0] as number, uni.tau2, 1e-6, 1e-9);
          close(mv.coefficients[0]!.estimate, uni.coefficients[0]!.estimate, 1e-7, 1e-10);
          close(mv.coefficients[0]!.se, uni.coefficients[0]!.se, 1e-6, 1e-10);
          close(mv.fitstats.ll, uni.fitstats[method].ll, 1e-9, 1e-9);
          close(mv.QE, uni.QE, 1e-10, 1e-10);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the Sherman–Morrison path of three-level blocks equals the generic Cholesky path', () => {
    fc.assert(
      fc.property(clustered, ({ sizes, yi, vi }) => {
        const t = terms(sizes);
        const a = fitRmaMv(yi, vi, { random: t.three });
        const b = fitRmaMv(yi, vi, { random: t.asStruct });
        close(a.fitstats.ll, b.fitstats.ll, 1e-9, 1e-9);
        close(a.coefficients[0]!.estimate, b.coefficients[0]!.estimate, 1e-6, 1e-9);
        close(a.sigma2[1] as number, b.tau2[0] as number, 1e-5, 1e-8);
      }),
      { numRuns: 40 },
    );
  });

  it('rescaling y by c rescales β by c and the variance components by c²', () => {
    fc.assert(
      fc.property(clustered, fc.double({ min: 0.1, max: 10, noNaN: true }), ({ sizes, yi, vi }, c) => {
        const t = terms(sizes);
        const a = fitRmaMv(yi, vi, { random: t.three });
        const b = fitRmaMv(
          yi.map((y) => c * y),
          vi.map((v) => c * c * v),
          { random: t.three },
        );
        close(b.coefficients[0]!.estimate, c * a.coefficients[0]!.estimate, 1e-6, 1e-9 * c);
        a.sigma2.forEach((s, j) => close(b.sigma2[j] as number, c * c * s, 1e-5, 1e-9 * c * c));
      }),
      { numRuns: 40 },
    );
  });

  it('reordering the rows changes nothing', () => {
    fc.assert(
      fc.property(clustered, ({ sizes, yi, vi }) => {
        const t = terms(sizes);
        const k = yi.length;
        const order = Array.from({ length: k }, (_, i) => k - 1 - i);
        const perm = (x: readonly number[]) => order.map((i) => x[i] as number);
        const a = fitRmaMv(yi, vi, { random: t.three });
        const b = fitRmaMv(perm(yi), perm(vi), {
          random: t.three.map((term) =>
            term.kind === 'intercept'
              ? { ...term, level: Int32Array.from(order, (i) => term.level[i] as number) }
              : term,
          ),
        });
        close(a.fitstats.ll, b.fitstats.ll, 1e-9, 1e-9);
        close(a.coefficients[0]!.estimate, b.coefficients[0]!.estimate, 1e-7, 1e-10);
      }),
      { numRuns: 30 },
    );
  });

  it('the REML log-likelihood at the estimates is not exceeded on a grid around them', () => {
    fc.assert(
      fc.property(clustered, ({ sizes, yi, vi }) => {
        const t = terms(sizes);
        const fit = fitRmaMv(yi, vi, { random: t.three });
        for (const f of [0.5, 0.9, 1.1, 2])
          for (const j of [0, 1]) {
            const s = fit.sigma2.map((x, i) => (i === j ? Math.max(x * f, x === 0 ? 0.01 * f : 0) : x));
            const fixed = fitRmaMv(yi, vi, { random: t.three, fixed: { sigma2: s } });
            expect(fixed.fitstats.ll).toBeLessThanOrEqual(fit.fitstats.ll + 1e-9);
          }
      }),
      { numRuns: 20 },
    );
  });

  it('zero covariances change nothing; CR0 with one cluster per row is the HC0 sandwich', () => {
    fc.assert(
      fc.property(clustered, ({ sizes, yi, vi }) => {
        const t = terms(sizes);
        const a = fitRmaMv(yi, vi, { random: t.three });
        const b = fitRmaMv(yi, covarianceFromPairs(vi, [{ i: 0, j: 1, cov: 0 }]), { random: t.three });
        close(a.fitstats.ll, b.fitstats.ll, 1e-12, 1e-12);
        // each row its own cluster: CR0 of rma.uni is Σ w²e²·(Σw)⁻² (the HC0 sandwich)
        const uni = fitRma(yi, vi, { method: 'REML' });
        const r = robust(
          uni,
          yi.map((_, i) => String(i)),
          { type: 'CR0' },
        );
        const w = vi.map((v) => 1 / (v + uni.tau2));
        const sw = w.reduce((s, x) => s + x, 0);
        const b0 = uni.coefficients[0]!.estimate;
        const hc0 = w.reduce((s, wi, i) => s + wi * wi * ((yi[i] as number) - b0) ** 2, 0) / (sw * sw);
        close(r.vb[0]![0]!, hc0, 1e-9, 1e-15);
      }),
      { numRuns: 30 },
    );
  });
});
