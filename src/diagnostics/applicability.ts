/**
 * When a diagnostic applies. Each test declares, next to its implementation, why it cannot run on a
 * given model (a short reason such as "needs k ≥ 3"), or null when it can. The test itself throws
 * NOT_APPLICABLE with that reason when called anyway; the analyses that run several tests
 * (analysis/diagnostics.ts) run those that apply and report the others as "not applicable (reason)".
 */
import { EvsynthError } from '../core/errors.ts';

/** Why a test cannot run (null: it can). */
export type NotApplicable = string | null;

/** "needs k ≥ n" when there are fewer than n studies. */
export function needsStudies(k: number, n: number): NotApplicable {
  return k < n ? `needs k ≥ ${n}; the model has k = ${k}` : null;
}

/** The first reason of several (null when all apply). */
export function firstReason(...reasons: NotApplicable[]): NotApplicable {
  return reasons.find((r) => r !== null) ?? null;
}

/** Throws NOT_APPLICABLE for a test that cannot run. */
export function assertApplicable(reason: NotApplicable, test: string): void {
  if (reason !== null) throw new EvsynthError('NOT_APPLICABLE', `${test}: not applicable (${reason})`);
}

/** Checks that a diagnostic was given a fitted inverse-variance model. */
export function assertRmaFit(fit: unknown, where: string): void {
  if (fit === null || typeof fit !== 'object' || (fit as { kind?: unknown }).kind !== 'rma')
    throw new EvsynthError('INVALID_ARGUMENT', `${where}: expected a model fitted by fitRma`);
}
