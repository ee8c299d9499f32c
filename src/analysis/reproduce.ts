/**
 * `evsynth reproduce`: recompute every published claim of a dataset with the review's own
 * method and compare it with the printed number at the printed precision.
 */
import { EvsynthError } from '../core/errors.ts';
import { RATIO_MEASURES, type Measure } from '../effects/types.ts';
import { numericColumn, stringColumn, studyLabels } from '../io/csv.ts';
import { effectColumnsFromTable } from '../effects/from-table.ts';
import type { Dataset } from '../io/datasets.ts';
import type { PooledClaim, Provenance } from '../io/provenance.ts';
import { checkPublishedConsistency } from './consistency.ts';
import { metaAnalysis, parsePoolingMethod, type AnalysisOptions, type MetaAnalysis } from './meta-analysis.ts';

const VERDICTS = ['reproduced', 'differs', 'no study rows', 'inconsistent'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface ClaimCheck {
  /** Claim id, or "<study> (row n): effect|CI|weight" for per-study claims. */
  readonly claim: string;
  readonly kind: 'pooled' | 'study-effect' | 'study-ci' | 'study-weight';
  readonly description: string;
  /** As published; a CI as [lower, upper]. */
  readonly published: number | readonly [number, number] | null;
  readonly recomputed: number | readonly [number, number] | null;
  /** Largest absolute difference over the compared numbers. */
  readonly difference: number | null;
  readonly tolerance: number | null;
  /** Decimals the published number was printed with. */
  readonly decimals: number;
  readonly verdict: Verdict;
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

/** The review's model as evsynth options (REML when the review's model is unknown). */
export function reviewOptions(p: Provenance): AnalysisOptions {
  const m = p.model;
  return {
    measure: p.measure,
    method: m ? parsePoolingMethod(m.method) : 'REML',
    ...(m?.test ? { test: m.test } : {}),
    ...(m?.smd ? { smd: m.smd } : {}),
  };
}

/** Half a unit in the last printed decimal, with a hair of slack for binary floating point. */
function printedTolerance(decimals: number): number {
  return 0.5 * 10 ** -decimals * (1 + 1e-9) + 1e-12;
}

function verdictOf(diff: number, tol: number): Verdict {
  return diff <= tol ? 'reproduced' : 'differs';
}

function checkPooled(claim: PooledClaim, ds: Dataset): ClaimCheck {
  const p = ds.provenance;
  const ratio = claim.scale === 'natural';
  const cons = checkPublishedConsistency(
    claim.estimate,
    claim.ciLower,
    claim.ciUpper,
    claim.pValue,
    claim.decimals,
    ratio ? Math.log : undefined,
  );
  const published: ClaimCheck['published'] = claim.estimate;
  const base = {
    claim: claim.id,
    kind: 'pooled' as const,
    description: claim.description,
    published,
    decimals: claim.decimals,
  };
  const d = (x: number | undefined) => (x === undefined ? '' : x.toFixed(claim.decimals));
  const pubText = `${d(claim.estimate)}${claim.ciLower !== undefined ? ` (${d(claim.ciLower)} to ${d(claim.ciUpper)})` : ''}${claim.pValue ? `, P ${claim.pValue}` : ''}`;
  if (!cons.consistent) {
    return {
      ...base,
      recomputed: null,
      difference: null,
      tolerance: null,
      verdict: 'inconsistent',
      detail: `${pubText}: ${cons.problems.join('; ')}`,
    };
  }
  const fromRows = claim.fromRows ?? p.rows.status === 'complete';
  if (ds.table === null || !fromRows) {
    const why =
      ds.table === null
        ? 'no study rows in the dataset'
        : 'the dataset rows are not the rows the review pooled for this claim';
    return {
      ...base,
      recomputed: null,
      difference: null,
      tolerance: null,
      verdict: 'no study rows',
      detail: `${pubText}; ${why}`,
    };
  }
  const t = ds.table;
  let rows = t.rows.map((_, i) => i);
  if (claim.subgroup !== undefined && p.subgroupColumn !== undefined) {
    const g = stringColumn(t, p.subgroupColumn);
    rows = rows.filter((i) => g[i] === claim.subgroup);
  }
  const labels = studyLabels(t);
  const a = metaAnalysis(
    effectColumnsFromTable(t, rows),
    rows.map((i) => labels[i] as string),
    reviewOptions(p),
  );
  const pooled = pooledOf(a);
  const show = (x: number) => (ratio ? Math.exp(x) : x);
  const est = show(pooled.estimate);
  const tol = printedTolerance(claim.decimals);
  let diff = Math.abs(est - claim.estimate);
  let recomputed: ClaimCheck['recomputed'] = est;
  if (claim.ciLower !== undefined && claim.ciUpper !== undefined) {
    const lo = show(pooled.ciLower),
      hi = show(pooled.ciUpper);
    diff = Math.max(diff, Math.abs(lo - claim.ciLower), Math.abs(hi - claim.ciUpper));
    recomputed = est;
    return {
      ...base,
      recomputed,
      difference: diff,
      tolerance: tol,
      verdict: verdictOf(diff, tol),
      detail: `${pubText}; recomputed ${est.toFixed(claim.decimals)} (${lo.toFixed(claim.decimals)} to ${hi.toFixed(claim.decimals)}), k = ${a.studies.yi.length}`,
    };
  }
  return {
    ...base,
    recomputed,
    difference: diff,
    tolerance: tol,
    verdict: verdictOf(diff, tol),
    detail: `${pubText}; recomputed ${est.toFixed(claim.decimals)}, k = ${a.studies.yi.length}`,
  };
}

function pooledOf(a: MetaAnalysis): { estimate: number; ciLower: number; ciUpper: number } {
  if (a.model.kind === 'pooled') return a.model.fit;
  const c = a.model.fit.coefficients[0];
  if (c === undefined) throw new EvsynthError('INVALID_VALUE', 'no pooled estimate');
  return { estimate: c.estimate, ciLower: c.ciLower, ciUpper: c.ciUpper };
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
      const w =
        a.model.kind === 'pooled'
          ? Array.from(a.studies.rows, (r) => a.model.fit.weights[r] as number)
          : Array.from(a.model.fit.weights);
      a.studies.rows.forEach((r, j) => {
        weights[rows[r] as number] = w[j] as number;
      });
    }
  }
  const tol = printedTolerance(ps.decimals);
  const decimals = ps.decimals;
  const pos = new Map(whole.studies.rows.map((r, j) => [r, j]));
  const checks: ClaimCheck[] = [];
  t.rows.forEach((_, i) => {
    const name = `${labels[i]} (row ${i + 1})`;
    const j = pos.get(i);
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
        tolerance: tol,
        decimals,
        verdict: verdictOf(dw, tol),
        detail: '',
      });
    }
  });
  return checks;
}

/** Reproduces every claim of one dataset. */
export function reproduceDataset(ds: Dataset): DatasetReproduction {
  const p = ds.provenance;
  const checks = [...p.claims.map((c) => checkPooled(c, ds)), ...checkStudies(ds)];
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, checks.filter((c) => c.verdict === v).length])) as Record<
    Verdict,
    number
  >;
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
    counts,
  };
}
