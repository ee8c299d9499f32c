// Worker entry for fitBatchParallel: loads the TypeScript sources through tsx and fits one block.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();
const { fitBatch } = await import('./batch.ts');
const { yi, vi, k, options } = workerData;
const result = fitBatch(yi, vi, k, options);
parentPort.postMessage(
  result,
  Object.values(result).map((a) => a.buffer),
);
