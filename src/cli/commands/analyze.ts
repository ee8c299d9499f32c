/** `evsynth effects`, `fit` (with --by) and `regress`. */
import { analyzeTable } from '../../analysis/analyze.ts';
import { metaRegression } from '../../analysis/regression.ts';
import { resolveAnalysisOptions } from '../../analysis/request.ts';
import { EvsynthError } from '../../core/errors.ts';
import { escalc } from '../../effects/escalc.ts';
import { effectColumnsFromTable } from '../../effects/from-table.ts';
import { inTable, stringColumn, studyLabels, formatCsv, formatCsvRows } from '../../io/csv.ts';
import { studyDataColumns } from '../../plots/data-columns.ts';
import { formatRegressionText, summarizeRegression } from '../../report/regression-text.ts';
import { formatSubgroupText, summarizeSubgroups } from '../../report/subgroup-text.ts';
import { studyRowRange, summarize, type FitSummary } from '../../report/summary.ts';
import { formatEffectsText, formatFitText } from '../../report/text.ts';
import { commandInput } from '../input.ts';
import { toJson } from '../json.ts';
import {
  outputFormat,
  RATIO_CSV_HEADER,
  STUDY_CSV_HEADER,
  studyCsvRows,
  type EffectFlags,
  type FitFlags,
  type FormatFlags,
  type RegressFlags,
} from '../options.ts';
import { progressBar } from '../progress.ts';
import { rejectMultilevelOnly, runMultilevel, wantsMultilevel, type MultilevelFlags } from './multilevel.ts';

export function runEffects(file: string, flags: EffectFlags & FormatFlags): void {
  const { table: t, request, context } = commandInput(file, flags);
  const options = resolveAnalysisOptions(request, { ...context, table: t });
  const es = inTable(t, () => escalc(options.measure, effectColumnsFromTable(t), studyLabels(t), options));
  const format = outputFormat(flags);
  if (format === 'csv') {
    const reasons = new Map(es.excluded.map((e) => [e.row, e.reason]));
    process.stdout.write(
      formatCsv(
        ['study', 'row', 'yi', 'vi', 'sei', 'corrected', 'excluded'],
        es.labels.map((label, i) => {
          const vi = es.vi[i] as number;
          return [
            label,
            i + 1,
            es.yi[i] as number,
            vi,
            Math.sqrt(vi),
            es.corrected.includes(i) ? 'yes' : 'no',
            reasons.get(i) ?? '',
          ];
        }),
      ),
    );
  } else if (format === 'json') {
    process.stdout.write(
      toJson({
        measure: es.measure,
        k: es.labels.length,
        studies: es.labels.map((label, i) => ({ label, yi: es.yi[i], vi: es.vi[i] })),
        excluded: es.excluded.map((e) => ({ label: e.label, row: e.row + 1, reason: e.reason })),
        corrected: es.corrected.map((i) => es.labels[i]),
      }) + '\n',
    );
  } else process.stdout.write(formatEffectsText({ effects: es }, textOptions(flags)));
}

/** --digits, --no-studies and --max-studies as text-printout options. */
function textOptions(flags: FitFlags) {
  return {
    ...(flags.digits !== undefined ? { digits: flags.digits } : {}),
    ...(flags.studies === false ? { studies: false } : {}),
    ...(flags.maxStudies !== undefined ? { maxStudies: flags.maxStudies } : {}),
  };
}

/** The per-study table of a fit summary as CSV. */
function studiesCsv(s: FitSummary, subgroup?: string): (string | number)[][] {
  return studyCsvRows(s.studies, s.exponentiated !== null, subgroup);
}

export function runFit(file: string, flags: FitFlags & FormatFlags & MultilevelFlags): void {
  if (wantsMultilevel(flags)) return runMultilevel(file, flags, undefined, undefined);
  rejectTestT(flags);
  const { table, request, context } = commandInput(file, flags);
  const { options, result } = analyzeTable(table, request, context);
  const format = outputFormat(flags);
  if (result.kind === 'subgroups') {
    const ss = summarizeSubgroups(result.analysis);
    if (format === 'csv') {
      const ratio = ss.overall.exponentiated !== null;
      const rows = result.analysis.levels.flatMap((l) => studiesCsv(summarize(l.analysis), l.level));
      process.stdout.write(formatCsv(['subgroup', ...STUDY_CSV_HEADER, ...(ratio ? RATIO_CSV_HEADER : [])], rows));
      return;
    }
    const title = `Subgroup analysis by '${result.analysis.column}' (measure ${options.measure}; method ${options.method}; test ${options.test}${request.preset ? `; preset ${request.preset}` : ''})`;
    process.stdout.write(format === 'json' ? toJson(ss) + '\n' : formatSubgroupText(ss, title, textOptions(flags)));
    return;
  }
  const s = summarize(result.analysis);
  if (format === 'csv') {
    process.stdout.write(formatCsv([...STUDY_CSV_HEADER, ...(s.exponentiated ? RATIO_CSV_HEADER : [])], []));
    for (const rows of studyRowChunks(s))
      process.stdout.write(formatCsvRows(studyCsvRows(rows, s.exponentiated !== null)));
    return;
  }
  if (format === 'json') writeSummaryJson(s);
  else {
    // the arms' data beside the studies: only where the table is printed
    const dataColumns = flags.studies === false ? [] : studyDataColumns(table, options.measure);
    process.stdout.write(formatFitText(s, { ...textOptions(flags), dataColumns }));
  }
}

/** Studies written per chunk of CSV or JSON output. */
const OUTPUT_CHUNK = 10_000;

/** The per-study rows of a summary in chunks (a fit of 10⁶ studies never holds all its output at once). */
function* studyRowChunks(s: FitSummary): Generator<readonly FitSummary['studies'][number][]> {
  for (let start = 0; ; start += OUTPUT_CHUNK) {
    const { rows, count } = studyRowRange(s, start, start + OUTPUT_CHUNK);
    if (rows.length > 0) yield rows;
    if (start + OUTPUT_CHUNK >= count) return;
  }
}

/**
 * `toJson(s)` and a line end, written with the per-study rows in chunks: the same text as one `toJson` of the
 * whole summary (two-space indentation, rows at depth 2), without 10⁶ row objects and their text at once.
 */
function writeSummaryJson(s: FitSummary): void {
  const placeholder = '\u0000studies\u0000';
  const shell: Record<string, unknown> = {};
  for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(s)))
    if (d.enumerable) shell[key] = key === 'studies' ? placeholder : d.get !== undefined ? d.get.call(s) : d.value;
  const text = toJson(shell);
  const at = text.indexOf(JSON.stringify(placeholder));
  process.stdout.write(text.slice(0, at));
  let first = true;
  for (const rows of studyRowChunks(s)) {
    // the rows hold strings and numbers only, which JSON.stringify writes as toJson does (NaN as null), and
    // faster than a replacer; "[\n  …\n]" re-indented by two spaces is the array as it sits in the summary
    const inner = JSON.stringify(rows, null, 2).slice(2, -2);
    process.stdout.write((first ? '[\n' : ',\n') + '  ' + inner.replaceAll('\n', '\n  '));
    first = false;
  }
  process.stdout.write((first ? '[]' : '\n  ]') + text.slice(at + JSON.stringify(placeholder).length) + '\n');
}

/** --test t is for multilevel models only (commands/multilevel.ts). */
function rejectTestT(flags: FitFlags & Partial<MultilevelFlags>): void {
  rejectMultilevelOnly(flags);
  if ((flags.test as string | undefined) === 't')
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      '--test t is for multilevel models (with --random or --V); for one τ² use --test knha',
    );
}

/** "10,1950; 30,1960" → [[10, 1950], [30, 1960]] */
function parsePoints(text: string): number[][] {
  return text.split(';').map((pt) =>
    pt.split(',').map((v) => {
      const x = Number(v.trim());
      if (v.trim() === '' || !Number.isFinite(x))
        throw new EvsynthError(
          'INVALID_ARGUMENT',
          `--predict: '${v.trim()}' is not a number (format: "10,1950; 30,1960")`,
        );
      return x;
    }),
  );
}

/** The moderator formula of --mods or the --mod terms. */
export function moderatorFormula(flags: RegressFlags): string | undefined {
  return flags.mods ?? (flags.mod && flags.mod.length > 0 ? flags.mod.join(' + ') : undefined);
}

export function runRegress(file: string, flags: RegressFlags & MultilevelFlags): void {
  const formula = moderatorFormula(flags);
  if (formula === undefined)
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      'give the moderators with --mods "x + factor(g)" or --mod x --mod "factor(g)"',
    );
  if (wantsMultilevel(flags))
    return runMultilevel(file, flags, formula, flags.predict !== undefined ? parsePoints(flags.predict) : undefined);
  rejectTestT(flags);
  const { table: t, request, context } = commandInput(file, flags);
  const options = resolveAnalysisOptions(request, { ...context, table: t });
  const moderatorColumns = Object.fromEntries(t.header.map((h) => [h, stringColumn(t, h)]));
  const onProgress = progressBar('permutations');
  const r = inTable(t, () =>
    metaRegression(effectColumnsFromTable(t), studyLabels(t), moderatorColumns, formula, {
      ...options,
      ...(flags.predict !== undefined ? { predictAt: parsePoints(flags.predict) } : {}),
      ...(flags.permutations !== undefined || flags.exact
        ? {
            permutation: {
              exact: flags.exact ? true : ('auto' as const),
              ...(flags.permutations !== undefined ? { iterations: flags.permutations } : {}),
              ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
              ...(onProgress ? { onProgress } : {}),
            },
          }
        : {}),
    }),
  );
  const s = summarizeRegression(r);
  process.stdout.write(flags.json ? toJson(s) + '\n' : formatRegressionText(s, textOptions(flags)));
}
