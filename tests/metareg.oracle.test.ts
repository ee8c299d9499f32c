import { describe, expect, it } from 'vitest';
import { permutationTest } from '../src/inference/permutation.ts';
import { parseModerators } from '../src/models/formula.ts';
import { buildModelMatrix } from '../src/models/model-matrix.ts';
import { fitRma, type TestType } from '../src/models/rma.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';
import { asArray, compareConfint, compareFit, comparePredict } from './fit-compare.ts';
import { loadCases, num, type OracleCase } from './oracle.ts';
import { expectAllClose } from './support.ts';

type Obj = Record<string, unknown>;
const cases = loadCases('metafor-oracle-public.json').filter((c) => c.family === 'metareg');

function setup(c: OracleCase) {
  const yi = num(c, 'yi') as Float64Array,
    vi = num(c, 'vi') as Float64Array;
  const strings: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(c.input))
    strings[k] = (v as unknown[]).map((x) => (x === null ? 'NA' : String(x)));
  const candidates = [...yi.keys()].filter((i) => Number.isFinite(yi[i]) && Number.isFinite(vi[i]));
  const mm = buildModelMatrix(parseModerators((c.args as { mods: string }).mods), strings, candidates);
  const a = c.args as { method: Tau2Method; test?: TestType };
  const fit = fitRma(
    mm.rows.map((i) => yi[i] as number),
    mm.rows.map((i) => vi[i] as number),
    { method: a.method, test: a.test ?? 'z', design: mm.design },
  );
  return { mm, fit };
}

describe('meta-regression matches metafor 3.8-1', () => {
  it.each(cases.filter((c) => !c.id.includes('permutest')).map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const { mm, fit } = setup(c);
    const iterative = (c.args as { method: string }).method !== 'FE';
    const ref = (iterative ? c.expected_precise : c.expected) as Obj;
    const rel = iterative ? 1e-8 : 1e-10;
    // X and the rows used
    const X = c.expected['X'] as number[][];
    expect(mm.design.names).toEqual(asArray((ref['fit'] as Obj)['coef_names']));
    expectAllClose(Array.from(mm.design.x), X.flat(), 0, 0, 'X');
    const included = c.expected['included'] as boolean[];
    expect(included.flatMap((b, i) => (b ? [i] : []))).toEqual(mm.rows);
    compareFit(fit, ref['fit'] as Obj, rel);
    // predictions at newmods (one or more moderators per point)
    const pr = ref['predict'] as Obj;
    const newmods = (c.expected['predict'] as Obj)['newmods'] as (number | number[])[];
    newmods.forEach((m, at) =>
      comparePredict(fit, pr, rel, 'default', [1, ...(Array.isArray(m) ? m : [m])], rel * 1e-2, at),
    );
    if (c.expected['confint_precise'])
      compareConfint(fit, c.expected['confint_precise'] as Obj, 1e-8, 1e-12, ['tau2', 'tau']);
  });

  it('exact permutation test (hart1999 IRR ~ year): p-values equal metafor exactly', () => {
    const c = cases.find((x) => x.id.includes('permutest')) as OracleCase;
    const { fit } = setup(c);
    const e = c.expected['permutest'] as {
      n_perm: number;
      'exact.iter': number;
      exact: boolean;
      pval: number[];
      QM: number;
      QMp: number;
    };
    const r = permutationTest(fit, { exact: true });
    expect(r.exact).toBe(true);
    expect(r.permutations).toBe(e.n_perm);
    expect(r.distinctPermutations).toBe(e['exact.iter']);
    expect(r.pValues).toEqual(e.pval);
    expect(r.QMp).toBe(e.QMp);
  });
});
