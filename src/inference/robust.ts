/**
 * Cluster-robust (sandwich) inference for the coefficients of an `rma.uni` or `rma.mv` fit: metafor's
 * `robust()` (CR0/CR1, t and F tests with df = clusters − p) and clubSandwich's CR2 (bias-reduced
 * linearisation) with Satterthwaite degrees of freedom and the approximate Hotelling's T² (HTZ) test.
 *
 * With weights W = M⁻¹ (the fitted marginal covariance M, block-diagonal), bread B = (XᵀWX)⁻¹, residuals
 * e = y − Xb and clusters j = 1 … n:
 *
 * ```text
 * CR0:  V = B [Σ_j u_j u_jᵀ] B,   u_j = (XᵀW)_{·j} e_j                         (Liang & Zeger 1986)
 * CR1:  V_CR0 · n/(n − p);   t tests with n − p df; F(m, n − p) for m coefficients   (metafor robust(adjust = TRUE))
 * CR2:  u_j = X_jᵀW_j A_j e_j,  A_j = D_jᵀ B_j^{+1/2} D_j,  B_j = D_j(M_jj − X_j B X_jᵀ)D_jᵀ,  M_jj = D_jᵀD_j
 *       (working model M, so that E[V_CR2] = B exactly: Bell & McCaffrey 2002; Pustejovsky & Tipton 2018)
 * Satterthwaite df for cᵀb:  ν = (Σ_j S_jj)² / Σ_ij S_ij²,
 *       S_ij = g_iᵀ[δ_ij M_jj − X_i B X_jᵀ]g_j,  g_j = A_j W_j X_j B c
 * HTZ for q constraints Cb = 0:  Q = (Cb)ᵀ(C V_CR2 Cᵀ)⁻¹(Cb),  with c_s the rows of Ω^{−1/2}C, Ω = E[C V_CR2 Cᵀ],
 *       η = q(q + 1) / Σ_{s,t} Σ_{i,j} [S^{ss}_ij S^{tt}_ij + S^{st}_ij S^{ts}_ij],
 *       F = (η − q + 1)/(ηq) · Q ~ F(q, η − q + 1)
 * ```
 *
 * CR2 requires clusters that contain whole blocks of M (random effects nested within clusters). Sums over
 * pairs of clusters are evaluated through p × p matrices (Σ_j h_j h_jᵀ), so the cost is linear in n.
 *
 * References: Hedges LV, Tipton E, Johnson MC (2010). Robust variance estimation in meta-regression with
 * dependent effect size estimates. Res Synth Methods 1(1):39–65; Tipton E, Pustejovsky JE (2015). Small-sample
 * adjustments for tests of moderators and model fit using robust variance estimation in meta-regression.
 * J Educ Behav Stat 40(6):604–634; Pustejovsky JE, Tipton E (2018). Small-sample methods for cluster-robust
 * variance estimation and hypothesis testing in fixed effects models. J Bus Econ Stat 36(4):672–683.
 * Cross-check: `metafor::robust(res, cluster)`, `clubSandwich::coef_test(res, vcov = "CR2")`, `Wald_test(…, test = "HTZ")`.
 */
import { EvsynthError } from '../core/errors.ts';
import { assertLevel } from '../core/validate.ts';
import { cholesky, choleskyInverse, inverseQuadraticForm } from '../core/numeric/linalg.ts';
import { inverseSquareRoot } from '../core/numeric/eigen.ts';
import { pfUpper } from '../distributions/index.ts';
import { waldTest } from '../models/wald.ts';
import type { Design } from '../models/design.ts';
import type { RmaMvFit } from '../models/mv/rma-mv.ts';
import type { RmaFit } from '../models/rma.ts';

export const ROBUST_TYPES = ['CR0', 'CR1', 'CR2'] as const;
export type RobustType = (typeof ROBUST_TYPES)[number];

export interface RobustOptions {
  /** CR1 (metafor's default), CR0 (no small-sample factor) or CR2 (clubSandwich). */
  readonly type?: RobustType;
  /** Coefficients of the omnibus test (0-based; default: the fit's). */
  readonly btt?: readonly number[];
  readonly level?: number;
}

export interface RobustCoefficient {
  readonly name: string;
  readonly estimate: number;
  readonly se: number;
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
  readonly ciLower: number;
  readonly ciUpper: number;
}

export interface RobustResult {
  readonly type: RobustType;
  readonly level: number;
  /** Number of clusters and estimates per cluster. */
  readonly clusters: number;
  readonly clusterSizes: { readonly min: number; readonly max: number; readonly mean: number; readonly median: number };
  readonly coefficients: readonly RobustCoefficient[];
  readonly vb: readonly (readonly number[])[];
  /** Omnibus test of `btt`: F statistic (HTZ for CR2), its df and p-value. */
  readonly QM: number;
  readonly QMdf: readonly [number, number];
  readonly QMp: number;
  readonly btt: readonly number[];
  readonly warnings: readonly string[];
}

/** The weighted least-squares problem behind a fit: y, X, b and the blocks of the marginal covariance M. */
interface WlsProblem {
  readonly y: Float64Array;
  readonly design: Design;
  readonly beta: readonly number[];
  readonly names: readonly string[];
  readonly rows: readonly Int32Array[];
  readonly M: readonly Float64Array[];
  readonly btt: readonly number[];
}

function problemOf(fit: RmaFit | RmaMvFit): WlsProblem {
  const beta = fit.coefficients.map((c) => c.estimate);
  const names = fit.coefficients.map((c) => c.name);
  if (fit.kind === 'rma.mv') {
    const m = fit.marginal();
    return { y: fit.yi, design: fit.design, beta, names, rows: m.rows, M: m.M, btt: fit.btt };
  }
  const rows = Array.from({ length: fit.k }, (_, i) => Int32Array.of(i));
  const M = Array.from(fit.vi, (v) => Float64Array.of(v + fit.tau2));
  return { y: fit.yi, design: fit.design, beta, names, rows, M, btt: fit.btt };
}

/**
 * Cluster-robust tests and CIs for the coefficients of `fit` (see the module comment). `cluster` gives the
 * cluster of each estimate of the fit, in the fit's order.
 * @throws EvsynthError LENGTH_MISMATCH, TOO_FEW_STUDIES (fewer clusters than p + 1), INVALID_ARGUMENT
 */
export function robust(fit: RmaFit | RmaMvFit, cluster: readonly string[], options: RobustOptions = {}): RobustResult {
  const type = options.type ?? 'CR1';
  if (!ROBUST_TYPES.includes(type))
    throw new EvsynthError(
      'UNKNOWN_OPTION_VALUE',
      `vcov '${String(type)}'; expected one of ${ROBUST_TYPES.join(', ')}`,
    );
  const level = options.level ?? fit.level;
  assertLevel(level, 'robust');
  const P = problemOf(fit);
  const { design, y } = P;
  const { k, p, x } = design;
  if (cluster.length !== k)
    throw new EvsynthError('LENGTH_MISMATCH', `robust: ${cluster.length} cluster values for ${k} estimates`);
  // clusters
  const ids = new Map<string, number>();
  const clusterOf = Int32Array.from(cluster, (c) => {
    let id = ids.get(c);
    if (id === undefined) {
      id = ids.size;
      ids.set(c, id);
    }
    return id;
  });
  const n = ids.size;
  if (n < 2)
    throw new EvsynthError(
      'TOO_FEW_STUDIES',
      `robust: only one cluster ('${cluster[0] ?? ''}'); cluster-robust inference needs at least two`,
    );
  if (n <= p)
    throw new EvsynthError(
      'TOO_FEW_STUDIES',
      `robust: ${n} clusters for ${p} coefficients; cluster-robust inference needs more clusters than coefficients`,
    );
  const members: number[][] = Array.from({ length: n }, () => []);
  clusterOf.forEach((c, i) => members[c]!.push(i));
  const sizes = members.map((m) => m.length).sort((a, b) => a - b);
  const warnings: string[] = [];

  // bread B = (XᵀWX)⁻¹, G = WX (k × p), e = y − Xb
  const A = new Float64Array(p * p);
  const G = new Float64Array(k * p);
  const blockOf = new Int32Array(k);
  const Minv: Float64Array[] = [];
  P.rows.forEach((rows, bi) => {
    const nb = rows.length;
    const L = Float64Array.from(P.M[bi] as Float64Array);
    cholesky(L, nb);
    const inv = new Float64Array(nb * nb);
    choleskyInverse(L, nb, inv);
    Minv.push(inv);
    rows.forEach((r, i) => {
      blockOf[r] = bi;
      for (let s = 0; s < p; s++) {
        let acc = 0;
        for (let j = 0; j < nb; j++) acc += (inv[i * nb + j] as number) * (x[(rows[j] as number) * p + s] as number);
        G[r * p + s] = acc;
      }
    });
  });
  for (let i = 0; i < k; i++)
    for (let r = 0; r < p; r++)
      for (let s = 0; s < p; s++)
        A[r * p + s] = (A[r * p + s] as number) + (x[i * p + r] as number) * (G[i * p + s] as number);
  const Lb = Float64Array.from(A);
  cholesky(Lb, p);
  const B = new Float64Array(p * p);
  choleskyInverse(Lb, p, B);
  const e = Float64Array.from(y, (yi, i) => {
    let f = 0;
    for (let s = 0; s < p; s++) f += (x[i * p + s] as number) * (P.beta[s] as number);
    return yi - f;
  });

  // estimating functions u_j (p-vectors), CR2-adjusted when asked
  const U = new Float64Array(n * p);
  const cr2: Cr2Cluster[] = [];
  if (type === 'CR2') {
    for (let j = 0; j < n; j++) cr2.push(cr2Cluster(members[j] as number[], P, blockOf, B));
    cr2.forEach((c, j) => {
      // u_j = X_jᵀ W_j A_j e_j
      const ae = c.matVec(
        c.A,
        c.rows.map((r) => e[r] as number),
      );
      const wae = c.matVec(c.Winv, ae);
      for (let s = 0; s < p; s++) {
        let acc = 0;
        c.rows.forEach((r, i) => (acc += (x[r * p + s] as number) * (wae[i] as number)));
        U[j * p + s] = acc;
      }
    });
  } else {
    for (let i = 0; i < k; i++) {
      const j = clusterOf[i] as number;
      for (let s = 0; s < p; s++) U[j * p + s] = (U[j * p + s] as number) + (G[i * p + s] as number) * (e[i] as number);
    }
  }
  const meat = new Float64Array(p * p);
  for (let j = 0; j < n; j++)
    for (let r = 0; r < p; r++)
      for (let s = 0; s < p; s++)
        meat[r * p + s] = (meat[r * p + s] as number) + (U[j * p + r] as number) * (U[j * p + s] as number);
  const factor = type === 'CR1' ? n / (n - p) : 1;
  const Vr = matMul(matMul(B, meat, p), B, p).map((v) => v * factor);
  const vb = Array.from({ length: p }, (_, r) => Array.from({ length: p }, (_, s) => Vr[r * p + s] as number));

  // A coefficient estimated within one cluster (e.g. a factor level whose rows all lie in one cluster) has no
  // between-cluster variation: its sandwich variance is 0 up to rounding (metafor and clubSandwich print that
  // rounding noise). It is told from a variance that is merely small (nearly homogeneous data) by the terms it is
  // made of, tᵢ = (B·gᵢ)_r·eᵢ: terms whose influence |(B·gᵢ)_r| or residual |eᵢ| is at rounding level (below
  // 1e-10 of the largest influence, or of the largest |yᵢ|) count as 0, and the variance is rounding when these
  // terms sum to 0, or when it is below 1e-16 of Σ_j (Σ_{i∈j} |tᵢ|)² (cancellation within clusters). It is then
  // set to 0, and the user is told that its robust test is not meaningful.
  const noCancel = new Float64Array(p);
  {
    const bg = new Float64Array(k * p);
    const maxBg = new Float64Array(p);
    for (let i = 0; i < k; i++)
      for (let r = 0; r < p; r++) {
        let acc = 0;
        for (let s = 0; s < p; s++) acc += (B[r * p + s] as number) * (G[i * p + s] as number);
        bg[i * p + r] = acc;
        maxBg[r] = Math.max(maxBg[r] as number, Math.abs(acc));
      }
    let maxY = 0;
    for (let i = 0; i < k; i++) maxY = Math.max(maxY, Math.abs(y[i] as number));
    const absSum = new Float64Array(n * p);
    for (let i = 0; i < k; i++) {
      const ei = e[i] as number;
      if (!(Math.abs(ei) > 1e-10 * maxY)) continue;
      const j = clusterOf[i] as number;
      for (let r = 0; r < p; r++) {
        const b = bg[i * p + r] as number;
        if (Math.abs(b) > 1e-10 * (maxBg[r] as number))
          absSum[j * p + r] = (absSum[j * p + r] as number) + Math.abs(b * ei);
      }
    }
    for (let j = 0; j < n; j++)
      for (let r = 0; r < p; r++) noCancel[r] = (noCancel[r] as number) + (absSum[j * p + r] as number) ** 2;
  }
  const degenerate: string[] = [];
  fit.coefficients.forEach((c, r) => {
    const row = vb[r] as number[];
    if (noCancel[r] === 0 || (row[r] as number) <= 1e-16 * (noCancel[r] as number)) {
      degenerate.push(c.name);
      for (let s = 0; s < p; s++) {
        row[s] = 0;
        (vb[s] as number[])[r] = 0;
      }
    }
  });
  if (degenerate.length > 0)
    warnings.push(
      `cluster-robust: ${degenerate.join(', ')} ${degenerate.length === 1 ? 'is' : 'are'} estimated within a single cluster (no variation between clusters): robust SE 0, so ${degenerate.length === 1 ? 'its tests and CI are' : 'their tests and CIs are'} not meaningful; cluster at a level that varies within the moderator, or drop it`,
    );

  // per-coefficient tests
  const coefficients = P.beta.map((b, r) => {
    const se = Math.sqrt(vb[r]?.[r] as number);
    let df = n - p;
    if (type === 'CR2') {
      const c = new Float64Array(p);
      c[r] = 1;
      df = htzDf([c], cr2, B, p, x);
    }
    return { name: P.names[r] ?? `b${r}`, ...waldTest(b, se, level, df), df };
  });

  // omnibus test
  const btt = options.btt ?? P.btt;
  if (btt.length === 0 || btt.some((j) => !(Number.isInteger(j) && j >= 0 && j < p)))
    throw new EvsynthError('INVALID_ARGUMENT', `robust: btt must name coefficients 1 to ${p}`);
  const m = btt.length;
  const sub = btt.flatMap((r) => btt.map((s) => vb[r]?.[s] as number));
  const wald = inverseQuadraticForm(
    sub,
    btt.map((j) => P.beta[j] as number),
    m,
  );
  let QM: number, QMdf: [number, number];
  if (type === 'CR2') {
    // normalised constraint rows c_s = (Ω^{−1/2} C)_s, Ω = E[C V_CR2 Cᵀ] under the working model (= CBCᵀ unless
    // an adjustment matrix is rank-deficient, e.g. a factor level observed in one cluster only)
    const raw = btt.map((col) => {
      const c = new Float64Array(p);
      c[col] = 1;
      return c;
    });
    const Omega = expectedCovariance(raw, cr2, B, p, x);
    const R = inverseSquareRoot(Omega, m);
    const rowsC = Array.from({ length: m }, (_, s) => {
      const c = new Float64Array(p);
      btt.forEach((col, t) => (c[col] = R[s * m + t] as number));
      return c;
    });
    const eta = (m * (m + 1)) / htzTotal(rowsC, cr2, B, p, x);
    QM = ((eta - m + 1) / (eta * m)) * wald;
    QMdf = [m, eta - m + 1];
  } else {
    QM = wald / m;
    QMdf = [m, n - p];
  }
  const QMp = pfUpper(QM, QMdf[0], QMdf[1]);
  return {
    type,
    level,
    clusters: n,
    clusterSizes: {
      min: sizes[0] as number,
      max: sizes[n - 1] as number,
      mean: k / n,
      median: n % 2 ? (sizes[(n - 1) / 2] as number) : ((sizes[n / 2 - 1] as number) + (sizes[n / 2] as number)) / 2,
    },
    coefficients,
    vb,
    QM,
    QMdf,
    QMp,
    btt,
    warnings,
  };
}

function matMul(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const out = new Float64Array(p * p);
  for (let r = 0; r < p; r++)
    for (let s = 0; s < p; s++) {
      let acc = 0;
      for (let m = 0; m < p; m++) acc += (a[r * p + m] as number) * (b[m * p + s] as number);
      out[r * p + s] = acc;
    }
  return out;
}

/** One cluster's CR2 pieces: its rows, M_jj, W_j = M_jj⁻¹ and the adjustment A_j. */
interface Cr2Cluster {
  readonly rows: readonly number[];
  readonly M: Float64Array;
  readonly Winv: Float64Array;
  readonly A: Float64Array;
  matVec(m: Float64Array, v: readonly number[] | Float64Array): Float64Array;
}

function cr2Cluster(rows: readonly number[], P: WlsProblem, blockOf: Int32Array, B: Float64Array): Cr2Cluster {
  const nj = rows.length;
  const { p, x } = P.design;
  // M_jj from the blocks of M in the cluster, which must lie wholly inside it
  const M = new Float64Array(nj * nj);
  const pos = new Map<number, number>();
  rows.forEach((r, i) => pos.set(r, i));
  const done = new Set<number>();
  for (const r of rows) {
    const bi = blockOf[r] as number;
    if (done.has(bi)) continue;
    done.add(bi);
    const brows = P.rows[bi] as Int32Array;
    const nb = brows.length;
    const at = new Int32Array(nb);
    for (let i = 0; i < nb; i++) {
      const q = pos.get(brows[i] as number);
      if (q === undefined)
        throw new EvsynthError(
          'INVALID_ARGUMENT',
          'CR2 needs clusters that contain whole groups of correlated estimates: the random effects (or V) link estimates of different clusters; cluster at the level of the outermost random effect (or above)',
        );
      at[i] = q;
    }
    const Mb = P.M[bi] as Float64Array;
    for (let i = 0; i < nb; i++)
      for (let j = 0; j < nb; j++) M[(at[i] as number) * nj + (at[j] as number)] = Mb[i * nb + j] as number;
  }
  const L = Float64Array.from(M);
  cholesky(L, nj);
  const Winv = new Float64Array(nj * nj);
  choleskyInverse(L, nj, Winv);
  // D = Lᵀ (upper), M = DᵀD; Bj = D (M − X B Xᵀ) Dᵀ
  const R = new Float64Array(nj * nj);
  for (let a = 0; a < nj; a++)
    for (let b = 0; b < nj; b++) {
      let xbx = 0;
      const ra = rows[a] as number,
        rb = rows[b] as number;
      for (let r = 0; r < p; r++)
        for (let s = 0; s < p; s++)
          xbx += (x[ra * p + r] as number) * (B[r * p + s] as number) * (x[rb * p + s] as number);
      R[a * nj + b] = (M[a * nj + b] as number) - xbx;
    }
  const D = new Float64Array(nj * nj);
  for (let i = 0; i < nj; i++) for (let j = 0; j <= i; j++) D[j * nj + i] = L[i * nj + j] as number;
  // Bj = D R Dᵀ as (D R) Dᵀ: O(n³)
  const DR = new Float64Array(nj * nj);
  for (let a = 0; a < nj; a++)
    for (let c = a; c < nj; c++) {
      const dac = D[a * nj + c] as number;
      if (dac === 0) continue;
      for (let d = 0; d < nj; d++) DR[a * nj + d] = (DR[a * nj + d] as number) + dac * (R[c * nj + d] as number);
    }
  const Bj = new Float64Array(nj * nj);
  for (let a = 0; a < nj; a++)
    for (let b = 0; b < nj; b++) {
      let acc = 0;
      for (let d = b; d < nj; d++) acc += (DR[a * nj + d] as number) * (D[b * nj + d] as number);
      Bj[a * nj + b] = acc;
    }
  // B_j = D(M_jj − X_j B X_jᵀ)Dᵀ is a difference at the scale of D M_jj Dᵀ = (DDᵀ)², whose eigenvalues are those of
  // M_jj squared (≤ tr(M_jj)²): where a cluster alone determines a coefficient (e.g. a factor level in one cluster),
  // B_j is singular and its null directions are rounding error at that scale, to be dropped by the pseudo-inverse
  let trM = 0;
  for (let i = 0; i < nj; i++) trM += M[i * nj + i] as number;
  const S = inverseSquareRoot(Bj, nj, 1e-12, trM * trM);
  // A = Dᵀ S D
  const Dt = new Float64Array(nj * nj);
  for (let a = 0; a < nj; a++) for (let b = 0; b < nj; b++) Dt[a * nj + b] = D[b * nj + a] as number;
  const A = matMul(Dt, matMul(S, D, nj), nj);
  const matVec = (m: Float64Array, v: readonly number[] | Float64Array) => {
    const out = new Float64Array(nj);
    for (let a = 0; a < nj; a++) {
      let acc = 0;
      for (let b = 0; b < nj; b++) acc += (m[a * nj + b] as number) * (v[b] as number);
      out[a] = acc;
    }
    return out;
  };
  return { rows, M, Winv, A, matVec };
}

/** g_j = A_j W_j X_j B c and h_j = X_jᵀ g_j, φ_j(s, t) = g_sjᵀ M_jj g_tj for each constraint row c_s. */
function clusterTerms(
  rowsC: readonly Float64Array[],
  cr2: readonly Cr2Cluster[],
  B: Float64Array,
  p: number,
  x: Float64Array,
) {
  const Bc = rowsC.map((c) =>
    Float64Array.from({ length: p }, (_, r) => {
      let acc = 0;
      for (let s = 0; s < p; s++) acc += (B[r * p + s] as number) * (c[s] as number);
      return acc;
    }),
  );
  return cr2.map((cl) => {
    const g = Bc.map((bc) => {
      const xbc = cl.rows.map((r) => {
        let acc = 0;
        for (let s = 0; s < p; s++) acc += (x[r * p + s] as number) * (bc[s] as number);
        return acc;
      });
      return cl.matVec(cl.A, cl.matVec(cl.Winv, xbc));
    });
    const h = g.map((gs) =>
      Float64Array.from({ length: p }, (_, s) => {
        let acc = 0;
        cl.rows.forEach((r, i) => (acc += (x[r * p + s] as number) * (gs[i] as number)));
        return acc;
      }),
    );
    const phi = g.map((gs) => g.map((gt) => cl.matVec(cl.M, gt).reduce((acc, v, i) => acc + v * (gs[i] as number), 0)));
    return { h, phi };
  });
}

/** E[c_sᵀ V_CR2 c_t] = Σ_j S^{st}_jj under the working model, for the constraint rows c_s (q × q, row-major). */
function expectedCovariance(
  rowsC: readonly Float64Array[],
  cr2: readonly Cr2Cluster[],
  B: Float64Array,
  p: number,
  x: Float64Array,
): Float64Array {
  const q = rowsC.length;
  const out = new Float64Array(q * q);
  for (const { h, phi } of clusterTerms(rowsC, cr2, B, p, x))
    for (let s = 0; s < q; s++)
      for (let t = 0; t < q; t++)
        out[s * q + t] =
          (out[s * q + t] as number) + (phi[s]![t] as number) - quadB(h[s] as Float64Array, B, h[t] as Float64Array, p);
  return out;
}

const quadB = (a: Float64Array, B: Float64Array, b: Float64Array, p: number) => {
  let acc = 0;
  for (let r = 0; r < p; r++)
    for (let s = 0; s < p; s++) acc += (a[r] as number) * (B[r * p + s] as number) * (b[s] as number);
  return acc;
};

/**
 * Σ_{s,t} Σ_{i,j} [S^{ss}_ij S^{tt}_ij + S^{st}_ij S^{ts}_ij] with S^{st}_ij = δ_ij φ_j(s,t) − h_siᵀBh_tj, the sums over
 * cluster pairs done through K_st = Σ_j h_sj h_tjᵀ: Σ_ij (h_siᵀBh_sj)(h_tiᵀBh_tj) = tr(B K_st B K_ts) and
 * Σ_ij (h_siᵀBh_tj)(h_tiᵀBh_sj) = tr(B K_ts B K_ts).
 */
function htzTotal(
  rowsC: readonly Float64Array[],
  cr2: readonly Cr2Cluster[],
  B: Float64Array,
  p: number,
  x: Float64Array,
): number {
  const q = rowsC.length;
  const terms = clusterTerms(rowsC, cr2, B, p, x);
  const K = Array.from({ length: q * q }, () => new Float64Array(p * p));
  for (const { h } of terms)
    for (let s = 0; s < q; s++)
      for (let t = 0; t < q; t++) {
        const Kst = K[s * q + t] as Float64Array;
        const hs = h[s] as Float64Array,
          ht = h[t] as Float64Array;
        for (let r = 0; r < p; r++)
          for (let c = 0; c < p; c++)
            Kst[r * p + c] = (Kst[r * p + c] as number) + (hs[r] as number) * (ht[c] as number);
      }
  const trBKBK = (K1: Float64Array, K2: Float64Array) => {
    const BK1 = matMul(B, K1, p),
      BK2 = matMul(B, K2, p);
    let acc = 0;
    for (let r = 0; r < p; r++)
      for (let c = 0; c < p; c++) acc += (BK1[r * p + c] as number) * (BK2[c * p + r] as number);
    return acc;
  };
  let total = 0;
  for (let s = 0; s < q; s++)
    for (let t = 0; t < q; t++) {
      // all pairs (i, j) of the cross terms, then the diagonal corrected to δ_ij φ − h B h
      total +=
        trBKBK(K[s * q + t] as Float64Array, K[t * q + s] as Float64Array) +
        trBKBK(K[t * q + s] as Float64Array, K[t * q + s] as Float64Array);
      for (const { h, phi } of terms) {
        const hs = h[s] as Float64Array,
          ht = h[t] as Float64Array;
        const bss = quadB(hs, B, hs, p),
          btt = quadB(ht, B, ht, p),
          bst = quadB(hs, B, ht, p),
          bts = quadB(ht, B, hs, p);
        const pss = phi[s]![s] as number,
          ptt = phi[t]![t] as number,
          pst = phi[s]![t] as number,
          pts = phi[t]![s] as number;
        total += (pss - bss) * (ptt - btt) - bss * btt + (pst - bst) * (pts - bts) - bst * bts;
      }
    }
  return total;
}

/** Satterthwaite df of cᵀb for one constraint row (unnormalised): (Σ_j S_jj)² / Σ_ij S_ij². */
function htzDf(
  rowsC: readonly Float64Array[],
  cr2: readonly Cr2Cluster[],
  B: Float64Array,
  p: number,
  x: Float64Array,
): number {
  const terms = clusterTerms(rowsC, cr2, B, p, x);
  let E = 0;
  for (const { h, phi } of terms) E += (phi[0]![0] as number) - quadB(h[0] as Float64Array, B, h[0] as Float64Array, p);
  return (2 * E * E) / htzTotal(rowsC, cr2, B, p, x);
}
