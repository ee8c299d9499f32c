import { availableParallelism } from 'node:os';
import { startWorker } from '../core/worker.ts';
import { assertInteger } from '../core/validate.ts';
import { assertBatchArguments, fitBatch, type BatchResult } from './batch.ts';
import type { TestType } from './rma.ts';
import type { Tau2Method } from './tau2/index.ts';

/**
 * {@link fitBatch} spread over worker threads: the analyses are split into contiguous blocks, one per
 * core, and the results reassembled in order, so the output is identical to fitBatch's. Each worker adds its
 * start (about 50 ms on an idle machine: its bundle, dist/workers/batch-worker.cjs) and a warm-up (a new thread runs
 * the fitting code in V8's interpreter until it is optimised), and its block is copied to it and back. Measured on
 * two idle cores (k = 10, REML; docs/performance.md), two workers break even at about 500,000 analyses and are
 * 13–21 % faster from 10⁶. Without `workers`, a batch is split only into blocks of at least 250,000 analyses.
 */
export async function fitBatchParallel(
  yi: Float64Array,
  vi: Float64Array,
  k: number,
  options: { method?: Tau2Method; test?: TestType; level?: number; workers?: number } = {},
): Promise<BatchResult> {
  const { workers: w, ...fitOptions } = options;
  assertBatchArguments(yi, vi, k, fitOptions);
  if (w !== undefined) assertInteger(w, 'workers', 'fitBatchParallel', 1, 1024);
  const n = Math.floor(yi.length / k);
  const workers = Math.max(
    1,
    Math.min(w ?? availableParallelism(), w !== undefined ? Math.floor(n / 1000) : Math.floor(n / 250_000)),
  );
  if (workers <= 1) return fitBatch(yi, vi, k, fitOptions);
  // the threads start while their blocks are copied (startWorker)
  const threads = Array.from({ length: workers }, () => startWorker('models/batch-worker'));
  const bounds = Array.from({ length: workers + 1 }, (_, i) => Math.round((i * n) / workers));
  const parts = await Promise.all(
    threads.map(
      (worker, j) =>
        new Promise<BatchResult>((resolve, reject) => {
          worker.on('message', resolve);
          worker.on('error', reject);
          const from = (bounds[j] as number) * k,
            to = (bounds[j + 1] as number) * k;
          // copies of the block, handed over (transferred, not copied again)
          const job = { yi: yi.slice(from, to), vi: vi.slice(from, to), k, options: fitOptions };
          worker.postMessage(job, [job.yi.buffer, job.vi.buffer]);
        }),
    ),
  ).finally(() => threads.forEach((t) => void t.terminate()));
  const cat = <T extends Float64Array | Uint8Array>(key: keyof BatchResult, make: (len: number) => T): T => {
    const out = make(n);
    parts.forEach((p, j) => out.set(p[key] as T, bounds[j] as number));
    return out;
  };
  return {
    estimate: cat('estimate', (m) => new Float64Array(m)),
    se: cat('se', (m) => new Float64Array(m)),
    ciLower: cat('ciLower', (m) => new Float64Array(m)),
    ciUpper: cat('ciUpper', (m) => new Float64Array(m)),
    pValue: cat('pValue', (m) => new Float64Array(m)),
    tau2: cat('tau2', (m) => new Float64Array(m)),
    converged: cat('converged', (m) => new Uint8Array(m)),
  };
}
