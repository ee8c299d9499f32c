/** The inputs of the effect-size computation: option values and input columns (metafor's argument names). */
/** metafor's `to`: which tables get `add` added to their cells. */
export const ZERO_CELL_RULES = ['only0', 'all', 'if0all', 'none'] as const;
export type ZeroCellRule = (typeof ZERO_CELL_RULES)[number];

/**
 * metafor's `vtype`: how a measure's sampling variances are computed. Which values a measure accepts, and
 * its default, are declared in the measure registry (`vtypes`): LS large-sample (every measure's default
 * but PHI's and RPB's, where LS is metafor's default sampling scheme), UB unbiased, LS2 Borenstein's
 * large-sample form, AV with the sample-size weighted average effect, HO assuming homoscedasticity, AVHO
 * with one coefficient of variation across groups and studies, ST stratified and CS cross-sectional sampling.
 */
export const VTYPES = ['LS', 'UB', 'LS2', 'AV', 'HO', 'AVHO', 'ST', 'CS'] as const;
export type Vtype = (typeof VTYPES)[number];

export interface EffectOptions {
  /** Continuity correction added to cells (metafor `add`, default 1/2; 0 for PFT). */
  readonly add?: number;
  /** Which studies receive `add` (metafor `to`, default "only0"). */
  readonly to?: ZeroCellRule;
  /** Treat double-zero 2×2 tables as not estimable (metafor `drop00`, default false). */
  readonly drop00?: boolean;
  /** Sampling-variance type (metafor `vtype`; the measure's default, "LS" for most; see the registry). */
  readonly vtype?: Vtype;
  /** SMD variant: metafor's exact Hedges' g (default) or RevMan 5's approximation. */
  readonly smd?: 'metafor' | 'revman';
  /**
   * Whose effect-size rules: metafor's `escalc` (default) or RevMan 5's (its SMD approximation; ½ added to
   * every cell of a 2×2 table with a zero cell; RR and OR not estimable without events in both groups,
   * OR also with only events in both; RR = 1 when both groups are all events; RD from the raw counts with
   * its variance from the corrected ones, double-zero tables kept; Peto from the raw counts). Under
   * `revman5`, `to` and `drop00` are RevMan's and cannot be set.
   */
  readonly convention?: EffectConvention;
  /** Confidence level (percent) of `ci_lb`/`ci_ub` generic input (default 95). */
  readonly ciLevel?: number;
}

/** Effect-size rules: metafor's escalc, or Review Manager 5's (Deeks & Higgins 2010). */
export const EFFECT_CONVENTIONS = ['metafor', 'revman5'] as const;
export type EffectConvention = (typeof EFFECT_CONVENTIONS)[number];

/** Input columns by metafor's argument names; NaN marks a missing value. */
export type EffectColumns = Readonly<Partial<Record<EffectColumnName, ArrayLike<number>>>>;
export const EFFECT_COLUMNS = [
  'yi',
  'vi',
  'sei',
  'ci_lb',
  'ci_ub',
  'n1i',
  'm1i',
  'sd1i',
  'n2i',
  'm2i',
  'sd2i',
  'ai',
  'bi',
  'ci',
  'di',
  'ri',
  'ni',
  'sdi',
  'r2i',
  'xi',
  'mi',
  'x1i',
  't1i',
  'x2i',
  't2i',
  'ti',
] as const;
export type EffectColumnName = (typeof EFFECT_COLUMNS)[number];
