/**
 * Internal rescaling that makes every fit exact at any representable scale.
 *
 * The random-effects model is scale-equivariant: multiplying every yᵢ by c and every vᵢ by c² multiplies
 * b, its standard error and the CI by c and τ² by c², and leaves z, p, Q, I² and H² unchanged. The fits
 * use this: where the variances are extreme they divide yᵢ by c and vᵢ by c², with c = 2ʲ chosen so that
 * the smallest scaled variance lies in [1, 4), fit, and scale back. Multiplying by a power of two is exact in floating point, so the
 * rescaling rounds nothing, and in the scaled problem every weight 1/(vᵢ + τ²) is at most 1: no weight,
 * squared or cubed weight can overflow, whatever the scale of the input (vᵢ of 1e-300 or 1e300).
 */

/** The exponent j of the scale c = 2ʲ by which a fit divides its estimates (its variances by c² = 4ʲ). */
export interface FitScale {
  readonly j: number;
  /** log c², for log-likelihoods: Σ log(vᵢ + τ²) = Σ log((vᵢ + τ²)/c²) + k·log c². */
  readonly logC2: number;
}

/** x·2ⁿ, exact unless the result over- or underflows (also for n beyond ±1023, as in C's ldexp). */
export function ldexp(x: number, n: number): number {
  if (n > 1023) return x * 2 ** 1023 * 2 ** (n - 1023);
  if (n < -1022) return x * 2 ** (n + 1022) * 2 ** -1022;
  return x * 2 ** n;
}

/**
 * The scale of a fit to variances `vi` (finite, > 0): none (j = 0) while the smallest variance lies in
 * [2⁻¹⁰⁰, 2¹⁰⁰], where no weight, squared or cubed weight can overflow and the data are fitted as given
 * (so ordinary results are bit for bit those of a fit without rescaling); otherwise 4ʲ ≤ min vᵢ < 4ʲ⁺¹.
 */
export function fitScale(vi: ArrayLike<number>): FitScale {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < vi.length; i++) min = Math.min(min, vi[i] as number);
  const j = scaleExponent(min);
  return j === 0 ? UNSCALED : { j, logC2: 2 * j * Math.LN2 };
}

const UNSCALED: FitScale = { j: 0, logC2: 0 };

/** The exponent j of {@link fitScale} for the smallest sampling variance `min` (0 inside [2⁻¹⁰⁰, 2¹⁰⁰]). */
export function scaleExponent(min: number): number {
  if (min >= 2 ** -100 && min <= 2 ** 100) return 0;
  let j = Math.floor(Math.log2(min) / 2);
  // Math.log2 may round across a power of two: settle j exactly
  while (ldexp(1, 2 * j) > min) j--;
  while (ldexp(1, 2 * j + 2) <= min) j++;
  return j;
}

/** yᵢ/c and vᵢ/c² into new arrays (exact: c is a power of two). */
export function scaleEffects(
  yi: ArrayLike<number>,
  vi: ArrayLike<number>,
  s: FitScale,
): { readonly y: Float64Array; readonly v: Float64Array } {
  if (s.j === 0) return { y: Float64Array.from(yi), v: Float64Array.from(vi) };
  const k = yi.length;
  const y = new Float64Array(k),
    v = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    y[i] = ldexp(yi[i] as number, -s.j);
    v[i] = ldexp(vi[i] as number, -2 * s.j);
  }
  return { y, v };
}

/**
 * The smallest scaled variance a fit at a second scale keeps (2⁻³⁰⁰): smaller ones (and those that
 * underflow) are raised to it, so that no weight 1/(vᵢ + τ²), squared or cubed, can overflow. A fit at
 * such a scale is trusted only where the floor cannot matter: at τ² ≥ 2⁶⁰·floor, vᵢ + τ² rounds to τ²
 * whether vᵢ is its own value or the floor, so every weight there is the exact weight.
 */
export const VARIANCE_FLOOR = 2 ** -300;

/**
 * yᵢ/c and max(vᵢ/c², floor) into new arrays (c = 2ʲ; exact but for the floor, see {@link VARIANCE_FLOOR}),
 * for fits at a scale far above the smallest variance (the scale of τ̂²).
 */
export function scaleEffectsFloored(
  yi: ArrayLike<number>,
  vi: ArrayLike<number>,
  j: number,
  floor = VARIANCE_FLOOR,
): { readonly y: Float64Array; readonly v: Float64Array } {
  const k = yi.length;
  const y = new Float64Array(k),
    v = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    y[i] = ldexp(yi[i] as number, -j);
    v[i] = Math.max(ldexp(vi[i] as number, -2 * j), floor);
  }
  return { y, v };
}

/** Σ(yᵢ − ȳ)² of the first k estimates (the mean first, then the squares): the spread of the estimates. */
export function sumOfSquaredDeviations(yi: ArrayLike<number>, k: number): number {
  let mean = 0;
  for (let i = 0; i < k; i++) mean += yi[i] as number;
  mean /= k;
  let ss = 0;
  for (let i = 0; i < k; i++) ss += ((yi[i] as number) - mean) ** 2;
  return ss;
}

/**
 * Σ(yᵢ − ȳ)² as s·4ᵉ, computed on yᵢ/2ᵉ with 2ᵉ ≤ max |yᵢ| < 2ᵉ⁺¹ (the mean first, then the squares), so that
 * neither the squares nor the sum over- or underflow (estimates of 1e200 or 1e-300 included); undefined where
 * every yᵢ is equal (s = 0).
 */
function scaledSumOfSquares(yi: ArrayLike<number>): { s: number; e: number } | undefined {
  const k = yi.length;
  let max = 0;
  for (let i = 0; i < k; i++) max = Math.max(max, Math.abs(yi[i] as number));
  if (!(max > 0)) return undefined;
  const e = Math.floor(Math.log2(max));
  let mean = 0;
  for (let i = 0; i < k; i++) mean += ldexp(yi[i] as number, -e);
  mean /= k;
  let s = 0;
  for (let i = 0; i < k; i++) s += (ldexp(yi[i] as number, -e) - mean) ** 2;
  return s > 0 ? { s, e } : undefined;
}

/**
 * The exponent j with 4ʲ ≤ Σ(yᵢ − ȳ)² < 4ʲ⁺¹ (see {@link scaledSumOfSquares}: estimates of 1e200 included);
 * NaN where every yᵢ is equal.
 */
export function sumOfSquaresExponent(yi: ArrayLike<number>): number {
  const q = scaledSumOfSquares(yi);
  return q === undefined ? Number.NaN : q.e + Math.floor(Math.log2(q.s) / 2);
}

/**
 * log Σ(yᵢ − ȳ)², finite where the sum itself under- or overflows (yᵢ of 1e-200: 1e-400), from
 * {@link scaledSumOfSquares}: log s + 2e·log 2; −∞ where every yᵢ is equal.
 */
export function logSumOfSquaredDeviations(yi: ArrayLike<number>): number {
  const q = scaledSumOfSquares(yi);
  return q === undefined ? Number.NEGATIVE_INFINITY : Math.log(q.s) + 2 * q.e * Math.LN2;
}
