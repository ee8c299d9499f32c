/** Starting worker threads for the pools (GOSH, batches) from their bundles or, in development, from TypeScript. */
import { Worker } from 'node:worker_threads';

/** The worker entries, as modules under src/. */
type WorkerEntry = 'diagnostics/gosh-worker' | 'models/batch-worker';

/**
 * Starts the worker `entry`, which waits for its job (one message) and posts its result back. Start the workers
 * before preparing their jobs: a thread takes longer to start than a job takes to copy, and both then happen at
 * once. In the built package every worker is one CommonJS bundle in dist/workers/ (scripts/build-cli.mjs), found
 * from this module's own folder, which is one below dist/ both as tsc's dist/core/worker.js and inlined into the
 * command line's bundle (dist/bin/); it starts in little more than Node's own cost of a worker thread
 * (docs/performance.md). From the TypeScript sources the entry runs through tsx (development and tests only).
 */
export function startWorker(entry: WorkerEntry): Worker {
  if (import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./ts-worker.mjs', import.meta.url), {
      workerData: { entry: new URL(`../${entry}.ts`, import.meta.url).href },
    });
  }
  const name = entry.slice(entry.lastIndexOf('/') + 1);
  return new Worker(new URL(`../workers/${name}.cjs`, import.meta.url));
}
