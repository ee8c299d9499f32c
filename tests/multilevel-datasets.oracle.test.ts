/**
 * The project's own dependent effect sizes against metafor 3.8 and clubSandwich (scripts/golden/gen-mv-datasets.R,
 * with V built in R from the provenance's sharedArms): the antidepressant review's shared placebo arms as a
 * three-level model and as sampling covariances, with CR1/CR2 by trial, and the knee-OA trials' pain and function
 * as a bivariate model — through multilevelTable, as the CLI, the web explorer and notebook 06 run them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  multilevelTable,
  parseCsv,
  stringColumn,
  summarizeMultilevel,
  validateProvenance,
  type DataTable,
  type MultilevelContext,
  type MultilevelRequest,
} from '../src/index.ts';
import { expectAllClose, expectClose } from './support.ts';

interface Fit {
  beta: number | number[];
  se: number | number[];
  ci_lb: number | number[];
  sigma2?: number | number[];
  tau2?: number | number[];
  rho?: number | number[];
  QE: number;
  logLik: number;
  V_offdiag?: number[];
  CR1: { se: number | number[]; df: number | number[] };
  CR2: { se: number | number[]; df: number | number[] };
}
interface Case {
  id: string;
  dataset: string;
  request: MultilevelRequest;
  expected: Fit;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/golden-mv-datasets.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};
const arr = (x: number | number[] | undefined | Record<string, never>): number[] =>
  x === undefined ? [] : Array.isArray(x) ? x : typeof x === 'number' ? [x] : [];

const read = (name: string, file: string) =>
  readFileSync(new URL(`../datasets/${name}/${file}`, import.meta.url), 'utf8');
function input(c: Case): { table: DataTable; context: MultilevelContext; request: MultilevelRequest } {
  if (c.dataset.startsWith('knee-oa')) {
    // pain and function stacked, with an outcome column (as a user would prepare them)
    const cols = ['study', 'n1i', 'm1i', 'sd1i', 'n2i', 'm2i', 'sd2i'];
    const lines = ['study,outcome,n1i,m1i,sd1i,n2i,m2i,sd2i'];
    for (const outcome of ['pain', 'function']) {
      const t = parseCsv(read(`knee-oa-exercise-${outcome}`, 'data.csv'), `${outcome}.csv`);
      const v = cols.map((h) => stringColumn(t, h));
      t.rows.forEach((_, i) => lines.push([v[0]?.[i], outcome, ...v.slice(1).map((x) => x[i])].join(',')));
    }
    return { table: parseCsv(lines.join('\n'), 'knee.csv'), context: {}, request: { ...c.request, measure: 'SMD' } };
  }
  const p = validateProvenance(JSON.parse(read(c.dataset, 'provenance.json')), c.dataset);
  return {
    table: parseCsv(read(c.dataset, 'data.csv'), c.dataset),
    context: { measure: p.measure, name: c.dataset, ...(p.sharedArms ? { sharedArms: p.sharedArms } : {}) },
    request: c.request,
  };
}

describe('the bundled datasets against metafor rma.mv and clubSandwich', () => {
  it.each(fixture.cases.map((c) => [c.id, c] as const))('%s', (_, c) => {
    const { table, context, request } = input(c);
    const e = c.expected;
    for (const type of ['CR1', 'CR2'] as const) {
      const s = summarizeMultilevel(
        multilevelTable(table, { ...request, profile: false, robust: { cluster: 'study', type } }, context),
      );
      const co = s.coefficients;
      expectAllClose(
        co.map((x) => x.estimate),
        arr(e.beta),
        1e-6,
        1e-9,
        'beta',
      );
      expectAllClose(
        co.map((x) => x.se),
        arr(e.se),
        1e-6,
        1e-9,
        'se',
      );
      expectAllClose(
        co.map((x) => x.ciLower),
        arr(e.ci_lb),
        1e-6,
        1e-9,
        'ci.lb',
      );
      // variance components: 1e-6 relative; metafor's log-parameterisation leaves ~1e-8 where evsynth reaches 0
      expectAllClose(
        s.sigma2.map((x) => x.estimate),
        arr(e.sigma2),
        1e-6,
        1e-7,
        'sigma2',
      );
      expectAllClose(
        s.tau2.map((x) => x.estimate),
        arr(e.tau2),
        1e-6,
        1e-7,
        'tau2',
      );
      expectAllClose(
        s.rho.map((x) => x.estimate),
        arr(e.rho),
        1e-6,
        1e-7,
        'rho',
      );
      expectClose(s.QE, e.QE, 1e-9, 1e-9, 'QE');
      // the likelihood at evsynth's estimates is never below metafor's
      expect(s.logLik).toBeGreaterThanOrEqual(e.logLik - 1e-9);
      expectClose(s.logLik, e.logLik, 1e-8, 1e-8, 'logLik');
      const r = s.robust;
      expect(r).not.toBeNull();
      expectAllClose(r?.coefficients.map((x) => x.se) ?? [], arr(e[type].se), 1e-6, 1e-9, `${type} se`);
      // metafor's robust() reports one df (clusters − p) for every coefficient
      const df = arr(e[type].df);
      expectAllClose(
        r?.coefficients.map((x) => x.df as number) ?? [],
        co.map((_, i) => df[Math.min(i, df.length - 1)] as number),
        1e-6,
        1e-9,
        `${type} df`,
      );
      if (e.V_offdiag) {
        const a = multilevelTable(table, { ...request, profile: false }, context);
        expectAllClose(
          a.V.pairs.map((p) => p.cov).sort((x, y) => x - y),
          [...e.V_offdiag].sort((x, y) => x - y),
          1e-12,
          0,
          'V',
        );
      }
    }
  });
});
