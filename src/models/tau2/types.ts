/** How an estimate was reached. Closed forms report 0 iterations and converged = true. */
export interface Tau2Estimate {
  readonly tau2: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/** Convergence control for the iterative estimators. */
export interface Tau2Control {
  /** Stop when |Δτ²| ≤ threshold·max(τ², mean vᵢ) (default 1e-13). */
  readonly threshold?: number;
  /** At most this many iterations (default 1000). */
  readonly maxiter?: number;
  /** Start value (default: max(0, HE) for ML/REML/EB, SJ's start for SJIT). */
  readonly tau2Init?: number;
}

export const TAU2_CONTROL_DEFAULTS = { threshold: 1e-13, maxiter: 1000 } as const;
