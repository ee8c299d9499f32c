import { hasColumn, numericColumn, type DataTable } from '../io/csv.ts';
import { EFFECT_COLUMNS, type EffectColumns } from './options.ts';

/**
 * The effect-size input columns present in a table (metafor's argument names), as numbers with NaN
 * for missing cells; `rows` selects and orders data rows. A non-numeric cell throws with its file,
 * line and column.
 */
export function effectColumnsFromTable(t: DataTable, rows?: readonly number[]): EffectColumns {
  const cols: Partial<Record<(typeof EFFECT_COLUMNS)[number], Float64Array>> = {};
  for (const name of EFFECT_COLUMNS) {
    if (!hasColumn(t, name)) continue;
    const all = numericColumn(t, name);
    cols[name] = rows ? Float64Array.from(rows, (i) => all[i] as number) : all;
  }
  return cols;
}
