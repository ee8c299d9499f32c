// Development only: runs a TypeScript worker entry (from src/, under vitest or tsx) through tsx's loader.
// The built package (dist/) starts its bundled workers (dist/workers/*.cjs) directly and never loads this file.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
