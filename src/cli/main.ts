import { Command, InvalidArgumentError, Option } from 'commander';
import { metaAnalysis, parsePoolingMethod, type AnalysisOptions } from '../analysis/meta-analysis.ts';
import { EvsynthError } from '../core/errors.ts';
import { escalc } from '../effects/escalc.ts';
import { SMD_VTYPES, ZERO_CELL_RULES, type SmdVtype, type ZeroCellRule } from '../effects/types.ts';
import { PI_TYPES, type PiType } from '../inference/prediction.ts';
import { TESTS, type TestType } from '../models/rma.ts';
import { summarize } from '../report/summary.ts';
import { formatEffectsText, formatFitText } from '../report/text.ts';
import { effectColumns, inTable, readInput, resolveMeasure, studyLabels } from './input.ts';
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
  const t = readInput(file);
  const es = inTable(t, () => escalc(resolveMeasure(t, flags.measure), effectColumns(t), studyLabels(t), effectOptions(flags)));
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
  const t = readInput(file);
  const opts: AnalysisOptions = {
    measure: resolveMeasure(t, flags.measure), method: parsePoolingMethod(flags.method), test: flags.test, level: flags.level, piType: flags.piType,
    ...effectOptions(flags),
  };
  const a = inTable(t, () => metaAnalysis(effectColumns(t), studyLabels(t), opts));
  const s = summarize(a);
  process.stdout.write(flags.json ? toJson(s) + '\n' : formatFitText(s));
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
      .addOption(new Option('--pi-type <type>', 'prediction interval: default (metafor) or riley (t, df = k - 2)').choices(PI_TYPES).default('default')),
  ).action(runFit);
  program.command('start').description('the main job (npm start)').action(() => runStart());
  return program;
}

/** `npm start`: the main job. Until datasets exist it fits the bundled BCG example. */
function runStart(): void {
  const file = new URL('../../tests/data/bcg.csv', import.meta.url).pathname;
  runFit(file, { method: 'REML', test: 'z', level: 95, piType: 'default', measure: 'RR' });
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
