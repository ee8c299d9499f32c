import { EvsynthError } from '../core/errors.ts';
import { critical } from '../distributions/index.ts';
import { quadraticForm } from '../core/numeric/linalg.ts';
import type { RmaMvFit } from '../models/mv/rma-mv.ts';
import type { Prediction } from './prediction.ts';

export interface MvPrediction extends Prediction {
  /** The inner level whose τ² (and γ²) entered the prediction interval, when the structure has one per level. */
  readonly tau2Level: string | null;
  readonly gamma2Level: string | null;
}

/**
 * Predicted mean effect of a multilevel/multivariate model at moderator values x₀ (default: the intercept),
 * with its CI and the prediction interval for a new true effect (metafor `predict.rma.mv`):
 *
 * ```text
 * ŷ = x₀ᵀb,  se = √(x₀ᵀ Var(b) x₀),  CI = ŷ ± crit·se
 * PI = ŷ ± crit·√(se² + Σ σ²_j + τ²_g + γ²_h)        crit = z, or t with the smallest coefficient df
 * ```
 *
 * For structures with one τ² per inner level (HCS, UN, DIAG, HAR) the level g must be given (`tau2Level`);
 * likewise `gamma2Level` for a second such term.
 *
 * Reference: Viechtbauer W (2010). J Stat Softw 36(3); Cross-check: `predict(res, newmods, tau2.levels)`.
 */
export function predictMv(
  fit: RmaMvFit,
  x0?: readonly number[],
  levels: { readonly tau2?: string; readonly gamma2?: string } = {},
): MvPrediction {
  const p = fit.p;
  const x = x0 ?? (p === 1 ? [1] : undefined);
  if (x === undefined || x.length !== p)
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `predict: expected ${p} moderator values (${fit.design.names.join(', ')}), got ${x?.length ?? 0}`,
    );
  let pred = 0;
  for (let r = 0; r < p; r++) pred += (x[r] as number) * (fit.coefficients[r]?.estimate as number);
  const se = Math.sqrt(quadraticForm(x, fit.vb, x));
  const dfs = fit.coefficients.map((c) => c.df).filter((d): d is number => d !== null);
  const crit = dfs.length === 0 ? critical(fit.level) : critical(fit.level, Math.min(...dfs));
  const structVar = (role: 'tau2' | 'gamma2', level: string | undefined): { v: number; level: string | null } => {
    const s = fit.structs.find((t) => t.role === role);
    const values = role === 'tau2' ? fit.tau2 : fit.gamma2;
    if (s === undefined || values.length === 0) return { v: 0, level: null };
    if (values.length === 1) return { v: values[0] as number, level: null };
    const g = level === undefined ? -1 : s.innerLevels.indexOf(level);
    if (g < 0)
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `predict: the ${s.struct} structure has one ${role === 'tau2' ? 'τ²' : 'γ²'} per level of '${s.inner}'; give the level (one of ${s.innerLevels.join(', ')})`,
      );
    return { v: values[g] as number, level: level ?? null };
  };
  const t = structVar('tau2', levels.tau2),
    g = structVar('gamma2', levels.gamma2);
  const total = fit.sigma2.reduce((s, x2) => s + x2, 0) + t.v + g.v;
  const sePi = Math.sqrt(se * se + total);
  const hasRandom = fit.random.length > 0;
  return {
    pred,
    se,
    ciLower: pred - crit * se,
    ciUpper: pred + crit * se,
    piLower: hasRandom ? pred - crit * sePi : null,
    piUpper: hasRandom ? pred + crit * sePi : null,
    tau2Level: t.level,
    gamma2Level: g.level,
  };
}
