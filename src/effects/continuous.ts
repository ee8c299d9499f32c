import gammaln from '@stdlib/math-base-special-gammaln';
import { EvsynthError } from '../core/errors.ts';
import { assertNonNegative, firstMissing, requireColumns } from './columns.ts';
import { RowResults } from './result.ts';
import type { EffectColumns, SmdVtype } from './options.ts';

const ARMS = ['n1i', 'm1i', 'sd1i', 'n2i', 'm2i', 'sd2i'] as const;

/**
 * Exact small-sample bias correction of Cohen's d (Hedges 1981):
 *
 * ```text
 * c(m) = Γ(m/2) / (√(m/2) · Γ((m−1)/2))
 * ```
 *
 * computed on the log scale. For m = n₁ + n₂ − 2 it tends to 1 − 3/(4m − 1).
 *
 * Reference: Hedges LV (1981). Distribution theory for Glass's estimator of effect size
 * and related estimators. J Educ Stat 6(2):107–128. doi:10.3102/10769986006002107.
 * Cross-check: metafor's `.cmicalc(m)`.
 */
export function hedgesCorrection(m: number): number {
  return Math.exp(gammaln(m / 2) - 0.5 * Math.log(m / 2) - gammaln((m - 1) / 2));
}

function readArms(cols: EffectColumns, measure: string) {
  return requireColumns(cols, ARMS, measure);
}

/** Group sizes must be ≥ 1 (metafor: "group sizes <= 0" is an error) and SDs ≥ 0. */
function checkArms(c: Record<(typeof ARMS)[number], ArrayLike<number>>, i: number, measure: string): boolean {
  for (const n of ['n1i', 'n2i'] as const) {
    const v = c[n][i] as number;
    if (!Number.isNaN(v) && v < 1) {
      throw new EvsynthError('INVALID_VALUE', `${n} is ${v}; ${measure} needs a group size of at least 1`, {
        row: i,
        column: n,
      });
    }
  }
  for (const n of ['sd1i', 'sd2i'] as const) assertNonNegative(c[n][i] as number, i, n, n);
  return true;
}

/**
 * Standardized mean difference, Hedges' g (metafor `measure="SMD"`).
 *
 * ```text
 * m  = n₁ + n₂ − 2,  s_p = √(((n₁−1)sd₁² + (n₂−1)sd₂²)/m),  g = c(m)·(m₁ − m₂)/s_p
 * LS: v = 1/n₁ + 1/n₂ + g²/(2(n₁+n₂))
 * UB: v = 1/n₁ + 1/n₂ + (1 − (m−2)/(m·c(m)²))·g²
 * ```
 *
 * With `variant: 'revman'`, RevMan 5's approximation (Deeks & Higgins, Statistical
 * algorithms in Review Manager 5): g = d·(1 − 3/(4N − 9)), v = N/(n₁n₂) + g²/(2(N − 3.94)),
 * N = n₁ + n₂.
 *
 * Reference: Hedges LV, Olkin I (1985). Statistical Methods for Meta-Analysis, ch. 5.
 * Cross-check: `metafor::escalc(measure="SMD", vtype=)`.
 */
export function smd(cols: EffectColumns, k: number, vtype: SmdVtype, variant: 'metafor' | 'revman'): RowResults {
  const c = readArms(cols, 'SMD');
  const out = new RowResults(k);
  for (let i = 0; i < k; i++) {
    const miss = firstMissing(c, ARMS, i);
    if (miss !== undefined) {
      out.exclude(i, `missing value in column '${miss}'`);
      continue;
    }
    checkArms(c, i, 'SMD');
    if (variant === 'metafor' && (c.n1i[i] as number) + (c.n2i[i] as number) - 2 < 2) {
      out.exclude(i, "SMD not estimable: Hedges' correction needs n1i + n2i − 2 ≥ 2");
      continue;
    }
    const n1 = c.n1i[i] as number,
      n2 = c.n2i[i] as number;
    const m = n1 + n2 - 2;
    const sd1 = c.sd1i[i] as number,
      sd2 = c.sd2i[i] as number;
    const sp = Math.sqrt(((n1 - 1) * sd1 * sd1 + (n2 - 1) * sd2 * sd2) / m);
    const d = ((c.m1i[i] as number) - (c.m2i[i] as number)) / sp;
    let g: number, v: number;
    if (variant === 'revman') {
      const N = n1 + n2;
      g = d * (1 - 3 / (4 * N - 9));
      v = N / (n1 * n2) + (g * g) / (2 * (N - 3.94));
    } else {
      const cm = hedgesCorrection(m);
      g = cm * d;
      v =
        vtype === 'LS'
          ? 1 / n1 + 1 / n2 + (g * g) / (2 * (n1 + n2))
          : 1 / n1 + 1 / n2 + (1 - (m - 2) / (m * cm * cm)) * g * g;
    }
    out.set(i, g, v, 'SMD not defined (both standard deviations are 0)');
  }
  return out;
}

/**
 * Standardized mean difference with heteroscedastic variances (Bonett 2009; metafor
 * `measure="SMDH"`):
 *
 * ```text
 * s = √((sd₁² + sd₂²)/2),  g = c(m)(m₁ − m₂)/s
 * v = c(m)²·[g²(sd₁⁴/(n₁−1) + sd₂⁴/(n₂−1)) / (2(sd₁² + sd₂²)²) + (sd₁²/(n₁−1) + sd₂²/(n₂−1)) / ((sd₁² + sd₂²)/2)]
 * ```
 *
 * Reference: Bonett DG (2009). Meta-analytic interval estimation for standardized and
 * unstandardized mean differences. Psychol Methods 14(3):225–238. doi:10.1037/a0016619.
 */
export function smdh(cols: EffectColumns, k: number): RowResults {
  const c = readArms(cols, 'SMDH');
  const out = new RowResults(k);
  for (let i = 0; i < k; i++) {
    const miss = firstMissing(c, ARMS, i);
    if (miss !== undefined) {
      out.exclude(i, `missing value in column '${miss}'`);
      continue;
    }
    checkArms(c, i, 'SMDH');
    if ((c.n1i[i] as number) < 2 || (c.n2i[i] as number) < 2) {
      out.exclude(i, 'SMDH not estimable: each group needs at least 2 participants');
      continue;
    }
    const n1 = c.n1i[i] as number,
      n2 = c.n2i[i] as number;
    const s1 = (c.sd1i[i] as number) ** 2,
      s2 = (c.sd2i[i] as number) ** 2;
    const cm = hedgesCorrection(n1 + n2 - 2);
    const g = (cm * ((c.m1i[i] as number) - (c.m2i[i] as number))) / Math.sqrt((s1 + s2) / 2);
    const v =
      cm *
      cm *
      ((g * g * ((s1 * s1) / (n1 - 1) + (s2 * s2) / (n2 - 1))) / (2 * (s1 + s2) ** 2) +
        (s1 / (n1 - 1) + s2 / (n2 - 1)) / ((s1 + s2) / 2));
    out.set(i, g, v, 'SMDH not defined (both standard deviations are 0)');
  }
  return out;
}

/**
 * Raw mean difference (metafor `measure="MD"`, heteroscedastic variance):
 * yi = m₁ − m₂, vi = sd₁²/n₁ + sd₂²/n₂.
 *
 * Reference: Borenstein et al. (2009). Introduction to Meta-Analysis, ch. 4.
 */
export function md(cols: EffectColumns, k: number): RowResults {
  const c = readArms(cols, 'MD');
  const out = new RowResults(k);
  for (let i = 0; i < k; i++) {
    const miss = firstMissing(c, ARMS, i);
    if (miss !== undefined) {
      out.exclude(i, `missing value in column '${miss}'`);
      continue;
    }
    checkArms(c, i, 'MD');
    const n1 = c.n1i[i] as number,
      n2 = c.n2i[i] as number;
    const v = (c.sd1i[i] as number) ** 2 / n1 + (c.sd2i[i] as number) ** 2 / n2;
    out.set(i, (c.m1i[i] as number) - (c.m2i[i] as number), v, 'MD not finite');
  }
  return out;
}

/**
 * Log ratio of means (Hedges, Gurevitch & Curtis 1999; metafor `measure="ROM"`):
 * yi = log(m₁/m₂), vi = sd₁²/(n₁m₁²) + sd₂²/(n₂m₂²). Rows whose means are not both
 * positive are not estimable.
 *
 * Reference: Hedges LV, Gurevitch J, Curtis PS (1999). The meta-analysis of response
 * ratios in experimental ecology. Ecology 80(4):1150–1156.
 */
export function rom(cols: EffectColumns, k: number): RowResults {
  const c = readArms(cols, 'ROM');
  const out = new RowResults(k);
  for (let i = 0; i < k; i++) {
    const miss = firstMissing(c, ARMS, i);
    if (miss !== undefined) {
      out.exclude(i, `missing value in column '${miss}'`);
      continue;
    }
    checkArms(c, i, 'ROM');
    const n1 = c.n1i[i] as number,
      n2 = c.n2i[i] as number;
    const m1 = c.m1i[i] as number,
      m2 = c.m2i[i] as number;
    if (!(m1 / m2 > 0)) {
      out.exclude(i, 'ROM needs means of the same sign (log of a non-positive ratio)');
      continue;
    }
    const v = (c.sd1i[i] as number) ** 2 / (n1 * m1 * m1) + (c.sd2i[i] as number) ** 2 / (n2 * m2 * m2);
    out.set(i, Math.log(m1 / m2), v, 'ROM not finite (a mean is 0)');
  }
  return out;
}
