/** Correlations of a dichotomous with a quantitative variable, from two groups' means: RPB and RBIS. */
import { dnorm, qnorm } from '../distributions/index.ts';
import type { EffectColumns, Vtype } from './options.ts';
import type { RowResults } from './result.ts';
import { checkSampleSize, checkSd, rowwise } from './rowwise.ts';
import { pooledSd } from './smd.ts';

const ARMS = ['n1i', 'm1i', 'sd1i', 'n2i', 'm2i', 'sd2i'] as const;

/**
 * Point-biserial (metafor `measure="RPB"`) and biserial (`"RBIS"`) correlations from two groups of n₁ and
 * n₂ (N = n₁ + n₂, p = n₁/N, q = 1 − p) with Cohen's d = (m₁ − m₂)/s_p (pooled SD, no correction):
 *
 * ```text
 * RPB:  r = d/√(d² + h),  h = (N − 2)/n₁ + (N − 2)/n₂
 *   ST (stratified; metafor's default "LS"): vi = h²/(d² + h)³ · (1/n₁ + 1/n₂ + d²/(2N))   (delta method on d)
 *   CS (cross-sectional):                    vi = (1 − r²)²·(1 − 1.5r² + r²/(4pq))/N       (Tate 1954)
 * RBIS: r_b = r·√(pq)/φ(z),  z = Φ⁻¹(p)
 *   vi = [ρ⁴ + ρ²(pq·z²/φ(z)² − (2p − 1)z/φ(z) − 5/2) + pq/φ(z)²]/(N − 1),  ρ = r_b truncated to [−1, 1]   (Soper 1914)
 * ```
 *
 * References: Tate RF (1954). Correlation between a discrete and a continuous variable: point-biserial
 * correlation. Ann Math Stat 25(3):603–607; Soper HE (1914). Biometrika 10(2/3):384–390; Jacobs P,
 * Viechtbauer W (2017). Estimation of the biserial correlation and its sampling variance for use in
 * meta-analysis. Res Synth Methods 8(2):161–180. Cross-check: metafor's `escalc` documentation (measures
 * for mixed variable types).
 */
export function biserial(measure: 'RPB' | 'RBIS', cols: EffectColumns, k: number, vtype: Vtype): RowResults {
  return rowwise(measure, cols, k, ARMS, (r, i, out) => {
    checkSampleSize(r.n1i, i, 'n1i', measure);
    checkSampleSize(r.n2i, i, 'n2i', measure);
    checkSd(r.sd1i, i, 'sd1i');
    checkSd(r.sd2i, i, 'sd2i');
    const n1 = r.n1i,
      n2 = r.n2i,
      N = n1 + n2;
    const d = (r.m1i - r.m2i) / pooledSd(r);
    const h = (N - 2) / n1 + (N - 2) / n2;
    const rpb = d / Math.sqrt(d * d + h);
    const p = n1 / N,
      q = n2 / N;
    const why = `${measure} not estimable (both standard deviations are 0, or n1i + n2i < 3)`;
    if (measure === 'RPB') {
      const v =
        vtype === 'CS'
          ? ((1 - rpb * rpb) ** 2 * (1 - 1.5 * rpb * rpb + (rpb * rpb) / (4 * p * q))) / N
          : ((h * h) / (d * d + h) ** 3) * (1 / n1 + 1 / n2 + (d * d) / (2 * N));
      out.set(i, rpb, v, why);
      return;
    }
    const z = qnorm(p),
      y = dnorm(z);
    const rb = (rpb * Math.sqrt(p * q)) / y;
    const t = Math.max(-1, Math.min(1, rb));
    const v =
      (t ** 4 + t * t * ((p * q * z * z) / (y * y) - ((2 * p - 1) * z) / y - 2.5) + (p * q) / (y * y)) / (N - 1);
    out.set(i, rb, v, why);
  });
}
