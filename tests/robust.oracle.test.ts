/**
 * Cluster-robust inference against metafor's robust() (CR0, CR1: t and F with clusters − p df) and clubSandwich
 * (CR2 with Satterthwaite df, HTZ Wald tests; and metafor's robust(clubSandwich = TRUE)) for rma.mv and rma.uni fits
 * (scripts/golden/gen-mv.R → tests/fixtures/golden-mv.json). The robust quantities depend on the fitted variance
 * components, which agree with metafor's to ~1e-8: compared at 1e-6 relative.
 */
import { describe, expect, it } from 'vitest';
import { robust } from '../src/inference/robust.ts';
import { parseModerators } from '../src/models/formula.ts';
import { interceptDesign } from '../src/models/design.ts';
import { buildModelMatrix } from '../src/models/model-matrix.ts';
import { fitRma } from '../src/models/rma.ts';
import { asArray, fitCase, stringColumns } from './mv-cases.ts';
import { loadCases, type OracleCase } from './oracle.ts';
import { expectAllClose, expectClose, pValueTolerance } from './support.ts';

type Obj = Record<string, unknown>;
const REL = 1e-6;
const all = loadCases('golden-mv.json').filter((c) => (c.expected as Obj)['robust'] !== undefined);
const nums = (o: Obj, k: string) => asArray<number>(o[k]);

function fitOf(c: OracleCase) {
  if (c.family === 'rma.mv') return fitCase(c);
  const a = c.args as { mods?: string | null };
  const yi = asArray<number>(c.input['yi']),
    vi = asArray<number>(c.input['vi']);
  const design = a.mods
    ? buildModelMatrix(parseModerators(a.mods), stringColumns(c), [...yi.keys()]).design
    : interceptDesign(yi.length);
  return fitRma(yi, vi, { method: 'REML', design });
}

describe('robust() against metafor and clubSandwich', () => {
  it.each(all.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const fit = fitOf(c);
    const cluster = stringColumns(c)[(c.args as { cluster: string }).cluster] as string[];
    const r = (c.expected as Obj)['robust'] as Record<string, Obj>;
    // CR1 (metafor robust(), adjust = TRUE)
    const cr1 = robust(fit, cluster, { type: 'CR1' });
    const e1 = r['CR1'] as Obj;
    expect(cr1.clusters).toBe(e1['n']);
    const co = (
      res: typeof cr1,
      key: string,
      f: (x: (typeof cr1.coefficients)[number]) => number,
      e: Obj,
      abs = 1e-10,
    ) => expectAllClose(res.coefficients.map(f), nums(e, key), REL, abs, key);
    co(cr1, 'se', (x) => x.se, e1);
    co(cr1, 'tval', (x) => x.statistic, e1);
    const pv = (res: typeof cr1, e: Obj) =>
      res.coefficients.forEach((x, j) =>
        expectClose(
          x.pValue,
          nums(e, 'pval')[j] as number,
          pValueTolerance(REL, x.statistic, 'z'),
          1e-300,
          `pval[${j}]`,
        ),
      );
    pv(cr1, e1);
    co(cr1, 'ci.lb', (x) => x.ciLower, e1);
    co(cr1, 'ci.ub', (x) => x.ciUpper, e1);
    // metafor reports one df (clusters − p) for every coefficient
    for (const x of cr1.coefficients) expect(x.df).toBe(nums(e1, 'df')[0]);
    expectAllClose(cr1.vb.flat(), asArray<number[]>(e1['vb']).flat(), REL, 1e-12, 'CR1 vb');
    expectClose(cr1.QM, e1['QM'] as number, REL, 1e-10, 'CR1 QM');
    expectClose(cr1.QMp, e1['QMp'] as number, pValueTolerance(REL, cr1.QM * cr1.QMdf[0], 'chisq'), 1e-300, 'CR1 QMp');
    expect([...cr1.QMdf]).toEqual(nums(e1, 'QMdf'));
    // CR0
    const cr0 = robust(fit, cluster, { type: 'CR0' });
    expectAllClose(cr0.vb.flat(), asArray<number[]>((r['CR0'] as Obj)['vb']).flat(), REL, 1e-12, 'CR0 vb');
    // CR2 (clubSandwich)
    const e2 = r['CR2'] as Obj;
    const htz = e2['HTZ'] as Obj | undefined;
    const cr2 = robust(fit, cluster, { type: 'CR2', ...(htz ? { btt: nums(htz, 'btt').map((b) => b - 1) } : {}) });
    expectAllClose(cr2.vb.flat(), asArray<number[]>(e2['vb']).flat(), REL, 1e-12, 'CR2 vb');
    co(cr2, 'se', (x) => x.se, e2);
    co(cr2, 'tval', (x) => x.statistic, e2);
    co(cr2, 'df', (x) => x.df, e2);
    pv(cr2, e2);
    if (htz) {
      expectClose(cr2.QM, htz['Fstat'] as number, REL, 1e-10, 'HTZ F');
      expect(cr2.QMdf[0]).toBe(htz['df_num']);
      expectClose(cr2.QMdf[1], htz['df_denom'] as number, REL, 1e-10, 'HTZ df');
      expectClose(cr2.QMp, htz['pval'] as number, pValueTolerance(REL, cr2.QM * cr2.QMdf[0], 'chisq'), 1e-300, 'HTZ p');
    }
    // metafor's robust(clubSandwich = TRUE): CIs with the Satterthwaite df, and its omnibus test
    const em = e2['metafor'] as Obj;
    const cr2m = robust(fit, cluster, { type: 'CR2' });
    co(cr2m, 'ci.lb', (x) => x.ciLower, em);
    co(cr2m, 'ci.ub', (x) => x.ciUpper, em);
    expectClose(cr2m.QM, em['QM'] as number, REL, 1e-10, 'metafor CR2 QM');
    expectClose(
      cr2m.QMp,
      em['QMp'] as number,
      pValueTolerance(REL, cr2m.QM * cr2m.QMdf[0], 'chisq'),
      1e-300,
      'metafor CR2 QMp',
    );
  });
});
