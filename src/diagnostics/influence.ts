import { cholesky, flatten, inverseQuadraticForm } from '../core/numeric/linalg.ts';
import { pchisq } from '../distributions/index.ts';
import { subsetDesign } from '../models/design.ts';
import { fitRma, type RmaFit } from '../models/rma.ts';
import { assertApplicable, assertRmaFit, needsStudies, type NotApplicable } from './applicability.ts';

/** Why influence diagnostics cannot run (null when they can): each deleted fit needs k − 1 ≥ p studies. */
export function influenceApplicability(fit: RmaFit): NotApplicable {
  return needsStudies(fit.k, Math.max(2, fit.p + 1));
}

export interface Influence {
  /** Externally standardised residuals (yᵢ − x̂ᵢb₋ᵢ)/√(vᵢ + τ²₋ᵢ + xᵢᵀVar(b₋ᵢ)xᵢ). */
  readonly rstudent: Float64Array;
  readonly dffits: Float64Array;
  readonly cookD: Float64Array;
  readonly covRatio: Float64Array;
  readonly tau2Deleted: Float64Array;
  readonly QEDeleted: Float64Array;
  /** Leverages hᵢ (diagonal of X(XᵀWX)⁻¹XᵀW). */
  readonly hat: Float64Array;
  /** Weights in percent. */
  readonly weight: Float64Array;
  /** DFBETAS, one array per coefficient. */
  readonly dfbetas: readonly Float64Array[];
  readonly influential: readonly boolean[];
}

function quadForm(x: readonly number[], m: readonly (readonly number[])[], y: readonly number[]): number {
  let s = 0;
  for (let r = 0; r < x.length; r++)
    for (let c = 0; c < y.length; c++) s += (x[r] as number) * (m[r]?.[c] as number) * (y[c] as number);
  return s;
}

/** log det of a symmetric positive-definite matrix given as rows. */
function logDet(m: readonly (readonly number[])[]): number {
  return cholesky(flatten(m), m.length);
}

/**
 * Case-deletion influence diagnostics for (mixed-effects) meta-analysis models (metafor `influence.rma.uni`):
 *
 * ```text
 * rstudentᵢ = (yᵢ − xᵢᵀb₋ᵢ)/√(vᵢ + τ²₋ᵢ + xᵢᵀVar(b₋ᵢ)xᵢ)
 * DFFITSᵢ   = xᵢᵀ(b − b₋ᵢ)/√(hᵢ(τ²₋ᵢ + vᵢ))
 * Cook's Dᵢ = (b − b₋ᵢ)ᵀ Var(b)⁻¹ (b − b₋ᵢ)
 * COVRATIOᵢ = det Var(b₋ᵢ) / det Var(b)
 * DFBETASᵢⱼ = (bⱼ − bⱼ,₋ᵢ)/√[(XᵀW₋ᵢX)⁻¹]ⱼⱼ,  W₋ᵢ = diag(1/(vⱼ + τ²₋ᵢ)) over all k studies
 * ```
 *
 * τ²₋ᵢ and the model without study i are re-estimated with the same method. A study is flagged as
 * influential when |DFFITS| > 3√(p/(k − p)), P(χ²_p ≤ D) > 0.5, h > 3p/k, or any |DFBETAS| > 1.
 *
 * Reference: Viechtbauer W, Cheung MW-L (2010). Outlier and influence diagnostics for meta-analysis.
 * Res Synth Methods 1(2):112–125. doi:10.1002/jrsm.11. Cross-check: `influence(res)`.
 */
export function influence(fit: RmaFit): Influence {
  assertRmaFit(fit, 'influence');
  assertApplicable(influenceApplicability(fit), 'influence diagnostics');
  const { k, p, design } = fit;
  const x = (i: number) => Array.from(design.x.subarray(i * p, (i + 1) * p));
  const b = fit.coefficients.map((c) => c.estimate);
  const vb = fit.vb;
  const vbFlat = flatten(vb);
  const logDetVb = logDet(vb);
  // hat values with the fit's weights: hᵢ = wᵢ xᵢᵀ (XᵀWX)⁻¹ xᵢ, (XᵀWX)⁻¹ = vb/s2w
  const w = Array.from(fit.vi, (v) => 1 / (v + fit.tau2));
  const mk = () => new Float64Array(k);
  const out = {
    rstudent: mk(),
    dffits: mk(),
    cookD: mk(),
    covRatio: mk(),
    tau2Deleted: mk(),
    QEDeleted: mk(),
    hat: mk(),
    weight: Float64Array.from(fit.weights),
    dfbetas: Array.from({ length: p }, mk),
  };
  const all = Array.from({ length: k }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const xi = x(i);
    out.hat[i] = ((w[i] as number) * quadForm(xi, vb, xi)) / fit.s2w;
    const rows = all.filter((j) => j !== i);
    const f = fitRma(
      rows.map((j) => fit.yi[j] as number),
      rows.map((j) => fit.vi[j] as number),
      { method: fit.method, test: fit.test, level: fit.level, design: subsetDesign(design, rows), r2: false },
    );
    const bd = f.coefficients.map((c) => c.estimate);
    const diff = b.map((v, j) => v - (bd[j] as number));
    const predDel = xi.reduce((s, v, j) => s + v * (bd[j] as number), 0);
    out.rstudent[i] =
      ((fit.yi[i] as number) - predDel) / Math.sqrt((fit.vi[i] as number) + f.tau2 + quadForm(xi, f.vb, xi));
    out.dffits[i] =
      xi.reduce((s, v, j) => s + v * (diff[j] as number), 0) /
      Math.sqrt((out.hat[i] as number) * (f.tau2 + (fit.vi[i] as number)));
    out.cookD[i] = inverseQuadraticForm(vbFlat, diff, p);
    out.covRatio[i] = Math.exp(logDet(f.vb) - logDetVb);
    out.tau2Deleted[i] = f.tau2;
    out.QEDeleted[i] = f.QE;
    // DFBETAS scale: (XᵀW₋ᵢX)⁻¹ over all k studies with weights 1/(vⱼ + τ²₋ᵢ) (Viechtbauer & Cheung 2010, eq. 14)
    const fFixed = fitRma(fit.yi, fit.vi, {
      method: fit.method,
      test: 'z',
      level: fit.level,
      design,
      tau2: f.tau2,
      r2: false,
    });
    diff.forEach((d, j) => {
      (out.dfbetas[j] as Float64Array)[i] = d / Math.sqrt(fFixed.vb[j]?.[j] as number);
    });
  }
  const influential = all.map(
    (i) =>
      Math.abs(out.dffits[i] as number) > 3 * Math.sqrt(p / (k - p)) ||
      pchisq(out.cookD[i] as number, p) > 0.5 ||
      (out.hat[i] as number) > (3 * p) / k ||
      out.dfbetas.some((d) => Math.abs(d[i] as number) > 1),
  );
  return { ...out, influential };
}
