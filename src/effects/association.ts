/** Measures of association of two dichotomous variables from 2×2 tables: φ, Yule's Q and Y, tetrachoric r. */
import { brent } from '../core/numeric/root.ts';
import { dbinorm, pbinorm } from '../distributions/bivariate-normal.ts';
import { pnorm, qnorm } from '../distributions/index.ts';
import { tableMeasure, type Cells, type TableOptions } from './binary.ts';
import type { EffectColumns, Vtype } from './options.ts';
import type { RowResults } from './result.ts';

/**
 * The phi coefficient of a 2×2 table (metafor `measure="PHI"`, add = 0 by default), with rows r₁ = a + b,
 * r₂ = c + d, columns c₁ = a + c, c₂ = b + d, N = r₁ + r₂:
 *
 * ```text
 * φ  = (ad − bc)/√(r₁r₂c₁c₂)
 * CS (cross-sectional, multinomial sampling; metafor's default "LS"), with pᵣⱼ = rⱼ/N, p_cⱼ = cⱼ/N:
 *   vi = [1 − φ² + φ(1 + φ²/2)(pᵣ₁ − pᵣ₂)(p_c₁ − p_c₂)/√(pᵣ₁pᵣ₂p_c₁p_c₂)
 *         − ¾φ²((pᵣ₁ − pᵣ₂)²/(pᵣ₁pᵣ₂) + (p_c₁ − p_c₂)²/(p_c₁p_c₂))] / N        (Bishop, Fienberg & Holland 1975)
 * ST (stratified: row totals fixed, a ~ Bin(r₁), c ~ Bin(r₂)), the delta method:
 *   vi = (∂φ/∂a)²·ab/r₁ + (∂φ/∂c)²·cd/r₂,
 *   ∂φ/∂a = r₂/S − φ(c₂ − c₁)/(2c₁c₂),  ∂φ/∂c = −r₁/S − φ(c₂ − c₁)/(2c₁c₂),  S = √(r₁r₂c₁c₂)
 * ```
 *
 * References: Fleiss JL, Berlin JA (2009). Effect sizes for dichotomous data. In The Handbook of Research
 * Synthesis and Meta-Analysis, 2nd ed.; Bishop YMM, Fienberg SE, Holland PW (1975). Discrete Multivariate
 * Analysis, §11.3. Cross-check: metafor's `escalc` documentation (measure "PHI", vtype ST/CS).
 */
export function phi(cols: EffectColumns, k: number, o: TableOptions, vtype: Vtype): RowResults {
  return tableMeasure('PHI', cols, k, o, ({ a, b, c, d }) => {
    const r1 = a + b,
      r2 = c + d,
      c1 = a + c,
      c2 = b + d;
    const N = r1 + r2;
    const S = Math.sqrt(r1 * r2 * c1 * c2);
    const f = (a * d - b * c) / S;
    if (vtype === 'ST') {
      const t = (f * (c2 - c1)) / (2 * c1 * c2);
      const ga = r2 / S - t,
        gc = -r1 / S - t;
      return [f, (ga * ga * a * b) / r1 + (gc * gc * c * d) / r2];
    }
    const pr1 = r1 / N,
      pr2 = r2 / N,
      pc1 = c1 / N,
      pc2 = c2 / N;
    const v =
      (1 -
        f * f +
        (f * (1 + (f * f) / 2) * (pr1 - pr2) * (pc1 - pc2)) / Math.sqrt(pr1 * pr2 * pc1 * pc2) -
        0.75 * f * f * ((pr1 - pr2) ** 2 / (pr1 * pr2) + (pc1 - pc2) ** 2 / (pc1 * pc2))) /
      N;
    return [f, v];
  });
}

/**
 * Yule's coefficients of association (metafor `measure="YUQ"` and `"YUY"`), functions of the odds ratio
 * OR = ad/(bc), with the delta-method variances from var(log OR) = 1/a + 1/b + 1/c + 1/d:
 *
 * ```text
 * YUQ: Q = (OR − 1)/(OR + 1),     vi = ¼(1 − Q²)²·(1/a + 1/b + 1/c + 1/d)
 * YUY: Y = (√OR − 1)/(√OR + 1),   vi = (1/16)(1 − Y²)²·(1/a + 1/b + 1/c + 1/d)
 * ```
 *
 * Reference: Yule GU (1912). On the methods of measuring association between two attributes. J R Stat Soc
 * 75(6):579–652. Cross-check: metafor's `escalc` documentation (measures "YUQ", "YUY").
 */
export function yule(measure: 'YUQ' | 'YUY', cols: EffectColumns, k: number, o: TableOptions): RowResults {
  return tableMeasure(measure, cols, k, o, ({ a, b, c, d }) => {
    const v = 1 / a + 1 / b + 1 / c + 1 / d;
    if (measure === 'YUQ') {
      const q = (a * d - b * c) / (a * d + b * c);
      return [q, 0.25 * (1 - q * q) ** 2 * v];
    }
    const s = Math.sqrt((a * d) / (b * c));
    const y = (s - 1) / (s + 1);
    return [y, (1 / 16) * (1 - y * y) ** 2 * v];
  });
}

/**
 * Tetrachoric correlation of a 2×2 table (metafor `measure="RTET"`, add = 0 by default): the correlation ρ
 * of a bivariate normal distribution dichotomized at thresholds h, k that reproduces the table. Its maximum
 * likelihood estimate (the model is saturated) solves
 *
 * ```text
 * Φ₂(h, k; ρ) = a/N,   h = Φ⁻¹((a + b)/N),   k = Φ⁻¹((a + c)/N)
 * ```
 *
 * by Brent's method on ρ ∈ (−1, 1), with Φ₂ to double precision; its sampling variance is the delta method
 * under multinomial sampling (equal to the inverse Fisher information of the saturated model):
 *
 * ```text
 * vi = gᵀ Σ g,  g = (1, −Φ((k − ρh)/√(1−ρ²)), −Φ((h − ρk)/√(1−ρ²))) / φ₂(h, k; ρ),
 * Σ = cov(a/N, (a+b)/N, (a+c)/N) = [p₁₁(1−p₁₁), p₁₁(1−pᵣ), p₁₁(1−p_c); ·, pᵣ(1−pᵣ), p₁₁ − pᵣp_c; ·, ·, p_c(1−p_c)]/N
 * ```
 *
 * Tables with a zero cell have no interior estimate (ρ = ±1) and are not estimable unless `add` is used.
 *
 * References: Pearson K (1900). Philos Trans R Soc Lond A 195:1–47; Kirk DB (1973). On the numerical
 * approximation of the bivariate normal (tetrachoric) correlation coefficient. Psychometrika 38(2):259–268;
 * Brown MB, Benedetti JK (1977). On the mean and variance of the tetrachoric correlation coefficient.
 * Psychometrika 42(3):347–355. Cross-check: metafor's `escalc` documentation (measure "RTET"); metafor
 * maximises the likelihood numerically, so its values agree only to its optimiser's tolerance.
 */
export function tetrachoric(cols: EffectColumns, k: number, o: TableOptions): RowResults {
  return tableMeasure(
    'RTET',
    cols,
    k,
    o,
    (t) => tetrachoricOf(t),
    'RTET not estimable: a zero cell (the estimate is on the boundary ±1) without continuity correction',
  );
}

function tetrachoricOf({ a, b, c, d }: Cells): readonly [number, number] {
  if (!(a > 0 && b > 0 && c > 0 && d > 0)) return [Number.NaN, Number.NaN];
  const N = a + b + c + d;
  const p11 = a / N,
    pr = (a + b) / N,
    pc = (a + c) / N;
  const h = qnorm(pr),
    kk = qnorm(pc);
  const root = brent((rho) => pbinorm(h, kk, rho) - p11, -1, 1);
  const rho = root.root;
  if (!root.converged || !(Math.abs(rho) < 1)) return [Number.NaN, Number.NaN];
  const s = Math.sqrt(1 - rho * rho);
  const f = dbinorm(h, kk, rho);
  const g1 = 1 / f,
    g2 = -pnorm((kk - rho * h) / s) / f,
    g3 = -pnorm((h - rho * kk) / s) / f;
  const v =
    g1 * g1 * p11 * (1 - p11) +
    g2 * g2 * pr * (1 - pr) +
    g3 * g3 * pc * (1 - pc) +
    2 * g1 * g2 * p11 * (1 - pr) +
    2 * g1 * g3 * p11 * (1 - pc) +
    2 * g2 * g3 * (p11 - pr * pc);
  return [rho, v / N];
}
