/** Standardized mean differences of two independent groups: SMD (Hedges' g), SMDH, SMD1 and SMD1H. */
import gammaln from '@stdlib/math-base-special-gammaln';
import type { EffectColumns, Vtype } from './options.ts';
import type { RowResults } from './result.ts';
import { requireColumns } from './columns.ts';
import { checkSampleSize, checkSd, rowwise, weightedAverage, type Row } from './rowwise.ts';

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
 * Cross-check: metafor's `escalc` documentation (measure "SMD").
 */
export function hedgesCorrection(m: number): number {
  return Math.exp(gammaln(m / 2) - 0.5 * Math.log(m / 2) - gammaln((m - 1) / 2));
}

const ARMS = ['n1i', 'm1i', 'sd1i', 'n2i', 'm2i', 'sd2i'] as const;
const ARMS_SD2 = ['n1i', 'm1i', 'n2i', 'm2i', 'sd2i'] as const;

function checkArms(r: Partial<Row<(typeof ARMS)[number]>>, i: number, measure: string): void {
  checkSampleSize(r.n1i as number, i, 'n1i', measure);
  checkSampleSize(r.n2i as number, i, 'n2i', measure);
  if (r.sd1i !== undefined) checkSd(r.sd1i, i, 'sd1i');
  checkSd(r.sd2i as number, i, 'sd2i');
}

/**
 * The large-sample variance of a bias-corrected standardized difference g with m degrees of freedom
 * behind its standardizer, whose squared-effect term has denominator `nv` (n₁ + n₂ for SMD, n₂ for SMD1):
 *
 * ```text
 * LS:  v = 1/n₁ + 1/n₂ + g²/(2·nv)                         (Hedges 1982, eq. 8)
 * UB:  v = 1/n₁ + 1/n₂ + (1 − (m − 2)/(m·c(m)²))·g²         (Hedges 1983, eq. 9)
 * LS2: v = c(m)²·(1/n₁ + 1/n₂) + g²/(2·nv)                  (Borenstein 2009, eq. 12.17)
 * AV:  v = 1/n₁ + 1/n₂ + ḡ²/(2·nv),  ḡ = Σ(n₁+n₂)g / Σ(n₁+n₂) over the estimable rows
 * ```
 */
function standardizedVariances(
  g: Float64Array,
  n1: Float64Array,
  n2: Float64Array,
  m: Float64Array,
  nv: Float64Array,
  vtype: Vtype,
): Float64Array {
  const gbar =
    vtype === 'AV'
      ? weightedAverage(
          g,
          Float64Array.from(n1, (x, i) => x + (n2[i] as number)),
        )
      : 0;
  return Float64Array.from(g, (gi, i) => {
    const a = n1[i] as number,
      b = n2[i] as number,
      mi = m[i] as number,
      den = 2 * (nv[i] as number);
    const cm = hedgesCorrection(mi);
    if (vtype === 'UB') return 1 / a + 1 / b + (1 - (mi - 2) / (mi * cm * cm)) * gi * gi;
    if (vtype === 'LS2') return cm * cm * (1 / a + 1 / b) + (gi * gi) / den;
    if (vtype === 'AV') return 1 / a + 1 / b + (gbar * gbar) / den;
    return 1 / a + 1 / b + (gi * gi) / den;
  });
}

/**
 * Standardized mean difference, Hedges' g (metafor `measure="SMD"`), or Glass-type SMD1 standardized by
 * the second group's SD (`measure="SMD1"`, sd1i not needed):
 *
 * ```text
 * SMD:  m = n₁ + n₂ − 2,  s = √(((n₁−1)sd₁² + (n₂−1)sd₂²)/m),  g = c(m)·(m₁ − m₂)/s,  nv = n₁ + n₂
 * SMD1: m = n₂ − 1,       s = sd₂,                              g = c(m)·(m₁ − m₂)/s,  nv = n₂
 * ```
 *
 * with the variance of `vtype` (LS, UB, LS2, AV; see above). Rows with m < 2 are not estimable (c(m)
 * needs m ≥ 2). For SMD a row may instead give Cohen's d itself (`di`) or the two-sample t statistic
 * (`ti`, d = t·√(1/n₁ + 1/n₂)); as in metafor, di is used where present, then ti, then the means and SDs.
 * With `variant: 'revman'` (SMD only), RevMan 5's approximation (Deeks & Higgins, Statistical algorithms in
 * Review Manager 5): g = d·(1 − 3/(4N − 9)), v = N/(n₁n₂) + g²/(2(N − 3.94)), N = n₁ + n₂.
 *
 * References: Hedges LV (1981), J Educ Stat 6:107–128; Hedges LV (1982), Psychol Bull 92:490–499;
 * Hedges LV (1983), Psychol Bull 93:388–395; Borenstein M (2009), Effect sizes for continuous data, in
 * The Handbook of Research Synthesis and Meta-Analysis, 2nd ed. Cross-check: metafor's `escalc`
 * documentation (measures "SMD", "SMD1"; vtype; di and ti).
 */
export function smd(
  measure: 'SMD' | 'SMD1',
  cols: EffectColumns,
  k: number,
  vtype: Vtype,
  variant: 'metafor' | 'revman' = 'metafor',
): RowResults {
  const g = new Float64Array(k).fill(Number.NaN);
  const n1 = new Float64Array(k),
    n2 = new Float64Array(k),
    m = new Float64Array(k),
    nv = new Float64Array(k);
  const means = measure === 'SMD' ? ARMS : ARMS_SD2;
  const direct = measure === 'SMD' && (cols.di !== undefined || cols.ti !== undefined);
  if (!direct) requireColumns(cols, means, measure);
  const out = rowwise(measure, cols, k, ['n1i', 'n2i'], (r, i, res) => {
    checkSampleSize(r.n1i, i, 'n1i', measure);
    checkSampleSize(r.n2i, i, 'n2i', measure);
    const d = cohensD(cols, i, means, r.n1i, r.n2i);
    if (typeof d === 'string') {
      res.exclude(i, d);
      return;
    }
    const a = r.n1i,
      b = r.n2i;
    if (variant === 'revman') {
      const N = a + b;
      const gi = d * (1 - 3 / (4 * N - 9));
      res.set(i, gi, N / (a * b) + (gi * gi) / (2 * (N - 3.94)), 'SMD not defined (both standard deviations are 0)');
      return;
    }
    const mi = measure === 'SMD' ? a + b - 2 : b - 1;
    if (mi < 2) {
      res.exclude(
        i,
        `${measure} not estimable: Hedges' correction needs ${measure === 'SMD' ? 'n1i + n2i − 2' : 'n2i − 1'} ≥ 2`,
      );
      return;
    }
    g[i] = hedgesCorrection(mi) * d;
    n1[i] = a;
    n2[i] = b;
    m[i] = mi;
    nv[i] = measure === 'SMD' ? a + b : b;
  });
  if (variant === 'revman') return out;
  const v = standardizedVariances(g, n1, n2, m, nv, vtype);
  for (let i = 0; i < k; i++) {
    if (out.reasons.has(i)) continue;
    out.set(i, g[i] as number, v[i] as number, `${measure} not defined (standard deviation 0)`);
  }
  return out;
}

/**
 * Row i's uncorrected standardized difference: `di` if given, else `ti`·√(1/n₁ + 1/n₂), else from the means
 * and SDs (pooled SD for SMD, sd2i for SMD1); or why it is missing.
 */
function cohensD(
  cols: EffectColumns,
  i: number,
  means: readonly (typeof ARMS)[number][],
  n1: number,
  n2: number,
): number | string {
  const di = cols.di?.[i] ?? Number.NaN,
    ti = cols.ti?.[i] ?? Number.NaN;
  if (!Number.isNaN(di)) return di;
  if (!Number.isNaN(ti)) return ti * Math.sqrt(1 / n1 + 1 / n2);
  const v = (name: (typeof ARMS)[number]) => cols[name]?.[i] ?? Number.NaN;
  const miss = means.find((name) => Number.isNaN(v(name)));
  if (miss !== undefined)
    return cols.di !== undefined || cols.ti !== undefined
      ? `missing value: neither ${[cols.di && 'di', cols.ti && 'ti'].filter(Boolean).join(' nor ')} nor the means and SDs ('${miss}')`
      : `missing value in column '${miss}'`;
  if (means.includes('sd1i')) checkSd(v('sd1i'), i, 'sd1i');
  checkSd(v('sd2i'), i, 'sd2i');
  const s = means.includes('sd1i')
    ? pooledSd({ n1i: n1, n2i: n2, m1i: 0, m2i: 0, sd1i: v('sd1i'), sd2i: v('sd2i') })
    : v('sd2i');
  return (v('m1i') - v('m2i')) / s;
}

/** The pooled within-group SD √(((n₁−1)sd₁² + (n₂−1)sd₂²)/(n₁ + n₂ − 2)) of two groups. */
export function pooledSd(r: Row<(typeof ARMS)[number]>): number {
  return Math.sqrt(((r.n1i - 1) * r.sd1i * r.sd1i + (r.n2i - 1) * r.sd2i * r.sd2i) / (r.n1i + r.n2i - 2));
}

/**
 * Standardized mean differences without assuming equal variances (Bonett 2008, 2009):
 *
 * ```text
 * SMDH:  s = √((sd₁² + sd₂²)/2),  g = c(n₁+n₂−2)·(m₁ − m₂)/s
 *        v = c²·[g²(sd₁⁴/(n₁−1) + sd₂⁴/(n₂−1)) / (2(sd₁² + sd₂²)²) + (sd₁²/(n₁−1) + sd₂²/(n₂−1)) / s²]
 * SMD1H: g = c(n₂−1)·(m₁ − m₂)/sd₂,   v = 1/n₂ + (sd₁²/sd₂²)/n₁ + g²/(2n₂)
 * ```
 *
 * References: Bonett DG (2008). Confidence intervals for standardized linear contrasts of means. Psychol
 * Methods 13(2):99–109; Bonett DG (2009). Psychol Methods 14(3):225–238. doi:10.1037/a0016619.
 * Cross-check: metafor's `escalc` documentation (measures "SMDH", "SMD1H").
 */
export function smdHeteroscedastic(measure: 'SMDH' | 'SMD1H', cols: EffectColumns, k: number): RowResults {
  return rowwise(measure, cols, k, ARMS, (r, i, out) => {
    checkArms(r, i, measure);
    const n1 = r.n1i,
      n2 = r.n2i;
    const s1 = r.sd1i ** 2,
      s2 = r.sd2i ** 2;
    if (measure === 'SMDH') {
      if (n1 < 2 || n2 < 2) {
        out.exclude(i, 'SMDH not estimable: each group needs at least 2 participants');
        return;
      }
      const cm = hedgesCorrection(n1 + n2 - 2);
      const g = (cm * (r.m1i - r.m2i)) / Math.sqrt((s1 + s2) / 2);
      const v =
        cm *
        cm *
        ((g * g * ((s1 * s1) / (n1 - 1) + (s2 * s2) / (n2 - 1))) / (2 * (s1 + s2) ** 2) +
          (s1 / (n1 - 1) + s2 / (n2 - 1)) / ((s1 + s2) / 2));
      out.set(i, g, v, 'SMDH not defined (both standard deviations are 0)');
      return;
    }
    if (n2 < 3) {
      out.exclude(i, "SMD1H not estimable: Hedges' correction needs n2i − 1 ≥ 2");
      return;
    }
    const g = (hedgesCorrection(n2 - 1) * (r.m1i - r.m2i)) / r.sd2i;
    out.set(i, g, 1 / n2 + s1 / s2 / n1 + (g * g) / (2 * n2), 'SMD1H not defined (sd2i is 0)');
  });
}
