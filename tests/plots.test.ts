import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { metaAnalysis } from '../src/analysis/meta-analysis.ts';
import { metaRegression, regressionBands } from '../src/analysis/regression.ts';
import { reviewOptions } from '../src/analysis/reproduce.ts';
import { effectColumnsFromTable } from '../src/effects/from-table.ts';
import { subgroupAnalysis } from '../src/analysis/subgroup-analysis.ts';
import { baujat } from '../src/diagnostics/baujat.ts';
import { funnelData } from '../src/diagnostics/funnel.ts';
import { armEventRates } from '../src/effects/binary.ts';
import { stringColumn, studyLabels } from '../src/io/csv.ts';
import { readCsv } from '../src/io/csv-file.ts';
import { loadDataset } from '../src/evidence/datasets.ts';
import type { RmaFit } from '../src/models/rma.ts';
import { baujatSpec, bubbleSpec, funnelSpec, labbeSpec } from '../src/plots/diagnostic-plots.ts';
import { studyDataColumns } from '../src/plots/data-columns.ts';
import { forestFromAnalysis, forestFromSubgroups } from '../src/plots/forest-data.ts';
import { forestSpec } from '../src/plots/forest.ts';
import { compile } from 'vega-lite';
import { renderSvg, svgToPng } from '../src/plots/render.ts';
import { formatNumber } from '../src/core/format.ts';

const require = createRequire(import.meta.url);
// the schema file is not in vega-lite's "exports": locate it from the package entry
const vlRoot = require.resolve('vega-lite').replace(/build[/].*$/, '');
const schema = JSON.parse(readFileSync(`${vlRoot}build/vega-lite-schema.json`, 'utf8')) as object;
const validate = new Ajv({ strict: false, allErrors: false }).compile(schema);
const data = (f: string) => fileURLToPath(new URL(`./data/${f}`, import.meta.url));

const bcg = readCsv(data('bcg.csv'));
const bcgAnalysis = metaAnalysis(effectColumnsFromTable(bcg), studyLabels(bcg), { measure: 'RR' });
const bcgForest = forestFromAnalysis(bcgAnalysis, {
  columns: studyDataColumns(bcg, 'RR'),
  favours: ['Favours vaccine', 'Favours control'],
});
const knee = loadDataset('knee-oa-exercise-pain');
const kneeSub = subgroupAnalysis(
  effectColumnsFromTable(knee.table!),
  studyLabels(knee.table!),
  stringColumn(knee.table!, 'subgroup'),
  'subgroup',
  reviewOptions(knee.provenance),
);
const mods = readCsv(data('bcg-mods.csv'));
const reg = metaRegression(
  effectColumnsFromTable(mods),
  studyLabels(mods),
  Object.fromEntries(mods.header.map((h) => [h, stringColumn(mods, h)])),
  'ablat',
  { measure: 'GEN' },
);
const fit = (bcgAnalysis.model as { fit: RmaFit }).fit;

const specs: [string, TopLevelSpec][] = [
  ['forest (binary, log scale)', forestSpec(bcgForest)],
  [
    'forest with subgroups',
    forestSpec(forestFromSubgroups(kneeSub, { columns: studyDataColumns(knee.table!, 'SMD') })),
  ],
  ['funnel', funnelSpec(funnelData(fit), { xTitle: 'log Risk ratio', labels: bcgAnalysis.studies.labels })],
  [
    'contour-enhanced funnel',
    funnelSpec(funnelData(fit, true), { xTitle: 'log Risk ratio', labels: bcgAnalysis.studies.labels }),
  ],
  ['baujat', baujatSpec(baujat(fit), bcgAnalysis.studies.labels)],
  ["L'Abbé", labbeSpec(armEventRates(effectColumnsFromTable(bcg), 13), studyLabels(bcg))],
  [
    'bubble',
    bubbleSpec(
      reg.labels.map((label, i) => ({
        x: reg.fit.design.x[i * 2 + 1]!,
        y: reg.fit.yi[i]!,
        weight: reg.fit.weights[i]!,
        label,
      })),
      regressionBands(reg),
      { xTitle: 'ablat', yTitle: 'log RR' },
    ),
  ],
];

describe('every plot spec is valid vega-lite and compiles', () => {
  it.each(specs)('%s', (_name, spec) => {
    const ok = validate(spec);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 2))).toEqual([]);
    expect(ok).toBe(true);
    expect(() => compile(spec)).not.toThrow();
  });
});

describe('forest plot', () => {
  it('renders the BCG forest plot to a stable SVG (snapshot) and a PNG', async () => {
    const svg = await renderSvg(specs[0]![1]);
    await expect(svg).toMatchFileSnapshot('./__snapshots__/bcg-forest.svg');
    const png = await svgToPng(svg, 1);
    expect(new TextDecoder().decode(png.subarray(1, 4))).toBe('PNG');
  });

  it('every number printed on the plot is the fit value through the shared formatter', async () => {
    const svg = await renderSvg(specs[0]![1]);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    const f = (x: number) => formatNumber(Math.exp(x), 2);
    bcgAnalysis.studies.labels.forEach((_, i) => {
      const text = `${f(bcgAnalysis.studies.yi[i]!)} [${f(bcgAnalysis.studyCI.lower[i]!)}, ${f(bcgAnalysis.studyCI.upper[i]!)}]`;
      expect(texts, text).toContain(text);
      expect(texts).toContain(`${formatNumber(fit.weights[i]!, 1)}%`);
    });
    const c = fit.coefficients[0]!;
    expect(texts).toContain(`${f(c.estimate)} [${f(c.ciLower)}, ${f(c.ciUpper)}]`);
    expect(
      texts.some((t) => t.includes(`Tau² = ${formatNumber(fit.tau2, 2)}; Chi² = ${formatNumber(fit.QE, 2)}, df = 12`)),
    ).toBe(true);
  });

  it('subgroup headers, diamonds per subgroup, the test for subgroup differences', async () => {
    const svg = await renderSvg(specs[1]![1]);
    for (const level of ['Aerobic', 'Strengthening', 'Mind-body']) expect(svg).toContain(`>${level}<`);
    expect((svg.match(/>Subtotal \(95% CI\)</g) ?? []).length).toBe(6);
    expect(svg).toMatch(/Test for subgroup differences: Chi² = 6\.29, df = 5/);
  });

  it('grows with k: 150 studies stay at 18 px a row', () => {
    const k = 150;
    const yi = Array.from({ length: k }, (_, i) => Math.sin(i) / 2),
      vi = Array.from({ length: k }, (_, i) => 0.02 + (i % 7) / 100);
    const a = metaAnalysis(
      { yi, vi },
      yi.map((_, i) => `Study ${i + 1}`),
      { measure: 'GEN' },
    );
    const spec = forestSpec(forestFromAnalysis(a)) as unknown as { hconcat: { height: number }[] };
    expect(spec.hconcat[1]!.height).toBeGreaterThanOrEqual(k * 18);
  });

  it('clips CIs that run off the axis and marks them with an arrow', () => {
    const a = metaAnalysis({ yi: [0.1, 0.2, 9], vi: [0.01, 0.02, 0.5] }, ['a', 'b', 'far'], { measure: 'GEN' });
    const spec = forestSpec(forestFromAnalysis(a), { xLimits: [-1, 1] }) as unknown as {
      data: { values: { label: string; arrowRight: boolean; hiP: number }[] };
    };
    const far = spec.data.values.find((r) => r.label === 'far')!;
    expect(far.arrowRight).toBe(true);
    expect(far.hiP).toBe(1);
  });
});
