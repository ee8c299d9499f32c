/**
 * evsynth's own metafor golden cases (scripts/golden/gen-core.R → tests/fixtures/golden-core.json):
 * random data with k = 2…200, extreme variances, tau2 = 0 boundaries, ties, k = 1 and 2, zero cells
 * under every `to` rule, MH/Peto with double-zero tables. All iterative fits were run in R with
 * threshold = tol = 1e-12, so every case is compared at 1e-8 relative (1e-10 for closed forms).
 */
import { describe, expect, it } from 'vitest';
import { escalc } from '../src/effects/escalc.ts';
import { EFFECT_COLUMNS, type EffectColumns, type Vtype, type ZeroCellRule } from '../src/effects/options.ts';
import type { Measure } from '../src/effects/registry.ts';
import { fitMantelHaenszel, fitPeto } from '../src/models/mantel-haenszel.ts';
import type { MhMeasure } from '../src/effects/registry.ts';
import { fitRma, type TestType } from '../src/models/rma.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';
import { compareConfint, compareFit, comparePredict } from './fit-compare.ts';
import { labels, loadCases, num } from './oracle.ts';
import { expectAllClose, expectClose } from './support.ts';

type Obj = Record<string, unknown>;
const all = loadCases('golden-core.json');
const ITERATIVE = new Set(['ML', 'REML', 'EB', 'PM', 'PMM', 'SJIT']);

function columns(c: (typeof all)[number]): EffectColumns {
  const cols: Record<string, Float64Array> = {};
  for (const n of EFFECT_COLUMNS) {
    const v = num(c, n);
    if (v && n !== 'yi' && n !== 'vi') cols[n] = v;
  }
  return cols as EffectColumns;
}

describe('golden-core: rma.uni', () => {
  const cases = all.filter((c) => c.family === 'rma.uni');
  it('has the whole grid', () => expect(cases.length).toBeGreaterThan(400));
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const a = c.args as { method: Tau2Method; test: TestType };
    const fit = fitRma(num(c, 'yi') as Float64Array, num(c, 'vi') as Float64Array, { method: a.method, test: a.test });
    const rel = ITERATIVE.has(a.method) ? 1e-8 : 1e-10;
    expect(fit.converged).toBe(true);
    compareFit(fit, c.expected['fit'] as Obj, rel);
    comparePredict(fit, c.expected['predict'] as Obj, rel);
    if (c.expected['predict_pi_riley']) comparePredict(fit, c.expected['predict_pi_riley'] as Obj, rel, 'riley');
    if (c.expected['confint']) compareConfint(fit, c.expected['confint'] as Obj, 1e-8, 1e-12);
  });
});

describe('golden-core: escalc zero cells and small samples', () => {
  const cases = all.filter((c) => c.family === 'escalc');
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const a = c.args as { measure: Measure; add: number; to: ZeroCellRule; drop00: boolean; vtype: Vtype };
    const es = escalc(a.measure, columns(c), labels(c), { add: a.add, to: a.to, drop00: a.drop00, vtype: a.vtype });
    const e = c.expected as { yi: (number | null)[]; vi: (number | null)[] };
    expectAllClose(es.yi, e.yi, 1e-10, 1e-12, 'yi');
    expectAllClose(es.vi, e.vi, 1e-10, 1e-12, 'vi');
  });
});

describe('golden-core: Mantel-Haenszel and Peto with zero and double-zero tables', () => {
  const cases = all.filter((c) => c.family === 'mh_peto');
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const a = c.args as { fun: string; measure: string };
    const fit =
      a.fun === 'rma.peto'
        ? fitPeto(columns(c), labels(c))
        : fitMantelHaenszel(a.measure as MhMeasure, columns(c), labels(c));
    const e = c.expected as Record<string, number | null | (number | null)[]>;
    expect(fit.k).toBe(e['k']);
    expect(fit.kYi).toBe(e['k.yi']);
    const keys: [number | null, string][] = [
      [fit.estimate, 'beta'],
      [fit.se, 'se'],
      [fit.pValue, 'pval'],
      [fit.ciLower, 'ci.lb'],
      [fit.ciUpper, 'ci.ub'],
      [fit.QE, 'QE'],
      [fit.QEp, 'QEp'],
      [fit.I2, 'I2'],
      [fit.H2, 'H2'],
      [fit.CO, 'CO'],
      [fit.MH, 'MH'],
      [fit.BD, 'BD'],
      [fit.BDp, 'BDp'],
      [fit.TA, 'TA'],
    ];
    for (const [got, key] of keys) expectClose(got, (e[key] ?? null) as number | null, 1e-10, 1e-12, key);
    // metafor's rma.mh keeps only the estimable yi (k.yi of them)
    expectAllClose(
      Array.from(fit.effects.yi).filter(Number.isFinite),
      e['yi'] as (number | null)[],
      1e-10,
      1e-12,
      'yi',
    );
  });
});
