/**
 * The command-line part of issue 14's catalogue: every case ends in seconds with an answer or a one-line
 * error and exit 2; the CSV reader's formats; output paths checked before work; labels sanitised; plots
 * capped in size.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeTable } from '../src/analysis/analyze.ts';
import { metaAnalysis } from '../src/analysis/meta-analysis.ts';
import { effectColumnsFromTable } from '../src/effects/from-table.ts';
import { RATIO_CSV_HEADER, STUDY_CSV_HEADER, studyCsvRows } from '../src/cli/options.ts';
import { toJson } from '../src/cli/json.ts';
import { analysisLabels, formatCsv, numericColumn, parseCsv, stringColumn, studyLabels } from '../src/io/csv.ts';
import { summarize } from '../src/report/summary.ts';
import { readCsv } from '../src/io/csv-file.ts';
import { fitRma } from '../src/models/rma.ts';
import { plotSpec } from '../src/plots/registry.ts';
import { specWarnings } from '../src/plots/spec-warnings.ts';
import { runCli } from './cli-run.ts';
import { loadCases } from './oracle.ts';
import { expectAllClose } from './support.ts';

const tmp = mkdtempSync(join(tmpdir(), 'evsynth-hardening-'));
const file = (name: string, text: string | Uint8Array) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const bcg = fileURLToPath(new URL('./data/bcg.csv', import.meta.url));
const oneLineError = (r: { code: number; err: string }, pattern: RegExp) => {
  expect(r.code).toBe(2);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(pattern);
  expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
};

describe('the CSV reader', () => {
  it('reads RFC 4180: quotes, "" escapes, line breaks in quotes, CRLF, a BOM, blank lines, spaces around fields', () => {
    const t = parseCsv('\uFEFFstudy , yi,vi\r\n\r\n"Smith, ""J""\nand co",0.1 , 0.01\r\nB,0.2,0.02\n\n', 'x.csv');
    expect(t.header).toEqual(['study', 'yi', 'vi']);
    expect(stringColumn(t, 'study')).toEqual(['Smith, "J"\nand co', 'B']);
    expect(Array.from(numericColumn(t, 'yi'))).toEqual([0.1, 0.2]);
    expect(Array.from(t.lines)).toEqual([3, 5]);
  });
  it.each([
    ['semicolons and decimal commas (a European spreadsheet export)', 'study;yi;vi\nA;0,1;0,01\nB;-0,25;0,02\n', {}],
    ['tabs', 'study\tyi\tvi\nA\t0.1\t0.01\nB\t-0.25\t0.02\n', {}],
    ['semicolons with decimal points', 'study;yi;vi\nA;0.1;0.01\nB;-0.25;0.02\n', {}],
    [
      'quoted decimal commas with --decimal ,',
      'study,yi,vi\nA,"0,1","0,01"\nB,"-0,25","0,02"\n',
      { decimal: ',' as const },
    ],
  ])('%s', (_name, text, options) => {
    const t = parseCsv(text, 'x.csv', options);
    expect(Array.from(numericColumn(t, 'yi'))).toEqual([0.1, -0.25]);
    expect(Array.from(numericColumn(t, 'vi'))).toEqual([0.01, 0.02]);
  });
  it('says what it found: a decimal comma, a semicolon header read with commas, a ragged row', () => {
    expect(() => numericColumn(parseCsv('study;yi;vi\nA;0,1;0.01\n', 'x.csv'), 'yi')).toThrowError(
      /'0,1' is not a number.*--decimal ,/,
    );
    expect(() => parseCsv('study;yi;vi\nA;0,1;0,01\n', 'x.csv', { delimiter: ',' })).toThrowError(
      /header is one column that contains ';'/,
    );
    expect(() => numericColumn(parseCsv('study;yi;vi\n', 'x.csv', { delimiter: ',' }), 'yi')).toThrowError(
      /no study rows/,
    );
    expect(() => stringColumn(parseCsv('study;yi;vi\nA;1;2\n', 'x.csv', { delimiter: ',' }), 'yi')).toThrowError(
      /no column 'yi'.*contains ';'.*--delimiter/,
    );
    expect(() => parseCsv('a,b\n"x,1\n', 'x.csv')).toThrowError(/quoted field opened on line 2 is never closed/);
    expect(() => numericColumn(parseCsv('yi,vi\n"1,234.5",1\n', 'x.csv'), 'yi')).toThrowError(/thousands separators/);
  });
  it('binary files and directories get a message that says so', () => {
    expect(() => readCsv(file('binary.csv', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0])))).toThrowError(
      /not a text CSV file: it contains binary data/,
    );
    expect(() => readCsv(tmp)).toThrowError(/is a directory, not a CSV file/);
    expect(() => readCsv(join(tmp, 'missing.csv'))).toThrowError(/cannot read .*: no such file/);
  });
  it('a file that is not UTF-8 is read as Windows-1252 with a note', () => {
    const t = readCsv(
      file('latin1.csv', new Uint8Array([...Buffer.from('study,yi,vi\nS'), 0xf8, ...Buffer.from('ren,0.1,0.01\n')])),
    );
    expect(studyLabels(t)).toEqual(['Søren']);
    expect(t.notes.join()).toMatch(/not valid UTF-8/);
  });
  it('removes bidirectional control characters where the data enter, with a note', () => {
    const t = parseCsv('study,yi,vi\n"ab\u202Eevil\u202C",0.1,0.01\n', 'x.csv');
    expect(studyLabels(t)).toEqual(['abevil']);
    expect(t.notes.join()).toMatch(/bidirectional control characters.*removed/);
  });
  it('labels of a table of 2·10⁵ rows for an analysis are made when read and read as the array of labels', () => {
    const n = 200_000;
    const text = `study,yi,vi\n${Array.from({ length: n }, (_, i) => `${i % 7 === 0 ? '' : `S${i}`},${(i % 13) / 10},0.0${(i % 9) + 1}`).join('\n')}\n`;
    const t = parseCsv(text, 'big.csv');
    const lazy = analysisLabels(t),
      plain = studyLabels(t);
    expect(lazy.length).toBe(n);
    expect(Array.isArray(lazy)).toBe(true);
    expect(lazy[0]).toBe('Study 1');
    expect(lazy[n - 1]).toBe(plain[n - 1]);
    expect(lazy[n]).toBeUndefined();
    expect(n - 1 in lazy && !(n in lazy)).toBe(true);
    expect(Array.from(lazy)).toEqual(plain);
    expect(lazy.map((l) => l.length)).toEqual(plain.map((l) => l.length));
    expect(lazy.slice(5, 9)).toEqual(plain.slice(5, 9));
    expect(JSON.stringify(lazy.slice(0, 20))).toBe(JSON.stringify(plain.slice(0, 20)));
    expect(() => {
      (lazy as string[])[3] = 'x';
    }).toThrow(TypeError);
    const a = analyzeTable(t, {}).result;
    const b = metaAnalysis(effectColumnsFromTable(t), plain, { measure: 'GEN' });
    expect(a.kind === 'single' && summarize(a.analysis)).toEqual(summarize(b));
  });
  it('reads 10⁵ rows into typed arrays, the same numbers Number() reads', () => {
    const n = 100_000;
    const ys = Array.from({ length: n }, (_, i) => ((i * 7919) % 10007) / 1000 - 5);
    const text = `study,yi,vi\n${ys.map((y, i) => `S${i},${y},0.0${(i % 9) + 1}`).join('\n')}\n`;
    const t = parseCsv(text, 'big.csv');
    expect(t.rowCount).toBe(n);
    const yi = numericColumn(t, 'yi');
    expect(yi).toBeInstanceOf(Float64Array);
    expect(Array.from(yi)).toEqual(ys.map((y) => Number(String(y))));
  });
});

describe('the command line on the catalogue', () => {
  it('fit of vi ≈ 1e300 answers (it hung)', async () => {
    const r = await runCli(
      'fit',
      file('huge-vi.csv', 'study,yi,vi\nA,0.1,1e300\nB,0.2,2e300\nC,0.3,1e300\n'),
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).estimate).toBeCloseTo(0.2, 12);
  });
  it('no finite answer: exit 2 with one line, not null fields under exit 0', async () => {
    const r = await runCli('fit', file('overflow.csv', 'study,yi,vi\nA,1e300,1e300\nB,-1e300,1e300\nC,1e300,1e300\n'));
    oneLineError(r, /no finite answer exists in double precision/);
  });
  it('bias with k = 2 runs what applies and says what it skipped and why', async () => {
    const r = await runCli('bias', file('k2.csv', 'study,yi,vi\nA,0.1,0.01\nB,0.3,0.02\n'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Rank correlation test/);
    expect(r.out).toMatch(/Fail-safe N/);
    expect(r.out).toMatch(/Regression test: not applicable \(needs k ≥ 3; the model has k = 2\)/);
    expect(r.out).toMatch(/Trim and fill: not applicable \(needs k ≥ 3/);
  });
  it('bias with k = 1 and nothing applicable among those asked: exit 2 with the reasons', async () => {
    const r = await runCli('bias', file('k1.csv', 'study,yi,vi\nA,0.1,0.01\n'), '--egger', '--trimfill');
    oneLineError(
      r,
      /no publication-bias test applies to this model: regression test \(needs k ≥ 3; the model has k = 1\); trim and fill/,
    );
  });
  it('sensitivity --mods: influence diagnostics and Baujat of the meta-regression; leave-one-out not applicable', async () => {
    const mods = fileURLToPath(new URL('./data/bcg-mods.csv', import.meta.url));
    const r = await runCli('sensitivity', mods, '--mods', 'ablat', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.influence.dfbetas).toHaveLength(2);
    expect(j.skipped.map((s: { test: string }) => s.test)).toEqual(['leave-one-out', 'cumulative']);
    expect(j.baujat.x).toHaveLength(13); // of the meta-regression, as metafor's baujat (tests/hardening.test.ts)
  });
  it('sensitivity --mods prints DFBETAS of every coefficient, named (it printed the intercept only, as "dfbetas")', async () => {
    const mods = fileURLToPath(new URL('./data/bcg-mods.csv', import.meta.url));
    const r = await runCli('sensitivity', mods, '--mods', 'ablat', '--influence');
    expect(r.code, r.err).toBe(0);
    const [, header, ...rows] = r.out.split('\n');
    expect(header?.trim().split(/\s+/).slice(-3)).toEqual(['dfbetas.intrcpt', 'dfbetas.ablat', 'inf']);
    const j = JSON.parse((await runCli('sensitivity', mods, '--mods', 'ablat', '--influence', '--json')).out);
    // each row's last two numbers are the JSON's DFBETAS (checked against metafor's dfbs in tests/hardening.test.ts)
    rows.slice(0, 13).forEach((row, i) => {
      const cells = row
        .replace(/\*\s*$/, '')
        .trim()
        .split(/\s+/)
        .slice(-2)
        .map(Number);
      expect(cells[0]).toBeCloseTo(j.influence.dfbetas[0][i], 4);
      expect(cells[1]).toBeCloseTo(j.influence.dfbetas[1][i], 4);
    });
  });
  it('options of dependent-effects models without --random, --V or --robust: an error, not ignored silently', async () => {
    // `fit --tau2 0.5` printed REML's τ² = 0.3132 as if τ² had been fixed
    const mods = fileURLToPath(new URL('./data/bcg-mods.csv', import.meta.url));
    for (const [args, pattern] of [
      [['fit', bcg, '--measure', 'RR', '--tau2', '0.5'], /^evsynth: error: --tau2 is for dependent-effects models/],
      [['regress', mods, '--mods', 'ablat', '--sigma2', '0', '--rho', '0.5'], /--sigma2, --rho are for/],
      [['plot', 'forest', bcg, '--measure', 'RR', '--struct', 'UN', '--out', join(tmp, 'x.svg')], /--struct is for/],
    ] as const)
      oneLineError(await runCli(...args), pattern);
  });
  it('plot baujat --mods draws the meta-regression (--mods was ignored: the plot was of the model without moderators)', async () => {
    const table = readCsv(fileURLToPath(new URL('./data/bcg-mods.csv', import.meta.url)));
    const spec = await plotSpec('baujat', { table, analysis: {}, mods: 'ablat' });
    const points = (spec.data as { values: { x: number; y: number }[] }).values;
    const e = loadCases('golden-hardening.json').find((c) => c.id === 'baujat-mods/bcg-ablat-REML')!.expected as {
      x: number[];
      y: number[];
    };
    // metafor's baujat at tight control; the plot fits at the default threshold
    expectAllClose(
      points.map((p) => p.x),
      e.x,
      1e-6,
      1e-12,
      'x',
    );
    expectAllClose(
      points.map((p) => p.y),
      e.y,
      1e-6,
      1e-12,
      'y',
    );
    // the other plots have no moderators: --mods is an error, not ignored
    oneLineError(
      await runCli('plot', 'funnel', bcg, '--measure', 'RR', '--mods', 'x', '--out', join(tmp, 'f.svg')),
      /--mods is for the bubble and Baujat plots .*a funnel plot would ignore it/,
    );
  });
  it('bias --mods: the regression test on the meta-regression', async () => {
    const mods = fileURLToPath(new URL('./data/bcg-mods.csv', import.meta.url));
    const r = await runCli('bias', mods, '--mods', 'ablat', '--egger', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).egger.statistic).toBeCloseTo(-0.599, 3); // metafor regtest: z = -0.5990
  });
  it.each([
    ['/proc/forbidden.png', /cannot write there/],
    [join(tmp, 'no', 'such', 'dir', 'x.png'), /does not exist \(create it first\)/],
    [tmp, /expected a \.svg or \.png file name/],
  ])('--out %s: one line, exit 2, nothing created', async (out, pattern) => {
    const r = await runCli('plot', 'forest', bcg, '--measure', 'RR', '--out', out);
    oneLineError(r, pattern);
    expect(existsSync(join(tmp, 'no'))).toBe(false);
  });
  it('sof, report and update check --out before any work too (they created directories silently)', async () => {
    const spec = fileURLToPath(new URL('../examples/exercise-chronic-lbp.grade.json', import.meta.url));
    const missing = join(tmp, 'none', 'x');
    for (const args of [
      ['sof', spec, '--format', 'md', '--out', `${missing}.md`],
      ['report', spec, '--out', `${missing}.html`],
      ['update', 'lbp-antidepressants-pain-immediate', bcg, '--out', `${missing}.csv`],
    ])
      oneLineError(await runCli(...args), /does not exist \(create it first\)/);
    expect(existsSync(join(tmp, 'none'))).toBe(false);
  });
  it('--out naming the input file is refused (export r data.csv --out data.csv replaced the data silently)', async () => {
    const data = file('own.csv', 'study,yi,vi\nA,0.1,0.01\nB,0.3,0.02\nC,0.2,0.015\n');
    const before = readFileSync(data, 'utf8');
    for (const args of [
      ['export', 'r', data, '--out', data],
      ['export', 'revman-csv', data, '--out', data],
    ])
      oneLineError(await runCli(...args), /is the input file .* would replace it/);
    expect(readFileSync(data, 'utf8')).toBe(before);
  });
  it('export checks --out before any work (a raw ENOENT/EISDIR with a stack trace and exit 1 before)', async () => {
    for (const [args, pattern] of [
      [['export', 'r', bcg, '--measure', 'RR', '--out', '/proc/x.R'], /cannot write there/],
      [['export', 'xlsx', bcg, '--out', join(tmp, 'none', 'x.xlsx')], /does not exist \(create it first\)/],
      [['export', 'revman-csv', bcg, '--measure', 'RR', '--out', tmp], /is a directory/],
    ] as const)
      oneLineError(await runCli(...args), pattern);
    expect(existsSync(join(tmp, 'none'))).toBe(false);
  });
  it('start and import check their output folder before any work (under /proc they never returned)', async () => {
    // Node's mkdirSync(…, { recursive: true }) retries for ever on a path the system refuses
    const rm5 = fileURLToPath(new URL('./fixtures/revman/Fleiss1993.rm5', import.meta.url));
    for (const [args, pattern] of [
      [['start', '--out', '/proc/evsynth-out'], /--out '\/proc\/evsynth-out': cannot create the directory there/],
      [['start', '--out', join(tmp, 'none', 'out')], /does not exist \(create it first\)/],
      [['import', rm5, '--out', '/proc/x/fleiss'], /--out's folder '\/proc\/x': cannot create the directory there/],
      [['import', rm5, '--out', '/proc/fleiss'], /--out's folder '\/proc': cannot write there/],
      [['import', rm5, '--out', join(tmp, 'none', 'a', 'fleiss')], /does not exist \(create it first\)/],
    ] as const)
      oneLineError(await runCli(...args), pattern);
    expect(existsSync(join(tmp, 'none'))).toBe(false);
    // one level is made, as `mkdir` without -p: the folder named by --out, or the datasets folder
    const r = await runCli('import', rm5, '--out', join(tmp, 'imported', 'fleiss'));
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(tmp, 'imported', 'fleiss-1.1', 'data.csv'))).toBe(true);
  }, 30_000);
  it('labels with a right-to-left override are drawn as stored', async () => {
    const out = join(tmp, 'bidi.svg');
    const r = await runCli(
      'plot',
      'forest',
      file('bidi.csv', 'study,yi,vi\n"ab\u202Eevil",0.1,0.01\nB,0.2,0.02\n'),
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toContain('abevil');
    expect(svg).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });
  it('labels with control characters (BEL, ESC, U+0001): removed where the data enter, the PNG drawn (it crashed)', async () => {
    // found by an adversarial check: resvg refused the SVG ("non-XML character"), exit 1 with a stack trace,
    // and the SVG written was not valid XML; ESC reached the terminal in the text printout
    const csv = file('ctl.csv', 'study,yi,vi\nA\u0001\u0007,0.1,0.01\nB\u001b[31m,0.3,0.02\nC,0.2,0.015\n');
    const png = await runCli('plot', 'forest', csv, '--out', join(tmp, 'ctl.png'));
    expect(png.code).toBe(0);
    const out = join(tmp, 'ctl.svg');
    expect((await runCli('plot', 'forest', csv, '--out', out)).code).toBe(0);
    // eslint-disable-next-line no-control-regex -- the characters that must not be there
    expect(readFileSync(out, 'utf8')).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/);
    const fit = await runCli('fit', csv);
    expect(fit.code).toBe(0);
    expect(fit.out).not.toContain('\u001b');
    expect(fit.err).toMatch(/other control characters .* removed/);
  });
  it('CJK labels in a PNG: a warning names the characters the font lacks', async () => {
    const r = await runCli(
      'plot',
      'forest',
      file('cjk.csv', 'study,yi,vi\n研究,0.1,0.01\nB,0.2,0.02\n'),
      '--out',
      join(tmp, 'cjk.png'),
    );
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/no glyphs for 2 characters \(研 U\+7814, 究 U\+7A76\)/);
  });
  it('a 100,000-character label: the PNG stays small (the label is shortened with an ellipsis)', async () => {
    const out = join(tmp, 'long.svg');
    const r = await runCli(
      'plot',
      'forest',
      file('long.csv', `study,yi,vi\n${'X'.repeat(100_000)},0.1,0.01\nB,0.2,0.02\n`),
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(Number(/width="(\d+)"/.exec(svg)![1])).toBeLessThan(2000);
    expect(svg).toContain(`${'X'.repeat(59)}…`);
  });
  it('a forest plot of 2,000 studies draws 200, says so on the plot and on stderr; --max-studies draws more', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `S${i},${((i % 17) - 8) / 20},0.0${(i % 9) + 1}`).join('\n');
    const csv = file('k2000.csv', `study,yi,vi\n${rows}\n`);
    const out = join(tmp, 'k2000.svg');
    const r = await runCli('plot', 'forest', csv, '--out', out);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/1,800 more studies not drawn/);
    expect(r.err).toMatch(/warning: the forest plot draws 200 of 2,000 studies \(1,800 not drawn.*--max-studies/);
    const more = await runCli('plot', 'forest', csv, '--max-studies', '500', '--out', out);
    expect(more.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/1,500 more studies not drawn/);
    expect(more.err).toMatch(/draws 500 of 2,000 studies/);
    const zero = await runCli('plot', 'forest', csv, '--max-studies', '0');
    expect(zero.code).toBe(2);
    expect(zero.err).toMatch(/--max-studies must be a whole number from 1/);
  });
  it('fit lists 200 studies in its text printout and counts the others (10⁶ rows printed a million lines, or overflowed the stack)', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `S${i},${((i % 17) - 8) / 20},0.0${(i % 9) + 1}`).join('\n');
    const csv = file('k2000-fit.csv', `study,yi,vi\n${rows}\n`);
    const r = await runCli('fit', csv);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Studies \(2,000\):$/m);
    expect(r.out).toMatch(/^S199 /m);
    expect(r.out).not.toMatch(/^S200 /m);
    expect(r.out).toMatch(
      /… 1,800 more studies not listed \(the table lists the first 200 of 2,000; the pooled results are of all 2,000;/,
    );
    const all = await runCli('fit', csv, '--max-studies', '2000');
    expect(all.out).toMatch(/^S1999 /m);
    expect(all.out).not.toMatch(/not listed/);
    expect(all.out.split('\n').length - r.out.split('\n').length).toBe(1800 - 1);
    const none = await runCli('fit', csv, '--no-studies');
    expect(none.out).not.toMatch(/^Studies|not listed/m);
    const csvOut = await runCli('fit', csv, '--format', 'csv');
    expect(csvOut.out.trim().split('\n')).toHaveLength(2001);
  });
  it('fit --format csv and --json write the per-study rows in chunks: the same text as the whole summary at once', async () => {
    const rows = Array.from(
      { length: 25_001 },
      (_, i) => `S${i},${i === 7 ? 'NA' : ((i % 17) - 8) / 20},0.0${(i % 9) + 1}`,
    ).join('\n');
    const csv = file('k25001.csv', `study,yi,vi\n${rows}\n`);
    for (const [path, request] of [
      [csv, {}],
      [bcg, { measure: 'RR' }],
    ] as const) {
      const r = analyzeTable(readCsv(path), request).result;
      if (r.kind !== 'single') throw new Error('one analysis expected');
      const s = summarize(r.analysis);
      const ratio = s.exponentiated !== null;
      const extra = 'measure' in request ? ['--measure', request.measure] : [];
      const c = await runCli('fit', path, '--format', 'csv', ...extra);
      expect(c.out).toBe(
        formatCsv([...STUDY_CSV_HEADER, ...(ratio ? RATIO_CSV_HEADER : [])], studyCsvRows(s.studies, ratio)),
      );
      const j = await runCli('fit', path, '--json', ...extra);
      expect(j.out).toBe(toJson(s) + '\n');
    }
  });
  it('a forest plot that does not draw every study pools them all (the diamond is the fit of all 2,000)', async () => {
    const k = 2000;
    const yi = Array.from({ length: k }, (_, i) => ((i % 17) - 8) / 20 + (i < 1000 ? 0 : 0.3)),
      vi = Array.from({ length: k }, (_, i) => 0.01 * ((i % 9) + 1));
    const table = parseCsv(`study,yi,vi\n${yi.map((y, i) => `S${i},${y},${vi[i]}`).join('\n')}\n`, 'k.csv');
    const spec = await plotSpec('forest', { table, analysis: {} });
    const values = (spec.data as { values: { kind: string; est: number | null }[] }).values;
    expect(values.filter((v) => v.kind === 'study')).toHaveLength(200);
    const diamond = values.find((v) => v.kind === 'summary')!;
    expect(diamond.est).toBeCloseTo(fitRma(yi, vi).coefficients[0]!.estimate, 12);
    expect(specWarnings(spec).join()).toMatch(/draws 200 of 2,000 studies/);
    expect(specWarnings(await plotSpec('forest', { table, analysis: {}, maxStudies: 2000 }))).toEqual([]);
  });
  it("'-' reads the CSV from standard input", () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'fit', '-', '--json'], {
      input: 'study;yi;vi\nA;0,1;0,01\nB;0,3;0,02\nC;-0,1;0,015\n',
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).k).toBe(3);
    expect(run.stderr).toMatch(/<stdin>: read as ';'-delimited/);
  });
});
