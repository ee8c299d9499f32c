import type { MetaRegression } from '../analysis/regression.ts';
import type { TextOptions } from './text.ts';
import {
  alignTable,
  numberFormatter,
  formatPercent,
  formatPValue,
  stars,
  exclusionsAndWarnings,
} from '../core/format.ts';
import { finiteOrNull, type ExclusionSummary } from './summary.ts';

export interface RegressionSummary {
  readonly k: number;
  readonly measure: string;
  readonly method: string;
  readonly test: string;
  readonly level: number;
  readonly formula: string;
  readonly coefficients: readonly {
    readonly name: string;
    readonly estimate: number;
    readonly se: number;
    readonly statistic: number;
    readonly pValue: number;
    readonly ciLower: number;
    readonly ciUpper: number;
  }[];
  readonly QM: number | null;
  readonly QMdf: readonly [number, number | null];
  readonly QMp: number | null;
  readonly R2: number | null;
  readonly tau2: number;
  readonly tau2SE: number | null;
  readonly tau2CI: readonly [number, number] | null;
  readonly I2: number | null;
  readonly H2: number | null;
  readonly QE: number;
  readonly QEdf: number;
  readonly QEp: number | null;
  readonly predictions: readonly {
    readonly at: readonly number[];
    readonly pred: number;
    readonly se: number;
    readonly ciLower: number;
    readonly ciUpper: number;
    readonly piLower: number | null;
    readonly piUpper: number | null;
  }[];
  readonly permutation: {
    readonly exact: boolean;
    readonly permutations: number;
    readonly distinctPermutations: number;
    readonly seed: number | null;
    readonly pValues: readonly number[];
    readonly QMp: number;
  } | null;
  readonly studies: readonly { readonly label: string; readonly weight: number }[];
  readonly excluded: readonly ExclusionSummary[];
  readonly warnings: readonly string[];
}

/** The JSON form of a meta-regression (`evsynth regress --json`). Reads results only. */
export function summarizeRegression(r: MetaRegression): RegressionSummary {
  const fit = r.fit;
  return {
    k: fit.k,
    measure: r.studies.measure,
    method: fit.method,
    test: fit.test,
    level: fit.level,
    formula: r.formula.text,
    coefficients: fit.coefficients.map((c) => ({ ...c })),
    QM: finiteOrNull(fit.QM),
    QMdf: fit.QMdf,
    QMp: finiteOrNull(fit.QMp),
    R2: fit.R2,
    tau2: fit.tau2,
    tau2SE: finiteOrNull(fit.tau2SE),
    tau2CI: r.tau2CI ? [r.tau2CI.tau2.lower, r.tau2CI.tau2.upper] : null,
    I2: finiteOrNull(fit.I2),
    H2: finiteOrNull(fit.H2),
    QE: fit.QE,
    QEdf: fit.QEdf,
    QEp: finiteOrNull(fit.QEp),
    predictions: r.predictions.map(({ at, prediction: p }) => ({
      at,
      pred: p.pred,
      se: p.se,
      ciLower: p.ciLower,
      ciUpper: p.ciUpper,
      piLower: p.piLower,
      piUpper: p.piUpper,
    })),
    permutation: r.permutation
      ? {
          exact: r.permutation.exact,
          permutations: r.permutation.permutations,
          distinctPermutations: r.permutation.distinctPermutations,
          seed: r.permutation.seed,
          pValues: r.permutation.pValues,
          QMp: r.permutation.QMp,
        }
      : null,
    studies: r.labels.map((label, i) => ({ label, weight: fit.weights[i] as number })),
    excluded: r.excluded.map((e) => ({ label: e.label, row: e.row + 1, reason: e.reason })),
    warnings: r.warnings,
  };
}

/** A metafor-like printout of a meta-regression. */
export function formatRegressionText(s: RegressionSummary, options: TextOptions = {}): string {
  const f = numberFormatter(options.digits);
  const common = s.method === 'EE' || s.method === 'FE';
  const out: string[] = [
    `${common ? 'Common-Effect' : 'Mixed-Effects'} Model (k = ${s.k}${common ? '' : `; tau^2 estimator: ${s.method}`}); moderators: ${s.formula}`,
    '',
  ];
  if (!common) {
    out.push(
      `tau^2 (estimated amount of residual heterogeneity):     ${f(s.tau2)}${s.tau2SE !== null ? ` (SE = ${f(s.tau2SE)})` : ''}${s.tau2CI ? `; ${s.level}% CI ${f(s.tau2CI[0])} to ${f(s.tau2CI[1])}` : ''}`,
    );
    out.push(`I^2 (residual heterogeneity / unaccounted variability): ${formatPercent(s.I2)}`);
    out.push(`H^2 (unaccounted variability / sampling variability):   ${f(s.H2, 2)}`);
  }
  if (s.R2 !== null) out.push(`R^2 (amount of heterogeneity accounted for):            ${formatPercent(s.R2)}`);
  out.push('', 'Test for Residual Heterogeneity:', `QE(df = ${s.QEdf}) = ${f(s.QE)}, p-val ${pv(s.QEp)}`, '');
  const stat =
    s.QMdf[1] === null
      ? `QM(df = ${s.QMdf[0]}) = ${f(s.QM)}`
      : `F(df1 = ${s.QMdf[0]}, df2 = ${s.QMdf[1]}) = ${f(s.QM)}`;
  out.push(
    `Test of Moderators (coefficient${s.QMdf[0] > 1 ? 's' : ''} ${s.coefficients.length > s.QMdf[0] ? `2:${s.coefficients.length}` : `1:${s.coefficients.length}`}):`,
    `${stat}, p-val ${pv(s.QMp)}`,
    '',
    'Model Results:',
    '',
  );
  const statName = s.QMdf[1] === null ? 'zval' : 'tval';
  out.push(
    ...alignTable(
      [
        ['', 'estimate', 'se', statName, 'pval', 'ci.lb', 'ci.ub', ''],
        ...s.coefficients.map((c) => [
          c.name,
          f(c.estimate),
          f(c.se),
          f(c.statistic),
          formatPValue(c.pValue),
          f(c.ciLower),
          f(c.ciUpper),
          stars(c.pValue),
        ]),
      ],
      [0],
    ),
  );
  if (s.permutation) {
    const p = s.permutation;
    out.push(
      '',
      `Permutation test (${p.exact ? `exact, all ${p.permutations} distinct permutations` : `${p.permutations} random permutations, seed ${p.seed}`}):`,
      `QM p-val ${formatPValue(p.QMp)}; ` +
        s.coefficients.map((c, i) => `${c.name} p-val ${formatPValue(p.pValues[i] ?? null)}`).join('; '),
    );
  }
  if (s.predictions.length > 0) {
    out.push(
      '',
      'Predicted values:',
      ...alignTable(
        [
          ['at', 'pred', 'se', 'ci.lb', 'ci.ub', 'pi.lb', 'pi.ub'],
          ...s.predictions.map((p) => [
            p.at.join(', '),
            f(p.pred),
            f(p.se),
            f(p.ciLower),
            f(p.ciUpper),
            f(p.piLower),
            f(p.piUpper),
          ]),
        ],
        [0],
      ),
    );
  }
  out.push(...exclusionsAndWarnings(s.excluded, s.warnings));
  return out.join('\n') + '\n';
}

function pv(p: number | null): string {
  const s = formatPValue(p);
  return s.startsWith('<') ? s : `= ${s}`;
}
