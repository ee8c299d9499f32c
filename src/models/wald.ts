import { critical, pnormTwoSided, ptTwoSided } from '../distributions/index.ts';

/**
 * The Wald test and confidence interval of one coefficient b with standard error se:
 *
 * ```text
 * statistic = b/se,  p = 2·Φ(−|statistic|) (z) or 2·F_t(−|statistic|; df) (t)
 * CI = b ± crit·se,  crit = z_{1−α/2} or t_{df, 1−α/2}
 * ```
 *
 * With se = 0 (identical estimates under Knapp–Hartung) the statistic is ±∞, or 0 for b = 0. Used by rma.uni,
 * rma.mv and the cluster-robust tests (metafor's `zval`, `pval`, `ci.lb`, `ci.ub`).
 */
export function waldTest(
  estimate: number,
  se: number,
  level: number,
  df: number | null,
): { estimate: number; se: number; statistic: number; pValue: number; ciLower: number; ciUpper: number } {
  const crit = criticalValue(level, df);
  const statistic = se > 0 ? estimate / se : estimate === 0 ? 0 : Math.sign(estimate) * Number.POSITIVE_INFINITY;
  return {
    estimate,
    se,
    statistic,
    pValue: df === null ? pnormTwoSided(statistic) : ptTwoSided(statistic, df),
    ciLower: estimate - crit * se,
    ciUpper: estimate + crit * se,
  };
}

/** The critical value of a two-sided interval, remembered for the last level and df (fits repeat them). */
let critLevel = Number.NaN,
  critDf: number | null = null,
  critValue = Number.NaN;
export function criticalValue(level: number, df: number | null): number {
  if (level !== critLevel || df !== critDf) {
    critValue = df === null ? critical(level) : critical(level, df);
    critLevel = level;
    critDf = df;
  }
  return critValue;
}
