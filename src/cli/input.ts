import { existsSync } from 'node:fs';
import { EvsynthError } from '../core/errors.ts';
import { parseMeasure } from '../effects/escalc.ts';
import { EFFECT_COLUMNS, type EffectColumns, type Measure } from '../effects/types.ts';
import { hasColumn, numericColumn, studyLabels, type DataTable } from '../io/csv.ts';
import { readCsv } from '../io/csv-file.ts';

/** The effect-size input columns present in a table, as numbers (missing = NaN). */
export function effectColumns(t: DataTable): EffectColumns {
  const cols: Partial<Record<(typeof EFFECT_COLUMNS)[number], Float64Array>> = {};
  for (const name of EFFECT_COLUMNS) if (hasColumn(t, name)) cols[name] = numericColumn(t, name);
  return cols;
}

/** The measure: as given, or GEN when the table has a `yi` column; otherwise an error. */
export function resolveMeasure(t: DataTable, given: string | undefined): Measure {
  if (given !== undefined) return parseMeasure(given);
  if (hasColumn(t, 'yi')) return 'GEN';
  throw new EvsynthError('INVALID_ARGUMENT', `no --measure given and no 'yi' column; give --measure (e.g. SMD for n1i, m1i, sd1i, n2i, m2i, sd2i; OR for ai, bi, ci, di)`, { file: t.file });
}

/** Reads a CSV file (datasets are resolved by the caller before this). */
export function readInput(pathOrName: string): DataTable {
  if (!existsSync(pathOrName)) throw new EvsynthError('FILE_NOT_FOUND', `no file '${pathOrName}'`);
  return readCsv(pathOrName);
}

export { studyLabels };

/** Runs `f`, re-placing row-located errors at their file line. */
export function inTable<T>(t: DataTable, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof EvsynthError && e.location?.file === undefined) throw e.inFile(t.file, (row) => t.lines[row] ?? row + 2);
    throw e;
  }
}
