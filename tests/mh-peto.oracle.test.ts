import { describe, it, expect } from 'vitest';
import { EFFECT_COLUMNS, type EffectColumns } from '../src/effects/options.ts';
import { fitMantelHaenszel, fitPeto } from '../src/models/mantel-haenszel.ts';
import type { MhMeasure } from '../src/effects/registry.ts';
import { labels, loadCases, num } from './oracle.ts';
import { expectAllClose, expectClose } from './support.ts';

const cases = loadCases('metafor-oracle-public.json').filter((c) => c.family === 'mh_peto');

describe('rma.mh / rma.peto match metafor 3.8-1 (relative 1e-10)', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const cols: Record<string, Float64Array> = {};
    for (const n of EFFECT_COLUMNS) {
      const v = num(c, n);
      if (v) cols[n] = v;
    }
    const a = c.args as {
      fun: string;
      measure: string;
      add: number;
      to: 'only0';
      drop00: boolean;
      correct?: boolean;
      level: number;
    };
    const opts = {
      add: a.add,
      to: a.to,
      drop00: a.drop00,
      level: a.level,
      ...(a.correct !== undefined ? { correct: a.correct } : {}),
    };
    const fit =
      a.fun === 'rma.peto'
        ? fitPeto(cols as EffectColumns, labels(c), opts)
        : fitMantelHaenszel(a.measure as MhMeasure, cols as EffectColumns, labels(c), opts);
    const e = c.expected as Record<string, number | null | (number | null)[]>;
    const rel = 1e-10;
    expect(fit.k).toBe(e['k']);
    expect(fit.kYi).toBe(e['k.yi']);
    const pairs: [number | null, string][] = [
      [fit.estimate, 'beta'],
      [fit.se, 'se'],
      [fit.statistic, 'zval'],
      [fit.pValue, 'pval'],
      [fit.ciLower, 'ci.lb'],
      [fit.ciUpper, 'ci.ub'],
      [fit.QE, 'QE'],
      [fit.QEp, 'QEp'],
      [fit.I2, 'I2'],
      [fit.H2, 'H2'],
      [fit.tau2, 'tau2'],
    ];
    if (a.fun === 'rma.mh')
      pairs.push(
        [fit.CO, 'CO'],
        [fit.COp, 'COp'],
        [fit.MH, 'MH'],
        [fit.MHp, 'MHp'],
        [fit.BD, 'BD'],
        [fit.BDp, 'BDp'],
        [fit.TA, 'TA'],
        [fit.TAp, 'TAp'],
      );
    for (const [got, key] of pairs)
      expectClose(got, e[key] as number | null, rel, key.endsWith('p') || key === 'pval' ? 1e-300 : 1e-12, key);
    expect(fit.QEdf).toBe(e['QEdf']);
    expectAllClose(fit.effects.yi, e['yi'] as (number | null)[], rel, 1e-12, 'yi');
    expectAllClose(fit.effects.vi, e['vi'] as (number | null)[], rel, 1e-12, 'vi');
  });
});
