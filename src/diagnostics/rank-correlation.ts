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

/**
 * Kendall's S = Σ_{i<j} sign(xᵢ − xⱼ)·sign(yᵢ − yⱼ) with the numbers of pairs tied in x (t_x) and in y (t_y),
 * in O(k log k) by Knight's algorithm: sort the pairs by x (then y), count the discordant pairs D as the
 * inversions of the y sequence removed by a merge sort, and count the pairs tied in x, in y and in both
 * (t_xy) from runs of equal values; then the concordant pairs are C = k(k−1)/2 − t_x − t_y + t_xy − D and
 * S = C − D. The tie-corrected τ-b = S/√((n₀ − t_x)(n₀ − t_y)), n₀ = k(k−1)/2.
 *
 * Reference: Knight WR (1966). A computer method for calculating Kendall's tau with ungrouped data. Journal
 * of the American Statistical Association 61(314):436–439. doi:10.1080/01621459.1966.10480879.
 */
export function kendallPairCounts(
  x: readonly number[],
  y: readonly number[],
): { readonly s: number; readonly tiedX: number; readonly tiedY: number } {
  const k = x.length;
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => {
    const xa = x[a] as number,
      xb = x[b] as number;
    if (xa !== xb) return xa < xb ? -1 : 1;
    const ya = y[a] as number,
      yb = y[b] as number;
    return ya < yb ? -1 : ya > yb ? 1 : 0;
  });
  // pairs tied in x and in both x and y: runs in the (x, y) order
  let tiedX = 0,
    tiedXY = 0,
    runX = 1,
    runXY = 1;
  for (let i = 1; i <= k; i++) {
    const sameX = i < k && x[order[i] as number] === x[order[i - 1] as number];
    const sameXY = sameX && y[order[i] as number] === y[order[i - 1] as number];
    if (sameX) runX++;
    else {
      tiedX += (runX * (runX - 1)) / 2;
      runX = 1;
    }
    if (sameXY) runXY++;
    else {
      tiedXY += (runXY * (runXY - 1)) / 2;
      runXY = 1;
    }
  }
  // discordant pairs: inversions (strict) of y in that order, counted by a bottom-up merge sort
  let a = Float64Array.from(order, (i) => y[i] as number),
    b = new Float64Array(k);
  let discordant = 0;
  for (let width = 1; width < k; width *= 2) {
    for (let lo = 0; lo < k; lo += 2 * width) {
      const mid = Math.min(lo + width, k),
        hi = Math.min(lo + 2 * width, k);
      let i = lo,
        j = mid,
        o = lo;
      while (i < mid && j < hi) {
        if ((a[i] as number) <= (a[j] as number)) b[o++] = a[i++] as number;
        else {
          discordant += mid - i;
          b[o++] = a[j++] as number;
        }
      }
      while (i < mid) b[o++] = a[i++] as number;
      while (j < hi) b[o++] = a[j++] as number;
    }
    [a, b] = [b, a];
  }
  // pairs tied in y: runs in the sorted y
  let tiedY = 0,
    runY = 1;
  for (let i = 1; i <= k; i++) {
    if (i < k && a[i] === a[i - 1]) runY++;
    else {
      tiedY += (runY * (runY - 1)) / 2;
      runY = 1;
    }
  }
  const n0 = (k * (k - 1)) / 2;
  return { s: n0 - tiedX - tiedY + tiedXY - 2 * discordant, tiedX, tiedY };
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

/**
 * The most studies for the exact p-value of Kendall's τ without ties: beyond, k! and the counts of
 * permutations overflow double precision (R's `cor.test(exact = TRUE)`, and so metafor's `ranktest`, give NaN
 * from k = 171, and the O(k⁴) recursion takes seconds to minutes); there the normal approximation
 * z = S/√(k(k − 1)(2k + 5)/18), with a warning (a deliberate difference from metafor's NA).
 */
const KENDALL_EXACT_MAX_K = 170;

/**
 * Begg and Mazumdar's rank correlation test for funnel-plot asymmetry (metafor `ranktest`): Kendall's
 * τ between the standardised deviates (yᵢ − θ̂)/√(vᵢ − 1/Σwⱼ), θ̂ the common-effect estimate with
 * wⱼ = 1/vⱼ, and the variances vᵢ. Without ties and k ≤ 170 the p-value is exact (Kendall's
 * distribution); otherwise z = S/√Var(S) with the tie-corrected variance. S and the tied pairs are
 * counted in O(k log k) ({@link kendallPairCounts}, Knight 1966).
 *
 * It needs k ≥ 2 and some spread in both rankings ({@link rankCorrelationTestApplicability}). As metafor's
 * `ranktest`, it uses the common-effect estimate without moderators also for a model with moderators
 * (a warning says so).
 *
 * References: Begg CB, Mazumdar M (1994). Operating characteristics of a rank correlation test for
 * publication bias. Biometrics 50(4):1088–1101. doi:10.2307/2533446; Kendall MG (1970). Rank
 * Correlation Methods, 4th ed. Cross-check: `ranktest(res)`.
 */
export function rankCorrelationTest(fit: RmaFit): RankCorrelationTest {
  assertRmaFit(fit, 'ranktest');
  assertApplicable(rankCorrelationTestApplicability(fit), 'rank correlation test');
  const k = fit.k;
  const x = deviates(fit);
  const y = Array.from(fit.vi);
  const { s: S, tiedX: tx, tiedY: ty } = kendallPairCounts(x, y);
  const n0 = (k * (k - 1)) / 2;
  const ties = tx > 0 || ty > 0;
  const tau = S / Math.sqrt((n0 - tx) * (n0 - ty));
  const warnings = [
    ...(fit.p > 1 ? ['the rank correlation test ignores the moderators (as metafor ranktest)'] : []),
    ...(ties ? ['ties in the ranks: the normal approximation is used, not the exact p-value'] : []),
    ...(!ties && k > KENDALL_EXACT_MAX_K
      ? [
          `the exact p-value needs k ≤ ${KENDALL_EXACT_MAX_K} (its counts overflow double precision beyond; metafor gives NA, after seconds to minutes): the normal approximation is used`,
        ]
      : []),
    ...(k < 10
      ? [
          `only ${k} studies: tests for funnel-plot asymmetry have low power with fewer than 10 (Cochrane Handbook §13.3.5.4)`,
        ]
      : []),
  ];
  if (!ties && k <= KENDALL_EXACT_MAX_K) {
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
