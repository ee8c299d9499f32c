import { EvsynthError } from '../core/errors.ts';
import { binary } from './binary.ts';
import { rowCount } from './columns.ts';
import { md, rom, smd, smdh } from './continuous.ts';
import { correlation } from './correlation.ts';
import { generic } from './generic.ts';
import { incidence } from './incidence.ts';
import { proportion } from './proportion.ts';
import type { RowResults } from './result.ts';
import {
  MEASURES,
  SMD_VTYPES,
  ZERO_CELL_RULES,
  type EffectColumns,
  type EffectOptions,
  type EffectSet,
  type EffectSizes,
  type Exclusion,
  type Measure,
} from './types.ts';

/** metafor's escalc defaults. */
export const EFFECT_DEFAULTS = {
  add: 0.5,
  to: 'only0',
  drop00: false,
  vtype: 'LS',
  smd: 'metafor',
  ciLevel: 95,
} as const;

/** Checks that a string is a measure code, or throws UNKNOWN_MEASURE listing them. */
export function parseMeasure(name: string): Measure {
  const m = MEASURES.find((x) => x === name.toUpperCase());
  if (m === undefined)
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
 * Defaults follow metafor 3.8: add = 1/2 to = "only0" (add = 0 for PFT), drop00 = false,
 * vtype = "LS". See each measure's module for its formula and reference.
 */
export function escalc(
  measure: Measure,
  columns: EffectColumns,
  labels: readonly string[],
  options: EffectOptions = {},
): EffectSizes {
  if (!MEASURES.includes(measure)) throw new EvsynthError('UNKNOWN_MEASURE', `unknown measure '${String(measure)}'`);
  const k = rowCount(columns);
  if (labels.length !== k) throw new EvsynthError('LENGTH_MISMATCH', `${labels.length} labels for ${k} rows`);
  const to = options.to ?? EFFECT_DEFAULTS.to;
  const vtype = options.vtype ?? EFFECT_DEFAULTS.vtype;
  if (!ZERO_CELL_RULES.includes(to))
    throw new EvsynthError(
      'UNKNOWN_OPTION_VALUE',
      `to = '${String(to)}'; expected one of ${ZERO_CELL_RULES.join(', ')}`,
    );
  if (!SMD_VTYPES.includes(vtype))
    throw new EvsynthError(
      'UNKNOWN_OPTION_VALUE',
      `vtype = '${String(vtype)}'; expected one of ${SMD_VTYPES.join(', ')}`,
    );
  const add = options.add ?? (measure === 'PFT' ? 0 : EFFECT_DEFAULTS.add);
  if (!(Number.isFinite(add) && add >= 0))
    throw new EvsynthError('INVALID_ARGUMENT', `add = ${add}; expected a number ≥ 0`);
  const drop00 = options.drop00 ?? EFFECT_DEFAULTS.drop00;
  const variant = options.smd ?? EFFECT_DEFAULTS.smd;
  const ciLevel = options.ciLevel ?? EFFECT_DEFAULTS.ciLevel;

  let r: RowResults;
  switch (measure) {
    case 'SMD':
      r = smd(columns, k, vtype, variant);
      break;
    case 'SMDH':
      r = smdh(columns, k);
      break;
    case 'MD':
      r = md(columns, k);
      break;
    case 'ROM':
      r = rom(columns, k);
      break;
    case 'RR':
    case 'OR':
    case 'RD':
    case 'PETO':
      r = binary(measure, columns, k, add, to, drop00);
      break;
    case 'ZCOR':
    case 'COR':
      r = correlation(measure, columns, k);
      break;
    case 'PR':
    case 'PLO':
    case 'PFT':
      r = proportion(measure, columns, k, add, to);
      break;
    case 'IRR':
    case 'IRLN':
      r = incidence(measure, columns, k, add, to);
      break;
    case 'GEN':
      r = generic(columns, k, ciLevel);
      break;
  }
  const excluded: Exclusion[] = [...r.reasons.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([row, reason]) => ({ row, label: labels[row] ?? `row ${row + 1}`, reason }));
  return Object.freeze({
    measure,
    labels: [...labels],
    yi: r.yi,
    vi: r.vi,
    excluded,
    corrected: r.corrected,
    options: { add, to, drop00, vtype, smd: variant, ciLevel },
  });
}

/**
 * The studies a model can use: rows with finite yi and vi > 0, in input order. Rows the
 * measure could not estimate keep their reason; rows with a zero sampling variance (which
 * escalc reports, as metafor does) are excluded here with that reason. Nothing is dropped
 * silently.
 */
export function toEffectSet(es: EffectSizes): EffectSet {
  const rows: number[] = [];
  const excluded: Exclusion[] = [...es.excluded];
  for (let i = 0; i < es.yi.length; i++) {
    const y = es.yi[i] as number,
      v = es.vi[i] as number;
    if (!Number.isFinite(y) || !Number.isFinite(v)) continue;
    if (v > 0) rows.push(i);
    else
      excluded.push({
        row: i,
        label: es.labels[i] ?? `row ${i + 1}`,
        reason: 'sampling variance is 0; the study cannot be weighted',
      });
  }
  excluded.sort((a, b) => a.row - b.row);
  return Object.freeze({
    measure: es.measure,
    labels: rows.map((i) => es.labels[i] as string),
    yi: Float64Array.from(rows, (i) => es.yi[i] as number),
    vi: Float64Array.from(rows, (i) => es.vi[i] as number),
    rows,
    excluded,
  });
}
