/**
 * `evsynth update` and `evsynth diff`: rows matched by study key, and the flags when a conclusion moves.
 * The flag tests use common-effect (EE) fits of tiny tables whose numbers are computed by hand in the
 * comments (inverse-variance weights, z = 1.959964), so no expected value comes from the engine.
 * The "hypothetical 2025 trial" rows are made up for the test (as in issue 16's example); they are not data.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareVersions, diffRows } from '../src/analysis/evidence-diff.ts';
import { mergeRows } from '../src/evidence/update.ts';
import { formatCsv } from '../src/io/csv.ts';
import { writeDatasetUpdate } from '../src/cli/commands/update.ts';
import { parseCsv, tableFromRows } from '../src/io/csv.ts';
import { DATASETS_ROOT, loadDataset } from '../src/evidence/datasets.ts';
import { runCli } from './cli-run.ts';

const tmp = mkdtempSync(join(tmpdir(), 'evsynth-update-'));
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const version = (text: string, label: string) => ({ table: parseCsv(text, label), dataset: null, label });

describe('rows matched by study key', () => {
  it('with study_id: added, removed and changed rows with the changed cells', () => {
    const d = diffRows(
      parseCsv('study_id,study,yi,vi\na,A,1,1\nb,B,2,1\nc,C,3,1\n', 'before.csv'),
      parseCsv('study_id,study,yi,vi\na,A,1,1\nc,C,3.5,1\nd,D,4,1\n', 'after.csv'),
    );
    expect(d.basis).toBe('study_id');
    expect(d.added.map((r) => r.key)).toEqual(['d']);
    expect(d.removed.map((r) => r.key)).toEqual(['b']);
    expect(d.changed).toEqual([
      { key: 'c', label: 'C', line: 3, columns: [{ column: 'yi', before: '3', after: '3.5' }] },
    ]);
    expect(d.unchanged).toBe(1);
  });

  it('without study_id: duplicate labels are told apart by footnote (Skljarevski 2009a ×3), never matched by label alone', () => {
    const t = loadDataset('lbp-antidepressants-pain-immediate').table!;
    const j = t.header.indexOf('study_id');
    const strip = (rows: readonly (readonly string[])[]) => rows.map((r) => r.filter((_, i) => i !== j));
    const before = tableFromRows(
      t.file,
      t.header.filter((_, i) => i !== j),
      strip(t.rows),
    );
    const m1 = before.header.indexOf('m1i');
    // the 60 mg arm's mean changes; the 20 mg and 120 mg rows (same label) must stay unchanged
    const after = tableFromRows(
      t.file,
      before.header,
      before.rows.map((r, i) => (i === 4 ? r.map((c, k) => (k === m1 ? '-26' : c)) : r)),
    );
    const d = diffRows(before, after);
    expect(d.basis).toBe('label + subgroup + footnote + occurrence (no study_id column)');
    expect(d.changed.map((c) => c.key)).toEqual(['Skljarevski 2009a | subgroup=SNRI | footnote=Duloxetine 60 mg']);
    expect(d.unchanged).toBe(7);
  });
});

describe('flags when a conclusion moves (hand-computed EE fits)', () => {
  // before: A and B, yi = -0.3, vi = 0.04 each. EE: estimate -0.3, SE √0.02 = 0.141421,
  //   CI -0.3 ± 1.959964·0.141421 = (-0.5772, -0.0228): excludes 0; Q = 0, I² = 0%.
  // after: + C, yi = 0.5, vi = 0.04. EE: estimate (−0.3 − 0.3 + 0.5)/3 = −0.0333, SE √(0.04/3) = 0.11547,
  //   CI (−0.2596, 0.1930): includes 0; Q = 25·(2·0.26667² + 0.53333²) = 10.667, df 2,
  //   I² = (10.667 − 2)/10.667 = 81.25%: 'substantial or considerable' (Handbook §10.10.2).
  // MID 0.25: the CI crosses −0.25 in both versions (no flag); the estimate was beyond −0.25 and is no longer.
  const before = version('study_id,study,yi,vi\na,A,-0.3,0.04\nb,B,-0.3,0.04\n', 'before.csv');
  const after = version('study_id,study,yi,vi\na,A,-0.3,0.04\nb,B,-0.3,0.04\nc,C,0.5,0.04\n', 'after.csv');
  const d = compareVersions(before, after, { request: { method: 'EE' }, mid: 0.25 });

  it('reports the before and after numbers', () => {
    const o = d.scopes[0]!;
    expect(o.before!.ciLower).toBeCloseTo(-0.577181, 5);
    expect(o.after!.estimate).toBeCloseTo(-1 / 30, 12);
    expect(o.after!.ciUpper).toBeCloseTo(-1 / 30 + 1.959964 * Math.sqrt(0.04 / 3), 5);
    expect(o.after!.I2).toBeCloseTo(81.25, 2);
  });

  it('flags the null, the MID and the I² band, and not the direction', () => {
    expect(d.flags.map((f) => f.kind)).toEqual(['null', 'mid', 'heterogeneity']);
    expect(d.flags[0]!.text).toBe(
      'overall: the CI now includes the null (0): -0.30 (-0.58 to -0.02) → -0.03 (-0.26 to 0.19)',
    );
    expect(d.flags[1]!.text).toBe('overall: the estimate is no longer beyond the MID -0.25: -0.30 → -0.03');
    expect(d.flags[2]!.text).toContain("I² 0% → 81%, from 'might not be important' to 'substantial or considerable'");
  });

  it('flags a change of direction', () => {
    // before: yi = 0.1 (vi 0.01) → +0.1; after: + yi = −0.5 (vi 0.01) → (0.1 − 0.5)/2 = −0.2
    const e = compareVersions(
      version('study,yi,vi\nA,0.1,0.01\n', 'b.csv'),
      version('study,yi,vi\nA,0.1,0.01\nB,-0.5,0.01\n', 'a.csv'),
      { request: { method: 'EE' } },
    );
    expect(e.flags.map((f) => f.kind)).toContain('direction');
  });

  it('rejects a MID of 1 for a ratio measure', () => {
    expect(() =>
      compareVersions(
        version('study,ai,bi,ci,di\nA,5,95,10,90\n', 'b.csv'),
        version('study,ai,bi,ci,di\nA,5,95,10,90\nB,4,96,9,91\n', 'a.csv'),
        { request: { measure: 'RR', method: 'EE' }, mid: 1 },
      ),
    ).toThrow('expected a ratio other than 1');
  });
});

describe('evsynth update and diff on the command line', () => {
  const trial = file(
    'new-trial.csv',
    'study_id,study,year,subgroup,n1i,m1i,sd1i,n2i,m2i,sd2i\nhypothetical2025,Hypothetical 2025,2025,SNRI,150,-30,20,150,-18,20\n',
  );

  it('adds a trial to a bundled dataset, shows what moved, re-checks the claims and writes the merged CSV', async () => {
    const out = join(tmp, 'merged.csv');
    const r = await runCli('update', 'lbp-antidepressants-pain-immediate', trial, '--out', out, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as {
      rows: { added: { key: string }[]; unchanged: number };
      scopes: { scope: string; before: { k: number }; after: { k: number } }[];
      claims: { studiesAfter: Record<string, number> };
    };
    expect(j.rows.added.map((a) => a.key)).toEqual(['hypothetical2025']);
    expect(j.rows.unchanged).toBe(8);
    expect(j.scopes[0]).toMatchObject({ scope: 'overall', before: { k: 8 }, after: { k: 9 } });
    expect(j.claims.studiesAfter['differs']).toBeGreaterThan(0);
    const merged = readFileSync(out, 'utf8').trim().split('\n');
    expect(merged).toHaveLength(10);
    // the new row has no RevMan values, footnote or shared arm
    expect(merged.at(-1)).toBe('hypothetical2025,Hypothetical 2025,2025,SNRI,150,-30,20,150,-18,20,,,,,,');
  });

  it('prints Markdown', async () => {
    const r = await runCli('update', 'lbp-antidepressants-pain-immediate', trial, '--format', 'md');
    expect(r.out).toContain('| analysis | k (participants) | MD (95% CI) |');
    expect(r.out).toContain('**Conclusions that moved:**');
  });

  it('rejects new rows with a column the dataset lacks, and without study_id when the dataset has them (exit 2)', async () => {
    const bad = file('bad.csv', 'study_id,study,dose,yi\nx,X,1,1\n');
    let r = await runCli('update', 'lbp-antidepressants-pain-immediate', bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}, column 'dose': column 'dose' is not a column of`);
    r = await runCli('update', 'lbp-antidepressants-pain-immediate', file('noid.csv', 'study,n1i\nX,1\n'));
    expect(r.err).toContain('the new rows need a study_id column too');
  });

  it('diffs two files and reads a git revision, with a clear error for a bad one', async () => {
    const a = file('a.csv', 'study,yi,vi\nA,-0.3,0.04\nB,-0.3,0.04\n');
    const b = file('b.csv', 'study,yi,vi\nA,-0.3,0.04\nB,-0.3,0.04\nC,0.5,0.04\n');
    const r = await runCli('diff', a, b, '--method', 'EE');
    expect(r.code).toBe(0);
    expect(r.out).toContain('added: C (C)');
    expect(r.out).toContain('! overall: the CI now includes the null (0)');
    const g = await runCli('diff', 'no-such-revision:datasets/x/data.csv', b);
    expect(g.code).toBe(2);
    expect(g.err).toContain("cannot read 'no-such-revision:datasets/x/data.csv' from git");
  });
});

describe('writing an update into a dataset', () => {
  it('writes the rows and appends a history entry; the dataset still validates', () => {
    const root = join(tmp, 'datasets');
    cpSync(
      join(DATASETS_ROOT, 'lbp-antidepressants-pain-immediate'),
      join(root, 'lbp-antidepressants-pain-immediate'),
      {
        recursive: true,
      },
    );
    const ds = loadDataset('lbp-antidepressants-pain-immediate', root);
    const add = parseCsv(
      'study_id,study,year,subgroup,n1i,m1i,sd1i,n2i,m2i,sd2i\nhypothetical2025,Hypothetical 2025,2025,SNRI,150,-30,20,150,-18,20\n',
      'new.csv',
    );
    const merged = mergeRows(ds.table!, add);
    writeDatasetUpdate(ds, merged.table, {
      date: '2026-01-15',
      description: 'test update',
      source: 'a hypothetical trial (test only)',
      added: merged.added,
    });
    const again = loadDataset('lbp-antidepressants-pain-immediate', root);
    expect(again.table!.rows).toHaveLength(9);
    expect(again.provenance.history).toEqual([
      {
        date: '2026-01-15',
        description: 'test update',
        source: 'a hypothetical trial (test only)',
        added: ['hypothetical2025'],
      },
    ]);
    expect(formatCsv(again.table!.header, again.table!.rows)).toBe(formatCsv(merged.table.header, merged.table.rows));
  });
});
