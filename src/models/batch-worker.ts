// Worker entry for fitBatchParallel: fits one block of meta-analyses and posts the result back.
import { parentPort, workerData } from 'node:worker_threads';
import { fitBatch } from './batch.ts';

const { yi, vi, k, options } = workerData as {
  yi: Float64Array;
  vi: Float64Array;
  k: number;
  options: Parameters<typeof fitBatch>[3];
};
const result = fitBatch(yi, vi, k, options);
parentPort?.postMessage(
  result,
  Object.values(result).map((a) => a.buffer as ArrayBuffer),
);
