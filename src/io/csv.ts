import { parse } from 'csv-parse/browser/esm/sync';
import { EvsynthError } from '../core/errors.ts';

/** A CSV file as read: header, raw cell strings and the file line of each data row. */
export interface DataTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** 1-based file line of each data row (the header is line 1 unless preceded by blank lines). */
  readonly lines: readonly number[];
}

/** Cell values read as missing (R's NA). */
const MISSING_TOKENS: ReadonlySet<string> = new Set(['', 'NA', 'na', 'N/A', 'NaN', '.']);

/** True for a cell that holds a missing value (empty, NA, N/A, NaN or '.'), the one rule for every column. */
export function isMissingCell(s: string): boolean {
  return MISSING_TOKENS.has(s.trim());
}
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** True for a cell written as a plain decimal number (as R reads one; no thousands separators, no decimal comma). */
export function isNumberCell(s: string): boolean {
  return NUMBER.test(s);
}

/**
 * Parses CSV text (RFC 4180: quoted fields, CRLF or LF). The first non-empty line is the
 * header. Errors (syntax, ragged rows, empty or duplicate column names, no data rows)
 * name the file and line.
 */
export function parseCsv(text: string, file = '<input>'): DataTable {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      info: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
    }) as unknown as typeof records;
  } catch (e) {
    const err = e as { message?: string; lines?: number };
    throw new EvsynthError('CSV_SYNTAX', `not valid CSV: ${err.message ?? String(e)}`, {
      file,
      ...(err.lines !== undefined ? { line: err.lines } : {}),
    });
  }
  const first = records[0];
  if (first === undefined)
    throw new EvsynthError('EMPTY_FILE', 'the file is empty; expected a header line and at least one study row', {
      file,
    });
  const header = first.record;
  const seen = new Map<string, number>();
  header.forEach((name, j) => {
    if (name === '')
      throw new EvsynthError('INVALID_VALUE', `column ${j + 1} of the header has no name`, {
        file,
        line: first.info.lines,
      });
    const prev = seen.get(name);
    if (prev !== undefined)
      throw new EvsynthError(
        'DUPLICATE_COLUMN',
        `column name '${name}' appears twice (columns ${prev + 1} and ${j + 1})`,
        { file, line: first.info.lines, column: name },
      );
    seen.set(name, j);
  });
  const data = records.slice(1);
  if (data.length === 0) throw new EvsynthError('EMPTY_FILE', 'the file has a header but no study rows', { file });
  for (const r of data) {
    if (r.record.length !== header.length) {
      throw new EvsynthError(
        'CSV_SYNTAX',
        `the row has ${r.record.length} fields but the header has ${header.length}`,
        { file, line: r.info.lines },
      );
    }
  }
  return { file, header, rows: data.map((r) => r.record), lines: data.map((r) => r.info.lines) };
}

export function hasColumn(t: DataTable, name: string): boolean {
  return t.header.includes(name);
}

/** A column's raw strings, or throws MISSING_COLUMN. */
export function stringColumn(t: DataTable, name: string): string[] {
  const j = t.header.indexOf(name);
  if (j < 0)
    throw new EvsynthError('MISSING_COLUMN', `no column '${name}' (columns: ${t.header.join(', ')})`, {
      file: t.file,
      column: name,
    });
  return t.rows.map((r) => r[j] as string);
}

/**
 * A numeric column, with missing cells (empty, NA) as NaN. A cell that is neither a number
 * nor missing throws NOT_A_NUMBER naming file, line and column: nothing is coerced.
 */
export function numericColumn(t: DataTable, name: string): Float64Array {
  const cells = stringColumn(t, name);
  return Float64Array.from(cells, (s, i) => {
    if (isMissingCell(s)) return Number.NaN;
    if (!isNumberCell(s)) {
      const hint = /^[+-]?\d+,\d+$/.test(s) ? ' (use a point as the decimal separator)' : '';
      throw new EvsynthError(
        'NOT_A_NUMBER',
        `'${s}' is not a number; expected a number or an empty cell/NA for a missing value${hint}`,
        { file: t.file, line: t.lines[i] as number, column: name },
      );
    }
    return Number(s);
  });
}

/** Study labels: the `study` column (or `slab`, `author`), else "Study 1", "Study 2", … */
export function studyLabels(t: DataTable): string[] {
  for (const name of ['study', 'slab', 'author', 'label']) {
    if (hasColumn(t, name)) return stringColumn(t, name).map((s, i) => (s === '' ? `Study ${i + 1}` : s));
  }
  return t.rows.map((_, i) => `Study ${i + 1}`);
}

/** Runs `f`, re-placing errors located at a 0-based data row at their file line in `t`. */
export function inTable<T>(t: DataTable, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof EvsynthError && e.location?.file === undefined)
      throw e.inFile(t.file, (row) => t.lines[row] ?? row + 2);
    throw e;
  }
}

/** One CSV cell (RFC 4180): quoted when it holds a comma, quote, line break or surrounding blanks; numbers in full precision, NaN and null as NA. */
function csvCell(x: string | number | null): string {
  const s = x === null ? 'NA' : typeof x === 'number' ? (Number.isFinite(x) ? String(x) : 'NA') : x;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A header and rows as CSV text (RFC 4180, LF line ends, a final line end); {@link parseCsv} reads it back. */
export function formatCsv(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
