import { EvsynthError } from '../core/errors.ts';
import { covarianceFromPairs, type Covariance, type SamplingCovariance } from './sampling-covariance.ts';

/**
 * A working sampling covariance with one assumed correlation r between the estimates of a cluster
 * (typically several outcomes measured on the same participants, whose within-study correlation is not
 * reported): V[i, j] = r·√(vᵢvⱼ) for i ≠ j in the same cluster, 0 across clusters.
 *
 * The correlation is an assumption, not data: analyses built on it should vary r (a sensitivity analysis) and
 * use cluster-robust inference, which stays valid when r is wrong.
 *
 * References: Hedges LV, Tipton E, Johnson MC (2010). Res Synth Methods 1(1):39–65 (working model, r = 0.8);
 * Pustejovsky JE, Tipton E (2022). Meta-analysis with robust variance estimation: expanding the range of
 * working models. Prev Sci 23(3):425–438. Cross-check: `metafor::vcalc(vi, cluster, obs, rho = r)`,
 * `clubSandwich::impute_covariance_matrix(vi, cluster, r)`.
 */
export function constantCorrelation(vi: ArrayLike<number>, cluster: readonly string[], r: number): SamplingCovariance {
  if (!(Number.isFinite(r) && r >= -1 && r <= 1))
    throw new EvsynthError('INVALID_ARGUMENT', `the assumed correlation is ${r}; expected a value between −1 and 1`);
  if (cluster.length !== vi.length)
    throw new EvsynthError('LENGTH_MISMATCH', `${cluster.length} cluster values for ${vi.length} estimates`);
  const byCluster = new Map<string, number[]>();
  cluster.forEach((c, i) => {
    const g = byCluster.get(c);
    if (g) g.push(i);
    else byCluster.set(c, [i]);
  });
  const pairs: Covariance[] = [];
  if (r !== 0)
    for (const rows of byCluster.values())
      for (let a = 0; a < rows.length; a++)
        for (let b = a + 1; b < rows.length; b++) {
          const i = rows[a] as number,
            j = rows[b] as number;
          pairs.push({ i, j, cov: r * Math.sqrt((vi[i] as number) * (vi[j] as number)) });
        }
  return covarianceFromPairs(vi, pairs);
}
