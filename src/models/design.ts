import { EvsynthError } from '../core/errors.ts';

/**
 * A model matrix X (k × p) stored by row in one Float64Array, with column names in
 * metafor's convention (`intrcpt` for the intercept).
 */
export interface Design {
  readonly k: number;
  readonly p: number;
  /** Row-major k × p values: X[i, j] = x[i·p + j]. */
  readonly x: Float64Array;
  readonly names: readonly string[];
}

/**
 * Checks a design given by a caller: k rows for k studies, p ≥ 1 named columns, finite values.
 * (Designs built by {@link designFromColumns} and the formula parser pass by construction.)
 */
export function assertDesign(d: unknown, k: number, where: string): asserts d is Design {
  const x = d as Partial<Design> | null;
  if (
    x === null ||
    typeof x !== 'object' ||
    !(x.x instanceof Float64Array) ||
    !Array.isArray(x.names) ||
    typeof x.p !== 'number' ||
    typeof x.k !== 'number'
  )
    throw new EvsynthError('INVALID_ARGUMENT', `${where}: design is not a Design (use designFromColumns)`);
  if (x.k !== k) throw new EvsynthError('LENGTH_MISMATCH', `${where}: the design has ${x.k} rows for ${k} studies`);
  if (!(Number.isInteger(x.p) && x.p >= 1 && x.names.length === x.p && x.x.length === x.k * x.p))
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `${where}: the design's p = ${x.p}, ${x.names.length} names and ${x.x.length} values do not agree`,
    );
  for (let i = 0; i < x.x.length; i++)
    if (!Number.isFinite(x.x[i] as number))
      throw new EvsynthError(
        'NON_FINITE',
        `${where}: moderator '${x.names[i % x.p] ?? ''}' is ${x.x[i]} in study ${Math.floor(i / x.p) + 1}; expected a finite number`,
        { row: Math.floor(i / x.p) },
      );
}

/** The intercept-only design (a column of ones). */
export function interceptDesign(k: number): Design {
  return { k, p: 1, x: new Float64Array(k).fill(1), names: ['intrcpt'] };
}

/** True for the intercept-only design: one column of ones named `intrcpt` (the fits' scalar path). */
export function isInterceptOnlyDesign(d: Design): boolean {
  if (d.p !== 1 || d.names[0] !== 'intrcpt') return false;
  for (let i = 0; i < d.x.length; i++) if (d.x[i] !== 1) return false;
  return true;
}

/** A design from named columns (each of length k); `intercept` prepends a column of ones. */
export function designFromColumns(
  columns: readonly { readonly name: string; readonly values: ArrayLike<number> }[],
  k: number,
  intercept = true,
): Design {
  const names = [...(intercept ? ['intrcpt'] : []), ...columns.map((c) => c.name)];
  const p = names.length;
  const x = new Float64Array(k * p);
  for (let i = 0; i < k; i++) {
    let j = 0;
    if (intercept) x[i * p + j++] = 1;
    for (const c of columns) {
      if (c.values.length !== k)
        throw new EvsynthError('LENGTH_MISMATCH', `moderator '${c.name}' has ${c.values.length} values, expected ${k}`);
      const v = c.values[i] as number;
      if (!Number.isFinite(v))
        throw new EvsynthError(
          'NON_FINITE',
          `moderator '${c.name}' is ${v} in study ${i + 1}; expected a finite number`,
          { row: i, column: c.name },
        );
      x[i * p + j++] = v;
    }
  }
  return { k, p, x, names };
}

/** Rows `rows` of a design (for subsets: leave-one-out, subgroups, GOSH). */
export function subsetDesign(d: Design, rows: readonly number[]): Design {
  const x = new Float64Array(rows.length * d.p);
  rows.forEach((r, i) => x.set(d.x.subarray(r * d.p, (r + 1) * d.p), i * d.p));
  return { k: rows.length, p: d.p, x, names: d.names };
}

/**
 * The rows of a design that codes one factor of G = p levels by indicators, with every level present:
 * cell-means coding (`~ 0 + factor(g)`: each row a single 1, at its level's column) or treatment coding
 * (`~ factor(g)`: a column of ones, then at most a single 1 among the other columns; rows without one are
 * the first, reference level). Then X = ZT with Z the k × G indicator matrix of the levels and T the
 * G × G matrix of the levels' rows (T = I, or the unit lower-triangular arrow [1 0; 1 I] with det T = 1),
 * so XᵀWX = Tᵀ diag(a) T with a_g the sum of the weights of level g, and everything that depends on X only
 * through its column space (P, its traces, the residuals) is that of the indicator matrix Z.
 */
export interface FactorCoding {
  /** True for treatment coding (intercept first), false for cell-means coding. */
  readonly intercept: boolean;
  /** Each row's level, 0 … p − 1 (the column of its 1; 0 for the reference level of treatment coding). */
  readonly level: Int32Array;
  /** Rows per level. */
  readonly size: Int32Array;
  /** The rows by level: level g's are rows[start[g] … start[g + 1] − 1], in order. */
  readonly start: Int32Array;
  readonly rows: Int32Array;
}

/** The {@link FactorCoding} of a design, or undefined where it is not one (p < 2, or a level has no row). O(k·p). */
export function factorCoding(d: Design): FactorCoding | undefined {
  const { k, p, x } = d;
  if (p < 2 || x.length !== k * p) return undefined;
  const level = new Int32Array(k),
    size = new Int32Array(p);
  let intercept = true;
  for (let i = 0; i < k && intercept; i++) if (x[i * p] !== 1) intercept = false;
  const first = intercept ? 1 : 0;
  for (let i = 0; i < k; i++) {
    const o = i * p;
    let at = -1;
    for (let r = first; r < p; r++) {
      const v = x[o + r] as number;
      if (v === 0) continue;
      if (v !== 1 || at >= 0) return undefined;
      at = r;
    }
    if (at < 0) {
      if (!intercept) return undefined;
      at = 0;
    }
    level[i] = at;
    size[at] = (size[at] as number) + 1;
  }
  for (let g = 0; g < p; g++) if (size[g] === 0) return undefined;
  const start = new Int32Array(p + 1);
  for (let g = 0; g < p; g++) start[g + 1] = (start[g] as number) + (size[g] as number);
  const next = start.slice(0, p),
    rows = new Int32Array(k);
  for (let i = 0; i < k; i++) {
    const g = level[i] as number;
    rows[next[g] as number] = i;
    next[g] = (next[g] as number) + 1;
  }
  return { intercept, level, size, start, rows };
}
