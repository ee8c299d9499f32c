/** τ² estimators, with metafor's method codes. `EE`/`FE` fix τ² = 0 (common effect). */
export const TAU2_METHODS = [
  'EE',
  'FE',
  'DL',
  'HE',
  'HS',
  'HSk',
  'SJ',
  'SJIT',
  'ML',
  'REML',
  'EB',
  'PM',
  'PMM',
] as const;
export type Tau2Method = (typeof TAU2_METHODS)[number];

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
