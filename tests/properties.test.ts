/** Invariants of the pooling engine, checked on random data with fast-check. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tau2ConfidenceInterval } from '../src/inference/tau2-interval.ts';
import { designFromColumns, interceptDesign } from '../src/models/design.ts';
import { interceptRss, Kernel } from '../src/models/kernel.ts';
import { EvsynthError } from '../src/core/errors.ts';
import { fitRma } from '../src/models/rma.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';

const study = fc.record({
  y: fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }),
  v: fc.double({ min: 1e-3, max: 2, noNaN: true, noDefaultInfinity: true }),
});
const studies = fc.array(study, { minLength: 2, maxLength: 30 });
const split = (s: { y: number; v: number }[]) => [s.map((x) => x.y), s.map((x) => x.v)] as const;
const METHODS: Tau2Method[] = ['EE', 'DL', 'HE', 'HS', 'HSk', 'SJ', 'SJIT', 'ML', 'REML', 'EB', 'PM', 'PMM'];
const method = fc.constantFrom(...METHODS);
const close = (a: number, b: number, rel = 1e-7, abs = 1e-9) => Math.abs(a - b) <= Math.max(rel * Math.abs(b), abs);
// Iterative estimators converge to ~1e-13; comparisons of two fits allow 1e-7 relative.

describe('pooling invariants', () => {
  it('results do not depend on study order', () => {
    fc.assert(
      fc.property(studies, method, fc.integer(), (s, m, seed) => {
        const perm = [...s].sort((a, b) => ((a.y * 1e6 + seed) % 7) - ((b.y * 1e6 + seed) % 7));
        const f1 = fitRma(...split(s), { method: m });
        const f2 = fitRma(...split(perm), { method: m });
        expect(close(f2.tau2, f1.tau2, 1e-7, 1e-10)).toBe(true);
        expect(close(f2.coefficients[0]!.estimate, f1.coefficients[0]!.estimate)).toBe(true);
        expect(close(f2.QE, f1.QE)).toBe(true);
      }),
    );
  });

  it('shifting every yi by c shifts the estimate by c and leaves tau2, Q unchanged', () => {
    fc.assert(
      fc.property(studies, method, fc.double({ min: -10, max: 10, noNaN: true }), (s, m, c) => {
        const [y, v] = split(s);
        const f1 = fitRma(y, v, { method: m });
        const f2 = fitRma(
          y.map((x) => x + c),
          v,
          { method: m },
        );
        expect(close(f2.coefficients[0]!.estimate, f1.coefficients[0]!.estimate + c, 1e-7, 1e-8)).toBe(true);
        expect(close(f2.tau2, f1.tau2, 1e-6, 1e-9)).toBe(true);
        expect(close(f2.QE, f1.QE, 1e-6, 1e-8)).toBe(true);
      }),
    );
  });

  it('scaling (yi, vi) → (a·yi, a²·vi) scales the estimate by a and tau2 by a²; Q and I² unchanged', () => {
    fc.assert(
      fc.property(studies, method, fc.double({ min: 0.05, max: 20, noNaN: true }), (s, m, a) => {
        const [y, v] = split(s);
        const f1 = fitRma(y, v, { method: m });
        const f2 = fitRma(
          y.map((x) => a * x),
          v.map((x) => a * a * x),
          { method: m },
        );
        expect(close(f2.coefficients[0]!.estimate, a * f1.coefficients[0]!.estimate, 1e-7, 1e-9 * a)).toBe(true);
        expect(close(f2.tau2, a * a * f1.tau2, 1e-6, 1e-10 * a * a)).toBe(true);
        expect(close(f2.QE, f1.QE, 1e-9)).toBe(true);
        expect(close(f2.I2, f1.I2, 1e-6, 1e-7)).toBe(true);
      }),
    );
  });

  it('tau2 ≥ 0, 0 ≤ I² ≤ 100, the CI contains the estimate and a 99% CI contains the 95% CI', () => {
    fc.assert(
      fc.property(
        studies,
        method,
        fc.constantFrom('z', 'knha', 'adhoc') as fc.Arbitrary<'z' | 'knha' | 'adhoc'>,
        (s, m, test) => {
          // (Knapp–Hartung whose s² underflowed, estimates such as 0 and 5e-324, is NO_FINITE_RESULT:
          // tests/hardening.test.ts)
          let f95: ReturnType<typeof fitRma>;
          try {
            f95 = fitRma(...split(s), { method: m, test });
          } catch (e) {
            if (test === 'knha' && e instanceof EvsynthError && /Knapp–Hartung factor/.test(e.message)) return;
            throw e;
          }
          const f99 = fitRma(...split(s), { method: m, test, level: 99 });
          const c95 = f95.coefficients[0]!,
            c99 = f99.coefficients[0]!;
          expect(f95.tau2).toBeGreaterThanOrEqual(0);
          expect(f95.I2).toBeGreaterThanOrEqual(0);
          expect(f95.I2).toBeLessThanOrEqual(100);
          expect(c95.ciLower).toBeLessThanOrEqual(c95.estimate);
          expect(c95.ciUpper).toBeGreaterThanOrEqual(c95.estimate);
          if (Number.isFinite(c95.se) && c95.se > 0) {
            expect(c99.ciLower).toBeLessThanOrEqual(c95.ciLower + 1e-12);
            expect(c99.ciUpper).toBeGreaterThanOrEqual(c95.ciUpper - 1e-12);
          }
        },
      ),
    );
  });

  it('ad hoc Knapp–Hartung is never narrower than z', () => {
    fc.assert(
      fc.property(studies, method, (s, m) => {
        const z = fitRma(...split(s), { method: m, test: 'z' }).coefficients[0]!;
        const a = fitRma(...split(s), { method: m, test: 'adhoc' }).coefficients[0]!;
        expect(a.ciUpper - a.ciLower).toBeGreaterThanOrEqual(z.ciUpper - z.ciLower - 1e-12);
      }),
    );
  });

  it('a random-effects fit with tau2 = 0 equals the common-effect fit', () => {
    fc.assert(
      fc.property(studies, (s) => {
        const ee = fitRma(...split(s), { method: 'EE' }).coefficients[0]!;
        const re = fitRma(...split(s), { method: 'REML', tau2: 0 }).coefficients[0]!;
        expect(close(re.estimate, ee.estimate, 1e-12, 1e-14)).toBe(true);
        expect(close(re.se, ee.se, 1e-12)).toBe(true);
      }),
    );
  });

  it('duplicating every study keeps the common-effect estimate and divides its SE by √2', () => {
    fc.assert(
      fc.property(studies, (s) => {
        const f1 = fitRma(...split(s), { method: 'EE' }).coefficients[0]!;
        const f2 = fitRma(...split([...s, ...s]), { method: 'EE' }).coefficients[0]!;
        expect(close(f2.estimate, f1.estimate, 1e-10, 1e-12)).toBe(true);
        expect(close(f2.se, f1.se / Math.SQRT2, 1e-10)).toBe(true);
      }),
    );
  });

  it('the Q-profile interval contains the PM estimate and is ordered', () => {
    fc.assert(
      fc.property(fc.array(study, { minLength: 3, maxLength: 30 }), (s) => {
        const fit = fitRma(...split(s), { method: 'PM' });
        const ci = tau2ConfidenceInterval(fit);
        expect(ci.tau2.lower).toBeLessThanOrEqual(ci.tau2.upper);
        expect(ci.tau2.lower).toBeLessThanOrEqual(fit.tau2 + 1e-9);
        expect(ci.tau2.upper).toBeGreaterThanOrEqual(fit.tau2 - 1e-9);
      }),
    );
  });
});

/** Dense reference: P = W − WX(XᵀWX)⁻¹XᵀW built as a k × k matrix (the metafor form). */
function denseTraces(y: number[], v: number[], x: number[][], tau2: number) {
  const k = y.length,
    p = x[0]!.length;
  const w = v.map((vi) => 1 / (vi + tau2));
  const A = Array.from({ length: p }, (_, r) =>
    Array.from({ length: p }, (_, c) => x.reduce((s, xi, i) => s + w[i]! * xi[r]! * xi[c]!, 0)),
  );
  // invert p × p (p ≤ 3) by Gauss-Jordan
  const inv = A.map((row, i) => [...row, ...Array.from({ length: p }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < p; c++) {
    const piv = inv[c]![c]!;
    for (let j = 0; j < 2 * p; j++) inv[c]![j]! /= piv;
    for (let r = 0; r < p; r++)
      if (r !== c) {
        const f = inv[r]![c]!;
        for (let j = 0; j < 2 * p; j++) inv[r]![j]! -= f * inv[c]![j]!;
      }
  }
  const Ai = inv.map((row) => row.slice(p));
  const P = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k }, (_, j) => {
      let s = 0;
      for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) s += x[i]![r]! * Ai[r]![c]! * x[j]![c]!;
      return (i === j ? w[i]! : 0) - w[i]! * s * w[j]!;
    }),
  );
  const Py = P.map((row) => row.reduce((s, pij, j) => s + pij * y[j]!, 0));
  let trP = 0,
    trPP = 0;
  for (let i = 0; i < k; i++) {
    trP += P[i]![i]!;
    for (let j = 0; j < k; j++) trPP += P[i]![j]! * P[j]![i]!;
  }
  return { yPy: y.reduce((s, yi, i) => s + yi * Py[i]!, 0), yPPy: Py.reduce((s, a) => s + a * a, 0), trP, trPP };
}

describe('the O(k·p²) kernel equals the dense k × k matrix form', () => {
  it('for intercept-only and two- and three-column designs at any tau2', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            y: fc.double({ min: -3, max: 3, noNaN: true }),
            v: fc.double({ min: 0.01, max: 2, noNaN: true }),
            x1: fc.integer({ min: -20, max: 20 }).map((i) => i / 10),
            x2: fc.integer({ min: 0, max: 50 }).map((i) => i / 10),
          }),
          { minLength: 5, maxLength: 25 },
        ),
        fc.integer({ min: 0, max: 2 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (s, extra, tau2) => {
          const cols = [
            { name: 'x1', values: s.map((r) => r.x1) },
            { name: 'x2', values: s.map((r) => r.x2) },
          ].slice(0, extra);
          const d = designFromColumns(cols, s.length);
          const y = s.map((r) => r.y),
            v = s.map((r) => r.v);
          let kernel: Kernel;
          try {
            kernel = new Kernel(Float64Array.from(y), Float64Array.from(v), d).evaluate(tau2);
          } catch {
            return;
          } // collinear draws
          const x = Array.from({ length: s.length }, (_, i) => Array.from(d.x.subarray(i * d.p, (i + 1) * d.p)));
          const ref = denseTraces(y, v, x, tau2);
          expect(close(kernel.RSS, ref.yPy, 1e-8, 1e-10)).toBe(true);
          expect(close(kernel.yPPy, ref.yPPy, 1e-8, 1e-10)).toBe(true);
          expect(close(kernel.trP, ref.trP, 1e-8, 1e-10)).toBe(true);
          expect(close(kernel.trPP, ref.trPP, 1e-8, 1e-10)).toBe(true);
        },
      ),
    );
  });
});

describe("the Q-profile's lean Q_gen", () => {
  it('equals the kernel’s yᵀPy of the intercept-only model to the last bit, at any τ² and scale', () => {
    fc.assert(
      fc.property(
        fc.array(study, { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.integer({ min: -300, max: 300 }),
        (s, tau2, e) => {
          const c = 2 ** e;
          const y = Float64Array.from(s, (r) => r.y * c),
            v = Float64Array.from(s, (r) => r.v * c * c);
          const t = tau2 * c * c;
          const kernel = new Kernel(y, v, interceptDesign(s.length)).evaluate(t);
          expect(Object.is(interceptRss(y, v, t), kernel.RSS)).toBe(true);
        },
      ),
    );
  });
});
