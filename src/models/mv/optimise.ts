/**
 * Maximises the (restricted) log-likelihood of a multilevel/multivariate model over its variance and
 * correlation parameters, subject to their boxes (variances and standard deviations ≥ 0, correlations in
 * [−1, 1]) and to admissibility (M positive definite, UN correlation matrices positive semi-definite).
 *
 * Projected Newton–Raphson with the exact observed Hessian: parameters on a bound whose gradient points
 * outwards are held there (the active set); the Newton step of the others is used when −H is positive
 * definite and it is an ascent direction, else the Fisher-scoring step 𝓘⁻¹g (always an ascent direction);
 * steps are halved until ℓ does not decrease. Converges quadratically near an interior maximum and in one
 * step onto a bound; stops when no parameter moves by more than `tol`·(|θ| + scale).
 *
 * A local search can stop at a stationary point that is not a maximum (the scoring step is ≈ 0 where the
 * gradient is, also at a minimum) or at a local maximum below the global one (bimodal likelihoods: with
 * one random intercept per row, the model of rma.uni, a maximum at σ² = 0 and a higher one inside). So a
 * converged point is never reported as such without three checks ({@link restartPoints}): −H is positive
 * semi-definite on the free parameters (else the search continues along its directions of negative
 * curvature, both ways); a variance on its bound 0 has no interior maximum above it on a coarse grid; a
 * variance inside is not beaten by the same point with it at 0. The local search is restarted from every
 * point those checks yield and the highest ℓ is kept (a new point must beat it by 10⁻¹²·max(1, |ℓ|)),
 * for at most four rounds; where the first point passes all checks (ordinary fits) it is returned as it was.
 * The restarted searches are careful near the boundary: a Newton step that would more than halve a variance
 * is compared with the step that halves it, and the better is taken (a full step from beyond an interior
 * maximum can land on σ² = 0 in the other basin and be accepted because ℓ(0) beats its starting point).
 *
 * Reference: Bertsekas DP (1982). Projected Newton methods for optimization problems with simple
 * constraints. SIAM J Control Optim 20(2):221–246; Jennrich RI, Sampson PF (1976). Newton–Raphson and
 * related algorithms for maximum likelihood variance component estimation. Technometrics 18(1):11–17.
 */
import { symmetricEigen } from '../../core/numeric/eigen.ts';
import type { MvLikelihood } from './likelihood.ts';

export interface OptimiseControl {
  /** Relative step size below which the iteration stops (default 1e-10). */
  readonly tol?: number;
  /** At most this many Newton/scoring iterations (default 500). */
  readonly maxiter?: number;
}

export interface OptimiseResult {
  readonly theta: Float64Array;
  readonly ll: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/** Solves S d = g for symmetric positive-definite S (m × m, row-major); null when S is not positive definite. */
function solveSpd(S: Float64Array, g: Float64Array, m: number): Float64Array | null {
  const L = Float64Array.from(S);
  for (let j = 0; j < m; j++) {
    let d = L[j * m + j] as number;
    for (let k = 0; k < j; k++) d -= (L[j * m + k] as number) ** 2;
    if (!(d > 1e-14 * Math.max(1, Math.abs(S[j * m + j] as number))) || !Number.isFinite(d)) return null;
    const l = Math.sqrt(d);
    L[j * m + j] = l;
    for (let i = j + 1; i < m; i++) {
      let s = L[i * m + j] as number;
      for (let k = 0; k < j; k++) s -= (L[i * m + k] as number) * (L[j * m + k] as number);
      L[i * m + j] = s / l;
    }
  }
  const x = Float64Array.from(g);
  for (let i = 0; i < m; i++) {
    let s = x[i] as number;
    for (let k = 0; k < i; k++) s -= (L[i * m + k] as number) * (x[k] as number);
    x[i] = s / (L[i * m + i] as number);
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = x[i] as number;
    for (let k = i + 1; k < m; k++) s -= (L[k * m + i] as number) * (x[k] as number);
    x[i] = s / (L[i * m + i] as number);
  }
  return x;
}

/**
 * Maximises ℓ from `start` over the parameters not `fixed`. `scale[i]` is the typical size of θ_i (for the
 * stopping rule); `admissible` rejects parameter values outside the model's space. Leaves `lik` evaluated
 * (with derivatives) at the returned θ.
 */
export function maximiseLikelihood(
  lik: MvLikelihood,
  start: ArrayLike<number>,
  fixed: readonly boolean[],
  scale: ArrayLike<number>,
  admissible: (theta: Float64Array) => boolean,
  control: OptimiseControl = {},
): OptimiseResult {
  let best = climb(lik, start, fixed, scale, admissible, control);
  if (!best.converged) return best;
  let iterations = best.iterations;
  for (let round = 0; round < MAX_RESTARTS; round++) {
    const margin = 1e-12 * Math.max(1, Math.abs(best.ll));
    let improved = false;
    for (const s of restartPoints(lik, best, fixed, scale, admissible, margin)) {
      const r = climb(lik, s, fixed, scale, admissible, control, true);
      iterations += r.iterations;
      if (r.converged && r.ll > best.ll + margin) {
        best = r;
        improved = true;
      }
    }
    if (!improved) break;
  }
  lik.evaluate(best.theta, true);
  return { theta: best.theta, ll: lik.ll, iterations, converged: true };
}

/** At most this many rounds of restarts from the points of {@link restartPoints}. */
const MAX_RESTARTS = 4;
/** Grid points of the boundary scan, at most this many. */
const BOUNDARY_GRID_POINTS = 48;

/**
 * Starting points from which a local search may reach a higher ℓ than at the converged point `at` (lik
 * evaluated there with derivatives), for the rules of {@link maximiseLikelihood}:
 * 1. not a maximum: along each eigenvector of −H (free parameters) with an eigenvalue ≤ 0, in both
 *    directions, the first of the steps 10⁻³·2ʲ·(|θ| + scale) (j = 0…20, projected on the box) that raises ℓ;
 * 2. a variance or SD on its lower bound 0 (gradient ≤ 0 there): the points of a coarse geometric grid of
 *    that parameter alone, 10⁻³·scale to 8·max(Σ(yᵢ − ȳ)², scale) at ratio ≥ 1.5, where its derivative turns
 *    positive (an interior maximum lies above);
 * 3. a variance or SD inside: the same θ with it at 0, when ℓ is higher there.
 */
function restartPoints(
  lik: MvLikelihood,
  at: OptimiseResult,
  fixed: readonly boolean[],
  scale: ArrayLike<number>,
  admissible: (theta: Float64Array) => boolean,
  margin: number,
): Float64Array[] {
  const params = lik.params,
    m = params.length,
    theta = at.theta,
    ll0 = at.ll;
  const g = Float64Array.from(lik.gradient),
    H = Float64Array.from(lik.hessian);
  const points: Float64Array[] = [];
  const higher = (x: Float64Array) => admissible(x) && lik.evaluate(x, false) && lik.ll > ll0 + margin;
  const free: number[] = [];
  for (let i = 0; i < m; i++) {
    if (fixed[i]) continue;
    const pi = params[i]!,
      th = theta[i] as number;
    if (th > pi.lower && th < pi.upper) free.push(i);
  }
  // 1. curvature: −H must be positive semi-definite on the free parameters
  if (free.length > 0) {
    const f = free.length;
    const negH = new Float64Array(f * f);
    let maxH = 0;
    free.forEach((i, a) =>
      free.forEach((j, b) => {
        const v = -(H[i * m + j] as number);
        negH[a * f + b] = v;
        maxH = Math.max(maxH, Math.abs(v));
      }),
    );
    const { values, vectors } = symmetricEigen(negH, f);
    for (let e = 0; e < f; e++) {
      if (!((values[e] as number) <= 1e-12 * maxH)) continue;
      for (const sign of [1, -1]) {
        const x = new Float64Array(m);
        for (let j = 0; j < 21; j++) {
          const size = 1e-3 * 2 ** j;
          x.set(theta);
          free.forEach((i, a) => {
            const pi = params[i]!,
              th = theta[i] as number;
            const step = sign * size * (vectors[a * f + e] as number) * (Math.abs(th) + (scale[i] as number));
            x[i] = Math.min(Math.max(th + step, pi.lower), pi.upper);
          });
          if (higher(x)) {
            points.push(Float64Array.from(x));
            break;
          }
        }
      }
    }
  }
  for (let i = 0; i < m; i++) {
    const pi = params[i]!;
    if (fixed[i] || pi.kind === 'correlation' || pi.lower !== 0) continue;
    const th = theta[i] as number;
    if (th <= 0 && (g[i] as number) <= 0) {
      // 2. on the boundary: scan this parameter for an interior maximum
      const s = scale[i] as number,
        top = 8 * Math.max(lik.dataSpread(), s),
        bottom = 1e-3 * s;
      if (!(top > bottom && Number.isFinite(top) && bottom > 0)) continue;
      const ratio = Math.max(1.5, (top / bottom) ** (1 / BOUNDARY_GRID_POINTS));
      const x = Float64Array.from(theta);
      let rising = false;
      for (let v = bottom; ; v *= ratio) {
        x[i] = Math.min(v, top);
        const ok = admissible(x) && lik.evaluate(x, true);
        const up = ok && (lik.gradient[i] as number) > 0;
        if (up && !rising) points.push(Float64Array.from(x));
        rising = up;
        if (v >= top) break;
      }
    } else if (th > 0) {
      // 3. inside: compare with the boundary
      const x = Float64Array.from(theta);
      x[i] = 0;
      if (higher(x)) points.push(x);
    }
  }
  return points;
}

/** One local search (projected Newton with line search) from `start`: see {@link maximiseLikelihood}. */
function climb(
  lik: MvLikelihood,
  start: ArrayLike<number>,
  fixed: readonly boolean[],
  scale: ArrayLike<number>,
  admissible: (theta: Float64Array) => boolean,
  control: OptimiseControl,
  careful = false,
): OptimiseResult {
  const tol = control.tol ?? 1e-10;
  const maxiter = control.maxiter ?? 500;
  const params = lik.params;
  const m = params.length;
  const theta = Float64Array.from(start, (v, i) => Math.min(Math.max(v, params[i]!.lower), params[i]!.upper));
  if (!lik.evaluate(theta, true)) return { theta, ll: Number.NEGATIVE_INFINITY, iterations: 0, converged: false };
  let ll = lik.ll;
  let iterations = 0,
    converged = false;
  const trial = new Float64Array(m);
  while (iterations < maxiter) {
    iterations++;
    const g = Float64Array.from(lik.gradient);
    const H = Float64Array.from(lik.hessian);
    const F = Float64Array.from(lik.fisher);
    const free: number[] = [];
    for (let i = 0; i < m; i++) {
      if (fixed[i]) continue;
      const pi = params[i]!,
        gi = g[i] as number,
        th = theta[i] as number;
      const atLower = th <= pi.lower && (gi < 0 || (gi === 0 && (H[i * m + i] as number) >= 0));
      const atUpper = th >= pi.upper && gi >= 0;
      if (!atLower && !atUpper) free.push(i);
    }
    if (free.length === 0) {
      converged = true;
      break;
    }
    const f = free.length;
    const gf = Float64Array.from(free, (i) => g[i] as number);
    const negH = new Float64Array(f * f),
      Ff = new Float64Array(f * f);
    let maxF = 0;
    free.forEach((i, a) =>
      free.forEach((j, b) => {
        negH[a * f + b] = -(H[i * m + j] as number);
        Ff[a * f + b] = F[i * m + j] as number;
        if (a === b) maxF = Math.max(maxF, Math.abs(F[i * m + j] as number));
      }),
    );
    let d = solveSpd(negH, gf, f);
    if (d === null || d.reduce((s, v, a) => s + v * (gf[a] as number), 0) <= 0) {
      // Fisher scoring, with a ridge when the information is singular (unidentified directions)
      d = solveSpd(Ff, gf, f);
      for (let ridge = 1e-10; d === null && ridge < 1e3; ridge *= 100) {
        const R = Float64Array.from(Ff);
        for (let a = 0; a < f; a++) R[a * f + a] = (R[a * f + a] as number) + ridge * Math.max(maxF, 1e-300);
        d = solveSpd(R, gf, f);
      }
      if (d === null) break;
    }
    // line search
    let step = 1,
      accepted = false,
      moved = 0;
    const fill = (st: number) => {
      trial.set(theta);
      moved = 0;
      free.forEach((i, a) => {
        const pi = params[i]!;
        const v = Math.min(Math.max((theta[i] as number) + st * (d[a] as number), pi.lower), pi.upper);
        trial[i] = v;
        moved = Math.max(
          moved,
          Math.abs(v - (theta[i] as number)) / (Math.abs(theta[i] as number) + (scale[i] as number)),
        );
      });
      return moved;
    };
    const ascends = () =>
      admissible(trial) && lik.evaluate(trial, false) && lik.ll >= ll - 1e-13 * Math.max(1, Math.abs(ll));
    if (careful) {
      // a step that more than halves a variance may jump over an interior maximum into the basin of the
      // boundary: take the better of it and the step that halves the variance
      let cap = 1;
      free.forEach((i, a) => {
        const pi = params[i]!,
          th = theta[i] as number,
          di = d[a] as number;
        if (pi.kind !== 'correlation' && pi.lower === 0 && th > 0 && th + di < th / 2)
          cap = Math.min(cap, th / 2 / -di);
      });
      if (cap < 1) {
        const llFull = fill(1) > 0 && ascends() ? lik.ll : Number.NEGATIVE_INFINITY;
        const full = Float64Array.from(trial),
          movedFull = moved;
        const llCap = fill(cap) > 0 && ascends() ? lik.ll : Number.NEGATIVE_INFINITY;
        if (llFull > llCap) {
          trial.set(full);
          moved = movedFull;
          lik.evaluate(trial, false);
        }
        if (Math.max(llFull, llCap) > Number.NEGATIVE_INFINITY) accepted = true;
        else step = cap / 2;
      }
    }
    for (let ls = 0; ls < 60 && !accepted; ls++) {
      if (fill(step) === 0) break;
      if (ascends()) {
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) {
      // no ascent possible at double precision: we are at the maximum (or stuck)
      converged = free.every(
        (i, a) =>
          Math.abs(gf[a] as number) * ((scale[i] as number) + Math.abs(theta[i] as number)) <
          1e-6 * Math.max(1, Math.abs(ll)),
      );
      break;
    }
    theta.set(trial);
    ll = lik.ll;
    if (moved <= tol) {
      converged = true;
      break;
    }
    lik.evaluate(theta, true);
  }
  lik.evaluate(theta, true);
  return { theta, ll: lik.ll, iterations, converged };
}
