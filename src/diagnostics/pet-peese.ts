/**
 * PET-PEESE (Stanley & Doucouliagos 2014): a conditional estimate of the effect corrected for
 * small-study effects. PET regresses yᵢ on its standard error, PEESE on its variance (weighted least
 * squares with weights 1/vᵢ, Egger's `lm` model); the intercept is the effect of a study with infinite
 * precision.
 *
 * ```text
 * PET:    yᵢ = β₀ + β₁·√vᵢ + eᵢ      PEESE:  yᵢ = β₀ + β₁·vᵢ + eᵢ      weights 1/vᵢ
 * PET-PEESE = PEESE's β₀ if PET's β₀ differs from 0 (two-sided p < α), else PET's β₀
 * ```
 *
 * Both regressions are metafor's `regtest(..., model = "lm", predictor = "sei" | "vi")` (their
 * intercepts are its limit estimates); metafor has no PET-PEESE function, so the rule itself is this
 * module's, as the paper states it.
 *
 * Reference: Stanley TD, Doucouliagos H (2014). Meta-regression approximations to reduce publication
 * selection bias. Res Synth Methods 5(1):60–78. doi:10.1002/jrsm.1095.
 */
import { EvsynthError } from '../core/errors.ts';
import type { Coefficient, RmaFit } from '../models/rma.ts';
import { regressionTest, type RegressionTest } from './egger.ts';

export interface PetPeese {
  readonly pet: RegressionTest;
  readonly peese: RegressionTest;
  /** Which intercept the rule selected. */
  readonly selected: 'PET' | 'PEESE';
  readonly estimate: Coefficient;
  readonly alpha: number;
}

/** PET-PEESE for an intercept-only fit (its yi and vi are used; the fit's own model is not). */
export function petPeese(fit: RmaFit, options: { alpha?: number } = {}): PetPeese {
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new EvsynthError('INVALID_ARGUMENT', `petPeese: alpha = ${alpha}`);
  if (fit.k < 3)
    throw new EvsynthError('INVALID_ARGUMENT', `petPeese: ${fit.k} studies; a regression on the SE needs at least 3`);
  const pet = regressionTest(fit, { model: 'lm', predictor: 'sei' });
  const peese = regressionTest(fit, { model: 'lm', predictor: 'vi' });
  const selected = pet.limit.pValue < alpha ? 'PEESE' : 'PET';
  return { pet, peese, selected, estimate: selected === 'PEESE' ? peese.limit : pet.limit, alpha };
}
