/** `evsynth import`: a Cochrane data package, a RevMan 5 file or CSV export, or a spreadsheet → datasets. */
import { dirname, resolve } from 'node:path';
import {
  importReview,
  importSpreadsheet,
  isSpreadsheet,
  readReview,
  reviewDatasets,
} from '../../evidence/import/files.ts';
import { parseColumnMap } from '../../evidence/import/spreadsheet.ts';
import type { ImportSource } from '../../evidence/import/to-dataset.ts';
import { toJson } from '../json.ts';
import { checkOutputDirectory } from '../output.ts';

export interface ImportFlags {
  out?: string;
  analysis?: string[];
  list?: boolean;
  force?: boolean;
  json?: boolean;
  citation?: string;
  doi?: string;
  url?: string;
  obtained?: string;
  repository?: string;
  commit?: string;
  licence?: string;
  map?: string;
  sheet?: string;
  measure?: string;
  title?: string;
  keepUnmapped?: boolean;
}

function sourceOf(flags: ImportFlags): ImportSource {
  const s: Record<string, string> = {};
  for (const k of ['citation', 'doi', 'url', 'obtained', 'repository', 'commit', 'licence'] as const) {
    const v = flags[k];
    if (v !== undefined) s[k] = v;
  }
  return s;
}

function runSpreadsheetImport(file: string, flags: ImportFlags): void {
  const { written, report } = importSpreadsheet(file, {
    ...(flags.out !== undefined ? { out: flags.out } : {}),
    ...(flags.map !== undefined ? { map: parseColumnMap(flags.map) } : {}),
    ...(flags.sheet !== undefined ? { sheet: flags.sheet } : {}),
    ...(flags.measure !== undefined ? { measure: flags.measure } : {}),
    ...(flags.title !== undefined ? { title: flags.title } : {}),
    ...(flags.keepUnmapped ? { keepUnmapped: true } : {}),
    source: sourceOf(flags),
    force: flags.force ?? false,
  });
  if (flags.json) {
    process.stdout.write(toJson({ file, written, ...report }) + '\n');
    return;
  }
  process.stdout.write(`${file}, sheet '${report.sheet}': ${report.rows} rows → ${written}\n`);
  for (const m of report.mapped) process.stdout.write(`  ${m.target} ← '${m.header}' (column ${m.column})\n`);
  if (report.unmapped.length > 0) process.stdout.write(`  not imported (unmapped): ${report.unmapped.join('; ')}\n`);
}

export function runImport(file: string, flags: ImportFlags): void {
  // the folder the datasets go into, checked before any work (created if missing, one level; never a chain)
  const root = flags.out !== undefined ? dirname(resolve(flags.out)) : resolve('datasets');
  if (!flags.list) checkOutputDirectory(root, flags.out !== undefined ? "--out's folder" : 'the datasets folder');
  if (isSpreadsheet(file)) {
    runSpreadsheetImport(file, flags);
    return;
  }
  const analyses = flags.analysis?.flatMap((a) =>
    a
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
  const options = {
    ...(flags.out !== undefined ? { out: flags.out } : {}),
    ...(analyses !== undefined ? { analyses } : {}),
    source: sourceOf(flags),
    force: flags.force ?? false,
  };
  if (flags.list) {
    const review = readReview(file);
    const ds = reviewDatasets(review, options);
    const list = review.analyses.map((a) => ({
      analysis: a.number,
      name: a.name,
      dataType: a.dataType,
      measure: a.measureText || a.measure,
      method: a.method,
      model: a.random ? 'random effects' : 'fixed effect',
      studies: a.rows.length,
      pooled: a.overallState,
      dataset: ds.find((d) => d.analysis === a.number)?.name ?? null,
    }));
    if (flags.json) {
      process.stdout.write(toJson({ file, title: review.title, format: review.format, root, analyses: list }) + '\n');
      return;
    }
    process.stdout.write(`${review.title} (${review.format}): ${list.length} analyses\n`);
    for (const a of list)
      process.stdout.write(
        `  ${a.analysis}  ${a.name}: ${a.dataType}, ${a.measure}, ${a.method}, ${a.model}, ${a.studies} study rows, pooled result ${a.pooled}${a.dataset ? ` → ${root}/${a.dataset}` : ''}\n`,
      );
    return;
  }
  const { review, written } = importReview(file, options);
  if (flags.json) {
    process.stdout.write(toJson({ file, title: review.title, format: review.format, written }) + '\n');
    return;
  }
  process.stdout.write(`${review.title} (${review.format}): wrote ${written.length} dataset(s)\n`);
  for (const w of written) process.stdout.write(`  ${w}\n`);
  process.stdout.write(`Check RevMan's printed results: npx evsynth reproduce ${written[0] ?? '<dataset>'}\n`);
}
