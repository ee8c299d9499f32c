import type { MetaAnalysis } from '../analysis/meta-analysis.ts';
import { RATIO_MEASURES } from '../effects/registry.ts';

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
  readonly studies: readonly {
    readonly label: string;
    /** 1-based input row (tells studies with the same label apart). */
    readonly row: number;
    readonly yi: number;
    readonly vi: number;
    readonly sei: number;
    readonly ciLower: number;
    readonly ciUpper: number;
    readonly weight: number;
  }[];
  readonly excluded: readonly { readonly label: string; readonly row: number; readonly reason: string }[];
  readonly warnings: readonly string[];
}

/** NaN and ±Inf become null (JSON has no NaN). */
export function finiteOrNull(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

const pair = (a: number, b: number): readonly [number, number] | null =>
  Number.isFinite(a) && Number.isFinite(b) ? [a, b] : null;

/** Builds the JSON summary of an analysis. Computes nothing new: it only reads the results. */
export function summarize(a: MetaAnalysis): FitSummary {
  const ratio = RATIO_MEASURES.has(a.measure);
  const exp = (x: number | null): number | null => (x === null ? null : finiteOrNull(Math.exp(x)));
  const studyRows = (weights: ArrayLike<number>, weightRow: (i: number) => number) =>
    a.studies.labels.map((label, i) => {
      const yi = a.studies.yi[i] as number,
        vi = a.studies.vi[i] as number;
      return {
        label,
        row: (a.inputRows[a.studies.rows[i] as number] as number) + 1,
        yi,
        vi,
        sei: Math.sqrt(vi),
        ciLower: a.studyCI.lower[i] as number,
        ciUpper: a.studyCI.upper[i] as number,
        weight: weights[weightRow(i)] as number,
      };
    });
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
      // built on first read (JSON output), not for text: 10⁶ per-study objects cost seconds
      get studies() {
        return studyRows(f.weights, (i) => a.studies.rows[i] as number);
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
    statistic: finiteOrNull(c?.statistic),
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
      return studyRows(fit.weights, (i) => i);
    },
    excluded,
    warnings: a.warnings,
  };
}
