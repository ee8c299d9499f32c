/**
 * τ² estimation by method code: parsing, estimation and the standard error, each dispatched through
 * the estimator registry (./registry.ts).
 */
import { EvsynthError } from '../../core/errors.ts';
import { assertFiniteNumber, assertInteger, assertOptions } from '../../core/validate.ts';
import type { Kernel } from '../kernel.ts';
import { TAU2_METHODS, TAU2_REGISTRY, type Tau2Method } from './registry.ts';
import { Tau2Result, type Tau2Control, type ZeroPoint } from './types.ts';

export * from './types.ts';
export {
  TAU2_METHODS,
  TAU2_REGISTRY,
  DEFAULT_TAU2_METHOD,
  type Tau2Method,
  type Tau2EstimatorSpec,
} from './registry.ts';

/** Checks a method code (case as metafor spells it; `hsk`, `reml` etc. accepted). */
export function parseTau2Method(name: string): Tau2Method {
  const m = TAU2_METHODS.find((x) => x.toUpperCase() === name.toUpperCase());
  if (m === undefined)
    throw new EvsynthError('UNKNOWN_METHOD', `unknown method '${name}'; expected one of ${TAU2_METHODS.join(', ')}`);
  return m;
}

/**
 * Checks a convergence control (`threshold` > 0, `maxiter` a whole number from 1 to 10⁶, `tau2Init`
 * finite and ≥ 0), so that every iteration is bounded and starts from a valid point.
 */
export function assertTau2Control(control: unknown, where: string): void {
  if (control === undefined) return;
  assertOptions(control, `${where}: control`);
  const c = control as Record<string, unknown>;
  for (const key of Object.keys(c))
    if (!['threshold', 'maxiter', 'tau2Init'].includes(key))
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `${where}: unknown control '${key}'; expected threshold, maxiter or tau2Init`,
      );
  if (c.threshold !== undefined)
    assertFiniteNumber(c.threshold, 'control.threshold', where, { min: 0, max: 1, open: true });
  if (c.maxiter !== undefined) assertInteger(c.maxiter, 'control.maxiter', where, 1, 1_000_000);
  if (c.tau2Init !== undefined) assertFiniteNumber(c.tau2Init, 'control.tau2Init', where, { min: 0 });
}

/**
 * Estimates τ² by `method` (0 for EE/FE, and for k − p < 1, where τ² is not identifiable) and leaves the
 * kernel evaluated at the estimate (when it is finite). `zero`, the model at τ² = 0 when the caller has
 * it, saves the estimators an evaluation; `out` receives the result (batch paths reuse one record).
 */
export function estimateTau2(
  kernel: Kernel,
  method: Tau2Method,
  control: Tau2Control = {},
  zero?: ZeroPoint,
  out: Tau2Result = new Tau2Result(),
): Tau2Result {
  const spec = TAU2_REGISTRY[method];
  if (spec.common || kernel.k - kernel.p < 1) out.set(0, 0, true);
  else spec.estimate(kernel, control, zero, out);
  const t = out.tau2;
  if (kernel.tau2 !== t && t >= 0 && t < Number.POSITIVE_INFINITY) kernel.evaluate(t);
  return out;
}

/**
 * Standard error of τ̂² (metafor's `se.tau2`), per estimator:
 *
 * ```text
 * REML:             √(2/tr(PP))
 * ML:               √(2/Σwᵢ²)
 * DL, HS, HSk:      √Var(Q_E)/c with Var(Q_E) = 2(k−p) + 4τ²tr P₀ + 2τ⁴tr(P₀P₀) (P₀ at τ² = 0),
 *                   c = tr P₀ (DL), Σwᵢ⁰ (HS), Σwᵢ⁰(k−p)/k (HSk)
 * HE:               √(2 tr(P_OLS Σ P_OLS Σ))/(k−p),   P_OLS = I − H,  Σ = diag(vᵢ + τ̂²)
 * SJ:               τ₀²·√(2 tr(P₀ Σ P₀ Σ))/(k−p),     P₀ at weights 1/(vᵢ + τ₀²)
 * EB, PM, PMM, SJIT: √(2k²/(k−p))/Σwᵢ
 * ```
 *
 * All are large-sample approximations (Viechtbauer 2005; Sidik & Jonkman 2005).
 * Returns NaN for common-effect models. Leaves the kernel evaluated at `tau2`. `control` is the one the
 * estimate was made with, at the kernel's scale (SJ's τ₀² is its `tau2Init` where given, as metafor's).
 */
export function tau2StandardError(kernel: Kernel, method: Tau2Method, tau2: number, control?: Tau2Control): number {
  return TAU2_REGISTRY[method].standardError(kernel, tau2, control);
}
