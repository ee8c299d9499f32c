/** Leave-one-out and Baujat coordinates (used by the plots) against metafor. */
import { describe, it } from 'vitest';
import { baujat } from '../src/diagnostics/baujat.ts';
import { leaveOneOut } from '../src/diagnostics/leave-one-out.ts';
import { fitRma, type TestType } from '../src/models/rma.ts';
import type { Tau2Method } from '../src/models/tau2/index.ts';
import { loadCases, num } from './oracle.ts';
import { expectAllClose } from './support.ts';

const cases = loadCases('metafor-oracle-public.json');
const fitOf = (id: string) => {
  const c = cases.find((x) => x.id === id)!;
  const a = c.args as { method: Tau2Method; test?: TestType };
  return { c, fit: fitRma(num(c, 'yi') as Float64Array, num(c, 'vi') as Float64Array, { method: a.method === 'FE' ? 'EE' : a.method, test: a.test ?? 'z' }) };
};
// expected holds metafor's default REML convergence: relative 2e-4 (oracle README); closed forms 1e-10
describe('leave-one-out and Baujat match metafor', () => {
  it.each(['sensitivity/bcg-RR-REML-leave1out', 'sensitivity/bcg-RR-DL-knha-leave1out', 'sensitivity/hackshaw1998-FE-leave1out'])('%s', (id) => {
    const { c, fit } = fitOf(id);
    const rel = id.includes('REML') ? 2e-4 : 1e-10;
    const e = c.expected['leave1out'] as Record<string, number[]>;
    const l = leaveOneOut(fit);
    expectAllClose(l.estimate, e['estimate']!, rel, 1e-6, 'estimate');
    expectAllClose(l.se, e['se']!, rel, 1e-6, 'se');
    expectAllClose(l.Q, e['Q']!, 1e-10, 1e-12, 'Q');
    expectAllClose(l.ciLower, e['ci.lb']!, rel, 1e-6, 'ci.lb');
    if (!id.includes('FE')) expectAllClose(l.tau2, e['tau2']!, rel, 1e-5, 'tau2');
  });
  it('sensitivity/bcg-RR-REML-baujat', () => {
    const { c, fit } = fitOf('sensitivity/bcg-RR-REML-baujat');
    const e = c.expected['baujat'] as { x: number[]; y: number[] };
    const b = baujat(fit);
    expectAllClose(b.x, e.x, 2e-4, 1e-6, 'x');
    expectAllClose(b.y, e.y, 2e-3, 1e-6, 'y');
  });
});
