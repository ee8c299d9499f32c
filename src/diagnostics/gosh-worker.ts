// Worker entry for goshParallel: fits the block of GOSH subsets it is sent and posts the result back.
import { parentPort } from 'node:worker_threads';
import type { Tau2Method } from '../models/tau2/registry.ts';
import { goshRange } from './gosh.ts';

parentPort?.once('message', (job: { yi: Float64Array; vi: Float64Array; method: Tau2Method; masks: Float64Array }) => {
  const { yi, vi, method, masks } = job;
  const result = goshRange(yi, vi, method, masks, 0, masks.length, (done) =>
    parentPort?.postMessage({ progress: done }),
  );
  parentPort?.postMessage(
    { result },
    Object.values(result).map((a) => a.buffer as ArrayBuffer),
  );
});
