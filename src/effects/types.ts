import type { Measure, ResolvedEffectOptions } from './registry.ts';

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
  readonly options: ResolvedEffectOptions;
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
