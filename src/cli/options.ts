/** Command-line options shared by the evsynth commands, and the one place their flags become an analysis request. */
import type { FitSummary } from '../report/summary.ts';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { PRESET_NAMES } from '../analysis/presets.ts';
import type { AnalysisRequest } from '../analysis/request.ts';
import type { MissingGroupRule } from '../analysis/subgroup-analysis.ts';
import type { RegtestPredictor } from '../diagnostics/egger.ts';
import type { FsnType } from '../diagnostics/fail-safe.ts';
import type { TrimfillEstimator } from '../diagnostics/trim-and-fill.ts';
import {
  EFFECT_CONVENTIONS,
  VTYPES,
  ZERO_CELL_RULES,
  type EffectConvention,
  type Vtype,
  type ZeroCellRule,
} from '../effects/options.ts';
import { describeVtypes, MEASURES } from '../effects/registry.ts';
import { PI_TYPES, type PiType } from '../inference/prediction.ts';
import { describePoolingMethods } from '../models/pooling-methods.ts';
import { TESTS, type TestType } from '../models/rma.ts';
import { DEFAULT_TAU2_METHOD } from '../models/tau2/registry.ts';
import type { ForestSort } from '../plots/forest-data.ts';

export interface EffectFlags {
  /** CSV field delimiter (detected when absent) and decimal separator. */
  delimiter?: string;
  decimal?: '.' | ',';
  preset?: string;
  measure?: string;
  add?: number;
  to?: ZeroCellRule;
  drop00?: boolean;
  vtype?: Vtype;
  smd?: 'metafor' | 'revman';
  convention?: EffectConvention;
  json?: boolean;
  digits?: number;
}
/** --format of the commands that print per-study tables (effects, fit). */
export interface FormatFlags {
  format?: OutputFormat;
}
export interface FitFlags extends EffectFlags {
  method?: string;
  test?: TestType;
  level?: number;
  piType?: PiType;
  by?: string;
  keepUngrouped?: boolean;
  lowRiskOnly?: boolean;
  /** false with --no-studies */
  studies?: boolean;
  /** Per-study rows listed (text) or forest-plot rows drawn at most. */
  maxStudies?: number;
}
/** --mods / --mod: the moderators of a meta-regression. */
export interface ModeratorFlags {
  mods?: string;
  mod?: string[];
}
export interface RegressFlags extends FitFlags, ModeratorFlags {
  predict?: string;
  permutations?: number;
  exact?: boolean;
  seed?: number;
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
  unweighted?: boolean;
}
export interface SensitivityFlags extends FitFlags, ModeratorFlags {
  leaveOneOut?: boolean;
  cumulative?: string | boolean;
  influence?: boolean;
  baujat?: boolean;
  gosh?: boolean;
  subsets?: number;
  seed?: number;
}
export interface BiasFlags extends FitFlags, ModeratorFlags {
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

export const number =
  (name: string) =>
  (v: string): number => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw new InvalidArgumentError(`${name} must be a number`);
    return x;
  };

/** A whole number within [min, max]. */
export const integer =
  (name: string, min: number, max: number) =>
  (v: string): number => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < min || x > max)
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return x;
  };

export function addEffectOptions(cmd: Command): Command {
  return cmd
    .option(
      '--preset <name>',
      `conventions: ${PRESET_NAMES.join(' or ')} (metafor by default; revman5: RevMan 5's SMD, zero-cell rules and DerSimonian-Laird)`,
    )
    .option(
      '-m, --measure <M>',
      `effect size: ${MEASURES.join(', ')} (default: the dataset's, or generic yi input; OR with --method PETO)`,
    )
    .option('--add <x>', 'continuity correction added to zero cells (metafor add)', number('--add'))
    .addOption(new Option('--to <rule>', 'which studies get --add (metafor to)').choices(ZERO_CELL_RULES))
    .option('--drop00', 'treat double-zero studies as not estimable (metafor drop00)')
    .addOption(
      new Option(
        '--vtype <type>',
        `sampling-variance type (metafor vtype): ${describeVtypes()}; default the first`,
      ).choices(VTYPES),
    )
    .addOption(
      new Option('--smd <variant>', "SMD: 'metafor' (exact Hedges' g) or 'revman' (RevMan 5's approximation)").choices([
        'metafor',
        'revman',
      ]),
    )
    .addOption(
      new Option('--convention <c>', "effect-size rules: metafor's escalc or RevMan 5's (zero cells, SMD)").choices(
        EFFECT_CONVENTIONS,
      ),
    )
    .option(
      '--delimiter <c>',
      "CSV field delimiter: , ; tab or | (default: detected from the header line; '-' as the file reads standard input)",
    )
    .addOption(
      new Option(
        '--decimal <c>',
        "decimal separator of the CSV's numbers (default: '.', or ',' detected in ;-delimited files)",
      ).choices(['.', ',']),
    )
    .option('--json', 'print JSON instead of text (the same as --format json)')
    .option('--digits <n>', 'decimals in text output (default 4)', integer('--digits', 0, 15));
}

/** Output formats of the commands that print per-study tables. */
const OUTPUT_FORMATS = ['text', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** --format text|json|csv (csv: the per-study table). */
export function addFormatOption(cmd: Command): Command {
  return cmd.addOption(
    new Option('--format <f>', 'text, json, or csv (the per-study table as CSV)').choices(OUTPUT_FORMATS),
  );
}

/** Columns of `--format csv`'s per-study table (fit with and without --random), and the back-transformed ones of ratio measures. */
export const STUDY_CSV_HEADER = ['study', 'row', 'yi', 'vi', 'sei', 'ci_lb', 'ci_ub', 'weight'];
export const RATIO_CSV_HEADER = ['exp_yi', 'exp_ci_lb', 'exp_ci_ub'];

/** Rows of that table: every study used, its row, effect, CI, weight; back-transformed columns for ratio measures. */
export function studyCsvRows(
  studies: readonly Pick<
    FitSummary['studies'][number],
    'label' | 'row' | 'yi' | 'vi' | 'sei' | 'ciLower' | 'ciUpper' | 'weight'
  >[],
  ratio: boolean,
  subgroup?: string,
): (string | number)[][] {
  return studies.map((st) => [
    ...(subgroup !== undefined ? [subgroup] : []),
    st.label,
    st.row,
    st.yi,
    st.vi,
    st.sei,
    st.ciLower,
    st.ciUpper,
    st.weight,
    ...(ratio ? [Math.exp(st.yi), Math.exp(st.ciLower), Math.exp(st.ciUpper)] : []),
  ]);
}

/** The output format of a command's flags: --format, else json with --json, else text. */
export function outputFormat(flags: EffectFlags & FormatFlags): OutputFormat {
  return flags.format ?? (flags.json ? 'json' : 'text');
}

/** --method, --test, --level and --pi-type, as fit, regress, plot, sensitivity and bias take them. */
export function addModelOptions(cmd: Command, methods = describePoolingMethods()): Command {
  return cmd
    .option('--method <M>', `pooling method: ${methods} (default ${DEFAULT_TAU2_METHOD}; the preset's with --preset)`)
    .addOption(
      new Option(
        '--test <t>',
        'z, knha (Knapp-Hartung: t tests, F for QM), adhoc (KH never narrower than z) or t (multilevel models: t tests, see --dfs)',
      ).choices([...TESTS, 't']),
    )
    .option('--level <x>', 'confidence level: a percentage (95) or a proportion (0.95); default 95', number('--level'))
    .addOption(
      new Option('--pi-type <type>', 'prediction interval: default (metafor) or riley (t, df = k - 2)').choices(
        PI_TYPES,
      ),
    )
    .option(
      '--low-risk-only',
      'sensitivity analysis: only studies at low overall risk of bias (rob_overall or robins_overall column); the others are listed',
    );
}

/** --by and what to do with rows without a subgroup value. */
export function addSubgroupOptions(
  cmd: Command,
  what = 'subgroup analysis by this column: separate fits per level and both tests for subgroup differences',
): Command {
  return cmd
    .option('--by <column>', what)
    .option(
      '--keep-ungrouped',
      'with --by: keep rows without a subgroup value in the overall analysis (default: leave them out)',
    );
}

/** --mods and --mod (repeatable): the moderators of a meta-regression, as regress, plot, sensitivity and bias take them. */
export function addModeratorOptions(
  cmd: Command,
  what = 'moderators, e.g. "year + factor(type)" (R notation; "0 +" drops the intercept)',
): Command {
  return cmd
    .option('--mods <formula>', what)
    .option(
      '--mod <term>',
      'one moderator term (repeatable): --mod year --mod "factor(type)"',
      (v: string, prev: string[] = []) => [...prev, v],
    );
}

/** GOSH's sampling options, as sensitivity and plot take them. */
export function addGoshOptions(cmd: Command): Command {
  return cmd
    .option('--subsets <n>', 'GOSH: random subsets when k > 20 (default 1000000)', number('--subsets'))
    .option('--seed <s>', 'GOSH: seed of the random subsets', number('--seed'));
}

/** The analysis request of a command's flags: the one place where flags become engine options. */
export function requestFromFlags(flags: FitFlags): AnalysisRequest {
  const pick = <K extends keyof FitFlags & keyof AnalysisRequest>(k: K) =>
    flags[k] !== undefined ? ({ [k]: flags[k] } as Pick<AnalysisRequest, K>) : {};
  const missing: MissingGroupRule | undefined = flags.keepUngrouped ? 'overall-only' : undefined;
  return {
    ...pick('measure'),
    ...pick('method'),
    ...pick('preset'),
    ...pick('test'),
    ...pick('level'),
    ...pick('piType'),
    ...pick('add'),
    ...pick('to'),
    ...pick('drop00'),
    ...pick('vtype'),
    ...pick('smd'),
    ...pick('convention'),
    ...pick('by'),
    ...(missing ? { missingGroups: missing } : {}),
  };
}

/** Output formats of `evsynth sof`. */
export const SOF_FORMATS = ['md', 'html', 'csv', 'json', 'docx'] as const;
export type SofFormat = (typeof SOF_FORMATS)[number];
