/**
 * The τ² estimator registry: each of metafor's `rma.uni` methods, declared once with its label (as
 * metafor prints it), whether it iterates, its estimator and the form of its standard error. Parsing,
 * fitting, help text, reports and the web explorer's choices all derive from this record; adding an
 * estimator means adding its module and one entry here.
 */
import type { Kernel } from '../kernel.ts';
import { tau2DerSimonianLaird } from './dersimonian-laird.ts';
import { hedgesLogStandardError, hedgesStandardError, tau2Hedges } from './hedges.ts';
import { tau2HunterSchmidt } from './hunter-schmidt.ts';
import { likelihoodLogStandardError, likelihoodStandardError, tau2Likelihood } from './likelihood.ts';
import { tau2PauleMandel } from './paule-mandel.ts';
import type { LogModel } from './log-traces.ts';
import { sidikJonkmanLogStandardError, sidikJonkmanStandardError, tau2SidikJonkman } from './sidik-jonkman.ts';
import {
  momentLogStandardError,
  momentStandardError,
  scoringLogStandardError,
  scoringStandardError,
} from './standard-error.ts';
import type { Tau2Control, Tau2Result, ZeroPoint } from './types.ts';

export interface Tau2EstimatorSpec {
  /** The name metafor prints ("DerSimonian-Laird"). */
  readonly label: string;
  /** Common-effect model: τ² ≡ 0 (EE, FE). */
  readonly common: boolean;
  /** Whether the estimator iterates (and so takes `control`). */
  readonly iterative: boolean;
  /**
   * τ̂² for the model in `kernel` (k − p ≥ 1), written into `out`; `zero` holds the model at τ² = 0 when
   * the caller has it (see ZeroPoint).
   */
  readonly estimate: (kernel: Kernel, control: Tau2Control, zero: ZeroPoint | undefined, out: Tau2Result) => Tau2Result;
  /**
   * Standard error of τ̂² (NaN where none is defined); leaves the kernel evaluated at `tau2`. `control` is the
   * estimate's (its `tau2Init` is SJ's τ₀², on which SJ's SE depends).
   */
  readonly standardError: (kernel: Kernel, tau2: number, control?: Tau2Control) => number;
  /**
   * The same standard error of an intercept-only model in logarithms (log SE, −∞ for 0), where the sums and
   * traces of `standardError` under- or overflow at every scale (./log-traces.ts); absent for the common-effect
   * models, which have none.
   */
  readonly logStandardError?: (model: LogModel) => number;
}

const none = (_k: Kernel, _c: Tau2Control, _z: ZeroPoint | undefined, out: Tau2Result) => out.set(0, 0, true);
const noStandardError = (kernel: Kernel, tau2: number): number => {
  kernel.evaluate(tau2);
  return Number.NaN;
};

/** Every τ² estimator, by metafor's method code. `EE`/`FE` fix τ² = 0 (common effect). */
export const TAU2_REGISTRY = {
  EE: { label: 'equal effects', common: true, iterative: false, estimate: none, standardError: noStandardError },
  FE: { label: 'fixed effects', common: true, iterative: false, estimate: none, standardError: noStandardError },
  DL: {
    label: 'DerSimonian-Laird',
    common: false,
    iterative: false,
    estimate: (kernel, _c, zero, out) => tau2DerSimonianLaird(kernel, zero, out),
    standardError: (kernel, tau2) => momentStandardError(kernel, tau2, (kr) => kr.trP),
    logStandardError: (model) => momentLogStandardError(model, (_logSumW, logTrP) => logTrP),
  },
  HE: {
    label: 'Hedges',
    common: false,
    iterative: false,
    estimate: (kernel, _c, _z, out) => tau2Hedges(kernel, out),
    standardError: hedgesStandardError,
    logStandardError: hedgesLogStandardError,
  },
  HS: {
    label: 'Hunter-Schmidt',
    common: false,
    iterative: false,
    estimate: (kernel, _c, zero, out) => tau2HunterSchmidt(kernel, false, zero, out),
    standardError: (kernel, tau2) => momentStandardError(kernel, tau2, (kr) => kr.sumW),
    logStandardError: (model) => momentLogStandardError(model, (logSumW) => logSumW),
  },
  HSk: {
    label: 'Hunter-Schmidt (k-corrected)',
    common: false,
    iterative: false,
    estimate: (kernel, _c, zero, out) => tau2HunterSchmidt(kernel, true, zero, out),
    standardError: (kernel, tau2) => momentStandardError(kernel, tau2, (kr) => (kr.sumW * (kr.k - kr.p)) / kr.k),
    logStandardError: (model) =>
      momentLogStandardError(model, (logSumW, _logTrP, k) => logSumW + Math.log((k - 1) / k)),
  },
  SJ: {
    label: 'Sidik-Jonkman',
    common: false,
    iterative: false,
    estimate: (kernel, control, zero, out) => tau2SidikJonkman(kernel, false, control, zero, out),
    standardError: (kernel, tau2, control) => sidikJonkmanStandardError(kernel, tau2, control?.tau2Init),
    logStandardError: sidikJonkmanLogStandardError,
  },
  SJIT: {
    label: 'Sidik-Jonkman (iterated)',
    common: false,
    iterative: true,
    estimate: (kernel, control, zero, out) => tau2SidikJonkman(kernel, true, control, zero, out),
    standardError: scoringStandardError,
    logStandardError: scoringLogStandardError,
  },
  ML: {
    label: 'ML',
    common: false,
    iterative: true,
    estimate: (kernel, control, zero, out) => tau2Likelihood(kernel, 'ML', control, zero, out),
    standardError: (kernel, tau2) => likelihoodStandardError(kernel, 'ML', tau2),
    logStandardError: (model) => likelihoodLogStandardError(model, 'ML'),
  },
  REML: {
    label: 'REML',
    common: false,
    iterative: true,
    estimate: (kernel, control, zero, out) => tau2Likelihood(kernel, 'REML', control, zero, out),
    standardError: (kernel, tau2) => likelihoodStandardError(kernel, 'REML', tau2),
    logStandardError: (model) => likelihoodLogStandardError(model, 'REML'),
  },
  EB: {
    label: 'empirical Bayes',
    common: false,
    iterative: true,
    estimate: (kernel, control, zero, out) => tau2Likelihood(kernel, 'EB', control, zero, out),
    standardError: scoringStandardError,
    logStandardError: scoringLogStandardError,
  },
  PM: {
    label: 'Paule-Mandel',
    common: false,
    iterative: true,
    estimate: (kernel, _c, zero, out) => tau2PauleMandel(kernel, false, zero, out),
    standardError: scoringStandardError,
    logStandardError: scoringLogStandardError,
  },
  PMM: {
    label: 'Paule-Mandel (median)',
    common: false,
    iterative: true,
    estimate: (kernel, _c, zero, out) => tau2PauleMandel(kernel, true, zero, out),
    standardError: scoringStandardError,
    logStandardError: scoringLogStandardError,
  },
} as const satisfies Record<string, Tau2EstimatorSpec>;

/** A τ² estimator's code (metafor's `method`). */
export type Tau2Method = keyof typeof TAU2_REGISTRY;

/** Every τ² method code, in the registry's order. */
export const TAU2_METHODS = Object.keys(TAU2_REGISTRY) as readonly Tau2Method[];

/** metafor's default estimator. */
export const DEFAULT_TAU2_METHOD: Tau2Method = 'REML';
