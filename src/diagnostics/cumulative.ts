import { EvsynthError } from '../core/errors.ts';
import type { RmaFit } from '../models/rma.ts';
import { assertApplicable, assertRmaFit, type NotApplicable } from './applicability.ts';
import { refitSeries, type RefitSeries } from './refits.ts';

/** Why a cumulative analysis cannot run (null when it can): defined without moderators, as in metafor's cumul. */
export function cumulativeApplicability(fit: RmaFit): NotApplicable {
  return fit.p > 1 ? "defined for models without moderators, as in metafor's cumul" : null;
}

export interface Cumulative extends RefitSeries {
  /** 0-based study indices in cumulative order; row i is the fit of the first i + 1 studies in this order. */
  readonly order: readonly number[];
}

/**
 * Cumulative meta-analysis (metafor `cumul`): studies sorted by `key` (stable for ties; input order
 * when no key), and the model refitted after each added study.
 *
 * Reference: Lau J, Antman EM, Jimenez-Silva J, et al. (1992). Cumulative meta-analysis of therapeutic
 * trials for myocardial infarction. N Engl J Med 327(4):248–254. doi:10.1056/NEJM199207233270406.
 */
export function cumulative(fit: RmaFit, key?: ArrayLike<number>): Cumulative {
  assertRmaFit(fit, 'cumulative');
  assertApplicable(cumulativeApplicability(fit), 'cumulative meta-analysis');
  const k = fit.k;
  if (key !== undefined && key.length !== k)
    throw new EvsynthError('LENGTH_MISMATCH', `cumulative: ${key.length} sort keys for ${k} studies`);
  const order = Array.from({ length: k }, (_, i) => i);
  if (key) order.sort((a, b) => (key[a] as number) - (key[b] as number) || a - b);
  return {
    order,
    ...refitSeries(fit, k, (i) => order.slice(0, i + 1)),
  };
}
