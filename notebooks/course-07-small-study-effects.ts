/** Course 7: small-study effects — simulated publication selection; funnel plots, Egger's test, trim and fill, PET-PEESE. */
import { Random } from '../src/core/random.ts';
import { petPeese } from '../src/diagnostics/pet-peese.ts';
import { regressionTest } from '../src/diagnostics/egger.ts';
import { trimAndFill } from '../src/diagnostics/trim-and-fill.ts';
import { funnelData } from '../src/diagnostics/funnel.ts';
import { escalc, toEffectSet } from '../src/effects/escalc.ts';
import type { Measure } from '../src/effects/registry.ts';
import { loadDataset } from '../src/evidence/datasets.ts';
import { fitRma, type RmaFit } from '../src/models/rma.ts';
import { funnelSpec } from '../src/plots/diagnostic-plots.ts';
import { plotSpec } from '../src/plots/registry.ts';
import { mcMean, mcProportion, simulateMetaAnalyses } from '../src/simulation/meta-simulation.ts';
import { simulateContinuousTrials } from '../src/simulation/trials.ts';
import { dataset, HAYDEN_PAIN, KNEE_FUNCTION, KNEE_PAIN, SMT } from './course-data.ts';
import { bandChart, check, dotChart, f2, f3, Notebook, pct, type RunOptions } from './lib.ts';

/** Per-arm size drawn uniformly from 10 to 100: vᵢ = 2/n, the variance of an SMD near 0. */
const vi = (r: Random) => 2 / (10 + r.int(91));
/** Publication rule: "significant" positive results always, the others with probability `pi`. */
const selection = (pi: number) => (y: number, v: number, r: Random) =>
  y / Math.sqrt(v) > 1.959963984540054 || r.next() < pi;

/** Probability that a non-significant study is published. */
const PI = 0.1;

export async function run(options: RunOptions = {}): Promise<void> {
  const nb = new Notebook(
    'course-07-small-study-effects',
    'Course 7. Small-study effects and publication bias',
    'course-07-small-study-effects.ts',
    options,
  );
  nb.md(`When small studies show larger effects than large ones, the funnel plot — effects against their standard
errors — is asymmetric. Publication bias is one cause: a small study gets published when its result is
"significant", which for a small study means a large estimate. It is not the only cause: heterogeneity related to study
size, chance, and artefacts of the effect measure give asymmetry too, so asymmetry should not be equated with
publication bias (Sterne et al. 2011). This unit simulates publication selection and looks at what four tools do
with it: the funnel plot, Egger's regression test (Egger et al. 1997; here the classical weighted regression of yᵢ on
its SE, \`regressionTest(fit, { model: 'lm' })\`), trim and fill (Duval & Tweedie 2000) and PET-PEESE (Stanley &
Doucouliagos 2014).`);

  // ---------------------------------------------------------------- one simulated funnel
  const rng = new Random(707);
  const unpublished: { y: number; v: number }[] = [];
  const one = simulateMetaAnalyses(rng, {
    reps: 1,
    k: 30,
    mu: 0.2,
    tau2: 0,
    vi,
    select: (y, v, r) => {
      const published = selection(PI)(y, v, r);
      if (!published) unpublished.push({ y, v });
      return published;
    },
  });
  const oneFit = fitRma(one.yi, one.vi, { method: 'REML' });
  await nb.figure(
    funnelSpec(
      { ...funnelData(oneFit, true), seMax: 1.05 * Math.sqrt(Math.max(...one.vi, ...unpublished.map((u) => u.v))) },
      {
        xTitle: 'effect (SMD)',
        labels: Array.from(one.yi, (_, i) => `study ${i + 1}`),
        filled: { yi: unpublished.map((u) => u.y), sei: unpublished.map((u) => Math.sqrt(u.v)) },
      },
    ),
    'funnel-selection.svg',
    `One simulated meta-analysis with publication selection (true SMD 0.2, no heterogeneity): ${one.yi.length} published studies (filled) and the ${unpublished.length} drawn but not published (hollow); the funnel is centred on 0 with the 90%, 95% and 99% significance contours`,
  );
  nb.md(
    `The funnel above is one draw (seed 707): studies are drawn from a common true SMD of 0.2 with per-arm sizes
from 10 to 100; a study whose result is significant in the positive direction (z > 1.96) is always published, any
other with probability ${PI}. ${one.drawn} studies were drawn to publish ${one.yi.length}. The published small studies sit
in the right-hand, "significant" region; the missing ones are the small studies near or below 0. The pooled estimate
of the published studies is ${f3(oneFit.coefficients[0]!.estimate)} (REML) against the true 0.2.`,
  );

  // ---------------------------------------------------------------- the methods by simulation
  const reps = 1000,
    k = 20;
  const scenarios = [
    { name: 'A: μ = 0.2, no selection', mu: 0.2, tau2: 0, pi: 1 },
    { name: 'B: μ = 0.2, selection', mu: 0.2, tau2: 0, pi: PI },
    { name: 'C: μ = 0, selection', mu: 0, tau2: 0, pi: PI },
    { name: 'D: μ = 0.2, τ² = 0.05, no selection', mu: 0.2, tau2: 0.05, pi: 1 },
    { name: 'E: μ = 0.2, τ² = 0.05, selection', mu: 0.2, tau2: 0.05, pi: PI },
  ];
  const methods = ['random effects (REML)', 'trim and fill', 'PET', 'PEESE', 'PET-PEESE'] as const;
  const biasRows: { cat: string; y: number; lo: number; hi: number; series: string }[] = [];
  const covRows: typeof biasRows = [];
  const testRows: { scenario: string; egger: string; tf: string; k0: string; drawn: string; drawnRatio: number }[] = [];
  const widths = new Map<string, number>();
  const eggerRate = new Map<string, number>(),
    tfRate = new Map<string, number>();
  for (const sc of scenarios) {
    const sim = simulateMetaAnalyses(rng, {
      reps,
      k,
      mu: sc.mu,
      tau2: sc.tau2,
      vi,
      ...(sc.pi < 1 ? { select: selection(sc.pi) } : {}),
    });
    const est: Record<(typeof methods)[number], Float64Array> = {
      'random effects (REML)': new Float64Array(reps),
      'trim and fill': new Float64Array(reps),
      PET: new Float64Array(reps),
      PEESE: new Float64Array(reps),
      'PET-PEESE': new Float64Array(reps),
    };
    const width: Record<(typeof methods)[number], number> = {
      'random effects (REML)': 0,
      'trim and fill': 0,
      PET: 0,
      PEESE: 0,
      'PET-PEESE': 0,
    };
    const cover: Record<(typeof methods)[number], number> = {
      'random effects (REML)': 0,
      'trim and fill': 0,
      PET: 0,
      PEESE: 0,
      'PET-PEESE': 0,
    };
    let egger = 0,
      filled = 0,
      k0sum = 0;
    for (let j = 0; j < reps; j++) {
      const fit = fitRma(sim.yi.subarray(j * k, j * k + k), sim.vi.subarray(j * k, j * k + k), { method: 'REML' });
      const tf = trimAndFill(fit);
      const pp = petPeese(fit);
      if (pp.pet.pValue < 0.05) egger++; // PET's slope test is Egger's classical test
      if (tf.k0 > 0) filled++;
      k0sum += tf.k0;
      const ests: Record<(typeof methods)[number], { estimate: number; ciLower: number; ciUpper: number }> = {
        'random effects (REML)': fit.coefficients[0]!,
        'trim and fill': tf.fit.coefficients[0]!,
        PET: pp.pet.limit,
        PEESE: pp.peese.limit,
        'PET-PEESE': pp.estimate,
      };
      for (const m of methods) {
        est[m][j] = ests[m].estimate;
        width[m] += (ests[m].ciUpper - ests[m].ciLower) / reps;
        if (ests[m].ciLower <= sc.mu && sc.mu <= ests[m].ciUpper) cover[m]++;
      }
    }
    for (const m of methods) {
      const b = mcMean(Float64Array.from(est[m], (x) => x - sc.mu));
      biasRows.push({ cat: sc.name, y: b.estimate, lo: b.lower, hi: b.upper, series: m });
      const c = mcProportion(cover[m], reps);
      covRows.push({ cat: sc.name, y: c.estimate, lo: c.lower, hi: c.upper, series: m });
    }
    for (const m of methods) widths.set(`${sc.name.slice(0, 1)} ${m}`, width[m]);
    eggerRate.set(sc.name, egger / reps);
    tfRate.set(sc.name, filled / reps);
    testRows.push({
      scenario: sc.name,
      egger: pct(egger / reps),
      tf: pct(filled / reps),
      k0: f2(k0sum / reps),
      drawn: f2(sim.drawn / (reps * k)),
      drawnRatio: sim.drawn / (reps * k),
    });
  }
  nb.md(`## What the methods do, by simulation

${reps} meta-analyses of k = ${k} published studies per scenario (seed 707), per-arm sizes 10 to 100, the publication
rule above ("selection": non-significant studies published with probability ${PI}) or none:`);
  nb.table([
    [
      'scenario',
      'studies drawn per published',
      "Egger's test p < 0.05",
      'trim and fill adds studies',
      'mean studies added',
    ],
    ...testRows.map((r) => [r.scenario, r.drawn, r.egger, r.tf, r.k0]),
  ]);
  await nb.figure(
    dotChart(biasRows, { xTitle: 'bias of the estimate of μ (mean estimate − μ)', reference: 0, width: 360 }),
    'bias.svg',
    `Bias of five estimators of μ under five scenarios, with Monte Carlo 95% intervals (${reps} meta-analyses of ${k} studies each)`,
  );
  const b = (sc: string, m: string) => biasRows.find((r) => r.cat.startsWith(sc) && r.series === m)!;
  const c = (sc: string, m: string) => covRows.find((r) => r.cat.startsWith(sc) && r.series === m)!;
  const er = (sc: string) => [...eggerRate.entries()].find(([n]) => n.startsWith(sc))![1];
  const tr = (sc: string) => [...tfRate.entries()].find(([n]) => n.startsWith(sc))![1];
  const RE = 'random effects (REML)';
  const removed = (sc: string, m: string) => pct(1 - b(sc, m).y / b(sc, RE).y, 0);
  nb.md(
    `- **Without selection** (A), Egger's test rejects in ${pct(er('A'))} of meta-analyses and the random-effects estimate
  is ${check(Math.abs(b('A', RE).y) < 0.01, 'unbiased')} (bias ${f3(b('A', RE).y)}); PET and PEESE are nearly so (${f3(b('A', 'PET').y)},
  ${f3(b('A', 'PEESE').y)}), but ${check(
    Math.abs(b('A', 'PET-PEESE').y) > Math.max(Math.abs(b('A', 'PET').y), Math.abs(b('A', 'PEESE').y)) &&
      b('A', 'PET-PEESE').hi < 0,
    'PET-PEESE is biased downwards, more than either of its parts',
  )} (${f3(b('A', 'PET-PEESE').y)}): choosing between two estimators by a test on the same data is itself a source of bias.
  Trim and fill adds studies in ${pct(tr('A'))} of these meta-analyses, which miss nothing.
- **With selection** (B), ${pct(1 / testRows[1]!.drawnRatio, 0)} of the studies drawn are published, and the random-effects estimate is
  biased by ${f3(b('B', RE).y)}: ${pct(b('B', RE).y / 0.2, 0)} of the true 0.2. Trim and fill removes ${removed('B', 'trim and fill')} of that bias,
  PEESE ${removed('B', 'PEESE')}, PET and PET-PEESE nearly all of it (${f3(b('B', 'PET').y)}, ${f3(b('B', 'PET-PEESE').y)}). Egger's test detects
  the asymmetry in ${pct(er('B'))}.
- **A null effect with selection** (C) produces a pooled effect of ${f3(b('C', RE).y)} from nothing; the random-effects CI
  covers the true 0 in ${pct(c('C', RE).y)} of meta-analyses. Trim and fill leaves the bias as it is (${f3(b('C', 'trim and fill').y)}),
  PET-PEESE removes it (${f3(b('C', 'PET-PEESE').y)}), and ${check(er('C') < 0.1, "Egger's test, which should flag the problem, rejects in fewer than 10%")} (${pct(er('C'))}).
- **Heterogeneity without selection** (D): Egger's test rejects in ${pct(er('D'))}; trim and fill adds studies in ${pct(tr('D'))},
  and ${check(
    c('D', 'trim and fill').hi < c('D', RE).lo,
    'its CI covers μ less often than the unadjusted one',
  )} (${pct(c('D', 'trim and fill').y)} vs ${pct(c('D', RE).y)}). Terrin et al. (2003) and Peters et al. (2007) found that with
  heterogeneous studies trim and fill can adjust for publication bias that does not exist; Peters et al. recommend it as
  a sensitivity analysis.
- **Heterogeneity with selection** (E): random effects ${f3(b('E', RE).y)}, trim and fill ${f3(b('E', 'trim and fill').y)}, PET
  ${f3(b('E', 'PET').y)}, PET-PEESE ${f3(b('E', 'PET-PEESE').y)}: ${check(
    b('E', 'PET-PEESE').lo > 0,
    'no method removes the bias when heterogeneity and selection combine',
  )}.

` +
      check(
        ['B', 'C', 'E'].every((sc) => Math.abs(b(sc, 'PET-PEESE').y) < Math.abs(b(sc, 'trim and fill').y)),
        'Under selection PET-PEESE is less biased than trim and fill in all three scenarios',
      ) +
      `. Its price is precision: in scenario A its 95% CI is on average ${f2(widths.get(`A PET-PEESE`)! / widths.get(`A ${RE}`)!)} times as wide as the
random-effects CI (figure below).`,
  );
  await nb.figure(
    dotChart(covRows, { xTitle: 'coverage of the 95% CI for μ', xFormat: '.0%', reference: 0.95, width: 360 }),
    'coverage.svg',
    `Coverage of the 95% CI for μ by each estimator, with Monte Carlo 95% intervals (${reps} meta-analyses per scenario)`,
  );

  // ---------------------------------------------------------------- the SMD artefact
  const deltas = [0, 0.4, 0.8, 1.2];
  const smdRows: { x: number; y: number; lo: number; hi: number; series: string }[] = [];
  const smdReps = 1000,
    kS = 20;
  for (const delta of deltas) {
    const sim = simulateContinuousTrials(rng, { reps: smdReps, k: kS, mu: delta, tau2: 0, n1: (r) => 5 + r.int(26) });
    const es = escalc(
      'SMD',
      sim.columns,
      Array.from({ length: smdReps * kS }, (_, i) => `t${i}`),
    );
    let usual = 0,
      modified = 0;
    for (let j = 0; j < smdReps; j++) {
      const s = j * kS;
      const fit = fitRma(es.yi.subarray(s, s + kS), es.vi.subarray(s, s + kS), { method: 'REML' });
      if (regressionTest(fit, { model: 'lm' }).pValue < 0.05) usual++;
      // Pustejovsky & Rodgers (2019): the SE without its d² term, √(1/n₁ + 1/n₂) = 1/√ñ with ñ = n₁n₂/(n₁ + n₂)
      const ni = Array.from({ length: kS }, (_, i) => {
        const n1 = sim.columns.n1i[s + i]!,
          n2 = sim.columns.n2i[s + i]!;
        return (n1 * n2) / (n1 + n2);
      });
      if (regressionTest(fit, { model: 'lm', predictor: 'sqrtninv', ni }).pValue < 0.05) modified++;
    }
    for (const [series, hits] of [
      ["Egger's test on the usual SE of g", usual],
      ['on √(1/n₁ + 1/n₂) (Pustejovsky & Rodgers 2019)', modified],
    ] as const) {
      const m = mcProportion(hits, smdReps);
      smdRows.push({ x: delta, y: m.estimate, lo: m.lower, hi: m.upper, series });
    }
  }
  nb.md(`## An artefact of the SMD

The variance of Hedges' g contains g² (course 1), so a trial that overestimates δ also gets a larger SE: estimate and
SE are correlated without any selection. ${smdReps} meta-analyses of ${kS} simulated trials per δ (per-arm sizes 5 to 30,
no heterogeneity, **no selection**):`);
  await nb.figure(
    bandChart(smdRows, {
      xTitle: 'true SMD δ',
      yTitle: "P(Egger's test p < 0.05)",
      yFormat: '.0%',
      reference: 0.05,
      width: 380,
    }),
    'smd-artefact.svg',
    `False-positive rate of Egger's test for SMDs without any selection, with Monte Carlo 95% bands (${smdReps} meta-analyses per point)`,
  );
  const sAt = (d: number, s: string) => smdRows.find((r) => r.x === d && r.series.startsWith(s))!;
  const dTop = deltas.at(-1)!;
  nb.md(
    `At δ = ${dTop} the usual test "detects" asymmetry in ${pct(sAt(dTop, 'Egger').y)} of meta-analyses that contain none;
with the SE replaced by √(1/n₁ + 1/n₂), which does not depend on g, in ${pct(sAt(dTop, 'on').y)}. ` +
      check(
        deltas.every((d) => sAt(d, 'on').lo <= 0.05),
        'The modified test stays at or below its nominal 5%, within Monte Carlo error, at every δ here',
      ) +
      `, in line with Pustejovsky & Rodgers (2019), who found the conventional tests inflated and the modified SE close
to nominal. Use it for SMDs (\`regressionTest(fit, { predictor: 'sqrtninv', ni })\`
with ñᵢ = n₁n₂/(n₁ + n₂)).`,
  );

  // ---------------------------------------------------------------- real data
  const realSets: [string, string, Measure][] = [
    [KNEE_PAIN, 'knee OA, pain', 'SMD'],
    [KNEE_FUNCTION, 'knee OA, function', 'SMD'],
    [SMT, 'spinal manipulation', 'MD'],
    [HAYDEN_PAIN, 'Hayden, pain', 'GEN'],
  ];
  const real = realSets.map(([name, title, m]) => {
    const d = dataset(name);
    const es = toEffectSet(escalc(m, d.columns, d.labels));
    const fit = fitRma(es.yi, es.vi, { method: 'REML' });
    const n1 = d.columns.n1i,
      n2 = d.columns.n2i;
    const modified =
      m === 'SMD' && n1 && n2
        ? regressionTest(fit, {
            model: 'lm',
            predictor: 'sqrtninv',
            ni: es.rows.map((r) => (n1[r]! * n2[r]!) / (n1[r]! + n2[r]!)),
          })
        : null;
    return { name, title, m, fit, pp: petPeese(fit), tf: trimAndFill(fit), modified };
  });
  nb.md(`## The course's datasets

Egger's test, its SMD-appropriate version, trim and fill and PET-PEESE on four datasets (REML; estimates on the scale of
the measure, negative favours the intervention):`);
  nb.table([
    [
      'data',
      'k',
      'random effects',
      "Egger's test p (usual SE)",
      'p with √(1/n₁ + 1/n₂)',
      'trim and fill: k0, estimate',
      'PET',
      'PEESE',
      'PET-PEESE picks',
    ],
    ...real.map((r) => [
      `${r.title} (${r.m === 'GEN' ? 'MD' : r.m})`,
      r.fit.k,
      f3(r.fit.coefficients[0]!.estimate),
      f3(r.pp.pet.pValue),
      r.modified ? f3(r.modified.pValue) : '—',
      `${r.tf.k0} (${r.tf.side}), ${f3(r.tf.fit.coefficients[0]!.estimate)}`,
      f3(r.pp.pet.limit.estimate),
      f3(r.pp.peese.limit.estimate),
      r.pp.selected,
    ]),
  ]);
  const kp = real[0]!;
  await nb.figure(
    await plotSpec('funnel', {
      table: dataset(KNEE_PAIN).table,
      analysis: { measure: 'SMD' },
      context: { measure: loadDataset(KNEE_PAIN).provenance.measure },
      contour: true,
      trimfill: true,
    }),
    'funnel-knee.svg',
    `Contour-enhanced funnel plot of the knee-OA pain trials (SMD, REML; centred on 0 with the 90%, 95% and 99% significance contours)${kp.tf.k0 ? ', with the trials trim and fill adds (hollow)' : ''}; from the plot registry`,
  );
  nb.md(
    `For knee-OA pain, the usual Egger test gives p = ${f3(kp.pp.pet.pValue)}, and the version that removes the SMD artefact
p = ${f3(kp.modified!.pValue)}: ${check(
      kp.pp.pet.pValue < 0.05 && kp.modified!.pValue >= 0.05,
      'the asymmetry the usual test finds is not significant once the artefact is removed',
    )} (knee-OA function: ${f3(real[1]!.pp.pet.pValue)} and ${f3(real[1]!.modified!.pValue)}). Trim and fill
${kp.tf.k0 === 0 ? 'adds no trial' : `adds ${kp.tf.k0} trials on the ${kp.tf.side}, moving the estimate from ${f3(kp.fit.coefficients[0]!.estimate)} to ${f3(kp.tf.fit.coefficients[0]!.estimate)}`}
for pain; for spinal manipulation it adds ${real[2]!.tf.k0} on the ${real[2]!.tf.side}, which would move the pooled MD from
${f3(real[2]!.fit.coefficients[0]!.estimate)} to ${f3(real[2]!.tf.fit.coefficients[0]!.estimate)} points${real[2]!.tf.side === 'left' ? ': on the side of larger benefits, because there the small trials show smaller benefits than the large ones. Trim and fill fills whichever side the asymmetry points to, whether or not selective publication could have removed trials there' : ''}. ${check(
      real.every((r) => r.fit.QEp < 0.05),
      'Every one of these datasets is heterogeneous',
    )} (course 3), and no method here can tell publication bias from heterogeneity that happens to go with study size. Sterne et
al. (2011) advise tests only with at least 10 studies and reading asymmetry as a possible small-study effect, not as
proof of publication bias.`,
  );

  nb.takeaways([
    'Funnel-plot asymmetry means small studies differ from large ones; publication bias is one possible cause among several (heterogeneity, chance, the effect measure).',
    "Egger's test has about its nominal size without selection and limited power with 20 studies; on SMDs the usual version has an inflated false-positive rate, and the SE √(1/n₁ + 1/n₂) fixes it (for the knee-OA trials it changes the verdict).",
    'Trim and fill removed part of the bias from selection or none of it, and adds "missing" studies to meta-analyses that miss nothing: a sensitivity analysis, not a correction.',
    'PET-PEESE removed more of the bias from selection than trim and fill in every scenario here, at the price of much wider intervals, and is itself biased when there is no selection; no method removes the bias when selection and heterogeneity combine.',
  ]);
  const f: RmaFit = kp.fit;
  nb.exercises([
    {
      q: "Egger's test is the test of the slope in a weighted regression of yᵢ on SEᵢ. What is its intercept, and why is PET the same regression?",
      a: `The intercept is the predicted effect of a study with SE = 0, an infinitely large study; PET (precision-effect test) takes that intercept as the effect corrected for small-study effects. For knee-OA pain: slope p = ${f3(kp.pp.pet.pValue)}, intercept ${f3(kp.pp.pet.limit.estimate)} (95% CI ${f3(kp.pp.pet.limit.ciLower)} to ${f3(kp.pp.pet.limit.ciUpper)}).`,
    },
    {
      q: 'In scenario C (no effect, selection), what would a reader who ignores publication bias conclude?',
      a: `That the treatment works: the pooled random-effects estimate is ${f3(b('C', 'random effects (REML)').y)} and its CI excludes the true 0 in ${pct(1 - c('C', 'random effects (REML)').y)} of meta-analyses.`,
    },
    {
      q: 'Why does trim and fill add studies in scenario D, where nothing is missing?',
      a: 'With heterogeneity, some small studies have large true effects by chance; the funnel is then asymmetric in any one meta-analysis, and trim and fill, which assumes that all asymmetry comes from missing studies, imputes mirror images of the extreme ones.',
    },
    {
      q: `The knee-OA pain meta-analysis has k = ${f.k}. Would you report the trim-and-fill estimate as the effect of exercise?`,
      a: 'No: report the random-effects estimate, and the trim-and-fill and PET-PEESE estimates as sensitivity analyses that show how much a small-study effect could matter, with the heterogeneity (τ, prediction interval) beside them.',
    },
  ]);
  nb.references(['Sterne2011', 'Egger1997', 'Duval2000', 'Stanley2014', 'Terrin2003', 'Peters2007', 'Pustejovsky2019']);
  nb.save();
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
