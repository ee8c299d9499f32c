/** Course 6: subgroup analyses and their traps, with strength vs aerobic exercise (knee OA) as the worked case. */
import { pooledEstimate, rmaFitOf } from '../src/analysis/meta-analysis.ts';
import { reviewOptions } from '../src/analysis/reproduce.ts';
import { subgroupAnalysis, type SubgroupAnalysis } from '../src/analysis/subgroup-analysis.ts';
import { Random } from '../src/core/random.ts';
import { critical, pnormTwoSided } from '../src/distributions/index.ts';
import { escalc } from '../src/effects/escalc.ts';
import { loadDataset } from '../src/evidence/datasets.ts';
import { fitBatch } from '../src/models/batch.ts';
import { designFromColumns } from '../src/models/design.ts';
import { fitRma } from '../src/models/rma.ts';
import { subgroupDifferenceTest } from '../src/models/subgroups.ts';
import { mcProportion, simulateMetaAnalyses } from '../src/simulation/meta-simulation.ts';
import { AD_SHORT, dataset, KNEE_FUNCTION, KNEE_PAIN } from './course-data.ts';
import { bandChart, check, dotChart, f2, f3, Notebook, pct, type RunOptions } from './lib.ts';

type Row = { x: number; y: number; lo: number; hi: number; series: string; facet?: string };
const vi = (r: Random) => 0.01 + 0.3 * r.next();

export async function run(options: RunOptions = {}): Promise<void> {
  const nb = new Notebook(
    'course-06-subgroups',
    'Course 6. Subgroup analyses and their traps',
    'course-06-subgroups.ts',
    options,
  );
  nb.md(`A subgroup analysis pools the studies of each subgroup separately and asks whether the pooled effects differ.
Two conventions for the test of subgroup differences are in use, and this unit reports both:

- **separate τ²** (RevMan, and \`meta\`'s default): each subgroup is a meta-analysis with its own τ̂², and
  Q_b = Σ_g w_g(θ̂_g − θ̄)² with w_g = 1/SE_g² is compared with χ² on G − 1 df (Borenstein & Higgins 2013; Cochrane
  Handbook §10.11.3);
- **common τ²** (metafor): one mixed-effects model with the subgroup as a categorical moderator and one τ² for all
  subgroups; the omnibus test QM of the moderator coefficients.

The first half works through a real question, the second half shows by seeded simulation four traps that make
subgroup findings unreliable.`);

  // ---------------------------------------------------------------- the worked case
  const types = ['Strengthening', 'Aerobic'];
  const outcomes = [
    { name: KNEE_PAIN, outcome: 'pain' },
    { name: KNEE_FUNCTION, outcome: 'function' },
  ];
  const analyses = outcomes.map(({ name, outcome }) => {
    const d = dataset(name);
    const opts = reviewOptions(loadDataset(name).provenance);
    const all = subgroupAnalysis(d.columns, d.labels, d.groups, 'type', opts);
    const two = subgroupAnalysis(
      d.columns,
      d.labels,
      d.groups.map((g) => (types.includes(g) ? g : '')),
      'type',
      opts,
    );
    return { outcome, d, all, two };
  });
  const level = (s: SubgroupAnalysis, name: string) => s.levels.find((l) => l.level === name)!;
  nb.md(`## Worked case: strength or aerobic training?

The Danish guideline chapter on low back pain states that strength and coordination training reduce pain and aerobic
training does not. The trials behind that statement are not available here, so the question is asked of the knee
osteoarthritis exercise trials (Cochrane CD004376.pub4, analyses 4.3 and 4.4), which are grouped by exercise type, with
the review's own conventions (RevMan's SMD, DerSimonian–Laird; negative favours exercise).`);
  const ciRows = analyses.flatMap(({ outcome, all }) =>
    all.levels.map((l) => {
      const e = pooledEstimate(l.analysis);
      return { cat: l.level, y: e.estimate, lo: e.ciLower, hi: e.ciUpper, series: 'pooled SMD', facet: outcome };
    }),
  );
  await nb.figure(
    dotChart(ciRows, { xTitle: 'pooled SMD, 95% CI', reference: 0, width: 260 }),
    'knee-types.svg',
    'Pooled SMD by exercise type for pain and function (random effects within each type; negative favours exercise); bars are 95% confidence intervals, not Monte Carlo bands',
  );
  nb.table([
    ['outcome', 'types compared', 'separate τ² (RevMan): Q_b, df, p', 'common τ² (metafor): QM, df, p'],
    ...analyses.flatMap(({ outcome, all, two }) =>
      [
        [all, `all ${all.levels.length}`],
        [two, types.join(' vs ')],
      ].map(([s, what]) => {
        const a = s as SubgroupAnalysis;
        const m = a.common!.moderatorModel;
        return [
          outcome,
          what as string,
          `${f2(a.test!.Q)}, ${a.test!.df}, ${f3(a.test!.pValue)}`,
          `${f2(m.QM)}, ${m.QMdf[0]}, ${f3(m.QMp)}`,
        ];
      }),
    ),
  ]);
  const pain = analyses[0]!,
    func = analyses[1]!;
  const diff = (s: SubgroupAnalysis) =>
    pooledEstimate(level(s, 'Aerobic').analysis).estimate - pooledEstimate(level(s, 'Strengthening').analysis).estimate;
  const sameDirection = Math.sign(diff(pain.all)) === Math.sign(diff(func.all));
  const aer = pooledEstimate(level(pain.all, 'Aerobic').analysis),
    str = pooledEstimate(level(pain.all, 'Strengthening').analysis);
  const labelsByType = new Map<string, Set<string>>();
  for (const { d } of analyses)
    d.labels.forEach((l, i) => {
      const s = labelsByType.get(l) ?? new Set<string>();
      s.add(d.groups[i]!);
      labelsByType.set(l, s);
    });
  const multiType = [...labelsByType.values()].filter((s) => s.size > 1).length;
  const pTwo = analyses.flatMap(({ two }) => [two.test!.pValue, two.common!.moderatorModel.QMp]);
  const disagree = analyses.filter(({ all }) => all.test!.pValue < 0.05 !== all.common!.moderatorModel.QMp < 0.05);
  const allSame = analyses.filter(({ all }) => all.test!.pValue >= 0.05 && all.common!.moderatorModel.QMp >= 0.05);
  nb.md(
    `For pain, aerobic training has the larger pooled effect (SMD ${f2(aer.estimate)}, 95% CI ${f2(aer.ciLower)} to
${f2(aer.ciUpper)}, k = ${level(pain.all, 'Aerobic').analysis.studies.yi.length}) and strengthening the more precise one
(${f2(str.estimate)}, ${f2(str.ciLower)} to ${f2(str.ciUpper)}, k = ${level(pain.all, 'Strengthening').analysis.studies.yi.length});
both intervals exclude 0. What the eight tests allow:

- strengthening against aerobic: ${check(
      pTwo.every((p) => p >= 0.05),
      'neither convention shows a difference, for pain or for function',
    )} (p from ${f3(Math.min(...pTwo))} to ${f3(Math.max(...pTwo))}). The data do not show that strength training works and
  aerobic training does not, nor the reverse;
- all exercise types together: ${allSame.map((a) => `for ${a.outcome} neither convention shows a difference (p = ${f3(a.all.test!.pValue)} and ${f3(a.all.common!.moderatorModel.QMp)})`).join('; ')}${
      disagree.length
        ? `; ${disagree.map((a) => `for ${a.outcome} the conventions disagree: p = ${f3(a.all.test!.pValue)} with separate τ², ${f3(a.all.common!.moderatorModel.QMp)} with a common τ²`).join('; ')}. Both are reported here and neither is chosen: choosing the convention after seeing which one is significant is itself a multiple-testing trap (Trap 2). That analysis contains a single-study subgroup (${disagree
            .map((a) =>
              a.all.levels
                .filter((l) => l.singleStudy)
                .map((l) => l.level)
                .join(', '),
            )
            .join(
              '; ',
            )}), the situation in which the separate-τ² test rejects too often (Trap 3), and whatever difference it points to is not one between strength and aerobic training`
        : ''
    };
- the difference aerobic − strengthening is ${f2(diff(pain.all))} for pain and ${f2(diff(func.all))} for function: ${sameDirection ? 'the same direction for both outcomes' : 'opposite directions for the two outcomes'};
- ${check(multiType === 0, 'no trial contributes to two exercise types')}, so every comparison between types is a comparison between
  trials, and exercise type is confounded with everything else that differed between them (populations, comparators,
  duration, pain scales);
- the aerobic subgroup has ${level(pain.all, 'Aerobic').analysis.studies.yi.length} trials with τ̂² = ${f3(rmaFitOf(level(pain.all, 'Aerobic').analysis).tau2)} (DerSimonian–Laird): its pooled
  estimate is uncertain, whatever its point value.

The traps below explain why these cautions are not pedantry.`,
  );

  // ---------------------------------------------------------------- trap 1: significant in one, not the other
  const reps = 2000;
  const rng = new Random(606);
  const kgs = [3, 5, 10, 20];
  const t1: Row[] = [];
  for (const kg of kgs) {
    const a = simulateMetaAnalyses(rng, { reps, k: kg, mu: 0.3, tau2: 0.05, vi });
    const b = simulateMetaAnalyses(rng, { reps, k: kg, mu: 0.3, tau2: 0.05, vi });
    const fa = fitBatch(a.yi, a.vi, kg, { method: 'REML' }),
      fb = fitBatch(b.yi, b.vi, kg, { method: 'REML' });
    let discordant = 0,
      differ = 0;
    for (let j = 0; j < reps; j++) {
      const sa = fa.pValue[j]! < 0.05,
        sb = fb.pValue[j]! < 0.05;
      if (sa !== sb) discordant++;
      const t = subgroupDifferenceTest([
        { estimate: fa.estimate[j]!, se: fa.se[j]! },
        { estimate: fb.estimate[j]!, se: fb.se[j]! },
      ]);
      if (t.pValue < 0.05) differ++;
    }
    for (const [series, hits] of [
      ['one subgroup significant, the other not', discordant],
      ['test for subgroup differences p < 0.05', differ],
    ] as const) {
      const m = mcProportion(hits, reps);
      t1.push({ x: kg, y: m.estimate, lo: m.lower, hi: m.upper, series });
    }
  }
  nb.md(`## Trap 1: "significant in one subgroup, not in the other"

Two subgroups with **the same** true effect (μ = 0.3, τ² = 0.05 in both), k studies each, vᵢ uniform on (0.01, 0.31);
${reps} simulated pairs per k (seed 606), random effects (REML) within each subgroup.`);
  await nb.figure(
    bandChart(t1, {
      xTitle: 'studies per subgroup',
      yTitle: 'share of meta-analyses',
      yFormat: '.0%',
      logX: true,
      width: 380,
      reference: 0.05,
    }),
    'trap-discordant.svg',
    `Identical subgroups: how often one is significant and the other not, and how often the test for subgroup differences rejects (Monte Carlo 95% bands, ${reps} per point)`,
  );
  const t1At = (k: number, s: string) => t1.find((r) => r.x === k && r.series.startsWith(s))!;
  const maxDisc = t1.filter((r) => r.series.startsWith('one')).reduce((a, r) => (r.y > a.y ? r : a));
  nb.md(
    `With ${maxDisc.x} studies per subgroup, one subgroup is significant and the other not in ${pct(maxDisc.y)} of
meta-analyses of two identical subgroups; the test for subgroup differences rejects in ${pct(t1At(maxDisc.x, 'test').y)}. ` +
      check(
        kgs.every((k) => t1At(k, 'one').y > 2 * t1At(k, 'test').y),
        'At every k, a discordant pair is more than twice as common as a significant test for differences',
      ) +
      `. Significance within subgroups measures precision as much as effect; comparing subgroups needs the test of the
difference (or better, its estimate and CI).`,
  );

  // ---------------------------------------------------------------- trap 2: many subgroup variables
  const ms = [1, 2, 5, 10];
  const kAll = 20;
  const t2: Row[] = [];
  const sim2 = simulateMetaAnalyses(rng, { reps, k: kAll, mu: 0.3, tau2: 0.05, vi });
  const anyHit = new Map<number, number>(ms.map((m) => [m, 0]));
  for (let j = 0; j < reps; j++) {
    const yi = sim2.yi.subarray(j * kAll, j * kAll + kAll),
      v = sim2.vi.subarray(j * kAll, j * kAll + kAll);
    let firstHit = Infinity;
    for (let c = 1; c <= ms.at(-1)!; c++) {
      // a characteristic unrelated to the effect: each study is in group 1 with probability ½ (both groups non-empty)
      let x: number[];
      do x = Array.from({ length: kAll }, () => (rng.next() < 0.5 ? 1 : 0));
      while (x.every((u) => u === x[0]));
      const f = fitRma(yi, v, { method: 'REML', design: designFromColumns([{ name: 'x', values: x }], kAll) });
      if (f.QMp < 0.05 && c < firstHit) firstHit = c;
    }
    for (const m of ms) if (firstHit <= m) anyHit.set(m, anyHit.get(m)! + 1);
  }
  for (const m of ms) {
    const p = mcProportion(anyHit.get(m)!, reps);
    t2.push({ x: m, y: p.estimate, lo: p.lower, hi: p.upper, series: 'simulated (common τ², z test)' });
    const th = 1 - 0.95 ** m;
    t2.push({ x: m, y: th, lo: th, hi: th, series: '1 − 0.95^m (independent tests)' });
  }
  nb.md(`## Trap 2: many candidate subgroups

One meta-analysis of ${kAll} studies with no real subgroup effect, and m study characteristics unrelated to the effect
(each study in one of two groups at random), each tested in turn (${reps} meta-analyses, common-τ² model, z test):`);
  await nb.figure(
    bandChart(t2, {
      xTitle: 'characteristics tested (m)',
      yTitle: 'P(at least one p < 0.05)',
      yFormat: '.0%',
      logX: true,
      width: 380,
    }),
    'trap-multiple.svg',
    `Chance of at least one "significant" subgroup difference among m unrelated characteristics (Monte Carlo 95% bands, ${reps} meta-analyses)`,
  );
  const t2At = (m: number) => t2.find((r) => r.x === m && r.series.startsWith('simulated'))!;
  nb.md(
    `One pre-specified characteristic gives a false-positive rate of ${pct(t2At(1).y)}; ten give at least one
"finding" in ${pct(t2At(10).y)} of meta-analyses. Pre-specify a few subgroup hypotheses with their direction, and count the
ones you tested (Sun et al. 2010; Cochrane Handbook §10.11.5).`,
  );

  // ---------------------------------------------------------------- trap 3: single-study subgroups
  const kBig = 10;
  const tau2s = [0, 0.05, 0.1, 0.2];
  const t3: Row[] = [];
  const groups = [...Array.from({ length: kBig }, () => 0), 1];
  const design = designFromColumns([{ name: 'x', values: groups }], kBig + 1);
  for (const t2v of tau2s) {
    const s = simulateMetaAnalyses(rng, { reps, k: kBig + 1, mu: 0.3, tau2: t2v, vi });
    let sep = 0,
      comZ = 0,
      comKh = 0;
    for (let j = 0; j < reps; j++) {
      const yi = s.yi.subarray(j * (kBig + 1), (j + 1) * (kBig + 1)),
        v = s.vi.subarray(j * (kBig + 1), (j + 1) * (kBig + 1));
      const a = fitRma(yi.subarray(0, kBig), v.subarray(0, kBig), { method: 'REML' }).coefficients[0]!;
      const t = subgroupDifferenceTest([a, { estimate: yi[kBig]!, se: Math.sqrt(v[kBig]!) }]);
      if (t.pValue < 0.05) sep++;
      if (fitRma(yi, v, { method: 'REML', design }).QMp < 0.05) comZ++;
      if (fitRma(yi, v, { method: 'REML', design, test: 'knha' }).QMp < 0.05) comKh++;
    }
    for (const [series, hits] of [
      ['separate τ² (RevMan)', sep],
      ['common τ², z (metafor default)', comZ],
      ['common τ², Knapp–Hartung F', comKh],
    ] as const) {
      const m = mcProportion(hits, reps);
      t3.push({ x: t2v, y: m.estimate, lo: m.lower, hi: m.upper, series });
    }
  }
  nb.md(`## Trap 3: single-study subgroups

${kBig} studies in one subgroup, 1 in the other, the same true effect in both, τ² from 0 to ${tau2s.at(-1)}; rejection
rate of the test for subgroup differences at 5% (${reps} meta-analyses per point). The knee-OA analyses above contain
single-study subgroups (${pain.all.levels
    .filter((l) => l.singleStudy)
    .map((l) => l.level)
    .join(', ')}).`);
  await nb.figure(
    bandChart(t3, {
      xTitle: 'τ²',
      yTitle: 'false-positive rate',
      yFormat: '.0%',
      reference: 0.05,
      sqrtX: true,
      xFormat: '~g',
      width: 380,
    }),
    'trap-single.svg',
    `False-positive rate of the test for subgroup differences with a single-study subgroup (Monte Carlo 95% bands, ${reps} per point)`,
  );
  const t3At = (t: number, s: string) => t3.find((r) => r.x === t && r.series.startsWith(s))!;
  const top = tau2s.at(-1)!;
  nb.md(
    check(t3At(top, 'separate').y > 2 * 0.05, `With separate τ², the false-positive rate grows with τ²`) +
      ` (${pct(t3At(0, 'separate').y)} at τ² = 0, ${pct(t3At(top, 'separate').y)} at ${top}): the single study has no τ̂² of its
own, so it enters with SE = √vᵢ, as if its true effect were the subgroup's mean, and ordinary between-study variation
looks like a subgroup difference. The common-τ² model charges it with τ̂² as well (${pct(t3At(top, 'common τ², z').y)}
with z, ${pct(t3At(top, 'common τ², Knapp').y)} with Knapp–Hartung at τ² = ${top}). A one-study subgroup can show that a
study differs; it cannot show that a kind of study does.`,
  );

  // ---------------------------------------------------------------- trap 4: between- vs within-study comparisons
  const betas = [0, 0.1, 0.2, 0.4];
  const t4: Row[] = [];
  const kType = 15;
  const z = critical(95);
  for (const beta of betas) {
    let between = 0,
      within = 0;
    for (let j = 0; j < reps; j++) {
      // between: 2·kType two-arm trials, each of one exercise type; the population is "severe" (C = 1) in 75% of
      // type-A trials and 25% of type-B trials; the true effect depends on C only (β per unit), never on the type
      const y: number[] = [],
        v: number[] = [],
        x: number[] = [];
      for (let i = 0; i < 2 * kType; i++) {
        const type = i < kType ? 1 : 0;
        const c = rng.next() < (type ? 0.75 : 0.25) ? 1 : 0;
        const vv = vi(rng);
        y.push(0.3 + beta * c + Math.sqrt(0.05) * rng.normal() + Math.sqrt(vv) * rng.normal());
        v.push(vv);
        x.push(type);
      }
      if (
        fitRma(y, v, { method: 'REML', design: designFromColumns([{ name: 'type', values: x }], 2 * kType) }).QMp < 0.05
      )
        between++;
      // within: kType three-arm trials comparing the two types directly, in whatever population the trial recruited;
      // the population effect is the same for both arms and cancels in the within-trial difference
      const dy: number[] = [],
        dv: number[] = [];
      for (let i = 0; i < kType; i++) {
        const vv = 2 * vi(rng);
        dy.push(Math.sqrt(vv) * rng.normal());
        dv.push(vv);
      }
      const w = fitRma(dy, dv, { method: 'REML' }).coefficients[0]!;
      if (Math.abs(w.estimate) > z * w.se) within++;
    }
    for (const [series, hits] of [
      ['between trials (subgroup test)', between],
      ['within trials (pooled direct comparison)', within],
    ] as const) {
      const m = mcProportion(hits, reps);
      t4.push({ x: beta, y: m.estimate, lo: m.lower, hi: m.upper, series });
    }
  }
  nb.md(`## Trap 4: comparisons between trials are observational

Exercise type has **no** effect of its own in this simulation; the effect depends only on the population (larger by
β in "severe" populations), and type-A trials recruited severe populations more often (75% vs 25%). ${2 * kType} two-arm
trials (${kType} per type) give a between-trial subgroup comparison; ${kType} three-arm trials that randomised the same
patients to both types give a within-trial comparison (${reps} simulated reviews per β).`);
  await nb.figure(
    bandChart(t4, {
      xTitle: 'β: extra effect in severe populations',
      yTitle: 'P(type difference p < 0.05)',
      yFormat: '.0%',
      reference: 0.05,
      width: 380,
    }),
    'trap-between.svg',
    `How often a difference between exercise types is "found" when there is none, by design of the comparison (Monte Carlo 95% bands, ${reps} per point)`,
  );
  const t4At = (b: number, s: string) => t4.find((r) => r.x === b && r.series.startsWith(s))!;
  const bTop = betas.at(-1)!;
  nb.md(
    `With β = ${bTop} the between-trial comparison "finds" a type difference in ${pct(t4At(bTop, 'between').y)} of reviews;
the within-trial comparison in ${pct(t4At(bTop, 'within').y)}. ` +
      check(
        betas.every((b) => t4At(b, 'within').lo <= 0.05),
        'The within-trial comparison stays at or below its nominal 5%, within Monte Carlo error, whatever β is',
      ) +
      `: randomisation within each trial gives both types the same population, whose effect (the same for both types
in this model) cancels in the difference. A subgroup difference between trials is
an observational finding even when every trial is randomised (Thompson & Higgins 2002; Sun et al. 2010 list
"within rather than between studies" among their credibility criteria).`,
  );

  // ---------------------------------------------------------------- within vs between on real data
  const ad = dataset(AD_SHORT);
  const adS = subgroupAnalysis(ad.columns, ad.labels, ad.groups, 'class', { measure: 'MD', method: 'REML' });
  const ssri = pooledEstimate(level(adS, 'SSRI').analysis),
    tca = pooledEstimate(level(adS, 'TCA').analysis);
  const bDiff = tca.estimate - ssri.estimate,
    bSe = Math.sqrt(tca.se ** 2 + ssri.se ** 2);
  const rowsOf = (label: string) => ad.labels.map((l, i) => (l === label ? i : -1)).filter((i) => i >= 0);
  const at07 = rowsOf('Atkinson 2007');
  const tcaRow = at07.find((i) => ad.groups[i] === 'TCA')!,
    ssriRow = at07.find((i) => ad.groups[i] === 'SSRI')!;
  const sameControl =
    ad.columns.m2i![tcaRow] === ad.columns.m2i![ssriRow] &&
    ad.columns.sd2i![tcaRow] === ad.columns.sd2i![ssriRow] &&
    ad.columns.n2i![tcaRow] === ad.columns.n2i![ssriRow];
  // the direct comparison: TCA arm vs SSRI arm of the same trial (the shared placebo arm cancels)
  const direct = escalc(
    'MD',
    {
      n1i: [ad.columns.n1i![tcaRow]!],
      m1i: [ad.columns.m1i![tcaRow]!],
      sd1i: [ad.columns.sd1i![tcaRow]!],
      n2i: [ad.columns.n1i![ssriRow]!],
      m2i: [ad.columns.m1i![ssriRow]!],
      sd2i: [ad.columns.sd1i![ssriRow]!],
    },
    ['Atkinson 2007: TCA vs SSRI'],
  );
  const wDiff = direct.yi[0]!,
    wSe = Math.sqrt(direct.vi[0]!);
  nb.md(`## Within and between on real data: antidepressant classes

The antidepressant trials for low back pain (pain 0–100 at 4–16 weeks, ${ad.labels.length} comparisons, MD, REML)
are grouped by drug class. Atkinson 2007 randomised patients to a tricyclic (TCA), an SSRI and placebo: its two rows,
one in each subgroup, ${check(sameControl, 'share one placebo arm')} (same mean, SD and N), so the rows are correlated and the
subgroup test, which treats subgroups as independent, does not account for it. The same trial also gives a direct,
randomised comparison of the two classes, in which the placebo arm drops out:`);
  nb.table([
    ['comparison', 'TCA − SSRI (points)', '95% CI', 'p'],
    [
      `between trials: pooled TCA (k = ${level(adS, 'TCA').analysis.studies.yi.length}) − pooled SSRI (k = ${level(adS, 'SSRI').analysis.studies.yi.length})`,
      f2(bDiff),
      `${f2(bDiff - z * bSe)} to ${f2(bDiff + z * bSe)}`,
      f3(pnormTwoSided(bDiff / bSe)),
    ],
    [
      'within one trial: Atkinson 2007, TCA arm − SSRI arm',
      f2(wDiff),
      `${f2(wDiff - z * wSe)} to ${f2(wDiff + z * wSe)}`,
      f3(pnormTwoSided(wDiff / wSe)),
    ],
  ]);
  nb.md(
    `Both estimates are imprecise and neither excludes 0; the within-trial one rests on ${ad.columns.n1i![tcaRow]! + ad.columns.n1i![ssriRow]!} patients
randomised between the classes, the between-trial one on trials that differ in everything else as well. When both
exist, the within-trial comparison is the one a subgroup claim should rest on (Trap 4).`,
  );

  nb.takeaways([
    `Report the test for subgroup differences (and the difference with its CI), never "significant in A, not in B": two identical subgroups were discordant in up to ${pct(maxDisc.y, 0)} of simulated meta-analyses.`,
    'State which convention you used (separate or common τ²) and, when they disagree, report both; choosing the smaller p-value after seeing both inflates false positives.',
    'Single-study subgroups inflate the false-positive rate of the separate-τ² test whenever τ² > 0.',
    'Differences between subgroups of trials are observational; within-trial comparisons are randomised. Pre-specify few hypotheses, with direction, and check consistency across outcomes (Sun et al. 2010).',
    'In the knee-OA trials neither convention shows a difference between strengthening and aerobic exercise, for pain or for function; across all exercise types the two conventions disagree for function, and both results are reported.',
  ]);
  nb.exercises([
    {
      q: `Compute the test for subgroup differences between strengthening and aerobic (pain) by hand from the two pooled estimates and SEs (${f3(str.estimate)} ± ${f3(str.se)}, ${f3(aer.estimate)} ± ${f3(aer.se)}).`,
      a: (() => {
        const dd = aer.estimate - str.estimate,
          se = Math.sqrt(aer.se ** 2 + str.se ** 2);
        return `For two subgroups Q_b = (θ̂_A − θ̂_S)²/(SE_A² + SE_S²) = (${f3(dd)})²/${f3(se ** 2)} = ${f2((dd / se) ** 2)}, p = ${f3(pnormTwoSided(dd / se))} on 1 df, as in the table's separate-τ² row (${f2(pain.two.test!.Q)}).`;
      })(),
    },
    {
      q: 'If you test 10 unrelated characteristics at 5%, what is the chance of at least one false positive if the tests were independent? What does the simulation give, and why might it differ?',
      a: `1 − 0.95¹⁰ = ${pct(1 - 0.95 ** 10)}; the simulation gives ${pct(t2At(10).y)}. Mostly because the z test's own rate is ${pct(t2At(1).y)} here, not 5% (course 8): 1 − (1 − ${f3(t2At(1).y)})¹⁰ = ${pct(1 - (1 - t2At(1).y) ** 10)}. The tests also share the same studies and outcomes, so they are not exactly independent.`,
    },
    {
      q: 'Why does a single-study subgroup make the separate-τ² test anti-conservative but not the common-τ² test?',
      a: "Under separate τ², a one-study subgroup's pooled estimate is the study itself with variance vᵢ, which omits the between-study variance τ² that any single study carries as an estimate of its subgroup's mean. The common-τ² model adds τ̂² (estimated from the other subgroup) to that study's variance.",
    },
    {
      q: 'Name three things besides exercise type that could differ between the strengthening and the aerobic trials and could explain a difference between them.',
      a: 'For example: the population (age, severity, baseline pain), the comparator (no treatment vs usual care vs education), the dose and duration of the programme, supervision, the pain instrument, risk of bias, and publication year.',
    },
  ]);
  nb.references(['Borenstein2013', 'Cochrane', 'Sun2010', 'Thompson2002']);
  nb.save();
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
