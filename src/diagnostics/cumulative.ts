import { EvsynthError } from '../core/errors.ts';
import { subsetDesign } from '../models/design.ts';
import { fitRma, type RmaFit } from '../models/rma.ts';

export interface Cumulative {
  /** 0-based study indices in cumulative order. */
  readonly order: readonly number[];
  /** Row i: the model fitted to the first i + 1 studies in `order`. */
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
 * Cumulative meta-analysis (metafor `cumul`): studies sorted by `key` (stable for ties; input order
 * when no key), and the model refitted after each added study.
 *
 * Reference: Lau J, Antman EM, Jimenez-Silva J, et al. (1992). Cumulative meta-analysis of therapeutic
 * trials for myocardial infarction. N Engl J Med 327(4):248–254. doi:10.1056/NEJM199207233270406.
 */
export function cumulative(fit: RmaFit, key?: ArrayLike<number>): Cumulative {
  const k = fit.k;
  if (key !== undefined && key.length !== k) throw new EvsynthError('LENGTH_MISMATCH', `cumulative: ${key.length} sort keys for ${k} studies`);
  const order = Array.from({ length: k }, (_, i) => i);
  if (key) order.sort((a, b) => (key[a] as number) - (key[b] as number) || a - b);
  const mk = () => new Float64Array(k);
  const out = { order, estimate: mk(), se: mk(), statistic: mk(), pValue: mk(), ciLower: mk(), ciUpper: mk(), Q: mk(), Qp: mk(), tau2: mk(), I2: mk(), H2: mk() };
  for (let i = 0; i < k; i++) {
    const rows = order.slice(0, i + 1);
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
