/**
 * Claim checks of `evsynth reproduce` (src/analysis/reproduce.ts) on study rows, against the
 * published claims a claim points at, and the chapter at a glance. Reference values: metafor
 * (tests/fixtures/claims-bcg.json, scripts/golden/gen-claims.R), never the engine's own output.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetResolver, reproduceDataset } from '../src/analysis/reproduce.ts';
import { reproduceChapter } from '../src/analysis/chapter.ts';
import { loadDataset } from '../src/evidence/datasets.ts';
import { CHAPTERS_ROOT, listChapterNames, loadChapter } from '../src/evidence/chapter.ts';

interface Fixture {
  rows: { study: string; ai: number; bi: number; ci: number; di: number; alloc: string }[];
  overall: Record<string, number>;
  subgroups: { level: string; estimate: number; ciLower: number; ciUpper: number; pValue: number; k: number }[];
  subgroupTest: { Q: number; df: number; pValue: number };
}
const fx = JSON.parse(readFileSync(new URL('./fixtures/claims-bcg.json', import.meta.url), 'utf8')) as Fixture;
const o = fx.overall as Record<string, number>;
const r2 = (x: number) => Math.round(x * 100) / 100;

function makeDatasets(claims: object[], otherClaims: object[] = []): string {
  const root = mkdtempSync(join(tmpdir(), 'evsynth-claims-'));
  mkdirSync(join(root, 'bcg'));
  writeFileSync(
    join(root, 'bcg', 'data.csv'),
    'study,ai,bi,ci,di,alloc\n' +
      fx.rows.map((r) => `"${r.study}",${r.ai},${r.bi},${r.ci},${r.di},${r.alloc}`).join('\n') +
      '\n',
  );
  const columns = { study: 's', ai: 'a', bi: 'b', ci: 'c', di: 'd', alloc: 'allocation' };
  writeFileSync(
    join(root, 'bcg', 'provenance.json'),
    JSON.stringify({
      name: 'bcg',
      title: 'BCG',
      review: { citation: 'Colditz 1994' },
      measure: 'RR',
      model: { method: 'DL', test: 'z', description: 'DerSimonian-Laird' },
      rows: { status: 'complete', source: { description: 'metadat::dat.bcg', file: 'dat.bcg' } },
      licence: 'test',
      subgroupColumn: 'alloc',
      columns,
      claims,
    }),
  );
  mkdirSync(join(root, 'paper'));
  writeFileSync(join(root, 'paper', 'template.csv'), 'study,source\n');
  writeFileSync(
    join(root, 'paper', 'provenance.json'),
    JSON.stringify({
      name: 'paper',
      title: 'a paper citing the BCG meta-analysis',
      review: { citation: 'x' },
      measure: 'RR',
      rows: { status: 'none', missing: 'none', source: { description: 'none' }, template: 'template.csv' },
      licence: 'test',
      columns: {},
      claims: otherClaims,
    }),
  );
  return root;
}
const pooled = {
  id: 'overall',
  description: 'BCG vaccine vs none, tuberculosis, log RR',
  outcome: 'TB',
  measure: 'RR',
  estimate: r2(o['estimate']!),
  ciLower: r2(o['ciLower']!),
  ciUpper: r2(o['ciUpper']!),
  pValue: '<0.0001',
  z: r2(Math.abs(o['z']!)),
  k: 13,
  heterogeneity: { tau2: r2(o['tau2']!), chi2: r2(o['QE']!), df: 12, pValue: '<0.00001', I2: Math.round(o['I2']!) },
  decimals: 2,
  source: 'metafor',
};

describe('claims checked against recomputed results from the rows', () => {
  const random = fx.subgroups.find((s) => s.level === 'random')!;
  const alternate = fx.subgroups.find((s) => s.level === 'alternate')!;
  const root = makeDatasets([
    pooled,
    {
      ...pooled,
      id: 'natural',
      estimate: r2(o['expEstimate']!),
      ciLower: r2(o['expCiLower']!),
      ciUpper: r2(o['expCiUpper']!),
      scale: 'natural',
      heterogeneity: undefined,
    },
    {
      ...pooled,
      id: 'wrong',
      estimate: r2(o['estimate']! + 0.05),
      ciLower: r2(o['ciLower']! + 0.05),
      ciUpper: r2(o['ciUpper']! + 0.05),
      heterogeneity: undefined,
      z: undefined,
      pValue: undefined,
    },
    { ...pooled, id: 'wrong-tau2', heterogeneity: { tau2: r2(o['tau2']! + 0.1) } },
    {
      id: 'random-only',
      description: 'randomised trials only',
      outcome: 'TB',
      measure: 'RR',
      subgroup: 'random',
      estimate: r2(random.estimate),
      ciLower: r2(random.ciLower),
      ciUpper: r2(random.ciUpper),
      k: random.k,
      decimals: 2,
      source: 'metafor',
    },
    { id: 'count', kind: 'count', description: '13 trials', scope: 'analysis', studies: 13, source: 'metafor' },
    { id: 'count-wrong', kind: 'count', description: '14 trials', scope: 'analysis', studies: 14, source: 'x' },
    { id: 'count-review', kind: 'count', description: 'review', scope: 'review', studies: 20, source: 'x' },
    {
      id: 'benefit',
      kind: 'finding',
      description: 'BCG prevents TB',
      outcome: 'TB',
      direction: 'favours intervention',
      significant: true,
      magnitude: 'large',
      favourable: 'lower',
      source: 'x',
    },
    {
      id: 'alternate-ns',
      kind: 'finding',
      description: 'alternate allocation: not significant',
      outcome: 'TB',
      subgroup: 'alternate',
      significant: alternate.pValue < 0.05,
      source: 'x',
    },
    {
      id: 'alternate-wrong',
      kind: 'finding',
      description: 'alternate allocation: significant',
      outcome: 'TB',
      subgroup: 'alternate',
      significant: !(alternate.pValue < 0.05),
      source: 'x',
    },
    {
      id: 'harm',
      kind: 'finding',
      description: 'BCG causes TB',
      outcome: 'TB',
      direction: 'favours comparator',
      favourable: 'lower',
      source: 'x',
    },
    {
      id: 'by-alloc',
      kind: 'subgroup-difference',
      description: 'by allocation',
      outcome: 'TB',
      chi2: r2(fx.subgroupTest.Q),
      df: fx.subgroupTest.df,
      pValue: fx.subgroupTest.pValue.toFixed(2),
      significant: fx.subgroupTest.pValue < 0.05,
      decimals: 2,
      source: 'metafor',
    },
    { id: 'said', kind: 'statement', description: 'the trials were done between 1933 and 1968', source: 'x' },
  ]);
  const r = reproduceDataset(loadDataset('bcg', root));
  const v = Object.fromEntries(r.checks.map((c) => [c.claim, c.verdict]));
  it('pooled estimate, CI, P, Z and heterogeneity as metafor prints them are reproduced', () => {
    expect(v['overall']).toBe('reproduced');
    expect(v['natural']).toBe('reproduced');
    expect(v['random-only']).toBe('reproduced');
    expect(r.checks.find((c) => c.claim === 'overall')!.basis).toBe('rows');
  });
  it('a wrong estimate or τ² differs, and the detail names what', () => {
    expect(v['wrong']).toBe('differs');
    expect(v['wrong-tau2']).toBe('differs');
    expect(r.checks.find((c) => c.claim === 'wrong-tau2')!.detail).toMatch(/Tau²/);
  });
  it('counts: of the analysis from the rows; of the review not checkable', () => {
    expect(v['count']).toBe('reproduced');
    expect(v['count-wrong']).toBe('differs');
    expect(v['count-review']).toBe('not checkable');
  });
  it('qualitative findings: direction and significance, overall and per subgroup', () => {
    expect(v['benefit']).toBe('reproduced');
    expect(r.checks.find((c) => c.claim === 'benefit')!.detail).toMatch(/magnitude 'large' is recorded, not checked/);
    expect(v['alternate-ns']).toBe('reproduced');
    expect(v['alternate-wrong']).toBe('differs');
    expect(v['harm']).toBe('differs');
  });
  it('the test for subgroup differences (separate τ² per subgroup)', () => {
    expect(v['by-alloc']).toBe('reproduced');
  });
  it('a statement is never checkable', () => {
    expect(v['said']).toBe('not checkable');
  });
});

describe('claims without rows checked against the published claim they point at', () => {
  const root = makeDatasets(
    [pooled],
    [
      { ...pooled, id: 'quoted', against: 'bcg#overall', heterogeneity: undefined, z: undefined, pValue: undefined },
      {
        ...pooled,
        id: 'misquoted',
        estimate: -0.8,
        against: 'bcg#overall',
        heterogeneity: undefined,
        z: undefined,
        pValue: undefined,
      },
      {
        id: 'says-benefit',
        kind: 'finding',
        description: 'works',
        outcome: 'TB',
        direction: 'favours intervention',
        significant: true,
        favourable: 'lower',
        against: 'bcg#overall',
        source: 'x',
      },
      {
        id: 'says-nothing-works',
        kind: 'finding',
        description: 'no significant effect',
        outcome: 'TB',
        significant: false,
        against: 'bcg#overall',
        source: 'x',
      },
      {
        id: 'count',
        kind: 'count',
        description: '13',
        scope: 'analysis',
        studies: 13,
        against: 'bcg#overall',
        source: 'x',
      },
      { id: 'lonely', kind: 'finding', description: 'x', outcome: 'TB', significant: true, source: 'x' },
      {
        id: 'inconsistent',
        description: 'P against CI',
        outcome: 'TB',
        measure: 'RR',
        estimate: -1.29,
        ciLower: -2.47,
        ciUpper: -0.11,
        pValue: '0.003',
        decimals: 2,
        source: 'x',
      },
    ],
  );
  const r = reproduceDataset(
    loadDataset('paper', root),
    datasetResolver((n) => loadDataset(n, root)),
  );
  const v = Object.fromEntries(r.checks.map((c) => [c.claim, c.verdict]));
  it('consistent when the numbers or the reading agree, inconsistent when not', () => {
    expect(v).toEqual({
      quoted: 'consistent',
      misquoted: 'inconsistent',
      'says-benefit': 'consistent',
      'says-nothing-works': 'inconsistent',
      count: 'consistent',
      lonely: 'not checkable',
      inconsistent: 'inconsistent',
    });
  });
});

describe('the claim schema', () => {
  const root = mkdtempSync(join(tmpdir(), 'evsynth-schema-'));
  const base = 'wang2012-core-stability';
  const edit = (f: (claims: Record<string, unknown>[]) => void) => {
    cpSync(join(new URL('../datasets/', import.meta.url).pathname, base), join(root, base), { recursive: true });
    const file = join(root, base, 'provenance.json');
    const p = JSON.parse(readFileSync(file, 'utf8')) as { claims: Record<string, unknown>[] };
    f(p.claims);
    writeFileSync(file, JSON.stringify(p));
  };
  it.each([
    [
      'an unknown kind',
      (c: Record<string, unknown>[]) => c.push({ id: 'x', kind: 'vibe', description: 'd', source: 's' }),
      /kind: expected one of pooled, count, finding/,
    ],
    [
      'a finding with a direction but no favourable side',
      (c: Record<string, unknown>[]) =>
        c.push({
          id: 'x',
          kind: 'finding',
          description: 'd',
          outcome: 'o',
          direction: 'favours intervention',
          source: 's',
        }),
      /favourable/,
    ],
    [
      'a count of nothing',
      (c: Record<string, unknown>[]) =>
        c.push({ id: 'x', kind: 'count', description: 'd', scope: 'review', source: 's' }),
      /number of studies or of participants/,
    ],
    [
      'a fractional count',
      (c: Record<string, unknown>[]) =>
        c.push({ id: 'x', kind: 'count', description: 'd', scope: 'review', studies: 2.5, source: 's' }),
      /whole number/,
    ],
    [
      'a field of another kind',
      (c: Record<string, unknown>[]) =>
        c.push({ id: 'x', kind: 'count', description: 'd', scope: 'review', studies: 2, estimate: 1, source: 's' }),
      /estimate: expected no such field/,
    ],
    [
      'one CI limit',
      (c: Record<string, unknown>[]) => {
        delete c[1]!['ciUpper'];
      },
      /both CI limits or neither/,
    ],
  ])('rejects %s', (_n, f, pattern) => {
    edit(f);
    expect(() => loadDataset(base, root)).toThrowError(pattern);
  });
  it('a claim without kind is a pooled claim (provenance files before kinds load unchanged)', () => {
    edit(() => {});
    const claims = loadDataset(base, root).provenance.claims;
    expect(claims.find((c) => c.id === 'wang2012-pain-short')!.kind).toBe('pooled');
  });
});

describe('the chapter at a glance', () => {
  const names = listChapterNames();
  it('the bundled chapter loads; every quote is found verbatim in its text', () => {
    expect(names).toContain('ch29-low-back-pain');
    const ch = loadChapter('ch29-low-back-pain');
    expect(ch.statements.length).toBeGreaterThan(40);
  });
  it('a misquote is an error naming the statement', () => {
    const root = mkdtempSync(join(tmpdir(), 'evsynth-ch-'));
    cpSync(CHAPTERS_ROOT, root, { recursive: true });
    const file = join(root, 'ch29-low-back-pain.json');
    const j = JSON.parse(readFileSync(file, 'utf8')) as { statements: { quote: string }[] };
    j.statements[0]!.quote = j.statements[0]!.quote.replace('moderat', 'høj');
    writeFileSync(file, JSON.stringify(j));
    expect(() => loadChapter('ch29-low-back-pain', root)).toThrowError(
      /statements\[0\]\.quote: expected a sentence found verbatim/,
    );
  });
  it('every statement gets a verdict; what the project holds is consistent, nothing is inconsistent', () => {
    const r = reproduceChapter(loadChapter('ch29-low-back-pain'), (n) => loadDataset(n));
    expect(r.statements.map((s) => s.statement.id)).toEqual(
      loadChapter('ch29-low-back-pain').statements.map((s) => s.id),
    );
    expect(r.claimCounts.inconsistent).toBe(0);
    expect(r.claimCounts.differs).toBe(0);
    const v = Object.fromEntries(r.statements.flatMap((s) => s.checks.map((c) => [c.claim, c.verdict])));
    expect(v['k05-pooled']).toBe('consistent');
    expect(v['k03-count']).toBe('consistent');
    expect(v['k11-long-12m']).toBe('consistent');
    expect(v['c02-aerobic']).toBe('consistent');
    expect(v['k08-sick-leave']).toBe('not checkable');
    expect(v['a12-pain-short']).toBe('not checkable');
  });
});
