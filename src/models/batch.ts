import { EvsynthError } from '../core/errors.ts';
import { assertChoice, assertInteger, assertLevel, assertNumberArray, assertOptions } from '../core/validate.ts';
import { critical, pnormTwoSided, ptTwoSided } from '../distributions/index.ts';
import { InterceptFit } from './intercept-fit.ts';
import { beyondOneScale, Kernel } from './kernel.ts';
import { fitRma, TESTS, type Coefficient, type RmaFit, type TestType } from './rma.ts';
import { ldexp, scaleExponent } from './scale.ts';
import { assertTau2Control, parseTau2Method, TAU2_METHODS, type Tau2Control, type Tau2Method } from './tau2/index.ts';

export interface BatchResult {
  readonly estimate: Float64Array;
  readonly se: Float64Array;
  readonly ciLower: Float64Array;
  readonly ciUpper: Float64Array;
  readonly pValue: Float64Array;
  readonly tau2: Float64Array;
  readonly converged: Uint8Array;
}

/** The checks of {@link fitBatch} (also run by fitBatchParallel before it starts any worker). */
export function assertBatchArguments(
  yi: unknown,
  vi: unknown,
  k: number,
  options: BatchOptions,
): asserts yi is ArrayLike<number> {
  const where = 'fitBatch';
  assertNumberArray(yi, 'yi', where);
  assertNumberArray(vi, 'vi', where);
  assertInteger(k, 'k', where, 1);
  assertOptions(options, where, ['method', 'test', 'level', 'control']);
  if (yi.length !== vi.length || yi.length % k !== 0 || yi.length === 0)
    throw new EvsynthError(
      'LENGTH_MISMATCH',
      `fitBatch: ${yi.length} estimates and ${vi.length} variances are not whole analyses of ${k} studies`,
    );
  for (let i = 0; i < vi.length; i++) {
    const y = yi[i] as number,
      v = vi[i] as number;
    if (!(Number.isFinite(y) && Number.isFinite(v) && v > 0)) {
      throw new EvsynthError(
        Number.isFinite(y) && Number.isFinite(v) ? 'NON_POSITIVE_VARIANCE' : 'NON_FINITE',
        `fitBatch: study ${i % k} of analysis ${Math.floor(i / k)} has yi = ${y}, vi = ${v}; expected finite values and vi > 0`,
      );
    }
  }
  const { method = 'REML', test = 'z', level = 95 } = options;
  if (!TAU2_METHODS.includes(method)) parseTau2Method(String(method));
  assertChoice(test, TESTS, 'test', where);
  assertLevel(level, where);
  assertTau2Control(options.control, where);
  if (options.control?.tau2Init !== undefined)
    throw new EvsynthError('INVALID_ARGUMENT', 'fitBatch: control.tau2Init is not supported (one start per analysis)');
}

/** Options of {@link fitBatch}. */
export interface BatchOptions {
  readonly method?: Tau2Method;
  readonly test?: TestType;
  readonly level?: number;
  readonly control?: Tau2Control;
}

/**
 * Fits the same intercept-only model to many meta-analyses of k studies each, stored back to back in
 * `yi` and `vi` (analysis j is elements j·k … j·k + k − 1). The numbers equal those of {@link fitRma}
 * (same estimators, the same internal rescaling, z / Knapp–Hartung / ad hoc inference); only the pooled
 * estimate, its SE, CI and p-value and τ² are returned, in typed arrays, and one kernel is reused: no
 * allocation per analysis. This is the API for simulation studies. Arguments are validated as fitRma's
 * are (plain arrays are accepted and copied); an analysis without a finite answer throws
 * NO_FINITE_RESULT naming it.
 */
export function fitBatch(
  yi: ArrayLike<number>,
  vi: ArrayLike<number>,
  k: number,
  options: BatchOptions = {},
): BatchResult {
  assertBatchArguments(yi, vi, k, options);
  const n = yi.length / k;
  const fitter = new BatchFitter(n, k, options);
  for (let a = 0; a < n; a++) fitter.fit(a, yi, vi, a * k);
  return fitter.out;
}

/**
 * The per-analysis body of {@link fitBatch}, shared with the simulation API (which generates each analysis
 * into a buffer and fits it at once): one kernel and one fit record, results written into typed arrays.
 * Options must have been checked ({@link assertBatchArguments}).
 */
export class BatchFitter {
  readonly out: BatchResult;
  private readonly K: Kernel;
  private readonly f = new InterceptFit();
  private readonly method: Tau2Method;
  private readonly test: TestType;
  private readonly control: Tau2Control | undefined;
  private readonly level: number;
  private readonly df: number;
  private readonly crit: number;

  private readonly k: number;

  constructor(n: number, k: number, options: BatchOptions) {
    this.k = k;
    // (a method named in another case, 'reml', is the method it names)
    const named = options.method ?? 'REML';
    this.method = TAU2_METHODS.includes(named) ? named : parseTau2Method(String(named));
    this.test = options.test ?? 'z';
    this.control = options.control;
    const level = options.level ?? 95;
    this.level = level;
    this.K = Kernel.intercept(k);
    this.out = {
      estimate: new Float64Array(n),
      se: new Float64Array(n),
      ciLower: new Float64Array(n),
      ciUpper: new Float64Array(n),
      pValue: new Float64Array(n),
      tau2: new Float64Array(n),
      converged: new Uint8Array(n),
    };
    this.df = k - 1;
    this.crit = this.test === 'z' || this.df < 1 ? critical(level) : critical(level, this.df);
  }

  /** Fits the k studies at `offset` of `yi`, `vi` as analysis `a`. */
  fit(a: number, yi: ArrayLike<number>, vi: ArrayLike<number>, offset: number): void {
    const { k, K, f, test, df, crit, out } = this;
    // as fitRma: fit yᵢ/c, vᵢ/c² with c a power of two (exact) and scale back (./scale.ts)
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < k; i++) min = Math.min(min, vi[offset + i] as number);
    const j = scaleExponent(min);
    f.fit(K.loadScaled(yi, vi, offset, k, j), this.method, this.control);
    // where one scale does not hold the fit (τ̂² beyond its range, variances more than the double range
    // apart), the complete fit decides, with its second scale and checks (its numbers, or its error)
    if (!(f.converged && Number.isFinite(f.tau2) && f.tau2 >= 0) || beyondOneScale(K)) {
      this.fitComplete(a, yi, vi, offset);
      return;
    }
    const b = ldexp(f.estimate, j);
    const se = ldexp(Math.sqrt(f.variance * f.s2w(test)), j);
    const tau2 = ldexp(f.tau2, 2 * j);
    const stat = se > 0 ? b / se : b === 0 ? 0 : Math.sign(b) * Number.POSITIVE_INFINITY;
    if (!(Number.isFinite(b) && Number.isFinite(se) && Number.isFinite(tau2) && tau2 >= 0))
      throw new EvsynthError(
        'NO_FINITE_RESULT',
        `fitBatch: analysis ${a} has no finite answer in double precision (estimate ${b}, SE ${se}, τ² ${tau2})`,
      );
    out.estimate[a] = b;
    out.se[a] = se;
    out.tau2[a] = tau2;
    out.converged[a] = f.converged ? 1 : 0;
    out.ciLower[a] = b - crit * se;
    out.ciUpper[a] = b + crit * se;
    out.pValue[a] = test === 'z' || df < 1 ? pnormTwoSided(stat) : ptTwoSided(stat, df);
  }

  /** Analysis `a` by {@link fitRma} (its numbers, or its error naming the analysis). */
  private fitComplete(a: number, yi: ArrayLike<number>, vi: ArrayLike<number>, offset: number): void {
    const { k, out } = this;
    const y = new Float64Array(k),
      v = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      y[i] = yi[offset + i] as number;
      v[i] = vi[offset + i] as number;
    }
    let fit: RmaFit;
    try {
      fit = fitRma(y, v, {
        method: this.method,
        test: this.test,
        level: this.level,
        ...(this.control !== undefined ? { control: this.control } : {}),
      });
    } catch (e) {
      if (e instanceof EvsynthError) throw new EvsynthError(e.code, `fitBatch: analysis ${a}: ${e.message}`);
      throw e;
    }
    const c = fit.coefficients[0] as Coefficient;
    out.estimate[a] = c.estimate;
    out.se[a] = c.se;
    out.tau2[a] = fit.tau2;
    out.converged[a] = fit.converged ? 1 : 0;
    out.ciLower[a] = c.ciLower;
    out.ciUpper[a] = c.ciUpper;
    out.pValue[a] = c.pValue;
  }
}
