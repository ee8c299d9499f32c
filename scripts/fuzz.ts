/**
 * The large fuzz run of issue 14: 10⁵ generated inputs over the CLI's CSV reading path and the engine's
 * entry points (the properties of tests/fuzz-properties.ts, which npm test runs a few hundred times).
 * Prints, per entry point, the inputs, successes, typed errors by code, failures (anything but an
 * EvsynthError, or NaN in a success) and the slowest call. Figures go in docs/robustness.md.
 *   npx tsx scripts/fuzz.ts [total inputs, default 100000] [seed, default 1]
 */
import fc from 'fast-check';
import {
  checkCsv,
  checkDiagnostics,
  checkFitBatch,
  checkFitRma,
  csvText,
  diagnosticArgs,
  fitBatchArgs,
  fitRmaArgs,
  type Outcome,
} from '../tests/fuzz-properties.ts';

const total = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 1);
const plan: [string, number, fc.Arbitrary<unknown>, (x: never) => Outcome | Promise<Outcome>][] = [
  ['fitRma', 0.4, fitRmaArgs, checkFitRma],
  ['fitBatch', 0.1, fitBatchArgs, checkFitBatch],
  ['CSV reader + fit', 0.4, csvText, checkCsv],
  ['bias + sensitivity', 0.1, diagnosticArgs, checkDiagnostics],
];
const started = performance.now();
let failures = 0;
const lines: string[] = [];
for (const [name, share, arb, check] of plan) {
  const n = Math.round(total * share);
  const codes = new Map<string, number>();
  let ok = 0,
    slowest = 0;
  const bad: string[] = [];
  const samples = fc.sample(arb, { numRuns: n, seed });
  for (const x of samples) {
    const t = performance.now();
    const o = await check(x as never);
    slowest = Math.max(slowest, performance.now() - t);
    if ('failure' in o) {
      failures++;
      if (bad.length < 5) bad.push(`${o.failure} on ${JSON.stringify(x).slice(0, 300)}`);
    } else if (o.ok) ok++;
    else codes.set(o.code, (codes.get(o.code) ?? 0) + 1);
  }
  const errs = [...codes]
    .sort((a, b) => b[1] - a[1])
    .map(([c, k]) => `${c} ${k}`)
    .join(', ');
  lines.push(
    `| ${name} | ${n} | ${ok} | ${n - ok - bad.length > 0 ? errs : '0'} | ${n - ok - [...codes.values()].reduce((a, b) => a + b, 0)} | ${slowest.toFixed(0)} ms |`,
  );
  for (const b of bad) process.stderr.write(`FAILURE ${name}: ${b}\n`);
}
process.stdout.write(
  [
    `Fuzz run: ${total} inputs, seed ${seed}, ${((performance.now() - started) / 1000).toFixed(1)} s, Node ${process.version}`,
    '',
    '| entry point | inputs | successes | typed errors (EvsynthError code: count) | failures | slowest call |',
    '| --- | --- | --- | --- | --- | --- |',
    ...lines,
    '',
  ].join('\n'),
);
process.exitCode = failures > 0 ? 1 : 0;
