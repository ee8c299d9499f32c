/**
 * Simulated two-arm trials, summarised as a meta-analysis needs them (group sizes with means and SDs,
 * or 2×2 tables), for teaching and method comparison: effect sizes are then computed from them by
 * `escalc`, exactly as from published trials. Everything is seeded through core/random.ts.
 *
 * Continuous outcome, trial i (standardised units, control SD = experimental SD = 1):
 *
 * ```text
 * θᵢ ~ N(μ, τ²)                       (true standardised mean difference)
 * m₂ᵢ ~ N(0, 1/n₂ᵢ),  m₁ᵢ ~ N(θᵢ, 1/n₁ᵢ)
 * sdⱼᵢ = √(χ²_{nⱼᵢ−1}/(nⱼᵢ − 1))       (the sample SD of nⱼᵢ normal observations)
 * ```
 *
 * Binary outcome, trial i (log odds ratio):
 *
 * ```text
 * θᵢ ~ N(μ, τ²),  p₂ᵢ = control risk,  logit p₁ᵢ = logit p₂ᵢ + θᵢ
 * aᵢ ~ Bin(n₁ᵢ, p₁ᵢ),  cᵢ ~ Bin(n₂ᵢ, p₂ᵢ),  bᵢ = n₁ᵢ − aᵢ,  dᵢ = n₂ᵢ − cᵢ
 * ```
 *
 * Replicate j is trials j·k … j·k + k − 1, as {@link simulateMetaAnalyses} lays them out.
 *
 * References: Morris TP, White IR, Crowther MJ (2019). Using simulation studies to evaluate statistical
 * methods. Stat Med 38(11):2074–2102. doi:10.1002/sim.8086; Marsaglia G, Tsang WW (2000). A simple method
 * for generating gamma variables. ACM Trans Math Softw 26(3):363–372. doi:10.1145/358407.358414 (the χ²
 * draws); Devroye L (1986). Non-Uniform Random Variate Generation, ch. X (binomial by inversion).
 */
import { EvsynthError } from '../core/errors.ts';
import type { Random } from '../core/random.ts';

/** A fixed value, or a draw per trial from the simulation's generator. */
export type PerTrial = number | ((rng: Random) => number);

export interface ContinuousTrialDesign {
  readonly reps: number;
  readonly k: number;
  /** Mean true standardised mean difference μ (experimental − control, in SD units). */
  readonly mu: number;
  readonly tau2: number;
  /** Experimental group size (a whole number ≥ 2). */
  readonly n1: PerTrial;
  /** Control group size; the experimental size of the same trial when absent. */
  readonly n2?: PerTrial;
}

export interface SimulatedContinuousTrials {
  readonly reps: number;
  readonly k: number;
  /** Group sizes, means and SDs by escalc's column names (e.g. `escalc('SMD', sim.columns, labels)`). */
  readonly columns: {
    readonly n1i: Float64Array;
    readonly m1i: Float64Array;
    readonly sd1i: Float64Array;
    readonly n2i: Float64Array;
    readonly m2i: Float64Array;
    readonly sd2i: Float64Array;
  };
  /** The true standardised mean difference of each trial, θᵢ. */
  readonly theta: Float64Array;
}

export interface BinaryTrialDesign {
  readonly reps: number;
  readonly k: number;
  /** Mean true log odds ratio μ (experimental vs control). */
  readonly mu: number;
  readonly tau2: number;
  /** Control-group risk, in (0, 1). */
  readonly p2: PerTrial;
  /** Experimental group size (a whole number ≥ 1). */
  readonly n1: PerTrial;
  /** Control group size; the experimental size of the same trial when absent. */
  readonly n2?: PerTrial;
}

export interface SimulatedBinaryTrials {
  readonly reps: number;
  readonly k: number;
  /** Events and non-events, experimental (a, b) and control (c, d), by escalc's column names. */
  readonly columns: {
    readonly ai: Float64Array;
    readonly bi: Float64Array;
    readonly ci: Float64Array;
    readonly di: Float64Array;
  };
  /** The true log odds ratio of each trial, θᵢ. */
  readonly theta: Float64Array;
}

const draw = (x: PerTrial, rng: Random) => (typeof x === 'number' ? x : x(rng));

function checkDesign(name: string, d: { reps: number; k: number; mu: number; tau2: number }): void {
  if (!(Number.isInteger(d.reps) && d.reps >= 1 && Number.isInteger(d.k) && d.k >= 1))
    throw new EvsynthError('INVALID_ARGUMENT', `${name}: reps = ${d.reps}, k = ${d.k}; expected whole numbers ≥ 1`);
  if (!(d.tau2 >= 0 && Number.isFinite(d.tau2)) || !Number.isFinite(d.mu))
    throw new EvsynthError('INVALID_ARGUMENT', `${name}: mu = ${d.mu}, tau2 = ${d.tau2}; expected finite μ and τ² ≥ 0`);
}

function groupSize(name: string, n: number, min: number): number {
  if (!(Number.isInteger(n) && n >= min))
    throw new EvsynthError('INVALID_ARGUMENT', `${name}: a group size of ${n}; expected a whole number ≥ ${min}`);
  return n;
}

/** Draws `reps` meta-analyses of `k` two-arm trials with a continuous outcome (see the module comment). */
export function simulateContinuousTrials(rng: Random, d: ContinuousTrialDesign): SimulatedContinuousTrials {
  const name = 'simulateContinuousTrials';
  checkDesign(name, d);
  const n = d.reps * d.k;
  const out = {
    n1i: new Float64Array(n),
    m1i: new Float64Array(n),
    sd1i: new Float64Array(n),
    n2i: new Float64Array(n),
    m2i: new Float64Array(n),
    sd2i: new Float64Array(n),
  };
  const theta = new Float64Array(n);
  const tau = Math.sqrt(d.tau2);
  for (let i = 0; i < n; i++) {
    const n1 = groupSize(name, draw(d.n1, rng), 2);
    const n2 = d.n2 === undefined ? n1 : groupSize(name, draw(d.n2, rng), 2);
    const t = d.mu + tau * rng.normal();
    theta[i] = t;
    out.n1i[i] = n1;
    out.n2i[i] = n2;
    out.m1i[i] = t + rng.normal() / Math.sqrt(n1);
    out.m2i[i] = rng.normal() / Math.sqrt(n2);
    out.sd1i[i] = Math.sqrt(chiSquare(rng, n1 - 1) / (n1 - 1));
    out.sd2i[i] = Math.sqrt(chiSquare(rng, n2 - 1) / (n2 - 1));
  }
  return { reps: d.reps, k: d.k, columns: out, theta };
}

/** Draws `reps` meta-analyses of `k` two-arm trials with a binary outcome (see the module comment). */
export function simulateBinaryTrials(rng: Random, d: BinaryTrialDesign): SimulatedBinaryTrials {
  const name = 'simulateBinaryTrials';
  checkDesign(name, d);
  const n = d.reps * d.k;
  const out = { ai: new Float64Array(n), bi: new Float64Array(n), ci: new Float64Array(n), di: new Float64Array(n) };
  const theta = new Float64Array(n);
  const tau = Math.sqrt(d.tau2);
  for (let i = 0; i < n; i++) {
    const n1 = groupSize(name, draw(d.n1, rng), 1);
    const n2 = d.n2 === undefined ? n1 : groupSize(name, draw(d.n2, rng), 1);
    const p2 = draw(d.p2, rng);
    if (!(p2 > 0 && p2 < 1))
      throw new EvsynthError('INVALID_ARGUMENT', `${name}: a control risk of ${p2}; expected a value in (0, 1)`);
    const t = d.mu + tau * rng.normal();
    const p1 = 1 / (1 + ((1 - p2) / p2) * Math.exp(-t));
    const a = binomial(rng, n1, p1),
      c = binomial(rng, n2, p2);
    theta[i] = t;
    out.ai[i] = a;
    out.bi[i] = n1 - a;
    out.ci[i] = c;
    out.di[i] = n2 - c;
  }
  return { reps: d.reps, k: d.k, columns: out, theta };
}

/** A χ² deviate on `df` > 0 degrees of freedom: 2·Gamma(df/2) (Marsaglia & Tsang 2000). */
export function chiSquare(rng: Random, df: number): number {
  if (!(df > 0 && Number.isFinite(df)))
    throw new EvsynthError('INVALID_ARGUMENT', `chiSquare: df = ${df}; expected a positive number`);
  return 2 * gamma(rng, df / 2);
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 through Gamma(shape + 1)·U^(1/shape). */
function gamma(rng: Random, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3,
    c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = 1 - rng.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * A Bin(n, p) deviate: inversion by sequential search for n < 1000 (on min(p, 1 − p), expected n·p + 1
 * steps), a sum of Bernoulli draws beyond.
 */
export function binomial(rng: Random, n: number, p: number): number {
  if (!(Number.isInteger(n) && n >= 0) || !(p >= 0 && p <= 1))
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `binomial: n = ${n}, p = ${p}; expected n a whole number ≥ 0, p in [0, 1]`,
    );
  if (p === 0 || n === 0) return 0;
  if (p === 1) return n;
  const flip = p > 0.5;
  const q = flip ? 1 - p : p;
  let x = 0;
  if (n < 1000) {
    const r = q / (1 - q);
    let f = Math.pow(1 - q, n);
    let u = rng.next();
    while (u > f && x < n) {
      u -= f;
      f *= (r * (n - x)) / (x + 1);
      x++;
    }
  } else for (let i = 0; i < n; i++) if (rng.next() < q) x++;
  return flip ? n - x : x;
}
