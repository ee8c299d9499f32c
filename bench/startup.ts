/**
 * Start-up costs of the built package (`npm run bench:startup`; needs `npm run build`): the CLI's whole-process
 * time against Rscript + metafor doing the same fit, `evsynth --help`, `npm start`, the worker threads' start-up,
 * and the batch size from which fitBatchParallel (two workers) beats fitBatch in one thread (both in a plain `node`
 * child, without tsx). Medians of paired
 * rounds; ratios are what to read on a shared machine. `--markdown` prints the table for docs/performance.md.
 * No assertions: numbers only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const markdown = process.argv.includes('--markdown');
if (!existsSync(join(root, 'dist', 'bin', 'evsynth.js'))) {
  process.stderr.write('bench/startup.ts measures the built package: run `npm run build` first\n');
  process.exit(2);
}
const tmp = mkdtempSync(join(tmpdir(), 'evsynth-startup-'));
const hasR = spawnSync('Rscript', ['-e', 'suppressMessages(library(metafor))'], { stdio: 'ignore' }).status === 0;
const bin = join(root, 'bin', 'evsynth.cjs');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const wall = (f: () => unknown): number => {
  const t = performance.now();
  f();
  return (performance.now() - t) / 1000;
};
/** Paired rounds: a, then b, `rounds` times (after one warm-up of each); medians of each. */
function paired(a: () => unknown, b: (() => unknown) | null, rounds: number): [number, number | null] {
  a();
  b?.();
  const ta: number[] = [],
    tb: number[] = [];
  for (let i = 0; i < rounds; i++) {
    ta.push(wall(a));
    if (b) tb.push(wall(b));
  }
  return [median(ta), b ? median(tb) : null];
}

interface Row {
  readonly workload: string;
  readonly evsynth: number;
  readonly other: number | null;
  readonly target: string;
}
const rows: Row[] = [];
const fmt = (s: number) => (s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(0)} ms`);
const add = (r: Row) => {
  rows.push(r);
  process.stderr.write(`${r.workload}: ${fmt(r.evsynth)}${r.other !== null ? ` vs ${fmt(r.other)}` : ''}\n`);
};

// 1. fit a 39-study CSV, whole process: evsynth (compiled, plain node) vs Rscript + metafor
{
  const csv = join(tmp, 'k39.csv');
  const lines = ['study,yi,vi'];
  for (let i = 0; i < 39; i++)
    lines.push(`S${i + 1},${(0.3 + 0.2 * Math.sin(i)).toFixed(4)},${(0.02 + 0.01 * (i % 7)).toFixed(4)}`);
  writeFileSync(csv, lines.join('\n') + '\n');
  const rs = join(tmp, 'fit.R');
  writeFileSync(rs, `suppressMessages(library(metafor)); d <- read.csv("${csv}"); print(rma(yi, vi, data=d))\n`);
  const [e, r] = paired(
    () => execFileSync(process.execPath, [bin, 'fit', csv], { stdio: 'ignore' }),
    hasR ? () => execFileSync('Rscript', [rs], { stdio: 'ignore' }) : null,
    9,
  );
  add({
    workload: 'CLI whole process: `evsynth fit` of a 39-study CSV vs `Rscript` + metafor',
    evsynth: e,
    other: r,
    target: '≥ 5× faster',
  });
}
// 2. evsynth --help
{
  // paired with an empty node: the floor no command can go below on this machine
  const [e, floor] = paired(
    () => execFileSync(process.execPath, [bin, '--help'], { stdio: 'ignore' }),
    () => execFileSync(process.execPath, ['-e', ''], { stdio: 'ignore' }),
    15,
  );
  add({ workload: '`evsynth --help`', evsynth: e, other: null, target: '< 150 ms' });
  add({
    workload: 'an empty `node -e ""` (Node’s own start: the floor)',
    evsynth: floor ?? 0,
    other: null,
    target: '—',
  });
}
// 3. npm start (the main job: reproduce every claim, the chapter at a glance, the flagship analysis and plot)
{
  const out = join(tmp, 'out');
  const [e] = paired(() => execFileSync(process.execPath, [bin, 'start', '--out', out], { stdio: 'ignore' }), null, 3);
  add({ workload: '`npm start` (`evsynth start`)', evsynth: e, other: null, target: '< 3 s' });
}
// 4. a worker thread's start-up: each bundled worker (dist/workers), from `new Worker` to its result for a 3-study job,
// next to an empty CommonJS worker (Node's own cost of a thread: the floor); and 5. fitBatch (one thread) against
// fitBatchParallel (two workers): where the workers pay off. Both in a plain `node` child: a worker inherits its
// parent's execArgv, and this bench runs under tsx, whose loader each worker would load too (about 100 ms per start).
const crossover: string[] = [];
{
  const empty = join(tmp, 'empty-worker.cjs');
  writeFileSync(empty, "require('node:worker_threads').parentPort.postMessage({ result: 1 });\n");
  const script = join(tmp, 'workers.mjs');
  const dist = (f: string) => JSON.stringify(new URL(`../dist/${f}`, import.meta.url).href);
  writeFileSync(
    script,
    `import { Worker } from 'node:worker_threads';
import { startWorker } from ${dist('core/worker.js')};
import { fitBatch } from ${dist('index.js')};
import { fitBatchParallel } from ${dist('node.js')};
const yi = Float64Array.from([0.1, 0.2, 0.3]), vi = Float64Array.from([0.01, 0.02, 0.03]);
const time = (start) => new Promise((resolve, reject) => {
  const t = performance.now();
  const w = start();
  w.on('message', (m) => { if (m.result || m.estimate) { const dt = performance.now() - t; void w.terminate().then(() => resolve(dt)); } });
  w.on('error', reject);
});
const job = (w, data) => (w.postMessage(data), w);
const starts = {
  empty: () => new Worker(${JSON.stringify(empty)}),
  gosh: () => job(startWorker('diagnostics/gosh-worker'), { yi, vi, method: 'REML', masks: Float64Array.from([1, 2, 3, 4, 5, 6, 7]) }),
  batch: () => job(startWorker('models/batch-worker'), { yi, vi, k: 3, options: { method: 'REML' } }),
};
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] / 1000;
const ts = { empty: [], gosh: [], batch: [] };
for (const s of Object.values(starts)) await time(s);
for (let i = 0; i < 15; i++) for (const [name, s] of Object.entries(starts)) ts[name].push(await time(s));
const out = { empty: med(ts.empty), gosh: med(ts.gosh), batch: med(ts.batch), crossover: [] };
const k = 10;
for (const n of [10_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000]) {
  const Y = new Float64Array(n * k), V = new Float64Array(n * k);
  let s = 12345;
  const u = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < n * k; i++) { V[i] = 0.01 + 0.3 * u(); Y[i] = 0.3 + (u() - 0.5) * 0.8; }
  const one = [], two = [];
  for (let r = 0; r < 5; r++) {
    let t = performance.now();
    fitBatch(Y, V, k, { method: 'REML' });
    one.push(performance.now() - t);
    t = performance.now();
    await fitBatchParallel(Y, V, k, { method: 'REML', workers: 2 });
    two.push(performance.now() - t);
  }
  out.crossover.push({ n, one: med(one), two: med(two) });
}
process.stdout.write(JSON.stringify(out));
`,
  );
  const r = JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' })) as {
    empty: number;
    gosh: number;
    batch: number;
    crossover: { n: number; one: number; two: number }[];
  };
  add({
    workload: 'an empty worker thread, to its first message (Node’s own cost: the floor)',
    evsynth: r.empty,
    other: null,
    target: '—',
  });
  add({
    workload: 'worker thread start-up (GOSH worker, to its first result)',
    evsynth: r.gosh,
    other: null,
    target: '< 100 ms',
  });
  add({
    workload: 'worker thread start-up (batch worker, to its first result)',
    evsynth: r.batch,
    other: null,
    target: '< 100 ms',
  });
  for (const { n, one, two } of r.crossover) {
    crossover.push(
      `${n.toLocaleString('en')} analyses: one thread ${fmt(one)}, two workers ${fmt(two)} (${(one / two).toFixed(2)}×)`,
    );
    process.stderr.write(`${crossover.at(-1)}\n`);
  }
}

const ver = hasR
  ? execFileSync('Rscript', ['-e', 'cat(R.version.string, "; metafor", as.character(packageVersion("metafor")))'], {
      encoding: 'utf8',
    }).trim()
  : 'R not installed';
const header = `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; load ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' / ')}; Node ${process.version}; ${ver}`;
const table = [
  ['workload', 'evsynth', 'Rscript + metafor', 'ratio', 'target'],
  ...rows.map((r) => [
    r.workload,
    fmt(r.evsynth),
    r.other === null ? '—' : fmt(r.other),
    r.other === null ? '—' : `${(r.other / r.evsynth).toFixed(1)}×`,
    r.target,
  ]),
];
const body = markdown
  ? `| ${table[0]!.join(' | ')} |\n|${table[0]!.map(() => ' --- ').join('|')}|\n${table
      .slice(1)
      .map((r) => `| ${r.join(' | ')} |`)
      .join('\n')}`
  : table.map((r) => r.join('  ·  ')).join('\n');
process.stdout.write(
  `${header}\n\n${body}\n\nfitBatch vs fitBatchParallel (k = 10, REML):\n${crossover.map((c) => `- ${c}`).join('\n')}\n`,
);
