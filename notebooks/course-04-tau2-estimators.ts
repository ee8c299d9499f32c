/** Course 4: τ² estimators compared by simulation (bias, MSE, how often τ̂² = 0) and on the real data, with a recommendation. */
import type { TopLevelSpec } from 'vega-lite';
import { Random } from '../src/core/random.ts';
import { escalc, toEffectSet } from '../src/effects/escalc.ts';
import type { Measure } from '../src/effects/registry.ts';
import { tau2ConfidenceInterval } from '../src/inference/tau2-interval.ts';
import { fitBatch } from '../src/models/batch.ts';
import { fitRma } from '../src/models/rma.ts';
import { TAU2_REGISTRY, type Tau2Method } from '../src/models/tau2/index.ts';
import { baseConfig } from '../src/plots/theme.ts';
import { mcMean, mcMse, mcProportion, simulateMetaAnalyses } from '../src/simulation/meta-simulation.ts';
import { AD_IMMEDIATE, dataset, HAYDEN_FUNCTION, KNEE_PAIN, SMT } from './course-data.ts';
import { bandChart, check, dotChart, f2, f3, Notebook, pct, type RunOptions } from './lib.ts';

const METHODS = ['DL', 'HE', 'HS', 'SJ', 'ML', 'REML', 'PM'] as const satisfies readonly Tau2Method[];
const label = (m: Tau2Method) => (TAU2_REGISTRY[m].label === m ? m : `${m} (${TAU2_REGISTRY[m].label})`);

export async function run(options: RunOptions = {}): Promise<void> {
  const nb = new Notebook(
    'course-04-tau2-estimators',
    'Course 4. Estimating τ²: the estimators compared by simulation',
    'course-04-tau2-estimators.ts',
    options,
  );
  nb.md(`Every random-effects analysis needs an estimate of τ², and metafor offers a dozen. They differ in what they
solve: method-of-moments equations (DerSimonian–Laird **DL**, Hedges **HE**, Hunter–Schmidt **HS**, Sidik–Jonkman
**SJ**), the likelihood (**ML**) or the restricted likelihood (**REML**, metafor's default), or the generalised Q
statistic set to its expected value (Paule–Mandel **PM**; metafor's empirical Bayes **EB** gives the same value). This
unit compares them by seeded simulation on three criteria — bias, mean squared error, and how often they return
τ̂² = 0 — and then on the course's real datasets.`);

  // ---------------------------------------------------------------- simulation
  const reps = 2000;
  const ks = [5, 10, 20, 40];
  const tau2s = [0, 0.02, 0.05, 0.15];
  const vi = (r: Random) => 2 / (10 + r.int(141));
  const rng = new Random(404);
  type Row = { x: number; y: number; lo: number; hi: number; series: string; facet: string };
  const bias: Row[] = [],
    rmse: Row[] = [],
    zero: Row[] = [];
  let ebVsPm = 0;
  const cov: { cat: string; y: number; lo: number; hi: number; series: string }[] = [];
  const covK = 10,
    covTau2 = 0.05;
  for (const t2 of tau2s)
    for (const k of ks) {
      const sim = simulateMetaAnalyses(rng, { reps, k, mu: 0.3, tau2: t2, vi });
      const facet = `τ² = ${t2}`;
      for (const m of METHODS) {
        const f = fitBatch(sim.yi, sim.vi, k, { method: m });
        const b = mcMean(Float64Array.from(f.tau2, (x) => x - t2));
        const e = mcMse(f.tau2, t2);
        const z = mcProportion(f.tau2.filter((x) => x === 0).length, reps);
        bias.push({ x: k, y: b.estimate, lo: b.lower, hi: b.upper, series: m, facet });
        rmse.push({
          x: k,
          y: Math.sqrt(e.estimate),
          lo: Math.sqrt(Math.max(0, e.lower)),
          hi: Math.sqrt(e.upper),
          series: m,
          facet,
        });
        zero.push({ x: k, y: z.estimate, lo: z.lower, hi: z.upper, series: m, facet });
        if (m === 'PM') {
          const eb = fitBatch(sim.yi, sim.vi, k, { method: 'EB' });
          for (let j = 0; j < reps; j++) ebVsPm = Math.max(ebVsPm, Math.abs(eb.tau2[j]! - f.tau2[j]!));
        }
        if (k === covK && t2 === covTau2)
          for (const test of ['z', 'knha'] as const) {
            const g = fitBatch(sim.yi, sim.vi, k, { method: m, test });
            let hits = 0;
            for (let j = 0; j < reps; j++) if (g.ciLower[j]! <= 0.3 && 0.3 <= g.ciUpper[j]!) hits++;
            const c = mcProportion(hits, reps);
            cov.push({
              cat: m,
              y: c.estimate,
              lo: c.lower,
              hi: c.upper,
              series: test === 'z' ? 'Wald (z) CI' : 'Knapp–Hartung CI',
            });
          }
      }
    }
  nb.md(`## By simulation

${reps} meta-analyses per point (seed 404) of k = ${ks.join(', ')} studies, μ = 0.3, τ² = ${tau2s.join(', ')}, and
within-study variances vᵢ = 2/n for n drawn uniformly from 10 to 150 per arm (the variance of an SMD near 0), so
that trial sizes differ up to fifteen-fold. The estimators: ${METHODS.map(label).join(', ')}. ${check(
    ebVsPm < 1e-6,
    'EB agreed with PM in every simulated meta-analysis',
  )} (largest difference ${ebVsPm.toExponential(1)}), so it is not shown separately.`);
  await nb.figure(
    bandChart(bias, {
      xTitle: 'studies (k)',
      yTitle: 'bias of τ̂² (mean τ̂² − τ²)',
      yFormat: '.3f',
      reference: 0,
      logX: true,
      width: 180,
      independentY: true,
    }),
    'bias.svg',
    `Bias of τ̂² by estimator, k and τ², with Monte Carlo 95% bands (${reps} meta-analyses per point)`,
  );
  const at = (rows: Row[], m: string, t2: number, k: number) =>
    rows.find((r) => r.series === m && r.facet === `τ² = ${t2}` && r.x === k)!;
  const big = tau2s.at(-1)!;
  const worst = (t2: number, k: number) =>
    METHODS.reduce(
      (a, m) => (Math.abs(at(bias, m, t2, k).y) > Math.abs(at(bias, a, t2, k).y) ? m : a),
      METHODS[0] as Tau2Method,
    );
  const remlUnbiased = tau2s
    .filter((t) => t > 0)
    .filter((t2) =>
      ks
        .filter((k) => k >= 10)
        .every(
          (k) =>
            Math.abs(at(bias, 'REML', t2, k).y) <= 0.1 * t2 ||
            (at(bias, 'REML', t2, k).lo <= 0 && at(bias, 'REML', t2, k).hi >= 0),
        ),
    );
  nb.md(
    check(
      METHODS.every((m) => ks.every((k) => at(bias, m, 0, k).lo > 0)),
      'With τ² = 0 every estimator is biased upwards',
    ) +
      ` — none can go below 0 — and the bias is largest for
${worst(0, 5)} at k = 5 (${f3(at(bias, worst(0, 5), 0, 5).y)}). With τ² = ${big}, the largest bias at k = 5 is ${worst(big, 5)}'s
(${f3(at(bias, worst(big, 5), big, 5).y)}, ${pct(at(bias, worst(big, 5), big, 5).y / big, 0)} of τ²). ` +
      check(
        ks.every((k) => at(bias, 'HS', big, k).hi < 0 && at(bias, 'ML', big, k).hi < 0),
        `HS and ML underestimate τ² = ${big} at every k`,
      ) +
      ` (ML does not allow for the degree of freedom spent on estimating μ, which REML does; HS subtracts k rather than
k − 1 from Q and divides by Σwᵢ rather than Σwᵢ − Σwᵢ²/Σwᵢ, both of which make it smaller than DL), ` +
      check(at(bias, 'SJ', tau2s[1]!, 40).lo > 0, `SJ overestimates small τ² even with 40 studies`) +
      `, and REML's bias is within 10% of τ² or indistinguishable from 0 for k ≥ 10 at τ² = ${remlUnbiased.join(', ')}.`,
  );
  await nb.figure(
    bandChart(rmse, {
      xTitle: 'studies (k)',
      yTitle: 'root mean squared error of τ̂²',
      yFormat: '.3f',
      logX: true,
      width: 180,
      independentY: true,
    }),
    'rmse.svg',
    `Root mean squared error of τ̂², with Monte Carlo 95% bands (${reps} meta-analyses per point)`,
  );
  const best = (t2: number, k: number) =>
    METHODS.reduce((a, m) => (at(rmse, m, t2, k).y < at(rmse, a, t2, k).y ? m : a), METHODS[0] as Tau2Method);
  nb.md(
    `Mean squared error trades bias against variance. At τ² = ${big} the smallest RMSE at k = 10 is ${best(big, 10)}'s
(${f3(at(rmse, best(big, 10), big, 10).y)}; REML ${f3(at(rmse, 'REML', big, 10).y)}, DL ${f3(at(rmse, 'DL', big, 10).y)}), at
k = 40 ${best(big, 40)}'s. An estimator biased towards 0 can have a small MSE because it is stable: ML's RMSE is
${f3(at(rmse, 'ML', big, 10).y)} at k = 10 against REML's ${f3(at(rmse, 'REML', big, 10).y)}. With k = 5 every RMSE is
large compared with τ² itself (REML: ${f3(at(rmse, 'REML', big, 5).y)} for τ² = ${big}): no estimator gives a usable point
estimate from five studies.`,
  );
  await nb.figure(
    bandChart(zero, {
      xTitle: 'studies (k)',
      yTitle: 'share of τ̂² = 0',
      yFormat: '.0%',
      logX: true,
      width: 180,
    }),
    'zero.svg',
    `How often each estimator returns τ̂² = 0, with Monte Carlo 95% bands (${reps} meta-analyses per point)`,
  );
  const small = tau2s[1]!;
  nb.md(
    `With a true τ² of ${small}, τ̂² = 0 at k = 5 in
${pct(at(zero, 'DL', small, 5).y)} of meta-analyses for DL, ${pct(at(zero, 'REML', small, 5).y)} for REML,
${pct(at(zero, 'PM', small, 5).y)} for PM and ${pct(at(zero, 'ML', small, 5).y)} for ML, and at k = 10 in
${pct(at(zero, 'REML', small, 10).y)} for REML; ${check(
      ks.every((k) => tau2s.every((t2) => at(zero, 'SJ', t2, k).y === 0)),
      'SJ never returns 0',
    )} (it starts from a positive value by construction). A reported τ̂² = 0 — and with it a random-effects analysis
identical to the common-effect one — is a common outcome of sampling error when heterogeneity is real but modest and
studies are few.`,
  );
  // one line per estimator: averages over the scenarios with τ² > 0
  const cells = tau2s.filter((t) => t > 0).flatMap((t2) => ks.map((k) => ({ t2, k })));
  const summary = METHODS.map((m) => ({
    m,
    relBias: cells.reduce((a, c) => a + Math.abs(at(bias, m, c.t2, c.k).y) / c.t2, 0) / cells.length,
    relRmse: cells.reduce((a, c) => a + at(rmse, m, c.t2, c.k).y / c.t2, 0) / cells.length,
    zero: cells.reduce((a, c) => a + at(zero, m, c.t2, c.k).y, 0) / cells.length,
    null0: ks.reduce((a, k) => a + at(bias, m, 0, k).y, 0) / ks.length,
  }));
  nb.md(`Averaged over the ${cells.length} scenarios with τ² > 0 (and, last column, the four with τ² = 0):`);
  nb.table([
    ['estimator', 'mean absolute bias / τ²', 'mean RMSE / τ²', 'mean share of τ̂² = 0', 'mean τ̂² when τ² = 0'],
    ...summary.map((r) => [label(r.m), pct(r.relBias), pct(r.relRmse), pct(r.zero), f3(r.null0)]),
  ]);
  const sm = (m: string) => summary.find((r) => r.m === m)!;
  const lowBias = ['REML', 'PM'].every((a) => ['HS', 'ML', 'SJ'].every((b) => sm(a).relBias < sm(b).relBias));

  nb.md(`### Does the estimator matter for the CI of μ?

Coverage of the 95% CI for μ at k = ${covK}, τ² = ${covTau2}, by the estimator that sets the weights, with Wald (z) and
Knapp–Hartung intervals:`);
  await nb.figure(
    dotChart(cov, { xTitle: 'coverage of the 95% CI for μ', xFormat: '.0%', reference: 0.95 }),
    'mu-coverage.svg',
    `Coverage of the 95% CI for μ by τ² estimator, k = ${covK}, τ² = ${covTau2}, with Monte Carlo 95% intervals (${reps} meta-analyses)`,
  );
  const cz = cov.filter((c) => c.series.startsWith('Wald')).map((c) => c.y),
    ck = cov.filter((c) => c.series.startsWith('Knapp')).map((c) => c.y);
  nb.md(
    `With Wald intervals the coverage ranges from ${pct(Math.min(...cz))} to ${pct(Math.max(...cz))} across estimators; with
Knapp–Hartung from ${pct(Math.min(...ck))} to ${pct(Math.max(...ck))}. ` +
      check(
        Math.max(...ck) - Math.min(...ck) < Math.max(...cz) - Math.min(...cz) && Math.min(...ck) > Math.min(...cz),
        'Knapp–Hartung makes the choice of estimator matter less and raises the worst coverage',
      ) +
      ' (course 5).',
  );

  // ---------------------------------------------------------------- real data
  const sets: [string, string, Measure][] = [
    [KNEE_PAIN, 'knee OA, pain (SMD)', 'SMD'],
    [SMT, 'spinal manipulation (MD)', 'MD'],
    [HAYDEN_FUNCTION, 'Hayden, function (MD)', 'GEN'],
    [AD_IMMEDIATE, 'antidepressants ≤ 4 weeks (MD)', 'MD'],
  ];
  const real = sets.map(([name, title, m]) => {
    const d = dataset(name);
    const es = toEffectSet(escalc(m, d.columns, d.labels));
    const fits = METHODS.map((method) => fitRma(es.yi, es.vi, { method }));
    return { title, k: es.yi.length, fits, ci: tau2ConfidenceInterval(fits[METHODS.indexOf('REML')]!), es };
  });
  nb.md(`## On the real data

τ̂² by estimator for four of the course's datasets, with the Q-profile 95% CI (Viechtbauer 2007), which does not
depend on the point estimator:`);
  nb.table([
    ['estimator', ...real.map((r) => `${r.title}, k = ${r.k}`)],
    ...METHODS.map((m, i) => [label(m), ...real.map((r) => f3(r.fits[i]!.tau2))]),
    ['Q-profile 95% CI', ...real.map((r) => `${f3(r.ci.tau2.lower)} to ${f3(r.ci.tau2.upper)}`)],
  ]);
  const spread = real.map((r) => {
    const t = r.fits.map((f) => f.tau2);
    return { min: Math.min(...t), max: Math.max(...t) };
  });
  const outside = real.flatMap((r) =>
    r.fits
      .map((f, i) => ({ f, m: METHODS[i]! }))
      .filter(({ f }) => f.tau2 < r.ci.tau2.lower - 1e-9 || f.tau2 > r.ci.tau2.upper + 1e-9)
      .map(({ f, m }) => `${m} for ${r.title} (${f3(f.tau2)})`),
  );
  const ciSame =
    Math.abs(tau2ConfidenceInterval(real[0]!.fits[0]!).tau2.upper - real[0]!.ci.tau2.upper) < 1e-6 &&
    Math.abs(tau2ConfidenceInterval(real[0]!.fits[0]!).tau2.lower - real[0]!.ci.tau2.lower) < 1e-6;
  nb.md(
    `For knee-OA pain the estimators range from ${f3(spread[0]!.min)} to ${f3(spread[0]!.max)}; for the ${real[3]!.k} antidepressant
comparisons from ${f3(spread[3]!.min)} to ${f3(spread[3]!.max)}. ` +
      check(ciSame, 'The Q-profile interval is the same whichever estimator the model used') +
      `; ${outside.length ? `the estimates outside it are ${outside.join('; ')}` : 'every estimate lies inside it'}. Measured
against the width of that interval, the estimates span ${real.map((r, j) => `${pct((spread[j]!.max - spread[j]!.min) / (r.ci.tau2.upper - r.ci.tau2.lower), 0)} (${r.title})`).join(', ')}:
with many studies the choice of estimator can matter as much as the sampling uncertainty itself.`,
  );
  const kn = real[0]!;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: baseConfig(),
    width: 420,
    height: { step: 24 },
    data: {
      values: kn.fits.map((f, i) => ({
        m: label(METHODS[i]!),
        est: f.coefficients[0]!.estimate,
        lo: f.coefficients[0]!.ciLower,
        hi: f.coefficients[0]!.ciUpper,
      })),
    },
    layer: [
      {
        mark: { type: 'rule' },
        encoding: {
          y: { field: 'm', type: 'nominal', sort: null, title: null },
          x: { field: 'lo', type: 'quantitative', title: 'pooled SMD (95% CI), knee OA pain' },
          x2: { field: 'hi' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: { y: { field: 'm', type: 'nominal', sort: null }, x: { field: 'est', type: 'quantitative' } },
      },
    ],
  } as unknown as TopLevelSpec;
  await nb.figure(spec, 'estimators-knee.svg', 'Pooled SMD and 95% CI (z) for knee-OA pain under each τ² estimator');
  const est = kn.fits.map((f) => f.coefficients[0]!.estimate);
  nb.md(
    `The pooled SMD moves from ${f3(Math.max(...est))} to ${f3(Math.min(...est))} with the estimator, because τ̂² sets the
weights (course 2).`,
  );

  nb.md(`## Recommendation

Use **REML** (metafor's and evsynth's default). Simulation studies report it approximately unbiased (Viechtbauer
2005; Veroniki et al. 2016; Langan et al. 2019), Langan et al. (2019) recommend it over the other estimators they
compared, and Veroniki et al. (2016) recommend REML for continuous outcomes and **PM** for both continuous and
dichotomous ones. ${check(lowBias, 'In this simulation both have a smaller average relative bias than HS, ML and SJ')}
(table above); ${check(
    [...summary]
      .sort((a, b) => a.relRmse - b.relRmse)
      .slice(0, 2)
      .map((r) => r.m)
      .sort()
      .join() === 'HS,ML',
    'HS and ML have the smallest RMSE',
  )}: they shrink towards 0, which lowers their variance more than their bias costs. DL, the default of RevMan 5 and
of many older reviews, has an average relative bias of ${pct(sm('DL').relBias)} in this design against REML's
${pct(sm('REML').relBias)} (at τ² = ${big}: ${f3(at(bias, 'DL', big, 10).y)} vs ${f3(at(bias, 'REML', big, 10).y)} with k = 10);
Langan et al. (2017), reviewing simulation studies, found DL negatively biased when heterogeneity is moderate to
high; that bias does not appear in this design (normal outcomes with known variances), a reminder that a simulation
answers for its own design, and that recommendations rest on many. Reproduce a published analysis with the estimator it used
(\`--preset\`), and say so. Whatever the estimator: report τ̂ with its Q-profile CI (Veroniki et al. 2016 recommend
the Q-profile method), do not read τ̂² = 0 as homogeneity, and base the CI of μ on Knapp–Hartung, which depends less
on the estimator (above, and course 5).`);

  nb.takeaways([
    'All τ² estimators are biased upwards when τ² is small (they cannot go below 0); HS and ML are biased downwards when τ² is large; SJ overestimates small τ².',
    'REML and PM are the least biased overall here and in the literature; REML is the usual default.',
    'With few studies every estimator is imprecise and τ̂² = 0 is common even when τ² > 0: report the Q-profile CI.',
    'The estimator moves the pooled estimate through the weights; Knapp–Hartung CIs make the inference on μ less sensitive to it.',
  ]);
  const eq = simulateMetaAnalyses(new Random(405), { reps: 1, k: 8, mu: 0.3, tau2: 0.1, vi: 0.05 });
  const eqT = Object.fromEntries(METHODS.map((m) => [m, fitRma(eq.yi, eq.vi, { method: m }).tau2]));
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;
  const equalCheck = check(
    close(eqT.DL!, eqT.HE!) &&
      close(eqT.DL!, eqT.PM!) &&
      close(eqT.DL!, eqT.REML!) &&
      close(eqT.ML!, eqT.HS!) &&
      !close(eqT.DL!, eqT.ML!),
    `DL = HE = PM = REML = ${f3(eqT.DL!)}, ML = HS = ${f3(eqT.ML!)}, SJ = ${f3(eqT.SJ!)}`,
  );
  const ad = real[3]!;
  const i = METHODS.indexOf('DL');
  const f = ad.fits[i]!;
  nb.exercises([
    {
      q: `Compute the DerSimonian–Laird τ̂² for the ${ad.k} antidepressant comparisons (≤ 4 weeks) from Q = ${f2(f.QE)}, df = ${ad.k - 1} and the weights (Σw = ${f3(ad.es.vi.reduce((a, v) => a + 1 / v, 0))}, Σw² = ${f3(ad.es.vi.reduce((a, v) => a + 1 / (v * v), 0))}).`,
      a: (() => {
        const sw = ad.es.vi.reduce((a, v) => a + 1 / v, 0),
          sw2 = ad.es.vi.reduce((a, v) => a + 1 / (v * v), 0);
        const c = sw - sw2 / sw;
        return `τ̂² = max(0, (Q − df)/(Σw − Σw²/Σw)) = (${f2(f.QE)} − ${ad.k - 1})/${f3(c)} = ${f3(Math.max(0, (f.QE - (ad.k - 1)) / c))}, as in the table.`;
      })(),
    },
    {
      q: 'Why is every estimator biased upwards when τ² = 0?',
      a: 'When τ² = 0 the untruncated estimators scatter around 0 (or around a positive value, for SJ); truncation replaces every negative estimate by 0, so the average of the truncated estimates is above 0.',
    },
    {
      q: 'Why can ML have a smaller mean squared error than REML although it is more biased?',
      a: 'MSE = bias² + variance. ML shrinks τ̂² towards 0 (it does not account for the degree of freedom spent on μ), which lowers its variance; when the variance saving exceeds the squared bias, its MSE is smaller.',
    },
    {
      q: 'With equal within-study variances (all vᵢ = v), which estimators give the same τ̂², and why?',
      a: `With equal weights, DL, HE, PM and REML all reduce to s² − v (s² the sample variance of the yᵢ, divisor k − 1) and ML and HS to the same with divisor k, truncated at 0; SJ differs. Checked here on one simulated meta-analysis of 8 studies: ${equalCheck}.`,
    },
  ]);
  nb.references(['Viechtbauer2005', 'Viechtbauer2007', 'Veroniki2016', 'Langan2017', 'Langan2019', 'Morris2019']);
  nb.save();
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
