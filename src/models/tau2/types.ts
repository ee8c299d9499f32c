/** How an estimate was reached. Closed forms report 0 iterations and converged = true. */
export interface Tau2Estimate {
  readonly tau2: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/** Convergence control for the iterative estimators. */
export interface Tau2Control {
  /** Stop when |Δτ²| ≤ threshold·max(τ², v̄), v̄ a typical variance (the likelihood estimators; default 1e-13). */
  readonly threshold?: number;
  /** At most this many iterations (default 1000). */
  readonly maxiter?: number;
  /** Start value (default: max(0, DL) for ML/REML/EB, SJ's start for SJ). */
  readonly tau2Init?: number;
}

export const TAU2_CONTROL_DEFAULTS = { threshold: 1e-13, maxiter: 1000 } as const;

/**
 * The model at τ² = 0 (common-effect weights wᵢ = 1/vᵢ): Q_E = yᵀP₀y, tr P₀, Σwᵢ and log det(XᵀW₀X).
 * Every fit needs it anyway (Q_E, I², the DL start), so a caller that has it hands it to the estimator
 * ({@link ZeroPoint.from}), which then does not evaluate the model at 0 again. Reused, never allocated
 * per fit. `logdetA` may be NaN for intercept-only models, where it is log Σwᵢ.
 */
export class ZeroPoint {
  RSS = Number.NaN;
  trP = Number.NaN;
  sumW = Number.NaN;
  logdetA = Number.NaN;
  /** False until set; estimators evaluate the model at 0 themselves while it is false. */
  valid = false;

  /** Takes the values of a model evaluated at τ² = 0. */
  from(m: {
    readonly RSS: number;
    readonly trP: number;
    readonly sumW: number;
    readonly logdetA: number;
    readonly interceptOnly: boolean;
  }): this {
    this.RSS = m.RSS;
    this.trP = m.trP;
    this.sumW = m.sumW;
    this.logdetA = m.interceptOnly ? Number.NaN : m.logdetA;
    this.valid = true;
    return this;
  }

  /** Sets the values directly (e.g. from sufficient statistics). */
  set(RSS: number, trP: number, sumW: number, logdetA = Number.NaN): this {
    this.RSS = RSS;
    this.trP = trP;
    this.sumW = sumW;
    this.logdetA = logdetA;
    this.valid = true;
    return this;
  }
}

/** A reusable estimate record: the estimators of the batch paths write into one instead of allocating. */
export class Tau2Result implements Tau2Estimate {
  tau2 = 0;
  iterations = 0;
  converged = true;

  set(tau2: number, iterations: number, converged: boolean): this {
    this.tau2 = tau2;
    this.iterations = iterations;
    this.converged = converged;
    return this;
  }
}
