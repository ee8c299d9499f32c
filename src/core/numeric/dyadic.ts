/**
 * Exact arithmetic on dyadic rationals m·2ᵉ (m a BigInt, e an integer). Every finite double is one
 * (x = M·2ᴱ with |M| < 2⁵³, E ≥ −1074), and sums and products of dyadic rationals are dyadic rationals, so
 * sums of products of doubles — Σwᵢxᵢxᵢᵀ, Σwᵢyᵢ and the like — are computed without any rounding; division
 * is left to the end ({@link dyadicRatio}), where a quotient of two exact numbers is rounded once.
 *
 * For quantities that are differences of nearly equal sums in double precision (the traces of P in a
 * meta-regression where a few precise studies carry nearly all the weight: src/models/exact-kernel.ts).
 *
 * Reference: Knuth DE (1997). The Art of Computer Programming, vol. 2, 3rd ed., §4.2 (floating point) and
 * §4.5.1 (fractions); Higham NJ (2002). Accuracy and Stability of Numerical Algorithms, 2nd ed., §2.
 */

/** The dyadic rational m·2ᵉ. */
export interface Dyadic {
  readonly m: bigint;
  readonly e: number;
}

export const DYADIC_ZERO: Dyadic = { m: 0n, e: 0 };

const view = new DataView(new ArrayBuffer(8));
const MANTISSA = (1n << 52n) - 1n;

/** The finite double x as the dyadic rational it is, exactly. @throws RangeError for NaN or ±∞ */
export function dyadicOf(x: number): Dyadic {
  if (!Number.isFinite(x)) throw new RangeError(`dyadicOf(${x}): expected a finite number`);
  if (x === 0) return DYADIC_ZERO;
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & MANTISSA;
  const m = biased === 0 ? fraction : fraction | (1n << 52n);
  const e = biased === 0 ? -1074 : biased - 1075;
  return { m: x < 0 ? -m : m, e };
}

/** a + b, exact. */
export function dyadicAdd(a: Dyadic, b: Dyadic): Dyadic {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  if (a.e === b.e) return { m: a.m + b.m, e: a.e };
  return a.e > b.e ? { m: (a.m << BigInt(a.e - b.e)) + b.m, e: b.e } : { m: a.m + (b.m << BigInt(b.e - a.e)), e: a.e };
}

/** a − b, exact. */
export function dyadicSub(a: Dyadic, b: Dyadic): Dyadic {
  return dyadicAdd(a, { m: -b.m, e: b.e });
}

/** a·b, exact. */
export function dyadicMul(a: Dyadic, b: Dyadic): Dyadic {
  if (a.m === 0n || b.m === 0n) return DYADIC_ZERO;
  return { m: a.m * b.m, e: a.e + b.e };
}

/** a·2ⁿ, exact. */
export function dyadicScale(a: Dyadic, n: number): Dyadic {
  return a.m === 0n ? a : { m: a.m, e: a.e + n };
}

/** Number of bits of |n| (0 for 0). */
function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = (n < 0n ? -n : n).toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(Number.parseInt(hex[0] as string, 16)));
}

/** x·2ⁿ for any integer n (no intermediate overflow or underflow short of the result's own). */
function ldexpAny(x: number, n: number): number {
  let r = x;
  while (n > 1000 && Number.isFinite(r) && r !== 0) {
    r *= 2 ** 1000;
    n -= 1000;
  }
  while (n < -1000 && r !== 0 && Number.isFinite(r)) {
    r *= 2 ** -1000;
    n += 1000;
  }
  return r * 2 ** n;
}

/**
 * The double nearest a/b (b ≠ 0), rounded once: a quotient of 64 or more significant bits with a sticky bit
 * for the remainder, then converted (so the result is the correctly rounded quotient, but for the rare double
 * rounding in the subnormal range). ±∞ or 0 where a/b lies beyond the double range.
 *
 * @throws RangeError when b is 0
 */
export function dyadicRatio(a: Dyadic, b: Dyadic): number {
  if (b.m === 0n) throw new RangeError('dyadicRatio: division by 0');
  if (a.m === 0n) return 0;
  const negative = a.m < 0n !== b.m < 0n;
  const num = a.m < 0n ? -a.m : a.m,
    den = b.m < 0n ? -b.m : b.m;
  const s = bitLength(den) - bitLength(num) + 66;
  let q: bigint, r: bigint;
  if (s >= 0) {
    const shifted = num << BigInt(s);
    q = shifted / den;
    r = shifted - q * den;
  } else {
    const shifted = den << BigInt(-s);
    q = num / shifted;
    r = num - q * shifted;
  }
  if (r !== 0n) q |= 1n;
  const value = ldexpAny(Number(q), a.e - b.e - s);
  return negative ? -value : value;
}

/**
 * Determinant and adjugate of a square integer matrix (row-major, n × n) by fraction-free Gauss–Jordan
 * elimination (every division exact), or undefined where a pivot is 0 (the matrices passed here, XᵀWX of a
 * design of full rank, are positive definite, so no pivot is 0 and no rows are exchanged).
 *
 * Reference: Bareiss EH (1968). Sylvester's identity and multistep integer-preserving Gaussian elimination.
 * Math Comp 22(103):565–578. doi:10.2307/2004533; Nakos GC, Turner PR, Williams RM (1997). Fraction-free
 * algorithms for linear and polynomial equations. ACM SIGSAM Bull 31(3):11–19.
 */
export function integerAdjugate(matrix: readonly bigint[], n: number): { det: bigint; adj: bigint[] } | undefined {
  if (!(Number.isInteger(n) && n >= 1 && matrix.length === n * n))
    throw new RangeError(`integerAdjugate: a ${n} × ${n} matrix needs ${n * n} entries, got ${matrix.length}`);
  const w = 2 * n;
  const M: bigint[] = new Array<bigint>(n * w).fill(0n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) M[r * w + c] = matrix[r * n + c] as bigint;
    M[r * w + n + r] = 1n;
  }
  let prev = 1n;
  for (let k = 0; k < n; k++) {
    const pivot = M[k * w + k] as bigint;
    if (pivot === 0n) return undefined;
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const f = M[i * w + k] as bigint;
      for (let j = 0; j < w; j++) {
        if (j === k) continue;
        M[i * w + j] = (pivot * (M[i * w + j] as bigint) - f * (M[k * w + j] as bigint)) / prev;
      }
      M[i * w + k] = 0n;
    }
    prev = pivot;
  }
  // every row's diagonal is now det(A), and the right half is adj(A) = det(A)·A⁻¹
  const adj: bigint[] = new Array<bigint>(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) adj[r * n + c] = M[r * w + n + c] as bigint;
  return { det: prev, adj };
}

/** log|a| for a dyadic rational a ≠ 0 (−∞ for 0), from its leading 53 bits: no overflow whatever its size. */
export function dyadicLog(a: Dyadic): number {
  if (a.m === 0n) return Number.NEGATIVE_INFINITY;
  const m = a.m < 0n ? -a.m : a.m;
  const shift = Math.max(0, bitLength(m) - 64);
  return Math.log(Number(m >> BigInt(shift))) + (shift + a.e) * Math.LN2;
}
