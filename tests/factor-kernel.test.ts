/**
 * The one-factor path of src/models/kernel.ts (designs of one factor's indicators, `~ factor(g)` and
 * `~ 0 + factor(g)`: O(k + p) per evaluation) against the general O(k·p²) kernel on random factor designs, and
 * the subgroup model of 100 levels against metafor 3.8 (scripts/golden/gen-subgroups-many.R; issue 14: the
 * common-τ² test of 1,000 subgroups took 350 s).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { factorCoding, type Design } from '../src/models/design.ts';
import { exactKernelSums } from '../src/models/exact-kernel.ts';
import { Kernel } from '../src/models/kernel.ts';
import { fitCommonTau2Subgroups } from '../src/models/subgroups.ts';
import { expectClose } from './support.ts';

/** The design of levels `level` (0 … G − 1, each present): treatment coding with the intercept in column 0 or last. */
function treatment(level: number[], G: number, interceptLast: boolean): Design {
  const k = level.length;
  const x = new Float64Array(k * G);
  level.forEach((g, i) => {
    x[i * G + (interceptLast ? G - 1 : 0)] = 1;
    if (g > 0) x[i * G + (interceptLast ? g - 1 : g)] = 1;
  });
  return { k, p: G, x, names: Array.from({ length: G }, (_, j) => `b${j}`) };
}

function cellMeans(level: number[], G: number): Design {
  const x = new Float64Array(level.length * G);
  level.forEach((g, i) => {
    x[i * G + g] = 1;
  });
  return { k: level.length, p: G, x, names: Array.from({ length: G }, (_, j) => `m${j}`) };
}

const factorData = fc
  .integer({ min: 2, max: 12 })
  .chain((G) =>
    fc.record({
      G: fc.constant(G),
      extra: fc.array(fc.integer({ min: 0, max: G - 1 }), { minLength: 1, maxLength: 30 }),
      seedY: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 42, maxLength: 42 }),
      seedV: fc.array(fc.double({ min: 0.001, max: 2, noNaN: true }), { minLength: 42, maxLength: 42 }),
      tau2: fc.oneof(fc.constant(0), fc.double({ min: 1e-4, max: 5, noNaN: true })),
    }),
  )
  .map(({ G, extra, seedY, seedV, tau2 }) => {
    // every level at least once, then the extra rows
    const level = [...Array.from({ length: G }, (_, g) => g), ...extra];
    const yi = Float64Array.from(level, (_, i) => seedY[i % 42] as number);
    const vi = Float64Array.from(level, (_, i) => seedV[(i * 5) % 42] as number);
    return { G, level, yi, vi, tau2 };
  });

const SUMS = ['trP', 'trPP', 'RSS', 'yPPy', 'yPPPy', 'sumW', 'sumW2', 'logdetA'] as const;

/**
 * The fast path's sums equal the general kernel's to 1e-12 of the terms they are differences of (Σwᵢ for tr P,
 * Σwᵢ² for tr PP, 1 and the value itself for the others), or lie at least as close to the exact sums
 * (src/models/exact-kernel.ts): where a level has one study its terms of tr PP cancel (w² − 2w² + w²) and
 * the general kernel's rounding, some units of ε·Σwᵢ²·cond(XᵀWX), is the larger error.
 */
function expectSums(fast: Kernel, general: Kernel): void {
  const exact = exactKernelSums(general.yi, fast.w, general.design.x, general.k, general.p);
  for (const s of SUMS) {
    const scale = s === 'trP' ? fast.sumW : s === 'trPP' ? fast.sumW2 : Math.max(1, Math.abs(general[s]));
    const diff = Math.abs(fast[s] - general[s]);
    if (diff <= 1e-12 * scale) continue;
    const e = exact === undefined || s === 'logdetA' || s === 'sumW' || s === 'sumW2' ? undefined : exact[s];
    expect(
      e !== undefined && Math.abs(fast[s] - e) <= Math.abs(general[s] - e),
      `${s}: ${fast[s]} vs ${general[s]} (exact ${e})`,
    ).toBe(true);
  }
}

describe('the one-factor kernel path equals the general kernel', () => {
  it('recognises the codings, and not other designs', () => {
    expect(factorCoding(treatment([0, 1, 2, 1], 3, false))?.intercept).toBe(true);
    expect([...(factorCoding(treatment([0, 1, 2, 1], 3, false))?.level ?? [])]).toEqual([0, 1, 2, 1]);
    expect(factorCoding(cellMeans([2, 0, 1], 3))?.intercept).toBe(false);
    // intercept last, an empty level, a value other than 0/1: the general path
    expect(factorCoding(treatment([0, 1, 2, 1], 3, true))).toBeUndefined();
    expect(factorCoding(cellMeans([0, 0, 2], 3))).toBeUndefined();
    const d = cellMeans([0, 1, 1], 2);
    d.x[0] = 2;
    expect(factorCoding(d)).toBeUndefined();
  });

  it('treatment coding: every sum, b and (XᵀWX)⁻¹ to 1e-12 of the general kernel (intercept moved last)', () => {
    fc.assert(
      fc.property(factorData, ({ G, level, yi, vi, tau2 }) => {
        const fast = new Kernel(yi, vi, treatment(level, G, false)).evaluate(tau2);
        const general = new Kernel(yi, vi, treatment(level, G, true)).evaluate(tau2);
        expectSums(fast, general);
        for (let i = 0; i < level.length; i++)
          expectClose(fast.residuals[i], general.residuals[i] as number, 1e-12, 1e-11, `e${i}`);
        // general: columns (d1 … d_{G−1}, intercept); fast: (intercept, d1 … d_{G−1})
        const at = (j: number) => (j === 0 ? G - 1 : j - 1);
        for (let r = 0; r < G; r++) {
          expectClose(fast.beta[r], general.beta[at(r)] as number, 1e-12, 1e-11, `b${r}`);
          for (let c = 0; c < G; c++)
            expectClose(
              fast.Ainv[r * G + c],
              general.Ainv[at(r) * G + at(c)] as number,
              1e-11,
              1e-12 * (general.Ainv[at(r) * G + at(r)] as number),
              `Ainv${r},${c}`,
            );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('cell-means coding: every sum, b and (XᵀWX)⁻¹ to 1e-12 of the general kernel (the treatment coding, intercept last, spans the same columns)', () => {
    fc.assert(
      fc.property(factorData, ({ G, level, yi, vi, tau2 }) => {
        const fast = new Kernel(yi, vi, cellMeans(level, G)).evaluate(tau2);
        // the general path: the treatment coding with the intercept last spans the same columns
        const general = new Kernel(yi, vi, treatment(level, G, true)).evaluate(tau2);
        expectSums(fast, general);
        // cell means from the treatment coefficients: μ₀ = b_last, μ_g = b_last + b_{g−1}
        for (let g = 0; g < G; g++) {
          const mu = (general.beta[G - 1] as number) + (g === 0 ? 0 : (general.beta[g - 1] as number));
          expectClose(fast.beta[g], mu, 1e-12, 1e-11, `mu${g}`);
          // Var(μ_g) = Var(b_last) + Var(b_{g−1}) + 2 Cov(b_last, b_{g−1})
          const A = (r: number, c: number) => general.Ainv[r * G + c] as number;
          const v = g === 0 ? A(G - 1, G - 1) : A(G - 1, G - 1) + A(g - 1, g - 1) + 2 * A(G - 1, g - 1);
          expectClose(fast.Ainv[g * G + g], v, 1e-10, 0, `Var(mu${g})`);
        }
      }),
      { numRuns: 300 },
    );
  });
});

interface ManyCase {
  id: string;
  input: { yi: number[]; vi: number[]; g: string[] };
  expected: Record<'moderator_model' | 'group_means', Record<string, unknown>>;
}

describe('a subgroup model of 100 levels matches metafor 3.8 (REML to double precision)', () => {
  const [c] = JSON.parse(
    readFileSync(fileURLToPath(new URL('./fixtures/golden-subgroups-many.json', import.meta.url)), 'utf8'),
  ) as ManyCase[];
  it((c as ManyCase).id, () => {
    const { input, expected } = c as ManyCase;
    const fits = fitCommonTau2Subgroups(input.yi, input.vi, input.g, { method: 'REML' }, 'g');
    for (const [fit, x] of [
      [fits.moderatorModel, expected.moderator_model],
      [fits.groupMeans, expected.group_means],
    ] as const) {
      expect(fit.coefficients.map((b) => b.name)).toEqual(x['coef_names']);
      const beta = x['beta'] as number[],
        se = x['se'] as number[];
      fit.coefficients.forEach((b, j) => {
        expectClose(b.estimate, beta[j] as number, 1e-8, 1e-10, `beta[${j}]`);
        expectClose(b.se, se[j] as number, 1e-8, 1e-10, `se[${j}]`);
      });
      expectClose(fit.tau2, x['tau2'] as number, 1e-8, 1e-12, 'tau2');
      expectClose(fit.tau2SE, x['se_tau2'] as number, 1e-7, 1e-12, 'se tau2');
      expectClose(fit.QE, x['QE'] as number, 1e-10, 1e-10, 'QE');
      expectClose(fit.QM, x['QM'] as number, 1e-8, 1e-10, 'QM');
      expectClose(fit.QMp, x['QMp'] as number, 1e-7, 1e-12, 'QMp');
      expectClose(fit.fitstats.REML.ll, x['ll_REML'] as number, 1e-10, 1e-9, 'll');
      if (x['R2'] !== undefined && x['R2'] !== null) expectClose(fit.R2, x['R2'] as number, 1e-6, 1e-6, 'R2');
    }
  });
});
