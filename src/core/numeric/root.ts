/**
 * Root of a continuous function on a bracket [lo, hi] with f(lo)·f(hi) ≤ 0, by Brent's
 * method (inverse quadratic interpolation with bisection safeguard), to the limit of
 * double precision unless `tol` is given. Never loops more than `maxiter` times.
 *
 * Reference: Brent RP (1973). Algorithms for Minimization without Derivatives, ch. 4.
 */
export interface RootResult {
  readonly root: number;
  readonly iterations: number;
  readonly converged: boolean;
}

export function brent(f: (x: number) => number, lo: number, hi: number, tol = 0, maxiter = 1000): RootResult {
  let a = lo,
    b = hi;
  let fa = f(a),
    fb = f(b);
  if (fa === 0) return { root: a, iterations: 0, converged: true };
  if (fb === 0) return { root: b, iterations: 0, converged: true };
  if (fa * fb > 0) return { root: Number.NaN, iterations: 0, converged: false };
  let c = a,
    fc = fa,
    d = b - a,
    e = d;
  for (let iter = 1; iter <= maxiter; iter++) {
    if (fb * fc > 0) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol1 = 2 * Number.EPSILON * Math.abs(b) + 0.5 * tol;
    const xm = 0.5 * (c - b);
    if (Math.abs(xm) <= tol1 || fb === 0) return { root: b, iterations: iter, converged: true };
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number, q: number;
      if (a === c) {
        p = 2 * xm * s;
        q = 1 - s;
      } else {
        const qq = fa / fc,
          r = fb / fc;
        p = s * (2 * xm * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * xm * q - Math.abs(tol1 * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = xm;
        e = d;
      }
    } else {
      d = xm;
      e = d;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol1 ? d : xm > 0 ? tol1 : -tol1;
    fb = f(b);
  }
  return { root: b, iterations: maxiter, converged: false };
}

/**
 * Root of a decreasing function f on [0, ∞) with f(0) > 0: the upper end of the bracket starts at
 * `hi` and doubles until f(hi) ≤ 0 (at most until it overflows, about 2,100 doublings from the smallest
 * number), and the root is sought between the last two ends, where f changes sign.
 */
export function rootDecreasing(f: (x: number) => number, hi: number, tol = 0): RootResult {
  let lower = 0,
    upper = Math.max(hi, Number.MIN_VALUE);
  while (Number.isFinite(upper) && f(upper) > 0) {
    lower = upper;
    upper *= 2;
  }
  return brent(f, lower, Number.isFinite(upper) ? upper : Number.MAX_VALUE, tol);
}
