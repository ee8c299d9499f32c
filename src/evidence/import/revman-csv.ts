/**
 * RevMan 5's "export data" CSV (File → Export → Data and analyses; the layout R's `meta::read.rm5` reads):
 * one row per comparison (outcome number 0), per outcome (with the data type, method, measure, model and the
 * pooled results: estimate, CI, Q, P(Q), I²(Q), τ², Z, P(Z), the test for subgroup differences Qint, P(Qint),
 * I²(Qint), and df), per subgroup, and per study (events, means, SDs and totals, RevMan's effect, SE, CI and
 * weight, year, order). Study rows are told from subgroup rows by their empty `df` (a subgroup's total
 * carries its heterogeneity df). Pure: takes the file's bytes (UTF-8, else Windows-1252).
 */
import { parse } from 'csv-parse/browser/esm/sync';
import { EvsynthError } from '../../core/errors.ts';
import {
  isRatioMeasure,
  pooledState,
  printedNumber,
  printedPooled,
  type PooledNames,
  revmanMeasure,
  revmanMethod,
  studyResultsState,
  type ImportedAnalysis,
  type ImportedReview,
  type ImportedRow,
  type PrintedNumber,
  type PrintedPooled,
  type PrintedSubgroupTest,
  type RevmanDataType,
} from './review.ts';

/** The columns of RevMan 5's export, as it names them. */
export const REVMAN_CSV_COLUMNS = [
  'Comparison Number',
  'Outcome Number',
  'Subgroup Number',
  'Name',
  'Data Type',
  'Statistical Method',
  'Effect Measure',
  'Analysis Model',
  'Events 1',
  'Mean 1',
  'SD 1',
  'Total 1',
  'Events 2',
  'Mean 2',
  'SD 2',
  'Total 2',
  'Effect Estimate',
  'SE',
  'CI Start',
  'CI End',
  'Weight',
  'Q',
  'P(Q)',
  'I²(Q)',
  'Tau²',
  'Z',
  'P(Z)',
  'Qint',
  'P(Qint)',
  'I²(Qint)',
  'df',
  'Group Label 1',
  'Group Label 2',
  'Left Graph Label',
  'Right Graph Label',
  'Year of study',
  'User defined order',
] as const;
type Column = (typeof REVMAN_CSV_COLUMNS)[number];

/** The export's names of a pooled result's fields (outcome and subgroup rows alike). */
const CSV_POOLED: PooledNames = {
  estimate: 'Effect Estimate',
  ciLower: 'CI Start',
  ciUpper: 'CI End',
  tau2: 'Tau²',
  chi2: 'Q',
  df: 'df',
  pChi2: 'P(Q)',
  I2: 'I²(Q)',
  z: 'Z',
  pZ: 'P(Z)',
  events1: 'Events 1',
  total1: 'Total 1',
  events2: 'Events 2',
  total2: 'Total 2',
};

/** Decodes a text file: UTF-8 when valid (a BOM is dropped), else Windows-1252 (RevMan 5 on Windows). */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** Whether a header line is RevMan 5's export layout (its first three columns). */
export function isRevmanCsvHeader(header: readonly string[]): boolean {
  return header[0] === 'Comparison Number' && header[1] === 'Outcome Number' && header[2] === 'Subgroup Number';
}

function dataTypeOf(code: string, where: () => string): RevmanDataType {
  const c = code.toUpperCase().replace(/[^A-Z]/g, '');
  if (c.startsWith('DIC')) return 'dichotomous';
  if (c.startsWith('CON')) return 'continuous';
  if (c === 'IV' || c.startsWith('GIV') || c.startsWith('INV') || c.startsWith('GEN')) return 'generic';
  if (c === 'OE' || c.startsWith('OE')) return 'o-e';
  throw new EvsynthError(
    'INVALID_VALUE',
    `${where()}: data type '${code}'; expected DIC, CON, IV (generic inverse variance) or OE`,
  );
}

/** Parses RevMan 5's CSV export. Errors name the file, line and column. */
export function parseRevmanCsv(bytes: Uint8Array, file: string): ImportedReview {
  const textContent = decodeText(bytes);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(textContent, {
      info: true,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as typeof records;
  } catch (e) {
    throw new EvsynthError('CSV_SYNTAX', `not valid CSV (${(e as Error).message}); expected RevMan 5's export`, {
      file,
    });
  }
  const header = records[0]?.record.map((h) => h.trim()) ?? [];
  if (!isRevmanCsvHeader(header))
    throw new EvsynthError(
      'INVALID_VALUE',
      `the header is not RevMan 5's export layout; expected columns ${REVMAN_CSV_COLUMNS.slice(0, 4).join(', ')}, … (found ${header.slice(0, 4).join(', ') || 'nothing'})`,
      { file },
    );
  const missing = REVMAN_CSV_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0)
    throw new EvsynthError('MISSING_COLUMN', `RevMan 5's export needs column(s) ${missing.join(', ')}`, {
      file,
      column: missing[0] as string,
    });
  const idx = new Map(header.map((h, j) => [h, j]));
  const comparisons = new Map<string, string>();
  interface Building {
    head: { cell: (c: Column) => string; line: number };
    sub: Map<string, string>;
    subResults: { no: string; line: number; cell: (c: Column) => string }[];
    studies: { sub: string; line: number; cell: (c: Column) => string }[];
  }
  const outcomes = new Map<string, Building>();
  for (const { record, info } of records.slice(1)) {
    const cell = (c: Column) => (record[idx.get(c) as number] ?? '').trim();
    const cno = cell('Comparison Number'),
      ono = cell('Outcome Number'),
      sno = cell('Subgroup Number');
    const line = info.lines;
    if (!/^\d+$/.test(cno) || !/^\d+$/.test(ono) || !/^\d+$/.test(sno))
      throw new EvsynthError(
        'INVALID_VALUE',
        `comparison, outcome and subgroup numbers must be whole numbers (found '${cno}', '${ono}', '${sno}')`,
        { file, line, column: 'Comparison Number' },
      );
    if (ono === '0') {
      comparisons.set(cno, cell('Name'));
      continue;
    }
    const key = `${cno}.${ono}`;
    if (sno === '0' && cell('Data Type') !== '') {
      if (outcomes.has(key))
        throw new EvsynthError('INVALID_VALUE', `outcome ${key} appears twice`, { file, line, column: 'Data Type' });
      outcomes.set(key, { head: { cell, line }, sub: new Map(), subResults: [], studies: [] });
      continue;
    }
    const o = outcomes.get(key);
    if (o === undefined)
      throw new EvsynthError('INVALID_VALUE', `a row of outcome ${key} comes before the outcome's own row`, {
        file,
        line,
        column: 'Outcome Number',
      });
    if (sno !== '0' && cell('df') !== '' && !o.sub.has(sno)) {
      o.sub.set(sno, cell('Name'));
      o.subResults.push({ no: sno, line, cell });
    } else o.studies.push({ sub: sno, line, cell });
  }
  const analyses: ImportedAnalysis[] = [];
  for (const [number, o] of outcomes) {
    const h = o.head.cell;
    const at = (line: number, column: Column) => () => `${file}, line ${line}, column '${column}'`;
    const dataType = dataTypeOf(h('Data Type'), at(o.head.line, 'Data Type'));
    const measureText = h('Effect Measure');
    const measure = revmanMeasure(measureText);
    const ratio = isRatioMeasure(measure);
    const rows: ImportedRow[] = o.studies.map(({ sub, line, cell }) => {
      const n = (c: Column): PrintedNumber | null => printedNumber(cell(c), at(line, c));
      const v = (c: Column) => n(c)?.value ?? null;
      let inputs: Record<string, number | null>;
      if (dataType === 'dichotomous')
        inputs = { ai: v('Events 1'), n1i: v('Total 1'), ci: v('Events 2'), n2i: v('Total 2') };
      else if (dataType === 'continuous')
        inputs = {
          n1i: v('Total 1'),
          m1i: v('Mean 1'),
          sd1i: v('SD 1'),
          n2i: v('Total 2'),
          m2i: v('Mean 2'),
          sd2i: v('SD 2'),
        };
      else if (dataType === 'generic') {
        const e = v('Effect Estimate');
        inputs = { yi: e === null ? null : ratio ? Math.log(e) : e, sei: v('SE') };
      } else
        throw new EvsynthError(
          'INVALID_VALUE',
          `outcome ${number} is an O−E analysis; RevMan 5's CSV export has no O−E and variance columns (import the .rm5 file instead)`,
          { file, line },
        );
      const year = cell('Year of study');
      return {
        study: cell('Name'),
        ...(year !== '' ? { year } : {}),
        subgroup: sub === '0' ? '' : (o.sub.get(sub) ?? `subgroup ${sub}`),
        inputs,
        effect: n('Effect Estimate'),
        ciLower: n('CI Start'),
        ciUpper: n('CI End'),
        weight: n('Weight'),
        footnotes: [],
        source: `${file}, line ${line}`,
      };
    });
    const pooledOf = (cell: (c: Column) => string, line: number, what: string): PrintedPooled =>
      printedPooled(
        CSV_POOLED,
        (c) => printedNumber(cell(c as Column), at(line, c as Column)),
        (c) => cell(c as Column),
        `${file}, line ${line} (${what})`,
        '(empty)',
      );
    const overall = pooledOf(h, o.head.line, `outcome ${number}`);
    const subgroupResults = o.subResults.map((s) => ({
      name: s.cell('Name'),
      result: pooledOf(s.cell, s.line, `subgroup ${s.no} of outcome ${number}`),
    }));
    let subgroupTest: PrintedSubgroupTest | null = null;
    if (subgroupResults.length > 0) {
      const n = (c: Column) => printedNumber(h(c), at(o.head.line, c));
      const q = n('Qint'),
        p = n('P(Qint)'),
        i2 = n('I²(Qint)');
      subgroupTest = {
        ...(q ? { chi2: q } : {}),
        ...(p ? { pValue: p } : {}),
        ...(i2 ? { I2: i2 } : {}),
        quote: `Qint ${h('Qint')}; P(Qint) ${h('P(Qint)')}; I²(Qint) ${h('I²(Qint)')}`,
        source: `${file}, line ${o.head.line} (test for subgroup differences)`,
      };
    }
    const model = h('Analysis Model').toLowerCase();
    const notes = [
      "RevMan 5's CSV export does not state the CI level; 95% assumed (RevMan's default).",
      "RevMan 5's CSV export does not state whether totals are shown; the outcome row's pooled result is taken as the overall total.",
    ];
    analyses.push({
      number,
      comparison: comparisons.get(number.split('.')[0] as string) ?? '',
      name: h('Name'),
      dataType,
      measure,
      measureText,
      method: revmanMethod(
        h('Statistical Method') || (dataType === 'dichotomous' ? '' : 'IV'),
        at(o.head.line, 'Statistical Method'),
      ),
      random: model.startsWith('random'),
      studyLevel: 95,
      totalLevel: 95,
      totals: true,
      subgroups: subgroupResults.length > 0,
      subgroupTestShown: subgroupResults.length > 0,
      logScale: dataType === 'generic' && ratio,
      groupLabels: [h('Group Label 1'), h('Group Label 2')],
      graphLabels: [h('Left Graph Label'), h('Right Graph Label')],
      rows,
      overall,
      overallState: pooledState(overall),
      subgroupResults,
      subgroupTest,
      studyResultsState: studyResultsState(rows),
      notes,
      source: `${file}, line ${o.head.line}`,
    });
  }
  const years = new Map<string, string>();
  for (const a of analyses) for (const r of a.rows) if (r.year && !years.has(r.study)) years.set(r.study, r.year);
  const title = comparisons.size === 1 ? ([...comparisons.values()][0] as string) : file.replace(/^.*[\\/]/, '');
  return {
    format: 'revman5-csv',
    file,
    title,
    software: 'RevMan 5 (CSV export)',
    studies: [...years].map(([name, year]) => ({ name, year })),
    analyses,
    riskOfBias: [],
    notes: [],
  };
}
