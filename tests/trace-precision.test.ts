/**
 * The traces of P in meta-regression (src/models/kernel.ts: tr P = Σwᵢ − tr(A⁻¹B₂), tr PP likewise) are differences
 * that cancel when precise studies carry nearly all the weight. Two pairs of studies split by a moderator x = 1, 1,
 * 0, 0, a precise and an imprecise study in each: at variance ratios 10⁴ and 10⁶ the fits agree with metafor 3.8
 * (scripts/golden/gen-trace-precision.R); where the double-precision traces are noise (ratio 10⁶ for tr PP,
 * 10²⁰ for tr P₀) the kernel's sums are exact (src/models/exact-kernel.ts) and the fits equal their exact values
 * (tests/exact-kernel.test.ts against mpmath for DL, REML and ML; closed forms here). Before: REML τ² = 0 where
 * metafor gives 0.018125, DL τ² = 3e-6, H² = 2.2e22, all under exit 0; then a refusal (NO_FINITE_RESULT).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitRma } from '../src/models/rma.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';
import { expectClose } from './support.ts';

interface Case {
  method: Tau2Method;
  yi: number[];
  vi: number[];
  tau2: number;
  seTau2: number;
  I2: number;
  H2: number;
}
const cases = JSON.parse(readFileSync(new URL('./fixtures/trace-precision.json', import.meta.url), 'utf8')) as Case[];
const design = { k: 4, p: 2, x: Float64Array.from([1, 1, 1, 1, 1, 0, 1, 0]), names: ['intrcpt', 'x'] };
const METHODS: Tau2Method[] = ['REML', 'ML', 'DL', 'EB', 'HE', 'PM', 'SJ', 'HS'];

describe('meta-regression where precise studies carry nearly all the weight', () => {
  it.each(cases.filter((c) => c.vi[1] === 1e-4))('variances 1e-8 and 1e-4, $method: as metafor', (c) => {
    const fit = fitRma(c.yi, c.vi, { method: c.method, design });
    // (metafor's PM stops at a looser tolerance here: 1.4e-4)
    const rel = c.method === 'PM' ? 1e-3 : 1e-9;
    expectClose(fit.tau2, c.tau2, rel, 1e-15, 'tau2');
    expectClose(fit.tau2SE, c.seTau2, rel, 0, 'se.tau2');
    expectClose(fit.I2, c.I2, rel, 1e-9, 'I2');
    expectClose(fit.H2, c.H2, rel, 0, 'H2');
  });
  it.each(cases.filter((c) => c.vi[1] === 1))('variances 1e-6 and 1, $method: τ², I², H² as metafor', (c) => {
    const fit = fitRma(c.yi, c.vi, { method: c.method, design });
    expectClose(fit.tau2, c.tau2, 1e-9, 1e-15, 'tau2');
    expectClose(fit.I2, c.I2, 1e-9, 1e-9, 'I2');
    expectClose(fit.H2, c.H2, 1e-9, 0, 'H2');
    // REML's SE at τ̂² = 0 is √(2/tr PP₀), whose digits double precision loses here (metafor's is 8e-11 off):
    // the exact value (mpmath, tests/fixtures/exact-kernel.json)
    if (c.method === 'REML') expectClose(fit.tau2SE, exact('pairs-1e6-REML').tau2SE, 1e-12, 0, 'se.tau2');
    else expectClose(fit.tau2SE, c.seTau2, 1e-6, 0, 'se.tau2');
  });
  // two groups, a study of variance v and one of V in each: where every study weighs about 1/τ² at τ̂² (V ≪ τ̂²)
  // the moment and likelihood equations give τ̂² = (0.1² + 0.25²)/2/2 = 0.018125 (REML, DL, EB, PM, HE, SJ; ML
  // half of it); HS = (Q_E − k)/Σwᵢ. With V = 1e10 ≫ everything, τ̂² = 0 (Q_E = 7.25e-12 < k − p).
  const QE = (v: number, V: number) => (0.1 ** 2 + 0.25 ** 2) / (v + V);
  it.each(METHODS)('%s with variances 1e-40 and 1e-20 (tr P₀ lost in double precision): its exact value', (method) => {
    const fit = fitRma([0.1, 0.2, 0.3, 0.05], [1e-40, 1e-20, 1e-40, 1e-20], { method, design });
    expect(fit.converged).toBe(true);
    expect(fit.warnings).toEqual([]);
    const expected =
      method === 'HS' ? (QE(1e-40, 1e-20) - 4) / (2e40 + 2e20) : method === 'ML' ? 0.018125 / 2 : 0.018125;
    expectClose(fit.tau2, expected, 1e-9, 0, 'tau2');
    expect(Number.isFinite(fit.tau2SE) && fit.tau2SE > 0).toBe(true);
    expect(Number.isFinite(fit.I2) && Number.isFinite(fit.H2)).toBe(true);
  });
  it.each(METHODS.filter((m) => m !== 'SJ'))('%s with variances 1e-10 and 1e10: τ² = 0, exactly', (method) => {
    const fit = fitRma([0.1, 0.2, 0.3, 0.05], [1e-10, 1e10, 1e-10, 1e10], { method, design });
    expect(fit.warnings).toEqual([]);
    expect(fit.tau2).toBe(0);
    expect(fit.I2).toBe(0);
    expectClose(fit.QE, QE(1e-10, 1e10), 1e-12, 0, 'QE');
  });
});

function exact(id: string): { tau2SE: number } {
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/exact-kernel.json', import.meta.url), 'utf8')) as {
    fits: { id: string; tau2SE: number }[];
  };
  const c = fixture.fits.find((f) => f.id === id);
  if (c === undefined) throw new Error(`no case ${id} in exact-kernel.json`);
  return c;
}
