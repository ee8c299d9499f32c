/** Notebook 4 (teaching): every τ² estimator side by side on one dataset. */
import type { TopLevelSpec } from 'vega-lite';
import { effectColumnsFromTable } from '../src/effects/from-table.ts';
import { escalc, toEffectSet } from '../src/effects/escalc.ts';
import { tau2ConfidenceInterval } from '../src/inference/tau2-interval.ts';
import { studyLabels } from '../src/io/csv.ts';
import { loadDataset } from '../src/io/datasets.ts';
import { fitRma } from '../src/models/rma.ts';
import { TAU2_METHODS } from '../src/models/tau2/index.ts';
import { baseConfig } from '../src/plots/theme.ts';
import { f3, Notebook } from './lib.ts';

export async function run(): Promise<void> {
  const nb = new Notebook(
    '04-tau2-estimators',
    'Teaching: how much do the τ² estimators disagree?',
    '04-tau2-estimators.ts',
  );
  const ds = loadDataset('knee-oa-exercise-pain');
  const t = ds.table!;
  const es = toEffectSet(escalc('SMD', effectColumnsFromTable(t), studyLabels(t)));
  nb.md(`One dataset (knee osteoarthritis, pain, ${es.yi.length} trials, Hedges' g), every τ² estimator of the engine. The
pooled estimate moves with τ², because τ² sets the weights; the Q-profile interval for τ² does not depend on the estimator.`);
  const methods = TAU2_METHODS.filter((m) => m !== 'FE');
  const fits = methods.map((m) => ({ m, f: fitRma(es.yi, es.vi, { method: m }) }));
  const ci = tau2ConfidenceInterval(fits.find((x) => x.m === 'REML')!.f);
  nb.table([
    ['method', 'τ²', 'I²', 'SMD', '95% CI', 'iterations'],
    ...fits.map(({ m, f }) => {
      const c = f.coefficients[0]!;
      return [
        m,
        f3(f.tau2),
        `${f.I2.toFixed(1)}%`,
        f3(c.estimate),
        `${f3(c.ciLower)} to ${f3(c.ciUpper)}`,
        f.iterations,
      ];
    }),
  ]);
  nb.md(
    `Q-profile 95% CI for τ²: ${f3(ci.tau2.lower)} to ${f3(ci.tau2.upper)}. EE assumes τ² = 0 and gives the narrowest interval.`,
  );
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: baseConfig(),
    width: 420,
    height: 260,
    data: {
      values: fits.map(({ m, f }) => ({
        m,
        tau2: f.tau2,
        est: f.coefficients[0]!.estimate,
        lo: f.coefficients[0]!.ciLower,
        hi: f.coefficients[0]!.ciUpper,
      })),
    },
    layer: [
      {
        mark: { type: 'rule' },
        encoding: {
          y: { field: 'm', type: 'nominal', sort: null, title: 'estimator' },
          x: { field: 'lo', type: 'quantitative', title: 'pooled SMD (95% CI)' },
          x2: { field: 'hi' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: { y: { field: 'm', type: 'nominal', sort: null }, x: { field: 'est', type: 'quantitative' } },
      },
    ],
  } as unknown as TopLevelSpec;
  await nb.figure(spec, 'estimators.svg', 'Pooled SMD and 95% CI under each τ² estimator');
  nb.save();
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
