/**
 * One entry point for "analyse this data as asked": a plain meta-analysis, or one by subgroup. The CLI,
 * the web explorer, the plot registry and the notebooks all call {@link analyze} (or {@link analyzeTable}
 * for a CSV table), so that every option reaches every fit the same way.
 */
import { effectColumnsFromTable } from '../effects/from-table.ts';
import type { EffectColumns } from '../effects/options.ts';
import { analysisLabels, inTable, stringColumn, type DataTable } from '../io/csv.ts';
import { metaAnalysis, type AnalysisOptions, type MetaAnalysis } from './meta-analysis.ts';
import { resolveAnalysisOptions, type AnalysisRequest, type RequestContext } from './request.ts';
import { subgroupAnalysis, type SubgroupAnalysis, type SubgroupOptions } from './subgroup-analysis.ts';

/** The result of {@link analyze}: a plain meta-analysis or a subgroup analysis. */
export type AnalysisResult =
  | { readonly kind: 'single'; readonly analysis: MetaAnalysis }
  | { readonly kind: 'subgroups'; readonly analysis: SubgroupAnalysis };

/** The data of one analysis: effect-size input columns, study labels and, for subgroups, the group of each row. */
export interface AnalysisData {
  readonly columns: EffectColumns;
  readonly labels: readonly string[];
  readonly by?: { readonly column: string; readonly values: readonly string[] };
}

/** Fits `data` with `options`: by subgroup when `data.by` is given, else a plain meta-analysis. */
export function analyze(data: AnalysisData, options: AnalysisOptions, subgroups: SubgroupOptions = {}): AnalysisResult {
  if (data.by === undefined) return { kind: 'single', analysis: metaAnalysis(data.columns, data.labels, options) };
  return {
    kind: 'subgroups',
    analysis: subgroupAnalysis(data.columns, data.labels, data.by.values, data.by.column, options, subgroups),
  };
}

/** The overall meta-analysis of a result (the whole analysis, or the overall one of a subgroup analysis). */
export function overallOf(result: AnalysisResult): MetaAnalysis {
  return result.kind === 'single' ? result.analysis : result.analysis.overall;
}

/**
 * Analyses a CSV table as `request` asks (measure, method, preset, subgroup column, …; defaults from the
 * dataset's provenance in `context`). Errors that name a data row are re-placed at their file line.
 */
export function analyzeTable(
  table: DataTable,
  request: AnalysisRequest,
  context: RequestContext = {},
): { readonly options: AnalysisOptions; readonly result: AnalysisResult } {
  const options = resolveAnalysisOptions(request, { ...context, table });
  const by = request.by;
  const result = inTable(table, () =>
    analyze(
      {
        columns: effectColumnsFromTable(table),
        labels: analysisLabels(table),
        ...(by !== undefined ? { by: { column: by, values: stringColumn(table, by) } } : {}),
      },
      options,
      request.missingGroups !== undefined ? { missing: request.missingGroups } : {},
    ),
  );
  return { options, result };
}
