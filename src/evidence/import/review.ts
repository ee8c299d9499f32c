/**
 * What evsynth reads from a Cochrane review in any of its formats (RevMan 5 `.rm5`, RevMan 5's CSV export,
 * a Cochrane / RevMan Web data package, a data-extraction spreadsheet), before it becomes datasets: the
 * studies, each analysis with its settings and study rows, what RevMan printed for it (pooled, subgroup
 * and heterogeneity results, per-study effects and weights), and the risk-of-bias judgements.
 *
 * The readers (`rm5.ts`, `revman-csv.ts`, `cochrane-package.ts`) fill this model; `to-dataset.ts` turns it
 * into `data.csv` + `provenance.json`. Pure (no file access): usable in the browser.
 *
 * RevMan's conventions: Deeks JJ, Higgins JPT (2010), "Statistical algorithms in Review Manager 5";
 * Cochrane Handbook v6.4 ch. 10.
 */
import { EvsynthError } from '../../core/errors.ts';

/** A number as the file holds it: its value and its text (the text gives the printed precision). */
export interface PrintedNumber {
  readonly value: number;
  readonly text: string;
}

/** The source formats evsynth imports. */
export type ImportFormat = 'rm5' | 'revman5-csv' | 'cochrane-package';

/** RevMan's data types of an outcome. */
export type RevmanDataType = 'dichotomous' | 'continuous' | 'generic' | 'o-e';

/** RevMan's effect measures (its codes; Peto's odds ratio as PETO_OR). */
export type RevmanMeasure = 'OR' | 'RR' | 'RD' | 'PETO_OR' | 'MD' | 'SMD' | 'HR' | 'RATE_RATIO' | 'OTHER';

/** RevMan's statistical methods. */
export type RevmanMethod = 'MH' | 'IV' | 'PETO';

/** The pooled result of an analysis or a subgroup as RevMan printed (or stored) it. */
export interface PrintedPooled {
  readonly estimate?: PrintedNumber;
  readonly ciLower?: PrintedNumber;
  readonly ciUpper?: PrintedNumber;
  readonly tau2?: PrintedNumber;
  readonly chi2?: PrintedNumber;
  readonly df?: PrintedNumber;
  readonly pChi2?: PrintedNumber;
  readonly I2?: PrintedNumber;
  readonly z?: PrintedNumber;
  readonly pZ?: PrintedNumber;
  readonly studies?: number;
  readonly events1?: number;
  readonly total1?: number;
  readonly events2?: number;
  readonly total2?: number;
  /** The exact text of the source (attributes or cells) the numbers were read from. */
  readonly quote: string;
  /** Where in the file. */
  readonly source: string;
}

/** The test for subgroup differences as printed. */
export interface PrintedSubgroupTest {
  readonly chi2?: PrintedNumber;
  readonly df?: PrintedNumber;
  readonly pValue?: PrintedNumber;
  readonly I2?: PrintedNumber;
  readonly quote: string;
  readonly source: string;
}

/** One study row of an analysis: its inputs as entered and RevMan's per-study result. */
export interface ImportedRow {
  /** The study label as printed. */
  readonly study: string;
  /** RevMan's study identifier (e.g. STD-ISIS_x002d_2), when the format has one. */
  readonly studyId?: string;
  readonly year?: string;
  /** Subgroup name ('' without subgroups). */
  readonly subgroup: string;
  /** Inputs by evsynth column name (ai, n1i, ci, n2i; n1i, m1i, sd1i, …; yi, sei; oe, v). */
  readonly inputs: Readonly<Record<string, number | null>>;
  /** RevMan's per-study effect, CI (on the printed scale) and weight (%); null where it printed none. */
  readonly effect: PrintedNumber | null;
  readonly ciLower: PrintedNumber | null;
  readonly ciUpper: PrintedNumber | null;
  readonly weight: PrintedNumber | null;
  readonly footnotes: readonly string[];
  /** Where in the file. */
  readonly source: string;
}

/** Whether RevMan printed a pooled result, printed nothing (empty fields), or printed zeros where it computed nothing. */
export type PrintedState = 'printed' | 'nothing' | 'zeros';

export interface ImportedAnalysis {
  /** "1.1": comparison and outcome number. */
  readonly number: string;
  readonly comparison: string;
  readonly name: string;
  readonly dataType: RevmanDataType;
  readonly measure: RevmanMeasure;
  /** The measure as the file names it ("Odds Ratio", "OR"). */
  readonly measureText: string;
  readonly method: RevmanMethod;
  readonly random: boolean;
  /** CI levels (percent) of the studies and of the totals. */
  readonly studyLevel: number;
  readonly totalLevel: number;
  /** Whether the analysis shows overall totals, subgroups, the test for subgroup differences. */
  readonly totals: boolean;
  readonly subgroups: boolean;
  readonly subgroupTestShown: boolean;
  /** Generic inverse variance: estimates entered on the log scale (ratio measures). */
  readonly logScale: boolean;
  /** Continuous outcomes: the units, when given. */
  readonly units?: string;
  readonly groupLabels: readonly [string, string];
  readonly graphLabels: readonly [string, string];
  readonly rows: readonly ImportedRow[];
  readonly overall: PrintedPooled | null;
  readonly overallState: PrintedState;
  readonly subgroupResults: readonly { readonly name: string; readonly result: PrintedPooled }[];
  readonly subgroupTest: PrintedSubgroupTest | null;
  /** Per-study results: printed, empty, or zeros where RevMan computed nothing. */
  readonly studyResultsState: PrintedState;
  /** Anything the reader noticed (settings it could not confirm, values it left out). */
  readonly notes: readonly string[];
  /** Where in the file. */
  readonly source: string;
}

export interface ImportedStudy {
  readonly id?: string;
  readonly name: string;
  readonly year?: string;
}

/** One risk-of-bias item (RevMan 5's "quality items", RevMan Web's domains). */
export interface RiskOfBiasItem {
  /** The item as the review names it ("Allocation concealment?"). */
  readonly name: string;
  /** The evsynth column it is imported to. */
  readonly column: string;
  /** Study-level or outcome-group-level (RevMan 5 LEVEL="GROUP": judged per outcome group). */
  readonly level: 'study' | 'group';
  /** Judgement per study label: low, unclear, high (or 'not applicable' where the source says so). */
  readonly judgements: ReadonlyMap<string, { readonly judgement: string; readonly support: string }>;
}

export interface ImportedReview {
  readonly format: ImportFormat;
  /** The file as given on the command line (or the package's name). */
  readonly file: string;
  readonly title: string;
  readonly reviewId?: string;
  readonly doi?: string;
  readonly software?: string;
  readonly studies: readonly ImportedStudy[];
  readonly analyses: readonly ImportedAnalysis[];
  /** The original Cochrane risk-of-bias tool's items (RoB 1: low/unclear/high), never relabelled as RoB 2. */
  readonly riskOfBias: readonly RiskOfBiasItem[];
  readonly notes: readonly string[];
}

/** A number read from a cell or attribute: null when empty (or NA); an error naming `where` when not a number. */
export function printedNumber(text: string | undefined, where: () => string): PrintedNumber | null {
  const s = (text ?? '').trim();
  if (s === '' || s === 'NA' || s === '#N/A') return null;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s))
    throw new EvsynthError('INVALID_VALUE', `${where()}: '${s.slice(0, 40)}' is not a number`);
  return { value: Number(s), text: s };
}

const MEASURE_NAMES: Readonly<Record<string, RevmanMeasure>> = {
  OR: 'OR',
  ODDSRATIO: 'OR',
  RR: 'RR',
  RISKRATIO: 'RR',
  RELATIVERISK: 'RR',
  RD: 'RD',
  RISKDIFFERENCE: 'RD',
  PETOOR: 'PETO_OR',
  PETOODDSRATIO: 'PETO_OR',
  MD: 'MD',
  MEANDIFFERENCE: 'MD',
  WMD: 'MD',
  SMD: 'SMD',
  STDMEANDIFFERENCE: 'SMD',
  STANDARDIZEDMEANDIFFERENCE: 'SMD',
  STANDARDISEDMEANDIFFERENCE: 'SMD',
  HR: 'HR',
  HAZARDRATIO: 'HR',
  RATERATIO: 'RATE_RATIO',
};

/** RevMan's effect measure from its code or name ("OR", "Odds Ratio", "Std. Mean Difference"); OTHER when unknown. */
export function revmanMeasure(text: string): RevmanMeasure {
  const key = text.toUpperCase().replace(/[^A-Z]/g, '');
  return MEASURE_NAMES[key] ?? 'OTHER';
}

/** RevMan's statistical method from its code or name ("MH", "Mantel-Haenszel", "IV", "Inverse Variance", "Peto"). */
export function revmanMethod(text: string, where: () => string): RevmanMethod {
  const key = text.toUpperCase().replace(/[^A-Z]/g, '');
  if (key === 'MH' || key === 'MANTELHAENSZEL') return 'MH';
  if (key === 'IV' || key === 'INVERSEVARIANCE') return 'IV';
  if (key === 'PETO' || key === 'EXPOE') return 'PETO';
  throw new EvsynthError(
    'INVALID_VALUE',
    `${where()}: statistical method '${text}'; expected MH (Mantel-Haenszel), IV (inverse variance) or Peto`,
  );
}

/** Ratio measures are printed exponentiated (RevMan's forest plots, exports and pooled results). */
export function isRatioMeasure(m: RevmanMeasure): boolean {
  return m === 'OR' || m === 'RR' || m === 'PETO_OR' || m === 'HR' || m === 'RATE_RATIO';
}

/** A name usable as a dataset name and CSV column: lower case ASCII letters, digits and hyphens. */
export function slug(text: string, max = 40): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return (s.length > max ? s.slice(0, max).replace(/-+$/, '') : s) || 'x';
}

/** Whether every one of the numbers is zero (RevMan Web writes zeros where it computed nothing). */
function allZero(xs: readonly (PrintedNumber | null | undefined)[]): boolean {
  const present = xs.filter((x): x is PrintedNumber => x !== null && x !== undefined);
  return present.length > 0 && present.every((x) => x.value === 0);
}

type PooledNumberField = 'estimate' | 'ciLower' | 'ciUpper' | 'tau2' | 'chi2' | 'df' | 'pChi2' | 'I2' | 'z' | 'pZ';
type PooledCountField = 'studies' | 'events1' | 'total1' | 'events2' | 'total2';

/** Each format's names (columns or attributes) for the fields of a pooled result; a format may lack some. */
export type PooledNames = Readonly<Record<PooledNumberField, string>> &
  Readonly<Partial<Record<PooledCountField, string>>>;

const NUMBER_FIELDS: readonly PooledNumberField[] = [
  'estimate',
  'ciLower',
  'ciUpper',
  'tau2',
  'chi2',
  'df',
  'pChi2',
  'I2',
  'z',
  'pZ',
];
const COUNT_FIELDS: readonly PooledCountField[] = ['studies', 'events1', 'total1', 'events2', 'total2'];

/**
 * A pooled result from a source whose fields have the given `names`: `get` reads a field by its name (null
 * when empty), `text` gives its raw text for the quote; empty fields are quoted as `empty` when it is given,
 * else left out of the quote.
 */
export function printedPooled(
  names: PooledNames,
  get: (name: string) => PrintedNumber | null,
  text: (name: string) => string,
  source: string,
  empty?: string,
): PrintedPooled {
  const out: Record<string, PrintedNumber | number> = {};
  for (const f of NUMBER_FIELDS) {
    const x = get(names[f]);
    if (x !== null) out[f] = x;
  }
  for (const f of COUNT_FIELDS) {
    const name = names[f];
    const x = name === undefined ? null : get(name);
    if (x !== null) out[f] = x.value;
  }
  return {
    ...(out as Omit<PrintedPooled, 'quote' | 'source'>),
    quote: NUMBER_FIELDS.map((f) => names[f])
      .filter((n) => empty !== undefined || text(n) !== '')
      .map((n) => `${n} ${text(n) || empty}`)
      .join('; '),
    source,
  };
}

/**
 * Whether a pooled result was printed, left empty, or printed as zeros: a pooled estimate of 0 with a CI of
 * 0 to 0 is RevMan Web's "not computed" (no real CI has zero width).
 */
export function pooledState(p: PrintedPooled | null): PrintedState {
  if (p === null || p.estimate === undefined) return 'nothing';
  if (allZero([p.estimate, p.ciLower, p.ciUpper]) && p.ciLower !== undefined) return 'zeros';
  return 'printed';
}

/** Per-study results: printed, all empty, or all zeros (effect 0 with CI 0 to 0 and weight 0). */
export function studyResultsState(rows: readonly ImportedRow[]): PrintedState {
  if (rows.length === 0 || rows.every((r) => r.effect === null)) return 'nothing';
  if (rows.every((r) => allZero([r.effect, r.ciLower, r.ciUpper, r.weight]) || r.effect === null)) return 'zeros';
  return 'printed';
}
