/**
 * multilevelTable, the pure entry of dependent-effects analyses (what the web explorer calls with a parsed CSV and
 * its provenance): the same analysis as `evsynth fit --random/--V/--robust`, from the package's browser-safe entry.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
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
});
