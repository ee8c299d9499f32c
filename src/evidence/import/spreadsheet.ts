/**
 * A data-extraction spreadsheet (`.xlsx`) as an evsynth dataset: one sheet, its first non-empty row as the
 * header, columns mapped to evsynth's names by `--map study=Author,n1i=N_int,…` and, for the rest, by header
 * names that already are evsynth's (case-insensitive). Every unmapped column is reported with its sheet and
 * column; every cell of a numeric column that is not a number is reported with its sheet, row and column
 * (and the import fails: nothing is coerced). Merged header cells and formulas without a cached value are
 * one-line errors. Pure: takes the sheets as xlsx.ts reads them.
 */
import { EvsynthError } from '../../core/errors.ts';
import { EFFECT_COLUMNS } from '../../effects/options.ts';
import { isMeasure, measuresForColumns, type Measure } from '../../effects/registry.ts';
import { formatCsv, isMissingCell, isNumberCell } from '../../io/csv.ts';
import { columnLetters, parseRef, type XlsxCell, type XlsxSheet } from './xlsx.ts';
import type { ImportedDataset, ImportSource } from './to-dataset.ts';

/** Columns evsynth knows besides the effect-size inputs. */
const KNOWN_COLUMNS = ['study', 'study_id', 'year', 'subgroup', 'footnote', 'source'] as const;
const NUMERIC = new Set<string>([...EFFECT_COLUMNS, 'year']);
const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
/** Columns evsynth writes itself: risk of bias (RoB 2, ROBINS-I, the original tool) and RevMan's per-study results. */
const KNOWN_PREFIX = /^(rob_|robins_|rob1_|revman_)[a-z0-9_]+$/;

export interface SpreadsheetOptions {
  /** The sheet to read (default: the first whose header has every mapped column). */
  readonly sheet?: string;
  /** evsynth column → spreadsheet header. */
  readonly map?: Readonly<Record<string, string>>;
  /** Keep every other column whose header is a valid column name, under that name (moderators, notes). */
  readonly keepUnmapped?: boolean;
  readonly measure?: string;
  readonly title?: string;
  readonly name: string;
  readonly source?: ImportSource;
}

/** Parses `study=Author,n1i=N_int` (headers may contain spaces; a header with a comma cannot be mapped this way). */
export function parseColumnMap(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const target = part.slice(0, eq).trim(),
      header = part.slice(eq + 1).trim();
    if (eq < 0 || target === '' || header === '')
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `--map: '${part.trim()}'; expected evsynth-column=Header, e.g. n1i=N_int`,
      );
    if (!NAME.test(target))
      throw new EvsynthError('INVALID_ARGUMENT', `--map: '${target}' is not a column name (letters, digits, _ and .)`);
    if (out[target] !== undefined) throw new EvsynthError('INVALID_ARGUMENT', `--map: '${target}' is mapped twice`);
    out[target] = header;
  }
  return out;
}

export interface SpreadsheetReport {
  readonly sheet: string;
  /** target ← header (column letter). */
  readonly mapped: readonly { readonly target: string; readonly header: string; readonly column: string }[];
  /** Columns not imported, as "'Notes' (sheet Extraction, column J)". */
  readonly unmapped: readonly string[];
  readonly rows: number;
}

const where = (sheet: string, ref: string) => `sheet '${sheet}', cell ${ref}`;

/** The dataset of a workbook's sheet (see the module's doc comment), and what was and was not imported. */
export function spreadsheetToDataset(
  sheets: readonly XlsxSheet[],
  file: string,
  options: SpreadsheetOptions,
): { dataset: ImportedDataset; report: SpreadsheetReport } {
  const map = options.map ?? {};
  const headerOf = (s: XlsxSheet) => {
    const top = Math.min(...s.cells.map((c) => c.row));
    return { top, cells: s.cells.filter((c) => c.row === top).sort((a, b) => a.col - b.col) };
  };
  const wanted = Object.values(map);
  const candidates = sheets.filter((s) => s.cells.length > 0);
  const found = (s: XlsxSheet) => wanted.filter((h) => headerOf(s).cells.some((c) => c.text.trim() === h)).length;
  // the named sheet, else the one whose header has the most mapped columns (the first non-empty one without --map)
  const sheet =
    options.sheet !== undefined
      ? sheets.find((s) => s.name === options.sheet)
      : candidates.reduce<XlsxSheet | undefined>(
          (best, s) => (best === undefined || found(s) > found(best) ? s : best),
          undefined,
        );
  if (sheet === undefined)
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      options.sheet !== undefined
        ? `no sheet '${options.sheet}' (sheets: ${sheets.map((s) => s.name).join(', ')})`
        : 'every sheet is empty',
      { file },
    );
  if (sheet.cells.length === 0) throw new EvsynthError('EMPTY_FILE', `sheet '${sheet.name}' is empty`, { file });
  const { top, cells: headerCells } = headerOf(sheet);
  // merged cells in the header
  for (const m of sheet.merges) {
    const [a, b] = m.split(':');
    const r1 = parseRef(a as string).row,
      r2 = parseRef((b ?? a) as string).row;
    if (r1 <= top && top <= r2)
      throw new EvsynthError(
        'INVALID_VALUE',
        `sheet '${sheet.name}': merged header cells ${m}; expected one column name per cell in the header row ${top} (unmerge them, one header row)`,
        { file },
      );
  }
  const uncached = sheet.cells.filter((c) => c.uncached);
  if (uncached.length > 0) {
    const c = uncached[0] as XlsxCell;
    throw new EvsynthError(
      'INVALID_VALUE',
      `${where(sheet.name, c.ref)}: a formula without a cached value (=${c.formula ?? ''})${uncached.length > 1 ? ` and ${uncached.length - 1} more` : ''}; expected its value (open and save the file in a spreadsheet program, or paste values)`,
      { file },
    );
  }
  // header names
  const headers = new Map<string, number>();
  for (const c of headerCells) {
    const h = c.text.trim();
    if (h === '') continue;
    if (headers.has(h))
      throw new EvsynthError(
        'DUPLICATE_COLUMN',
        `sheet '${sheet.name}': header '${h}' appears twice (columns ${columnLetters(headers.get(h) as number)} and ${columnLetters(c.col)})`,
        { file },
      );
    headers.set(h, c.col);
  }
  const columnsOfSheet = () => [...headers.keys()].join(', ');
  const mapped: { target: string; header: string; col: number }[] = [];
  for (const [target, header] of Object.entries(map)) {
    const col = headers.get(header);
    if (col === undefined)
      throw new EvsynthError(
        'MISSING_COLUMN',
        `--map ${target}=${header}: sheet '${sheet.name}' has no column '${header}' (columns: ${columnsOfSheet()})`,
        { file },
      );
    mapped.push({ target, header, col });
  }
  const known = new Map([...EFFECT_COLUMNS, ...KNOWN_COLUMNS].map((c) => [c.toLowerCase(), c as string]));
  const unmapped: string[] = [];
  for (const [h, col] of headers) {
    if (mapped.some((m) => m.col === col)) continue;
    const target =
      known.get(h.toLowerCase()) ?? (KNOWN_PREFIX.test(h) || (options.keepUnmapped && NAME.test(h)) ? h : undefined);
    if (target !== undefined && !mapped.some((m) => m.target === target)) mapped.push({ target, header: h, col });
    else unmapped.push(`'${h}' (sheet ${sheet.name}, column ${columnLetters(col)})`);
  }
  if (!mapped.some((m) => m.target === 'study'))
    throw new EvsynthError(
      'MISSING_COLUMN',
      `sheet '${sheet.name}': no study label column; map one with --map study=<header> (columns: ${columnsOfSheet()})`,
      { file },
    );
  mapped.sort((a, b) => a.col - b.col);
  const order = mapped.map((m) => m.target);
  const byTarget = new Map(mapped.map((m) => [m.target, m]));
  // rows
  const byRow = new Map<number, Map<number, XlsxCell>>();
  for (const c of sheet.cells)
    if (c.row > top) {
      if (!byRow.has(c.row)) byRow.set(c.row, new Map());
      byRow.get(c.row)?.set(c.col, c);
    }
  const bad: string[] = [];
  const rows: string[][] = [];
  const rowNumbers = [...byRow.keys()].sort((a, b) => a - b);
  for (const r of rowNumbers) {
    const cells = byRow.get(r) as Map<number, XlsxCell>;
    if (!mapped.some((m) => cells.has(m.col))) continue;
    rows.push(
      order.map((target) => {
        const m = byTarget.get(target) as (typeof mapped)[number];
        const c = cells.get(m.col);
        if (c === undefined) return '';
        const text = c.text.trim();
        if (
          NUMERIC.has(target) &&
          !isMissingCell(text) &&
          (c.type === 'error' || c.type === 'boolean' || !isNumberCell(text))
        )
          bad.push(`${c.ref} '${text}' (${target} ← ${m.header})`);
        return text;
      }),
    );
  }
  if (rows.length === 0)
    throw new EvsynthError('EMPTY_FILE', `sheet '${sheet.name}' has a header but no rows`, { file });
  if (bad.length > 0)
    throw new EvsynthError(
      'NOT_A_NUMBER',
      `sheet '${sheet.name}': ${bad.length} cell${bad.length === 1 ? ' is' : 's are'} not numbers (a point as decimal separator, an empty cell or NA for a missing value): ${bad.join('; ')}`,
      { file },
    );
  // measure
  const has = (c: string) => order.includes(c);
  let measure: Measure;
  if (options.measure !== undefined) {
    const m = options.measure.toUpperCase();
    if (!isMeasure(m)) throw new EvsynthError('UNKNOWN_MEASURE', `--measure ${options.measure}: unknown measure`);
    measure = m;
  } else if (has('yi')) measure = 'GEN';
  else {
    const fits = measuresForColumns(has);
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `a spreadsheet import needs --measure (the mapped columns fit ${fits.join(', ') || 'no measure'})`,
      { file },
    );
  }
  const fileName = options.source?.file ?? file.replace(/^.*[\\/]/, '');
  const columns: Record<string, string> = {};
  for (const t of order) {
    const m = byTarget.get(t) as (typeof mapped)[number];
    columns[t] = `from the spreadsheet's column '${m.header}' (sheet ${sheet.name}, column ${columnLetters(m.col)})`;
  }
  const src = options.source ?? {};
  const provenance: Record<string, unknown> = {
    name: options.name,
    title: options.title ?? `${fileName}, sheet ${sheet.name}`,
    review: {
      citation: src.citation ?? `data-extraction spreadsheet ${fileName}`,
      ...(src.doi ? { doi: src.doi } : {}),
      ...(src.url ? { url: src.url } : {}),
    },
    measure,
    rows: {
      status: 'complete',
      source: {
        description: `data-extraction spreadsheet${src.obtained ? `, ${src.obtained}` : ''}; cells copied as stored by 'evsynth import'`,
        file: fileName,
        ...(src.repository ? { repository: src.repository } : {}),
        ...(src.commit ? { commit: src.commit } : {}),
        table: `sheet '${sheet.name}', rows ${top + 1} to ${rowNumbers[rowNumbers.length - 1]}`,
      },
    },
    licence: src.licence ?? "not stated: the extractors' data; check the terms before redistributing",
    ...(has('subgroup') ? { subgroupColumn: 'subgroup' } : {}),
    columns,
    claims: [],
    notes: [
      `Imported by 'evsynth import' from sheet '${sheet.name}' of ${fileName}; columns mapped as listed under "columns".`,
      ...(unmapped.length > 0 ? [`Not imported (unmapped): ${unmapped.join('; ')}.`] : []),
    ],
  };
  return {
    dataset: { name: options.name, analysis: sheet.name, csv: formatCsv(order, rows), provenance },
    report: {
      sheet: sheet.name,
      mapped: order.map((t) => {
        const m = byTarget.get(t) as (typeof mapped)[number];
        return { target: t, header: m.header, column: columnLetters(m.col) };
      }),
      unmapped,
      rows: rows.length,
    },
  };
}
