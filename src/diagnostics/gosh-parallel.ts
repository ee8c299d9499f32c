import { availableParallelism } from 'node:os';
import { startWorker } from '../core/worker.ts';
import type { RmaFit } from '../models/rma.ts';
import { assertApplicable, assertRmaFit } from './applicability.ts';
import { goshApplicability, goshMasks, goshRange, type GoshOptions, type GoshResult } from './gosh.ts';

/**
 * GOSH spread over worker threads (one per core by default): the subsets are split into contiguous
 * blocks, each worker fits its block, results are reassembled in order, so the output is identical to
 * the single-threaded {@link gosh}. Falls back to this thread for small jobs.
 */
export async function goshParallel(
  fit: RmaFit,
  options: GoshOptions & { workers?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<GoshResult> {
  assertRmaFit(fit, 'goshParallel');
  assertApplicable(goshApplicability(fit), 'GOSH');
  const { masks, exhaustive, seed } = goshMasks(fit.k, options);
  const total = masks.length;
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), Math.ceil(total / 20000)));
  const base = { k: fit.k, exhaustive, seed, masks };
  if (workers === 1)
    return {
      ...base,
      ...goshRange(fit.yi, fit.vi, fit.method, masks, 0, total, (d) => options.onProgress?.(d, total)),
    };
  // the threads start while their blocks are copied (startWorker)
  const threads = Array.from({ length: workers }, () => startWorker('diagnostics/gosh-worker'));
  const bounds = Array.from({ length: workers + 1 }, (_, i) => Math.round((i * total) / workers));
  const done = new Array<number>(workers).fill(0);
  const parts = await Promise.all(
    threads.map(
      (worker, w) =>
        new Promise<ReturnType<typeof goshRange>>((resolve, reject) => {
          worker.on('message', (m: { progress?: number; result?: ReturnType<typeof goshRange> }) => {
            if (m.progress !== undefined) {
              done[w] = m.progress;
              options.onProgress?.(
                done.reduce((a, b) => a + b, 0),
                total,
              );
            }
            if (m.result) resolve(m.result);
          });
          worker.on('error', reject);
          // a copy of the block, handed over (a view would send the whole buffer of masks to every worker)
          const job = {
            yi: Float64Array.from(fit.yi),
            vi: Float64Array.from(fit.vi),
            method: fit.method,
            masks: masks.slice(bounds[w], bounds[w + 1]),
          };
          worker.postMessage(job, [job.masks.buffer]);
        }),
    ),
  ).finally(() => threads.forEach((t) => void t.terminate()));
  const cat = <T extends Float64Array | Uint8Array>(
    key: keyof ReturnType<typeof goshRange>,
    make: (n: number) => T,
  ): T => {
    const out = make(total);
    parts.forEach((p, w) => out.set(p[key] as T, bounds[w] as number));
    return out;
  };
  options.onProgress?.(total, total);
  return {
    ...base,
    size: cat('size', (n) => new Uint8Array(n)),
    estimate: cat('estimate', (n) => new Float64Array(n)),
    tau2: cat('tau2', (n) => new Float64Array(n)),
    I2: cat('I2', (n) => new Float64Array(n)),
    H2: cat('H2', (n) => new Float64Array(n)),
    QE: cat('QE', (n) => new Float64Array(n)),
  };
}
