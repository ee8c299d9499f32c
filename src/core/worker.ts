/** Starting worker threads for the pools (GOSH, batches) from compiled JavaScript or, in development, TypeScript. */
import { Worker } from 'node:worker_threads';

/**
 * Starts the worker `name` (a module beside `from`, e.g. './gosh-worker') with `workerData`. In the built
 * package the compiled `.js` worker starts directly (tens of milliseconds); from the TypeScript sources it
 * runs through tsx (development and tests only).
 */
export function startWorker(name: string, from: string, workerData: Record<string, unknown>): Worker {
  if (from.endsWith('.ts')) {
    return new Worker(new URL('./ts-worker.mjs', import.meta.url), {
      workerData: { ...workerData, entry: new URL(`${name}.ts`, from).href },
    });
  }
  return new Worker(new URL(`${name}.js`, from), { workerData });
}
