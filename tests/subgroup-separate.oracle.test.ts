/** The separate-fits part of the oracle's subgroup cases (the common-τ² model belongs to issue 4). */
import { describe, expect, it } from 'vitest';
import { fitSeparateSubgroups } from '../src/models/subgroups.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';
import { loadCases, num } from './oracle.ts';
import { expectClose } from './support.ts';

const cases = loadCases('metafor-oracle-public.json').filter((c) => c.family === 'subgroup');

describe('separate subgroup fits and the RevMan test for subgroup differences match metafor', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const yi = num(c, 'yi') as Float64Array, vi = num(c, 'vi') as Float64Array;
    const group = (c.input['group'] as (string | number)[]).map(String);
    const a = c.args as { method: Tau2Method };
    const res = fitSeparateSubgroups(yi, vi, group, { method: a.method });
    const e = c.expected as { groups: Record<string, unknown>[]; test_subgroup_differences: { Q: number; df: number; pval: number } };
    // groups[] holds metafor's default REML convergence (threshold 1e-5): the oracle README's β tolerance 2e-4
    const rel = a.method === 'REML' ? 2e-4 : 1e-10;
    expect(res.levels.map((l) => l.level)).toEqual(e.groups.map((g) => String(g['level'])));
    res.levels.forEach((l, i) => {
      const g = e.groups[i] as Record<string, unknown>;
      const b = Array.isArray(g['beta']) ? (g['beta'] as number[])[0] : (g['beta'] as number);
      expectClose(l.fit.coefficients[0]!.estimate, b as number, rel, 1e-6, `${l.level} beta`);
      expectClose(l.fit.QE, g['QE'] as number, 1e-10, 1e-12, `${l.level} QE`);
    });
    expectClose(res.test!.Q, e.test_subgroup_differences.Q, rel, 1e-8, 'Q between');
    expect(res.test!.df).toBe(e.test_subgroup_differences.df);
  });
});
