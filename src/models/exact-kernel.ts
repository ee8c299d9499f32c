/**
 * The weighted least-squares sums of src/models/kernel.ts computed exactly from the weights, moderators and
 * estimates as given (doubles, hence dyadic rationals: src/core/numeric/dyadic.ts), each result rounded once.
 * With A = XᵀWX = A′·2ᵉ (A′ an integer matrix), D = det(A′)·2ᵉ and A⁻¹ = adj(A′)/D:
 *
 * ```text
 * tr P   = (Σwᵢ·D − tr(adj B₂)) / D
 * tr PP  = (Σwᵢ²·D² − 2 tr(adj B₃)·D + tr(adj B₂ adj B₂)) / D²
 * b      = adj c / D,  c = XᵀWy;   eᵢ = nᵢ/D,  nᵢ = yᵢD − xᵢᵀ adj c
 * yᵀPy   = Σwᵢnᵢ² / D²,   yᵀPPy = Σwᵢ²nᵢ² / D²
 * yᵀPPPy = (Σwᵢ³nᵢ²·D − hᵀ adj h) / D³,   h = Σwᵢ²nᵢxᵢ
 * ```
 *
 * (B_m = Σwᵢᵐxᵢxᵢᵀ). In double precision the traces are differences that cancel to rounding noise where a
 * few precise studies carry all but a tiny fraction of the weight (variances 10²⁰ apart), and the residuals
 * of those studies are the rounding of xᵢᵀb; here nothing cancels and nothing is rounded before the end.
 * The cost (BigInt arithmetic on numbers of thousands of bits, O(k·p²) of them) is paid only where the
 * double-precision kernel has detected the loss ({@link Kernel.trPLost}).
 *
 * Reference: Raudenbush SW (2009), in The Handbook of Research Synthesis and Meta-Analysis, 2nd ed., 295–315
 * (the formulas); Bareiss EH (1968). Math Comp 22(103):565–578 (the adjugate without fractions).
 */
import {
  DYADIC_ZERO,
  type Dyadic,
  dyadicAdd,
  dyadicLog,
  dyadicMul,
  dyadicOf,
  dyadicRatio,
  dyadicScale,
  dyadicSub,
  integerAdjugate,
} from '../core/numeric/dyadic.ts';

/** The sums of {@link exactKernelSums}, each the double nearest its exact value. */
export interface ExactKernelSums {
  readonly trP: number;
  readonly trPP: number;
  readonly RSS: number;
  readonly yPPy: number;
  readonly yPPPy: number;
  /** log det(XᵀWX). */
  readonly logDetA: number;
  /** b (p), A⁻¹ (p × p, row-major) and the residuals yᵢ − xᵢᵀb (k). */
  readonly beta: Float64Array;
  readonly Ainv: Float64Array;
  readonly residuals: Float64Array;
}

/**
 * The kernel's sums at the weights `w` (k studies, p columns of the row-major design `x`, estimates `yi`),
 * exactly (see the module comment); undefined where XᵀWX is singular in exact arithmetic (a weight of 0 on
 * every study that identifies a coefficient).
 *
 * @throws RangeError for a non-finite weight, moderator or estimate, or sizes that do not match
 */
export function exactKernelSums(
  yi: ArrayLike<number>,
  w: ArrayLike<number>,
  x: ArrayLike<number>,
  k: number,
  p: number,
): ExactKernelSums | undefined {
  if (!(Number.isInteger(k) && Number.isInteger(p) && p >= 1 && k >= p))
    throw new RangeError(`exactKernelSums: k = ${k}, p = ${p}`);
  if (yi.length < k || w.length < k || x.length < k * p)
    throw new RangeError(`exactKernelSums: arrays shorter than k = ${k} studies of p = ${p} columns`);
  const W: Dyadic[] = [],
    Y: Dyadic[] = [],
    X: Dyadic[] = [];
  for (let i = 0; i < k; i++) {
    W.push(dyadicOf(w[i] as number));
    Y.push(dyadicOf(yi[i] as number));
    for (let r = 0; r < p; r++) X.push(dyadicOf(x[i * p + r] as number));
  }
  let sw: Dyadic = DYADIC_ZERO,
    sw2: Dyadic = DYADIC_ZERO;
  const A: Dyadic[] = new Array<Dyadic>(p * p).fill(DYADIC_ZERO),
    B2: Dyadic[] = new Array<Dyadic>(p * p).fill(DYADIC_ZERO),
    B3: Dyadic[] = new Array<Dyadic>(p * p).fill(DYADIC_ZERO),
    c: Dyadic[] = new Array<Dyadic>(p).fill(DYADIC_ZERO);
  const W2: Dyadic[] = [],
    W3: Dyadic[] = [];
  for (let i = 0; i < k; i++) {
    const wi = W[i] as Dyadic,
      w2 = dyadicMul(wi, wi),
      w3 = dyadicMul(w2, wi);
    W2.push(w2);
    W3.push(w3);
    sw = dyadicAdd(sw, wi);
    sw2 = dyadicAdd(sw2, w2);
    for (let r = 0; r < p; r++) {
      const xr = X[i * p + r] as Dyadic;
      c[r] = dyadicAdd(c[r] as Dyadic, dyadicMul(dyadicMul(wi, xr), Y[i] as Dyadic));
      for (let s = 0; s <= r; s++) {
        const xx = dyadicMul(xr, X[i * p + s] as Dyadic);
        A[r * p + s] = dyadicAdd(A[r * p + s] as Dyadic, dyadicMul(wi, xx));
        B2[r * p + s] = dyadicAdd(B2[r * p + s] as Dyadic, dyadicMul(w2, xx));
        B3[r * p + s] = dyadicAdd(B3[r * p + s] as Dyadic, dyadicMul(w3, xx));
      }
    }
  }
  for (let r = 0; r < p; r++)
    for (let s = 0; s < r; s++) {
      A[s * p + r] = A[r * p + s] as Dyadic;
      B2[s * p + r] = B2[r * p + s] as Dyadic;
      B3[s * p + r] = B3[r * p + s] as Dyadic;
    }
  // A = A′·2ᵉ with A′ integer
  let eA = Number.POSITIVE_INFINITY;
  for (const a of A) if (a.m !== 0n) eA = Math.min(eA, a.e);
  if (eA === Number.POSITIVE_INFINITY) return undefined;
  const Aint = A.map((a) => (a.m === 0n ? 0n : a.m << BigInt(a.e - eA)));
  const inv = integerAdjugate(Aint, p);
  if (inv === undefined || inv.det === 0n) return undefined;
  const D: Dyadic = { m: inv.det, e: eA };
  const adj: Dyadic[] = inv.adj.map((m) => ({ m, e: 0 }));
  const mulMat = (L: Dyadic[], R: Dyadic[]): Dyadic[] => {
    const out: Dyadic[] = [];
    for (let r = 0; r < p; r++)
      for (let s = 0; s < p; s++) {
        let t: Dyadic = DYADIC_ZERO;
        for (let m = 0; m < p; m++) t = dyadicAdd(t, dyadicMul(L[r * p + m] as Dyadic, R[m * p + s] as Dyadic));
        out.push(t);
      }
    return out;
  };
  const trace = (M: Dyadic[]): Dyadic => {
    let t: Dyadic = DYADIC_ZERO;
    for (let r = 0; r < p; r++) t = dyadicAdd(t, M[r * p + r] as Dyadic);
    return t;
  };
  const M2 = mulMat(adj, B2);
  const T2 = trace(M2),
    T3 = trace(mulMat(adj, B3)),
    TMM = trace(mulMat(M2, M2));
  const D2 = dyadicMul(D, D);
  const trP = dyadicRatio(dyadicSub(dyadicMul(sw, D), T2), D);
  const trPP = dyadicRatio(dyadicAdd(dyadicSub(dyadicMul(sw2, D2), dyadicScale(dyadicMul(T3, D), 1)), TMM), D2);
  // b = adj c / D and the residual numerators nᵢ = yᵢD − xᵢᵀ adj c
  const bNum: Dyadic[] = [];
  for (let r = 0; r < p; r++) {
    let t: Dyadic = DYADIC_ZERO;
    for (let s = 0; s < p; s++) t = dyadicAdd(t, dyadicMul(adj[r * p + s] as Dyadic, c[s] as Dyadic));
    bNum.push(t);
  }
  let rss: Dyadic = DYADIC_ZERO,
    ypp: Dyadic = DYADIC_ZERO,
    yppp: Dyadic = DYADIC_ZERO;
  const h: Dyadic[] = new Array<Dyadic>(p).fill(DYADIC_ZERO);
  const residuals = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let fit: Dyadic = DYADIC_ZERO;
    for (let r = 0; r < p; r++) fit = dyadicAdd(fit, dyadicMul(X[i * p + r] as Dyadic, bNum[r] as Dyadic));
    const n = dyadicSub(dyadicMul(Y[i] as Dyadic, D), fit);
    residuals[i] = dyadicRatio(n, D);
    if (n.m === 0n) continue;
    const n2 = dyadicMul(n, n);
    rss = dyadicAdd(rss, dyadicMul(W[i] as Dyadic, n2));
    ypp = dyadicAdd(ypp, dyadicMul(W2[i] as Dyadic, n2));
    yppp = dyadicAdd(yppp, dyadicMul(W3[i] as Dyadic, n2));
    const w2n = dyadicMul(W2[i] as Dyadic, n);
    for (let r = 0; r < p; r++) h[r] = dyadicAdd(h[r] as Dyadic, dyadicMul(w2n, X[i * p + r] as Dyadic));
  }
  let hAh: Dyadic = DYADIC_ZERO;
  for (let r = 0; r < p; r++)
    for (let s = 0; s < p; s++)
      hAh = dyadicAdd(hAh, dyadicMul(dyadicMul(h[r] as Dyadic, adj[r * p + s] as Dyadic), h[s] as Dyadic));
  const beta = new Float64Array(p),
    Ainv = new Float64Array(p * p);
  for (let r = 0; r < p; r++) beta[r] = dyadicRatio(bNum[r] as Dyadic, D);
  for (let r = 0; r < p * p; r++) Ainv[r] = dyadicRatio(adj[r] as Dyadic, D);
  return {
    trP,
    trPP,
    RSS: dyadicRatio(rss, D2),
    yPPy: dyadicRatio(ypp, D2),
    yPPPy: dyadicRatio(dyadicSub(dyadicMul(yppp, D), hAh), dyadicMul(D2, D)),
    // det(A) = det(A′)·2^(p·e)
    logDetA: dyadicLog({ m: inv.det, e: p * eA }),
    beta,
    Ainv,
    residuals,
  };
}
