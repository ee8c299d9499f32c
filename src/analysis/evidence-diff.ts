/**
 * `evsynth update` and `evsynth diff`: what changed between two versions of a dataset's rows, and whether a
 * conclusion moved. Rows are matched by stable study keys (evidence/study-id.ts); both versions are analysed
 * with the same request through {@link analyzeTable}; the flags compare the two analyses' headline numbers:
 *
 * - the CI now excludes / includes the null (0 on the analysis scale; 1 for ratio measures);
 * - the CI now crosses / no longer crosses a minimal important difference the user gives (±MID on the
 *   analysis scale for difference measures; for ratio measures MID is a ratio > 1 and the thresholds are
 *   MID and 1/MID), or the estimate moves across it;
 * - the direction of the estimate changes;
 * - I² moves between the Cochrane Handbook's bands (§10.10.2, evidence/heterogeneity-bands.ts);
 * - the test for subgroup differences changes its verdict at `alpha`;
 *
 * and, for a bundled dataset, its published claims are re-checked on both versions (reproduce).
 */
import { EvsynthError } from '../core/errors.ts';
import { RATIO_MEASURES, type Measure } from '../effects/registry.ts';
import { i2Bands, i2BandText } from '../evidence/heterogeneity-bands.ts';
import { studyKeys, STUDY_ID_COLUMN } from '../evidence/study-id.ts';
import { hasColumn, studyLabels, tableFromRows, type DataTable } from '../io/csv.ts';
import type { Dataset } from '../evidence/datasets.ts';
import { analyzeTable, overallOf } from './analyze.ts';
import { pooledSummary, type PooledSummary } from './pooled-summary.ts';
import { countVerdicts, reproduceDataset, type ClaimResolver, type Verdict } from './reproduce.ts';
import type { AnalysisRequest, RequestContext } from './request.ts';

/** One version of a dataset's rows. */
export interface Version {
  readonly table: DataTable;
  /** The bundled dataset the rows belong to (its provenance gives defaults and claims), if any. */
  readonly dataset: Dataset | null;
  /** How the user named it: a file, a dataset, or REV:path. */
  readonly label: string;
}

export interface DiffOptions {
  readonly request: AnalysisRequest;
  readonly context?: RequestContext;
  /** Minimal important difference (see the module's doc comment for its scale). */
  readonly mid?: number;
  /** Significance level of the flags on the null and the subgroup test (default 0.05). */
  readonly alpha?: number;
  /** Resolves claims that point at other datasets' claims. */
  readonly resolve?: ClaimResolver;
}

export interface RowRef {
  readonly key: string;
  readonly label: string;
  /** File line of the row in its version. */
  readonly line: number;
}
export interface RowChange extends RowRef {
  readonly columns: readonly { readonly column: string; readonly before: string; readonly after: string }[];
}

export interface RowsDiff {
  /** How rows were matched. */
  readonly basis: string;
  readonly added: readonly RowRef[];
  readonly removed: readonly RowRef[];
  readonly changed: readonly RowChange[];
  readonly unchanged: number;
}

export type FlagKind = 'null' | 'mid' | 'direction' | 'heterogeneity' | 'subgroup-test';

export interface ConclusionFlag {
  readonly kind: FlagKind;
  readonly text: string;
}

export interface ScopeDiff {
  /** 'overall' or the subgroup level. */
  readonly scope: string;
  readonly before: PooledSummary | null;
  readonly after: PooledSummary | null;
  readonly flags: readonly ConclusionFlag[];
}

export interface SubgroupTestSummary {
  readonly Q: number;
  readonly df: number;
  readonly pValue: number;
  readonly I2: number;
}

export interface ClaimChange {
  readonly claim: string;
  readonly description: string;
  readonly before: Verdict;
  readonly after: Verdict;
  readonly detail: string;
}

export interface EvidenceDiff {
  readonly before: string;
  readonly after: string;
  readonly measure: Measure;
  readonly ratio: boolean;
  readonly method: string;
  readonly by: string | null;
  readonly mid: number | null;
  readonly alpha: number;
  readonly rows: RowsDiff;
  readonly scopes: readonly ScopeDiff[];
  readonly subgroupTest: {
    readonly before: SubgroupTestSummary | null;
    readonly after: SubgroupTestSummary | null;
    readonly flag: ConclusionFlag | null;
  } | null;
  /** Claims re-checked on both versions (bundled datasets with claims); null otherwise. */
  readonly claims: {
    readonly changed: readonly ClaimChange[];
    /** Verdicts of the published claims (pooled, count, finding, subgroup-difference, statement). */
    readonly before: Readonly<Record<Verdict, number>>;
    readonly after: Readonly<Record<Verdict, number>>;
    /** Verdicts of the per-study printed values (effects, CIs, weights); new rows have none. */
    readonly studiesBefore: Readonly<Record<Verdict, number>>;
    readonly studiesAfter: Readonly<Record<Verdict, number>>;
  } | null;
  /** Every flag of every scope, in order: the overall analysis first. */
  readonly flags: readonly ConclusionFlag[];
}

/** The keys of both versions: study_id when both have it, else the documented fallback for both. */
function keysOf(before: DataTable, after: DataTable): { b: readonly string[]; a: readonly string[]; basis: string } {
  const both = hasColumn(before, STUDY_ID_COLUMN) && hasColumn(after, STUDY_ID_COLUMN);
  const strip = (t: DataTable): DataTable => {
    if (!hasColumn(t, STUDY_ID_COLUMN)) return t;
    const j = t.header.indexOf(STUDY_ID_COLUMN);
    const keep = (r: readonly string[]) => r.filter((_, i) => i !== j);
    return tableFromRows(t.file, keep(t.header), t.rows.map(keep), Array.from(t.lines), t);
  };
  const kb = studyKeys(both ? before : strip(before)),
    ka = studyKeys(both ? after : strip(after));
  const basis =
    both || (!hasColumn(before, STUDY_ID_COLUMN) && !hasColumn(after, STUDY_ID_COLUMN))
      ? ka.basis
      : `${ka.basis}; only one version has a ${STUDY_ID_COLUMN} column, so it is not used`;
  return { b: kb.keys, a: ka.keys, basis };
}

/** Rows added, removed and changed (any cell of a column of either version), matched by study key. */
export function diffRows(before: DataTable, after: DataTable): RowsDiff {
  const { b, a, basis } = keysOf(before, after);
  const lb = studyLabels(before),
    la = studyLabels(after);
  const posB = new Map(b.map((k, i) => [k, i])),
    posA = new Map(a.map((k, i) => [k, i]));
  // when only one version has study ids, the new id column is not a change of the rows
  const idsBoth = hasColumn(before, STUDY_ID_COLUMN) && hasColumn(after, STUDY_ID_COLUMN);
  const columns = [...new Set([...before.header, ...after.header])].filter((c) => idsBoth || c !== STUDY_ID_COLUMN);
  const cell = (t: DataTable, row: number, col: string) => {
    const j = t.header.indexOf(col);
    return j < 0 ? '' : (t.rows[row]?.[j] ?? '');
  };
  const added: RowRef[] = [],
    removed: RowRef[] = [],
    changed: RowChange[] = [];
  let unchanged = 0;
  a.forEach((key, i) => {
    const j = posB.get(key);
    if (j === undefined) {
      added.push({ key, label: la[i] as string, line: after.lines[i] as number });
      return;
    }
    const diffs = columns
      .map((column) => ({ column, before: cell(before, j, column), after: cell(after, i, column) }))
      .filter((d) => d.before !== d.after);
    if (diffs.length > 0) changed.push({ key, label: la[i] as string, line: after.lines[i] as number, columns: diffs });
    else unchanged++;
  });
  b.forEach((key, j) => {
    if (!posA.has(key)) removed.push({ key, label: lb[j] as string, line: before.lines[j] as number });
  });
  return { basis, added, removed, changed, unchanged };
}

/** The thresholds of a minimal important difference on the analysis scale. */
function midThresholds(mid: number, ratio: boolean): [number, number] {
  if (!(Number.isFinite(mid) && mid > 0) || (ratio && mid === 1))
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      ratio
        ? `--mid ${mid}: expected a ratio other than 1 (e.g. 1.25, read as the thresholds 0.8 and 1.25)`
        : `--mid ${mid}: expected a positive difference on the measure's scale (read as ±${mid})`,
    );
  if (ratio) {
    const l = Math.abs(Math.log(mid));
    return [-l, l];
  }
  return [-mid, mid];
}

/** The flags between two headline summaries of one scope. */
function scopeFlags(
  scope: string,
  b: PooledSummary | null,
  a: PooledSummary | null,
  ratio: boolean,
  mid: number | null,
  show: (x: number) => string,
): ConclusionFlag[] {
  if (b === null || a === null) return [];
  const flags: ConclusionFlag[] = [];
  const where = scope === 'overall' ? 'overall' : `subgroup ${scope}`;
  const nullValue = ratio ? '1' : '0';
  const excludes = (s: PooledSummary) => s.ciLower > 0 || s.ciUpper < 0;
  const ci = (s: PooledSummary) => `${show(s.estimate)} (${show(s.ciLower)} to ${show(s.ciUpper)})`;
  if (excludes(b) !== excludes(a))
    flags.push({
      kind: 'null',
      text: `${where}: the CI now ${excludes(a) ? 'excludes' : 'includes'} the null (${nullValue}): ${ci(b)} → ${ci(a)}`,
    });
  if (mid !== null) {
    for (const t of midThresholds(mid, ratio)) {
      const crosses = (s: PooledSummary) => s.ciLower < t && s.ciUpper > t;
      const beyond = (s: PooledSummary) => (t < 0 ? s.estimate <= t : s.estimate >= t);
      const label = `the MID ${show(t)}`;
      if (crosses(b) !== crosses(a))
        flags.push({
          kind: 'mid',
          text: `${where}: the CI ${crosses(a) ? 'now crosses' : 'no longer crosses'} ${label}: ${ci(b)} → ${ci(a)}`,
        });
      if (beyond(b) !== beyond(a))
        flags.push({
          kind: 'mid',
          text: `${where}: the estimate is ${beyond(a) ? 'now beyond' : 'no longer beyond'} ${label}: ${show(b.estimate)} → ${show(a.estimate)}`,
        });
    }
  }
  if (Math.sign(b.estimate) !== Math.sign(a.estimate))
    flags.push({
      kind: 'direction',
      text: `${where}: the direction of the estimate changed: ${show(b.estimate)} → ${show(a.estimate)}`,
    });
  if (b.k > 1 && a.k > 1 && i2Bands(b.I2).join() !== i2Bands(a.I2).join())
    flags.push({
      kind: 'heterogeneity',
      text: `${where}: I² ${b.I2.toFixed(0)}% → ${a.I2.toFixed(0)}%, from '${i2BandText(b.I2)}' to '${i2BandText(a.I2)}' heterogeneity (Cochrane Handbook §10.10.2)`,
    });
  return flags;
}

type Fitted = {
  overall: PooledSummary | null;
  levels: Map<string, PooledSummary>;
  test: SubgroupTestSummary | null;
  measure: Measure;
  method: string;
};

function fitVersion(v: Version, request: AnalysisRequest, context: RequestContext): Fitted {
  const { options, result } = analyzeTable(v.table, request, context);
  const levels = new Map<string, PooledSummary>();
  let test: SubgroupTestSummary | null = null;
  if (result.kind === 'subgroups') {
    for (const l of result.analysis.levels) levels.set(l.level, pooledSummary(l.analysis, v.table));
    const t = result.analysis.test;
    if (t) test = { Q: t.Q, df: t.df, pValue: t.pValue, I2: t.I2 };
  }
  return {
    overall: pooledSummary(overallOf(result), v.table),
    levels,
    test,
    measure: options.measure,
    method: String(options.method),
  };
}

/** Compares two versions of a dataset's rows (see the module's doc comment). */
export function compareVersions(before: Version, after: Version, options: DiffOptions): EvidenceDiff {
  const alpha = options.alpha ?? 0.05;
  const ds = after.dataset ?? before.dataset;
  const context: RequestContext = options.context ?? (ds ? { measure: ds.provenance.measure } : {});
  const byDefault = ds?.provenance.subgroupColumn;
  const by =
    options.request.by ??
    (byDefault !== undefined && hasColumn(before.table, byDefault) && hasColumn(after.table, byDefault)
      ? byDefault
      : undefined);
  const request: AnalysisRequest = { ...options.request, ...(by !== undefined ? { by } : {}) };
  const fb = fitVersion(before, request, context),
    fa = fitVersion(after, request, context);
  const ratio = RATIO_MEASURES.has(fa.measure);
  const show = (x: number) => (ratio ? Math.exp(x) : x).toFixed(ratio ? 2 : 2);
  const mid = options.mid ?? null;
  const scopes: ScopeDiff[] = [
    {
      scope: 'overall',
      before: fb.overall,
      after: fa.overall,
      flags: scopeFlags('overall', fb.overall, fa.overall, ratio, mid, show),
    },
  ];
  const levels = [...new Set([...fb.levels.keys(), ...fa.levels.keys()])];
  for (const level of levels) {
    const b = fb.levels.get(level) ?? null,
      a = fa.levels.get(level) ?? null;
    scopes.push({ scope: level, before: b, after: a, flags: scopeFlags(level, b, a, ratio, mid, show) });
  }
  let subgroupTest: EvidenceDiff['subgroupTest'] = null;
  if (by !== undefined) {
    const sig = (t: SubgroupTestSummary | null) => (t === null ? null : t.pValue < alpha);
    const flag =
      sig(fb.test) !== null && sig(fa.test) !== null && sig(fb.test) !== sig(fa.test)
        ? {
            kind: 'subgroup-test' as const,
            text: `the test for subgroup differences (${by}) ${sig(fa.test) ? 'now finds' : 'no longer finds'} a difference at P < ${alpha}: P = ${fb.test?.pValue.toPrecision(2)} → ${fa.test?.pValue.toPrecision(2)}`,
          }
        : null;
    subgroupTest = { before: fb.test, after: fa.test, flag };
  }
  let claims: EvidenceDiff['claims'] = null;
  if (ds !== null && ds.provenance.claims.length + (ds.provenance.perStudyClaims ? 1 : 0) > 0) {
    const rb = reproduceDataset({ ...ds, table: before.table }, options.resolve),
      ra = reproduceDataset({ ...ds, table: after.table }, options.resolve);
    const vb = new Map(rb.checks.map((c) => [c.claim, c]));
    const changed: ClaimChange[] = ra.checks.flatMap((c) => {
      const old = vb.get(c.claim);
      if (old === undefined || old.verdict === c.verdict || c.kind.startsWith('study-')) return [];
      return [{ claim: c.claim, description: c.description, before: old.verdict, after: c.verdict, detail: c.detail }];
    });
    const perStudy = (c: { kind: string }) => c.kind.startsWith('study-');
    claims = {
      changed,
      before: countVerdicts(rb.checks.filter((c) => !perStudy(c))),
      after: countVerdicts(ra.checks.filter((c) => !perStudy(c))),
      studiesBefore: countVerdicts(rb.checks.filter(perStudy)),
      studiesAfter: countVerdicts(ra.checks.filter(perStudy)),
    };
  }
  const flags = [...scopes.flatMap((s) => s.flags), ...(subgroupTest?.flag ? [subgroupTest.flag] : [])];
  return {
    before: before.label,
    after: after.label,
    measure: fa.measure,
    ratio,
    method: fa.method,
    by: by ?? null,
    mid,
    alpha,
    rows: diffRows(before.table, after.table),
    scopes,
    subgroupTest,
    claims,
    flags,
  };
}
