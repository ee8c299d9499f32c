/**
 * Multilevel and multivariate models against metafor 3.8's rma.mv (scripts/golden/gen-mv.R →
 * tests/fixtures/golden-mv.json): metadat's dat.konstantopoulos2011, dat.assink2016, dat.berkey1998,
 * dat.bornmann2007 and dat.ishak2007, and simulated data (unbalanced and singleton clusters, σ² at the zero
 * boundary, k = 1000). metafor was fitted with tight convergence control (nlminb rel.tol 1e-12, or the tightest
 * that converged; each case records it); everything is compared at 1e-6 relative. Variance components at the
 * zero boundary are compared absolutely (metafor's optimiser, working on log σ², stops at ~1e-10, evsynth's
 * reaches 0 exactly).
 */
import { describe, expect, it } from 'vitest';
import { predictMv } from '../src/inference/mv-prediction.ts';
import { profileIntervals } from '../src/models/mv/profile.ts';
import { asArray } from './fit-compare.ts';
import { fitCase } from './mv-cases.ts';
import { loadCases } from './oracle.ts';
import { expectAllClose, expectClose, pValueTolerance } from './support.ts';

type Obj = Record<string, unknown>;
const cases = loadCases('golden-mv.json').filter((c) => c.family === 'rma.mv');
const REL = 1e-6;
const nums = (o: Obj, k: string) => asArray<number | null>(o[k]);

describe('rma.mv against metafor', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const e = c.expected as Obj;
    const fit = fitCase(c);
    expect(fit.converged).toBe(true);
    expect(fit.k).toBe(e['k']);
    expect(fit.p).toBe(e['p']);
    // evsynth's (restricted) log-likelihood is never below metafor's
    // (metafor's best over several optimisers; `ll_default` is what its default control reaches: see
    // docs/multilevel.md for the table of both)
    const llR = e['ll'] as number;
    expect(fit.fitstats.ll).toBeGreaterThanOrEqual(llR - 1e-9 * Math.max(1, Math.abs(llR)));
    if (typeof e['ll_default'] === 'number')
      expect(fit.fitstats.ll).toBeGreaterThanOrEqual((e['ll_default'] as number) - 1e-12);
    const comp = (key: string, actual: readonly number[]) => {
      if (e[key] === null || e[key] === undefined) return expect(actual.length).toBe(0);
      // components at the zero boundary: absolute 1e-8
      expectAllClose(actual, nums(e, key), REL, 1e-8, key);
    };
    comp('sigma2', fit.sigma2);
    comp('tau2', fit.tau2);
    // metafor reports rho = 0 for the ID and DIAG structures, whose correlations are fixed at 0
    const fixedZero = fit.structs.some((s) => s.struct === 'ID' || s.struct === 'DIAG');
    comp('rho', fixedZero ? nums(e, 'rho').map(() => 0) : fit.rho);
    comp('gamma2', fit.gamma2);
    comp('phi', fit.phi);
    const coef = (key: string, f: (x: (typeof fit.coefficients)[number]) => number, abs = 1e-10) =>
      expectAllClose(fit.coefficients.map(f), nums(e, key), REL, abs, key);
    coef('beta', (x) => x.estimate);
    coef('se', (x) => x.se);
    coef('zval', (x) => x.statistic);
    fit.coefficients.forEach((x, j) =>
      expectClose(x.pValue, nums(e, 'pval')[j] as number, pValueTolerance(REL, x.statistic, 'z'), 1e-300, `pval[${j}]`),
    );
    coef('ci.lb', (x) => x.ciLower);
    coef('ci.ub', (x) => x.ciUpper);
    expectAllClose(fit.vb.flat(), asArray<number[]>(e['vb']).flat(), REL, 1e-12, 'vb');
    if (e['ddf'] !== null) expect(fit.coefficients.map((x) => x.df)).toEqual(nums(e, 'ddf'));
    for (const k of ['QE', 'QM'] as const) expectClose(fit[k], e[k] as number, REL, 1e-10, k);
    expectClose(fit.QEp, e['QEp'] as number, pValueTolerance(REL, fit.QE, 'chisq'), 1e-300, 'QEp');
    expectClose(fit.QMp, e['QMp'] as number, pValueTolerance(REL, fit.QM * fit.QMdf[0], 'chisq'), 1e-300, 'QMp');
    expect([...fit.QMdf]).toEqual(asArray(e['QMdf']));
    for (const k of ['ll', 'dev', 'AIC', 'BIC', 'AICc'] as const)
      expectClose(fit.fitstats[k], e[k] as number, REL, 1e-9, k);
    expectAllClose(fit.weights, nums(e, 'weights'), REL, 1e-10, 'weights');
    const sn = e['s.nlevels'];
    if (sn !== null && sn !== undefined)
      expect(fit.components.filter((x) => x.kind === 'sigma2').map((x) => x.nLevels)).toEqual(asArray(sn));
    const I2 = e['I2'] as { total: number; components: number[] } | null;
    if (I2) {
      expectClose(fit.I2?.total, I2.total, REL, 1e-8, 'I2');
      expectAllClose(fit.I2?.components ?? [], asArray(I2.components), REL, 1e-8, 'I2 components');
    } else expect(fit.I2).toBeNull();
    for (const pr of asArray<Obj>(e['predict'])) {
      // metafor's newmods leave out the intercept
      const x =
        pr['x'] === null ? undefined : [...(fit.design.names[0] === 'intrcpt' ? [1] : []), ...asArray<number>(pr['x'])];
      const lvl = pr['tau2.level'];
      const p = predictMv(fit, x, lvl === null ? {} : { tau2: String(lvl) });
      for (const [k, v] of [
        ['pred', p.pred],
        ['se', p.se],
        ['ci.lb', p.ciLower],
        ['ci.ub', p.ciUpper],
        ['pi.lb', p.piLower],
        ['pi.ub', p.piUpper],
      ] as const)
        expectClose(v, pr[k] as number, REL, 1e-10, `predict ${k}`);
    }
    const ci = e['confint'];
    if (ci !== undefined && ci !== null) {
      const intervals = profileIntervals(fit);
      const exp = Object.values(ci as Record<string, Obj>);
      expect(intervals.map((x) => x.name)).toEqual(exp.map((x) => x['name']));
      intervals.forEach((iv, i) => {
        const x = exp[i] as Obj;
        expectClose(iv.estimate, x['estimate'] as number, REL, 1e-8, `${iv.name} estimate`);
        if (x['ci.lb'] !== null) expectClose(iv.lower, x['ci.lb'] as number, 1e-5, 1e-7, `${iv.name} ci.lb`);
        if (x['ci.ub'] !== null) expectClose(iv.upper, x['ci.ub'] as number, 1e-5, 1e-7, `${iv.name} ci.ub`);
      });
    }
  });
});
