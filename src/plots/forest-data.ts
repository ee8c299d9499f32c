/**
 * The rows of a forest plot, read from analysis results. Nothing here computes a statistic: the
 * numbers come from the fits, and every number shown is formatted by core/format.ts, the same
 * formatter as the text and JSON output.
 */
import { pooledEstimate, studyWeights, type MetaAnalysis } from '../analysis/meta-analysis.ts';
import type { AnalysisResult } from '../analysis/analyze.ts';
import type { SubgroupAnalysis } from '../analysis/subgroup-analysis.ts';
import { RATIO_MEASURES, type Measure } from '../effects/registry.ts';
import { isCommonEffect, type RmaFit } from '../models/rma.ts';
import { formatNumber, formatPValue } from '../core/format.ts';
import { NOT_ASSESSED_COLOUR, ROB_TOOLS, type RobTool } from '../evidence/risk-of-bias.ts';

export interface ForestStudy {
  readonly label: string;
  /** Estimate and CI on the analysis scale (log for ratios). */
  readonly est: number;
  readonly lo: number;
  readonly hi: number;
  /** Weight in percent (within its subgroup when there are subgroups, as RevMan prints it). */
  readonly weight: number;
  /** Extra data columns, already as text. */
  readonly columns: readonly string[];
  /** Risk-of-bias judgements (domains, then overall; null: not assessed), when the forest has RoB columns. */
  readonly rob?: readonly (string | null)[];
}

/** The risk-of-bias columns of a forest plot, as RevMan draws them beside the studies. */
export interface ForestRob {
  readonly tool: RobTool;
  /** Column headers: D1 … Dn, Overall. */
  readonly headers: readonly string[];
  readonly colours: Readonly<Record<string, string>>;
  readonly symbols: Readonly<Record<string, string>>;
  /** Legend lines printed under the plot. */
  readonly legend: readonly string[];
}

export interface ForestSummary {
  readonly label: string;
  readonly est: number;
  readonly lo: number;
  readonly hi: number;
  readonly piLo: number | null;
  readonly piHi: number | null;
  /** How the prediction interval was computed, e.g. "t, df = 50" (printed next to it). */
  readonly piLabel?: string;
  /** Text lines printed under the diamond. */
  readonly notes: readonly string[];
  readonly weight: number | null;
}

export interface ForestGroup {
  readonly title: string | null;
  readonly studies: readonly ForestStudy[];
  readonly summary: ForestSummary | null;
}

export interface ForestInput {
  readonly measure: Measure;
  readonly ratio: boolean;
  readonly level: number;
  readonly columnHeaders: readonly string[];
  /** Header of the weight column ("Weight", or "Weight within subgroup" when study weights are per subgroup). */
  readonly weightHeader: string;
  readonly groups: readonly ForestGroup[];
  readonly overall: ForestSummary | null;
  readonly footer: readonly string[];
  readonly favours: readonly [string, string];
  readonly title: string | null;
  /** Decimals of the effect column. */
  readonly digits: number;
  /** Risk-of-bias columns beside the studies (absent: none). */
  readonly rob?: ForestRob;
}

export type ForestSort = 'input' | 'effect' | 'weight' | 'year';

export interface ForestOptions {
  readonly columns?: readonly { readonly header: string; readonly values: readonly string[] }[];
  /** Risk-of-bias judgements per input row (domains, then overall), shown as RevMan's RoB columns. */
  readonly rob?: {
    readonly tool: RobTool;
    readonly headers: readonly string[];
    readonly names: readonly string[];
    readonly values: readonly (readonly (string | null)[])[];
  };
  readonly sort?: ForestSort;
  /** Sort keys per input row (e.g. years) for sort = 'year'. */
  readonly sortKeys?: readonly number[];
  readonly favours?: readonly [string, string];
  readonly title?: string;
  readonly digits?: number;
  /**
   * Subgroup plots: study weights as percentages of the whole analysis (`overall`, RevMan's layout with an
   * overall total: subtotals are their studies' sums, the total 100 %), or of their own subgroup's analysis
   * (`subgroup`, RevMan's subtotals-only layout: each subtotal 100 %, no weight on the total). Default `overall`.
   */
  readonly weights?: 'overall' | 'subgroup';
}

/** The lines under a diamond: heterogeneity and the test for the overall effect, as RevMan prints them. */
function summaryNotes(a: MetaAnalysis): string[] {
  const pEq = (p: string) => (p.startsWith('<') ? p : `= ${p}`);
  if (a.studies.yi.length === 1) return ['Heterogeneity: not applicable (1 study)', effectTestLine(a)];
  const m = a.model;
  const re = m.kind === 'rma' && !isCommonEffect(m.fit.method);
  const f = m.fit;
  return [
    `Heterogeneity: ${re ? `Tau² = ${formatNumber(f.tau2, 2)}; ` : ''}Chi² = ${formatNumber(f.QE, 2)}, df = ${f.QEdf} (P ${pEq(formatPValue(f.QEp, 5))}); I² = ${formatNumber(f.I2, 0)}%`,
    effectTestLine(a),
  ];
}

function effectTestLine(a: MetaAnalysis): string {
  const e = pooledEstimate(a);
  const p = formatPValue(e.pValue, 5);
  const ddf = a.model.kind === 'rma' ? a.model.fit.ddf : null;
  const stat = ddf === null ? 'Z' : `t(${ddf})`;
  return `Test for overall effect: ${stat} = ${formatNumber(Math.abs(e.statistic), 2)} (P ${p.startsWith('<') ? p : `= ${p}`})`;
}

/** The prediction interval's critical value as a label: z, t(k − p) under Knapp–Hartung, or t(k − 2) (Higgins et al. 2009). */
function piLabel(fit: RmaFit, piType: 'default' | 'riley'): string {
  if (piType === 'riley') return `t, df = ${fit.k - fit.p - 1}`;
  return fit.ddf === null ? 'normal quantile' : `t, df = ${fit.ddf}`;
}

/** The diamond of an analysis (with its prediction interval when `withPi`). */
function summaryOf(a: MetaAnalysis, label: string, weight: number | null, withPi: boolean): ForestSummary {
  const e = pooledEstimate(a);
  const m = a.model;
  const pr = m.kind === 'rma' && withPi ? m.prediction : null;
  return {
    label: `${label} (${a.level}% CI)`,
    est: e.estimate,
    lo: e.ciLower,
    hi: e.ciUpper,
    piLo: pr?.piLower ?? null,
    piHi: pr?.piUpper ?? null,
    ...(pr && m.kind === 'rma' ? { piLabel: piLabel(m.fit, a.piType) } : {}),
    notes: summaryNotes(a),
    weight,
  };
}

function order(
  n: number,
  est: (i: number) => number,
  weight: (i: number) => number,
  sort: ForestSort,
  keys?: readonly number[],
): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  if (sort === 'effect') return idx.sort((a, b) => est(a) - est(b));
  if (sort === 'weight') return idx.sort((a, b) => weight(b) - weight(a));
  if (sort === 'year' && keys) return idx.sort((a, b) => (keys[a] as number) - (keys[b] as number));
  return idx;
}

/** The study rows of `a` (positions `positions` into a.studies), in the chosen order, with the given weights. */
function studyRows(
  a: MetaAnalysis,
  positions: readonly number[],
  weight: (j: number) => number,
  options: ForestOptions,
): ForestStudy[] {
  const inputRow = (i: number) => a.inputRows[a.studies.rows[i] as number] as number;
  const idx = order(
    positions.length,
    (j) => a.studies.yi[positions[j] as number] as number,
    weight,
    options.sort ?? 'input',
    options.sortKeys && positions.map((i) => options.sortKeys?.[inputRow(i)] as number),
  );
  return idx.map((j) => {
    const i = positions[j] as number;
    return {
      label: a.studies.labels[i] as string,
      est: a.studies.yi[i] as number,
      lo: a.studyCI.lower[i] as number,
      hi: a.studyCI.upper[i] as number,
      weight: weight(j),
      columns: (options.columns ?? []).map((c) => c.values[inputRow(i)] ?? ''),
      ...(options.rob ? { rob: options.rob.values[inputRow(i)] ?? [] } : {}),
    };
  });
}

/** Forest rows of a single meta-analysis. */
export function forestFromAnalysis(a: MetaAnalysis, options: ForestOptions = {}): ForestInput {
  const w = studyWeights(a);
  const all = Array.from({ length: a.studies.yi.length }, (_, i) => i);
  return {
    measure: a.measure,
    ratio: RATIO_MEASURES.has(a.measure),
    level: a.level,
    columnHeaders: (options.columns ?? []).map((c) => c.header),
    weightHeader: 'Weight',
    groups: [{ title: null, studies: studyRows(a, all, (j) => w[j] as number, options), summary: null }],
    overall: summaryOf(a, 'Total', 100, true),
    footer: notEstimableLines(a),
    favours: options.favours ?? ['Favours experimental', 'Favours control'],
    title: options.title ?? null,
    digits: options.digits ?? 2,
    ...(options.rob ? { rob: forestRob(options.rob) } : {}),
  };
}

/** One footer line per study the analysis could not use (RevMan's "Not estimable"), with the reason: no row is dropped unsaid. */
function notEstimableLines(a: MetaAnalysis): string[] {
  return a.studies.excluded.map((e) => `Excluded: ${e.label} (row ${(a.inputRows[e.row] ?? e.row) + 1}) — ${e.reason}`);
}

/** The RoB columns' colours, symbols and legend (the tool's, from the risk-of-bias module). */
function forestRob(rob: NonNullable<ForestOptions['rob']>): ForestRob {
  const spec = ROB_TOOLS[rob.tool];
  const symbols: Record<string, string> = spec.symbols;
  return {
    tool: rob.tool,
    headers: rob.headers,
    colours: { ...spec.colours, 'not assessed': NOT_ASSESSED_COLOUR },
    symbols: { ...symbols, 'not assessed': '' },
    legend: [
      `Risk of bias (${spec.name}): ${spec.levels.map((l) => `${symbols[l] ?? ''} ${l}`).join(', ')}; grey: not assessed`,
      // one short line per domain, so that the legend does not widen the plot
      ...rob.headers.map((h, j) => `${h === 'Overall' ? 'All' : h}: ${rob.names[j] ?? ''}`),
    ],
  };
}

/**
 * Forest rows of a subgroup analysis, in RevMan's layout: per-subgroup blocks with their diamonds, the
 * overall diamond and the test for subgroup differences. Study weights are percentages of the overall
 * analysis (a subtotal's weight is its studies' sum and the total is 100 %), as RevMan prints them when
 * the overall total is shown; with `weights: 'subgroup'`, percentages within each subgroup's own analysis
 * (RevMan's subtotals-only layout: each subtotal 100 %, no weight on the total).
 */
export function forestFromSubgroups(s: SubgroupAnalysis, options: ForestOptions = {}): ForestInput {
  const base = forestFromAnalysis(s.overall, { ...options, sort: 'input' });
  const within = options.weights === 'subgroup';
  const wOverall = studyWeights(s.overall);
  const groups: ForestGroup[] = s.levels.map((l) => {
    if (within) {
      const a = l.analysis;
      const w = studyWeights(a);
      const all = Array.from({ length: a.studies.yi.length }, (_, i) => i);
      return {
        title: l.level,
        studies: studyRows(a, all, (j) => w[j] as number, options),
        summary: summaryOf(a, 'Subtotal', 100, false),
      };
    }
    const weight = (j: number) => wOverall[l.indices[j] as number] as number;
    const total = l.indices.reduce((sum, i) => sum + (wOverall[i] as number), 0);
    return {
      title: l.level,
      studies: studyRows(s.overall, l.indices, weight, options),
      summary: summaryOf(l.analysis, 'Subtotal', total, false),
    };
  });
  const t = s.test;
  const footer = [
    ...(t
      ? [
          `Test for subgroup differences: Chi² = ${formatNumber(t.Q, 2)}, df = ${t.df} (P = ${formatPValue(t.pValue)}), I² = ${formatNumber(t.I2, 1)}%`,
        ]
      : []),
    ...base.footer,
    ...s.missingGroup.map(
      (e) =>
        `No subgroup value: ${e.label} (row ${e.row + 1}) — ${s.missingRule === 'overall-only' ? 'in the total only' : 'left out'}`,
    ),
  ];
  const overall = within && base.overall ? { ...base.overall, weight: null } : base.overall;
  return { ...base, weightHeader: within ? 'Weight within subgroup' : 'Weight', groups, overall, footer };
}

/** Forest rows of any analysis: a single meta-analysis or one with subgroups. */
export function forestFrom(result: AnalysisResult, options: ForestOptions = {}): ForestInput {
  return result.kind === 'subgroups'
    ? forestFromSubgroups(result.analysis, options)
    : forestFromAnalysis(result.analysis, options);
}

/** A forest of refits (leave-one-out or cumulative): one row per refit, no weights, the full-data diamond at the bottom. */
export function forestOfRefits(
  a: MetaAnalysis,
  rows: readonly { label: string; est: number; lo: number; hi: number }[],
  options: ForestOptions & { kind: 'leave-one-out' | 'cumulative' },
): ForestInput {
  const base = forestFromAnalysis(a, { ...options, columns: [] });
  const studies: ForestStudy[] = rows.map((r) => ({ ...r, weight: Number.NaN, columns: [] }));
  return {
    ...base,
    groups: [{ title: options.kind === 'leave-one-out' ? 'Omitting' : 'Adding (cumulative)', studies, summary: null }],
    columnHeaders: [],
  };
}
