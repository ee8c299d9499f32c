import { isSanitized, sanitizeText } from '../core/text.ts';
import { EvsynthError } from '../core/errors.ts';
import { rowCount } from './columns.ts';
import { EFFECT_CONVENTIONS, ZERO_CELL_RULES, type EffectColumns, type EffectOptions } from './options.ts';
import {
  MEASURES,
  isMeasure,
  measureSpec,
  measureVtypes,
  type Measure,
  type ResolvedEffectOptions,
} from './registry.ts';
import type { EffectSet, EffectSizes, Exclusion } from './types.ts';

/** metafor's escalc defaults. */
export const EFFECT_DEFAULTS = {
  add: 0.5,
  to: 'only0',
  drop00: false,
  smd: 'metafor',
  ciLevel: 95,
  convention: 'metafor',
} as const;

/** Checks that a string is a measure code, or throws UNKNOWN_MEASURE listing them. */
export function parseMeasure(name: string): Measure {
  const m = name.toUpperCase();
  if (!isMeasure(m))
    throw new EvsynthError('UNKNOWN_MEASURE', `unknown measure '${name}'; expected one of ${MEASURES.join(', ')}`);
  return m;
}

/**
 * Computes per-study effect sizes yi and sampling variances vi (metafor `escalc`).
 *
 * `columns` holds the input by metafor's argument names (NaN = missing); `labels` the
 * study labels. Every input row appears in the result: rows that the measure cannot use
 * (missing values, double-zero tables under `drop00`, infinite values) have NaN and are
 * listed in `excluded` with the reason. Invalid values (negative counts or SDs, events
 * above the group size, n too small for the measure) throw {@link EvsynthError} naming
 * the row and column.
 *
 * Defaults follow metafor 3.8: add = 1/2 to = "only0" (add = 0 for AS, PHI, RTET, IRSD, PAS, PFT, IRS
 * and IRFT), drop00 = false, vtype = the measure's first in the registry ("LS"); a `vtype` the measure does
 * not have is an error. See each measure's module for its formula and reference.
 */
export function escalc(
  measure: Measure,
  columns: EffectColumns,
  labels: readonly string[],
  options: EffectOptions = {},
): EffectSizes {
  if (!isMeasure(measure)) throw new EvsynthError('UNKNOWN_MEASURE', `unknown measure '${String(measure)}'`);
  const k = rowCount(columns);
  if (!Array.isArray(labels)) throw new EvsynthError('INVALID_ARGUMENT', 'escalc: labels must be an array of strings');
  if (labels.length !== k) throw new EvsynthError('LENGTH_MISMATCH', `${labels.length} labels for ${k} rows`);
  // where labels enter from the library: bidirectional controls removed (as the CSV reader does); the
  // caller's array is kept when no label changes (no copy of 10⁶ labels)
  let clean: string[] | undefined;
  for (let i = 0; i < k && !isSanitized(labels); i++) {
    const l: unknown = labels[i];
    if (typeof l !== 'string') throw new EvsynthError('INVALID_ARGUMENT', 'escalc: labels must be an array of strings');
    const c = sanitizeText(l);
    if (c !== l) (clean ??= labels.slice())[i] = c;
  }
  const spec = measureSpec(measure);
  const o = resolveEffectOptions(options, measure, spec.defaults?.add);
  const r = spec.compute(columns, k, o);
  const excluded: Exclusion[] = [...r.reasons.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([row, reason]) => ({ row, label: labels[row] ?? `row ${row + 1}`, reason }));
  return Object.freeze({
    measure,
    labels: clean ?? labels,
    yi: r.yi,
    vi: r.vi,
    excluded,
    corrected: r.corrected,
    options: o,
  });
}

/** Every effect option with its default filled in and its value checked (`add` default per measure). */
function resolveEffectOptions(
  options: EffectOptions,
  measure: Measure,
  measureAdd: number | undefined,
): ResolvedEffectOptions {
  const convention = options.convention ?? EFFECT_DEFAULTS.convention;
  if (!EFFECT_CONVENTIONS.includes(convention))
    throw new EvsynthError(
      'UNKNOWN_OPTION_VALUE',
      `convention = '${String(convention)}'; expected one of ${EFFECT_CONVENTIONS.join(', ')}`,
    );
  if (convention === 'revman5' && (options.to !== undefined || options.drop00 !== undefined))
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      "RevMan 5's conventions fix the zero-cell rules: 'to' and 'drop00' cannot be combined with them",
    );
  const to = options.to ?? EFFECT_DEFAULTS.to;
  const vtypes = measureVtypes(measure);
  const vtype = options.vtype ?? (vtypes[0] as (typeof vtypes)[number]);
  if (!ZERO_CELL_RULES.includes(to))
    throw new EvsynthError(
      'UNKNOWN_OPTION_VALUE',
      `to = '${String(to)}'; expected one of ${ZERO_CELL_RULES.join(', ')}`,
    );
  if (!vtypes.includes(vtype))
    throw new EvsynthError(
      'UNKNOWN_OPTION_VALUE',
      `vtype = '${String(vtype)}' does not apply to ${measure}; expected ${vtypes.length > 1 ? 'one of ' : ''}${vtypes.join(', ')}`,
    );
  const add = options.add ?? measureAdd ?? EFFECT_DEFAULTS.add;
  if (!(Number.isFinite(add) && add >= 0))
    throw new EvsynthError('INVALID_ARGUMENT', `add = ${add}; expected a number ≥ 0`);
  return {
    add,
    to,
    drop00: options.drop00 ?? EFFECT_DEFAULTS.drop00,
    vtype,
    smd: options.smd ?? (convention === 'revman5' ? 'revman' : EFFECT_DEFAULTS.smd),
    ciLevel: options.ciLevel ?? EFFECT_DEFAULTS.ciLevel,
    convention,
  };
}

/**
 * The studies a model can use: rows with finite yi and vi > 0, in input order. Rows the
 * measure could not estimate keep their reason; rows with a zero sampling variance (which
 * escalc reports, as metafor does) are excluded here with that reason. Nothing is dropped
 * silently.
 */
export function toEffectSet(es: EffectSizes): EffectSet {
  const k = es.yi.length;
  const excluded: Exclusion[] = [...es.excluded];
  let n = 0;
  for (let i = 0; i < k; i++) {
    const y = es.yi[i] as number,
      v = es.vi[i] as number;
    if (!Number.isFinite(y) || !Number.isFinite(v)) continue;
    if (v > 0) n++;
    else
      excluded.push({
        row: i,
        label: es.labels[i] ?? `row ${i + 1}`,
        reason: 'sampling variance is 0; the study cannot be weighted',
      });
  }
  excluded.sort((a, b) => a.row - b.row);
  // Every row used: the set shares the labels and the (never written) arrays of `es` instead of copying them
  // (a fresh copy of 10⁶ values costs tens of ms of page faults on some systems).
  const all = n === k;
  const rows = new Array<number>(n);
  if (all) {
    for (let i = 0; i < k; i++) rows[i] = i;
    return Object.freeze({ measure: es.measure, labels: es.labels, yi: es.yi, vi: es.vi, rows, excluded });
  }
  const labels = new Array<string>(n);
  const yi = new Float64Array(n),
    vi = new Float64Array(n);
  for (let i = 0, j = 0; i < k; i++) {
    const y = es.yi[i] as number,
      v = es.vi[i] as number;
    if (!(Number.isFinite(y) && Number.isFinite(v) && v > 0)) continue;
    rows[j] = i;
    labels[j] = es.labels[i] as string;
    yi[j] = y;
    vi[j] = v;
    j++;
  }
  return Object.freeze({ measure: es.measure, labels, yi, vi, rows, excluded });
}
