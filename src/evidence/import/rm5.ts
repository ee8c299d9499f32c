/**
 * RevMan 5 review files (`.rm5`): XML whose root is `COCHRANE_REVIEW`, in the encoding its declaration
 * names (RevMan 5 writes ISO-8859-1). Read here: the title, the included studies (`STUDY` with `ID`, `NAME`,
 * `YEAR`), the risk-of-bias items (`QUALITY_ITEM`), and under `ANALYSES_AND_DATA` each comparison's outcomes
 * (`DICH_OUTCOME`, `CONT_OUTCOME`, `IV_OUTCOME`, `OE_OUTCOME`) with RevMan's pooled results as attributes
 * (`EFFECT_SIZE`, `CI_START`, `CI_END`, `CHI2`, `DF`, `P_CHI2`, `I2`, `TAU2`, `Z`, `P_Z`; the test for subgroup
 * differences `Q`, `P_Q`, `I2_Q`), the settings (`METHOD`, `RANDOM`, `EFFECT_MEASURE`, `CI_STUDY`, `CI_TOTAL`,
 * `TOTALS`, `SUBGROUPS`, `SUBGROUP_TEST`), the subgroups (`…_SUBGROUP`) and per study (`…_DATA`) the input
 * numbers and RevMan's effect, CI and weight. Pure: takes the file's bytes.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { EvsynthError } from '../../core/errors.ts';
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
  type ImportedStudy,
  type PrintedNumber,
  type PrintedPooled,
  type PrintedSubgroupTest,
  type RevmanDataType,
  type RiskOfBiasItem,
} from './review.ts';

type Node = Record<string, unknown>;

const OUTCOME_TYPES: Readonly<Record<string, RevmanDataType>> = {
  DICH: 'dichotomous',
  CONT: 'continuous',
  IV: 'generic',
  OE: 'o-e',
};
const ARRAYS = new Set([
  'STUDY',
  'COMPARISON',
  'QUALITY_ITEM',
  'QUALITY_ITEM_DATA_ENTRY',
  'P',
  'FOOTNOTE',
  ...Object.keys(OUTCOME_TYPES).flatMap((t) => [`${t}_OUTCOME`, `${t}_DATA`, `${t}_SUBGROUP`]),
]);

/** The encoding an XML declaration names (default UTF-8). */
function declaredEncoding(bytes: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  return /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1] ?? 'utf-8';
}

/** The element's text (elements with attributes keep it under '#text'). */
function text(x: unknown): string {
  if (x === undefined || x === null) return '';
  if (typeof x === 'string' || typeof x === 'number') return String(x).trim();
  if (Array.isArray(x)) return x.map(text).join(' ').trim();
  const o = x as Node;
  if (o['#text'] !== undefined) return String(o['#text']).trim();
  return Object.entries(o)
    .filter(([k]) => /^[A-Z#]/.test(k) && k === k.toUpperCase())
    .map(([, v]) => text(v))
    .filter(Boolean)
    .join(' ')
    .trim();
}

const list = (x: unknown): Node[] =>
  Array.isArray(x) ? (x as Node[]) : x === undefined || x === '' ? [] : [x as Node];
const attr = (o: Node, name: string): string => (typeof o[name] === 'string' ? (o[name] as string) : '');

/** Parses a RevMan 5 `.rm5` file. Errors name the file and what was expected. */
export function parseRm5(bytes: Uint8Array, file: string): ImportedReview {
  const encoding = declaredEncoding(bytes);
  let xml: string;
  try {
    xml = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new EvsynthError(
      'INVALID_VALUE',
      `not readable as ${encoding} (the encoding its XML declaration names); expected a RevMan 5 review file`,
      { file },
    );
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    throw new EvsynthError(
      'INVALID_VALUE',
      `not well-formed XML (line ${valid.err.line}: ${valid.err.msg}); expected a RevMan 5 review file (.rm5)`,
      { file },
    );
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    processEntities: true,
    trimValues: true,
    isArray: (name) => ARRAYS.has(name),
  }).parse(xml) as Node;
  const root = doc['COCHRANE_REVIEW'] as Node | undefined;
  if (root === undefined || typeof root !== 'object')
    throw new EvsynthError(
      'INVALID_VALUE',
      `the XML root is not COCHRANE_REVIEW (found ${Object.keys(doc)
        .filter((k) => !k.startsWith('?'))
        .join(', ')}); expected a RevMan 5 review file (.rm5)`,
      { file },
    );
  const cover = (root['COVER_SHEET'] ?? {}) as Node;
  const title = text(cover['TITLE']) || 'untitled RevMan 5 review';
  const studiesNode = ((root['STUDIES_AND_REFERENCES'] as Node | undefined)?.['STUDIES'] ?? {}) as Node;
  const studies: ImportedStudy[] = list((studiesNode['INCLUDED_STUDIES'] as Node | undefined)?.['STUDY']).map((s) => ({
    id: attr(s, 'ID'),
    name: attr(s, 'NAME'),
    ...(attr(s, 'YEAR') !== '' ? { year: attr(s, 'YEAR') } : {}),
  }));
  const byId = new Map(studies.map((s) => [s.id as string, s]));
  const notes: string[] = [];
  const analyses: ImportedAnalysis[] = [];
  const data = (root['ANALYSES_AND_DATA'] ?? {}) as Node;
  for (const cmp of list(data['COMPARISON'])) {
    const cno = attr(cmp, 'NO');
    for (const [code, dataType] of Object.entries(OUTCOME_TYPES))
      for (const out of list(cmp[`${code}_OUTCOME`]))
        analyses.push(outcome(out, code, dataType, cno, text(cmp['NAME']), byId, file));
  }
  analyses.sort((a, b) => compareNumbers(a.number, b.number));
  const reviewId = attr(root, 'ID');
  const doi = attr(root, 'DOI');
  const version = [attr(root, 'REVMAN_VERSION'), attr(root, 'REVMAN_SUB_VERSION')].filter(Boolean);
  return {
    format: 'rm5',
    file,
    title,
    ...(reviewId ? { reviewId } : {}),
    ...(doi ? { doi } : {}),
    ...(version.length ? { software: `RevMan ${version[version.length - 1]}` } : {}),
    studies,
    analyses,
    riskOfBias: qualityItems((root['QUALITY_ITEMS'] ?? {}) as Node, byId, notes),
    notes,
  };
}

function compareNumbers(a: string, b: string): number {
  const pa = a.split('.').map(Number),
    pb = b.split('.').map(Number);
  return (pa[0] ?? 0) - (pb[0] ?? 0) || (pa[1] ?? 0) - (pb[1] ?? 0);
}

function outcome(
  out: Node,
  code: string,
  dataType: RevmanDataType,
  cno: string,
  comparison: string,
  studies: ReadonlyMap<string, ImportedStudy>,
  file: string,
): ImportedAnalysis {
  const number = `${cno}.${attr(out, 'NO')}`;
  const where = `${code}_OUTCOME ${attr(out, 'ID') || number}`;
  const num = (o: Node, name: string, at: string): PrintedNumber | null =>
    printedNumber(attr(o, name), () => `${file}: ${at}, attribute ${name}`);
  const measureText = attr(out, 'EFFECT_MEASURE');
  const method =
    dataType === 'o-e'
      ? revmanMethod(attr(out, 'METHOD') || 'PETO', () => `${file}: ${where}`)
      : dataType === 'continuous' || dataType === 'generic'
        ? revmanMethod(attr(out, 'METHOD') || 'IV', () => `${file}: ${where}`)
        : revmanMethod(attr(out, 'METHOD'), () => `${file}: ${where}`);
  const rows: ImportedRow[] = [];
  const subgroupResults: { name: string; result: PrintedPooled }[] = [];
  const readRows = (parent: Node, subgroup: string) => {
    for (const d of list(parent[`${code}_DATA`])) {
      const sid = attr(d, 'STUDY_ID');
      const study = studies.get(sid);
      const at = `${where}, ${code}_DATA of ${sid}`;
      const n = (name: string) => num(d, name, at)?.value ?? null;
      const inputs: Record<string, number | null> =
        dataType === 'dichotomous'
          ? { ai: n('EVENTS_1'), n1i: n('TOTAL_1'), ci: n('EVENTS_2'), n2i: n('TOTAL_2') }
          : dataType === 'continuous'
            ? {
                n1i: n('TOTAL_1'),
                m1i: n('MEAN_1'),
                sd1i: n('SD_1'),
                n2i: n('TOTAL_2'),
                m2i: n('MEAN_2'),
                sd2i: n('SD_2'),
              }
            : dataType === 'generic'
              ? { yi: attr(d, 'LOG_EFFECT_SIZE') !== '' ? n('LOG_EFFECT_SIZE') : n('EFFECT_SIZE'), sei: n('SE') }
              : { oe: n('O_E'), v: n('VAR') };
      const footnotes = list(d['FOOTNOTE']).map(text).filter(Boolean);
      rows.push({
        study: study?.name ?? sid,
        ...(sid ? { studyId: sid } : {}),
        ...(study?.year ? { year: study.year } : {}),
        subgroup,
        inputs,
        effect: num(d, 'EFFECT_SIZE', at),
        ciLower: num(d, 'CI_START', at),
        ciUpper: num(d, 'CI_END', at),
        weight: num(d, 'WEIGHT', at),
        footnotes,
        source: `${file}: ${at}`,
      });
    }
  };
  readRows(out, '');
  for (const sg of list(out[`${code}_SUBGROUP`])) {
    const name = text(sg['NAME']);
    readRows(sg, name);
    subgroupResults.push({ name, result: pooled(sg, `${where}, ${code}_SUBGROUP ${attr(sg, 'ID') || name}`, file) });
  }
  const subgroups = attr(out, 'SUBGROUPS') === 'YES';
  const overall = pooled(out, where, file);
  const testShown = subgroups && attr(out, 'SUBGROUP_TEST') === 'YES';
  let subgroupTest: PrintedSubgroupTest | null = null;
  if (testShown) {
    const at = `${where} (test for subgroup differences)`;
    subgroupTest = {
      ...opt('chi2', num(out, 'Q', at)),
      ...opt('pValue', num(out, 'P_Q', at)),
      ...opt('I2', num(out, 'I2_Q', at)),
      quote: quoteAttrs(out, ['Q', 'P_Q', 'I2_Q']),
      source: `${file}: ${at}`,
    };
  }
  const notes: string[] = [];
  const level = (name: string) => Number(attr(out, name) || '95');
  return {
    number,
    comparison,
    name: text(out['NAME']),
    dataType,
    measure: revmanMeasure(measureText || (dataType === 'o-e' ? 'PETO_OR' : '')),
    measureText,
    method,
    random: attr(out, 'RANDOM') === 'YES',
    studyLevel: level('CI_STUDY'),
    totalLevel: level('CI_TOTAL'),
    totals: attr(out, 'TOTALS') !== 'NO',
    subgroups,
    subgroupTestShown: testShown,
    logScale: attr(out, 'LOG_DATA') === 'YES',
    ...(attr(out, 'UNITS') ? { units: attr(out, 'UNITS') } : {}),
    groupLabels: [text(out['GROUP_LABEL_1']), text(out['GROUP_LABEL_2'])],
    graphLabels: [text(out['GRAPH_LABEL_1']), text(out['GRAPH_LABEL_2'])],
    rows,
    overall,
    overallState: pooledState(overall),
    subgroupResults,
    subgroupTest,
    studyResultsState: studyResultsState(rows),
    notes,
    source: `${file}: ${where}`,
  };
}

/** RevMan 5's attributes of a pooled result (outcomes and subgroups alike). */
const RM5_POOLED: PooledNames = {
  estimate: 'EFFECT_SIZE',
  ciLower: 'CI_START',
  ciUpper: 'CI_END',
  tau2: 'TAU2',
  chi2: 'CHI2',
  df: 'DF',
  pChi2: 'P_CHI2',
  I2: 'I2',
  z: 'Z',
  pZ: 'P_Z',
  studies: 'STUDIES',
  events1: 'EVENTS_1',
  total1: 'TOTAL_1',
  events2: 'EVENTS_2',
  total2: 'TOTAL_2',
};

function quoteAttrs(o: Node, names: readonly string[]): string {
  return names
    .filter((n) => o[n] !== undefined)
    .map((n) => `${n}="${attr(o, n)}"`)
    .join(' ');
}

function opt<K extends string>(k: K, v: PrintedNumber | null): { [P in K]?: PrintedNumber } {
  return v === null ? {} : ({ [k]: v } as { [P in K]?: PrintedNumber });
}

function pooled(o: Node, where: string, file: string): PrintedPooled {
  const p = printedPooled(
    RM5_POOLED,
    (name) => printedNumber(attr(o, name), () => `${file}: ${where}, attribute ${name}`),
    (name) => attr(o, name),
    `${file}: ${where}`,
  );
  // quote every pooled attribute as the file holds it, empty ones too ("RevMan printed nothing")
  return {
    ...p,
    quote: quoteAttrs(o, ['EFFECT_SIZE', 'CI_START', 'CI_END', 'TAU2', 'CHI2', 'DF', 'P_CHI2', 'I2', 'Z', 'P_Z']),
  };
}

/** RevMan 5's answers to its risk-of-bias items: YES = low risk, NO = high risk, UNKNOWN = unclear. */
function judgement(result: string): string {
  switch (result.toUpperCase()) {
    case 'YES':
    case 'LOW':
    case 'LOW_RISK':
      return 'low';
    case 'NO':
    case 'HIGH':
    case 'HIGH_RISK':
      return 'high';
    case 'UNKNOWN':
    case 'UNCLEAR':
      return 'unclear';
    default:
      return result.toLowerCase();
  }
}

function qualityItems(node: Node, studies: ReadonlyMap<string, ImportedStudy>, notes: string[]): RiskOfBiasItem[] {
  const items: RiskOfBiasItem[] = [];
  for (const q of list(node['QUALITY_ITEM'])) {
    const name = text(q['NAME']);
    const entries = list((q['QUALITY_ITEM_DATA'] as Node | undefined)?.['QUALITY_ITEM_DATA_ENTRY']);
    const level = attr(q, 'LEVEL') === 'GROUP' ? 'group' : 'study';
    const judgements = new Map<string, { judgement: string; support: string }>();
    let perGroup = 0;
    for (const e of entries) {
      if (attr(e, 'GROUP_ID') !== '') {
        perGroup++;
        continue;
      }
      const sid = attr(e, 'STUDY_ID');
      judgements.set(studies.get(sid)?.name ?? sid, {
        judgement: judgement(attr(e, 'RESULT')),
        support: text(e['DESCRIPTION']),
      });
    }
    if (perGroup > 0)
      notes.push(
        `risk-of-bias item '${name}' has ${perGroup} judgement(s) per outcome group; they are not imported (only study-level judgements are)`,
      );
    if (judgements.size > 0)
      items.push({ name, column: `rob1_${slug(name.replace(/\?$/, ''), 40).replace(/-/g, '_')}`, level, judgements });
  }
  return items;
}
