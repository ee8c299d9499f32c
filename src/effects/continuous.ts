/** Unstandardized two-group contrasts of means: the raw mean difference (MD) and the log ratio of means (ROM). */
import type { EffectColumns, Vtype } from './options.ts';
import type { RowResults } from './result.ts';
import { requireColumns } from './columns.ts';
import { checkSampleSize, checkSd, rowwise, weightedAverage } from './rowwise.ts';

const ARMS = ['n1i', 'm1i', 'sd1i', 'n2i', 'm2i', 'sd2i'] as const;
const MEANS_ONLY = ['n1i', 'm1i', 'n2i', 'm2i'] as const;

/**
 * Raw mean difference (metafor `measure="MD"`): yi = m₁ − m₂ with
 *
 * ```text
 * LS: vi = sd₁²/n₁ + sd₂²/n₂                      (heteroscedastic; Borenstein 2009, eq. 12.5)
 * HO: vi = s_p²·(1/n₁ + 1/n₂),  s_p² = ((n₁−1)sd₁² + (n₂−1)sd₂²)/(n₁ + n₂ − 2)   (eq. 12.3)
 * ```
 *
 * Reference: Borenstein M (2009). Effect sizes for continuous data. In Cooper, Hedges & Valentine (eds),
 * The Handbook of Research Synthesis and Meta-Analysis, 2nd ed., 221–235. Cross-check: metafor's `escalc`
 * documentation (measure "MD", vtype).
 */
export function md(cols: EffectColumns, k: number, vtype: Vtype = 'LS'): RowResults {
  return rowwise('MD', cols, k, ARMS, (r, i, out) => {
    checkArms(r, i, 'MD');
    const v =
      vtype === 'HO'
        ? pooledVariance(r.n1i, r.sd1i, r.n2i, r.sd2i) * (1 / r.n1i + 1 / r.n2i)
        : r.sd1i ** 2 / r.n1i + r.sd2i ** 2 / r.n2i;
    out.set(i, r.m1i - r.m2i, v, 'MD not finite');
  });
}

/**
 * Log ratio of means (response ratio; metafor `measure="ROM"`): yi = log(m₁/m₂), with
 *
 * ```text
 * LS:   vi = sd₁²/(n₁m₁²) + sd₂²/(n₂m₂²)                      (Hedges et al. 1999, eq. 1)
 * HO:   vi = s_p²/(n₁m₁²) + s_p²/(n₂m₂²)                      (pooled variance s_p²)
 * AV:   vi = CV̄₁²/n₁ + CV̄₂²/n₂,   CV̄ⱼ = Σ nⱼ·sdⱼ/mⱼ / Σ nⱼ over the studies with group j's data
 * AVHO: vi = CV̄²·(1/n₁ + 1/n₂),   CV̄ = Σ(n₁sd₁/m₁ + n₂sd₂/m₂) / Σ(n₁ + n₂) over the studies with both
 * ```
 *
 * Rows whose means are not both of one sign are not estimable; under AV and AVHO a row needs no SDs of its
 * own (as in metafor).
 *
 * References: Hedges LV, Gurevitch J, Curtis PS (1999). The meta-analysis of response ratios in
 * experimental ecology. Ecology 80(4):1150–1156; Lajeunesse MJ (2011), Ecology 92(11):2049–2055.
 * Cross-check: metafor's `escalc` documentation (measure "ROM", vtype).
 */
export function rom(cols: EffectColumns, k: number, vtype: Vtype = 'LS'): RowResults {
  const yi = new Float64Array(k).fill(Number.NaN);
  const ho = new Float64Array(k),
    ls = new Float64Array(k);
  // AV and AVHO need no SDs of the row itself (only the averages), so a row without them is kept
  const averaged = vtype === 'AV' || vtype === 'AVHO';
  requireColumns(cols, ARMS, 'ROM');
  const out = rowwise('ROM', cols, k, averaged ? MEANS_ONLY : ARMS, (row, i, res) => {
    const r = { ...row, sd1i: cols.sd1i?.[i] ?? Number.NaN, sd2i: cols.sd2i?.[i] ?? Number.NaN };
    checkArms(r, i, 'ROM');
    if (!(r.m1i / r.m2i > 0)) {
      res.exclude(i, 'ROM needs means of the same sign (log of a non-positive ratio)');
      return;
    }
    yi[i] = Math.log(r.m1i / r.m2i);
    ls[i] = r.sd1i ** 2 / (r.n1i * r.m1i * r.m1i) + r.sd2i ** 2 / (r.n2i * r.m2i * r.m2i);
    ho[i] = pooledVariance(r.n1i, r.sd1i, r.n2i, r.sd2i) * (1 / (r.n1i * r.m1i ** 2) + 1 / (r.n2i * r.m2i ** 2));
  });
  // each group's coefficients of variation, wherever that group's data are complete (as metafor averages them)
  const n1 = Float64Array.from({ length: k }, (_, i) => cols.n1i?.[i] ?? Number.NaN),
    n2 = Float64Array.from({ length: k }, (_, i) => cols.n2i?.[i] ?? Number.NaN);
  const cv1 = Float64Array.from(
      { length: k },
      (_, i) => (cols.sd1i?.[i] ?? Number.NaN) / (cols.m1i?.[i] ?? Number.NaN),
    ),
    cv2 = Float64Array.from({ length: k }, (_, i) => (cols.sd2i?.[i] ?? Number.NaN) / (cols.m2i?.[i] ?? Number.NaN));
  const a1 = weightedAverage(cv1, n1),
    a2 = weightedAverage(cv2, n2);
  const both = weightedAverage(
    Float64Array.from(
      cv1,
      (c, i) =>
        ((n1[i] as number) * c + (n2[i] as number) * (cv2[i] as number)) / ((n1[i] as number) + (n2[i] as number)),
    ),
    Float64Array.from(n1, (n, i) => n + (n2[i] as number)),
  );
  for (let i = 0; i < k; i++) {
    if (out.reasons.has(i)) continue;
    const a = n1[i] as number,
      b = n2[i] as number;
    const v =
      vtype === 'HO'
        ? (ho[i] as number)
        : vtype === 'AV'
          ? (a1 * a1) / a + (a2 * a2) / b
          : vtype === 'AVHO'
            ? both * both * (1 / a + 1 / b)
            : (ls[i] as number);
    out.set(i, yi[i] as number, v, 'ROM not finite (a mean is 0)');
  }
  return out;
}

function checkArms(r: { n1i: number; n2i: number; sd1i: number; sd2i: number }, i: number, measure: string): void {
  checkSampleSize(r.n1i, i, 'n1i', measure);
  checkSampleSize(r.n2i, i, 'n2i', measure);
  checkSd(r.sd1i, i, 'sd1i');
  checkSd(r.sd2i, i, 'sd2i');
}

function pooledVariance(n1: number, sd1: number, n2: number, sd2: number): number {
  return ((n1 - 1) * sd1 * sd1 + (n2 - 1) * sd2 * sd2) / (n1 + n2 - 2);
}
