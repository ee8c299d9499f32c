// Worker entry for goshParallel: loads the TypeScript sources through tsx, fits one block of subsets.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();
const { goshRange } = await import('./gosh.ts');
const { yi, vi, method, masks } = workerData;
const result = goshRange(yi, vi, method, masks, 0, masks.length, (done) => parentPort.postMessage({ progress: done }));
parentPort.postMessage(
  { result },
  Object.values(result).map((a) => a.buffer),
);
