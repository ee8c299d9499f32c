/** `evsynth effects`, `fit` (with --by) and `regress`. */
import { metaAnalysis, parsePoolingMethod, type AnalysisOptions } from '../../analysis/meta-analysis.ts';
import { EvsynthError } from '../../core/errors.ts';
import { escalc } from '../../effects/escalc.ts';
import { summarize } from '../../report/summary.ts';
import { formatEffectsText, formatFitText } from '../../report/text.ts';
import { inTable, resolveMeasure, studyLabels } from '../input.ts';
import { effectColumnsFromTable } from '../../effects/from-table.ts';
import { resolveInput } from '../../io/datasets.ts';
import { subgroupAnalysis } from '../../analysis/subgroup-analysis.ts';
import { stringColumn } from '../../io/csv.ts';
import { formatSubgroupText, summarizeSubgroups } from '../../report/subgroup-text.ts';
import { formatRegressionText, summarizeRegression } from '../../report/regression-text.ts';
import { metaRegression } from '../../analysis/regression.ts';
import { progressBar } from '../progress.ts';
import { toJson } from '../json.ts';
import { type EffectFlags, type FitFlags, type RegressFlags, effectOptions, methodOf } from '../options.ts';

export function runEffects(file: string, flags: EffectFlags): void {
  const { table: t, dataset } = resolveInput(file);
  const measure = resolveMeasure(t, flags.measure ?? dataset?.provenance.measure);
  const es = inTable(t, () => escalc(measure, effectColumnsFromTable(t), studyLabels(t), effectOptions(flags)));
  if (flags.json) {
    process.stdout.write(
      toJson({
        measure: es.measure,
        k: es.labels.length,
        studies: es.labels.map((label, i) => ({ label, yi: es.yi[i], vi: es.vi[i] })),
        excluded: es.excluded.map((e) => ({ label: e.label, row: e.row + 1, reason: e.reason })),
        corrected: es.corrected.map((i) => es.labels[i]),
      }) + '\n',
    );
  } else process.stdout.write(formatEffectsText({ effects: es }));
}

export function runFit(file: string, flags: FitFlags): void {
  const { table: t, dataset } = resolveInput(file);
  const opts: AnalysisOptions = {
    measure: resolveMeasure(t, flags.measure ?? dataset?.provenance.measure),
    method: parsePoolingMethod(methodOf(flags)),
    test: flags.test,
    level: flags.level,
    piType: flags.piType,
    ...effectOptions(flags),
  };
  if (flags.by !== undefined) {
    const by = flags.by;
    const groups = stringColumn(t, by);
    const sa = inTable(t, () => subgroupAnalysis(effectColumnsFromTable(t), studyLabels(t), groups, by, opts));
    const ss = summarizeSubgroups(sa);
    process.stdout.write(
      flags.json
        ? toJson(ss) + '\n'
        : formatSubgroupText(
            ss,
            `Subgroup analysis by '${by}' (measure ${opts.measure}; method ${opts.method ?? 'REML'}; test ${opts.test ?? 'z'}${flags.preset ? `; preset ${flags.preset}` : ''})`,
          ),
    );
    return;
  }
  const a = inTable(t, () => metaAnalysis(effectColumnsFromTable(t), studyLabels(t), opts));
  const s = summarize(a);
  process.stdout.write(flags.json ? toJson(s) + '\n' : formatFitText(s));
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

export function runRegress(file: string, flags: RegressFlags): void {
  const { table: t, dataset } = resolveInput(file);
  const formula = flags.mods ?? (flags.mod && flags.mod.length > 0 ? flags.mod.join(' + ') : undefined);
  if (formula === undefined)
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      'give the moderators with --mods "x + factor(g)" or --mod x --mod "factor(g)"',
    );
  const moderatorColumns = Object.fromEntries(t.header.map((h) => [h, stringColumn(t, h)]));
  const onProgress = progressBar('permutations');
  const r = inTable(t, () =>
    metaRegression(effectColumnsFromTable(t), studyLabels(t), moderatorColumns, formula, {
      measure: resolveMeasure(t, flags.measure ?? dataset?.provenance.measure),
      method: parsePoolingMethod(methodOf(flags)),
      test: flags.test,
      level: flags.level,
      piType: flags.piType,
      ...effectOptions(flags),
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
  process.stdout.write(flags.json ? toJson(s) + '\n' : formatRegressionText(s));
}
