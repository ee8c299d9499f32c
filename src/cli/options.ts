/** Command-line options shared by the evsynth commands, and the flags they produce. */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { SMD_VTYPES, ZERO_CELL_RULES, type SmdVtype, type ZeroCellRule } from '../effects/types.ts';
import { type PiType } from '../inference/prediction.ts';
import { TESTS, type TestType } from '../models/rma.ts';
import { PRESETS, parsePreset } from '../analysis/presets.ts';
import { type RegtestPredictor } from '../diagnostics/egger.ts';
import { type FsnType } from '../diagnostics/fail-safe.ts';
import type { TrimfillEstimator } from '../diagnostics/trim-and-fill.ts';
import { type ForestSort } from '../plots/forest-data.ts';

export interface EffectFlags {
  preset?: string;
  measure?: string;
  add?: number;
  to?: ZeroCellRule;
  drop00?: boolean;
  vtype?: SmdVtype;
  smd?: 'metafor' | 'revman';
  json?: boolean;
}
export interface FitFlags extends EffectFlags {
  method?: string;
  test: TestType;
  level: number;
  piType: PiType;
  by?: string;
}
export interface PlotFlags extends RegressFlags {
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
export interface RegressFlags extends FitFlags {
  mods?: string;
  mod?: string[];
  predict?: string;
  permutations?: number;
  exact?: boolean;
  seed?: number;
}

export const number =
  (name: string) =>
  (v: string): number => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw new InvalidArgumentError(`${name} must be a number`);
    return x;
  };

export function addEffectOptions(cmd: Command): Command {
  return cmd
    .option(
      '--preset <name>',
      'conventions: metafor (default) or revman5 (RevMan 5: its SMD, DerSimonian-Laird, zero-cell rules)',
    )
    .option(
      '-m, --measure <M>',
      'effect size: SMD, SMDH, MD, ROM, RR, OR, RD, PETO, ZCOR, COR, PR, PLO, PFT, IRR, IRLN (default: generic yi input)',
    )
    .option('--add <x>', 'continuity correction added to zero cells (metafor add)', number('--add'))
    .addOption(new Option('--to <rule>', 'which studies get --add (metafor to)').choices(ZERO_CELL_RULES))
    .option('--drop00', 'treat double-zero studies as not estimable (metafor drop00)')
    .addOption(new Option('--vtype <type>', 'SMD variance: LS (large-sample) or UB (unbiased)').choices(SMD_VTYPES))
    .addOption(
      new Option('--smd <variant>', "SMD: 'metafor' (exact Hedges' g) or 'revman' (RevMan 5's approximation)").choices([
        'metafor',
        'revman',
      ]),
    )
    .option('--json', 'print JSON instead of text');
}

/** --method, --test and --level, as fit, regress, plot, sensitivity and bias take them. */
export function addModelOptions(
  cmd: Command,
  methods = 'DL, HE, HS, HSk, SJ, SJIT, ML, REML, EB, PM, PMM or EE/FE',
): Command {
  return cmd
    .option('--method <M>', `tau^2 estimator: ${methods} (default REML; DL under --preset revman5)`)
    .addOption(
      new Option('--test <t>', 'z, knha (Knapp-Hartung: t tests, F for QM) or adhoc (KH never narrower than z)')
        .choices(TESTS)
        .default('z'),
    )
    .option('--level <pct>', 'confidence level in percent', number('--level'), 95);
}

/** GOSH's sampling options, as sensitivity and plot take them. */
export function addGoshOptions(cmd: Command): Command {
  return cmd
    .option('--subsets <n>', 'GOSH: random subsets when k > 20 (default 1000000)', number('--subsets'))
    .option('--seed <s>', 'GOSH: seed of the random subsets', number('--seed'));
}

export function effectOptions(flags: EffectFlags) {
  const preset = flags.preset !== undefined ? PRESETS[parsePreset(flags.preset)] : undefined;
  return {
    ...(preset
      ? {
          smd: preset.smd,
          drop00: preset.drop00,
          ...('add' in preset ? { add: preset.add, to: preset.to, tau2From: preset.tau2From } : {}),
        }
      : {}),
    ...(flags.add !== undefined ? { add: flags.add } : {}),
    ...(flags.to !== undefined ? { to: flags.to } : {}),
    ...(flags.drop00 !== undefined ? { drop00: flags.drop00 } : {}),
    ...(flags.vtype !== undefined ? { vtype: flags.vtype } : {}),
    ...(flags.smd !== undefined ? { smd: flags.smd } : {}),
  };
}

/** --method, else the preset's, else metafor's REML. */
export function methodOf(flags: FitFlags): string {
  return flags.method ?? (flags.preset !== undefined ? PRESETS[parsePreset(flags.preset)].method : 'REML');
}

export interface SensitivityFlags extends FitFlags {
  leaveOneOut?: boolean;
  cumulative?: string | boolean;
  influence?: boolean;
  baujat?: boolean;
  gosh?: boolean;
  subsets?: number;
  seed?: number;
}
export interface BiasFlags extends FitFlags {
  egger?: boolean;
  predictor: RegtestPredictor;
  eggerModel: 'rma' | 'lm';
  begg?: boolean;
  trimfill?: boolean;
  estimator: TrimfillEstimator;
  side?: 'left' | 'right';
  failsafe?: boolean;
  type: FsnType;
  target?: number;
}
