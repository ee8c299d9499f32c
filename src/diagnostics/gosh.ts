import { EvsynthError } from '../core/errors.ts';
import { assertApplicable, assertRmaFit, firstReason, needsStudies, type NotApplicable } from './applicability.ts';
import { assertInteger } from '../core/validate.ts';
import { Random } from '../core/random.ts';
import { InterceptFit } from '../models/intercept-fit.ts';
import { Kernel } from '../models/kernel.ts';
import type { Tau2Method } from '../models/tau2/index.ts';
import type { RmaFit } from '../models/rma.ts';

/** Per-subset results, one entry per subset (parallel arrays). */
export interface GoshResult {
  readonly k: number;
  readonly exhaustive: boolean;
  readonly seed: number | null;
  /** The subsets as bit masks over the studies (study i is bit i), as doubles (exact up to k = 52). */
  readonly masks: Float64Array;
  readonly size: Uint8Array;
  readonly estimate: Float64Array;
  readonly tau2: Float64Array;
  readonly I2: Float64Array;
  readonly H2: Float64Array;
  readonly QE: Float64Array;
}

export interface GoshOptions {
  /** Fit every subset up to this k (default 20); beyond it, `subsets` random subsets. */
  readonly maxExhaustiveK?: number;
  /** Number of random subsets when not exhaustive (default 1,000,000). */
  readonly subsets?: number;
  readonly seed?: number;
}

/** The subset masks GOSH evaluates: all 2^k − 1 non-empty subsets up to maxExhaustiveK, else seeded random ones. */
export function goshMasks(
  k: number,
  options: GoshOptions = {},
): { masks: Float64Array; exhaustive: boolean; seed: number | null } {
  assertInteger(k, 'k', 'GOSH', 0); // a k that is not a whole number would never end the draw below
  if (k < 2) throw new EvsynthError('TOO_FEW_STUDIES', 'GOSH needs at least 2 studies');
  if (k > 52) throw new EvsynthError('INVALID_ARGUMENT', 'GOSH supports up to 52 studies');
  const maxK = options.maxExhaustiveK ?? 20;
  if (k <= maxK) {
    const n = 2 ** k - 1;
    const masks = new Float64Array(n); // a loop: Float64Array.from with a map function takes 50 times longer
    for (let i = 0; i < n; i++) masks[i] = i + 1;
    return { masks, exhaustive: true, seed: null };
  }
  const seed = options.seed ?? 1;
  const rng = new Random(seed);
  const n = options.subsets ?? 1_000_000;
  const masks = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let m = 0;
    while (m === 0) {
      m = 0;
      for (let i = 0; i < k; i++) if (rng.nextUint32() & 1) m += 2 ** i;
    }
    masks[s] = m;
  }
  return { masks, exhaustive: false, seed };
}

/**
 * Fits the intercept-only model of `method` to each subset in `masks[from, to)` (GOSH: graphical display
 * of study heterogeneity). For each subset: the estimate, τ², I², H² and Q, as metafor `gosh.rma`.
 * Allocation-free per subset: one kernel and one fit record are reused ({@link InterceptFit}).
 *
 * Reference: Olkin I, Dahabreh IJ, Trikalinos TA (2012). GOSH – a graphical display of study
 * heterogeneity. Res Synth Methods 3(3):214–223. doi:10.1002/jrsm.1053. Cross-check: `gosh(res)`.
 */
export function goshRange(
  yi: ArrayLike<number>,
  vi: ArrayLike<number>,
  method: Tau2Method,
  masks: Float64Array,
  from = 0,
  to = masks.length,
  onProgress?: (done: number) => void,
): Omit<GoshResult, 'k' | 'exhaustive' | 'seed' | 'masks'> {
  const k = yi.length;
  const n = to - from;
  const out = {
    size: new Uint8Array(n),
    estimate: new Float64Array(n),
    tau2: new Float64Array(n),
    I2: new Float64Array(n),
    H2: new Float64Array(n),
    QE: new Float64Array(n),
  };
  // one kernel (shortened to each subset's size) and one fit record, reused
  const K = Kernel.intercept(k);
  const f = new InterceptFit();
  const idx = new Int32Array(k);
  for (let s = 0; s < n; s++) {
    let m = masks[from + s] as number;
    let size = 0;
    for (let i = 0; i < k && m > 0; i++) {
      if (m % 2 === 1) {
        idx[size++] = i;
        m -= 1;
      }
      m /= 2;
    }
    K.resize(size);
    for (let j = 0; j < size; j++) {
      const i = idx[j] as number;
      K.yi[j] = yi[i] as number;
      K.vi[j] = vi[i] as number;
    }
    f.fit(K, method);
    out.size[s] = size;
    out.estimate[s] = f.estimate;
    out.tau2[s] = f.tau2;
    out.QE[s] = f.QE;
    out.I2[s] = f.I2;
    out.H2[s] = f.H2;
    if (onProgress && (s + 1) % 4096 === 0) onProgress(s + 1);
  }
  return out;
}

/** Why GOSH cannot run (null when it can): 2 ≤ k ≤ 52, no moderators. */
export function goshApplicability(fit: RmaFit): NotApplicable {
  return firstReason(
    fit.p > 1 ? 'computed for models without moderators' : null,
    needsStudies(fit.k, 2),
    fit.k > 52 ? `supports up to 52 studies; the model has k = ${fit.k}` : null,
  );
}

/**
 * GOSH (graphical display of study heterogeneity, metafor `gosh`): the intercept-only model of the fit's
 * method refitted to every non-empty subset S of the k studies (2^k − 1 of them up to 20 studies, else a
 * seeded random sample), giving for each θ̂_S, τ̂²_S, I²_S, H²_S and Q_S; in this thread (see
 * {@link goshRange}), `goshParallel` spreads the same work over worker threads. Throws NOT_APPLICABLE for
 * models with moderators or k outside [2, 52].
 *
 * Reference: Olkin I, Dahabreh IJ, Trikalinos TA (2012). GOSH – a graphical display of study heterogeneity.
 * Res Synth Methods 3(3):214–223. doi:10.1002/jrsm.1053. Cross-check: `gosh(res)`.
 */
export function gosh(fit: RmaFit, options: GoshOptions = {}): GoshResult {
  assertRmaFit(fit, 'gosh');
  assertApplicable(goshApplicability(fit), 'GOSH');
  const { masks, exhaustive, seed } = goshMasks(fit.k, options);
  return { k: fit.k, exhaustive, seed, masks, ...goshRange(fit.yi, fit.vi, fit.method, masks) };
}

export interface GoshSummary {
  readonly subsets: number;
  readonly estimate: {
    readonly min: number;
    readonly q25: number;
    readonly median: number;
    readonly q75: number;
    readonly max: number;
    readonly mean: number;
  };
  readonly I2: {
    readonly min: number;
    readonly q25: number;
    readonly median: number;
    readonly q75: number;
    readonly max: number;
    readonly mean: number;
  };
  readonly tau2: {
    readonly min: number;
    readonly q25: number;
    readonly median: number;
    readonly q75: number;
    readonly max: number;
    readonly mean: number;
  };
}

/** Five-number summaries and means of the subset estimates, I² and τ². */
export function summarizeGosh(g: GoshResult): GoshSummary {
  const sum = (a: Float64Array) => {
    const s = Float64Array.from(a).sort();
    const q = (p: number) => {
      const h = (s.length - 1) * p,
        lo = Math.floor(h);
      return (s[lo] as number) + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] as number) - (s[lo] as number));
    };
    return {
      min: s[0] as number,
      q25: q(0.25),
      median: q(0.5),
      q75: q(0.75),
      max: s[s.length - 1] as number,
      mean: s.reduce((x, y) => x + y, 0) / s.length,
    };
  };
  return { subsets: g.estimate.length, estimate: sum(g.estimate), I2: sum(g.I2), tau2: sum(g.tau2) };
}
