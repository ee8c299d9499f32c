/** Course 2: common-effect vs random-effects models, and what τ² means. */
import type { TopLevelSpec } from 'vega-lite';
import { Random } from '../src/core/random.ts';
import { critical, pnorm } from '../src/distributions/index.ts';
import { predict } from '../src/inference/prediction.ts';
import { tau2ConfidenceInterval } from '../src/inference/tau2-interval.ts';
import { fitBatch } from '../src/models/batch.ts';
import { fitRma, type RmaFit } from '../src/models/rma.ts';
import { baseConfig } from '../src/plots/theme.ts';
import { mcProportion, simulateMetaAnalyses } from '../src/simulation/meta-simulation.ts';
import { AD_SHORT, dataset, KNEE_PAIN, mdOf, smdOf } from './course-data.ts';
import { bandChart, check, f2, f3, Notebook, pct, type RunOptions } from './lib.ts';

export async function run(options: RunOptions = {}): Promise<void> {
  const nb = new Notebook(
    'course-02-common-random',
    'Course 2. Common effect or random effects, and what τ² means',
    'course-02-common-random.ts',
    options,
  );
  nb.md(`Two models for k study estimates yᵢ with known sampling variances vᵢ:

- **common effect** (metafor's \`EE\`, often called "fixed effect"): every study estimates the same θ, yᵢ = θ + εᵢ;
  the estimate is the inverse-variance weighted mean with weights wᵢ = 1/vᵢ;
- **random effects**: each study has its own true effect θᵢ, drawn from a distribution with mean μ and variance τ²,
  yᵢ = μ + uᵢ + εᵢ with uᵢ ~ N(0, τ²); the weights are 1/(vᵢ + τ̂²) (DerSimonian & Laird 1986).

τ is the standard deviation of the true effects, on the scale of the effect measure: an SMD, a difference in points,
a log odds ratio. It describes how much the *effect itself* varies between settings (populations, doses, co-
interventions), not how imprecise the studies are. This unit fits both models to real data, shows what their
weights do, and uses seeded simulation to show what each confidence interval covers.`);

  // ---------------------------------------------------------------- real data
  const knee = dataset(KNEE_PAIN);
  const es = smdOf(knee);
  const ce = fitRma(es.yi, es.vi, { method: 'EE' });
  const re = fitRma(es.yi, es.vi, { method: 'REML' });
  const reCI = tau2ConfidenceInterval(re);
  const c0 = ce.coefficients[0]!,
    r0 = re.coefficients[0]!;
  const tau = Math.sqrt(re.tau2);
  const unweighted = es.yi.reduce((a, b) => a + b, 0) / es.yi.length;
  const pi = predict(re);
  nb.md(`## Exercise for knee osteoarthritis (pain, ${es.yi.length} trials, Hedges' g)`);
  nb.table([
    ['model', 'pooled SMD', '95% CI', 'τ²', 'τ'],
    ['common effect', f3(c0.estimate), `${f3(c0.ciLower)} to ${f3(c0.ciUpper)}`, '0 (assumed)', '—'],
    [
      'random effects (REML)',
      f3(r0.estimate),
      `${f3(r0.ciLower)} to ${f3(r0.ciUpper)}`,
      `${f3(re.tau2)} (Q-profile CI ${f3(reCI.tau2.lower)} to ${f3(reCI.tau2.upper)})`,
      f3(tau),
    ],
  ]);
  const wCE = ce.weights,
    wRE = re.weights;
  const maxCE = Math.max(...wCE),
    maxRE = Math.max(...wRE),
    minCE = Math.min(...wCE),
    minRE = Math.min(...wRE);
  nb.md(
    `The two estimates differ (${f3(c0.estimate)} vs ${f3(r0.estimate)}) and the random-effects CI is
${f2((r0.ciUpper - r0.ciLower) / (c0.ciUpper - c0.ciLower))} times as wide. The weights explain the first: with
τ̂² = ${f3(re.tau2)} added to every vᵢ (which range from ${f3(Math.min(...es.vi))} to ${f3(Math.max(...es.vi))}), the
random-effects weights are much more equal, from ${f2(minRE)}% to ${f2(maxRE)}% against ${f2(minCE)}% to ${f2(maxCE)}%
under the common-effect model. ` +
      `τ̂² is larger than the within-study variance of ${es.vi.filter((v) => v < re.tau2).length} of the ${es.yi.length} trials, so
for them the weight is set by τ̂² rather than by the trial's size, and ` +
      check(
        Math.abs(r0.estimate - unweighted) < Math.abs(c0.estimate - unweighted),
        'the random-effects estimate lies closer to the unweighted mean of the trials than the common-effect one',
      ) +
      ` (${f3(unweighted)}).`,
  );
  const wRows = Array.from(es.vi, (v, i) => [
    { se: Math.sqrt(v), w: wCE[i]!, model: 'common effect' },
    { se: Math.sqrt(v), w: wRE[i]!, model: 'random effects (REML)' },
  ]).flat();
  await nb.figure(
    {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: baseConfig(),
      width: 420,
      height: 240,
      data: { values: wRows },
      mark: { type: 'point', filled: true, size: 40, opacity: 0.8 },
      encoding: {
        x: { field: 'se', type: 'quantitative', title: "standard error of the trial's SMD" },
        y: { field: 'w', type: 'quantitative', title: 'weight (%)' },
        color: { field: 'model', type: 'nominal', title: null, legend: { labelLimit: 600 } },
      },
    } as unknown as TopLevelSpec,
    'weights.svg',
    `Weight of each of the ${es.yi.length} knee-OA trials against its standard error, under the two models`,
  );

  // what τ means
  const z = critical(95);
  const lo = r0.estimate - z * tau,
    hi = r0.estimate + z * tau;
  const pHarm = pnorm(r0.estimate / tau); // P(θ > 0) when μ < 0: exercise worse than control
  nb.md(`### What τ̂ = ${f3(tau)} means

If true effects are normally distributed, 95% of settings have a true SMD within μ ± 1.96τ, here ${f2(lo)} to
${f2(hi)}, and a share Φ(μ̂/τ̂) = ${pct(pHarm)} of them have a true SMD above 0, where exercise does worse than the
control. These numbers plug in μ̂ and τ̂ as if they were known; the prediction interval adds their uncertainty
(${f2(pi.piLower)} to ${f2(pi.piUpper)}, course 3 and course 5). Against an effect of ${f2(r0.estimate)}, a τ of
${f2(tau)} is large: the trials do not estimate one effect of exercise but a wide spread of effects, and the pooled
SMD is the centre of that spread.`);
  const dens = Array.from({ length: 161 }, (_, i) => {
    const x = r0.estimate - 4 * tau + (8 * tau * i) / 160;
    return { x, d: Math.exp(-0.5 * ((x - r0.estimate) / tau) ** 2) / (tau * Math.sqrt(2 * Math.PI)) };
  });
  const peak = 1 / (tau * Math.sqrt(2 * Math.PI));
  const bars = [
    { name: '95% CI of μ', lo: r0.ciLower, hi: r0.ciUpper, y: peak * 1.12 },
    { name: 'μ̂ ± 1.96 τ̂', lo, hi, y: peak * 1.22 },
    { name: '95% prediction interval', lo: pi.piLower, hi: pi.piUpper, y: peak * 1.32 },
  ];
  await nb.figure(
    {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: baseConfig(),
      width: 460,
      height: 240,
      layer: [
        {
          data: { values: dens },
          mark: { type: 'area', opacity: 0.25, color: '#2b6ca3' },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: 'true SMD of a setting (negative favours exercise)' },
            y: { field: 'd', type: 'quantitative', title: 'density of N(μ̂, τ̂²)' },
          },
        },
        {
          data: { values: Array.from(es.yi, (y) => ({ y })) },
          mark: { type: 'tick', color: '#222', thickness: 1, size: 10 },
          encoding: { x: { field: 'y', type: 'quantitative' }, y: { datum: 0, type: 'quantitative' } },
        },
        {
          data: { values: bars },
          mark: { type: 'rule', strokeWidth: 2.5 },
          encoding: {
            x: { field: 'lo', type: 'quantitative' },
            x2: { field: 'hi' },
            y: { field: 'y', type: 'quantitative' },
            color: { field: 'name', type: 'nominal', title: null, legend: { labelLimit: 600 }, sort: null },
          },
        },
        {
          data: { values: [{ x: 0 }] },
          mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
          encoding: { x: { field: 'x', type: 'quantitative' } },
        },
      ],
    } as unknown as TopLevelSpec,
    'tau.svg',
    'The distribution of true effects implied by the random-effects fit (REML) of the knee-OA trials, with the observed SMDs as ticks, the CI of μ, μ̂ ± 1.96τ̂ and the prediction interval',
  );

  // the antidepressants: τ̂² = 0
  const ad = dataset(AD_SHORT);
  const md = mdOf(ad);
  const adCE = fitRma(md.yi, md.vi, { method: 'EE' });
  const adRE = fitRma(md.yi, md.vi, { method: 'REML' });
  const adCI = tau2ConfidenceInterval(adRE);
  const same = (a: RmaFit, b: RmaFit) => Math.abs(a.coefficients[0]!.estimate - b.coefficients[0]!.estimate) < 1e-8;
  nb.md(`## Antidepressants for low back pain (pain 0–100, ${md.yi.length} comparisons, MD)`);
  nb.table([
    ['model', 'pooled MD', '95% CI', 'τ̂² (Q-profile 95% CI)'],
    [
      'common effect',
      f2(adCE.coefficients[0]!.estimate),
      `${f2(adCE.coefficients[0]!.ciLower)} to ${f2(adCE.coefficients[0]!.ciUpper)}`,
      '0 (assumed)',
    ],
    [
      'random effects (REML)',
      f2(adRE.coefficients[0]!.estimate),
      `${f2(adRE.coefficients[0]!.ciLower)} to ${f2(adRE.coefficients[0]!.ciUpper)}`,
      `${f2(adRE.tau2)} (${f2(adCI.tau2.lower)} to ${f2(adCI.tau2.upper)})`,
    ],
  ]);
  nb.md(
    adRE.tau2 === 0
      ? check(same(adCE, adRE), 'With τ̂² = 0 the two models give identical numbers') +
          `. That is not evidence that the effect is the same everywhere: τ̂² = 0 is the boundary of the parameter space,
which the estimator reaches whenever the studies vary no more than their sampling errors predict, and the Q-profile
interval still allows τ up to ${f2(Math.sqrt(adCI.tau2.upper))} points on the 0–100 scale. (These rows also share
control arms, so they are not independent; course 6 returns to that.)`
      : `Here τ̂² = ${f2(adRE.tau2)}, with a Q-profile interval from ${f2(adCI.tau2.lower)} to ${f2(adCI.tau2.upper)}.`,
  );

  // ---------------------------------------------------------------- simulation: what the CIs cover
  const reps = 3000,
    k = 10,
    mu = 0.3;
  const tau2s = [0, 0.01, 0.03, 0.05, 0.1, 0.2];
  const rng = new Random(202);
  const rows: { x: number; y: number; lo: number; hi: number; series: string }[] = [];
  let zeroShare = 0;
  for (const t2 of tau2s) {
    const sim = simulateMetaAnalyses(rng, { reps, k, mu, tau2: t2, vi: (r) => 0.01 + 0.3 * r.next() });
    const fe = fitBatch(sim.yi, sim.vi, k, { method: 'EE' });
    const rz = fitBatch(sim.yi, sim.vi, k, { method: 'REML' });
    const rk = fitBatch(sim.yi, sim.vi, k, { method: 'REML', test: 'knha' });
    let hMu = 0,
      hCond = 0,
      hRe = 0,
      hKh = 0,
      zeros = 0;
    for (let j = 0; j < reps; j++) {
      let sw = 0,
        swt = 0;
      for (let i = j * k; i < j * k + k; i++) {
        sw += 1 / sim.vi[i]!;
        swt += sim.theta[i]! / sim.vi[i]!;
      }
      const cond = swt / sw;
      if (fe.ciLower[j]! <= mu && mu <= fe.ciUpper[j]!) hMu++;
      if (fe.ciLower[j]! <= cond && cond <= fe.ciUpper[j]!) hCond++;
      if (rz.ciLower[j]! <= mu && mu <= rz.ciUpper[j]!) hRe++;
      if (rk.ciLower[j]! <= mu && mu <= rk.ciUpper[j]!) hKh++;
      if (rz.tau2[j] === 0) zeros++;
    }
    if (t2 === 0.05) zeroShare = zeros / reps;
    for (const [series, hits] of [
      ['common effect: covers μ', hMu],
      ['common effect: covers Σwᵢθᵢ/Σwᵢ', hCond],
      ['random effects (REML, z): covers μ', hRe],
      ['random effects (REML, Knapp–Hartung): covers μ', hKh],
    ] as const) {
      const m = mcProportion(hits, reps);
      rows.push({ x: t2, y: m.estimate, lo: m.lower, hi: m.upper, series });
    }
  }
  nb.md(`## What each confidence interval covers, by simulation

${reps} meta-analyses per point (seed 202) of k = ${k} studies with μ = ${mu}, within-study variances uniform on
(0.01, 0.31) and τ² from 0 to ${tau2s.at(-1)}. For each, the common-effect CI is checked against two targets: μ, the
mean of the distribution of effects, and Σwᵢθᵢ/Σwᵢ, the weighted average of the true effects *of the studies in hand*
(wᵢ = 1/vᵢ), the quantity Rice, Higgins & Lumley (2018) argue the common-effect estimate actually estimates.`);
  await nb.figure(
    bandChart(rows, {
      xTitle: 'τ² (true between-study variance)',
      yTitle: 'coverage of the nominal 95% CI',
      yFormat: '.0%',
      reference: 0.95,
      sqrtX: true,
      xFormat: '~g',
      width: 420,
      height: 240,
    }),
    'coverage.svg',
    `Coverage of nominal 95% CIs against τ², k = ${k}, with Monte Carlo 95% bands (${reps} meta-analyses per point)`,
  );
  const at = (s: string, t2: number) => rows.find((r) => r.series.startsWith(s) && r.x === t2)!;
  const last = tau2s.at(-1)!;
  nb.md(
    `At τ² = ${last} the common-effect CI covers μ in ${pct(at('common effect: covers μ', last).y)} of meta-analyses: it
is too narrow for μ because it ignores the spread of the θᵢ. ` +
      check(
        tau2s.every(
          (t2) => at('common effect: covers Σ', t2).lo <= 0.95 && at('common effect: covers Σ', t2).hi >= 0.95,
        ),
        'For the weighted average of the studies in hand it covers 95% at every τ²',
      ) +
      ` (every band contains 95%): the common-effect analysis answers a narrower question correctly — what was the
average effect in *these* studies — and is wrong only when read as a statement about settings not studied. The
random-effects CI with z quantiles covers μ in ${pct(at('random effects (REML, z)', last).y)} at τ² = ${last} and
${pct(at('random effects (REML, z)', 0.05).y)} at 0.05; the Knapp–Hartung version in
${pct(at('random effects (REML, Knapp', last).y)} and ${pct(at('random effects (REML, Knapp', 0.05).y)} (course 5
covers these intervals in detail). With k = ${k} and τ² = 0.05, REML estimated τ̂² = 0 in ${pct(zeroShare)} of the
meta-analyses (course 4).`,
  );

  nb.takeaways([
    'The common-effect model estimates the weighted average effect of the studies in hand; its CI is right for that and too narrow for the mean of a distribution of effects when τ² > 0.',
    'The random-effects model estimates μ, the centre of the distribution of true effects, and τ, its spread, in the units of the effect measure. Report τ (and a prediction interval), not only μ.',
    'Random-effects weights add τ̂² to every vᵢ and so are more equal than common-effect weights: small studies gain weight, and the two estimates can differ when small and large studies differ.',
    'τ̂² = 0 means the studies vary no more than chance predicts, not that the effect is the same everywhere; look at the interval for τ².',
  ]);
  const three = [0, 1, 2];
  const y3 = three.map((i) => md.yi[i]!),
    v3 = three.map((i) => md.vi[i]!);
  const w3 = v3.map((v) => 1 / v);
  const ce3 = w3.reduce((a, w, i) => a + w * y3[i]!, 0) / w3.reduce((a, b) => a + b, 0);
  const t2x = 25;
  const w3r = v3.map((v) => 1 / (v + t2x));
  const re3 = w3r.reduce((a, w, i) => a + w * y3[i]!, 0) / w3r.reduce((a, b) => a + b, 0);
  nb.exercises([
    {
      q: `Take the first three antidepressant comparisons (${three.map((i) => `${md.labels[i]}: MD ${f2(md.yi[i])}, v ${f2(md.vi[i])}`).join('; ')}). Compute the common-effect estimate and its SE by hand.`,
      a: `w = ${w3.map((w) => w.toFixed(4)).join(', ')}; estimate Σwy/Σw = ${f2(ce3)}, SE = 1/√Σw = ${f2(1 / Math.sqrt(w3.reduce((a, b) => a + b, 0)))} (\`fitRma(yi, vi, { method: 'EE' })\`).`,
    },
    {
      q: `Redo the estimate with τ² = ${t2x} (points²). Which study gains weight, and why?`,
      a: `Weights 1/(v + ${t2x}) = ${w3r.map((w) => w.toFixed(4)).join(', ')}, estimate ${f2(re3)}. The study with the largest variance gains relative weight: adding the same τ² to every variance makes the variances, and so the weights, more alike.`,
    },
    {
      q: `For the knee-OA trials, what share of settings would have a true SMD below −0.5 (a moderate benefit or more), if μ and τ were known to be ${f2(r0.estimate)} and ${f2(tau)}?`,
      a: `Φ((−0.5 − μ)/τ) = Φ(${f2((-0.5 - r0.estimate) / tau)}) = ${pct(pnorm((-0.5 - r0.estimate) / tau))}.`,
    },
    {
      q: 'In the simulation, why does the common-effect CI cover Σwᵢθᵢ/Σwᵢ exactly 95% of the time whatever τ² is?',
      a: 'Its estimate is Σwᵢyᵢ/Σwᵢ with yᵢ = θᵢ + εᵢ, so estimate − Σwᵢθᵢ/Σwᵢ = Σwᵢεᵢ/Σwᵢ ~ N(0, 1/Σwᵢ) given the θᵢ: exactly the variance its CI uses. The θᵢ only move the target.',
    },
  ]);
  nb.references(['DerSimonian1986', 'Rice2018', 'Morris2019']);
  nb.save();
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
