/** Course 3: heterogeneity — Q, I², τ², why I² is not an absolute measure, prediction intervals and their coverage. */
import { Random } from '../src/core/random.ts';
import { critical, pnorm } from '../src/distributions/index.ts';
import { escalc, toEffectSet } from '../src/effects/escalc.ts';
import type { Measure } from '../src/effects/registry.ts';
import { predict } from '../src/inference/prediction.ts';
import { tau2ConfidenceInterval } from '../src/inference/tau2-interval.ts';
import { fitBatch } from '../src/models/batch.ts';
import { fitRma } from '../src/models/rma.ts';
import { mcMean, mcProportion, simulateMetaAnalyses } from '../src/simulation/meta-simulation.ts';
import {
  AD_IMMEDIATE,
  AD_SHORT,
  dataset,
  HAYDEN_FUNCTION,
  HAYDEN_PAIN,
  KNEE_FUNCTION,
  KNEE_PAIN,
  SMT,
} from './course-data.ts';
import { bandChart, check, f2, f3, Notebook, pct, type RunOptions } from './lib.ts';

/** Typical within-study variance of Higgins & Thompson (2002): (k − 1)Σw / ((Σw)² − Σw²), w = 1/v. */
function typicalVariance(vi: ArrayLike<number>): number {
  let sw = 0,
    sw2 = 0;
  for (let i = 0; i < vi.length; i++) {
    const w = 1 / (vi[i] as number);
    sw += w;
    sw2 += w * w;
  }
  return ((vi.length - 1) * sw) / (sw * sw - sw2);
}

export async function run(options: RunOptions = {}): Promise<void> {
  const nb = new Notebook(
    'course-03-heterogeneity',
    'Course 3. Heterogeneity: Q, I², τ² and prediction intervals',
    'course-03-heterogeneity.ts',
    options,
  );
  nb.md(`Studies disagree for two reasons: sampling error, and real differences in the effect (τ² > 0, course 2). Four
numbers describe the second (Higgins & Thompson 2002; Higgins et al. 2003):

- Cochran's **Q** = Σwᵢ(yᵢ − ȳ_w)², wᵢ = 1/vᵢ, and its test against χ² on k − 1 df: is there more spread than sampling error explains?
- **I²** = (Q − (k − 1))/Q, truncated at 0: the share of the observed spread that is not sampling error. metafor, and
  evsynth, compute it as τ̂²/(τ̂² + s̃²) with the model's τ̂² and the "typical" within-study variance
  s̃² = (k − 1)Σwᵢ/((Σwᵢ)² − Σwᵢ²); with the DerSimonian–Laird τ̂² the two definitions agree.
- **τ²** (and τ): the variance of the true effects, in the units of the effect measure.
- the **prediction interval**: where the true effect of a new study is expected to lie (Higgins, Thompson &
  Spiegelhalter 2009).

The point of this unit: I² is a *ratio*, and its denominator depends on how large the studies are, so it is not a
measure of how much the effects differ (Rücker et al. 2008; Borenstein et al. 2017).`);

  // ---------------------------------------------------------------- real data
  const sets: [string, string, Measure][] = [
    [KNEE_PAIN, 'knee OA, pain', 'SMD'],
    [KNEE_FUNCTION, 'knee OA, function', 'SMD'],
    [AD_IMMEDIATE, 'antidepressants, pain ≤ 4 weeks', 'MD'],
    [AD_SHORT, 'antidepressants, pain 4–16 weeks', 'MD'],
    [SMT, 'spinal manipulation, pain', 'MD'],
    [SMT, 'spinal manipulation, pain', 'SMD'],
    [HAYDEN_PAIN, 'exercise for LBP (Hayden), pain', 'GEN'],
    [HAYDEN_FUNCTION, 'exercise for LBP (Hayden), function', 'GEN'],
  ];
  const fits = sets.map(([name, label, m]) => {
    const d = dataset(name);
    const es = toEffectSet(escalc(m, d.columns, d.labels));
    const f = fitRma(es.yi, es.vi, { method: 'REML' });
    return {
      label,
      m,
      es,
      f,
      ci: tau2ConfidenceInterval(f),
      pi: predict(f, undefined, 'riley'),
      s2: typicalVariance(es.vi),
    };
  });
  const dlKnee = fitRma(fits[0]!.es.yi, fits[0]!.es.vi, { method: 'DL' });
  nb.md(`## Heterogeneity in the course's datasets (REML; I² and τ² with Q-profile 95% CIs)`);
  nb.table([
    ['data', 'measure', 'k', 'Q (p)', 'I²', 'τ̂', 's̃²', 'pooled', 'PI, t(k − 2)'],
    ...fits.map(({ label, m, es, f, ci, pi, s2 }) => [
      label,
      m === 'GEN' ? 'MD (unstated scale)' : m,
      es.yi.length,
      `${f2(f.QE)} (${f.QEp < 0.001 ? '<0.001' : f3(f.QEp)})`,
      `${f.I2.toFixed(0)}% (${ci.I2.lower.toFixed(0)} to ${ci.I2.upper.toFixed(0)})`,
      `${f3(f.tau)} (${f3(ci.tau.lower)} to ${f3(ci.tau.upper)})`,
      f3(s2),
      f2(f.coefficients[0]!.estimate),
      `${f2(pi.piLower)} to ${f2(pi.piUpper)}`,
    ]),
  ]);
  const smtMD = fits[4]!,
    smtSMD = fits[5]!;
  nb.md(
    `${check(
      Math.abs(dlKnee.I2 - (100 * (dlKnee.QE - dlKnee.QEdf)) / dlKnee.QE) < 1e-9,
      'With DerSimonian–Laird, τ̂²/(τ̂² + s̃²) equals (Q − df)/Q',
    )} (knee OA, pain: ${f2(dlKnee.I2)}% both ways). Read the table across rows and the trouble with I² shows:

- the same ${smtMD.es.yi.length} spinal-manipulation comparisons have I² = ${smtMD.f.I2.toFixed(0)}% as mean differences and
  ${smtSMD.f.I2.toFixed(0)}% as SMDs: changing the measure changes each vᵢ relative to the spread of the yᵢ;
- τ̂ is in the units of the measure: ${f2(smtMD.f.tau)} points on the 0–100 pain scale for spinal manipulation,
  ${f2(fits[2]!.f.tau)} points for antidepressants at ≤ 4 weeks, ${f2(fits[0]!.f.tau)} SD units for exercise in knee OA. Only
  the first two are comparable, and they say what I² cannot: how far apart the true effects are;
- the intervals for I² are wide with few studies: for the antidepressants at 4–16 weeks I² = ${fits[3]!.f.I2.toFixed(0)}%
  with a 95% CI up to ${fits[3]!.ci.I2.upper.toFixed(0)}%.`,
  );

  // ---------------------------------------------------------------- I² is not absolute: Rücker's inflation
  const base = fits[2]!; // antidepressants ≤ 4 weeks
  const tau2 = base.f.tau2,
    mu = base.f.coefficients[0]!.estimate;
  const Ms = [1, 3, 10, 30, 100];
  const reps = 2000;
  const rng = new Random(303);
  const i2Rows: { x: number; y: number; lo: number; hi: number; series: string }[] = [];
  const t2Rows: typeof i2Rows = [];
  const kB = base.es.yi.length;
  const zeroAt = new Map<number, number>();
  for (const M of Ms) {
    const vi = Float64Array.from(base.es.vi, (v) => v / M);
    const yi = new Float64Array(reps * kB),
      vv = new Float64Array(reps * kB);
    const sd = Math.sqrt(tau2);
    for (let j = 0; j < reps; j++)
      for (let i = 0; i < kB; i++) {
        vv[j * kB + i] = vi[i]!;
        yi[j * kB + i] = mu + sd * rng.normal() + Math.sqrt(vi[i]!) * rng.normal();
      }
    const i2 = new Float64Array(reps),
      t2 = new Float64Array(reps);
    let zeros = 0;
    for (let j = 0; j < reps; j++) {
      const f = fitRma(yi.subarray(j * kB, j * kB + kB), vv.subarray(j * kB, j * kB + kB), { method: 'REML' });
      i2[j] = f.I2 / 100;
      t2[j] = f.tau2;
      if (f.tau2 === 0) zeros++;
    }
    zeroAt.set(M, zeros / reps);
    const mi = mcMean(i2),
      mt = mcMean(t2);
    const truth = tau2 / (tau2 + typicalVariance(vi));
    i2Rows.push({ x: M, y: mi.estimate, lo: mi.lower, hi: mi.upper, series: 'mean of the estimated I²' });
    i2Rows.push({ x: M, y: truth, lo: truth, hi: truth, series: 'I² of the true τ², τ²/(τ² + s̃²)' });
    t2Rows.push({ x: M, y: mt.estimate, lo: mt.lower, hi: mt.upper, series: 'mean of τ̂² (REML)' });
  }
  nb.md(`## I² is not an absolute measure: the same τ², larger trials

Following Rücker et al. (2008), take a real meta-analysis — the ${kB} antidepressant comparisons at ≤ 4 weeks, with
μ̂ = ${f2(mu)} and τ̂² = ${f3(tau2)} points² (τ̂ = ${f2(Math.sqrt(tau2))} points on a 0–100 scale) — and simulate it
again with every trial M times as large (vᵢ/M), keeping μ and τ² fixed: ${reps} meta-analyses per M (seed 303), REML.`);
  await nb.figure(
    bandChart(i2Rows, {
      xTitle: 'M: every trial M times as large',
      yTitle: 'I²',
      yFormat: '.0%',
      logX: true,
      width: 380,
      yDomain: [0, 1],
    }),
    'i2-inflation.svg',
    `I² when every trial is M times as large and τ² stays ${f3(tau2)}, with Monte Carlo 95% bands (${reps} meta-analyses per point)`,
  );
  await nb.figure(
    bandChart(t2Rows, {
      xTitle: 'M: every trial M times as large',
      yTitle: 'τ̂² (points²)',
      yFormat: '.2f',
      reference: tau2,
      logX: true,
      width: 380,
    }),
    'tau2-inflation.svg',
    `τ̂² (REML) in the same simulation; the dashed line is the true τ² = ${f3(tau2)} (Monte Carlo 95% bands)`,
  );
  const iAt = (M: number, s: string) => i2Rows.find((r) => r.x === M && r.series.startsWith(s))!;
  const tAt = (M: number) => t2Rows.find((r) => r.x === M)!;
  nb.md(
    `The true heterogeneity never changes, yet the I² it implies rises from ${pct(iAt(1, 'I² of').y)} with the real trial
sizes to ${pct(iAt(100, 'I² of').y)} with trials 100 times as large, and the average estimate follows it
(${pct(iAt(1, 'mean').y)} to ${pct(iAt(100, 'mean').y)}): ` +
      check(
        iAt(1, 'I² of').y < 0.4 && iAt(100, 'I² of').y >= 0.75,
        `from "might not be important" to "considerable" in the Cochrane Handbook's rough guide (§10.10.2)`,
      ) +
      `, for a τ of ${f2(Math.sqrt(tau2))} points, about a hundredth of the scale. τ̂² does not inflate: ` +
      check(tAt(100).lo <= tau2 && tAt(100).hi >= tau2, `with large trials its band contains the true ${f3(tau2)}`) +
      `. ` +
      check(tAt(1).lo > tau2, `With the real trial sizes its mean is above the truth`) +
      ` (${f3(tAt(1).y)}): REML estimates τ² = 0 in ${pct(zeroAt.get(1)!)} of those meta-analyses, and because no
estimate can fall below 0, the errors of the others are not cancelled. This is why Rücker et al. (2008) call τ², not
I², the measure for judging whether heterogeneity matters, and why Borenstein et al. (2017) ask for prediction
intervals instead of I².`,
  );

  // ---------------------------------------------------------------- I² with few studies and the power of Q
  const ks = [5, 10, 20, 40];
  const trueI2 = [0, 0.25, 0.5, 0.75];
  const v = 0.1;
  const biasRows: { x: number; y: number; lo: number; hi: number; series: string }[] = [];
  const powerRows: typeof biasRows = [];
  const zeroRows: { k: number; I2: number; zero: number }[] = [];
  const r2 = new Random(304);
  for (const I2 of trueI2)
    for (const k of ks) {
      const t2 = (v * I2) / (1 - I2);
      const sim = simulateMetaAnalyses(r2, { reps, k, mu: 0.3, tau2: t2, vi: v });
      const dev = new Float64Array(reps);
      let rej = 0,
        zero = 0;
      for (let j = 0; j < reps; j++) {
        const f = fitRma(sim.yi.subarray(j * k, j * k + k), sim.vi.subarray(j * k, j * k + k), { method: 'DL' });
        dev[j] = f.I2 / 100 - I2;
        if (f.QEp < 0.05) rej++;
        if (f.I2 === 0) zero++;
      }
      const b = mcMean(dev),
        p = mcProportion(rej, reps);
      const series = `true I² = ${Math.round(100 * I2)}%`;
      biasRows.push({ x: k, y: b.estimate, lo: b.lower, hi: b.upper, series });
      powerRows.push({ x: k, y: p.estimate, lo: p.lower, hi: p.upper, series });
      zeroRows.push({ k, I2, zero: zero / reps });
    }
  nb.md(`## I² with few studies, and the power of the Q test

${reps} meta-analyses per point (seed 304) of k equally precise studies (vᵢ = ${v}, so s̃² = ${v} and the true I² is
τ²/(τ² + ${v})), I² = (Q − df)/Q and the Q test at 5%.`);
  await nb.figure(
    bandChart(biasRows, {
      xTitle: 'studies (k)',
      yTitle: 'mean of Î² − true I²',
      yFormat: '.0%',
      reference: 0,
      logX: true,
      width: 340,
    }),
    'i2-bias.svg',
    `Bias of I² by the number of studies, with Monte Carlo 95% bands (${reps} meta-analyses per point)`,
  );
  const bAt = (k: number, I2: number) =>
    biasRows.find((r) => r.x === k && r.series === `true I² = ${Math.round(100 * I2)}%`)!;
  const zAt = (k: number, I2: number) => zeroRows.find((r) => r.k === k && r.I2 === I2)!.zero;
  nb.md(
    `With no heterogeneity at all, I² averages ${pct(bAt(5, 0).y)} at k = 5 (it cannot be negative, so its errors cannot
cancel); with a true I² of 75% it averages ${pct(0.75 + bAt(5, 0.75).y)} at k = 5. ` +
      check(
        bAt(5, 0).lo > 0 &&
          trueI2.slice(1).every((I2) => bAt(5, I2).hi < 0) &&
          trueI2.every((I2) => Math.abs(bAt(40, I2).y) < Math.abs(bAt(5, I2).y)),
        'At k = 5 it is biased upwards when there is no heterogeneity and downwards at every true I² simulated here, and the bias is smaller at k = 40',
      ) +
      `: the usual estimator of I² is biased in small meta-analyses (von Hippel 2015). Single estimates scatter widely: at k = 5 with a true I² of 50%,
${pct(zAt(5, 0.5))} of the meta-analyses report I² = 0.`,
  );
  await nb.figure(
    bandChart(powerRows, {
      xTitle: 'studies (k)',
      yTitle: 'P(Q test p < 0.05)',
      yFormat: '.0%',
      reference: 0.05,
      logX: true,
      width: 340,
    }),
    'q-power.svg',
    `Rejection rate of the Q test at 5%, with Monte Carlo 95% bands (${reps} meta-analyses per point)`,
  );
  const pAt = (k: number, I2: number) =>
    powerRows.find((r) => r.x === k && r.series === `true I² = ${Math.round(100 * I2)}%`)!;
  nb.md(
    check(
      ks.every((k) => pAt(k, 0).lo <= 0.05 && pAt(k, 0).hi >= 0.05),
      'Without heterogeneity the Q test rejects at its nominal 5%',
    ) +
      `; with a true I² of 50% it detects heterogeneity in ${pct(pAt(5, 0.5).y)} of meta-analyses of 5 studies and
${pct(pAt(10, 0.5).y)} of 10. A non-significant Q with few studies says little: Higgins et al. (2003) make the same point
about the test's low power when studies are few.`,
  );

  // ---------------------------------------------------------------- prediction intervals
  const piRows: { x: number; y: number; lo: number; hi: number; series: string }[] = [];
  const r3 = new Random(305);
  const piI2 = [0.25, 0.5, 0.75, 0.9];
  const piZero = new Map<string, number>();
  for (const I2 of piI2)
    for (const k of ks) {
      const t2 = (v * I2) / (1 - I2);
      const tau = Math.sqrt(t2);
      const sim = simulateMetaAnalyses(r3, { reps, k, mu: 0.3, tau2: t2, vi: v });
      const f = fitBatch(sim.yi, sim.vi, k, { method: 'REML' });
      const q = critical(95, k - 2);
      const cover = new Float64Array(reps);
      piZero.set(`${k} ${I2}`, f.tau2.filter((t) => t === 0).length / reps);
      for (let j = 0; j < reps; j++) {
        const h = q * Math.sqrt(f.se[j]! ** 2 + f.tau2[j]!);
        cover[j] = pnorm((f.estimate[j]! + h - 0.3) / tau) - pnorm((f.estimate[j]! - h - 0.3) / tau);
      }
      const m = mcMean(cover);
      piRows.push({ x: k, y: m.estimate, lo: m.lower, hi: m.upper, series: `true I² = ${Math.round(100 * I2)}%` });
    }
  nb.md(`## Prediction intervals and their coverage

The prediction interval μ̂ ± t(k − 2)·√(SE² + τ̂²) (Higgins, Thompson & Spiegelhalter 2009; IntHout et al. 2016
argue for reporting it routinely) puts τ̂ on the effect's own scale. In the table above it is what distinguishes
the data sets: ${check(
    (fits[0]!.pi.piLower ?? 0) < -1 && (fits[0]!.pi.piUpper ?? 0) > 0,
    'for knee-OA pain it runs from a large benefit to harm',
  )}, ${check((fits[2]!.pi.piUpper ?? 0) < 0 && (fits[3]!.pi.piUpper ?? 0) < 0, 'for the antidepressants it stays on the side of benefit')}. Its coverage — the chance that a new study's true effect falls inside, averaged over ${reps} simulated
meta-analyses (seed 305), REML, equal vᵢ = ${v} — depends on k and on how large τ² is relative to vᵢ:`);
  await nb.figure(
    bandChart(piRows, {
      xTitle: 'studies (k)',
      yTitle: 'coverage of the 95% PI',
      yFormat: '.0%',
      reference: 0.95,
      logX: true,
      width: 340,
    }),
    'pi-coverage.svg',
    `Coverage of the 95% prediction interval with t(k − 2), with Monte Carlo 95% bands (${reps} meta-analyses per point)`,
  );
  const cAt = (k: number, I2: number) =>
    piRows.find((r) => r.x === k && r.series === `true I² = ${Math.round(100 * I2)}%`)!;
  const low = piI2[0]!,
    high = piI2.at(-1)!;
  nb.md(
    `At k = 10 the interval covers ${pct(cAt(10, low).y)} of new studies' true effects when the true I² is
${Math.round(100 * low)}% and ${pct(cAt(10, high).y)} when it is ${Math.round(100 * high)}%; at k = 40,
${pct(cAt(40, low).y)} and ${pct(cAt(40, high).y)}. ` +
      check(cAt(10, low).hi < 0.95, `With modest heterogeneity and ten studies it covers less than 95%`) +
      `: REML estimates τ² = 0 in ${pct(piZero.get(`10 ${low}`)!)} of those meta-analyses, and the interval then reflects
only the uncertainty of μ̂ (course 5 shows the same against τ² and compares the z and t forms). A PI is the honest summary of heterogeneity, but with few studies it is itself uncertain.`,
  );

  nb.takeaways([
    'I² is the share of the observed spread not due to sampling error. It grows towards 100% as the trials grow, even when the true effects differ by the same amount: it is not a measure of how different the effects are.',
    'τ (with a CI) and the prediction interval are on the scale of the effect: they say how far apart the true effects are, and whether that matters clinically.',
    'With few studies, I² is biased (up when there is no heterogeneity, down when there is), its CI is wide, and the Q test has little power: absence of evidence of heterogeneity is not evidence of homogeneity.',
    'Prediction intervals with t(k − 2) are recommended, but with few studies and modest τ² they under-cover.',
  ]);
  const kp = fits[0]!;
  const s2x4 = kp.s2 / 4;
  nb.exercises([
    {
      q: `Compute I² from Q and df for the spinal-manipulation MDs (Q = ${f2(smtMD.f.QE)}, k = ${smtMD.es.yi.length}) and compare with the table.`,
      a: `(Q − df)/Q = (${f2(smtMD.f.QE)} − ${smtMD.es.yi.length - 1})/${f2(smtMD.f.QE)} = ${pct((smtMD.f.QE - (smtMD.es.yi.length - 1)) / smtMD.f.QE)}; the table's ${smtMD.f.I2.toFixed(0)}% is τ̂²/(τ̂² + s̃²) with the REML τ̂², which need not be equal.`,
    },
    {
      q: `For knee-OA pain, τ̂² = ${f3(kp.f.tau2)} and s̃² = ${f3(kp.s2)}. What would I² be if every trial were four times as large (s̃²/4) and τ² the same?`,
      a: `τ²/(τ² + s̃²/4) = ${f3(kp.f.tau2)}/(${f3(kp.f.tau2)} + ${f3(s2x4)}) = ${pct(kp.f.tau2 / (kp.f.tau2 + s2x4))}, against ${pct(kp.f.tau2 / (kp.f.tau2 + kp.s2))} now.`,
    },
    {
      q: `Compute the 95% prediction interval for spinal manipulation (MD) by hand from μ̂, its SE and τ̂² with t(k − 2).`,
      a: (() => {
        const c = smtMD.f.coefficients[0]!;
        const k = smtMD.es.yi.length;
        const q = critical(95, k - 2);
        const h = q * Math.sqrt(c.se ** 2 + smtMD.f.tau2);
        return `μ̂ = ${f2(c.estimate)}, SE = ${f2(c.se)}, τ̂² = ${f2(smtMD.f.tau2)}, t(0.975, ${k - 2}) = ${f3(q)}: ${f2(c.estimate)} ± ${f3(q)}·√(${f2(c.se)}² + ${f2(smtMD.f.tau2)}) = ${f2(c.estimate - h)} to ${f2(c.estimate + h)}.`;
      })(),
    },
    {
      q: 'A review reports "no significant heterogeneity (p = 0.3), I² = 10%" for 6 trials. What can you conclude?',
      a: 'Little: with 6 trials the Q test detects even an I² of 50% in a minority of meta-analyses (figure above), and the CI of I² will span most of 0–100%. Report τ̂ with its CI and a prediction interval instead.',
    },
  ]);
  nb.references([
    'Higgins2002',
    'Higgins2003',
    'Higgins2009',
    'Rucker2008',
    'Borenstein2017',
    'vonHippel2015',
    'IntHout2016',
    'Cochrane',
  ]);
  nb.save();
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
