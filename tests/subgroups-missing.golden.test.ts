/**
 * A subgroup column with missing values (issue 21), against metafor 3.8 (scripts/golden/gen-subgroups-missing.R):
 * metadat's dat.mcdaniel1994, ZCOR by `type` (NA in rows 113, 123, 125). By default the three rows leave the
 * subgroup analysis and the overall analysis (metafor's rows of `mods = ~ factor(type)`) and are listed with the
 * reason; with `--keep-ungrouped` they stay in the overall analysis. Library, CLI text, JSON and plot.
 * Iterative (REML) fits: relative 1e-8.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze } from '../src/analysis/analyze.ts';
import { pooledEstimate, type MetaAnalysis } from '../src/analysis/meta-analysis.ts';
import { runCli } from './cli-run.ts';
import { expectClose } from './support.ts';

interface Fit {
  k: number;
  beta: number;
  se: number;
  'ci.lb': number;
  'ci.ub': number;
  tau2: number;
  QE: number;
  I2: number;
}
interface Case {
  input: { ri: number[]; ni: number[]; type: string[]; study: number[] };
  missing_rows: number[];
  expected: {
    levels: string[];
    subgroups: Fit[];
    overall_exclude: Fit;
    overall_keep: Fit;
    test: { Q: number; df: number; p: number };
    moderators: { k: number; QM: number; QMp: number; tau2: number };
  };
}
const [c] = JSON.parse(
  readFileSync(fileURLToPath(new URL('./fixtures/golden-subgroups-missing.json', import.meta.url)), 'utf8'),
) as Case[];
if (!c) throw new Error('no case');
const rel = 1e-8;

function check(a: MetaAnalysis, e: Fit, what: string): void {
  const p = pooledEstimate(a);
  expect(a.studies.yi.length, `${what} k`).toBe(e.k);
  expectClose(p.estimate, e.beta, rel, 1e-10, `${what} estimate`);
  expectClose(p.se, e.se, rel, 1e-10, `${what} se`);
  expectClose(p.ciLower, e['ci.lb'], rel, 1e-10, `${what} ci.lb`);
  expectClose(p.ciUpper, e['ci.ub'], rel, 1e-10, `${what} ci.ub`);
  if (a.model.kind !== 'rma') throw new Error('expected an rma fit');
  expectClose(a.model.fit.tau2, e.tau2, rel, 1e-10, `${what} tau2`);
  expectClose(a.model.fit.QE, e.QE, rel, 1e-10, `${what} QE`);
}

const data = {
  columns: { ri: Float64Array.from(c.input.ri), ni: Float64Array.from(c.input.ni) },
  labels: c.input.study.map((s) => `Study ${s}`),
  by: { column: 'type', values: c.input.type },
};

describe('subgroup values missing in 3 of 160 rows (dat.mcdaniel1994, ZCOR by type) match metafor 3.8', () => {
  it('leaves the rows out of every analysis by default and lists them', () => {
    const r = analyze(data, { measure: 'ZCOR', method: 'REML' });
    if (r.kind !== 'subgroups') throw new Error('expected subgroups');
    const s = r.analysis;
    expect(s.missingGroup.map((e) => e.row + 1)).toEqual(c.missing_rows);
    expect(s.missingGroup[0]?.reason).toMatch(/missing value in the subgroup column 'type'/);
    expect(s.levels.map((l) => l.level)).toEqual(c.expected.levels);
    s.levels.forEach((l, i) => check(l.analysis, c.expected.subgroups[i] as Fit, `subgroup ${l.level}`));
    check(s.overall, c.expected.overall_exclude, 'overall');
    expectClose(s.test?.Q as number, c.expected.test.Q, rel, 1e-10, 'Q between');
    expect(s.test?.df).toBe(c.expected.test.df);
    const m = s.common?.moderatorModel;
    expect(m?.k).toBe(c.expected.moderators.k);
    expectClose(m?.QM as number, c.expected.moderators.QM, rel, 1e-10, 'QM');
    expectClose(m?.tau2 as number, c.expected.moderators.tau2, rel, 1e-10, 'tau2 (common)');
  });

  it('keeps them in the overall analysis when asked (--keep-ungrouped)', () => {
    const r = analyze(data, { measure: 'ZCOR', method: 'REML' }, { missing: 'overall-only' });
    if (r.kind !== 'subgroups') throw new Error('expected subgroups');
    check(r.analysis.overall, c.expected.overall_keep, 'overall (kept)');
    for (const [i, l] of r.analysis.levels.entries())
      check(l.analysis, c.expected.subgroups[i] as Fit, `subgroup ${l.level}`);
    expect(r.analysis.missingGroup).toHaveLength(3);
  });

  it('says so in the CLI text, JSON and forest plot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evsynth-missing-'));
    const csv = join(dir, 'mcdaniel.csv');
    const lines = c.input.ri.map((r, i) => `Study ${c.input.study[i]},${r},${c.input.ni[i]},${c.input.type[i]}`);
    writeFileSync(csv, ['study,ri,ni,type', ...lines].join('\n') + '\n');
    const text = await runCli('fit', csv, '--measure', 'ZCOR', '--by', 'type');
    expect(text.code).toBe(0);
    expect(text.out).toContain("Rows without a value in 'type' (left out):");
    expect(text.out).toContain('Study 113 (row 113)');
    const json = await runCli('fit', csv, '--measure', 'ZCOR', '--by', 'type', '--json');
    const parsed = JSON.parse(json.out) as { missingGroup: { row: number }[]; overall: { k: number } };
    expect(parsed.missingGroup.map((e) => e.row)).toEqual(c.missing_rows);
    expect(parsed.overall.k).toBe(157);
    const kept = JSON.parse(
      (await runCli('fit', csv, '--measure', 'ZCOR', '--by', 'type', '--keep-ungrouped', '--json')).out,
    ) as {
      overall: { k: number };
    };
    expect(kept.overall.k).toBe(160);
    const svg = join(dir, 'forest.svg');
    expect((await runCli('plot', 'forest', csv, '--measure', 'ZCOR', '--by', 'type', '--out', svg)).code).toBe(0);
    expect(readFileSync(svg, 'utf8')).toContain('No subgroup value: Study 123 (row 123)');
  });
});
