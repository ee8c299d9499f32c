/**
 * The one request builder: what a user asks of an analysis (the CLI's flags, the web explorer's controls,
 * a notebook's options) as plain values, and the one function that turns it into engine options,
 * applying, in order of precedence, the explicit values, the preset's conventions, the dataset's
 * provenance (its measure) and metafor's defaults.
 */
import { EvsynthError } from '../core/errors.ts';
import { parseMeasure } from '../effects/escalc.ts';
import type { EffectConvention, Vtype, ZeroCellRule } from '../effects/options.ts';
import { measureSpec, measuresForColumns, type Measure } from '../effects/registry.ts';
import type { PiType } from '../inference/prediction.ts';
import { hasColumn, type DataTable } from '../io/csv.ts';
import { parsePoolingMethod } from '../models/pooling-methods.ts';
import { RMA_DEFAULTS, type TestType } from '../models/rma.ts';
import type { Tau2Control } from '../models/tau2/index.ts';
import type { AnalysisOptions } from './meta-analysis.ts';
import { PRESETS, parsePreset } from './presets.ts';
import type { MissingGroupRule } from './subgroup-analysis.ts';

/** Everything a user can ask of one analysis; every field optional, as typed by a user (codes as strings). */
export interface AnalysisRequest {
  readonly measure?: string;
  readonly method?: string;
  readonly preset?: string;
  readonly test?: TestType;
  /** Confidence level: a percentage (95) or a proportion (0.95), as metafor accepts both. */
  readonly level?: number;
  readonly piType?: PiType;
  readonly add?: number;
  readonly to?: ZeroCellRule;
  readonly drop00?: boolean;
  readonly vtype?: Vtype;
  readonly smd?: 'metafor' | 'revman';
  readonly convention?: EffectConvention;
  readonly control?: Tau2Control;
  readonly tau2From?: 'inverse-variance' | 'mantel-haenszel';
  /** Subgroup analysis by this column. */
  readonly by?: string;
  /** Rows with a missing subgroup value: left out (default) or kept in the overall analysis. */
  readonly missingGroups?: MissingGroupRule;
}

/** What the request is applied to: the table (to detect generic input) and a dataset's provenance defaults. */
export interface RequestContext {
  readonly table?: DataTable;
  /** The dataset's measure (used when the request gives none). */
  readonly measure?: Measure;
}

/**
 * A confidence level in percent from a percentage (1 ≤ x < 100) or a proportion (0 < x < 1), as metafor's
 * `level` accepts either; anything else is an error.
 */
export function levelPercent(x: number): number {
  if (Number.isFinite(x) && x > 0 && x < 1) return x * 100;
  if (Number.isFinite(x) && x >= 1 && x < 100) return x;
  throw new EvsynthError(
    'INVALID_ARGUMENT',
    `level ${x}: expected a percentage from 1 to below 100 (95) or a proportion between 0 and 1 (0.95), both exclusive of 100%`,
  );
}

/**
 * The measure: as given; else the dataset's; else OR for method PETO (Peto's method pools odds ratios);
 * else generic input when the table has a `yi` column; otherwise an error that lists the measures the
 * table's columns fit (from the measure registry).
 */
export function resolveMeasure(
  given: string | undefined,
  method: string | undefined,
  context: RequestContext,
): Measure {
  const peto = method !== undefined && method.toUpperCase() === 'PETO';
  if (given !== undefined) {
    const m = parseMeasure(given);
    if (peto && m !== 'OR' && m !== 'PETO')
      throw new EvsynthError(
        'INVALID_ARGUMENT',
        `--method PETO pools odds ratios (it implies --measure OR); got --measure ${m}`,
      );
    return m;
  }
  if (context.measure !== undefined) return context.measure;
  if (peto) return 'OR';
  const t = context.table;
  if (t !== undefined && hasColumn(t, 'yi')) return 'GEN';
  const fits = t ? measuresForColumns((c) => hasColumn(t, c)) : [];
  const hint =
    fits.length > 0
      ? `the table's columns fit ${fits.join(', ')}`
      : `e.g. SMD for ${measureSpec('SMD').inputs[0]?.join(', ')}; OR for ${measureSpec('OR').inputs[0]?.join(', ')}`;
  throw new EvsynthError('INVALID_ARGUMENT', `no --measure given and no 'yi' column; give --measure (${hint})`, {
    ...(t ? { file: t.file } : {}),
  });
}

/** Engine options from a request: explicit values, then the preset's, then the context's, then metafor's defaults. */
export function resolveAnalysisOptions(request: AnalysisRequest, context: RequestContext = {}): AnalysisOptions {
  const preset = request.preset !== undefined ? PRESETS[parsePreset(request.preset)] : undefined;
  const methodName = request.method ?? preset?.method ?? RMA_DEFAULTS.method;
  const method = parsePoolingMethod(methodName);
  const measure = resolveMeasure(request.measure, method, context);
  const tau2From = request.tau2From ?? (preset && 'tau2From' in preset ? preset.tau2From : undefined);
  const convention = request.convention ?? preset?.convention;
  const pick = <K extends keyof AnalysisRequest>(k: K) =>
    request[k] !== undefined ? ({ [k]: request[k] } as Pick<AnalysisRequest, K>) : {};
  return {
    measure,
    method,
    test: request.test ?? preset?.test ?? RMA_DEFAULTS.test,
    level: request.level !== undefined ? levelPercent(request.level) : RMA_DEFAULTS.level,
    piType: request.piType ?? 'default',
    ...(convention !== undefined ? { convention } : {}),
    ...(tau2From !== undefined ? { tau2From } : {}),
    ...pick('add'),
    ...pick('to'),
    ...pick('drop00'),
    ...pick('vtype'),
    ...pick('smd'),
    ...pick('control'),
  };
}
