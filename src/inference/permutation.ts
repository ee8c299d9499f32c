import { EvsynthError } from '../core/errors.ts';
import { Random } from '../core/random.ts';
import type { Design } from '../models/design.ts';
import { inverseQuadraticForm } from '../core/numeric/linalg.ts';
import { Kernel } from '../models/kernel.ts';
import type { RmaFit } from '../models/rma.ts';
import { estimateTau2 } from '../models/tau2/index.ts';
import { knappHartungFactor } from '../models/wald.ts';

export interface PermutationOptions {
  /** true: enumerate every distinct permutation; false: random ones; 'auto' (default): exact when there are at most `iterations`. */
  readonly exact?: boolean | 'auto';
  /** Random permutations to draw (default 1000). */
  readonly iterations?: number;
  /** Seed of the random permutations (default 1). */
  readonly seed?: number;
  /** Called now and then with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Refuse exact enumeration beyond this many permutations (default 1e6). */
  readonly maxExact?: number;
}

export interface PermutationResult {
  readonly exact: boolean;
  /** Permutations evaluated (including the observed arrangement when exact). */
  readonly permutations: number;
  /** Number of distinct permutations of the data (k!/∏mⱼ! for moderators, 2^k for sign flips). */
  readonly distinctPermutations: number;
  readonly seed: number | null;
  /** Observed test statistics and permutation p-values, per coefficient. */
  readonly statistics: readonly number[];
  readonly pValues: readonly number[];
  readonly QM: number;
  readonly QMp: number;
}

/** Ties within √ε count as "at least as extreme" (as metafor's permutest). */
const TOL = Math.sqrt(Number.EPSILON);

/**
 * Permutation test of a (mixed-effects) meta-regression (metafor `permutest`): the model is refitted
 * with the rows of the moderator matrix permuted relative to (yᵢ, vᵢ) — or, for an intercept-only
 * model, with the signs of yᵢ flipped — and each p-value is the proportion of permutations whose
 * statistic (|z| or |t| per coefficient, QM for the omnibus test) is at least the observed one.
 *
 * Exact: every distinct permutation once (the observed one included), p = count / number of
 * permutations. Random: `iterations` seeded permutations, p = (1 + count)/(1 + iterations)
 * (Phipson & Smyth 2010), which is never 0.
 *
 * References: Higgins JPT, Thompson SG (2004). Controlling the risk of spurious findings from
 * meta-regression. Stat Med 23(11):1663–1682. doi:10.1002/sim.1752; Viechtbauer W, López-López JA,
 * Sánchez-Meca J, Marín-Martínez F (2015). A comparison of procedures to test for moderators in mixed-effects
 * meta-regression models. Psychol Methods 20(3):360–374. doi:10.1037/met0000023; Phipson B, Smyth GK (2010). Stat Appl
 * Genet Mol Biol 9:39. Cross-check: `permutest(res, exact=)`.
 */
export function permutationTest(fit: RmaFit, options: PermutationOptions = {}): PermutationResult {
  const iterations = options.iterations ?? 1000;
  if (!(Number.isInteger(iterations) && iterations >= 1))
    throw new EvsynthError('INVALID_ARGUMENT', `iterations = ${iterations}; expected a whole number ≥ 1`);
  const seed = options.seed ?? 1;
  const { k, p, design } = fit;
  const signFlip = p === 1;
  const observed = fit.coefficients.map((c) => Math.abs(c.statistic));
  const QMobs = fit.QM;
  // One kernel, refilled for every permutation: τ² is re-estimated with the fit's method and the
  // statistics are those of fitRma (z or t per coefficient, QM on the same coefficients), without
  // building a full fit object each time.
  const work = new Kernel(Float64Array.from(fit.yi), Float64Array.from(fit.vi), {
    ...design,
    x: Float64Array.from(design.x),
  });
  const stats = new Float64Array(p);
  const btt = fit.btt;
  const sub = new Float64Array(btt.length * btt.length);
  const refit = (yi: ArrayLike<number>, d: Design): { stats: Float64Array; QM: number } => {
    work.yi.set(yi as Float64Array);
    work.design.x.set(d.x);
    work.invalidate();
    const tau2 = estimateTau2(work, fit.method).tau2;
    work.evaluate(tau2);
    // (a permuted data set's s² is not checked for underflow: it only ranks against the observed statistic)
    const s2w = k - p >= 1 ? knappHartungFactor(work.RSS, k - p, fit.test, undefined, 'permutation test') : 1;
    for (let j = 0; j < p; j++) stats[j] = (work.beta[j] as number) / Math.sqrt((work.Ainv[j * p + j] as number) * s2w);
    // Wald statistic over btt: bᵀ V⁻¹ b with V = Ainv[btt, btt]·s2w
    const m = btt.length;
    for (let r = 0; r < m; r++)
      for (let c = 0; c < m; c++)
        sub[r * m + c] = (work.Ainv[(btt[r] as number) * p + (btt[c] as number)] as number) * s2w;
    const QM =
      inverseQuadraticForm(
        sub,
        btt.map((j) => work.beta[j] as number),
        m,
      ) / (fit.ddf === null ? 1 : m);
    return { stats, QM };
  };
  const counts = new Float64Array(p);
  let countQM = 0;
  const tally = (f: { stats: Float64Array; QM: number }): void => {
    for (let j = 0; j < p; j++)
      if (Math.abs(f.stats[j] as number) >= (observed[j] as number) - TOL) counts[j] = (counts[j] as number) + 1;
    if (f.QM >= QMobs - TOL) countQM++;
  };

  // distinct permutations
  const groups = signFlip ? [] : rowGroups(design);
  const distinct = signFlip ? 2 ** k : multinomial(groups);
  const wantExact = options.exact ?? 'auto';
  const exact = wantExact === 'auto' ? distinct <= iterations : wantExact;
  const maxExact = options.maxExact ?? 1e6;
  if (exact && distinct > maxExact) {
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `an exact test needs ${distinct.toExponential(2)} permutations (more than ${maxExact}); use random permutations`,
    );
  }
  let n = 0;
  const progress = (total: number) => {
    if (options.onProgress && (n % 100 === 0 || n === total)) options.onProgress(n, total);
  };
  if (exact) {
    if (signFlip) {
      const y = new Float64Array(k);
      for (let mask = 0; mask < distinct; mask++) {
        for (let i = 0; i < k; i++) y[i] = ((mask >> i) & 1 ? -1 : 1) * (fit.yi[i] as number);
        tally(refit(y, design));
        n++;
        progress(distinct);
      }
    } else {
      const assignment = groups.flatMap((g, gi) => g.map(() => gi)).sort((a, b) => a - b);
      do {
        tally(refit(fit.yi, permutedDesign(design, groups, assignment)));
        n++;
        progress(distinct);
      } while (nextPermutation(assignment));
    }
    return result(true, n, distinct, null);
  }
  const rng = new Random(seed);
  const order = Int32Array.from({ length: k }, (_, i) => i);
  const y = new Float64Array(k);
  for (let it = 0; it < iterations; it++) {
    if (signFlip) {
      for (let i = 0; i < k; i++) y[i] = (rng.next() < 0.5 ? -1 : 1) * (fit.yi[i] as number);
      tally(refit(y, design));
    } else {
      rng.shuffle(order);
      tally(refit(fit.yi, reorderedDesign(design, order)));
    }
    n++;
    progress(iterations);
  }
  return result(false, n, distinct, seed);

  function result(isExact: boolean, total: number, nDistinct: number, s: number | null): PermutationResult {
    const pv = (c: number) => (isExact ? c / total : (1 + c) / (1 + total));
    return {
      exact: isExact,
      permutations: total,
      distinctPermutations: nDistinct,
      seed: s,
      statistics: fit.coefficients.map((c) => c.statistic),
      pValues: Array.from(counts, pv),
      QM: QMobs,
      QMp: pv(countQM),
    };
  }
}

/** Rows of X grouped by identical values (each group: its row indices). */
function rowGroups(d: Design): number[][] {
  const map = new Map<string, number[]>();
  for (let i = 0; i < d.k; i++) {
    const key = Array.from(d.x.subarray(i * d.p, (i + 1) * d.p)).join(',');
    const g = map.get(key);
    if (g) g.push(i);
    else map.set(key, [i]);
  }
  return [...map.values()];
}

/** k! / ∏ mⱼ! (as a double; exact below 2^53). */
function multinomial(groups: readonly (readonly number[])[]): number {
  let n = 0,
    r = 1;
  for (const g of groups)
    for (let j = 1; j <= g.length; j++) {
      n++;
      r = (r * n) / j;
    }
  return Math.round(r);
}

/** Design whose row i is the X row of group assignment[i]. */
function permutedDesign(d: Design, groups: readonly (readonly number[])[], assignment: readonly number[]): Design {
  const x = new Float64Array(d.x.length);
  assignment.forEach((g, i) => {
    const src = (groups[g] as number[])[0] as number;
    x.set(d.x.subarray(src * d.p, (src + 1) * d.p), i * d.p);
  });
  return { ...d, x };
}

function reorderedDesign(d: Design, order: Int32Array): Design {
  const x = new Float64Array(d.x.length);
  for (let i = 0; i < d.k; i++) {
    const s = order[i] as number;
    x.set(d.x.subarray(s * d.p, (s + 1) * d.p), i * d.p);
  }
  return { ...d, x };
}

/** Lexicographic next permutation in place; false after the last one. Visits each distinct multiset permutation once. */
function nextPermutation(a: number[]): boolean {
  let i = a.length - 2;
  while (i >= 0 && (a[i] as number) >= (a[i + 1] as number)) i--;
  if (i < 0) return false;
  let j = a.length - 1;
  while ((a[j] as number) <= (a[i] as number)) j--;
  [a[i], a[j]] = [a[j] as number, a[i] as number];
  for (let l = i + 1, r = a.length - 1; l < r; l++, r--) [a[l], a[r]] = [a[r] as number, a[l] as number];
  return true;
}
