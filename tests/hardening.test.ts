/**
 * The catalogue of issue 14 (an adversarial test of the engine): no hang, no crash, no silent wrong
 * answer. Each case either gives the right answer (metafor's, from scripts/golden/gen-hardening.R, or a
 * closed form) or a typed EvsynthError; none returns NaN or null in a result reported as a success.
 */
import { describe, expect, it } from 'vitest';
import { EvsynthError } from '../src/core/errors.ts';
import { baujat } from '../src/diagnostics/baujat.ts';
import { regressionTest } from '../src/diagnostics/egger.ts';
import { failSafeN } from '../src/diagnostics/fail-safe.ts';
import { influence } from '../src/diagnostics/influence.ts';
import { rankCorrelationTest } from '../src/diagnostics/rank-correlation.ts';
import { trimAndFill } from '../src/diagnostics/trim-and-fill.ts';
import { leaveOneOut } from '../src/diagnostics/leave-one-out.ts';
import { fitBatch } from '../src/models/batch.ts';
import { designFromColumns } from '../src/models/design.ts';
import { fitMantelHaenszel, fitPeto } from '../src/models/mantel-haenszel.ts';
import { fitLean } from '../src/models/lean-fit.ts';
import { predict } from '../src/inference/prediction.ts';
import { fitRma, type RmaFit } from '../src/models/rma.ts';
import { TAU2_METHODS, type Tau2Method } from '../src/models/tau2/index.ts';
import { formatNumber } from '../src/core/format.ts';
import { loadCases, num, type OracleCase } from './oracle.ts';
import { expectAllClose, expectClose } from './support.ts';

const cases = loadCases('golden-hardening.json');
const of = (f: string) => cases.filter((c) => c.family === f).map((c) => [c.id, c] as const);
const code = (c: string) => expect.objectContaining({ name: 'EvsynthError', code: c });

describe('hangs: every iteration is bounded', () => {
  it('fitRma([.1,.2,.3], [1e300, 2e300, 1e300]) answers at once (it ran for over 10 minutes)', () => {
    // (a hang fails this test by its timeout)
    const fit: RmaFit | undefined = fitRma([0.1, 0.2, 0.3], [1e300, 2e300, 1e300]);
    // τ² = 0: the common-effect answer, b = Σyᵢ/vᵢ / Σ1/vᵢ, se = (Σ1/vᵢ)^-½
    const w = [1, 0.5, 1];
    expectClose(fit!.coefficients[0]!.estimate, (0.1 + 0.1 + 0.3) / 2.5, 1e-14);
    expectClose(fit!.coefficients[0]!.se, Math.sqrt(1e300 / w.reduce((a, b) => a + b)), 1e-14);
    expect(fit!.tau2).toBe(0);
    expect(fit!.converged).toBe(true);
  });
  it.each(TAU2_METHODS)('every method at vi ≈ 1e300 finishes with a finite answer (%s)', (method) => {
    const fit = fitRma([0.1, 0.2, 0.3], [1e300, 2e300, 1e300], { method });
    expect(Number.isFinite(fit.coefficients[0]!.estimate)).toBe(true);
  });
  it('maxiter bounds the work and flags non-convergence', () => {
    const fit = fitRma([0.1, 0.5, 0.9, -0.2], [0.01, 0.02, 0.015, 0.03], { control: { maxiter: 1 } });
    expect(fit.iterations).toBe(1);
    expect(fit.converged).toBe(false);
    expect(fit.warnings.join()).toMatch(/did not converge/);
  });
});

describe('extreme scales: exact at any representable scale, or an error', () => {
  it.each(of('scale'))('%s matches metafor', (id, c) => {
    const { method, exponent = 0 } = c.args as { method: Tau2Method; exponent?: number };
    // exponent: metafor's fit at scale 1 scaled by 2^exponent (metafor cannot converge at such scales)
    const s = 2 ** exponent;
    const fit = fitRma(
      Array.from(num(c, 'yi')!, (y) => y * s),
      Array.from(num(c, 'vi')!, (v) => v * s * s),
      { method },
    );
    const e = c.expected as Record<string, number>;
    expectClose(fit.coefficients[0]!.estimate, e.beta! * s, 1e-9, 0, 'b');
    if (id.startsWith('scale/mixed-vi') && method !== 'REML') {
      // vᵢ of 1e-300 and 1e300: rounding alone makes metafor's Q_E 1.5e282 (and evsynth's was 1e266, with a
      // warning); the exact Q_E is 5e-302 (the kernel's exact sums: 0, the two imprecise studies' part below
      // 1e-12 left out), so τ² = 0 and I² = 0 where metafor's heterogeneity statistics are noise
      expect(fit.warnings).toEqual([]);
      expect(fit.QE).toBeLessThan(1e-300);
      expect(fit.tau2).toBe(0);
      expect(fit.I2).toBe(0);
      return;
    }
    expectClose(fit.coefficients[0]!.se, e.se! * s, 1e-9, 0, 'se');
    expectClose(fit.tau2, e.tau2! * s * s, 1e-8, 0, 'tau2');
    expectClose(fit.I2, e.I2!, 1e-9, 1e-9, 'I2');
    expectClose(fit.H2, e.H2!, 1e-8, 0, 'H2');
  });
  it.each(['REML', 'DL', 'HS'] as const)(
    '%s: estimates 1e221 of the smallest standard error apart are NO_FINITE_RESULT, not NOT_CONVERGED "try another method"',
    (method) => {
      // found by scripts/fuzz.ts: Q_E overflows at the scale of the smallest variance, so no method can succeed
      expect(() =>
        fitRma([-5.865445201707806e110, 6.7e-99, -8e-95, 1.9e-278], [2.1e-222, 0.00147, 0.35, 0.497], { method }),
      ).toThrow(code('NO_FINITE_RESULT'));
    },
  );
  it('a closed-form estimator (HE) with no finite τ² here: NO_FINITE_RESULT, not NOT_CONVERGED after "0 iterations"', () => {
    // scripts/fuzz.ts seed 1: variances from 6.4e-323 to 8.2e108, Σvᵢ overflows at the smallest variance's scale
    const yi = [
      4.999999999999984, -5.4e-323, 1.2374664871610115e-94, 6.727006064407523e-125, -5.4e-323, 0,
      1.013688991884168e-129, 2e-323,
    ];
    const vi = [
      8.128376600737522e-120, 6.4e-323, 0.00022906801551647162, 8.602240719378956e-164, 1.6780125814471043e-39,
      0.0006235601508807908, 3.784215209808986e-209, 8.225994373613015e108,
    ];
    expect(() => fitRma(yi, vi, { method: 'HE' })).toThrow(
      expect.objectContaining({
        code: 'NO_FINITE_RESULT',
        message: expect.stringMatching(/closed form gives no finite τ²/),
      }),
    );
  });
  it.each(['REML', 'ML', 'EB'] as const)(
    'vᵢ of 1e-300 and 1e300 mixed: %s keeps τ² = 0 (its score at 0 is positive by rounding alone)',
    (method) => {
      // in exact arithmetic the two imprecise studies make each likelihood fall from τ² = 0 and Q_gen(0) = 5e-302 is
      // below k − 1 (metafor: REML and ML 0); scaled, their variances are ∞ and the one precise study's residual is
      // rounding, 1e-16 of an estimate 1e149 of its standard errors from 0
      const fit = fitRma([0.1, 0.2, 0.3], [1e-300, 1e300, 1e300], { method });
      expect(fit.converged).toBe(true);
      expect(fit.tau2).toBe(0);
      expectClose(fit.coefficients[0]!.se, 1e-150, 1e-12);
    },
  );
  it.each(TAU2_METHODS)(
    '%s at vᵢ scaled by 1e-300 and 1e300 (with and without a moderator): SE of τ², I² and H² finite, as unscaled',
    (method) => {
      // issue 14: nothing NaN or null in a result reported as a success, at any representable scale
      const yi = [-0.89, -1.59, -1.35, -1.44, -0.22, -0.79, -1.62, 0.01, -0.47, -1.37, -0.34, 0.45, -0.02];
      const vi = [0.33, 0.19, 0.42, 0.07, 0.0045, 0.007, 0.22, 0.004, 0.056, 0.073, 0.012, 0.53, 0.071];
      const design = designFromColumns([{ name: 'x', values: yi.map((_, i) => i % 3) }], yi.length);
      for (const mods of [false, true]) {
        const at = (c: number) =>
          fitRma(
            yi.map((y) => y * Math.sqrt(c)),
            vi.map((v) => v * c),
            mods ? { method, design } : { method },
          );
        const ordinary = at(1);
        for (const c of [1e-300, 1e300]) {
          const f = at(c);
          const what = `${method}, scale ${c}, ${mods ? 'moderator' : 'intercept only'}`;
          expect(f.converged, what).toBe(true);
          expectClose(f.tau2 / c, ordinary.tau2, 1e-9, 1e-15, `${what}: τ²`);
          expectClose(f.I2, ordinary.I2, 1e-9, 1e-9, `${what}: I²`);
          expectClose(f.H2, ordinary.H2, 1e-9, 0, `${what}: H²`);
          if (method === 'EE' || method === 'FE') expect(f.tau2SE, what).toBeNaN();
          else expectClose(f.tau2SE / c, ordinary.tau2SE, 1e-9, 0, `${what}: SE of τ²`);
        }
      }
    },
  );
  it.each(TAU2_METHODS)('scaling yᵢ by 2ʲ and vᵢ by 4ʲ scales the fit: exactly at extreme scales (%s)', (method) => {
    const yi = [-0.89, -1.59, -1.35, -1.44, -0.22, -0.79, -1.62, 0.01, -0.47, -1.37, -0.34, 0.45, -0.02];
    const vi = [0.33, 0.19, 0.42, 0.07, 0.0045, 0.007, 0.22, 0.004, 0.056, 0.073, 0.012, 0.53, 0.071];
    const at = (j: number) =>
      fitRma(
        yi.map((y) => y * 2 ** j),
        vi.map((v) => v * 4 ** j),
        { method },
      );
    const ordinary = at(0);
    const extreme = at(-300);
    // fits at extreme scales are computed on the data scaled into [1, 4): bit for bit the same fit
    for (const j of [-500, -200, 200, 400]) {
      const s = 2 ** (j + 300);
      const f = at(j);
      expect(f.coefficients[0]!.estimate).toBe(extreme.coefficients[0]!.estimate * s);
      expect(f.coefficients[0]!.se).toBe(extreme.coefficients[0]!.se * s);
      expect(f.tau2).toBe(extreme.tau2 * s * s);
      expect(f.I2).toBe(extreme.I2);
      expect(f.QE).toBe(extreme.QE);
      expect(f.coefficients[0]!.pValue).toBe(extreme.coefficients[0]!.pValue);
    }
    // and the same as at ordinary scales, to rounding
    const s = 2 ** -300;
    expectClose(extreme.coefficients[0]!.estimate, ordinary.coefficients[0]!.estimate * s, 1e-12, 0, 'b');
    expectClose(extreme.coefficients[0]!.se, ordinary.coefficients[0]!.se * s, 1e-12, 0, 'se');
    expectClose(extreme.tau2, ordinary.tau2 * s * s, 1e-10, 0, 'tau2');
    expectClose(extreme.QE, ordinary.QE, 1e-12, 0, 'QE');
  });
  it('yi = ±1e300 with vi = 1e300: τ² ≈ 1e600 has no finite value, so an error (it was all-null with exit 0)', () => {
    expect(() => fitRma([1e300, -1e300, 1e300], [1e300, 1e300, 1e300])).toThrowError(code('NO_FINITE_RESULT'));
  });
  it('vi ≈ 1e-300: H² = 8e297 as metafor (it was null)', () => {
    const fit = fitRma([0.1, 0.2, 0.3], [1e-300, 2e-300, 1e-300]);
    expectClose(fit.H2, 8e297, 1e-9);
  });
  it('a method named in another case (reml, Dl, fe) is the method it names in fitRma, fitLean and fitBatch (it was a TypeError)', () => {
    const y = [0.1, 0.3, 0.2, 0.5],
      v = [0.01, 0.02, 0.015, 0.03];
    const reml = fitRma(y, v, { method: 'REML' });
    expect(fitRma(y, v, { method: 'reml' as Tau2Method }).tau2).toBe(reml.tau2);
    expect(fitRma(y, v, { method: 'Dl' as Tau2Method }).method).toBe('DL');
    expect(fitRma(y, v, { method: 'fe' as Tau2Method }).method).toBe('FE');
    expect(fitLean(y, v, { method: 'reml' as Tau2Method }).tau2).toBe(reml.tau2);
    expect(fitBatch(y, v, 4, { method: 'dl' as Tau2Method }).tau2[0]).toBe(fitRma(y, v, { method: 'DL' }).tau2);
    expect(() => fitRma(y, v, { method: 'xyz' as Tau2Method })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_METHOD' }),
    );
  });
  it('knha whose s² underflowed (estimates 1e-219 next to variances 0.7): NO_FINITE_RESULT, not SE 0 and p = 0', () => {
    // found by scripts/fuzz.ts (seed 2): Σwᵢeᵢ² ≈ 1e-438 underflows to 0 though the residuals are not 0, so
    // s² = 0 gave SE 0, t = ∞ and p = 0 silently (260 such successes in 40,000 fitRma inputs)
    const yi = [-2.7324930780147108e-219, -3.362932954858265e-273],
      vi = [0.7156361277443186, 0.01447314855944737];
    const refused = expect.objectContaining({
      code: 'NO_FINITE_RESULT',
      message: expect.stringMatching(/Knapp–Hartung factor .* underflows double precision/),
    });
    expect(() => fitRma(yi, vi, { method: 'EB', test: 'knha' })).toThrow(refused);
    expect(() => fitLean(yi, vi, { method: 'EB', test: 'knha' })).toThrow(refused);
    expect(() => fitBatch(yi, vi, 2, { method: 'EB', test: 'knha' })).toThrow(refused);
    // z and adhoc tests do not need s²: SE = √(1/Σwᵢ) (τ̂² = 0)
    for (const test of ['z', 'adhoc'] as const)
      expectClose(
        fitRma(yi, vi, { method: 'EB', test }).coefficients[0]!.se,
        Math.sqrt(1 / (1 / vi[0]! + 1 / vi[1]!)),
        1e-12,
      );
  });
  it('knha with identical estimates: se = 0, a finite CI and z = ±∞ with p = 0, never NaN', () => {
    const fit = fitRma([0.1, 0.1, 0.1], [0.01, 0.01, 0.01], { test: 'knha' });
    const c = fit.coefficients[0]!;
    expect(c.se).toBe(0);
    expect(c.statistic).toBe(Number.POSITIVE_INFINITY);
    expect(c.pValue).toBe(0);
    expect([c.ciLower, c.ciUpper]).toEqual([0.1, 0.1]);
    // not silently: the fit says why (metafor does not)
    expect(fit.warnings.join()).toMatch(/Knapp–Hartung with s² = 0/);
  });
});

describe('τ² far above the variances (τ²/vᵢ ≈ 1e298): converged, exact, with a finite SE', () => {
  // vᵢ = 1e-300·rᵢ: in the limit vᵢ/τ² → 0 (reached in double precision) the estimators have closed forms
  const y = [0.1, 0.2, 0.3, 0.15],
    r = [1, 2, 1.5, 1],
    k = y.length;
  const mean = y.reduce((a, b) => a + b) / k;
  const ss = y.reduce((a, b) => a + (b - mean) ** 2, 0);
  // common-effect weights wᵢ ∝ 1/rᵢ for the moment estimators: τ²_DL = Q/tr P₀, SE = τ²·√(2 tr(P₀P₀))/tr P₀
  const w = r.map((x) => 1 / x),
    sw = w.reduce((a, b) => a + b),
    sw2 = w.reduce((a, b) => a + b * b, 0),
    sw3 = w.reduce((a, b) => a + b ** 3, 0);
  const yw = w.reduce((a, wi, i) => a + wi * (y[i] as number), 0) / sw;
  const trP = sw - sw2 / sw,
    trPP = sw2 - (2 * sw3) / sw + (sw2 / sw) ** 2;
  const dl = w.reduce((a, wi, i) => a + wi * ((y[i] as number) - yw) ** 2, 0) / trP;
  const expected: [Tau2Method, number, number][] = [
    ['REML', ss / (k - 1), Math.sqrt(2 / (k - 1)) * (ss / (k - 1))],
    ['ML', ss / k, Math.sqrt(2 / k) * (ss / k)],
    ['EB', ss / (k - 1), Math.sqrt(2 / (k - 1)) * (ss / (k - 1))],
    ['PM', ss / (k - 1), Math.sqrt(2 / (k - 1)) * (ss / (k - 1))],
    ['SJIT', ss / (k - 1), Math.sqrt(2 / (k - 1)) * (ss / (k - 1))],
    ['DL', dl, (dl * Math.sqrt(2 * trPP)) / trP],
  ];
  it.each(expected)('%s (it flagged non-convergence, gave ML = REML, SE = ∞, or no τ² at all)', (method, tau2, se) => {
    const fit = fitRma(
      y,
      r.map((x) => x * 1e-300),
      { method },
    );
    expect(fit.converged).toBe(true);
    expectClose(fit.tau2, tau2, 1e-12);
    expectClose(fit.tau2SE, se, 1e-12);
  });
  it('HE: the SE of τ² equals its limit √(2(k − 1)/k²)·τ̂² (it was NaN: the unit weights times τ² ≈ 1e298 squared to ∞)', () => {
    // OLS weights are 1, so tr(PΣPΣ) → τ⁴ tr((I − J/k)²) = τ⁴(k − 1) as vᵢ/τ² → 0
    const fit = fitRma(
      y,
      r.map((x) => x * 1e-300),
      { method: 'HE' },
    );
    expectClose(fit.tau2, ss / (k - 1), 1e-12);
    expectClose(fit.tau2SE, (Math.sqrt(2 * (k - 1)) * fit.tau2) / (k - 1), 1e-12);
  });
  it('every random-effects method: a finite τ², SE of τ² and H²', () => {
    for (const method of TAU2_METHODS.filter((m) => m !== 'EE' && m !== 'FE')) {
      const fit = fitRma(
        y,
        r.map((x) => x * 1e-300),
        { method },
      );
      expect([fit.tau2, fit.tau2SE, fit.H2].every(Number.isFinite), method).toBe(true);
    }
  });
  it.each([1e-10, 1e-30, 1e-300])(
    'two precise studies among imprecise ones (vᵢ = %s and its inverse): EB and PM = Q_gen root, REML, ML exact',
    (v) => {
      // the precise studies (y = .1, .3) carry all the weight: Σ(yᵢ − b)²/τ² = k − 1 gives τ² = 0.02/3 (PM, EB);
      // REML = (0.3 − 0.1)²/2, ML = REML/2. The arithmetic mean of the variances once set EB's stopping rule,
      // so it stopped after one step at 0.0133.
      const vi = [v, 1 / v, v, 1 / v];
      const at = (method: Tau2Method) => fitRma([0.1, 0.2, 0.3, 0.05], vi, { method });
      for (const [method, tau2] of [
        ['PM', 0.02 / 3],
        ['SJIT', 0.02 / 3],
        ['REML', 0.02],
        ...(v > 1e-300 ? ([['ML', 0.01]] as const) : []),
      ] as const) {
        const fit = at(method);
        expect(fit.converged, method).toBe(true);
        expectClose(fit.tau2, tau2, 1e-12, 10 * v, method); // the precise studies' vᵢ moves τ² by about vᵢ
      }
    },
  );
  // The stopping rule's scale was the arithmetic mean of the variances (5e9 at v = 1e-10, ∞ once v = 1e-300
  // is scaled): EB stopped at its first step at τ² ≈ v or 0, ML at v = 1e-300 at once (τ² = 0). It is now
  // bounded by 10⁶ times their harmonic mean (src/models/tau2/likelihood.ts, stoppingScale).
  it.each([
    ['EB', 1e-10, 0.02 / 3],
    ['EB', 1e-30, 0.02 / 3],
    ['EB', 1e-300, 0.02 / 3],
    ['ML', 1e-300, 0.01],
  ] as const)('%s with two precise studies (vᵢ = %s and its inverse) finds τ² = %s', (method, v, tau2) => {
    const fit = fitRma([0.1, 0.2, 0.3, 0.05], [v, 1 / v, v, 1 / v], { method });
    expect(fit.converged, method).toBe(true);
    expectClose(fit.tau2, tau2, 1e-12, 10 * v, method);
  });
});

describe('one study carrying nearly all the weight: traces without cancellation', () => {
  // vᵢ = (v₀, 1, 2, 1.5): as v₀ → 0, tr(PP) at τ² = 0 tends to (Σⱼ≥₂ wⱼ)² + 3 Σⱼ≥₂ wⱼ² (P's first row and
  // column carry the other studies' weights), so the REML SE of τ² tends to √(2/that). tr(PP) was computed as a
  // difference that cancelled: REML was flagged not converged with SE = ∞ (v₀ = 1e-9) or NaN (v₀ = 1e-12).
  const w = [1, 0.5, 1 / 1.5];
  const sw = w.reduce((a, b) => a + b),
    sw2 = w.reduce((a, b) => a + b * b, 0);
  it.each([1e-9, 1e-12])('v₀ = %s: REML converged, τ² = 0, SE of τ² at its limit', (v0) => {
    const fit = fitRma([0.1, 0.3, -0.2, 0.5], [v0, 1, 2, 1.5]);
    expect(fit.converged).toBe(true);
    expect(fit.tau2).toBe(0);
    expectClose(fit.tau2SE, Math.sqrt(2 / (sw * sw + 3 * sw2)), 1e-7);
  });
});

describe('extreme numbers in text output', () => {
  it('print in scientific notation with the digits asked for, as R (they printed with 17 digits)', () => {
    expect(formatNumber(1.9599639845400538e150)).toBe('1.9600e+150');
    expect(formatNumber(-1.2126781251816651e300, 2)).toBe('-1.21e+300');
    expect(formatNumber(123456.789)).toBe('123456.7890');
  });
});

describe('SJIT: the limit of the iteration by a safeguarded root finder', () => {
  it.each(of('sjit'))('%s matches metafor at tight convergence', (_id, c) => {
    const fit = fitRma(num(c, 'yi')!, num(c, 'vi')!, { method: 'SJIT' });
    expect(fit.converged).toBe(true);
    const e = c.expected as Record<string, number>;
    // metafor stops when a step is below 1e-14; at a rate r near 1 its distance to the limit is up to
    // 1e-14/(1 − r), i.e. about 1e-11 here: evsynth's root is the limit itself
    expectClose(fit.tau2, e.tau2!, 1e-7, 1e-10, 'tau2');
    expectClose(fit.coefficients[0]!.estimate, e.beta!, 1e-9, 1e-14, 'b');
    expectClose(fit.coefficients[0]!.se, e.se!, 1e-9, 0, 'se');
  });
});

describe('one validation layer: typed errors for bad arguments', () => {
  const y = [0.1, 0.2, 0.5],
    v = [0.01, 0.02, 0.01];
  it.each([
    [
      'fitRma()',
      () => (fitRma as unknown as () => unknown)(),
      'INVALID_ARGUMENT',
      /yi is undefined; expected an array of numbers/,
    ],
    [
      'string arrays',
      () => fitRma(['0.1', '0.2'] as never, [0.1, 0.1]),
      'NOT_A_NUMBER',
      /yi\[0\] is the string '0.1'; expected a number/,
    ],
    ['a string', () => fitRma('0.1,0.2' as never, [0.1, 0.1]), 'INVALID_ARGUMENT', /expected an array of numbers/],
    ['options not an object', () => fitRma(y, v, 'REML' as never), 'INVALID_ARGUMENT', /options/],
    ['maxiter 0', () => fitRma(y, v, { control: { maxiter: 0 } }), 'INVALID_ARGUMENT', /control.maxiter is 0/],
    ['maxiter −5', () => fitRma(y, v, { control: { maxiter: -5 } }), 'INVALID_ARGUMENT', /control.maxiter/],
    [
      'threshold NaN',
      () => fitRma(y, v, { control: { threshold: Number.NaN } }),
      'INVALID_ARGUMENT',
      /control.threshold is NaN/,
    ],
    [
      'tau2Init NaN',
      () => fitRma(y, v, { control: { tau2Init: Number.NaN } }),
      'INVALID_ARGUMENT',
      /control.tau2Init is NaN/,
    ],
    ['tau2Init < 0', () => fitRma(y, v, { control: { tau2Init: -1 } }), 'INVALID_ARGUMENT', /control.tau2Init/],
    [
      'unknown control',
      () => fitRma(y, v, { control: { tol: 1 } as never }),
      'INVALID_ARGUMENT',
      /unknown control 'tol'/,
    ],
    ['level 150', () => fitRma(y, v, { level: 150 }), 'INVALID_ARGUMENT', /level is 150/],
    [
      'k = 1 with 2 coefficients',
      () => fitRma([0.1], [0.01], { design: designFromColumns([{ name: 'x', values: [1] }], 1) }),
      'TOO_FEW_STUDIES',
      /2 coefficients but there is 1 study; it needs k ≥ 2/,
    ],
    [
      'fitBatch bogus method',
      () => fitBatch(new Float64Array(y), new Float64Array(v), 3, { method: 'XX' as never }),
      'UNKNOWN_METHOD',
      /unknown method 'XX'/,
    ],
    [
      'fitBatch bogus test',
      () => fitBatch(new Float64Array(y), new Float64Array(v), 3, { test: 't' as never }),
      'UNKNOWN_OPTION_VALUE',
      /test is the string 't'/,
    ],
    [
      'fitBatch level 150',
      () => fitBatch(new Float64Array(y), new Float64Array(v), 3, { level: 150 }),
      'INVALID_ARGUMENT',
      /level is 150/,
    ],
    ['fitBatch k = 0', () => fitBatch(new Float64Array(y), new Float64Array(v), 0), 'INVALID_ARGUMENT', /k is 0/],
    ['fitBatch strings', () => fitBatch(['1'] as never, [1], 1), 'NOT_A_NUMBER', /yi\[0\]/],
  ] as const)('%s', (_name, f, c, message) => {
    expect(f).toThrowError(code(c));
    expect(f).toThrowError(message);
  });
  it('fitBatch takes plain arrays (it threw "yi.subarray is not a function") and equals fitRma', () => {
    const b = fitBatch(y, v, 3, { method: 'DL', test: 'knha' });
    const f = fitRma(y, v, { method: 'DL', test: 'knha' });
    expect(b.estimate[0]).toBe(f.coefficients[0]!.estimate);
    expect(b.se[0]).toBe(f.coefficients[0]!.se);
    expect(b.ciLower[0]).toBe(f.coefficients[0]!.ciLower);
    expect(b.tau2[0]).toBe(f.tau2);
  });
  it('fitBatch rescales each analysis as fitRma does', () => {
    const yy = [0.1, 0.2, 0.3, 0.1, 0.2, 0.3],
      vv = [1e300, 2e300, 1e300, 1e-300, 2e-300, 1e-300];
    const b = fitBatch(yy, vv, 3);
    expect(b.estimate[0]).toBe(fitRma(yy.slice(0, 3), vv.slice(0, 3)).coefficients[0]!.estimate);
    expect(b.tau2[1]).toBe(fitRma(yy.slice(3), vv.slice(3)).tau2);
  });
});

describe('diagnostics with fewer studies than they need: NOT_APPLICABLE with the reason', () => {
  const k1 = fitRma([0.1], [0.01]);
  const k2 = fitRma([0.1, 0.3], [0.01, 0.02]);
  const same = fitRma([0.1, 0.1, 0.1], [0.01, 0.01, 0.01]);
  it('rank test with k = 1 (it gave τ = NaN, p = 0)', () => {
    expect(() => rankCorrelationTest(k1)).toThrowError(code('NOT_APPLICABLE'));
    expect(() => rankCorrelationTest(k1)).toThrowError(/needs k ≥ 2/);
  });
  it('rank test with k = 2 as metafor: τ = 1, p = 1', () => {
    const r = rankCorrelationTest(k2);
    expect([r.tau, r.pValue]).toEqual([1, 1]);
  });
  it('regression test with k = 2 (it gave z = 2.31, p = 0.021 on 0 residual df; metafor refuses)', () => {
    expect(() => regressionTest(k2)).toThrowError(/regression test: not applicable \(needs k ≥ 3/);
    expect(() => regressionTest(k2, { model: 'lm' })).toThrowError(code('NOT_APPLICABLE'));
  });
  it('identical studies: the reason, not "collinear moderators"', () => {
    expect(() => regressionTest(same)).toThrowError(/the predictor sei is the same for every study/);
    expect(() => rankCorrelationTest(same)).toThrowError(/same sampling variance/);
    expect(() => trimAndFill(same)).toThrowError(/same sampling variance/);
  });
  it('trim and fill, leave-one-out and influence with k below their needs', () => {
    expect(() => trimAndFill(k2)).toThrowError(/needs k ≥ 3/);
    expect(() => leaveOneOut(k1)).toThrowError(/needs k ≥ 2/);
    expect(() => influence(k1)).toThrowError(/needs k ≥ 2/);
  });
  it("Orwin's fail-safe N with a mean effect of 0 (it was NaN)", () => {
    expect(() => failSafeN([0.1, -0.1], [0.01, 0.01], { type: 'Orwin' })).toThrowError(code('NOT_APPLICABLE'));
  });
  it('errors are EvsynthErrors', () => {
    try {
      regressionTest(k1);
    } catch (e) {
      expect(e).toBeInstanceOf(EvsynthError);
    }
  });
});

describe('Mantel–Haenszel and Peto on tables without events', () => {
  const zero = { ai: [0, 0], bi: [10, 10], ci: [0, 0], di: [10, 10] };
  it.each(['OR', 'RR'] as const)('MH %s: an error, not a NaN estimate with QEdf = −1', (m) => {
    expect(() => fitMantelHaenszel(m, zero, ['a', 'b'])).toThrowError(code('NO_FINITE_RESULT'));
  });
  it('Peto: an error (metafor: "one of the two outcomes never occurred")', () => {
    expect(() => fitPeto(zero, ['a', 'b'])).toThrowError(code('NO_FINITE_RESULT'));
  });
});

describe('diagnostics of meta-regression models match metafor', () => {
  const modsOf = (c: OracleCase) => {
    const m = c.input.mods as unknown as Record<string, number[]>;
    const k = num(c, 'yi')!.length;
    return designFromColumns(
      Object.entries(m).map(([name, values]) => ({ name, values })),
      k,
    );
  };
  const fitOf = (c: OracleCase) =>
    fitRma(num(c, 'yi')!, num(c, 'vi')!, {
      method: c.args.method as Tau2Method,
      design: modsOf(c),
      control: { threshold: 1e-13 },
    });
  it.each(of('influence-mods'))('%s', (_id, c) => {
    const inf = influence(fitOf(c));
    const e = c.expected as Record<string, number[]> & { dfbs: Record<string, number[]>; 'is.infl': boolean[] };
    const rel = 1e-7;
    expectAllClose(inf.rstudent, e.rstudent!, rel, 1e-10, 'rstudent');
    expectAllClose(inf.dffits, e.dffits!, rel, 1e-10, 'dffits');
    expectAllClose(inf.cookD, e['cook.d']!, rel, 1e-10, 'cook.d');
    expectAllClose(inf.covRatio, e['cov.r']!, rel, 1e-10, 'cov.r');
    expectAllClose(inf.tau2Deleted, e['tau2.del']!, rel, 1e-10, 'tau2.del');
    expectAllClose(inf.QEDeleted, e['QE.del']!, rel, 1e-10, 'QE.del');
    expectAllClose(inf.hat, e.hat!, rel, 1e-12, 'hat');
    expectAllClose(inf.weight, e.weight!, rel, 1e-12, 'weight');
    fitOf(c).design.names.forEach((name, j) =>
      expectAllClose(inf.dfbetas[j]!, e.dfbs[name]!, rel, 1e-10, `dfbetas ${name}`),
    );
    expect(inf.influential).toEqual(e['is.infl']);
  });
  it.each(of('baujat-mods'))('%s (evsynth refused Baujat with moderators; metafor computes it)', (_id, c) => {
    const b = baujat(fitOf(c));
    const e = c.expected as Record<string, number[]>;
    expectAllClose(b.x, e.x!, 1e-7, 1e-12, 'x');
    expectAllClose(b.y, e.y!, 1e-7, 1e-12, 'y');
  });
  it('Baujat needs k − 1 ≥ p studies in each fit without a study', () => {
    const f = fitRma([0.1, 0.3, 0.2], [0.01, 0.02, 0.03], {
      design: designFromColumns(
        [
          { name: 'x', values: [1, 2, 4] },
          { name: 'z', values: [0, 1, 0] },
        ],
        3,
      ),
    });
    expect(() => baujat(f)).toThrowError(/Baujat coordinates: not applicable \(needs k ≥ 4; the model has k = 3\)/);
  });
  it.each(of('regtest-mods'))('%s', (_id, c) => {
    const a = c.args as { model: 'rma' | 'lm'; predictor: 'sei' | 'vi' };
    const r = regressionTest(fitOf(c), { model: a.model, predictor: a.predictor });
    const e = c.expected as Record<string, number | null>;
    expectClose(r.statistic, e.zval!, 1e-7, 1e-10, 'z');
    expectClose(r.pValue, e.pval!, 1e-7, 1e-12, 'p');
    if (e.dfs !== null) expect(r.df).toBe(e.dfs);
  });
});

describe('a second adversarial check (2026-12-02): no null, no misleading error', () => {
  it('predict at a moderator value whose quadratic form overflows: the SE from x₀ scaled (it was null)', () => {
    const design = { k: 5, p: 2, x: Float64Array.from([1, 10, 1, 20, 1, 30, 1, 40, 1, 50]), names: ['intrcpt', 'x'] };
    const fit = fitRma([0.1, 0.3, 0.2, 0.6, 0.4], [0.01, 0.02, 0.015, 0.03, 0.02], { design });
    const at = (x: number) => predict(fit, [1, x]);
    // x₀ = (1, 1e160): se = √(Var(b₀) + 2x Cov + x² Var(b₁)) → 1e160·√Var(b₁)
    expectClose(at(1e160).se, 1e160 * Math.sqrt(fit.vb[1]![1]!), 1e-12, 0, 'se');
    expectClose(at(1e150).se / 1e150, at(1e160).se / 1e160, 1e-12, 0, 'scale');
    expect(() => predict(fit, [1, Number.NaN])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => predict(fit, [1, Number.POSITIVE_INFINITY])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
  it('a level whose 1 − α/2 rounds to 1 is an error naming the level', () => {
    expect(() => fitRma([0.1, 0.3, 0.2], [0.01, 0.02, 0.015], { level: 99.99999999999999 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/too close to 100/) }),
    );
    expect(
      Number.isFinite(
        fitRma([0.1, 0.3, 0.2], [0.01, 0.02, 0.015], { level: 99.9999999999999 }).coefficients[0]!.ciUpper,
      ),
    ).toBe(true);
  });
  it('Σwᵢyᵢ overflowing where b does not (yᵢ = 1e300, vᵢ = 1e-10): b = 1e300, SE √(1/Σwᵢ)', () => {
    const fit = fitRma([1e300, 1e300, 1e300], [1e-10, 1e-10, 2e-10]);
    expect(fit.coefficients[0]!.estimate).toBe(1e300);
    expectClose(fit.coefficients[0]!.se, Math.sqrt(1 / (1e10 + 1e10 + 5e9)), 1e-12, 0, 'se');
  });
  it('an option the fit does not know is an error, not the default silently', () => {
    for (const f of [
      () => fitRma([0.1, 0.3], [0.01, 0.02], { methd: 'DL' } as never),
      () => fitLean([0.1, 0.3], [0.01, 0.02], { methd: 'DL' } as never),
      () => fitBatch([0.1, 0.3], [0.01, 0.02], 2, { methd: 'DL' } as never),
    ])
      expect(f).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/unknown option 'methd'/) }),
      );
  });
});
