/** Builds evsynth models from the rma.mv golden cases (tests/fixtures/golden-mv.json). */
import { parseModerators } from '../src/models/formula.ts';
import { interceptDesign, type Design } from '../src/models/design.ts';
import { buildModelMatrix } from '../src/models/model-matrix.ts';
import {
  fitRmaMv,
  type FixedComponents,
  type MvDfs,
  type MvMethod,
  type MvTest,
  type RmaMvFit,
} from '../src/models/mv/rma-mv.ts';
import { buildRandomTerms, parseRandom } from '../src/models/mv/random-terms.ts';
import { covarianceFromPairs, type SamplingCovariance } from '../src/effects/sampling-covariance.ts';
import { parseStruct } from '../src/models/mv/structures.ts';
import type { OracleCase } from './oracle.ts';

/** R's jsonlite unboxes length-1 vectors: accept a scalar where an array is meant. */
export const asArray = <T>(x: unknown): T[] =>
  Array.isArray(x) ? (x as T[]) : x === undefined || x === null ? [] : [x as T];

export interface MvArgs {
  random: string | null;
  struct?: string;
  mods?: string;
  method: MvMethod;
  test: MvTest;
  dfs?: MvDfs;
  sigma2?: (number | null)[];
  cluster?: string;
}

/** The case's columns as strings (as a CSV would give them). */
export function stringColumns(c: OracleCase): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(c.input).map(([k, v]) => [k, asArray<unknown>(v).map((x) => (x === null ? 'NA' : String(x)))]),
  );
}

export function caseV(c: OracleCase): SamplingCovariance {
  const v = (c as unknown as { V: { diag: number[]; i?: number[]; j?: number[]; cov?: number[] } }).V;
  const i = asArray<number>(v.i),
    j = asArray<number>(v.j),
    cov = asArray<number>(v.cov);
  return covarianceFromPairs(
    asArray<number>(v.diag),
    i.map((r, a) => ({ i: r - 1, j: (j[a] as number) - 1, cov: cov[a] as number })),
  );
}

export function caseDesign(c: OracleCase, k: number): Design {
  const a = c.args as unknown as MvArgs;
  if (a.mods === undefined || a.mods === null) return interceptDesign(k);
  return buildModelMatrix(parseModerators(a.mods), stringColumns(c), [...Array(k).keys()]).design;
}

export function fitCase(c: OracleCase): RmaMvFit {
  const a = c.args as unknown as MvArgs;
  const cols = stringColumns(c);
  const yi = asArray<number>(c.input['yi']);
  const k = yi.length;
  const random =
    a.random === null || a.random === undefined
      ? []
      : buildRandomTerms(parseRandom(a.random), cols, [...Array(k).keys()], a.struct ? [parseStruct(a.struct)] : []);
  const fixed: FixedComponents = a.sigma2 ? { sigma2: asArray<number | null>(a.sigma2) } : {};
  return fitRmaMv(yi, caseV(c), {
    method: a.method,
    test: a.test,
    ...(a.dfs ? { dfs: a.dfs } : {}),
    design: caseDesign(c, k),
    random,
    fixed,
  });
}
