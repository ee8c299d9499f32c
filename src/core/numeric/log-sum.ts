/**
 * Sums of positive numbers held as their natural logarithms, for quantities whose terms under- or overflow
 * double precision (weights 1/vᵢ of 1e323 next to 1, their squares and cubes): the log-sum-exp
 *
 * ```text
 * log Σ exp(aᵢ) = m + log Σ exp(aᵢ − m),   m = max aᵢ
 * ```
 *
 * exact to a few units in the last place of each exp(aᵢ − m) ≤ 1 (no term can overflow and the largest is 1,
 * so the sum carries the relative precision of double arithmetic). −∞ stands for 0.
 *
 * Reference: Higham NJ (2002). Accuracy and Stability of Numerical Algorithms, 2nd ed., SIAM (§4, summation);
 * Blanchard P, Higham DJ, Higham NJ (2021). Accurately computing the log-sum-exp and softmax functions.
 * IMA J Numer Anal 41(4):2311–2330. doi:10.1093/imanum/draa038.
 */

/** log(exp(a) + exp(b)) for a, b in [−∞, ∞) (either −∞ for a zero term). */
export function logAddExp(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) throw new RangeError(`logAddExp(${a}, ${b}): NaN`);
  const m = Math.max(a, b);
  if (m === Number.NEGATIVE_INFINITY) return m;
  return m + Math.log1p(Math.exp(Math.min(a, b) - m));
}

/** log Σ exp(aᵢ) over the first `n` of `a` (−∞ for an empty sum or all terms −∞). */
export function logSumExp(a: ArrayLike<number>, n = a.length): number {
  if (!(Number.isInteger(n) && n >= 0 && n <= a.length)) throw new RangeError(`logSumExp: n = ${n}`);
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    if (Number.isNaN(x)) throw new RangeError(`logSumExp: a[${i}] is NaN`);
    m = Math.max(m, x);
  }
  if (m === Number.NEGATIVE_INFINITY) return m;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp((a[i] as number) - m);
  return m + Math.log(s);
}

/**
 * log Σⱼ≠ᵢ exp(aⱼ) for every i, into `out` (length n): the sum over the other terms from a prefix and a suffix
 * log-sum, O(n), with no subtraction (so no cancellation where one term carries nearly all the sum).
 */
export function logSumExpExcluding(a: ArrayLike<number>, out: Float64Array = new Float64Array(a.length)): Float64Array {
  const n = a.length;
  if (out.length !== n) throw new RangeError(`logSumExpExcluding: out has length ${out.length}, expected ${n}`);
  let suffix = Number.NEGATIVE_INFINITY;
  for (let i = n - 1; i >= 0; i--) {
    out[i] = suffix;
    suffix = logAddExp(suffix, a[i] as number);
  }
  let prefix = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    out[i] = logAddExp(prefix, out[i] as number);
    prefix = logAddExp(prefix, a[i] as number);
  }
  return out;
}
