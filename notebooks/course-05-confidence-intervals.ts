/** Course 5: confidence and prediction intervals — Wald, Knapp–Hartung, ad hoc KH; coverage for k = 3 … 40. */
import { Random } from '../src/core/random.ts';
import { critical, pnorm } from '../src/distributions/index.ts';
import { effectColumnsFromTable } from '../src/effects/from-table.ts';
import { escalc, toEffectSet } from '../src/effects/escalc.ts';
import { predict } from '../src/inference/prediction.ts';
import { studyLabels } from '../src/io/csv.ts';
import { loadDataset } from '../src/evidence/datasets.ts';
import { fitBatch } from '../src/models/batch.ts';
import { fitRma } from '../src/models/rma.ts';
import { mcMean, mcProportion, simulateMetaAnalyses } from '../src/simulation/meta-simulation.ts';
import { bandChart, f2, f3, Notebook, pct, type RunOptions } from './lib.ts';

export async function run(options: RunOptions = {}): Promise<void> {
  const reps = 3000;
  const nb = new Notebook(
    'course-05-confidence-intervals',
    'Course 5. Confidence and prediction intervals: do 95% intervals cover 95% of the time?',
    'course-05-confidence-intervals.ts',
    options,
  );
  const ks = [3, 5, 10, 20, 40];
  const tau2s = [0, 0.05, 0.2];
  const mu = 0.3;
  nb.md(`A 95% confidence interval for the mean effect μ should contain μ in 95% of meta-analyses; a 95% prediction
interval should contain the true effect of a *new* study in 95% of them. We check both by simulation: true mean
μ = ${mu}, between-study variance τ² ∈ {${tau2s.join(', ')}}, within-study variances uniform on (0.01, 0.31), k = ${ks.join(', ')}
studies, ${reps} meta-analyses per cell (seed 2026), each fitted by REML (\`simulateMetaAnalyses\`, \`fitBatch\`).

Three confidence intervals: **Wald** (μ̂ ± z·SE), **Knapp–Hartung** (t on k − 1 df with the SE rescaled by the
weighted residual variance; Hartung & Knapp 2001, Sidik & Jonkman 2002) and **ad hoc KH** (the same, but never narrower
than Wald; Knapp & Hartung 2003, Jackson et al. 2017). Two prediction intervals: metafor's default under z tests,
μ̂ ± z·√(SE² + τ̂²), and the Cochrane Handbook's μ̂ ± t(k − 2)·√(SE² + τ̂²) (Higgins, Thompson & Spiegelhalter 2009).
Prediction-interval coverage is the probability that a new study's true effect θ_new ~ N(μ, τ²) falls inside,
computed exactly for each simulated interval and averaged.`);
  const rng = new Random(2026);
  const ci: { x: number; y: number; lo: number; hi: number; series: string; facet: string }[] = [];
  const pi: typeof ci = [];
  for (const tau2 of tau2s)
    for (const k of ks) {
      const sim = simulateMetaAnalyses(rng, { reps, k, mu, tau2, vi: (r) => 0.01 + 0.3 * r.next() });
      const facet = `τ² = ${tau2}`;
      const fits = {
        Wald: fitBatch(sim.yi, sim.vi, k, { method: 'REML', test: 'z' }),
        'Knapp–Hartung': fitBatch(sim.yi, sim.vi, k, { method: 'REML', test: 'knha' }),
        'ad hoc KH': fitBatch(sim.yi, sim.vi, k, { method: 'REML', test: 'adhoc' }),
      };
      for (const [name, f] of Object.entries(fits)) {
        let hits = 0;
        for (let j = 0; j < reps; j++) if (f.ciLower[j]! <= mu && mu <= f.ciUpper[j]!) hits++;
        const m = mcProportion(hits, reps);
        ci.push({ x: k, y: m.estimate, lo: m.lower, hi: m.upper, series: name, facet });
      }
      const z = fits.Wald;
      const tau = Math.sqrt(tau2);
      for (const [name, crit] of [
        ['z (metafor default)', critical(95)],
        ['t, k − 2 df (Handbook)', k > 2 ? critical(95, k - 2) : Number.NaN],
      ] as const) {
        const cover = new Float64Array(reps);
        for (let j = 0; j < reps; j++) {
          const half = crit * Math.sqrt(z.se[j]! ** 2 + z.tau2[j]!);
          const lo = z.estimate[j]! - half,
            hi = z.estimate[j]! + half;
          cover[j] = tau === 0 ? (lo <= mu && mu <= hi ? 1 : 0) : pnorm((hi - mu) / tau) - pnorm((lo - mu) / tau);
        }
        const m = mcMean(cover);
        pi.push({ x: k, y: m.estimate, lo: m.lower, hi: m.upper, series: name, facet });
      }
    }
  const cell = (rows: typeof ci, k: number, t: number, s: string) =>
    rows.find((r) => r.x === k && r.facet === `τ² = ${t}` && r.series === s)!;
  nb.md('## Confidence intervals for μ');
  nb.table([
    ['τ²', 'k', 'Wald', 'Knapp–Hartung', 'ad hoc KH'],
    ...tau2s.flatMap((t) =>
      ks.map((k) => [t, k, ...['Wald', 'Knapp–Hartung', 'ad hoc KH'].map((s) => pct(cell(ci, k, t, s).y))]),
    ),
  ]);
  await nb.figure(
    bandChart(ci, {
      xTitle: 'studies (k)',
      yTitle: 'coverage of the 95% CI',
      yFormat: '.0%',
      reference: 0.95,
      logX: true,
      yDomain: [0.75, 1],
    }),
    'ci-coverage.svg',
    `Coverage of nominal 95% confidence intervals for μ; bands are Monte Carlo 95% intervals (${reps} meta-analyses per point)`,
  );
  const range = (rows: typeof ci, series: string, pred: (r: (typeof ci)[number]) => boolean) => {
    const v = rows.filter((r) => r.series === series && pred(r)).map((r) => r.y);
    return `${pct(Math.min(...v))} to ${pct(Math.max(...v))}`;
  };
  const het = (r: (typeof ci)[number]) => r.facet !== 'τ² = 0';
  nb.md(`With τ² > 0 the coverage of the Wald interval ranges over ${range(ci, 'Wald', het)}, of Knapp–Hartung over
${range(ci, 'Knapp–Hartung', het)}, of ad hoc KH over ${range(ci, 'ad hoc KH', het)}; with τ² = 0 over
${range(ci, 'Wald', (r) => !het(r))}, ${range(ci, 'Knapp–Hartung', (r) => !het(r))} and ${range(ci, 'ad hoc KH', (r) => !het(r))}.
The Wald interval treats τ̂² as known and is too short when the studies differ and k is small; the ad hoc variant,
never shorter than Wald, over-covers when τ² = 0 and k is small.`);
  nb.md('## Prediction intervals for a new study');
  nb.table([
    ['τ²', 'k', 'z (metafor default)', 't, k − 2 df (Handbook)'],
    ...tau2s.flatMap((t) =>
      ks.map((k) => [t, k, ...['z (metafor default)', 't, k − 2 df (Handbook)'].map((s) => pct(cell(pi, k, t, s).y))]),
    ),
  ]);
  await nb.figure(
    bandChart(pi, {
      xTitle: 'studies (k)',
      yTitle: 'coverage of the 95% PI',
      yFormat: '.0%',
      reference: 0.95,
      logX: true,
      yDomain: [0.5, 1],
    }),
    'pi-coverage.svg',
    `Coverage of nominal 95% prediction intervals (probability that a new study's true effect falls inside), with Monte Carlo 95% bands`,
  );
  nb.md(`With τ² > 0 the z prediction interval covers ${range(pi, 'z (metafor default)', het)} of new studies' effects,
the t(k − 2) interval ${range(pi, 't, k − 2 df (Handbook)', het)}; at k = 3 the t quantile on 1 df (12.7) makes the
interval so wide that it covers almost always. Both under-cover at moderate k: they plug in τ̂², which with few studies is often smaller
than τ² (it is truncated at 0).`);
  // the real data
  const ds = loadDataset('knee-oa-exercise-pain');
  const t = ds.table!;
  const es = toEffectSet(escalc('SMD', effectColumnsFromTable(t), studyLabels(t)));
  const rows = (['z', 'knha', 'adhoc'] as const).map((test) => {
    const f = fitRma(es.yi, es.vi, { method: 'REML', test });
    const c = f.coefficients[0]!;
    const p = predict(f),
      pr = predict(f, undefined, 'riley');
    return [
      test === 'z' ? 'Wald' : test === 'knha' ? 'Knapp–Hartung' : 'ad hoc KH',
      f3(c.estimate),
      `${f3(c.ciLower)} to ${f3(c.ciUpper)}`,
      `${f2(p.piLower)} to ${f2(p.piUpper)}`,
      `${f2(pr.piLower)} to ${f2(pr.piUpper)}`,
    ];
  });
  nb.md(`## Real data: exercise for knee osteoarthritis, pain (k = ${es.yi.length}, Hedges' g, REML)`);
  nb.table([['interval', 'SMD', '95% CI', 'PI (default)', 'PI (t, k − 2)'], ...rows]);
  nb.md(`With 52 trials the three confidence intervals nearly agree; the prediction interval is much wider than the CI
because τ̂² is large: a new trial's effect could lie anywhere from a large benefit to none.`);
  nb.takeaways([
    'A CI describes the uncertainty of the *mean* effect; a PI describes where the effect of a *new* setting may lie. With heterogeneity the PI is the more honest summary for a decision.',
    'The Wald CI under-covers when τ² > 0 and k is small, because it treats τ̂² as known. Knapp–Hartung and ad hoc KH come closer to 95% (the tables give the numbers for this design).',
    "Prediction intervals under-cover in this design with either quantile once k ≥ 5, because τ̂² is often too small; the t(k − 2) form of Higgins et al. (2009), the Cochrane Handbook's, covers more than the z form. With k = 3 it is nearly uninformative.",
    'Every coverage in this notebook has a Monte Carlo error (the bands): differences smaller than the bands are noise.',
  ]);
  nb.exercises([
    {
      q: `With ${reps} replicates, what is the Monte Carlo standard error of a coverage of 95%? How many replicates would halve it?`,
      a: `√(0.95·0.05/${reps}) = ${(100 * Math.sqrt((0.95 * 0.05) / reps)).toFixed(2)} percentage points; four times as many replicates (${4 * reps}) halve it.`,
    },
    {
      q: 'Why can the Knapp–Hartung interval be narrower than the Wald interval?',
      a: 'Its variance is the Wald variance times the weighted residual variance s² = Σwᵢ(yᵢ − μ̂)²/(k − 1), which is below 1 when the studies agree more than their variances imply; the t quantile does not always make up for it. The ad hoc variant uses max(1, s²).',
    },
    {
      q: `Compute the t(k − 2) prediction interval for the knee-OA data by hand from μ̂, its SE and τ̂² (REML, Wald), and compare with the table.`,
      a: (() => {
        const f = fitRma(es.yi, es.vi, { method: 'REML' });
        const c = f.coefficients[0]!;
        const q = critical(95, es.yi.length - 2);
        const h = q * Math.sqrt(c.se ** 2 + f.tau2);
        return `μ̂ = ${f3(c.estimate)}, SE = ${f3(c.se)}, τ̂² = ${f3(f.tau2)}, t(0.975, ${es.yi.length - 2}) = ${f3(q)}: ${f3(c.estimate)} ± ${f3(q)}·√(${f3(c.se)}² + ${f3(f.tau2)}) = ${f2(c.estimate - h)} to ${f2(c.estimate + h)}.`;
      })(),
    },
    {
      q: 'Change the simulation so that all within-study variances are equal (vi: 0.1 in `simulateMetaAnalyses`). What happens to the Knapp–Hartung coverage, and why?',
      a: (() => {
        const eq = new Random(2027);
        const cov = [3, 5, 10].map((k) => {
          const sim = simulateMetaAnalyses(eq, { reps, k, mu, tau2: 0.2, vi: 0.1 });
          const f = fitBatch(sim.yi, sim.vi, k, { method: 'REML', test: 'knha' });
          let hits = 0;
          for (let j = 0; j < reps; j++) if (f.ciLower[j]! <= mu && mu <= f.ciUpper[j]!) hits++;
          return `${pct(hits / reps)} at k = ${k}`;
        });
        return `With equal variances the weights are equal whatever τ̂² is, the estimate is the plain mean of the yᵢ, and the Knapp–Hartung interval is the one-sample t interval on k − 1 df, exact when the yᵢ are normal. Simulated (seed 2027, τ² = 0.2, ${reps} meta-analyses each): ${cov.join(', ')}, against ${range(ci, 'Knapp–Hartung', het)} with unequal variances above. Unequal variances make the weights depend on τ̂², and the t approximation is no longer exact.`;
      })(),
    },
  ]);
  nb.references(['Hartung2001', 'Sidik2002', 'Knapp2003', 'Jackson2017', 'Higgins2009', 'Cochrane', 'Morris2019']);
  nb.save();
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
