/**
 * Random-effects terms of a multilevel/multivariate model in metafor's formula syntax (`rma.mv(random = …)`):
 *
 * ```text
 * ~ 1 | a          one random intercept per level of a                         (variance σ²)
 * ~ 1 | a/b/c      nested: ~ 1 | a, ~ 1 | a/b (levels of a × b), ~ 1 | a/b/c    (σ²₁, σ²₂, σ²₃)
 * ~ inner | outer  correlated effects of the levels of inner within each level of outer, with a
 *                  variance structure (CS, HCS, UN, ID, DIAG, AR, HAR)          (τ², ρ; a second: γ², φ)
 * ```
 *
 * Several formulas are separated by commas (metafor: a list of formulas). Crossed terms are simply two
 * terms (`~ 1 | a, ~ 1 | b`). At most two `inner | outer` terms, as metafor allows.
 */
import { EvsynthError } from '../../core/errors.ts';
import { sortLevels } from '../model-matrix.ts';
import type { Struct } from './structures.ts';

/** A parsed formula term, before it meets the data. */
export type RandomTermSpec =
  | { readonly kind: 'intercept'; readonly factors: readonly string[] }
  | { readonly kind: 'struct'; readonly inner: string; readonly outer: string };

/** A random intercept per level of one grouping (a column, or the combination of nested columns). */
export interface InterceptTerm {
  readonly kind: 'intercept';
  /** As metafor prints it: "district" or "district/school". */
  readonly name: string;
  /** Level index of each row (0 … levels.length − 1). */
  readonly level: Int32Array;
  readonly levels: readonly string[];
}

/** Correlated random effects of the levels of `inner` within the levels of `outer`. */
export interface StructTerm {
  readonly kind: 'struct';
  readonly struct: Struct;
  readonly inner: string;
  readonly outer: string;
  readonly innerLevel: Int32Array;
  /** Sorted as R's factor() sorts them (numerically when all are numbers). */
  readonly innerLevels: readonly string[];
  readonly outerLevel: Int32Array;
  readonly outerLevels: readonly string[];
}

export type RandomTerm = InterceptTerm | StructTerm;

const NAME = /^[A-Za-z_.][\w.]*$/;

/**
 * Parses one or more random-effects formulas ("~ 1 | study/es", "~ outcome | trial, ~ 1 | lab").
 * @throws EvsynthError INVALID_ARGUMENT for anything but `~ 1 | a/b/…` and `~ inner | outer`.
 */
export function parseRandom(formulas: string | readonly string[]): RandomTermSpec[] {
  const parts = (typeof formulas === 'string' ? [formulas] : formulas)
    .flatMap((f) => f.split(','))
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (parts.length === 0)
    throw new EvsynthError('INVALID_ARGUMENT', 'no random-effects formula given (e.g. "~ 1 | study/es")');
  const out: RandomTermSpec[] = [];
  for (const raw of parts) {
    const f = raw.startsWith('~') ? raw.slice(1).trim() : raw;
    const m = /^(.+?)\|(.+)$/.exec(f);
    if (!m)
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `random term '${raw}': expected '~ 1 | group', '~ 1 | outer/inner' or '~ inner | outer'`,
      );
    const lhs = (m[1] as string).trim(),
      rhs = (m[2] as string).trim();
    const factors = rhs.split('/').map((s) => s.trim());
    for (const c of factors)
      if (!NAME.test(c))
        throw new EvsynthError('INVALID_ARGUMENT', `random term '${raw}': '${c}' is not a column name`);
    if (lhs === '1') {
      for (let i = 1; i <= factors.length; i++) out.push({ kind: 'intercept', factors: factors.slice(0, i) });
      continue;
    }
    if (!NAME.test(lhs))
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `random term '${raw}': the inner term must be 1 or one column name (random slopes are not supported)`,
      );
    if (factors.length !== 1)
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `random term '${raw}': the outer term of '~ inner | outer' must be one column`,
      );
    out.push({ kind: 'struct', inner: lhs, outer: factors[0] as string });
  }
  if (out.filter((t) => t.kind === 'struct').length > 2)
    throw new EvsynthError('INVALID_ARGUMENT', 'at most two ~ inner | outer terms (as metafor allows)');
  return out;
}

/** The term as metafor prints it. */
export function termText(t: RandomTermSpec): string {
  return t.kind === 'intercept' ? `~ 1 | ${t.factors.join('/')}` : `~ ${t.inner} | ${t.outer}`;
}

/** The columns a term reads. */
export function termColumns(t: RandomTermSpec): string[] {
  return t.kind === 'intercept' ? [...t.factors] : [t.inner, t.outer];
}

const MISSING = new Set(['', 'NA', 'na', 'N/A', 'NaN', '.']);

/** Whether a random-factor cell is missing (the same tokens as moderators). */
export function isMissingLevel(v: string | undefined): boolean {
  return v === undefined || MISSING.has(v.trim());
}

/**
 * The terms for the rows `rows` of string columns (rows with a missing value must have been removed).
 * `structs` gives the structure of the first and second `inner | outer` term.
 * @throws EvsynthError MISSING_COLUMN when a term names a column that does not exist.
 */
export function buildRandomTerms(
  specs: readonly RandomTermSpec[],
  columns: Readonly<Record<string, readonly string[]>>,
  rows: readonly number[],
  structs: readonly Struct[] = [],
): RandomTerm[] {
  for (const s of specs)
    for (const c of termColumns(s))
      if (columns[c] === undefined)
        throw new EvsynthError(
          'MISSING_COLUMN',
          `random term '${termText(s)}' names column '${c}', which does not exist (columns: ${Object.keys(columns).join(', ')})`,
          { column: c },
        );
  const cell = (c: string, r: number) => ((columns[c] as readonly string[])[r] ?? '').trim();
  let nStruct = 0;
  return specs.map((s): RandomTerm => {
    if (s.kind === 'intercept') {
      const keys = rows.map((r) => s.factors.map((c) => cell(c, r)).join('/'));
      const { index, levels } = indexLevels(keys, s.factors.length === 1);
      return { kind: 'intercept', name: s.factors.join('/'), level: index, levels };
    }
    const struct = structs[nStruct] ?? structs[0] ?? 'CS';
    nStruct++;
    const inner = indexLevels(
      rows.map((r) => cell(s.inner, r)),
      true,
    );
    const outer = indexLevels(
      rows.map((r) => cell(s.outer, r)),
      true,
    );
    return {
      kind: 'struct',
      struct,
      inner: s.inner,
      outer: s.outer,
      innerLevel: inner.index,
      innerLevels: inner.levels,
      outerLevel: outer.index,
      outerLevels: outer.levels,
    };
  });
}

/** Level index per value; levels sorted as R's factor() (numerically when all numbers) or in first-seen order for combinations. */
function indexLevels(values: readonly string[], sorted: boolean): { index: Int32Array; levels: string[] } {
  const levels = sorted ? sortLevels(values) : [...new Set(values)];
  const pos = new Map(levels.map((l, i) => [l, i]));
  return { index: Int32Array.from(values, (v) => pos.get(v) as number), levels };
}
