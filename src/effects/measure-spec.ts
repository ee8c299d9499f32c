/** The shape of a measure registry entry (`effects/registry.ts` assembles them; `effects/measures/` declares them). */
import type { EffectColumnName, EffectColumns, EffectConvention, Vtype, ZeroCellRule } from './options.ts';
import type { RowResults } from './result.ts';

/** The options a measure's compute function receives, every default resolved. */
export interface ResolvedEffectOptions {
  readonly add: number;
  readonly to: ZeroCellRule;
  readonly drop00: boolean;
  readonly vtype: Vtype;
  readonly smd: 'metafor' | 'revman';
  readonly ciLevel: number;
  readonly convention: EffectConvention;
}

/**
 * Kinds of input data. The forest plot shows per-arm columns for `two-group-means` and `two-by-two`; the
 * others are: `paired-means` (m1i, sd1i, m2i, sd2i, ni, ri of one group measured twice), `paired-two-by-two`
 * (the 2×2 table of matched pairs' outcomes), `genotypes` (counts ai, bi, ci of AA, Aa, aa), `single-mean`
 * (mi, sdi, ni), `regression` (a t statistic ti of a regression coefficient with ni, mi predictors, r2i) and
 * `reliability` (Cronbach's alpha ai of mi items in ni people).
 */
export type MeasureFamily =
  | 'two-group-means'
  | 'two-by-two'
  | 'paired-two-by-two'
  | 'genotypes'
  | 'person-time'
  | 'correlation'
  | 'regression'
  | 'single-proportion'
  | 'single-rate'
  | 'single-mean'
  | 'paired-means'
  | 'reliability'
  | 'generic';

/** A back-transformation from the analysis scale to the scale a reader knows (tanh for Fisher's z). */
export interface BackTransform {
  /** What the back-transformed value is ("correlation", "proportion"). */
  readonly label: string;
  readonly f: (y: number) => number;
}

/** One sampling-variance type (metafor `vtype`) of a measure, with what it means there. */
export interface VtypeSpec {
  readonly vtype: Vtype;
  readonly description: string;
}

export interface MeasureSpec {
  /** Axis and column label ("Risk ratio"). */
  readonly label: string;
  /** One line for help text and docs. */
  readonly description: string;
  readonly family: MeasureFamily;
  /** `log`: analysed on the log scale and shown exponentiated; `identity`: shown as analysed. */
  readonly scale: 'log' | 'identity';
  /** For `identity`-scale measures that are a transformation of a familiar quantity: how to get it back. */
  readonly backTransform?: BackTransform;
  /** Alternative sets of input columns; any one set suffices. */
  readonly inputs: readonly (readonly EffectColumnName[])[];
  /** Accepted `vtype` values, the first the default; without it, only "LS". */
  readonly vtypes?: readonly VtypeSpec[];
  /** Defaults that differ from metafor's general ones (e.g. add = 0 for PFT). */
  readonly defaults?: { readonly add?: number };
  /** Whether Mantel–Haenszel pooling applies (metafor `rma.mh` measures). */
  readonly mantelHaenszel?: boolean;
  /** The measure suggested first for its family's data (the explorer's first guess). */
  readonly familyDefault?: boolean;
  /** The primary reference (paper) of the measure; its module's doc comment gives the formula. */
  readonly reference: string;
  /** Computes yi and vi for k rows (invalid values throw; unusable rows are excluded with a reason). */
  readonly compute: (cols: EffectColumns, k: number, o: ResolvedEffectOptions) => RowResults;
}
