/**
 * Rows of a Cochrane "download data" export (as collected by Pairwise70): one study row of one
 * analysis, with whichever inputs the analysis type uses and what RevMan printed for it.
 */
import { parse } from 'csv-parse/browser/esm/sync';
import { isNumberCell } from '../io/csv.ts';

export interface ExportRow {
  readonly file: string;
  /** 1-based line in the file. */
  readonly line: number;
  readonly review: string;
  readonly doi: string;
  /** "1.2" */
  readonly analysis: string;
  readonly analysisName: string;
  readonly subgroup: string;
  readonly study: string;
  readonly year: string;
  /** Numeric inputs (null = empty/NA). */
  readonly n: Readonly<Record<NumericField, number | null>>;
  /** Printed per-study result (null when RevMan printed none). */
  readonly weight: number | null;
  readonly printed: { readonly mean: number; readonly lo: number; readonly hi: number } | null;
  /** Set when a cell could not be read as a number. */
  readonly malformed: string | null;
}

const NUMERIC_FIELDS = [
  'GIV.Mean',
  'GIV.SE',
  'Experimental.mean',
  'Experimental.SD',
  'Experimental.cases',
  'Experimental.N',
  'Control.mean',
  'Control.SD',
  'Control.cases',
  'Control.N',
  'O.E',
  'Variance',
  'Weight',
  'Mean',
  'CI.start',
  'CI.end',
] as const;
export type NumericField = (typeof NUMERIC_FIELDS)[number];

/** Parses one review's export. Malformed cells never throw: the row carries the problem. */
export function parseExport(text: string, file: string): ExportRow[] {
  const records = parse(text, {
    columns: true,
    skip_empty_lines: true,
    relax_column_count: true,
    bom: true,
    info: true,
  }) as unknown as { record: Record<string, string>; info: { lines: number } }[];
  const review = file.replace(/^.*\//, '').replace(/\.csv$/, '');
  return records.map(({ record: r, info }) => {
    let malformed: string | null = null;
    const n = {} as Record<NumericField, number | null>;
    for (const f of NUMERIC_FIELDS) {
      const s = (r[f] ?? '').trim();
      if (s === '' || s === 'NA') n[f] = null;
      else if (isNumberCell(s)) n[f] = Number(s);
      else {
        n[f] = null;
        malformed ??= `column '${f}' holds '${s.slice(0, 30)}', not a number`;
      }
    }
    const mean = n['Mean'],
      lo = n['CI.start'],
      hi = n['CI.end'];
    return {
      file,
      line: info.lines,
      review,
      doi: r['review_doi'] ?? '',
      analysis: `${r['Analysis.group'] ?? ''}.${r['Analysis.number'] ?? ''}`,
      analysisName: r['Analysis.name'] ?? '',
      subgroup: r['Subgroup'] ?? '',
      study: r['Study'] ?? '',
      year: r['Study.year'] ?? '',
      n,
      weight: n['Weight'],
      printed: mean !== null && lo !== null && hi !== null ? { mean, lo, hi } : null,
      malformed,
    };
  });
}
