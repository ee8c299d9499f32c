/** `evsynth update` and `evsynth diff`: add rows to a dataset or compare two versions, and say what moved. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { compareVersions, type EvidenceDiff, type Version } from '../../analysis/evidence-diff.ts';
import { datasetResolver } from '../../analysis/reproduce.ts';
import { EvsynthError } from '../../core/errors.ts';
import { mergeRows } from '../../evidence/update.ts';
import { parseCsv, formatCsv, type DataTable } from '../../io/csv.ts';
import { readCsv } from '../../io/csv-file.ts';
import { DATASETS_ROOT, listDatasetNames, loadDataset, type Dataset } from '../../evidence/datasets.ts';
import type { HistoryEntry } from '../../evidence/provenance.ts';
import { formatDiffMarkdown, formatDiffText } from '../../report/diff-text.ts';
import { toJson } from '../json.ts';
import { requestFromFlags, type FitFlags } from '../options.ts';
import { checkOutputPath, writeOutput } from '../output.ts';

export interface DiffFlags extends FitFlags {
  mid?: number;
  format?: 'text' | 'md' | 'json';
}
export interface UpdateFlags extends DiffFlags {
  out?: string;
  write?: boolean;
  source?: string;
  description?: string;
  date?: string;
}

/** The bundled dataset whose data.csv `path` is, if any. */
function datasetOfPath(path: string): Dataset | null {
  const rel = relative(DATASETS_ROOT, resolve(path));
  const parts = rel.split(sep);
  if (parts.length === 2 && parts[1] === 'data.csv' && listDatasetNames().includes(parts[0] as string))
    return loadDataset(parts[0] as string);
  return null;
}

/**
 * One version: a CSV file, a bundled dataset's name, or `REV:path` for a file as committed in git revision REV
 * (read with `git show REV:./path`, the path relative to the current directory).
 */
function resolveVersion(spec: string): Version {
  if (existsSync(spec)) return { table: readCsv(spec), dataset: datasetOfPath(spec), label: spec };
  if (listDatasetNames().includes(spec)) {
    const dataset = loadDataset(spec);
    if (dataset.table === null)
      throw new EvsynthError('INVALID_ARGUMENT', `dataset '${spec}' has no study rows to compare`);
    return { table: dataset.table, dataset, label: spec };
  }
  const m = /^([^:]+):(.+)$/.exec(spec);
  if (m) {
    const [, rev, path] = m as unknown as [string, string, string];
    let text: string;
    try {
      text = execFileSync('git', ['show', `${rev}:${path.startsWith('/') ? path : `./${path}`}`], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (e) {
      const msg = String((e as { stderr?: string }).stderr ?? (e as Error).message)
        .trim()
        .split('\n')[0];
      throw new EvsynthError('FILE_NOT_FOUND', `cannot read '${spec}' from git: ${msg}`);
    }
    const dataset = datasetOfPath(path);
    return { table: parseCsv(text, spec), dataset, label: spec };
  }
  throw new EvsynthError(
    'FILE_NOT_FOUND',
    `no file or dataset '${spec}' (give a CSV file, a dataset name, or REV:path for a git revision, e.g. HEAD~1:datasets/x/data.csv)`,
  );
}

function print(d: EvidenceDiff, format: DiffFlags['format']): void {
  process.stdout.write(
    format === 'json' ? toJson(d) + '\n' : format === 'md' ? formatDiffMarkdown(d) : formatDiffText(d),
  );
}

const formatOf = (flags: DiffFlags) => (flags.json ? 'json' : flags.format);

function diffOptions(flags: DiffFlags) {
  return {
    request: requestFromFlags(flags),
    ...(flags.mid !== undefined ? { mid: flags.mid } : {}),
    resolve: datasetResolver((n) => loadDataset(n)),
  };
}

export function runDiff(before: string, after: string, flags: DiffFlags): void {
  print(compareVersions(resolveVersion(before), resolveVersion(after), diffOptions(flags)), formatOf(flags));
}

const today = () => new Date().toISOString().slice(0, 10);

export function runUpdate(base: string, newRows: string, flags: UpdateFlags): void {
  if (flags.out !== undefined) checkOutputPath(flags.out, '--out', [base, newRows]); // before any work
  const before = resolveVersion(base);
  const add = readCsv(newRows);
  const merged = mergeRows(before.table, add, flags.out ?? before.table.file);
  const after: Version = { table: merged.table, dataset: before.dataset, label: `${before.label} + ${newRows}` };
  const d = compareVersions(before, after, diffOptions(flags));
  print(d, formatOf(flags));
  if (flags.out !== undefined) {
    writeOutput(flags.out, formatCsv(merged.table.header, merged.table.rows));
    process.stderr.write(`wrote ${flags.out}\n`);
  }
  if (flags.write) {
    const ds = before.dataset;
    if (ds === null || ds.dataFile === null)
      throw new EvsynthError('INVALID_ARGUMENT', '--write updates a bundled dataset; for a CSV file use --out');
    if (flags.source === undefined)
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        '--write needs --source: where the new rows come from (paper, table, page)',
      );
    writeDatasetUpdate(ds, merged.table, {
      date: flags.date ?? today(),
      description:
        flags.description ?? `${merged.added.length} row(s) added, ${merged.replaced.length} replaced (evsynth update)`,
      source: flags.source,
      ...(merged.added.length ? { added: merged.added } : {}),
      ...(merged.replaced.length ? { changed: merged.replaced } : {}),
    });
    process.stderr.write(`updated ${ds.dataFile} and the history in ${join(ds.dir, 'provenance.json')}\n`);
  }
}

/**
 * Writes a dataset's new rows and appends `entry` to its provenance history, then validates the dataset;
 * if it no longer validates, both files are restored and the error is raised.
 */
export function writeDatasetUpdate(ds: Dataset, table: DataTable, entry: HistoryEntry): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(entry.date))
    throw new EvsynthError('INVALID_ARGUMENT', `--date '${entry.date}': expected YYYY-MM-DD`);
  const dataFile = ds.dataFile as string;
  const provFile = join(ds.dir, 'provenance.json');
  const oldData = readFileSync(dataFile, 'utf8'),
    oldProv = readFileSync(provFile, 'utf8');
  const prov = JSON.parse(oldProv) as { history?: HistoryEntry[] };
  prov.history = [...(prov.history ?? []), entry];
  writeFileSync(dataFile, formatCsv(table.header, table.rows));
  writeFileSync(provFile, JSON.stringify(prov, null, 2) + '\n');
  try {
    loadDataset(ds.name, resolve(ds.dir, '..'));
  } catch (e) {
    writeFileSync(dataFile, oldData);
    writeFileSync(provFile, oldProv);
    throw e;
  }
}
