import { describe, expect, it } from 'vitest';
import { fitCommonTau2Subgroups, fitSeparateSubgroups } from '../src/models/subgroups.ts';
import { fitRma } from '../src/models/rma.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';
import { asArray, compareFit } from './fit-compare.ts';
import { loadCases, num } from './oracle.ts';
import { expectClose } from './support.ts';

type Obj = Record<string, unknown>;
const cases = loadCases('metafor-oracle-public.json').filter((c) => c.family === 'subgroup');

describe('subgroup analyses match metafor 3.8-1', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const yi = num(c, 'yi') as Float64Array,
      vi = num(c, 'vi') as Float64Array;
    const group = (c.input['group'] as (string | number)[]).map(String);
    const method = (c.args as { method: Tau2Method }).method;
    // The subgroup cases hold metafor's default convergence only: REML at the README's tolerances
    // (beta relative 2e-4, tau2 absolute 1e-5); DL closed forms at 1e-10.
    const reml = method === 'REML';
    const rel = reml ? 2e-4 : 1e-10;
    const e = c.expected as Record<string, Obj>;
    const looseFit = (fit: ReturnType<typeof fitRma>, x: Obj, what: string) => {
      if (!reml) {
        compareFit(fit, x, 1e-10);
        return;
      }
      expect(
        fit.coefficients.map((b) => b.name),
        what,
      ).toEqual(asArray(x['coef_names']));
      fit.coefficients.forEach((b, j) =>
        expectClose(b.estimate, asArray<number>(x['beta'])[j] as number, 2e-4, 1e-5, `${what} beta[${j}]`),
      );
      expectClose(fit.tau2, x['tau2'] as number, 0, 1e-5, `${what} tau2`);
      expectClose(fit.QE, x['QE'] as number, 1e-10, 1e-12, `${what} QE`);
      expectClose(fit.QM, x['QM'] as number, 1e-3, 1e-6, `${what} QM`);
      if (x['QMdf'] !== undefined) expect([...fit.QMdf]).toEqual(x['QMdf']);
      if (x['R2'] !== undefined) expectClose(fit.R2, x['R2'] as number | null, 1e-3, 1e-3, `${what} R2`);
    };
    looseFit(fitRma(yi, vi, { method }), e['overall'] as Obj, 'overall');
    const common = fitCommonTau2Subgroups(yi, vi, group, { method }, (c.args as { group: string }).group);
    looseFit(common.moderatorModel, e['moderator_model'] as Obj, 'moderator model');
    const gm = e['group_means_common_tau2'] as Obj;
    common.groupMeans.coefficients.forEach((b, j) =>
      expectClose(b.estimate, asArray<number>(gm['beta'])[j] as number, rel, 1e-6, `group mean ${j}`),
    );
    expect(common.groupMeans.coefficients.map((b) => b.name)).toEqual(asArray(gm['coef_names']));
    const sep = fitSeparateSubgroups(yi, vi, group, { method });
    const groups = e['groups'] as unknown as Obj[];
    sep.levels.forEach((l, i) => {
      const g = groups[i] as Obj;
      expect(l.level).toBe(String(g['level']));
      expect(l.fit.k).toBe(g['k']);
      expectClose(
        l.fit.coefficients[0]!.estimate,
        asArray<number>(g['beta'])[0] as number,
        rel,
        1e-6,
        `${l.level} beta`,
      );
      expectClose(l.fit.tau2, g['tau2'] as number, reml ? 0 : 1e-10, reml ? 1e-5 : 1e-12, `${l.level} tau2`);
      expectClose(l.fit.QE, g['QE'] as number, 1e-10, 1e-12, `${l.level} QE`);
      expectClose(l.fit.QEp, g['QEp'] as number, 1e-8, 1e-300, `${l.level} QEp`);
    });
    const t = e['test_subgroup_differences'] as { Q: number; df: number; pval: number };
    expectClose(sep.test!.Q, t.Q, rel, 1e-8, 'Q between');
    expect(sep.test!.df).toBe(t.df);
    expectClose(sep.test!.pValue, t.pval, reml ? 1e-3 : 1e-10, 1e-12, 'p between');
  });
});
