import type { Kernel } from '../kernel.ts';
import { Tau2Result, type ZeroPoint } from './types.ts';

/**
 * DerSimonian–Laird method-of-moments estimator, with moderators as in Raudenbush (2009):
 *
 * ```text
 * τ̂² = max(0, (Q_E − (k − p)) / tr P),   Q_E = yᵀPy, both at τ² = 0 (wᵢ = 1/vᵢ)
 * ```
 *
 * For the intercept-only model tr P = Σwᵢ − Σwᵢ²/Σwᵢ. Takes Q_E and tr P₀ from `zero` when the caller has
 * them (the fit needs them anyway).
 *
 * Reference: DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Control Clin
 * Trials 7(3):177–188. doi:10.1016/0197-2456(86)90046-2. Cross-check: `rma(method="DL")`.
 */
export function tau2DerSimonianLaird(kernel: Kernel, zero?: ZeroPoint, out = new Tau2Result()): Tau2Result {
  const { RSS, trP } = zero?.valid === true ? zero : kernel.evaluate(0);
  return out.set(dersimonianLairdFromQ(RSS, trP, kernel.k - kernel.p), 0, true);
}

/** τ̂²_DL = max(0, (Q_E − df)/tr P₀) from Q_E, tr P₀ and df = k − p (see {@link tau2DerSimonianLaird}). */
function dersimonianLairdFromQ(QE: number, trP: number, df: number): number {
  return Math.max(0, (QE - df) / trP);
}

/**
 * DerSimonian–Laird's moment estimator with Cochran's Q taken about a given centre θ (no moderators):
 *
 * ```text
 * Q = Σwᵢ(yᵢ − θ)²,  wᵢ = 1/vᵢ,   τ̂² = max(0, (Q − (k − 1)) / (Σwᵢ − Σwᵢ²/Σwᵢ));   0 when k < 2
 * ```
 *
 * With θ the inverse-variance mean this is the usual DL estimate; RevMan 5 takes θ as the Mantel–Haenszel
 * estimate in its random-effects analyses of dichotomous data.
 *
 * References: DerSimonian & Laird (1986); Deeks JJ, Higgins JPT (2010). Statistical algorithms in Review
 * Manager 5, "Random effects". Checked against RevMan's printed weights (tests/revman-random.test.ts, the
 * Cochrane corpus).
 */
export function dersimonianLairdAbout(yi: ArrayLike<number>, vi: ArrayLike<number>, centre: number): number {
  const k = yi.length;
  if (k < 2) return 0;
  const { Q, sw, sw2 } = cochranQAbout(yi, vi, centre);
  return Math.max(0, (Q - (k - 1)) / (sw - sw2 / sw));
}

/** Cochran's Q about a given centre, Q = Σwᵢ(yᵢ − θ)² with wᵢ = 1/vᵢ, and Σwᵢ, Σwᵢ² (see {@link dersimonianLairdAbout}). */
export function cochranQAbout(
  yi: ArrayLike<number>,
  vi: ArrayLike<number>,
  centre: number,
): { readonly Q: number; readonly sw: number; readonly sw2: number } {
  let Q = 0,
    sw = 0,
    sw2 = 0;
  for (let i = 0; i < yi.length; i++) {
    const w = 1 / (vi[i] as number);
    Q += w * ((yi[i] as number) - centre) ** 2;
    sw += w;
    sw2 += w * w;
  }
  return { Q, sw, sw2 };
}
