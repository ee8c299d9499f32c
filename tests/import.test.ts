/**
 * `evsynth import` on the three RevMan / Cochrane format samples (tests/fixtures/revman/, Fleiss 1993), the
 * reproduction of RevMan's printed pooled results, and the one-line errors with nothing written on failure.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { reproduceDataset, type ClaimCheck } from '../src/analysis/reproduce.ts';
import { loadDataset } from '../src/evidence/datasets.ts';
import { readReview, reviewDatasets, writeDatasets } from '../src/evidence/import/files.ts';
import { FLEISS_IMPORTS } from '../scripts/datasets/import-fleiss.ts';
import { runCli } from './cli-run.ts';

const fixture = (f: string) => fileURLToPath(new URL(`./fixtures/revman/${f}`, import.meta.url));
const SAMPLES = { package: 'Fleiss1993.zip', rm5: 'Fleiss1993.rm5', csv: 'Fleiss1993_CR.csv' } as const;

function importAll(file: string): { root: string; names: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'evsynth-import-'));
  const review = readReview(fixture(file));
  const datasets = reviewDatasets(review);
  writeDatasets(datasets, root);
  return { root, names: datasets.map((d) => d.name) };
}

const byClaim = (checks: readonly ClaimCheck[], id: string) => checks.find((c) => c.claim === id) as ClaimCheck;

describe('the aspirin analysis (MH odds ratio, fixed effect) from each format', () => {
  for (const [format, file] of Object.entries(SAMPLES)) {
    it(`${format}: pooled OR 0.897 [0.841, 0.957], χ² 9.95, I² 39.7% and every per-study value reproduced`, () => {
      const { root, names } = importAll(file);
      expect(names).toHaveLength(2);
      const ds = loadDataset(names[0] as string, root);
      expect(ds.provenance.measure).toBe('OR');
      expect(ds.provenance.model).toMatchObject({ method: 'MH', preset: 'revman5', test: 'z' });
      const r = reproduceDataset(ds);
      const overall = byClaim(r.checks, 'overall');
      expect(overall.kind).toBe('pooled');
      expect(overall.verdict, overall.detail).toBe('reproduced');
      expect(overall.basis).toBe('rows');
      expect(overall.recomputed as number).toBeCloseTo(0.897, 3);
      expect(overall.detail).toMatch(/CI lower 0\.8405\d* vs 0\.8405/);
      expect(overall.detail).toMatch(/CI upper 0\.9569\d* vs 0\.9569/);
      expect(overall.detail).toMatch(/Chi² 9\.946\d* vs 9\.946/);
      expect(overall.detail).toMatch(/I² 39\.67\d* vs 39\.67/);
      expect(overall.detail).toMatch(/df 6 vs 6/);
      const perStudy = r.checks.filter((c) => c.kind.startsWith('study-'));
      expect(perStudy).toHaveLength(21);
      expect(perStudy.every((c) => c.verdict === 'reproduced')).toBe(true);
    });
  }

  it('keeps study ids, years and the original risk-of-bias item (not relabelled as RoB 2)', () => {
    const { root, names } = importAll(SAMPLES.rm5);
    const ds = loadDataset(names[0] as string, root);
    const t = ds.table;
    expect(t?.header).toEqual([
      'study',
      'study_id',
      'year',
      'ai',
      'n1i',
      'ci',
      'n2i',
      'revman_effect',
      'revman_ci_lb',
      'revman_ci_ub',
      'revman_weight',
      'rob1_allocation_concealment',
    ]);
    expect(t?.rows[6]?.slice(0, 3)).toEqual(['ISIS-2', 'STD-ISIS_x002d_2', '1988']);
    expect(t?.rows.every((r) => r[11] === 'unclear')).toBe(true); // RevMan 5: RESULT="UNKNOWN"
    expect(t?.header.some((h) => /^rob_d\d|^rob_overall$/.test(h))).toBe(false);
    // the package prints the same item as "Not applicable"
    const pkg = importAll(SAMPLES.package);
    const tp = loadDataset(pkg.names[0] as string, pkg.root).table;
    expect(tp?.rows.every((r) => r[tp.header.indexOf('rob1_allocation_concealment')] === 'not applicable')).toBe(true);
  });
});

describe('the continuous analysis: missing results reported as missing, CSV results reproduced', () => {
  it('.rm5: RevMan printed nothing (SMD): not checkable, said so, with evsynth’s value for the reader', () => {
    const { root, names } = importAll(SAMPLES.rm5);
    const ds = loadDataset(names[1] as string, root);
    expect(ds.provenance.measure).toBe('SMD');
    expect(ds.provenance.model).toMatchObject({ method: 'EE', smd: 'revman', preset: 'revman5' });
    const r = reproduceDataset(ds);
    expect(r.checks.map((c) => [c.claim, c.kind, c.verdict])).toEqual([
      ['overall', 'not-printed', 'not checkable'],
      ['study-results', 'not-printed', 'not checkable'],
    ]);
    expect(byClaim(r.checks, 'overall').detail).toMatch(/^missing: RevMan printed nothing for the pooled/);
    expect(r.counts.differs).toBe(0);
  });
  it('data package: RevMan Web wrote zeros where it computed nothing: not checkable, never "differs"', () => {
    const { root, names } = importAll(SAMPLES.package);
    const r = reproduceDataset(loadDataset(names[1] as string, root));
    expect(byClaim(r.checks, 'overall').detail).toMatch(/RevMan printed zeros where it computed nothing/);
    expect(r.checks.every((c) => c.verdict === 'not checkable')).toBe(true);
  });
  it("RevMan 5 CSV: MD −0.709 [−1.258, −0.160], Q 5.66, I² 29.3% reproduced to RevMan's 8 decimals", () => {
    const { root, names } = importAll(SAMPLES.csv);
    const ds = loadDataset(names[1] as string, root);
    expect(ds.provenance.measure).toBe('MD');
    const r = reproduceDataset(ds);
    const overall = byClaim(r.checks, 'overall');
    expect(overall.verdict, overall.detail).toBe('reproduced');
    expect(overall.detail).toMatch(/estimate -0\.70938839 vs -0\.7093883888/);
    expect(overall.detail).toMatch(/Chi² 5\.66012379 vs 5\.66012379/);
    expect(overall.detail).toMatch(/I² 29\.33016758 vs 29\.33016758/);
    expect(r.counts.reproduced).toBe(16);
  });
});

describe('bundled Fleiss datasets', () => {
  it('equal a fresh import of the samples (scripts/datasets/import-fleiss.ts)', () => {
    const root = fileURLToPath(new URL('../datasets/', import.meta.url));
    for (const d of FLEISS_IMPORTS) {
      const [fresh] = reviewDatasets(readReview(fileURLToPath(new URL(`../${d.file}`, import.meta.url))), {
        out: `datasets/${d.name}`,
        analyses: [d.analysis],
        source: { ...d.source, file: d.file },
      });
      expect(fresh?.name).toBe(d.name);
      expect(readFileSync(join(root, d.name, 'data.csv'), 'utf8')).toBe(fresh?.csv);
      const committed = JSON.parse(readFileSync(join(root, d.name, 'provenance.json'), 'utf8')) as unknown;
      expect(committed).toEqual(JSON.parse(JSON.stringify(fresh?.provenance)));
    }
  });
});

describe('evsynth import on the command line', () => {
  it('lists, writes, refuses to overwrite, and reproduce reads the folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'evsynth-import-cli-'));
    const list = await runCli('import', fixture(SAMPLES.package), '--list', '--out', join(root, 'fl'));
    expect(list.code).toBe(0);
    expect(list.out).toMatch(
      /1\.1 {2}Aspirin .*dichotomous, Odds Ratio, MH, fixed effect, 7 study rows, pooled result printed/,
    );
    expect(list.out).toMatch(/1\.2 .*pooled result zeros/);
    expect(readdirSync(root)).toEqual([]);
    const w = await runCli('import', fixture(SAMPLES.rm5), '--out', join(root, 'fl'), '--analysis', '1.1');
    expect(w.code, w.err).toBe(0);
    expect(existsSync(join(root, 'fl', 'provenance.json'))).toBe(true);
    const again = await runCli('import', fixture(SAMPLES.rm5), '--out', join(root, 'fl'), '--analysis', '1.1');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/fl exists; expected a new dataset folder \(use --force to replace it\)\n$/);
    const rep = await runCli('reproduce', join(root, 'fl'));
    expect(rep.code).toBe(0);
    expect(rep.out).toMatch(/pooled results: 1: 1 reproduced/);
    const fit = await runCli('fit', join(root, 'fl'), '--preset', 'revman5', '--method', 'MH');
    expect(fit.out).toMatch(/0\.8969\s+0\.8405\s+0\.9570/);
  });

  const errors: [string, () => string, RegExp][] = [
    [
      'a zip without the package files',
      () => {
        const p = join(mkdtempSync(join(tmpdir(), 'evsynth-bad-')), 'x.zip');
        writeFileSync(p, zipSync({ 'a/readme.csv': strToU8('a,b\n1,2\n') }));
        return p;
      },
      /x\.zip: no …-data-rows\.csv and …-overall-estimates-and-settings\.csv inside; expected a Cochrane data package \(found readme\.csv\)\n$/,
    ],
    [
      'an .rm5 that is not RevMan XML',
      () => {
        const p = join(mkdtempSync(join(tmpdir(), 'evsynth-bad-')), 'x.rm5');
        writeFileSync(p, '<?xml version="1.0"?>\n<html><body/></html>\n');
        return p;
      },
      /x\.rm5: the XML root is not COCHRANE_REVIEW \(found html\); expected a RevMan 5 review file \(\.rm5\)\n$/,
    ],
    [
      'an .rm5 that is not well-formed',
      () => {
        const p = join(mkdtempSync(join(tmpdir(), 'evsynth-bad-')), 'y.rm5');
        writeFileSync(p, '<?xml version="1.0"?>\n<COCHRANE_REVIEW><A></COCHRANE_REVIEW>\n');
        return p;
      },
      /y\.rm5: not well-formed XML \(line 2: .*\); expected a RevMan 5 review file \(\.rm5\)\n$/,
    ],
    [
      'a RevMan CSV with a cell that is not a number',
      () => {
        const p = join(mkdtempSync(join(tmpdir(), 'evsynth-bad-')), 'z.csv');
        writeFileSync(p, readFileSync(fixture(SAMPLES.csv), 'utf8').replace(',49,0,0,615,', ',4x9,0,0,615,'));
        return p;
      },
      /z\.csv, line 4, column 'Events 1': '4x9' is not a number\n$/,
    ],
  ];
  for (const [what, make, message] of errors)
    it(`${what}: one line naming the file, exit 2, nothing written`, async () => {
      const file = make();
      const out = mkdtempSync(join(tmpdir(), 'evsynth-out-'));
      const r = await runCli('import', file, '--out', join(out, 'd'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(readdirSync(out)).toEqual([]);
    });

  it('a dataset that fails validation is not written, and no temporary folder is left', () => {
    const review = readReview(fixture(SAMPLES.package));
    const [good, bad] = reviewDatasets(review);
    const broken = { ...(bad as NonNullable<typeof bad>), csv: 'study,year\nA,1\n' };
    const root = mkdtempSync(join(tmpdir(), 'evsynth-atomic-'));
    expect(() => writeDatasets([good as NonNullable<typeof good>, broken], root)).toThrow(
      /the imported dataset would not be valid: measure SMD needs columns/,
    );
    expect(readdirSync(root)).toEqual([]);
  });
});
