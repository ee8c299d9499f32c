/**
 * The GRADE certainty of a body of evidence for one outcome (GRADE Handbook, Schünemann et al. 2013, §5;
 * Guyatt GH, et al. GRADE guidelines 3: rating the quality of evidence. J Clin Epidemiol 2011;64:401–6;
 * Cochrane Handbook v6.4 §14.2): evidence from randomised trials starts high, from non-randomised studies low
 * (high when their risk of bias was judged with ROBINS-I: Schünemann HJ, et al. J Clin Epidemiol
 * 2019;111:105–14); each domain judged 'serious' rates it down one level, 'very serious' two; upgrades
 * (large effect, dose–response, opposing plausible confounding) rate it up; the result lies between very low
 * and high.
 */
import { EvsynthError } from '../core/errors.ts';

export const CERTAINTY_LEVELS = ['very low', 'low', 'moderate', 'high'] as const;
export type CertaintyLevel = (typeof CERTAINTY_LEVELS)[number];

export const GRADE_DOMAINS = ['riskOfBias', 'inconsistency', 'indirectness', 'imprecision', 'publicationBias'] as const;
export type GradeDomain = (typeof GRADE_DOMAINS)[number];
export const DOMAIN_NAMES: Readonly<Record<GradeDomain, string>> = {
  riskOfBias: 'risk of bias',
  inconsistency: 'inconsistency',
  indirectness: 'indirectness',
  imprecision: 'imprecision',
  publicationBias: 'publication bias',
};

/** A domain's rating; 'not assessed' where no judgement is available (the certainty is then not rated). */
export const DOMAIN_RATINGS = ['not serious', 'serious', 'very serious', 'not assessed'] as const;
export type DomainRating = (typeof DOMAIN_RATINGS)[number];

export const STUDY_DESIGNS = ['randomised', 'non-randomised', 'non-randomised (ROBINS-I)'] as const;
export type StudyDesign = (typeof STUDY_DESIGNS)[number];

/** ⊕⊕⊕⊕ High … ⊕◯◯◯ Very low. */
export function certaintySymbols(level: CertaintyLevel): string {
  const n = CERTAINTY_LEVELS.indexOf(level) + 1;
  return '⊕'.repeat(n) + '◯'.repeat(4 - n);
}

export interface CertaintyRating {
  /** null when a domain was not assessed (the certainty cannot be rated from the domains). */
  readonly level: CertaintyLevel | null;
  readonly start: CertaintyLevel;
  readonly downgrades: number;
  readonly upgrades: number;
  readonly notAssessed: readonly GradeDomain[];
}

/** Rates the certainty from the design, the five domains' ratings and the number of levels upgraded. */
export function rateCertainty(
  design: StudyDesign,
  ratings: Readonly<Record<GradeDomain, DomainRating>>,
  upgrades = 0,
): CertaintyRating {
  if (!(Number.isInteger(upgrades) && upgrades >= 0 && upgrades <= 2))
    throw new EvsynthError('INVALID_ARGUMENT', `upgrades ${upgrades}: expected 0, 1 or 2 levels`);
  const start: CertaintyLevel = design === 'non-randomised' ? 'low' : 'high';
  const notAssessed = GRADE_DOMAINS.filter((d) => ratings[d] === 'not assessed');
  const downgrades = GRADE_DOMAINS.reduce(
    (s, d) => s + (ratings[d] === 'serious' ? 1 : ratings[d] === 'very serious' ? 2 : 0),
    0,
  );
  const index = Math.min(3, Math.max(0, CERTAINTY_LEVELS.indexOf(start) - downgrades + upgrades));
  return {
    level: notAssessed.length > 0 ? null : (CERTAINTY_LEVELS[index] as CertaintyLevel),
    start,
    downgrades,
    upgrades,
    notAssessed,
  };
}
