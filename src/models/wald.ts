import { EvsynthError } from '../core/errors.ts';
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

/**
 * A residual that shows Σwᵢeᵢ² = `rss` (at τ̂²; `residuals` the eᵢ) has underflowed, or undefined: the sum lies
 * below the smallest normal double (2.2e-308) while a residual is not 0 — estimates 1e150 or more times smaller
 * than their standard errors, whose squared residuals underflow. The Knapp–Hartung factor s² = Σwᵢeᵢ²/(k − p)
 * would be 0 or lose its digits there, and every SE with it (0: t = ±∞ and p = 0, silently). Where every
 * residual is 0 (identical estimates) s² = 0 is exact and metafor's SE of 0 stands (with a warning, see fitRma).
 */
export function underflowedResidual(rss: number, residuals: ArrayLike<number>, k: number): number | undefined {
  if (!(rss < 2 ** -1022)) return undefined;
  for (let i = 0; i < k; i++) if ((residuals[i] as number) !== 0) return residuals[i] as number;
  return undefined;
}

/**
 * The factor by which Knapp–Hartung scales Var(b) (metafor's `s2w`), for `rss` = Σwᵢeᵢ² at τ̂² and df = k − p ≥ 1:
 *
 * ```text
 * s² = Σwᵢeᵢ²/(k − p)  (knha);   max(1, s²)  (adhoc, Röver et al. 2015);   1  (z)
 * ```
 *
 * `underflowed` is a residual showing the sum underflowed ({@link underflowedResidual}; undefined where it did
 * not, or where the caller knows it cannot matter). Reference: Knapp G, Hartung J (2003). Stat Med
 * 22(17):2693–2710; Röver C, Knapp G, Friede T (2015). BMC Med Res Methodol 15:99.
 *
 * @throws EvsynthError NO_FINITE_RESULT under knha where the sum underflowed, naming the cause and what to do
 */
export function knappHartungFactor(
  rss: number,
  df: number,
  test: string,
  underflowed: number | undefined,
  where: string,
): number {
  if (test === 'z') return 1;
  if (test !== 'adhoc' && underflowed !== undefined)
    throw new EvsynthError(
      'NO_FINITE_RESULT',
      `${where}: the Knapp–Hartung factor s² = Σwᵢeᵢ²/(k − p) underflows double precision (${rss === 0 ? '0' : rss.toPrecision(2)} from residuals as small as ${Math.abs(underflowed).toPrecision(2)}): the estimates are too small against their standard errors; multiply the estimates by a power of ten and the variances by its square, or use the test 'adhoc' or z`,
    );
  const s2 = rss / df;
  return test === 'adhoc' ? Math.max(1, s2) : s2;
}
