/**
 * The sensitivity and publication-bias analyses of one meta-analysis, as the CLI and reports use them.
 */
import { EvsynthError } from '../core/errors.ts';
import { baujat, type BaujatPoints } from '../diagnostics/baujat.ts';
import { cumulative, type Cumulative } from '../diagnostics/cumulative.ts';
import { regressionTest, type RegressionTest, type RegtestPredictor } from '../diagnostics/egger.ts';
import { failSafeN, type FailSafeN, type FsnType } from '../diagnostics/fail-safe.ts';
import { goshParallel } from '../diagnostics/gosh-parallel.ts';
import { summarizeGosh, type GoshResult, type GoshSummary } from '../diagnostics/gosh.ts';
import { influence, type Influence } from '../diagnostics/influence.ts';
import { leaveOneOut, type LeaveOneOut } from '../diagnostics/leave-one-out.ts';
import { rankCorrelationTest, type RankCorrelationTest } from '../diagnostics/rank-correlation.ts';
import { trimAndFill, type TrimAndFill, type TrimfillEstimator } from '../diagnostics/trim-and-fill.ts';
import type { RmaFit } from '../models/rma.ts';
import type { MetaAnalysis } from './meta-analysis.ts';

function requireRmaFit(a: MetaAnalysis): RmaFit {
  if (a.model.kind !== 'rma')
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      'this analysis needs an inverse-variance model (a tau^2 method or EE), not MH or PETO',
    );
  return a.model.fit;
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
}

export interface SensitivityResults {
  readonly labels: readonly string[];
  readonly fit: RmaFit;
  readonly leaveOneOut: LeaveOneOut | null;
  readonly cumulative: (Cumulative & { readonly column: string | null }) | null;
  readonly influence: Influence | null;
  readonly baujat: BaujatPoints | null;
  readonly gosh: { readonly result: GoshResult; readonly summary: GoshSummary } | null;
}

export async function sensitivityAnalyses(a: MetaAnalysis, req: SensitivityRequest): Promise<SensitivityResults> {
  const fit = requireRmaFit(a);
  const cum = req.cumulative;
  const g = req.gosh;
  const goshResult = g
    ? await goshParallel(
        fit,
        typeof g === 'object'
          ? {
              ...(g.subsets !== undefined ? { subsets: g.subsets } : {}),
              ...(g.seed !== undefined ? { seed: g.seed } : {}),
              ...(g.onProgress ? { onProgress: g.onProgress } : {}),
            }
          : {},
      )
    : null;
  return {
    labels: a.studies.labels,
    fit,
    leaveOneOut: req.leaveOneOut ? leaveOneOut(fit) : null,
    cumulative: cum
      ? {
          ...cumulative(fit, typeof cum === 'object' ? cum.key : undefined),
          column: typeof cum === 'object' ? cum.column : null,
        }
      : null,
    influence: req.influence ? influence(fit) : null,
    baujat: req.baujat ? baujat(fit) : null,
    gosh: goshResult ? { result: goshResult, summary: summarizeGosh(goshResult) } : null,
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
  readonly warnings: readonly string[];
}

export function publicationBias(a: MetaAnalysis, req: BiasRequest): BiasResults {
  const fit = requireRmaFit(a);
  const e = req.egger,
    t = req.trimfill,
    f = req.failsafe;
  const egger = e ? regressionTest(fit, typeof e === 'object' ? e : {}) : null;
  const begg = req.begg ? rankCorrelationTest(fit) : null;
  const warnings = [...new Set([...(egger?.warnings ?? []), ...(begg?.warnings ?? [])])];
  return {
    fit,
    egger,
    begg,
    trimfill: t ? trimAndFill(fit, typeof t === 'object' ? t : {}) : null,
    failsafe: f ? failSafeN(fit.yi, fit.vi, typeof f === 'object' ? f : {}) : null,
    warnings,
  };
}
