/**
 * multilevelTable, the pure entry of dependent-effects analyses (what the web explorer calls with a parsed CSV and
 * its provenance): the same analysis as `evsynth fit --random/--V/--robust`, from the package's browser-safe entry.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  forestFromMultilevel,
  forestSpec,
  multilevelTable,
  parseCsv,
  parseFixedValues,
  summarizeMultilevel,
  validateProvenance,
  type MultilevelRequest,
} from '../src/index.ts';
import { runCli } from './cli-run.ts';

const name = 'lbp-antidepressants-pain-short-term';
const dir = new URL(`../datasets/${name}/`, import.meta.url);
const table = parseCsv(readFileSync(new URL('data.csv', dir), 'utf8'), `${name}/data.csv`);
const provenance = validateProvenance(
  JSON.parse(readFileSync(new URL('provenance.json', dir), 'utf8')),
  `${name}/provenance.json`,
);
const context = {
  measure: provenance.measure,
  name,
  ...(provenance.sharedArms ? { sharedArms: provenance.sharedArms } : {}),
};

describe('multilevelTable (pure entry)', () => {
  it.each<[MultilevelRequest, string[]]>([
    [
      { V: 'shared', random: ['~ 1 | study/.row'], robust: { cluster: 'study', type: 'CR2' } },
      ['--V', 'shared', '--random', '~ 1 | study/.row', '--robust', 'study', '--vcov', 'CR2'],
    ],
    [
      { random: ['~ 1 | study/.row'], fixed: { sigma2: 'NA,0' }, test: 't', dfs: 'contain' },
      ['--random', '~ 1 | study/.row', '--sigma2', 'NA,0', '--test', 't', '--dfs', 'contain'],
    ],
    [{ V: 'split', method: 'DL' }, ['--V', 'split', '--method', 'DL']],
  ])('%j gives what the CLI gives', async (request, flags) => {
    const s = summarizeMultilevel(multilevelTable(table, request, context));
    const cli = await runCli('fit', name, ...flags, '--json');
    expect(cli.code, cli.err).toBe(0);
    expect(JSON.parse(JSON.stringify(s))).toEqual(JSON.parse(cli.out));
  });
  it("uses the dataset's declared shared arms for V: 'shared' and says when there are none", () => {
    const a = multilevelTable(table, { V: 'shared' }, context);
    expect(a.sharedArms.map((g) => g.id)).toEqual([
      'atkinson1999-placebo',
      'atkinson2007-placebo',
      'skljarevski2009a-placebo',
    ]);
    expect(() => multilevelTable(table, { V: 'shared' }, { measure: 'MD' })).toThrow(/needs a column/);
  });
  it('names the file and column in errors', () => {
    expect(() => multilevelTable(table, { random: ['~ 1 | trial'] }, context)).toThrow(
      /pain-short-term\/data\.csv, column 'trial'/,
    );
  });
  it('parses fixed components as metafor writes them', () => {
    expect(parseFixedValues('NA, 0,0.5', 'sigma2')).toEqual([null, 0, 0.5]);
    expect(() => parseFixedValues('NA,x', 'sigma2')).toThrow(/'x' is neither a number nor NA/);
  });
  it('draws the forest plot of the model: rows of a trial together, weights in the model, the pooled effect', async () => {
    const s = summarizeMultilevel(
      multilevelTable(table, { V: 'shared', random: ['~ 1 | study/.row'], profile: false }, context),
    );
    const study = table.rows.map((r) => r[table.header.indexOf('study')] as string);
    const input = forestFromMultilevel(s, { groupBy: study });
    // trials with several rows get a titled group; single rows stay together untitled
    expect(input.groups.filter((g) => g.title !== null).map((g) => g.title)).toEqual([
      'Atkinson 1999',
      'Atkinson 2007',
      'Skljarevski 2009a',
      'Gould 2020',
    ]);
    expect(input.groups.flatMap((g) => g.studies).map((x) => x.weight)).toEqual(
      expect.arrayContaining(s.studies.map((x) => x.weight)),
    );
    expect(input.overall?.est).toBe(s.coefficients[0]?.estimate);
    expect(input.overall?.piLo).toBe(s.predictions[0]?.piLower);
    expect(input.overall?.notes.join(' ')).toMatch(/sigma\^2\.2 \(study\/\.row\) = 2\.76; Q = 17\.68, df = 15/);
    const spec = JSON.stringify(forestSpec(input));
    expect(spec).toContain('Skljarevski 2009a');
  });
  it('has no pooled diamond for a meta-regression', () => {
    const s = summarizeMultilevel(
      multilevelTable(table, { random: ['~ 1 | study/.row'], mods: 'factor(subgroup)', profile: false }, context),
    );
    const input = forestFromMultilevel(s);
    expect(input.overall).toBeNull();
    expect(input.footer.join(' ')).toMatch(/no pooled effect is drawn for a meta-regression/);
  });
});
