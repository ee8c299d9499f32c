/**
 * Presenting a standardised mean difference (SMD) in a Summary of Findings table:
 *
 * - re-expressed in the units of a familiar instrument: MD ≈ SMD × SD, with SD a representative standard
 *   deviation of that instrument in the comparator group (Cochrane Handbook v6.4 §15.5.3.2; Schünemann HJ, et
 *   al. GRADE guidelines 13: preparing Summary of Findings tables and evidence profiles — continuous outcomes.
 *   J Clin Epidemiol 2013;66:173–83);
 * - otherwise with Cohen's rule of thumb, as the Handbook gives it (§15.5.3.1): 0.2 a small, 0.5 a moderate,
 *   0.8 a large effect.
 */
import { EvsynthError } from '../core/errors.ts';

/** The SMD and its CI in the units of a scale whose SD is `sd`. */
export function reexpressSmd(
  smd: number,
  lower: number,
  upper: number,
  sd: number,
): { readonly estimate: number; readonly lower: number; readonly upper: number } {
  if (!(Number.isFinite(sd) && sd > 0))
    throw new EvsynthError('INVALID_ARGUMENT', `SD ${sd}: expected a positive number`);
  return { estimate: smd * sd, lower: lower * sd, upper: upper * sd };
}

/** Cohen's conventional size of |SMD|: below 0.2 'smaller than small', then small, moderate, large. */
export function smdMagnitude(smd: number): 'smaller than small' | 'small' | 'moderate' | 'large' {
  const a = Math.abs(smd);
  return a < 0.2 ? 'smaller than small' : a < 0.5 ? 'small' : a < 0.8 ? 'moderate' : 'large';
}
