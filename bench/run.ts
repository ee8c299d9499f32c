/**
 * Benchmarks evsynth against metafor on the same machine in one run, and prints a table of medians
 * and ratios (`npm run bench`; `npm run bench -- --full` runs metafor's slow workloads in full
 * instead of a scaled-down count that is extrapolated linearly; `--markdown` prints the table as
 * Markdown for docs/performance.md). Without Rscript + metafor only evsynth's side runs.
 * No assertions: numbers only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../src/core/random.ts';
import { goshParallel } from '../src/diagnostics/gosh-parallel.ts';
import { leaveOneOut } from '../src/diagnostics/leave-one-out.ts';
import { permutationTest } from '../src/inference/permutation.ts';
import { fitBatch } from '../src/models/batch.ts';
import { designFromColumns } from '../src/models/design.ts';
import { fitRma } from '../src/models/rma.ts';
import { BenchTable } from './table.ts';

const full = process.argv.includes('--full');
const markdown = process.argv.includes('--markdown');
const tmp = mkdtempSync(join(tmpdir(), 'evsynth-bench-'));
const hasR = spawnSync('Rscript', ['-e', 'suppressMessages(library(metafor))'], { stdio: 'ignore' }).status === 0;

/** Median wall time (seconds) of `reps` runs of f, after one warm-up run. */
async function time(f: () => unknown, reps = 5): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await f();
    ts.push((performance.now() - t) / 1000);
  }
  return ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)] as number;
}

/** Runs R code that prints one number: seconds for the workload (median of its own repetitions). */
function rTime(code: string): number {
  const file = join(tmp, 'b.R');
  writeFileSync(file, `suppressMessages(library(metafor))\nset.seed(1)\n${code}\n`);
  const out = execFileSync('Rscript', [file], { encoding: 'utf8' }).trim().split('\n');
  return Number(out[out.length - 1]);
}
const rMedian = (expr: string, reps: number) =>
  `ts <- replicate(${reps}, system.time({${expr}})[["elapsed"]]); cat(median(ts), "\\n")`;

const bcgYi = [
  -0.8893113339202054, -1.5853886572014306, -1.3480731482996933, -1.4415511900213054, -0.21754732221129558,
  -0.786115585818864, -1.6208982235983918, 0.011952333523840508, -0.4694176487381494, -1.3713448034727844,
  -0.3393588283383906, 0.44591340057137874, -0.017313948216879815,
];
const bcgVi = [
  0.32558476500396133, 0.19458112139814385, 0.4153679653679654, 0.020010031902247573, 0.05121017216963086,
  0.0069056184559087574, 0.22301724757231517, 0.0039615792978177295, 0.056434210463248966, 0.07302479361302891,
  0.01241221397155972, 0.5325058452001528, 0.0714046596839863,
];
const bcgAblat = [44, 55, 42, 52, 13, 44, 19, 13, 27, 42, 18, 33, 33];
const rng = new Random(2026);
const sim = (k: number) => {
  const v = Array.from({ length: k }, () => 0.01 + rng.next() * 0.3);
  return { yi: v.map((x) => 0.3 + rng.normal() * Math.sqrt(x + 0.05)), vi: v };
};
const d14 = sim(14),
  d39 = sim(39),
  d2000 = sim(2000);
const rvec = (a: readonly number[]) => `c(${a.map((x) => x.toPrecision(17)).join(',')})`;

const results = new BenchTable();
const add = results.add.bind(results);

// 1. one REML fit, k = 13
{
  const n = 20000;
  const e =
    (await time(() => {
      for (let i = 0; i < n; i++) fitRma(bcgYi, bcgVi, { method: 'REML' });
    })) / n;
  const r = hasR
    ? rTime(
        `yi <- ${rvec(bcgYi)}; vi <- ${rvec(bcgVi)}\n${rMedian('for (i in 1:200) rma(yi, vi, method="REML")', 5)}`,
      ) / 200
    : null;
  add('one REML fit, k = 13 (dat.bcg)', e, r, '≥ 200×');
}
// 2. 10,000 simulated meta-analyses (k = 10), REML + Knapp-Hartung
{
  const n = 10000,
    k = 10;
  const e = await time(() => {
    const g = new Random(1);
    const yi = new Float64Array(n * k),
      vi = new Float64Array(n * k);
    for (let i = 0; i < n * k; i++) {
      const v = 0.01 + g.next() * 0.3;
      vi[i] = v;
      yi[i] = 0.3 + g.normal() * Math.sqrt(v + 0.05);
    }
    return fitBatch(yi, vi, k, { method: 'REML', test: 'knha' });
  }, 3);
  const m = full ? n : 500;
  const r = hasR
    ? (rTime(
        `${rMedian(`for (s in 1:${m}) { vi <- runif(10, 0.01, 0.31); yi <- rnorm(10, 0.3, sqrt(vi + 0.05)); try(rma(yi, vi, method="REML", test="knha"), silent=TRUE) }`, 1)}`,
      ) *
        n) /
      m
    : null;
  add(
    '10,000 simulated meta-analyses (k = 10), REML + Knapp–Hartung',
    e,
    r,
    '≥ 300×',
    `one thread, data generation included${full ? '' : `; metafor: ${m} analyses timed, ×${n / m}`}`,
  );
}
// 3. GOSH of a REML fit, k = 14 (16,383 subsets)
{
  const fit = fitRma(d14.yi, d14.vi, { method: 'REML' });
  const e = await time(() => goshParallel(fit), 3);
  const m = full ? 16383 : 1000;
  const r = hasR
    ? (rTime(
        `yi <- ${rvec(d14.yi)}; vi <- ${rvec(d14.vi)}; res <- rma(yi, vi)\n${rMedian(`gosh(res, subsets=${m}, progbar=FALSE)`, 1)}`,
      ) *
        16383) /
      m
    : null;
  add(
    'GOSH of a REML fit, k = 14 (16,383 subsets)',
    e,
    r,
    '≥ 500×',
    `${cpus().length} worker threads${full ? '' : `; metafor: ${m} random subsets timed, ×${(16383 / m).toFixed(1)}`}`,
  );
  const d20 = sim(20);
  const f20 = fitRma(d20.yi, d20.vi, { method: 'REML' });
  add('GOSH of a REML fit, k = 20 (1,048,575 subsets)', await time(() => goshParallel(f20), 1), null, '< 10 s');
}
// 4. permutation test, 1,000 permutations, REML meta-regression
{
  const design = designFromColumns([{ name: 'ablat', values: bcgAblat }], 13);
  const fit = fitRma(bcgYi, bcgVi, { method: 'REML', design });
  const e = await time(() => permutationTest(fit, { iterations: 1000, exact: false }), 3);
  const r = hasR
    ? rTime(
        `yi <- ${rvec(bcgYi)}; vi <- ${rvec(bcgVi)}; ablat <- ${rvec(bcgAblat)}; res <- rma(yi, vi, mods=~ablat)\n${rMedian('permutest(res, iter=1000, progbar=FALSE)', 1)}`,
      )
    : null;
  add('permutation test, 1,000 permutations, REML meta-regression (k = 13)', e, r, '≥ 100×');
}
// 5. leave-one-out, k = 39
{
  const fit = fitRma(d39.yi, d39.vi, { method: 'REML' });
  const e = await time(() => leaveOneOut(fit), 20);
  const r = hasR
    ? rTime(`yi <- ${rvec(d39.yi)}; vi <- ${rvec(d39.vi)}; res <- rma(yi, vi)\n${rMedian('leave1out(res)', 3)}`)
    : null;
  add('leave-one-out of a REML fit, k = 39', e, r, '');
}
// 6. one REML fit, k = 2,000; and k = 1,000,000 (evsynth only, with memory)
{
  const e = await time(() => fitRma(d2000.yi, d2000.vi, { method: 'REML' }), 20);
  const r =
    hasR && full ? rTime(`yi <- ${rvec(d2000.yi)}; vi <- ${rvec(d2000.vi)}\n${rMedian('rma(yi, vi)', 1)}`) : null;
  add(
    'one REML fit, k = 2,000',
    e,
    r,
    'linear in k',
    hasR && !full ? 'metafor timed only with --full (about 20 s)' : '',
  );
  const k = 1_000_000;
  const g = new Random(3);
  const vi = Float64Array.from({ length: k }, () => 0.01 + g.next() * 0.3);
  const yi = Float64Array.from(vi, (v) => 0.3 + g.normal() * Math.sqrt(v + 0.05));
  const before = process.memoryUsage().rss;
  const t = performance.now();
  fitRma(yi, vi, { method: 'REML' });
  const secs = (performance.now() - t) / 1000;
  const mb = (process.memoryUsage().rss - before) / 2 ** 20;
  add('one REML fit, k = 1,000,000', secs, null, '≈ 1 s, < 300 MB', `memory growth ${mb.toFixed(0)} MB`);
}
// 7. CLI whole-process time, 39 studies
{
  const csv = join(tmp, 'k39.csv');
  writeFileSync(csv, ['study,yi,vi', ...d39.yi.map((y, i) => `S${i + 1},${y},${d39.vi[i]}`)].join('\n') + '\n');
  const bin = new URL('../bin/evsynth.cjs', import.meta.url).pathname;
  const e = await time(() => execFileSync(process.execPath, [bin, 'fit', csv], { stdio: 'ignore' }), 5);
  const rs = join(tmp, 'fit.R');
  writeFileSync(rs, `suppressMessages(library(metafor)); d <- read.csv("${csv}"); print(rma(yi, vi, data=d))\n`);
  const r = hasR ? await time(() => execFileSync('Rscript', [rs], { stdio: 'ignore' }), 5) : null;
  add('CLI whole process: fit a 39-study CSV (compiled CLI vs Rscript + metafor)', e, r, '≥ 5×');
}

const ver = hasR
  ? execFileSync('Rscript', ['-e', 'cat(R.version.string, "; metafor", as.character(packageVersion("metafor")))'], {
      encoding: 'utf8',
    }).trim()
  : 'R not installed';
results.print(ver, full ? 'full' : 'quick (metafor scaled down where noted)', markdown);
