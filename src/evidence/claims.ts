/**
 * The claim schema: what a review, a guideline chapter or a RevMan printout states, in a form that
 * `evsynth reproduce` can check. Five kinds (docs/claims.md):
 *
 * - `pooled`: a pooled estimate with its CI and p, optionally its heterogeneity (τ², χ², df, P, I²)
 *   and test statistic (Z); recomputed from the rows with the review's model.
 * - `count`: numbers of studies and participants (of the review, or of one analysis).
 * - `finding`: a qualitative statement about a pooled effect: direction only, "significant",
 *   "no significant effect", with an optional magnitude word ("modest", "small") that is recorded
 *   but never checked.
 * - `subgroup-difference`: the test for subgroup differences (χ², df, P, I²) or its verdict.
 * - `statement`: anything else the source asserts (population, intervention, certainty of the
 *   evidence, a recommendation): recorded with its wording, never checkable.
 * - `not-printed`: a result the source has a place for but printed nothing in, or zeros where it
 *   computed nothing (RevMan before its analysis was run; RevMan Web's data packages): reported as such,
 *   never as differing.
 *
 * A claim without `kind` is `pooled` (the schema before kinds existed). Every claim carries where it
 * was read (`source`), optionally its exact wording (`quote`) and place (`section`).
 */
import { EvsynthError } from '../core/errors.ts';

export const CLAIM_KINDS = ['pooled', 'count', 'finding', 'subgroup-difference', 'statement', 'not-printed'] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];

interface ClaimBase {
  readonly id: string;
  readonly kind: ClaimKind;
  /** What the claim says, in English. */
  readonly description: string;
  /** Where it was read: document, page, table, figure, or a web address. */
  readonly source: string;
  /** The exact wording as printed (in the source's language). */
  readonly quote?: string;
  /** Section, paragraph or page of `source`. */
  readonly section?: string;
  readonly outcome?: string;
  readonly timepoint?: string;
  /** A level of the dataset's subgroup column (or of subgroupDefinitions when there are no rows). */
  readonly subgroup?: string;
  /**
   * Whether the dataset's rows are the rows this claim is about (default: true when rows.status is
   * complete). False, e.g., for a subset of studies: the claim is then not recomputed.
   */
  readonly fromRows?: boolean;
  /**
   * Another claim this one can be compared with when there are no rows: `claim-id` (same dataset) or
   * `dataset#claim-id`. A guideline's sentence is checked against the review's printed result this way.
   */
  readonly against?: string;
  readonly note?: string;
}

/** Heterogeneity as printed with a pooled result (RevMan: "Tau² = …; Chi² = …, df = … (P = …); I² = …%"). */
export interface PrintedHeterogeneity {
  readonly tau2?: number;
  readonly chi2?: number;
  readonly df?: number;
  /** The P of the χ² test, as printed ("0.04", "<0.00001"). */
  readonly pValue?: string;
  /** I² in percent. */
  readonly I2?: number;
  /** Decimals of τ² and χ² (default: the claim's decimals); I² is compared to the integer it was printed as unless `I2Decimals` says otherwise. */
  readonly decimals?: number;
  readonly I2Decimals?: number;
}

/** A pooled result as printed. */
export interface PooledClaim extends ClaimBase {
  readonly kind: 'pooled';
  readonly outcome: string;
  readonly measure: string;
  readonly k?: number;
  readonly participants?: number;
  readonly estimate: number;
  readonly ciLower?: number;
  readonly ciUpper?: number;
  /** The p-value as printed: "0.003", "<0.01". */
  readonly pValue?: string;
  /** The test statistic as printed (|Z|, RevMan's "Test for overall effect: Z = …"). */
  readonly z?: number;
  /** Decimals of `z` (default 2). */
  readonly zDecimals?: number;
  readonly heterogeneity?: PrintedHeterogeneity;
  /** Decimals the estimate and CI were printed with. */
  readonly decimals: number;
  /** 'natural' when a ratio measure was printed exponentiated. */
  readonly scale?: 'analysis' | 'natural';
}

/** Numbers of studies and participants. */
export interface CountClaim extends ClaimBase {
  readonly kind: 'count';
  readonly studies?: number;
  readonly participants?: number;
  /** 'review': all studies the review included; 'analysis': the studies pooled in the dataset's analysis. */
  readonly scope: 'review' | 'analysis';
}

const FINDING_DIRECTIONS = ['favours intervention', 'favours comparator'] as const;
export type FindingDirection = (typeof FINDING_DIRECTIONS)[number];

/** A qualitative statement about a pooled effect. */
export interface FindingClaim extends ClaimBase {
  readonly kind: 'finding';
  readonly outcome: string;
  /** The direction stated, if any. */
  readonly direction?: FindingDirection;
  /** true: "significant"; false: "no significant effect" (at `alpha`). */
  readonly significant?: boolean;
  /** A magnitude word as stated ("modest", "small, not clinically relevant"): recorded, never checked. */
  readonly magnitude?: string;
  /** Which values of the measure favour the intervention (needed to check a direction). */
  readonly favourable?: 'lower' | 'higher';
  /** Two-sided significance level (default 0.05). */
  readonly alpha?: number;
}

/** The test for subgroup differences as printed, or only its verdict. */
export interface SubgroupDifferenceClaim extends ClaimBase {
  readonly kind: 'subgroup-difference';
  readonly outcome: string;
  readonly chi2?: number;
  readonly df?: number;
  readonly pValue?: string;
  readonly I2?: number;
  /** Decimals of χ² (and I² unless it was printed as an integer: see I2Decimals). */
  readonly decimals?: number;
  readonly I2Decimals?: number;
  /** The stated verdict: the subgroups differ (true) or not (false), at `alpha`. */
  readonly significant?: boolean;
  readonly alpha?: number;
}

/** A statement that no data can check (population, certainty of evidence, recommendation, background). */
export interface StatementClaim extends ClaimBase {
  readonly kind: 'statement';
}

/** Which result a {@link NotPrintedClaim} is about. */
const NOT_PRINTED_RESULTS = ['pooled', 'subgroup-difference', 'study results'] as const;

/** A result the source left empty, or filled with zeros where it computed nothing. */
export interface NotPrintedClaim extends ClaimBase {
  readonly kind: 'not-printed';
  readonly outcome: string;
  readonly result: (typeof NOT_PRINTED_RESULTS)[number];
  /** 'nothing': empty fields; 'zeros': zeros where nothing was computed. */
  readonly printed: 'nothing' | 'zeros';
}

export type Claim =
  PooledClaim | CountClaim | FindingClaim | SubgroupDifferenceClaim | StatementClaim | NotPrintedClaim;

type Json = unknown;

/** Field-by-field validation with errors naming the file and the field path. */
export class Checker {
  constructor(readonly file: string) {}
  fail(path: string, expected: string, got: Json): never {
    const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 60);
    throw new EvsynthError('INVALID_VALUE', `${path}: expected ${expected}, got ${shown}`, { file: this.file });
  }
  obj(v: Json, path: string): Record<string, Json> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'an object', v);
    return v as Record<string, Json>;
  }
  str(o: Record<string, Json>, key: string, path: string, optional = false): string | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v.trim() === '') this.fail(`${path}.${key}`, 'a non-empty string', v);
    return v;
  }
  num(o: Record<string, Json>, key: string, path: string, optional = false): number | undefined {
    const v = o[key];
    if ((v === undefined || v === null) && optional) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${path}.${key}`, 'a number', v);
    return v;
  }
  count(o: Record<string, Json>, key: string, path: string, optional = false): number | undefined {
    const v = this.num(o, key, path, optional);
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) this.fail(`${path}.${key}`, 'a whole number ≥ 0', v);
    return v;
  }
  bool(o: Record<string, Json>, key: string, path: string): boolean | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.fail(`${path}.${key}`, 'true or false', v);
    return v;
  }
  oneOf<T extends string>(
    o: Record<string, Json>,
    key: string,
    path: string,
    values: readonly T[],
    optional = false,
  ): T | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || !values.includes(v as T))
      this.fail(`${path}.${key}`, `one of ${values.join(', ')}`, v);
    return v as T;
  }
  arr(o: Record<string, Json>, key: string, path: string, optional = false): Json[] | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (!Array.isArray(v)) this.fail(`${path}.${key}`, 'an array', v);
    return v;
  }
  noExtra(o: Record<string, Json>, allowed: readonly string[], path: string): void {
    for (const k of Object.keys(o))
      if (!allowed.includes(k)) this.fail(`${path}.${k}`, `no such field (allowed: ${allowed.join(', ')})`, o[k]);
  }
}

export const opt = <K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } =>
  v === undefined ? {} : ({ [key]: v } as { [P in K]?: V });

const BASE_FIELDS = [
  'id',
  'kind',
  'description',
  'source',
  'quote',
  'section',
  'outcome',
  'timepoint',
  'subgroup',
  'fromRows',
  'against',
  'note',
] as const;

const KIND_FIELDS: Readonly<Record<ClaimKind, readonly string[]>> = {
  pooled: [
    'measure',
    'k',
    'participants',
    'estimate',
    'ciLower',
    'ciUpper',
    'pValue',
    'z',
    'zDecimals',
    'heterogeneity',
    'decimals',
    'scale',
  ],
  count: ['studies', 'participants', 'scope'],
  finding: ['direction', 'significant', 'magnitude', 'favourable', 'alpha'],
  'subgroup-difference': ['chi2', 'df', 'pValue', 'I2', 'decimals', 'I2Decimals', 'significant', 'alpha'],
  statement: [],
  'not-printed': ['result', 'printed'],
};

/** Validates one claim (`path` names it in errors, e.g. "claims[3]"). */
export function parseClaim(c: Checker, x: Json, path: string): Claim {
  const o = c.obj(x, path);
  const kind = c.oneOf(o, 'kind', path, CLAIM_KINDS, true) ?? 'pooled';
  c.noExtra(o, [...BASE_FIELDS, ...KIND_FIELDS[kind]], path);
  const base = {
    id: c.str(o, 'id', path) as string,
    description: c.str(o, 'description', path) as string,
    source: c.str(o, 'source', path) as string,
    ...opt('quote', c.str(o, 'quote', path, true)),
    ...opt('section', c.str(o, 'section', path, true)),
    ...opt('timepoint', c.str(o, 'timepoint', path, true)),
    ...opt('subgroup', c.str(o, 'subgroup', path, true)),
    ...opt('fromRows', c.bool(o, 'fromRows', path)),
    ...opt('against', c.str(o, 'against', path, true)),
    ...opt('note', c.str(o, 'note', path, true)),
  };
  const alpha = (key: string) => {
    const a = c.num(o, key, path, true);
    if (a !== undefined && !(a > 0 && a < 1)) c.fail(`${path}.${key}`, 'a level between 0 and 1', a);
    return a;
  };
  switch (kind) {
    case 'pooled': {
      let heterogeneity: PrintedHeterogeneity | undefined;
      if (o['heterogeneity'] !== undefined) {
        const hp = `${path}.heterogeneity`;
        const h = c.obj(o['heterogeneity'], hp);
        c.noExtra(h, ['tau2', 'chi2', 'df', 'pValue', 'I2', 'decimals', 'I2Decimals'], hp);
        heterogeneity = {
          ...opt('tau2', c.num(h, 'tau2', hp, true)),
          ...opt('chi2', c.num(h, 'chi2', hp, true)),
          ...opt('df', c.count(h, 'df', hp, true)),
          ...opt('pValue', c.str(h, 'pValue', hp, true)),
          ...opt('I2', c.num(h, 'I2', hp, true)),
          ...opt('decimals', c.count(h, 'decimals', hp, true)),
          ...opt('I2Decimals', c.count(h, 'I2Decimals', hp, true)),
        };
      }
      const lo = c.num(o, 'ciLower', path, true),
        hi = c.num(o, 'ciUpper', path, true);
      if ((lo === undefined) !== (hi === undefined))
        c.fail(`${path}.${lo === undefined ? 'ciLower' : 'ciUpper'}`, 'both CI limits or neither', undefined);
      return {
        ...base,
        kind,
        outcome: c.str(o, 'outcome', path) as string,
        measure: c.str(o, 'measure', path) as string,
        estimate: c.num(o, 'estimate', path) as number,
        decimals: c.count(o, 'decimals', path) as number,
        ...opt('k', c.count(o, 'k', path, true)),
        ...opt('participants', c.count(o, 'participants', path, true)),
        ...opt('ciLower', lo),
        ...opt('ciUpper', hi),
        ...opt('pValue', c.str(o, 'pValue', path, true)),
        ...opt('z', c.num(o, 'z', path, true)),
        ...opt('zDecimals', c.count(o, 'zDecimals', path, true)),
        ...opt('heterogeneity', heterogeneity),
        ...opt('scale', c.oneOf(o, 'scale', path, ['analysis', 'natural'] as const, true)),
      };
    }
    case 'count': {
      const studies = c.count(o, 'studies', path, true),
        participants = c.count(o, 'participants', path, true);
      if (studies === undefined && participants === undefined)
        c.fail(`${path}.studies`, 'a number of studies or of participants (or both)', undefined);
      return {
        ...base,
        kind,
        scope: c.oneOf(o, 'scope', path, ['review', 'analysis'] as const) as 'review' | 'analysis',
        ...opt('studies', studies),
        ...opt('participants', participants),
        ...opt('outcome', c.str(o, 'outcome', path, true)),
      };
    }
    case 'finding': {
      const direction = c.oneOf(o, 'direction', path, FINDING_DIRECTIONS, true);
      const significant = c.bool(o, 'significant', path);
      const favourable = c.oneOf(o, 'favourable', path, ['lower', 'higher'] as const, true);
      if (direction === undefined && significant === undefined)
        c.fail(`${path}.direction`, 'a direction or a significance statement (or both)', undefined);
      if (direction !== undefined && favourable === undefined)
        c.fail(`${path}.favourable`, "'lower' or 'higher' (which values favour the intervention)", undefined);
      return {
        ...base,
        kind,
        outcome: c.str(o, 'outcome', path) as string,
        ...opt('direction', direction),
        ...opt('significant', significant),
        ...opt('magnitude', c.str(o, 'magnitude', path, true)),
        ...opt('favourable', favourable),
        ...opt('alpha', alpha('alpha')),
      };
    }
    case 'subgroup-difference': {
      const chi2 = c.num(o, 'chi2', path, true),
        significant = c.bool(o, 'significant', path);
      if (chi2 === undefined && significant === undefined && o['pValue'] === undefined)
        c.fail(`${path}.chi2`, 'the printed test (chi2, df, pValue, I2) or its verdict (significant)', undefined);
      const decimals = c.count(o, 'decimals', path, true);
      if ((chi2 !== undefined || o['I2'] !== undefined) && decimals === undefined)
        c.fail(`${path}.decimals`, 'the printed decimals of chi2 and I2', undefined);
      return {
        ...base,
        kind,
        outcome: c.str(o, 'outcome', path) as string,
        ...opt('chi2', chi2),
        ...opt('df', c.count(o, 'df', path, true)),
        ...opt('pValue', c.str(o, 'pValue', path, true)),
        ...opt('I2', c.num(o, 'I2', path, true)),
        ...opt('decimals', decimals),
        ...opt('I2Decimals', c.count(o, 'I2Decimals', path, true)),
        ...opt('significant', significant),
        ...opt('alpha', alpha('alpha')),
      };
    }
    case 'statement':
      return { ...base, kind, ...opt('outcome', c.str(o, 'outcome', path, true)) };
    case 'not-printed':
      return {
        ...base,
        kind,
        outcome: c.str(o, 'outcome', path) as string,
        result: c.oneOf(o, 'result', path, NOT_PRINTED_RESULTS) as NotPrintedClaim['result'],
        printed: c.oneOf(o, 'printed', path, ['nothing', 'zeros'] as const) as 'nothing' | 'zeros',
      };
  }
}

/** Validates a list of claims and that their ids are unique. */
export function parseClaims(c: Checker, list: readonly Json[], path: string): Claim[] {
  const claims = list.map((x, i) => parseClaim(c, x, `${path}[${i}]`));
  const ids = new Set<string>();
  claims.forEach((cl, i) => {
    if (ids.has(cl.id)) c.fail(`${path}[${i}].id`, 'an id not used by another claim', cl.id);
    ids.add(cl.id);
  });
  return claims;
}
