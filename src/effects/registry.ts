/**
 * The measure registry: every effect-size measure evsynth computes, declared once. Its code (metafor's),
 * label, scale, family, the input columns it reads, its sampling-variance types, option defaults, reference
 * and the function that computes it. `escalc`, dataset validation, the forest plot's data columns and
 * labels, the CLI's help and choices, docs/cli.md's input table and the web explorer's measure guess all
 * read this record; adding a measure means adding its family function and one entry in one of the
 * registry-*.ts files (by the data it reads).
 */
import type { MeasureSpec } from './measure-spec.ts';
import type { EffectColumnName, Vtype } from './options.ts';
import { MEANS_MEASURES } from './registry-means.ts';
import { SINGLE_MEASURES } from './registry-single.ts';
import { TABLE_MEASURES } from './registry-tables.ts';

export type { BackTransform, MeasureFamily, MeasureSpec, ResolvedEffectOptions, VtypeSpec } from './measure-spec.ts';

/** Every measure, by metafor's code. `GEN` is generic input (yi with vi, sei or a CI). */
export const MEASURE_REGISTRY = {
  ...MEANS_MEASURES,
  ...TABLE_MEASURES,
  ...SINGLE_MEASURES,
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
 * column) first, then each family's default measure, then the others, each in registry order; measures that
 * fit only through an alternative input set (SMD from `n1i, n2i, di`) come after those whose main set fits.
 */
export function measuresForColumns(has: (column: string) => boolean): Measure[] {
  const fits = MEASURES.filter((m) => inputColumnsFound(m, has) !== undefined);
  const main = (m: Measure) => measureSpec(m).inputs[0]?.every(has) === true;
  const first = (m: Measure) => (m === 'GEN' ? 0 : !main(m) ? 3 : measureSpec(m).familyDefault === true ? 1 : 2);
  return fits.sort((a, b) => first(a) - first(b));
}

/** The `vtype` values a measure accepts, its default first ("LS" only when the registry lists none). */
export function measureVtypes(m: Measure): readonly Vtype[] {
  return measureSpec(m).vtypes?.map((v) => v.vtype) ?? ['LS'];
}

/** One line per measure with more than one `vtype` ("SMD: LS|UB|LS2|AV"), for help text. */
export function describeVtypes(): string {
  return MEASURES.filter((m) => measureVtypes(m).length > 1)
    .map((m) => `${m} ${measureVtypes(m).join('|')}`)
    .join('; ');
}

/** The columns a measure reads, as alternative sets ("ai, bi, ci, di or ai, n1i, ci, n2i"). */
export function describeInputs(m: Measure): string {
  return measureSpec(m)
    .inputs.map((set: readonly EffectColumnName[]) => set.join(', '))
    .join(' or ');
}
