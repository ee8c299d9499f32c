import { subsetDesign } from '../models/design.ts';
import { fitRma, type RmaFit } from '../models/rma.ts';

export interface LeaveOneOut {
  /** Row i: the model refitted without study i (same method, test and level). */
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
 * Leave-one-out analysis (metafor `leave1out`): the model of `fit` refitted k times, each time
 * without one study. For models with moderators the first coefficient is reported.
 *
 * Reference: Viechtbauer W, Cheung MW-L (2010). Outlier and influence diagnostics for
 * meta-analysis. Res Synth Methods 1(2):112–125. doi:10.1002/jrsm.11. Cross-check: `leave1out(res)`.
 */
export function leaveOneOut(fit: RmaFit): LeaveOneOut {
  const k = fit.k;
  const out = {
    estimate: new Float64Array(k), se: new Float64Array(k), statistic: new Float64Array(k), pValue: new Float64Array(k),
    ciLower: new Float64Array(k), ciUpper: new Float64Array(k), Q: new Float64Array(k), Qp: new Float64Array(k),
    tau2: new Float64Array(k), I2: new Float64Array(k), H2: new Float64Array(k),
  };
  const all = Array.from({ length: k }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const rows = all.filter((j) => j !== i);
    const f = fitRma(rows.map((j) => fit.yi[j] as number), rows.map((j) => fit.vi[j] as number), {
      method: fit.method, test: fit.test, level: fit.level, design: subsetDesign(fit.design, rows), r2: false,
    });
    const c = f.coefficients[0];
    out.estimate[i] = c?.estimate ?? Number.NaN; out.se[i] = c?.se ?? Number.NaN; out.statistic[i] = c?.statistic ?? Number.NaN;
    out.pValue[i] = c?.pValue ?? Number.NaN; out.ciLower[i] = c?.ciLower ?? Number.NaN; out.ciUpper[i] = c?.ciUpper ?? Number.NaN;
    out.Q[i] = f.QE; out.Qp[i] = f.QEp; out.tau2[i] = f.tau2; out.I2[i] = f.I2; out.H2[i] = f.H2;
  }
  return out;
}
