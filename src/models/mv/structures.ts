/**
 * Variance structures of an `~ inner | outer` random term (metafor `rma.mv(struct = …)`): the J × J
 * covariance matrix T of the random effects of the J levels of `inner` within one level of `outer`,
 * with its first and second derivatives with respect to the internal parameters.
 *
 * ```text
 * CS    T_gh = τ²·(1 if g = h else ρ)                  parameters τ², ρ
 * ID    T_gh = τ²·[g = h]                             τ²            (ρ ≡ 0)
 * AR    T_gh = τ²·ρ^|g − h|                           τ², ρ         (g, h: ranks of the sorted levels)
 * DIAG  T_gh = τ²_g·[g = h]                           τ²_1 … τ²_J
 * HCS   T_gh = τ_g τ_h·(1 if g = h else ρ)            τ_1 … τ_J, ρ
 * HAR   T_gh = τ_g τ_h·ρ^|g − h|                      τ_1 … τ_J, ρ
 * UN    T_gh = τ_g τ_h·ρ_gh (ρ_gg = 1)                τ_1 … τ_J, ρ_21, ρ_31, …, ρ_J(J−1) (column-wise)
 * ```
 *
 * Structures with a single variance are parameterised by the variance τ² (T is linear in it); those
 * with one variance per level by the standard deviations τ_g (T is then a polynomial in the parameters,
 * smooth at τ_g = 0 where τ²_g is not). Every correlation lies in [−1, 1]; UN's correlation matrix must
 * be positive semi-definite.
 *
 * References: Pinheiro JC, Bates DM (2000). Mixed-Effects Models in S and S-PLUS, §5.3; Berkey CS et al.
 * (1998). Stat Med 17(22):2537–2550 (UN); Ishak KJ et al. (2007). Clin Trials 4(5):525–539 (AR).
 * Cross-check: `metafor::rma.mv(random = ~ inner | outer, struct = …)`.
 */
import { EvsynthError } from '../../core/errors.ts';

export const STRUCTS = ['CS', 'HCS', 'UN', 'ID', 'DIAG', 'AR', 'HAR'] as const;
export type Struct = (typeof STRUCTS)[number];

/** What an internal parameter is, for bounds and for reporting. */
export type ParameterKind = 'variance' | 'sd' | 'correlation';

export interface StructParameter {
  readonly kind: ParameterKind;
  /** 'tau2' (a variance, reported as τ² even when the internal parameter is τ) or 'rho'. */
  readonly component: 'tau2' | 'rho';
  /** Index of the component within its kind (level g for τ²_g, pair index for UN's ρ). */
  readonly index: number;
}

/** Checks a structure name (case-insensitive). */
export function parseStruct(name: string): Struct {
  const s = STRUCTS.find((x) => x === name.toUpperCase());
  if (s === undefined)
    throw new EvsynthError('UNKNOWN_OPTION_VALUE', `struct '${name}'; expected one of ${STRUCTS.join(', ')}`);
  return s;
}

/** The internal parameters of `struct` with J inner levels, in metafor's order (τ² first, then ρ). */
export function structParameters(struct: Struct, J: number): StructParameter[] {
  const out: StructParameter[] = [];
  switch (struct) {
    case 'CS':
    case 'AR':
      out.push({ kind: 'variance', component: 'tau2', index: 0 }, { kind: 'correlation', component: 'rho', index: 0 });
      break;
    case 'ID':
      out.push({ kind: 'variance', component: 'tau2', index: 0 });
      break;
    case 'DIAG':
      for (let g = 0; g < J; g++) out.push({ kind: 'variance', component: 'tau2', index: g });
      break;
    case 'HCS':
    case 'HAR':
      for (let g = 0; g < J; g++) out.push({ kind: 'sd', component: 'tau2', index: g });
      out.push({ kind: 'correlation', component: 'rho', index: 0 });
      break;
    case 'UN':
      for (let g = 0; g < J; g++) out.push({ kind: 'sd', component: 'tau2', index: g });
      for (let i = 0; i < (J * (J - 1)) / 2; i++) out.push({ kind: 'correlation', component: 'rho', index: i });
      break;
  }
  return out;
}

/** Number of τ² and ρ components metafor reports for `struct` with J inner levels. */
export function componentCounts(struct: Struct, J: number): { tau2: number; rho: number } {
  switch (struct) {
    case 'CS':
    case 'AR':
      return { tau2: 1, rho: 1 };
    case 'ID':
      return { tau2: 1, rho: 0 };
    case 'DIAG':
      return { tau2: J, rho: 0 };
    case 'HCS':
    case 'HAR':
      return { tau2: J, rho: 1 };
    case 'UN':
      return { tau2: J, rho: (J * (J - 1)) / 2 };
  }
}

/** UN's correlation pairs in metafor's column-wise order: (2,1), (3,1), …, (J,1), (3,2), … (0-based). */
export function unPairs(J: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let c = 0; c < J; c++) for (let r = c + 1; r < J; r++) pairs.push([r, c]);
  return pairs;
}

/**
 * T(θ) (row-major J × J), its derivatives dT/dθ_a (one matrix per parameter) and the non-zero second
 * derivatives d²T/dθ_a dθ_b (a ≤ b), for the internal parameters θ of {@link structParameters}.
 */
export interface StructMatrices {
  readonly T: Float64Array;
  readonly d1: readonly Float64Array[];
  readonly d2: readonly { readonly a: number; readonly b: number; readonly m: Float64Array }[];
}

export function structMatrices(struct: Struct, J: number, theta: ArrayLike<number>): StructMatrices {
  const T = new Float64Array(J * J);
  const nPar = structParameters(struct, J).length;
  const d1 = Array.from({ length: nPar }, () => new Float64Array(J * J));
  const d2: { a: number; b: number; m: Float64Array }[] = [];
  const second = (a: number, b: number): Float64Array => {
    const [x, y] = a <= b ? [a, b] : [b, a];
    let e = d2.find((d) => d.a === x && d.b === y);
    if (!e) {
      e = { a: x, b: y, m: new Float64Array(J * J) };
      d2.push(e);
    }
    return e.m;
  };
  const at = (g: number, h: number) => g * J + h;
  const th = (i: number) => theta[i] as number;
  switch (struct) {
    case 'CS':
    case 'ID':
    case 'AR': {
      const t2 = th(0);
      const rho = struct === 'ID' ? 0 : th(1);
      for (let g = 0; g < J; g++)
        for (let h = 0; h < J; h++) {
          const d = Math.abs(g - h);
          const r = d === 0 ? 1 : struct === 'AR' ? rho ** d : rho;
          T[at(g, h)] = t2 * r;
          (d1[0] as Float64Array)[at(g, h)] = r;
          if (struct === 'ID' || d === 0) continue;
          // derivative of the correlation factor in ρ
          const dr = struct === 'AR' ? d * rho ** (d - 1) : 1;
          (d1[1] as Float64Array)[at(g, h)] = t2 * dr;
          second(0, 1)[at(g, h)] = dr;
          if (struct === 'AR' && d >= 2) second(1, 1)[at(g, h)] = t2 * d * (d - 1) * rho ** (d - 2);
        }
      break;
    }
    case 'DIAG':
      for (let g = 0; g < J; g++) {
        T[at(g, g)] = th(g);
        (d1[g] as Float64Array)[at(g, g)] = 1;
      }
      break;
    case 'HCS':
    case 'HAR':
    case 'UN': {
      const pairs = struct === 'UN' ? unPairs(J) : [];
      const pairIndex = new Map(pairs.map(([r, c], i) => [r * J + c, i]));
      const corr = (g: number, h: number): { r: number; dr: number; d2r: number; par: number } => {
        if (g === h) return { r: 1, dr: 0, d2r: 0, par: -1 };
        if (struct === 'HCS') return { r: th(J), dr: 1, d2r: 0, par: J };
        if (struct === 'HAR') {
          const d = Math.abs(g - h),
            rho = th(J);
          return { r: rho ** d, dr: d * rho ** (d - 1), d2r: d >= 2 ? d * (d - 1) * rho ** (d - 2) : 0, par: J };
        }
        const i = pairIndex.get(Math.max(g, h) * J + Math.min(g, h)) as number;
        return { r: th(J + i), dr: 1, d2r: 0, par: J + i };
      };
      for (let g = 0; g < J; g++)
        for (let h = 0; h < J; h++) {
          const tg = th(g),
            thh = th(h);
          const { r, dr, d2r, par } = corr(g, h);
          const idx = at(g, h);
          T[idx] = tg * thh * r;
          if (g === h) {
            (d1[g] as Float64Array)[idx] = 2 * tg;
            second(g, g)[idx] = 2;
            continue;
          }
          (d1[g] as Float64Array)[idx] = ((d1[g] as Float64Array)[idx] as number) + thh * r;
          (d1[h] as Float64Array)[idx] = ((d1[h] as Float64Array)[idx] as number) + tg * r;
          (d1[par] as Float64Array)[idx] = tg * thh * dr;
          second(g, h)[idx] = (second(g, h)[idx] as number) + r;
          second(g, par)[idx] = (second(g, par)[idx] as number) + thh * dr;
          second(h, par)[idx] = (second(h, par)[idx] as number) + tg * dr;
          if (d2r !== 0) second(par, par)[idx] = tg * thh * d2r;
        }
      break;
    }
  }
  return { T, d1, d2 };
}

/**
 * Whether the correlation parameters of θ are admissible: every ρ in [−1, 1] and, for UN with J > 2,
 * a positive semi-definite correlation matrix.
 */
export function admissibleCorrelations(struct: Struct, J: number, theta: ArrayLike<number>): boolean {
  const params = structParameters(struct, J);
  for (let i = 0; i < params.length; i++)
    if ((params[i] as StructParameter).kind === 'correlation' && Math.abs(theta[i] as number) > 1) return false;
  if (struct !== 'UN' || J <= 2) return true;
  const R = new Float64Array(J * J);
  for (let g = 0; g < J; g++) R[g * J + g] = 1;
  unPairs(J).forEach(([r, c], i) => {
    R[r * J + c] = theta[J + i] as number;
    R[c * J + r] = theta[J + i] as number;
  });
  // PSD check by an LDLᵀ factorisation with a small tolerance
  for (let j = 0; j < J; j++) {
    let d = R[j * J + j] as number;
    for (let m = 0; m < j; m++) d -= (R[j * J + m] as number) ** 2;
    if (d < -1e-10) return false;
    const l = Math.sqrt(Math.max(d, 0));
    R[j * J + j] = l;
    for (let i = j + 1; i < J; i++) {
      let s = R[i * J + j] as number;
      for (let m = 0; m < j; m++) s -= (R[i * J + m] as number) * (R[j * J + m] as number);
      R[i * J + j] = l > 1e-12 ? s / l : 0;
    }
  }
  return true;
}
