/**
 * `evsynth reproduce`: recompute every published claim of a dataset with the review's own
 * method and compare it with the printed number at the printed precision.
 */
import { RATIO_MEASURES, type Measure } from '../effects/registry.ts';
import { numericColumn, stringColumn, studyLabels, type DataTable } from '../io/csv.ts';
import { effectColumnsFromTable } from '../effects/from-table.ts';
import type { Dataset } from '../evidence/datasets.ts';
import type { Provenance } from '../evidence/provenance.ts';
import type {
  Claim,
  ClaimKind,
  CountClaim,
  FindingClaim,
  FindingDirection,
  NotPrintedClaim,
  PooledClaim,
  SubgroupDifferenceClaim,
} from '../evidence/claims.ts';
import { checkPublishedConsistency, parsePrintedP } from './consistency.ts';
import { subgroupAnalysis } from './subgroup-analysis.ts';
import { participantsOf } from './pooled-summary.ts';
import { metaAnalysis, pooledEstimate, studyWeights, type AnalysisOptions } from './meta-analysis.ts';
import { resolveAnalysisOptions } from './request.ts';

/**
 * Verdicts, from strongest to weakest evidence:
 * - `reproduced`: recomputed from the study rows and equal at the printed precision (numbers), or
 *   agreeing (direction, significance, counts);
 * - `differs`: recomputed from the rows and not equal;
 * - `consistent`: no rows, but the claim agrees with another published claim it points at (`against`),
 *   e.g. a guideline's sentence with the review's printed estimate and CI;
 * - `inconsistent`: the published numbers contradict one another (estimate outside its CI, P against
 *   the CI), or the claim contradicts the published claim it points at;
 * - `not checkable`: stated, and nothing this project holds can check it.
 */
export const VERDICTS = ['reproduced', 'differs', 'consistent', 'inconsistent', 'not checkable'] as const;
export type Verdict = (typeof VERDICTS)[number];

export type CheckKind = ClaimKind | 'study-effect' | 'study-ci' | 'study-weight';

/** What a verdict rests on. */
export type CheckBasis = 'rows' | 'published' | 'internal' | 'none';

export interface ClaimCheck {
  /** Claim id, or "<study> (row n): effect|CI|weight" for per-study claims. */
  readonly claim: string;
  readonly kind: CheckKind;
  readonly description: string;
  /** As published; a CI as [lower, upper]; null for claims without a number. */
  readonly published: number | readonly [number, number] | null;
  readonly recomputed: number | readonly [number, number] | null;
  /** Largest absolute difference over the compared numbers. */
  readonly difference: number | null;
  readonly tolerance: number | null;
  /** Decimals the published number was printed with. */
  readonly decimals: number;
  readonly verdict: Verdict;
  /** rows: recomputed from the study rows; published: compared with another published claim; internal: the claim's own numbers checked against one another; none. */
  readonly basis: CheckBasis;
  readonly detail: string;
}

export interface DatasetReproduction {
  readonly dataset: string;
  readonly title: string;
  readonly rowsStatus: Provenance['rows']['status'];
  /** Why rows are missing (rows.missing of the provenance), and the template to fill. */
  readonly missing: string | null;
  readonly template: string | null;
  readonly k: number;
  readonly model: string;
  readonly checks: readonly ClaimCheck[];
  readonly counts: Readonly<Record<Verdict, number>>;
}

/** Finds the claim a reference (`claim-id` or `dataset#claim-id`) points at. */
export type ClaimResolver = (ref: string, from: Dataset | null) => { claim: Claim; dataset: Dataset | null } | null;

/** Resolves references within one dataset only. */
export function localResolver(ref: string, from: Dataset | null): { claim: Claim; dataset: Dataset | null } | null {
  if (from === null || ref.includes('#')) return null;
  const claim = from.provenance.claims.find((c) => c.id === ref);
  return claim ? { claim, dataset: from } : null;
}

/** Resolves `claim-id` within the dataset and `dataset#claim-id` across the bundled datasets (loaded once each). */
export function datasetResolver(load: (name: string) => Dataset): ClaimResolver {
  const cache = new Map<string, Dataset>();
  return (ref, from) => {
    const hash = ref.indexOf('#');
    if (hash < 0) return localResolver(ref, from);
    const name = ref.slice(0, hash),
      id = ref.slice(hash + 1);
    let ds = cache.get(name);
    if (ds === undefined) {
      ds = load(name);
      cache.set(name, ds);
    }
    const claim = ds.provenance.claims.find((c) => c.id === id);
    return claim ? { claim, dataset: ds } : null;
  };
}

export function countVerdicts(checks: readonly ClaimCheck[]): Record<Verdict, number> {
  return Object.fromEntries(VERDICTS.map((v) => [v, checks.filter((c) => c.verdict === v).length])) as Record<
    Verdict,
    number
  >;
}

/**
 * The review's model as evsynth options, through the one request builder: its method, test, SMD variant,
 * preset (e.g. `revman5` for an analysis imported from RevMan) and level; REML when the model is unknown.
 */
export function reviewOptions(p: Provenance): AnalysisOptions {
  const m = p.model;
  return resolveAnalysisOptions(
    {
      ...(m ? { method: m.method } : {}),
      ...(m?.test ? { test: m.test } : {}),
      ...(m?.smd ? { smd: m.smd } : {}),
      ...(m?.preset ? { preset: m.preset } : {}),
      ...(m?.level !== undefined ? { level: m.level } : {}),
    },
    { measure: p.measure },
  );
}

/** Half a unit in the last printed decimal, with a hair of slack for binary floating point. */
function printedTolerance(decimals: number): number {
  return 0.5 * 10 ** -decimals * (1 + 1e-9) + 1e-12;
}

function verdictOf(diff: number, tol: number): Verdict {
  return diff <= tol ? 'reproduced' : 'differs';
}

/** The claim's numbers recomputed from the dataset's rows with the review's model. */
interface Recomputed {
  readonly k: number;
  /** Distinct study labels among the rows pooled. */
  readonly studies: number;
  /** Σ(n1i + n2i) (or Σ ni) over the rows pooled; null when the rows have no group sizes. */
  readonly participants: number | null;
  readonly estimate: number;
  readonly ciLower: number;
  readonly ciUpper: number;
  readonly pValue: number;
  readonly statistic: number;
  readonly tau2: number | null;
  readonly QE: number;
  readonly QEdf: number;
  readonly QEp: number;
  readonly I2: number;
}

/** The rows a claim is about, or why there are none. */
function claimRows(claim: Claim, ds: Dataset | null, wholeAnalysis = false): { rows: number[] } | { why: string } {
  if (ds === null) return { why: 'no dataset holds the study rows of this source' };
  const p = ds.provenance;
  if (ds.table === null) return { why: 'no study rows in the dataset' };
  if (!(claim.fromRows ?? p.rows.status === 'complete'))
    return { why: 'the dataset rows are not the rows the review pooled for this claim' };
  let rows = ds.table.rows.map((_, i) => i);
  if (!wholeAnalysis && claim.subgroup !== undefined && p.subgroupColumn !== undefined) {
    const g = stringColumn(ds.table, p.subgroupColumn);
    rows = rows.filter((i) => g[i] === claim.subgroup);
  }
  return { rows };
}

function recompute(ds: Dataset, rows: readonly number[]): Recomputed {
  const t = ds.table as DataTable;
  const labels = studyLabels(t);
  const options = reviewOptions(ds.provenance);
  const columns = effectColumnsFromTable(t, rows);
  const rowLabels = rows.map((i) => labels[i] as string);
  const a = metaAnalysis(columns, rowLabels, options);
  const used = a.studies.rows.map((r) => rows[r] as number);
  const participants = participantsOf(t, used);
  const m = a.model;
  const e = pooledEstimate(a);
  // RevMan's heterogeneity of a Mantel-Haenszel random-effects analysis is Cochran's Q about the
  // Mantel-Haenszel estimate, the Q its τ² comes from (Deeks & Higgins 2010): that of the MH fit.
  const het =
    options.tau2From === 'mantel-haenszel' &&
    options.method === 'DL' &&
    (options.measure === 'OR' || options.measure === 'RR' || options.measure === 'RD')
      ? metaAnalysis(columns, rowLabels, { ...options, method: 'MH' }).model.fit
      : m.fit;
  return {
    k: a.studies.yi.length,
    studies: new Set(used.map((i) => labels[i])).size,
    participants,
    estimate: e.estimate,
    ciLower: e.ciLower,
    ciUpper: e.ciUpper,
    pValue: e.pValue,
    statistic: e.statistic,
    tau2: m.kind === 'rma' ? m.fit.tau2 : null,
    QE: het.QE,
    QEdf: het.QEdf,
    QEp: het.QEp,
    I2: het.I2,
  };
}

/** One compared number: published vs recomputed at a printed precision. */
interface Comparison {
  readonly what: string;
  readonly ok: boolean;
  readonly diff: number;
  readonly text: string;
}
function compareNumber(what: string, pub: number, rec: number, decimals: number): Comparison {
  const diff = Math.abs(pub - rec);
  return {
    what,
    ok: diff <= printedTolerance(decimals),
    diff,
    text: `${what} ${pub.toFixed(decimals)} vs ${rec.toFixed(decimals + 2)}`,
  };
}
function compareP(what: string, printed: string, rec: number): Comparison {
  const p = parsePrintedP(printed);
  const ok = p !== null && rec >= p.lower && rec <= p.upper;
  return { what, ok, diff: 0, text: `${what} ${printed} vs ${rec.toPrecision(3)}` };
}
function compareExact(what: string, pub: number, rec: number): Comparison {
  return { what, ok: pub === rec, diff: Math.abs(pub - rec), text: `${what} ${pub} vs ${rec}` };
}
const summarize = (cs: readonly Comparison[]) => {
  const bad = cs.filter((c) => !c.ok);
  return (
    bad.length ? `differs: ${bad.map((c) => c.text).join('; ')}` : `agrees: ${cs.map((c) => c.text).join('; ')}`
  ).replace(/; $/, '');
};

type Base = Pick<ClaimCheck, 'claim' | 'kind' | 'description'>;
const baseOf = (c: Claim): Base => ({ claim: c.id, kind: c.kind, description: c.description });
function notCheckable(c: Claim, detail: string, basis: CheckBasis = 'none'): ClaimCheck {
  return {
    ...baseOf(c),
    published: null,
    recomputed: null,
    difference: null,
    tolerance: null,
    decimals: 0,
    verdict: 'not checkable',
    basis,
    detail,
  };
}

function checkPooled(claim: PooledClaim, ds: Dataset | null, resolve: ClaimResolver): ClaimCheck {
  const ratio = claim.scale === 'natural';
  const cons = checkPublishedConsistency(
    claim.estimate,
    claim.ciLower,
    claim.ciUpper,
    claim.pValue,
    claim.decimals,
    ratio ? Math.log : undefined,
  );
  const d = (x: number | undefined) => (x === undefined ? '' : x.toFixed(claim.decimals));
  const pubText = `${d(claim.estimate)}${claim.ciLower !== undefined ? ` (${d(claim.ciLower)} to ${d(claim.ciUpper)})` : ''}${claim.pValue ? `, P ${claim.pValue}` : ''}`;
  const base = { ...baseOf(claim), published: claim.estimate, decimals: claim.decimals };
  if (!cons.consistent)
    return {
      ...base,
      recomputed: null,
      difference: null,
      tolerance: null,
      verdict: 'inconsistent',
      basis: 'internal',
      detail: `${pubText}: ${cons.problems.join('; ')}`,
    };
  const where = claimRows(claim, ds);
  if ('rows' in where) {
    const r = recompute(ds as Dataset, where.rows);
    const show = (x: number) => (ratio ? Math.exp(x) : x);
    const cs: Comparison[] = [compareNumber('estimate', claim.estimate, show(r.estimate), claim.decimals)];
    if (claim.ciLower !== undefined && claim.ciUpper !== undefined)
      cs.push(
        compareNumber('CI lower', claim.ciLower, show(r.ciLower), claim.decimals),
        compareNumber('CI upper', claim.ciUpper, show(r.ciUpper), claim.decimals),
      );
    if (claim.pValue !== undefined) cs.push(compareP('P', claim.pValue, r.pValue));
    if (claim.z !== undefined)
      cs.push(compareNumber('|Z|', Math.abs(claim.z), Math.abs(r.statistic), claim.zDecimals ?? 2));
    if (claim.k !== undefined) cs.push(compareExact('k', claim.k, r.k));
    if (claim.participants !== undefined && r.participants !== null)
      cs.push(compareExact('participants', claim.participants, r.participants));
    const h = claim.heterogeneity;
    if (h) {
      const hd = h.decimals ?? 2;
      if (h.tau2 !== undefined && r.tau2 !== null) cs.push(compareNumber('Tau²', h.tau2, r.tau2, hd));
      if (h.chi2 !== undefined) cs.push(compareNumber('Chi²', h.chi2, r.QE, hd));
      if (h.df !== undefined) cs.push(compareExact('df', h.df, r.QEdf));
      if (h.pValue !== undefined) cs.push(compareP('P(het)', h.pValue, r.QEp));
      if (h.I2 !== undefined) cs.push(compareNumber('I²', h.I2, r.I2, h.I2Decimals ?? 0));
    }
    const ok = cs.every((c) => c.ok);
    return {
      ...base,
      recomputed: show(r.estimate),
      difference: Math.max(0, ...cs.slice(0, 3).map((c) => c.diff)),
      tolerance: printedTolerance(claim.decimals),
      verdict: ok ? 'reproduced' : 'differs',
      basis: 'rows',
      detail: `${pubText}; recomputed from ${r.k} rows: ${summarize(cs)}`,
    };
  }
  const other = claim.against !== undefined ? resolve(claim.against, ds) : null;
  if (other && other.claim.kind === 'pooled') {
    const o = other.claim;
    const dec = Math.min(claim.decimals, o.decimals);
    const cs = [compareNumber('estimate', claim.estimate, o.estimate, dec)];
    if (
      claim.ciLower !== undefined &&
      o.ciLower !== undefined &&
      claim.ciUpper !== undefined &&
      o.ciUpper !== undefined
    )
      cs.push(
        compareNumber('CI lower', claim.ciLower, o.ciLower, dec),
        compareNumber('CI upper', claim.ciUpper, o.ciUpper, dec),
      );
    const ok = cs.every((c) => c.ok);
    return {
      ...base,
      recomputed: null,
      difference: Math.max(...cs.map((c) => c.diff)),
      tolerance: printedTolerance(dec),
      verdict: ok ? 'consistent' : 'inconsistent',
      basis: 'published',
      detail: `${pubText}; ${ok ? 'the same numbers as' : 'not the numbers of'} ${claim.against}: ${d(o.estimate)}${o.ciLower !== undefined ? ` (${d(o.ciLower)} to ${d(o.ciUpper)})` : ''}`,
    };
  }
  const internal = claim.ciLower !== undefined;
  return {
    ...base,
    recomputed: null,
    difference: null,
    tolerance: null,
    verdict: 'not checkable',
    basis: internal ? 'internal' : 'none',
    detail: `${pubText}; ${where.why}${internal ? '; its estimate, CI and P agree with one another' : ''}`,
  };
}

function checkCount(claim: CountClaim, ds: Dataset | null, resolve: ClaimResolver): ClaimCheck {
  const text = [
    claim.studies !== undefined ? `${claim.studies} studies` : '',
    claim.participants !== undefined ? `${claim.participants} participants` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const base = { ...baseOf(claim), published: claim.studies ?? claim.participants ?? null, decimals: 0 };
  const where =
    claim.scope === 'analysis'
      ? claimRows(claim, ds)
      : { why: "the review's full set of studies is not in the dataset" };
  if ('rows' in where) {
    const r = recompute(ds as Dataset, where.rows);
    const cs: Comparison[] = [];
    if (claim.studies !== undefined) cs.push(compareExact('studies', claim.studies, r.studies));
    if (claim.participants !== undefined && r.participants !== null)
      cs.push(compareExact('participants', claim.participants, r.participants));
    if (cs.length === 0) return notCheckable(claim, `${text}; the rows have no group sizes`);
    const ok = cs.every((c) => c.ok);
    return {
      ...base,
      recomputed: claim.studies !== undefined ? r.studies : r.participants,
      difference: Math.max(...cs.map((c) => c.diff)),
      tolerance: 0,
      verdict: ok ? 'reproduced' : 'differs',
      basis: 'rows',
      detail: `${text}; counted in the rows: ${summarize(cs)}`,
    };
  }
  const other = claim.against !== undefined ? resolve(claim.against, ds) : null;
  if (other && (other.claim.kind === 'count' || other.claim.kind === 'pooled')) {
    const o = other.claim;
    const oStudies = o.kind === 'count' ? o.studies : o.k;
    const cs: Comparison[] = [];
    if (claim.studies !== undefined && oStudies !== undefined)
      cs.push(compareExact('studies', claim.studies, oStudies));
    if (claim.participants !== undefined && o.participants !== undefined)
      cs.push(compareExact('participants', claim.participants, o.participants));
    if (cs.length > 0) {
      const ok = cs.every((c) => c.ok);
      return {
        ...base,
        recomputed: null,
        difference: Math.max(...cs.map((c) => c.diff)),
        tolerance: 0,
        verdict: ok ? 'consistent' : 'inconsistent',
        basis: 'published',
        detail: `${text}; ${claim.against}: ${summarize(cs)}${claim.studies !== undefined && claim.participants !== undefined && cs.length < 2 ? ` (${cs[0]?.what === 'studies' ? 'participants' : 'studies'} not stated there)` : ''}`,
      };
    }
  }
  return notCheckable(claim, `${text}; ${where.why}`);
}

/** Direction and significance of an effect with CI (analysis scale, null value 0). */
function readEffect(
  estimate: number,
  lo: number,
  hi: number,
  favourable: 'lower' | 'higher' | undefined,
  p: number | null,
  alpha: number,
): { direction: FindingDirection | null; significant: boolean | null } {
  const direction =
    favourable === undefined || estimate === 0
      ? null
      : estimate < 0 === (favourable === 'lower')
        ? 'favours intervention'
        : 'favours comparator';
  const significant =
    p !== null ? p < alpha : alpha === 0.05 && Number.isFinite(lo) && Number.isFinite(hi) ? lo > 0 || hi < 0 : null;
  return { direction, significant };
}

function compareFinding(
  claim: FindingClaim,
  seen: { direction: FindingDirection | null; significant: boolean | null },
): { ok: boolean; text: string } {
  const parts: string[] = [];
  let ok = true;
  if (claim.direction !== undefined) {
    const good = seen.direction === claim.direction;
    ok &&= good;
    parts.push(`direction: stated '${claim.direction}', found '${seen.direction ?? 'none'}'`);
  }
  if (claim.significant !== undefined) {
    const good = seen.significant === claim.significant;
    ok &&= good;
    const word = (b: boolean | null) => (b === null ? 'unknown' : b ? 'significant' : 'not significant');
    parts.push(`stated ${word(claim.significant)}, found ${word(seen.significant)}`);
  }
  return { ok, text: parts.join('; ') };
}

function statedFinding(c: FindingClaim): string {
  return [
    c.direction,
    c.significant === undefined ? undefined : c.significant ? 'significant' : 'not significant',
    c.magnitude ? `'${c.magnitude}'` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}

function checkFinding(claim: FindingClaim, ds: Dataset | null, resolve: ClaimResolver): ClaimCheck {
  const alpha = claim.alpha ?? 0.05;
  const magnitude = claim.magnitude ? `; the magnitude '${claim.magnitude}' is recorded, not checked` : '';
  const base = { ...baseOf(claim), published: null, decimals: 0 };
  const where = claimRows(claim, ds);
  if ('rows' in where) {
    const r = recompute(ds as Dataset, where.rows);
    const seen = readEffect(r.estimate, r.ciLower, r.ciUpper, claim.favourable, r.pValue, alpha);
    const cmp = compareFinding(claim, seen);
    return {
      ...base,
      recomputed: r.estimate,
      difference: null,
      tolerance: null,
      verdict: cmp.ok ? 'reproduced' : 'differs',
      basis: 'rows',
      detail: `recomputed from ${r.k} rows: ${r.estimate.toFixed(3)} (${r.ciLower.toFixed(3)} to ${r.ciUpper.toFixed(3)}), P = ${r.pValue.toPrecision(2)}; ${cmp.text}${magnitude}`,
    };
  }
  const other = claim.against !== undefined ? resolve(claim.against, ds) : null;
  if (other) {
    const o = other.claim;
    let seen: { direction: FindingDirection | null; significant: boolean | null } | null = null;
    let shown = '';
    if (o.kind === 'pooled') {
      const tr = o.scale === 'natural' ? Math.log : (x: number) => x;
      const printedP = o.pValue !== undefined ? parsePrintedP(o.pValue) : null;
      const p = printedP && alpha !== 0.05 ? (printedP.upper < alpha ? 0 : printedP.lower >= alpha ? 1 : null) : null;
      const hasCI = o.ciLower !== undefined && o.ciUpper !== undefined;
      seen = readEffect(
        tr(o.estimate),
        hasCI ? tr(o.ciLower as number) : Number.NaN,
        hasCI ? tr(o.ciUpper as number) : Number.NaN,
        claim.favourable,
        p,
        alpha,
      );
      shown = `${o.estimate}${hasCI ? ` (${o.ciLower} to ${o.ciUpper})` : ' (no CI read)'}`;
    } else if (o.kind === 'finding') {
      seen = { direction: o.direction ?? null, significant: o.significant ?? null };
      shown = statedFinding(o);
    }
    if (seen !== null) {
      // compare only what both state
      const both: FindingClaim = {
        ...claim,
        ...(o.kind === 'finding' && o.direction === undefined ? { direction: undefined } : {}),
        ...(o.kind === 'finding' && o.significant === undefined ? { significant: undefined } : {}),
      } as FindingClaim;
      const cmp = compareFinding(both, seen);
      if (cmp.text !== '')
        return {
          ...base,
          recomputed: null,
          difference: null,
          tolerance: null,
          verdict: cmp.ok ? 'consistent' : 'inconsistent',
          basis: 'published',
          detail: `stated: ${statedFinding(claim)}; ${claim.against}: ${shown}; ${cmp.text}${magnitude}`,
        };
    }
  }
  return notCheckable(claim, `stated: ${statedFinding(claim)}; ${where.why}${magnitude}`);
}

function checkSubgroupDifference(
  claim: SubgroupDifferenceClaim,
  ds: Dataset | null,
  resolve: ClaimResolver,
): ClaimCheck {
  const alpha = claim.alpha ?? 0.05;
  const base = { ...baseOf(claim), published: claim.chi2 ?? null, decimals: claim.decimals ?? 0 };
  const stated = [
    claim.chi2 !== undefined ? `Chi² = ${claim.chi2}` : '',
    claim.df !== undefined ? `df = ${claim.df}` : '',
    claim.pValue !== undefined ? `P ${claim.pValue}` : '',
    claim.I2 !== undefined ? `I² = ${claim.I2}%` : '',
    claim.significant !== undefined ? (claim.significant ? 'subgroups differ' : 'no difference between subgroups') : '',
  ]
    .filter(Boolean)
    .join(', ');
  const where = claimRows(claim, ds, true);
  const col = ds?.provenance.subgroupColumn;
  if ('rows' in where && col !== undefined && ds?.table) {
    const t = ds.table;
    const rows = where.rows;
    const labels = studyLabels(t),
      groups = stringColumn(t, col);
    const s = subgroupAnalysis(
      effectColumnsFromTable(t, rows),
      rows.map((i) => labels[i] as string),
      rows.map((i) => groups[i] as string),
      col,
      reviewOptions(ds.provenance),
    );
    const test = s.test;
    if (test === null) return notCheckable(claim, `${stated}; the rows have a single subgroup`);
    const dec = claim.decimals ?? 2;
    const cs: Comparison[] = [];
    if (claim.chi2 !== undefined) cs.push(compareNumber('Chi²', claim.chi2, test.Q, dec));
    if (claim.df !== undefined) cs.push(compareExact('df', claim.df, test.df));
    if (claim.pValue !== undefined) cs.push(compareP('P', claim.pValue, test.pValue));
    if (claim.I2 !== undefined) cs.push(compareNumber('I²', claim.I2, test.I2, claim.I2Decimals ?? dec));
    if (claim.significant !== undefined)
      cs.push({
        what: 'verdict',
        ok: claim.significant === test.pValue < alpha,
        diff: 0,
        text: `stated ${claim.significant ? 'different' : 'not different'}, P = ${test.pValue.toPrecision(3)}`,
      });
    const ok = cs.every((c) => c.ok);
    return {
      ...base,
      recomputed: test.Q,
      difference: claim.chi2 !== undefined ? Math.abs(claim.chi2 - test.Q) : null,
      tolerance: claim.chi2 !== undefined ? printedTolerance(dec) : null,
      verdict: ok ? 'reproduced' : 'differs',
      basis: 'rows',
      detail: `${stated}; recomputed (separate τ² per subgroup, RevMan): ${summarize(cs)}`,
    };
  }
  const other = claim.against !== undefined ? resolve(claim.against, ds) : null;
  if (other && other.claim.kind === 'subgroup-difference') {
    const o = other.claim;
    const oSig = o.significant ?? (o.pValue !== undefined ? (parsePrintedP(o.pValue)?.upper ?? 1) < alpha : undefined);
    if (claim.significant !== undefined && oSig !== undefined) {
      const ok = claim.significant === oSig;
      return {
        ...base,
        recomputed: null,
        difference: null,
        tolerance: null,
        verdict: ok ? 'consistent' : 'inconsistent',
        basis: 'published',
        detail: `${stated}; ${claim.against} ${oSig ? 'finds a difference' : 'finds no difference'}`,
      };
    }
  }
  return notCheckable(claim, `${stated}; ${'why' in where ? where.why : 'the dataset has no subgroup column'}`);
}

/** Checks one claim: against the dataset's rows where they exist, else against the claim it points at, else not checkable. */
export function checkClaim(claim: Claim, ds: Dataset | null, resolve: ClaimResolver = localResolver): ClaimCheck {
  switch (claim.kind) {
    case 'pooled':
      return checkPooled(claim, ds, resolve);
    case 'count':
      return checkCount(claim, ds, resolve);
    case 'finding':
      return checkFinding(claim, ds, resolve);
    case 'subgroup-difference':
      return checkSubgroupDifference(claim, ds, resolve);
    case 'statement':
      return notCheckable(claim, 'stated, not checkable');
    case 'not-printed':
      return checkNotPrinted(claim, ds);
  }
}

/**
 * A result the source printed nothing (or zeros) for: not checkable, and said so, never "differs"; where the
 * rows allow, the detail gives evsynth's value for the reader.
 */
function checkNotPrinted(claim: NotPrintedClaim, ds: Dataset | null): ClaimCheck {
  const said = claim.printed === 'zeros' ? 'RevMan printed zeros where it computed nothing' : 'RevMan printed nothing';
  const where = claimRows(claim, ds);
  let computed = '';
  let value: number | null = null;
  if ('rows' in where && claim.result === 'pooled' && ds !== null) {
    try {
      const r = recompute(ds, where.rows);
      const ratio = RATIO_MEASURES.has(ds.provenance.measure);
      const show = (x: number) => (ratio ? Math.exp(x) : x);
      value = show(r.estimate);
      computed = `; evsynth computes ${value.toFixed(4)} (${show(r.ciLower).toFixed(4)} to ${show(r.ciUpper).toFixed(4)}) from ${r.k} rows, Chi² = ${r.QE.toFixed(2)}, df = ${r.QEdf}, I² = ${r.I2.toFixed(1)}%, nothing to compare it with`;
    } catch (e) {
      computed = `; evsynth cannot compute it either (${(e as Error).message})`;
    }
  }
  return {
    ...notCheckable(
      claim,
      `missing: ${said} for the ${claim.result}${claim.quote ? ` (${claim.quote})` : ''}${computed}`,
    ),
    recomputed: value,
  };
}

/** Per-study claims: RevMan's printed effect, CI and weight of every row, recomputed with the review's method. */
function checkStudies(ds: Dataset): ClaimCheck[] {
  const p = ds.provenance,
    t = ds.table,
    ps = p.perStudyClaims;
  if (t === null || ps === undefined) return [];
  const labels = studyLabels(t);
  const opts = reviewOptions(p);
  const whole = metaAnalysis(effectColumnsFromTable(t), labels, opts);
  const ratio = ps.scale === 'natural' && RATIO_MEASURES.has(p.measure as Measure);
  const show = (x: number) => (ratio ? Math.exp(x) : x);
  const effect = numericColumn(t, ps.effect),
    lo = numericColumn(t, ps.ciLower),
    hi = numericColumn(t, ps.ciUpper);
  const weightCol = ps.weight !== undefined ? numericColumn(t, ps.weight) : null;
  // weights: one fit per level of weightWithin (RevMan prints weights within subgroups)
  const weights = new Float64Array(t.rows.length).fill(Number.NaN);
  if (weightCol) {
    const within = ps.weightWithin !== undefined ? stringColumn(t, ps.weightWithin) : t.rows.map(() => '');
    for (const level of new Set(within)) {
      const rows = within.flatMap((g, i) => (g === level ? [i] : []));
      const a = metaAnalysis(
        effectColumnsFromTable(t, rows),
        rows.map((i) => labels[i] as string),
        opts,
      );
      const w = studyWeights(a);
      a.studies.rows.forEach((r, j) => {
        weights[rows[r] as number] = w[j] as number;
      });
    }
  }
  const tol = printedTolerance(ps.decimals);
  const decimals = ps.decimals;
  const weightDecimals = ps.weightDecimals ?? decimals;
  const weightTol = printedTolerance(weightDecimals);
  const pos = new Map(whole.studies.rows.map((r, j) => [r, j]));
  const checks: ClaimCheck[] = [];
  t.rows.forEach((_, i) => {
    const name = `${labels[i]} (row ${i + 1})`;
    const j = pos.get(i);
    if (Number.isNaN(effect[i] as number)) {
      checks.push({
        claim: `${name}: effect`,
        kind: 'study-effect',
        description: 'per-study effect',
        published: null,
        recomputed: j === undefined ? null : show(whole.studies.yi[j] as number),
        difference: null,
        tolerance: null,
        decimals,
        verdict: 'not checkable',
        basis: 'none',
        detail: `missing: RevMan printed no result for this row${j === undefined ? ' and none is computable' : ''}`,
      });
      return;
    }
    if (j === undefined) {
      const reason = whole.studies.excluded.find((e) => e.row === i)?.reason ?? 'not estimable';
      checks.push({
        claim: `${name}: effect`,
        kind: 'study-effect',
        description: 'per-study effect',
        published: effect[i] as number,
        recomputed: null,
        difference: null,
        tolerance: tol,
        decimals,
        verdict: 'differs',
        basis: 'rows',
        detail: `not recomputed: ${reason}`,
      });
      return;
    }
    const y = show(whole.studies.yi[j] as number);
    const d = Math.abs(y - (effect[i] as number));
    checks.push({
      claim: `${name}: effect`,
      kind: 'study-effect',
      description: 'per-study effect',
      published: effect[i] as number,
      recomputed: y,
      difference: d,
      tolerance: tol,
      decimals,
      verdict: verdictOf(d, tol),
      basis: 'rows',
      detail: '',
    });
    const l = show(whole.studyCI.lower[j] as number),
      u = show(whole.studyCI.upper[j] as number);
    const dc = Math.max(Math.abs(l - (lo[i] as number)), Math.abs(u - (hi[i] as number)));
    checks.push({
      claim: `${name}: 95% CI`,
      kind: 'study-ci',
      description: 'per-study 95% CI',
      published: [lo[i] as number, hi[i] as number],
      recomputed: [l, u],
      difference: dc,
      tolerance: tol,
      decimals,
      verdict: verdictOf(dc, tol),
      basis: 'rows',
      detail: '',
    });
    if (weightCol) {
      const w = weights[i] as number;
      const dw = Math.abs(w - (weightCol[i] as number));
      checks.push({
        claim: `${name}: weight %`,
        kind: 'study-weight',
        description: `per-study weight within ${ps.weightWithin ?? 'the analysis'}`,
        published: weightCol[i] as number,
        recomputed: w,
        difference: dw,
        tolerance: weightTol,
        decimals: weightDecimals,
        verdict: verdictOf(dw, weightTol),
        basis: 'rows',
        detail: '',
      });
    }
  });
  return checks;
}

/** Reproduces every claim of one dataset (references to other datasets' claims go through `resolve`). */
export function reproduceDataset(ds: Dataset, resolve: ClaimResolver = localResolver): DatasetReproduction {
  const p = ds.provenance;
  const checks = [...p.claims.map((c) => checkClaim(c, ds, resolve)), ...checkStudies(ds)];
  const o = reviewOptions(p);
  const model = p.model ? `${p.model.description}` : 'model not stated by the source; REML used where rows exist';
  return {
    dataset: ds.name,
    title: p.title,
    rowsStatus: p.rows.status,
    missing: p.rows.missing ?? null,
    template: p.rows.template ? `datasets/${ds.name}/${p.rows.template}` : null,
    k: ds.table?.rows.length ?? 0,
    model: `${model} [${o.method}${o.smd ? `, SMD ${o.smd}` : ''}]`,
    checks,
    counts: countVerdicts(checks),
  };
}
