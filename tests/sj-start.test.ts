/**
 * The Sidik–Jonkman estimator started from a given τ₀² (control.tau2Init, metafor's `tau2.init`): the estimate
 * τ₀²·Q_gen(τ₀²)/(k − p) and its standard error τ₀²·√(2 tr(P₀ΣP₀Σ))/(k − p) both take the start given. The SE
 * took Σ(yᵢ − ȳ)²/k instead (0.1005 for metafor's 0.1474 on the first case). Expected values: metafor 3.8
 * (scripts/golden/gen-sj-start.R).
 */
import { describe, expect, it } from 'vitest';
import { designFromColumns } from '../src/models/design.ts';
import { fitRma } from '../src/models/rma.ts';
import { loadCases, num } from './oracle.ts';
import { expectClose } from './support.ts';

const cases = loadCases('sj-start.json');

describe('SJ from a given start (control.tau2Init): τ² and its SE as metafor', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const yi = num(c, 'yi')!,
      vi = num(c, 'vi')!,
      mods = num(c, 'mods');
    const fit = fitRma(yi, vi, {
      method: 'SJ',
      control: { tau2Init: c.args['tau2Init'] as number },
      ...(mods === undefined ? {} : { design: designFromColumns([{ name: 'ablat', values: mods }], yi.length) }),
    });
    const e = c.expected as { tau2: number; 'se.tau2': number };
    expectClose(fit.tau2, e.tau2, 1e-10, 1e-15, 'tau2');
    expectClose(fit.tau2SE, e['se.tau2'], 1e-10, 1e-15, 'se.tau2');
  });

  it('covers starts of 0 to 3, with and without a moderator', () => {
    expect(cases).toHaveLength(16);
  });
});
