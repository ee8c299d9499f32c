/**
 * The intercept-only random-effects model fitted to the studies loaded in a kernel, writing scalars into
 * a reusable record: the one fitting path of the lean fit ({@link fitLean}), the batch and simulation
 * APIs, GOSH, leave-one-out and cumulative analyses. Nothing is allocated per fit, and only what those
 * callers need is computed: the model at τ² = 0 (Q_E, tr P₀: I², H² and the start of the iterative
 * estimators), τ̂², and the model at τ̂² (estimate, its variance, Σwᵢeᵢ² for Knapp–Hartung). The numbers
 * are those of {@link fitRma} (same kernel, estimators and formulas, in the same order).
 */
import { hSquared, iSquared, typicalVariance } from './heterogeneity.ts';
import type { Kernel } from './kernel.ts';
import { knappHartungFactor, underflowedResidual } from './wald.ts';
import { estimateTau2, Tau2Result, ZeroPoint, TAU2_REGISTRY, type Tau2Control, type Tau2Method } from './tau2/index.ts';

/** One intercept-only fit, in the kernel's (possibly rescaled) units. Reused from fit to fit. */
export class InterceptFit {
  k = 0;
  /** Pooled estimate b and its variance (XᵀWX)⁻¹ before any Knapp–Hartung factor. */
  estimate = Number.NaN;
  variance = Number.NaN;
  tau2 = Number.NaN;
  /** Σwᵢ(yᵢ − b)² at τ̂² (s2w = RSS/(k − 1) under Knapp–Hartung). */
  RSS = Number.NaN;
  QE = Number.NaN;
  trP0 = Number.NaN;
  vt = Number.NaN;
  I2 = Number.NaN;
  H2 = Number.NaN;
  iterations = 0;
  converged = true;
  /** A residual showing Σwᵢ(yᵢ − b)² at τ̂² underflowed (no Knapp–Hartung factor), or undefined. */
  underflowed: number | undefined = undefined;
  /** The model at τ² = 0, as the estimators take it (see ZeroPoint). */
  readonly zero = new ZeroPoint();
  private readonly est = new Tau2Result();

  /**
   * Fits the model of `method` to the kernel's studies (an intercept-only kernel with k ≥ 1 rows). With
   * `tau2` given, τ² is fixed there instead of estimated. Leaves the kernel evaluated at τ̂².
   */
  fit(kernel: Kernel, method: Tau2Method, control?: Tau2Control, tau2?: number): this {
    const k = kernel.k,
      df = k - 1;
    const common = TAU2_REGISTRY[method].common;
    kernel.evaluate(0);
    this.k = k;
    this.QE = df > 0 ? Math.max(0, kernel.RSS) : 0;
    this.trP0 = kernel.trP;
    this.vt = typicalVariance(df, kernel.trP);
    this.zero.from(kernel);
    if (tau2 === undefined) {
      estimateTau2(kernel, method, control, this.zero, this.est);
      this.tau2 = this.est.tau2;
      this.iterations = this.est.iterations;
      this.converged = this.est.converged;
    } else {
      this.tau2 = common ? 0 : tau2;
      this.iterations = 0;
      this.converged = true;
      kernel.evaluate(this.tau2);
    }
    this.estimate = kernel.beta[0] as number;
    this.variance = kernel.Ainv[0] as number;
    this.RSS = kernel.RSS;
    // (s² = RSS/(k − 1) under Knapp–Hartung: refused in s2w where RSS underflowed)
    this.underflowed = underflowedResidual(kernel.RSS, kernel.residuals, k);
    this.I2 = iSquared(this.QE, df, this.tau2, this.vt, common);
    this.H2 = hSquared(this.QE, df, this.tau2, this.vt, common);
    return this;
  }

  /**
   * The Knapp–Hartung factor s2w for `test` ('z': 1; 'adhoc': at least 1); 1 without residual df.
   * @throws EvsynthError NO_FINITE_RESULT under knha where Σwᵢ(yᵢ − b)² underflowed ({@link knappHartungFactor})
   */
  s2w(test: 'z' | 'knha' | 'adhoc'): number {
    if (test === 'z') return 1;
    const df = this.k - 1;
    if (df < 1) return 1;
    return knappHartungFactor(this.RSS, df, test, this.underflowed, 'fit');
  }
}
