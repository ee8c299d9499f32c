/**
 * The rows of a forest plot, read from analysis results. Nothing here computes a statistic: the
 * numbers come from the fits, and every number shown is formatted by report/format.ts, the same
 * formatter as the text and JSON output.
 */
import type { MetaAnalysis } from '../analysis/meta-analysis.ts';
import type { SubgroupAnalysis } from '../analysis/subgroup-analysis.ts';
import { RATIO_MEASURES, type Measure } from '../effects/types.ts';
import type { RmaFit } from '../models/rma.ts';
import { formatNumber, formatPValue } from '../report/format.ts';

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
}

export type ForestSort = 'input' | 'effect' | 'weight' | 'year';

export interface ForestOptions {
  readonly columns?: readonly { readonly header: string; readonly values: readonly string[] }[];
  readonly sort?: ForestSort;
  /** Sort keys per input row (e.g. years) for sort = 'year'. */
  readonly sortKeys?: readonly number[];
  readonly favours?: readonly [string, string];
  readonly title?: string;
  readonly digits?: number;
}

const MEASURE_LABEL: Partial<Record<Measure, string>> = {
  SMD: 'Std. mean difference',
  SMDH: 'Std. mean difference',
  MD: 'Mean difference',
  ROM: 'Ratio of means',
  RR: 'Risk ratio',
  OR: 'Odds ratio',
  RD: 'Risk difference',
  PETO: 'Peto odds ratio',
  ZCOR: 'Fisher z',
  COR: 'Correlation',
  PR: 'Proportion',
  PLO: 'Log odds',
  PFT: 'Freeman-Tukey',
  IRR: 'Rate ratio',
  IRLN: 'Log rate',
  GEN: 'Effect',
};
export function measureLabel(m: Measure): string {
  return MEASURE_LABEL[m] ?? m;
}

function heterogeneityLine(fit: RmaFit): string {
  const re = fit.method !== 'EE' && fit.method !== 'FE';
  const p = formatPValue(fit.QEp, 5);
  return `Heterogeneity: ${re ? `Tau² = ${formatNumber(fit.tau2, 2)}; ` : ''}Chi² = ${formatNumber(fit.QE, 2)}, df = ${fit.QEdf} (P ${p.startsWith('<') ? p : `= ${p}`}); I² = ${formatNumber(fit.I2, 0)}%`;
}

/** The prediction interval's critical value as a label: z, t(k − 1) under Knapp–Hartung, or t(k − 2) (Higgins et al. 2009). */
function piLabel(fit: RmaFit, piType: 'default' | 'riley'): string {
  if (piType === 'riley') return `t, df = ${fit.k - fit.p - 1}`;
  return fit.ddf === null ? 'normal quantile' : `t, df = ${fit.ddf}`;
}

function effectTestLine(fit: RmaFit): string {
  const c = fit.coefficients[0];
  const p = formatPValue(c?.pValue ?? null, 5);
  const stat = fit.ddf === null ? 'Z' : `t(${fit.ddf})`;
  return `Test for overall effect: ${stat} = ${formatNumber(Math.abs(c?.statistic ?? Number.NaN), 2)} (P ${p.startsWith('<') ? p : `= ${p}`})`;
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

/** Forest rows of a single meta-analysis. */
export function forestFromAnalysis(a: MetaAnalysis, options: ForestOptions = {}): ForestInput {
  const w =
    a.model.kind === 'pooled'
      ? (i: number) => a.model.fit.weights[a.studies.rows[i] as number] as number
      : (i: number) => (a.model.fit as RmaFit).weights[i] as number;
  const idx = order(
    a.studies.yi.length,
    (i) => a.studies.yi[i] as number,
    w,
    options.sort ?? 'input',
    options.sortKeys && a.studies.rows.map((r) => options.sortKeys?.[r] as number),
  );
  const studies: ForestStudy[] = idx.map((i) => ({
    label: a.studies.labels[i] as string,
    est: a.studies.yi[i] as number,
    lo: a.studyCI.lower[i] as number,
    hi: a.studyCI.upper[i] as number,
    weight: w(i),
    columns: (options.columns ?? []).map((c) => c.values[a.studies.rows[i] as number] ?? ''),
  }));
  let overall: ForestSummary;
  const footer: string[] = [];
  if (a.model.kind === 'rma') {
    const { fit, prediction } = a.model;
    const c = fit.coefficients[0];
    overall = {
      label: `Total (${a.level}% CI)`,
      est: c?.estimate as number,
      lo: c?.ciLower as number,
      hi: c?.ciUpper as number,
      piLo: prediction.piLower,
      piHi: prediction.piUpper,
      piLabel: piLabel(fit, a.piType),
      notes: [heterogeneityLine(fit), effectTestLine(fit)],
      weight: 100,
    };
  } else {
    const f = a.model.fit;
    const p = formatPValue(f.pValue, 5);
    overall = {
      label: `Total (${a.level}% CI)`,
      est: f.estimate,
      lo: f.ciLower,
      hi: f.ciUpper,
      piLo: null,
      piHi: null,
      weight: 100,
      notes: [
        `Heterogeneity: Chi² = ${formatNumber(f.QE, 2)}, df = ${f.QEdf} (P ${formatPValue(f.QEp, 5)}); I² = ${formatNumber(f.I2, 0)}%`,
        `Test for overall effect: Z = ${formatNumber(Math.abs(f.statistic), 2)} (P ${p.startsWith('<') ? p : `= ${p}`})`,
      ],
    };
  }
  return {
    measure: a.measure,
    ratio: RATIO_MEASURES.has(a.measure),
    level: a.level,
    columnHeaders: (options.columns ?? []).map((c) => c.header),
    weightHeader: 'Weight',
    groups: [{ title: null, studies, summary: null }],
    overall,
    footer,
    favours: options.favours ?? ['Favours experimental', 'Favours control'],
    title: options.title ?? null,
    digits: options.digits ?? 2,
  };
}

/** Forest rows of a subgroup analysis: per-subgroup blocks with their diamonds, the overall diamond and the test for differences. */
export function forestFromSubgroups(s: SubgroupAnalysis, options: ForestOptions = {}): ForestInput {
  const base = forestFromAnalysis(s.overall, { ...options, sort: 'input' });
  const a = s.overall;
  const groups: ForestGroup[] = s.separate.levels.map((l) => {
    const fit = l.fit;
    const idx = order(
      l.indices.length,
      (j) => a.studies.yi[l.indices[j] as number] as number,
      (j) => fit.weights[j] as number,
      options.sort ?? 'input',
      options.sortKeys && l.indices.map((i) => options.sortKeys?.[a.studies.rows[i] as number] as number),
    );
    const studies = idx.map((j) => {
      const i = l.indices[j] as number;
      return {
        label: a.studies.labels[i] as string,
        est: a.studies.yi[i] as number,
        lo: a.studyCI.lower[i] as number,
        hi: a.studyCI.upper[i] as number,
        weight: fit.weights[j] as number,
        columns: (options.columns ?? []).map((c) => c.values[a.studies.rows[i] as number] ?? ''),
      };
    });
    const c = fit.coefficients[0];
    const summary: ForestSummary = {
      label: `Subtotal (${a.level}% CI)`,
      est: c?.estimate as number,
      lo: c?.ciLower as number,
      hi: c?.ciUpper as number,
      piLo: null,
      piHi: null,
      weight: 100,
      notes: l.singleStudy
        ? ['Heterogeneity: not applicable (1 study)', effectTestLine(fit)]
        : [heterogeneityLine(fit), effectTestLine(fit)],
    };
    return { title: l.level, studies, summary };
  });
  const t = s.separate.test;
  const footer = t
    ? [
        `Test for subgroup differences: Chi² = ${formatNumber(t.Q, 2)}, df = ${t.df} (P = ${formatPValue(t.pValue)}), I² = ${formatNumber(t.I2, 1)}%`,
      ]
    : [];
  // study weights are within their subgroup (RevMan's subgroup-only layout): each subtotal is 100 %, the total has no weight
  const overall = base.overall ? { ...base.overall, weight: null } : null;
  return { ...base, weightHeader: 'Weight within subgroup', groups, overall, footer };
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
