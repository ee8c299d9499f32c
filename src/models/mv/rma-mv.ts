/**
 * Multilevel and multivariate meta-analysis models (metafor `rma.mv`):
 *
 * ```text
 * y = Xβ + Σ_j u_j + Σ_s w_s + ε,   ε ~ N(0, V)  (V known: sampling variances and covariances)
 * u_j ~ N(0, σ²_j)       one per level of the j-th `~ 1 | group` term (nested a/b gives one per level of a and of a×b)
 * w_s ~ N(0, T_s)        correlated effects of the inner levels within each outer level of `~ inner | outer`
 * M = V + Σ_j σ²_j Z_jZ_jᵀ + Σ_s Z_s(I ⊗ T_s)Z_sᵀ,   b = (XᵀM⁻¹X)⁻¹XᵀM⁻¹y,   Var(b) = (XᵀM⁻¹X)⁻¹
 * ```
 *
 * The variance components are estimated by REML (default) or ML (./likelihood.ts, ./optimise.ts); tests are
 * z, or t with k − p ("residual") or containment ("contain") degrees of freedom; Q_E is the generalised
 * Cochran's Q with V alone; Q_M the Wald test of the coefficients `btt` (χ²(m), or F(m, df) under t); I²
 * the multilevel I² of Nakagawa & Santos (2012) for models whose random terms are all `~ 1 | group`.
 * Fit statistics are metafor's: REML ℓ includes +½ log|XᵀX|; the ML deviance is −2(ℓ − ℓ_sat),
 * ℓ_sat = −½(k log 2π + log|V|); AIC = −2ℓ + 2q, BIC = −2ℓ + q log n, AICc = −2ℓ + 2q·n′/(n′ − q − 1),
 * n′ = max(n, q + 2), q = p + free components, n = k (ML) or k − p (REML).
 *
 * References: Konstantopoulos S (2011). Fixed effects and variance components estimation in three-level
 * meta-analysis. Res Synth Methods 2(1):61–76. doi:10.1002/jrsm.35; Berkey CS et al. (1998). Stat Med
 * 17(22):2537–2550; Viechtbauer W (2010). J Stat Softw 36(3). Cross-check: `metafor::rma.mv`.
 *
 * @throws EvsynthError LENGTH_MISMATCH, TOO_FEW_STUDIES, NON_FINITE, NON_POSITIVE_VARIANCE, INVALID_ARGUMENT,
 *   NOT_POSITIVE_DEFINITE (V), SINGULAR_MATRIX (X)
 */
import { EvsynthError } from '../../core/errors.ts';
import { assertLevel } from '../../core/validate.ts';
import { inverseQuadraticForm } from '../../core/numeric/linalg.ts';
import { pchisqUpper, pfUpper } from '../../distributions/index.ts';
import { waldTest } from '../wald.ts';
import { interceptDesign, type Design } from '../design.ts';
import type { Coefficient, FitStatistics } from '../rma.ts';
import { samplingHeterogeneity } from './heterogeneity.ts';
import { MvLikelihood } from './likelihood.ts';
import { maximiseLikelihood, type OptimiseControl } from './optimise.ts';
import type { RandomTerm, StructTerm } from './random-terms.ts';
import { diagonalCovariance, type SamplingCovariance } from '../../effects/sampling-covariance.ts';
import { admissibleCorrelations, componentCounts, structParameters, unPairs, type Struct } from './structures.ts';

export const MV_METHODS = ['REML', 'ML'] as const;
export type MvMethod = (typeof MV_METHODS)[number];
export const MV_TESTS = ['z', 't'] as const;
export type MvTest = (typeof MV_TESTS)[number];
export const MV_DFS = ['residual', 'contain'] as const;
export type MvDfs = (typeof MV_DFS)[number];

/** Fixed values of components: null (or absent) = estimate. Lengths as metafor's `sigma2 =` etc. */
export interface FixedComponents {
  readonly sigma2?: readonly (number | null)[];
  readonly tau2?: readonly (number | null)[];
  readonly rho?: readonly (number | null)[];
  readonly gamma2?: readonly (number | null)[];
  readonly phi?: readonly (number | null)[];
}

export interface RmaMvOptions {
  readonly method?: MvMethod;
  readonly test?: MvTest;
  readonly dfs?: MvDfs;
  readonly level?: number;
  /** Model matrix (default: intercept only). */
  readonly design?: Design;
  /** Random terms (none: the common-effect model with V). */
  readonly random?: readonly RandomTerm[];
  readonly fixed?: FixedComponents;
  /** Coefficients for the omnibus test (0-based; default all but the intercept). */
  readonly btt?: readonly number[];
  readonly control?: OptimiseControl;
}

export type ComponentKind = 'sigma2' | 'tau2' | 'rho' | 'gamma2' | 'phi';

/** One variance or correlation component as metafor reports it. */
export interface VarianceComponent {
  readonly kind: ComponentKind;
  /** 0-based index within its kind. */
  readonly index: number;
  /** metafor's label: sigma^2.1, tau^2, tau^2.2, rho, phi … */
  readonly name: string;
  readonly estimate: number;
  readonly fixed: boolean;
  /** sigma2: the grouping term ("district/school") and its number of levels. */
  readonly factor?: string;
  readonly nLevels?: number;
  /** tau2/gamma2 per inner level: the level and the number of estimates at it (k.lvl). */
  readonly innerLevel?: string;
  readonly kLevel?: number;
  /** UN correlations: the pair of inner levels, and the number of outer levels where both occur. */
  readonly pair?: readonly [string, string];
  readonly nPair?: number;
}

export interface StructSummary {
  readonly role: 'tau2' | 'gamma2';
  readonly struct: Struct;
  readonly inner: string;
  readonly outer: string;
  readonly innerLevels: readonly string[];
  readonly nOuter: number;
}

export interface MvCoefficient extends Coefficient {
  /** Degrees of freedom of its t test (null under z). */
  readonly df: number | null;
}

/** A fitted multilevel/multivariate model. Immutable. */
export interface RmaMvFit {
  readonly kind: 'rma.mv';
  readonly k: number;
  readonly p: number;
  readonly method: MvMethod;
  readonly test: MvTest;
  readonly dfs: MvDfs;
  readonly level: number;
  readonly coefficients: readonly MvCoefficient[];
  readonly vb: readonly (readonly number[])[];
  readonly sigma2: readonly number[];
  readonly tau2: readonly number[];
  readonly rho: readonly number[];
  readonly gamma2: readonly number[];
  readonly phi: readonly number[];
  readonly components: readonly VarianceComponent[];
  readonly structs: readonly StructSummary[];
  readonly QE: number;
  readonly QEdf: number;
  readonly QEp: number;
  readonly QM: number;
  readonly QMdf: readonly [number, number | null];
  readonly QMp: number;
  readonly btt: readonly number[];
  /** Fit statistics of the fitted criterion (REML or ML), as metafor's fitstats(). */
  readonly fitstats: FitStatistics;
  /** Multilevel I² (percent): total and per σ² component; null when the model has `inner | outer` terms. */
  readonly I2: { readonly total: number; readonly components: readonly number[] } | null;
  /** Weights in percent: diag(M⁻¹)/Σ diag(M⁻¹). */
  readonly weights: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  readonly warnings: readonly string[];
  readonly yi: Float64Array;
  readonly V: SamplingCovariance;
  readonly design: Design;
  readonly random: readonly RandomTerm[];
  /** The marginal covariance blocks M_b at the estimates (rows and matrices), for robust inference. */
  readonly marginal: () => { readonly rows: readonly Int32Array[]; readonly M: readonly Float64Array[] };
  /** Internals for profile-likelihood intervals. */
  readonly problem: MvProblem;
}

/** The mapping between reported components and the likelihood's internal parameters. */
interface ComponentMap {
  readonly kind: ComponentKind;
  readonly index: number;
  readonly theta: number;
  /** The internal parameter is the standard deviation (value = θ²). */
  readonly sd: boolean;
}

/** The likelihood with its parameters' names, boxes, scales and fixed values: refittable with more fixed. */
export class MvProblem {
  readonly lik: MvLikelihood;
  readonly map: readonly ComponentMap[];
  readonly fixed: readonly boolean[];
  readonly scale: Float64Array;
  readonly control: OptimiseControl;
  private readonly structTerms: { index: number; term: StructTerm; first: number; count: number }[];

  constructor(lik: MvLikelihood, map: ComponentMap[], fixed: boolean[], scale: Float64Array, control: OptimiseControl) {
    this.lik = lik;
    this.map = map;
    this.fixed = fixed;
    this.scale = scale;
    this.control = control;
    let first = 0;
    this.structTerms = [];
    lik.terms.forEach((t, index) => {
      const count = t.kind === 'intercept' ? 1 : structParameters(t.struct, t.innerLevels.length).length;
      if (t.kind === 'struct') this.structTerms.push({ index, term: t, first, count });
      first += count;
    });
  }

  admissible = (theta: Float64Array): boolean =>
    this.structTerms.every((s) =>
      admissibleCorrelations(s.term.struct, s.term.innerLevels.length, theta.subarray(s.first, s.first + s.count)),
    );

  /** Internal θ value for a reported component value. */
  thetaOf(c: ComponentMap, value: number): number {
    return c.sd ? Math.sqrt(value) : value;
  }
  valueOf(c: ComponentMap, theta: ArrayLike<number>): number {
    const t = theta[c.theta] as number;
    return c.sd ? t * t : t;
  }

  /** Maximises ℓ from `start`, with the components in `extra` fixed (θ index → internal value). */
  maximise(start: ArrayLike<number>, extra: ReadonlyMap<number, number> = new Map()) {
    const s = Float64Array.from(start);
    const fixed = this.fixed.map((f, i) => f || extra.has(i));
    for (const [i, v] of extra) s[i] = v;
    return maximiseLikelihood(this.lik, s, fixed, this.scale, this.admissible, this.control);
  }
}

/** Validated fit options with defaults. */
function resolve(options: RmaMvOptions, k: number) {
  const method = options.method ?? 'REML';
  if (!MV_METHODS.includes(method))
    throw new EvsynthError('UNKNOWN_METHOD', `rma.mv method '${String(method)}'; expected REML or ML`);
  const dfs = options.dfs ?? 'residual';
  if (!MV_DFS.includes(dfs))
    throw new EvsynthError('UNKNOWN_OPTION_VALUE', `dfs '${String(dfs)}'; expected residual or contain`);
  // metafor: dfs = "contain" implies test = "t"
  const test = dfs === 'contain' ? 't' : (options.test ?? 'z');
  if (!MV_TESTS.includes(test))
    throw new EvsynthError('UNKNOWN_OPTION_VALUE', `test '${String(test)}'; expected z or t`);
  const level = options.level ?? 95;
  assertLevel(level, 'fitRmaMv');
  const design = options.design ?? interceptDesign(k);
  if (design.k !== k)
    throw new EvsynthError('LENGTH_MISMATCH', `fitRmaMv: the design has ${design.k} rows for ${k} estimates`);
  if (design.p > k)
    throw new EvsynthError('TOO_FEW_STUDIES', `fitRmaMv: ${design.p} coefficients but only ${k} estimates`);
  return { method, dfs, test, level, design };
}

/** Fits `rma.mv` (see the module comment). `V`: the sampling variances, or a full covariance. */
export function fitRmaMv(
  yi: ArrayLike<number>,
  V: ArrayLike<number> | SamplingCovariance,
  options: RmaMvOptions = {},
): RmaMvFit {
  const y = Float64Array.from(yi);
  const k = y.length;
  if (k === 0) throw new EvsynthError('TOO_FEW_STUDIES', 'fitRmaMv: no estimates (k = 0)');
  y.forEach((v, i) => {
    if (!Number.isFinite(v))
      throw new EvsynthError('NON_FINITE', `fitRmaMv: yi[${i}] is ${v}; expected a finite number`, { row: i });
  });
  const Vs: SamplingCovariance = 'diag' in V ? V : diagonalCovariance(V);
  if (Vs.k !== k) throw new EvsynthError('LENGTH_MISMATCH', `fitRmaMv: V is for ${Vs.k} estimates, yi has ${k}`);
  const { method, dfs, test, level, design } = resolve(options, k);
  const p = design.p;
  const terms = options.random ?? [];
  for (const t of terms) {
    const n = t.kind === 'intercept' ? t.level.length : t.innerLevel.length;
    if (n !== k) throw new EvsynthError('LENGTH_MISMATCH', `fitRmaMv: a random term has ${n} rows for ${k} estimates`);
  }
  const warnings: string[] = [...unidentifiedTerms(terms)];
  const sampling = samplingHeterogeneity(y, design, Vs);
  const lik = new MvLikelihood(y, design, Vs, terms, method === 'REML');
  const { map, fixed, start, scale } = parameterLayout(lik, terms, Vs, options.fixed ?? {}, sampling, k, p);
  const control = options.control ?? {};
  const problem = new MvProblem(lik, map, fixed, scale, control);
  const opt = problem.maximise(start);
  if (!Number.isFinite(opt.ll))
    throw new EvsynthError(
      'NOT_CONVERGED',
      'rma.mv: the marginal covariance is not positive definite at the start values',
    );
  if (!opt.converged) warnings.push(`the optimiser did not converge in ${opt.iterations} iterations`);
  const theta = opt.theta;

  // coefficients
  const beta = Array.from(lik.beta);
  const vb = Array.from({ length: p }, (_, r) => Array.from({ length: p }, (_, c) => lik.Ainv[r * p + c] as number));
  const ddf: number[] | null =
    test === 'z' ? null : dfs === 'residual' ? beta.map(() => k - p) : containmentDf(design, terms, k);
  const coefficients: MvCoefficient[] = beta.map((b, j) => {
    const df = ddf === null ? null : (ddf[j] as number);
    return { name: design.names[j] ?? `b${j}`, ...waldTest(b, Math.sqrt(vb[j]?.[j] as number), level, df), df };
  });
  const hasIntercept = design.names[0] === 'intrcpt';
  const btt = options.btt ?? (p > 1 && hasIntercept ? beta.map((_, j) => j).slice(1) : beta.map((_, j) => j));
  if (btt.some((j) => !(Number.isInteger(j) && j >= 0 && j < p)))
    throw new EvsynthError('INVALID_ARGUMENT', `btt: coefficient indices must be between 1 and ${p}`);
  const m = btt.length;
  const sub = btt.flatMap((r) => btt.map((c) => vb[r]?.[c] as number));
  const wald = inverseQuadraticForm(
    sub,
    btt.map((j) => beta[j] as number),
    m,
  );
  const QMddf = ddf === null ? null : Math.min(...btt.map((j) => ddf[j] as number));
  const QM = QMddf === null ? wald : wald / m;
  const QMp = QMddf === null ? pchisqUpper(QM, m) : pfUpper(QM, m, QMddf);
  const QEdf = k - p;
  const QE = sampling.QE;
  const QEp = QEdf > 0 ? pchisqUpper(QE, QEdf) : 1;

  // components
  const components = reportComponents(problem, theta, terms, fixed);
  const pick = (kind: ComponentKind) => components.filter((c) => c.kind === kind).map((c) => c.estimate);
  const sigma2 = pick('sigma2');
  const structs: StructSummary[] = terms
    .filter((t): t is StructTerm => t.kind === 'struct')
    .map((t, s) => ({
      role: s === 0 ? 'tau2' : 'gamma2',
      struct: t.struct,
      inner: t.inner,
      outer: t.outer,
      innerLevels: t.innerLevels,
      nOuter: t.outerLevels.length,
    }));

  // fit statistics
  const nFree = fixed.filter((f) => !f).length;
  const q = p + nFree;
  const ll = lik.ll;
  const llSat = -0.5 * (k * Math.log(2 * Math.PI) + sampling.logdetV);
  const n = method === 'REML' ? k - p : k;
  const nn = Math.max(n, q + 2);
  const fitstats: FitStatistics = {
    ll,
    dev: method === 'REML' ? -2 * ll : -2 * (ll - llSat),
    AIC: -2 * ll + 2 * q,
    BIC: -2 * ll + q * Math.log(n),
    AICc: -2 * ll + (2 * q * nn) / (nn - q - 1),
  };
  const vt = QEdf > 0 ? QEdf / sampling.trP : 0;
  const sumS = sigma2.reduce((s, v) => s + v, 0);
  const I2 =
    terms.length > 0 && terms.every((t) => t.kind === 'intercept') && QEdf > 0
      ? { total: (100 * sumS) / (sumS + vt), components: sigma2.map((s) => (100 * s) / (sumS + vt)) }
      : null;

  // weights: diag(M⁻¹), in percent
  const wdiag = lik.inverseDiagonal(theta);
  const sw = wdiag.reduce((s, v) => s + v, 0);
  const weights = Float64Array.from(wdiag, (w) => (100 * w) / sw);

  return Object.freeze({
    kind: 'rma.mv',
    k,
    p,
    method,
    test,
    dfs,
    level,
    coefficients,
    vb,
    sigma2,
    tau2: pick('tau2'),
    rho: pick('rho'),
    gamma2: pick('gamma2'),
    phi: pick('phi'),
    components,
    structs,
    QE,
    QEdf,
    QEp,
    QM,
    QMdf: [m, QMddf] as const,
    QMp,
    btt,
    fitstats,
    I2,
    weights,
    iterations: opt.iterations,
    converged: opt.converged,
    warnings,
    yi: y,
    V: Vs,
    design,
    random: terms,
    marginal: () => ({ rows: lik.blocks.map((b) => b.rows), M: lik.marginalBlocks(theta) }),
    problem,
  });
}

/** Warnings for pairs of σ² terms that group the rows identically: only the sum of their variances is identified. */
function unidentifiedTerms(terms: readonly RandomTerm[]): string[] {
  const intercepts = terms.filter((t) => t.kind === 'intercept');
  const out: string[] = [];
  for (let a = 0; a < intercepts.length; a++)
    for (let b = a + 1; b < intercepts.length; b++) {
      const ta = intercepts[a] as { name: string; level: Int32Array; levels: readonly string[] },
        tb = intercepts[b] as typeof ta;
      if (ta.levels.length !== tb.levels.length) continue;
      const map = new Map<number, number>();
      const same = ta.level.every((l, i) => {
        const m = map.get(l);
        if (m === undefined) map.set(l, tb.level[i] as number);
        return m === undefined || m === tb.level[i];
      });
      if (same)
        out.push(
          `'${ta.name}' and '${tb.name}' group the rows identically (each level of one is a level of the other): only the sum of their variances is identified`,
        );
    }
  return out;
}

/**
 * Containment degrees of freedom (metafor `dfs = "contain"`): for coefficient j, the grouping with the
 * fewest levels (σ² terms: their levels; inner | outer terms: the outer levels) within whose every level x_j
 * is constant gives df = levels − p; if there is none, k − p.
 */
function containmentDf(design: Design, terms: readonly RandomTerm[], k: number): number[] {
  const { p, x } = design;
  const groupings = terms
    .map((t) =>
      t.kind === 'intercept'
        ? { level: t.level, n: t.levels.length }
        : { level: t.outerLevel, n: t.outerLevels.length },
    )
    .sort((a, b) => a.n - b.n);
  return design.names.map((_, j) => {
    for (const g of groupings) {
      const first = new Map<number, number>();
      let constant = true;
      for (let i = 0; i < k && constant; i++) {
        const l = g.level[i] as number,
          v = x[i * p + j] as number;
        const f = first.get(l);
        if (f === undefined) first.set(l, v);
        else if (f !== v) constant = false;
      }
      if (constant) return g.n - p;
    }
    return k - p;
  });
}

/** Internal parameters: which component each is, start values, scales and fixed values. */
function parameterLayout(
  lik: MvLikelihood,
  terms: readonly RandomTerm[],
  V: SamplingCovariance,
  fixedIn: FixedComponents,
  sampling: { QE: number; trP: number },
  k: number,
  p: number,
) {
  const m = lik.params.length;
  const map: ComponentMap[] = [];
  const fixed = new Array<boolean>(m).fill(false);
  const start = new Float64Array(m);
  const scale = new Float64Array(m);
  const meanV = V.diag.reduce((s, v) => s + v, 0) / k;
  // total heterogeneity by the method of moments on V alone, shared among the variance terms
  const total = k - p > 0 ? Math.max(0, (sampling.QE - (k - p)) / sampling.trP) : 0;
  const init = Math.max(total / Math.max(1, terms.length), 0.05 * meanV);
  let nSigma = 0,
    nStruct = 0,
    t0 = 0;
  const fixedValue = (arr: readonly (number | null)[] | undefined, i: number, what: string, expected: number) => {
    if (arr === undefined) return null;
    if (arr.length !== expected)
      throw new EvsynthError('INVALID_ARGUMENT', `${what} has ${arr.length} values; the model has ${expected}`);
    const v = arr[i];
    if (v === null || v === undefined || Number.isNaN(v)) return null;
    if (!Number.isFinite(v))
      throw new EvsynthError('INVALID_ARGUMENT', `${what}[${i + 1}] = ${v}; expected a finite number`);
    return v;
  };
  const nSigmaTotal = terms.filter((t) => t.kind === 'intercept').length;
  const structTerms = terms.filter((t) => t.kind === 'struct');
  for (const t of terms) {
    if (t.kind === 'intercept') {
      const v = fixedValue(fixedIn.sigma2, nSigma, 'sigma2', nSigmaTotal);
      if (v !== null && v < 0)
        throw new EvsynthError('INVALID_ARGUMENT', `sigma2[${nSigma + 1}] = ${v}; a variance must be ≥ 0`);
      if (v === null && t.levels.length < 2)
        throw new EvsynthError(
          'TOO_FEW_STUDIES',
          `random term '~ 1 | ${t.name}' has a single level ('${t.levels[0] ?? ''}'): its variance cannot be estimated; drop the term or fix it at 0`,
        );
      map.push({ kind: 'sigma2', index: nSigma, theta: t0, sd: false });
      fixed[t0] = v !== null;
      start[t0] = v ?? init;
      scale[t0] = meanV;
      nSigma++;
      t0++;
      continue;
    }
    const second = nStruct === 1;
    const J = t.innerLevels.length;
    const counts = componentCounts(t.struct, J);
    const kinds: [ComponentKind, ComponentKind] = second ? ['gamma2', 'phi'] : ['tau2', 'rho'];
    const fv = second ? [fixedIn.gamma2, fixedIn.phi] : [fixedIn.tau2, fixedIn.rho];
    if (t.outerLevels.length < 2)
      throw new EvsynthError(
        'TOO_FEW_STUDIES',
        `random term '~ ${t.inner} | ${t.outer}' has a single level of '${t.outer}': its variance components cannot be estimated`,
      );
    const params = structParameters(t.struct, J);
    let nt = 0,
      nr = 0;
    for (const sp of params) {
      if (sp.component === 'tau2') {
        const v = fixedValue(fv[0], nt, kinds[0], counts.tau2);
        if (v !== null && v < 0)
          throw new EvsynthError('INVALID_ARGUMENT', `${kinds[0]}[${nt + 1}] = ${v}; a variance must be ≥ 0`);
        const sd = sp.kind === 'sd';
        map.push({ kind: kinds[0], index: nt, theta: t0, sd });
        fixed[t0] = v !== null;
        start[t0] = v !== null ? (sd ? Math.sqrt(v) : v) : sd ? Math.sqrt(init) : init;
        scale[t0] = sd ? Math.sqrt(meanV) : meanV;
        nt++;
      } else {
        const v = fixedValue(fv[1], nr, kinds[1], counts.rho);
        if (v !== null && Math.abs(v) > 1)
          throw new EvsynthError(
            'INVALID_ARGUMENT',
            `${kinds[1]}[${nr + 1}] = ${v}; a correlation must be between −1 and 1`,
          );
        map.push({ kind: kinds[1], index: nr, theta: t0, sd: false });
        // a single inner level leaves the correlation unidentified: fix it (metafor does the same)
        fixed[t0] = v !== null || J < 2;
        start[t0] = v ?? (J < 2 ? 0 : 0.5);
        scale[t0] = 1;
        nr++;
      }
      t0++;
    }
    nStruct++;
  }
  void structTerms;
  return { map, fixed, start, scale };
}

/** The reported components at θ, in metafor's order and with its labels. */
function reportComponents(
  problem: MvProblem,
  theta: Float64Array,
  terms: readonly RandomTerm[],
  fixed: readonly boolean[],
): VarianceComponent[] {
  const out: VarianceComponent[] = [];
  const sigmaTerms = terms.filter((t) => t.kind === 'intercept');
  const structTerms = terms.filter((t): t is StructTerm => t.kind === 'struct');
  const nSigma = sigmaTerms.length;
  for (const c of problem.map) {
    const estimate = problem.valueOf(c, theta);
    const isFixed = fixed[c.theta] as boolean;
    if (c.kind === 'sigma2') {
      const t = sigmaTerms[c.index] as { name: string; levels: readonly string[] };
      out.push({
        kind: 'sigma2',
        index: c.index,
        name: nSigma > 1 ? `sigma^2.${c.index + 1}` : 'sigma^2',
        estimate,
        fixed: isFixed,
        factor: t.name,
        nLevels: t.levels.length,
      });
      continue;
    }
    const t = structTerms[c.kind === 'tau2' || c.kind === 'rho' ? 0 : 1] as StructTerm;
    const J = t.innerLevels.length;
    const counts = componentCounts(t.struct, J);
    const base = c.kind === 'tau2' ? 'tau^2' : c.kind === 'gamma2' ? 'gamma^2' : c.kind;
    if (c.kind === 'tau2' || c.kind === 'gamma2') {
      const perLevel = counts.tau2 > 1;
      out.push({
        kind: c.kind,
        index: c.index,
        name: perLevel ? `${base}.${c.index + 1}` : base,
        estimate,
        fixed: isFixed,
        ...(perLevel
          ? {
              innerLevel: t.innerLevels[c.index] as string,
              kLevel: t.innerLevel.reduce((s, g) => s + (g === c.index ? 1 : 0), 0),
            }
          : {}),
      });
    } else {
      const pair = t.struct === 'UN' ? (unPairs(J)[c.index] as [number, number]) : null;
      out.push({
        kind: c.kind,
        index: c.index,
        name: base,
        estimate,
        fixed: isFixed,
        ...(pair
          ? {
              pair: [t.innerLevels[pair[0]] as string, t.innerLevels[pair[1]] as string] as const,
              nPair: coOccurrences(t, pair[0], pair[1]),
            }
          : {}),
      });
    }
  }
  return out;
}

/** Number of outer levels in which both inner levels g and h occur. */
function coOccurrences(t: StructTerm, g: number, h: number): number {
  const has = new Map<number, number>();
  t.innerLevel.forEach((lvl, i) => {
    if (lvl === g || lvl === h)
      has.set(t.outerLevel[i] as number, (has.get(t.outerLevel[i] as number) ?? 0) | (lvl === g ? 1 : 2));
  });
  let n = 0;
  for (const v of has.values()) if (v === 3) n++;
  return n;
}
