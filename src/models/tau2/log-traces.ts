/**
 * The intercept-only random-effects model in natural logarithms, for the standard errors of τ̂² where their
 * sums and traces under- or overflow double precision at every scale (one study carrying all the weight,
 * with weights 1e300 times the others', whose squares underflow; τ̂² far above the smallest variance, where
 * τ̂⁴ overflows). Every quantity is a sum of positive terms, held as its logarithm (../../core/numeric/log-sum.ts),
 * so nothing under- or overflows and nothing cancels. With weights wᵢ, S = Σwᵢ, S₋ᵢ = Σⱼ≠ᵢ wⱼ and
 * P = W − wwᵀ/S (Pᵢᵢ = wᵢS₋ᵢ/S, Pᵢⱼ = −wᵢwⱼ/S) for a diagonal Σ = diag(σᵢ):
 *
 * ```text
 * tr P      = Σ wᵢ S₋ᵢ / S
 * tr(PΣPΣ)  = Σᵢⱼ Pᵢⱼ² σᵢσⱼ = (Σ (wᵢS₋ᵢσᵢ)² + Σ gᵢ Σⱼ≠ᵢ gⱼ) / S²,   gᵢ = wᵢ²σᵢ
 * tr(PP)    = tr(PΣPΣ) at σᵢ = 1
 * ```
 *
 * (the forms of Kernel's one-column traces, src/models/kernel.ts, in logarithms). The standard errors built
 * on them are the registry's formulas (./registry.ts), evaluated in logarithms.
 *
 * Reference: Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
 * random-effects model. J Educ Behav Stat 30(3):261–293. doi:10.3102/10769986030003261 (the traces);
 * metafor's `rma.uni` (`se.tau2`).
 */
import { logAddExp, logSumExp, logSumExpExcluding } from '../../core/numeric/log-sum.ts';

/**
 * An intercept-only model in logarithms: the estimates, log vᵢ, log τ̂² (−∞ where τ̂² = 0) and the log of the
 * estimator's start τ₀² where the caller gave one (control.tau2Init; SJ's SE depends on it).
 */
export interface LogModel {
  readonly k: number;
  readonly yi: ArrayLike<number>;
  readonly logVi: Float64Array;
  readonly logTau2: number;
  readonly logStart?: number;
}

/**
 * The model of estimates `yi` and variances `vi` (finite, > 0) at τ̂² = t·4ʲ (t ≥ 0 finite: τ̂² as a fit at the
 * scale 2ʲ holds it, so that a τ̂² that under- or overflows in the data's units is exact here), with the
 * estimator's start `start` (in the data's units, ≥ 0) where one was given.
 */
export function logModel(yi: ArrayLike<number>, vi: ArrayLike<number>, t: number, j: number, start?: number): LogModel {
  const k = vi.length;
  if (yi.length !== k || k < 2) throw new RangeError(`logModel: ${yi.length} estimates, ${k} variances`);
  if (!(t >= 0 && t < Number.POSITIVE_INFINITY && Number.isInteger(j)))
    throw new RangeError(`logModel: τ² = ${t}·4^${j}`);
  const logVi = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const v = vi[i] as number;
    if (!(v > 0 && v < Number.POSITIVE_INFINITY)) throw new RangeError(`logModel: vi[${i}] = ${v}`);
    logVi[i] = Math.log(v);
  }
  const logTau2 = t > 0 ? Math.log(t) + 2 * j * Math.LN2 : Number.NEGATIVE_INFINITY;
  if (start === undefined) return { k, yi, logVi, logTau2 };
  if (!(start >= 0 && start < Number.POSITIVE_INFINITY)) throw new RangeError(`logModel: start ${start}`);
  return { k, yi, logVi, logTau2, logStart: Math.log(start) };
}

/** log(vᵢ + t) for each study, given log vᵢ and log t (−∞ for t = 0): the log variances at τ² = t. */
export function logVariancesAt(logVi: Float64Array, logT: number): Float64Array {
  const out = new Float64Array(logVi.length);
  for (let i = 0; i < logVi.length; i++) out[i] = logAddExp(logVi[i] as number, logT);
  return out;
}

/** log wᵢ = −log(vᵢ + t) (see {@link logVariancesAt}). */
export function logWeightsAt(logVi: Float64Array, logT: number): Float64Array {
  const out = logVariancesAt(logVi, logT);
  for (let i = 0; i < out.length; i++) out[i] = -(out[i] as number);
  return out;
}

/** log S = log Σwᵢ and log tr P = log(Σ wᵢS₋ᵢ / S) for log weights `logW` (see the module comment). */
export function logTraceP(logW: Float64Array): { logS: number; logTrP: number } {
  const k = logW.length;
  const other = logSumExpExcluding(logW);
  const terms = new Float64Array(k);
  for (let i = 0; i < k; i++) terms[i] = (logW[i] as number) + (other[i] as number);
  const logS = logSumExp(logW);
  return { logS, logTrP: logSumExp(terms) - logS };
}

/**
 * log tr(PΣPΣ) = log((Σ (wᵢS₋ᵢσᵢ)² + Σ gᵢ Σⱼ≠ᵢ gⱼ)/S²), gᵢ = wᵢ²σᵢ, for log weights `logW` and log σᵢ
 * `logSigma` (all 0 for tr(PP)); see the module comment.
 */
export function logTracePSigmaPSigma(logW: Float64Array, logSigma: Float64Array): number {
  const k = logW.length;
  if (logSigma.length !== k) throw new RangeError(`logTracePSigmaPSigma: ${k} weights, ${logSigma.length} σ`);
  const otherW = logSumExpExcluding(logW);
  const g = new Float64Array(k);
  for (let i = 0; i < k; i++) g[i] = 2 * (logW[i] as number) + (logSigma[i] as number);
  const otherG = logSumExpExcluding(g);
  const terms = new Float64Array(2 * k);
  for (let i = 0; i < k; i++) {
    terms[i] = 2 * ((logW[i] as number) + (otherW[i] as number) + (logSigma[i] as number));
    terms[k + i] = (g[i] as number) + (otherG[i] as number);
  }
  return logSumExp(terms) - 2 * logSumExp(logW);
}
