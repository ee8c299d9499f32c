/**
 * The weighted least-squares kernel shared by every estimator: for a given τ², with
 * wᵢ = 1/(vᵢ + τ²), W = diag(w) and P = W − WX(XᵀWX)⁻¹XᵀW (Raudenbush 2009; metafor's
 * `rma.uni` notation), it computes without any k × k matrix:
 *
 * ```text
 * b      = (XᵀWX)⁻¹XᵀWy,  eᵢ = yᵢ − xᵢᵀb
 * yᵀPy   = Σ wᵢeᵢ²                                  (the generalised Q, Q_gen(τ²))
 * yᵀPPy  = Σ wᵢ²eᵢ²
 * tr P   = Σ wᵢ − tr(A⁻¹B₂)                         A = XᵀWX, B_m = Σ wᵢᵐ xᵢxᵢᵀ
 * tr PP  = Σ wᵢ² − 2 tr(A⁻¹B₃) + tr(A⁻¹B₂A⁻¹B₂)
 * ```
 *
 * Cost O(k·p²) per evaluation; all buffers are allocated once, so the iterative
 * estimators allocate nothing inside their loops.
 *
 * Reference: Raudenbush SW (2009). Analyzing effect sizes: random-effects models. In The
 * Handbook of Research Synthesis and Meta-Analysis, 2nd ed., 295–315.
 */
import { cholesky, choleskyInverse } from '../core/numeric/linalg.ts';
import type { Design } from './design.ts';

export class Kernel {
  readonly k: number;
  readonly p: number;
  readonly yi: Float64Array;
  readonly vi: Float64Array;
  readonly design: Design;
  /** Current weights 1/(vᵢ + τ²). */
  readonly w: Float64Array;
  /** Current coefficients and their (unscaled) covariance (XᵀWX)⁻¹. */
  readonly beta: Float64Array;
  readonly Ainv: Float64Array;
  readonly residuals: Float64Array;
  tau2 = Number.NaN;
  sumW = 0;
  sumW2 = 0;
  /** yᵀPy */
  RSS = 0;
  /** yᵀPPy */
  yPPy = 0;
  trP = 0;
  trPP = 0;
  /** log det(XᵀWX) */
  logdetA = 0;
  /** Σ log(vᵢ + τ²) */
  sumLogV = 0;
  private readonly A: Float64Array;
  private readonly B2: Float64Array;
  private readonly B3: Float64Array;
  private readonly c: Float64Array;
  private readonly tmp: Float64Array;

  constructor(yi: Float64Array, vi: Float64Array, design: Design) {
    this.k = yi.length;
    this.p = design.p;
    this.yi = yi;
    this.vi = vi;
    this.design = design;
    const p = this.p;
    this.w = new Float64Array(this.k);
    this.residuals = new Float64Array(this.k);
    this.beta = new Float64Array(p);
    this.Ainv = new Float64Array(p * p);
    this.A = new Float64Array(p * p);
    this.B2 = new Float64Array(p * p);
    this.B3 = new Float64Array(p * p);
    this.c = new Float64Array(p);
    this.tmp = new Float64Array(p * p);
  }

  /** Evaluates everything at τ² (τ² ≥ 0; also used with explicit weights via {@link evaluateWeights}). */
  evaluate(tau2: number): this {
    const { k, vi, w } = this;
    let sumLogV = 0;
    for (let i = 0; i < k; i++) {
      const v = (vi[i] as number) + tau2;
      w[i] = 1 / v;
      sumLogV += Math.log(v);
    }
    this.tau2 = tau2;
    this.sumLogV = sumLogV;
    return this.evaluateWeights();
  }

  /** Evaluates with the weights already in `this.w`. */
  evaluateWeights(): this {
    const { k, p, yi, w, A, B2, B3, c, beta, Ainv, residuals, tmp } = this;
    const x = this.design.x;
    if (p === 1) {
      // Intercept-only fast path (x ≡ 1 is not assumed: a single column of any values).
      let a = 0,
        b2 = 0,
        b3 = 0,
        cy = 0,
        sw = 0,
        sw2 = 0;
      for (let i = 0; i < k; i++) {
        const wi = w[i] as number,
          xi = x[i] as number,
          wx = wi * xi;
        sw += wi;
        sw2 += wi * wi;
        a += wx * xi;
        b2 += wx * wi * xi;
        b3 += wx * wi * wi * xi;
        cy += wx * (yi[i] as number);
      }
      const ainv = 1 / a;
      const b = cy * ainv;
      let rss = 0,
        ypp = 0;
      for (let i = 0; i < k; i++) {
        const e = (yi[i] as number) - (x[i] as number) * b;
        residuals[i] = e;
        const we = (w[i] as number) * e;
        rss += we * e;
        ypp += we * we;
      }
      beta[0] = b;
      Ainv[0] = ainv;
      this.sumW = sw;
      this.sumW2 = sw2;
      this.RSS = rss;
      this.yPPy = ypp;
      this.trP = sw - ainv * b2;
      this.trPP = sw2 - 2 * ainv * b3 + (ainv * b2) ** 2;
      this.logdetA = Math.log(a);
      return this;
    }
    A.fill(0);
    B2.fill(0);
    B3.fill(0);
    c.fill(0);
    let sw = 0,
      sw2 = 0;
    for (let i = 0; i < k; i++) {
      const wi = w[i] as number,
        w2 = wi * wi,
        w3 = w2 * wi,
        y = yi[i] as number;
      sw += wi;
      sw2 += w2;
      const o = i * p;
      for (let r = 0; r < p; r++) {
        const xr = x[o + r] as number;
        c[r] = (c[r] as number) + wi * xr * y;
        for (let s = 0; s <= r; s++) {
          const xx = xr * (x[o + s] as number);
          A[r * p + s] = (A[r * p + s] as number) + wi * xx;
          B2[r * p + s] = (B2[r * p + s] as number) + w2 * xx;
          B3[r * p + s] = (B3[r * p + s] as number) + w3 * xx;
        }
      }
    }
    for (let r = 0; r < p; r++)
      for (let s = 0; s < r; s++) {
        B2[s * p + r] = B2[r * p + s] as number;
        B3[s * p + r] = B3[r * p + s] as number;
      }
    tmp.set(A);
    this.logdetA = cholesky(tmp, p);
    choleskyInverse(tmp, p, Ainv);
    for (let r = 0; r < p; r++) {
      let s = 0;
      for (let m = 0; m < p; m++) s += (Ainv[r * p + m] as number) * (c[m] as number);
      beta[r] = s;
    }
    let rss = 0,
      ypp = 0;
    for (let i = 0; i < k; i++) {
      let fit = 0;
      for (let r = 0; r < p; r++) fit += (x[i * p + r] as number) * (beta[r] as number);
      const e = (yi[i] as number) - fit;
      residuals[i] = e;
      const we = (w[i] as number) * e;
      rss += we * e;
      ypp += we * we;
    }
    // M2 = A⁻¹B₂ (into tmp); traces
    let trM2 = 0,
      trM3 = 0;
    for (let r = 0; r < p; r++)
      for (let s = 0; s < p; s++) {
        let m2 = 0,
          m3 = 0;
        for (let m = 0; m < p; m++) {
          m2 += (Ainv[r * p + m] as number) * (B2[m * p + s] as number);
          m3 += (Ainv[r * p + m] as number) * (B3[m * p + s] as number);
        }
        tmp[r * p + s] = m2;
        if (r === s) {
          trM2 += m2;
          trM3 += m3;
        }
      }
    let trM2M2 = 0;
    for (let r = 0; r < p; r++)
      for (let s = 0; s < p; s++) trM2M2 += (tmp[r * p + s] as number) * (tmp[s * p + r] as number);
    this.sumW = sw;
    this.sumW2 = sw2;
    this.RSS = rss;
    this.yPPy = ypp;
    this.trP = sw - trM2;
    this.trPP = sw2 - 2 * trM3 + trM2M2;
    return this;
  }
}

/** The arithmetic mean of `a` (the scale of the sampling variances in the estimators' stopping rules). */
export function meanOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] as number;
  return s / a.length;
}
