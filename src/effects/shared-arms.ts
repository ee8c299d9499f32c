/**
 * Effect sizes that share an arm: one control (or treatment) group compared with several others in a
 * multi-arm trial. The comparisons are correlated through the shared group's sampling error. Two ways to
 * handle them (Cochrane Handbook, §23.3.4):
 *
 * - **covariance** (Gleser & Olkin 2009): keep every comparison with the shared arm whole and give the
 *   sampling covariance of each pair of comparisons to a multivariate/multilevel model (the V of `rma.mv`).
 *   With s_i = +1 when the shared arm is arm 1 of comparison i and −1 when it is arm 2, and c_i the
 *   shared arm's contribution to Var(y_i) in comparison i,
 *
 *   ```text
 *   Cov(y_i, y_j) = s_i s_j √(c_i c_j)
 *   MD:   c = sd²/n                       ROM: c = sd²/(n·m²)
 *   RR:   c = 1/x − 1/n                   OR:  c = 1/x + 1/(n − x)          RD: c = p(1 − p)/n
 *   SMD:  Cov(g_i, g_j) = J_i J_j [s_i s_j/n + δ_i δ_j (n − 1)/(2 ν_i ν_j)]
 *         (δ = d before the small-sample factor J, ν = n₁ + n₂ − 2 of each comparison: the delta method for
 *          standardised differences whose pooled SDs share the arm's SD)
 *   ```
 *
 *   (x events of n; zero-cell corrections as the effect sizes had them; √(c_i c_j) equals c when both rows
 *   print the arm identically.)
 * - **split**: divide the shared arm's participants (and events) evenly among the comparisons that use it and
 *   treat the comparisons as independent — the Handbook's simpler alternative, which avoids double counting
 *   but not the correlation.
 *
 * A group is `repeated` when every row prints the whole shared arm, `split` when the source already divided it
 * among the rows (the arm is then their sum: the covariance approach re-assembles it, the split approach
 * leaves it as printed). A split continuous arm whose printed SDs were derived from the arm's standard error
 * with the split N (sd_i = SE·√n_i, so that sd_i²/n_i = SE² in every row: `sd: 'from-se'`) already carries the
 * whole arm's sampling variance in each row: the covariance approach then uses the rows as printed.
 *
 * References: Gleser LJ, Olkin I (2009). Stochastically dependent effect sizes. In Cooper H, Hedges LV,
 * Valentine JC (eds), The Handbook of Research Synthesis and Meta-Analysis, 2nd ed., 357–376; Higgins JPT,
 * Li T, Deeks JJ (2023). Cochrane Handbook for Systematic Reviews of Interventions v6.4, §23.3.4 ("How to
 * include multiple groups from one study"); Hedges LV, Olkin I (1985). Statistical Methods for
 * Meta-Analysis, ch. 5 (variance of d).
 */
import { EvsynthError } from '../core/errors.ts';
import { covarianceFromPairs, type Covariance, type SamplingCovariance } from './sampling-covariance.ts';
import { hedgesCorrection } from './smd.ts';
import { escalc } from './escalc.ts';
import type { EffectColumnName, EffectColumns, EffectOptions } from './options.ts';
import type { Measure } from './registry.ts';
import type { EffectSizes } from './types.ts';

export const SHARED_ARM_MEASURES = ['MD', 'SMD', 'ROM', 'RR', 'OR', 'RD'] as const;
export type SharedArmMeasure = (typeof SHARED_ARM_MEASURES)[number];
export const SHARED_N = ['repeated', 'split'] as const;
export type SharedN = (typeof SHARED_N)[number];
export const SHARED_APPROACHES = ['covariance', 'split'] as const;
export type SharedApproach = (typeof SHARED_APPROACHES)[number];

/** Rows that share one arm. */
export interface SharedArmGroup {
  /** A name for messages (e.g. the value of the shared-arm column). */
  readonly id: string;
  /** 0-based input rows. */
  readonly rows: readonly number[];
  /** Which arm of each row is the shared one: 1 (n1i, m1i, … / ai, bi) or 2 (n2i, … / ci, di; default). */
  readonly arms?: readonly (1 | 2)[];
  /** Whether each row prints the whole arm (`repeated`) or a share of it (`split`). */
  readonly n: SharedN;
  /**
   * Continuous data of a split arm: the printed SD is the arm's (`arm`, default) or was derived from the arm's
   * standard error with each row's share of N (`from-se`).
   */
  readonly sd?: SharedSd;
}

export const SHARED_SD = ['arm', 'from-se'] as const;
export type SharedSd = (typeof SHARED_SD)[number];

export interface SharedArmEffects {
  readonly approach: SharedApproach;
  /** Effect sizes of every input row, after the shared arms were re-assembled or split. */
  readonly effects: EffectSizes;
  /** Input rows with an estimable effect, in order: the rows of V. */
  readonly rows: readonly number[];
  /** Sampling covariance of those rows (diagonal under `split`). */
  readonly V: SamplingCovariance;
  /** How each group's shared arm was sized. */
  readonly groups: readonly {
    readonly id: string;
    readonly rows: readonly number[];
    readonly n: SharedN;
    readonly sd: SharedSd;
    /** The shared arm's size as used for each row. */
    readonly armN: readonly number[];
  }[];
  readonly warnings: readonly string[];
}

/**
 * Groups of rows sharing an arm from a column: rows with the same non-empty value share it. `n` decides, per
 * group, whether the printed arm sizes are repeats or shares; by default a group whose rows print different
 * sizes for the shared arm is `split` (a repeated arm has one size) and one whose rows print the same size is
 * `repeated`.
 */
export function sharedArmGroups(
  values: readonly string[],
  sizes?: ArrayLike<number>,
  n?: SharedN | ((id: string) => { readonly n: SharedN; readonly sd?: SharedSd } | undefined),
): SharedArmGroup[] {
  const byId = new Map<string, number[]>();
  values.forEach((v, i) => {
    const id = v.trim();
    if (id === '' || id === 'NA') return;
    const g = byId.get(id);
    if (g) g.push(i);
    else byId.set(id, [i]);
  });
  return [...byId.entries()]
    .filter(([, rows]) => rows.length > 1)
    .map(([id, rows]) => {
      const declared = typeof n === 'function' ? n(id) : n === undefined ? undefined : { n };
      const differ = sizes !== undefined && new Set(rows.map((r) => sizes[r])).size > 1;
      return {
        id,
        rows,
        n: declared?.n ?? (differ ? 'split' : 'repeated'),
        ...(declared?.sd !== undefined ? { sd: declared.sd } : {}),
      };
    });
}

interface ArmColumns {
  readonly kind: 'continuous' | 'binary';
  readonly cols: Partial<Record<EffectColumnName, Float64Array>>;
}

function copyColumns(columns: EffectColumns): Partial<Record<EffectColumnName, Float64Array>> {
  const out: Partial<Record<EffectColumnName, Float64Array>> = {};
  for (const [k, v] of Object.entries(columns) as [EffectColumnName, ArrayLike<number>][])
    out[k] = Float64Array.from(v);
  return out;
}

/** The cells of one arm of a row, by role. */
function armNames(kind: 'continuous' | 'binary', arm: 1 | 2, useN: boolean) {
  if (kind === 'continuous')
    return { n: arm === 1 ? 'n1i' : 'n2i', m: arm === 1 ? 'm1i' : 'm2i', sd: arm === 1 ? 'sd1i' : 'sd2i' } as const;
  return useN
    ? ({ x: arm === 1 ? 'ai' : 'ci', n: arm === 1 ? 'n1i' : 'n2i' } as const)
    : ({ x: arm === 1 ? 'ai' : 'ci', y: arm === 1 ? 'bi' : 'di' } as const);
}

/**
 * Effect sizes and their sampling covariance for rows that share arms (see the module comment).
 * @throws EvsynthError UNKNOWN_MEASURE for measures other than MD, SMD, ROM, RR, OR, RD; INVALID_ARGUMENT for
 *   groups naming rows out of range or a row in two groups.
 */
export function sharedArmEffects(
  measure: Measure,
  columns: EffectColumns,
  labels: readonly string[],
  groups: readonly SharedArmGroup[],
  approach: SharedApproach,
  options: EffectOptions = {},
): SharedArmEffects {
  if (!SHARED_ARM_MEASURES.includes(measure as SharedArmMeasure))
    throw new EvsynthError(
      'UNKNOWN_MEASURE',
      `shared-arm covariances are implemented for ${SHARED_ARM_MEASURES.join(', ')}; measure is ${measure}`,
    );
  if (!SHARED_APPROACHES.includes(approach))
    throw new EvsynthError(
      'UNKNOWN_OPTION_VALUE',
      `shared-arm approach '${String(approach)}'; expected covariance or split`,
    );
  const k = labels.length;
  const kind: 'continuous' | 'binary' =
    measure === 'RR' || measure === 'OR' || measure === 'RD' ? 'binary' : 'continuous';
  const useN = kind === 'binary' && (columns.bi === undefined || columns.di === undefined);
  const a: ArmColumns = { kind, cols: copyColumns(columns) };
  const seen = new Set<number>();
  const warnings: string[] = [];
  const sized: SharedArmEffects['groups'][number][] = [];
  for (const g of groups) {
    if (g.arms !== undefined && g.arms.length !== g.rows.length)
      throw new EvsynthError(
        'LENGTH_MISMATCH',
        `shared arm '${g.id}': ${g.arms.length} arm roles for ${g.rows.length} rows`,
      );
    for (const r of g.rows) {
      if (!(Number.isInteger(r) && r >= 0 && r < k))
        throw new EvsynthError('INVALID_ARGUMENT', `shared arm '${g.id}': row ${r + 1} is out of range (k = ${k})`);
      if (seen.has(r))
        throw new EvsynthError('INVALID_ARGUMENT', `row ${r + 1} is in two shared-arm groups`, { row: r });
      seen.add(r);
    }
    const names = g.rows.map((_, i) => armNames(kind, g.arms?.[i] ?? 2, useN));
    const get = (col: EffectColumnName, r: number) => (a.cols[col] as Float64Array | undefined)?.[r] ?? Number.NaN;
    const set = (col: EffectColumnName, r: number, v: number) => {
      (a.cols[col] as Float64Array)[r] = v;
    };
    // the arm's size in each row (binary: events + non-events)
    const size = (i: number) => {
      const nm = names[i] as Record<string, EffectColumnName>;
      const r = g.rows[i] as number;
      return 'y' in nm
        ? get(nm['x'] as EffectColumnName, r) + get(nm['y'] as EffectColumnName, r)
        : get(nm['n'] as EffectColumnName, r);
    };
    const printed = g.rows.map((_, i) => size(i));
    const m = g.rows.length;
    let armN: number[];
    if (g.n === 'repeated') {
      if (new Set(printed).size > 1)
        warnings.push(
          `shared arm '${g.id}' is declared repeated but its rows print different sizes (${printed.join(', ')})`,
        );
      if (approach === 'split') {
        // Handbook: divide the shared group among the comparisons
        g.rows.forEach((r, i) => {
          const nm = names[i] as Record<string, EffectColumnName>;
          for (const key of ['n', 'x', 'y'] as const)
            if (nm[key] !== undefined) set(nm[key] as EffectColumnName, r, get(nm[key] as EffectColumnName, r) / m);
        });
        armN = printed.map((s) => s / m);
      } else armN = printed;
    } else {
      if (approach === 'covariance' && (g.sd ?? 'arm') === 'arm') {
        // re-assemble the arm: its size (and events) are the sums over the rows
        const totals: Record<string, number> = {};
        g.rows.forEach((r, i) => {
          const nm = names[i] as Record<string, EffectColumnName>;
          for (const key of ['n', 'x', 'y'] as const)
            if (nm[key] !== undefined) totals[key] = (totals[key] ?? 0) + get(nm[key] as EffectColumnName, r);
        });
        g.rows.forEach((r, i) => {
          const nm = names[i] as Record<string, EffectColumnName>;
          for (const key of ['n', 'x', 'y'] as const)
            if (nm[key] !== undefined) set(nm[key] as EffectColumnName, r, totals[key] as number);
        });
        const total = printed.reduce((s, v) => s + v, 0);
        armN = printed.map(() => total);
      } else armN = printed;
    }
    sized.push({ id: g.id, rows: g.rows, n: g.n, sd: g.sd ?? 'arm', armN });
  }
  const effects = escalc(measure, a.cols, labels, options);
  const rows: number[] = [];
  for (let i = 0; i < k; i++)
    if (Number.isFinite(effects.yi[i] as number) && (effects.vi[i] as number) > 0) rows.push(i);
  const pos = new Map(rows.map((r, i) => [r, i]));
  const pairs: Covariance[] = [];
  if (approach === 'covariance') {
    const corrected = new Set(effects.corrected);
    const add = effects.options.add;
    for (const g of groups) {
      const members = g.rows.map((r, i) => ({ r, arm: g.arms?.[i] ?? 2 })).filter((x) => pos.has(x.r));
      for (let i = 0; i < members.length; i++)
        for (let j = i + 1; j < members.length; j++) {
          const mi = members[i] as { r: number; arm: 1 | 2 },
            mj = members[j] as { r: number; arm: 1 | 2 };
          const cov = sharedCovariance(
            measure as SharedArmMeasure,
            a.cols,
            effects,
            mi,
            mj,
            corrected,
            add,
            options.smd ?? 'metafor',
          );
          pairs.push({ i: pos.get(mi.r) as number, j: pos.get(mj.r) as number, cov });
        }
    }
  }
  const V = covarianceFromPairs(
    rows.map((r) => effects.vi[r] as number),
    pairs,
  );
  return { approach, effects, rows, V, groups: sized, warnings };
}

/** Covariance of the effects of rows i and j through their shared arm. */
function sharedCovariance(
  measure: SharedArmMeasure,
  cols: Partial<Record<EffectColumnName, Float64Array>>,
  effects: EffectSizes,
  i: { r: number; arm: 1 | 2 },
  j: { r: number; arm: 1 | 2 },
  corrected: ReadonlySet<number>,
  add: number,
  smdVariant: 'metafor' | 'revman',
): number {
  const sign = (i.arm === 1 ? 1 : -1) * (j.arm === 1 ? 1 : -1);
  const v = (col: EffectColumnName, r: number) => (cols[col] as Float64Array)[r] as number;
  const useN = cols.bi === undefined || cols.di === undefined;
  const contribution = (x: { r: number; arm: 1 | 2 }): number => {
    const r = x.r;
    const n = x.arm === 1 ? 'n1i' : 'n2i';
    switch (measure) {
      case 'MD':
        return v(x.arm === 1 ? 'sd1i' : 'sd2i', r) ** 2 / v(n, r);
      case 'ROM':
        return v(x.arm === 1 ? 'sd1i' : 'sd2i', r) ** 2 / (v(n, r) * v(x.arm === 1 ? 'm1i' : 'm2i', r) ** 2);
      case 'RR':
      case 'OR':
      case 'RD': {
        const c = corrected.has(r) ? add : 0;
        const ev = v(x.arm === 1 ? 'ai' : 'ci', r) + c;
        const non = (useN ? v(n, r) - v(x.arm === 1 ? 'ai' : 'ci', r) : v(x.arm === 1 ? 'bi' : 'di', r)) + c;
        const tot = ev + non;
        if (measure === 'RR') return 1 / ev - 1 / tot;
        if (measure === 'OR') return 1 / ev + 1 / non;
        const pr = ev / tot;
        return (pr * (1 - pr)) / tot;
      }
      case 'SMD':
        return Number.NaN;
    }
  };
  if (measure !== 'SMD') return sign * Math.sqrt(contribution(i) * contribution(j));
  // SMD: mean part and pooled-SD part
  const parts = (x: { r: number; arm: 1 | 2 }) => {
    const r = x.r;
    const n1 = v('n1i', r),
      n2 = v('n2i', r);
    const nu = n1 + n2 - 2;
    const N = n1 + n2;
    const J = smdVariant === 'revman' ? 1 - 3 / (4 * N - 9) : hedgesCorrection(nu);
    const g = effects.yi[r] as number;
    return { J, delta: g / J, nu, nShared: x.arm === 1 ? n1 : n2 };
  };
  const pi = parts(i),
    pj = parts(j);
  const ns = Math.sqrt(pi.nShared * pj.nShared);
  return pi.J * pj.J * (sign / ns + (pi.delta * pj.delta * (ns - 1)) / (2 * pi.nu * pj.nu));
}
