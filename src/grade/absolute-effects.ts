/**
 * Anticipated absolute effects of a Summary of Findings table: the risk with the intervention per 1,000
 * people, from a relative effect and an assumed comparator risk (ACR), and the difference from the comparator.
 *
 *   RR: risk = ACR × RR
 *   OR: risk = ACR × OR / (1 − ACR + ACR × OR)
 *   RD: risk = ACR + RD
 *
 * applied to the estimate and to each CI limit (Cochrane Handbook v6.4 §14.1.5.1 and v5.1 §11.5.5, "Summary of
 * findings" tables; Guyatt GH, et al. GRADE guidelines 12: preparing Summary of Findings tables — binary
 * outcomes. J Clin Epidemiol 2013;66:158–72; GRADE Handbook, Schünemann et al. 2013, §5.2.2). Risks are
 * returned unrounded per 1,000; tables round them to whole numbers.
 */
import { EvsynthError } from '../core/errors.ts';

export type RelativeMeasure = 'RR' | 'OR' | 'RD';

/** The risk with the intervention (a proportion) for an effect on its natural scale and an assumed risk. */
export function riskWithIntervention(measure: RelativeMeasure, effect: number, acr: number): number {
  if (!(acr >= 0 && acr <= 1))
    throw new EvsynthError('INVALID_ARGUMENT', `assumed comparator risk ${acr}: expected a proportion between 0 and 1`);
  if (!Number.isFinite(effect))
    throw new EvsynthError('INVALID_ARGUMENT', `effect ${effect}: expected a finite number`);
  switch (measure) {
    case 'RR':
      if (effect < 0) throw new EvsynthError('INVALID_ARGUMENT', `RR ${effect}: expected a ratio ≥ 0`);
      return acr * effect;
    case 'OR':
      if (effect < 0) throw new EvsynthError('INVALID_ARGUMENT', `OR ${effect}: expected a ratio ≥ 0`);
      return (acr * effect) / (1 - acr + acr * effect);
    case 'RD':
      return acr + effect;
  }
}

export interface AbsoluteEffect {
  /** The assumed comparator risk per 1,000. */
  readonly comparator: number;
  /** Risk with the intervention per 1,000: estimate and CI. */
  readonly intervention: { readonly estimate: number; readonly lower: number; readonly upper: number };
  /** Intervention minus comparator per 1,000 (negative: fewer): estimate and CI. */
  readonly difference: { readonly estimate: number; readonly lower: number; readonly upper: number };
}

/**
 * The absolute effect per 1,000 of a relative effect with its CI (natural scale: a ratio for RR and OR, a
 * difference of proportions for RD) at the assumed comparator risk `acr` (a proportion).
 */
export function absoluteEffect(
  measure: RelativeMeasure,
  estimate: number,
  lower: number,
  upper: number,
  acr: number,
): AbsoluteEffect {
  const r = (x: number) => 1000 * riskWithIntervention(measure, x, acr);
  const c = 1000 * acr;
  const [e, l, u] = [r(estimate), r(lower), r(upper)];
  return {
    comparator: c,
    intervention: { estimate: e, lower: l, upper: u },
    difference: { estimate: e - c, lower: l - c, upper: u - c },
  };
}

/** "34 fewer per 1,000 (from 51 fewer to 0 fewer)"-style wording of a difference per 1,000, rounded. */
export function differenceWords(d: AbsoluteEffect['difference']): string {
  const w = (x: number) => {
    const n = Math.round(x);
    return n === 0 ? '0 fewer' : n < 0 ? `${-n} fewer` : `${n} more`;
  };
  return `${w(d.estimate)} per 1,000 (from ${w(d.lower)} to ${w(d.upper)})`;
}
