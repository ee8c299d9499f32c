/**
 * Independent blocks of a multilevel/multivariate model: rows that share a level of any random term (for
 * `inner | outer` terms: a level of outer) or have a non-zero sampling covariance belong to one block; the
 * marginal covariance M = V + Σ ZΛZᵀ is block-diagonal over these blocks, so every likelihood computation
 * works block by block and never forms a k × k matrix. Nested designs (studies within districts) give one
 * block per top-level cluster; crossed terms merge clusters.
 *
 * Within a block, each term's random effects are the columns of an indicator matrix Z_t: one column per
 * level (intercept terms) or per (outer, inner) pair (struct terms) present in the block.
 *
 * A block is *compound-symmetric* when V is diagonal in it and every term is an intercept term that is either
 * constant in the block (one level: Z = 1) or gives each row its own level (Z = I): then
 * M_b = diag(vᵢ + Σ σ²_I) + (Σ σ²_C)·11ᵀ, which the likelihood inverts in closed form (Sherman–Morrison).
 * Three-level models (`~ 1 | study/es`) have only such blocks.
 */
import type { RandomTerm } from './random-terms.ts';
import type { SamplingCovariance } from '../../effects/sampling-covariance.ts';

interface TermColumns {
  /** Number of random effects of the term in the block. */
  readonly q: number;
  /** Column of each row of the block (0 … q − 1). */
  readonly colOfRow: Int32Array;
  /** For struct terms: the outer level and inner level of each column. */
  readonly outer: Int32Array;
  readonly inner: Int32Array;
}

export interface Block {
  /** Rows of the data in the block, ascending. */
  readonly rows: Int32Array;
  /** Each term's columns (empty for compound-symmetric blocks, which do not need them). */
  readonly terms: readonly TermColumns[];
  /** V restricted to the block, row-major n × n (null for compound-symmetric blocks: V is diagonal there). */
  readonly V: Float64Array | null;
  /** Compound-symmetric block: per term, 1 when it gives each row its own level (Z = I), 0 when constant (Z = 1); else null. */
  readonly compound: Int8Array | null;
}

/** Union–find over k rows. */
class DisjointSets {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    const p = this.parent;
    while (p[i] !== i) {
      p[i] = p[p[i] as number] as number;
      i = p[i] as number;
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a),
      rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** Partitions the k rows into independent blocks (ordered by their first row). */
export function independentBlocks(k: number, terms: readonly RandomTerm[], V: SamplingCovariance): Block[] {
  const sets = new DisjointSets(k);
  for (const t of terms) {
    const key = t.kind === 'intercept' ? t.level : t.outerLevel;
    const n = t.kind === 'intercept' ? t.levels.length : t.outerLevels.length;
    const first = new Int32Array(n).fill(-1);
    for (let i = 0; i < k; i++) {
      const l = key[i] as number;
      const f = first[l] as number;
      if (f < 0) first[l] = i;
      else sets.union(f, i);
    }
  }
  for (const c of V.pairs) sets.union(c.i, c.j);
  // rows of each block, by root, in ascending order
  const root = new Int32Array(k);
  const count = new Int32Array(k);
  for (let i = 0; i < k; i++) {
    const r = sets.find(i);
    root[i] = r;
    count[r] = (count[r] as number) + 1;
  }
  // blocks in order of their first row; their rows are views of one buffer
  const blockOfRoot = new Int32Array(k).fill(-1);
  const start: number[] = [];
  let nb = 0,
    offset = 0;
  for (let i = 0; i < k; i++) {
    const r = root[i] as number;
    if (blockOfRoot[r] === -1) {
      blockOfRoot[r] = nb++;
      start.push(offset);
      offset += count[r] as number;
    }
  }
  const buffer = new Int32Array(k);
  const fill = Int32Array.from(start);
  for (let i = 0; i < k; i++) {
    const b = blockOfRoot[root[i] as number] as number;
    buffer[fill[b] as number] = i;
    fill[b] = (fill[b] as number) + 1;
  }
  const members = start.map((s0, b) => buffer.subarray(s0, fill[b] as number));
  // covariances by block
  const covs = new Map<number, { i: number; j: number; cov: number }[]>();
  for (const c of V.pairs) {
    const b = blockOfRoot[root[c.i] as number] as number;
    const l = covs.get(b);
    if (l) l.push(c);
    else covs.set(b, [c]);
  }
  const allIntercept = terms.every((t) => t.kind === 'intercept');
  // level → column within the current block, reset by block stamp
  const stamps = terms.map((t) =>
    new Int32Array(t.kind === 'intercept' ? t.levels.length : t.outerLevels.length * t.innerLevels.length).fill(-1),
  );
  const colOf = terms.map(
    (t) => new Int32Array(t.kind === 'intercept' ? t.levels.length : t.outerLevels.length * t.innerLevels.length),
  );
  const local = new Int32Array(k);
  const kindCache = new Map<string, Int8Array>();
  const keyOf = (t: RandomTerm, r: number) =>
    t.kind === 'intercept'
      ? (t.level[r] as number)
      : (t.outerLevel[r] as number) * t.innerLevels.length + (t.innerLevel[r] as number);
  let stampNo = 0;
  return members.map((rows, bi) => {
    const n = rows.length;
    // compound-symmetric? (V diagonal here, every term an intercept term with 1 or n levels in the block)
    const bcovs = covs.get(bi) ?? [];
    let compound = bcovs.length === 0 && allIntercept;
    let pattern = '';
    if (compound)
      for (let ti = 0; ti < terms.length && compound; ti++) {
        const t = terms[ti] as RandomTerm;
        const stamp = stamps[ti] as Int32Array;
        stampNo++;
        let q = 0;
        for (let i = 0; i < n; i++) {
          const key = keyOf(t, rows[i] as number);
          if (stamp[key] !== stampNo) {
            stamp[key] = stampNo;
            q++;
          }
        }
        if (q === 1) pattern += '0';
        else if (q === n) pattern += '1';
        else compound = false;
      }
    if (compound) {
      let kinds = kindCache.get(pattern);
      if (kinds === undefined) {
        kinds = Int8Array.from(pattern, (ch) => (ch === '1' ? 1 : 0));
        kindCache.set(pattern, kinds);
      }
      return { rows, terms: [], V: null, compound: kinds };
    }
    for (let i = 0; i < n; i++) local[rows[i] as number] = i;
    const Vb = new Float64Array(n * n);
    for (let i = 0; i < n; i++) Vb[i * n + i] = V.diag[rows[i] as number] as number;
    for (const c of bcovs) {
      const a = local[c.i] as number,
        b = local[c.j] as number;
      Vb[a * n + b] = c.cov;
      Vb[b * n + a] = c.cov;
    }
    const cols = terms.map((t, ti): TermColumns => {
      const colOfRow = new Int32Array(n);
      const stamp = stamps[ti] as Int32Array,
        col = colOf[ti] as Int32Array;
      const outer: number[] = [],
        inner: number[] = [];
      stampNo++;
      let q = 0;
      for (let i = 0; i < n; i++) {
        const r = rows[i] as number;
        const key = keyOf(t, r);
        if (stamp[key] !== stampNo) {
          stamp[key] = stampNo;
          col[key] = q++;
          if (t.kind === 'struct') {
            outer.push(t.outerLevel[r] as number);
            inner.push(t.innerLevel[r] as number);
          }
        }
        colOfRow[i] = col[key] as number;
      }
      return { q, colOfRow, outer: Int32Array.from(outer), inner: Int32Array.from(inner) };
    });
    return { rows, terms: cols, V: Vb, compound: null };
  });
}
