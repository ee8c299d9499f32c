/**
 * Mantel–Haenszel and Peto subgroup analyses through the public API (`analyze`, as `evsynth fit --by` runs it)
 * against what RevMan printed in the committed Cochrane subset: every analysis whose detected model is MH
 * (fixed or random) or Peto and that has subgroups. Per-study effects and CIs at the printed 6 decimals;
 * weights (within each subgroup, or of the whole analysis, as the review printed them) to 0.01 percentage
 * points, the corpus's tolerance (docs/cochrane/SUMMARY.md), for every row the corpus script reproduces (its
 * misses are listed in docs/cochrane/). Reference values are RevMan's, never evsynth's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze } from '../src/analysis/analyze.ts';
import { studyWeights } from '../src/analysis/meta-analysis.ts';
import { resolveAnalysisOptions } from '../src/analysis/request.ts';
import { parseExport, type ExportRow } from '../src/cochrane/export.ts';
import { reproduceExportAnalysis } from '../src/cochrane/reproduce-export.ts';

const dir = fileURLToPath(new URL('./fixtures/cochrane/', import.meta.url));
interface Case {
  readonly id: string;
  readonly rows: readonly ExportRow[];
  readonly measure: 'RR' | 'OR' | 'RD' | 'PETO';
  readonly model: 'MH-fixed' | 'MH-random' | 'Peto';
  readonly scope: 'subgroup' | 'overall';
  /** Rows the corpus reproduces (effect, CI and weight): the public API must reproduce them too. */
  readonly reproduced: ReadonlySet<ExportRow>;
}
const cases: Case[] = [];
for (const f of readdirSync(dir).filter((x) => x.endsWith('.csv'))) {
  const rows = parseExport(readFileSync(dir + f, 'utf8'), f);
  const by = new Map<string, ExportRow[]>();
  for (const r of rows) by.set(r.analysis, [...(by.get(r.analysis) ?? []), r]);
  for (const a of by.values()) {
    const res = reproduceExportAnalysis(a);
    const m = res.model,
      me = res.measure;
    if (
      (m !== 'MH-fixed' && m !== 'MH-random' && m !== 'Peto') ||
      (me !== 'RR' && me !== 'OR' && me !== 'RD' && me !== 'PETO')
    )
      continue;
    if (res.scope !== 'subgroup' && res.scope !== 'overall') continue;
    if (new Set(a.map((r) => r.subgroup)).size < 2 || a.some((r) => r.subgroup === '' || r.malformed)) continue;
    // rows the review printed (a table without events in either arm has none, and none is computable)
    const usable = a.filter((r) => r.n['Experimental.N'] !== null && r.n['Control.N'] !== null);
    const byLine = new Map(a.map((r) => [r.line, r]));
    const reproduced = new Set(
      res.rows.filter((r) => r.verdict === 'reproduced').map((r) => byLine.get(r.line) as ExportRow),
    );
    cases.push({
      id: `${f.replace('.csv', '')} ${res.analysis}`,
      rows: usable,
      measure: me,
      model: m,
      scope: res.scope,
      reproduced,
    });
  }
}

describe('MH and Peto subgroup analyses through the public API equal what RevMan printed', () => {
  it('finds the analyses in the committed subset', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.model))).toEqual(new Set(['MH-fixed', 'MH-random', 'Peto']));
  });
  it.each(cases.map((c) => [c.id, c.model, c] as const))('%s (%s)', (_id, _model, c) => {
    const col = (f: 'Experimental.cases' | 'Experimental.N' | 'Control.cases' | 'Control.N') =>
      Float64Array.from(c.rows, (r) => r.n[f] as number);
    const request =
      c.model === 'Peto'
        ? { preset: 'revman5', method: 'PETO' }
        : c.model === 'MH-fixed'
          ? { preset: 'revman5', method: 'MH', measure: c.measure }
          : { preset: 'revman5', method: 'DL', measure: c.measure };
    const options = resolveAnalysisOptions(request);
    const result = analyze(
      {
        columns: {
          ai: col('Experimental.cases'),
          n1i: col('Experimental.N'),
          ci: col('Control.cases'),
          n2i: col('Control.N'),
        },
        labels: c.rows.map((r) => r.study),
        by: { column: 'subgroup', values: c.rows.map((r) => r.subgroup) },
      },
      options,
    );
    if (result.kind !== 'subgroups') throw new Error('expected a subgroup analysis');
    const s = result.analysis;
    const ratio = c.measure !== 'RD';
    let compared = 0;
    for (const level of s.levels) {
      const a = level.analysis;
      const within = studyWeights(a);
      a.studies.rows.forEach((r, j) => {
        const row = c.rows[a.inputRows[r] as number] as ExportRow;
        if (!row.printed || !c.reproduced.has(row)) return;
        const t = ratio ? Math.exp : (x: number) => x;
        const tol = (x: number) => 5e-7 * (1 + 1e-6) + 1e-9 * Math.abs(x);
        expect(Math.abs(t(a.studies.yi[j] as number) - row.printed.mean), `${row.study} effect`).toBeLessThanOrEqual(
          tol(row.printed.mean),
        );
        if (c.scope === 'subgroup' && row.weight !== null)
          expect(
            Math.abs((within[j] as number) - row.weight),
            `${row.study} weight within ${level.level}`,
          ).toBeLessThanOrEqual(0.01);
        compared++;
      });
    }
    if (c.scope === 'overall') {
      const o = s.overall;
      const w = studyWeights(o);
      o.studies.rows.forEach((r, j) => {
        const row = c.rows[o.inputRows[r] as number] as ExportRow;
        if (row.printed && row.weight !== null && c.reproduced.has(row))
          expect(
            Math.abs((w[j] as number) - row.weight),
            `${row.study} weight of the whole analysis`,
          ).toBeLessThanOrEqual(0.01);
      });
    }
    expect(compared).toBeGreaterThan(0);
  });
});
