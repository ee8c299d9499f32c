/** A command's input: a CSV file or a bundled dataset, with the request of the command's flags. */
import type { AnalysisRequest, RequestContext } from '../analysis/request.ts';
import type { DataTable } from '../io/csv.ts';
import { resolveInput } from '../io/datasets.ts';
import { requestFromFlags, type FitFlags } from './options.ts';

export interface CommandInput {
  readonly table: DataTable;
  readonly request: AnalysisRequest;
  /** The dataset's defaults (its measure) when the input is a bundled dataset. */
  readonly context: RequestContext;
  readonly title: string | undefined;
}

/** Reads the file or dataset `file` and turns the flags into an analysis request. */
export function commandInput(file: string, flags: FitFlags): CommandInput {
  const { table, dataset } = resolveInput(file);
  return {
    table,
    request: requestFromFlags(flags),
    context: dataset ? { measure: dataset.provenance.measure } : {},
    title: dataset?.provenance.title,
  };
}
