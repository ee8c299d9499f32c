import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCases } from './oracle.ts';
import { runCli } from './cli-run.ts';
import { expectClose } from './support.ts';

const data = (f: string) => fileURLToPath(new URL(`./data/${f}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'evsynth-cli-'));
const csv = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

const run = runCli;

const oracle = loadCases('metafor-oracle-public.json');
const fitOf = (id: string) => oracle.find((c) => c.id === id)!.expected['fit'] as Record<string, number[] | number>;

describe('evsynth fit', () => {
  it('--json gives metafor REML numbers for the BCG trials', async () => {
    const r = await run('fit', data('bcg.csv'), '--measure', 'RR', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    const e = fitOf('rma.uni/bcg_rr-REML-z');
    expectClose(j['estimate'] as number, (e['beta'] as number[])[0]!, 2e-4, 0, 'estimate'); // metafor default convergence
    expectClose(j['tau2'] as number, e['tau2'] as number, 0, 1e-5, 'tau2');
    expectClose(j['Q'] as number, e['QE'] as number, 1e-10, 0, 'Q');
    expect(j['k']).toBe(13);
    for (const key of [
      'k',
      'measure',
      'method',
      'test',
      'level',
      'estimate',
      'se',
      'statistic',
      'df',
      'pValue',
      'ciLower',
      'ciUpper',
      'piLower',
      'piUpper',
      'tau2',
      'tau2SE',
      'tau',
      'I2',
      'H2',
      'Q',
      'QDf',
      'QPValue',
      'tau2CI',
      'I2CI',
      'H2CI',
      'studies',
      'excluded',
    ])
      expect(j, key).toHaveProperty(key);
    expect((j['studies'] as unknown[]).length).toBe(13);
  });

  it('DL with Knapp–Hartung matches metafor to 1e-10', async () => {
    const r = await run('fit', data('bcg.csv'), '--measure', 'RR', '--method', 'DL', '--test', 'knha', '--json');
    const j = JSON.parse(r.out) as Record<string, number>;
    const e = fitOf('rma.uni/bcg_rr-DL-z');
    expectClose(j['estimate'], (e['beta'] as number[])[0]!, 1e-10, 0, 'estimate');
    expect(j['df']).toBe(12);
  });

  it('prints a metafor-like text summary with exponentiated ratios', async () => {
    const r = await run('fit', data('bcg.csv'), '--measure', 'RR', '--method', 'DL');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Random-Effects Model (k = 13; tau^2 estimator: DerSimonian-Laird)');
    expect(r.out).toContain('Q(df = 12) = 152.2330, p-val <.0001');
    expect(r.out).toContain('Exponentiated (RR)');
  });

  it('Mantel–Haenszel and Peto', async () => {
    const mh = JSON.parse(
      (await run('fit', data('bcg.csv'), '--measure', 'OR', '--method', 'MH', '--json')).out,
    ) as Record<string, number>;
    const e = oracle.find((c) => c.id === 'rma.mh/bcg-OR')!.expected as Record<string, number>;
    expectClose(mh['estimate'], e['beta']!, 1e-10, 0, 'MH');
    const peto = await run('fit', data('bcg.csv'), '--measure', 'OR', '--method', 'PETO');
    expect(peto.code).toBe(0);
    expect(peto.out).toContain("Peto's method");
  });

  it('SMD with the RevMan variant differs from metafor Hedges g', async () => {
    const a = JSON.parse((await run('effects', data('normand1999.csv'), '--measure', 'SMD', '--json')).out) as {
      studies: { yi: number }[];
    };
    const b = JSON.parse(
      (await run('effects', data('normand1999.csv'), '--measure', 'SMD', '--smd', 'revman', '--json')).out,
    ) as { studies: { yi: number }[] };
    const e = oracle.find((c) => c.id === 'escalc/normand1999-SMD')!.expected as { yi: number[] };
    a.studies.forEach((s, i) => expectClose(s.yi, e.yi[i]!, 1e-10, 0, `yi[${i}]`));
    expect(b.studies[0]!.yi).not.toBe(a.studies[0]!.yi);
  });

  it('lists excluded studies with the reason', async () => {
    const f = csv('dz.csv', 'study,ai,bi,ci,di\nA,0,10,0,12\nB,3,7,1,9\nC,4,6,2,8\n');
    const j = JSON.parse((await run('fit', f, '--measure', 'OR', '--drop00', '--method', 'DL', '--json')).out) as {
      k: number;
      excluded: { label: string; reason: string }[];
    };
    expect(j.k).toBe(2);
    expect(j.excluded).toEqual([{ label: 'A', row: 1, reason: expect.stringContaining('double-zero') }]);
    const t = await run('fit', f, '--measure', 'OR', '--drop00', '--method', 'DL');
    expect(t.out).toContain('Excluded studies (1):');
  });
});

describe('bad input: one line naming file, line and column; exit code 2', () => {
  const cases: [string, string, string[], RegExp][] = [
    [
      'missing column',
      'study,n1i,m1i,sd1i,n2i,m2i\nA,10,1,1,10,2\n',
      ['--measure', 'SMD'],
      /column 'sd2i'.*needs column 'sd2i'/,
    ],
    ['non-numeric cell', 'study,yi,vi\nA,0.1,0.02\nB,abc,0.03\n', [], /line 3, column 'yi': 'abc' is not a number/],
    ['decimal comma', 'study,yi,vi\nA,"0,1",0.02\n', [], /line 2, column 'yi'.*decimal separator/],
    ['negative variance', 'study,yi,vi\nA,0.1,-0.02\nB,0.2,0.03\n', [], /line 2, column 'vi'.*sampling variance/],
    [
      'negative SD',
      'study,n1i,m1i,sd1i,n2i,m2i,sd2i\nA,10,1,-1,10,2,1\n',
      ['--measure', 'SMD'],
      /line 2, column 'sd1i'.*≥ 0/,
    ],
    [
      'n < 1 for SMD',
      'study,n1i,m1i,sd1i,n2i,m2i,sd2i\nA,0,1,1,10,2,1\n',
      ['--measure', 'SMD'],
      /line 2, column 'n1i'.*at least 1/,
    ],
    ['events > n', 'study,ai,n1i,ci,n2i\nA,12,10,3,10\n', ['--measure', 'OR'], /line 2, column 'ai'.*exceed n1i/],
    ['empty file', '', [], /empty/],
    ['header only', 'study,yi,vi\n', [], /no study rows/],
    ['duplicate column', 'study,yi,yi\nA,1,2\n', [], /column 'yi'.*appears twice/],
    ['ragged row', 'study,yi,vi\nA,1\n', [], /line 2.*2 fields but the header has 3/],
    ['unknown measure', 'study,yi,vi\nA,1,2\n', ['--measure', 'XYZ'], /unknown measure 'XYZ'/],
    ['unknown method', 'study,yi,vi\nA,1,2\nB,2,1\n', ['--method', 'FOO'], /unknown method 'FOO'/],
  ];
  it.each(cases)('%s', async (name, text, args, pattern) => {
    const f = csv(`${name.replace(/\W+/g, '-')}.csv`, text);
    const r = await run('fit', f, ...args);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(pattern);
    if (text !== '' && !name.startsWith('unknown')) expect(r.err).toContain(f); // option errors name the option, data errors the file
  });

  it('an unknown file', async () => {
    const r = await run('fit', join(tmp, 'nope.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no file/);
  });
});

describe('datasets from the command line', () => {
  it('evsynth datasets lists them with k and outcome', async () => {
    const r = await run('datasets');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/knee-oa-exercise-pain\s+52\s+complete\s+SMD/);
    expect(r.out).toMatch(/searle2015-exercise-chronic-lbp\s+0\s+none/);
  });
  it('a dataset name works where a file does, with its measure as default', async () => {
    const j = JSON.parse((await run('fit', 'lbp-antidepressants-pain-immediate', '--method', 'DL', '--json')).out) as {
      k: number;
      measure: string;
    };
    expect(j).toMatchObject({ k: 8, measure: 'MD' });
  });
  it('a claims-only dataset cannot be fitted, and says why', async () => {
    const r = await run('fit', 'searle2015-exercise-chronic-lbp');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/has no study rows.*template/);
  });
  it('evsynth reproduce <name> --json', async () => {
    const r = JSON.parse((await run('reproduce', 'wang2012-core-stability', '--json')).out) as {
      counts: Record<string, number>;
    }[];
    expect(r[0]!.counts).toEqual({ reproduced: 0, differs: 0, consistent: 0, inconsistent: 1, 'not checkable': 4 });
  });
  it('evsynth reproduce --chapter: every statement of the chapter with its verdict', async () => {
    const r = await run('reproduce', '--chapter');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /\[k05\] Evidensbaseret grundlag for fysisk træning › Kroniske rygsmerter, paragraph 1: CONSISTENT/,
    );
    expect(r.out).toMatch(/52 statements: .* 0 inconsistent/);
  });
  it('npm start: reproduce everything, then the flagship subgroup table', async () => {
    const r = await run('start');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /per-study values \(effects, CIs, weights\): 494: 492 reproduced, 0 differs, 0 consistent, 0 inconsistent, 2 not checkable/,
    );
    expect(r.out).toMatch(/pooled results: 22: 2 reproduced, 0 differs/);
    expect(r.out).toMatch(/results the source left empty or filled with zeros: 2: .* 2 not checkable/);
    expect(r.out).toMatch(/Chapter 29 .*: the chapter at a glance: 52 statements/);
    expect(r.out).toMatch(/Strengthening\s+19/);
    expect(r.out).toMatch(/Test for subgroup differences/);
  });
});

describe('subgroups and meta-regression from the command line', () => {
  it('fit --by: per-level fits and both tests for subgroup differences, labelled', async () => {
    const r = await run('fit', 'knee-oa-exercise-pain', '--by', 'subgroup', '--method', 'DL', '--smd', 'revman');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/separate tau\^2 per subgroup \(RevMan\): Chi\^2 = 6\.29, df = 5/);
    expect(r.out).toMatch(/common tau\^2 \(metafor, mods = ~ factor\(subgroup\)\): QM\(df = 5\)/);
    expect(r.out).toMatch(/Stretching \(1 study\)/);
  });
  it('fit --by --json has subgroups, subgroupTest and moderatorTest', async () => {
    const j = JSON.parse(
      (await run('fit', 'knee-oa-exercise-pain', '--by', 'subgroup', '--method', 'DL', '--smd', 'revman', '--json'))
        .out,
    ) as {
      subgroups: { level: string; k: number; singleStudy: boolean }[];
      subgroupTest: { df: number };
      moderatorTest: { df: number[] };
    };
    expect(j.subgroups.map((s) => [s.level, s.k])).toEqual([
      ['Aerobic', 6],
      ['Balance/proprioceptive', 1],
      ['Mind-body', 7],
      ['Mixed', 18],
      ['Strengthening', 19],
      ['Stretching', 1],
    ]);
    expect(j.subgroups[1]!.singleStudy).toBe(true);
    expect(j.subgroupTest.df).toBe(5);
    expect(j.moderatorTest.df).toEqual([5, null]);
  });
  it('regress: metafor numbers for BCG ~ ablat + year (oracle metareg/bcg-RR-ablat-year-REML-z)', async () => {
    const j = JSON.parse(
      (await run('regress', data('bcg-mods.csv'), '--mods', 'ablat + year', '--predict', '10,1950', '--json')).out,
    ) as {
      coefficients: { name: string; estimate: number }[];
      QM: number;
      R2: number;
      predictions: { pred: number }[];
    };
    const e = oracle.find((c) => c.id === 'metareg/bcg-RR-ablat-year-REML-z')!.expected_precise!['fit'] as {
      beta: number[];
      QM: number;
      R2: number;
    };
    expect(j.coefficients.map((c) => c.name)).toEqual(['intrcpt', 'ablat', 'year']);
    j.coefficients.forEach((c, i) => expectClose(c.estimate, e.beta[i]!, 1e-7, 0, c.name)); // raw year is ill-conditioned (oracle README)
    expectClose(j.QM, e.QM, 1e-8, 0, 'QM');
    expectClose(j.R2, e.R2, 1e-8, 0, 'R2');
    expect(j.predictions).toHaveLength(1);
  });
  it('regress --mod repeated, knha, and a seeded permutation test that reproduces', async () => {
    const a = JSON.parse(
      (
        await run(
          'regress',
          data('bcg-mods.csv'),
          '--mod',
          'ablat',
          '--test',
          'knha',
          '--permutations',
          '100',
          '--seed',
          '7',
          '--json',
        )
      ).out,
    ) as { QMdf: number[]; permutation: { QMp: number; seed: number; exact: boolean } };
    const b = JSON.parse(
      (
        await run(
          'regress',
          data('bcg-mods.csv'),
          '--mod',
          'ablat',
          '--test',
          'knha',
          '--permutations',
          '100',
          '--seed',
          '7',
          '--json',
        )
      ).out,
    ) as { permutation: { QMp: number } };
    expect(a.QMdf).toEqual([1, 11]);
    expect(a.permutation).toMatchObject({ seed: 7, exact: false });
    expect(b.permutation.QMp).toBe(a.permutation.QMp);
  });
});

describe('bad moderator input', () => {
  const base = 'study,yi,vi,x,g\nA,0.1,0.02,1,a\nB,0.3,0.03,2,a\nC,0.5,0.02,3,b\nD,0.2,0.04,,b\nE,0.6,0.03,5,c\n';
  it('a moderator with a missing value: the study is excluded and reported', async () => {
    const j = JSON.parse(
      (await run('regress', csv('m1.csv', base), '--mods', 'x', '--method', 'DL', '--json')).out,
    ) as { k: number; excluded: { label: string; reason: string }[] };
    expect(j.k).toBe(4);
    expect(j.excluded).toEqual([{ label: 'D', row: 4, reason: "missing value in moderator 'x'" }]);
  });
  it('a non-numeric value in a continuous moderator', async () => {
    const r = await run('regress', csv('m2.csv', base.replace(',5,c', ',five,c')), '--mods', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/line 6, column 'x': 'five' is not a number; 'x' is a continuous moderator/);
  });
  it('more coefficients than studies', async () => {
    const r = await run('regress', csv('m3.csv', base), '--mods', 'x + factor(g)', '--method', 'DL');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/4 coefficients .* only 4 studies/);
  });
  it('collinear moderators', async () => {
    const r = await run(
      'regress',
      csv(
        'm4.csv',
        'study,yi,vi,x,z\nA,0.1,0.02,1,2\nB,0.3,0.03,2,4\nC,0.5,0.02,3,6\nD,0.2,0.04,4,8\nE,0.6,0.03,5,10\n',
      ),
      '--mods',
      'x + z',
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/collinear/);
  });
  it('a grouping column with one level', async () => {
    const r = await run('fit', csv('m5.csv', 'study,yi,vi,g\nA,0.1,0.02,a\nB,0.3,0.03,a\nC,0.5,0.02,a\n'), '--by', 'g');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/single level: no test for subgroup differences/);
  });
  it('an unknown moderator column', async () => {
    const r = await run('regress', csv('m6.csv', base), '--mods', 'dose');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/moderator column 'dose' does not exist/);
  });
});

describe('presets', () => {
  it('--preset revman5 gives RevMan SMD and DerSimonian-Laird: the per-study values RevMan printed', async () => {
    const j = JSON.parse(
      (await run('fit', 'lbp-antidepressants-pain-immediate', '--preset', 'revman5', '--json')).out,
    ) as { method: string };
    expect(j.method).toBe('DL');
    const e = JSON.parse((await run('effects', 'knee-oa-exercise-pain', '--preset', 'revman5', '--json')).out) as {
      studies: { yi: number }[];
    };
    expectClose(e.studies[0]!.yi, -0.279966, 0, 5e-7, 'Allen 2018 SMD as RevMan printed it');
  });
  it('an explicit --method wins over the preset', async () => {
    const j = JSON.parse(
      (await run('fit', 'lbp-antidepressants-pain-immediate', '--preset', 'revman5', '--method', 'REML', '--json')).out,
    ) as { method: string };
    expect(j.method).toBe('REML');
  });
  it('revman-web is refused with the reason', async () => {
    const r = await run('fit', data('bcg.csv'), '--measure', 'RR', '--preset', 'revman-web');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not available/);
  });
});

describe('sensitivity and bias commands', () => {
  it('bias on the BCG trials: metafor regtest, ranktest, trimfill and fsn numbers', async () => {
    const j = JSON.parse((await run('bias', data('bcg.csv'), '--measure', 'RR', '--json')).out) as {
      egger: { statistic: number };
      begg: { tau: number; exact: boolean };
      trimfill: { k0: number; side: string };
      failsafe: { fsn: number };
      warnings: string[];
    };
    const e = (id: string) => oracle.find((c) => c.id === id)!.expected as Record<string, number>;
    expectClose(j.egger.statistic, e('pubbias/bcg-RR-REML-regtest')['zval']!, 2e-4, 0, 'egger z');
    expectClose(j.begg.tau, e('pubbias/bcg-RR-ranktest')['tau']!, 1e-10, 0, 'begg tau');
    expect(j.trimfill).toMatchObject({ k0: 1, side: 'right' });
    expect(j.failsafe.fsn).toBe(e('pubbias/bcg-RR-fsn-rosenthal')['fsnum']);
  });
  it('warns about asymmetry tests with fewer than 10 studies', async () => {
    const r = await run('bias', 'lbp-antidepressants-pain-immediate', '--egger');
    expect(r.out).toMatch(/Warning: only 8 studies/);
  });
  it('sensitivity prints leave-one-out, cumulative, influence and Baujat by default', async () => {
    const r = await run('sensitivity', 'lbp-antidepressants-pain-short-term', '--preset', 'revman5');
    expect(r.code).toBe(0);
    for (const h of ['Leave-one-out', 'Cumulative meta-analysis', 'Influence diagnostics', 'Baujat coordinates'])
      expect(r.out).toContain(h);
  });
  it('sensitivity --gosh --json on k = 13 fits all 8191 subsets (in worker threads)', async () => {
    const j = JSON.parse((await run('sensitivity', data('bcg.csv'), '--measure', 'RR', '--gosh', '--json')).out) as {
      gosh: { subsets: number; exhaustive: boolean };
    };
    expect(j.gosh).toMatchObject({ subsets: 8191, exhaustive: true });
  });
  it('sensitivity --cumulative year orders by the column', async () => {
    const j = JSON.parse((await run('sensitivity', 'knee-oa-exercise-pain', '--cumulative', 'year', '--json')).out) as {
      cumulative: { order: string[] };
    };
    expect(j.cumulative.order[0]).toBe('Schilke 1996');
  });
});
