import { integrate } from '../core/numeric/quadrature.ts';
import { pnorm } from './index.ts';

/**
 * Standard bivariate normal distribution function Φ₂(h, k; ρ) = P(X ≤ h, Y ≤ k) for standard normal X, Y
 * with correlation ρ, by the integral over θ = asin(r) of Plackett's identity ∂Φ₂/∂ρ = φ₂:
 *
 * ```text
 * Φ₂(h, k; ρ) = Φ(h)Φ(k) + (1/2π) ∫₀^{asin ρ} exp(−(h² + k² − 2hk·sin θ)/(2cos²θ)) dθ
 * ```
 *
 * whose integrand is smooth on the whole range (Drezner Z, Wesolowsky GO (1990). On the computation of the
 * bivariate normal integral. J Stat Comput Simul 35:101–107; Genz A (2004). Numerical computation of
 * rectangular bivariate and trivariate normal and t probabilities. Stat Comput 14:251–260), evaluated by
 * adaptive Gauss–Legendre quadrature to double precision in absolute terms (within 6e-16 of Genz's algorithm in
 * mvtnorm on a grid of h, k ∈ [−5, 4], ρ ∈ [−0.999, 0.9999]; far-tail probabilities below ~1e-13 are not
 * relatively accurate). ρ = ±1 gives the degenerate limits.
 */
export function pbinorm(h: number, k: number, rho: number): number {
  if (!(rho >= -1 && rho <= 1)) return Number.NaN;
  if (rho === 1) return pnorm(Math.min(h, k));
  if (rho === -1) return Math.max(0, pnorm(h) + pnorm(k) - 1);
  const hs = (h * h + k * k) / 2,
    hk = h * k;
  const integral = integrate(
    (t) => {
      const s = Math.sin(t),
        c2 = Math.cos(t) ** 2;
      return c2 === 0 ? 0 : Math.exp((s * hk - hs) / c2);
    },
    0,
    Math.asin(rho),
    1e-15,
    1e-18,
  );
  return pnorm(h) * pnorm(k) + integral / (2 * Math.PI);
}

/** Standard bivariate normal density φ₂(h, k; ρ). */
export function dbinorm(h: number, k: number, rho: number): number {
  const q = 1 - rho * rho;
  return Math.exp(-(h * h - 2 * rho * h * k + k * k) / (2 * q)) / (2 * Math.PI * Math.sqrt(q));
}
