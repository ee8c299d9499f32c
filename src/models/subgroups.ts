import { EvsynthError } from '../core/errors.ts';
import { pchisqUpper } from '../distributions/index.ts';
import { parseModerators } from './formula.ts';
import { buildModelMatrix, sortLevels } from './model-matrix.ts';
import { fitRma, type RmaFit, type RmaOptions } from './rma.ts';

export interface SubgroupFit {
  readonly level: string;
  /** Positions (into the yi/vi given) of this level's studies. */
  readonly indices: readonly number[];
  readonly fit: RmaFit;
  /** True when the level has a single study (no heterogeneity can be estimated). */
  readonly singleStudy: boolean;
}

export interface SubgroupDifferenceTest {
  /** Q_between = Σ_g w_g(θ̂_g − θ̄)², w_g = 1/se_g², over the separate fits. */
  readonly Q: number;
  readonly df: number;
  readonly pValue: number;
  /** I² of the test, max(0, 100(Q − df)/Q), as RevMan prints it. */
  readonly I2: number;
}

export interface SeparateSubgroups {
  readonly levels: readonly SubgroupFit[];
  readonly test: SubgroupDifferenceTest | null;
}

/**
 * Separate fits per subgroup level, each with its own τ² (the RevMan and `meta` default), and
 * the test for subgroup differences on those fits:
 *
 * ```text
 * Q_b = Σ_g w_g (θ̂_g − θ̄)²,  w_g = 1/se_g²,  θ̄ = Σ w_g θ̂_g / Σ w_g,  df = G − 1,
 * I²_b = max(0, 100(Q_b − df)/Q_b)
 * ```
 *
 * Levels are sorted as R's factor() sorts them (numerically when all are numbers); `null` test when G < 2.
 *
 * Reference: Borenstein M, Higgins JPT (2013). Meta-analysis and subgroups. Prev Sci
 * 14(2):134–143. doi:10.1007/s11121-013-0377-7; Deeks JJ, Higgins JPT, Altman DG (eds),
 * Cochrane Handbook §10.11.3. Cross-check: metafor `rma(yi, vi, subset=group==g)` per level and
 * `rma(θ̂_g, sei=se_g, method="FE")$QE`.
 */
export function fitSeparateSubgroups(
  yi: ArrayLike<number>,
  vi: ArrayLike<number>,
  groups: readonly string[],
  options: RmaOptions = {},
): SeparateSubgroups {
  if (groups.length !== yi.length)
    throw new EvsynthError(
      'LENGTH_MISMATCH',
      `fitSeparateSubgroups: ${groups.length} group labels for ${yi.length} studies`,
    );
  const levels = sortLevels(groups);
  const fits: SubgroupFit[] = levels.map((level) => {
    const indices = groups.flatMap((g, i) => (g === level ? [i] : []));
    const fit = fitRma(
      indices.map((i) => yi[i] as number),
      indices.map((i) => vi[i] as number),
      options,
    );
    return { level, indices, fit, singleStudy: indices.length === 1 };
  });
  if (fits.length < 2) return { levels: fits, test: null };
  return {
    levels: fits,
    test: subgroupDifferenceTest(fits.map((f) => f.fit.coefficients[0] as { estimate: number; se: number })),
  };
}

/**
 * The test for subgroup differences on G independent subgroup estimates θ̂_g with standard errors se_g
 * (RevMan's and meta's test; the same for inverse-variance, Mantel–Haenszel and Peto subgroups):
 *
 * ```text
 * Q_b = Σ_g w_g (θ̂_g − θ̄)²,  w_g = 1/se_g²,  θ̄ = Σ w_g θ̂_g / Σ w_g,  df = G − 1,
 * I²_b = max(0, 100(Q_b − df)/Q_b)
 * ```
 *
 * Reference: Borenstein M, Higgins JPT (2013). Prev Sci 14(2):134–143; Deeks JJ, Higgins JPT (2010),
 * Statistical algorithms in Review Manager 5. Cross-check: `rma(θ̂_g, sei=se_g, method="FE")$QE`.
 *
 * @throws EvsynthError INVALID_ARGUMENT for fewer than two subgroups
 */
export function subgroupDifferenceTest(
  subgroups: readonly { readonly estimate: number; readonly se: number }[],
): SubgroupDifferenceTest {
  if (subgroups.length < 2)
    throw new EvsynthError('INVALID_ARGUMENT', 'a test for subgroup differences needs at least two subgroups');
  const est = subgroups.map((g) => g.estimate);
  const w = subgroups.map((g) => 1 / g.se ** 2);
  const sw = w.reduce((a, b) => a + b, 0);
  const mean = est.reduce((a, e, i) => a + (w[i] as number) * e, 0) / sw;
  const Q = est.reduce((a, e, i) => a + (w[i] as number) * (e - mean) ** 2, 0);
  const df = subgroups.length - 1;
  return { Q, df, pValue: pchisqUpper(Q, df), I2: Q > 0 ? Math.max(0, (100 * (Q - df)) / Q) : 0 };
}

export interface CommonTau2Subgroups {
  /** `mods = ~ factor(group)`: intercept = first level; QM (df = G − 1) is metafor's test of subgroup differences, R² the heterogeneity explained. */
  readonly moderatorModel: RmaFit;
  /** `mods = ~ 0 + factor(group)`: one mean per level, all sharing one τ². */
  readonly groupMeans: RmaFit;
}

/**
 * The subgroup model with a common τ² (metafor's mixed-effects model with a categorical moderator):
 *
 * ```text
 * yᵢ = μ_g(i) + uᵢ + εᵢ,  uᵢ ~ N(0, τ²) with one τ² for all groups
 * QM = b₂..G ᵀ Var(b₂..G)⁻¹ b₂..G ~ χ²_{G−1} (F_{G−1, k−G} under knha)
 * ```
 *
 * Reference: Viechtbauer W (2010), J Stat Softw 36(3), §3.3. Cross-check:
 * `rma(yi, vi, mods = ~ factor(group))` and `rma(yi, vi, mods = ~ 0 + factor(group))`.
 */
export function fitCommonTau2Subgroups(
  yi: ArrayLike<number>,
  vi: ArrayLike<number>,
  groups: readonly string[],
  options: RmaOptions = {},
  column = 'group',
): CommonTau2Subgroups {
  if (new Set(groups).size < 2)
    throw new EvsynthError('INVALID_ARGUMENT', 'a subgroup model needs at least two groups');
  const rows = groups.map((_, i) => i);
  if (!/^[A-Za-z_.][\w.]*$/.test(column))
    throw new EvsynthError('INVALID_ARGUMENT', `'${column}' cannot name a moderator (letters, digits, '.', '_')`);
  const cols = { [column]: groups };
  const y = Array.from({ length: yi.length }, (_, i) => yi[i] as number),
    v = Array.from({ length: vi.length }, (_, i) => vi[i] as number);
  const mod = buildModelMatrix(parseModerators(`~ factor(${column})`), cols, rows);
  const means = buildModelMatrix(parseModerators(`~ 0 + factor(${column})`), cols, rows);
  return {
    moderatorModel: fitRma(y, v, { ...options, design: mod.design }),
    groupMeans: fitRma(y, v, { ...options, design: means.design }),
  };
}
