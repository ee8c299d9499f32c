import { Command, InvalidArgumentError, Option } from 'commander';
import { metaAnalysis, parsePoolingMethod, type AnalysisOptions } from '../analysis/meta-analysis.ts';
import { EvsynthError } from '../core/errors.ts';
import { escalc } from '../effects/escalc.ts';
import { SMD_VTYPES, ZERO_CELL_RULES, type SmdVtype, type ZeroCellRule } from '../effects/types.ts';
import { PI_TYPES, type PiType } from '../inference/prediction.ts';
import { TESTS, type TestType } from '../models/rma.ts';
import { summarize } from '../report/summary.ts';
import { formatEffectsText, formatFitText } from '../report/text.ts';
import { alignTable } from '../report/format.ts';
import { PRESETS, parsePreset } from '../analysis/presets.ts';
import { inTable, resolveMeasure, studyLabels } from './input.ts';
import { effectColumnsFromTable as effectColumns } from '../effects/from-table.ts';
import { listDatasetNames, loadDataset, resolveInput } from '../io/datasets.ts';
import { reproduceDataset, reviewOptions, tableColumns } from '../analysis/reproduce.ts';
import { subgroupAnalysis } from '../analysis/subgroup-analysis.ts';
import { stringColumn } from '../io/csv.ts';
import { formatReproduction, formatReproductionTotals } from '../report/reproduce-text.ts';
import { formatSubgroupText, summarizeSubgroups } from '../report/subgroup-text.ts';
import { formatRegressionText, summarizeRegression } from '../report/regression-text.ts';
import { metaRegression } from '../analysis/regression.ts';
import { progressBar } from './progress.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { regressionBands } from '../analysis/regression.ts';
import { publicationBias, sensitivityAnalyses } from '../analysis/diagnostics.ts';
import { biasJson, formatBiasText, formatSensitivityText, sensitivityJson } from '../report/diagnostics-text.ts';
import { REGTEST_PREDICTORS, type RegtestPredictor } from '../diagnostics/egger.ts';
import { FSN_TYPES, type FsnType } from '../diagnostics/fail-safe.ts';
import type { TrimfillEstimator } from '../diagnostics/trim-and-fill.ts';
import { baujat } from '../diagnostics/baujat.ts';
import { funnelData } from '../diagnostics/funnel.ts';
import { armEventRates } from '../effects/binary.ts';
import { RATIO_MEASURES } from '../effects/types.ts';
import { bubbleSpec, baujatSpec, funnelSpec, goshSpec, labbeSpec } from '../plots/diagnostic-plots.ts';
import { forestDataColumns } from '../plots/forest-columns.ts';
import { forestFromAnalysis, forestFromSubgroups, forestOfRefits, measureLabel, type ForestSort } from '../plots/forest-data.ts';
import { forestSpec } from '../plots/forest.ts';
import { renderToBuffer } from '../plots/render.ts';
import { numericColumn } from '../io/csv.ts';
import { toJson } from './json.ts';

interface EffectFlags {
  preset?: string;
  measure?: string;
  add?: number;
  to?: ZeroCellRule;
  drop00?: boolean;
  vtype?: SmdVtype;
  smd?: 'metafor' | 'revman';
  json?: boolean;
}
interface FitFlags extends EffectFlags {
  method?: string;
  test: TestType;
  level: number;
  piType: PiType;
  by?: string;
}
interface PlotFlags extends RegressFlags {
  trimfill?: boolean;
  order?: string;
  subsets?: number;
  out?: string;
  width?: number;
  sort?: ForestSort;
  favours?: string;
  title?: string;
  contour?: boolean;
}
interface RegressFlags extends FitFlags {
  mods?: string;
  mod?: string[];
  predict?: string;
  permutations?: number;
  exact?: boolean;
  seed?: number;
}

const number = (name: string) => (v: string): number => {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) throw new InvalidArgumentError(`${name} must be a number`);
  return x;
};

function addEffectOptions(cmd: Command): Command {
  return cmd
    .option('--preset <name>', 'conventions: metafor (default) or revman5 (RevMan 5: its SMD, DerSimonian-Laird, zero-cell rules)')
    .option('-m, --measure <M>', 'effect size: SMD, SMDH, MD, ROM, RR, OR, RD, PETO, ZCOR, COR, PR, PLO, PFT, IRR, IRLN (default: generic yi input)')
    .option('--add <x>', 'continuity correction added to zero cells (metafor add)', number('--add'))
    .addOption(new Option('--to <rule>', 'which studies get --add (metafor to)').choices(ZERO_CELL_RULES))
    .option('--drop00', 'treat double-zero studies as not estimable (metafor drop00)')
    .addOption(new Option('--vtype <type>', 'SMD variance: LS (large-sample) or UB (unbiased)').choices(SMD_VTYPES))
    .addOption(new Option('--smd <variant>', "SMD: 'metafor' (exact Hedges' g) or 'revman' (RevMan 5's approximation)").choices(['metafor', 'revman']))
    .option('--json', 'print JSON instead of text');
}

/** --method, --test and --level, as fit, regress, plot, sensitivity and bias take them. */
function addModelOptions(cmd: Command, methods = 'DL, HE, HS, HSk, SJ, SJIT, ML, REML, EB, PM, PMM or EE/FE'): Command {
  return cmd
    .option('--method <M>', `tau^2 estimator: ${methods} (default REML; DL under --preset revman5)`)
    .addOption(new Option('--test <t>', 'z, knha (Knapp-Hartung: t tests, F for QM) or adhoc (KH never narrower than z)').choices(TESTS).default('z'))
    .option('--level <pct>', 'confidence level in percent', number('--level'), 95);
}

/** GOSH's sampling options, as sensitivity and plot take them. */
function addGoshOptions(cmd: Command): Command {
  return cmd
    .option('--subsets <n>', 'GOSH: random subsets when k > 20 (default 1000000)', number('--subsets'))
    .option('--seed <s>', 'GOSH: seed of the random subsets', number('--seed'));
}

function effectOptions(flags: EffectFlags) {
  const preset = flags.preset !== undefined ? PRESETS[parsePreset(flags.preset)] : undefined;
  return {
    ...(preset ? { smd: preset.smd, drop00: preset.drop00, ...('add' in preset ? { add: preset.add, to: preset.to, tau2From: preset.tau2From } : {}) } : {}),
    ...(flags.add !== undefined ? { add: flags.add } : {}),
    ...(flags.to !== undefined ? { to: flags.to } : {}),
    ...(flags.drop00 !== undefined ? { drop00: flags.drop00 } : {}),
    ...(flags.vtype !== undefined ? { vtype: flags.vtype } : {}),
    ...(flags.smd !== undefined ? { smd: flags.smd } : {}),
  };
}

/** --method, else the preset's, else metafor's REML. */
function methodOf(flags: FitFlags): string {
  return flags.method ?? (flags.preset !== undefined ? PRESETS[parsePreset(flags.preset)].method : 'REML');
}

function runEffects(file: string, flags: EffectFlags): void {
  const { table: t, dataset } = resolveInput(file);
  const measure = resolveMeasure(t, flags.measure ?? dataset?.provenance.measure);
  const es = inTable(t, () => escalc(measure, effectColumns(t), studyLabels(t), effectOptions(flags)));
  if (flags.json) {
    process.stdout.write(toJson({
      measure: es.measure, k: es.labels.length,
      studies: es.labels.map((label, i) => ({ label, yi: es.yi[i], vi: es.vi[i] })),
      excluded: es.excluded.map((e) => ({ label: e.label, row: e.row + 1, reason: e.reason })),
      corrected: es.corrected.map((i) => es.labels[i]),
    }) + '\n');
  } else process.stdout.write(formatEffectsText({ effects: es }));
}

function runFit(file: string, flags: FitFlags): void {
  const { table: t, dataset } = resolveInput(file);
  const opts: AnalysisOptions = {
    measure: resolveMeasure(t, flags.measure ?? dataset?.provenance.measure), method: parsePoolingMethod(methodOf(flags)), test: flags.test, level: flags.level, piType: flags.piType,
    ...effectOptions(flags),
  };
  if (flags.by !== undefined) {
    const by = flags.by;
    const groups = stringColumn(t, by);
    const sa = inTable(t, () => subgroupAnalysis(effectColumns(t), studyLabels(t), groups, by, opts));
    const ss = summarizeSubgroups(sa);
    process.stdout.write(flags.json ? toJson(ss) + '\n' : formatSubgroupText(ss, `Subgroup analysis by '${by}' (measure ${opts.measure}; method ${opts.method ?? 'REML'}; test ${opts.test ?? 'z'}${flags.preset ? `; preset ${flags.preset}` : ''})`));
    return;
  }
  const a = inTable(t, () => metaAnalysis(effectColumns(t), studyLabels(t), opts));
  const s = summarize(a);
  process.stdout.write(flags.json ? toJson(s) + '\n' : formatFitText(s));
}

/** "10,1950; 30,1960" → [[10, 1950], [30, 1960]] */
function parsePoints(text: string): number[][] {
  return text.split(';').map((pt) => pt.split(',').map((v) => {
    const x = Number(v.trim());
    if (v.trim() === '' || !Number.isFinite(x)) throw new EvsynthError('INVALID_ARGUMENT', `--predict: '${v.trim()}' is not a number (format: "10,1950; 30,1960")`);
    return x;
  }));
}

function runRegress(file: string, flags: RegressFlags): void {
  const { table: t, dataset } = resolveInput(file);
  const formula = flags.mods ?? (flags.mod && flags.mod.length > 0 ? flags.mod.join(' + ') : undefined);
  if (formula === undefined) throw new EvsynthError('INVALID_ARGUMENT', 'give the moderators with --mods "x + factor(g)" or --mod x --mod "factor(g)"');
  const moderatorColumns = Object.fromEntries(t.header.map((h) => [h, stringColumn(t, h)]));
  const onProgress = progressBar('permutations');
  const r = inTable(t, () => metaRegression(effectColumns(t), studyLabels(t), moderatorColumns, formula, {
    measure: resolveMeasure(t, flags.measure ?? dataset?.provenance.measure), method: parsePoolingMethod(methodOf(flags)), test: flags.test, level: flags.level, piType: flags.piType,
    ...effectOptions(flags),
    ...(flags.predict !== undefined ? { predictAt: parsePoints(flags.predict) } : {}),
    ...(flags.permutations !== undefined || flags.exact ? { permutation: {
      exact: flags.exact ? true : 'auto' as const, ...(flags.permutations !== undefined ? { iterations: flags.permutations } : {}),
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}), ...(onProgress ? { onProgress } : {}),
    } } : {}),
  }));
  const s = summarizeRegression(r);
  process.stdout.write(flags.json ? toJson(s) + '\n' : formatRegressionText(s));
}

export function buildProgram(): Command {
  const program = new Command('evsynth')
    .description('Evidence synthesis (meta-analysis) at parity with R metafor')
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  addEffectOptions(program.command('effects <file>').description('per-study effect sizes yi and sampling variances vi (metafor escalc)')).action(runEffects);
  addEffectOptions(
    addModelOptions(program.command('fit <file>').description('fit a meta-analysis model (metafor rma.uni / rma.mh / rma.peto)'), 'DL, HE, HS, HSk, SJ, SJIT, ML, REML, EB, PM, PMM, EE/FE (common effect), MH or PETO')
      .addOption(new Option('--pi-type <type>', 'prediction interval: default (metafor) or riley (t, df = k - 2)').choices(PI_TYPES).default('default'))
      .option('--by <column>', 'subgroup analysis by this column: separate fits per level and both tests for subgroup differences'),
  ).action(runFit);
  addEffectOptions(
    addModelOptions(program.command('regress <file>').description('meta-regression on CSV columns (metafor rma with mods)'))
      .option('--mods <formula>', 'moderators, e.g. "year + factor(type)" (R notation; "0 +" drops the intercept)')
      .option('--mod <term>', 'one moderator term (repeatable): --mod year --mod "factor(type)"', (v: string, prev: string[] = []) => [...prev, v])
      .addOption(new Option('--pi-type <type>', 'prediction interval: default or riley').choices(PI_TYPES).default('default'))
      .option('--predict <points>', 'predict at moderator values: "10,1950; 30,1960" (one value per non-intercept coefficient)')
      .option('--permutations <n>', 'permutation test with n random permutations (exact when n ≥ the number of distinct permutations)', number('--permutations'))
      .option('--exact', 'exact permutation test over every distinct permutation')
      .option('--seed <s>', 'seed of the random permutations (default 1)', number('--seed')),
  ).action(runRegress);
  addEffectOptions(
    addGoshOptions(addModelOptions(program.command('plot <kind> <file>').description('forest, funnel, baujat, labbe, bubble, leave-one-out, cumulative or gosh plot, written as SVG or PNG'), 'DL, HE, HS, HSk, SJ, SJIT, ML, REML, EB, PM, PMM, EE/FE, MH or PETO')
      .option('--out <file>', 'output file, .svg or .png (default: <input>-<kind>.png)')
      .option('--width <px>', 'forest plot width in pixels', number('--width'))
      .option('--by <column>', 'forest plot with subgroups')
      .addOption(new Option('--sort <order>', 'forest plot study order').choices(['input', 'effect', 'weight', 'year']).default('input'))
      .option('--favours <left|right>', 'labels under the forest axis, e.g. "Favours exercise|Favours control"')
      .option('--title <text>', 'plot title')
      .option('--contour', 'contour-enhanced funnel plot (significance regions around the null)')
      .option('--trimfill', 'funnel plot: add the studies filled in by trim and fill (hollow)')
      .option('--order <column>', 'cumulative plot: order by this numeric column (default input order)')
      .option('--mods <formula>', 'bubble plot: the moderators')
      .option('--mod <term>', 'bubble plot: one moderator term (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
      .addOption(new Option('--pi-type <type>', 'prediction interval: default or riley').choices(PI_TYPES).default('default'))),
  ).action(runPlot);
  addEffectOptions(
    addGoshOptions(addModelOptions(program.command('sensitivity <file>').description('leave-one-out, cumulative, influence, Baujat and GOSH analyses (all but GOSH when none is chosen)')))
      .option('--leave-one-out', 'refit without each study')
      .option('--cumulative [column]', 'cumulative meta-analysis, ordered by a numeric column (e.g. year) or input order')
      .option('--influence', 'influence diagnostics (externally standardised residuals, DFFITS, Cook, COVRATIO, hat, DFBETAS)')
      .option('--baujat', 'Baujat coordinates')
      .option('--gosh', 'GOSH: every subset up to k = 20, a seeded random sample beyond (worker threads)'),
  ).action(runSensitivity);
  addEffectOptions(
    addModelOptions(program.command('bias <file>').description("publication-bias diagnostics: Egger's regression test, Begg's rank test, trim and fill, fail-safe N (all when none is chosen)"))
      .option('--egger', 'regression test for funnel-plot asymmetry')
      .addOption(new Option('--predictor <p>', 'regression test predictor').choices(REGTEST_PREDICTORS).default('sei'))
      .addOption(new Option('--egger-model <m>', "rma (metafor's default: the same model plus the predictor) or lm (classical Egger)").choices(['rma', 'lm']).default('rma'))
      .option('--begg', "Begg and Mazumdar's rank correlation test")
      .option('--trimfill', 'trim and fill')
      .addOption(new Option('--estimator <e>', 'trim-and-fill estimator').choices(['L0', 'R0']).default('L0'))
      .addOption(new Option('--side <s>', 'side with missing studies (default: from the data)').choices(['left', 'right']))
      .option('--failsafe', 'fail-safe N')
      .addOption(new Option('--type <t>', 'fail-safe N type').choices(FSN_TYPES).default('Rosenthal'))
      .option('--target <x>', 'Orwin: target effect (default: half the mean effect)', number('--target'))
,
  ).action(runBias);
  program.command('datasets').description('list the bundled datasets').option('--json', 'print JSON').action(runDatasets);
  program.command('reproduce [dataset]').description("recompute each published claim of a dataset (all datasets by default) with the review's method")
    .option('--all', 'list every per-study claim, not only those that differ').option('--json', 'print JSON').action(runReproduce);
  program.command('start').description('the main job (npm start): reproduce every dataset, then the flagship subgroup analysis and its forest plot')
    .option('--out <dir>', 'where to write the flagship forest plot', 'out').action(runStart);
  return program;
}

const PLOT_KINDS = ['forest', 'funnel', 'baujat', 'labbe', 'bubble', 'leave-one-out', 'cumulative', 'gosh'] as const;

async function runPlot(kind: string, file: string, flags: PlotFlags): Promise<void> {
  if (!PLOT_KINDS.includes(kind as (typeof PLOT_KINDS)[number])) throw new EvsynthError('INVALID_ARGUMENT', `unknown plot '${kind}'; expected one of ${PLOT_KINDS.join(', ')}`);
  const { table: t, dataset } = resolveInput(file);
  const measure = resolveMeasure(t, flags.measure ?? dataset?.provenance.measure);
  const opts: AnalysisOptions = { measure, method: parsePoolingMethod(methodOf(flags)), test: flags.test, level: flags.level, piType: flags.piType, ...effectOptions(flags) };
  const out = flags.out ?? `${basename(file, extname(file))}-${kind}.png`;
  const format = extname(out).toLowerCase() === '.svg' ? 'svg' : extname(out).toLowerCase() === '.png' ? 'png' : undefined;
  if (format === undefined) throw new EvsynthError('INVALID_ARGUMENT', `--out '${out}': expected a .svg or .png file name`);
  const favours = flags.favours?.split('|').map((x) => x.trim());
  const title = flags.title ?? dataset?.provenance.title;
  const labels = studyLabels(t);
  let spec: TopLevelSpec;
  if (kind === 'forest') {
    const forestOptions = {
      columns: forestDataColumns(t, measure), sort: flags.sort ?? 'input' as const, ...(title ? { title } : {}),
      ...(favours && favours.length === 2 ? { favours: [favours[0] as string, favours[1] as string] as const } : {}),
      ...(flags.sort === 'year' ? { sortKeys: Array.from(numericColumn(t, 'year')) } : {}),
    };
    if (flags.by !== undefined) {
      const by = flags.by;
      const s = inTable(t, () => subgroupAnalysis(effectColumns(t), labels, stringColumn(t, by), by, opts));
      spec = forestSpec(forestFromSubgroups(s, forestOptions), flags.width !== undefined ? { width: flags.width } : {});
    } else {
      const a = inTable(t, () => metaAnalysis(effectColumns(t), labels, opts));
      spec = forestSpec(forestFromAnalysis(a, forestOptions), flags.width !== undefined ? { width: flags.width } : {});
    }
  } else if (kind === 'funnel' || kind === 'baujat' || kind === 'leave-one-out' || kind === 'cumulative' || kind === 'gosh') {
    const a = inTable(t, () => metaAnalysis(effectColumns(t), labels, opts));
    if (a.model.kind !== 'rma') throw new EvsynthError('INVALID_ARGUMENT', `a ${kind} plot needs an inverse-variance model (not MH or PETO)`);
    const fit = a.model.fit;
    const xTitleLog = (RATIO_MEASURES.has(measure) ? 'log ' : '') + measureLabel(measure);
    if (kind === 'funnel') {
      // the funnel stays centred on the observed studies' estimate; filled studies are drawn hollow
      const tf = flags.trimfill ? publicationBias(a, { trimfill: true }).trimfill : null;
      spec = funnelSpec(funnelData(fit, flags.contour ?? false), {
        xTitle: xTitleLog, labels: a.studies.labels, ...(title ? { title } : {}),
        ...(tf ? { filled: { yi: tf.filledYi, sei: Float64Array.from(tf.filledVi, Math.sqrt) } } : {}),
      });
    } else if (kind === 'baujat') {
      spec = baujatSpec(baujat(fit), a.studies.labels, title);
    } else if (kind === 'gosh') {
      const onProgress = progressBar('GOSH subsets');
      const s = await sensitivityAnalyses(a, { gosh: { ...(flags.subsets !== undefined ? { subsets: flags.subsets } : {}), ...(flags.seed !== undefined ? { seed: flags.seed } : {}), ...(onProgress ? { onProgress } : {}) } });
      const g = s.gosh?.result;
      spec = goshSpec(g?.estimate ?? [], g?.I2 ?? [], { xTitle: xTitleLog, ...(title ? { title } : {}) });
    } else {
      const order = flags.order;
      const s = await sensitivityAnalyses(a, kind === 'leave-one-out' ? { leaveOneOut: true } : {
        cumulative: order ? { column: order, key: Float64Array.from(a.studies.rows, (r) => numericColumn(t, order)[r] as number) } : true,
      });
      const rows = kind === 'leave-one-out'
        ? a.studies.labels.map((label, i) => ({ label, est: s.leaveOneOut?.estimate[i] as number, lo: s.leaveOneOut?.ciLower[i] as number, hi: s.leaveOneOut?.ciUpper[i] as number }))
        : (s.cumulative?.order ?? []).map((idx, i) => ({ label: `+ ${a.studies.labels[idx] ?? ''}`, est: s.cumulative?.estimate[i] as number, lo: s.cumulative?.ciLower[i] as number, hi: s.cumulative?.ciUpper[i] as number }));
      spec = forestSpec(forestOfRefits(a, rows, { kind, ...(title ? { title } : {}), ...(favours && favours.length === 2 ? { favours: [favours[0] as string, favours[1] as string] as const } : {}) }), flags.width !== undefined ? { width: flags.width } : {});
    }
  } else if (kind === 'labbe') {
    if (!['RR', 'OR', 'RD', 'PETO'].includes(measure)) throw new EvsynthError('INVALID_ARGUMENT', `a L'Abbé plot needs 2×2 tables (--measure RR, OR, RD or PETO); measure is ${measure}`);
    spec = labbeSpec(inTable(t, () => armEventRates(effectColumns(t), labels.length)), labels, title ? { title } : {});
  } else {
    const formula = flags.mods ?? (flags.mod && flags.mod.length > 0 ? flags.mod.join(' + ') : undefined);
    if (formula === undefined) throw new EvsynthError('INVALID_ARGUMENT', 'a bubble plot needs --mods or --mod');
    const moderatorColumns = Object.fromEntries(t.header.map((h) => [h, stringColumn(t, h)]));
    const r = inTable(t, () => metaRegression(effectColumns(t), labels, moderatorColumns, formula, opts));
    const j = r.fit.design.names[0] === 'intrcpt' ? 1 : 0;
    const points = r.labels.map((label, i) => ({ x: r.fit.design.x[i * r.fit.design.p + j] as number, y: r.fit.yi[i] as number, weight: r.fit.weights[i] as number, label }));
    spec = bubbleSpec(points, regressionBands(r), { xTitle: r.fit.design.names[j] ?? 'moderator', yTitle: measureLabel(measure), ...(title ? { title } : {}) });
  }
  const buf = await renderToBuffer(spec, format);
  mkdirSync(dirname(out) || '.', { recursive: true });
  writeFileSync(out, buf);
  process.stdout.write(`wrote ${out}\n`);
}

interface SensitivityFlags extends FitFlags { leaveOneOut?: boolean; cumulative?: string | boolean; influence?: boolean; baujat?: boolean; gosh?: boolean; subsets?: number; seed?: number }
interface BiasFlags extends FitFlags { egger?: boolean; predictor: RegtestPredictor; eggerModel: 'rma' | 'lm'; begg?: boolean; trimfill?: boolean; estimator: TrimfillEstimator; side?: 'left' | 'right'; failsafe?: boolean; type: FsnType; target?: number }

function analysisFor(file: string, flags: FitFlags) {
  const { table: t, dataset } = resolveInput(file);
  const opts: AnalysisOptions = { measure: resolveMeasure(t, flags.measure ?? dataset?.provenance.measure), method: parsePoolingMethod(methodOf(flags)), test: flags.test, level: flags.level, ...effectOptions(flags) };
  return { t, a: inTable(t, () => metaAnalysis(effectColumns(t), studyLabels(t), opts)) };
}

async function runSensitivity(file: string, flags: SensitivityFlags): Promise<void> {
  const { t, a } = analysisFor(file, flags);
  const none = !flags.leaveOneOut && flags.cumulative === undefined && !flags.influence && !flags.baujat && !flags.gosh;
  let cumulative: { column: string; key: Float64Array } | boolean | undefined;
  if (typeof flags.cumulative === 'string') {
    const all = numericColumn(t, flags.cumulative);
    cumulative = { column: flags.cumulative, key: Float64Array.from(a.studies.rows, (r) => all[r] as number) };
  } else cumulative = none || flags.cumulative === true;
  const onProgress = progressBar('GOSH subsets');
  const s = await sensitivityAnalyses(a, {
    leaveOneOut: none || flags.leaveOneOut === true, cumulative, influence: none || flags.influence === true, baujat: none || flags.baujat === true,
    gosh: flags.gosh ? { ...(flags.subsets !== undefined ? { subsets: flags.subsets } : {}), ...(flags.seed !== undefined ? { seed: flags.seed } : {}), ...(onProgress ? { onProgress } : {}) } : false,
  });
  process.stdout.write(flags.json ? toJson(sensitivityJson(s)) + '\n' : formatSensitivityText(s));
}

function runBias(file: string, flags: BiasFlags): void {
  const { t, a } = analysisFor(file, flags);
  const none = !flags.egger && !flags.begg && !flags.trimfill && !flags.failsafe;
  const needsN = ['ni', 'ninv', 'sqrtni', 'sqrtninv'].includes(flags.predictor);
  let ni: Float64Array | undefined;
  if (needsN) {
    const n1 = numericColumn(t, 'n1i'), n2 = numericColumn(t, 'n2i');
    ni = Float64Array.from(a.studies.rows, (r) => (n1[r] as number) + (n2[r] as number));
  }
  const b = publicationBias(a, {
    egger: none || flags.egger ? { model: flags.eggerModel, predictor: flags.predictor, ...(ni ? { ni } : {}) } : false,
    begg: none || flags.begg === true,
    trimfill: none || flags.trimfill ? { estimator: flags.estimator, ...(flags.side ? { side: flags.side } : {}) } : false,
    failsafe: none || flags.failsafe ? { type: flags.type, ...(flags.target !== undefined ? { target: flags.target } : {}) } : false,
  });
  process.stdout.write(flags.json ? toJson(biasJson(b)) + '\n' : formatBiasText(b));
}

function runDatasets(flags: { json?: boolean }): void {
  const list = listDatasetNames().map((name) => {
    const d = loadDataset(name);
    const p = d.provenance;
    return { name, k: d.table?.rows.length ?? 0, rows: p.rows.status, measure: p.measure, outcome: p.analysis?.outcome ?? '', claims: p.claims.length + (p.perStudyClaims ? (d.table?.rows.length ?? 0) : 0), title: p.title };
  });
  if (flags.json) { process.stdout.write(toJson(list) + '\n'); return; }
  const rows = [['name', 'k', 'rows', 'measure', 'claims', 'outcome'], ...list.map((d) => [d.name, String(d.k), d.rows, d.measure, String(d.claims), d.outcome.length > 60 ? `${d.outcome.slice(0, 57)}...` : d.outcome])];
  process.stdout.write(alignTable(rows, [0, 2, 3, 5]).join('\n') + '\n');
}

function runReproduce(name: string | undefined, flags: { all?: boolean; json?: boolean }): void {
  const names = name !== undefined ? [name] : listDatasetNames();
  const results = names.map((n) => reproduceDataset(loadDataset(n)));
  if (flags.json) { process.stdout.write(toJson(results) + '\n'); return; }
  for (const r of results) process.stdout.write(formatReproduction(r, flags.all) + '\n');
  process.stdout.write(formatReproductionTotals(results));
}

/** The flagship: knee-OA pain by exercise type (Cochrane CD004376.pub4, analysis 4.3), with RevMan's conventions. */
export const FLAGSHIP_DATASET = 'knee-oa-exercise-pain';

async function runFlagship(outDir: string): Promise<void> {
  const ds = loadDataset(FLAGSHIP_DATASET);
  const t = ds.table;
  if (t === null || ds.provenance.subgroupColumn === undefined) throw new EvsynthError('INVALID_VALUE', `flagship dataset ${FLAGSHIP_DATASET} needs rows and a subgroup column`);
  const opts = reviewOptions(ds.provenance);
  const s = subgroupAnalysis(tableColumns(t), studyLabels(t), stringColumn(t, ds.provenance.subgroupColumn), 'exercise type', opts);
  process.stdout.write(formatSubgroupText(summarizeSubgroups(s), `Flagship: ${ds.provenance.title}\nSMD (RevMan's Hedges' g), DerSimonian-Laird random effects per exercise type; negative favours exercise`));
  const spec = forestSpec(forestFromSubgroups(s, { columns: forestDataColumns(t, opts.measure), favours: ['Favours exercise', 'Favours control'], title: 'Exercise for knee osteoarthritis: pain, by exercise type (Cochrane CD004376.pub4, analysis 4.3)' }), { width: 1100 });
  mkdirSync(outDir, { recursive: true });
  for (const format of ['svg', 'png'] as const) {
    const file = `${outDir}/flagship-forest.${format}`;
    writeFileSync(file, await renderToBuffer(spec, format));
    process.stdout.write(`wrote ${file}\n`);
  }
}

async function runStart(flags: { out?: string }): Promise<void> {
  runReproduce(undefined, {});
  process.stdout.write('\n');
  await runFlagship(flags.out ?? 'out');
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().exitOverride().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof EvsynthError) {
      process.stderr.write(`evsynth: error: ${e.message}\n`);
      return 2;
    }
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      return ce.code === 'commander.helpDisplayed' || ce.code === 'commander.version' || ce.code === 'commander.help' ? 0 : 2;
    }
    throw e;
  }
}
