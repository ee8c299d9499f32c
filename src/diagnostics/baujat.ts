import { quadraticForm } from '../core/numeric/linalg.ts';
import { subsetDesign } from '../models/design.ts';
import { fitRma, type RmaFit } from '../models/rma.ts';
import { assertApplicable, assertRmaFit, needsStudies, type NotApplicable } from './applicability.ts';
import { leaveOneOut } from './leave-one-out.ts';

/** Why Baujat coordinates cannot be computed (null when they can): each fit without a study needs k − 1 ≥ p. */
export function baujatApplicability(fit: RmaFit): NotApplicable {
  return needsStudies(fit.k, Math.max(2, fit.p + 1));
}

export interface BaujatPoints {
  /** Contribution of each study to the heterogeneity: the squared Pearson residual (yᵢ − xᵢᵀb)²/(vᵢ + τ̂²). */
  readonly x: Float64Array;
  /** Influence on the result: (xᵢᵀb − xᵢᵀb₋ᵢ)²/(xᵢᵀVar(b₋ᵢ)xᵢ), from the fit without study i. */
  readonly y: Float64Array;
}

/**
 * Baujat plot coordinates (metafor `baujat.rma`), of meta-analyses and meta-regressions:
 *
 * ```text
 * xᵢ = (yᵢ − xᵢᵀb)²/(vᵢ + τ̂²)                      (squared Pearson residual)
 * yᵢ = (xᵢᵀb − xᵢᵀb₋ᵢ)²/(xᵢᵀ Var(b₋ᵢ) xᵢ)          (intercept only: (θ̂ − θ̂₋ᵢ)²/Var(θ̂₋ᵢ))
 * ```
 *
 * b₋ᵢ and Var(b₋ᵢ) are of the model refitted without study i (same method, test and level).
 *
 * Reference: Baujat B, Mahé C, Pignon J-P, Hill C (2002). A graphical method for exploring
 * heterogeneity in meta-analyses: application to a meta-analysis of 65 trials. Stat Med
 * 21(18):2641–2652. doi:10.1002/sim.1221. Cross-check: `baujat(res)`.
 */
export function baujat(fit: RmaFit): BaujatPoints {
  assertRmaFit(fit, 'baujat');
  assertApplicable(baujatApplicability(fit), 'Baujat coordinates');
  const { k, p, design } = fit;
  const b = fit.coefficients.map((c) => c.estimate);
  const xi = (i: number) => design.x.subarray(i * p, (i + 1) * p);
  const dot = (u: ArrayLike<number>, v: readonly number[]) => v.reduce((s, vj, j) => s + (u[j] as number) * vj, 0);
  const x = Float64Array.from(fit.yi, (y, i) => (y - dot(xi(i), b)) ** 2 / ((fit.vi[i] as number) + fit.tau2));
  if (p === 1 && design.x.every((v) => v === 1)) {
    // intercept only: from the leave-one-out series (as before, bit for bit)
    const theta = b[0] as number;
    const l1o = leaveOneOut(fit);
    const y = Float64Array.from(l1o.estimate, (e, i) => (e - theta) ** 2 / (l1o.se[i] as number) ** 2);
    return { x, y };
  }
  const all = Array.from({ length: k }, (_, i) => i);
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const rows = all.filter((j) => j !== i);
    const f = fitRma(
      rows.map((j) => fit.yi[j] as number),
      rows.map((j) => fit.vi[j] as number),
      { method: fit.method, test: fit.test, level: fit.level, design: subsetDesign(design, rows), r2: false },
    );
    const u = xi(i);
    const d =
      dot(u, b) -
      dot(
        u,
        f.coefficients.map((c) => c.estimate),
      );
    y[i] = (d * d) / quadraticForm(u, f.vb, u);
  }
  return { x, y };
}
