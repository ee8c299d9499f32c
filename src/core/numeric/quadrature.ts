/**
 * Adaptive Gauss–Legendre quadrature to the limit of double precision, for the smooth integrals behind
 * the bivariate normal distribution and the hypergeometric functions of the correlation measures.
 *
 * Nodes and weights of the n-point rule are the roots of the Legendre polynomial Pₙ, found by Newton's
 * method from Tricomi's initial values (Press et al., Numerical Recipes, 3rd ed., §4.6.1). The adaptive
 * scheme compares the rule on an interval with the rule on its two halves and bisects until they agree
 * (Davis PJ, Rabinowitz P (1984). Methods of Numerical Integration, 2nd ed., §6.2).
 */

const N = 20;
const { nodes: X, weights: W } = legendreRule(N);

function legendreRule(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n),
    weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1,
        p1 = x;
      for (let j = 2; j <= n; j++) {
        const p2 = ((2 * j - 1) * x * p1 - (j - 1) * p0) / j;
        p0 = p1;
        p1 = p2;
      }
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-17) break;
    }
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = weights[n - 1 - i] = 2 / ((1 - x * x) * dp * dp);
  }
  return { nodes, weights };
}

function rule(f: (x: number) => number, a: number, b: number): number {
  const h = (b - a) / 2,
    m = (a + b) / 2;
  let s = 0;
  for (let i = 0; i < N; i++) s += (W[i] as number) * f(m + h * (X[i] as number));
  return s * h;
}

/**
 * ∫ₐᵇ f(x) dx for a smooth (or endpoint-smooth) integrand, to relative accuracy `rel` of the whole
 * integral (default 1e-15) or absolute accuracy `abs` (default 0), with at most `depth` nested bisections
 * (default 30).
 */
export function integrate(f: (x: number) => number, a: number, b: number, rel = 1e-15, abs = 0, depth = 30): number {
  if (a === b) return 0;
  const whole = rule(f, a, b);
  const scale = { value: Math.abs(whole), abs };
  return refine(f, a, b, whole, rel, depth, scale);
}

function refine(
  f: (x: number) => number,
  a: number,
  b: number,
  whole: number,
  rel: number,
  depth: number,
  scale: { value: number; readonly abs: number },
): number {
  const m = (a + b) / 2;
  const left = rule(f, a, m),
    right = rule(f, m, b);
  const both = left + right;
  scale.value = Math.max(scale.value, Math.abs(both));
  const tol = Math.max(rel * scale.value, scale.abs);
  if (depth <= 0 || Math.abs(both - whole) <= tol || m === a || m === b) return both;
  return refine(f, a, m, left, rel, depth - 1, scale) + refine(f, m, b, right, rel, depth - 1, scale);
}
