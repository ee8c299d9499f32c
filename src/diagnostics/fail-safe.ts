import { EvsynthError } from '../core/errors.ts';
import { assertEffects, assertOptions } from '../core/validate.ts';
import { pnorm, pnormTwoSided, qnorm } from '../distributions/index.ts';
import { assertApplicable, type NotApplicable } from './applicability.ts';

export const FSN_TYPES = ['Rosenthal', 'Orwin', 'Rosenberg'] as const;
export type FsnType = (typeof FSN_TYPES)[number];

export interface FailSafeN {
  readonly type: FsnType;
  /** Number of unpublished null studies that would bring the result to the target. */
  readonly fsn: number;
  readonly alpha: number;
  /** p-value of the combined test (Rosenthal: one-sided Stouffer; Rosenberg: two-sided common effect). */
  readonly pValue: number | null;
  /** Mean effect (Orwin: unweighted; Rosenberg: weighted common effect). */
  readonly meanEffect: number | null;
  readonly target: number | null;
}

/** Why a fail-safe N cannot be computed (null when it can): Orwin's default target is half a mean effect of 0. */
export function failSafeNApplicability(
  yi: ArrayLike<number>,
  options: { type?: FsnType; target?: number } = {},
): NotApplicable {
  if (options.type !== 'Orwin' || options.target !== undefined) return null;
  let s = 0;
  for (let i = 0; i < yi.length; i++) s += yi[i] as number;
  return s === 0 ? 'the mean effect is 0, so the default target (half of it) is 0; give a target' : null;
}

/**
 * Fail-safe N (metafor `fsn`):
 *
 * ```text
 * Rosenthal: Z = Σzᵢ/√k, zᵢ = yᵢ/√vᵢ;   N = max(0, ⌈(Σzᵢ)²/z²_α − k⌉), z_α one-sided (α = .05 → 1.645)
 * Orwin:     ȳ = Σyᵢ/k;                  N = ⌈k(ȳ − target)/target⌉, target = ȳ/2 unless given
 * Rosenberg: θ̂ = Σwᵢyᵢ/Σwᵢ, wᵢ = 1/vᵢ; N = max(0, ⌈k·((Σwᵢyᵢ)²/z²_{α/2} − Σwᵢ)/Σwᵢ⌉) (null studies of average weight)
 * ```
 *
 * References: Rosenthal R (1979). Psychol Bull 86(3):638–641; Orwin RG (1983). J Educ Stat 8(2):157–159;
 * Rosenberg MS (2005). Evolution 59(2):464–468. doi:10.1111/j.0014-3820.2005.tb01004.x. Cross-check: `fsn()`.
 */
export function failSafeN(
  yi: ArrayLike<number>,
  vi: ArrayLike<number>,
  options: { type?: FsnType; alpha?: number; target?: number } = {},
): FailSafeN {
  assertOptions(options, 'failSafeN');
  const type = options.type ?? 'Rosenthal';
  if (!FSN_TYPES.includes(type))
    throw new EvsynthError('UNKNOWN_OPTION_VALUE', `type '${String(type)}'; expected one of ${FSN_TYPES.join(', ')}`);
  const alpha = options.alpha ?? 0.05;
  assertEffects(yi, vi, 'failSafeN');
  if (!(typeof alpha === 'number' && alpha > 0 && alpha < 1))
    throw new EvsynthError('INVALID_ARGUMENT', `failSafeN: alpha = ${alpha}; expected a probability between 0 and 1`);
  if (options.target !== undefined && !(Number.isFinite(options.target) && options.target !== 0))
    throw new EvsynthError('INVALID_ARGUMENT', `failSafeN: target = ${options.target}; expected a non-zero number`);
  assertApplicable(failSafeNApplicability(yi, options), 'fail-safe N');
  const k = yi.length;
  let sz = 0,
    sy = 0,
    sw = 0,
    swy = 0;
  for (let i = 0; i < k; i++) {
    const y = yi[i] as number,
      v = vi[i] as number;
    sz += y / Math.sqrt(v);
    sy += y;
    sw += 1 / v;
    swy += y / v;
  }
  if (type === 'Rosenthal') {
    const z = qnorm(1 - alpha);
    return {
      type,
      fsn: Math.max(0, Math.ceil((sz * sz) / (z * z) - k)),
      alpha,
      pValue: pnorm(-Math.abs(sz) / Math.sqrt(k)),
      meanEffect: null,
      target: null,
    };
  }
  if (type === 'Orwin') {
    const mean = sy / k;
    const target = options.target ?? mean / 2;
    return {
      type,
      fsn: Math.max(0, Math.ceil((k * (mean - target)) / target)),
      alpha,
      pValue: null,
      meanEffect: mean,
      target: options.target ?? null,
    };
  }
  const theta = swy / sw;
  const z = qnorm(1 - alpha / 2);
  const n = (k * ((swy * swy) / (z * z) - sw)) / sw;
  return {
    type,
    fsn: Math.max(0, Math.ceil(n)),
    alpha,
    pValue: pnormTwoSided(theta * Math.sqrt(sw)),
    meanEffect: theta,
    target: null,
  };
}
