/**
 * τ̂² far beyond the scale of the smallest variance (issue 14, "exact at any representable scale"): estimates
 * more than 1e150 of the smallest standard error apart, where τ̂² is finite in the data's units but overflows in
 * the fit at the smallest variance's scale. fitRma refits at the scale of the estimates' spread
 * (src/models/rma.ts, fitAtSecondScale); these inputs (from scripts/fuzz.ts, seed 1) were NOT_CONVERGED before.
 * Expected values: metafor 3.8 (scripts/golden/gen-extreme-scales.R) for τ², b and SE(b) where metafor's
 * arithmetic holds at these scales, and the closed forms of k = 2 (independent of both programs):
 *
 * ```text
 * Q_E = d²/(v₁ + v₂),  tr P₀ = 2/(v₁ + v₂),  d = y₁ − y₂
 * DL = HE = PM = EB = (d² − v₁ − v₂)/2,  H² = 1 + τ² tr P₀
 * ```
 *
 * metafor computes at the data's scale and loses Q_E (0, or a quarter off), H² and DL's tr P₀ to cancellation
 * here; those are checked against the closed forms only.
 */
import { describe, expect, it } from 'vitest';
import { fitBatch } from '../src/models/batch.ts';
import { fitLean } from '../src/models/lean-fit.ts';
import { fitRma } from '../src/models/rma.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';
import { loadCases, num } from './oracle.ts';
import { expectClose } from './support.ts';

const cases = new Map(loadCases('golden-extreme-scales.json').map((c) => [c.id, c] as const));
const fitOf = (id: string) => {
  const c = cases.get(id);
  if (c === undefined) throw new Error(`no case ${id}`);
  const fit = fitRma(Array.from(num(c, 'yi')!), Array.from(num(c, 'vi')!), { method: c.args['method'] as Tau2Method });
  return { c, fit, e: c.expected as Record<string, number> };
};

describe('τ² beyond the range of the smallest variance: a second fit at the scale of the spread', () => {
  // cases where metafor's τ², b and SE(b) are right (its Q_E and H² are not: see above)
  it.each([
    'fuzz-13401-EB',
    'fuzz-38119-HE',
    'fuzz-38119-SJ',
    'fuzz-38119-PM',
    'fuzz-38119-EB',
    'fuzz-39148-SJ',
    'fuzz-39148-HE',
    'fuzz-39148-PM',
    'fuzz-39148-EB',
    'fuzz-35891-REML',
    'fuzz-35891-EB',
    'fuzz-26421-SJ',
    'fuzz-26421-EB',
    'subnormal-pair-REML',
    'subnormal-pair-EB',
  ])('%s: τ², b and SE(b) as metafor', (id) => {
    const { fit, e } = fitOf(id);
    expect(fit.converged).toBe(true);
    expectClose(fit.tau2, e['tau2']!, 1e-9, 0, 'tau2');
    expectClose(fit.coefficients[0]!.estimate, e['beta']!, 1e-9, 0, 'b');
    expectClose(fit.coefficients[0]!.se, e['se']!, 1e-9, 0, 'se');
    for (const x of [fit.tau2SE, fit.QE, fit.H2, fit.I2]) expect(Number.isFinite(x)).toBe(true);
  });

  it.each(['fuzz-13401-EB', 'fuzz-35891-REML', 'fuzz-35891-EB', 'subnormal-pair-REML', 'subnormal-pair-EB'])(
    '%s: SE of τ² as metafor',
    (id) => {
      const { fit, e } = fitOf(id);
      expectClose(fit.tau2SE, e['se.tau2']!, 1e-9, 0, 'se.tau2');
    },
  );

  it.each([
    ['fuzz-38119', ['HE', 'DL', 'PM', 'EB']],
    ['fuzz-39148', ['HE', 'DL', 'PM', 'EB']],
    ['subnormal-pair', ['EB', 'PM']],
  ] as const)('%s (k = 2): τ², Q_E and H² equal their closed forms', (input, methods) => {
    for (const m of methods) {
      const c = cases.get(`${input}-${m}`) ?? cases.get(`${input}-EB`)!;
      const [y1, y2] = Array.from(num(c, 'yi')!) as [number, number];
      const [v1, v2] = Array.from(num(c, 'vi')!) as [number, number];
      const fit = fitRma([y1, y2], [v1, v2], { method: m });
      const d2 = (y1 - y2) ** 2,
        v = v1 + v2;
      const tau2 = (d2 - v) / 2;
      expectClose(fit.tau2, tau2, 1e-12, 0, `${m} tau2`);
      expectClose(fit.QE, d2 / v, 1e-12, 0, `${m} QE`);
      expectClose(fit.H2, 1 + (2 * tau2) / v, 1e-12, 0, `${m} H2`);
    }
  });

  it('where τ² overflows in the data units too, NO_FINITE_RESULT (it was a flagged τ² = 0)', () => {
    // d = 2.6e211 next to variances of 2 and 1.6e210: τ² ≈ 3.4e422
    expect(() => fitRma([-3.006779389120344e-182, -2.628786548466587e211], [2, 1.5877692097283872e210])).toThrow(
      expect.objectContaining({ code: 'NO_FINITE_RESULT' }),
    );
  });
});

describe('variances more than the double range apart', () => {
  it('studies that cannot be weighed with the most precise but carry part of Q_E: NO_FINITE_RESULT, not Q_E = 0', () => {
    // scaled to the smallest variance, 1e100 overflows and its studies weighed 0: Q_E was 0 (metafor: 2)
    expect(() => fitRma([0, 1e50, -1e50], [1e-300, 1e100, 1e100], { method: 'DL' })).toThrow(
      expect.objectContaining({ code: 'NO_FINITE_RESULT', message: expect.stringMatching(/double range apart/) }),
    );
  });
  it('where those studies carry nothing (their residuals negligible against their SE), the fit stands', () => {
    const fit = fitRma([0.1, 0.2, 0.3], [1e-300, 2e-300, 1e100], { method: 'REML' });
    expect(Number.isFinite(fit.QE)).toBe(true);
    expect(fit.tau2).toBeGreaterThanOrEqual(0);
  });
});

describe('the lean and batch fits: the complete fit decides where one scale does not hold it', () => {
  it.each(['fuzz-39148-SJ', 'fuzz-35891-REML', 'fuzz-13401-EB'])('%s: fitLean and fitBatch equal fitRma', (id) => {
    const { c, fit } = fitOf(id);
    const yi = Array.from(num(c, 'yi')!),
      vi = Array.from(num(c, 'vi')!);
    const method = c.args['method'] as Tau2Method;
    const lean = fitLean(yi, vi, { method });
    expect([lean.estimate, lean.se, lean.tau2, lean.QE, lean.I2, lean.H2]).toEqual([
      fit.coefficients[0]!.estimate,
      fit.coefficients[0]!.se,
      fit.tau2,
      fit.QE,
      fit.I2,
      fit.H2,
    ]);
    const batch = fitBatch(Float64Array.from([...yi, ...yi]), Float64Array.from([...vi, ...vi]), yi.length, { method });
    for (const a of [0, 1]) {
      expect(batch.estimate[a]).toBe(fit.coefficients[0]!.estimate);
      expect(batch.se[a]).toBe(fit.coefficients[0]!.se);
      expect(batch.tau2[a]).toBe(fit.tau2);
    }
  });
  it('variances more than the double range apart that matter: the same error', () => {
    const yi = [0, 1e50, -1e50],
      vi = [1e-300, 1e100, 1e100];
    expect(() => fitLean(yi, vi, { method: 'DL' })).toThrow(expect.objectContaining({ code: 'NO_FINITE_RESULT' }));
    expect(() => fitBatch(yi, vi, 3, { method: 'DL' })).toThrow(
      expect.objectContaining({ code: 'NO_FINITE_RESULT', message: expect.stringMatching(/^fitBatch: analysis 0/) }),
    );
  });
});

describe('the SE of τ² where the information under- or overflows at the fit scale', () => {
  it.each([
    ['fuzz-38119', 'DL'],
    ['fuzz-39148', 'DL'],
    ['subnormal-pair', 'DL'],
  ] as const)('%s %s (k = 2): the SE equals its closed form (it was 0 or ∞)', (input, method) => {
    // DL with k = 2: tr P₀ = 2/v, tr P₀P₀ = 4/v², v = v₁ + v₂; SE = √(2 + 4τ² tr P₀ + 2τ⁴ tr P₀P₀)/tr P₀
    const c = cases.get(`${input}-EB`) ?? cases.get(`${input}-REML`)!;
    const [y1, y2] = Array.from(num(c, 'yi')!) as [number, number];
    const [v1, v2] = Array.from(num(c, 'vi')!) as [number, number];
    const fit = fitRma([y1, y2], [v1, v2], { method });
    const v = v1 + v2,
      t = fit.tau2;
    // τ² up to 1e298 here: τ⁴ overflows, so the form with τ² taken out of the root
    const se = (t * Math.sqrt(2 / t / t + 8 / v / t + 8 / v / v)) / (2 / v);
    expectClose(fit.tau2SE, se, 1e-12, 0, 'se.tau2');
  });
  it.each([
    ['fuzz-38119', 'HE'],
    ['fuzz-39148', 'HE'],
  ] as const)('%s %s (k = 2): the SE equals (v₁ + v₂ + 2τ²)/√2 (metafor: ∞)', (input, method) => {
    const c = cases.get(`${input}-${method}`)!;
    const [y1, y2] = Array.from(num(c, 'yi')!) as [number, number];
    const [v1, v2] = Array.from(num(c, 'vi')!) as [number, number];
    const fit = fitRma([y1, y2], [v1, v2], { method });
    expectClose(fit.tau2SE, (v1 + v2 + 2 * fit.tau2) / Math.SQRT2, 1e-12, 0, 'se.tau2');
  });
  it('REML at τ² = 0 with one study carrying all the weight: the SE at its limit (it was NaN)', () => {
    // one dominant study (vᵢ = 2.4e-193): tr PP → (Σⱼ≥₂ wⱼ)² + 3 Σⱼ≥₂ wⱼ², SE = √(2/that)
    const { c, fit } = fitOf('fuzz-13401-REML');
    const vi = Array.from(num(c, 'vi')!);
    const others = vi.filter((v) => v > 1e-100).map((v) => 1 / v);
    const s1 = others.reduce((a, b) => a + b),
      s2 = others.reduce((a, b) => a + b * b, 0);
    expect(fit.tau2).toBe(0);
    expectClose(fit.tau2SE, Math.sqrt(2 / (s1 * s1 + 3 * s2)), 1e-9, 0, 'se.tau2');
    expect(fit.warnings.some((w) => w.startsWith('the standard error of τ² is not reported'))).toBe(false);
  });
  it('where tr P₀ of a meta-regression is cancellation noise in double precision, its exact value', () => {
    // two precise studies split by a moderator from two imprecise ones: tr P₀ = 4e-10 against Σwᵢ = 2e10, lost to
    // cancellation in the double-precision traces of a two-column model (metafor's DL SE is 209,711); the kernel
    // takes them exactly (src/models/exact-kernel.ts): each group of weights w, W adds 2wW/(w + W) to tr P₀, and
    // at τ̂² = 0 DL's SE is √(2(k − p))/tr P₀ = 5e9 (refused with NO_FINITE_RESULT before)
    const design = { k: 4, p: 2, x: Float64Array.from([1, 1, 1, 1, 1, 0, 1, 0]), names: ['intrcpt', 'x'] };
    const fit = fitRma([0.1, 0.2, 0.3, 0.05], [1e-10, 1e10, 1e-10, 1e10], { design, method: 'DL' });
    const trP0 = 2 * ((2 * 1e10 * 1e-10) / (1e10 + 1e-10));
    expect(fit.tau2).toBe(0);
    expectClose(fit.tau2SE, Math.sqrt(2 * 2) / trP0, 1e-12, 0, 'se.tau2');
  });
});

describe('the warning on Q_E at the limit of double precision', () => {
  it('is not given where Q_E lies far above its rounding floor (vᵢ = 1e-300·(1, 2, 1.5, 1): Q_E 1.7e298, floor 1.1e269)', () => {
    const fit = fitRma([0.1, 0.2, 0.3, 0.15], [1e-300, 2e-300, 1.5e-300, 1e-300]);
    expect(fit.warnings.join()).not.toMatch(/limit of double precision/);
  });
  it('is not needed where rounding alone made Q_E (vᵢ of 1e-300 and 1e300): Q_E is exact', () => {
    // the precise study's residual was the rounding of b (Q_E 1.9e266 from rounding, floor 7.9e267; metafor
    // 1.5e282): the kernel's sums are exact there (src/models/exact-kernel.ts), and the two studies of variance
    // 1e300 carry 5e-302 of Q_E (left out: below 1e-12, see assertWeighable)
    const fit = fitRma([0.1, 0.2, 0.3], [1e-300, 1e300, 1e300]);
    expect(fit.warnings).toEqual([]);
    expect(fit.QE).toBe(0);
    expect(fit.tau2).toBe(0);
    // the SE of τ² at τ² = 0 is √(2/tr PP), tr PP ≈ (Σⱼ≥₂ wⱼ)² + 3 Σⱼ≥₂ wⱼ² = 1e-599 (metafor: 0)
    expectClose(fit.tau2SE, 1e300 * Math.sqrt(2 / (4 + 6)), 1e-12, 0, 'se.tau2');
  });
});
