import { EvsynthError } from '../core/errors.ts';
import { assertChoice, assertEffects, assertFiniteNumber, assertLevel, assertOptions } from '../core/validate.ts';
import { pchisqUpper, pfUpper } from '../distributions/index.ts';
import { assertDesign, factorCoding, interceptDesign, isInterceptOnlyDesign, type Design } from './design.ts';
import {
  fitScale,
  ldexp,
  scaleEffects,
  scaleEffectsFloored,
  sumOfSquaredDeviations,
  sumOfSquaresExponent,
  VARIANCE_FLOOR,
  type FitScale,
} from './scale.ts';
import { hSquared, iSquared, typicalVariance } from './heterogeneity.ts';
import { cholesky, inverseQuadraticForm } from '../core/numeric/linalg.ts';
import { beyondOneScale, Kernel, SHARED_KERNEL_STUDIES, sharedInterceptKernel } from './kernel.ts';
import { knappHartungFactor, underflowedResidual, waldTest } from './wald.ts';
import {
  estimateTau2,
  parseTau2Method,
  assertTau2Control,
  tau2StandardError,
  TAU2_METHODS,
  TAU2_REGISTRY,
  DEFAULT_TAU2_METHOD,
  Tau2Result,
  ZeroPoint,
  type Tau2Control,
  type Tau2EstimatorSpec,
  type Tau2Method,
} from './tau2/index.ts';
import { logModel } from './tau2/log-traces.ts';

/** Inference for the coefficients: Wald z, Knapp–Hartung t, or KH truncated so it is never narrower than z. */
export const TESTS = ['z', 'knha', 'adhoc'] as const;
export type TestType = (typeof TESTS)[number];

export interface RmaOptions {
  /** τ² estimator (default REML); `EE`/`FE` for the common-effect model. */
  readonly method?: Tau2Method;
  /** Test and CI type (default z). */
  readonly test?: TestType;
  /** Confidence level in percent (default 95). */
  readonly level?: number;
  /** Model matrix (default: intercept only). */
  readonly design?: Design;
  /** Fix τ² at this value instead of estimating it (metafor `tau2=`). */
  readonly tau2?: number;
  readonly control?: Tau2Control;
  /** Compute R² for models with moderators (default true; it needs a second, intercept-only fit). */
  readonly r2?: boolean;
}

export const RMA_DEFAULTS: { readonly method: Tau2Method; readonly test: TestType; readonly level: number } = {
  method: DEFAULT_TAU2_METHOD,
  test: 'z',
  level: 95,
};

/** An estimate with its standard error, test statistic, two-sided p-value and confidence interval. */
export interface Estimate {
  readonly estimate: number;
  readonly se: number;
  /** z, or t under knha/adhoc. */
  readonly statistic: number;
  readonly pValue: number;
  readonly ciLower: number;
  readonly ciUpper: number;
}

export interface Coefficient extends Estimate {
  readonly name: string;
}

export interface FitStatistics {
  readonly ll: number;
  readonly dev: number;
  readonly AIC: number;
  readonly BIC: number;
  readonly AICc: number;
}

/** A fitted fixed-, common- or random/mixed-effects model (metafor `rma.uni`). Immutable. */
export interface RmaFit {
  readonly kind: 'rma';
  readonly k: number;
  readonly p: number;
  readonly method: Tau2Method;
  readonly test: TestType;
  readonly level: number;
  readonly coefficients: readonly Coefficient[];
  /** Covariance matrix of the coefficients (scaled by s2w under knha/adhoc), row-major p × p. */
  readonly vb: readonly (readonly number[])[];
  readonly tau2: number;
  /** Standard error of τ² (NaN for common-effect models and fixed τ²). */
  readonly tau2SE: number;
  readonly tau: number;
  /** I² in percent. */
  readonly I2: number;
  readonly H2: number;
  /** The "typical" within-study variance ṽ = (k − p)/tr P₀. */
  readonly vt: number;
  readonly QE: number;
  readonly QEdf: number;
  readonly QEp: number;
  readonly QM: number;
  readonly QMdf: readonly [number, number | null];
  readonly QMp: number;
  /** Denominator df of t/F tests (null under z). */
  readonly ddf: number | null;
  /** Knapp–Hartung scale factor (1 under z). */
  readonly s2w: number;
  /** Weights in percent of the total. */
  readonly weights: Float64Array;
  readonly fitstats: { readonly ML: FitStatistics; readonly REML: FitStatistics };
  /** Iterations of the τ² estimator (0 for closed forms) and whether it converged. */
  readonly iterations: number;
  readonly converged: boolean;
  readonly warnings: readonly string[];
  readonly yi: Float64Array;
  readonly vi: Float64Array;
  readonly design: Design;
  /** Indices (into coefficients) tested by QM: all but the intercept when there is one and p > 1. */
  readonly btt: readonly number[];
  /**
   * Percentage of heterogeneity accounted for by the moderators (null without moderators or
   * intercept): RE max(0, 100(τ²₀ − τ²)/τ²₀) with τ²₀ from the intercept-only fit by the same
   * method (0 when τ²₀ = 0); EE max(0, 100·adjusted R²) of the weighted least-squares fit.
   * Reference: Raudenbush (2009), eq. 16.63; metafor `rma.uni` field `R2`.
   */
  readonly R2: number | null;
}

/** True for the common-effect (τ² ≡ 0) methods. */
export function isCommonEffect(method: Tau2Method): boolean {
  return TAU2_REGISTRY[method].common;
}

/**
 * Fits the (mixed-effects) meta-analysis model yᵢ = xᵢᵀβ + uᵢ + εᵢ, uᵢ ~ N(0, τ²),
 * εᵢ ~ N(0, vᵢ) (metafor `rma.uni`):
 *
 * ```text
 * wᵢ = 1/(vᵢ + τ̂²),  b = (XᵀWX)⁻¹XᵀWy,  Var(b) = (XᵀWX)⁻¹ (·s2w under knha)
 * z/t tests, CI b ± crit·se;  crit = z_{1−α/2}, or t_{k−p,1−α/2} under knha/adhoc
 * s2w = Σwᵢ(yᵢ − xᵢᵀb)²/(k − p) (knha);  max(1, s2w) (adhoc)
 * Q_E = Σ(yᵢ − xᵢᵀb₀)²/vᵢ with b₀ the common-effect fit, df = k − p
 * RE: I² = 100τ²/(τ² + ṽ), H² = 1 + τ²/ṽ, ṽ = (k − p)/tr P₀;  EE: I² = 100(Q_E − df)/Q_E ∨ 0, H² = Q_E/df
 * ```
 *
 * τ² = 0 when k − p < 1 (with a warning). Results are immutable.
 *
 * References: Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
 * J Stat Softw 36(3). doi:10.18637/jss.v036.i03; Knapp G, Hartung J (2003). Stat Med
 * 22(17):2693–2710. doi:10.1002/sim.1482; Higgins JPT, Thompson SG (2002). Stat Med
 * 21(11):1539–1558 (I², H²). Cross-check: `metafor::rma.uni(yi, vi, method=, test=)`.
 *
 * The fit is computed on yᵢ/c, vᵢ/c² with c a power of two (./scale.ts) and scaled back, so it is
 * exact at any representable scale; where the answer itself overflows it throws NO_FINITE_RESULT.
 *
 * @throws EvsynthError LENGTH_MISMATCH, TOO_FEW_STUDIES, NON_FINITE, NON_POSITIVE_VARIANCE, NOT_A_NUMBER,
 *   UNKNOWN_METHOD, UNKNOWN_OPTION_VALUE, INVALID_ARGUMENT, SINGULAR_MATRIX, NOT_CONVERGED, NO_FINITE_RESULT
 */
export function fitRma(yi: ArrayLike<number>, vi: ArrayLike<number>, options: RmaOptions = {}): RmaFit {
  assertEffects(yi, vi, 'fitRma');
  assertOptions(options, 'fitRma', ['method', 'test', 'level', 'design', 'tau2', 'control', 'r2']);
  // (a method named in another case, 'reml', is the method it names)
  const named = options.method ?? RMA_DEFAULTS.method;
  const method = TAU2_METHODS.includes(named) ? named : parseTau2Method(String(named));
  const requestedTest = options.test ?? RMA_DEFAULTS.test;
  assertChoice(requestedTest, TESTS, 'test', 'fitRma');
  const level = options.level ?? RMA_DEFAULTS.level;
  assertLevel(level, 'fitRma');
  if (options.tau2 !== undefined) assertFiniteNumber(options.tau2, 'tau2', 'fitRma', { min: 0 });
  assertTau2Control(options.control, 'fitRma');
  const k = yi.length;
  const given = options.design;
  if (given !== undefined) assertDesign(given, k, 'fitRma');
  const p = given?.p ?? 1;
  if (p > k)
    throw new EvsynthError(
      'TOO_FEW_STUDIES',
      `fitRma: the model has ${p} coefficients but there ${k === 1 ? 'is 1 study' : `are ${k} studies`}; it needs k ≥ ${p}`,
    );
  const warnings: string[] = [];
  // With no residual degrees of freedom a t test is undefined: metafor falls back to z, and so do we.
  const test: TestType = requestedTest !== 'z' && k - p < 1 ? 'z' : requestedTest;
  if (test !== requestedTest) warnings.push(`test '${requestedTest}' needs k − p ≥ 1; z tests used`);
  // Fit on yᵢ/c, vᵢ/c² (c a power of two: exact) and scale back (./scale.ts)
  const scale = fitScale(vi);
  const { j } = scale;
  // The fit keeps its own copies of the data; a kernel of its own (more than the shared kernel's 4,096
  // studies, or moderators) computes on them directly where no rescaling is needed (no third and fourth copy)
  const ownYi = Float64Array.from(yi),
    ownVi = Float64Array.from(vi);
  const design = given ?? interceptDesign(k);
  const kernel =
    (given === undefined || isInterceptOnlyDesign(given)) && k <= SHARED_KERNEL_STUDIES
      ? sharedInterceptKernel(k).loadScaled(yi, vi, 0, k, j)
      : j === 0
        ? new Kernel(ownYi, ownVi, design)
        : new Kernel(...scaledCopies(yi, vi, scale), design);
  const common = isCommonEffect(method);
  const control = scaledControl(options.control, j);

  // The model at τ² = 0: Q_E and tr P₀ (also the start of the iterative estimators)
  kernel.evaluate(0);
  const QEdf = k - p;
  const QE = QEdf > 0 ? Math.max(0, kernel.RSS) : 0;
  if (!common && QEdf > 0) assertTracesHeld(kernel, 0, method);
  const zeroTrPPLost = kernel.trPPLost;
  const vt = typicalVariance(QEdf, kernel.trP);
  // (exact sums, ./exact-kernel.ts, have no rounding floor: Q_E is the exact value for the weights)
  const floor = kernel.exactSums ? 0 : rssRoundingFloor(kernel);
  assertWeighable(yi, vi, kernel, j);
  const zero = zeroScratch.from(kernel);

  // The model at τ̂²: this kernel at scale 2ʲ, or a second one where τ̂² lies beyond this scale's range
  let fitKernel = kernel,
    jFit = j;
  let tau2: number,
    iterations = 0,
    converged = true;
  const fixedTau2 = options.tau2 !== undefined;
  if (options.tau2 !== undefined) {
    tau2 = common ? 0 : ldexp(options.tau2, -2 * j);
    kernel.evaluate(tau2);
  } else {
    if (!common && k - p < 1) warnings.push(`τ² cannot be estimated with k − p = ${k - p}; τ² set to 0`);
    const est = estimateTau2(kernel, method, control, zero, estimateScratch);
    tau2 = est.tau2;
    iterations = est.iterations;
    converged = est.converged;
    // τ̂² beyond the range of this scale (squared residuals over 1e300 times the smallest variance): fit again
    // at the scale of the estimates' spread, where τ̂² is of order 1
    if (!(converged && Number.isFinite(tau2) && tau2 >= 0) && Number.isFinite(QE) && QEdf > 0) {
      const second = fitAtSecondScale(yi, vi, design, method, options.control, j, zero);
      if (second !== undefined) {
        fitKernel = second.kernel;
        jFit = second.j;
        tau2 = second.tau2;
        iterations += second.iterations;
        converged = true;
      }
    }
    // SJ's Q_gen at τ₀² where variances lie more than the double range apart: at the smallest variance's scale
    // the others overflow and weigh 0, though at τ₀² every weight is representable
    if (method === 'SJ' && fitKernel === kernel && beyondOneScale(kernel)) {
      const sj = sidikJonkmanAtStartScale(yi, vi, design, options.control, j);
      if (sj !== undefined) {
        tau2 = sj;
        kernel.evaluate(tau2);
      }
    }
    if (!converged) warnings.push(`the ${method} estimator did not converge in ${iterations} iterations`);
    if (!(Number.isFinite(tau2) && tau2 >= 0)) {
      // Q_E overflows at the scale of the smallest variance: no method can find τ², I² or H² (not a convergence failure)
      if (!Number.isFinite(QE))
        throw new EvsynthError(
          'NO_FINITE_RESULT',
          `fitRma: Q_E overflows double precision (Q_E = ${QE}): the estimates lie more than 1e154 of the smallest standard error apart, so no τ² method can give a finite τ², I² or H² here`,
        );
      // a closed form (DL, HE, HS, HSk, SJ) does not converge or fail to: its value over- or underflowed here
      if (!TAU2_REGISTRY[method].iterative)
        throw new EvsynthError(
          'NO_FINITE_RESULT',
          `fitRma: the ${method} estimator's closed form gives no finite τ² in double precision here (sampling variances or estimates too many orders of magnitude apart); try another method`,
        );
      throw new EvsynthError(
        'NOT_CONVERGED',
        `fitRma: the ${method} estimator found no finite τ² (${iterations} iterations); try another method`,
      );
    }
  }
  const QEp = QEdf > 0 ? pchisqUpper(QE, QEdf) : 1;
  // (relative to Q_E: with vᵢ ≈ 1e-300 a Q_E of 1e298 carries a rounding floor of 1e269 and is meaningful)
  if (QEdf > 0 && floor > 1e-3 * Math.max(1, QE))
    warnings.push(
      `Q_E = ${QE.toPrecision(3)} is at the limit of double precision (rounding alone can make it ${floor.toPrecision(2)}): the sampling variances span too many orders of magnitude for Q_E, τ², I² and H² to be meaningful`,
    );
  // at a second scale, τ̂²/ṽ from τ̂² and ṽ at their own scales (τ̂² at the first scale may overflow)
  const tau2OverVt = jFit === j ? tau2 : ldexp(tau2 / vt, 2 * (jFit - j));
  const I2 = iSquared(QE, QEdf, tau2OverVt, jFit === j ? vt : 1, common);
  const H2 = hSquared(QE, QEdf, tau2OverVt, jFit === j ? vt : 1, common);

  // The model at τ̂² (the estimators leave the kernel there)
  let s2w = 1;
  if (test !== 'z') {
    s2w =
      QEdf > 0
        ? knappHartungFactor(
            fitKernel.RSS,
            QEdf,
            test,
            underflowedResidual(fitKernel.RSS, fitKernel.residuals, k),
            'fitRma',
          )
        : Number.NaN;
    // every estimate on the fitted model (identical estimates): as metafor, SE 0 and t = ±∞, said so
    if (test !== 'adhoc' && s2w === 0)
      warnings.push(
        `Knapp–Hartung with s² = 0 (every estimate lies on the fitted model): the standard errors are 0 and the t statistics infinite, as metafor computes them, so the tests and confidence intervals say nothing; the test 'adhoc' (s² at least 1) or z gives intervals that do`,
      );
    if (common && test === 'knha') warnings.push('Knapp–Hartung adjustment applied to a common-effect model');
  }
  const names = given?.names ?? INTERCEPT_NAMES;
  const beta: number[] = [];
  const vb: number[][] = [];
  for (let r = 0; r < p; r++) {
    beta.push(ldexp(fitKernel.beta[r] as number, jFit));
    const row: number[] = [];
    for (let c = 0; c < p; c++) row.push(ldexp((fitKernel.Ainv[r * p + c] as number) * s2w, 2 * jFit));
    vb.push(row);
  }
  const ddf = test === 'z' ? null : QEdf;
  const coefficients: Coefficient[] = beta.map((b, i) => ({
    name: names[i] ?? `b${i}`,
    ...waldTest(b, Math.sqrt(vb[i]?.[i] as number), level, ddf),
  }));
  const hasIntercept = names[0] === 'intrcpt';
  const btt = p > 1 && hasIntercept ? beta.map((_, i) => i).slice(1) : beta.map((_, i) => i);
  const QMraw = waldStatistic(beta, vb, btt);
  const m = btt.length;
  // A singular Var(b) (e.g. s2w = 0 under knha with identical estimates) leaves QM undefined (NA, as metafor).
  const QM = ddf === null ? QMraw : QMraw / m;
  const QMp = ddf === null ? pchisqUpper(QM, m) : pfUpper(QM, m, ddf);

  const seDefined = !(common || k - p < 1 || fixedTau2);
  // REML's τ̂² solves an equation in tr P at τ̂²
  if (method === 'REML' && !fixedTau2 && tau2 > 0) assertTracesHeld(fitKernel, ldexp(tau2, 2 * jFit), method);
  // REML's SE of τ² takes tr PP at τ̂², the moment estimators' (DL, HS, HSk) tr P₀P₀ where τ̂² > 0 (tr P₀ is
  // checked above); ML's takes Σwᵢ², the others' Σwᵢ or traces of their own
  const seNoise =
    seDefined &&
    ((method === 'REML' && fitKernel.trPPLost) ||
      ((method === 'DL' || method === 'HS' || method === 'HSk') && tau2 > 0 && zeroTrPPLost));
  // (kernels of up to 5,000 studies take lost traces exactly, ./exact-kernel.ts: this is a bigger meta-regression)
  if (seNoise)
    throw new EvsynthError(
      'NO_FINITE_RESULT',
      `fitRma: the standard error of τ² cannot be computed in double precision: the traces of P it needs (tr P, tr PP) are lost to rounding in this meta-regression of ${k} studies (precise studies carry nearly all the weight; exact sums are taken for up to 5,000 studies)`,
    );
  const seFit =
    seDefined && !seNoise
      ? tau2StandardError(fitKernel, method, tau2, jFit === j ? control : scaledControl(options.control, jFit))
      : Number.NaN;
  // (an SE positive at the fit's scale that underflows in the data's units is that SE rounded: it stands)
  let tau2SE = ldexp(seFit, 2 * jFit);
  const tau2Data = ldexp(tau2, 2 * jFit);
  if (seDefined && !seNoise && !(seFit > 0 && tau2SE < Number.POSITIVE_INFINITY)) {
    // the information about τ² under- or overflows at the fit's scale: the SE at a scale where it does not
    // (an SE of 0 with τ̂² = 0 stands where no scale gives more: SJ's τ₀² = 0 when every yᵢ is the same)
    // (and, where no scale holds it, the same formula in logarithms: intercept-only models)
    const keep = seFit === 0 && tau2 === 0 ? 0 : Number.NaN;
    const other = tau2SEAtOtherScales(yi, vi, design, method, tau2Data, options.control);
    const logSE =
      other === undefined && Number.isNaN(keep)
        ? tau2LogStandardError(yi, vi, design, method, tau2, jFit, options.control)
        : undefined;
    tau2SE = other ?? (logSE !== undefined && logSE <= Math.log(Number.MAX_VALUE) ? Math.exp(logSE) : keep);
    // no finite SE: an error (issue 14: never a NaN or null field in a result reported as a success); where τ̂²
    // itself overflows the data's units, assertFiniteFit says so instead
    if (Number.isNaN(tau2SE) && Number.isFinite(tau2Data))
      throw new EvsynthError(
        'NO_FINITE_RESULT',
        logSE !== undefined && logSE > Math.log(Number.MAX_VALUE)
          ? `fitRma: the standard error of τ² exceeds the largest double, 1.8e308 (it is ${decimalOfLog(logSE)}; τ̂² = ${ldexp(tau2, 2 * jFit).toPrecision(3)}): divide the estimates by a power of ten and the variances by its square`
          : 'fitRma: the standard error of τ² cannot be computed in double precision: the information about τ² is 0 or lost to rounding at every scale (studies whose variances lie many orders of magnitude apart, where a few carry nearly all the weight)',
      );
  }
  const sumW = fitKernel.sumW;
  const weights = new Float64Array(k);
  for (let i = 0; i < k; i++) weights[i] = (100 * (fitKernel.w[i] as number)) / sumW;
  const fitstats = fitStatistics(
    design,
    fitKernel.RSS,
    fitKernel.logdetA,
    common,
    -0.5 * (k * Math.log(2 * Math.PI) + sumLog(vi, 0)),
    sumLog(vi, tau2Data),
    2 * jFit * Math.LN2,
  );
  const R2 =
    p > 1 && hasIntercept && !fixedTau2 && (options.r2 ?? true)
      ? explainedHeterogeneity(
          fitKernel.yi,
          fitKernel.vi,
          method,
          jFit === j ? control : scaledControl(options.control, jFit),
          common,
          tau2,
          QE,
          QEdf,
        )
      : null;

  const fit: RmaFit = Object.freeze({
    kind: 'rma',
    k,
    p,
    method,
    test,
    level,
    coefficients,
    vb,
    tau2: tau2Data,
    tau2SE,
    tau: ldexp(Math.sqrt(tau2), jFit),
    I2,
    H2,
    vt: ldexp(vt, 2 * j),
    QE,
    QEdf,
    QEp,
    QM,
    QMdf: [m, ddf] as const,
    QMp,
    ddf,
    s2w,
    weights,
    fitstats,
    iterations,
    converged,
    warnings,
    yi: ownYi,
    vi: ownVi,
    design,
    btt,
    R2,
  });
  assertFiniteFit(fit);
  return fit;
}

const INTERCEPT_NAMES = ['intrcpt'] as const;
const zeroScratch = new ZeroPoint();
const estimateScratch = new Tau2Result();

/**
 * τ̂² where it lies beyond the range of the fit at the smallest variance's scale 2ʲ (τ̂² more than about 1e300
 * times the smallest variance: estimates 1e150 of the smallest standard error apart, the squared residuals
 * finite in the data's units but not in that fit's): the fit again at c = 2ʲᴮ with c² near Σ(yᵢ − ȳ)², the
 * scale of the squared residuals, where τ̂² is of order 1 (and at most a few times k). Variances below
 * 2⁻³⁰⁰c² are raised to that floor (./scale.ts, {@link VARIANCE_FLOOR}), which cannot change any weight at
 * τ² ≥ 2⁻²⁴⁰c²: the estimate is accepted only there (and below 2⁹⁰⁰c²), else the scale is moved to the
 * estimate found and the fit repeated (at most three fits). Q_E, tr P₀ and Σwᵢ⁰ come from the first
 * fit (`zero`, at scale 2ʲ), so the moment estimators (DL) are exact. Undefined where no such scale
 * exists (the spread is not far above the smallest variance, or no fit is accepted).
 */
function fitAtSecondScale(
  yi: ArrayLike<number>,
  vi: ArrayLike<number>,
  design: Design,
  method: Tau2Method,
  control: Tau2Control | undefined,
  j: number,
  zero: ZeroPoint,
): { kernel: Kernel; j: number; tau2: number; iterations: number } | undefined {
  let jB = sumOfSquaresExponent(yi);
  // only where the spread lies far beyond this scale: the first fit's range covers the rest
  if (!(jB >= j + SECOND_SCALE_MIN_STEP)) return undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const { y, v } = scaleEffectsFloored(yi, vi, jB);
    const kernel = new Kernel(y, v, design);
    const d = 2 * (jB - j);
    const zeroB = new ZeroPoint().set(zero.RSS, ldexp(zero.trP, d), ldexp(zero.sumW, d));
    const est = estimateTau2(kernel, method, scaledControl(control, jB), zeroB, new Tau2Result());
    const t = est.tau2;
    if (!(t > 0 && t < Number.POSITIVE_INFINITY)) return undefined;
    if (est.converged && t >= SECOND_SCALE_MIN_TAU2 && t <= SECOND_SCALE_MAX_TAU2) {
      kernel.evaluate(t);
      return { kernel, j: jB, tau2: t, iterations: est.iterations };
    }
    const next = jB + Math.floor(Math.log2(t) / 2);
    if (next === jB || !(next >= j + SECOND_SCALE_MIN_STEP)) return undefined;
    jB = next;
  }
  return undefined;
}

/** The second scale is tried only 2¹⁰⁰ (in c) or more above the first. */
const SECOND_SCALE_MIN_STEP = 100;
/** A second fit's τ̂² is accepted in [2⁶⁰·floor, 2⁹⁰⁰] (scaled units), where the variance floor cannot matter. */
const SECOND_SCALE_MIN_TAU2 = 2 ** 60 * VARIANCE_FLOOR,
  SECOND_SCALE_MAX_TAU2 = 2 ** 900;

/**
 * The standard error of τ̂² where it is not a positive finite number at the fit's scale, though it may be in the
 * data's units: one study (or a few) carrying all the weight, whose squared weights make the information about τ²
 * (tr PP, Σwᵢ², tr P₀P₀) underflow, or τ̂² far above the variances (vᵢ ≈ 1e-300 with ordinary yᵢ), where the
 * squared weights 1/(vᵢ + τ̂²)² underflow. The estimator's own SE (the registry's) is computed again on the data
 * divided by c = 2ʲ, for c² at τ̂², at the second smallest vᵢ + τ̂² (the other studies' scale, for the traces of
 * P, which leave the dominant study out) and at the largest, with variances below 2⁻³⁰⁰c² raised to that floor
 * (./scale.ts). A value is accepted only where it is finite, positive and the same (to 1e-9) with a floor of
 * 2⁻²⁵⁰c², so that the floored studies cannot have changed it (they do where it depends on their weight: HS's
 * Σwᵢ⁰, ML's Σwᵢ²). One-column models only, whose traces are sums without cancellation (src/models/kernel.ts);
 * with moderators only the scale of τ̂² for ML and REML (weights nearly equal there). Undefined if none holds.
 */
function tau2SEAtOtherScales(
  yi: ArrayLike<number>,
  vi: ArrayLike<number>,
  design: Design,
  method: Tau2Method,
  tau2: number,
  control: Tau2Control | undefined,
): number | undefined {
  if (!(tau2 >= 0 && tau2 < Number.POSITIVE_INFINITY)) return undefined;
  const scales: number[] = [];
  if (tau2 > 0 && (design.p === 1 || method === 'REML' || method === 'ML')) scales.push(tau2);
  if (design.p === 1) {
    let lo = Number.POSITIVE_INFINITY,
      second = Number.POSITIVE_INFINITY,
      hi = 0;
    for (let i = 0; i < vi.length; i++) {
      const s = (vi[i] as number) + tau2;
      if (s < lo) {
        second = lo;
        lo = s;
      } else if (s < second) second = s;
      hi = Math.max(hi, s);
    }
    scales.push(second, hi);
  }
  for (const at of scales) {
    if (!(at > 0 && at < Number.POSITIVE_INFINITY)) continue;
    const jc = Math.floor(Math.log2(at) / 2);
    const seAt = (floor: number) => {
      const { y, v } = scaleEffectsFloored(yi, vi, jc, floor);
      const kernel = new Kernel(y, v, design);
      return ldexp(tau2StandardError(kernel, method, ldexp(tau2, -2 * jc), scaledControl(control, jc)), 2 * jc);
    };
    const se = seAt(VARIANCE_FLOOR);
    if (!(se > 0 && se < Number.POSITIVE_INFINITY)) continue;
    if (Math.abs(seAt(2 ** 50 * VARIANCE_FLOOR) - se) <= 1e-9 * se) return se;
  }
  return undefined;
}

/**
 * log SE of τ̂² by the estimator's formula in logarithms (the registry's `logStandardError`,
 * ./tau2/log-traces.ts), for intercept-only models where no scale holds the SE in double precision (one
 * study 1e160 or more times more precise than the others, whose weight is HS's divisor Σwᵢ⁰ while the traces
 * leave it out; variances more than the double range apart, ∞ at the fit's scale; estimates below 1e-160,
 * whose squared spread τ₀² underflows for SJ). τ̂² = t·4ʲ as the fit holds it.
 * Exact to about 1e-13 relative (every sum has positive terms). Undefined with moderators, or where the
 * estimator has no logarithmic form. The SE is exp(log SE): 0 where it lies below the smallest double.
 */
function tau2LogStandardError(
  yi: ArrayLike<number>,
  vi: ArrayLike<number>,
  design: Design,
  method: Tau2Method,
  t: number,
  j: number,
  control: Tau2Control | undefined,
): number | undefined {
  const spec: Tau2EstimatorSpec = TAU2_REGISTRY[method];
  if (spec.logStandardError === undefined || !isInterceptOnlyDesign(design)) return undefined;
  return spec.logStandardError(logModel(yi, vi, t, j, control?.tau2Init));
}

/** exp(l) in decimal notation ("2.1e+308") where it lies beyond the double range. */
function decimalOfLog(l: number): string {
  const e = Math.floor(l / Math.LN10);
  return `${Math.exp(l - e * Math.LN10).toFixed(1)}e${e < 0 ? '' : '+'}${e}`;
}

/** yᵢ/c and vᵢ/c² as a pair of new arrays (exact: c is a power of two). */
function scaledCopies(yi: ArrayLike<number>, vi: ArrayLike<number>, s: FitScale): [Float64Array, Float64Array] {
  const { y, v } = scaleEffects(yi, vi, s);
  return [y, v];
}

/**
 * Variances more than the double range apart (max vᵢ/min vᵢ > 2¹⁰²⁴, e.g. 1e-300 next to 1e100): scaled to
 * the smallest, the largest overflow to ∞ and their studies weigh 0 in the fit. Their weights are below
 * 2⁻¹⁰²⁴ of the largest, so the estimates do not see them; Q_E does where their standardised residuals
 * (yᵢ − ŷᵢ)/√vᵢ are not negligible (yᵢ = (0, 1e50, −1e50), vᵢ = (1e-300, 1e100, 1e100): Q_E = 2, not 0).
 * Then the studies cannot be weighed together in double precision and the fit says so
 * (NO_FINITE_RESULT) instead of dropping them silently. Expects the kernel evaluated at τ² = 0.
 */
function assertWeighable(yi: ArrayLike<number>, vi: ArrayLike<number>, kernel: Kernel, j: number): void {
  const { k, p } = kernel;
  const x = kernel.design.x;
  let dropped = 0,
    q = 0;
  for (let i = 0; i < k; i++) {
    if ((kernel.vi[i] as number) < Number.POSITIVE_INFINITY) continue;
    dropped++;
    let fitted = 0;
    for (let r = 0; r < p; r++) fitted += (x[i * p + r] as number) * (kernel.beta[r] as number);
    const s = Math.sqrt(vi[i] as number);
    q += ((yi[i] as number) / s - ldexp(fitted, j) / s) ** 2;
  }
  if (dropped > 0 && !(q <= 1e-12 * Math.max(1, kernel.RSS)))
    throw new EvsynthError(
      'NO_FINITE_RESULT',
      `fitRma: the sampling variances lie more than the double range apart (${dropped} ${dropped === 1 ? 'study has a variance' : 'studies have variances'} over 1.8e308 times the smallest) and those studies carry part of Q_E (${q.toPrecision(3)}): they cannot be weighed together with the most precise in double precision`,
    );
}

/**
 * How large Σwᵢeᵢ² can be from rounding alone: each residual eᵢ = yᵢ − ŷᵢ carries an error of a few
 * units in the last place of max(|yᵢ|, |ŷᵢ|), weighted by wᵢ. Far below 1 for any ordinary data; huge when
 * one study's weight dwarfs the others' by hundreds of orders of magnitude. Expects the kernel evaluated.
 */
function rssRoundingFloor(kernel: Kernel): number {
  let s = 0;
  for (let i = 0; i < kernel.k; i++) {
    const y = kernel.yi[i] as number,
      e = kernel.residuals[i] as number;
    const u = 4 * Number.EPSILON * Math.max(Math.abs(y), Math.abs(y - e));
    s += (kernel.w[i] as number) * u * u;
  }
  return s;
}

/** Σ log(vᵢ + τ²) in the scale of the data. */
function sumLog(vi: ArrayLike<number>, tau2: number): number {
  let s = 0;
  for (let i = 0; i < vi.length; i++) s += Math.log((vi[i] as number) + tau2);
  return s;
}

/** The control of a fit to data scaled by c = 2ʲ: a start value τ²₀ becomes τ²₀/c². */
function scaledControl(control: Tau2Control | undefined, j: number): Tau2Control | undefined {
  if (control?.tau2Init === undefined) return control;
  return { ...control, tau2Init: ldexp(control.tau2Init, -2 * j) };
}

/**
 * A fit is reported only when its numbers are finite: where the answer overflows the double range
 * (estimates of 1e300 with variances of 1e300: τ² ≈ 1e600) there is no finite answer, and that is an
 * error, never a result with NaN or null fields. Statistics that are undefined by design stay NaN:
 * SE(τ²) of common-effect models and of fixed τ², and QM/QMp where Var(b) is singular.
 */
function assertFiniteFit(f: RmaFit): void {
  const bad: string[] = [];
  const check = (name: string, x: number) => {
    if (!Number.isFinite(x)) bad.push(`${name} = ${x}`);
  };
  for (const c of f.coefficients) {
    check(`${c.name} estimate`, c.estimate);
    check(`${c.name} SE`, c.se);
    check(`${c.name} CI`, c.ciLower);
    check(`${c.name} CI`, c.ciUpper);
    if (Number.isNaN(c.pValue)) bad.push(`${c.name} p-value = NaN`);
  }
  check('τ²', f.tau2);
  check('I²', f.I2);
  check('H²', f.H2);
  check('Q_E', f.QE);
  if (bad.length > 0)
    throw new EvsynthError(
      'NO_FINITE_RESULT',
      `fitRma: no finite answer exists in double precision (${bad.slice(0, 3).join(', ')}): the estimates and variances are too large or too far apart in scale`,
    );
}

/** R² of a model with moderators against the intercept-only model (see {@link RmaFit.R2}). */
function explainedHeterogeneity(
  y: Float64Array,
  v: Float64Array,
  method: Tau2Method,
  control: Tau2Control | undefined,
  common: boolean,
  tau2: number,
  QE: number,
  QEdf: number,
): number {
  const k = y.length;
  const base = new Kernel(y, v, interceptDesign(k));
  if (common) {
    const QE0 = base.evaluate(0).RSS;
    if (!(QE0 > 0) || QEdf < 1) return 0;
    return Math.max(0, 100 * (1 - QE / QEdf / (QE0 / (k - 1))));
  }
  const tau20 = estimateTau2(base, method, control).tau2;
  return tau20 > 0 ? Math.max(0, (100 * (tau20 - tau2)) / tau20) : 0;
}

/** bᵀ V⁻¹ b over the coefficients `idx` (V the submatrix of `vb`); NaN when V is singular. */
function waldStatistic(beta: readonly number[], vb: readonly (readonly number[])[], idx: readonly number[]): number {
  const m = idx.length;
  const sub = new Float64Array(m * m);
  idx.forEach((r, i) =>
    idx.forEach((c, j) => {
      sub[i * m + j] = vb[r]?.[c] as number;
    }),
  );
  return inverseQuadraticForm(
    sub,
    idx.map((j) => beta[j] as number),
    m,
  );
}

/**
 * metafor's fit statistics. ML: ll = −½(k log 2π + Σlog(vᵢ+τ²) + Σwᵢeᵢ²), deviance
 * −2(ll − ll_saturated); REML: ll = −½((k−p) log 2π + Σlog(vᵢ+τ²) + log|XᵀWX| − log|XᵀX| + Σwᵢeᵢ²),
 * deviance −2ll (Σlog(vᵢ+τ²) as given: at the data's scale). AIC = −2ll + 2q, BIC = −2ll + q·log(n), AICc = −2ll + 2q·max(n, q+2)/(max(n, q+2) − q − 1),
 * with q = p (+1 for τ²) and n = k (ML) or k − p (REML). RSS = Σwᵢeᵢ² and log|XᵀWX| at τ̂² (scaled data).
 */
function fitStatistics(
  design: Design,
  RSS: number,
  logdetAScaled: number,
  common: boolean,
  llSaturated: number,
  sumLogV: number,
  logC2: number,
): { ML: FitStatistics; REML: FitStatistics } {
  const { k, p } = design;
  const q = p + (common ? 0 : 1);
  const llML = -0.5 * (k * Math.log(2 * Math.PI) + sumLogV + RSS);
  // log det(XᵀWX) at the data's scale: W = W_scaled/c²
  const logdetA = logC2 === 0 ? logdetAScaled : logdetAScaled - p * logC2;
  const logdetXtX = logDetCrossprod(design);
  const llREML = -0.5 * ((k - p) * Math.log(2 * Math.PI) + sumLogV + logdetA - logdetXtX + RSS);
  const stats = (ll: number, dev: number, n: number): FitStatistics => {
    const nn = Math.max(n, q + 2);
    return {
      ll,
      dev,
      AIC: -2 * ll + 2 * q,
      BIC: -2 * ll + q * Math.log(n),
      AICc: -2 * ll + (2 * q * nn) / (nn - q - 1),
    };
  };
  return { ML: stats(llML, -2 * (llML - llSaturated), k), REML: stats(llREML, -2 * llREML, k - p) };
}

/**
 * log det(XᵀX), from X directly; for the indicators of one factor (./design.ts, {@link factorCoding}:
 * XᵀX = Tᵀ diag(n) T with det T = 1) Σ log n_g over the levels' sizes n_g, in O(k·p) instead of O(k·p²).
 */
function logDetCrossprod(design: Design): number {
  const factor = factorCoding(design);
  if (factor !== undefined) {
    let l = 0;
    for (const n of factor.size) l += Math.log(n);
    return l;
  }
  const { k, p, x } = design;
  const a = new Float64Array(p * p);
  for (let i = 0; i < k; i++)
    for (let r = 0; r < p; r++)
      for (let c = 0; c <= r; c++) {
        a[r * p + c] = (a[r * p + c] as number) + (x[i * p + r] as number) * (x[i * p + c] as number);
      }
  return cholesky(a, p);
}

/**
 * The Sidik–Jonkman estimate τ̂² = τ₀²·Q_gen(τ₀²)/(k − p) (τ₀² the start given or Σ(yᵢ − ȳ)²/k) evaluated on
 * yᵢ/c, vᵢ/c² with c = 2ʲᵀ, c² near τ₀² (exact scaling), for fits whose variances lie more than the double
 * range apart: at the scale of the smallest variance the others overflow and weigh 0 in Q_gen(τ₀²), though
 * every weight 1/(vᵢ + τ₀²) is representable at τ₀²'s own scale. Returns τ̂² at the fit's scale 2ʲ, or
 * undefined where τ₀² is 0 or the result is not finite there.
 */
function sidikJonkmanAtStartScale(
  yi: ArrayLike<number>,
  vi: ArrayLike<number>,
  design: Design,
  control: Tau2Control | undefined,
  j: number,
): number | undefined {
  const k = yi.length;
  const start = control?.tau2Init;
  const jT = start === undefined ? sumOfSquaresExponent(yi) : start > 0 ? Math.floor(Math.log2(start) / 2) : Number.NaN;
  if (!Number.isFinite(jT)) return undefined;
  const ys = Float64Array.from(yi, (y) => ldexp(y, -jT)),
    vs = Float64Array.from(vi, (v) => ldexp(v, -2 * jT));
  const t0 = start === undefined ? sumOfSquaredDeviations(ys, k) / k : ldexp(start, -2 * jT);
  const rss = new Kernel(ys, vs, design).evaluate(t0).RSS;
  const tau2 = ldexp((t0 * rss) / (k - design.p), 2 * (jT - j));
  return Number.isFinite(tau2) && tau2 >= 0 ? tau2 : undefined;
}

/**
 * Refuses a model with moderators whose traces tr P, tr PP at τ² (I² and H² through ṽ = (k − p)/tr P₀, DL, REML,
 * the SEs of τ²) are cancellation noise ({@link Kernel.trPLost}): precise studies carry nearly all the
 * weight, and a number computed from those traces would be silently wrong.
 */
function assertTracesHeld(kernel: Kernel, tau2: number, method: string): void {
  if (kernel.trPLost)
    throw new EvsynthError(
      'NO_FINITE_RESULT',
      `fitRma: the trace of P at τ² = ${tau2 === 0 ? 0 : tau2.toPrecision(3)} (tr P = Σwᵢ − tr((XᵀWX)⁻¹XᵀW²X), which I², H² and the ${method} fit need) is lost to rounding: the most precise studies carry all but a fraction of about 10⁻⁶ of the weight (sampling variances many orders of magnitude apart), so τ², I², H² and the SE of τ² cannot be computed in double precision for this meta-regression`,
    );
}
