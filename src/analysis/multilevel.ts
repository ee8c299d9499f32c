/**
 * Dependent effect sizes from a table: effect sizes (with the sampling covariance of rows that share an arm,
 * or an assumed within-cluster correlation), the moderators, the random-effects terms, the multilevel/
 * multivariate fit (metafor `rma.mv`) or, without random terms and with independent rows, `rma.uni`; the
 * profile-likelihood CIs of the variance components, predictions, and cluster-robust inference.
 */
import { EvsynthError } from '../core/errors.ts';
import { constantCorrelation } from '../effects/constant-correlation.ts';
import { escalc } from '../effects/escalc.ts';
import {
  assertPositiveDefinite,
  diagonalCovariance,
  subsetCovariance,
  type SamplingCovariance,
} from '../effects/sampling-covariance.ts';
import {
  sharedArmEffects,
  sharedArmGroups,
  SHARED_N,
  type SharedApproach,
  type SharedArmEffects,
  type SharedN,
  type SharedSd,
} from '../effects/shared-arms.ts';
import type { EffectColumns, EffectOptions } from '../effects/options.ts';
import type { Measure } from '../effects/registry.ts';
import type { EffectSizes, Exclusion } from '../effects/types.ts';
import { predictMv, type MvPrediction } from '../inference/mv-prediction.ts';
import { predict } from '../inference/prediction.ts';
import { robust, type RobustResult, type RobustType } from '../inference/robust.ts';
import { interceptDesign, type Design } from '../models/design.ts';
import { parseModerators, type ModeratorFormula } from '../models/formula.ts';
import { buildModelMatrix } from '../models/model-matrix.ts';
import { profileIntervals, type ComponentInterval } from '../models/mv/profile.ts';
import {
  buildRandomTerms,
  isMissingLevel,
  parseRandom,
  termColumns,
  termText,
  type RandomTermSpec,
} from '../models/mv/random-terms.ts';
import { fitRmaMv, type FixedComponents, type MvDfs, type MvTest, type RmaMvFit } from '../models/mv/rma-mv.ts';
import type { Struct } from '../models/mv/structures.ts';
import { fitRma, type RmaFit } from '../models/rma.ts';
import { parseTau2Method, type Tau2Control, type Tau2Method } from '../models/tau2/index.ts';
import { effectColumnsFromTable } from '../effects/from-table.ts';
import { inTable, stringColumn, studyLabels, type DataTable } from '../io/csv.ts';
import type { SharedArms } from '../evidence/provenance.ts';
import { parseStruct } from '../models/mv/structures.ts';
import { PRESETS, parsePreset } from './presets.ts';
import { resolveAnalysisOptions, type AnalysisRequest, type RequestContext } from './request.ts';

/** How the sampling covariance V is built. */
export type VSpec =
  | { readonly kind: 'independent' }
  | {
      readonly kind: 'shared';
      readonly column: string;
      readonly approach: SharedApproach;
      /** How every group's arm size is printed (default: per group, from the dataset or the sizes). */
      readonly n?: SharedN;
      readonly sd?: SharedSd;
    }
  | { readonly kind: 'correlation'; readonly cluster: string; readonly rho: number };

/** The virtual column `.row`: each row its own level (for `~ 1 | study/.row`). */
export const ROW_COLUMN = '.row';

/**
 * Parses `--V`: `shared:<column>` (covariances of comparisons sharing the arm named in the column; append
 * `:split` or `:repeated` to say how its size is printed), `split:<column>` (the Cochrane split-N
 * alternative), `cor:<cluster column>:<r>` (an assumed correlation r within clusters), or `independent`.
 */
export function parseVSpec(text: string): VSpec {
  const parts = text.split(':').map((s) => s.trim());
  const [kind, col, extra] = parts;
  const usage =
    'expected shared:<column>[:split|:repeated], split:<column>, cor:<cluster column>:<r> or independent (e.g. --V shared:control_arm)';
  if (kind === 'independent' && parts.length === 1) return { kind: 'independent' };
  if ((kind === 'shared' || kind === 'split') && col !== undefined && col !== '' && parts.length <= 3) {
    if (kind === 'split' && extra !== undefined) throw new EvsynthError('INVALID_ARGUMENT', `--V ${text}: ${usage}`);
    if (extra !== undefined && !SHARED_N.includes(extra as SharedN) && extra !== 'split-se')
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `--V ${text}: the arm size is 'repeated', 'split' or 'split-se' (split, SDs derived from the arm's SE), not '${extra}'`,
      );
    return {
      kind: 'shared',
      column: col,
      approach: kind === 'shared' ? 'covariance' : 'split',
      ...(extra === 'split-se'
        ? { n: 'split' as const, sd: 'from-se' as const }
        : extra !== undefined
          ? { n: extra as SharedN }
          : {}),
    };
  }
  if (kind === 'cor' && col !== undefined && col !== '' && extra !== undefined && parts.length === 3) {
    const rho = Number(extra);
    if (extra === '' || !Number.isFinite(rho) || rho < -1 || rho > 1)
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `--V ${text}: the correlation '${extra}' is not a number between −1 and 1`,
      );
    return { kind: 'correlation', cluster: col, rho };
  }
  throw new EvsynthError('INVALID_ARGUMENT', `--V '${text}': ${usage}`);
}

export interface MultilevelOptions extends EffectOptions {
  readonly measure: Measure;
  /** REML or ML with random terms; any τ² estimator for an rma.uni fit (no random terms, independent rows). */
  readonly method?: string;
  readonly test?: string;
  readonly dfs?: MvDfs;
  readonly level?: number;
  readonly random?: readonly string[];
  readonly struct?: readonly Struct[];
  readonly mods?: string;
  readonly V?: VSpec;
  /** How a dataset's shared arms are printed, by group id (from its provenance). */
  readonly sharedN?: Readonly<Record<string, { readonly n: SharedN; readonly sd?: SharedSd }>>;
  readonly fixed?: FixedComponents;
  readonly robust?: { readonly cluster: string; readonly type: RobustType };
  readonly predictAt?: readonly (readonly number[])[];
  readonly control?: Tau2Control;
  /** Profile-likelihood CIs of the variance components (default true). */
  readonly profile?: boolean;
}

export interface MultilevelAnalysis {
  readonly model:
    { readonly kind: 'rma.mv'; readonly fit: RmaMvFit } | { readonly kind: 'rma.uni'; readonly fit: RmaFit };
  readonly measure: Measure;
  readonly effects: EffectSizes;
  /** Input rows in the model, and their labels. */
  readonly rows: readonly number[];
  readonly labels: readonly string[];
  readonly random: readonly string[];
  readonly formula: ModeratorFormula | null;
  readonly V: SamplingCovariance;
  readonly vDescription: string;
  readonly sharedArms: SharedArmEffects['groups'];
  readonly profile: readonly ComponentInterval[];
  /** At the moderator values given (null: the intercept-only model's mean). */
  readonly predictions: readonly { readonly at: readonly number[] | null; readonly prediction: MvPrediction }[];
  readonly robust: (RobustResult & { readonly cluster: string }) | null;
  readonly excluded: readonly Exclusion[];
  readonly warnings: readonly string[];
}

/**
 * Fits a model for dependent effect sizes from table columns (see the module comment). `columns` holds every
 * column as strings (random factors, moderators, clusters, shared-arm ids); `effectColumns` the numeric
 * effect-size input.
 */
export function multilevelAnalysis(
  effectColumns: EffectColumns,
  labels: readonly string[],
  columns: Readonly<Record<string, readonly string[]>>,
  options: MultilevelOptions,
): MultilevelAnalysis {
  const k0 = labels.length;
  const cols: Record<string, readonly string[]> = { ...columns };
  if (cols[ROW_COLUMN] === undefined) cols[ROW_COLUMN] = labels.map((_, i) => String(i + 1));
  const warnings: string[] = [];
  const specs: RandomTermSpec[] = options.random && options.random.length > 0 ? parseRandom(options.random) : [];
  const Vspec = options.V ?? { kind: 'independent' };
  const needColumn = (c: string, what: string) => {
    if (cols[c] === undefined)
      throw new EvsynthError(
        'MISSING_COLUMN',
        `${what}: no column '${c}' (columns: ${Object.keys(columns).join(', ')})`,
        {
          column: c,
        },
      );
    return cols[c] as readonly string[];
  };
  for (const s of specs) for (const c of termColumns(s)) needColumn(c, `random term '${termText(s)}'`);
  if (options.robust) needColumn(options.robust.cluster, '--robust');

  // effect sizes and V over all rows
  let effects: EffectSizes;
  let Vall: SamplingCovariance;
  let estimable: number[];
  let shared: SharedArmEffects['groups'] = [];
  let vDescription = 'independent sampling errors (V diagonal)';
  if (Vspec.kind === 'shared') {
    const ids = needColumn(Vspec.column, `--V ${Vspec.approach === 'covariance' ? 'shared' : 'split'}`);
    const sizes = effectColumns.n2i;
    const forced =
      Vspec.n !== undefined ? { n: Vspec.n, ...(Vspec.sd !== undefined ? { sd: Vspec.sd } : {}) } : undefined;
    const groups = sharedArmGroups(ids, sizes, (id: string) => forced ?? options.sharedN?.[id]);
    const s = sharedArmEffects(options.measure, effectColumns, labels, groups, Vspec.approach, options);
    effects = s.effects;
    estimable = [...s.rows];
    Vall = s.V;
    shared = s.groups;
    warnings.push(...s.warnings);
    vDescription =
      Vspec.approach === 'covariance'
        ? `rows sharing an arm (column '${Vspec.column}': ${groups.length} group${groups.length === 1 ? '' : 's'}) covary through it (Gleser & Olkin 2009)`
        : `shared arms (column '${Vspec.column}') split among their comparisons (Cochrane Handbook §23.3.4); rows independent`;
  } else {
    effects = escalc(options.measure, effectColumns, labels, options);
    estimable = [];
    for (let i = 0; i < k0; i++)
      if (Number.isFinite(effects.yi[i] as number) && (effects.vi[i] as number) > 0) estimable.push(i);
    const vi = estimable.map((r) => effects.vi[r] as number);
    if (Vspec.kind === 'correlation') {
      const cl = needColumn(Vspec.cluster, '--V cor');
      Vall = constantCorrelation(
        vi,
        estimable.map((r) => (cl[r] as string).trim()),
        Vspec.rho,
      );
      vDescription = `an assumed correlation of ${Vspec.rho} between the sampling errors of rows with the same '${Vspec.cluster}'`;
    } else Vall = diagonalCovariance(vi);
  }
  const excluded: Exclusion[] = effects.excluded.map((e) => ({ ...e }));

  // rows with every random factor, moderator and cluster present
  const formula = options.mods ? parseModerators(options.mods) : null;
  const needed = [
    ...specs.flatMap(termColumns),
    ...(options.robust ? [options.robust.cluster] : []),
    ...(Vspec.kind === 'correlation' ? [Vspec.cluster] : []),
  ];
  let rows = estimable.filter((r) => {
    const miss = needed.find((c) => isMissingLevel((cols[c] as readonly string[])[r]));
    if (miss !== undefined)
      excluded.push({ row: r, label: labels[r] ?? `row ${r + 1}`, reason: `missing value in '${miss}'` });
    return miss === undefined;
  });
  let design: Design;
  if (formula) {
    const mm = buildModelMatrix(formula, cols, rows);
    for (const e of mm.excluded)
      excluded.push({ row: e.row, label: labels[e.row] ?? `row ${e.row + 1}`, reason: e.reason });
    rows = [...mm.rows];
    design = mm.design;
  } else design = interceptDesign(rows.length);
  excluded.sort((a, b) => a.row - b.row);
  if (rows.length === 0) throw new EvsynthError('TOO_FEW_STUDIES', 'no row can be used (see the excluded rows)');
  const pos = new Map(estimable.map((r, i) => [r, i]));
  const V = subsetCovariance(
    Vall,
    rows.map((r) => pos.get(r) as number),
  );
  assertPositiveDefinite(V, rows);
  const yi = rows.map((r) => effects.yi[r] as number);
  const rowLabels = rows.map((r) => labels[r] as string);
  const level = options.level ?? 95;
  const methodName = options.method ?? 'REML';
  const test = options.test ?? 'z';
  const hasCov = V.pairs.length > 0;

  let model: MultilevelAnalysis['model'];
  let profile: ComponentInterval[] = [];
  const predictions: { at: readonly number[] | null; prediction: MvPrediction }[] = [];
  if (specs.length === 0 && !hasCov) {
    // rma.uni: independent rows, one τ²
    const method: Tau2Method = parseTau2Method(methodName);
    if (test === 't')
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        '--test t is for multilevel models (with --random or --V); for one τ² use --test knha',
      );
    if (options.dfs === 'contain')
      throw new EvsynthError('INVALID_ARGUMENT', '--dfs contain needs random terms (--random)');
    const fit = fitRma(yi, V.diag, {
      method,
      test: test as 'z' | 'knha' | 'adhoc',
      level,
      design,
      ...(options.control ? { control: options.control } : {}),
    });
    model = { kind: 'rma.uni', fit };
    const at = atPoints(options.predictAt, formula, design);
    for (const { at: point, x } of at) {
      const p = predict(fit, x ?? undefined);
      predictions.push({ at: point, prediction: { ...p, tau2Level: null, gamma2Level: null } });
    }
  } else {
    const method = methodName.toUpperCase();
    if (method !== 'REML' && method !== 'ML')
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `method ${methodName} is not available for multilevel/multivariate models; use REML or ML`,
      );
    if (test !== 'z' && test !== 't')
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `--test ${test}: multilevel models use z or t (with --dfs residual or contain)`,
      );
    // without random terms, V alone: one random effect per row (the random-effects model with covariances)
    const effSpecs: RandomTermSpec[] = specs.length > 0 ? specs : [{ kind: 'intercept', factors: [ROW_COLUMN] }];
    if (specs.length === 0) warnings.push(`no --random given: one random effect per row (~ 1 | ${ROW_COLUMN}) with V`);
    const terms = buildRandomTerms(effSpecs, cols, rows, options.struct ?? []);
    const fit = fitRmaMv(yi, V, {
      method,
      test: test as MvTest,
      ...(options.dfs ? { dfs: options.dfs } : {}),
      level,
      design,
      random: terms,
      ...(options.fixed ? { fixed: options.fixed } : {}),
    });
    model = { kind: 'rma.mv', fit };
    if (options.profile ?? true) profile = profileIntervals(fit);
    const at = atPoints(options.predictAt, formula, design);
    const levelSets = structLevels(fit);
    for (const { at: point, x } of at)
      for (const lv of levelSets) predictions.push({ at: point, prediction: predictMv(fit, x ?? undefined, lv) });
  }
  let robustResult: MultilevelAnalysis['robust'] = null;
  if (options.robust) {
    const cl = cols[options.robust.cluster] as readonly string[];
    robustResult = {
      ...robust(
        model.fit,
        rows.map((r) => (cl[r] as string).trim()),
        { type: options.robust.type, level },
      ),
      cluster: options.robust.cluster,
    };
  }
  warnings.push(...model.fit.warnings, ...(robustResult?.warnings ?? []));
  if (excluded.length > 0)
    warnings.push(`${excluded.length} row${excluded.length === 1 ? '' : 's'} excluded (see 'excluded')`);
  return {
    model,
    measure: options.measure,
    effects,
    rows,
    labels: rowLabels,
    random:
      model.kind === 'rma.mv'
        ? model.fit.random.map((t) => (t.kind === 'intercept' ? `~ 1 | ${t.name}` : `~ ${t.inner} | ${t.outer}`))
        : [],
    formula,
    V,
    vDescription,
    sharedArms: shared,
    profile,
    predictions,
    robust: robustResult,
    excluded,
    warnings,
  };
}

/** Prediction points with the intercept: the intercept alone for intercept-only models, else `--predict`. */
function atPoints(
  predictAt: MultilevelOptions['predictAt'],
  formula: ModeratorFormula | null,
  design: Design,
): { at: readonly number[] | null; x: number[] | null }[] {
  if (!formula) return [{ at: null, x: null }];
  return (predictAt ?? []).map((at) => {
    const x = formula.intercept ? [1, ...at] : [...at];
    if (x.length !== design.p)
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `a prediction point needs ${design.p - (formula.intercept ? 1 : 0)} values (${design.names.filter((n) => n !== 'intrcpt').join(', ')}), got ${at.length}`,
      );
    return { at, x };
  });
}

/** One prediction per level of a structure with a τ² (γ²) per inner level; one otherwise. */
function structLevels(fit: RmaMvFit): { tau2?: string; gamma2?: string }[] {
  const levels = (role: 'tau2' | 'gamma2') => {
    const s = fit.structs.find((t) => t.role === role);
    const n = role === 'tau2' ? fit.tau2.length : fit.gamma2.length;
    return s !== undefined && n > 1 ? s.innerLevels : [undefined];
  };
  const out: { tau2?: string; gamma2?: string }[] = [];
  for (const t of levels('tau2'))
    for (const g of levels('gamma2'))
      out.push({ ...(t !== undefined ? { tau2: t } : {}), ...(g !== undefined ? { gamma2: g } : {}) });
  return out;
}

/**
 * What a user asks of a dependent-effects analysis, as typed (the CLI's flags, the web explorer's inputs): the
 * effect-size and model fields of {@link AnalysisRequest} (no subgroups), and the random terms, structures, V,
 * fixed components and cluster-robust inference as text.
 */
export interface MultilevelRequest extends Omit<
  AnalysisRequest,
  'by' | 'missingGroups' | 'test' | 'piType' | 'tau2From'
> {
  /** z or t (with random terms or V); z, knha or adhoc for an rma.uni fit. */
  readonly test?: string;
  readonly dfs?: MvDfs;
  /** Random terms in metafor's notation, e.g. `~ 1 | study/.row`. */
  readonly random?: readonly string[];
  /** Structures of `~ inner | outer` terms: CS, HCS, UN, ID, DIAG, AR, HAR. */
  readonly struct?: readonly string[];
  /** Moderator formula, as `regress --mods`. */
  readonly mods?: string;
  /**
   * How V is built: `shared:<column>[:split|:repeated|:split-se]`, `split:<column>`, `cor:<cluster>:<r>`,
   * `independent`, or `shared`/`split` alone for the dataset's declared shared arms (`context.sharedArms`).
   */
  readonly V?: string;
  /** Fixed components as metafor's vectors, comma-separated with NA = estimate, e.g. `{ sigma2: 'NA,0' }`. */
  readonly fixed?: { readonly [K in keyof FixedComponents]?: string };
  readonly robust?: { readonly cluster: string; readonly type?: RobustType };
  readonly predictAt?: readonly (readonly number[])[];
  /** Profile-likelihood CIs of the variance components (default true). */
  readonly profile?: boolean;
}

/** A dataset's defaults for {@link multilevelTable}: its measure and its declared shared arms (provenance). */
export interface MultilevelContext extends RequestContext {
  readonly sharedArms?: SharedArms;
  /** The dataset's name, for messages. */
  readonly name?: string;
}

/**
 * A dataset's defaults for dependent-effects models ({@link multilevelTable}): the request context with the
 * dataset's name and its declared shared arms (provenance `sharedArms`), for the CLI and the web explorer alike.
 */
export function multilevelContext(
  context: RequestContext,
  dataset: { readonly name: string; readonly provenance: { readonly sharedArms?: SharedArms } } | null,
): MultilevelContext {
  return {
    ...context,
    ...(dataset?.provenance.sharedArms ? { sharedArms: dataset.provenance.sharedArms } : {}),
    ...(dataset ? { name: dataset.name } : {}),
  };
}

/** Fixed values of one component from text: "NA,0" → [null, 0]. */
export function parseFixedValues(text: string, name: string): (number | null)[] {
  return text.split(',').map((v) => {
    const s = v.trim();
    if (s === 'NA' || s === '') return null;
    const x = Number(s);
    if (!Number.isFinite(x)) throw new EvsynthError('INVALID_ARGUMENT', `--${name}: '${s}' is neither a number nor NA`);
    return x;
  });
}

/**
 * Analyses a CSV table's dependent effect sizes as `request` asks (the pure entry of `fit|regress --random/--V/
 * --robust`, for the CLI, the web explorer and notebooks): the request is resolved as {@link analyzeTable}
 * resolves it (measure from the dataset, preset, effect-size options), `V: 'shared'` uses the dataset's declared
 * shared arms, and errors that name a data row are re-placed at their file line. See {@link multilevelAnalysis}.
 */
export function multilevelTable(
  table: DataTable,
  request: MultilevelRequest,
  context: MultilevelContext = {},
): MultilevelAnalysis {
  const { test = 'z', dfs, random, struct, mods, V: vText, fixed, robust: rob, predictAt, profile, ...base } = request;
  const options = resolveAnalysisOptions({ ...base, test: 'z' }, { ...context, table });
  const preset = base.preset !== undefined ? PRESETS[parsePreset(base.preset)] : undefined;
  const method = base.method ?? preset?.method ?? 'REML';
  const { method: _pooling, test: _test, piType: _pi, tau2From: _from, ...effectOptions } = options;
  const columns = Object.fromEntries(table.header.map((h) => [h, stringColumn(table, h)]));
  const V = vSpecOf(vText, context);
  const sharedN: Record<string, { n: SharedN; sd?: SharedSd }> = Object.fromEntries(
    (context.sharedArms?.groups ?? []).map((g) => [g.id, { n: g.n, ...(g.sd !== undefined ? { sd: g.sd } : {}) }]),
  );
  const fixedComponents: { -readonly [K in keyof FixedComponents]: (number | null)[] } = {};
  for (const kind of ['sigma2', 'tau2', 'rho', 'gamma2', 'phi'] as const) {
    const v = fixed?.[kind];
    if (v !== undefined) fixedComponents[kind] = parseFixedValues(v, kind);
  }
  return inTable(table, () =>
    multilevelAnalysis(effectColumnsFromTable(table), studyLabels(table), columns, {
      ...effectOptions,
      method,
      test,
      ...(dfs !== undefined ? { dfs } : {}),
      ...(random ? { random } : {}),
      ...(struct ? { struct: struct.map(parseStruct) } : {}),
      ...(mods !== undefined ? { mods } : {}),
      ...(V ? { V } : {}),
      sharedN,
      fixed: fixedComponents,
      ...(rob ? { robust: { cluster: rob.cluster, type: rob.type ?? 'CR1' } } : {}),
      ...(predictAt ? { predictAt } : {}),
      ...(profile !== undefined ? { profile } : {}),
    }),
  );
}

/** `V` as text, with `shared`/`split` alone meaning the dataset's declared shared-arm column. */
function vSpecOf(text: string | undefined, context: MultilevelContext): VSpec | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === 'shared' || t === 'split') {
    const col = context.sharedArms?.column;
    if (col === undefined)
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `--V ${t} needs a column (${t}:<column>): ${context.name !== undefined ? `dataset '${context.name}' declares no shared arms` : 'the input is not a bundled dataset'}`,
      );
    return { kind: 'shared', column: col, approach: t === 'shared' ? 'covariance' : 'split' };
  }
  return parseVSpec(t);
}
