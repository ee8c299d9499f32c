/** Course 1: effect sizes — MD, SMD and Hedges' correction, log ratios, zero cells and continuity corrections. */
import { metaAnalysis, pooledEstimate } from '../src/analysis/meta-analysis.ts';
import { EvsynthError } from '../src/core/errors.ts';
import { Random } from '../src/core/random.ts';
import { critical } from '../src/distributions/index.ts';
import { hedgesCorrection } from '../src/effects/smd.ts';
import { escalc } from '../src/effects/escalc.ts';
import { measureSpec, type Measure } from '../src/effects/registry.ts';
import { fitMantelHaenszel, fitPeto } from '../src/models/mantel-haenszel.ts';
import { fitBatch } from '../src/models/batch.ts';
import { fitRma } from '../src/models/rma.ts';
import { mcMean } from '../src/simulation/meta-simulation.ts';
import { simulateBinaryTrials, simulateContinuousTrials } from '../src/simulation/trials.ts';
import { AD_SHORT, dataset, KNEE_PAIN, WITHDRAWALS_SOURCE, withdrawalsTca } from './course-data.ts';
import { bandChart, check, f2, f3, Notebook, type RunOptions } from './lib.ts';

/** An estimate, or NaN when the method has none for these tables (the engine says so with NO_FINITE_RESULT). */
function finiteOrNaN(estimate: () => number): number {
  try {
    return estimate();
  } catch (e) {
    if (e instanceof EvsynthError && e.code === 'NO_FINITE_RESULT') return Number.NaN;
    throw e;
  }
}

export async function run(options: RunOptions = {}): Promise<void> {
  const nb = new Notebook(
    'course-01-effect-sizes',
    'Course 1. Effect sizes: what exactly is pooled?',
    'course-01-effect-sizes.ts',
    options,
  );
  nb.md(`A meta-analysis pools one number per study, the effect size yᵢ, weighted by its sampling variance vᵢ. Which
number depends on the outcome and on what the studies report. This unit computes the common ones from the raw
summaries of real trials with \`escalc\` (metafor's rules), checks them against what RevMan printed, and uses seeded
simulation (\`simulateContinuousTrials\`, \`simulateBinaryTrials\`) to show two things the formulas hide: the small-sample
bias that Hedges' correction removes, and what continuity corrections do when events are rare.

| code | measure | analysed on | input |
| --- | --- | --- | --- |
${(['MD', 'SMD', 'ROM', 'RR', 'OR', 'RD', 'PETO'] as Measure[])
  .map((m) => {
    const s = measureSpec(m);
    return `| ${m} | ${s.description} | ${s.scale === 'log' ? 'log scale' : 'its own scale'} | ${s.inputs.map((i) => i.join(', ')).join(' or ')} |`;
  })
  .join('\n')}

*The measures of this unit, from the engine's measure registry.*`);

  // ---------------------------------------------------------------- mean differences
  const ad = dataset(AD_SHORT);
  const md = escalc('MD', ad.columns, ad.labels);
  const n1 = ad.columns.n1i!,
    sd1 = ad.columns.sd1i!,
    n2 = ad.columns.n2i!,
    sd2 = ad.columns.sd2i!,
    m1 = ad.columns.m1i!,
    m2 = ad.columns.m2i!;
  nb.md(`## Mean differences: one scale for every study

The antidepressant trials for low back pain (Cochrane CD001703.pub4, analysis 1.2, ${ad.labels.length} comparisons) all
measured pain on the same 0–100 scale, so the raw **mean difference** MD = m₁ − m₂ is meaningful as it stands, with
variance sd₁²/n₁ + sd₂²/n₂. The first four comparisons:`);
  nb.table([
    ['study', 'n₁, mean, SD', 'n₂, mean, SD', 'MD', 'vᵢ', 'RevMan printed'],
    ...[0, 1, 2, 3].map((i) => [
      ad.labels[i]!,
      `${n1[i]}, ${m1[i]}, ${sd1[i]}`,
      `${n2[i]}, ${m2[i]}, ${sd2[i]}`,
      f2(md.yi[i]),
      f2(md.vi[i]),
      String(Number(ad.table.rows[i]![ad.table.header.indexOf('revman_effect')])),
    ]),
  ]);

  // ---------------------------------------------------------------- SMD
  const knee = dataset(KNEE_PAIN);
  const g = escalc('SMD', knee.columns, knee.labels);
  const gRev = escalc('SMD', knee.columns, knee.labels, { smd: 'revman' });
  const kn1 = knee.columns.n1i!,
    kn2 = knee.columns.n2i!,
    km1 = knee.columns.m1i!,
    km2 = knee.columns.m2i!,
    ksd1 = knee.columns.sd1i!,
    ksd2 = knee.columns.sd2i!;
  const show = [0, 1, 2, 3, 4].map((i) => {
    const df = kn1[i]! + kn2[i]! - 2;
    const sp = Math.sqrt(((kn1[i]! - 1) * ksd1[i]! ** 2 + (kn2[i]! - 1) * ksd2[i]! ** 2) / df);
    const d = (km1[i]! - km2[i]!) / sp;
    return { i, df, sp, d, J: hedgesCorrection(df) };
  });
  nb.md(`## Standardised mean differences: many scales, one unit

The knee-osteoarthritis exercise trials (Cochrane CD004376.pub4, analysis 4.3, ${knee.labels.length} trials) measured
pain on different instruments, so their mean differences cannot be pooled. The **standardised mean difference**
divides by the pooled within-group SD sₚ: Cohen's d = (m₁ − m₂)/sₚ. It overestimates |δ| in small samples; Hedges
(1981) gave the factor J(m) = Γ(m/2) / (√(m/2) Γ((m − 1)/2)), m = n₁ + n₂ − 2, that makes it unbiased: g = J·d
(metafor's \`SMD\`, the exact J). RevMan 5 uses the approximation J ≈ 1 − 3/(4(n₁ + n₂) − 9) (Deeks & Higgins 2010).
The variance is vᵢ = 1/n₁ + 1/n₂ + g²/(2(n₁ + n₂)) (metafor's large-sample \`vtype = "LS"\`).`);
  nb.table([
    ['trial', 'n₁, n₂', 'sₚ', "Cohen's d", 'J (exact)', "Hedges' g", "RevMan's g", 'vᵢ', 'RevMan printed'],
    ...show.map(({ i, sp, d, J }) => [
      knee.labels[i]!,
      `${kn1[i]}, ${kn2[i]}`,
      f2(sp),
      f3(d),
      J.toFixed(4),
      f3(g.yi[i]),
      f3(gRev.yi[i]),
      f3(g.vi[i]),
      f3(Number(knee.table.rows[i]![knee.table.header.indexOf('revman_effect')])),
    ]),
  ]);
  const gHedges = show.map(({ i, d, J }) => Math.abs(J * d - g.yi[i]!)).every((x) => x < 1e-12);
  let maxRevDiff = 0,
    maxPrintedDiff = 0;
  const printedCol = knee.table.header.indexOf('revman_effect');
  for (let i = 0; i < knee.labels.length; i++) {
    maxRevDiff = Math.max(maxRevDiff, Math.abs(g.yi[i]! - gRev.yi[i]!));
    maxPrintedDiff = Math.max(maxPrintedDiff, Math.abs(gRev.yi[i]! - Number(knee.table.rows[i]![printedCol])));
  }
  nb.md(
    check(gHedges, `J·d reproduces metafor's g to 12 decimals`) +
      ` for these trials. Over all ${knee.labels.length} trials RevMan's approximate g differs from the exact g by at most
${maxRevDiff.toExponential(1)} and from the value the review printed by at most ${maxPrintedDiff.toExponential(1)}: the review
used RevMan's g. Because the SD is estimated in each trial, g is a ratio of two estimates, and two trials with the
same raw benefit have different g when their populations differ in spread.`,
  );

  // ---------------------------------------------------------------- Hedges' correction by simulation
  const delta = 0.5;
  const perArm = [3, 4, 6, 10, 20, 50];
  const hedgesReps = 20000;
  const rng = new Random(101);
  const biasRows: { x: number; y: number; lo: number; hi: number; series: string }[] = [];
  for (const n of perArm) {
    const sim = simulateContinuousTrials(rng, { reps: hedgesReps, k: 1, mu: delta, tau2: 0, n1: n });
    const labels = Array.from({ length: hedgesReps }, (_, i) => `t${i}`);
    const gs = escalc('SMD', sim.columns, labels).yi;
    const gr = escalc('SMD', sim.columns, labels, { smd: 'revman' }).yi;
    const J = hedgesCorrection(2 * n - 2);
    const series: [string, ArrayLike<number>][] = [
      ["Cohen's d (uncorrected)", Float64Array.from(gs, (x) => x / J - delta)],
      ["Hedges' g (exact J)", Float64Array.from(gs, (x) => x - delta)],
      ["RevMan's g (approximate J)", Float64Array.from(gr, (x) => x - delta)],
    ];
    for (const [name, dev] of series) {
      const m = mcMean(dev);
      biasRows.push({ x: n, y: m.estimate, lo: m.lower, hi: m.upper, series: name });
    }
  }
  const bias = (n: number, s: string) => biasRows.find((r) => r.x === n && r.series.startsWith(s))!;
  nb.md(`## Hedges' correction, by simulation

${hedgesReps} simulated trials per group size (seed 101): true δ = ${delta}, n = ${perArm.join(', ')} per arm,
normal outcomes with SD 1; for each trial d, the exact g and RevMan's g.`);
  await nb.figure(
    bandChart(biasRows, {
      xTitle: 'participants per arm',
      yTitle: 'mean of estimate − δ',
      yFormat: '.2f',
      reference: 0,
      logX: true,
      width: 420,
    }),
    'hedges-bias.svg',
    `Bias of the standardised mean difference for true δ = ${delta}, with Monte Carlo 95% bands (${hedgesReps} trials per point)`,
  );
  nb.md(
    `With ${perArm[0]} per arm, d overestimates δ = ${delta} by ${f3(bias(perArm[0]!, 'Cohen').y)} (Monte Carlo band ${f3(bias(perArm[0]!, 'Cohen').lo)} to ${f3(bias(perArm[0]!, 'Cohen').hi)}),
with 10 per arm by ${f3(bias(10, 'Cohen').y)}, with 50 by ${f3(bias(50, 'Cohen').y)}. ` +
      check(
        perArm.every((n) => bias(n, 'Hedges').lo <= 0 && bias(n, 'Hedges').hi >= 0),
        'The exact g is unbiased at every size: each of its bands contains 0.',
      ) +
      ` RevMan's approximate J leaves a bias of ${f3(bias(perArm[0]!, 'RevMan').y)} at ${perArm[0]} per arm and
${f3(bias(perArm[1]!, 'RevMan').y)} at ${perArm[1]}; from 10 per arm on it is indistinguishable from the exact g here.`,
  );
  // pooling many small trials
  const poolK = 20,
    poolReps = 2000;
  const pooled = [5, 10, 20, 50].map((n) => {
    const sim = simulateContinuousTrials(rng, { reps: poolReps, k: poolK, mu: delta, tau2: 0, n1: n });
    const es = escalc(
      'SMD',
      sim.columns,
      Array.from({ length: poolReps * poolK }, (_, i) => `t${i}`),
    );
    const f = fitBatch(es.yi, es.vi, poolK, { method: 'EE' });
    const mean = mcMean(Float64Array.from(f.estimate, (x) => x - delta));
    const unweighted = mcMean(
      Float64Array.from({ length: poolReps }, (_, j) => {
        let s = 0;
        for (let i = 0; i < poolK; i++) s += es.yi[j * poolK + i]!;
        return s / poolK - delta;
      }),
    );
    return { n, mean, unweighted };
  });
  nb.md(`The correction fixes each trial's estimate, but pooling adds a second, smaller problem: the variance of g contains
g² itself, so a trial that happens to overestimate δ gets a larger vᵢ and a smaller weight. ${poolReps} meta-analyses of
${poolK} equal trials (common-effect model, δ = ${delta}):`);
  nb.table([
    ['per arm', 'bias of the inverse-variance pooled g', 'bias of the plain mean of the g'],
    ...pooled.map((p) => [
      p.n,
      `${f3(p.mean.estimate)} (± ${f3(1.96 * p.mean.se)})`,
      `${f3(p.unweighted.estimate)} (± ${f3(1.96 * p.unweighted.se)})`,
    ]),
  ]);
  nb.md(
    check(pooled[0]!.mean.upper < 0, `The weighted estimate is pulled towards zero when trials are small`) +
      ` (${f3(pooled[0]!.mean.estimate)} with 5 per arm; ± is the Monte Carlo 95% half-width); the unweighted mean of the
same g is not${pooled[0]!.unweighted.lower <= 0 && pooled[0]!.unweighted.upper >= 0 ? ' (its band contains 0)' : ''}. ` +
      check(Math.abs(pooled[3]!.mean.estimate) < 0.01, `With 50 per arm the effect is below 0.01.`) +
      ` The same dependence of vᵢ on yᵢ makes funnel plots of SMDs lean (course 7).`,
  );

  // ---------------------------------------------------------------- ratio of means
  const rom = escalc('ROM', ad.columns, ad.labels);
  const change = ad.labels.map((_, i) => i).filter((i) => m1[i]! < 0 || m2[i]! < 0);
  const finalRow = ad.labels.findIndex((_, i) => m1[i]! > 0 && m2[i]! > 0);
  const changeRow = change[0]!;
  nb.md(`## The ratio of means: a log ratio for continuous outcomes

On a ratio scale (a score with a true zero, such as pain from 0 to 100) the effect can also be expressed as a ratio of
means, analysed as log(m₁/m₂) with variance sd₁²/(n₁m₁²) + sd₂²/(n₂m₂²) (Hedges, Gurevitch & Curtis 1999;
metafor's \`ROM\`). escalc computes it whenever both means have the same sign and excludes the row, with the reason,
when they do not. In the antidepressant data it ${check(rom.excluded.length === 0, 'excludes none')} of the
${ad.labels.length} comparisons, yet ${change.length} of them report negative means, which a 0–100 pain score cannot
have: they are *changes* from baseline. For them the ratio compares improvements, not pain levels:`);
  nb.table([
    ['comparison', 'm₁', 'm₂', 'MD', 'ratio of means', 'what the ratio compares'],
    ...[finalRow, changeRow].map((i) => [
      ad.labels[i]!,
      String(m1[i]),
      String(m2[i]),
      f2(md.yi[i]),
      f3(Math.exp(rom.yi[i]!)),
      i === finalRow ? 'pain at follow-up' : 'improvement from baseline',
    ]),
  ]);
  nb.md(`Both rows are valid numbers, and mixing them in one pooled ratio would average two different quantities. The MD
does not have this problem: a difference of changes equals a difference of final values when the groups start equal,
as randomisation makes them on average. A log ratio is also symmetric where the raw ratio is not: 2 and ½ are the same
distance from 1 on the log scale, which is why every ratio measure (ROM, RR, OR) is pooled as a log and shown
exponentiated.`);

  // ---------------------------------------------------------------- binary: real data
  const w = withdrawalsTca();
  const rrMeta = escalc('RR', w.columns, w.labels);
  const rrRev = escalc('RR', w.columns, w.labels, { convention: 'revman5' });
  const orMeta = escalc('OR', w.columns, w.labels);
  const rd = escalc('RD', w.columns, w.labels);
  const ai = w.columns.ai!,
    wn1 = w.columns.n1i!,
    ci = w.columns.ci!,
    wn2 = w.columns.n2i!;
  const zeroRows = w.labels.map((_, i) => i).filter((i) => ai[i] === 0 || ci[i] === 0);
  const doubleZero = zeroRows.filter((i) => ai[i] === 0 && ci[i] === 0);
  const z95 = critical(95);
  const e95 = (y: number, v: number) =>
    `${f2(Math.exp(y))} (${f2(Math.exp(y - z95 * Math.sqrt(v)))} to ${f2(Math.exp(y + z95 * Math.sqrt(v)))})`;
  nb.md(`## Binary outcomes: risk ratio, odds ratio, risk difference

A real binary outcome: ${WITHDRAWALS_SOURCE}. ${w.labels.length} comparisons, ${zeroRows.length} with a zero cell, of
which ${doubleZero.length} with no event in either arm. With a events of n₁ and c of n₂:
log RR = log((a/n₁)/(c/n₂)), v = 1/a − 1/n₁ + 1/c − 1/n₂; log OR = log(ad/(bc)), v = 1/a + 1/b + 1/c + 1/d; RD = a/n₁ − c/n₂.
A zero count makes the log ratios infinite, so metafor adds ½ to every cell of a table with a zero (\`add = 1/2,
to = "only0"\`), keeping double-zero tables (\`drop00 = FALSE\`); RevMan 5 adds ½ the same way but calls RR and OR
of a double-zero table "not estimable".`);
  nb.table([
    ['comparison', 'a/n₁', 'c/n₂', 'RR (metafor)', 'RR (RevMan rules)', 'RevMan printed', 'OR (metafor)', 'RD'],
    ...w.labels.map((l, i) => [
      l,
      `${ai[i]}/${wn1[i]}`,
      `${ci[i]}/${wn2[i]}`,
      e95(rrMeta.yi[i]!, rrMeta.vi[i]!),
      Number.isNaN(rrRev.yi[i]!) ? 'not estimable' : e95(rrRev.yi[i]!, rrRev.vi[i]!),
      w.printed[i] ? `${f2(w.printed[i]!.mean)} (${f2(w.printed[i]!.lo)} to ${f2(w.printed[i]!.hi)})` : 'not estimable',
      e95(orMeta.yi[i]!, orMeta.vi[i]!),
      `${f3(rd.yi[i])}`,
    ]),
  ]);
  const revmanMatches = w.labels.every((_, i) =>
    w.printed[i] ? Math.abs(Math.exp(rrRev.yi[i]!) - w.printed[i]!.mean) < 5e-6 : Number.isNaN(rrRev.yi[i]!),
  );
  nb.md(
    check(revmanMatches, "Under RevMan's rules the engine reproduces every risk ratio the review printed") +
      ` (to the printed 6 decimals), including the zero-cell tables, and the one RevMan left out. A corrected zero-cell
estimate is an artefact of the ½: for ${w.labels[zeroRows.find((i) => !doubleZero.includes(i))!]} the raw RR is infinite and ½ turns it into
${f2(Math.exp(rrMeta.yi[zeroRows.find((i) => !doubleZero.includes(i))!]!))}; a different constant would give a different number.`,
  );
  const poolRows: [string, ReturnType<typeof pooledEstimate>, number][] = [];
  const add = (label: string, a: ReturnType<typeof metaAnalysis>) =>
    poolRows.push([label, pooledEstimate(a), a.studies.yi.length]);
  add(
    'inverse variance, common effect, ½ added, double zeros kept (metafor default)',
    metaAnalysis(w.columns, w.labels, { measure: 'RR', method: 'EE' }),
  );
  add(
    'inverse variance, common effect, double zeros dropped',
    metaAnalysis(w.columns, w.labels, { measure: 'RR', method: 'EE', drop00: true }),
  );
  add(
    'inverse variance, random effects (REML), ½ added, double zeros kept',
    metaAnalysis(w.columns, w.labels, { measure: 'RR', method: 'REML' }),
  );
  add(
    'Mantel–Haenszel, common effect (raw counts)',
    metaAnalysis(w.columns, w.labels, { measure: 'RR', method: 'MH' }),
  );
  nb.md(`Pooled risk ratio of the ${w.labels.length} comparisons under four conventions (the review itself pooled within
this subgroup; these rows only show how much the convention matters):`);
  nb.table([
    ['pooling', 'studies used', 'RR', '95% CI'],
    ...poolRows.map(([l, e, k]) => [
      l,
      k,
      f2(Math.exp(e.estimate)),
      `${f2(Math.exp(e.ciLower))} to ${f2(Math.exp(e.ciUpper))}`,
    ]),
  ]);
  const ivRR = Math.exp(poolRows[0]![1].estimate),
    mhRR = Math.exp(poolRows[3]![1].estimate);
  nb.md(
    `The Mantel–Haenszel RR (${f2(mhRR)}) is ${check(mhRR > ivRR, 'larger')} than the inverse-variance one (${f2(ivRR)}).
Mantel–Haenszel works on the raw counts: a trial with 5 events against 0 adds 5·n₂/N to the numerator and nothing to
the denominator, with no constant added. Inverse-variance pooling needs a finite log RR and its variance for every trial,
so the zero-cell trials enter with ½-corrected values and the large variances that come with them, and the double-zero
trial enters as RR = 1 unless it is dropped. Sweeting, Sutton & Lambert (2004) found that routinely used methods give
widely ranging estimates with sparse data and unbalanced arms, and advise a sensitivity analysis over methods and
corrections; the next section shows why by simulation.`,
  );

  // ---------------------------------------------------------------- zero cells by simulation
  const zReps = 1000,
    zK = 10,
    trueOR = 2;
  const risks = [0.01, 0.02, 0.05, 0.1];
  const designs = [
    { name: '1:1 (100 vs 100)', n1: 100, n2: 100 },
    { name: '3:1 (150 vs 50)', n1: 150, n2: 50 },
  ];
  const methods = ['IV, ½ added, double zeros kept', 'IV, double zeros dropped', 'Mantel–Haenszel', 'Peto'] as const;
  const zr = new Random(102);
  const zeroRowsOut: { x: number; y: number; lo: number; hi: number; series: string; facet: string }[] = [];
  const failures: string[] = [];
  const zeroShare: { design: string; p2: number; share: number; dz: number }[] = [];
  for (const dsg of designs)
    for (const p2 of risks) {
      const sim = simulateBinaryTrials(zr, {
        reps: zReps,
        k: zK,
        mu: Math.log(trueOR),
        tau2: 0,
        p2,
        n1: dsg.n1,
        n2: dsg.n2,
      });
      const c = sim.columns;
      const labels = Array.from({ length: zK }, (_, i) => `t${i + 1}`);
      const kept = escalc(
        'OR',
        c,
        Array.from({ length: zReps * zK }, (_, i) => `t${i}`),
      );
      const ivKept = fitBatch(kept.yi, kept.vi, zK, { method: 'EE' });
      const est: Record<(typeof methods)[number], number[]> = {
        'IV, ½ added, double zeros kept': [],
        'IV, double zeros dropped': [],
        'Mantel–Haenszel': [],
        Peto: [],
      };
      let zeroMA = 0,
        dzTrials = 0;
      for (let j = 0; j < zReps; j++) {
        const sl = (a: Float64Array) => a.subarray(j * zK, j * zK + zK);
        const cols = { ai: sl(c.ai), bi: sl(c.bi), ci: sl(c.ci), di: sl(c.di) };
        let anyZero = false;
        const keep: number[] = [];
        for (let i = 0; i < zK; i++) {
          const z = cols.ai[i] === 0 || cols.ci[i] === 0 || cols.bi[i] === 0 || cols.di[i] === 0;
          if (z) anyZero = true;
          if (cols.ai[i] === 0 && cols.ci[i] === 0) dzTrials++;
          else keep.push(j * zK + i);
        }
        if (anyZero) zeroMA++;
        est['IV, ½ added, double zeros kept'].push(ivKept.estimate[j]!);
        est['IV, double zeros dropped'].push(
          keep.length
            ? fitRma(
                keep.map((r) => kept.yi[r]!),
                keep.map((r) => kept.vi[r]!),
                { method: 'EE' },
              ).coefficients[0]!.estimate
            : Number.NaN,
        );
        est['Mantel–Haenszel'].push(finiteOrNaN(() => fitMantelHaenszel('OR', cols, labels).estimate));
        est.Peto.push(finiteOrNaN(() => fitPeto(cols, labels).estimate));
      }
      zeroShare.push({ design: dsg.name, p2, share: zeroMA / zReps, dz: dzTrials / (zReps * zK) });
      for (const m of methods) {
        const v = est[m];
        const finite = v.filter(Number.isFinite);
        if (finite.length < v.length)
          failures.push(`${m}, ${dsg.name}, control risk ${p2}: ${v.length - finite.length} of ${v.length}`);
        const b = mcMean(Float64Array.from(finite, (x) => x - Math.log(trueOR)));
        zeroRowsOut.push({
          x: p2,
          y: b.estimate,
          lo: b.lower,
          hi: b.upper,
          series: m,
          facet: `allocation ${dsg.name}`,
        });
      }
    }
  nb.md(`## Zero cells and continuity corrections, by simulation

${zReps} meta-analyses per cell (seed 102) of ${zK} trials with a binary outcome: true odds ratio ${trueOR} (the
treatment causes the event, as with adverse events), no heterogeneity, control risk ${risks.join(', ')}, arms 1:1 or
3:1. Each is pooled as a common-effect odds ratio four ways: inverse variance (IV) with metafor's defaults, IV without
the double-zero trials, Mantel–Haenszel and Peto's one-step method. How often zero cells occur:`);
  nb.table([
    ['allocation', 'control risk', 'meta-analyses with a zero cell', 'trials with no event at all'],
    ...zeroShare.map((z) => [z.design, z.p2, `${(100 * z.share).toFixed(1)}%`, `${(100 * z.dz).toFixed(1)}%`]),
  ]);
  await nb.figure(
    bandChart(zeroRowsOut, {
      xTitle: 'control-group risk',
      yTitle: 'bias of the pooled log OR',
      yFormat: '.2f',
      reference: 0,
      logX: true,
      width: 260,
    }),
    'zero-cell-bias.svg',
    `Bias of the pooled log odds ratio (true OR = ${trueOR}) by pooling method, with Monte Carlo 95% bands (${zReps} meta-analyses of ${zK} trials per point)`,
  );
  const zb = (m: string, f: string, p: number) =>
    zeroRowsOut.find((r) => r.series === m && r.facet.includes(f) && r.x === p)!;
  const rare = risks[0]!;
  const spread = (f: string, p: number) => {
    const v = methods.map((m) => zb(m, f, p).y);
    return Math.max(...v) - Math.min(...v);
  };
  nb.md(
    `At a control risk of ${rare} with balanced arms the IV estimate with ½ added is biased by
${f3(zb(methods[0], '1:1', rare).y)} on the log scale (an OR of ${f2(trueOR * Math.exp(zb(methods[0], '1:1', rare).y))} instead of
${trueOR}), Mantel–Haenszel by ${f3(zb(methods[2], '1:1', rare).y)} and Peto by ${f3(zb(methods[3], '1:1', rare).y)}. ` +
      check(
        Math.abs(zb(methods[3], '3:1', rare).y) > Math.abs(zb(methods[3], '1:1', rare).y),
        "Peto's method is more biased with unbalanced arms than with balanced ones",
      ) +
      ` (${f3(zb(methods[3], '3:1', rare).y)} vs ${f3(zb(methods[3], '1:1', rare).y)}). ` +
      check(
        risks.every((p) => Math.abs(zb(methods[0], '1:1', p).y) >= Math.abs(zb(methods[2], '1:1', p).y)),
        'Mantel–Haenszel is never more biased than IV with ½ added in these scenarios',
      ) +
      `; at a control risk of ${risks.at(-1)} the four lie within ${f3(
        Math.max(...designs.map((dg) => spread(dg.name.slice(0, 3), risks.at(-1)!))),
      )} of each other. ` +
      check(
        zb(methods[0], '3:1', risks.at(-1)!).hi < 0,
        `With 3:1 arms the IV estimate is biased even at a control risk of ${risks.at(-1)}`,
      ) +
      `, where only ${(100 * zeroShare.find((z) => z.design.startsWith('3:1') && z.p2 === risks.at(-1))!.share).toFixed(0)}% of
meta-analyses contain a zero cell: the weights 1/vᵢ depend on the observed counts, as those of the SMD depend on g.
Bradburn et al. (2007) found Peto's method the least biased
for events rarer than 1% with balanced arms and effects that are not very large, and Mantel–Haenszel without
corrections less biased than Peto otherwise. This simulation shows the same pattern at a control risk of ${rare}: ` +
      check(
        methods.every((m) => Math.abs(zb(methods[3], '1:1', rare).y) <= Math.abs(zb(m, '1:1', rare).y)),
        'with balanced arms Peto has the smallest bias of the four',
      ) +
      '; ' +
      check(
        risks
          .filter((p) => p <= 0.05)
          .every((p) => Math.abs(zb(methods[2], '3:1', p).y) < Math.abs(zb(methods[3], '3:1', p).y)),
        'with 3:1 arms Mantel–Haenszel is less biased than Peto at every control risk up to 0.05',
      ) +
      '.' +
      (failures.length
        ? ` Meta-analyses in which a method gave no finite estimate are left out of that method's bias: ${failures.join('; ')}.`
        : ' Every method gave a finite estimate in every simulated meta-analysis.'),
  );

  nb.takeaways([
    'An effect size is a choice: MD when all studies share a scale, SMD when they do not (at the price of dividing by an estimated SD), log ratios (ROM, RR, OR) when effects are multiplicative.',
    "Cohen's d overestimates |δ| in small trials; Hedges' g (exact J) removes the bias; RevMan's approximate J is indistinguishable from it beyond about 10 per arm.",
    'Because vᵢ of an SMD depends on the SMD itself, inverse-variance pooling of very small trials is pulled towards zero, and their funnel plots lean.',
    'Zero cells force a choice (a continuity correction, dropping double-zero trials, or a method on raw counts such as Mantel–Haenszel or Peto); with rare events the choice moves the answer, so report it and show the alternatives.',
  ]);
  const t0 = 0; // Atkinson 1999, antidepressants
  const J10 = hedgesCorrection(18);
  const zrow = zeroRows.find((i) => !doubleZero.includes(i))!;
  const za = ai[zrow]!,
    zc = ci[zrow]!,
    zb1 = wn1[zrow]! - za,
    zd = wn2[zrow]! - zc;
  nb.exercises([
    {
      q: `Compute the MD of ${ad.labels[t0]} (antidepressants) and its standard error by hand from the table, and its 95% CI.`,
      a: `MD = ${m1[t0]} − ${m2[t0]} = ${f2(md.yi[t0])}; SE = √(${sd1[t0]}²/${n1[t0]} + ${sd2[t0]}²/${n2[t0]}) = ${f3(Math.sqrt(md.vi[t0]!))}; CI ${f2(md.yi[t0]! - 1.96 * Math.sqrt(md.vi[t0]!))} to ${f2(md.yi[t0]! + 1.96 * Math.sqrt(md.vi[t0]!))} (RevMan printed the same).`,
    },
    {
      q: "For a trial with 10 per arm, what is Hedges' J exactly and with RevMan's approximation? By how much does d overstate δ = 0.5 on average?",
      a: `m = 18: exact J = ${J10.toFixed(5)}, RevMan's 1 − 3/(4·20 − 9) = ${(1 - 3 / 71).toFixed(5)}. E(d) ≈ δ/J, so d overstates 0.5 by about ${f3(0.5 / J10 - 0.5)}; the simulation gives ${f3(bias(10, 'Cohen').y)}.`,
    },
    {
      q: `Compute the log odds ratio and its variance for ${w.labels[zrow]} (${za}/${wn1[zrow]} vs ${zc}/${wn2[zrow]}) with ½ added to every cell. What happens with ¼ or 1 instead?`,
      a: `With ½: log((${za}.5·${zd}.5)/(${zb1}.5·${zc}.5)) = ${f3(Math.log(((za + 0.5) * (zd + 0.5)) / ((zb1 + 0.5) * (zc + 0.5))))}, v = 1/${za}.5 + 1/${zb1}.5 + 1/${zc}.5 + 1/${zd}.5 = ${f3(1 / (za + 0.5) + 1 / (zb1 + 0.5) + 1 / (zc + 0.5) + 1 / (zd + 0.5))}. With ¼: ${f3(Math.log(((za + 0.25) * (zd + 0.25)) / ((zb1 + 0.25) * (zc + 0.25))))}; with 1: ${f3(Math.log(((za + 1) * (zd + 1)) / ((zb1 + 1) * (zc + 1))))}. The estimate is set by the constant, not by the data (\`escalc('OR', …, { add })\`).`,
    },
    {
      q: "Why does a trial with no events in either arm carry no information about the odds ratio, and what does metafor's default do with it?",
      a: 'The conditional likelihood of the odds ratio given the total number of events is constant when there are no events, so Mantel–Haenszel and Peto ignore such a trial. metafor\'s default (drop00 = FALSE) adds ½ to every cell, which gives log OR = 0 with a large but finite variance: the trial enters the inverse-variance average as "no effect" and pulls it towards OR = 1.',
    },
    {
      q: 'Why should the ratio of means not be pooled over trials of which some report final values and some changes from baseline?',
      a: 'For final values it compares pain levels, for changes it compares improvements: two different quantities. A change can also be zero or of either sign, and escalc then excludes the row (a ratio of means of different signs has no log). Pool MDs (same scale) or SMDs, or ratios of final values only.',
    },
  ]);
  nb.references(['Hedges1981', 'Deeks2010', 'Hedges1999', 'Sweeting2004', 'Bradburn2007', 'Morris2019']);
  nb.save();
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
