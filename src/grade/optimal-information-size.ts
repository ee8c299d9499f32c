/**
 * The optimal information size (OIS): the total number of participants a single adequately powered trial
 * would need (two equal arms, two-sided α, power 1 − β). GRADE rates down for imprecision when the total
 * number of participants of a body of evidence is below it (Guyatt GH, et al. GRADE guidelines 6. Rating the
 * quality of evidence — imprecision. J Clin Epidemiol 2011;64:1283–93; GRADE Handbook, Schünemann et al.
 * 2013, §5.2.2.2).
 *
 * Binary outcome, comparator risk p₁ and relative risk reduction RRR (p₂ = p₁(1 − RRR)):
 *   n per arm = (z₁₋α/₂ + z₁₋β)² [p₁(1 − p₁) + p₂(1 − p₂)] / (p₁ − p₂)²
 * Continuous outcome, difference Δ and SD σ:
 *   n per arm = 2 (z₁₋α/₂ + z₁₋β)² σ² / Δ²
 * Each arm is rounded up to a whole participant; the OIS is twice that.
 */
import { EvsynthError } from '../core/errors.ts';
import { qnorm } from '../distributions/index.ts';

function zSum(alpha: number, power: number): number {
  if (!(alpha > 0 && alpha < 1))
    throw new EvsynthError('INVALID_ARGUMENT', `alpha ${alpha}: expected a level between 0 and 1`);
  if (!(power > 0 && power < 1))
    throw new EvsynthError('INVALID_ARGUMENT', `power ${power}: expected a level between 0 and 1`);
  return qnorm(1 - alpha / 2) + qnorm(power);
}

/** OIS (total participants) for a binary outcome. */
export function optimalInformationSizeBinary(controlRisk: number, rrr: number, alpha = 0.05, power = 0.8): number {
  if (!(controlRisk > 0 && controlRisk < 1))
    throw new EvsynthError('INVALID_ARGUMENT', `comparator risk ${controlRisk}: expected a proportion between 0 and 1`);
  if (!(rrr > 0 && rrr < 1))
    throw new EvsynthError('INVALID_ARGUMENT', `RRR ${rrr}: expected a proportion between 0 and 1`);
  const p1 = controlRisk,
    p2 = controlRisk * (1 - rrr);
  const perArm = (zSum(alpha, power) ** 2 * (p1 * (1 - p1) + p2 * (1 - p2))) / (p1 - p2) ** 2;
  return 2 * Math.ceil(perArm - 1e-9);
}

/** OIS (total participants) for a continuous outcome: difference `delta` in units whose SD is `sd` (1 for an SMD). */
export function optimalInformationSizeContinuous(delta: number, sd = 1, alpha = 0.05, power = 0.8): number {
  if (!(Number.isFinite(delta) && delta !== 0))
    throw new EvsynthError('INVALID_ARGUMENT', `difference ${delta}: expected a non-zero number`);
  if (!(Number.isFinite(sd) && sd > 0))
    throw new EvsynthError('INVALID_ARGUMENT', `SD ${sd}: expected a positive number`);
  const perArm = (2 * zSum(alpha, power) ** 2 * sd ** 2) / delta ** 2;
  return 2 * Math.ceil(perArm - 1e-9);
}
