/**
 * Mantel–Haenszel and Peto subgroup analyses (as `evsynth fit --by … --method MH|PETO` runs them) against
 * metafor 3.8: per subgroup `rma.mh`/`rma.peto(…, subset = g == level)`, the overall fit, and the test for
 * subgroup differences `rma(est, sei = se, method = "FE")$QE` (scripts/golden/gen-subgroups-mh.R). Zero cells,
 * double-zero tables, single-study subgroups, OR/RR/RD/IRR. Closed forms: relative 1e-10.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze } from '../src/analysis/analyze.ts';
import { pooledEstimate, studyWeights } from '../src/analysis/meta-analysis.ts';
import type { Measure } from '../src/effects/registry.ts';
import { expectClose } from './support.ts';

interface Fit {
  k: number;
  beta: number;
  se: number;
  zval: number;
  pval: number;
  'ci.lb': number;
  'ci.ub': number;
  QE: number;
  QEp: number;
  I2: number;
  weights: number[];
}
interface Case {
  id: string;
  measure: string;
  method: 'MH' | 'PETO';
  input: { ai: number[]; n1i: number[]; ci: number[]; n2i: number[]; g: string[] };
  expected: {
    overall: Fit;
    subgroups: ({ level: string; estimable: boolean } & Partial<Fit>)[];
    test: { Q: number; df: number; p: number } | null;
  };
}
const cases = JSON.parse(
  readFileSync(fileURLToPath(new URL('./fixtures/golden-subgroups-mh.json', import.meta.url)), 'utf8'),
) as Case[];
const rel = 1e-10;

describe('MH and Peto subgroup analyses match metafor 3.8 (rma.mh / rma.peto per subgroup)', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const irr = c.measure === 'IRR';
    const f = (x: number[]) => Float64Array.from(x);
    const columns = irr
      ? { x1i: f(c.input.ai), t1i: f(c.input.n1i), x2i: f(c.input.ci), t2i: f(c.input.n2i) }
      : { ai: f(c.input.ai), n1i: f(c.input.n1i), ci: f(c.input.ci), n2i: f(c.input.n2i) };
    const r = analyze(
      { columns, labels: c.input.ai.map((_, i) => `S${i + 1}`), by: { column: 'g', values: c.input.g } },
      { measure: (c.method === 'PETO' ? 'OR' : c.measure) as Measure, method: c.method },
    );
    if (r.kind !== 'subgroups') throw new Error('expected subgroups');
    const s = r.analysis;
    const check = (got: ReturnType<typeof pooledEstimate>, e: Partial<Fit>, what: string) => {
      expectClose(got.estimate, e.beta as number, rel, rel * 1e-2, `${what} estimate`);
      expectClose(got.se, e.se as number, rel, rel * 1e-2, `${what} se`);
      expectClose(got.ciLower, e['ci.lb'] as number, rel, rel * 1e-2, `${what} ci.lb`);
      expectClose(got.ciUpper, e['ci.ub'] as number, rel, rel * 1e-2, `${what} ci.ub`);
      expectClose(got.pValue, e.pval as number, rel, rel * 1e-2, `${what} pval`);
    };
    check(pooledEstimate(s.overall), c.expected.overall, 'overall');
    const estimable = c.expected.subgroups.filter((g) => g.estimable);
    expect(s.levels.map((l) => l.level)).toEqual(estimable.map((g) => g.level));
    for (const g of estimable) {
      const level = s.levels.find((l) => l.level === g.level);
      if (!level) throw new Error(`no level ${g.level}`);
      check(pooledEstimate(level.analysis), g, g.level);
      const fit = level.analysis.model.kind === 'pooled' ? level.analysis.model.fit : null;
      expectClose(fit?.QE as number, g.QE as number, rel, rel * 1e-2, `${g.level} QE`);
      // metafor's weights are of every table of the subset (0 for those without information)
      const w = studyWeights(level.analysis);
      expect(w.length).toBeGreaterThan(0);
    }
    if (c.expected.test) {
      expect(s.test).not.toBeNull();
      expectClose(s.test?.Q as number, c.expected.test.Q, rel, rel * 1e-2, 'Q between');
      expect(s.test?.df).toBe(c.expected.test.df);
      expectClose(s.test?.pValue as number, c.expected.test.p, rel, rel * 1e-2, 'p between');
    }
  });
});
