/**
 * Runs jobs in the engine worker: one worker per client, a later job replaces an earlier one still running
 * (its worker is stopped), and cancel() stops the current job. The GOSH runner hands the engine's
 * sensitivity analysis a runner that computes in the worker.
 */
import type { DataTable, GoshResult, GoshRunner, Tau2Method } from 'evsynth';
import type { Job, Reply } from './engine-worker.ts';

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

export class WorkerClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private pending: { id: number; reject: (e: Error) => void } | null = null;

  private spawn(): Worker {
    this.worker ??= new Worker(new URL('./engine-worker.ts', import.meta.url), {
      type: 'module',
      name: 'evsynth-engine',
    });
    return this.worker;
  }

  /** Runs `job`; `onProgress` gets (done, total). A new run or cancel() rejects the previous one with Cancelled. */
  run<T>(job: Job, onProgress?: (done: number, total: number) => void): Promise<T> {
    this.cancel();
    const worker = this.spawn();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending = { id, reject };
      worker.onmessage = (e: MessageEvent<Reply>) => {
        const r = e.data;
        if (r.id !== id) return;
        if ('progress' in r) onProgress?.(r.progress[0], r.progress[1]);
        else {
          this.pending = null;
          if ('error' in r) reject(new Error(r.error));
          else resolve(r.result as T);
        }
      };
      worker.onerror = (e) => {
        this.pending = null;
        reject(new Error(e.message || 'the analysis worker failed'));
      };
      // a DataTable is a class (cell(), rowCount, rows on demand) that a structured clone would strip: send its
      // cells, rebuilt by tableFromRows in the worker
      const t = (job as { table?: DataTable }).table;
      const sent = t
        ? { ...job, table: { file: t.file, header: t.header, rows: t.rows, lines: Array.from(t.lines) } }
        : job;
      worker.postMessage({ id, job: sent });
    });
  }

  /** Stops the running job (the worker is ended and started afresh for the next one). */
  cancel(): void {
    if (this.pending) {
      this.pending.reject(new Cancelled());
      this.pending = null;
      this.worker?.terminate();
      this.worker = null;
    }
  }

  get busy(): boolean {
    return this.pending !== null;
  }
}

/** A GoshRunner that fits the subsets in the worker. */
export function workerGoshRunner(client: WorkerClient): GoshRunner {
  return (fit, options) =>
    client.run<GoshResult>(
      {
        kind: 'gosh',
        yi: Array.from(fit.yi),
        vi: Array.from(fit.vi),
        method: fit.method as Tau2Method,
        ...(options.subsets !== undefined ? { subsets: options.subsets } : {}),
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
      },
      options.onProgress,
    );
}
