import gammaln from '@stdlib/math-base-special-gammaln';
import { integrate } from './quadrature.ts';

/**
 * Gauss's series Σ (a)ⱼ(b)ⱼ/((c)ⱼ j!) zʲ (Abramowitz & Stegun 15.1.1) when it reaches double precision within
 * 5,000 terms (large c, or z not close to 1), else undefined: near z = 1 with small c it converges too slowly,
 * and the integrals below take over (their integrands are smooth there, while for large c they are peaked).
 */
function gaussSeries(a: number, b: number, c: number, z: number): number | undefined {
  let term = 1,
    sum = 1;
  for (let j = 0; j < 5000; j++) {
    term *= (((a + j) * (b + j)) / ((c + j) * (j + 1))) * z;
    sum += term;
    // the terms' ratio tends to z from below: the tail is at most term·z/(1 − z)
    if (term <= 1e-17 * sum * (1 - z)) return sum;
  }
  return undefined;
}

/**
 * Gauss hypergeometric function ₂F₁(½, ½; c; z) for c > ½ and 0 ≤ z ≤ 1: Gauss's series where it converges
 * fast, else Euler's integral with t = sin²θ (Abramowitz & Stegun 15.3.1):
 *
 * ```text
 * ₂F₁(½, ½; c; z) = 2Γ(c)/(Γ(½)Γ(c − ½)) · ∫₀^{π/2} cos^{2c−2}θ · (1 − z·sin²θ)^{−½} dθ
 * ```
 *
 * (the Olkin–Pratt unbiased correlation is r·₂F₁(½, ½; (n − 2)/2; 1 − r²)).
 */
export function hyp2f1HalfHalf(c: number, z: number): number {
  if (z === 0) return 1;
  const series = gaussSeries(0.5, 0.5, c, z);
  if (series !== undefined) return series;
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
 * Gauss hypergeometric function ₂F₁(1, 1; c; z) for c > 1 and 0 ≤ z ≤ 1 (z = 1 needs c > 2): Gauss's series
 * where it converges fast, else Euler's integral with 1 − t = s² (Abramowitz & Stegun 15.3.1):
 *
 * ```text
 * ₂F₁(1, 1; c; z) = 2(c − 1) · ∫₀¹ s^{2c−3} / (1 − z + z·s²) ds
 * ```
 */
export function hyp2f1OneOne(c: number, z: number): number {
  if (z === 0) return 1;
  const series = gaussSeries(1, 1, c, z);
  if (series !== undefined) return series;
  const w = 1 - z;
  return 2 * (c - 1) * integrate((s) => s ** (2 * c - 3) / (w + z * s * s), 0, 1);
}
