/**
 * The weighted least-squares kernel shared by every estimator: for a given τ², with
 * wᵢ = 1/(vᵢ + τ²), W = diag(w) and P = W − WX(XᵀWX)⁻¹XᵀW (Raudenbush 2009; metafor's
 * `rma.uni` notation), it computes without any k × k matrix:
 *
 * ```text
 * b      = (XᵀWX)⁻¹XᵀWy,  eᵢ = yᵢ − xᵢᵀb
 * yᵀPy   = Σ wᵢeᵢ²                                  (the generalised Q, Q_gen(τ²))
 * yᵀPPy  = Σ wᵢ²eᵢ²
 * yᵀPPPy = Σ wᵢ³eᵢ² − gᵀA⁻¹g,  g = XᵀW²e             (the curvature of the likelihoods, for Newton steps)
 * tr P   = Σ wᵢ − tr(A⁻¹B₂)                         A = XᵀWX, B_m = Σ wᵢᵐ xᵢxᵢᵀ
 * tr PP  = Σ wᵢ² − 2 tr(A⁻¹B₃) + tr(A⁻¹B₂A⁻¹B₂)
 * ```
 *
 * Cost O(k·p²) per evaluation (O(k + p) for the designs of one factor, below); all buffers are allocated once, so the iterative
 * estimators allocate nothing inside their loops. The intercept-only model (x ≡ 1) has a scalar
 * path with the same floating-point operations (multiplying by 1 is exact), and its kernel can be
 * shortened to fewer rows ({@link Kernel.resize}) and reloaded, so that batches, GOSH subsets and
 * leave-one-out fits reuse one kernel.
 *
 * A design that codes one factor of G = p levels by indicators (./design.ts, {@link factorCoding}: the
 * subgroup model `~ factor(g)` or `~ 0 + factor(g)`) has X = ZT, Z the indicators of the levels, T invertible;
 * P depends on X only through its column space, so with per-level sums a_g = Σ_{i∈g} wᵢ, c_g = Σ wᵢyᵢ,
 * s_g^(m) = Σ wᵢᵐ and h_g = Σ wᵢ²eᵢ (the sums of Z's diagonal XᵀWX, B₂, B₃ and of g = ZᵀW²e):
 *
 * ```text
 * μ_g = c_g/a_g,  eᵢ = yᵢ − μ_g(i),  b = T⁻¹μ (b = μ; or b₀ = μ₀, b_g = μ_g − μ₀)
 * (XᵀWX)⁻¹ = T⁻¹ diag(1/a) T⁻ᵀ  (treatment: 1/a₀ everywhere, −1/a₀ in row and column 0 off the corner,
 *                                 1/a_g + 1/a₀ on the diagonal)
 * tr P = Σwᵢ − Σ s_g⁽²⁾/a_g,  tr PP = Σwᵢ² − 2 Σ s_g⁽³⁾/a_g + Σ (s_g⁽²⁾/a_g)²
 * yᵀPPPy = Σwᵢ³eᵢ² − Σ h_g²/a_g,  log det XᵀWX = Σ log a_g  (det T = 1)
 * ```
 *
 * P = blockdiag_g(W_g − w_g w_gᵀ/a_g) is block diagonal, so the traces are taken per level from sums over the
 * level's other studies, a_g,₋ᵢ = a_g − wᵢ (prefix and suffix sums; no cancellation, as the intercept-only
 * traces): tr P = Σ_g Σ_{i∈g} wᵢa_g,₋ᵢ/a_g, tr PP = Σ_g (Σ_{i∈g} (wᵢa_g,₋ᵢ)² + wᵢ² Σ_{j∈g, j≠i} wⱼ²)/a_g².
 * They equal the general kernel's to rounding, and are closer to the exact traces where those cancel.
 *
 * in O(k + p) per evaluation (and O(p²) to fill (XᵀWX)⁻¹, which callers read), instead of O(k·p² + p³):
 * a subgroup model of 1,000 levels is a thousand times faster. The per-level formulas are those of the one-way
 * random-effects ANOVA with known variances (Searle SR, Casella G, McCulloch CE (1992). Variance Components,
 * Wiley, §3.7; Viechtbauer W (2010), J Stat Softw 36(3), §3.3 for the subgroup model).
 *
 * Reference: Raudenbush SW (2009). Analyzing effect sizes: random-effects models. In The
 * Handbook of Research Synthesis and Meta-Analysis, 2nd ed., 295–315.
 */
import { EvsynthError } from '../core/errors.ts';
import { cholesky, choleskyInverse } from '../core/numeric/linalg.ts';
import { factorCoding, isInterceptOnlyDesign, type Design, type FactorCoding } from './design.ts';
import { exactKernelSums } from './exact-kernel.ts';
import { ldexp } from './scale.ts';

export class Kernel {
  /** Number of rows (studies) in use: the design's k, or fewer after {@link resize} (intercept-only kernels). */
  k: number;
  readonly p: number;
  readonly yi: Float64Array;
  readonly vi: Float64Array;
  readonly design: Design;
  /** The intercept-only model (p = 1, a column of ones named `intrcpt`). */
  readonly interceptOnly: boolean;
  /** Current weights 1/(vᵢ + τ²). */
  readonly w: Float64Array;
  /** Current coefficients and their (unscaled) covariance (XᵀWX)⁻¹. */
  readonly beta: Float64Array;
  readonly Ainv: Float64Array;
  readonly residuals: Float64Array;
  /** τ² of the last {@link evaluate} (NaN after {@link evaluateWeights} with weights of the caller's). */
  tau2 = Number.NaN;
  sumW = 0;
  sumW2 = 0;
  /** yᵀPy */
  RSS = 0;
  /** yᵀPPy */
  yPPy = 0;
  /** yᵀPPPy */
  yPPPy = 0;
  trP = 0;
  trPP = 0;
  /**
   * The last {@link evaluate} of a model with moderators left tr P too small against the sum it is the
   * difference of (tr P = Σwᵢ − tr(A⁻¹B₂) ≤ 2⁻²⁰Σwᵢ): precise studies carry nearly all the weight and its
   * digits are cancellation noise. Intercept-only models recover their traces from sums over the other studies
   * and never set it (nor {@link trPPLost}).
   */
  trPLost = false;
  /** As {@link trPLost}, for tr PP = Σwᵢ² − 2 tr(A⁻¹B₃) + tr(A⁻¹B₂A⁻¹B₂) ≤ 2⁻³²Σwᵢ². */
  trPPLost = false;
  /**
   * The last evaluation's sums are exact (./exact-kernel.ts), each rounded once: taken where those of double
   * precision had lost their digits — the traces of a meta-regression ({@link trPLost}), or yᵀPy where the
   * rounding of the fitted values, weighted, could reach 10⁻¹² of it (one study carrying nearly all the
   * weight: its residual is the rounding of xᵢᵀb) — in kernels of at most {@link EXACT_MAX_STUDIES} studies.
   */
  exactSums = false;
  private logdet = Number.NaN;
  private readonly A: Float64Array;
  private readonly B2: Float64Array;
  private readonly B3: Float64Array;
  private readonly c: Float64Array;
  private readonly tmp: Float64Array;
  /** Suffix sums for {@link interceptTracesBySums} (allocated on first use). */
  private suffix1: Float64Array | undefined;
  private suffix2: Float64Array | undefined;
  /** The two sums {@link tracesOverOthers} returns. */
  private readonly traceSums = new Float64Array(2);
  private readonly num = new LogProduct();
  private readonly den = new LogProduct();
  /** The design's one-factor coding (its O(k + p) path), found again by {@link invalidate}. */
  private factor: FactorCoding | undefined;
  /** Per-level sums of the one-factor path: Σwᵢ, Σwᵢyᵢ, Σwᵢ²eᵢ (allocated on first use). */
  private levelSums: Float64Array[] | undefined;

  constructor(yi: Float64Array, vi: Float64Array, design: Design) {
    this.k = yi.length;
    this.p = design.p;
    this.yi = yi;
    this.vi = vi;
    this.design = design;
    const p = this.p;
    this.interceptOnly = isInterceptOnlyDesign(design);
    this.w = new Float64Array(this.k);
    this.residuals = new Float64Array(this.k);
    this.beta = new Float64Array(p);
    this.Ainv = new Float64Array(p * p);
    this.A = new Float64Array(p * p);
    this.B2 = new Float64Array(p * p);
    this.B3 = new Float64Array(p * p);
    this.c = new Float64Array(p);
    this.tmp = new Float64Array(p * p);
    this.factor = this.interceptOnly ? undefined : factorCoding(design);
  }

  /** An intercept-only kernel with room for `capacity` studies (load them with {@link load}). */
  static intercept(capacity: number): Kernel {
    return new Kernel(new Float64Array(capacity), new Float64Array(capacity), {
      k: capacity,
      p: 1,
      x: new Float64Array(capacity).fill(1),
      names: ['intrcpt'],
    });
  }

  /** Uses the first n rows only (intercept-only kernels; n at most the capacity). */
  resize(n: number): this {
    if (!this.interceptOnly || !(n >= 0 && n <= this.yi.length))
      throw new RangeError(`Kernel.resize(${n}): only intercept-only kernels, up to ${this.yi.length} rows`);
    this.k = n;
    this.tau2 = Number.NaN;
    return this;
  }

  /** Copies n studies (yᵢ, vᵢ) from `yi`, `vi` at `offset` into an intercept-only kernel and uses n rows. */
  load(yi: ArrayLike<number>, vi: ArrayLike<number>, offset: number, n: number): this {
    this.resize(n);
    const { yi: y, vi: v } = this;
    for (let i = 0; i < n; i++) {
      y[i] = yi[offset + i] as number;
      v[i] = vi[offset + i] as number;
    }
    return this;
  }

  /**
   * As {@link load}, dividing each yᵢ by c = 2ʲ and vᵢ by c² (exact; see ./scale.ts), for fits of data at
   * extreme scales.
   */
  loadScaled(yi: ArrayLike<number>, vi: ArrayLike<number>, offset: number, n: number, j: number): this {
    if (j === 0) return this.load(yi, vi, offset, n);
    this.resize(n);
    const { yi: y, vi: v } = this;
    for (let i = 0; i < n; i++) {
      y[i] = ldexp(yi[offset + i] as number, -j);
      v[i] = ldexp(vi[offset + i] as number, -2 * j);
    }
    return this;
  }

  /** log det(XᵀWX) at the current weights. */
  get logdetA(): number {
    if (Number.isNaN(this.logdet)) this.logdet = Math.log(this.A[0] as number);
    return this.logdet;
  }

  /** Σ log(vᵢ + τ²) at the current τ² (only the log-likelihoods need it). */
  get sumLogV(): number {
    let s = 0;
    for (let i = 0; i < this.k; i++) s += Math.log((this.vi[i] as number) + this.tau2);
    return s;
  }

  /**
   * Σ log((vᵢ + τ²)/vᵢ) = Σ log(1 + τ²/vᵢ) ≥ 0, from the products of (vᵢ + τ²) and of vᵢ: one
   * logarithm, accurate to a few units of k·ε (the difference of the log-likelihoods at τ² and 0).
   */
  logVarianceRatio(tau2: number): number {
    const num = this.num,
      den = this.den,
      vi = this.vi;
    num.reset();
    den.reset();
    for (let i = 0; i < this.k; i++) {
      const v = vi[i] as number;
      num.mul(v + tau2);
      den.mul(v);
    }
    return num.logRatio(den);
  }

  /** Marks the kernel stale after its yᵢ, vᵢ or design were changed in place (the next evaluation recomputes). */
  invalidate(): this {
    this.tau2 = Number.NaN;
    if (!this.interceptOnly) this.factor = factorCoding(this.design);
    return this;
  }

  /**
   * Evaluates everything at τ² (τ² ≥ 0); returns at once when the kernel is already evaluated there.
   * Code that changes yᵢ, vᵢ or the design in place calls {@link invalidate} ({@link load} does).
   */
  evaluate(tau2: number): this {
    if (tau2 === this.tau2) return this;
    if (this.interceptOnly) this.compute(tau2);
    else {
      const { k, vi, w } = this;
      for (let i = 0; i < k; i++) w[i] = 1 / ((vi[i] as number) + tau2);
      this.compute(Number.NaN);
    }
    this.tau2 = tau2;
    return this;
  }

  /**
   * tr P and tr(PP) of a one-column model without cancellation. With a = Σwⱼxⱼ², a₋ᵢ = a − wᵢxᵢ² and
   * uᵢ = (wᵢxᵢ)², P = W − Wxxᵀ W/a has Pᵢᵢ = wᵢa₋ᵢ/a and Pᵢⱼ = −wᵢxᵢwⱼxⱼ/a, so
   *
   * ```text
   * tr P = Σ wᵢ a₋ᵢ / a,   tr(PP) = (Σ wᵢ² a₋ᵢ² + Σ uᵢ (Σⱼ≠ᵢ uⱼ)) / a²
   * ```
   *
   * with the sums over the other studies (a₋ᵢ, Σⱼ≠ᵢ uⱼ) taken from prefix and suffix sums of non-negative
   * terms, which do not cancel. Leaves the traces as they are where these sums are 0.
   */
  private interceptTracesBySums(a: number): void {
    const sums = this.tracesOverOthers(0, this.k, undefined, this.design.x);
    const trP = sums[0] as number,
      t = sums[1] as number;
    // where the other studies' weights (or their squares, for tr PP) underflow to 0 there is nothing to
    // recover: keep that difference (as metafor); each trace is taken on its own, as tr PP underflows long
    // before tr P
    if (trP > 0) this.trP = trP / a;
    if (t > 0) this.trPP = t / a / a;
  }

  /**
   * The numerators of the one-column traces of {@link interceptTracesBySums} over the studies at positions
   * lo … hi − 1 (`rows[q]` the study at position q, or q itself; `x` the column, or ones): with uᵢ = (wᵢxᵢ)²
   * and the sums over the other studies a₋ᵢ = Σⱼ≠ᵢ wⱼxⱼ², Σⱼ≠ᵢ uⱼ from prefix and suffix sums,
   *
   * ```text
   * [Σ wᵢa₋ᵢ,  Σ (wᵢa₋ᵢ)² + uᵢ Σⱼ≠ᵢ uⱼ]      (tr P·a and tr(PP)·a², a = Σwⱼxⱼ²)
   * ```
   *
   * Shared by the intercept-only kernel and each level of the one-factor path (whose P is block diagonal).
   */
  private tracesOverOthers(
    lo: number,
    hi: number,
    rows: ArrayLike<number> | undefined,
    x: ArrayLike<number> | undefined,
  ): Float64Array {
    const { k, w } = this;
    // a kernel may be reloaded with more studies (load): the buffers grow with it
    if (this.suffix1 === undefined || this.suffix1.length < k + 1) {
      this.suffix1 = new Float64Array(k + 1);
      this.suffix2 = new Float64Array(k + 1);
    }
    const s1 = this.suffix1,
      s2 = this.suffix2 as Float64Array;
    const at = (q: number) => (rows === undefined ? q : (rows[q] as number));
    s1[hi] = 0;
    s2[hi] = 0;
    for (let q = hi - 1; q >= lo; q--) {
      const i = at(q),
        xi = x === undefined ? 1 : (x[i] as number),
        wx = (w[i] as number) * xi;
      s1[q] = (s1[q + 1] as number) + wx * xi;
      s2[q] = (s2[q + 1] as number) + wx * wx;
    }
    let pre1 = 0,
      pre2 = 0,
      trP = 0,
      t = 0;
    for (let q = lo; q < hi; q++) {
      const i = at(q),
        xi = x === undefined ? 1 : (x[i] as number),
        wi = w[i] as number,
        wx = wi * xi;
      const aOther = pre1 + (s1[q + 1] as number),
        uOther = pre2 + (s2[q + 1] as number);
      trP += wi * aOther;
      t += (wi * aOther) ** 2 + wx * wx * uOther;
      pre1 += wx * xi;
      pre2 += wx * wx;
    }
    const out = this.traceSums;
    out[0] = trP;
    out[1] = t;
    return out;
  }

  /** Evaluates with weights of the caller's, already in `this.w`. */
  evaluateWeights(): this {
    this.compute(Number.NaN);
    this.tau2 = Number.NaN;
    return this;
  }

  /**
   * The sums at the weights in `this.w`; for intercept-only kernels with `tau2` not NaN, the weights
   * 1/(vᵢ + τ²) are formed in the same pass (the same values, one loop fewer).
   */
  private compute(tau2: number): void {
    const { k, p, yi, vi, w, A, B2, B3, c, beta, Ainv, residuals, tmp } = this;
    const x = this.design.x;
    if (p === 1) {
      // A single column; the intercept (x ≡ 1) skips the products with xᵢ, which are exact there.
      // Where the weights are tiny (τ² ≫ vᵢ by hundreds of orders of magnitude) Σwᵢ³xᵢ² and then Σwᵢ²xᵢ²
      // underflow; there tr P and tr PP are taken from Σ wᵢxᵢ·(wᵢxᵢ/a) and Σ (wᵢxᵢ)²·(wᵢ/a), which cannot
      // (elsewhere the usual sums, so that ordinary fits are unchanged to the last bit).
      const unit = this.interceptOnly;
      let a = 0,
        b2 = 0,
        b3 = 0,
        cy = 0,
        sw = 0,
        sw2 = 0,
        big = 0;
      if (unit && !Number.isNaN(tau2)) {
        for (let i = 0; i < k; i++) {
          const wi = 1 / ((vi[i] as number) + tau2),
            w2 = wi * wi;
          w[i] = wi;
          sw += wi;
          sw2 += w2;
          b3 += w2 * wi;
          cy += wi * (yi[i] as number);
        }
        a = sw;
        b2 = sw2;
      } else if (unit) {
        for (let i = 0; i < k; i++) {
          const wi = w[i] as number,
            w2 = wi * wi;
          sw += wi;
          sw2 += w2;
          b3 += w2 * wi;
          cy += wi * (yi[i] as number);
        }
        a = sw;
        b2 = sw2;
      } else {
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
      }
      const ainv = 1 / a;
      // Σwᵢxᵢyᵢ may overflow where b does not (yᵢ = 1e300 with wᵢ = 1e10): the weighted mean with the weights
      // divided by their sum first (only there, so that other fits keep their bits)
      const b = Number.isFinite(cy) ? cy * ainv : normalisedWeightedMean(w, x, yi, k, unit, ainv);
      let rss = 0,
        ypp = 0,
        yppp = 0,
        g = 0,
        b2a = 0,
        b3a = 0;
      if (unit) {
        for (let i = 0; i < k; i++) {
          const y = yi[i] as number,
            e = y - b;
          big = Math.max(big, Math.abs(y));
          residuals[i] = e;
          const wi = w[i] as number,
            we = wi * e,
            wwe = wi * we;
          rss += we * e;
          ypp += we * we;
          yppp += wwe * we;
          g += wwe;
        }
      } else {
        for (let i = 0; i < k; i++) {
          const xi = x[i] as number,
            y = yi[i] as number,
            f = xi * b;
          const e = y - f;
          big = Math.max(big, Math.abs(y), Math.abs(f));
          residuals[i] = e;
          const wi = w[i] as number,
            we = wi * e,
            wwe = wi * we;
          rss += we * e;
          ypp += we * we;
          yppp += wwe * we;
          g += wwe * xi;
        }
      }
      beta[0] = b;
      Ainv[0] = ainv;
      A[0] = a;
      this.logdet = Number.NaN;
      this.sumW = sw;
      this.sumW2 = sw2;
      this.RSS = rss;
      this.yPPy = ypp;
      this.yPPPy = yppp - g * g * ainv;
      const tiny = b3 < UNDERFLOW_RISK;
      if (tiny || b2 < UNDERFLOW_RISK) {
        // only where the plain sums may have lost terms to underflow (see above)
        for (let i = 0; i < k; i++) {
          const wi = w[i] as number,
            wx = unit ? wi : wi * (x[i] as number);
          b2a += wx * (wx * ainv);
          b3a += wx * wx * (wi * ainv);
        }
      }
      this.trP = b2 < UNDERFLOW_RISK ? sw - b2a : sw - ainv * b2;
      this.trPP = tiny
        ? sw2 - 2 * b3a + (b2 < UNDERFLOW_RISK ? b2a * b2a : (ainv * b2) ** 2)
        : sw2 - 2 * ainv * b3 + (ainv * b2) ** 2;
      // One study carrying nearly all the weight (variances many orders of magnitude apart): the differences
      // above cancel to rounding noise, so take the traces from sums over the other studies instead.
      if (!(this.trP > 1e-6 * sw && this.trPP > 1e-6 * sw2)) this.interceptTracesBySums(a);
      this.exactSums = false;
      if (residualsAtLimit(Math.max(big, Math.abs(b)), sw, rss, k)) this.computeExactly();
      return;
    }
    if (this.factor !== undefined && this.computeFactor(this.factor)) return;
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
    this.sumW = sw;
    this.sumW2 = sw2;
    tmp.set(A);
    this.exactSums = false;
    try {
      this.logdet = cholesky(tmp, p);
    } catch (e) {
      // singular in double precision need not be singular: precise studies can carry a coefficient's
      // information in a few bits of XᵀWX (coded one way, the same model is refused and coded the other
      // way fitted); the exact XᵀWX decides, and only a singular one is refused
      if (e instanceof EvsynthError && e.code === 'SINGULAR_MATRIX' && this.computeExactly()) return;
      throw e;
    }
    // pivots below 2⁻²⁶ of their diagonal entries (XᵀWX conditioned beyond 10⁸: half the digits of A⁻¹
    // and b lost, an SE wrong in its fourth digit): the exact sums
    let illConditioned = false;
    for (let j = 0; j < p; j++)
      if ((tmp[j * p + j] as number) ** 2 < ILL_CONDITIONED * (A[j * p + j] as number)) illConditioned = true;
    if (illConditioned && this.computeExactly()) return;
    choleskyInverse(tmp, p, Ainv);
    for (let r = 0; r < p; r++) {
      let s = 0;
      for (let m = 0; m < p; m++) s += (Ainv[r * p + m] as number) * (c[m] as number);
      beta[r] = s;
    }
    let rss = 0,
      ypp = 0,
      yppp = 0;
    // g = XᵀW²e (into c, no longer needed)
    c.fill(0);
    let big = 0;
    for (let i = 0; i < k; i++) {
      let fit = 0;
      for (let r = 0; r < p; r++) fit += (x[i * p + r] as number) * (beta[r] as number);
      const y = yi[i] as number;
      const e = y - fit;
      big = Math.max(big, Math.abs(y), Math.abs(fit));
      residuals[i] = e;
      const wi = w[i] as number,
        we = wi * e,
        wwe = wi * we;
      rss += we * e;
      ypp += we * we;
      yppp += wwe * we;
      for (let r = 0; r < p; r++) c[r] = (c[r] as number) + wwe * (x[i * p + r] as number);
    }
    let gAg = 0;
    for (let r = 0; r < p; r++)
      for (let s = 0; s < p; s++) gAg += (c[r] as number) * (Ainv[r * p + s] as number) * (c[s] as number);
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
    this.yPPPy = yppp - gAg;
    this.trP = sw - trM2;
    this.trPP = sw2 - 2 * trM3 + trM2M2;
    this.trPLost = !(this.trP > TRACE_NOISE * sw);
    this.trPPLost = !(this.trPP > TRACE_NOISE_PP * sw2);
    // the traces are cancellation noise (and so, then, are the residuals of the precise studies): the same
    // sums in exact arithmetic, rounded once (./exact-kernel.ts)
    if (this.trPLost || this.trPPLost || residualsAtLimit(big, sw, rss, k)) this.computeExactly();
  }

  /**
   * {@link compute} for a design of one factor's indicators (see the module comment): the same sums from
   * per-level sums, in O(k + p), then (XᵀWX)⁻¹ filled in O(p²). The traces are sums without cancellation
   * (flagged lost only where they underflow to 0); the exact fallback for yᵀPy at the limit of double precision
   * is the general path's. Returns false, having set nothing but per-level sums, where XᵀWX is
   * singular or nearly so (a level's weights sum to 0 or overflow; under treatment coding a Cholesky pivot of
   * XᵀWX, a_j·R_{j+1}/R_j with R_j = a₀ + Σ_{g≥j} a_g, within 10⁻¹¹ of its diagonal a_j): the general path
   * then refuses such designs as it always has (SINGULAR_MATRIX).
   */
  private computeFactor(f: FactorCoding): boolean {
    const { k, p, yi, w, beta, Ainv, residuals } = this;
    const { level, intercept } = f;
    if (this.levelSums === undefined) this.levelSums = Array.from({ length: 3 }, () => new Float64Array(p));
    const [a, c, h] = this.levelSums as [Float64Array, Float64Array, Float64Array];
    a.fill(0);
    c.fill(0);
    h.fill(0);
    let sw = 0,
      sw2 = 0;
    for (let i = 0; i < k; i++) {
      const g = level[i] as number,
        wi = w[i] as number,
        w2 = wi * wi;
      sw += wi;
      sw2 += w2;
      a[g] = (a[g] as number) + wi;
      c[g] = (c[g] as number) + wi * (yi[i] as number);
    }
    for (let g = 0; g < p; g++)
      if (!((a[g] as number) > 0 && (a[g] as number) < Number.POSITIVE_INFINITY)) return false;
    if (intercept) {
      let r = a[0] as number;
      for (let g = p - 1; g >= 1; g--) {
        const next = r + (a[g] as number);
        if (!(r > 1e-11 * next)) return false;
        r = next;
      }
    }
    // μ_g = c_g/a_g (into c)
    let logdet = 0;
    for (let g = 0; g < p; g++) {
      const ag = a[g] as number;
      c[g] = (c[g] as number) / ag;
      logdet += Math.log(ag);
    }
    // P is block diagonal, one intercept-only block per level: its traces from sums over the level's other
    // studies (as interceptTracesBySums), which do not cancel
    const { start, rows } = f;
    let trP = 0,
      trPP = 0;
    for (let g = 0; g < p; g++) {
      const ag = a[g] as number;
      const sums = this.tracesOverOthers(start[g] as number, start[g + 1] as number, rows, undefined);
      trP += (sums[0] as number) / ag;
      trPP += (sums[1] as number) / ag / ag;
    }
    let rss = 0,
      ypp = 0,
      yppp = 0,
      big = 0;
    for (let i = 0; i < k; i++) {
      const g = level[i] as number,
        y = yi[i] as number,
        fit = c[g] as number,
        e = y - fit;
      big = Math.max(big, Math.abs(y), Math.abs(fit));
      residuals[i] = e;
      const wi = w[i] as number,
        we = wi * e,
        wwe = wi * we;
      rss += we * e;
      ypp += we * we;
      yppp += wwe * we;
      h[g] = (h[g] as number) + wwe;
    }
    let gAg = 0;
    for (let g = 0; g < p; g++) gAg += ((h[g] as number) * (h[g] as number)) / (a[g] as number);
    // b = T⁻¹μ and (XᵀWX)⁻¹ = T⁻¹ diag(1/a) T⁻ᵀ
    if (intercept) {
      const mu0 = c[0] as number,
        u = 1 / (a[0] as number);
      beta[0] = mu0;
      Ainv.fill(u);
      for (let g = 1; g < p; g++) {
        beta[g] = (c[g] as number) - mu0;
        Ainv[g] = -u;
        Ainv[g * p] = -u;
        Ainv[g * p + g] = 1 / (a[g] as number) + u;
      }
    } else {
      Ainv.fill(0);
      for (let g = 0; g < p; g++) {
        beta[g] = c[g] as number;
        Ainv[g * p + g] = 1 / (a[g] as number);
      }
    }
    this.logdet = logdet;
    this.sumW = sw;
    this.sumW2 = sw2;
    this.RSS = rss;
    this.yPPy = ypp;
    this.yPPPy = yppp - gAg;
    this.trP = trP;
    this.trPP = trPP;
    // (sums of non-negative terms: lost only where they underflow)
    this.trPLost = !(trP > 0);
    this.trPPLost = !(trPP > 0);
    this.exactSums = false;
    // (traces that underflowed, or yᵀPy at the limit of double precision: the exact sums, as the general path)
    if (this.trPLost || this.trPPLost || residualsAtLimit(big, sw, rss, k)) this.computeExactly();
    return true;
  }

  /**
   * Replaces the sums of the last evaluation by their exact values at the same weights
   * ({@link exactKernelSums}); the lost-trace flags then clear. Leaves everything as it was where the exact
   * XᵀWX is singular or an input is not finite.
   */
  private computeExactly(): boolean {
    const { k, p, yi, w } = this;
    if (k > EXACT_MAX_STUDIES) return false;
    for (let i = 0; i < k; i++) if (!Number.isFinite(w[i] as number) || !Number.isFinite(yi[i] as number)) return false;
    const exact = exactKernelSums(yi, w, this.design.x, k, p);
    if (exact === undefined) return false;
    this.trP = exact.trP;
    this.trPP = exact.trPP;
    this.RSS = exact.RSS;
    this.yPPy = exact.yPPy;
    this.yPPPy = exact.yPPPy;
    this.beta.set(exact.beta);
    this.Ainv.set(exact.Ainv);
    this.residuals.set(exact.residuals);
    // exact values are not lost, even where they round to 0 (underflow: the SEs' other scales handle that)
    this.trPLost = false;
    this.trPPLost = false;
    this.exactSums = true;
    if (p > 1) this.logdet = exact.logDetA;
    return true;
  }
}

/**
 * Q_gen(τ²) = yᵀPy = Σ wᵢ(yᵢ − b)² of the intercept-only model, wᵢ = 1/(vᵢ + τ²), b = Σwᵢyᵢ/Σwᵢ, alone: the
 * same floating-point operations in the same order as {@link Kernel.evaluate}(τ²).RSS of an intercept-only
 * kernel (so the same value to the last bit), without storing weights or residuals and without the other
 * sums. For the Q-profile interval of τ², which evaluates Q_gen some thirty times.
 */
export function interceptRss(yi: Float64Array, vi: Float64Array, tau2: number): number {
  const k = yi.length;
  let sw = 0,
    cy = 0;
  for (let i = 0; i < k; i++) {
    const wi = 1 / ((vi[i] as number) + tau2);
    sw += wi;
    cy += wi * (yi[i] as number);
  }
  const b = cy * (1 / sw);
  let rss = 0,
    big = Math.abs(b);
  for (let i = 0; i < k; i++) {
    const y = yi[i] as number,
      e = y - b,
      we = (1 / ((vi[i] as number) + tau2)) * e;
    big = Math.max(big, Math.abs(y));
    rss += we * e;
  }
  // as the kernel: exact where the rounding of b, weighted, could reach 1e-12 of Q_gen
  if (residualsAtLimit(big, sw, rss, k) && k <= EXACT_MAX_STUDIES) {
    const w = new Float64Array(k);
    for (let i = 0; i < k; i++) w[i] = 1 / ((vi[i] as number) + tau2);
    if (w.every(Number.isFinite)) return exactKernelSums(yi, w, new Float64Array(k).fill(1), k, 1)?.RSS ?? rss;
  }
  return rss;
}

/**
 * Whether a kernel's studies, scaled to its smallest variance, include one whose variance overflowed (variances
 * more than the double range apart): such fits go through {@link fitRma}, which checks whether those studies
 * matter.
 */
export function beyondOneScale(kernel: Kernel): boolean {
  const v = kernel.vi;
  for (let i = 0; i < kernel.k; i++) if ((v[i] as number) === Number.POSITIVE_INFINITY) return true;
  return false;
}

let shared: Kernel | undefined;

/** The most studies the shared kernel of {@link sharedInterceptKernel} holds. */
export const SHARED_KERNEL_STUDIES = 4096;

/**
 * An intercept-only kernel shared by the single fits (fitRma, fitLean) of up to 4,096 studies, so that a
 * refit allocates no kernel (bigger fits get their own). The caller loads it and reads what it needs
 * before the next fit reuses it.
 */
export function sharedInterceptKernel(k: number): Kernel {
  if (k > SHARED_KERNEL_STUDIES) return Kernel.intercept(k);
  if (shared === undefined || shared.yi.length < k)
    shared = Kernel.intercept(Math.max(k, 2 * (shared?.yi.length ?? 8)));
  return shared;
}

/**
 * tr P = Σwᵢ − tr(A⁻¹B₂) carries a rounding error of some units of ε·Σwᵢ, multiplied by the condition of
 * A = XᵀWX, which grows with the spread of the weights; tr PP one of some units of ε·Σwᵢ². Below 2⁻²⁰Σwᵢ
 * (tr P; random meta-regressions there already differ from metafor by up to 3·10⁻⁴ in τ²) and 2⁻³²Σwᵢ²
 * (tr PP, which falls as the square of the weights the precise studies leave) the traces are taken as noise.
 */
const TRACE_NOISE = 2 ** -20,
  TRACE_NOISE_PP = 2 ** -32;

/** A Cholesky pivot lᵢᵢ² below this fraction of its diagonal entry Aᵢᵢ marks XᵀWX as ill-conditioned. */
const ILL_CONDITIONED = 2 ** -26;

/**
 * The most studies whose sums {@link Kernel} recomputes exactly where double precision loses them: an exact
 * evaluation of 5,000 studies with weights 10³⁰⁰ apart costs about 0.1 s (BigInt arithmetic), so a fit of
 * some thirty evaluations stays within seconds. Bigger kernels keep the double-precision sums (and fitRma
 * its refusal or warning).
 */
const EXACT_MAX_STUDIES = 5000;

/**
 * b = Σ(wᵢxᵢ/a)yᵢ with a = Σwᵢxᵢ² (`ainv` = 1/a), for a one-column model whose Σwᵢxᵢyᵢ overflows: each
 * weight is divided by the sum before it meets yᵢ, so no product exceeds max |yᵢ|·max|xᵢ|⁻¹.
 */
function normalisedWeightedMean(
  w: Float64Array,
  x: Float64Array,
  yi: Float64Array,
  k: number,
  unit: boolean,
  ainv: number,
): number {
  let b = 0;
  for (let i = 0; i < k; i++) {
    const xi = unit ? 1 : (x[i] as number);
    b += (w[i] as number) * xi * ainv * (yi[i] as number);
  }
  return b;
}

/**
 * Whether yᵀPy = Σwᵢeᵢ² may carry rounding of more than 10⁻¹² max(1, yᵀPy): each residual eᵢ = yᵢ − xᵢᵀb
 * carries up to 4ε·max(|yᵢ|, |xᵢᵀb|) of rounding, so Σwᵢ(4ε·M)² with M the largest of those bounds it
 * (M = `big`, Σwᵢ = `sumW`). Far below in ordinary data (Σwᵢ·M² would have to exceed 10¹⁸); where a study
 * of variance 10⁻³⁰ carries the weight, its residual is rounding alone.
 */
function residualsAtLimit(big: number, sumW: number, rss: number, k: number): boolean {
  const u = 4 * Number.EPSILON * big;
  return k > 1 && sumW * u * u > 1e-12 * Math.max(1, rss);
}

/** Sums of powers of the weights below this (2⁻⁹⁶⁰) may have lost terms to underflow. */
const UNDERFLOW_RISK = 2 ** -960;

const BIG = 2 ** 600,
  SMALL = 2 ** -600,
  HUGE = 2 ** 400,
  TINY = 2 ** -400;

/**
 * log Π xᵢ for positive factors, from a running product kept in [2⁻⁶⁰⁰, 2⁶⁰⁰] by exact powers of two
 * (factors beyond 2^±400 are logged one by one): one logarithm instead of n, accurate to a few units of
 * n·ε in the product.
 */
class LogProduct {
  private m = 1;
  private e = 0;
  private extra = 0;
  reset(): void {
    this.m = 1;
    this.e = 0;
    this.extra = 0;
  }
  mul(x: number): void {
    if (x > HUGE || x < TINY) {
      this.extra += Math.log(x);
      return;
    }
    let m = this.m * x;
    if (m > BIG) {
      m *= SMALL;
      this.e += 600;
    } else if (m < SMALL) {
      m *= BIG;
      this.e -= 600;
    }
    this.m = m;
  }
  /** log of this product over `other`'s. */
  logRatio(other: LogProduct): number {
    return Math.log(this.m / other.m) + (this.e - other.e) * Math.LN2 + (this.extra - other.extra);
  }
}
