/** A command's input: a CSV file or a bundled dataset, with the request of the command's flags. */
import type { AnalysisRequest, RequestContext } from '../analysis/request.ts';
import { EvsynthError } from '../core/errors.ts';
import { lowRiskRows, readRiskOfBias } from '../evidence/risk-of-bias.ts';
import { selectRows, studyLabels, type DataTable } from '../io/csv.ts';
import { resolveInput, type Dataset } from '../evidence/datasets.ts';
import { requestFromFlags, type FitFlags } from './options.ts';

export interface CommandInput {
  readonly table: DataTable;
  readonly request: AnalysisRequest;
  /** The dataset's defaults (its measure) when the input is a bundled dataset. */
  readonly context: RequestContext;
  readonly title: string | undefined;
  /** The bundled dataset (or dataset folder) read, null for a plain CSV file. */
  readonly dataset: Dataset | null;
}

/** Reads the file or dataset `file` and turns the flags into an analysis request. */
export function commandInput(file: string, flags: FitFlags): CommandInput {
  const resolved = resolveInput(file, {
    ...(flags.delimiter !== undefined
      ? { delimiter: flags.delimiter === '\\t' || flags.delimiter === 'tab' ? '\t' : flags.delimiter }
      : {}),
    ...(flags.decimal !== undefined ? { decimal: flags.decimal } : {}),
  });
  for (const note of resolved.table.notes) process.stderr.write(`evsynth: note: ${resolved.table.file}: ${note}\n`);
  const dataset = resolved.dataset;
  const table = flags.lowRiskOnly ? lowRiskOnly(resolved.table) : resolved.table;
  return {
    table,
    request: requestFromFlags(flags),
    context: dataset ? { measure: dataset.provenance.measure } : {},
    title: dataset?.provenance.title,
    dataset: dataset ?? null,
  };
}

/**
 * --low-risk-only: the sensitivity analysis restricted to studies at low overall risk of bias (RoB 2 'low',
 * ROBINS-I 'low'); the studies left out are listed on stderr with their judgement.
 */
export function lowRiskOnly(t: DataTable): DataTable {
  const rob = readRiskOfBias(t);
  if (rob === null)
    throw new EvsynthError(
      'MISSING_COLUMN',
      '--low-risk-only needs risk-of-bias columns (rob_d1 … rob_d5, rob_overall or robins_d1 … robins_d7, robins_overall)',
      { file: t.file },
    );
  const { kept, left } = lowRiskRows(rob, studyLabels(t));
  if (kept.length === 0)
    throw new EvsynthError('TOO_FEW_STUDIES', `--low-risk-only: no study has a low overall risk of bias`, {
      file: t.file,
    });
  process.stderr.write(
    `--low-risk-only: ${kept.length} of ${t.rowCount} studies at low overall risk of bias (${rob.tool}); left out: ${left
      .map((l) => `${l.label} (line ${t.lines[l.row]}): ${l.reason}`)
      .join('; ')}\n`,
  );
  return selectRows(t, kept);
}
