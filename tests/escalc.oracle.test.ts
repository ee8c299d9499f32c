import { describe, it } from 'vitest';
import { escalc } from '../src/effects/escalc.ts';
import { EFFECT_COLUMNS, type EffectColumns, type ZeroCellRule, type Vtype } from '../src/effects/options.ts';
import type { Measure } from '../src/effects/registry.ts';
import { labels, loadCases, num } from './oracle.ts';
import { expectAllClose } from './support.ts';

const cases = loadCases('metafor-oracle-public.json').filter((c) => c.family === 'escalc');

describe('escalc matches metafor 3.8-1 (relative 1e-10)', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const cols: Record<string, Float64Array> = {};
    for (const n of EFFECT_COLUMNS) {
      const v = num(c, n);
      if (v) cols[n] = v;
    }
    const a = c.args as { measure: Measure; add: number; to: ZeroCellRule; drop00: boolean; vtype: Vtype };
    const es = escalc(a.measure, cols as EffectColumns, labels(c), {
      add: a.add,
      to: a.to,
      drop00: a.drop00,
      vtype: a.vtype,
    });
    const exp = c.expected as { yi: (number | null)[]; vi: (number | null)[] };
    // closed forms: relative 1e-10, absolute 1e-12 near 0 (oracle README)
    expectAllClose(es.yi, exp.yi, 1e-10, 1e-12, 'yi');
    expectAllClose(es.vi, exp.vi, 1e-10, 1e-12, 'vi');
  });
});
