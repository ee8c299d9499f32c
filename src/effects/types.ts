/** Effect-size measures, with metafor's codes. `GEN` is generic input (yi with vi, sei or a CI). */
export const MEASURES = [
  'SMD',
  'SMDH',
  'MD',
  'ROM',
  'RR',
  'OR',
  'RD',
  'PETO',
  'ZCOR',
  'COR',
  'PR',
  'PLO',
  'PFT',
  'IRR',
  'IRLN',
  'GEN',
] as const;
export type Measure = (typeof MEASURES)[number];

/** Measures analysed on the log scale (results are exponentiated for display). */
export const RATIO_MEASURES: ReadonlySet<Measure> = new Set<Measure>(['ROM', 'RR', 'OR', 'PETO', 'IRR']);

/** metafor's `to`: which tables get `add` added to their cells. */
export const ZERO_CELL_RULES = ['only0', 'all', 'if0all', 'none'] as const;
export type ZeroCellRule = (typeof ZERO_CELL_RULES)[number];

/** metafor's `vtype` for SMD: large-sample (LS, default) or unbiased (UB). */
export const SMD_VTYPES = ['LS', 'UB'] as const;
export type SmdVtype = (typeof SMD_VTYPES)[number];

export interface EffectOptions {
  /** Continuity correction added to cells (metafor `add`, default 1/2; 0 for PFT). */
  readonly add?: number;
  /** Which studies receive `add` (metafor `to`, default "only0"). */
  readonly to?: ZeroCellRule;
  /** Treat double-zero 2×2 tables as not estimable (metafor `drop00`, default false). */
  readonly drop00?: boolean;
  /** SMD variance type (metafor `vtype`, default "LS"). */
  readonly vtype?: SmdVtype;
  /** SMD variant: metafor's exact Hedges' g (default) or RevMan 5's approximation. */
  readonly smd?: 'metafor' | 'revman';
  /** Confidence level (percent) of `ci_lb`/`ci_ub` generic input (default 95). */
  readonly ciLevel?: number;
}

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
  'xi',
  'mi',
  'x1i',
  't1i',
  'x2i',
  't2i',
  'ti',
] as const;
export type EffectColumnName = (typeof EFFECT_COLUMNS)[number];

/** A study that a measure cannot use, and why. */
export interface Exclusion {
  /** 0-based input row. */
  readonly row: number;
  readonly label: string;
  readonly reason: string;
}

/**
 * Per-study effect sizes for all input rows (metafor's `escalc` result). Rows that the
 * measure cannot use have NaN in `yi` and `vi` and are listed in `excluded`.
 */
export interface EffectSizes {
  readonly measure: Measure;
  readonly labels: readonly string[];
  readonly yi: Float64Array;
  readonly vi: Float64Array;
  readonly excluded: readonly Exclusion[];
  /** Rows that received the continuity correction. */
  readonly corrected: readonly number[];
  readonly options: Readonly<Required<Omit<EffectOptions, 'ciLevel'>>> & { readonly ciLevel: number };
}

/** The studies that enter a model: finite yi and vi > 0, with their input rows. */
export interface EffectSet {
  readonly measure: Measure;
  readonly labels: readonly string[];
  readonly yi: Float64Array;
  readonly vi: Float64Array;
  /** 0-based input row of each study. */
  readonly rows: readonly number[];
  readonly excluded: readonly Exclusion[];
}
