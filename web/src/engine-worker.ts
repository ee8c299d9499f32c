/**
 * A Web Worker for the analyses that can take seconds (GOSH, permutation tests, multilevel models with
 * profile-likelihood CIs), so that the page never freezes. It runs the same engine functions as the CLI and
 * posts progress and the result (or the error's message) back.
 */
import {
  effectColumnsFromTable,
  goshMasks,
  goshRange,
  inTable,
  metaRegression,
  multilevelTable,
  stringColumn,
  studyLabels,
  summarizeMultilevel,
  summarizeRegression,
  tableFromRows,
  type DataTable,
  type GoshResult,
  type MultilevelContext,
  type MultilevelRequest,
  type RegressionOptions,
  type Tau2Method,
} from 'evsynth';

export type Job =
  | {
      readonly kind: 'gosh';
      readonly yi: readonly number[];
      readonly vi: readonly number[];
      readonly method: Tau2Method;
      readonly subsets?: number;
      readonly seed?: number;
    }
  | {
      readonly kind: 'regression';
      readonly table: DataTable;
      readonly formula: string;
      readonly options: Omit<RegressionOptions, 'permutation'> & {
        readonly permutation?: {
          readonly exact: boolean | 'auto';
          readonly iterations?: number;
          readonly seed?: number;
        };
      };
    }
  | {
      readonly kind: 'multilevel';
      readonly table: DataTable;
      readonly request: MultilevelRequest;
      readonly context: MultilevelContext;
    };

export type Reply =
  | { readonly id: number; readonly progress: readonly [number, number] }
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: string };

const post = (r: Reply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(r, transfer);

/** Progress at most every 100 ms. */
function throttled(id: number): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = performance.now();
    if (now - last > 100 || done === total) {
      last = now;
      post({ id, progress: [done, total] });
    }
  };
}

/** The table the client sent as plain cells (see worker-client.ts) as a DataTable again. */
const revive = (t: DataTable): DataTable => tableFromRows(t.file, t.header, t.rows, Array.from(t.lines));
const columnsOf = (t: DataTable) => Object.fromEntries(t.header.map((h) => [h, stringColumn(t, h)]));

function run(id: number, job: Job): void {
  switch (job.kind) {
    case 'gosh': {
      const { masks, exhaustive, seed } = goshMasks(job.yi.length, {
        ...(job.subsets !== undefined ? { subsets: job.subsets } : {}),
        ...(job.seed !== undefined ? { seed: job.seed } : {}),
      });
      const progress = throttled(id);
      const r = goshRange(job.yi, job.vi, job.method, masks, 0, masks.length, (d) => progress(d, masks.length));
      const result: GoshResult = { k: job.yi.length, exhaustive, seed, masks, ...r };
      post({ id, result }, [
        masks.buffer,
        r.size.buffer,
        r.estimate.buffer,
        r.tau2.buffer,
        r.I2.buffer,
        r.H2.buffer,
        r.QE.buffer,
      ] as ArrayBuffer[]);
      return;
    }
    case 'regression': {
      const t = revive(job.table);
      const p = job.options.permutation;
      const progress = throttled(id);
      const reg = inTable(t, () =>
        metaRegression(effectColumnsFromTable(t), studyLabels(t), columnsOf(t), job.formula, {
          ...job.options,
          ...(p ? { permutation: { ...p, onProgress: progress } } : {}),
        }),
      );
      post({ id, result: { summary: summarizeRegression(reg), rows: reg.matrix.rows } });
      return;
    }
    case 'multilevel': {
      // as the CLI's fit --random/--V/--robust: the request resolved with the dataset's measure and shared arms
      post({ id, result: summarizeMultilevel(multilevelTable(revive(job.table), job.request, job.context)) });
      return;
    }
  }
}

self.onmessage = (e: MessageEvent<{ id: number; job: Job }>) => {
  const { id, job } = e.data;
  try {
    run(id, job);
  } catch (err) {
    post({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
