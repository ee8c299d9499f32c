/** `evsynth fit|regress` with --random, --V or --robust: dependent effect sizes (metafor rma.mv, robust()). */
import { Option, type Command } from 'commander';
import { multilevelAnalysis, parseVSpec, type VSpec } from '../../analysis/multilevel.ts';
import { PRESETS, parsePreset } from '../../analysis/presets.ts';
import { resolveAnalysisOptions } from '../../analysis/request.ts';
import { EvsynthError } from '../../core/errors.ts';
import { effectColumnsFromTable } from '../../effects/from-table.ts';
import type { SharedN, SharedSd } from '../../effects/shared-arms.ts';
import { ROBUST_TYPES, type RobustType } from '../../inference/robust.ts';
import { inTable, stringColumn, studyLabels } from '../../io/csv.ts';
import { resolveInput, type Dataset } from '../../io/datasets.ts';
import { MV_DFS, type FixedComponents, type MvDfs } from '../../models/mv/rma-mv.ts';
import { parseStruct, STRUCTS } from '../../models/mv/structures.ts';
import { formatMultilevelText, summarizeMultilevel } from '../../report/multilevel-text.ts';
import { commandInput } from '../input.ts';
import { toJson } from '../json.ts';
import type { RegressFlags } from '../options.ts';

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

/** "NA,0" → [null, 0] */
function fixedValues(text: string | undefined, name: string): (number | null)[] | undefined {
  if (text === undefined) return undefined;
  return text.split(',').map((v) => {
    const s = v.trim();
    if (s === 'NA' || s === '') return null;
    const x = Number(s);
    if (!Number.isFinite(x)) throw new EvsynthError('INVALID_ARGUMENT', `--${name}: '${s}' is neither a number nor NA`);
    return x;
  });
}

/** --V, with `shared`/`split` alone meaning the dataset's declared shared-arm column. */
function vSpecOf(text: string | undefined, dataset: Dataset | null): VSpec | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === 'shared' || t === 'split') {
    const col = dataset?.provenance.sharedArms?.column;
    if (col === undefined)
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `--V ${t} needs a column (${t}:<column>): ${dataset ? `dataset '${dataset.name}' declares no shared arms` : 'the input is not a bundled dataset'}`,
      );
    return { kind: 'shared', column: col, approach: t === 'shared' ? 'covariance' : 'split' };
  }
  return parseVSpec(t);
}

export function runMultilevel(
  file: string,
  flags: MultilevelFlags & RegressFlags,
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
  const { table: t, request, context } = commandInput(file, flags);
  const { dataset } = resolveInput(file);
  // --test t is this module's; the request builder knows z, knha and adhoc
  const test = (flags.test as string | undefined) ?? 'z';
  const options = resolveAnalysisOptions({ ...request, test: 'z' }, { ...context, table: t });
  const preset = request.preset !== undefined ? PRESETS[parsePreset(request.preset)] : undefined;
  const method = request.method ?? preset?.method ?? 'REML';
  const columns = Object.fromEntries(t.header.map((h) => [h, stringColumn(t, h)]));
  const V = vSpecOf(flags.V, dataset);
  const declared = dataset?.provenance.sharedArms;
  const sharedN: Record<string, { n: SharedN; sd?: SharedSd }> = Object.fromEntries(
    (declared?.groups ?? []).map((g) => [g.id, { n: g.n, ...(g.sd !== undefined ? { sd: g.sd } : {}) }]),
  );
  const fixed: FixedComponents = {
    ...(flags.sigma2 !== undefined ? { sigma2: fixedValues(flags.sigma2, 'sigma2') as (number | null)[] } : {}),
    ...(flags.tau2 !== undefined ? { tau2: fixedValues(flags.tau2, 'tau2') as (number | null)[] } : {}),
    ...(flags.rho !== undefined ? { rho: fixedValues(flags.rho, 'rho') as (number | null)[] } : {}),
    ...(flags.gamma2 !== undefined ? { gamma2: fixedValues(flags.gamma2, 'gamma2') as (number | null)[] } : {}),
    ...(flags.phi !== undefined ? { phi: fixedValues(flags.phi, 'phi') as (number | null)[] } : {}),
  };
  const { method: _pooling, test: _test, piType: _pi, tau2From: _from, ...effectOptions } = options;
  const a = inTable(t, () =>
    multilevelAnalysis(effectColumnsFromTable(t), studyLabels(t), columns, {
      ...effectOptions,
      method,
      test,
      ...(flags.dfs !== undefined ? { dfs: flags.dfs } : {}),
      ...(flags.random ? { random: flags.random } : {}),
      ...(flags.struct ? { struct: flags.struct.map(parseStruct) } : {}),
      ...(formula !== undefined ? { mods: formula } : {}),
      ...(V ? { V } : {}),
      sharedN,
      fixed,
      ...(flags.robust !== undefined ? { robust: { cluster: flags.robust, type: flags.vcov } } : {}),
      ...(predictAt ? { predictAt } : {}),
      profile: flags.profile,
    }),
  );
  const s = summarizeMultilevel(a);
  process.stdout.write(flags.json ? toJson(s) + '\n' : formatMultilevelText(s));
}
