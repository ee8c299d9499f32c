import gammaln from '@stdlib/math-base-special-gammaln';
import { integrate } from './quadrature.ts';

/**
 * Gauss hypergeometric function ₂F₁(½, ½; c; z) for c > ½ and 0 ≤ z ≤ 1, from Euler's integral with
 * t = sin²θ (Abramowitz & Stegun 15.3.1):
 *
 * ```text
 * ₂F₁(½, ½; c; z) = 2Γ(c)/(Γ(½)Γ(c − ½)) · ∫₀^{π/2} cos^{2c−2}θ · (1 − z·sin²θ)^{−½} dθ
 * ```
 *
 * (the Olkin–Pratt unbiased correlation is r·₂F₁(½, ½; (n − 2)/2; 1 − r²)).
 */
export function hyp2f1HalfHalf(c: number, z: number): number {
  if (z === 0) return 1;
  const k = Math.exp(gammaln(c) - gammaln(0.5) - gammaln(c - 0.5));
  const w = 1 - z;
  const integral = integrate(
    (t) => {
      const s2 = Math.sin(t) ** 2,
        c2 = 1 - s2;
      return c2 ** (c - 1) / Math.sqrt(c2 + w * s2);
    },
    0,
    Math.PI / 2,
  );
  return 2 * k * integral;
}

/**
 * Gauss hypergeometric function ₂F₁(1, 1; c; z) for c > 1 and 0 ≤ z ≤ 1 (z = 1 needs c > 2), from
 * Euler's integral with 1 − t = s² (Abramowitz & Stegun 15.3.1):
 *
 * ```text
 * ₂F₁(1, 1; c; z) = 2(c − 1) · ∫₀¹ s^{2c−3} / (1 − z + z·s²) ds
 * ```
 */
export function hyp2f1OneOne(c: number, z: number): number {
  if (z === 0) return 1;
  const w = 1 - z;
  return 2 * (c - 1) * integrate((s) => s ** (2 * c - 3) / (w + z * s * s), 0, 1);
}
