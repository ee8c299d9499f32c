/**
 * Multilevel/multivariate models against metafor's rma.mv (and clubSandwich's CR2) on the same machine in one run
 * (`npm run bench:mv`; `--markdown` prints the table for docs/performance.md; `--quick` skips metafor's dense fit of
 * k = 2,000, which takes minutes; `--full` also tries metafor's sparse fit of k = 100,000, which needed more memory
 * than this machine has). The data are simulated here with a fixed seed and handed to R as CSV, so both sides
 * fit the same numbers. Without Rscript + metafor only evsynth's side runs. No assertions: numbers only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../src/core/random.ts';
import { robust } from '../src/inference/robust.ts';
import { fitRmaMv } from '../src/models/mv/rma-mv.ts';
import { profileIntervals } from '../src/models/mv/profile.ts';
import type { RandomTerm } from '../src/models/mv/random-terms.ts';
import { BenchTable } from './table.ts';

const markdown = process.argv.includes('--markdown');
const quick = process.argv.includes('--quick');
const full = process.argv.includes('--full');
const tmp = mkdtempSync(join(tmpdir(), 'evsynth-bench-mv-'));
const hasR =
  spawnSync('Rscript', ['-e', 'suppressMessages({library(metafor); library(clubSandwich)})'], { stdio: 'ignore' })
    .status === 0;

/** Median wall time (seconds) of `reps` runs of f, after one warm-up run. */
function time(f: () => unknown, reps = 5): number {
  f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    f();
    ts.push((performance.now() - t) / 1000);
  }
  return ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)] as number;
}

/** Runs R code that prints one number: seconds for the workload; null (with the reason in `failures`) if R fails. */
const failures: string[] = [];
function rTime(code: string): number | null {
  const file = join(tmp, 'b.R');
  writeFileSync(file, `suppressMessages({library(metafor); library(clubSandwich)})\n${code}\n`);
  try {
    const out = execFileSync('Rscript', [file], { encoding: 'utf8', maxBuffer: 1 << 26 })
      .trim()
      .split('\n');
    return Number(out[out.length - 1]);
  } catch (e) {
    const err = e as { signal?: string; status?: number };
    failures.push(err.signal === 'SIGKILL' ? 'killed (out of memory)' : `failed (exit ${err.status ?? '?'})`);
    return null;
  }
}
const lastFailure = () => failures[failures.length - 1] ?? '';
const rMedian = (expr: string, reps: number) =>
  `ts <- replicate(${reps}, system.time({${expr}})[["elapsed"]]); cat(median(ts), "\\n")`;

/** A three-level data set: k estimates in nc clusters of equal size, σ² = (0.05, 0.02), sampling variances 0.01–0.2. */
function threeLevel(k: number, nc: number, seed: number) {
  const rng = new Random(seed);
  const cluster = Int32Array.from({ length: k }, (_, i) => Math.floor((i * nc) / k));
  const u = Array.from({ length: nc }, () => rng.normal() * Math.sqrt(0.05));
  const vi = Float64Array.from({ length: k }, () => 0.01 + 0.19 * rng.next());
  const yi = Float64Array.from(
    { length: k },
    (_, i) => 0.3 + (u[cluster[i] as number] as number) + rng.normal() * Math.sqrt(0.02 + (vi[i] as number)),
  );
  const terms: RandomTerm[] = [
    { kind: 'intercept', name: 'cluster', level: cluster, levels: Array.from({ length: nc }, (_, i) => String(i + 1)) },
    {
      kind: 'intercept',
      name: 'cluster/es',
      level: Int32Array.from({ length: k }, (_, i) => i),
      levels: Array.from({ length: k }, (_, i) => String(i + 1)),
    },
  ];
  const csv = join(tmp, `three-level-${k}.csv`);
  writeFileSync(
    csv,
    [
      'cluster,es,yi,vi',
      ...Array.from(
        yi,
        (y, i) => `${(cluster[i] as number) + 1},${i + 1},${y.toPrecision(17)},${(vi[i] as number).toPrecision(17)}`,
      ),
    ].join('\n') + '\n',
  );
  return { yi, vi, terms, cluster, csv };
}

const results = new BenchTable();
const add = results.add.bind(results);
const readR = (csv: string) => `d <- read.csv("${csv}")`;

// 1. three-level REML, k = 2,000 in 200 clusters: metafor's default (dense k × k) and sparse = TRUE
{
  const d = threeLevel(2000, 200, 15);
  const e = time(() => fitRmaMv(d.yi, d.vi, { random: d.terms }), 20);
  const dense =
    hasR && !quick
      ? rTime(`${readR(d.csv)}\n${rMedian('rma.mv(yi, vi, random = ~ 1 | cluster/es, data = d)', 1)}`)
      : null;
  add(
    'three-level REML, k = 2,000 in 200 clusters (metafor default: dense)',
    e,
    dense,
    '≥ 100×',
    quick ? 'metafor skipped (--quick)' : 'metafor timed once',
  );
  const sparse = hasR
    ? rTime(`${readR(d.csv)}\n${rMedian('rma.mv(yi, vi, random = ~ 1 | cluster/es, data = d, sparse = TRUE)', 3)}`)
    : null;
  add('three-level REML, k = 2,000 in 200 clusters (metafor sparse = TRUE)', e, sparse, '', '');
}
// 2. k = 10,000 in 1,000 clusters (both sides), and k = 100,000 in 10,000 clusters (metafor only with --full: on this
// machine its sparse fit was killed for want of memory)
{
  const d = threeLevel(10_000, 1_000, 20);
  const e = time(() => fitRmaMv(d.yi, d.vi, { random: d.terms }), 10);
  const sparse = hasR
    ? rTime(`${readR(d.csv)}\n${rMedian('rma.mv(yi, vi, random = ~ 1 | cluster/es, data = d, sparse = TRUE)', 1)}`)
    : null;
  add(
    'three-level REML, k = 10,000 in 1,000 clusters (metafor sparse = TRUE)',
    e,
    sparse,
    '',
    hasR && sparse === null ? `metafor ${lastFailure()}` : 'metafor timed once',
  );
}
{
  const d = threeLevel(100_000, 10_000, 16);
  const before = process.memoryUsage().rss;
  const e = time(() => fitRmaMv(d.yi, d.vi, { random: d.terms }), 5);
  const mb = (process.memoryUsage().rss - before) / 2 ** 20;
  const sparse =
    hasR && full
      ? rTime(`${readR(d.csv)}\n${rMedian('rma.mv(yi, vi, random = ~ 1 | cluster/es, data = d, sparse = TRUE)', 1)}`)
      : null;
  const which = !full
    ? 'metafor only with --full; '
    : sparse === null
      ? `metafor sparse = TRUE ${lastFailure()}; `
      : 'metafor sparse = TRUE, once; ';
  add(
    'three-level REML, k = 100,000 in 10,000 clusters',
    e,
    sparse,
    '< 1 s',
    `${which}memory growth ${mb.toFixed(0)} MB`,
  );
}
// 3. profile-likelihood CIs of both components, k = 2,000 (metafor confint)
{
  const d = threeLevel(2000, 200, 17);
  const fit = fitRmaMv(d.yi, d.vi, { random: d.terms });
  const e = time(() => profileIntervals(fit), 3);
  const r = hasR
    ? rTime(
        `${readR(d.csv)}; res <- rma.mv(yi, vi, random = ~ 1 | cluster/es, data = d, sparse = TRUE)\n${rMedian('confint(res)', 1)}`,
      )
    : null;
  add('profile-likelihood CIs of σ²₁, σ²₂, k = 2,000 (metafor sparse = TRUE)', e, r, '');
}
// 4. CR2 with Satterthwaite df, k = 2,000 in 200 clusters (clubSandwich coef_test)
{
  const d = threeLevel(2000, 200, 18);
  const fit = fitRmaMv(d.yi, d.vi, { random: d.terms });
  const cl = Array.from(d.cluster, String);
  const e = time(() => robust(fit, cl, { type: 'CR2' }), 5);
  const r = hasR
    ? rTime(
        `${readR(d.csv)}; res <- rma.mv(yi, vi, random = ~ 1 | cluster/es, data = d, sparse = TRUE)\n${rMedian('coef_test(res, vcov = "CR2", cluster = d$cluster)', 3)}`,
      )
    : null;
  add('CR2 robust tests, k = 2,000 in 200 clusters (clubSandwich)', e, r, '');
}
// 5. bivariate model (UN), 400 trials with two outcomes and known covariances
{
  const rng = new Random(19);
  const n = 400;
  const yi: number[] = [],
    vi: number[] = [],
    trial: number[] = [],
    outcome: number[] = [];
  const pairs: { i: number; j: number; cov: number }[] = [];
  for (let t = 0; t < n; t++) {
    const v1 = 0.01 + 0.1 * rng.next(),
      v2 = 0.01 + 0.1 * rng.next();
    const u1 = rng.normal() * 0.2,
      u2 = 0.6 * u1 + rng.normal() * 0.15;
    yi.push(0.3 + u1 + rng.normal() * Math.sqrt(v1), -0.2 + u2 + rng.normal() * Math.sqrt(v2));
    vi.push(v1, v2);
    trial.push(t, t);
    outcome.push(0, 1);
    pairs.push({ i: 2 * t, j: 2 * t + 1, cov: 0.5 * Math.sqrt(v1 * v2) });
  }
  const k = 2 * n;
  const x = new Float64Array(k * 2);
  outcome.forEach((o, i) => (x[i * 2 + o] = 1));
  const design = { k, p: 2, x, names: ['outcomeA', 'outcomeB'] };
  const terms: RandomTerm[] = [
    {
      kind: 'struct',
      struct: 'UN',
      inner: 'outcome',
      outer: 'trial',
      innerLevel: Int32Array.from(outcome),
      innerLevels: ['A', 'B'],
      outerLevel: Int32Array.from(trial),
      outerLevels: Array.from({ length: n }, (_, i) => String(i + 1)),
    },
  ];
  const V = { k, diag: Float64Array.from(vi), pairs };
  const e = time(() => fitRmaMv(yi, V, { random: terms, design }), 10);
  const csv = join(tmp, 'bivariate.csv');
  writeFileSync(
    csv,
    [
      'trial,outcome,yi,vi,cov',
      ...yi.map(
        (y, i) =>
          `${trial[i]! + 1},${outcome[i] ? 'B' : 'A'},${y.toPrecision(17)},${vi[i]!.toPrecision(17)},${pairs[Math.floor(i / 2)]!.cov.toPrecision(17)}`,
      ),
    ].join('\n') + '\n',
  );
  const r = hasR
    ? rTime(
        `${readR(csv)}; V <- bldiag(lapply(split(d, d$trial), function(s) { m <- diag(s$vi); m[1,2] <- m[2,1] <- s$cov[1]; m }))\n${rMedian('rma.mv(yi, V, mods = ~ outcome - 1, random = ~ outcome | trial, struct = "UN", data = d, sparse = TRUE)', 3)}`,
      )
    : null;
  add('bivariate UN model, 400 trials × 2 outcomes, known V (metafor sparse = TRUE)', e, r, '');
}

const ver = hasR
  ? execFileSync(
      'Rscript',
      [
        '-e',
        'cat(R.version.string, "; metafor", as.character(packageVersion("metafor")), "; clubSandwich", as.character(packageVersion("clubSandwich")))',
      ],
      { encoding: 'utf8' },
    ).trim()
  : 'R not installed';
results.print(ver, quick ? 'quick (the dense metafor fit skipped)' : null, markdown);
