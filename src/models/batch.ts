import { EvsynthError } from '../core/errors.ts';
import { critical, pnormTwoSided, ptTwoSided } from '../distributions/index.ts';
import { interceptDesign } from './design.ts';
import { Kernel } from './kernel.ts';
import type { TestType } from './rma.ts';
import { estimateTau2, type Tau2Method } from './tau2/index.ts';

export interface BatchResult {
  readonly estimate: Float64Array;
  readonly se: Float64Array;
  readonly ciLower: Float64Array;
  readonly ciUpper: Float64Array;
  readonly pValue: Float64Array;
  readonly tau2: Float64Array;
  readonly converged: Uint8Array;
}

/**
 * Fits the same intercept-only model to many meta-analyses of k studies each, stored back to back in
 * `yi` and `vi` (analysis j is elements j·k … j·k + k − 1). The numbers equal those of {@link fitRma}
 * (same estimators, z / Knapp–Hartung / ad hoc inference); only the pooled estimate, its SE, CI and
 * p-value and τ² are returned, in typed arrays, and one kernel is reused: no allocation per analysis.
 * This is the API for simulation studies.
 */
export function fitBatch(
  yi: Float64Array,
  vi: Float64Array,
  k: number,
  options: { method?: Tau2Method; test?: TestType; level?: number } = {},
): BatchResult {
  if (!(Number.isInteger(k) && k >= 1))
    throw new EvsynthError('INVALID_ARGUMENT', `fitBatch: k = ${k}; expected a whole number ≥ 1`);
  if (yi.length !== vi.length || yi.length % k !== 0)
    throw new EvsynthError(
      'LENGTH_MISMATCH',
      `fitBatch: ${yi.length} estimates and ${vi.length} variances are not whole analyses of ${k} studies`,
    );
  for (let i = 0; i < vi.length; i++) {
    if (!((vi[i] as number) > 0) || !Number.isFinite(vi[i] as number) || !Number.isFinite(yi[i] as number)) {
      throw new EvsynthError(
        'NON_POSITIVE_VARIANCE',
        `fitBatch: study ${i % k} of analysis ${Math.floor(i / k)} has yi = ${yi[i]}, vi = ${vi[i]}`,
      );
    }
  }
  const method = options.method ?? 'REML',
    test = options.test ?? 'z',
    level = options.level ?? 95;
  const n = yi.length / k;
  const K = new Kernel(new Float64Array(k), new Float64Array(k), interceptDesign(k));
  const out: BatchResult = {
    estimate: new Float64Array(n),
    se: new Float64Array(n),
    ciLower: new Float64Array(n),
    ciUpper: new Float64Array(n),
    pValue: new Float64Array(n),
    tau2: new Float64Array(n),
    converged: new Uint8Array(n),
  };
  const df = k - 1;
  const crit = test === 'z' || df < 1 ? critical(level) : critical(level, df);
  for (let j = 0; j < n; j++) {
    K.yi.set(yi.subarray(j * k, j * k + k));
    K.vi.set(vi.subarray(j * k, j * k + k));
    const est = estimateTau2(K, method);
    K.evaluate(est.tau2);
    const b = K.beta[0] as number;
    let v = K.Ainv[0] as number;
    if (test !== 'z' && df >= 1) {
      const s2w = K.RSS / df;
      v *= test === 'adhoc' ? Math.max(1, s2w) : s2w;
    }
    const se = Math.sqrt(v);
    out.estimate[j] = b;
    out.se[j] = se;
    out.tau2[j] = est.tau2;
    out.converged[j] = est.converged ? 1 : 0;
    out.ciLower[j] = b - crit * se;
    out.ciUpper[j] = b + crit * se;
    out.pValue[j] = test === 'z' || df < 1 ? pnormTwoSided(b / se) : ptTwoSided(b / se, df);
  }
  return out;
}
