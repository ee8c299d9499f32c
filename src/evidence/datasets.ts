/**
 * Bundled datasets: `datasets/<name>/provenance.json` with `data.csv` (study rows) or, for
 * reviews whose rows could not be obtained, a transcription template. Every dataset is
 * validated: provenance fields, the CSV, and the CSV against the provenance.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EvsynthError } from '../core/errors.ts';
import { inputColumnsFound, measureSpec } from '../effects/registry.ts';
import { numericColumn, parseCsv, type CsvOptions, type DataTable } from '../io/csv.ts';
import { readCsv } from '../io/csv-file.ts';
import { validateProvenance, type Provenance } from './provenance.ts';
import { readRiskOfBias } from './risk-of-bias.ts';
import { studyKeys } from './study-id.ts';

/** The repository's datasets folder. */
export const DATASETS_ROOT = fileURLToPath(new URL('../../datasets/', import.meta.url));

export interface Dataset {
  readonly name: string;
  readonly dir: string;
  readonly provenance: Provenance;
  /** The study rows (null when the review's rows are not available). */
  readonly table: DataTable | null;
  readonly dataFile: string | null;
}

/** Names of the bundled datasets (folders with a provenance.json), sorted. */
export function listDatasetNames(root = DATASETS_ROOT): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'provenance.json')))
    .map((d) => d.name)
    .sort();
}

/** Loads and validates one dataset. Errors name the file and what is wrong. */
export function loadDataset(name: string, root = DATASETS_ROOT): Dataset {
  const dir = join(root, name);
  const provFile = join(dir, 'provenance.json');
  if (!existsSync(provFile)) {
    throw new EvsynthError('FILE_NOT_FOUND', `no dataset '${name}' (bundled: ${listDatasetNames(root).join(', ')})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(provFile, 'utf8'));
  } catch (e) {
    throw new EvsynthError('INVALID_VALUE', `not valid JSON: ${(e as Error).message}`, { file: provFile });
  }
  const provenance = validateProvenance(json, provFile);
  if (provenance.name !== name)
    throw new EvsynthError('INVALID_VALUE', `name is '${provenance.name}' but the folder is '${name}'`, {
      file: provFile,
    });
  const dataFile = join(dir, 'data.csv');
  const hasData = existsSync(dataFile);
  if (provenance.rows.status === 'none') {
    if (hasData)
      throw new EvsynthError(
        'INVALID_VALUE',
        'rows.status is none but data.csv exists; set it to partial or complete',
        { file: provFile },
      );
    const template = join(dir, provenance.rows.template as string);
    if (!existsSync(template))
      throw new EvsynthError('FILE_NOT_FOUND', `the template '${provenance.rows.template}' does not exist`, {
        file: provFile,
      });
    checkTemplate(readFileSync(template, 'utf8'), template);
    return { name, dir, provenance, table: null, dataFile: null };
  }
  if (!hasData)
    throw new EvsynthError('FILE_NOT_FOUND', `rows.status is ${provenance.rows.status} but there is no data.csv`, {
      file: provFile,
    });
  const table = readCsv(dataFile);
  checkAgainstProvenance(table, provenance, provFile);
  return { name, dir, provenance, table, dataFile };
}

function checkTemplate(text: string, file: string): void {
  const header = text.split(/\r?\n/)[0]?.split(',') ?? [];
  for (const col of ['study', 'source']) {
    if (!header.includes(col))
      throw new EvsynthError('MISSING_COLUMN', `the transcription template needs a '${col}' column`, {
        file,
        column: col,
      });
  }
  parseCsvHeaderOnly(text, file);
}

function parseCsvHeaderOnly(text: string, file: string): void {
  // a template is a header line, optionally followed by example rows
  if (text.trim().split(/\r?\n/).length > 1) parseCsv(text, file);
}

/** The CSV must hold what the provenance says: measure columns, claim columns, documented columns, a source per row. */
function checkAgainstProvenance(t: DataTable, p: Provenance, provFile: string): void {
  const has = (c: string) => t.header.includes(c);
  const alternatives = measureSpec(p.measure).inputs;
  if (inputColumnsFound(p.measure, has) === undefined) {
    const need = alternatives.map((s) => s.join(', ')).join(' or ');
    throw new EvsynthError(
      'MISSING_COLUMN',
      `measure ${p.measure} needs columns ${need}; data.csv has ${t.header.join(', ')}`,
      { file: t.file },
    );
  }
  for (const col of t.header) {
    if (p.columns[col] === undefined)
      throw new EvsynthError('INVALID_VALUE', `column '${col}' of data.csv is not described under "columns"`, {
        file: provFile,
      });
  }
  for (const col of Object.keys(p.columns)) {
    if (!has(col))
      throw new EvsynthError('MISSING_COLUMN', `"columns" describes '${col}', which data.csv does not have`, {
        file: provFile,
        column: col,
      });
  }
  // every effect-size and claim column must be numeric (or empty/NA) in every row
  for (const col of alternatives.flat()) if (has(col)) numericColumn(t, col);
  const ps = p.perStudyClaims;
  if (ps) {
    for (const col of [ps.effect, ps.ciLower, ps.ciUpper, ps.weight, ps.weightWithin]) {
      if (col !== undefined && !has(col))
        throw new EvsynthError('MISSING_COLUMN', `perStudyClaims names column '${col}', which data.csv does not have`, {
          file: provFile,
          column: col,
        });
    }
    for (const col of [ps.effect, ps.ciLower, ps.ciUpper, ps.weight]) if (col !== undefined) numericColumn(t, col);
  }
  if (p.subgroupColumn !== undefined && !has(p.subgroupColumn)) {
    throw new EvsynthError('MISSING_COLUMN', `subgroupColumn '${p.subgroupColumn}' is not a column of data.csv`, {
      file: provFile,
      column: p.subgroupColumn,
    });
  }
  const levels =
    p.subgroupColumn !== undefined
      ? new Set(t.rows.map((r) => r[t.header.indexOf(p.subgroupColumn as string)]))
      : new Set<string>();
  p.claims.forEach((c, i) => {
    if (c.subgroup !== undefined && !levels.has(c.subgroup)) {
      throw new EvsynthError(
        'INVALID_VALUE',
        `claims[${i}] (${c.id}) names subgroup '${c.subgroup}', which no row of data.csv has`,
        { file: provFile },
      );
    }
  });
  // every row needs a source: the dataset-wide one, or a non-empty `source` cell
  const hasWideSource =
    p.rows.source.file !== undefined || p.rows.source.table !== undefined || p.rows.source.repository !== undefined;
  if (!hasWideSource) {
    const j = t.header.indexOf('source');
    if (j < 0)
      throw new EvsynthError(
        'MISSING_COLUMN',
        'rows.source names no file, table or repository, so every row needs a source cell',
        { file: t.file, column: 'source' },
      );
    t.rows.forEach((r, i) => {
      if ((r[j] ?? '') === '')
        throw new EvsynthError('INVALID_VALUE', 'this row has no source', {
          file: t.file,
          line: t.lines[i] as number,
          column: 'source',
        });
    });
  }
  // risk-of-bias columns: valid judgements, and a source for them
  const rob = readRiskOfBias(t);
  if (rob !== null && p.riskOfBias === undefined)
    throw new EvsynthError(
      'INVALID_VALUE',
      `data.csv has ${rob.tool} columns; "riskOfBias" must say where the judgements come from`,
      { file: provFile },
    );
  if (rob === null && p.riskOfBias !== undefined)
    throw new EvsynthError('INVALID_VALUE', `"riskOfBias" is given but data.csv has no risk-of-bias columns`, {
      file: provFile,
    });
  if (rob !== null && p.riskOfBias !== undefined && rob.tool !== p.riskOfBias.tool)
    throw new EvsynthError(
      'INVALID_VALUE',
      `riskOfBias.tool is '${p.riskOfBias.tool}' but data.csv has ${rob.tool} columns`,
      { file: provFile },
    );
  // a study_id column must hold unique, non-empty ids
  studyKeys(t);
  checkSharedArms(t, p, provFile);
  for (const n of p.rowNotes ?? []) {
    const label = n.row >= 1 && n.row <= t.rowCount ? t.cell(n.row - 1, t.header.indexOf('study')) : undefined;
    if (label !== n.study)
      throw new EvsynthError('INVALID_VALUE', `rowNotes: row ${n.row} is '${label ?? 'missing'}', not '${n.study}'`, {
        file: provFile,
      });
  }
}

/** Every shared-arm id in the column is declared once, names at least two rows, and every declared group is used. */
function checkSharedArms(t: DataTable, p: Provenance, provFile: string): void {
  const sa = p.sharedArms;
  const column = sa?.column;
  if (sa === undefined || column === undefined) return;
  const j = t.header.indexOf(column);
  if (j < 0)
    throw new EvsynthError('MISSING_COLUMN', `sharedArms.column '${column}' is not a column of data.csv`, {
      file: provFile,
      column,
    });
  const declared = new Set(sa.groups.map((g) => g.id));
  if (declared.size !== sa.groups.length)
    throw new EvsynthError('INVALID_VALUE', 'sharedArms.groups declares an id twice', { file: provFile });
  const counts = new Map<string, number>();
  t.rows.forEach((r, i) => {
    const id = (r[j] ?? '').trim();
    if (id === '') return;
    if (!declared.has(id))
      throw new EvsynthError('INVALID_VALUE', `shared arm '${id}' is not declared in sharedArms.groups`, {
        file: t.file,
        line: t.lines[i] as number,
        column,
      });
    counts.set(id, (counts.get(id) ?? 0) + 1);
  });
  for (const g of sa.groups)
    if ((counts.get(g.id) ?? 0) < 2)
      throw new EvsynthError(
        'INVALID_VALUE',
        `sharedArms: '${g.id}' names ${counts.get(g.id) ?? 0} row(s) of data.csv; a shared arm needs at least two`,
        {
          file: provFile,
        },
      );
}

/** Whether `path` is a dataset folder (a folder with a provenance.json), e.g. one written by `evsynth import`. */
function isDatasetFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, 'provenance.json'));
}

/** A bundled dataset by name, or any dataset folder by path (`datasets/my-review-1.1`). */
export function loadDatasetAt(nameOrPath: string): Dataset {
  if (isDatasetFolder(nameOrPath)) {
    const dir = resolve(nameOrPath);
    return loadDataset(basename(dir), dirname(dir));
  }
  return loadDataset(nameOrPath);
}

/** A dataset name, a dataset folder or a CSV path: bundled datasets win only when no such file exists. */
export function resolveInput(nameOrPath: string, csv: CsvOptions = {}): { table: DataTable; dataset: Dataset | null } {
  if (nameOrPath === '-') return { table: readCsv('-', csv), dataset: null };
  if (isDatasetFolder(nameOrPath)) {
    const dataset = loadDatasetAt(nameOrPath);
    if (dataset.table === null)
      throw new EvsynthError('INVALID_ARGUMENT', `dataset '${nameOrPath}' has no study rows`, { file: nameOrPath });
    return { table: dataset.table, dataset };
  }
  if (existsSync(nameOrPath)) return { table: readCsv(nameOrPath, csv), dataset: null };
  if (listDatasetNames().includes(nameOrPath)) {
    const dataset = loadDataset(nameOrPath);
    if (dataset.table === null) {
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `dataset '${nameOrPath}' has no study rows (${dataset.provenance.rows.missing ?? 'see its provenance'}); its template is ${join(dataset.dir, dataset.provenance.rows.template ?? '')}`,
      );
    }
    return { table: dataset.table, dataset };
  }
  throw new EvsynthError(
    'FILE_NOT_FOUND',
    `no file or dataset '${nameOrPath}' (datasets: ${listDatasetNames().join(', ')})`,
  );
}
