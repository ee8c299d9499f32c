/** `evsynth export r|revman-csv <dataset|csv>`: an analysis as a self-contained R script, or in RevMan 5's CSV layout. */
import { analyze, overallOf } from '../../analysis/analyze.ts';
import { resolveAnalysisOptions } from '../../analysis/request.ts';
import { reviewOptions } from '../../analysis/reproduce.ts';
import { EvsynthError } from '../../core/errors.ts';
import { effectColumnsFromTable } from '../../effects/from-table.ts';
import type { AnalysisOptions } from '../../analysis/meta-analysis.ts';
import { hasColumn, inTable, isNumberCell, stringColumn, studyLabels, type DataTable } from '../../io/csv.ts';
import { writeXlsx } from '../../evidence/import/xlsx.ts';
import { resolveInput, type Dataset } from '../../evidence/datasets.ts';
import { revmanCsv } from '../../export/revman-csv.ts';
import { pooledNumbers, R_PACKAGES, revmanCaveats, rScript, type RPackage } from '../../export/r-script.ts';
import { lowRiskOnly } from '../input.ts';
import { checkOutputPath, writeOutput } from '../output.ts';
import { requestFromFlags, type FitFlags } from '../options.ts';

export interface ExportFlags extends FitFlags {
  package?: string;
  out?: string;
}

const MODEL_FLAGS = [
  'measure',
  'method',
  'preset',
  'test',
  'level',
  'add',
  'to',
  'drop00',
  'vtype',
  'smd',
  'convention',
] as const;

/** The analysis options of an export: a dataset's own model (the one `reproduce` uses) unless the flags give model options. */
export function exportOptions(table: DataTable, dataset: Dataset | null, flags: FitFlags): AnalysisOptions {
  return dataset?.provenance.model && !MODEL_FLAGS.some((k) => flags[k] !== undefined)
    ? reviewOptions(dataset.provenance)
    : resolveAnalysisOptions(requestFromFlags(flags), {
        table,
        ...(dataset ? { measure: dataset.provenance.measure } : {}),
      });
}

export function runExport(format: string, file: string, flags: ExportFlags): void {
  if (format !== 'r' && format !== 'revman-csv' && format !== 'xlsx')
    throw new EvsynthError('INVALID_ARGUMENT', `export format '${format}'; expected r, revman-csv or xlsx`);
  if (flags.out !== undefined) checkOutputPath(flags.out, '--out', [file]); // before any work
  const resolved = resolveInput(file);
  const dataset = resolved.dataset;
  const table = flags.lowRiskOnly ? lowRiskOnly(resolved.table) : resolved.table;
  if (format === 'xlsx') {
    if (flags.out === undefined) throw new EvsynthError('INVALID_ARGUMENT', 'export xlsx needs --out <file.xlsx>');
    writeOutput(flags.out, writeXlsx('data', table.header, table.rows, isNumberCell));
    process.stdout.write(`wrote ${flags.out}\n`);
    return;
  }
  const options = exportOptions(table, dataset, flags);
  const labels = studyLabels(table);
  const columns = effectColumnsFromTable(table);
  const title =
    (dataset?.provenance.title ?? file) + (flags.lowRiskOnly ? ' (studies at low overall risk of bias only)' : '');
  const by = flags.by ?? dataset?.provenance.subgroupColumn;
  const values = by !== undefined ? stringColumn(table, by) : undefined;
  const result = inTable(table, () =>
    analyze({ columns, labels, ...(by !== undefined && values ? { by: { column: by, values } } : {}) }, options),
  );
  let text: string;
  if (format === 'r') {
    const pkg = (flags.package ?? 'metafor') as RPackage;
    if (!R_PACKAGES.includes(pkg))
      throw new EvsynthError('INVALID_ARGUMENT', `--package ${pkg}; expected ${R_PACKAGES.join(' or ')}`);
    for (const c of revmanCaveats(options, columns, labels))
      process.stderr.write(`evsynth: note: R will differ from evsynth for ${c}\n`);
    const src = dataset?.provenance.rows.source;
    const sub = result.kind === 'subgroups' ? result.analysis : null;
    text = rScript(
      {
        title,
        labels,
        columns,
        options,
        ...(src ? { source: `${src.description}${src.file ? ` (${src.file})` : ''}` } : {}),
        ...(sub && values ? { subgroups: { column: sub.column, values, levels: sub.levels.map((l) => l.level) } } : {}),
        evsynth: {
          overall: pooledNumbers(overallOf(result)),
          ...(sub
            ? {
                subgroups: sub.levels.map((l) => pooledNumbers(l.analysis)),
                test: sub.test && { Q: sub.test.Q, df: sub.test.df, pValue: sub.test.pValue },
              }
            : {}),
        },
      },
      pkg,
    );
  } else {
    text = revmanCsv({
      comparison: dataset?.provenance.analysis?.comparison ?? title,
      outcome: dataset?.provenance.analysis?.outcome ?? title,
      columns,
      labels,
      ...(hasColumn(table, 'year') ? { years: stringColumn(table, 'year') } : {}),
      overall: overallOf(result),
      ...(result.kind === 'subgroups' ? { subgroups: result.analysis } : {}),
    });
  }
  if (flags.out !== undefined) {
    writeOutput(flags.out, text);
    process.stdout.write(`wrote ${flags.out}\n`);
  } else process.stdout.write(text);
}
