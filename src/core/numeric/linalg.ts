/**
 * Small dense linear algebra for p × p systems (p = number of model coefficients),
 * stored row-major in Float64Array. Models never form k × k matrices.
 */
import { EvsynthError } from '../errors.ts';

/**
 * In-place Cholesky factorisation A = LLᵀ of a symmetric positive-definite p × p matrix;
 * the lower triangle of `a` is overwritten with L. Returns log det(A), or throws
 * SINGULAR_MATRIX when A is not positive definite (e.g. collinear moderators).
 */
export function cholesky(a: Float64Array, p: number): number {
  let logdet = 0;
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j] as number;
    for (let m = 0; m < j; m++) d -= (a[j * p + m] as number) ** 2;
    const scale = Math.abs(a[j * p + j] as number);
    if (!(d > 1e-13 * scale) || !Number.isFinite(d)) {
      throw new EvsynthError(
        'SINGULAR_MATRIX',
        'the model matrix is not of full rank (collinear moderators, or more coefficients than studies)',
      );
    }
    const l = Math.sqrt(d);
    a[j * p + j] = l;
    logdet += 2 * Math.log(l);
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j] as number;
      for (let m = 0; m < j; m++) s -= (a[i * p + m] as number) * (a[j * p + m] as number);
      a[i * p + j] = s / l;
    }
  }
  return logdet;
}

/** Inverse of A from its Cholesky factor L (lower triangle of `l`), written into `out` (full, symmetric). */
export function choleskyInverse(l: Float64Array, p: number, out: Float64Array): void {
  // Solve L Lᵀ X = I column by column.
  for (let c = 0; c < p; c++) {
    // forward: L z = e_c (z stored in out column c)
    for (let i = 0; i < p; i++) {
      let s = i === c ? 1 : 0;
      for (let m = 0; m < i; m++) s -= (l[i * p + m] as number) * (out[m * p + c] as number);
      out[i * p + c] = s / (l[i * p + i] as number);
    }
    // backward: Lᵀ x = z
    for (let i = p - 1; i >= 0; i--) {
      let s = out[i * p + c] as number;
      for (let m = i + 1; m < p; m++) s -= (l[m * p + i] as number) * (out[m * p + c] as number);
      out[i * p + c] = s / (l[i * p + i] as number);
    }
  }
}

/**
 * xᵀMy for a matrix given as rows (r outer, c inner: Σ_r Σ_c x_r·M_rc·y_c, in that order), e.g. the variance
 * x₀ᵀVar(b)x₀ of a prediction or of a fitted value.
 */
export function quadraticForm(x: ArrayLike<number>, m: readonly (readonly number[])[], y: ArrayLike<number>): number {
  let s = 0;
  for (let r = 0; r < x.length; r++)
    for (let c = 0; c < y.length; c++) s += (x[r] as number) * (m[r]?.[c] as number) * (y[c] as number);
  return s;
}

/**
 * bᵀV⁻¹b for a symmetric positive-definite m × m matrix V (row-major), by Cholesky: with V = LLᵀ and
 * Lz = b, bᵀV⁻¹b = zᵀz. NaN when V is not positive definite (e.g. a zero variance).
 */
export function inverseQuadraticForm(v: ArrayLike<number>, b: ArrayLike<number>, m: number): number {
  const l = Float64Array.from(v);
  try {
    cholesky(l, m);
  } catch {
    return Number.NaN;
  }
  let q = 0;
  const z = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[i] as number;
    for (let j = 0; j < i; j++) s -= (l[i * m + j] as number) * (z[j] as number);
    z[i] = s / (l[i * m + i] as number);
    q += (z[i] as number) ** 2;
  }
  return q;
}

/** A p × p matrix given as rows, flattened row-major. */
export function flatten(rows: readonly (readonly number[])[]): Float64Array {
  const p = rows.length;
  const out = new Float64Array(p * p);
  rows.forEach((r, i) =>
    r.forEach((x, j) => {
      out[i * p + j] = x;
    }),
  );
  return out;
}
