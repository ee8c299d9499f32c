import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reproduceDataset } from '../src/analysis/reproduce.ts';
import { DATASETS_ROOT, listDatasetNames, loadDataset } from '../src/evidence/datasets.ts';

const names = listDatasetNames();

describe('every shipped dataset loads and validates', () => {
  it('ships the issue-3 datasets', () => {
    for (const n of [
      'knee-oa-exercise-pain',
      'knee-oa-exercise-function',
      'lbp-antidepressants-pain-immediate',
      'lbp-antidepressants-pain-short-term',
      'lbp-spinal-manipulation-rubinstein2019',
      'lbp-exercise-hayden2005-function',
      'lbp-exercise-hayden2005-pain',
      'searle2015-exercise-chronic-lbp',
      'schaafsma2013-physical-conditioning',
      'wang2012-core-stability',
      'bystrom2013-motor-control',
      'dahm2010-bed-rest',
      'hilde2002-stay-active',
      'hagen2000-bed-rest',
    ]) {
      expect(names).toContain(n);
    }
  });
  it.each(names)('%s', (name) => {
    const ds = loadDataset(name);
    expect(ds.provenance.name).toBe(name);
    if (ds.provenance.rows.status === 'none') expect(ds.table).toBeNull();
    else expect(ds.table!.rows.length).toBeGreaterThan(0);
  });
});

describe('reproduce', () => {
  it.each([
    ['knee-oa-exercise-pain', 52],
    ['knee-oa-exercise-function', 50],
    ['lbp-antidepressants-pain-immediate', 8],
    ['lbp-antidepressants-pain-short-term', 16],
  ] as const)('%s: every per-study effect, CI and weight RevMan printed is reproduced to its 6 decimals', (name, k) => {
    const r = reproduceDataset(loadDataset(name));
    expect(r.k).toBe(k);
    expect(r.checks.filter((c) => c.kind !== 'pooled')).toHaveLength(3 * k);
    expect(r.checks.filter((c) => c.verdict !== 'reproduced')).toEqual([]);
  });

  it('the seed reviews show honestly as claims without study rows, each with a template', () => {
    for (const name of [
      'searle2015-exercise-chronic-lbp',
      'schaafsma2013-physical-conditioning',
      'bystrom2013-motor-control',
      'dahm2010-bed-rest',
      'hilde2002-stay-active',
      'wang2012-core-stability',
    ]) {
      const r = reproduceDataset(loadDataset(name));
      expect(r.rowsStatus).toBe('none');
      expect(r.template).toMatch(/template\.csv$/);
      expect(readFileSync(join(DATASETS_ROOT, name, 'template.csv'), 'utf8')).toMatch(
        /^study,subgroup,n1i,m1i,sd1i,n2i,m2i,sd2i,yi,ci_lb,ci_ub,source/,
      );
      expect(r.checks.length).toBeGreaterThan(0);
      for (const c of r.checks) expect(['not checkable', 'inconsistent']).toContain(c.verdict);
    }
  });

  it('Searle 2015: SMD -0.32 (-0.44 to -0.19), 39 trials, no study rows', () => {
    const r = reproduceDataset(loadDataset('searle2015-exercise-chronic-lbp'));
    expect(r.checks[0]).toMatchObject({ claim: 'searle2015-pain-overall', published: -0.32, verdict: 'not checkable' });
    expect(r.checks[0]!.detail).toMatch(/no study rows in the dataset; its estimate, CI and P agree with one another/);
  });

  it('Wang 2012: P = 0.003 with CI -2.47 to -0.11 is inconsistent; the other claims are not', () => {
    const r = reproduceDataset(loadDataset('wang2012-core-stability'));
    const v = Object.fromEntries(r.checks.map((c) => [c.claim, c.verdict]));
    expect(v).toEqual({
      'wang2012-count': 'not checkable',
      'wang2012-pain-short': 'inconsistent',
      'wang2012-disability-short': 'not checkable',
      'wang2012-pain-6m': 'not checkable',
      'wang2012-pain-12m': 'not checkable',
    });
    expect(r.checks.find((c) => c.claim === 'wang2012-pain-short')!.detail).toMatch(
      /implies P between 0\.031 and 0\.034/,
    );
  });
});

describe('bad datasets fail validation with a clear message', () => {
  const base = 'knee-oa-exercise-pain';
  function broken(edit: (dir: string) => void): string {
    const root = mkdtempSync(join(tmpdir(), 'evsynth-ds-'));
    cpSync(join(DATASETS_ROOT, base), join(root, base), { recursive: true });
    edit(join(root, base));
    return root;
  }
  const editJson = (dir: string, f: (p: Record<string, unknown>) => void) => {
    const file = join(dir, 'provenance.json');
    const p = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    f(p);
    writeFileSync(file, JSON.stringify(p));
  };
  it.each([
    [
      'a missing measure column',
      (d: string) =>
        writeFileSync(join(d, 'data.csv'), readFileSync(join(d, 'data.csv'), 'utf8').replace('sd2i', 'sd_2')),
      /needs columns n1i, m1i, sd1i, n2i, m2i, sd2i/,
    ],
    [
      'an unknown measure',
      (d: string) =>
        editJson(d, (p) => {
          p['measure'] = 'XYZ';
        }),
      /measure: expected one of/,
    ],
    [
      'rows without a source',
      (d: string) =>
        editJson(d, (p) => {
          (p['rows'] as Record<string, unknown>)['source'] = { description: 'somewhere' };
        }),
      /every row needs a source/,
    ],
    [
      'a claim naming a non-existent subgroup',
      (d: string) =>
        editJson(d, (p) => {
          p['claims'] = [
            {
              id: 'x',
              description: 'd',
              outcome: 'pain',
              measure: 'SMD',
              estimate: -0.5,
              decimals: 2,
              source: 's',
              subgroup: 'Swimming',
            },
          ];
        }),
      /names subgroup 'Swimming'/,
    ],
    [
      'an undocumented column',
      (d: string) =>
        editJson(d, (p) => {
          delete (p['columns'] as Record<string, unknown>)['footnote'];
        }),
      /column 'footnote' of data.csv is not described/,
    ],
    [
      'a typo in a field name',
      (d: string) =>
        editJson(d, (p) => {
          p['licnce'] = 'x';
        }),
      /provenance\.licnce: expected no such field/,
    ],
    [
      'a non-numeric cell',
      (d: string) =>
        writeFileSync(join(d, 'data.csv'), readFileSync(join(d, 'data.csv'), 'utf8').replace(',142,', ',14x,')),
      /line \d+, column 'n1i': '14x' is not a number/,
    ],
  ])('%s', (_name, edit, pattern) => {
    const root = broken(edit);
    expect(() => loadDataset(base, root)).toThrowError(pattern);
  });
});
