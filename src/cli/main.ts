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
import { effectColumns, inTable, resolveMeasure, studyLabels } from './input.ts';
import { listDatasetNames, loadDataset, resolveInput } from '../io/datasets.ts';
import { reproduceDataset, reviewOptions, tableColumns } from '../analysis/reproduce.ts';
import { subgroupAnalysis } from '../analysis/subgroup-analysis.ts';
import { stringColumn } from '../io/csv.ts';
import { formatReproduction, formatReproductionTotals } from '../report/reproduce-text.ts';
import { formatSubgroupText, summarizeSubgroups } from '../report/subgroup-text.ts';
import { formatRegressionText, summarizeRegression } from '../report/regression-text.ts';
import { metaRegression } from '../analysis/regression.ts';
import { progressBar } from './progress.ts';
import { toJson } from './json.ts';

interface EffectFlags {
  measure?: string;
  add?: number;
  to?: ZeroCellRule;
  drop00?: boolean;
  vtype?: SmdVtype;
  smd?: 'metafor' | 'revman';
  json?: boolean;
}
interface FitFlags extends EffectFlags {
  method: string;
  test: TestType;
  level: number;
  piType: PiType;
  by?: string;
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
    .option('-m, --measure <M>', 'effect size: SMD, SMDH, MD, ROM, RR, OR, RD, PETO, ZCOR, COR, PR, PLO, PFT, IRR, IRLN (default: generic yi input)')
    .option('--add <x>', 'continuity correction added to zero cells (metafor add)', number('--add'))
    .addOption(new Option('--to <rule>', 'which studies get --add (metafor to)').choices(ZERO_CELL_RULES))
    .option('--drop00', 'treat double-zero studies as not estimable (metafor drop00)')
    .addOption(new Option('--vtype <type>', 'SMD variance: LS (large-sample) or UB (unbiased)').choices(SMD_VTYPES))
    .addOption(new Option('--smd <variant>', "SMD: 'metafor' (exact Hedges' g) or 'revman' (RevMan 5's approximation)").choices(['metafor', 'revman']))
    .option('--json', 'print JSON instead of text');
}

function effectOptions(flags: EffectFlags) {
  return {
    ...(flags.add !== undefined ? { add: flags.add } : {}),
    ...(flags.to !== undefined ? { to: flags.to } : {}),
    ...(flags.drop00 !== undefined ? { drop00: flags.drop00 } : {}),
    ...(flags.vtype !== undefined ? { vtype: flags.vtype } : {}),
    ...(flags.smd !== undefined ? { smd: flags.smd } : {}),
  };
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
    measure: resolveMeasure(t, flags.measure ?? dataset?.provenance.measure), method: parsePoolingMethod(flags.method), test: flags.test, level: flags.level, piType: flags.piType,
    ...effectOptions(flags),
  };
  if (flags.by !== undefined) {
    const by = flags.by;
    const groups = stringColumn(t, by);
    const sa = inTable(t, () => subgroupAnalysis(effectColumns(t), studyLabels(t), groups, by, opts));
    const ss = summarizeSubgroups(sa);
    process.stdout.write(flags.json ? toJson(ss) + '\n' : formatSubgroupText(ss, `Subgroup analysis by '${by}' (measure ${opts.measure}; method ${opts.method ?? 'REML'}; test ${opts.test ?? 'z'})`));
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
    measure: resolveMeasure(t, flags.measure ?? dataset?.provenance.measure), method: parsePoolingMethod(flags.method), test: flags.test, level: flags.level, piType: flags.piType,
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
    program.command('fit <file>').description('fit a meta-analysis model (metafor rma.uni / rma.mh / rma.peto)')
      .option('--method <M>', 'tau^2 estimator (DL, HE, HS, HSk, SJ, SJIT, ML, REML, EB, PM, PMM), EE/FE (common effect), MH or PETO', 'REML')
      .addOption(new Option('--test <t>', 'z, knha (Knapp-Hartung) or adhoc (KH, never narrower than z)').choices(TESTS).default('z'))
      .option('--level <pct>', 'confidence level in percent', number('--level'), 95)
      .addOption(new Option('--pi-type <type>', 'prediction interval: default (metafor) or riley (t, df = k - 2)').choices(PI_TYPES).default('default'))
      .option('--by <column>', 'subgroup analysis by this column: separate fits per level and both tests for subgroup differences'),
  ).action(runFit);
  addEffectOptions(
    program.command('regress <file>').description('meta-regression on CSV columns (metafor rma with mods)')
      .option('--mods <formula>', 'moderators, e.g. "year + factor(type)" (R notation; "0 +" drops the intercept)')
      .option('--mod <term>', 'one moderator term (repeatable): --mod year --mod "factor(type)"', (v: string, prev: string[] = []) => [...prev, v])
      .option('--method <M>', 'tau^2 estimator (DL, HE, HS, HSk, SJ, SJIT, ML, REML, EB, PM, PMM) or EE/FE', 'REML')
      .addOption(new Option('--test <t>', 'z, knha (t tests, F test for QM) or adhoc').choices(TESTS).default('z'))
      .option('--level <pct>', 'confidence level in percent', number('--level'), 95)
      .addOption(new Option('--pi-type <type>', 'prediction interval: default or riley').choices(PI_TYPES).default('default'))
      .option('--predict <points>', 'predict at moderator values: "10,1950; 30,1960" (one value per non-intercept coefficient)')
      .option('--permutations <n>', 'permutation test with n random permutations (exact when n ≥ the number of distinct permutations)', number('--permutations'))
      .option('--exact', 'exact permutation test over every distinct permutation')
      .option('--seed <s>', 'seed of the random permutations (default 1)', number('--seed')),
  ).action(runRegress);
  program.command('datasets').description('list the bundled datasets').option('--json', 'print JSON').action(runDatasets);
  program.command('reproduce [dataset]').description("recompute each published claim of a dataset (all datasets by default) with the review's method")
    .option('--all', 'list every per-study claim, not only those that differ').option('--json', 'print JSON').action(runReproduce);
  program.command('start').description('the main job (npm start): reproduce every dataset, then the flagship subgroup analysis').action(runStart);
  return program;
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

function runFlagship(): void {
  const ds = loadDataset(FLAGSHIP_DATASET);
  const t = ds.table;
  if (t === null || ds.provenance.subgroupColumn === undefined) throw new EvsynthError('INVALID_VALUE', `flagship dataset ${FLAGSHIP_DATASET} needs rows and a subgroup column`);
  const s = subgroupAnalysis(tableColumns(t), studyLabels(t), stringColumn(t, ds.provenance.subgroupColumn), 'exercise type', reviewOptions(ds.provenance));
  process.stdout.write(formatSubgroupText(summarizeSubgroups(s), `Flagship: ${ds.provenance.title}\nSMD (RevMan's Hedges' g), DerSimonian-Laird random effects per exercise type; negative favours exercise`));
}

function runStart(): void {
  runReproduce(undefined, {});
  process.stdout.write('\n');
  runFlagship();
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
