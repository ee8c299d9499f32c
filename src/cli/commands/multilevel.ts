/** `evsynth fit|regress` with --random, --V or --robust: dependent effect sizes (metafor rma.mv, robust()). */
import { Option, type Command } from 'commander';
import { multilevelContext, multilevelTable, type MultilevelRequest } from '../../analysis/multilevel.ts';
import { EvsynthError } from '../../core/errors.ts';
import { ROBUST_TYPES, type RobustType } from '../../inference/robust.ts';
import { formatCsv } from '../../io/csv.ts';
import { MV_DFS, type MvDfs } from '../../models/mv/rma-mv.ts';
import { STRUCTS } from '../../models/mv/structures.ts';
import { formatMultilevelText, summarizeMultilevel } from '../../report/multilevel-text.ts';
import { commandInput } from '../input.ts';
import { toJson } from '../json.ts';
import {
  outputFormat,
  RATIO_CSV_HEADER,
  STUDY_CSV_HEADER,
  studyCsvRows,
  type FormatFlags,
  type RegressFlags,
} from '../options.ts';

export interface MultilevelFlags {
  random?: string[];
  struct?: string[];
  dfs?: MvDfs;
  sigma2?: string;
  tau2?: string;
  rho?: string;
  gamma2?: string;
  phi?: string;
  V?: string;
  robust?: string;
  vcov: RobustType;
  profile: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The options of dependent-effects models, as fit and regress take them. */
export function addMultilevelOptions(cmd: Command): Command {
  return cmd
    .option(
      '--random <formula>',
      'random effects in metafor notation (repeatable): "~ 1 | study/es" (nested), "~ 1 | a, ~ 1 | b" (crossed), "~ outcome | study" (with --struct); the column .row numbers the rows',
      collect,
    )
    .option(
      '--struct <S>',
      `variance structure of an "~ inner | outer" term (repeat for a second): ${STRUCTS.join(', ')} (default CS)`,
      collect,
    )
    .addOption(
      new Option(
        '--dfs <method>',
        'with --test t: residual (k - p) or contain (containment) degrees of freedom',
      ).choices(MV_DFS),
    )
    .option('--sigma2 <values>', 'fix variance components: "NA,0" estimates sigma^2.1 and fixes sigma^2.2 at 0')
    .option('--tau2 <values>', 'fix tau^2 value(s) of the first "inner | outer" term (NA = estimate)')
    .option('--rho <values>', 'fix rho value(s) of the first "inner | outer" term (NA = estimate)')
    .option('--gamma2 <values>', 'fix gamma^2 value(s) of the second "inner | outer" term')
    .option('--phi <values>', 'fix phi value(s) of the second "inner | outer" term')
    .option(
      '--V <spec>',
      "sampling covariances: shared:<column>[:split|:repeated] (rows naming the same shared arm covary; Gleser & Olkin), split:<column> (divide a shared arm, Cochrane Handbook 23.3.4), cor:<cluster>:<r> (assumed correlation r within clusters); shared/split alone use a dataset's declared shared arms",
    )
    .option('--robust <column>', 'cluster-robust tests and CIs, clustering on this column (metafor robust())')
    .addOption(
      new Option(
        '--vcov <type>',
        'cluster-robust estimator: CR1 (metafor default), CR2 (clubSandwich; Satterthwaite df, HTZ test) or CR0',
      )
        .choices(ROBUST_TYPES)
        .default('CR1'),
    )
    .option('--no-profile', 'skip the profile-likelihood CIs of the variance components');
}

/** Whether a fit/regress call asks for a dependent-effects model. */
export function wantsMultilevel(flags: Partial<MultilevelFlags>): boolean {
  return (flags.random?.length ?? 0) > 0 || flags.V !== undefined || flags.robust !== undefined;
}

/**
 * The options only a dependent-effects model reads (variance structures, fixed variance components,
 * containment df): without --random, --V or --robust they would be ignored silently (`fit --tau2 0.5`
 * printed REML's τ² as if fixed), so they are an error naming them.
 */
export function rejectMultilevelOnly(flags: Partial<MultilevelFlags>): void {
  if (wantsMultilevel(flags)) return;
  const given = (
    [
      ['--struct', flags.struct],
      ['--dfs', flags.dfs],
      ['--sigma2', flags.sigma2],
      ['--tau2', flags.tau2],
      ['--rho', flags.rho],
      ['--gamma2', flags.gamma2],
      ['--phi', flags.phi],
    ] as const
  )
    .filter(([, v]) => v !== undefined)
    .map(([name]) => name);
  if (given.length > 0)
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `${given.join(', ')} ${given.length > 1 ? 'are' : 'is'} for dependent-effects models (with --random, --V or --robust) and would be ignored here`,
    );
}

/** The dependent-effects part of a request from the flags (fit, regress, plot forest). */
export function multilevelRequest(
  flags: MultilevelFlags & { test?: unknown },
  formula: string | undefined,
  predictAt: readonly (readonly number[])[] | undefined,
): MultilevelRequest {
  return {
    test: (flags.test as string | undefined) ?? 'z',
    ...(flags.dfs !== undefined ? { dfs: flags.dfs } : {}),
    ...(flags.random ? { random: flags.random } : {}),
    ...(flags.struct ? { struct: flags.struct } : {}),
    ...(formula !== undefined ? { mods: formula } : {}),
    ...(flags.V !== undefined ? { V: flags.V } : {}),
    fixed: {
      ...(flags.sigma2 !== undefined ? { sigma2: flags.sigma2 } : {}),
      ...(flags.tau2 !== undefined ? { tau2: flags.tau2 } : {}),
      ...(flags.rho !== undefined ? { rho: flags.rho } : {}),
      ...(flags.gamma2 !== undefined ? { gamma2: flags.gamma2 } : {}),
      ...(flags.phi !== undefined ? { phi: flags.phi } : {}),
    },
    ...(flags.robust !== undefined ? { robust: { cluster: flags.robust, type: flags.vcov } } : {}),
    ...(predictAt ? { predictAt } : {}),
    profile: flags.profile,
  };
}

export function runMultilevel(
  file: string,
  flags: MultilevelFlags & RegressFlags & FormatFlags,
  formula: string | undefined,
  predictAt: readonly (readonly number[])[] | undefined,
): void {
  const unsupported = [
    ...(flags.by !== undefined ? ['--by'] : []),
    ...(flags.permutations !== undefined || flags.exact ? ['--permutations/--exact'] : []),
  ];
  if (unsupported.length > 0)
    throw new EvsynthError(
      'INVALID_ARGUMENT',
      `${unsupported.join(' and ')} cannot be combined with --random, --V or --robust (multilevel models have no subgroup or permutation analysis yet)`,
    );
  const { table, request, context, dataset } = commandInput(file, flags);
  const a = multilevelTable(
    table,
    { ...request, ...multilevelRequest(flags, formula, predictAt) },
    multilevelContext(context, dataset),
  );
  const s = summarizeMultilevel(a);
  const format = outputFormat(flags);
  if (format === 'csv') {
    const ratio = s.exponentiated;
    process.stdout.write(
      formatCsv([...STUDY_CSV_HEADER, ...(ratio ? RATIO_CSV_HEADER : [])], studyCsvRows(s.studies, ratio)),
    );
    return;
  }
  process.stdout.write(
    format === 'json'
      ? toJson(s) + '\n'
      : formatMultilevelText(s, flags.digits !== undefined ? { digits: flags.digits } : {}),
  );
}
