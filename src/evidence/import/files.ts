/**
 * `evsynth import` on files (Node only): recognises the format of a file or folder, reads it with the pure
 * readers (rm5.ts, revman-csv.ts, cochrane-package.ts), turns each analysis into a dataset and writes the
 * datasets all or nothing: into a temporary folder beside the destination, validated there as bundled
 * datasets are (loadDataset), then renamed into place.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { EvsynthError } from '../../core/errors.ts';
import { loadDataset } from '../datasets.ts';
import { isCochranePackage, parseCochranePackage, unzipEntries } from './cochrane-package.ts';
import { isRevmanCsvHeader, parseRevmanCsv, decodeText } from './revman-csv.ts';
import type { ImportedReview } from './review.ts';
import { parseRm5 } from './rm5.ts';
import { slug } from './review.ts';
import { analysisToDataset, type ImportedDataset, type ImportSource } from './to-dataset.ts';
import { spreadsheetToDataset, type SpreadsheetOptions, type SpreadsheetReport } from './spreadsheet.ts';
import { readXlsx } from './xlsx.ts';

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch {
    throw new EvsynthError('FILE_NOT_FOUND', `cannot read file '${path}'`);
  }
}

/** Every CSV, RIS and zip file under a folder (zips expanded), by path relative to it. */
function folderEntries(dir: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.zip$/i.test(e.name))
        for (const [n, b] of unzipEntries(readBytes(p), p)) out.set(`${relative(dir, p)}!${n}`, b);
      else if (/\.(csv|ris)$/i.test(e.name)) out.set(relative(dir, p), readBytes(p));
    }
  };
  walk(dir);
  return out;
}

const startsWith = (b: Uint8Array, s: string) => [...s].every((ch, i) => b[i] === ch.charCodeAt(0));

/**
 * Reads a RevMan 5 `.rm5` file, RevMan 5's CSV export, or a Cochrane data package (zip or folder). The
 * format is recognised from the content (zip signature, XML, the CSV header), not only the extension.
 */
export function readReview(path: string): ImportedReview {
  if (!existsSync(path)) throw new EvsynthError('FILE_NOT_FOUND', `no file or folder '${path}'`);
  if (statSync(path).isDirectory()) {
    const entries = folderEntries(path);
    if (!isCochranePackage(entries.keys()))
      throw new EvsynthError(
        'INVALID_VALUE',
        'a folder without …-data-rows.csv and …-overall-estimates-and-settings.csv; expected an unzipped Cochrane data package',
        { file: path },
      );
    return parseCochranePackage(entries, path);
  }
  const bytes = readBytes(path);
  const ext = extname(path).toLowerCase();
  if (startsWith(bytes, 'PK\u0003\u0004') || ext === '.zip') {
    if (ext === '.xlsx' || isWorkbook(bytes))
      throw new EvsynthError('INVALID_VALUE', 'a spreadsheet: import it with importSpreadsheet', { file: path });
    return parseCochranePackage(unzipEntries(bytes, path), path);
  }
  const head = decodeText(bytes.subarray(0, 4096))
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (ext === '.rm5' || head.startsWith('<?xml') || head.startsWith('<COCHRANE_REVIEW')) return parseRm5(bytes, path);
  const firstLine = head.split(/\r?\n/)[0] ?? '';
  const header = firstLine.split(',').map((h) => h.replace(/^"|"$/g, '').trim());
  if (isRevmanCsvHeader(header)) return parseRevmanCsv(bytes, path);
  throw new EvsynthError(
    'INVALID_VALUE',
    `not a format evsynth imports; expected a RevMan 5 review (.rm5), RevMan 5's CSV export (header "Comparison Number,Outcome Number,Subgroup Number,…"), a Cochrane data package (.zip or its folder) or a spreadsheet (.xlsx with --map)`,
    { file: path },
  );
}

export interface ImportOptions {
  /** Destination: `datasets/<name>`; with several analyses each goes to `<out>-<comparison>.<outcome>`. */
  readonly out?: string;
  /** Only these analyses ("1.1"). */
  readonly analyses?: readonly string[];
  readonly source?: ImportSource;
  /** Replace existing datasets. */
  readonly force?: boolean;
}

/** The datasets an import would write (nothing is written). */
export function reviewDatasets(review: ImportedReview, options: ImportOptions = {}): ImportedDataset[] {
  const wanted = options.analyses;
  const chosen = wanted ? review.analyses.filter((a) => wanted.includes(a.number)) : review.analyses;
  if (wanted) {
    const unknown = wanted.filter((n) => !review.analyses.some((a) => a.number === n));
    if (unknown.length > 0)
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `no analysis ${unknown.join(', ')} in the file (analyses: ${review.analyses.map((a) => a.number).join(', ')})`,
        { file: review.file },
      );
  }
  if (chosen.length === 0) throw new EvsynthError('INVALID_VALUE', 'the file holds no analysis', { file: review.file });
  const base = slug(basename(options.out ?? review.file).replace(/\.(rm5|csv|zip)$/i, ''), 60);
  return chosen.map((a) => analysisToDataset(review, a, base, chosen.length === 1, options.source));
}

/**
 * Writes datasets under `root` (each a folder `root/<name>` with data.csv and provenance.json), all or
 * nothing: written and validated in a temporary folder in `root`, then renamed into place. An existing
 * dataset is an error unless `force`.
 */
export function writeDatasets(datasets: readonly ImportedDataset[], root: string, force = false): string[] {
  // one level, never a chain: Node's recursive mkdir never returns on a path the system refuses (/proc/x/y)
  if (!existsSync(root))
    try {
      mkdirSync(root);
    } catch (e) {
      throw new EvsynthError(
        'OUTPUT_PATH',
        `cannot create the datasets folder '${root}' (${(e as { code?: string }).code ?? (e as Error).message}); expected a folder whose parent exists`,
      );
    }
  for (const d of datasets)
    if (existsSync(join(root, d.name)) && !force)
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `${join(root, d.name)} exists; expected a new dataset folder (use --force to replace it)`,
      );
  const tmp = mkdtempSync(join(root, '.evsynth-import-'));
  const moved: { to: string; backup: string | null }[] = [];
  try {
    for (const d of datasets) {
      const dir = join(tmp, d.name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'data.csv'), d.csv);
      writeFileSync(join(dir, 'provenance.json'), JSON.stringify(d.provenance, null, 2) + '\n');
      loadDataset(d.name, tmp); // the same validation as every bundled dataset
    }
    for (const d of datasets) {
      const to = join(root, d.name);
      let backup: string | null = null;
      if (existsSync(to)) {
        backup = join(tmp, `.old-${d.name}`);
        renameSync(to, backup);
      }
      renameSync(join(tmp, d.name), to);
      moved.push({ to, backup });
    }
  } catch (e) {
    for (const m of moved.reverse()) {
      rmSync(m.to, { recursive: true, force: true });
      if (m.backup) renameSync(m.backup, m.to);
    }
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof EvsynthError && e.location?.file?.startsWith(tmp))
      throw new EvsynthError(e.code, `the imported dataset would not be valid: ${e.detail}`);
    throw e;
  }
  rmSync(tmp, { recursive: true, force: true });
  return datasets.map((d) => join(root, d.name));
}

/** Imports `path` into datasets (see {@link ImportOptions}); returns the folders written. */
export function importReview(path: string, options: ImportOptions = {}): { review: ImportedReview; written: string[] } {
  const review = readReview(path);
  const datasets = reviewDatasets(review, options);
  const root = options.out ? dirname(resolve(options.out)) : resolve('datasets');
  return { review, written: writeDatasets(datasets, root, options.force ?? false) };
}

/** Whether a zip is an Excel workbook (it has xl/workbook.xml). */
function isWorkbook(bytes: Uint8Array): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 1 << 16)));
  return head.includes('xl/workbook.xml') || head.includes('[Content_Types].xml');
}

/** Whether `path` is a spreadsheet to import with {@link importSpreadsheet}. */
export function isSpreadsheet(path: string): boolean {
  if (/\.xlsx$/i.test(path)) return true;
  if (!existsSync(path) || statSync(path).isDirectory()) return false;
  const bytes = readBytes(path);
  return startsWith(bytes, 'PK\u0003\u0004') && isWorkbook(bytes);
}

/** Imports one sheet of a spreadsheet as a dataset (see spreadsheet.ts); returns the folder and the report. */
export function importSpreadsheet(
  path: string,
  options: Omit<SpreadsheetOptions, 'name'> & { readonly out?: string; readonly force?: boolean },
): { written: string; report: SpreadsheetReport } {
  const name = slug(basename(options.out ?? path).replace(/\.xlsx$/i, ''), 60);
  const { dataset, report } = spreadsheetToDataset(readXlsx(readBytes(path), path), path, { ...options, name });
  const root = options.out ? dirname(resolve(options.out)) : resolve('datasets');
  const [written] = writeDatasets([dataset], root, options.force ?? false);
  return { written: written as string, report };
}
