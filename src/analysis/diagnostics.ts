/**
 * The sensitivity and publication-bias analyses of one meta-analysis, as the CLI and reports use them.
 */
import { EvsynthError } from '../core/errors.ts';
import { assertApplicable, type NotApplicable } from '../diagnostics/applicability.ts';
import { baujat, baujatApplicability, type BaujatPoints } from '../diagnostics/baujat.ts';
import { cumulative, cumulativeApplicability, type Cumulative } from '../diagnostics/cumulative.ts';
import {
  regressionTest,
  regressionTestApplicability,
  type RegressionTest,
  type RegtestPredictor,
} from '../diagnostics/egger.ts';
import { failSafeN, failSafeNApplicability, type FailSafeN, type FsnType } from '../diagnostics/fail-safe.ts';
import {
  goshApplicability,
  goshMasks,
  goshRange,
  summarizeGosh,
  type GoshOptions,
  type GoshResult,
  type GoshSummary,
} from '../diagnostics/gosh.ts';
import { influence, influenceApplicability, type Influence } from '../diagnostics/influence.ts';
import { leaveOneOut, leaveOneOutApplicability, type LeaveOneOut } from '../diagnostics/leave-one-out.ts';
import {
  rankCorrelationTest,
  rankCorrelationTestApplicability,
  type RankCorrelationTest,
} from '../diagnostics/rank-correlation.ts';
import {
  trimAndFill,
  trimAndFillApplicability,
  type TrimAndFill,
  type TrimfillEstimator,
} from '../diagnostics/trim-and-fill.ts';
import type { RmaFit } from '../models/rma.ts';
import type { MetaAnalysis } from './meta-analysis.ts';
import type { MetaRegression } from './regression.ts';

/** Runs GOSH for a fit: in this thread by default; `evsynth/node` supplies a worker-thread pool (goshParallel). */
export type GoshRunner = (
  fit: RmaFit,
  options: GoshOptions & { readonly onProgress?: (done: number, total: number) => void },
) => Promise<GoshResult>;

/** GOSH in the calling thread, with progress (the default runner; it works in the browser too). */
export const goshInThread: GoshRunner = (fit, options) => {
  assertApplicable(goshApplicability(fit), 'GOSH');
  const { masks, exhaustive, seed } = goshMasks(fit.k, options);
  const total = masks.length;
  return Promise.resolve({
    k: fit.k,
    exhaustive,
    seed,
    masks,
    ...goshRange(fit.yi, fit.vi, fit.method, masks, 0, total, (d) => options.onProgress?.(d, total)),
  });
};

/** The model the diagnostics examine: a meta-analysis, or a meta-regression (a model with moderators). */
export type DiagnosedModel = MetaAnalysis | MetaRegression;

/** A diagnostic that was asked for but does not apply to the model, and why ("needs k ≥ 3"). */
export interface SkippedDiagnostic {
  readonly test: string;
  readonly reason: string;
}

function modelOf(m: DiagnosedModel): { readonly fit: RmaFit; readonly labels: readonly string[] } {
  if ('formula' in m) return { fit: m.fit, labels: m.labels };
  if (m.model.kind !== 'rma')
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      'this analysis needs an inverse-variance model (a tau^2 method or EE), not MH or PETO',
    );
  return { fit: m.model.fit, labels: m.studies.labels };
}

/**
 * Runs each requested diagnostic that applies (`reason` null) and records the others as skipped, as it does
 * one that finds no finite answer (NO_FINITE_RESULT, NOT_CONVERGED: the reason is its message); when
 * none of those requested applies, throws NOT_APPLICABLE with every reason (there is nothing to report).
 */
class Runner {
  readonly skipped: SkippedDiagnostic[] = [];
  private requested = 0;
  run<T>(wanted: unknown, test: string, reason: NotApplicable, f: () => T): T | null {
    if (!wanted) return null;
    this.requested++;
    if (reason !== null) {
      this.skipped.push({ test, reason });
      return null;
    }
    try {
      return f();
    } catch (e) {
      // one diagnostic without a finite answer (its refit at the top of the double range) does not take the
      // others with it: it is listed with the reason
      if (e instanceof EvsynthError && (e.code === 'NO_FINITE_RESULT' || e.code === 'NOT_CONVERGED')) {
        this.skipped.push({ test, reason: `no result: ${e.message.replace(/^fitRma: /, '')}` });
        return null;
      }
      throw e;
    }
  }
  finish(what: string): void {
    if (this.requested > 0 && this.skipped.length === this.requested)
      throw new EvsynthError(
        'NOT_APPLICABLE',
        `no ${what} applies to this model: ${this.skipped.map((s) => `${s.test} (${s.reason})`).join('; ')}`,
      );
  }
}

export interface SensitivityRequest {
  readonly leaveOneOut?: boolean;
  /** Sort key per study used (input order when absent) for the cumulative analysis. */
  readonly cumulative?: { readonly column: string; readonly key: ArrayLike<number> } | boolean;
  readonly influence?: boolean;
  readonly baujat?: boolean;
  readonly gosh?:
    | { readonly subsets?: number; readonly seed?: number; readonly onProgress?: (done: number, total: number) => void }
    | boolean;
  /** How GOSH is run (default {@link goshInThread}). */
  readonly goshRunner?: GoshRunner;
}

export interface SensitivityResults {
  readonly labels: readonly string[];
  readonly fit: RmaFit;
  readonly leaveOneOut: LeaveOneOut | null;
  readonly cumulative: (Cumulative & { readonly column: string | null }) | null;
  readonly influence: Influence | null;
  readonly baujat: BaujatPoints | null;
  readonly gosh: { readonly result: GoshResult; readonly summary: GoshSummary } | null;
  /** Analyses asked for that do not apply to this model (too few studies, moderators), with the reason. */
  readonly skipped: readonly SkippedDiagnostic[];
}

/**
 * The sensitivity analyses of a meta-analysis or meta-regression: those requested that apply are run,
 * the others are listed in `skipped` with the reason (leave-one-out and cumulative need a model without
 * moderators, as metafor; influence diagnostics and Baujat take moderators). Each is the model refitted on
 * subsets of the studies, with the fit's own method, test and level:
 *
 * ```text
 * leave-one-out   θ̂₍₋ᵢ₎, τ̂²₍₋ᵢ₎, I²₍₋ᵢ₎, Q₍₋ᵢ₎ for i = 1…k                         (metafor leave1out)
 * cumulative      θ̂ of studies 1…j in the order of `key`, j = 1…k                  (metafor cumul)
 * influence       rstudent, DFFITS, Cook's D, COVRATIO, hat, weight, τ̂²₍₋ᵢ₎, QE₍₋ᵢ₎  (metafor influence)
 * Baujat          x = (yᵢ − xᵢᵀb)²/(vᵢ + τ̂²), y = (xᵢᵀb − xᵢᵀb₍₋ᵢ₎)²/(xᵢᵀVar(b₍₋ᵢ₎)xᵢ) (metafor baujat)
 * GOSH            θ̂, τ̂², I², H², Q of every (or a random sample of) non-empty subset (metafor gosh)
 * ```
 *
 * References: Viechtbauer W, Cheung MW-L (2010). Outlier and influence diagnostics for meta-analysis. Res
 * Synth Methods 1(2):112–125. doi:10.1002/jrsm.11; Baujat B, Mahé C, Pignon J-P, Hill C (2002). A graphical
 * method for exploring heterogeneity in meta-analyses. Stat Med 21(18):2641–2652. doi:10.1002/sim.1221; Olkin
 * I, Dahabreh IJ, Trikalinos TA (2012). GOSH. Res Synth Methods 3(3):214–223; Lau J et al. (1992). N Engl J
 * Med 327(4):248–254.
 */
export async function sensitivityAnalyses(m: DiagnosedModel, req: SensitivityRequest): Promise<SensitivityResults> {
  const { fit, labels } = modelOf(m);
  const r = new Runner();
  const cum = req.cumulative;
  const g = req.gosh;
  const goshRun = r.run(g, 'GOSH', goshApplicability(fit), () =>
    (req.goshRunner ?? goshInThread)(
      fit,
      typeof g === 'object'
        ? {
            ...(g.subsets !== undefined ? { subsets: g.subsets } : {}),
            ...(g.seed !== undefined ? { seed: g.seed } : {}),
            ...(g.onProgress ? { onProgress: g.onProgress } : {}),
          }
        : {},
    ),
  );
  const leave = r.run(req.leaveOneOut, 'leave-one-out', leaveOneOutApplicability(fit), () => leaveOneOut(fit));
  const cumul = r.run(cum, 'cumulative', cumulativeApplicability(fit), () => ({
    ...cumulative(fit, typeof cum === 'object' ? cum.key : undefined),
    column: typeof cum === 'object' ? cum.column : null,
  }));
  const infl = r.run(req.influence, 'influence', influenceApplicability(fit), () => influence(fit));
  const bj = r.run(req.baujat, 'Baujat', baujatApplicability(fit), () => baujat(fit));
  r.finish('sensitivity analysis');
  const goshResult = goshRun === null ? null : await goshRun;
  return {
    labels,
    fit,
    leaveOneOut: leave,
    cumulative: cumul,
    influence: infl,
    baujat: bj,
    gosh: goshResult ? { result: goshResult, summary: summarizeGosh(goshResult) } : null,
    skipped: r.skipped,
  };
}

export interface BiasRequest {
  readonly egger?:
    { readonly model?: 'rma' | 'lm'; readonly predictor?: RegtestPredictor; readonly ni?: ArrayLike<number> } | boolean;
  readonly begg?: boolean;
  readonly trimfill?: { readonly estimator?: TrimfillEstimator; readonly side?: 'left' | 'right' } | boolean;
  readonly failsafe?: { readonly type?: FsnType; readonly target?: number; readonly alpha?: number } | boolean;
}

export interface BiasResults {
  readonly fit: RmaFit;
  readonly egger: RegressionTest | null;
  readonly begg: RankCorrelationTest | null;
  readonly trimfill: TrimAndFill | null;
  readonly failsafe: FailSafeN | null;
  /** Tests asked for that do not apply to this model (too few studies, moderators, no spread), with the reason. */
  readonly skipped: readonly SkippedDiagnostic[];
  readonly warnings: readonly string[];
}

/**
 * The publication-bias tests of a meta-analysis or meta-regression: those requested that apply are run
 * (the regression test on a model with moderators is metafor's `regtest` on that model), the others are
 * listed in `skipped` with the reason ("needs k ≥ 3").
 *
 * ```text
 * Egger       yᵢ = β₀ + β₁·sᵢ (+ moderators) + uᵢ + εᵢ, test of β₁ = 0 (predictor sei, vi, ni, 1/ni, …)  (metafor regtest)
 * Begg        Kendall's τ between standardised yᵢ* = (yᵢ − θ̂_FE)/√(vᵢ − 1/Σwⱼ) and vᵢ               (metafor ranktest)
 * trim-fill   k₀ by L0 or R0 (Duval & Tweedie), filled studies mirrored about the trimmed estimate (metafor trimfill)
 * fail-safe N Rosenthal: N = (Σzᵢ/z_α)² − k; Orwin; Rosenberg                                   (metafor fsn)
 * ```
 *
 * References: Egger M, Davey Smith G, Schneider M, Minder C (1997). BMJ 315:629–634; Begg CB, Mazumdar M (1994).
 * Biometrics 50(4):1088–1101; Duval S, Tweedie R (2000). Biometrics 56(2):455–463; Rosenthal R (1979). Psychol
 * Bull 86(3):638–641; Orwin RG (1983). J Educ Stat 8(2):157–159; Rosenberg MS (2005). Evolution 59(2):464–468;
 * Sterne JAC, Egger M (2005), in Publication Bias in Meta-Analysis, ch. 6 (the predictors).
 */
export function publicationBias(m: DiagnosedModel, req: BiasRequest): BiasResults {
  const { fit } = modelOf(m);
  const r = new Runner();
  const e = req.egger,
    t = req.trimfill,
    f = req.failsafe;
  const eOpts = typeof e === 'object' ? e : {};
  const tOpts = typeof t === 'object' ? t : {};
  const fOpts = typeof f === 'object' ? f : {};
  const egger = r.run(e, 'regression test', regressionTestApplicability(fit, eOpts), () => regressionTest(fit, eOpts));
  const begg = r.run(req.begg, 'rank correlation test', rankCorrelationTestApplicability(fit), () =>
    rankCorrelationTest(fit),
  );
  const trimfill = r.run(t, 'trim and fill', trimAndFillApplicability(fit, tOpts), () => trimAndFill(fit, tOpts));
  const failsafe = r.run(
    f,
    'fail-safe N',
    fit.p > 1 ? "defined for effects without moderators, as in metafor's fsn" : failSafeNApplicability(fit.yi, fOpts),
    () => failSafeN(fit.yi, fit.vi, fOpts),
  );
  r.finish('publication-bias test');
  const warnings = [...new Set([...(egger?.warnings ?? []), ...(begg?.warnings ?? [])])];
  return { fit, egger, begg, trimfill, failsafe, skipped: r.skipped, warnings };
}
