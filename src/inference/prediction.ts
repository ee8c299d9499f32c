import { EvsynthError } from '../core/errors.ts';
import { critical } from '../distributions/index.ts';
import { quadraticForm } from '../core/numeric/linalg.ts';
import { isCommonEffect, type RmaFit } from '../models/rma.ts';

/** Prediction-interval form: metafor's default (same critical value as the CI) or Riley/Higgins t(k − p − 1). */
export const PI_TYPES = ['default', 'riley'] as const;
export type PiType = (typeof PI_TYPES)[number];

export interface Prediction {
  readonly pred: number;
  readonly se: number;
  readonly ciLower: number;
  readonly ciUpper: number;
  /** null for common-effect models. */
  readonly piLower: number | null;
  readonly piUpper: number | null;
}

/**
 * Predicted mean effect at moderator values x₀ (the intercept only by default), with its
 * confidence interval and the prediction interval for the true effect in a new study
 * (metafor `predict.rma`):
 *
 * ```text
 * ŷ = x₀ᵀb,  se = √(x₀ᵀ Var(b) x₀)
 * CI = ŷ ± crit·se,          crit = z_{1−α/2}, or t_{k−p} under knha/adhoc
 * PI = ŷ ± crit′·√(se² + τ²), crit′ = crit (default) or t_{k−p−1} ("riley")
 * ```
 *
 * References: Higgins JPT, Thompson SG, Spiegelhalter DJ (2009). A re-evaluation of
 * random-effects meta-analysis. J R Stat Soc A 172(1):137–159. doi:10.1111/j.1467-985X.2008.00552.x;
 * Riley RD, Higgins JPT, Deeks JJ (2011). BMJ 342:d549. Cross-check: `predict(res, pi.type=)`.
 */
export function predict(fit: RmaFit, x0?: readonly number[], piType: PiType = 'default'): Prediction {
  const p = fit.p;
  const x = x0 ?? (p === 1 ? [1] : undefined);
  if (x === undefined || x.length !== p) {
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `predict: expected ${p} moderator values (${fit.design.names.join(', ')}), got ${x?.length ?? 0}`,
    );
  }
  if (!PI_TYPES.includes(piType))
    throw new EvsynthError('UNKNOWN_OPTION_VALUE', `pi type '${String(piType)}'; expected default or riley`);
  x.forEach((xr, r) => {
    if (!(typeof xr === 'number' && Number.isFinite(xr)))
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `predict: the value of ${fit.design.names[r] ?? `moderator ${r + 1}`} is ${String(xr)}; expected a finite number`,
      );
  });
  let pred = 0;
  for (let r = 0; r < p; r++) pred += (x[r] as number) * (fit.coefficients[r]?.estimate as number);
  const v = quadraticForm(x, fit.vb, x);
  // where x₀ᵀVar(b)x₀ over- or underflows (x₀ = 1e160), the same form on x₀/m, m = max |x₀ᵣ|: se = m·√(…)
  let se = Math.sqrt(v);
  if (!(Number.isFinite(v) && (v > 0 || x.every((xr) => xr === 0)))) {
    const m = Math.max(...x.map(Math.abs));
    const xm = x.map((xr) => xr / m);
    se = m * Math.sqrt(quadraticForm(xm, fit.vb, xm));
  }
  const crit = fit.ddf === null ? critical(fit.level) : critical(fit.level, fit.ddf);
  const ciLower = pred - crit * se,
    ciUpper = pred + crit * se;
  if (isCommonEffect(fit.method)) return finite({ pred, se, ciLower, ciUpper, piLower: null, piUpper: null });
  // (the Riley interval needs k − p − 1 ≥ 1: with k − p = 1 it is undefined by design, NaN, and the caller says so)
  if (piType === 'riley' && fit.k - p - 1 < 1)
    return {
      ...finite({ pred, se, ciLower, ciUpper, piLower: null, piUpper: null }),
      piLower: Number.NaN,
      piUpper: Number.NaN,
    };
  const critPi = piType === 'riley' ? critical(fit.level, fit.k - p - 1) : crit;
  // (√(se² + τ²) without squaring where the squares overflow: τ² near 1.8e308)
  const s2 = se * se + fit.tau2;
  const sePi = Number.isFinite(s2) ? Math.sqrt(s2) : Math.hypot(se, Math.sqrt(fit.tau2));
  return finite({ pred, se, ciLower, ciUpper, piLower: pred - critPi * sePi, piUpper: pred + critPi * sePi });
}

/** A prediction whose numbers are all finite, or NO_FINITE_RESULT (never NaN or ∞ in a result). */
function finite(p: Prediction): Prediction {
  for (const [name, value] of Object.entries(p))
    if (value !== null && !Number.isFinite(value))
      throw new EvsynthError(
        'NO_FINITE_RESULT',
        `predict: the ${name} is ${String(value)}: the moderator values and the model's coefficients give no finite prediction in double precision`,
      );
  return p;
}
