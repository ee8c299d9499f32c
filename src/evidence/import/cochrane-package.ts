/**
 * Cochrane / RevMan Web "data packages" (a review's "Download data" on the Cochrane Library; the layout R's
 * `meta::read.cdir` reads): a zip (or its unzipped folder) holding the article PDF, forest plots as SVG and
 * `…-files/…-data.zip` with
 *
 * - `…-analysis-data/…-data-rows.csv`: one row per study and analysis (inputs, RevMan's effect, CI, weight,
 *   footnotes; the columns of the Pairwise70 corpus);
 * - `…-analysis-data/…-overall-estimates-and-settings.csv`: per analysis the data type, statistical method,
 *   effect measure, analysis model, CI levels, whether subgroup and overall estimates and the test for
 *   subgroup differences are shown, totals, the pooled estimate and CI, heterogeneity (τ², χ², df, P, I²),
 *   Z and P, and the test for subgroup differences;
 * - `…-analysis-data/…-subgroup-estimates.csv`: the same per subgroup;
 * - `…-study-data/…-study-information.csv` (study, year, data source, characteristics),
 *   `…-study-data/…-risk-of-bias.csv` (per study, each domain's judgement and support), `…-included.ris`.
 *
 * Nested zips are opened in memory (fflate); nothing is extracted to disk. Pure: takes the entries' bytes.
 */
import { parse } from 'csv-parse/browser/esm/sync';
import { unzipSync } from 'fflate';
import { EvsynthError } from '../../core/errors.ts';
import { decodeText } from './revman-csv.ts';
import {
  pooledState,
  printedNumber,
  printedPooled,
  type PooledNames,
  revmanMeasure,
  revmanMethod,
  slug,
  studyResultsState,
  type ImportedAnalysis,
  type ImportedReview,
  type ImportedRow,
  type PrintedNumber,
  type PrintedSubgroupTest,
  type RevmanDataType,
  type RiskOfBiasItem,
} from './review.ts';

/** At most this many bytes are unpacked from a package (a guard against zip bombs). */
const MAX_UNPACKED = 512 * 1024 * 1024;

const WANTED = /\.(csv|zip|ris)$/i;

/**
 * The entries of a zip (nested zips expanded, their entries prefixed by the zip's path), keeping only CSV,
 * RIS and zip files. Errors name `file`.
 */
export function unzipEntries(bytes: Uint8Array, file: string, depth = 0): Map<string, Uint8Array> {
  let total = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        total += f.originalSize;
        if (total > MAX_UNPACKED)
          throw new EvsynthError('INVALID_VALUE', `unpacks to more than ${MAX_UNPACKED / 2 ** 20} MiB`, { file });
        return WANTED.test(f.name);
      },
    });
  } catch (e) {
    if (e instanceof EvsynthError) throw e;
    throw new EvsynthError(
      'INVALID_VALUE',
      `not a readable zip archive (${(e as Error).message}); expected a Cochrane data package (.zip)`,
      { file },
    );
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(entries)) {
    if (/\.zip$/i.test(name) && depth < 2)
      for (const [inner, d] of unzipEntries(data, `${file}!${name}`, depth + 1)) out.set(`${name}!${inner}`, d);
    else if (!name.endsWith('/')) out.set(name, data);
  }
  return out;
}

/** The package's names of a pooled result's fields (overall estimates and subgroup estimates alike). */
const PACKAGE_POOLED: PooledNames = {
  estimate: 'Mean',
  ciLower: 'CI start',
  ciUpper: 'CI end',
  tau2: 'Heterogeneity Tau²',
  chi2: 'Heterogeneity Chi²',
  df: 'Heterogeneity df',
  pChi2: 'Heterogeneity P',
  I2: 'Heterogeneity I²',
  z: 'Effect Z',
  pZ: 'Effect P',
  events1: 'Experimental cases',
  total1: 'Experimental N',
  events2: 'Control cases',
  total2: 'Control N',
};

const PACKAGE_FILES = {
  rows: '-data-rows.csv',
  overall: '-overall-estimates-and-settings.csv',
  subgroups: '-subgroup-estimates.csv',
  studies: '-study-information.csv',
  rob: '-risk-of-bias.csv',
} as const;

/** Whether a set of entries looks like a data package (it has the data rows and the overall estimates). */
export function isCochranePackage(names: Iterable<string>): boolean {
  const list = [...names];
  return list.some((n) => n.endsWith(PACKAGE_FILES.rows)) && list.some((n) => n.endsWith(PACKAGE_FILES.overall));
}

interface Csv {
  readonly name: string;
  readonly header: readonly string[];
  readonly rows: readonly { readonly cell: (c: string) => string; readonly line: number }[];
}

function readCsvEntry(name: string, bytes: Uint8Array, label: string): Csv {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(decodeText(bytes), {
      info: true,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as typeof records;
  } catch (e) {
    throw new EvsynthError('CSV_SYNTAX', `not valid CSV: ${(e as Error).message}`, { file: label });
  }
  const header = records[0]?.record.map((h) => h.trim()) ?? [];
  const idx = new Map(header.map((h, j) => [h, j]));
  return {
    name,
    header,
    rows: records.slice(1).map(({ record, info }) => ({
      cell: (c: string) => {
        const j = idx.get(c);
        return j === undefined ? '' : (record[j] ?? '').trim();
      },
      line: info.lines,
    })),
  };
}

function need(csv: Csv, columns: readonly string[], label: string): void {
  const missing = columns.filter((c) => !csv.header.includes(c));
  if (missing.length > 0)
    throw new EvsynthError(
      'MISSING_COLUMN',
      `column(s) ${missing.join(', ')} missing; expected the Cochrane data package layout`,
      { file: label, column: missing[0] as string },
    );
}

function dataTypeOf(text: string, where: () => string): RevmanDataType {
  const c = text.toUpperCase().replace(/[^A-Z]/g, '');
  if (c.startsWith('DICH')) return 'dichotomous';
  if (c.startsWith('CONT')) return 'continuous';
  if (c.startsWith('GEN') || c.startsWith('GIV') || c.startsWith('INV')) return 'generic';
  if (c.startsWith('OE') || c.includes('OBSERVED')) return 'o-e';
  throw new EvsynthError(
    'INVALID_VALUE',
    `${where()}: data type '${text}'; expected Dichotomous, Continuous, Generic inverse variance or O-E`,
  );
}

const yes = (s: string) => /^(true|yes|1)$/i.test(s);
const percent = (s: string) => {
  const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(s.trim());
  return m ? Number(m[1]) : 95;
};

/**
 * Parses a data package from its entries (path → bytes; nested zips already expanded, as
 * {@link unzipEntries} gives them). `file` names the package in errors and provenance.
 */
export function parseCochranePackage(entries: ReadonlyMap<string, Uint8Array>, file: string): ImportedReview {
  const find = (suffix: string) => [...entries.keys()].find((n) => n.endsWith(suffix));
  const rowsName = find(PACKAGE_FILES.rows),
    overallName = find(PACKAGE_FILES.overall);
  if (rowsName === undefined || overallName === undefined) {
    const csvs = [...entries.keys()].filter((n) => /\.csv$/i.test(n));
    throw new EvsynthError(
      'INVALID_VALUE',
      `no …${PACKAGE_FILES.rows} and …${PACKAGE_FILES.overall} inside; expected a Cochrane data package (found ${csvs.length ? csvs.map((n) => n.replace(/^.*[/!]/, '')).join(', ') : 'no CSV files'})`,
      { file },
    );
  }
  const label = (name: string) => `${file}!${name}`;
  const csv = (name: string) => readCsvEntry(name, entries.get(name) as Uint8Array, label(name));
  const rowsCsv = csv(rowsName),
    overallCsv = csv(overallName);
  need(
    rowsCsv,
    ['Analysis group', 'Analysis number', 'Study', 'Weight', 'Mean', 'CI start', 'CI end'],
    label(rowsName),
  );
  need(
    overallCsv,
    ['Analysis group', 'Analysis number', 'Analysis name', 'Data type', 'Statistical method', 'Effect measure'],
    label(overallName),
  );
  const subName = find(PACKAGE_FILES.subgroups);
  const subCsv = subName ? csv(subName) : null;
  const studiesName = find(PACKAGE_FILES.studies);
  const studiesCsv = studiesName ? csv(studiesName) : null;
  const robName = find(PACKAGE_FILES.rob);
  const robCsv = robName ? csv(robName) : null;
  const notes: string[] = [];
  const key = (r: { cell: (c: string) => string }) => `${r.cell('Analysis group')}.${r.cell('Analysis number')}`;
  const analyses: ImportedAnalysis[] = overallCsv.rows.map((o) => {
    const number = key(o);
    const where = (c: string) => () => `${label(overallName)}, line ${o.line}, column '${c}'`;
    const n = (c: string) => printedNumber(o.cell(c), where(c));
    const dataType = dataTypeOf(o.cell('Data type'), where('Data type'));
    const measureText = o.cell('Effect measure');
    const measure = revmanMeasure(measureText);
    const swap = yes(o.cell('Swap event and non-event'));
    const logScale = yes(o.cell('Log-scale data'));
    const rows: ImportedRow[] = rowsCsv.rows
      .filter((r) => key(r) === number)
      .map((r) => {
        const at = (c: string) => () => `${label(rowsName)}, line ${r.line}, column '${c}'`;
        const p = (c: string): PrintedNumber | null => printedNumber(r.cell(c), at(c));
        const v = (c: string) => p(c)?.value ?? null;
        let inputs: Record<string, number | null>;
        if (dataType === 'dichotomous') {
          const a = v('Experimental cases'),
            n1 = v('Experimental N'),
            c = v('Control cases'),
            n2 = v('Control N');
          inputs =
            swap && a !== null && n1 !== null && c !== null && n2 !== null
              ? { ai: n1 - a, n1i: n1, ci: n2 - c, n2i: n2 }
              : { ai: a, n1i: n1, ci: c, n2i: n2 };
        } else if (dataType === 'continuous')
          inputs = {
            n1i: v('Experimental N'),
            m1i: v('Experimental mean'),
            sd1i: v('Experimental SD'),
            n2i: v('Control N'),
            m2i: v('Control mean'),
            sd2i: v('Control SD'),
          };
        else if (dataType === 'generic') inputs = { yi: v('GIV Mean'), sei: v('GIV SE') };
        else inputs = { oe: v('O-E'), v: v('Variance') };
        const footnote = r.cell('Footnotes');
        const year = r.cell('Study year');
        return {
          study: r.cell('Study'),
          ...(year !== '' ? { year } : {}),
          subgroup: r.cell('Subgroup'),
          inputs,
          effect: p('Mean'),
          ciLower: p('CI start'),
          ciUpper: p('CI end'),
          weight: p('Weight'),
          footnotes: footnote ? [footnote] : [],
          source: `${label(rowsName)}, line ${r.line}`,
        };
      });
    const applicability = new Set(
      rowsCsv.rows.filter((r) => key(r) === number).map((r) => r.cell('Applicability') || 'SUBGROUP_AND_OVERALL'),
    );
    const aNotes: string[] = [];
    if (swap)
      aNotes.push(
        "The package sets 'Swap event and non-event': the imported ai and ci are the non-events (N − cases), as RevMan analysed them.",
      );
    if ([...applicability].some((a) => a !== 'SUBGROUP_AND_OVERALL'))
      aNotes.push(
        `Rows of this analysis have applicability ${[...applicability].join(', ')} (RevMan Web: some rows enter only the subgroups or only the overall total); the overall claim is recomputed from all rows and may differ for that reason.`,
      );
    const pooled = (get: (c: string) => PrintedNumber | null, text: (c: string) => string, source: string) =>
      printedPooled(PACKAGE_POOLED, get, text, source);
    const overallShown = o.cell('Overall estimates') === '' || yes(o.cell('Overall estimates'));
    const overall = overallShown ? pooled(n, o.cell, `${label(overallName)}, line ${o.line}`) : null;
    const subgroupResults = (subCsv?.rows ?? [])
      .filter((s) => key(s) === number)
      .map((s) => ({
        name: s.cell('Subgroup'),
        result: pooled(
          (c) => printedNumber(s.cell(c), () => `${label(subName as string)}, line ${s.line}, column '${c}'`),
          s.cell,
          `${label(subName as string)}, line ${s.line}`,
        ),
      }));
    const subgroups = subgroupResults.length > 0 || rows.some((r) => r.subgroup !== '');
    const testShown = subgroups && yes(o.cell('Test for subgroup differences'));
    let subgroupTest: PrintedSubgroupTest | null = null;
    if (testShown) {
      const q = n('Subgroup Chi²'),
        df = n('Subgroup df'),
        p = n('Subgroup P'),
        i2 = n('Subgroup I²');
      subgroupTest = {
        ...(q ? { chi2: q } : {}),
        ...(df ? { df } : {}),
        ...(p ? { pValue: p } : {}),
        ...(i2 ? { I2: i2 } : {}),
        quote: ['Subgroup Chi²', 'Subgroup df', 'Subgroup P', 'Subgroup I²'].map((c) => `${c} ${o.cell(c)}`).join('; '),
        source: `${label(overallName)}, line ${o.line}`,
      };
    }
    const model = o.cell('Analysis model').toLowerCase();
    const unit = o.cell('Unit of effect measure');
    return {
      number,
      comparison: o.cell('Analysis group name'),
      name: o.cell('Analysis name'),
      dataType,
      measure,
      measureText,
      method: revmanMethod(
        o.cell('Statistical method') || (dataType === 'dichotomous' ? '' : 'IV'),
        where('Statistical method'),
      ),
      random: model.startsWith('random'),
      studyLevel: percent(o.cell('Study CI')),
      totalLevel: percent(o.cell('Estimate CI')),
      totals: overallShown,
      subgroups,
      subgroupTestShown: testShown,
      logScale,
      ...(unit ? { units: unit } : {}),
      groupLabels: [o.cell('Experimental group label'), o.cell('Control group label')],
      graphLabels: ['', ''],
      rows,
      overall,
      overallState: pooledState(overall),
      subgroupResults,
      subgroupTest,
      studyResultsState: studyResultsState(rows),
      notes: aNotes,
      source: `${label(overallName)}, line ${o.line}`,
    };
  });
  const years = new Map<string, string>();
  for (const s of studiesCsv?.rows ?? []) years.set(s.cell('Study'), s.cell('Year'));
  const studies = [...years].map(([name, year]) => ({ name, ...(year ? { year } : {}) }));
  const riskOfBias = robCsv ? riskOfBiasItems(robCsv, label(robCsv.name), notes) : [];
  const groupNames = new Set(overallCsv.rows.map((o) => o.cell('Analysis group name')).filter(Boolean));
  const stem = /(\d{6,})-/.exec(rowsName)?.[1];
  return {
    format: 'cochrane-package',
    file,
    title: groupNames.size === 1 ? ([...groupNames][0] as string) : file.replace(/^.*[\\/]/, ''),
    ...(stem ? { reviewId: stem } : {}),
    software: 'RevMan Web (Cochrane data package)',
    studies,
    analyses,
    riskOfBias,
    notes,
  };
}

/** The original Cochrane tool's judgements as RevMan Web writes them ("Low risk", "Unclear risk", "High risk"). */
function rob1Judgement(s: string): string {
  const t = s.trim().toLowerCase();
  if (t === '') return '';
  if (t.startsWith('low')) return 'low';
  if (t.startsWith('high')) return 'high';
  if (t.startsWith('unclear')) return 'unclear';
  return t;
}

/**
 * The package's risk-of-bias table: columns "Domain (judgement): <name>" and "Domain (support): <name>" per
 * domain. Imported under `rob1_<name>` columns (the original Cochrane tool, RoB 1: low/unclear/high), never
 * as RoB 2's rob_d1 … rob_d5.
 */
function riskOfBiasItems(csv: Csv, label: string, notes: string[]): RiskOfBiasItem[] {
  const items: RiskOfBiasItem[] = [];
  for (const h of csv.header) {
    const m = /^Domain \(judgement\):\s*(.+)$/.exec(h);
    if (!m) continue;
    const name = (m[1] as string).trim();
    const judgements = new Map<string, { judgement: string; support: string }>();
    for (const r of csv.rows) {
      const j = rob1Judgement(r.cell(h));
      if (j !== '') judgements.set(r.cell('Study'), { judgement: j, support: r.cell(`Domain (support): ${name}`) });
    }
    const values = new Set([...judgements.values()].map((v) => v.judgement));
    if ([...values].some((v) => v === 'some concerns'))
      notes.push(
        `${label}: domain '${name}' has RoB 2 judgements ('some concerns'); imported as printed under its own column, not as rob_d1 … rob_d5 (the package does not say which RoB 2 domain or result it is)`,
      );
    items.push({
      name,
      column: `rob1_${slug(name.replace(/\?$/, ''), 40).replace(/-/g, '_')}`,
      level: 'study',
      judgements,
    });
  }
  return asRob2(items) ?? items;
}

/** RoB 2's domains (Sterne 2019) as RevMan Web may name them, and their evsynth columns. */
const ROB2_DOMAINS: readonly [RegExp, string][] = [
  [/randomi[sz]ation process/i, 'rob_d1'],
  [/deviations? from (the )?intended interventions?/i, 'rob_d2'],
  [/missing outcome data/i, 'rob_d3'],
  [/measurement of the outcome/i, 'rob_d4'],
  [/selection of the reported result/i, 'rob_d5'],
  [/^overall/i, 'rob_overall'],
];
const ROB2_LEVELS = new Set(['low', 'some concerns', 'high']);

/**
 * RoB 2 judgements under evsynth's RoB 2 columns (rob_d1 … rob_d5, rob_overall; low, some concerns, high) when
 * the table has exactly RoB 2's five domains and an overall judgement, each named as the tool names it, with
 * RoB 2's levels only; otherwise null (the items keep their own columns). Not confirmed on a real package:
 * the one sample holds the original tool's items.
 */
function asRob2(items: readonly RiskOfBiasItem[]): RiskOfBiasItem[] | null {
  if (items.length !== ROB2_DOMAINS.length) return null;
  const mapped = items.map((it) => {
    const col = ROB2_DOMAINS.find(([re]) => re.test(it.name))?.[1];
    const levels = [...it.judgements.values()].every((j) => ROB2_LEVELS.has(j.judgement));
    return col !== undefined && levels ? { ...it, column: col } : null;
  });
  if (mapped.some((m) => m === null)) return null;
  const cols = new Set(mapped.map((m) => m?.column));
  return cols.size === ROB2_DOMAINS.length ? (mapped as RiskOfBiasItem[]) : null;
}
