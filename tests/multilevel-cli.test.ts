/**
 * `evsynth fit|regress` with --random, --V and --robust: metafor's numbers through the command line (the golden
 * rma.mv cases written as CSV), the bundled datasets' shared arms, and bad structures with clear errors and exit 2.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-run.ts';
import { asArray } from './mv-cases.ts';
import { loadCases, type OracleCase } from './oracle.ts';
import { expectAllClose, expectClose } from './support.ts';

const tmp = mkdtempSync(join(tmpdir(), 'evsynth-mv-cli-'));
const csv = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

const run = runCli;

type Obj = Record<string, unknown>;
const cases = loadCases('golden-mv.json');
const byId = (id: string) => cases.find((c) => c.id === id) as OracleCase;

/** A golden case's data as a CSV with yi and vi columns. */
function caseCsv(c: OracleCase): string {
  const cols = Object.entries(c.input).map(([k, v]) => [k, asArray<unknown>(v)] as const);
  const vi = asArray<number>((c as unknown as { V: { diag: number[] } }).V.diag);
  const header = [...cols.map(([k]) => k), 'vi'];
  const lines = vi.map((v, i) => [...cols.map(([, vals]) => String(vals[i])), String(v)].join(','));
  return csv(`${c.id.replace(/\W/g, '-')}.csv`, [header.join(','), ...lines].join('\n') + '\n');
}

describe('fit/regress --random: metafor rma.mv through the command line', () => {
  it('a three-level model (dat.konstantopoulos2011) with profile CIs and CR2', async () => {
    const c = byId('konstantopoulos2011/three-level-REML-z');
    const e = c.expected as Obj;
    const r = await run(
      'fit',
      caseCsv(c),
      '--random',
      '~ 1 | district/school',
      '--robust',
      'district',
      '--vcov',
      'CR2',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as {
      model: string;
      sigma2: { estimate: number; nLevels: number; ciLower: number; ciUpper: number }[];
      coefficients: { estimate: number; se: number }[];
      QE: number;
      logLik: number;
      robust: { type: string; clusters: number; coefficients: { se: number; df: number }[] };
    };
    expect(j.model).toBe('rma.mv');
    expectAllClose(
      j.sigma2.map((s) => s.estimate),
      asArray<number>(e['sigma2']),
      1e-6,
      1e-10,
      'sigma2',
    );
    expect(j.sigma2.map((s) => s.nLevels)).toEqual([11, 56]);
    const ci = Object.values(e['confint'] as Record<string, Obj>);
    j.sigma2.forEach((s, i) => {
      expectClose(s.ciLower, ci[i]!['ci.lb'] as number, 1e-5, 1e-7, 'ci.lb');
      expectClose(s.ciUpper, ci[i]!['ci.ub'] as number, 1e-5, 1e-7, 'ci.ub');
    });
    expectClose(j.coefficients[0]!.estimate, asArray<number>(e['beta'])[0]!, 1e-6, 1e-10, 'beta');
    expectClose(j.QE, e['QE'] as number, 1e-10, 0, 'QE');
    expectClose(j.logLik, e['ll'] as number, 1e-9, 0, 'logLik');
    const cr2 = ((e['robust'] as Obj)['CR2'] as Obj)['metafor'] as Obj;
    expect(j.robust.type).toBe('CR2');
    expect(j.robust.clusters).toBe(11);
    expectClose(j.robust.coefficients[0]!.se, asArray<number>(cr2['se'])[0]!, 1e-6, 0, 'robust se');
    expectClose(j.robust.coefficients[0]!.df, asArray<number>(cr2['df'])[0]!, 1e-6, 0, 'robust df');
  });

  it("regress with containment df and metafor's layout in text", async () => {
    const c = byId('konstantopoulos2011/year-contain');
    const r = await run(
      'regress',
      caseCsv(c),
      '--mods',
      'x',
      '--random',
      '~ 1 | district/school',
      '--test',
      't',
      '--dfs',
      'contain',
    );
    expect(r.code, r.err).toBe(0);
    for (const s of [
      'Multivariate Meta-Analysis Model (k = 56; method: REML)',
      'Variance Components:',
      'sigma^2.1',
      'district/school',
      'Test of Moderators (coefficient 2):',
      'F(df1 = 1, df2 = 54)',
    ])
      expect(r.out).toContain(s);
  });

  it('a bivariate model with an inner | outer term (dat.berkey1998 without V: the structure is parsed and printed)', async () => {
    const c = byId('berkey1998/outcome-UN');
    const r = await run(
      'regress',
      caseCsv(c),
      '--mods',
      '0 + factor(outcome)',
      '--random',
      '~ outcome | trial',
      '--struct',
      'UN',
    );
    expect(r.code, r.err).toBe(0);
    for (const s of ['outer factor: trial (nlvls = 5)', 'inner factor: outcome (nlvls = 2)', 'rho.AL', 'tau^2.1'])
      expect(r.out).toContain(s);
  });
});

describe('fit --V: shared arms of the bundled datasets', () => {
  it('reads the declared shared arms and builds their covariances', async () => {
    const r = await run('fit', 'lbp-antidepressants-pain-short-term', '--V', 'shared', '--robust', 'study', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as {
      V: { covariances: number; sharedArms: { id: string; n: string; rows: number[] }[] };
      k: number;
    };
    expect(j.k).toBe(16);
    // Atkinson 1999 (1 pair), Atkinson 2007 (1 pair), Skljarevski 2009a (3 pairs)
    expect(j.V.covariances).toBe(5);
    expect(j.V.sharedArms.map((g) => [g.id, g.n])).toEqual([
      ['atkinson1999-placebo', 'repeated'],
      ['atkinson2007-placebo', 'repeated'],
      ['skljarevski2009a-placebo', 'split'],
    ]);
  });
  it('--V split divides a repeated arm among its comparisons (rma.uni with independent rows)', async () => {
    const r = await run('fit', 'lbp-antidepressants-pain-short-term', '--V', 'split', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { model: string; V: { covariances: number } };
    expect(j.model).toBe('rma.uni');
    expect(j.V.covariances).toBe(0);
  });
  it('--robust alone gives cluster-robust inference for rma.uni', async () => {
    const r = await run('fit', 'lbp-antidepressants-pain-short-term', '--robust', 'study');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('var-cov estimator: CR1');
  });
});

describe('output formats', () => {
  const args = ['fit', 'lbp-antidepressants-pain-short-term', '--V', 'shared', '--random', '~ 1 | study/.row'];
  it('--format json is --json', async () => {
    const [a, b] = [await run(...args, '--json'), await run(...args, '--format', 'json')];
    expect(b.code, b.err).toBe(0);
    expect(b.out).toBe(a.out);
    expect((JSON.parse(b.out) as { model: string }).model).toBe('rma.mv');
  });
  it('--format csv: the rows used, with their sampling variance, Wald CI and weight in the model', async () => {
    const j = JSON.parse((await run(...args, '--json')).out) as {
      studies: { label: string; row: number; yi: number; vi: number; weight: number }[];
    };
    const r = await run(...args, '--format', 'csv');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('study,row,yi,vi,sei,ci_lb,ci_ub,weight');
    expect(lines).toHaveLength(j.studies.length + 1);
    const first = (lines[1] as string).split(',');
    const s = j.studies[0] as (typeof j.studies)[number];
    expect(first[0]).toBe(s.label);
    expect(Number(first[3])).toBe(s.vi);
    expect(Number(first[5])).toBeCloseTo(s.yi - 1.959963984540054 * Math.sqrt(s.vi), 12);
    expect(Number(first[7])).toBe(s.weight);
    expect(j.studies.reduce((t, x) => t + x.weight, 0)).toBeCloseTo(100, 10);
  });
  it('--digits sets the decimals of the text output', async () => {
    const r = await run(...args, '--digits', '2');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^estimate +se +zval/m);
    expect(r.out).toMatch(/^ *-4\.06 +1\.09 /m);
  });
});

describe('warnings', () => {
  it('terms that group the rows identically: only the sum of their variances is identified', async () => {
    const file = csv('singletons.csv', 'study,yi,vi\nA,0.1,0.01\nB,0.5,0.02\nC,0.3,0.05\nD,-0.2,0.03\n');
    const r = await run('fit', file, '--random', '~ 1 | study/.row', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { warnings: string[] };
    expect(j.warnings.join(' ')).toMatch(/'study' and 'study\/\.row' group the rows identically/);
  });
});

describe('cluster-robust inference for a coefficient estimated within one cluster', () => {
  // CD001703 analysis 1.2 by drug class: 'Other antidepressants' (the intercept) and TeCA have one row each, so
  // each is determined by one trial; its sandwich variance is 0 up to rounding (clubSandwich prints SE 7.9e-7 and
  // 2.5e-7, and Satterthwaite df driven by that rounding)
  it.each(['CR1', 'CR2'])('%s: robust SE 0, a warning, and finite df for the other coefficients', async (vcov) => {
    const r = await run(
      'regress',
      'lbp-antidepressants-pain-short-term',
      '--mods',
      'factor(subgroup)',
      '--random',
      '~ 1 | study/.row',
      '--robust',
      'study',
      '--vcov',
      vcov,
      '--no-profile',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as {
      coefficients: { name: string; se: number }[];
      robust: { coefficients: { name: string; se: number; df: number }[] };
      warnings: string[];
    };
    const se = Object.fromEntries(j.robust.coefficients.map((c) => [c.name, c.se]));
    expect(se['intrcpt']).toBe(0);
    expect(se['factor(subgroup)TeCA']).toBe(0);
    // clubSandwich: 0.5716, 0.7362, 2.8890 (CR2); metafor robust(): the same SEs under CR1's n/(n − p) factor
    expect(se['factor(subgroup)SSRI']).toBeGreaterThan(0.5);
    for (const c of j.robust.coefficients) expect(Number.isFinite(c.df) && c.df > 0, c.name).toBe(true);
    expect(j.warnings.join(' ')).toMatch(/intrcpt, factor\(subgroup\)TeCA are estimated within a single cluster/);
  });
});

describe('plot forest --random/--V/--robust', () => {
  it('writes the forest plot of the model; other plots refuse the options', async () => {
    const out = join(tmp, 'mv-forest.svg');
    const r = await run('plot', 'forest', 'lbp-antidepressants-pain-short-term', '--V', 'shared', '--out', out);
    expect(r.code, r.err).toBe(0);
    const bad = await run('plot', 'funnel', 'lbp-antidepressants-pain-short-term', '--V', 'shared', '--out', out);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/for the forest plot, not funnel/);
  });
});

describe('bad structures: a clear error and exit 2', () => {
  const file = csv(
    'three.csv',
    'study,es,yi,vi,one\nA,1,0.1,0.01,x\nA,2,0.3,0.02,x\nA,3,0.2,0.015,x\nB,1,0.5,0.01,x\nB,2,0.4,0.03,x\nC,1,0.0,0.02,x\n',
  );
  it.each([
    [['--random', '~ 1 | trial/es'], /random term '~ 1 \| trial': no column 'trial'/],
    [['--random', '~ 1 | one'], /single level/],
    [['--robust', 'one'], /only one cluster/],
    [['--V', 'cor:study:1'], /V is singular for rows 1, 2, 3/],
    [['--V', 'cor:study:-0.9'], /V is not positive definite for rows 1, 2, 3/],
    [['--V', 'shared'], /needs a column/],
    [['--V', 'nonsense'], /--V 'nonsense'/],
    [['--random', '~ 1 | study', '--method', 'DL'], /REML or ML/],
    [['--test', 't'], /--test t is for multilevel models/],
    [['--random', 'study'], /expected '~ 1 \| group'/],
    [['--random', '~ 1 | study', '--by', 'one'], /--by cannot be combined with --random/],
  ])('%j', async (args, message) => {
    const r = await run('fit', file, ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});
