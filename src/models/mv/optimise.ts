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
 * Reference: Bertsekas DP (1982). Projected Newton methods for optimization problems with simple
 * constraints. SIAM J Control Optim 20(2):221–246; Jennrich RI, Sampson PF (1976). Newton–Raphson and
 * related algorithms for maximum likelihood variance component estimation. Technometrics 18(1):11–17.
 */
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
    for (let ls = 0; ls < 60; ls++) {
      trial.set(theta);
      moved = 0;
      free.forEach((i, a) => {
        const pi = params[i]!;
        const v = Math.min(Math.max((theta[i] as number) + step * (d[a] as number), pi.lower), pi.upper);
        trial[i] = v;
        moved = Math.max(
          moved,
          Math.abs(v - (theta[i] as number)) / (Math.abs(theta[i] as number) + (scale[i] as number)),
        );
      });
      if (moved === 0) break;
      if (admissible(trial) && lik.evaluate(trial, false) && lik.ll >= ll - 1e-13 * Math.max(1, Math.abs(ll))) {
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
