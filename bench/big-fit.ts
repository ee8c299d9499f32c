/**
 * The compiled CLI's `fit` of a very large CSV (issue 14's target: 10⁶ rows under 3 s and 500 MB), measured
 * as a user runs it: `node bin/evsynth.cjs fit big.csv` in a fresh process, with and without the per-study
 * table. Writes a seeded, heterogeneous yi,vi table (SMD-like: nᵢ log-uniform on 20…500, θᵢ ~ N(−0.3, 0.04),
 * vᵢ = 4/nᵢ + yᵢ²/(2nᵢ)), runs each variant `runs` times and prints medians of CPU time (user + system),
 * wall time and peak RSS (from /usr/bin/time where present; wall time only without it), with the load
 * average, since on a shared machine the wall time is only an upper bound.
 *
 * `npx tsx bench/big-fit.ts [k = 1000000] [runs = 5]`; `--metafor N` also fits the first N rows with
 * metafor (rma, confint, predict; R present) and prints the largest relative difference from evsynth (metafor
 * builds k × k matrices: 10⁵ studies would need 75 GB, so N of a few thousand). No assertions: numbers only.
 * Run `npm run build` first: it measures the compiled CLI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeTable } from '../src/analysis/analyze.ts';
import { Random } from '../src/core/random.ts';
import { parseCsv } from '../src/io/csv.ts';
import { summarize } from '../src/report/summary.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const metaforRows = flag('--metafor');
const k = Number(args[0] ?? 1_000_000),
  runs = Number(args[1] ?? 5);
const bin = new URL('../bin/evsynth.cjs', import.meta.url).pathname;
if (!existsSync(new URL('../dist/bin/evsynth.js', import.meta.url))) throw new Error('run `npm run build` first');
const tmp = mkdtempSync(join(tmpdir(), 'evsynth-big-fit-'));

/** The seeded table of k studies (the same file for the same k). */
function bigCsv(rows: number): string {
  const g = new Random(14);
  const lines = ['study,yi,vi'];
  for (let i = 0; i < rows; i++) {
    const n = Math.round(20 * Math.exp(g.next() * Math.log(25)));
    const theta = -0.3 + g.normal() * Math.sqrt(0.04);
    const yi = theta + g.normal() * Math.sqrt(4 / n + (theta * theta) / (2 * n));
    lines.push(`S${i + 1},${yi.toFixed(4)},${(4 / n + (yi * yi) / (2 * n)).toPrecision(5)}`);
  }
  return lines.join('\n') + '\n';
}
const file = join(tmp, `k${k}.csv`);
writeFileSync(file, bigCsv(k));
const mb = (readFileSync(file).length / 2 ** 20).toFixed(1);

const hasTime = spawnSync('/usr/bin/time', ['-f', '%e', 'true'], { stdio: 'ignore' }).status === 0;
interface Run {
  cpu: number | null;
  wall: number;
  rssMB: number | null;
}
function runOnce(extra: string[]): Run {
  if (hasTime) {
    const out = join(tmp, 'time.txt');
    execFileSync('/usr/bin/time', ['-f', '%U %S %e %M', '-o', out, process.execPath, bin, 'fit', file, ...extra], {
      stdio: 'ignore',
    });
    const [u, s, e, m] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { cpu: u! + s!, wall: e!, rssMB: m! / 1024 };
  }
  const t = performance.now();
  execFileSync(process.execPath, [bin, 'fit', file, ...extra], { stdio: 'ignore' });
  return { cpu: null, wall: (performance.now() - t) / 1000, rssMB: null };
}
const median = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  return v.length === 0 ? null : (v[Math.floor(v.length / 2)] as number);
};
const fmt = (x: number | null, unit: string, d = 2) => (x === null ? 'n/a' : `${x.toFixed(d)} ${unit}`);

console.log(
  `fit of a ${k.toLocaleString('en')}-row CSV (${mb} MB), compiled CLI, ${runs} runs each, Node ${process.version}`,
);
console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}\n`,
);
console.log('| command | CPU (user + sys), median | wall, median | peak RSS, median | runs (CPU s) |');
console.log('| --- | --- | --- | --- | --- |');
for (const extra of [['--no-studies'], []]) {
  const rs = Array.from({ length: runs }, () => runOnce(extra));
  console.log(
    `| \`node bin/evsynth.cjs fit big.csv${extra.length ? ` ${extra.join(' ')}` : ''}\` | ${fmt(median(rs.map((r) => r.cpu)), 's')} | ${fmt(median(rs.map((r) => r.wall)), 's')} | ${fmt(median(rs.map((r) => r.rssMB)), 'MB', 0)} | ${rs.map((r) => (r.cpu ?? r.wall).toFixed(2)).join(', ')} |`,
  );
}
console.log(
  `\nload average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`,
);

if (metaforRows !== undefined) {
  const n = Number(metaforRows);
  const part = join(tmp, `k${n}.csv`);
  writeFileSync(part, bigCsv(n));
  const table = parseCsv(readFileSync(part, 'utf8'), part);
  const { result } = analyzeTable(table, {});
  if (result.kind !== 'single') throw new Error('expected one analysis');
  const s = summarize(result.analysis);
  const r = join(tmp, 'big.R');
  writeFileSync(
    r,
    `suppressMessages(library(metafor)); d <- read.csv("${part}")
t0 <- proc.time()
res <- rma(yi, vi, data = d, control = list(threshold = 1e-12, maxiter = 1000))
ci <- confint(res, control = list(tol = 1e-12)); pr <- predict(res)
el <- (proc.time() - t0)[["elapsed"]]
cat(sprintf("%.17g", c(res$b, res$se, res$ci.lb, res$ci.ub, res$tau2, res$se.tau2, res$I2, res$H2, res$QE,
  ci$random[1, 2], ci$random[1, 3], ci$random[3, 2], ci$random[3, 3], pr$pi.lb, pr$pi.ub, el)), "\\n")\n`,
  );
  const m = execFileSync('Rscript', [r], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
  const ours = [
    s.estimate,
    s.se,
    s.ciLower,
    s.ciUpper,
    s.tau2,
    s.tau2SE,
    s.I2,
    s.H2,
    s.Q,
    s.tau2CI?.[0],
    s.tau2CI?.[1],
    s.I2CI?.[0],
    s.I2CI?.[1],
    s.piLower,
    s.piUpper,
  ] as number[];
  const names = 'b se ci.lb ci.ub tau2 se.tau2 I2 H2 QE tau2.lb tau2.ub I2.lb I2.ub pi.lb pi.ub'.split(' ');
  let worst = 0,
    at = '';
  ours.forEach((x, i) => {
    const d = Math.abs(x - (m[i] as number)) / Math.max(Math.abs(m[i] as number), 1e-300);
    if (d > worst) [worst, at] = [d, names[i] as string];
  });
  console.log(
    `\nmetafor on the first ${n.toLocaleString('en')} rows (${(m[15] as number).toFixed(1)} s): largest relative difference from evsynth ${worst.toExponential(1)} (${at}); τ² ${m[4]} vs ${s.tau2}`,
  );
}
