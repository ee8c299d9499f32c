import { EvsynthError } from '../core/errors.ts';
import { parseMeasure } from '../effects/escalc.ts';
import type { Measure } from '../effects/types.ts';
import { hasColumn, studyLabels, type DataTable } from '../io/csv.ts';

/** The measure: as given, or GEN when the table has a `yi` column; otherwise an error. */
export function resolveMeasure(t: DataTable, given: string | undefined): Measure {
  if (given !== undefined) return parseMeasure(given);
  if (hasColumn(t, 'yi')) return 'GEN';
  throw new EvsynthError(
    'INVALID_ARGUMENT',
    `no --measure given and no 'yi' column; give --measure (e.g. SMD for n1i, m1i, sd1i, n2i, m2i, sd2i; OR for ai, bi, ci, di)`,
    { file: t.file },
  );
}

export { studyLabels };

/** Runs `f`, re-placing row-located errors at their file line. */
export function inTable<T>(t: DataTable, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof EvsynthError && e.location?.file === undefined)
      throw e.inFile(t.file, (row) => t.lines[row] ?? row + 2);
    throw e;
  }
}
