/**
 * Start-up costs of the built package (`npm run bench:startup`; needs `npm run build`): the CLI's whole-process
 * time against Rscript + metafor doing the same fit, `evsynth --help`, `npm start`, a worker thread's start-up,
 * and the batch size from which fitBatchParallel (two workers) beats fitBatch in one thread. Medians of paired
 * rounds; ratios are what to read on a shared machine. `--markdown` prints the table for docs/performance.md.
 * No assertions: numbers only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// types only: the measured code is the built package in dist/
import type * as NodeEntry from '../src/node.ts';

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
// 4. a worker thread's start-up: the compiled GOSH worker, from `new Worker` to its result for a 3-study job, next
// to an empty worker (Node's own cost). Measured in a plain `node` child: workers inherit their parent's execArgv, and
// this bench runs under tsx, whose loader a worker started from here would load too (about 100 ms more per start).
{
  const empty = join(tmp, 'empty-worker.mjs');
  writeFileSync(empty, "import { parentPort } from 'node:worker_threads'; parentPort.postMessage({ result: 1 });\n");
  const script = join(tmp, 'worker-start.mjs');
  const worker = new URL('../dist/core/worker.js', import.meta.url).href;
  const from = new URL('../dist/diagnostics/gosh-parallel.js', import.meta.url).href;
  writeFileSync(
    script,
    `import { Worker } from 'node:worker_threads';
import { startWorker } from ${JSON.stringify(worker)};
const data = { yi: Float64Array.from([0.1, 0.2, 0.3]), vi: Float64Array.from([0.01, 0.02, 0.03]), method: 'REML', masks: Float64Array.from([1, 2, 3, 4, 5, 6, 7]) };
const time = (start) => new Promise((resolve, reject) => {
  const t = performance.now();
  const w = start();
  w.on('message', (m) => { if (m.result) { resolve(performance.now() - t); void w.terminate(); } });
  w.on('error', reject);
});
const gosh = () => startWorker('./gosh-worker', ${JSON.stringify(from)}, data);
const empty = () => new Worker(${JSON.stringify(empty)});
await time(gosh); await time(empty);
const tg = [], te = [];
for (let i = 0; i < 11; i++) { tg.push(await time(gosh)); te.push(await time(empty)); }
const med = (xs) => [...xs].sort((a, b) => a - b)[5] / 1000;
process.stdout.write(JSON.stringify({ gosh: med(tg), empty: med(te) }));
`,
  );
  const r = JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' })) as {
    gosh: number;
    empty: number;
  };
  add({
    workload: 'an empty worker thread, to its first message (Node’s own cost: the floor)',
    evsynth: r.empty,
    other: null,
    target: '—',
  });
  add({
    workload: 'worker thread start-up (compiled GOSH worker, to its first result)',
    evsynth: r.gosh,
    other: null,
    target: '< 100 ms',
  });
}
// 5. fitBatch (one thread) vs fitBatchParallel (two workers): where the workers pay off
const crossover: string[] = [];
{
  const { fitBatch, fitBatchParallel } = (await import(join(root, 'dist', 'node.js'))) as typeof NodeEntry;
  const k = 10;
  for (const n of [2_000, 10_000, 50_000, 200_000]) {
    const yi = new Float64Array(n * k),
      vi = new Float64Array(n * k);
    let s = 12345;
    const u = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < n * k; i++) {
      vi[i] = 0.01 + 0.3 * u();
      yi[i] = 0.3 + (u() - 0.5) * 0.8;
    }
    const one = median([0, 1, 2].map(() => wall(() => fitBatch(yi, vi, k, { method: 'REML' }))));
    const ts: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t = performance.now();
      await fitBatchParallel(yi, vi, k, { method: 'REML', workers: 2 });
      ts.push((performance.now() - t) / 1000);
    }
    const two = median(ts);
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
