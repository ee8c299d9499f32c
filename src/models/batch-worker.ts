// Worker entry for fitBatchParallel: fits the block of meta-analyses it is sent and posts the result back.
import { parentPort } from 'node:worker_threads';
import { fitBatch } from './batch.ts';

parentPort?.once(
  'message',
  (job: { yi: Float64Array; vi: Float64Array; k: number; options: Parameters<typeof fitBatch>[3] }) => {
    const result = fitBatch(job.yi, job.vi, job.k, job.options);
    parentPort?.postMessage(
      result,
      Object.values(result).map((a) => a.buffer as ArrayBuffer),
    );
  },
);
