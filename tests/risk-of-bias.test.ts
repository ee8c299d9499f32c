/**
 * Risk-of-bias columns (RoB 2, ROBINS-I): reading, normalising, validation errors with file/line/column,
 * the low-risk subset, the summary shares, the plots (valid vega-lite, rendered), and study keys.
 * The judgements in tests/data/rob2-synthetic.csv are synthetic (see tests/data/README.md).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { isLowRisk, lowRiskRows, readRiskOfBias, robSummary } from '../src/evidence/risk-of-bias.ts';
import { studyKeys } from '../src/evidence/study-id.ts';
import { parseCsv, studyLabels } from '../src/io/csv.ts';
import { readCsv } from '../src/io/csv-file.ts';
import { loadDataset } from '../src/evidence/datasets.ts';
import { plotSpec } from '../src/plots/registry.ts';
import { renderSvg } from '../src/plots/render.ts';
import { runCli } from './cli-run.ts';

const data = (f: string) => fileURLToPath(new URL(`./data/${f}`, import.meta.url));
const synthetic = readCsv(data('rob2-synthetic.csv'));
const require = createRequire(import.meta.url);
const vlRoot = require.resolve('vega-lite').replace(/build[/].*$/, '');
const validate = new Ajv({ strict: false, logger: false }).compile(
  JSON.parse(readFileSync(`${vlRoot}build/vega-lite-schema.json`, 'utf8')) as object,
);

const ROB_HEADER = 'study,yi,vi,rob_d1,rob_d2,rob_d3,rob_d4,rob_d5,rob_overall';

describe('reading RoB 2 and ROBINS-I columns', () => {
  it('reads, normalises case and blanks, and keeps empty cells as not assessed', () => {
    const rob = readRiskOfBias(synthetic)!;
    expect(rob.tool).toBe('RoB 2');
    expect(rob.columns.map((c) => c.label)).toEqual(['D1', 'D2', 'D3', 'D4', 'D5', 'Overall']);
    expect(rob.judgements[1]).toEqual(['low', 'some concerns', 'low', 'low', 'low', 'some concerns']);
    expect(rob.judgements[7]).toEqual([null, null, null, null, null, null]);
    expect(rob.warnings).toEqual([]);
    expect([0, 1, 2, 7].map((i) => isLowRisk(rob, i))).toEqual([true, false, false, null]);
  });

  it('is null for a table without RoB columns', () => {
    expect(readRiskOfBias(readCsv(data('bcg.csv')))).toBeNull();
  });

  it('reads ROBINS-I with its five levels', () => {
    const t = parseCsv(
      'study,yi,vi,robins_d1,robins_d2,robins_d3,robins_d4,robins_d5,robins_d6,robins_d7,robins_overall\n' +
        'A,0.1,0.1,Serious,low,low,moderate,No Information,low,low,serious\n',
      'nrsi.csv',
    );
    const rob = readRiskOfBias(t)!;
    expect(rob.tool).toBe('ROBINS-I');
    expect(rob.judgements[0]).toEqual(['serious', 'low', 'low', 'moderate', 'no information', 'low', 'low', 'serious']);
  });

  it('rejects a value that is not a judgement, naming file, line and column and what was expected', () => {
    const t = parseCsv(
      `${ROB_HEADER}\nA,0.1,0.1,low,low,low,low,low,low\nB,0.2,0.1,low,unclear,low,low,low,high\n`,
      'r.csv',
    );
    expect(() => readRiskOfBias(t)).toThrow(
      "r.csv, line 3, column 'rob_d2': 'unclear' is not a RoB 2 judgement; expected low, some concerns or high (any case), or an empty cell/NA when not assessed",
    );
  });

  it('rejects unknown, missing and mixed columns', () => {
    expect(() =>
      readRiskOfBias(parseCsv(`${ROB_HEADER},rob_d6\nA,0.1,0.1,low,low,low,low,low,low,low\n`, 'x.csv')),
    ).toThrow(
      "x.csv, column 'rob_d6': 'rob_d6' is not a RoB 2 column; expected rob_d1, rob_d2, rob_d3, rob_d4, rob_d5, rob_overall",
    );
    expect(() => readRiskOfBias(parseCsv('study,yi,vi,rob_d1,rob_overall\nA,0.1,0.1,low,low\n', 'x.csv'))).toThrow(
      'missing rob_d2, rob_d3, rob_d4, rob_d5',
    );
    expect(() =>
      readRiskOfBias(parseCsv(`${ROB_HEADER},robins_d1\nA,0.1,0.1,low,low,low,low,low,low,low\n`, 'x.csv')),
    ).toThrow('both RoB 2');
  });

  it('warns when the overall judgement is less severe than a domain', () => {
    const rob = readRiskOfBias(parseCsv(`${ROB_HEADER}\nA,0.1,0.1,high,low,low,low,low,low\n`, 'w.csv'))!;
    expect(rob.warnings).toEqual([
      "w.csv, line 2: overall judgement 'low' is less severe than a domain judged 'high' (RoB 2: the overall judgement is at least as severe as the worst domain)",
    ]);
  });
});

describe('low-risk subset and summary shares', () => {
  const rob = readRiskOfBias(synthetic)!;
  it('keeps the low-risk rows and gives every other row its reason', () => {
    const { kept, left } = lowRiskRows(rob, studyLabels(synthetic));
    expect(kept).toEqual([0, 3, 6]);
    expect(left.map((l) => l.reason)).toEqual([
      "overall risk of bias 'some concerns'",
      "overall risk of bias 'high'",
      "overall risk of bias 'high'",
      "overall risk of bias 'some concerns'",
      'overall risk of bias not assessed',
    ]);
  });

  it('counts studies per level (D1: 5 low, 1 some concerns, 1 high, 1 not assessed of 8)', () => {
    const d1 = robSummary(rob)[0]!;
    expect(Object.fromEntries(d1.shares.map((s) => [s.level, s.percent]))).toEqual({
      low: 62.5,
      'some concerns': 12.5,
      high: 12.5,
      'not assessed': 12.5,
    });
  });

  it('weights the shares (here weights 1 … 8: overall low = (1 + 4 + 7)/36)', () => {
    const overall = robSummary(rob, [1, 2, 3, 4, 5, 6, 7, 8]).at(-1)!;
    expect(overall.shares.find((s) => s.level === 'low')!.percent).toBeCloseTo((100 * 12) / 36, 12);
    expect(overall.shares.reduce((s, x) => s + x.percent, 0)).toBeCloseTo(100, 12);
  });
});

describe('risk-of-bias plots from the registry', () => {
  for (const kind of ['rob-traffic-light', 'rob-summary', 'forest'] as const) {
    it(`${kind}: a valid vega-lite spec that renders`, async () => {
      const spec = await plotSpec(kind, { table: synthetic, analysis: {} });
      expect(validate(spec), JSON.stringify(validate.errors?.slice(0, 2))).toBe(true);
      const svg = await renderSvg(spec);
      expect(svg).toContain('<svg');
      if (kind === 'forest') expect(svg).toContain('Risk of bias (RoB 2)');
      if (kind === 'rob-traffic-light') expect(svg).toContain('Synthetic 8');
    });
  }

  it('a RoB plot of a table without judgements says which columns it needs', async () => {
    await expect(plotSpec('rob-traffic-light', { table: readCsv(data('bcg.csv')), analysis: {} })).rejects.toThrow(
      'needs risk-of-bias columns (RoB 2: rob_d1, rob_d2, rob_d3, rob_d4, rob_d5, rob_overall; or ROBINS-I',
    );
  });
});

describe('study keys', () => {
  it('uses study_id where present (the antidepressant datasets tell Skljarevski 2009a ×3 apart)', () => {
    const t = loadDataset('lbp-antidepressants-pain-short-term').table!;
    const k = studyKeys(t);
    expect(k.basis).toBe('study_id');
    expect(k.keys.filter((x) => x.startsWith('skljarevski2009a'))).toEqual([
      'skljarevski2009a-dlx20',
      'skljarevski2009a-dlx60',
      'skljarevski2009a-dlx120',
    ]);
  });

  it('falls back to label + subgroup + footnote + occurrence, never the label alone', () => {
    const t = parseCsv(
      'study,subgroup,footnote,yi,vi\nA,x,,1,1\nA,y,,1,1\nB,x,arm 1,1,1\nB,x,arm 2,1,1\nC,x,,1,1\nC,x,,2,1\n',
      'f.csv',
    );
    expect(studyKeys(t).keys).toEqual([
      'A | subgroup=x',
      'A | subgroup=y',
      'B | subgroup=x | footnote=arm 1',
      'B | subgroup=x | footnote=arm 2',
      'C | subgroup=x',
      'C | subgroup=x #2',
    ]);
  });

  it('rejects duplicate and empty study ids with their lines', () => {
    expect(() => studyKeys(parseCsv('study_id,study,yi,vi\na,A,1,1\na,B,1,1\n', 'd.csv'))).toThrow(
      "d.csv, line 3, column 'study_id': study_id 'a' is also on line 2; expected unique ids",
    );
    expect(() => studyKeys(parseCsv('study_id,study,yi,vi\n,A,1,1\n', 'd.csv'))).toThrow('empty study_id');
  });
});

describe('--low-risk-only on the command line', () => {
  it('fits only the low-risk studies and lists the others with their judgement', async () => {
    const { code, out, err } = await runCli('fit', data('rob2-synthetic.csv'), '--low-risk-only', '--json');
    expect(code).toBe(0);
    const j = JSON.parse(out) as { k: number; studies: { label: string }[] };
    expect(j.k).toBe(3);
    expect(j.studies.map((s) => s.label)).toEqual(['Synthetic 1', 'Synthetic 4', 'Synthetic 7']);
    expect(err).toContain(
      "3 of 8 studies at low overall risk of bias (RoB 2); left out: Synthetic 2 (line 3): overall risk of bias 'some concerns'",
    );
  });

  it('is an error (exit 2) on a table without RoB columns', async () => {
    const { code, err } = await runCli('fit', data('bcg.csv'), '--measure', 'RR', '--low-risk-only');
    expect(code).toBe(2);
    expect(err).toContain('--low-risk-only needs risk-of-bias columns');
  });
});
