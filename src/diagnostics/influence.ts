import { cholesky, flatten, inverseQuadraticForm, quadraticForm } from '../core/numeric/linalg.ts';
import { pchisq } from '../distributions/index.ts';
import { isInterceptOnlyDesign } from '../models/design.ts';
import { fitLean } from '../models/lean-fit.ts';
import { fitRma, type RmaFit } from '../models/rma.ts';
import { assertApplicable, assertRmaFit, needsStudies, type NotApplicable } from './applicability.ts';
import { refitRows } from './refits.ts';

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

/** log det of a symmetric positive-definite matrix given as rows. */
function logDet(m: readonly (readonly number[])[]): number {
  return cholesky(flatten(m), m.length);
}

/** The model refitted to `rows`: coefficients, their covariance, τ² and Q_E (models without moderators on the lean path). */
function refitWithout(
  fit: RmaFit,
  rows: readonly number[],
  lean: boolean,
): { b: readonly number[]; vb: readonly (readonly number[])[]; tau2: number; QE: number } {
  const yi = rows.map((j) => fit.yi[j] as number),
    vi = rows.map((j) => fit.vi[j] as number);
  if (lean) {
    const f = fitLean(yi, vi, { method: fit.method, test: fit.test, level: fit.level });
    return { b: [f.estimate], vb: [[f.variance]], tau2: f.tau2, QE: f.QE };
  }
  const f = refitRows(fit, rows, yi, vi);
  return { b: f.coefficients.map((c) => c.estimate), vb: f.vb, tau2: f.tau2, QE: f.QE };
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
 * τ²₋ᵢ and the model without study i are re-estimated with the same method (models without moderators on the
 * lean path, {@link fitLean}: the same numbers as fitRma in a quarter of the time). A study is flagged as
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
  const lean = isInterceptOnlyDesign(design);
  for (let i = 0; i < k; i++) {
    const xi = x(i);
    out.hat[i] = ((w[i] as number) * quadraticForm(xi, vb, xi)) / fit.s2w;
    const rows = all.filter((j) => j !== i);
    const deleted = refitWithout(fit, rows, lean);
    const bd = deleted.b;
    const diff = b.map((v, j) => v - (bd[j] as number));
    const predDel = xi.reduce((s, v, j) => s + v * (bd[j] as number), 0);
    out.rstudent[i] =
      ((fit.yi[i] as number) - predDel) /
      Math.sqrt((fit.vi[i] as number) + deleted.tau2 + quadraticForm(xi, deleted.vb, xi));
    out.dffits[i] =
      xi.reduce((s, v, j) => s + v * (diff[j] as number), 0) /
      Math.sqrt((out.hat[i] as number) * (deleted.tau2 + (fit.vi[i] as number)));
    out.cookD[i] = inverseQuadraticForm(vbFlat, diff, p);
    out.covRatio[i] = Math.exp(logDet(deleted.vb) - logDetVb);
    out.tau2Deleted[i] = deleted.tau2;
    out.QEDeleted[i] = deleted.QE;
    // DFBETAS scale: (XᵀW₋ᵢX)⁻¹ over all k studies with weights 1/(vⱼ + τ²₋ᵢ) (Viechtbauer & Cheung 2010, eq. 14)
    const scale = lean
      ? [[fitLean(fit.yi, fit.vi, { method: fit.method, test: 'z', level: fit.level, tau2: deleted.tau2 }).variance]]
      : fitRma(fit.yi, fit.vi, {
          method: fit.method,
          test: 'z',
          level: fit.level,
          design,
          tau2: deleted.tau2,
          r2: false,
        }).vb;
    diff.forEach((d, j) => {
      (out.dfbetas[j] as Float64Array)[i] = d / Math.sqrt(scale[j]?.[j] as number);
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
