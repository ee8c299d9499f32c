/**
 * The heterogeneity statistics of a fitted model, defined once for every fit (fitRma, the lean and batch
 * fits, GOSH subsets, leave-one-out and cumulative rows):
 *
 * ```text
 * ṽ = (k − p)/tr P₀   (the "typical" within-study variance; 0 when k − p = 0)
 * RE: I² = 100τ²/(τ² + ṽ),  H² = 1 + τ²/ṽ      (I² = 0, H² = 1 at τ² = 0)
 * EE: I² = max(0, 100(Q_E − df)/Q_E),  H² = Q_E/df
 * k − p = 0: I² = 0, H² = 1 (no heterogeneity information, as metafor)
 * ```
 *
 * References: Higgins JPT, Thompson SG (2002). Quantifying heterogeneity in a meta-analysis. Stat Med
 * 21(11):1539–1558. doi:10.1002/sim.1186; metafor `rma.uni` fields `vt`, `I2`, `H2`.
 */

/** ṽ = df/tr P₀, 0 when df = 0. */
export function typicalVariance(df: number, trP0: number): number {
  return df > 0 ? df / trP0 : 0;
}

/** I² in percent (see the module comment). */
export function iSquared(QE: number, df: number, tau2: number, vt: number, common: boolean): number {
  if (df === 0) return 0;
  if (common) return QE > 0 ? Math.min(100, Math.max(0, (100 * (QE - df)) / QE)) : 0;
  // τ² = 0 also when ṽ is infinite (studies whose scaled variance overflows carry no weight)
  if (tau2 === 0) return 0;
  // kept in [0, 100] where rounding in degenerate weights (variances hundreds of orders apart) leaves ṽ ≤ 0
  return vt > 0 ? Math.min(100, (100 * tau2) / (tau2 + vt)) : 100;
}

/** H² (see the module comment). */
export function hSquared(QE: number, df: number, tau2: number, vt: number, common: boolean): number {
  if (df === 0) return 1;
  if (common) return QE / df;
  if (tau2 === 0) return 1;
  return 1 + tau2 / vt;
}
