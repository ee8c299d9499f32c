/**
 * The CSV table reader: one pass over the text into typed arrays (the start and end of each cell and the
 * file line of each row), numeric columns parsed on demand straight from the text into a Float64Array
 * and kept, strings made only for the columns asked for as text (labels, subgroups). A table of 10⁶ rows
 * takes about a second and a few tens of MB; an array of arrays of strings (csv-parse's records) took
 * 30 s and 1.4 GB.
 *
 * Accepted: RFC 4180 (quoted fields with "" escapes and line breaks, CRLF or LF, a UTF-8 byte-order mark),
 * whitespace around fields ignored, blank lines skipped, the first non-blank line the header. The field
 * delimiter is detected from the header line (comma, semicolon, tab or bar) unless given, and the decimal
 * separator is a point unless given as ',' or detected: a file that is not comma-delimited and writes its
 * numbers with a decimal comma (European spreadsheet exports: `study;yi;vi` / `A;0,12;0,03`) is read as
 * such. Errors name the file, line and what was found.
 */
import { EvsynthError } from '../core/errors.ts';
import { markSanitized, sanitizeText, UNSAFE_TEXT } from '../core/text.ts';

/** How to read a CSV text (both detected when absent). */
export interface CsvOptions {
  /** Field delimiter: ',', ';', '\t' or '|' (default: detected from the header line). */
  readonly delimiter?: string;
  /** Decimal separator of numbers: '.' or ',' (default: '.', or ',' where detected as described above). */
  readonly decimal?: '.' | ',';
}

/** The delimiters the reader detects and accepts. */
const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;

/** A CSV file as read: its header, cells by row and column, and the file line of each data row. */
export interface DataTable {
  readonly file: string;
  readonly header: readonly string[];
  /** Number of data rows. */
  readonly rowCount: number;
  /** 1-based file line of each data row (the header is line 1 unless preceded by blank lines). */
  readonly lines: ArrayLike<number>;
  /** The delimiter and decimal separator the table was read with. */
  readonly delimiter: string;
  readonly decimal: '.' | ',';
  /** What the reader changed or assumed, for the user (e.g. bidirectional control characters removed). */
  readonly notes: readonly string[];
  /** The cell text of data row `row`, column `column` (trimmed, unquoted, sanitised). */
  cell(row: number, column: number): string;
  /** The rows as arrays of strings (materialised on first use: meant for small tables). */
  readonly rows: readonly (readonly string[])[];
}

/** Cell values read as missing (R's NA). */
const MISSING_TOKENS: ReadonlySet<string> = new Set(['', 'NA', 'na', 'N/A', 'NaN', '.']);

/** True for a cell that holds a missing value (empty, NA, N/A, NaN or '.'), the one rule for every column. */
export function isMissingCell(s: string): boolean {
  return MISSING_TOKENS.has(s.trim());
}
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_COMMA_NUMBER = /^[+-]?(?:\d+,?\d*|,\d+)(?:[eE][+-]?\d+)?$/;

/** True for a cell written as a plain decimal number (as R reads one; no thousands separators, no decimal comma). */
export function isNumberCell(s: string): boolean {
  return NUMBER.test(s);
}

const QUOTE = 34,
  LF = 10,
  CR = 13,
  SPACE = 32,
  TAB = 9;

/** Growable Uint32Array (sized up front where the caller knows a bound: growing copies, and fresh pages cost). */
class U32 {
  a = new Uint32Array(1024);
  n = 0;
  /** Makes room for `capacity` values in all (no copy while nothing has been pushed). */
  reserve(capacity: number): void {
    if (capacity <= this.a.length) return;
    const b = new Uint32Array(capacity);
    b.set(this.a.subarray(0, this.n));
    this.a = b;
  }
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Uint32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
}

/** The delimiter of a header line: the candidate that occurs most often outside quotes (comma on a tie or none). */
function detectDelimiter(text: string, from: number): string {
  const counts = new Map<string, number>(CSV_DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c)) counts.set(c, (counts.get(c) as number) + 1);
  }
  let best = ',',
    n = counts.get(',') as number;
  for (const [d, m] of counts)
    if (m > n) {
      best = d;
      n = m;
    }
  return best;
}

/** The number of line feeds in text[from…]. */
function countLineFeeds(text: string, from: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** 1-based line of character offset `pos` (for errors only). */
function lineAt(text: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === LF) n++;
  return n;
}

class ColumnarTable implements DataTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly rowCount: number;
  readonly lines: Uint32Array;
  readonly delimiter: string;
  decimal: '.' | ',';
  readonly notes: string[] = [];
  private readonly text: string;
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;
  /** Cells whose text is not a slice of the file: unescaped quotes, removed control characters. */
  private readonly special: Map<number, string>;
  private readonly numeric = new Map<number, Float64Array>();
  private materialised: string[][] | undefined;

  constructor(
    file: string,
    text: string,
    header: string[],
    starts: Uint32Array,
    ends: Uint32Array,
    special: Map<number, string>,
    lines: Uint32Array,
    delimiter: string,
    decimal: '.' | ',',
  ) {
    this.file = file;
    this.text = text;
    this.header = header;
    this.starts = starts;
    this.ends = ends;
    this.special = special;
    this.lines = lines;
    this.rowCount = lines.length;
    this.delimiter = delimiter;
    this.decimal = decimal;
  }

  cell(row: number, column: number): string {
    const i = row * this.header.length + column;
    return this.special.get(i) ?? this.text.slice(this.starts[i], this.ends[i]);
  }

  get rows(): readonly (readonly string[])[] {
    this.materialised ??= Array.from({ length: this.rowCount }, (_, r) => this.header.map((_h, j) => this.cell(r, j)));
    return this.materialised;
  }

  /** Column j as numbers (NaN for missing cells), parsed once. */
  numbers(j: number, name: string): Float64Array {
    const cached = this.numeric.get(j);
    if (cached) return cached;
    const n = this.rowCount,
      p = this.header.length;
    const out = new Float64Array(n);
    const comma = this.decimal === ',';
    const sep = comma ? 44 : 46;
    const plain = this.special.size === 0;
    for (let r = 0; r < n; r++) {
      const i = r * p + j;
      if (plain) {
        const x = fastDecimal(this.text, this.starts[i] as number, this.ends[i] as number, sep);
        if (!Number.isNaN(x)) {
          out[r] = x;
          continue;
        }
      }
      const s = this.special.get(i) ?? this.text.slice(this.starts[i], this.ends[i]);
      if (MISSING_TOKENS.has(s)) {
        out[r] = Number.NaN;
        continue;
      }
      if (comma ? DECIMAL_COMMA_NUMBER.test(s) : NUMBER.test(s)) {
        out[r] = Number(comma ? s.replace(',', '.') : s);
        continue;
      }
      throw new EvsynthError('NOT_A_NUMBER', notANumberMessage(s, this.decimal, this.delimiter), {
        file: this.file,
        line: this.lines[r] as number,
        column: name,
      });
    }
    this.numeric.set(j, out);
    return out;
  }
}

/** 10⁰ … 10²²: exactly representable. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * A plain decimal (optional sign, digits, one separator `sep`, digits; no exponent) from text[s, e)
 * without making a string, or NaN when the cell is anything else (then it is read the slow way). Exact:
 * with at most 15 significant digits the digits form an integer below 2⁵³ and 10ᵈ (d ≤ 22) is exact, so
 * their quotient is the correctly rounded value, as Number() gives (Clinger 1990, the fast path).
 */
function fastDecimal(text: string, s: number, e: number, sep: number): number {
  if (s >= e) return Number.NaN;
  let i = s,
    neg = false;
  const c0 = text.charCodeAt(i);
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i++;
  }
  let m = 0,
    digits = 0,
    frac = -1,
    any = false;
  for (; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      any = true;
      m = m * 10 + (c - 48);
      if (m > 0) digits++;
      if (frac >= 0) frac++;
    } else if (c === sep && frac < 0) frac = 0;
    else return Number.NaN;
  }
  const d = frac < 0 ? 0 : frac;
  if (!any || digits > 15 || d > 22) return Number.NaN;
  const x = d === 0 ? m : m / (POW10[d] as number);
  return neg ? -x : x;
}

function notANumberMessage(s: string, decimal: '.' | ',', delimiter: string): string {
  const shown = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  let hint = '';
  if (decimal === '.' && /^[+-]?\d*,\d+$/.test(s))
    hint =
      delimiter === ','
        ? ' (a decimal comma: use a point as the decimal separator, or read the file with --decimal ,)'
        : ' (a decimal comma: read the file with --decimal ,)';
  else if (decimal === ',' && /^[+-]?\d*\.\d+$/.test(s))
    hint = ' (a decimal point in a file read with decimal commas: use one separator throughout, or --decimal .)';
  else if (/^[+-]?\d{1,3}([.,]\d{3})+([.,]\d+)?$/.test(s)) hint = ' (thousands separators are not read: remove them)';
  return `'${shown}' is not a number; expected a number or an empty cell/NA for a missing value${hint}`;
}

/**
 * Parses CSV text into a {@link DataTable}. The first non-empty line is the header. Errors (syntax,
 * ragged rows, empty or duplicate column names, no data rows, binary data) name the file and line.
 */
export function parseCsv(
  text: string,
  file = '<input>',
  options: CsvOptions = {},
  /** Notes of the caller (e.g. the encoding the file was read with), listed first. */
  notes: readonly string[] = [],
): DataTable {
  const nul = text.indexOf('\0');
  if (nul >= 0)
    throw new EvsynthError(
      'CSV_SYNTAX',
      `not a text CSV file: it contains binary data (a NUL byte on line ${lineAt(text, nul)}); expected comma- or semicolon-separated text`,
      { file },
    );
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // skip leading blank lines to find the header
  for (;;) {
    let q = pos;
    while (q < text.length && (text.charCodeAt(q) === SPACE || text.charCodeAt(q) === TAB || text.charCodeAt(q) === CR))
      q++;
    if (q < text.length && text.charCodeAt(q) === LF) pos = q + 1;
    else break;
  }
  if (pos >= text.length || text.slice(pos).trim() === '')
    throw new EvsynthError('EMPTY_FILE', 'the file is empty; expected a header line and at least one study row', {
      file,
    });
  const delimiter = options.delimiter ?? detectDelimiter(text, pos);
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r')
    throw new EvsynthError('INVALID_ARGUMENT', `delimiter '${delimiter}': expected one character such as , ; or a tab`);
  const D = delimiter.charCodeAt(0);
  const trimTab = D !== TAB;
  const starts = new U32(),
    ends = new U32(),
    lineOf = new U32();
  const special = new Map<number, string>();
  let line = lineAt(text, pos);
  let width = -1;
  const header: string[] = [];
  let cellIndex = 0;
  let rowStartLine = line;
  let fields = 0;
  let unsafeCells = 0;
  const hasUnsafe = UNSAFE_TEXT.test(text);
  const n = text.length;
  const isSpace = (c: number) => c === SPACE || (trimTab && c === TAB);
  while (pos <= n) {
    // one field
    while (pos < n && isSpace(text.charCodeAt(pos))) pos++;
    let s: number, e: number;
    let value: string | undefined;
    if (pos < n && text.charCodeAt(pos) === QUOTE) {
      const openLine = line;
      let q = pos + 1;
      let escaped = false;
      for (;;) {
        const k = text.indexOf('"', q);
        if (k < 0)
          throw new EvsynthError(
            'CSV_SYNTAX',
            `not valid CSV: a quoted field opened on line ${openLine} is never closed`,
            {
              file,
              line: openLine,
            },
          );
        for (let t = q; t < k; t++) if (text.charCodeAt(t) === LF) line++;
        if (text.charCodeAt(k + 1) === QUOTE) {
          escaped = true;
          q = k + 2;
          continue;
        }
        s = pos + 1;
        e = k;
        pos = k + 1;
        break;
      }
      if (escaped) value = text.slice(s, e).replaceAll('""', '"');
      while (pos < n && isSpace(text.charCodeAt(pos))) pos++;
      const c = pos < n ? text.charCodeAt(pos) : LF;
      if (c !== D && c !== LF && c !== CR)
        throw new EvsynthError(
          'CSV_SYNTAX',
          `not valid CSV: '${text[pos]}' after the closing quote of a field (expected the delimiter '${delimiter === '\t' ? '\\t' : delimiter}' or the end of the line)`,
          { file, line },
        );
    } else {
      s = pos;
      while (pos < n) {
        const c = text.charCodeAt(pos);
        if (c === D || c === LF || c === CR) break;
        if (c === QUOTE)
          throw new EvsynthError('CSV_SYNTAX', 'not valid CSV: a quote inside an unquoted field', { file, line });
        pos++;
      }
      e = pos;
      while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
    }
    // a cell with bidirectional or other control characters is stored sanitised (see core/text.ts)
    if (hasUnsafe && UNSAFE_TEXT.test(value ?? text.slice(s, e))) {
      value = sanitizeText(value ?? text.slice(s, e));
      unsafeCells++;
    }
    if (width < 0) header.push(value ?? text.slice(s, e));
    else {
      if (value !== undefined) special.set(cellIndex, value);
      starts.push(s);
      ends.push(e);
      cellIndex++;
    }
    fields++;
    // end of field: delimiter, end of line or end of text
    const c = pos < n ? text.charCodeAt(pos) : -1;
    if (c === D) {
      pos++;
      continue;
    }
    // end of record
    if (c === CR) pos++;
    if (pos < n && text.charCodeAt(pos) === LF) pos++;
    if (width < 0) {
      width = fields;
      validateHeader(header, file, rowStartLine);
      // At most one data row per remaining line, and a row of `width` cells takes at least `width` characters:
      // the cell offsets fit without growing (10⁶ rows: 24 MB, not the 64 MB of doubling), up to 2²⁶ cells.
      const rowBound = Math.min(countLineFeeds(text, pos) + 1, Math.ceil((n - pos + 1) / width));
      const cellBound = Math.min(rowBound * width, 2 ** 26);
      starts.reserve(cellBound);
      ends.reserve(cellBound);
      lineOf.reserve(Math.min(rowBound, 2 ** 26));
    } else {
      if (fields !== width)
        throw new EvsynthError(
          'CSV_SYNTAX',
          `the row has ${fields} fields but the header has ${width}${raggedHint(fields, width, delimiter, header)}`,
          {
            file,
            line: rowStartLine,
          },
        );
      lineOf.push(rowStartLine);
    }
    fields = 0;
    line++;
    // skip blank lines
    for (;;) {
      let q = pos;
      while (q < n && (isSpace(text.charCodeAt(q)) || text.charCodeAt(q) === CR)) q++;
      if (q < n && text.charCodeAt(q) === LF) {
        pos = q + 1;
        line++;
      } else if (q >= n) {
        pos = n + 1;
        break;
      } else break;
    }
    rowStartLine = line;
  }
  const rows = lineOf.n;
  if (rows === 0)
    throw new EvsynthError(
      'EMPTY_FILE',
      `the file has a header (${header.map((h) => `'${h}'`).join(', ')}) but no study rows`,
      { file },
    );
  const t = new ColumnarTable(
    file,
    text,
    header,
    starts.a.subarray(0, starts.n),
    ends.a.subarray(0, ends.n),
    special,
    lineOf.a.subarray(0, rows),
    delimiter,
    options.decimal ?? '.',
  );
  t.notes.push(...notes);
  if (options.delimiter === undefined && delimiter !== ',')
    t.notes.push(`read as ${delimiter === '\t' ? 'tab' : `'${delimiter}'`}-delimited (detected from the header line)`);
  if (options.decimal === undefined && delimiter !== ',' && usesDecimalComma(t)) {
    t.decimal = ',';
    t.notes.push(`numbers read with a decimal comma (0,5 for 0.5)`);
  }
  if (unsafeCells > 0)
    t.notes.push(
      `${unsafeCells} cell${unsafeCells === 1 ? '' : 's'} had bidirectional control characters (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C), which can make text display in another order than it is stored ("Trojan Source"), or other control characters (such as ESC or BEL, not allowed in SVG and able to disguise terminal output): removed`,
    );
  return t;
}

/** Whether the numbers of a not comma-delimited table are written with a decimal comma (some 0,5, no 0.5). */
function usesDecimalComma(t: ColumnarTable): boolean {
  let comma = 0,
    point = 0;
  const limit = Math.min(t.rowCount, 1000);
  for (let j = 0; j < t.header.length; j++)
    for (let r = 0; r < limit; r++) {
      const s = t.cell(r, j);
      if (/^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$/.test(s)) comma++;
      else if (/^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$/.test(s)) point++;
    }
  return comma > 0 && point === 0;
}

function raggedHint(fields: number, width: number, delimiter: string, header: readonly string[]): string {
  const other = width === 1 ? CSV_DELIMITERS.find((d) => d !== delimiter && (header[0] ?? '').includes(d)) : undefined;
  if (other !== undefined)
    return ` (the header is one column that contains '${other === '\t' ? '\\t' : other}': is the file ${other === '\t' ? 'tab' : `'${other}'`}-delimited? (--delimiter))`;
  if (delimiter === ';' && fields > width) return ' (a comma inside a cell? the file is read as semicolon-delimited)';
  if (delimiter === ',' && fields > width) return ' (a decimal comma or a comma inside an unquoted cell?)';
  return '';
}

function validateHeader(header: readonly string[], file: string, line: number): void {
  const seen = new Map<string, number>();
  header.forEach((name, j) => {
    if (name === '')
      throw new EvsynthError('INVALID_VALUE', `column ${j + 1} of the header has no name`, { file, line });
    const prev = seen.get(name);
    if (prev !== undefined)
      throw new EvsynthError(
        'DUPLICATE_COLUMN',
        `column name '${name}' appears twice (columns ${prev + 1} and ${j + 1})`,
        {
          file,
          line,
          column: name,
        },
      );
    seen.set(name, j);
  });
}

/** A table built from rows of strings (a subset of another table, rows assembled by a program). */
class RowTable implements DataTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly lines: readonly number[];
  readonly delimiter: string;
  readonly decimal: '.' | ',';
  readonly notes: readonly string[] = [];
  constructor(
    file: string,
    header: readonly string[],
    rows: readonly (readonly string[])[],
    lines: readonly number[],
    delimiter: string,
    decimal: '.' | ',',
  ) {
    this.file = file;
    this.header = header;
    this.rows = rows;
    this.lines = lines;
    this.delimiter = delimiter;
    this.decimal = decimal;
  }
  get rowCount(): number {
    return this.rows.length;
  }
  cell(row: number, column: number): string {
    return this.rows[row]?.[column] ?? '';
  }
}

/**
 * A table from a header and rows of cell strings (`lines`: the file line of each row, default row + 2),
 * read with a point as the decimal separator unless `decimal` says otherwise.
 */
export function tableFromRows(
  file: string,
  header: readonly string[],
  rows: readonly (readonly string[])[],
  lines: readonly number[] = rows.map((_, i) => i + 2),
  format: { readonly delimiter?: string; readonly decimal?: '.' | ',' } = {},
): DataTable {
  return new RowTable(file, header, rows, lines, format.delimiter ?? ',', format.decimal ?? '.');
}

/** The data rows `rows` of a table (file lines kept, so errors still name the file line). */
export function selectRows(t: DataTable, rows: readonly number[]): DataTable {
  return tableFromRows(
    t.file,
    t.header,
    rows.map((i) => t.header.map((_h, j) => t.cell(i, j))),
    rows.map((i) => t.lines[i] as number),
    t,
  );
}

export function hasColumn(t: DataTable, name: string): boolean {
  return t.header.includes(name);
}

function columnIndex(t: DataTable, name: string): number {
  const j = t.header.indexOf(name);
  if (j < 0) {
    const single = t.header.length === 1 ? t.header[0] : undefined;
    const other =
      single !== undefined ? CSV_DELIMITERS.find((d) => d !== t.delimiter && single.includes(d)) : undefined;
    const hint =
      other !== undefined
        ? `; the header is one column that contains '${other === '\t' ? '\\t' : other}': is the file ${other === '\t' ? 'tab' : `'${other}'`}-delimited? (--delimiter)`
        : '';
    throw new EvsynthError('MISSING_COLUMN', `no column '${name}' (columns: ${t.header.join(', ')})${hint}`, {
      file: t.file,
      column: name,
    });
  }
  return j;
}

/** A column's cell strings, or throws MISSING_COLUMN. */
export function stringColumn(t: DataTable, name: string): string[] {
  const j = columnIndex(t, name);
  const out = new Array<string>(t.rowCount);
  for (let r = 0; r < out.length; r++) out[r] = t.cell(r, j);
  return out;
}

/**
 * A numeric column, with missing cells (empty, NA) as NaN. A cell that is neither a number
 * nor missing throws NOT_A_NUMBER naming file, line and column: nothing is coerced.
 */
export function numericColumn(t: DataTable, name: string): Float64Array {
  const j = columnIndex(t, name);
  if (t instanceof ColumnarTable) return t.numbers(j, name);
  const comma = t.decimal === ',';
  return Float64Array.from({ length: t.rowCount }, (_, r) => {
    const s = t.cell(r, j).trim();
    if (isMissingCell(s)) return Number.NaN;
    if (!(comma ? DECIMAL_COMMA_NUMBER.test(s) : isNumberCell(s)))
      throw new EvsynthError('NOT_A_NUMBER', notANumberMessage(s, t.decimal, t.delimiter), {
        file: t.file,
        line: t.lines[r] as number,
        column: name,
      });
    return Number(comma ? s.replace(',', '.') : s);
  });
}

/** The columns read as study labels, in order of preference. */
const LABEL_COLUMNS = ['study', 'slab', 'author', 'label'] as const;

/** Study labels: the `study` column (or `slab`, `author`), else "Study 1", "Study 2", … */
export function studyLabels(t: DataTable): string[] {
  const at = labelReader(t);
  // one array in one pass (a table of 10⁶ rows has 10⁶ labels)
  const out = new Array<string>(t.rowCount);
  for (let r = 0; r < out.length; r++) out[r] = at(r);
  return out;
}

/** The label of data row r: its cell in the first label column present, "Study r+1" where empty or absent. */
function labelReader(t: DataTable): (r: number) => string {
  const name = LABEL_COLUMNS.find((c) => hasColumn(t, c));
  const j = name === undefined ? -1 : columnIndex(t, name);
  return (r) => {
    const s = j < 0 ? '' : t.cell(r, j);
    return s === '' ? `Study ${r + 1}` : s;
  };
}

/** CSV tables with more rows than this give {@link analysisLabels} whose strings are made when read. */
const LAZY_LABEL_ROWS = 100_000;

/**
 * The study labels of a table for an analysis ({@link studyLabels}). For a CSV table of more than 10⁵ rows
 * they are a read-only array whose strings are made when read: a fit reads a few of them (the studies
 * printed, the excluded ones), and 10⁶ label strings held for nothing cost half a second and 50 MB here,
 * most of it in garbage collection. It is an array to every reader (indexing, length, iteration, map,
 * JSON); as a Proxy it cannot be structured-cloned (copy it with `Array.from` first). The labels of a CSV
 * table are sanitised where the cells are read, so escalc does not pass over them again.
 */
export function analysisLabels(t: DataTable): readonly string[] {
  if (!(t instanceof ColumnarTable)) return studyLabels(t);
  if (t.rowCount <= LAZY_LABEL_ROWS) return markSanitized(studyLabels(t));
  const n = t.rowCount;
  const at = labelReader(t);
  const index = (key: string | symbol): number => {
    if (typeof key !== 'string') return -1;
    const c = key.charCodeAt(0);
    if (!(c >= 48 && c <= 57)) return -1;
    const i = Number(key);
    return Number.isInteger(i) && i < n && String(i) === key ? i : -1;
  };
  const labels = new Proxy(new Array<string>(n), {
    get: (target, key, receiver) => {
      const i = index(key);
      return i >= 0 ? at(i) : (Reflect.get(target, key, receiver) as unknown);
    },
    has: (target, key) => index(key) >= 0 || Reflect.has(target, key),
    getOwnPropertyDescriptor: (target, key) => {
      const i = index(key);
      return i >= 0
        ? { value: at(i), writable: false, enumerable: true, configurable: true }
        : Reflect.getOwnPropertyDescriptor(target, key);
    },
    ownKeys: () => [...Array.from({ length: n }, (_, i) => String(i)), 'length'],
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
  return markSanitized(labels);
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
  return formatCsvRows([header, ...rows]);
}

/** Rows as CSV lines (each ended by a line end): {@link formatCsv} without the header, for output in chunks. */
export function formatCsvRows(rows: readonly (readonly (string | number | null)[])[]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
