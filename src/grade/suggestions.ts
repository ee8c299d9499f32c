/**
 * Suggested GRADE ratings that a panel can accept or override, each with the rule that produced it. The
 * rules are this project's reading of the GRADE guidance, stated in full so that a panel can see why:
 *
 * - Inconsistency (Guyatt GH, et al. GRADE guidelines 7: inconsistency. J Clin Epidemiol 2011;64:1294–302;
 *   Cochrane Handbook v6.4 §10.10.2, §14.2.2): serious when I² ≥ 50% and the 95% prediction interval
 *   includes the null or a threshold of important effect; very serious when I² ≥ 75% and the prediction
 *   interval reaches beyond both thresholds (important benefit and important harm); otherwise not serious.
 * - Imprecision (Guyatt GH, et al. GRADE guidelines 6: imprecision. J Clin Epidemiol 2011;64:1283–93): very
 *   serious when the 95% CI includes both an appreciable benefit and an appreciable harm; serious when it
 *   includes the null or one such threshold, or when the total number of participants is below the optimal
 *   information size; otherwise not serious. The thresholds are the MID the panel gives, else, for ratio
 *   measures, GRADE's rough guide RR 0.75 and 1.25.
 * - Publication bias (Cochrane Handbook §13.3.5.4; Egger M, et al. BMJ 1997;315:629–34): with at least 10
 *   studies, serious ("suspected") when Egger's regression test has P < 0.10, else not serious ("undetected");
 *   with fewer, no suggestion (the test has too little power).
 * - Risk of bias (GRADE guidelines 4, Guyatt et al. J Clin Epidemiol 2011;64:407–15: rate down when most of the
 *   information comes from studies at high risk): with RoB columns, very serious when more than half of the
 *   analysis weight comes from studies at high overall risk (RoB 2 high; ROBINS-I serious or critical),
 *   serious when less than half comes from studies at low risk, otherwise not serious.
 * - Indirectness: never suggested (a judgement about the question, not the data).
 */
import type { DomainRating, GradeDomain } from './certainty.ts';

export interface Suggestion {
  readonly domain: GradeDomain;
  /** null: no suggestion (the data cannot inform this domain). */
  readonly rating: Exclude<DomainRating, 'not assessed'> | null;
  /** The rule, in words. */
  readonly rule: string;
  /** The numbers the rule was applied to. */
  readonly basis: string;
}

/** Thresholds of important effect on the analysis scale [lower, upper], lower < 0 < upper. */
export type Thresholds = readonly [number, number];

const fmt = (x: number) => x.toFixed(2);

/** Inconsistency from I² and the prediction interval (analysis scale). */
export function suggestInconsistency(
  s: { readonly k: number; readonly I2: number; readonly piLower: number | null; readonly piUpper: number | null },
  thresholds: Thresholds | null,
  show: (x: number) => string = fmt,
): Suggestion {
  const rule =
    'serious when I² ≥ 50% and the 95% prediction interval includes the null or a threshold of important effect; very serious when I² ≥ 75% and the prediction interval reaches beyond both thresholds; else not serious (GRADE 7; Cochrane Handbook §10.10.2)';
  if (s.k < 2)
    return {
      domain: 'inconsistency',
      rating: null,
      rule,
      basis: 'a single study: inconsistency cannot be judged from the data',
    };
  const hasPi = s.piLower !== null && s.piUpper !== null;
  const lo = s.piLower ?? Number.NaN,
    hi = s.piUpper ?? Number.NaN;
  const piText = hasPi
    ? `prediction interval ${show(lo)} to ${show(hi)}`
    : 'no prediction interval (common-effect model)';
  const basis = `I² = ${s.I2.toFixed(0)}%, ${piText}${thresholds ? `, thresholds ${show(thresholds[0])} and ${show(thresholds[1])}` : ''}`;
  const includesNull = hasPi && lo < 0 && hi > 0;
  const crossesThreshold = hasPi && thresholds !== null && thresholds.some((t) => lo < t && hi > t);
  const beyondBoth = hasPi && thresholds !== null && lo < thresholds[0] && hi > thresholds[1];
  let rating: Suggestion['rating'] = 'not serious';
  if (s.I2 >= 75 && beyondBoth) rating = 'very serious';
  else if (s.I2 >= 50 && (includesNull || crossesThreshold || !hasPi)) rating = 'serious';
  return { domain: 'inconsistency', rating, rule, basis };
}

/** Imprecision from the CI (analysis scale), the thresholds and the optimal information size. */
export function suggestImprecision(
  s: { readonly ciLower: number; readonly ciUpper: number; readonly participants: number | null },
  thresholds: Thresholds | null,
  ois: number | null,
  show: (x: number) => string = fmt,
): Suggestion {
  const rule =
    'very serious when the 95% CI includes both an appreciable benefit and an appreciable harm; serious when it includes the null or one threshold of important effect, or when the participants are fewer than the optimal information size; else not serious (GRADE 6)';
  const { ciLower: lo, ciUpper: hi } = s;
  const parts = [`95% CI ${show(lo)} to ${show(hi)}`];
  if (thresholds) parts.push(`thresholds ${show(thresholds[0])} and ${show(thresholds[1])}`);
  if (ois !== null) parts.push(`${s.participants ?? 'unknown'} participants vs an optimal information size of ${ois}`);
  const both = thresholds !== null && lo < thresholds[0] && hi > thresholds[1];
  const includesNull = lo < 0 && hi > 0;
  const crossesOne = thresholds !== null && thresholds.some((t) => lo < t && hi > t);
  const belowOis = ois !== null && (s.participants === null || s.participants < ois);
  const rating: Suggestion['rating'] = both
    ? 'very serious'
    : includesNull || crossesOne || belowOis
      ? 'serious'
      : 'not serious';
  return { domain: 'imprecision', rating, rule, basis: parts.join(', ') };
}

/** Publication bias from Egger's test (k ≥ 10). */
export function suggestPublicationBias(k: number, eggerP: number | null): Suggestion {
  const rule =
    "with ≥ 10 studies: serious (suspected) when Egger's regression test has P < 0.10, else not serious (undetected); with fewer studies no suggestion (Cochrane Handbook §13.3.5.4)";
  if (k < 10 || eggerP === null)
    return {
      domain: 'publicationBias',
      rating: null,
      rule,
      basis: `${k} studies: too few for a test of funnel-plot asymmetry`,
    };
  return {
    domain: 'publicationBias',
    rating: eggerP < 0.1 ? 'serious' : 'not serious',
    rule,
    basis: `${k} studies, Egger's test P = ${eggerP < 0.001 ? eggerP.toExponential(1) : eggerP.toFixed(3)}`,
  };
}

/** Risk of bias from the shares of the analysis weight at low and at high overall risk (percent). */
export function suggestRiskOfBias(shares: { readonly low: number; readonly high: number } | null): Suggestion {
  const rule =
    'with risk-of-bias columns: very serious when more than half of the analysis weight comes from studies at high overall risk; serious when less than half comes from studies at low risk; else not serious (GRADE 4)';
  if (shares === null)
    return { domain: 'riskOfBias', rating: null, rule, basis: 'no risk-of-bias judgements in the data' };
  const rating: Suggestion['rating'] = shares.high > 50 ? 'very serious' : shares.low < 50 ? 'serious' : 'not serious';
  return {
    domain: 'riskOfBias',
    rating,
    rule,
    basis: `${shares.low.toFixed(0)}% of the weight from studies at low and ${shares.high.toFixed(0)}% from studies at high overall risk of bias`,
  };
}
