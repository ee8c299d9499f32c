/**
 * Simulated meta-analyses for teaching and method comparison, and the Monte Carlo error of their
 * summaries. Data-generating model (the random-effects model):
 *
 * ```text
 * θᵢ = μ + uᵢ,  uᵢ ~ N(0, τ²);   yᵢ = θᵢ + εᵢ,  εᵢ ~ N(0, vᵢ)
 * ```
 *
 * with vᵢ fixed or drawn per study. With `select`, a drawn study enters the meta-analysis only when
 * `select(yᵢ, vᵢ, rng)` is true (publication selection, e.g. on the study's p-value); studies are drawn
 * until each replicate has k, and `drawn` counts every study drawn, published or not. Everything is
 * seeded through core/random.ts, so a simulation reproduces exactly. The output is laid out for
 * {@link fitBatch}: replicate j is elements j·k … j·k + k − 1.
 *
 * References: Morris TP, White IR, Crowther MJ (2019). Using simulation studies to evaluate statistical
 * methods. Stat Med 38(11):2074–2102. doi:10.1002/sim.8086 (Monte Carlo standard errors, Table 6).
 */
import { EvsynthError } from '../core/errors.ts';
import type { Random } from '../core/random.ts';
import { assertBatchArguments, BatchFitter, type BatchOptions, type BatchResult } from '../models/batch.ts';

export interface SimulatedMetaAnalyses {
  readonly reps: number;
  readonly k: number;
  readonly yi: Float64Array;
  readonly vi: Float64Array;
  /** The true effect of each study, θᵢ. */
  readonly theta: Float64Array;
  /** Studies drawn in all (reps·k without `select`; more with it: the unpublished ones). */
  readonly drawn: number;
}

export interface SimulationDesign {
  readonly reps: number;
  readonly k: number;
  readonly mu: number;
  readonly tau2: number;
  /** Within-study variance: a number, or a draw per study (e.g. `rng => 0.01 + 0.3 * rng.next()`). */
  readonly vi: number | ((rng: Random) => number);
  /** Publication selection: whether a drawn study (yᵢ, vᵢ) enters the meta-analysis (default: every study). */
  readonly select?: (yi: number, vi: number, rng: Random) => boolean;
  /** With `select`: give up (an error) after this many draws in all (default 1000·reps·k). */
  readonly maxDraws?: number;
}

/** Draws `reps` meta-analyses of `k` studies from the random-effects model (see the module comment). */
export function simulateMetaAnalyses(rng: Random, d: SimulationDesign): SimulatedMetaAnalyses {
  assertSimulationDesign(d, 'simulateMetaAnalyses');
  const n = d.reps * d.k;
  const yi = new Float64Array(n),
    vi = new Float64Array(n),
    theta = new Float64Array(n);
  const drawn = drawStudies(rng, d, yi, vi, theta, n, 0, d.maxDraws ?? 1000 * n, 'simulateMetaAnalyses');
  return { reps: d.reps, k: d.k, yi, vi, theta, drawn };
}

function assertSimulationDesign(d: SimulationDesign, where: string): void {
  if (!(Number.isInteger(d.reps) && d.reps >= 1 && Number.isInteger(d.k) && d.k >= 1))
    throw new EvsynthError('INVALID_ARGUMENT', `${where}: reps = ${d.reps}, k = ${d.k}; expected whole numbers ≥ 1`);
  if (!(d.tau2 >= 0) || !Number.isFinite(d.mu))
    throw new EvsynthError('INVALID_ARGUMENT', `${where}: mu = ${d.mu}, tau2 = ${d.tau2}; expected τ² ≥ 0`);
}

/**
 * Draws n studies into yi, vi, theta (from index 0), after `drawn` earlier draws; returns the draws so far.
 * The one generator of both simulation functions, so that they consume the random stream identically.
 */
function drawStudies(
  rng: Random,
  d: SimulationDesign,
  yi: Float64Array,
  vi: Float64Array,
  theta: Float64Array | null,
  n: number,
  drawn: number,
  maxDraws: number,
  where: string,
): number {
  const tau = Math.sqrt(d.tau2);
  for (let i = 0; i < n;) {
    const v = typeof d.vi === 'number' ? d.vi : d.vi(rng);
    if (!(v > 0 && Number.isFinite(v)))
      throw new EvsynthError('NON_POSITIVE_VARIANCE', `${where}: a within-study variance of ${v}`);
    const t = d.mu + tau * rng.normal();
    const y = t + Math.sqrt(v) * rng.normal();
    if (++drawn > maxDraws)
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `${where}: ${maxDraws} studies drawn and too few selected; the selection rule almost never publishes`,
      );
    if (d.select && !d.select(y, v, rng)) continue;
    if (theta) theta[i] = t;
    vi[i] = v;
    yi[i] = y;
    i++;
  }
  return drawn;
}

/** Results of {@link simulateAndFit}: fitBatch's, plus the coverage of μ and the studies drawn. */
export interface SimulatedFits extends BatchResult {
  readonly reps: number;
  readonly k: number;
  readonly mu: number;
  /** 1 where the CI contains the true μ. */
  readonly covers: Uint8Array;
  readonly drawn: number;
}

/**
 * Draws `reps` meta-analyses from the random-effects model (as {@link simulateMetaAnalyses}, from the same
 * random stream) and fits each as it is drawn (as {@link fitBatch}, with the same options): one pass, with
 * memory for one analysis of k studies instead of reps·k, and results in typed arrays. The numbers equal
 * `fitBatch(simulateMetaAnalyses(rng, d).yi, …)` exactly, for the same seed. For simulation studies and
 * teaching (Morris et al. 2019: summarise with {@link mcProportion}, {@link mcMean}).
 *
 * @throws EvsynthError INVALID_ARGUMENT, NON_POSITIVE_VARIANCE, and fitBatch's errors
 */
export function simulateAndFit(rng: Random, d: SimulationDesign, options: BatchOptions = {}): SimulatedFits {
  assertSimulationDesign(d, 'simulateAndFit');
  const { reps, k } = d;
  const y = new Float64Array(k),
    v = new Float64Array(k);
  assertBatchArguments(new Float64Array(k), new Float64Array(k).fill(1), k, options);
  const fitter = new BatchFitter(reps, k, options);
  const covers = new Uint8Array(reps);
  const maxDraws = d.maxDraws ?? 1000 * reps * k;
  let drawn = 0;
  for (let a = 0; a < reps; a++) {
    drawn = drawStudies(rng, d, y, v, null, k, drawn, maxDraws, 'simulateAndFit');
    fitter.fit(a, y, v, 0);
    covers[a] = (fitter.out.ciLower[a] as number) <= d.mu && d.mu <= (fitter.out.ciUpper[a] as number) ? 1 : 0;
  }
  return { ...fitter.out, reps, k, mu: d.mu, covers, drawn };
}

/** A Monte Carlo estimate with its standard error and a 95% band (estimate ± 1.96·SE). */
export interface MonteCarloEstimate {
  readonly estimate: number;
  readonly se: number;
  readonly lower: number;
  readonly upper: number;
  readonly n: number;
}

const band = (estimate: number, se: number, n: number): MonteCarloEstimate => ({
  estimate,
  se,
  lower: estimate - 1.959963984540054 * se,
  upper: estimate + 1.959963984540054 * se,
  n,
});

/** A proportion (coverage, rejection rate) from `hits` of `n`: SE = √(p(1 − p)/n) (Morris et al. 2019). */
export function mcProportion(hits: number, n: number): MonteCarloEstimate {
  if (!(n >= 1 && hits >= 0 && hits <= n)) throw new EvsynthError('INVALID_ARGUMENT', `mcProportion: ${hits} of ${n}`);
  const p = hits / n;
  return band(p, Math.sqrt((p * (1 - p)) / n), n);
}

/** A mean (bias, average estimate) of finite values: SE = s/√n. */
export function mcMean(values: ArrayLike<number>): MonteCarloEstimate {
  const n = values.length;
  if (n < 2) throw new EvsynthError('INVALID_ARGUMENT', `mcMean: ${n} values; expected at least 2`);
  let m = 0;
  for (let i = 0; i < n; i++) m += values[i] as number;
  m /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((values[i] as number) - m) ** 2;
  return band(m, Math.sqrt(ss / (n - 1) / n), n);
}

/** Mean squared error of estimates of `truth`, with the SE of the mean of the squared errors. */
export function mcMse(estimates: ArrayLike<number>, truth: number): MonteCarloEstimate {
  const sq = Float64Array.from({ length: estimates.length }, (_, i) => ((estimates[i] as number) - truth) ** 2);
  return mcMean(sq);
}
