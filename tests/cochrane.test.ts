/**
 * Per-study reproduction of Cochrane reviews on the committed 30-review subset: RevMan's printed effect,
 * CI (6 decimals) and weight (0.01 points) are the reference; nothing is compared with evsynth output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseExport, type ExportRow } from '../src/cochrane/export.ts';
import { reproduceExportAnalysis, type AnalysisResult } from '../src/cochrane/reproduce-export.ts';

const dir = fileURLToPath(new URL('./fixtures/cochrane/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.csv'));
const results: AnalysisResult[] = [];
for (const f of files) {
  const rows = parseExport(readFileSync(dir + f, 'utf8'), f);
  const by = new Map<string, ExportRow[]>();
  for (const r of rows) by.set(r.analysis, [...(by.get(r.analysis) ?? []), r]);
  for (const a of by.values()) results.push(reproduceExportAnalysis(a));
}
const rows = results.flatMap((a) => a.rows);

describe('Cochrane subset (31 reviews)', () => {
  it('reads every review and classifies every study row', () => {
    expect(files.length).toBe(31);
    expect(rows.length).toBeGreaterThan(4500);
    for (const r of rows) expect(r.verdict === 'reproduced' || r.reason.length > 0).toBe(true);
  });
  it('reproduces at least 97.5% of the usable study rows of this deliberately hard subset', () => {
    const usable = rows.filter((r) => r.verdict === 'reproduced' || r.verdict === 'differs');
    const ok = usable.filter((r) => r.verdict === 'reproduced').length;
    expect(ok / usable.length).toBeGreaterThanOrEqual(0.975);
  });
  it('detects every measure and every RevMan pooling model', () => {
    expect(new Set(results.map((a) => a.measure))).toEqual(
      new Set(['MD', 'SMD', 'RR', 'OR', 'RD', 'PETO', 'GIV', 'GIV-EXP', 'OE', null]),
    );
    for (const m of ['IV-fixed', 'IV-random', 'MH-fixed', 'MH-random', 'Peto'])
      expect(results.some((a) => a.model === m)).toBe(true);
    expect(new Set(results.map((a) => a.level))).toEqual(new Set([95, 99]));
  });
  it('a malformed row is reported, never fatal', () => {
    const text =
      'Analysis.group,Analysis.number,Analysis.name,Subgroup,Study,Experimental.mean,Experimental.SD,Experimental.N,Control.mean,Control.SD,Control.N,Weight,Mean,CI.start,CI.end\n' +
      '1,1,x,,A,1,1,10,0,1,10,50,1,0.123456,1.876544\n1,1,x,,B,oops,1,10,0,1,10,50,1,0.1,1.9\n';
    const r = reproduceExportAnalysis(parseExport(text, 'T.csv'));
    expect(r.rows[1]!.reason).toMatch(/malformed row: column 'Experimental.mean' holds 'oops'/);
  });
});
