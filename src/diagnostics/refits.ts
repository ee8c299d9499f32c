import { isInterceptOnlyDesign, subsetDesign } from '../models/design.ts';
import { fitLean } from '../models/lean-fit.ts';
import { fitRma, type RmaFit } from '../models/rma.ts';

/** Results of refitting a model to a series of study subsets (row i: subset i). */
export interface RefitSeries {
  readonly estimate: Float64Array;
  readonly se: Float64Array;
  readonly statistic: Float64Array;
  readonly pValue: Float64Array;
  readonly ciLower: Float64Array;
  readonly ciUpper: Float64Array;
  readonly Q: Float64Array;
  readonly Qp: Float64Array;
  readonly tau2: Float64Array;
  readonly I2: Float64Array;
  readonly H2: Float64Array;
}

/**
 * Refits `fit`'s model (same method, test, level and moderators) to n subsets of studies, subset i given
 * by `subset(i)` when its fit is due (n subsets of up to k rows held at once would be O(k²) memory: 3.9 GB
 * for the leave-one-out subsets of 20,000 studies); for models with moderators the first coefficient is
 * reported. Models without moderators refit on the lean path ({@link fitLean}: the same numbers as fitRma,
 * without the fit statistics and weights nobody reads here; half the time of a REML refit). Shared by
 * leave-one-out and cumulative analyses.
 */
export function refitSeries(fit: RmaFit, n: number, subset: (i: number) => readonly number[]): RefitSeries {
  const mk = () => new Float64Array(n);
  const out: RefitSeries = {
    estimate: mk(),
    se: mk(),
    statistic: mk(),
    pValue: mk(),
    ciLower: mk(),
    ciUpper: mk(),
    Q: mk(),
    Qp: mk(),
    tau2: mk(),
    I2: mk(),
    H2: mk(),
  };
  const lean = isInterceptOnlyDesign(fit.design);
  for (let i = 0; i < n; i++) {
    const rows = subset(i);
    const yi = rows.map((j) => fit.yi[j] as number),
      vi = rows.map((j) => fit.vi[j] as number);
    if (lean) {
      const f = fitLean(yi, vi, { method: fit.method, test: fit.test, level: fit.level });
      out.estimate[i] = f.estimate;
      out.se[i] = f.se;
      out.statistic[i] = f.statistic;
      out.pValue[i] = f.pValue;
      out.ciLower[i] = f.ciLower;
      out.ciUpper[i] = f.ciUpper;
      out.Q[i] = f.QE;
      out.Qp[i] = f.QEp;
      out.tau2[i] = f.tau2;
      out.I2[i] = f.I2;
      out.H2[i] = f.H2;
      continue;
    }
    const f = refitRows(fit, rows, yi, vi);
    const c = f.coefficients[0];
    out.estimate[i] = c?.estimate ?? Number.NaN;
    out.se[i] = c?.se ?? Number.NaN;
    out.statistic[i] = c?.statistic ?? Number.NaN;
    out.pValue[i] = c?.pValue ?? Number.NaN;
    out.ciLower[i] = c?.ciLower ?? Number.NaN;
    out.ciUpper[i] = c?.ciUpper ?? Number.NaN;
    out.Q[i] = f.QE;
    out.Qp[i] = f.QEp;
    out.tau2[i] = f.tau2;
    out.I2[i] = f.I2;
    out.H2[i] = f.H2;
  }
  return out;
}

/**
 * `fit`'s model (its method, test, level and the moderators' rows `rows`) fitted to the studies `rows`, whose
 * estimates and variances are `yi`, `vi` (fitRma without R², which no refit reads). The complete refit of
 * leave-one-out, cumulative and influence analyses of models with moderators.
 */
export function refitRows(fit: RmaFit, rows: readonly number[], yi: readonly number[], vi: readonly number[]): RmaFit {
  return fitRma(yi, vi, {
    method: fit.method,
    test: fit.test,
    level: fit.level,
    design: subsetDesign(fit.design, rows),
    r2: false,
  });
}
