/**
 * Quantities of a multilevel/multivariate model that depend on the sampling covariance V alone: the test
 * for (residual) heterogeneity and the "typical" sampling variance of the multilevel I².
 *
 * ```text
 * P_V = V⁻¹ − V⁻¹X(XᵀV⁻¹X)⁻¹XᵀV⁻¹
 * Q_E = yᵀP_V y ~ χ²(k − p) under homogeneity                 (generalised Cochran's Q; metafor rma.mv QE)
 * ṽ   = (k − p)/tr P_V                                         (typical sampling variance)
 * I²_j = 100 σ²_j/(Σ_l σ²_l + ṽ),   I² = 100 Σσ²/(Σσ² + ṽ)     (per component and total)
 * ```
 *
 * Computed block by block over the blocks of V (Cholesky of each).
 *
 * References: Nakagawa S, Santos ESA (2012). Methodological issues and advances in biological
 * meta-analysis. Evol Ecol 26(5):1253–1274, eq. 17–19; Cheung MWL (2014). Modeling dependent effect sizes
 * with three-level meta-analyses: a structural equation modeling approach. Psychol Methods 19(2):211–229;
 * metafor's web page "I² for multilevel and multivariate models". Cross-check: `rma.mv(…)$QE`.
 */
import { cholesky, choleskyInverse } from '../../core/numeric/linalg.ts';
import { EvsynthError } from '../../core/errors.ts';
import type { Design } from '../design.ts';
import { independentBlocks } from './blocks.ts';
import { assertPositiveDefinite, type SamplingCovariance } from '../../effects/sampling-covariance.ts';

export interface SamplingHeterogeneity {
  /** yᵀP_V y. */
  readonly QE: number;
  /** tr P_V. */
  readonly trP: number;
  /** Common-effect (V-only) coefficients b = (XᵀV⁻¹X)⁻¹XᵀV⁻¹y. */
  readonly beta: Float64Array;
  /** log |V|. */
  readonly logdetV: number;
}

/**
 * Q_E, tr P_V and log|V| for y, X and V.
 * @throws EvsynthError NOT_POSITIVE_DEFINITE naming the rows of a block of V that is not positive definite.
 */
export function samplingHeterogeneity(
  y: ArrayLike<number>,
  design: Design,
  V: SamplingCovariance,
): SamplingHeterogeneity {
  const { k, p, x } = design;
  // only rows with a covariance need blocks; the others are independent
  const inPairs = new Uint8Array(k);
  for (const c of V.pairs) {
    inPairs[c.i] = 1;
    inPairs[c.j] = 1;
  }
  const blocks = V.pairs.length > 0 ? independentBlocks(k, [], V).filter((b) => b.V !== null) : [];
  const A = new Float64Array(p * p),
    B = new Float64Array(p * p),
    c = new Float64Array(p);
  let yVy = 0,
    trVinv = 0,
    logdetV = 0;
  const diagonal = (r: number) => {
    // an independent row: V⁻¹ = 1/vᵣ
    const w = 1 / (V.diag[r] as number);
    const yr = y[r] as number;
    logdetV -= Math.log(w);
    trVinv += w;
    yVy += w * yr * yr;
    for (let a = 0; a < p; a++) {
      const xa = x[r * p + a] as number;
      c[a] = (c[a] as number) + w * xa * yr;
      for (let e = 0; e < p; e++) {
        const xe = x[r * p + e] as number;
        A[a * p + e] = (A[a * p + e] as number) + w * xa * xe;
        B[a * p + e] = (B[a * p + e] as number) + w * w * xa * xe;
      }
    }
  };
  for (let r = 0; r < k; r++) if (inPairs[r] === 0) diagonal(r);
  for (const b of blocks) {
    const n = b.rows.length;
    const L = Float64Array.from(b.V as Float64Array);
    try {
      logdetV += cholesky(L, n);
    } catch {
      assertPositiveDefinite(V);
      throw new EvsynthError('NOT_POSITIVE_DEFINITE', 'the sampling covariance matrix V is not positive definite');
    }
    const Vinv = new Float64Array(n * n);
    choleskyInverse(L, n, Vinv);
    // V⁻¹X (n × p), V⁻¹y
    const VX = new Float64Array(n * p),
      Vy = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      trVinv += Vinv[i * n + i] as number;
      for (let j = 0; j < n; j++) {
        const w = Vinv[i * n + j] as number;
        const rj = b.rows[j] as number;
        Vy[i] = (Vy[i] as number) + w * (y[rj] as number);
        for (let s = 0; s < p; s++) VX[i * p + s] = (VX[i * p + s] as number) + w * (x[rj * p + s] as number);
      }
    }
    for (let i = 0; i < n; i++) {
      const ri = b.rows[i] as number;
      yVy += (y[ri] as number) * (Vy[i] as number);
      for (let r = 0; r < p; r++) {
        c[r] = (c[r] as number) + (x[ri * p + r] as number) * (Vy[i] as number);
        for (let s = 0; s < p; s++) {
          A[r * p + s] = (A[r * p + s] as number) + (x[ri * p + r] as number) * (VX[i * p + s] as number);
          B[r * p + s] = (B[r * p + s] as number) + (VX[i * p + r] as number) * (VX[i * p + s] as number);
        }
      }
    }
  }
  const L = Float64Array.from(A);
  cholesky(L, p);
  const Ainv = new Float64Array(p * p);
  choleskyInverse(L, p, Ainv);
  const beta = new Float64Array(p);
  let bc = 0,
    trAB = 0;
  for (let r = 0; r < p; r++) {
    for (let m = 0; m < p; m++) {
      beta[r] = (beta[r] as number) + (Ainv[r * p + m] as number) * (c[m] as number);
      trAB += (Ainv[r * p + m] as number) * (B[m * p + r] as number);
    }
    bc += (beta[r] as number) * (c[r] as number);
  }
  return { QE: Math.max(0, yVy - bc), trP: trVinv - trAB, beta, logdetV };
}
