/**
 * The lean fitting path: the intercept-only (random-effects or common-effect) model with only the numbers
 * most callers want computed at once — the pooled estimate, its SE, test statistic and CI, τ², Q_E, I²
 * and H² — and everything else on first use. It is the path for code that refits many times (the web
 * explorer on every toggle, teaching loops); {@link fitRma} remains the complete fit.
 */
import { EvsynthError } from '../core/errors.ts';
import { assertChoice, assertEffects, assertFiniteNumber, assertLevel, assertOptions } from '../core/validate.ts';
import { pchisqUpper, pnormTwoSided, ptTwoSided } from '../distributions/index.ts';
import { InterceptFit } from './intercept-fit.ts';
import { beyondOneScale, sharedInterceptKernel } from './kernel.ts';
import { fitRma, TESTS, RMA_DEFAULTS, type Coefficient, type RmaFit, type TestType } from './rma.ts';
import { criticalValue } from './wald.ts';
import { fitScale, ldexp } from './scale.ts';
import { assertTau2Control, parseTau2Method, TAU2_METHODS, type Tau2Control, type Tau2Method } from './tau2/index.ts';

/** Options of {@link fitLean}: those of fitRma for the intercept-only model. */
export interface LeanOptions {
  /** τ² estimator (default REML); `EE`/`FE` for the common-effect model. */
  readonly method?: Tau2Method;
  /** Test and CI type (default z). */
  readonly test?: TestType;
  /** Confidence level in percent (default 95). */
  readonly level?: number;
  readonly control?: Tau2Control;
  /** Fix τ² at this value instead of estimating it (metafor `tau2=`; as fitRma's). */
  readonly tau2?: number;
}

/**
 * A lean fit. The fields are computed by {@link fitLean}; the getters `pValue`, `QEp` and `tau2SE` and
 * the method {@link LeanFit.full} (the complete {@link RmaFit}: weights, fit statistics, warnings, and
 * the input of tau2ConfidenceInterval, predict and the diagnostics) compute on first use and remember.
 * Every number equals fitRma's for the same data and options.
 */
export class LeanFit {
  readonly k: number;
  readonly method: Tau2Method;
  /** The test used (z when k = 1, as fitRma). */
  readonly test: TestType;
  readonly level: number;
  readonly estimate: number;
  /** Var(b) = 1/Σwᵢ (times s2w under knha/adhoc): fitRma's vb[0][0], of which se is the root. */
  readonly variance: number;
  readonly se: number;
  /** z, or t under knha/adhoc (±∞ where se = 0 and the estimate is not 0). */
  readonly statistic: number;
  readonly ciLower: number;
  readonly ciUpper: number;
  /** Degrees of freedom of the t test (null under z). */
  readonly ddf: number | null;
  readonly tau2: number;
  readonly QE: number;
  readonly QEdf: number;
  /** I² in percent. */
  readonly I2: number;
  readonly H2: number;
  /** The typical within-study variance ṽ. */
  readonly vt: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Copies of the data (plain arrays: far cheaper to allocate than typed arrays for small k). */
  readonly yi: readonly number[];
  readonly vi: readonly number[];
  private readonly control: Tau2Control | undefined;
  private readonly fixedTau2: number | undefined;
  private fullFit: RmaFit | undefined;
  private pCache = Number.NaN;
  private qpCache = Number.NaN;

  /** @internal Built by {@link fitLean}. */
  constructor(
    yi: readonly number[],
    vi: readonly number[],
    method: Tau2Method,
    test: TestType,
    level: number,
    control: Tau2Control | undefined,
    f: InterceptFit | RmaFit,
    j: number,
    fixedTau2?: number,
  ) {
    this.k = yi.length;
    this.method = method;
    this.test = test;
    this.level = level;
    this.control = control;
    this.fixedTau2 = fixedTau2;
    this.yi = yi;
    this.vi = vi;
    if ('kind' in f) {
      // the complete fit's numbers (fits beyond the lean path's single scale: see fitLean)
      const c = f.coefficients[0] as Coefficient;
      this.ddf = f.ddf;
      this.estimate = c.estimate;
      this.variance = f.vb[0]?.[0] as number;
      this.se = c.se;
      this.statistic = c.statistic;
      this.ciLower = c.ciLower;
      this.ciUpper = c.ciUpper;
      this.tau2 = f.tau2;
      this.QE = f.QE;
      this.QEdf = f.QEdf;
      this.I2 = f.I2;
      this.H2 = f.H2;
      this.vt = f.vt;
      this.iterations = f.iterations;
      this.converged = f.converged;
      this.fullFit = f;
      return;
    }
    const b = ldexp(f.estimate, j);
    const variance = ldexp(f.variance * f.s2w(test), 2 * j);
    const se = Math.sqrt(variance);
    this.ddf = test === 'z' ? null : this.k - 1;
    const crit = criticalValue(level, this.ddf);
    this.estimate = b;
    this.variance = variance;
    this.se = se;
    this.statistic = se > 0 ? b / se : b === 0 ? 0 : Math.sign(b) * Number.POSITIVE_INFINITY;
    this.ciLower = b - crit * se;
    this.ciUpper = b + crit * se;
    this.tau2 = ldexp(f.tau2, 2 * j);
    this.QE = f.QE;
    this.QEdf = this.k - 1;
    this.I2 = f.I2;
    this.H2 = f.H2;
    this.vt = ldexp(f.vt, 2 * j);
    this.iterations = f.iterations;
    this.converged = f.converged;
  }

  /** Two-sided p-value of the estimate (normal, or t on k − 1 df under knha/adhoc). */
  get pValue(): number {
    if (Number.isNaN(this.pCache))
      this.pCache = this.ddf === null ? pnormTwoSided(this.statistic) : ptTwoSided(this.statistic, this.ddf);
    return this.pCache;
  }

  /** p-value of the test for heterogeneity (Q_E on k − 1 df; 1 when k = 1). */
  get QEp(): number {
    if (Number.isNaN(this.qpCache)) this.qpCache = this.QEdf > 0 ? pchisqUpper(this.QE, this.QEdf) : 1;
    return this.qpCache;
  }

  /** τ = √τ². */
  get tau(): number {
    return Math.sqrt(this.tau2);
  }

  /** Standard error of τ̂² (NaN for common-effect models and k = 1). */
  get tau2SE(): number {
    return this.full().tau2SE;
  }

  /** The complete fit (fitRma with the same data and options), computed once. */
  full(): RmaFit {
    this.fullFit ??= fitRma(this.yi, this.vi, {
      method: this.method,
      test: this.test,
      level: this.level,
      ...(this.control !== undefined ? { control: this.control } : {}),
      ...(this.fixedTau2 !== undefined ? { tau2: this.fixedTau2 } : {}),
    });
    return this.fullFit;
  }

  /** The plain numbers (what JSON.stringify writes), the lazy ones included. */
  toJSON(): Record<string, unknown> {
    return {
      k: this.k,
      method: this.method,
      test: this.test,
      level: this.level,
      estimate: this.estimate,
      se: this.se,
      statistic: this.statistic,
      pValue: this.pValue,
      ciLower: this.ciLower,
      ciUpper: this.ciUpper,
      ddf: this.ddf,
      tau2: this.tau2,
      QE: this.QE,
      QEdf: this.QEdf,
      QEp: this.QEp,
      I2: this.I2,
      H2: this.H2,
      vt: this.vt,
      iterations: this.iterations,
      converged: this.converged,
    };
  }
}

const core = new InterceptFit();

/**
 * Fits the intercept-only model (metafor `rma.uni(yi, vi, method=, test=)` without moderators) on the
 * lean path: one pass over the studies at τ² = 0 (Q_E, tr P₀, the DerSimonian–Laird start), the τ²
 * estimator (REML: safeguarded Newton steps, typically 3–5 passes), and the model at τ̂², in scalar loops
 * over typed arrays with one kernel reused from call to call. The formulas are fitRma's:
 *
 * ```text
 * wᵢ = 1/(vᵢ + τ̂²),  b = Σwᵢyᵢ/Σwᵢ,  Var(b) = 1/Σwᵢ (·s2w = Σwᵢ(yᵢ − b)²/(k − 1) under knha)
 * Q_E = Σ(yᵢ − b₀)²/vᵢ,  I² = 100τ̂²/(τ̂² + ṽ),  H² = 1 + τ̂²/ṽ,  ṽ = (k − 1)/tr P₀
 * ```
 *
 * Validates its input as fitRma does; extreme scales are rescaled exactly as fitRma does. With `tau2` given,
 * τ² is fixed there (metafor `tau2=`), as in fitRma.
 *
 * References: as {@link fitRma}. Cross-check: `metafor::rma(yi, vi)`.
 *
 * @throws EvsynthError LENGTH_MISMATCH, TOO_FEW_STUDIES, NON_FINITE, NON_POSITIVE_VARIANCE, NOT_A_NUMBER,
 *   UNKNOWN_METHOD, UNKNOWN_OPTION_VALUE, INVALID_ARGUMENT, NOT_CONVERGED, NO_FINITE_RESULT
 */
export function fitLean(yi: ArrayLike<number>, vi: ArrayLike<number>, options: LeanOptions = {}): LeanFit {
  assertEffects(yi, vi, 'fitLean');
  assertOptions(options, 'fitLean', ['method', 'test', 'level', 'control', 'tau2']);
  // (a method named in another case, 'reml', is the method it names)
  const named = options.method ?? RMA_DEFAULTS.method;
  const method = TAU2_METHODS.includes(named) ? named : parseTau2Method(String(named));
  const requested = options.test ?? RMA_DEFAULTS.test;
  assertChoice(requested, TESTS, 'test', 'fitLean');
  const level = options.level ?? RMA_DEFAULTS.level;
  assertLevel(level, 'fitLean');
  const control = options.control;
  assertTau2Control(control, 'fitLean');
  const fixed = options.tau2;
  if (fixed !== undefined) assertFiniteNumber(fixed, 'tau2', 'fitLean', { min: 0 });
  const k = yi.length;
  const test: TestType = k < 2 ? 'z' : requested;
  const { j } = fitScale(vi);
  const kernel = sharedInterceptKernel(k).loadScaled(yi, vi, 0, k, j);
  const scaledControl =
    control?.tau2Init === undefined || j === 0 ? control : { ...control, tau2Init: ldexp(control.tau2Init, -2 * j) };
  const f = core.fit(kernel, method, scaledControl, fixed === undefined ? undefined : ldexp(fixed, -2 * j));
  // where the single scale does not hold the fit (τ̂² beyond its range, variances more than the double range
  // apart), the complete fit's second scale and checks decide (the same numbers as fitRma, or its error)
  if (!(f.converged && Number.isFinite(f.tau2) && f.tau2 >= 0) || beyondOneScale(kernel))
    return new LeanFit(copyOf(yi), copyOf(vi), method, test, level, control, fitRma(yi, vi, options), 0, fixed);
  if (!(Number.isFinite(f.tau2) && f.tau2 >= 0))
    throw new EvsynthError(
      'NOT_CONVERGED',
      `fitLean: the ${method} estimator found no finite τ² (${f.iterations} iterations); try another method`,
    );
  const fit = new LeanFit(copyOf(yi), copyOf(vi), method, test, level, control, f, j, fixed);
  if (!(Number.isFinite(fit.estimate) && Number.isFinite(fit.se) && Number.isFinite(fit.tau2)))
    throw new EvsynthError(
      'NO_FINITE_RESULT',
      `fitLean: no finite answer exists in double precision (estimate ${fit.estimate}, SE ${fit.se}, τ² ${fit.tau2}): the estimates and variances are too large or too far apart in scale`,
    );
  return fit;
}

/** A plain-array copy of `a`. */
function copyOf(a: ArrayLike<number>): number[] {
  const c = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) c[i] = a[i] as number;
  return c;
}
