/**
 * Stable study keys: how `evsynth update` and `evsynth diff` match the rows of two versions of a dataset.
 *
 * - With a `study_id` column, a row's key is its `study_id`: every cell non-empty and unique in the table.
 * - Without one, the documented fallback: the study label, then the values of the row's distinguishing
 *   columns that the table has (`subgroup`, `arm`, `comparison`, `treatment`, `footnote`, in this order), then
 *   `#n` for the n-th row (n ≥ 2) that is still identical on all of these. So the three rows of
 *   "Skljarevski 2009a" (one per duloxetine dose, told apart by their footnotes) get three keys, and two
 *   rows of one study in two subgroups get two. Rows are never matched by label alone when labels repeat.
 *
 * The fallback depends on the order of identical rows; a dataset that will be updated should carry a
 * `study_id` column.
 */
import { EvsynthError } from '../core/errors.ts';
import { hasColumn, stringColumn, studyLabels, type DataTable } from '../io/csv.ts';

export const STUDY_ID_COLUMN = 'study_id';

/** Columns that tell rows of one study apart in the fallback key, in the order they are used. */
export const DISTINGUISHING_COLUMNS = ['subgroup', 'arm', 'comparison', 'treatment', 'footnote'] as const;

export interface StudyKeys {
  /** One key per data row. */
  readonly keys: readonly string[];
  /** How the keys were made: `study_id`, or the fallback with the columns it used. */
  readonly basis: string;
}

/** The key of every row of `t` (see the module's doc comment). */
export function studyKeys(t: DataTable): StudyKeys {
  if (hasColumn(t, STUDY_ID_COLUMN)) {
    const ids = stringColumn(t, STUDY_ID_COLUMN);
    const seen = new Map<string, number>();
    ids.forEach((id, i) => {
      const line = t.lines[i] as number;
      if (id.trim() === '')
        throw new EvsynthError('INVALID_VALUE', 'empty study_id; expected a unique identifier in every row', {
          file: t.file,
          line,
          column: STUDY_ID_COLUMN,
        });
      const prev = seen.get(id);
      if (prev !== undefined)
        throw new EvsynthError('INVALID_VALUE', `study_id '${id}' is also on line ${prev}; expected unique ids`, {
          file: t.file,
          line,
          column: STUDY_ID_COLUMN,
        });
      seen.set(id, line);
    });
    return { keys: ids, basis: STUDY_ID_COLUMN };
  }
  const labels = studyLabels(t);
  const used = DISTINGUISHING_COLUMNS.filter((c) => hasColumn(t, c));
  const cols = used.map((c) => stringColumn(t, c));
  const count = new Map<string, number>();
  const keys = labels.map((label, i) => {
    const parts = [label, ...cols.map((c, j) => (c[i] !== '' ? `${used[j]}=${c[i]}` : ''))].filter((p) => p !== '');
    const base = parts.join(' | ');
    const n = (count.get(base) ?? 0) + 1;
    count.set(base, n);
    return n === 1 ? base : `${base} #${n}`;
  });
  return {
    keys,
    basis: `label${used.length ? ` + ${used.join(' + ')}` : ''} + occurrence (no ${STUDY_ID_COLUMN} column)`,
  };
}
