/**
 * The measure registry: every effect-size measure evsynth computes, declared once. Its code (metafor's),
 * label, scale, family, the input columns it reads, its option defaults and the function that computes
 * it. `escalc`, dataset validation, the forest plot's data columns and labels, the CLI's help and
 * choices and the web explorer's measure guess all read this record; adding a measure means adding its
 * family function and one entry here.
 */
import { binary } from './binary.ts';
import { md, rom, smd, smdh } from './continuous.ts';
import { correlation } from './correlation.ts';
import { generic } from './generic.ts';
import { incidence } from './incidence.ts';
import type { EffectColumnName, EffectColumns, EffectConvention, SmdVtype, ZeroCellRule } from './options.ts';
import { proportion } from './proportion.ts';
import type { RowResults } from './result.ts';

/** The options a measure's compute function receives, every default resolved. */
export interface ResolvedEffectOptions {
  readonly add: number;
  readonly to: ZeroCellRule;
  readonly drop00: boolean;
  readonly vtype: SmdVtype;
  readonly smd: 'metafor' | 'revman';
  readonly ciLevel: number;
  readonly convention: EffectConvention;
}

/** Kinds of input data; the forest plot shows per-arm columns for `two-group-means` and `two-by-two`. */
export type MeasureFamily =
  'two-group-means' | 'two-by-two' | 'person-time' | 'correlation' | 'single-proportion' | 'single-rate' | 'generic';

export interface MeasureSpec {
  /** Axis and column label ("Risk ratio"). */
  readonly label: string;
  /** One line for help text and docs. */
  readonly description: string;
  readonly family: MeasureFamily;
  /** `log`: analysed on the log scale and shown exponentiated; `identity`: shown as analysed. */
  readonly scale: 'log' | 'identity';
  /** Alternative sets of input columns; any one set suffices. */
  readonly inputs: readonly (readonly EffectColumnName[])[];
  /** Defaults that differ from metafor's general ones (e.g. add = 0 for PFT). */
  readonly defaults?: { readonly add?: number };
  /** Whether Mantel–Haenszel pooling applies (metafor `rma.mh` measures). */
  readonly mantelHaenszel?: boolean;
  /** The measure suggested first for its family's data (the explorer's first guess). */
  readonly familyDefault?: boolean;
  /** Computes yi and vi for k rows (invalid values throw; unusable rows are excluded with a reason). */
  readonly compute: (cols: EffectColumns, k: number, o: ResolvedEffectOptions) => RowResults;
}

const MEANS: readonly EffectColumnName[] = ['n1i', 'm1i', 'sd1i', 'n2i', 'm2i', 'sd2i'];
const TABLES: readonly (readonly EffectColumnName[])[] = [
  ['ai', 'bi', 'ci', 'di'],
  ['ai', 'n1i', 'ci', 'n2i'],
];

/** Every measure, by metafor's code. `GEN` is generic input (yi with vi, sei or a CI). */
export const MEASURE_REGISTRY = {
  SMD: {
    familyDefault: true,
    label: 'Std. mean difference',
    description: "standardized mean difference, Hedges' g (exact correction; RevMan 5's with --smd revman)",
    family: 'two-group-means',
    scale: 'identity',
    inputs: [MEANS],
    compute: (c, k, o) => smd(c, k, o.vtype, o.smd),
  },
  SMDH: {
    label: 'Std. mean difference',
    description: 'standardized mean difference with heteroscedastic variances (Bonett 2009)',
    family: 'two-group-means',
    scale: 'identity',
    inputs: [MEANS],
    compute: (c, k) => smdh(c, k),
  },
  MD: {
    label: 'Mean difference',
    description: 'raw mean difference',
    family: 'two-group-means',
    scale: 'identity',
    inputs: [MEANS],
    compute: (c, k) => md(c, k),
  },
  ROM: {
    label: 'Ratio of means',
    description: 'log ratio of means (response ratio)',
    family: 'two-group-means',
    scale: 'log',
    inputs: [MEANS],
    compute: (c, k) => rom(c, k),
  },
  RR: {
    label: 'Risk ratio',
    description: 'log risk ratio',
    family: 'two-by-two',
    scale: 'log',
    inputs: TABLES,
    mantelHaenszel: true,
    compute: (c, k, o) => binary('RR', c, k, o),
  },
  OR: {
    familyDefault: true,
    label: 'Odds ratio',
    description: 'log odds ratio',
    family: 'two-by-two',
    scale: 'log',
    inputs: TABLES,
    mantelHaenszel: true,
    compute: (c, k, o) => binary('OR', c, k, o),
  },
  RD: {
    label: 'Risk difference',
    description: 'risk difference',
    family: 'two-by-two',
    scale: 'identity',
    inputs: TABLES,
    mantelHaenszel: true,
    compute: (c, k, o) => binary('RD', c, k, o),
  },
  PETO: {
    label: 'Peto odds ratio',
    description: "log odds ratio by Peto's method",
    family: 'two-by-two',
    scale: 'log',
    inputs: TABLES,
    compute: (c, k, o) => binary('PETO', c, k, o),
  },
  ZCOR: {
    familyDefault: true,
    label: 'Fisher z',
    description: "Fisher's r-to-z transformed correlation",
    family: 'correlation',
    scale: 'identity',
    inputs: [['ri', 'ni']],
    compute: (c, k) => correlation('ZCOR', c, k),
  },
  COR: {
    label: 'Correlation',
    description: 'raw correlation coefficient',
    family: 'correlation',
    scale: 'identity',
    inputs: [['ri', 'ni']],
    compute: (c, k) => correlation('COR', c, k),
  },
  PR: {
    label: 'Proportion',
    description: 'raw proportion',
    family: 'single-proportion',
    scale: 'identity',
    inputs: [
      ['xi', 'ni'],
      ['xi', 'mi'],
    ],
    compute: (c, k, o) => proportion('PR', c, k, o.add, o.to),
  },
  PLO: {
    familyDefault: true,
    label: 'Log odds',
    description: 'logit-transformed proportion',
    family: 'single-proportion',
    scale: 'identity',
    inputs: [
      ['xi', 'ni'],
      ['xi', 'mi'],
    ],
    compute: (c, k, o) => proportion('PLO', c, k, o.add, o.to),
  },
  PFT: {
    label: 'Freeman-Tukey',
    description: 'Freeman–Tukey double-arcsine transformed proportion',
    family: 'single-proportion',
    scale: 'identity',
    inputs: [
      ['xi', 'ni'],
      ['xi', 'mi'],
    ],
    defaults: { add: 0 },
    compute: (c, k, o) => proportion('PFT', c, k, o.add, o.to),
  },
  IRR: {
    familyDefault: true,
    label: 'Rate ratio',
    description: 'log incidence rate ratio',
    family: 'person-time',
    scale: 'log',
    inputs: [['x1i', 't1i', 'x2i', 't2i']],
    mantelHaenszel: true,
    compute: (c, k, o) => incidence('IRR', c, k, o.add, o.to),
  },
  IRLN: {
    familyDefault: true,
    label: 'Log rate',
    description: 'log incidence rate',
    family: 'single-rate',
    scale: 'identity',
    inputs: [['xi', 'ti']],
    compute: (c, k, o) => incidence('IRLN', c, k, o.add, o.to),
  },
  GEN: {
    familyDefault: true,
    label: 'Effect',
    description: 'generic input: yi with vi, sei, or a CI (ci_lb, ci_ub)',
    family: 'generic',
    scale: 'identity',
    inputs: [
      ['yi', 'vi'],
      ['yi', 'sei'],
      ['yi', 'ci_lb', 'ci_ub'],
    ],
    compute: (c, k, o) => generic(c, k, o.ciLevel),
  },
} as const satisfies Record<string, MeasureSpec>;

/** A measure code (metafor's). */
export type Measure = keyof typeof MEASURE_REGISTRY;

/** Every measure code, in the registry's order. */
export const MEASURES = Object.keys(MEASURE_REGISTRY) as readonly Measure[];

/** The registry entry of a measure. */
export function measureSpec(m: Measure): MeasureSpec {
  return MEASURE_REGISTRY[m];
}

/** Measures analysed on the log scale (results are exponentiated for display). */
export const RATIO_MEASURES: ReadonlySet<Measure> = new Set(MEASURES.filter((m) => measureSpec(m).scale === 'log'));

/** Measures that Mantel–Haenszel pooling supports (metafor `rma.mh`). */
export type MhMeasure = {
  [M in Measure]: (typeof MEASURE_REGISTRY)[M] extends { readonly mantelHaenszel: true } ? M : never;
}[Measure];
export const MH_MEASURES = MEASURES.filter((m): m is MhMeasure => measureSpec(m).mantelHaenszel === true);

/** A measure's axis and column label. */
export function measureLabel(m: Measure): string {
  return measureSpec(m).label;
}

/** True when `name` is a measure code (exact, upper case). */
export function isMeasure(name: string): name is Measure {
  return Object.hasOwn(MEASURE_REGISTRY, name);
}

/** The first input-column set of `m` that `has` finds complete, or undefined. */
export function inputColumnsFound(
  m: Measure,
  has: (column: string) => boolean,
): readonly EffectColumnName[] | undefined {
  return measureSpec(m).inputs.find((set) => set.every(has));
}

/**
 * Measures whose inputs a table has (for suggestions and the explorer's first guess): generic input (a `yi`
 * column) first, then each family's default measure, then the others, each in registry order.
 */
export function measuresForColumns(has: (column: string) => boolean): Measure[] {
  const fits = MEASURES.filter((m) => inputColumnsFound(m, has) !== undefined);
  const first = (m: Measure) => (m === 'GEN' ? 0 : measureSpec(m).familyDefault === true ? 1 : 2);
  return fits.sort((a, b) => first(a) - first(b));
}
