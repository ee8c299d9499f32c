/**
 * The explorer's state: the loaded version of the data (a bundled dataset, a file, or a dataset from a
 * link), the working copy (edited in the Data tab), the studies switched off and the options. Every change
 * bumps `version`; the analysis of the current inputs is computed once per version, through the engine's
 * one request builder (analyzeTable), so the explorer's options reach the fits exactly as the CLI's flags do.
 */
import {
  analyzeTable,
  formatCsv,
  hasColumn,
  measuresForColumns,
  parseCsv,
  selectRows,
  type AnalysisOptions,
  type AnalysisRequest,
  type AnalysisResult,
  type DataTable,
  type Measure,
  type RequestContext,
  type TestType,
  type PiType,
  type Vtype,
  type ZeroCellRule,
} from 'evsynth';
import type { Bundled } from './bundled.ts';
import { DEFAULTS, type Key, type Values } from './settings.ts';

export interface Source {
  readonly kind: 'dataset' | 'file' | 'link';
  /** Dataset name or file name. */
  readonly name: string;
  /** The name errors give as the file. */
  readonly file: string;
  readonly csv: string;
  readonly table: DataTable;
  readonly bundled: Bundled | null;
}

/** The analysis of the current inputs, or why there is none. */
export interface Current {
  readonly version: number;
  readonly source: Source;
  /** The working table (null when the edited cells do not form a valid CSV). */
  readonly work: DataTable | null;
  /** The rows switched on, as a table (file lines kept, so errors point at the right line). */
  readonly table: DataTable | null;
  /** Working-table row of each row of `table`. */
  readonly rows: readonly number[];
  readonly request: AnalysisRequest;
  readonly context: RequestContext;
  readonly fit: { readonly options: AnalysisOptions; readonly result: AnalysisResult } | null;
  readonly error: string | null;
  /** Where the error is, when it names a line and column of the working table. */
  readonly errorAt: { readonly row: number | null; readonly column: string | null } | null;
  /** Milliseconds the fit took. */
  readonly fitMs: number;
}

/** A source from CSV text (parse errors name the file and line, as the CLI's). */
export function sourceFromCsv(kind: Source['kind'], name: string, csv: string): Source {
  return { kind, name, file: name, csv, table: parseCsv(csv, name), bundled: null };
}

export function sourceOfDataset(b: Bundled): Source {
  if (b.csv === null || b.table === null) throw new Error(`dataset ${b.name} has no study rows`);
  return { kind: 'dataset', name: b.name, file: b.file, csv: b.csv, table: b.table, bundled: b };
}

/** The key a source's edits are stored under. */
export const sourceKey = (s: Pick<Source, 'kind' | 'name'>) => `${s.kind}:${s.name}`;

/** A table as cells (header, rows of strings): what the data grid edits. */
export interface Cells {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const cellsOf = (t: DataTable): Cells => ({ header: t.header, rows: t.rows });

/** The analysis request of the options: the explorer's equivalent of the CLI's requestFromFlags. */
function requestOf(v: Values): AnalysisRequest {
  const str = (k: Key) => (v[k] !== '' ? v[k] : undefined);
  const num = (k: Key) => (v[k].trim() !== '' ? Number(v[k]) : undefined);
  const r: Record<string, unknown> = {
    measure: str('measure'),
    method: str('method'),
    preset: str('preset'),
    test: str('test') as TestType | undefined,
    level: num('level'),
    piType: v.pi !== DEFAULTS.pi ? (v.pi as PiType) : undefined,
    smd: str('smd') as 'metafor' | 'revman' | undefined,
    vtype: str('vtype') as Vtype | undefined,
    add: num('add'),
    to: str('to') as ZeroCellRule | undefined,
    drop00: v.drop00 === '1' ? true : undefined,
    by: str('by'),
    missingGroups: v.by !== '' && v.keep === '1' ? 'overall-only' : undefined,
  };
  return Object.fromEntries(Object.entries(r).filter(([, x]) => x !== undefined)) as AnalysisRequest;
}

/** The measure used when none is chosen: the dataset's; for other tables generic yi/vi input, else the first that fits. */
export function autoMeasure(source: Source, work: DataTable | null): Measure | null {
  const prov = source.bundled?.provenance.measure;
  if (prov !== undefined) return prov;
  const t = work ?? source.table;
  if (hasColumn(t, 'yi')) return 'GEN';
  return measuresForColumns((c) => hasColumn(t, c))[0] ?? null;
}

type Listener = (reason: string) => void;

export class Model {
  source: Source;
  /** The working copy's cells and the table they parse to (null with the parse error). */
  cells: Cells;
  work: DataTable | null;
  workError: string | null = null;
  off = new Set<number>();
  values: Values;
  version = 0;
  private cache: Current | null = null;
  private listeners: Listener[] = [];

  constructor(source: Source, values: Values) {
    this.source = source;
    this.cells = cellsOf(source.table);
    this.work = source.table;
    this.values = values;
  }

  on(f: Listener): void {
    this.listeners.push(f);
  }

  private changed(reason: string): void {
    this.version++;
    this.cache = null;
    for (const f of this.listeners) f(reason);
  }

  /** Loads a new version of the data: the working copy becomes that version, every study on. */
  setSource(source: Source, edited: Cells | null = null, off: readonly number[] = []): void {
    this.source = source;
    this.off = new Set(off);
    if (edited) this.applyCells(edited);
    else {
      this.cells = cellsOf(source.table);
      this.work = source.table;
      this.workError = null;
    }
    this.changed('source');
  }

  set(values: Partial<Values>, reason = 'options'): void {
    this.values = { ...this.values, ...values };
    this.changed(reason);
  }

  toggle(row: number, on: boolean): void {
    if (on) this.off.delete(row);
    else this.off.add(row);
    this.changed('toggle');
  }

  setAllOn(on: boolean): void {
    const n = this.work?.rows.length ?? this.cells.rows.length;
    this.off = on ? new Set() : new Set(Array.from({ length: n }, (_, i) => i));
    this.changed('toggle');
  }

  private applyCells(cells: Cells): void {
    this.cells = cells;
    try {
      this.work = parseCsv(formatCsv(cells.header, cells.rows), this.source.file);
      this.workError = null;
    } catch (e) {
      this.work = null;
      this.workError = e instanceof Error ? e.message : String(e);
    }
  }

  /** Edits from the data grid; `removed`: rows deleted (their switches go, later rows move up). */
  edit(cells: Cells, removed: readonly number[] = []): void {
    if (removed.length > 0) {
      const gone = new Set(removed);
      const shift = (i: number) => i - removed.filter((r) => r < i).length;
      this.off = new Set([...this.off].filter((i) => !gone.has(i)).map(shift));
    }
    this.applyCells(cells);
    this.changed('edit');
  }

  /** Back to the loaded version. */
  revert(): void {
    this.applyCells(cellsOf(this.source.table));
    this.changed('edit');
  }

  private editedOf: { cells: Cells; source: Source; edited: boolean } | null = null;

  /** Whether the working copy differs from the loaded version (computed once per change of either). */
  get edited(): boolean {
    const a = this.cells,
      b = this.source.table;
    if (this.editedOf?.cells !== a || this.editedOf.source !== this.source)
      this.editedOf = {
        cells: a,
        source: this.source,
        edited: formatCsv(a.header, a.rows) !== formatCsv(b.header, b.rows),
      };
    return this.editedOf.edited;
  }

  /** The working copy as CSV text. */
  workCsv(): string {
    return formatCsv(this.cells.header, this.cells.rows);
  }

  context(): RequestContext {
    const m = autoMeasure(this.source, this.work);
    return m !== null && this.values.measure === '' ? { measure: m } : {};
  }

  /** The analysis of the current inputs (computed once per version). */
  current(): Current {
    if (this.cache && this.cache.version === this.version) return this.cache;
    const request = requestOf(this.values);
    const context = this.context();
    const work = this.work;
    const base = { version: this.version, source: this.source, work, request, context, fitMs: 0 };
    if (work === null) {
      this.cache = { ...base, table: null, rows: [], fit: null, error: this.workError, errorAt: null };
      return this.cache;
    }
    const rows = work.rows.map((_, i) => i).filter((i) => !this.off.has(i));
    const table = selectRows(work, rows);
    if (rows.length === 0) {
      this.cache = {
        ...base,
        table,
        rows,
        fit: null,
        error: 'Every study is switched off: switch at least one on to analyse.',
        errorAt: null,
      };
      return this.cache;
    }
    const t0 = performance.now();
    try {
      const fit = analyzeTable(table, request, context);
      this.cache = { ...base, table, rows, fit, error: null, errorAt: null, fitMs: performance.now() - t0 };
    } catch (e) {
      this.cache = {
        ...base,
        table,
        rows,
        fit: null,
        error: e instanceof Error ? e.message : String(e),
        errorAt: locate(e, work),
      };
    }
    return this.cache;
  }
}

/** The working-table row and column an engine error names (its file line mapped back to a row). */
function locate(e: unknown, t: DataTable): Current['errorAt'] {
  const loc = (e as { location?: { line?: number; column?: string } }).location;
  if (!loc) return null;
  const row = loc.line !== undefined ? Array.prototype.indexOf.call(t.lines, loc.line) : -1;
  return { row: row >= 0 ? row : null, column: loc.column ?? null };
}
