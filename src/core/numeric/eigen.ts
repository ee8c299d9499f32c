/**
 * Eigen-decomposition of a small symmetric matrix by the cyclic Jacobi method (rotations until the
 * off-diagonal mass is below 1e-26 of the total), and the symmetric inverse square root it gives.
 *
 * Reference: Golub GH, Van Loan CF (2013). Matrix Computations, 4th ed., §8.5 (the cyclic Jacobi method).
 */

export interface SymmetricEigen {
  /** Eigenvalues (unsorted). */
  readonly values: Float64Array;
  /** Eigenvectors as columns of a row-major n × n matrix. */
  readonly vectors: Float64Array;
}

/** A = Q diag(λ) Qᵀ for a symmetric n × n matrix `a` (row-major; not modified). */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  const A = Float64Array.from(a);
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += (A[i] as number) ** 2;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += (A[i * n + j] as number) ** 2;
    // off-diagonal mass at the level of rounding: the eigenvalues are exact to double precision
    if (off <= 1e-26 * total || off === 0) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q] as number;
        const app = A[p * n + p] as number,
          aqq = A[q * n + q] as number;
        if (Math.abs(apq) <= 1e-18 * (Math.abs(app) + Math.abs(aqq))) {
          A[p * n + q] = 0;
          A[q * n + p] = 0;
          continue;
        }
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p] as number,
            akq = A[k * n + q] as number;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k] as number,
            aqk = A[q * n + k] as number;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const qkp = Q[k * n + p] as number,
            qkq = Q[k * n + q] as number;
          Q[k * n + p] = c * qkp - s * qkq;
          Q[k * n + q] = s * qkp + c * qkq;
        }
      }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => A[i * n + i] as number), vectors: Q };
}

/**
 * The symmetric (Moore–Penrose) inverse square root B^{+1/2} of a symmetric positive semi-definite matrix:
 * Q diag(λᵢ^{−1/2}) Qᵀ over the eigenvalues λᵢ > tol·scale, 0 for the others. `scale` defaults to max λ; pass
 * the scale B was computed at when B may be zero up to rounding (a difference of two matrices of that size:
 * then every λ is rounding error and must count as 0, which max λ cannot tell).
 */
export function inverseSquareRoot(b: ArrayLike<number>, n: number, tol = 1e-12, scale?: number): Float64Array {
  const { values, vectors: Q } = symmetricEigen(b, n);
  const max = scale ?? Math.max(0, ...values);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const l = values[k] as number;
    if (!(l > tol * max)) continue;
    const f = 1 / Math.sqrt(l);
    for (let i = 0; i < n; i++) {
      const qi = (Q[i * n + k] as number) * f;
      for (let j = 0; j < n; j++) out[i * n + j] = (out[i * n + j] as number) + qi * (Q[j * n + k] as number);
    }
  }
  return out;
}
