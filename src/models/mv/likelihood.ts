/**
 * The (restricted) log-likelihood of the multilevel/multivariate model y ~ N(Xβ, M(θ)),
 * M(θ) = V + Σ_t Z_t Λ_t(θ) Z_tᵀ, with its gradient, observed Hessian and expected (Fisher) information in
 * the variance/correlation parameters θ, computed block by block (see ./blocks.ts) without any k × k matrix.
 *
 * ```text
 * ML:    ℓ = −½ [k log 2π + log|M| + rᵀM⁻¹r]                                  r = y − Xβ̂(θ)
 * REML:  ℓ = −½ [(k − p) log 2π + log|M| + log|XᵀM⁻¹X| − log|XᵀX| + rᵀM⁻¹r]
 * P = M⁻¹ − M⁻¹X(XᵀM⁻¹X)⁻¹XᵀM⁻¹,   D_a = ∂M/∂θ_a,   D_ab = ∂²M/∂θ_a∂θ_b
 * ∂ℓ/∂θ_a     = −½ tr(Π D_a) + ½ yᵀP D_a P y                         (Π = P for REML, M⁻¹ for ML)
 * ∂²ℓ/∂θ_a∂θ_b = ½ tr(Π D_a Π D_b) − ½ tr(Π D_ab) − yᵀP D_a P D_b P y + ½ yᵀP D_ab P y
 * Fisher information 𝓘_ab = ½ tr(Π D_a Π D_b)
 * ```
 *
 * Within block b, with L the Cholesky factor of M_b and W = L⁻¹[X_b y_b Z_1 … Z_T], every quantity above
 * is a sum over blocks of products of the Gram matrix C = WᵀW (entries XᵀM⁻¹X, Z_tᵀM⁻¹Z_s, …) with the
 * small matrices Δ_a = ∂Λ_t/∂θ_a: e.g. tr(M⁻¹D_a M⁻¹D_b) = Σ_b tr(Δ_a C_ts Δ_b C_st). The cost is
 * O(Σ_b n_b³ + n_b d_b²), d_b = p + 1 + Σ_t q_t: linear in the number of clusters. Compound-symmetric blocks
 * (./blocks.ts; every block of a three-level model) use the closed form of Sherman–Morrison instead,
 *
 * ```text
 * M_b = diag(d) + s·11ᵀ,  w = 1/d,  S = Σwᵢ,  g = s/(1 + sS):   M_b⁻¹ = diag(w) − g·wwᵀ,  log|M_b| = Σ log dᵢ + log(1 + sS)
 * ```
 *
 * so that each costs O(n_b p²).
 *
 * References: Harville DA (1977). Maximum likelihood approaches to variance component estimation and to
 * related problems. J Am Stat Assoc 72(358):320–338; Searle SR, Casella G, McCulloch CE (1992). Variance
 * Components, ch. 6; Viechtbauer W (2010). J Stat Softw 36(3) (metafor's rma.mv likelihoods).
 */
import { cholesky, choleskyInverse } from '../../core/numeric/linalg.ts';
import type { Design } from '../design.ts';
import { independentBlocks, type Block } from './blocks.ts';
import type { RandomTerm } from './random-terms.ts';
import type { SamplingCovariance } from '../../effects/sampling-covariance.ts';
import { structMatrices, structParameters, type ParameterKind, type StructMatrices } from './structures.ts';
import { sumOfSquaredDeviations } from '../scale.ts';

/** One internal parameter: which term, which of its parameters, and its box. */
export interface ParameterInfo {
  readonly term: number;
  /** Index among the term's parameters. */
  readonly local: number;
  readonly kind: ParameterKind;
  readonly lower: number;
  readonly upper: number;
}

const LOG2PI = Math.log(2 * Math.PI);

export class MvLikelihood {
  readonly k: number;
  readonly p: number;
  readonly restricted: boolean;
  readonly params: readonly ParameterInfo[];
  readonly blocks: readonly Block[];
  readonly terms: readonly RandomTerm[];
  /** Results of the last evaluation. */
  ll = Number.NaN;
  logdetM = 0;
  logdetA = 0;
  rMr = 0;
  readonly beta: Float64Array;
  readonly Ainv: Float64Array;
  readonly gradient: Float64Array;
  /** Observed Hessian ∂²ℓ/∂θ∂θᵀ (row-major m × m). */
  readonly hessian: Float64Array;
  /** Expected information ½ tr(ΠD_aΠD_b). */
  readonly fisher: Float64Array;

  private readonly y: Float64Array;
  private readonly x: Float64Array;
  private readonly vdiag: Float64Array;
  private readonly logdetXtX: number;
  /** Per block: offset of its Gram matrix in `gram`, and the offsets of the terms' columns. */
  private readonly gram: Float64Array;
  private readonly gramOffset: Int32Array;
  private readonly termOffset: Int32Array[];
  private readonly dims: Int32Array;
  private readonly termParams: number[][];
  private structs: (StructMatrices | null)[] = [];
  private sigma: Float64Array;
  // work buffers
  private yMyAcc = 0;
  private readonly sx: Float64Array;
  private readonly wQ: Float64Array;
  private readonly Qrt: Float64Array;
  private readonly QQ: Float64Array;
  private readonly wQQ: Float64Array;
  private readonly Qrow: Float64Array;
  private readonly wBuf: Float64Array;
  private readonly rtBuf: Float64Array;
  // derivative accumulators (see derivatives())
  private readonly trMD: Float64Array;
  private readonly quad: Float64Array;
  private readonly K: Float64Array[];
  private readonly u: Float64Array[];
  private readonly trMDMD: Float64Array;
  private readonly wMw: Float64Array;
  private readonly H: Float64Array[];
  private readonly Mb: Float64Array;
  private readonly Wb: Float64Array;
  private readonly A: Float64Array;
  private readonly c: Float64Array;

  constructor(
    y: ArrayLike<number>,
    design: Design,
    V: SamplingCovariance,
    terms: readonly RandomTerm[],
    restricted: boolean,
    blocks?: readonly Block[],
  ) {
    this.k = y.length;
    this.p = design.p;
    this.y = Float64Array.from(y);
    this.x = design.x;
    this.vdiag = V.diag;
    this.restricted = restricted;
    this.terms = terms;
    this.blocks = blocks ?? independentBlocks(this.k, terms, V);
    const params: ParameterInfo[] = [];
    this.termParams = terms.map((t, ti) => {
      const idx: number[] = [];
      if (t.kind === 'intercept') {
        idx.push(params.length);
        params.push({ term: ti, local: 0, kind: 'variance', lower: 0, upper: Number.POSITIVE_INFINITY });
      } else
        structParameters(t.struct, t.innerLevels.length).forEach((sp, local) => {
          idx.push(params.length);
          params.push({
            term: ti,
            local,
            kind: sp.kind,
            lower: sp.kind === 'correlation' ? -1 : 0,
            upper: sp.kind === 'correlation' ? 1 : Number.POSITIVE_INFINITY,
          });
        });
      return idx;
    });
    this.params = params;
    const m = params.length;
    const p = this.p;
    this.beta = new Float64Array(p);
    this.Ainv = new Float64Array(p * p);
    this.gradient = new Float64Array(m);
    this.hessian = new Float64Array(m * m);
    this.fisher = new Float64Array(m * m);
    this.sigma = new Float64Array(terms.length);
    this.A = new Float64Array(p * p);
    this.c = new Float64Array(p);
    let maxN = 0,
      maxD = 0,
      total = 0;
    this.gramOffset = new Int32Array(this.blocks.length);
    this.dims = new Int32Array(this.blocks.length);
    this.termOffset = this.blocks.map((b, bi) => {
      const offs = new Int32Array(terms.length);
      let d = p + 1;
      b.terms.forEach((tc, ti) => {
        offs[ti] = d;
        d += tc.q;
      });
      this.dims[bi] = d;
      this.gramOffset[bi] = total;
      if (b.compound !== null) return offs;
      total += d * d;
      maxN = Math.max(maxN, b.rows.length);
      maxD = Math.max(maxD, d);
      return offs;
    });
    this.gram = new Float64Array(total);
    this.Mb = new Float64Array(maxN * maxN);
    this.Wb = new Float64Array(maxN * maxD);
    this.sx = new Float64Array(p);
    this.wQ = new Float64Array(p);
    this.Qrt = new Float64Array(p);
    this.QQ = new Float64Array(p * p);
    this.wQQ = new Float64Array(p * p);
    this.Qrow = new Float64Array(p);
    const maxCompound = this.blocks.reduce((mx, b) => (b.compound !== null ? Math.max(mx, b.rows.length) : mx), 1);
    this.wBuf = new Float64Array(maxCompound);
    this.rtBuf = new Float64Array(maxCompound);
    this.trMD = new Float64Array(m);
    this.quad = new Float64Array(m);
    this.K = Array.from({ length: m }, () => new Float64Array(p * p));
    this.u = Array.from({ length: m }, () => new Float64Array(p));
    this.trMDMD = new Float64Array(m * m);
    this.wMw = new Float64Array(m * m);
    this.H = Array.from({ length: m * m }, () => new Float64Array(p * p));
    // log |XᵀX| for the REML constant
    const xtx = new Float64Array(p * p);
    for (let i = 0; i < this.k; i++)
      for (let r = 0; r < p; r++)
        for (let s = 0; s <= r; s++)
          xtx[r * p + s] =
            (xtx[r * p + s] as number) + (design.x[i * p + r] as number) * (design.x[i * p + s] as number);
    this.logdetXtX = p > 0 ? cholesky(xtx, p) : 0;
  }

  /** Slice of θ for term t. */
  private termTheta(theta: ArrayLike<number>, t: number): number[] {
    return (this.termParams[t] as number[]).map((i) => theta[i] as number);
  }

  /**
   * Evaluates ℓ at θ (and, when `derivatives`, its gradient, observed Hessian and Fisher information).
   * Returns false when M(θ) is not positive definite (ℓ = −∞).
   */
  evaluate(theta: ArrayLike<number>, derivatives: boolean): boolean {
    const { p, y, x, A, c, Mb, Wb } = this;
    this.structs = this.terms.map((t, ti) =>
      t.kind === 'struct' ? structMatrices(t.struct, t.innerLevels.length, this.termTheta(theta, ti)) : null,
    );
    this.terms.forEach((t, ti) => {
      if (t.kind === 'intercept') this.sigma[ti] = theta[(this.termParams[ti] as number[])[0] as number] as number;
    });
    A.fill(0);
    c.fill(0);
    this.yMyAcc = 0;
    let yMy = 0,
      logdetM = 0;
    const nTerms = this.terms.length;
    for (let bi = 0; bi < this.blocks.length; bi++) {
      const b = this.blocks[bi] as Block;
      const n = b.rows.length;
      if (b.compound !== null) {
        const ld = this.compoundPass1(b);
        if (!Number.isFinite(ld)) return this.fail();
        logdetM += ld;
        continue;
      }
      // M_b = V_b + Σ_t Z_t Λ_t Z_tᵀ (lower triangle suffices)
      const Vb = b.V as Float64Array;
      for (let i = 0; i < n * n; i++) Mb[i] = Vb[i] as number;
      for (let t = 0; t < nTerms; t++) {
        const tc = b.terms[t]!;
        const col = tc.colOfRow;
        const S = this.structs[t];
        if (S === null || S === undefined) {
          const s2 = this.sigma[t] as number;
          if (s2 === 0) continue;
          for (let i = 0; i < n; i++) {
            const ci = col[i] as number;
            for (let j = 0; j <= i; j++) if (col[j] === ci) Mb[i * n + j] = (Mb[i * n + j] as number) + s2;
          }
        } else {
          const J = (this.terms[t] as { innerLevels: readonly string[] }).innerLevels.length;
          const T = S.T;
          for (let i = 0; i < n; i++) {
            const ci = col[i] as number;
            const oi = tc.outer[ci] as number,
              gi = tc.inner[ci] as number;
            for (let j = 0; j <= i; j++) {
              const cj = col[j] as number;
              if (tc.outer[cj] !== oi) continue;
              Mb[i * n + j] = (Mb[i * n + j] as number) + (T[gi * J + (tc.inner[cj] as number)] as number);
            }
          }
        }
      }
      // Cholesky in place (lower)
      let ld = 0;
      for (let j = 0; j < n; j++) {
        let dsum = Mb[j * n + j] as number;
        for (let m = 0; m < j; m++) dsum -= (Mb[j * n + m] as number) ** 2;
        if (!(dsum > 0) || !Number.isFinite(dsum)) return this.fail();
        const l = Math.sqrt(dsum);
        Mb[j * n + j] = l;
        ld += Math.log(l);
        for (let i = j + 1; i < n; i++) {
          let s = Mb[i * n + j] as number;
          for (let m = 0; m < j; m++) s -= (Mb[i * n + m] as number) * (Mb[j * n + m] as number);
          Mb[i * n + j] = s / l;
        }
      }
      logdetM += 2 * ld;
      // W = L⁻¹ [X y Z…] (row-major n × d), only X and y without derivatives
      const d = derivatives ? (this.dims[bi] as number) : p + 1;
      const offs = this.termOffset[bi] as Int32Array;
      for (let i = 0; i < n; i++) {
        const r = b.rows[i] as number;
        const wi = i * d;
        for (let s = 0; s < p; s++) Wb[wi + s] = x[r * p + s] as number;
        Wb[wi + p] = y[r] as number;
        if (derivatives) {
          for (let s = p + 1; s < d; s++) Wb[wi + s] = 0;
          for (let t = 0; t < nTerms; t++) Wb[wi + (offs[t] as number) + (b.terms[t]!.colOfRow[i] as number)] = 1;
        }
      }
      for (let i = 0; i < n; i++) {
        const wi = i * d;
        for (let m = 0; m < i; m++) {
          const lim = Mb[i * n + m] as number;
          if (lim === 0) continue;
          const wm = m * d;
          for (let s = 0; s < d; s++) Wb[wi + s] = (Wb[wi + s] as number) - lim * (Wb[wm + s] as number);
        }
        const inv = 1 / (Mb[i * n + i] as number);
        for (let s = 0; s < d; s++) Wb[wi + s] = (Wb[wi + s] as number) * inv;
      }
      // Gram
      if (derivatives) {
        const G = this.gram;
        const go = this.gramOffset[bi] as number;
        G.fill(0, go, go + d * d);
        for (let i = 0; i < n; i++) {
          const wi = i * d;
          for (let a = 0; a < d; a++) {
            const wa = Wb[wi + a] as number;
            if (wa === 0) continue;
            const ra = go + a * d;
            for (let s = a; s < d; s++) G[ra + s] = (G[ra + s] as number) + wa * (Wb[wi + s] as number);
          }
        }
        for (let a = 0; a < d; a++) for (let s = 0; s < a; s++) G[go + a * d + s] = G[go + s * d + a] as number;
        for (let r = 0; r < p; r++) {
          for (let s = 0; s < p; s++) A[r * p + s] = (A[r * p + s] as number) + (G[go + r * d + s] as number);
          c[r] = (c[r] as number) + (G[go + r * d + p] as number);
        }
        yMy += G[go + p * d + p] as number;
      } else {
        for (let i = 0; i < n; i++) {
          const wi = i * d;
          const wy = Wb[wi + p] as number;
          yMy += wy * wy;
          for (let r = 0; r < p; r++) {
            const wr = Wb[wi + r] as number;
            c[r] = (c[r] as number) + wr * wy;
            for (let s = 0; s <= r; s++) A[r * p + s] = (A[r * p + s] as number) + wr * (Wb[wi + s] as number);
          }
        }
        for (let r = 0; r < p; r++) for (let s = 0; s < r; s++) A[s * p + r] = A[r * p + s] as number;
      }
    }
    // β = A⁻¹c
    const L = Float64Array.from(A);
    try {
      this.logdetA = p > 0 ? cholesky(L, p) : 0;
    } catch {
      return this.fail();
    }
    choleskyInverse(L, p, this.Ainv);
    yMy += this.yMyAcc;
    let bc = 0;
    for (let r = 0; r < p; r++) {
      let s = 0;
      for (let m = 0; m < p; m++) s += (this.Ainv[r * p + m] as number) * (c[m] as number);
      this.beta[r] = s;
      bc += s * (c[r] as number);
    }
    this.logdetM = logdetM;
    this.rMr = Math.max(0, yMy - bc);
    const k = this.k;
    this.ll = this.restricted
      ? -0.5 * ((k - p) * LOG2PI + logdetM + this.logdetA - this.logdetXtX + this.rMr)
      : -0.5 * (k * LOG2PI + logdetM + this.rMr);
    if (derivatives) this.derivatives();
    return true;
  }

  /** Σ σ² of the block's identity-type (Z = I) and constant-type (Z = 1) terms. */
  private compoundVariances(b: Block): [number, number] {
    const kinds = b.compound as Int8Array;
    let sI = 0,
      sC = 0;
    for (let t = 0; t < kinds.length; t++) {
      if (kinds[t] === 1) sI += this.sigma[t] as number;
      else sC += this.sigma[t] as number;
    }
    return [sI, sC];
  }

  /**
   * Pass 1 of a compound-symmetric block: M_b = diag(v + s_I) + s_C·11ᵀ by Sherman–Morrison. Adds XᵀM⁻¹X,
   * XᵀM⁻¹y and yᵀM⁻¹y; returns log|M_b| (NaN when M_b is not positive definite).
   */
  private compoundPass1(b: Block): number {
    const { p, y, x, A, c, sx } = this;
    const rows = b.rows,
      n = rows.length,
      V = this.vdiag;
    const [sI, sC] = this.compoundVariances(b);
    let S = 0,
      sy = 0,
      yy = 0,
      ld = 0;
    sx.fill(0);
    for (let i = 0; i < n; i++) {
      const r = rows[i] as number;
      const d = (V[r] as number) + sI;
      if (!(d > 0)) return Number.NaN;
      ld += Math.log(d);
      const w = 1 / d,
        yi = y[r] as number,
        wy = w * yi;
      S += w;
      sy += wy;
      yy += wy * yi;
      const o = r * p;
      for (let a = 0; a < p; a++) {
        const wx = w * (x[o + a] as number);
        sx[a] = (sx[a] as number) + wx;
        c[a] = (c[a] as number) + wx * yi;
        for (let e = 0; e <= a; e++) A[a * p + e] = (A[a * p + e] as number) + wx * (x[o + e] as number);
      }
    }
    const one = 1 + sC * S;
    if (!(one > 0)) return Number.NaN;
    const g = sC / one;
    for (let a = 0; a < p; a++) {
      c[a] = (c[a] as number) - g * (sx[a] as number) * sy;
      for (let e = 0; e <= a; e++) {
        A[a * p + e] = (A[a * p + e] as number) - g * (sx[a] as number) * (sx[e] as number);
        if (e < a) A[e * p + a] = A[a * p + e] as number;
      }
    }
    this.yMyAcc += yy - g * sy * sy;
    return ld + Math.log(one);
  }

  /** Pass 2 of a compound-symmetric block: its contributions to the derivative accumulators (see derivatives()). */
  private compoundPass2(b: Block): void {
    const { p, y, x, beta, params, sx, wQ, Qrt, QQ, wQQ, Qrow, wBuf, rtBuf } = this;
    const mPar = params.length;
    const rows = b.rows,
      n = rows.length,
      V = this.vdiag,
      kinds = b.compound as Int8Array;
    const [sI, sC] = this.compoundVariances(b);
    let S = 0,
      S2 = 0,
      S3 = 0,
      sr = 0;
    sx.fill(0);
    for (let i = 0; i < n; i++) {
      const r = rows[i] as number;
      const w = 1 / ((V[r] as number) + sI);
      wBuf[i] = w;
      S += w;
      S2 += w * w;
      S3 += w * w * w;
      let res = y[r] as number;
      for (let a = 0; a < p; a++) {
        const xa = x[r * p + a] as number;
        res -= xa * (beta[a] as number);
        sx[a] = (sx[a] as number) + w * xa;
      }
      rtBuf[i] = res;
      sr += w * res;
    }
    const g = sC / (1 + sC * S),
      h = 1 - g * S;
    // r̃ = M⁻¹r, Q = M⁻¹X (row by row), and their sums
    wQ.fill(0);
    Qrt.fill(0);
    QQ.fill(0);
    wQQ.fill(0);
    let rt1 = 0,
      rtrt = 0,
      wrt = 0,
      wrtrt = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[i] as number,
        w = wBuf[i] as number;
      const rt = w * (rtBuf[i] as number) - g * w * sr;
      rt1 += rt;
      rtrt += rt * rt;
      wrt += w * rt;
      wrtrt += w * rt * rt;
      for (let a = 0; a < p; a++) Qrow[a] = w * (x[r * p + a] as number) - g * w * (sx[a] as number);
      for (let a = 0; a < p; a++) {
        const qa = Qrow[a] as number;
        wQ[a] = (wQ[a] as number) + w * qa;
        Qrt[a] = (Qrt[a] as number) + qa * rt;
        for (let e = 0; e < p; e++) {
          QQ[a * p + e] = (QQ[a * p + e] as number) + qa * (Qrow[e] as number);
          wQQ[a * p + e] = (wQQ[a * p + e] as number) + w * qa * (Qrow[e] as number);
        }
      }
    }
    const oneM1 = S * h;
    const trMinv = S - g * S2;
    const trMinv2 = S2 - 2 * g * S3 + g * g * S2 * S2;
    const oneM2one = h * h * S2;
    const rtMrt = wrtrt - g * wrt * wrt;
    const rtM1 = h * wrt;
    // Q1 = Σ Q_i = h·sx; QᵀM⁻¹1 = h·wQ; QᵀM⁻¹Q = Σ w Q Qᵀ − g wQ wQᵀ
    for (let a = 0; a < mPar; a++) {
      const ta = kinds[(params[a] as ParameterInfo).term] as number;
      this.trMD[a] = (this.trMD[a] as number) + (ta === 1 ? trMinv : oneM1);
      this.quad[a] = (this.quad[a] as number) + (ta === 1 ? rtrt : rt1 * rt1);
      const Ka = this.K[a] as Float64Array,
        ua = this.u[a] as Float64Array;
      for (let r = 0; r < p; r++) {
        const q1r = h * (sx[r] as number);
        ua[r] = (ua[r] as number) + (ta === 1 ? (Qrt[r] as number) : q1r * rt1);
        for (let e = 0; e < p; e++)
          Ka[r * p + e] =
            (Ka[r * p + e] as number) + (ta === 1 ? (QQ[r * p + e] as number) : q1r * h * (sx[e] as number));
      }
      for (let bb = a; bb < mPar; bb++) {
        const tb = kinds[(params[bb] as ParameterInfo).term] as number;
        const idx = a * mPar + bb;
        const Hab = this.H[idx] as Float64Array;
        if (ta === 1 && tb === 1) {
          this.trMDMD[idx] = (this.trMDMD[idx] as number) + trMinv2;
          this.wMw[idx] = (this.wMw[idx] as number) + rtMrt;
          for (let r = 0; r < p; r++)
            for (let e = 0; e < p; e++)
              Hab[r * p + e] =
                (Hab[r * p + e] as number) + (wQQ[r * p + e] as number) - g * (wQ[r] as number) * (wQ[e] as number);
        } else if (ta === 0 && tb === 0) {
          this.trMDMD[idx] = (this.trMDMD[idx] as number) + oneM1 * oneM1;
          this.wMw[idx] = (this.wMw[idx] as number) + rt1 * rt1 * oneM1;
          for (let r = 0; r < p; r++)
            for (let e = 0; e < p; e++)
              Hab[r * p + e] = (Hab[r * p + e] as number) + h * (sx[r] as number) * oneM1 * h * (sx[e] as number);
        } else {
          this.trMDMD[idx] = (this.trMDMD[idx] as number) + oneM2one;
          this.wMw[idx] = (this.wMw[idx] as number) + rtM1 * rt1;
          for (let r = 0; r < p; r++)
            for (let e = 0; e < p; e++)
              Hab[r * p + e] = (Hab[r * p + e] as number) + h * (wQ[r] as number) * h * (sx[e] as number);
        }
      }
    }
  }

  private fail(): false {
    this.ll = Number.NEGATIVE_INFINITY;
    return false;
  }

  /** Δ_a = ∂Λ_t/∂θ_a (q × q, row-major) for struct-term parameter `local` in block columns `tc`; null = identity. */
  private delta(t: number, tc: Block['terms'][number], m: Float64Array, out: Float64Array): void {
    const J = (this.terms[t] as { innerLevels: readonly string[] }).innerLevels.length;
    const q = tc.q;
    for (let i = 0; i < q; i++)
      for (let j = 0; j < q; j++)
        out[i * q + j] =
          tc.outer[i] === tc.outer[j] ? (m[(tc.inner[i] as number) * J + (tc.inner[j] as number)] as number) : 0;
  }

  /** Second pass: score, observed Hessian and Fisher information from the stored Gram matrices. */
  private derivatives(): void {
    const { p, params, beta, Ainv } = this;
    const mPar = params.length;
    const restricted = this.restricted;
    const { trMD, quad, K, u, trMDMD, wMw, H } = this;
    trMD.fill(0);
    quad.fill(0);
    trMDMD.fill(0);
    wMw.fill(0);
    for (const Ka of K) Ka.fill(0);
    for (const ua of u) ua.fill(0);
    for (const Hab of H) Hab.fill(0);
    // second-derivative terms (a ≤ b within a struct term)
    const second = new Map<number, { trMD2: number; K2: Float64Array; quad2: number }>();
    let maxQ = 1,
      maxD = 1;
    this.blocks.forEach((b, bi) => {
      if (b.compound !== null) return;
      maxD = Math.max(maxD, this.dims[bi] as number);
      for (const t of b.terms) maxQ = Math.max(maxQ, t.q);
    });
    const Y = Array.from({ length: mPar }, () => new Float64Array(maxQ * maxD));
    const Dz = Array.from({ length: mPar }, () => new Float64Array(maxQ));
    const delta = new Float64Array(maxQ * maxQ);
    const z = new Float64Array(maxQ);
    const G = new Float64Array(p * maxQ);
    const G2 = this.gram;
    for (let bi = 0; bi < this.blocks.length; bi++) {
      const b = this.blocks[bi] as Block;
      if (b.compound !== null) {
        this.compoundPass2(b);
        continue;
      }
      const d = this.dims[bi] as number,
        go = this.gramOffset[bi] as number,
        offs = this.termOffset[bi] as Int32Array;
      const C = (r: number, s: number) => G2[go + r * d + s] as number;
      // Y_a = Δ_a C[t, :], Dz_a = Δ_a z_t
      for (let a = 0; a < mPar; a++) {
        const pa = params[a] as ParameterInfo;
        const t = pa.term,
          tc = b.terms[t]!,
          q = tc.q,
          ot = offs[t] as number;
        const Ya = Y[a] as Float64Array;
        const S = this.structs[t];
        if (S === null || S === undefined) {
          for (let i = 0; i < q; i++) Ya.set(G2.subarray(go + (ot + i) * d, go + (ot + i + 1) * d), i * d);
        } else {
          this.delta(t, tc, S.d1[pa.local] as Float64Array, delta);
          for (let i = 0; i < q; i++)
            for (let s = 0; s < d; s++) {
              let acc = 0;
              for (let j = 0; j < q; j++) acc += (delta[i * q + j] as number) * C(ot + j, s);
              Ya[i * d + s] = acc;
            }
        }
        const Dza = Dz[a] as Float64Array;
        let tr = 0,
          qd = 0;
        for (let i = 0; i < q; i++) {
          let v = Ya[i * d + p] as number;
          for (let r = 0; r < p; r++) v -= (Ya[i * d + r] as number) * (beta[r] as number);
          Dza[i] = v;
          tr += Ya[i * d + ot + i] as number;
          // z_t[i]
          let zi = C(ot + i, p);
          for (let r = 0; r < p; r++) zi -= C(ot + i, r) * (beta[r] as number);
          qd += zi * v;
        }
        trMD[a] = (trMD[a] as number) + tr;
        quad[a] = (quad[a] as number) + qd;
        const Ka = K[a] as Float64Array,
          ua = u[a] as Float64Array;
        for (let r = 0; r < p; r++) {
          let us = 0;
          for (let i = 0; i < q; i++) us += C(r, ot + i) * (Dza[i] as number);
          ua[r] = (ua[r] as number) + us;
          for (let s = 0; s < p; s++) {
            let acc = 0;
            for (let i = 0; i < q; i++) acc += C(r, ot + i) * (Ya[i * d + s] as number);
            Ka[r * p + s] = (Ka[r * p + s] as number) + acc;
          }
        }
      }
      // pairs
      for (let a = 0; a < mPar; a++) {
        const ta = (params[a] as ParameterInfo).term,
          qa = b.terms[ta]!.q,
          oa = offs[ta] as number;
        const Ya = Y[a] as Float64Array,
          Dza = Dz[a] as Float64Array;
        for (let bb = a; bb < mPar; bb++) {
          const tb = (params[bb] as ParameterInfo).term,
            qb = b.terms[tb]!.q,
            ob = offs[tb] as number;
          const Yb = Y[bb] as Float64Array,
            Dzb = Dz[bb] as Float64Array;
          let tr = 0,
            w = 0;
          for (let i = 0; i < qa; i++)
            for (let j = 0; j < qb; j++) {
              tr += (Ya[i * d + ob + j] as number) * (Yb[j * d + oa + i] as number);
              w += (Dza[i] as number) * C(oa + i, ob + j) * (Dzb[j] as number);
            }
          trMDMD[a * mPar + bb] = (trMDMD[a * mPar + bb] as number) + tr;
          wMw[a * mPar + bb] = (wMw[a * mPar + bb] as number) + w;
          if (!restricted) continue;
          // H_ab = C[X, ta] · Y_a[:, tb] · Y_b[:, X]
          for (let r = 0; r < p; r++)
            for (let j = 0; j < qb; j++) {
              let acc = 0;
              for (let i = 0; i < qa; i++) acc += C(r, oa + i) * (Ya[i * d + ob + j] as number);
              G[r * qb + j] = acc;
            }
          const Hab = H[a * mPar + bb] as Float64Array;
          for (let r = 0; r < p; r++)
            for (let s = 0; s < p; s++) {
              let acc = 0;
              for (let j = 0; j < qb; j++) acc += (G[r * qb + j] as number) * (Yb[j * d + s] as number);
              Hab[r * p + s] = (Hab[r * p + s] as number) + acc;
            }
        }
      }
      // second derivatives of struct terms
      for (let t = 0; t < this.terms.length; t++) {
        const S = this.structs[t];
        if (S === null || S === undefined) continue;
        const tc = b.terms[t]!,
          q = tc.q,
          ot = offs[t] as number;
        const idx = this.termParams[t] as number[];
        for (const e of S.d2) {
          this.delta(t, tc, e.m, delta);
          const key = (idx[e.a] as number) * mPar + (idx[e.b] as number);
          let s2 = second.get(key);
          if (!s2) {
            s2 = { trMD2: 0, K2: new Float64Array(p * p), quad2: 0 };
            second.set(key, s2);
          }
          for (let i = 0; i < q; i++) {
            let zi = C(ot + i, p);
            for (let r = 0; r < p; r++) zi -= C(ot + i, r) * (beta[r] as number);
            z[i] = zi;
          }
          for (let i = 0; i < q; i++)
            for (let j = 0; j < q; j++) {
              const dij = delta[i * q + j] as number;
              if (dij === 0) continue;
              s2.trMD2 += dij * C(ot + j, ot + i);
              s2.quad2 += (z[i] as number) * dij * (z[j] as number);
              for (let r = 0; r < p; r++)
                for (let s = 0; s < p; s++)
                  s2.K2[r * p + s] = (s2.K2[r * p + s] as number) + C(r, ot + i) * dij * C(ot + j, s);
            }
        }
      }
    }
    // assemble
    const trAB = (Am: Float64Array, Bm: Float64Array) => {
      let s = 0;
      for (let r = 0; r < p; r++)
        for (let c2 = 0; c2 < p; c2++) s += (Am[r * p + c2] as number) * (Bm[c2 * p + r] as number);
      return s;
    };
    const AK = K.map((Ka) => {
      const out = new Float64Array(p * p);
      for (let r = 0; r < p; r++)
        for (let s = 0; s < p; s++) {
          let acc = 0;
          for (let m = 0; m < p; m++) acc += (Ainv[r * p + m] as number) * (Ka[m * p + s] as number);
          out[r * p + s] = acc;
        }
      return out;
    });
    const Au = u.map((ua) => {
      const out = new Float64Array(p);
      for (let r = 0; r < p; r++) {
        let acc = 0;
        for (let m = 0; m < p; m++) acc += (Ainv[r * p + m] as number) * (ua[m] as number);
        out[r] = acc;
      }
      return out;
    });
    const trPD = (a: number) => {
      let t = trMD[a] as number;
      if (restricted) for (let r = 0; r < p; r++) t -= (AK[a] as Float64Array)[r * p + r] as number;
      return t;
    };
    for (let a = 0; a < mPar; a++) this.gradient[a] = -0.5 * trPD(a) + 0.5 * (quad[a] as number);
    for (let a = 0; a < mPar; a++)
      for (let bb = a; bb < mPar; bb++) {
        let tPDPD = trMDMD[a * mPar + bb] as number;
        if (restricted) {
          tPDPD +=
            -2 * trAB(Ainv, H[a * mPar + bb] as Float64Array) + trAB(AK[a] as Float64Array, AK[bb] as Float64Array);
        }
        let yPDPDPy = wMw[a * mPar + bb] as number;
        for (let r = 0; r < p; r++)
          yPDPDPy -= ((u[a] as Float64Array)[r] as number) * ((Au[bb] as Float64Array)[r] as number);
        let h = 0.5 * tPDPD - yPDPDPy;
        const s2 = second.get(a * mPar + bb);
        if (s2) {
          let tPD2 = s2.trMD2;
          if (restricted) tPD2 -= trAB(Ainv, s2.K2);
          h += -0.5 * tPD2 + 0.5 * s2.quad2;
        }
        this.hessian[a * mPar + bb] = h;
        this.hessian[bb * mPar + a] = h;
        this.fisher[a * mPar + bb] = 0.5 * tPDPD;
        this.fisher[bb * mPar + a] = 0.5 * tPDPD;
      }
  }

  /** Σ(yᵢ − ȳ)², the spread of the estimates: a scale for the variance components (./optimise.ts). */
  dataSpread(): number {
    return sumOfSquaredDeviations(this.y, this.k);
  }

  /** diag(M⁻¹) at θ, per row (the model's weights before normalisation). */
  inverseDiagonal(theta: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.k);
    const M = this.marginalBlocksWhere(theta, (b) => b.compound === null);
    this.blocks.forEach((b, bi) => {
      const rows = b.rows,
        n = rows.length;
      if (b.compound !== null) {
        const [sI, sC] = this.compoundVariances(b);
        let S = 0;
        for (let i = 0; i < n; i++) S += 1 / ((this.vdiag[rows[i] as number] as number) + sI);
        const g = sC / (1 + sC * S);
        for (let i = 0; i < n; i++) {
          const w = 1 / ((this.vdiag[rows[i] as number] as number) + sI);
          out[rows[i] as number] = w - g * w * w;
        }
        return;
      }
      const L = Float64Array.from(M[bi] as Float64Array);
      cholesky(L, n);
      const inv = new Float64Array(n * n);
      choleskyInverse(L, n, inv);
      for (let i = 0; i < n; i++) out[rows[i] as number] = inv[i * n + i] as number;
    });
    return out;
  }

  /** The rows' marginal covariance blocks M_b at θ (for weights, robust variances and predictions). */
  marginalBlocks(theta: ArrayLike<number>): Float64Array[] {
    return this.marginalBlocksWhere(theta, () => true);
  }

  /** M_b for the blocks selected (an empty array for the others). */
  private marginalBlocksWhere(theta: ArrayLike<number>, want: (b: Block) => boolean): Float64Array[] {
    this.structs = this.terms.map((t, ti) =>
      t.kind === 'struct' ? structMatrices(t.struct, t.innerLevels.length, this.termTheta(theta, ti)) : null,
    );
    this.terms.forEach((t, ti) => {
      if (t.kind === 'intercept') this.sigma[ti] = theta[(this.termParams[ti] as number[])[0] as number] as number;
    });
    return this.blocks.map((b) => {
      const n = b.rows.length;
      if (!want(b)) return new Float64Array(0);
      if (b.compound !== null) {
        const [sI, sC] = this.compoundVariances(b);
        const M = new Float64Array(n * n).fill(sC);
        for (let i = 0; i < n; i++) M[i * n + i] = (this.vdiag[b.rows[i] as number] as number) + sI + sC;
        return M;
      }
      const M = Float64Array.from(b.V as Float64Array);
      this.terms.forEach((t, ti) => {
        const tc = b.terms[ti]!;
        const S = this.structs[ti];
        const J = t.kind === 'struct' ? t.innerLevels.length : 0;
        const s2 = t.kind === 'intercept' ? (theta[(this.termParams[ti] as number[])[0] as number] as number) : 0;
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            const ci = tc.colOfRow[i] as number,
              cj = tc.colOfRow[j] as number;
            if (S === null || S === undefined) {
              if (ci === cj) M[i * n + j] = (M[i * n + j] as number) + s2;
            } else if (tc.outer[ci] === tc.outer[cj])
              M[i * n + j] =
                (M[i * n + j] as number) + (S.T[(tc.inner[ci] as number) * J + (tc.inner[cj] as number)] as number);
          }
      });
      return M;
    });
  }
}
