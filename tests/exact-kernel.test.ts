/**
 * The weighted least-squares sums in exact arithmetic (src/models/exact-kernel.ts, src/core/numeric/dyadic.ts)
 * against the k × k matrix P formed in mpmath at 1,000 digits (scripts/golden/gen-exact-kernel.py), and the fits
 * of meta-regressions whose double-precision traces are lost (precise studies carrying all but 10⁻²⁰ of the
 * weight: refused with NO_FINITE_RESULT before) against the same reference's DL, REML and ML (global maxima).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dyadicAdd, dyadicMul, dyadicOf, dyadicRatio, integerAdjugate } from '../src/core/numeric/dyadic.ts';
import { fitBatch } from '../src/models/batch.ts';
import { exactKernelSums } from '../src/models/exact-kernel.ts';
import { interceptRss, Kernel } from '../src/models/kernel.ts';
import { fitLean } from '../src/models/lean-fit.ts';
import { fitRma } from '../src/models/rma.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';
import { expectClose } from './support.ts';

interface SumsCase {
  id: string;
  k: number;
  p: number;
  yi: number[];
  w: number[];
  x: number[];
  trP: number;
  trPP: number;
  RSS: number;
  yPPy: number;
  yPPPy: number;
  beta: number[];
}
interface FitCase {
  id: string;
  method: Tau2Method;
  yi: number[];
  vi: number[];
  x: number[];
  p: number;
  tau2: number;
  tau2SE: number;
  I2: number;
  H2: number;
  beta: number[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/exact-kernel.json', import.meta.url), 'utf8')) as {
  sums: SumsCase[];
  fits: FitCase[];
};

describe('exact dyadic arithmetic', () => {
  it('a double is the dyadic rational it is, and back', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(dyadicRatio(dyadicOf(x), dyadicOf(1))).toBe(x === 0 ? 0 : x);
      }),
    );
  });
  it('sums and products are exact, the quotient rounded once', () => {
    // (1e300 + 1 − 1e300)/1 = 1 exactly; 1/3 is the double nearest it
    const s = dyadicAdd(dyadicAdd(dyadicOf(1e300), dyadicOf(1)), dyadicOf(-1e300));
    expect(dyadicRatio(s, dyadicOf(1))).toBe(1);
    expect(dyadicRatio(dyadicOf(1), dyadicOf(3))).toBe(1 / 3);
    expect(dyadicRatio(dyadicMul(dyadicOf(1e-300), dyadicOf(1e-300)), dyadicOf(1e-300))).toBe(1e-300);
    expect(dyadicRatio(dyadicMul(dyadicOf(1e300), dyadicOf(1e300)), dyadicOf(1))).toBe(Number.POSITIVE_INFINITY);
  });
  it('the adjugate satisfies A·adj(A) = det(A)·I (random integer positive definite matrices)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 6 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.array(fc.bigInt({ min: -1000n, max: 1000n }), { minLength: n * n, maxLength: n * n }),
            ),
          ),
        ([n, B]) => {
          const A: bigint[] = [];
          for (let r = 0; r < n; r++)
            for (let c = 0; c < n; c++) {
              let s = r === c ? 1n : 0n;
              for (let m = 0; m < n; m++) s += (B[m * n + r] as bigint) * (B[m * n + c] as bigint);
              A.push(s);
            }
          const inv = integerAdjugate(A, n);
          expect(inv).toBeDefined();
          for (let r = 0; r < n; r++)
            for (let c = 0; c < n; c++) {
              let s = 0n;
              for (let m = 0; m < n; m++) s += (A[r * n + m] as bigint) * (inv?.adj[m * n + c] as bigint);
              expect(s).toBe(r === c ? inv?.det : 0n);
            }
        },
      ),
    );
  });
  it('a singular matrix has no adjugate by elimination', () => {
    expect(integerAdjugate([1n, 2n, 2n, 4n], 2)).toBeUndefined();
  });
});

describe('the kernel sums in exact arithmetic, against mpmath', () => {
  it.each(fixture.sums)('$id (k = $k, p = $p)', (c) => {
    const s = exactKernelSums(c.yi, c.w, c.x, c.k, c.p);
    expect(s).toBeDefined();
    if (s === undefined) return;
    for (const key of ['trP', 'trPP', 'RSS', 'yPPy', 'yPPPy'] as const) expectClose(s[key], c[key], 1e-14, 0, key);
    c.beta.forEach((b, r) => expectClose(s.beta[r] as number, b, 1e-13, 1e-300, `b${r}`));
  });
});

describe('meta-regressions whose double-precision traces are lost: the exact fit', () => {
  it.each(fixture.fits)('$id', (c) => {
    const k = c.yi.length;
    const names = ['intrcpt', ...Array.from({ length: c.p - 1 }, (_, i) => `x${i + 1}`)];
    const fit = fitRma(c.yi, c.vi, {
      method: c.method,
      design: { k, p: c.p, x: Float64Array.from(c.x), names },
      control: { threshold: 1e-12 },
    });
    expect(fit.converged).toBe(true);
    expectClose(fit.tau2, c.tau2, 1e-9, 1e-300, 'tau2');
    expectClose(fit.tau2SE, c.tau2SE, 1e-9, 0, 'se.tau2');
    expectClose(fit.I2, c.I2, 1e-9, 1e-12, 'I2');
    expectClose(fit.H2, c.H2, 1e-9, 0, 'H2');
    c.beta.forEach((b, r) => expectClose(fit.coefficients[r]?.estimate as number, b, 1e-9, 1e-15, `b${r}`));
    expect(fit.warnings.join()).not.toMatch(/not reported|lost to rounding/);
  });
});

describe('one study carrying nearly all the weight: every path takes the exact sums', () => {
  // the HS and HSk fuzz inputs whose Q_E was the dominant study's rounded residual (tests/tau2-se-extremes.test.ts)
  const extremes = (
    JSON.parse(readFileSync(new URL('./fixtures/tau2-se-extremes.json', import.meta.url), 'utf8')) as {
      cases: { id: string; method: Tau2Method; yi: number[]; vi: number[]; tau2: number }[];
    }
  ).cases.filter((c) => ['seed1-4-HS', 'seed1-9-HSk', 'seed2-3-HS', 'seed2-6-HS'].includes(c.id));
  it.each(extremes)('$id: fitLean and fitBatch equal fitRma, whose τ̂² is the exact value', (c) => {
    const fit = fitRma(c.yi, c.vi, { method: c.method });
    expect(Math.abs(fit.tau2 - c.tau2) <= 1e-9 * c.tau2 + 2 ** -1073).toBe(true);
    const lean = fitLean(c.yi, c.vi, { method: c.method });
    expect([lean.estimate, lean.se, lean.tau2, lean.QE, lean.I2, lean.H2]).toEqual([
      fit.coefficients[0]?.estimate,
      fit.coefficients[0]?.se,
      fit.tau2,
      fit.QE,
      fit.I2,
      fit.H2,
    ]);
    const batch = fitBatch(Float64Array.from([...c.yi, ...c.yi]), Float64Array.from([...c.vi, ...c.vi]), c.yi.length, {
      method: c.method,
    });
    expect([batch.estimate[1], batch.tau2[1]]).toEqual([fit.coefficients[0]?.estimate, fit.tau2]);
  });
  it('Q_gen of the Q-profile interval (its lean loop) equals the kernel’s exact yᵀPy', () => {
    const yi = Float64Array.from([0.1, 0.2, 0.3, 0.15]),
      vi = Float64Array.from([1e-30, 1, 2, 1.5]);
    for (const t of [0, 1e-31, 1e-29]) {
      const kernel = new Kernel(yi, vi, { k: 4, p: 1, x: new Float64Array(4).fill(1), names: ['intrcpt'] }).evaluate(t);
      expect(kernel.exactSums).toBe(true);
      expect(interceptRss(yi, vi, t)).toBe(kernel.RSS);
    }
  });
});

describe('the exact sums agree with the double-precision kernel where nothing cancels', () => {
  it('random well-conditioned designs (k 3–15, p 1–3, weights within a factor 100): to 1e-10', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 3 })
          .chain((p) =>
            fc
              .integer({ min: p + 2, max: 15 })
              .chain((k) =>
                fc.tuple(
                  fc.constant(p),
                  fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: k, maxLength: k }),
                  fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: k, maxLength: k }),
                  fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: k * p, maxLength: k * p }),
                ),
              ),
          ),
        ([p, yi, vi, raw]) => {
          const k = yi.length;
          // an intercept and covariates c = 1, 2: a draw in [−1, 1] plus 0.1·(row + 1)ᶜ (full rank)
          const x = raw.map((v, i) => {
            const c = i % p;
            return c === 0 ? 1 : v + 0.1 * (Math.floor(i / p) + 1) ** c;
          });
          const kernel = new Kernel(Float64Array.from(yi), Float64Array.from(vi), {
            k,
            p,
            x: Float64Array.from(x),
            names: Array.from({ length: p }, (_, i) => (i === 0 ? 'intrcpt' : `x${i}`)),
          }).evaluate(0.3);
          fc.pre(!kernel.exactSums && kernel.logdetA > -20);
          const s = exactKernelSums(yi, kernel.w, x, k, p);
          expect(s).toBeDefined();
          const close = (a: number, b: number) => Math.abs(a - b) <= 1e-10 * Math.max(1, Math.abs(b));
          for (const key of ['trP', 'trPP', 'RSS', 'yPPy', 'yPPPy'] as const)
            expect(close(s![key], kernel[key]), `${key}: ${s![key]} vs ${kernel[key]}`).toBe(true);
          for (let r = 0; r < p; r++) expect(close(s!.beta[r]!, kernel.beta[r]!)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('XᵀWX singular or ill-conditioned in double precision: the exact sums decide', () => {
  it('a full-rank model coded one way is not refused as collinear (the other coding was fitted)', () => {
    // x and z = 1 − x code the same model; in double precision the x coding's Cholesky pivot was noise
    const yi = [0.1, 0.2, 0.3, 0.5, 0.4],
      vi = [1e-10, 2e-10, 1e-10, 1e4, 2e-10];
    const x = [1, 1, 1, 0, 1];
    const design = (col: number[]) => ({
      k: 5,
      p: 2,
      x: Float64Array.from(col.flatMap((v) => [1, v])),
      names: ['intrcpt', 'x'],
    });
    const fx = fitRma(yi, vi, { design: design(x) });
    const fz = fitRma(yi, vi, { design: design(x.map((v) => 1 - v)) });
    expectClose(fx.tau2, fz.tau2, 1e-9, 0, 'tau2');
    // intercept + x (coding x) is the intercept of coding z
    expectClose(
      fx.coefficients[0]!.estimate + fx.coefficients[1]!.estimate,
      fz.coefficients[0]!.estimate,
      1e-9,
      0,
      'b',
    );
  });
  it('an ill-conditioned XᵀWX (reference group weighing 1e-13 of the other): the closed-form SE and intercept', () => {
    // EE with x = 1, 0, 1, 0, 0: the intercept is the x = 0 group's weighted mean, its SE √(1/Σ₍ₓ₌₀₎wᵢ);
    // in double precision the SE was wrong in its fourth digit (31,152,410 for 31,146,922)
    const yi = [-3.29269, 0.035856, 13.5212, 0.081456, -12.5314],
      vi = [118.09, 9.08e15, 6774.6, 1.47e15, 4.16e15],
      x = [1, 0, 1, 0, 0];
    const fit = fitRma(yi, vi, {
      method: 'EE',
      design: { k: 5, p: 2, x: Float64Array.from(x.flatMap((v) => [1, v])), names: ['intrcpt', 'x'] },
    });
    const ref = [1, 3, 4];
    const sw = ref.reduce((s, i) => s + 1 / vi[i]!, 0);
    expectClose(fit.coefficients[0]!.se, Math.sqrt(1 / sw), 1e-12, 0, 'se');
    expectClose(fit.coefficients[0]!.estimate, ref.reduce((s, i) => s + yi[i]! / vi[i]!, 0) / sw, 1e-12, 0, 'b');
  });
});
