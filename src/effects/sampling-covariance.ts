/**
 * The known variance–covariance matrix V of the sampling errors of k effect sizes (metafor `rma.mv(V = …)`),
 * stored sparsely: the variances and the non-zero covariances. V is block-diagonal in practice (effects of
 * one study covary, effects of different studies do not); evsynth never forms it as a dense k × k matrix.
 */
import { EvsynthError } from '../core/errors.ts';
import { symmetricEigen } from '../core/numeric/eigen.ts';
import { cholesky } from '../core/numeric/linalg.ts';

export interface Covariance {
  readonly i: number;
  readonly j: number;
  readonly cov: number;
}

export interface SamplingCovariance {
  readonly k: number;
  /** Sampling variances vᵢ = V[i, i] (all > 0). */
  readonly diag: Float64Array;
  /** Non-zero covariances V[i, j] (i < j), each once. */
  readonly pairs: readonly Covariance[];
}

/** V = diag(vi): independent sampling errors. */
export function diagonalCovariance(vi: ArrayLike<number>): SamplingCovariance {
  const diag = Float64Array.from(vi);
  checkDiagonal(diag);
  return { k: diag.length, diag, pairs: [] };
}

/**
 * V from a dense k × k matrix (rows of numbers). It must be symmetric (to 1e-10 relative); zeros off the
 * diagonal are dropped.
 */
export function covarianceFromMatrix(m: readonly (readonly number[])[]): SamplingCovariance {
  const k = m.length;
  const diag = new Float64Array(k);
  const pairs: Covariance[] = [];
  for (let i = 0; i < k; i++) {
    const row = m[i] as readonly number[];
    if (row.length !== k)
      throw new EvsynthError('LENGTH_MISMATCH', `V: row ${i + 1} has ${row.length} values; expected ${k}`);
    diag[i] = row[i] as number;
    for (let j = i + 1; j < k; j++) {
      const a = row[j] as number,
        b = (m[j] as readonly number[])[i] as number;
      if (!Number.isFinite(a) || !Number.isFinite(b))
        throw new EvsynthError('NON_FINITE', `V[${i + 1}, ${j + 1}] is not a finite number`);
      if (Math.abs(a - b) > 1e-10 * Math.max(Math.abs(a), Math.abs(b), 1e-300))
        throw new EvsynthError(
          'INVALID_VALUE',
          `V is not symmetric: V[${i + 1}, ${j + 1}] = ${a} but V[${j + 1}, ${i + 1}] = ${b}`,
        );
      if (a !== 0) pairs.push({ i, j, cov: a });
    }
  }
  checkDiagonal(diag);
  return { k, diag, pairs };
}

/** V from variances and a list of covariances (i ≠ j; each pair at most once). */
export function covarianceFromPairs(vi: ArrayLike<number>, covariances: readonly Covariance[]): SamplingCovariance {
  const diag = Float64Array.from(vi);
  checkDiagonal(diag);
  const k = diag.length;
  const seen = new Set<number>();
  const pairs: Covariance[] = [];
  for (const c of covariances) {
    const i = Math.min(c.i, c.j),
      j = Math.max(c.i, c.j);
    if (!(Number.isInteger(i) && Number.isInteger(j) && i >= 0 && j < k && i !== j))
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `V: covariance between rows ${c.i + 1} and ${c.j + 1} is out of range (k = ${k})`,
      );
    if (!Number.isFinite(c.cov))
      throw new EvsynthError('NON_FINITE', `V[${i + 1}, ${j + 1}] is ${c.cov}; expected a finite number`);
    if (seen.has(i * k + j))
      throw new EvsynthError('INVALID_ARGUMENT', `V: the covariance of rows ${i + 1} and ${j + 1} is given twice`);
    seen.add(i * k + j);
    if (c.cov !== 0) pairs.push({ i, j, cov: c.cov });
  }
  return { k, diag, pairs };
}

/** The rows `rows` of V (in that order). */
export function subsetCovariance(V: SamplingCovariance, rows: readonly number[]): SamplingCovariance {
  const pos = new Map(rows.map((r, i) => [r, i]));
  const pairs: Covariance[] = [];
  for (const c of V.pairs) {
    const a = pos.get(c.i),
      b = pos.get(c.j);
    if (a !== undefined && b !== undefined) pairs.push({ i: Math.min(a, b), j: Math.max(a, b), cov: c.cov });
  }
  return { k: rows.length, diag: Float64Array.from(rows, (r) => V.diag[r] as number), pairs };
}

/** Dense copy of V (for small k: tests and reports). */
export function denseCovariance(V: SamplingCovariance): number[][] {
  const m = Array.from({ length: V.k }, (_, i) =>
    Array.from({ length: V.k }, (_, j) => (i === j ? (V.diag[i] as number) : 0)),
  );
  for (const c of V.pairs) {
    (m[c.i] as number[])[c.j] = c.cov;
    (m[c.j] as number[])[c.i] = c.cov;
  }
  return m;
}

function checkDiagonal(diag: Float64Array): void {
  diag.forEach((v, i) => {
    if (!Number.isFinite(v))
      throw new EvsynthError('NON_FINITE', `V[${i + 1}, ${i + 1}] is ${v}; expected a finite number`, { row: i });
    if (!(v > 0))
      throw new EvsynthError(
        'NON_POSITIVE_VARIANCE',
        `the sampling variance of row ${i + 1} is ${v}; expected a value > 0`,
        { row: i },
      );
  });
}

/**
 * Checks that every block of correlated rows of V is positive definite, naming the rows (by `rowNumbers`, e.g.
 * the data rows, 0-based) of the first block that is not: singular (an eigenvalue of 0, e.g. a correlation of 1)
 * or indefinite (a negative eigenvalue).
 * @throws EvsynthError NOT_POSITIVE_DEFINITE
 */
export function assertPositiveDefinite(V: SamplingCovariance, rowNumbers?: readonly number[]): void {
  if (V.pairs.length === 0) return;
  const parent = Int32Array.from({ length: V.k }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] as number] as number;
    return i;
  };
  for (const c of V.pairs) {
    const a = find(c.i),
      b = find(c.j);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const blocks = new Map<number, number[]>();
  for (const c of V.pairs)
    for (const r of [c.i, c.j]) {
      const root = find(r);
      const b = blocks.get(root) ?? [];
      if (!b.includes(r)) b.push(r);
      blocks.set(root, b);
    }
  for (const rows of blocks.values()) {
    rows.sort((a, b) => a - b);
    const n = rows.length;
    const pos = new Map(rows.map((r, i) => [r, i]));
    const m = new Float64Array(n * n);
    rows.forEach((r, i) => (m[i * n + i] = V.diag[r] as number));
    for (const c of V.pairs) {
      const a = pos.get(c.i),
        b = pos.get(c.j);
      if (a === undefined || b === undefined) continue;
      m[a * n + b] = c.cov;
      m[b * n + a] = c.cov;
    }
    try {
      cholesky(Float64Array.from(m), n);
    } catch {
      const { values } = symmetricEigen(m, n);
      const max = Math.max(...values),
        min = Math.min(...values);
      const names = rows.map((r) => (rowNumbers?.[r] ?? r) + 1).join(', ');
      throw new EvsynthError(
        'NOT_POSITIVE_DEFINITE',
        min > -1e-10 * max
          ? `the sampling covariance matrix V is singular for rows ${names} (smallest eigenvalue ${min.toPrecision(3)}): some estimates are exact linear combinations of others, e.g. a correlation of 1; use a correlation below 1 or drop duplicated rows`
          : `the sampling covariance matrix V is not positive definite for rows ${names} (smallest eigenvalue ${min.toPrecision(3)}): the covariances are not a valid covariance matrix, e.g. correlations that cannot hold together`,
        { row: rowNumbers?.[rows[0] as number] ?? (rows[0] as number) },
      );
    }
  }
}
