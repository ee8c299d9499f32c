/**
 * Adding rows to a dataset (`evsynth update`): new rows are matched to the existing ones by study key
 * (evidence/study-id.ts); a row whose key exists replaces that row (a correction), any other row is
 * appended. The merged table is written back as CSV with RFC 4180 quoting.
 */
import { EvsynthError } from '../core/errors.ts';
import { tableFromRows, type DataTable } from '../io/csv.ts';
import { studyKeys, STUDY_ID_COLUMN } from './study-id.ts';

export interface MergedRows {
  readonly table: DataTable;
  /** Keys of the rows appended and of the rows replaced. */
  readonly added: readonly string[];
  readonly replaced: readonly string[];
}

/**
 * Merges `add` into `base`. Every column of `add` must be a column of `base` (a column `base` lacks is an
 * error naming it); columns `add` lacks are left empty in its rows. When `base` has a `study_id` column,
 * `add` must have one too. Two new rows with the same key are an error.
 */
export function mergeRows(base: DataTable, add: DataTable, file = base.file): MergedRows {
  for (const col of add.header)
    if (!base.header.includes(col))
      throw new EvsynthError(
        'INVALID_VALUE',
        `column '${col}' is not a column of ${base.file}; expected some of ${base.header.join(', ')}`,
        { file: add.file, column: col },
      );
  if (base.header.includes(STUDY_ID_COLUMN) && !add.header.includes(STUDY_ID_COLUMN))
    throw new EvsynthError(
      'MISSING_COLUMN',
      `${base.file} matches rows by ${STUDY_ID_COLUMN}; the new rows need a ${STUDY_ID_COLUMN} column too`,
      { file: add.file, column: STUDY_ID_COLUMN },
    );
  const baseKeys = studyKeys(base).keys;
  const addKeys = studyKeys(add).keys;
  const seen = new Map<string, number>();
  addKeys.forEach((k, i) => {
    const prev = seen.get(k);
    if (prev !== undefined)
      throw new EvsynthError(
        'INVALID_VALUE',
        `two new rows have the study key '${k}' (lines ${prev} and ${add.lines[i]})`,
        {
          file: add.file,
          line: add.lines[i] as number,
        },
      );
    seen.set(k, add.lines[i] as number);
  });
  const rows = base.rows.map((r) => [...r]);
  const position = new Map(baseKeys.map((k, i) => [k, i]));
  const added: string[] = [],
    replaced: string[] = [];
  add.rows.forEach((r, i) => {
    const row = base.header.map((h) => {
      const j = add.header.indexOf(h);
      return j < 0 ? '' : (r[j] ?? '');
    });
    const key = addKeys[i] as string;
    const at = position.get(key);
    if (at !== undefined) {
      rows[at] = row;
      replaced.push(key);
    } else {
      rows.push(row);
      added.push(key);
    }
  });
  return {
    table: tableFromRows(file, base.header, rows),
    added,
    replaced,
  };
}

/** A cell as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break. */
