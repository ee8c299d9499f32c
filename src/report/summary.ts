import type { MetaAnalysis } from '../analysis/meta-analysis.ts';
import { RATIO_MEASURES } from '../effects/registry.ts';

/** One study of a summary: its effect, the Wald CI drawn in forest plots (yi ± z·√vi) and its weight (%). */
export interface StudySummary {
  readonly label: string;
  /** 1-based input row (tells studies with the same label apart). */
  readonly row: number;
  readonly yi: number;
  readonly vi: number;
  /** √vi and the row's own Wald CI, yi ± z·√vi (as forest plots draw it). */
  readonly sei: number;
  readonly ciLower: number;
  readonly ciUpper: number;
  readonly weight: number;
}

/** A row left out of an analysis, with the reason. */
export interface ExclusionSummary {
  readonly label: string;
  readonly row: number;
  readonly reason: string;
}

/** The JSON form of a fit (`evsynth fit --json`); every field is documented in docs/cli.md. */
export interface FitSummary {
  readonly k: number;
  readonly measure: string;
  readonly method: string;
  readonly model: 'random' | 'common' | 'mantel-haenszel' | 'peto';
  readonly test: string;
  readonly level: number;
  readonly estimate: number | null;
  readonly se: number | null;
  readonly statistic: number | null;
  readonly df: number | null;
  readonly pValue: number | null;
  readonly ciLower: number | null;
  readonly ciUpper: number | null;
  readonly piLower: number | null;
  readonly piUpper: number | null;
  readonly piType: string;
  readonly exponentiated: {
    readonly estimate: number | null;
    readonly ciLower: number | null;
    readonly ciUpper: number | null;
    readonly piLower: number | null;
    readonly piUpper: number | null;
  } | null;
  readonly tau2: number | null;
  readonly tau2SE: number | null;
  readonly tau: number | null;
  readonly I2: number | null;
  readonly H2: number | null;
  readonly Q: number | null;
  readonly QDf: number | null;
  readonly QPValue: number | null;
  readonly tau2CI: readonly [number, number] | null;
  readonly tauCI: readonly [number, number] | null;
  readonly I2CI: readonly [number, number] | null;
  readonly H2CI: readonly [number, number] | null;
  readonly iterations: number | null;
  readonly converged: boolean | null;
  readonly tests: Readonly<
    Record<string, { readonly statistic: number | null; readonly pValue: number | null }>
  > | null;
  readonly studies: readonly StudySummary[];
  readonly excluded: readonly ExclusionSummary[];
  readonly warnings: readonly string[];
}

/** NaN and ±Inf become null (JSON has no NaN). */
export function finiteOrNull(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

const pair = (a: number, b: number): readonly [number, number] | null =>
  Number.isFinite(a) && Number.isFinite(b) ? [a, b] : null;

type StudyRow = FitSummary['studies'][number];

/** How summaries made by {@link summarize} build their per-study rows: the count, and row i alone. */
const studyRowBuilders = new WeakMap<FitSummary, { readonly count: number; readonly row: (i: number) => StudyRow }>();

/**
 * Per-study rows `start` … `end − 1` of a summary and how many there are, without building the others (a text
 * printout of 10⁶ studies lists 200, and CSV or JSON output writes them in chunks: building all 10⁶ rows at
 * once takes seconds and hundreds of MB).
 */
export function studyRowRange(
  s: FitSummary,
  start: number,
  end: number,
): { readonly rows: readonly StudyRow[]; readonly count: number } {
  const b = studyRowBuilders.get(s);
  if (b === undefined) return { rows: s.studies.slice(start, end), count: s.studies.length };
  const rows: StudyRow[] = [];
  for (let i = start; i < Math.min(end, b.count); i++) rows.push(b.row(i));
  return { rows, count: b.count };
}

/** Builds the JSON summary of an analysis. Computes nothing new: it only reads the results. */
export function summarize(a: MetaAnalysis): FitSummary {
  const s = summaryOf(a);
  studyRowBuilders.set(s, { count: a.studies.labels.length, row: (i) => studyRow(a, i) });
  return s;
}

/** The per-study row of study i of an analysis (its weight from the model's weights). */
function studyRow(a: MetaAnalysis, i: number): StudyRow {
  const m = a.model;
  const vi = a.studies.vi[i] as number;
  return {
    label: a.studies.labels[i] as string,
    row: (a.inputRows[a.studies.rows[i] as number] as number) + 1,
    yi: a.studies.yi[i] as number,
    vi,
    sei: Math.sqrt(vi),
    ciLower: a.studyCI.lower[i] as number,
    ciUpper: a.studyCI.upper[i] as number,
    weight: (m.kind === 'rma' ? m.fit.weights[i] : m.fit.weights[a.studies.rows[i] as number]) as number,
  };
}

function summaryOf(a: MetaAnalysis): FitSummary {
  const ratio = RATIO_MEASURES.has(a.measure);
  const exp = (x: number | null): number | null => (x === null ? null : finiteOrNull(Math.exp(x)));
  let all: StudyRow[] | undefined;
  // built on first read (JSON and CSV output), not for text, and then kept: 10⁶ per-study objects cost seconds
  const studyRows = (): StudyRow[] => (all ??= a.studies.labels.map((_, i) => studyRow(a, i)));
  const excluded = a.studies.excluded.map((e) => ({
    label: e.label,
    row: (a.inputRows[e.row] ?? e.row) + 1,
    reason: e.reason,
  }));
  if (a.model.kind === 'pooled') {
    const f = a.model.fit;
    const tests: Record<string, { statistic: number | null; pValue: number | null }> = {};
    if (f.CO !== null) tests['cochran'] = { statistic: f.CO, pValue: f.COp };
    if (f.MH !== null) tests['mantelHaenszel'] = { statistic: f.MH, pValue: f.MHp };
    if (f.BD !== null) tests['breslowDay'] = { statistic: f.BD, pValue: f.BDp };
    if (f.TA !== null) tests['tarone'] = { statistic: f.TA, pValue: f.TAp };
    return {
      k: f.k,
      measure: a.measure,
      method: a.method,
      model: f.kind === 'mh' ? 'mantel-haenszel' : 'peto',
      test: 'z',
      level: a.level,
      estimate: finiteOrNull(f.estimate),
      se: finiteOrNull(f.se),
      statistic: finiteOrNull(f.statistic),
      df: null,
      pValue: finiteOrNull(f.pValue),
      ciLower: finiteOrNull(f.ciLower),
      ciUpper: finiteOrNull(f.ciUpper),
      piLower: null,
      piUpper: null,
      piType: a.piType,
      exponentiated:
        ratio || a.measure === 'PETO'
          ? {
              estimate: exp(f.estimate),
              ciLower: exp(f.ciLower),
              ciUpper: exp(f.ciUpper),
              piLower: null,
              piUpper: null,
            }
          : null,
      tau2: 0,
      tau2SE: null,
      tau: 0,
      I2: finiteOrNull(f.I2),
      H2: finiteOrNull(f.H2),
      Q: finiteOrNull(f.QE),
      QDf: f.QEdf,
      QPValue: finiteOrNull(f.QEp),
      tau2CI: null,
      tauCI: null,
      I2CI: null,
      H2CI: null,
      iterations: null,
      converged: null,
      tests: Object.keys(tests).length > 0 ? tests : null,
      get studies() {
        return studyRows();
      },
      excluded,
      warnings: a.warnings,
    };
  }
  const { fit, prediction: pr, tau2CI } = a.model;
  const c = fit.coefficients[0];
  const common = fit.method === 'EE' || fit.method === 'FE';
  return {
    k: fit.k,
    measure: a.measure,
    method: fit.method,
    model: common ? 'common' : 'random',
    test: fit.test,
    level: fit.level,
    estimate: finiteOrNull(c?.estimate),
    se: finiteOrNull(c?.se),
    // ±∞ kept (text prints Inf as metafor; JSON writes null): the t statistic of Knapp–Hartung with s² = 0,
    // which the fit's warnings explain
    statistic: c === undefined || Number.isNaN(c.statistic) ? null : c.statistic,
    df: fit.ddf,
    pValue: finiteOrNull(c?.pValue),
    ciLower: finiteOrNull(c?.ciLower),
    ciUpper: finiteOrNull(c?.ciUpper),
    piLower: finiteOrNull(pr.piLower),
    piUpper: finiteOrNull(pr.piUpper),
    piType: a.piType,
    exponentiated: ratio
      ? {
          estimate: exp(finiteOrNull(c?.estimate)),
          ciLower: exp(finiteOrNull(c?.ciLower)),
          ciUpper: exp(finiteOrNull(c?.ciUpper)),
          piLower: exp(finiteOrNull(pr.piLower)),
          piUpper: exp(finiteOrNull(pr.piUpper)),
        }
      : null,
    tau2: fit.tau2,
    tau2SE: finiteOrNull(fit.tau2SE),
    tau: fit.tau,
    I2: finiteOrNull(fit.I2),
    H2: finiteOrNull(fit.H2),
    Q: finiteOrNull(fit.QE),
    QDf: fit.QEdf,
    QPValue: finiteOrNull(fit.QEp),
    tau2CI: tau2CI ? pair(tau2CI.tau2.lower, tau2CI.tau2.upper) : null,
    tauCI: tau2CI ? pair(tau2CI.tau.lower, tau2CI.tau.upper) : null,
    I2CI: tau2CI ? pair(tau2CI.I2.lower, tau2CI.I2.upper) : null,
    H2CI: tau2CI ? pair(tau2CI.H2.lower, tau2CI.H2.upper) : null,
    iterations: fit.iterations,
    converged: fit.converged,
    tests: null,
    get studies() {
      return studyRows();
    },
    excluded,
    warnings: a.warnings,
  };
}
