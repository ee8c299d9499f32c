import { pnormTwoSided } from '../distributions/index.ts';
import type { RmaFit } from '../models/rma.ts';
import { assertApplicable, assertRmaFit, firstReason, needsStudies, type NotApplicable } from './applicability.ts';

export interface RankCorrelationTest {
  /** Kendall's τ (τ-b when there are ties). */
  readonly tau: number;
  readonly pValue: number;
  /** Exact when there are no ties (as metafor, at any k), else the normal approximation. */
  readonly exact: boolean;
  readonly warnings: readonly string[];
}

/** P(T ≤ q) for the number T of concordant pairs among n untied pairs (Mahonian numbers / n!). */
function kendallCdf(q: number, n: number): number {
  // counts[t] = permutations of 1..m with t inversions, built up for m = 1..n
  let counts = [1];
  for (let m = 2; m <= n; m++) {
    const next = new Array<number>(counts.length + m - 1).fill(0);
    for (let t = 0; t < counts.length; t++)
      for (let j = 0; j < m; j++) next[t + j] = (next[t + j] as number) + (counts[t] as number);
    counts = next;
  }
  let total = 0,
    below = 0;
  counts.forEach((c, t) => {
    total += c;
    if (t <= q) below += c;
  });
  return below / total;
}

/**
 * Begg and Mazumdar's rank correlation test for funnel-plot asymmetry (metafor `ranktest`): Kendall's
 * τ between the standardised deviates (yᵢ − θ̂)/√(vᵢ − 1/Σwⱼ), θ̂ the common-effect estimate with
 * wⱼ = 1/vⱼ, and the variances vᵢ. Without ties the p-value is exact (Kendall's
 * distribution); otherwise z = S/√Var(S) with the tie-corrected variance.
 *
 * It needs k ≥ 2 and some spread in both rankings ({@link rankCorrelationTestApplicability}). As metafor's
 * `ranktest`, it uses the common-effect estimate without moderators also for a model with moderators
 * (a warning says so).
 *
 * References: Begg CB, Mazumdar M (1994). Operating characteristics of a rank correlation test for
 * publication bias. Biometrics 50(4):1088–1101. doi:10.2307/2533446; Kendall MG (1970). Rank
 * Correlation Methods, 4th ed. Cross-check: `ranktest(res)`.
 */
/** Standardised deviates (yᵢ − θ̂)/√(vᵢ − 1/Σwⱼ) about the common-effect estimate. */
function deviates(fit: RmaFit): number[] {
  const k = fit.k;
  let sw = 0,
    swy = 0;
  for (let i = 0; i < k; i++) {
    const w = 1 / (fit.vi[i] as number);
    sw += w;
    swy += w * (fit.yi[i] as number);
  }
  const theta = swy / sw;
  return Array.from(
    { length: k },
    (_, i) => ((fit.yi[i] as number) - theta) / Math.sqrt((fit.vi[i] as number) - 1 / sw),
  );
}

/** Why the rank correlation test cannot run (null when it can): k ≥ 2 and neither ranking all tied. */
export function rankCorrelationTestApplicability(fit: RmaFit): NotApplicable {
  const few = needsStudies(fit.k, 2);
  if (few !== null) return few;
  const v = fit.vi,
    x = deviates(fit);
  return firstReason(
    Array.from(v).every((a) => a === v[0]) ? 'every study has the same sampling variance' : null,
    x.every((a) => a === x[0]) ? 'every study has the same standardised deviate' : null,
  );
}

export function rankCorrelationTest(fit: RmaFit): RankCorrelationTest {
  assertRmaFit(fit, 'ranktest');
  assertApplicable(rankCorrelationTestApplicability(fit), 'rank correlation test');
  const k = fit.k;
  const x = deviates(fit);
  const y = Array.from(fit.vi);
  let S = 0,
    tx = 0,
    ty = 0;
  for (let i = 0; i < k; i++)
    for (let j = i + 1; j < k; j++) {
      const a = Math.sign((x[i] as number) - (x[j] as number)),
        b = Math.sign((y[i] as number) - (y[j] as number));
      S += a * b;
      if (a === 0) tx++;
      if (b === 0) ty++;
    }
  const n0 = (k * (k - 1)) / 2;
  const ties = tx > 0 || ty > 0;
  const tau = S / Math.sqrt((n0 - tx) * (n0 - ty));
  const warnings = [
    ...(fit.p > 1 ? ['the rank correlation test ignores the moderators (as metafor ranktest)'] : []),
    ...(ties ? ['ties in the ranks: the normal approximation is used, not the exact p-value'] : []),
    ...(k < 10
      ? [
          `only ${k} studies: tests for funnel-plot asymmetry have low power with fewer than 10 (Cochrane Handbook §13.3.5.4)`,
        ]
      : []),
  ];
  if (!ties) {
    const q = Math.round(((tau + 1) * k * (k - 1)) / 4);
    const p = q > (k * (k - 1)) / 4 ? 1 - kendallCdf(q - 1, k) : kendallCdf(q, k);
    return { tau, pValue: Math.min(2 * p, 1), exact: true, warnings };
  }
  const groups = (v: readonly number[]) => {
    const m = new Map<number, number>();
    for (const a of v) m.set(a, (m.get(a) ?? 0) + 1);
    return [...m.values()];
  };
  const gx = groups(x),
    gy = groups(y);
  const sum = (g: number[], f: (t: number) => number) => g.reduce((s, t) => s + f(t), 0);
  const v0 = k * (k - 1) * (2 * k + 5);
  const vt = sum(gx, (t) => t * (t - 1) * (2 * t + 5)),
    vu = sum(gy, (t) => t * (t - 1) * (2 * t + 5));
  const v1 = sum(gx, (t) => t * (t - 1) * (t - 2)) * sum(gy, (t) => t * (t - 1) * (t - 2));
  const v2 = sum(gx, (t) => t * (t - 1)) * sum(gy, (t) => t * (t - 1));
  const varS = (v0 - vt - vu) / 18 + v1 / (9 * k * (k - 1) * (k - 2)) + v2 / (2 * k * (k - 1));
  return { tau, pValue: pnormTwoSided(S / Math.sqrt(varS)), exact: false, warnings };
}
