/**
 * Conversions between 2×2 tables and standardized mean differences, assuming the dichotomy cuts an
 * underlying continuous outcome: probit-transformed risk difference (PBIT) and odds ratio to SMD (OR2DN,
 * OR2DL); SMD to log odds ratio (D2ORN, D2ORL).
 */
import { dnorm, qnorm } from '../distributions/index.ts';
import { tableMeasure, type TableOptions } from './binary.ts';
import type { EffectColumns } from './options.ts';
import type { RowResults } from './result.ts';
import { checkSampleSize, checkSd, rowwise } from './rowwise.ts';
import { pooledSd } from './smd.ts';

/** Logistic-to-normal scale factors: π/√3 (logistic SD) and 1.65 (Cox's normal approximation). */
const LOGISTIC = Math.PI / Math.sqrt(3);
const COX = 1.65;

/**
 * SMD estimates from 2×2 tables (after the continuity correction; metafor `measure="PBIT"`, `"OR2DN"`,
 * `"OR2DL"`), with p₁ = a/n₁, p₂ = c/n₂ and log OR with its variance 1/a + 1/b + 1/c + 1/d:
 *
 * ```text
 * PBIT:  yi = Φ⁻¹(p₁) − Φ⁻¹(p₂),   vi = p₁(1−p₁)/(n₁φ(Φ⁻¹(p₁))²) + p₂(1−p₂)/(n₂φ(Φ⁻¹(p₂))²)   (normal outcome)
 * OR2DN: yi = log OR / 1.65,       vi = var(log OR)/1.65²                                   (Cox 1970)
 * OR2DL: yi = log OR·√3/π,         vi = var(log OR)·3/π²                   (logistic outcome; Hasselblad & Hedges 1995)
 * ```
 *
 * References: Cox DR, Snell EJ (1989). Analysis of Binary Data, 2nd ed.; Chinn S (2000). Stat Med
 * 19(22):3127–3131; Hasselblad V, Hedges LV (1995). Psychol Bull 117(1):167–178; Sánchez-Meca J,
 * Marín-Martínez F, Chacón-Moscoso S (2003). Effect-size indices for dichotomized outcomes in
 * meta-analysis. Psychol Methods 8(4):448–467. Cross-check: metafor's `escalc` documentation.
 */
export function tableToSmd(
  measure: 'PBIT' | 'OR2DN' | 'OR2DL',
  cols: EffectColumns,
  k: number,
  o: TableOptions,
): RowResults {
  return tableMeasure(measure, cols, k, o, ({ a, b, c, d }) => {
    if (measure === 'PBIT') {
      const p1 = a / (a + b),
        p2 = c / (c + d);
      const z1 = qnorm(p1),
        z2 = qnorm(p2);
      return [z1 - z2, (p1 * (1 - p1)) / ((a + b) * dnorm(z1) ** 2) + (p2 * (1 - p2)) / ((c + d) * dnorm(z2) ** 2)];
    }
    const f = measure === 'OR2DN' ? COX : LOGISTIC;
    return [Math.log((a * d) / (b * c)) / f, (1 / a + 1 / b + 1 / c + 1 / d) / (f * f)];
  });
}

/**
 * Log odds ratios from two groups' means (metafor `measure="D2ORN"`, `"D2ORL"`): Cohen's
 * d = (m₁ − m₂)/s_p (pooled SD, no small-sample correction) with vd = 1/n₁ + 1/n₂ + d²/(2(n₁ + n₂)):
 *
 * ```text
 * D2ORN: yi = 1.65·d,    vi = 1.65²·vd        (normal outcome; Cox 1970)
 * D2ORL: yi = π/√3·d,    vi = (π²/3)·vd       (logistic outcome; Hasselblad & Hedges 1995)
 * ```
 *
 * References as for {@link tableToSmd}. Cross-check: metafor's `escalc` documentation (D2ORN, D2ORL).
 */
export function smdToLogOr(measure: 'D2ORN' | 'D2ORL', cols: EffectColumns, k: number): RowResults {
  return rowwise(measure, cols, k, ['n1i', 'm1i', 'sd1i', 'n2i', 'm2i', 'sd2i'], (r, i, out) => {
    checkSampleSize(r.n1i, i, 'n1i', measure);
    checkSampleSize(r.n2i, i, 'n2i', measure);
    checkSd(r.sd1i, i, 'sd1i');
    checkSd(r.sd2i, i, 'sd2i');
    const d = (r.m1i - r.m2i) / pooledSd(r);
    const vd = 1 / r.n1i + 1 / r.n2i + (d * d) / (2 * (r.n1i + r.n2i));
    const f = measure === 'D2ORN' ? COX : LOGISTIC;
    out.set(i, f * d, f * f * vd, `${measure} not estimable (both standard deviations are 0, or n1i + n2i < 3)`);
  });
}
