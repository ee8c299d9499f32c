/** `evsynth sensitivity` and `evsynth bias`. */
import { analyzeTable, overallOf } from '../../analysis/analyze.ts';
import { publicationBias, sensitivityAnalyses } from '../../analysis/diagnostics.ts';
import { metaRegression } from '../../analysis/regression.ts';
import { resolveAnalysisOptions } from '../../analysis/request.ts';
import { effectColumnsFromTable } from '../../effects/from-table.ts';
import { inTable, numericColumn, stringColumn, studyLabels } from '../../io/csv.ts';
import { biasJson, formatBiasText, formatSensitivityText, sensitivityJson } from '../../report/diagnostics-text.ts';
import { commandInput } from '../input.ts';
import { toJson } from '../json.ts';
import type { BiasFlags, FitFlags, ModeratorFlags, SensitivityFlags } from '../options.ts';
import { goshParallel } from '../../diagnostics/gosh-parallel.ts';
import { moderatorFormula } from './analyze.ts';
import { progressBar } from '../progress.ts';

const digitsOf = (flags: FitFlags) => (flags.digits !== undefined ? { digits: flags.digits } : {});

/**
 * The model the diagnostics examine (every model option of the flags applies): the meta-regression of
 * --mods/--mod, else the plain meta-analysis. `rows`: the table row of each study in the fit.
 */
function analysisFor(file: string, flags: FitFlags & ModeratorFlags) {
  const { table, request, context } = commandInput(file, flags);
  const { by: _by, ...single } = request;
  const formula = moderatorFormula(flags);
  if (formula === undefined) {
    const a = overallOf(analyzeTable(table, single, context).result);
    return { t: table, a, rows: a.studies.rows };
  }
  const options = resolveAnalysisOptions(single, { ...context, table });
  const columns = Object.fromEntries(table.header.map((h) => [h, stringColumn(table, h)]));
  const r = inTable(table, () =>
    metaRegression(effectColumnsFromTable(table), studyLabels(table), columns, formula, options),
  );
  return { t: table, a: r, rows: r.matrix.rows };
}

export async function runSensitivity(file: string, flags: SensitivityFlags): Promise<void> {
  const { t, a, rows } = analysisFor(file, flags);
  const none = !flags.leaveOneOut && flags.cumulative === undefined && !flags.influence && !flags.baujat && !flags.gosh;
  let cumulative: { column: string; key: Float64Array } | boolean | undefined;
  if (typeof flags.cumulative === 'string') {
    const all = numericColumn(t, flags.cumulative);
    cumulative = { column: flags.cumulative, key: Float64Array.from(rows, (r) => all[r] as number) };
  } else cumulative = none || flags.cumulative === true;
  const onProgress = progressBar('GOSH subsets');
  const s = await sensitivityAnalyses(a, {
    leaveOneOut: none || flags.leaveOneOut === true,
    cumulative,
    influence: none || flags.influence === true,
    baujat: none || flags.baujat === true,
    gosh: flags.gosh
      ? {
          ...(flags.subsets !== undefined ? { subsets: flags.subsets } : {}),
          ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
          ...(onProgress ? { onProgress } : {}),
        }
      : false,
    goshRunner: goshParallel,
  });
  process.stdout.write(flags.json ? toJson(sensitivityJson(s)) + '\n' : formatSensitivityText(s, digitsOf(flags)));
}

export function runBias(file: string, flags: BiasFlags): void {
  const { t, a, rows } = analysisFor(file, flags);
  const none = !flags.egger && !flags.begg && !flags.trimfill && !flags.failsafe;
  const needsN = ['ni', 'ninv', 'sqrtni', 'sqrtninv'].includes(flags.predictor);
  let ni: Float64Array | undefined;
  if (needsN) {
    const n1 = numericColumn(t, 'n1i'),
      n2 = numericColumn(t, 'n2i');
    ni = Float64Array.from(rows, (r) => (n1[r] as number) + (n2[r] as number));
  }
  const b = publicationBias(a, {
    egger: none || flags.egger ? { model: flags.eggerModel, predictor: flags.predictor, ...(ni ? { ni } : {}) } : false,
    begg: none || flags.begg === true,
    trimfill:
      none || flags.trimfill ? { estimator: flags.estimator, ...(flags.side ? { side: flags.side } : {}) } : false,
    failsafe:
      none || flags.failsafe
        ? { type: flags.type, ...(flags.target !== undefined ? { target: flags.target } : {}) }
        : false,
  });
  process.stdout.write(flags.json ? toJson(biasJson(b)) + '\n' : formatBiasText(b, digitsOf(flags)));
}
