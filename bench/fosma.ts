/**
 * evsynth side by side with FOSMA (rbmichael/meta-analysis, MIT; a browser meta-analysis app whose statistics
 * modules load in Node as ES modules) in one Node process, and the correctness of both engines' REML fits.
 *
 *   FOSMA_DIR=/path/to/meta-analysis npm run bench:fosma            (or: npm run bench:fosma -- --fosma /path)
 *   … -- --markdown   prints the tables as Markdown for docs/performance.md;  --quick  fewer rounds
 *
 * FOSMA's code is not part of this repository: the benchmark imports it from a checkout given by FOSMA_DIR or
 * --fosma, and says so and stops when there is none. Every workload is timed in paired rounds (evsynth, then
 * FOSMA, alternating which goes first); the table shows the medians of each side's times and the median of the
 * per-round ratios, which is robust to the load of a shared machine. No assertions: numbers only.
 *
 * Correctness: on seeded simulated data sets, each engine's REML fit is checked for convergence and its τ̂² is
 * compared by the restricted log-likelihood it reaches, ℓ_R(τ²) = −½[Σ log(vᵢ + τ²) + log Σwᵢ + Σwᵢ(yᵢ − μ̂)²]
 * (wᵢ = 1/(vᵢ + τ²), μ̂ = Σwᵢyᵢ/Σwᵢ), evaluated for both by the same function below.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Random } from '../src/core/random.ts';
import { gosh, goshMasks, goshRange } from '../src/diagnostics/gosh.ts';
import { tau2ConfidenceInterval } from '../src/inference/tau2-interval.ts';
import { fitBatch } from '../src/models/batch.ts';
import { fitLean } from '../src/models/lean-fit.ts';
import { fitRma } from '../src/models/rma.ts';

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const markdown = argv.includes('--markdown');
const quick = argv.includes('--quick');
const dir = option('--fosma') ?? process.env.FOSMA_DIR;
if (dir === undefined || !existsSync(join(dir, 'js/stats/tau2.js'))) {
  console.log(
    `FOSMA comparison skipped: no FOSMA checkout ${dir === undefined ? 'given' : `at ${dir}`} (set FOSMA_DIR or --fosma to a checkout of github.com/rbmichael/meta-analysis)`,
  );
  process.exit(0);
}

interface Study {
  yi: number;
  vi: number;
}
interface FosmaTau2 {
  tau2: number;
  converged: boolean;
  iters: number;
}
interface FosmaModule {
  tau2_REML: (studies: Study[]) => FosmaTau2;
  meta: (studies: Study[], method: string, ciMethod: string) => { RE: number; seRE: number; tau2: number };
}
const load = async (file: string) => (await import(pathToFileURL(resolve(dir, file)).href)) as Record<string, unknown>;
const F = { ...(await load('js/stats/tau2.js')), ...(await load('js/stats/analysis.js')) } as unknown as FosmaModule;

const bcg = {
  yi: [
    -0.8893113339202054, -1.5853886572014306, -1.3480731482996933, -1.4415511900213054, -0.21754732221129558,
    -0.786115585818864, -1.6208982235983918, 0.011952333523840508, -0.4694176487381494, -1.3713448034727844,
    -0.3393588283383906, 0.44591340057137874, -0.017313948216879815,
  ],
  vi: [
    0.32558476500396133, 0.19458112139814385, 0.4153679653679654, 0.020010031902247573, 0.05121017216963086,
    0.0069056184559087574, 0.22301724757231517, 0.0039615792978177295, 0.056434210463248966, 0.07302479361302891,
    0.01241221397155972, 0.5325058452001528, 0.0714046596839863,
  ],
};
const studiesOf = (yi: ArrayLike<number>, vi: ArrayLike<number>, from = 0, k = yi.length): Study[] => {
  const s: Study[] = [];
  for (let i = 0; i < k; i++) s.push({ yi: yi[from + i] as number, vi: vi[from + i] as number });
  return s;
};
/** n analyses of k studies: vᵢ ~ U(0.01, 0.31), yᵢ ~ N(0.3, vᵢ + τ²), back to back. */
function simulate(seed: number, n: number, k: number, tau2 = 0.05, vmin = 0.01, vspan = 0.3) {
  const g = new Random(seed);
  const yi = new Float64Array(n * k),
    vi = new Float64Array(n * k);
  for (let i = 0; i < n * k; i++) {
    const v = vmin + g.next() * vspan;
    vi[i] = v;
    yi[i] = 0.3 + g.normal() * Math.sqrt(v + tau2);
  }
  return { yi, vi };
}

let sink = 0; // results read, so that no work is skipped
let full20: number; // evsynth's GOSH of all 1,048,575 subsets of k = 20, one thread
const rounds = quick ? 3 : 9;
const heavyRounds = quick ? 1 : 5;
interface Row {
  workload: string;
  evsynth: string;
  fosma: string;
  e: number;
  f: number;
  ratio: number;
  note: string;
}
const rows: Row[] = [];
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const h = (s.length - 1) / 2;
  return ((s[Math.floor(h)] as number) + (s[Math.ceil(h)] as number)) / 2;
};
const now = () => performance.now() / 1000;
/** Seconds per call of each side, in paired rounds (after a warm-up of both), and the median ratio FOSMA/evsynth. */
async function paired(
  workload: string,
  evsynth: [string, () => unknown],
  fosma: [string, () => unknown],
  reps: number,
  nRounds = rounds,
  note = '',
) {
  const run = async (f: () => unknown) => {
    const t = now();
    for (let i = 0; i < reps; i++) await f();
    return (now() - t) / reps;
  };
  await run(evsynth[1]);
  await run(fosma[1]);
  const te: number[] = [],
    tf: number[] = [],
    r: number[] = [];
  for (let i = 0; i < nRounds; i++) {
    let a: number, b: number;
    if (i % 2 === 0) {
      a = await run(evsynth[1]);
      b = await run(fosma[1]);
    } else {
      b = await run(fosma[1]);
      a = await run(evsynth[1]);
    }
    te.push(a);
    tf.push(b);
    r.push(b / a);
  }
  const row = {
    workload,
    evsynth: evsynth[0],
    fosma: fosma[0],
    e: median(te),
    f: median(tf),
    ratio: median(r),
    note,
  };
  rows.push(row);
  process.stderr.write(`${workload}: evsynth ${fmt(row.e)}, FOSMA ${fmt(row.f)}, ${row.ratio.toFixed(2)}×\n`);
}
function fmt(s: number): string {
  return s >= 1 ? `${s.toFixed(2)} s` : s >= 1e-3 ? `${(s * 1e3).toFixed(2)} ms` : `${(s * 1e6).toFixed(2)} µs`;
}

// 1. one REML fit, k = 13: τ² alone (FOSMA) against the lean fit (evsynth computes more: estimate, SE, Q_E, I²)
{
  const studies = studiesOf(bcg.yi, bcg.vi);
  await paired(
    'one REML fit, k = 13 (dat.bcg)',
    ['`fitLean`: estimate, SE, τ², Q_E, I²', () => fitLean(bcg.yi, bcg.vi)],
    ['`tau2_REML`: τ² only', () => F.tau2_REML(studies)],
    20000,
  );
  await paired(
    'one complete REML fit with τ² CI, k = 13',
    [
      '`fitRma` + `tau2ConfidenceInterval` (Q-profile)',
      () => tau2ConfidenceInterval(fitRma(bcg.yi, bcg.vi, { method: 'REML' })),
    ],
    // meta() caches its result per array: a fresh array each call
    ['`meta(…, "REML")`: also FE, Q-profile CIs, PI', () => F.meta(studies.slice(), 'REML', 'normal')],
    2000,
  );
}

// 2. 10,000 simulated meta-analyses (k = 10), REML + Knapp–Hartung
{
  const n = 10000,
    k = 10;
  const { yi, vi } = simulate(1, n, k);
  const sets = Array.from({ length: n }, (_, a) => studiesOf(yi, vi, a * k, k));
  await paired(
    '10,000 meta-analyses (k = 10), REML + Knapp–Hartung',
    ['`fitBatch`: estimate, SE, CI, p, τ²', () => fitBatch(yi, vi, k, { method: 'REML', test: 'knha' })],
    [
      '`tau2_REML` loop: τ² only',
      () => {
        for (const s of sets) F.tau2_REML(s);
      },
    ],
    1,
    heavyRounds + 2,
  );
  await paired(
    '10,000 meta-analyses (k = 10), complete fits',
    [
      '`fitLean` loop (knha), p-values',
      () => {
        for (let a = 0; a < n; a++)
          sink += fitLean(yi.subarray(a * k, a * k + k), vi.subarray(a * k, a * k + k), { test: 'knha' }).pValue;
      },
    ],
    [
      '`meta(…, "REML", "KH")` loop',
      () => {
        for (const s of sets) F.meta(s.slice(), 'REML', 'KH');
      },
    ],
    1,
    heavyRounds,
  );
}

// 3. GOSH of a REML fit, k = 14, one thread: every subset's estimate, τ², I², H², Q against FOSMA's τ² per subset
{
  const d = simulate(2026, 1, 14);
  const fit = fitRma(d.yi, d.vi, { method: 'REML' });
  const { masks } = goshMasks(14);
  const subsets = Array.from(masks, (m) => {
    const s: Study[] = [];
    for (let i = 0; i < 14; i++) if ((m >> i) & 1) s.push({ yi: d.yi[i] as number, vi: d.vi[i] as number });
    return s;
  });
  await paired(
    'GOSH of a REML fit, k = 14 (16,383 subsets), one thread',
    ['`gosh`: estimate, τ², I², H², Q per subset', () => gosh(fit)],
    [
      '`tau2_REML` per subset: τ² only',
      () => {
        for (const s of subsets) F.tau2_REML(s);
      },
    ],
    1,
    heavyRounds + 2,
    "FOSMA's own GOSH (`goshCompute`) is common-effect only",
  );
}

// 4. GOSH, k = 20: like for like on 50,000 random subsets (one thread each), and evsynth's full run of
// 1,048,575 subsets in one thread (goshParallel from the TypeScript sources starts its workers through tsx,
// which costs seconds; the built package's workers start in tens of milliseconds)
{
  const d = simulate(2027, 1, 20);
  const g = new Random(5);
  const masks = new Float64Array(50000);
  for (let s = 0; s < masks.length; s++) {
    let m = 0;
    while (m === 0) m = g.nextUint32() & 0xfffff;
    masks[s] = m;
  }
  const sample = Array.from(masks, (m) => {
    const s: Study[] = [];
    for (let i = 0; i < 20; i++) if ((m >> i) & 1) s.push({ yi: d.yi[i] as number, vi: d.vi[i] as number });
    return s;
  });
  await paired(
    'GOSH of a REML fit, k = 20: 50,000 random subsets, one thread',
    ['`goshRange`: estimate, τ², I², H², Q per subset', () => goshRange(d.yi, d.vi, 'REML', masks)],
    [
      '`tau2_REML` per subset: τ² only',
      () => {
        for (const s of sample) F.tau2_REML(s);
      },
    ],
    1,
    heavyRounds + 2,
    'all 1,048,575 subsets: × 21',
  );
  const fit = fitRma(d.yi, d.vi, { method: 'REML' });
  const t = now();
  gosh(fit);
  full20 = now() - t;
}

// 5. one REML fit of a very large meta-analysis
for (const k of [100_000, 1_000_000]) {
  const d = simulate(7, 1, k);
  const studies = studiesOf(d.yi, d.vi);
  await paired(
    `one REML fit, k = ${k.toLocaleString('en')}`,
    ['`fitLean`', () => fitLean(d.yi, d.vi)],
    ['`tau2_REML`: τ² only', () => F.tau2_REML(studies)],
    1,
    heavyRounds,
  );
}

// Correctness: convergence and the restricted log-likelihood reached, on seeded data sets of several kinds
/** ℓ_R(τ²) of the intercept-only model up to a constant (see the module comment). */
function remlLogLik(yi: ArrayLike<number>, vi: ArrayLike<number>, from: number, k: number, tau2: number): number {
  let sw = 0,
    swy = 0,
    slog = 0;
  for (let i = from; i < from + k; i++) {
    const v = (vi[i] as number) + tau2;
    sw += 1 / v;
    swy += (yi[i] as number) / v;
    slog += Math.log(v);
  }
  const mu = swy / sw;
  let q = 0;
  for (let i = from; i < from + k; i++) q += ((yi[i] as number) - mu) ** 2 / ((vi[i] as number) + tau2);
  return -0.5 * (slog + Math.log(sw) + q);
}
interface Check {
  scenario: string;
  n: number;
  evsynthFailed: number;
  fosmaFailed: number;
  evsynthLower: number;
  fosmaLower: number;
  maxGap: number;
}
const checks: Check[] = [];
const scenarios: [string, number, number, number, number, number][] = [
  // label, n, k, τ², vmin, vspan
  ['k = 10, τ² = 0.05, vᵢ in [0.01, 0.31]', 10000, 10, 0.05, 0.01, 0.3],
  ['k = 5, τ² = 0.5, vᵢ in [0.001, 1]', 10000, 5, 0.5, 0.001, 1],
  ['k = 30, τ² = 0 (homogeneous)', 10000, 30, 0, 0.01, 0.3],
  ['k = 3, τ² = 1, vᵢ in [1e-4, 10]', 10000, 3, 1, 1e-4, 10],
];
const TOL = 1e-9; // a log-likelihood lower by more than this (absolute) counts as stopping short
for (const [scenario, n, k, tau2, vmin, vspan] of scenarios) {
  const { yi, vi } = simulate(11 + checks.length, n, k, tau2, vmin, vspan);
  const c: Check = { scenario, n, evsynthFailed: 0, fosmaFailed: 0, evsynthLower: 0, fosmaLower: 0, maxGap: 0 };
  for (let a = 0; a < n; a++) {
    const e = fitLean(yi.subarray(a * k, a * k + k), vi.subarray(a * k, a * k + k), { method: 'REML' });
    const f = F.tau2_REML(studiesOf(yi, vi, a * k, k));
    if (!e.converged) c.evsynthFailed++;
    if (!f.converged || !Number.isFinite(f.tau2)) c.fosmaFailed++;
    const le = remlLogLik(yi, vi, a * k, k, e.tau2),
      lf = remlLogLik(yi, vi, a * k, k, f.tau2);
    if (le < lf - TOL) c.evsynthLower++;
    if (lf < le - TOL) c.fosmaLower++;
    c.maxGap = Math.max(c.maxGap, Math.abs(le - lf));
  }
  checks.push(c);
}

const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
const head = `Machine: ${cpus().length} × ${cpu}; Node ${process.version}; FOSMA checkout ${resolve(dir)}; ${rounds} paired rounds (${heavyRounds}–${heavyRounds + 2} for the long workloads), medians`;
if (markdown) {
  console.log(`${head}\n`);
  console.log('| workload | evsynth | FOSMA | evsynth time | FOSMA time | FOSMA/evsynth | note |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows)
    console.log(
      `| ${r.workload} | ${r.evsynth} | ${r.fosma} | ${fmt(r.e)} | ${fmt(r.f)} | ${r.ratio.toFixed(1)}× | ${r.note} |`,
    );
  console.log(`\nevsynth's GOSH of all 1,048,575 subsets of k = 20 (REML), one thread: ${fmt(full20)}.`);
  console.log(
    `\nREML correctness (${TOL.toExponential(0)} tolerance on ℓ_R; FOSMA's tau2_REML with its default tolerance 1e-10 and 100 iterations):\n`,
  );
  console.log(
    '| data sets | analyses | evsynth not converged | FOSMA not converged | evsynth ℓ_R lower | FOSMA ℓ_R lower | largest ℓ_R gap |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const c of checks)
    console.log(
      `| ${c.scenario} | ${c.n.toLocaleString('en')} | ${c.evsynthFailed} | ${c.fosmaFailed} | ${c.evsynthLower} | ${c.fosmaLower} | ${c.maxGap.toExponential(1)} |`,
    );
  if (sink === 0.123) console.log('');
} else {
  console.log(head);
  for (const r of rows)
    console.log(`${r.workload}: evsynth ${fmt(r.e)}, FOSMA ${fmt(r.f)}, FOSMA/evsynth ${r.ratio.toFixed(2)}×`);
  console.log(`GOSH k = 20, all subsets, one thread: ${fmt(full20)}`);
  for (const c of checks) console.log(c);
}
