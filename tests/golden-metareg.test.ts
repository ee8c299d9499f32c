/**
 * evsynth's own metafor cases for subgroups and meta-regression (scripts/golden/gen-metareg.R →
 * tests/fixtures/golden-metareg.json): unbalanced groups, a single-study level, many levels, numeric
 * levels, every estimator with moderators under z and knha, predictions, exact permutation tests.
 * Fitted in R with threshold = tol = 1e-12·min(1, mean vi): compared at 1e-8 (1e-10 for closed forms).
 */
import { describe, expect, it } from 'vitest';
import { permutationTest } from '../src/inference/permutation.ts';
import { parseModerators } from '../src/models/formula.ts';
import { buildModelMatrix } from '../src/models/model-matrix.ts';
import { fitRma, type TestType } from '../src/models/rma.ts';
import { fitCommonTau2Subgroups, fitSeparateSubgroups } from '../src/models/subgroups.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';
import { asArray, compareFit, comparePredict } from './fit-compare.ts';
import { loadCases, num, type OracleCase } from './oracle.ts';
import { expectAllClose, expectClose } from './support.ts';

type Obj = Record<string, unknown>;
const all = loadCases('golden-metareg.json');
const ITERATIVE = new Set(['ML', 'REML', 'EB', 'PM', 'PMM', 'SJIT']);
const strings = (c: OracleCase) =>
  Object.fromEntries(Object.entries(c.input).map(([k, v]) => [k, asArray<unknown>(v).map((x) => String(x))]));

describe('golden-metareg: subgroups', () => {
  it.each(all.filter((c) => c.family === 'subgroup').map((c) => [c.id, c] as const))('%s', (_id, c) => {
    // (the oracle's args also name the group column: fitRma takes only its own options)
    const { method, test } = c.args as { method: Tau2Method; test: TestType };
    const a = { method, test };
    const yi = num(c, 'yi') as Float64Array,
      vi = num(c, 'vi') as Float64Array;
    const group = strings(c)['group'] as string[];
    const rel = ITERATIVE.has(a.method) ? 1e-8 : 1e-10;
    const e = c.expected as Record<string, Obj>;
    compareFit(fitRma(yi, vi, a), e['overall'] as Obj, rel);
    const common = fitCommonTau2Subgroups(yi, vi, group, a);
    compareFit(common.moderatorModel, e['moderator_model'] as Obj, rel);
    compareFit(common.groupMeans, e['group_means_common_tau2'] as Obj, rel);
    const sep = fitSeparateSubgroups(yi, vi, group, a);
    (e['groups'] as unknown as Obj[]).forEach((g, i) => {
      const l = sep.levels[i]!;
      expect(l.level).toBe(String(g['level']));
      compareFit(l.fit, g, rel, ['level']);
    });
    const t = e['test_subgroup_differences'] as { Q: number; df: number; pval: number };
    expectClose(sep.test!.Q, t.Q, rel, 1e-10, 'Q between');
    expect(sep.test!.df).toBe(t.df);
    expectClose(sep.test!.pValue, t.pval, rel, 1e-300, 'p between');
  });
});

describe('golden-metareg: meta-regression with every estimator', () => {
  it.each(all.filter((c) => c.family === 'metareg').map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const a = c.args as { method: Tau2Method; test: TestType; mods: string };
    const yi = num(c, 'yi') as Float64Array,
      vi = num(c, 'vi') as Float64Array;
    const mm = buildModelMatrix(parseModerators(a.mods), strings(c), [...yi.keys()]);
    expectAllClose(Array.from(mm.design.x), (c.expected['X'] as number[][]).flat(), 0, 0, 'X');
    const fit = fitRma(yi, vi, { method: a.method, test: a.test, design: mm.design });
    const rel = ITERATIVE.has(a.method) ? 1e-8 : 1e-10;
    compareFit(fit, c.expected['fit'] as Obj, rel);
    const pr = c.expected['predict'] as Obj;
    (pr['newmods'] as number[][]).forEach((m, at) =>
      comparePredict(fit, pr, rel, 'default', [1, ...m], rel * 1e-2, at),
    );
  });
});

describe('golden-metareg: exact permutation tests', () => {
  it.each(all.filter((c) => c.family === 'permutest').map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const a = c.args as { method: Tau2Method; mods: string };
    const yi = num(c, 'yi') as Float64Array,
      vi = num(c, 'vi') as Float64Array;
    const mm = buildModelMatrix(parseModerators(a.mods), strings(c), [...yi.keys()]);
    const fit = fitRma(yi, vi, { method: a.method, design: mm.design });
    const r = permutationTest(fit, { exact: true });
    const e = c.expected as { n_perm: number; pval: number | number[]; QMp: number };
    expect(r.permutations).toBe(e.n_perm);
    expect(r.pValues).toEqual(asArray(e.pval));
    expect(r.QMp).toBe(e.QMp);
  });
});
